"""The one error tree raised by the PBX clients."""

from __future__ import annotations


class PbxError(Exception):
    """Base class of every error the clients raise."""


class PbxConnectionError(PbxError):
    """The server could not be reached, or dropped the connection."""


class PbxTimeoutError(PbxConnectionError):
    """The server did not answer within the request timeout."""


class PbxNotTheApiError(PbxConnectionError):
    """The URL leads to a web server, but not to the API (Kazoo: 404 on the login)."""


class PbxNotAServletError(PbxNotTheApiError):
    """iSymphony: the URL leads to a web server that is not an iSymphony REST servlet.

    Told from an unknown core server by the servlet's Basic-auth realm: the servlet asks
    for a login on every path under it, another web server just answers 404.
    """


class PbxSslRequiredError(PbxConnectionError):
    """iSymphony: the plain port redirects, so the servlet is SSL-secured (use its SSL port)."""


class PbxAuthenticationError(PbxError):
    """The server refused the credentials (bad login, API key or token)."""


class PbxAccountDisabledError(PbxError):
    """The Kazoo account is disabled or expired: new credentials would not help.

    Kazoo answers 400 `validation error` with `data.account.disabled` or `.expired`.
    """

    def __init__(self, reason: str) -> None:
        """Keep why: `disabled` or `expired`."""
        super().__init__(f"The account is {reason}")
        self.reason = reason


class PbxMultiFactorRequiredError(PbxAuthenticationError):
    """The Kazoo user has multi-factor login enabled, which the API cannot answer."""


class PbxForbiddenError(PbxError):
    """The credentials are valid but lack the right (HTTP 403).

    For iSymphony this is also the answer to a caller IP outside the allow-list.
    """


class PbxAccessDeniedError(PbxAuthenticationError, PbxForbiddenError):
    """iSymphony 403 outside a status: the IP allow-list, or on some versions a wrong password.

    Either way the entry cannot work until the user acts, so it asks for re-authentication.
    """


class PbxLicenseError(PbxForbiddenError):
    """iSymphony: the user is not licensed, or no license is installed (HTTP 403)."""


class PbxNotFoundError(PbxError):
    """The server does not know the id, name or path (HTTP 404)."""


class PbxUnknownCoreServerError(PbxNotFoundError):
    """iSymphony: the server has no core server with this slug (404 on its user list)."""


class PbxValidationError(PbxError):
    """The server rejected the request's content (HTTP 400/412/422).

    `reason` carries the server's own explanation.
    """

    def __init__(self, reason: str) -> None:
        """Keep the server's reason."""
        super().__init__(reason)
        self.reason = reason


class PbxRateLimitError(PbxError):
    """The server asks us to slow down (HTTP 429)."""

    def __init__(self, retry_after: float | None) -> None:
        """Keep how long the server asked us to wait, in seconds, when it said."""
        super().__init__(
            "Rate limited by the server"
            + (f"; retry after {retry_after:g} s" if retry_after is not None else "")
        )
        self.retry_after = retry_after


class PbxResponseError(PbxError):
    """The server answered with an error status or a reply we cannot read."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        """Keep the HTTP status of an error reply, where there was one."""
        super().__init__(message)
        self.status = status


class PbxRefusedError(PbxError):
    """The server understood the command but would not carry it out.

    Kazoo's quickcall answers 500 `unspecified_fault` when it finds no phone to ring: the
    device is disabled or on do not disturb, or the user owns no usable device.
    """


class PbxUnknownApiKeyError(PbxAuthenticationError):
    """Kazoo does not know the API key (it answers 404, or 400 for one of the wrong length)."""
