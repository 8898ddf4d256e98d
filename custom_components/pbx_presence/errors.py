"""The one table from client errors to translation keys, and its three uses.

Polls, actions and the config flow all name a failure by the same key, found here; each
key is in the translations' `config.error` (forms) and `exceptions` (polls, actions, voice)
sections. Server-specific readings of a status code are made in the clients, which raise
distinct error classes (an iSymphony 403 outside a status is `PbxAccessDeniedError`, a
404 on a Kazoo login `PbxNotTheApiError`), so nothing here asks which server spoke.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any, Final

from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from .backends import Capability, NotSupportedError
from .const import DOMAIN
from .pbx import (
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
    PbxRateLimitError,
    PbxRefusedError,
    PbxSslRequiredError,
    PbxTimeoutError,
    PbxUnknownApiKeyError,
    PbxUnknownCoreServerError,
    PbxValidationError,
)

# Most specific first: an error is named by the first class it is an instance of.
ERROR_KEYS: Final[tuple[tuple[type[PbxError], str], ...]] = (
    (PbxLicenseError, "not_licensed"),
    (PbxMultiFactorRequiredError, "mfa_required"),
    (PbxUnknownApiKeyError, "unknown_api_key"),
    (PbxAccessDeniedError, "ip_not_allowed"),
    (PbxAuthenticationError, "invalid_auth"),
    (PbxForbiddenError, "insufficient_rights"),
    (PbxUnknownCoreServerError, "unknown_core_server"),
    (PbxNotFoundError, "not_found"),
    (PbxValidationError, "rejected"),
    (PbxRateLimitError, "rate_limited"),
    (PbxRefusedError, "call_refused"),
    (PbxTimeoutError, "timeout_connect"),
    (PbxSslRequiredError, "ssl_required"),
    (PbxNotAServletError, "not_isymphony_servlet"),
    (PbxConnectionError, "cannot_connect"),
)
# Why Kazoo refuses a whole account (PbxAccountDisabledError.reason): also repair issues.
ACCOUNT_REFUSALS: Final = {"disabled": "account_disabled", "expired": "account_expired"}
# A reply nothing above explains.
UNKNOWN: Final = "unknown"
# What an action says to a server that lacks the capability it needs.
_UNSUPPORTED: Final = {
    Capability.PRESENCE_RESET: "not_flex_uc",
    Capability.BLF_OVERRIDE: "not_flex_uc",
    Capability.STATUS: "not_isymphony",
    Capability.CLICK_TO_CALL: "click_to_call_unsupported",
    Capability.PHONE_DND: "not_flex_uc",
    Capability.CALL_FORWARD: "not_flex_uc",
}


def error_key(err: PbxError) -> str:
    """The translation key that names a client error."""
    if isinstance(err, PbxAccountDisabledError):
        return ACCOUNT_REFUSALS[err.reason]
    return next((key for kind, key in ERROR_KEYS if isinstance(err, kind)), UNKNOWN)


def _placeholders(err: PbxError) -> dict[str, str]:
    # `reason` is the server's own words; `error` our description of an odd reply.
    return {"reason": err.reason} if isinstance(err, PbxValidationError) else {"error": str(err)}


def poll_error(err: PbxError) -> UpdateFailed | ConfigEntryAuthFailed:
    """What a failed poll raises: re-authentication for refused credentials, else a retry."""
    key = error_key(err)
    if isinstance(err, PbxAuthenticationError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key=key)
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=_placeholders(err),
        retry_after=err.retry_after if isinstance(err, PbxRateLimitError) else None,
    )


def action_error(err: PbxError | NotSupportedError) -> HomeAssistantError:
    """What a failed write raises: a translated error that names the cause."""
    if isinstance(err, NotSupportedError):
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key=_UNSUPPORTED[err.capability]
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=error_key(err),
        translation_placeholders=_placeholders(err),
    )


def pbx_action[**P, R](
    func: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Let a write raise the translated error that names the cause of a backend error."""

    @wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(*args, **kwargs)
        except (PbxError, NotSupportedError) as err:
            raise action_error(err) from err

    return wrapper
