"""What the config flow's forms ask for, checked before anything is sent to a server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_URL, CONF_USERNAME
from yarl import URL

from .const import CONF_ACCOUNT_NAME, CONF_CREDENTIALS_HASH, CONF_WEBSOCKET_URL
from .pbx.kazoo import credentials_hash

# Real server addresses are short; anything longer is a paste gone wrong.
MAX_URL_LENGTH = 2000
SHOWN_URL_LENGTH = 200


class InputError(Exception):
    """What to tell the user about their input: an error key, and the field it is about."""

    def __init__(self, error: str, field: str = "base") -> None:
        """Keep the translation key of the error and the field it belongs to."""
        super().__init__(error)
        self.error = error
        self.field = field


def text_input(user_input: Mapping[str, Any], key: str) -> str:
    """A text field's value without surrounding spaces; empty when missing."""
    value = user_input.get(key)
    return value.strip() if isinstance(value, str) else ""


def shown_url(url: object) -> str:
    """A URL for the log: cut short, with control characters made visible."""
    text = str(url)
    text = text if len(text) <= SHOWN_URL_LENGTH else f"{text[:SHOWN_URL_LENGTH]}…"
    return text if text.isprintable() else ascii(text)


def server_url(user_input: Mapping[str, Any]) -> str:
    """The server URL the user typed; only http(s) URLs with a host are accepted."""
    url = text_input(user_input, CONF_URL)
    if len(url) > MAX_URL_LENGTH:
        raise InputError("url_too_long", CONF_URL)
    if not url.isprintable():  # a newline, tab, NUL or other control character
        raise InputError("url_control_characters", CONF_URL)
    if "?" in url or "#" in url:
        # The clients add paths to the URL: a query or fragment would end up inside them.
        raise InputError("url_query", CONF_URL)
    try:
        parsed = URL(url)
    except ValueError:
        raise InputError("invalid_url", CONF_URL) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InputError("invalid_url", CONF_URL)
    if parsed.user is not None or parsed.password is not None:
        # It would be stored, shown and logged with the URL: credentials have their fields.
        raise InputError("url_credentials", CONF_URL)
    return url


def kazoo_login(
    user_input: Mapping[str, Any], stored: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """The Kazoo login to store: an API key, or a user's name, hash and account.

    An API key wins when one is given. `stored` is the login data that may be kept when
    the user leaves the secret empty (reconfigure, same URL); None for a new entry.
    """
    api_key = text_input(user_input, CONF_API_KEY)
    username = text_input(user_input, CONF_USERNAME)
    account = text_input(user_input, CONF_ACCOUNT_NAME)
    password = user_input.get(CONF_PASSWORD) or ""
    if api_key:
        return {CONF_API_KEY: api_key}
    if username and account:
        if password:
            return {
                CONF_USERNAME: username,
                CONF_CREDENTIALS_HASH: credentials_hash(username, password),
                CONF_ACCOUNT_NAME: account,
            }
        if stored is None:
            raise InputError("missing_credentials")
        if (
            stored.get(CONF_CREDENTIALS_HASH)
            and str(stored.get(CONF_USERNAME, "")).lower() == username.lower()
        ):
            return {
                CONF_USERNAME: username,
                CONF_CREDENTIALS_HASH: stored[CONF_CREDENTIALS_HASH],
                CONF_ACCOUNT_NAME: account,
            }
        raise InputError("password_required", CONF_PASSWORD)
    if not (username or account or password) and stored and stored.get(CONF_API_KEY):
        return {CONF_API_KEY: stored[CONF_API_KEY]}
    raise InputError("missing_credentials")


def isymphony_login(user_input: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, str]:
    """The manager login to store on reconfigure; an empty password keeps the stored one."""
    username = text_input(user_input, CONF_USERNAME)
    password = user_input.get(CONF_PASSWORD) or ""
    if not password:
        if stored.get(CONF_USERNAME) != username or not stored.get(CONF_PASSWORD):
            raise InputError("password_required", CONF_PASSWORD)
        password = stored[CONF_PASSWORD]
    return {CONF_USERNAME: username, CONF_PASSWORD: password}


def websocket_url(user_input: Mapping[str, Any]) -> str | None:
    """The event websocket's URL as typed (None: none given): ws:// or wss://, a host.

    No credentials: they would be shown and logged with the URL.
    """
    text = text_input(user_input, CONF_WEBSOCKET_URL)
    if not text:
        return None
    try:
        url = URL(text)
    except ValueError:
        raise InputError("invalid_websocket_url", CONF_WEBSOCKET_URL) from None
    if url.scheme not in ("ws", "wss") or not url.host or url.user or url.password:
        raise InputError("invalid_websocket_url", CONF_WEBSOCKET_URL)
    return str(url)
