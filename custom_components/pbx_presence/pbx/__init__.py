"""An async client library for PBX presence: Flex UC / Kazoo and iSymphony.

It knows nothing of Home Assistant and could ship on its own: a subpackage per server
(`kazoo`, `isymphony`) over one error tree (`errors`) and shared HTTP plumbing.
"""

from .errors import (
    PbxAccessDeniedError,
    PbxAccountDisabledError,
    PbxAuthenticationError,
    PbxConnectionError,
    PbxError,
    PbxForbiddenError,
    PbxLicenseError,
    PbxMultiFactorRequiredError,
    PbxNotAServletError,
    PbxNotFoundError,
    PbxNotTheApiError,
    PbxRateLimitError,
    PbxRefusedError,
    PbxResponseError,
    PbxSslRequiredError,
    PbxTimeoutError,
    PbxUnknownApiKeyError,
    PbxUnknownCoreServerError,
    PbxValidationError,
)

__all__ = [
    "PbxAccessDeniedError",
    "PbxAccountDisabledError",
    "PbxAuthenticationError",
    "PbxConnectionError",
    "PbxError",
    "PbxForbiddenError",
    "PbxLicenseError",
    "PbxMultiFactorRequiredError",
    "PbxNotAServletError",
    "PbxNotFoundError",
    "PbxNotTheApiError",
    "PbxRateLimitError",
    "PbxRefusedError",
    "PbxResponseError",
    "PbxSslRequiredError",
    "PbxTimeoutError",
    "PbxUnknownApiKeyError",
    "PbxUnknownCoreServerError",
    "PbxValidationError",
]
