"""Build the adapter (and its client) that a config entry's data describes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .adapter import PbxAdapter
from .const import (
    CONF_ACCOUNT_NAME,
    CONF_CORE_SERVER,
    CONF_CREDENTIALS_HASH,
    CONF_SERVER_TYPE,
    CONF_WEBSOCKET_URL,
    DEFAULT_CORE_SERVER,
    REQUEST_TIMEOUT,
    ServerType,
)
from .isymphony_adapter import ISymphonyAdapter
from .kazoo_adapter import KazooAdapter
from .pbx import (
    AccountIdentifier,
    ApiKeyCredentials,
    ISymphonyClient,
    KazooClient,
    KazooCredentials,
    UserCredentials,
)


def account_identifier(account: str) -> AccountIdentifier:
    """Tell what the user typed in the account field: a phone number, a realm or a name."""
    stripped = account.strip()
    if stripped.startswith("+") or stripped.isdigit():
        return AccountIdentifier.PHONE_NUMBER
    if "." in stripped and " " not in stripped:
        return AccountIdentifier.ACCOUNT_REALM
    return AccountIdentifier.ACCOUNT_NAME


def kazoo_credentials(data: Mapping[str, Any]) -> KazooCredentials:
    """The Kazoo login an entry stores: an API key, or the user's credentials hash."""
    if data.get(CONF_API_KEY):
        return ApiKeyCredentials(data[CONF_API_KEY])
    account = data[CONF_ACCOUNT_NAME]
    return UserCredentials(data[CONF_CREDENTIALS_HASH], account, account_identifier(account))


def create_adapter(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> PbxAdapter:
    """Create the adapter for an entry's (or a flow's) data and options."""
    session = async_get_clientsession(hass, verify_ssl=data.get(CONF_VERIFY_SSL, True))
    if data[CONF_SERVER_TYPE] == ServerType.ISYMPHONY:
        core_server = data.get(CONF_CORE_SERVER) or DEFAULT_CORE_SERVER
        client = ISymphonyClient(
            session,
            data[CONF_URL],
            data[CONF_USERNAME],
            data[CONF_PASSWORD],
            core_server=core_server,
            request_timeout=REQUEST_TIMEOUT,
        )
        return ISymphonyAdapter(client, core_server)
    return KazooAdapter(
        KazooClient(
            session, data[CONF_URL], kazoo_credentials(data), request_timeout=REQUEST_TIMEOUT
        ),
        websocket_url=(options or {}).get(CONF_WEBSOCKET_URL),
    )
