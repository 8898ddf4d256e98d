"""iSymphony: its backend (adapter.py) and the readers it is made of."""

from ...pbx import PbxLicenseError, PbxNotFoundError, PbxResponseError, PbxValidationError

# A reply that costs only the part it was for (that user's status, calls or logins, that
# queue's agents): a licence refusal, a thing gone since the list, an odd or failed reply.
PART_ERRORS = (PbxLicenseError, PbxNotFoundError, PbxResponseError, PbxValidationError)
