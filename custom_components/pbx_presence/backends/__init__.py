"""Backends: each server kind turned into the neutral snapshot, with no Home Assistant import.

`create_backend` is the one place that reads which kind of server an entry is; everything
else asks the backend (or its class) what it can do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from ..pbx.isymphony import ISymphonyClient
from ..pbx.kazoo import KazooClient
from . import keys
from .base import (
    REQUEST_TIMEOUT,
    Capability,
    NoForwardNumberError,
    NothingToSendError,
    NotRegisteredError,
    NotSupportedError,
    PbxBackend,
    ServerType,
)
from .forwarding import FORWARD_NUMBER_MAX_LENGTH, clean_forward_number
from .isymphony.adapter import ISymphonyBackend
from .kazoo.adapter import KazooBackend
from .kazoo.credentials import kazoo_credentials

_BACKENDS: dict[ServerType, type[PbxBackend[Any]]] = {
    ServerType.FLEX_UC: KazooBackend,
    ServerType.ISYMPHONY: ISymphonyBackend,
}


def backend_class(data: Mapping[str, Any]) -> type[PbxBackend[Any]]:
    """The backend class of an entry's (or a flow's) data: what it can do, before it runs."""
    return _BACKENDS[ServerType(data[keys.SERVER_TYPE])]


def create_backend(data: Mapping[str, Any], session: aiohttp.ClientSession) -> PbxBackend[Any]:
    """The backend (and its client) for an entry's (or a flow's) data."""
    if backend_class(data) is ISymphonyBackend:
        core_server = data.get(keys.CORE_SERVER) or keys.DEFAULT_CORE_SERVER
        client = ISymphonyClient(
            session,
            data[keys.URL],
            data[keys.USERNAME],
            data[keys.PASSWORD],
            core_server=core_server,
            request_timeout=REQUEST_TIMEOUT,
        )
        return ISymphonyBackend(client, core_server)
    return KazooBackend(
        KazooClient(
            session, data[keys.URL], kazoo_credentials(data), request_timeout=REQUEST_TIMEOUT
        ),
        websocket_url=data.get(keys.WEBSOCKET_URL),
    )


__all__ = [
    "FORWARD_NUMBER_MAX_LENGTH",
    "Capability",
    "NoForwardNumberError",
    "NotRegisteredError",
    "NotSupportedError",
    "NothingToSendError",
    "PbxBackend",
    "ServerType",
    "backend_class",
    "clean_forward_number",
    "create_backend",
]
