"""Diagnostics: the entry (secrets redacted), the server, and what the coordinator sees."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_TOKEN, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import CONF_CREDENTIALS_HASH
from .coordinator import PbxConfigEntry, PbxCoordinator, presentity_identifier
from .isymphony_adapter import ISymphonyAdapter
from .kazoo_adapter import KazooAdapter
from .model import Presentity

# Secrets, and the login name that goes with them.
TO_REDACT = {
    CONF_API_KEY,
    CONF_CREDENTIALS_HASH,
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_USERNAME,
    "auth_token",
}
# Personal data of Kazoo directory records that says nothing about presence (a device's
# SIP username stays: calls and BLF lamps of phones without a presence ID go by it).
USER_REDACT = {"email", CONF_USERNAME}
DEVICE_REDACT = {"mac_address"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PbxConfigEntry
) -> dict[str, Any]:
    """Everything needed to tell why an entry shows what it shows."""
    coordinator = entry.runtime_data
    snapshot = coordinator.data
    return {
        "entry": {
            "title": entry.title,
            "unique_id": entry.unique_id,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "server_type": coordinator.adapter.server_type.value,
        "server": asdict(coordinator.server),
        "coordinator": _coordinator_state(coordinator),
        "snapshot": {
            "partial": snapshot.partial,
            "unlicensed": snapshot.unlicensed,
            "presentities": {
                key: _presentity(presentity) for key, presentity in snapshot.presentities.items()
            },
        },
        "adapter": _adapter_state(coordinator),
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: PbxConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """The presentity a device stands for, and its server's directory record."""
    coordinator = entry.runtime_data
    server = coordinator.server
    presentity = next(
        (
            presentity
            for key, presentity in coordinator.data.presentities.items()
            if presentity_identifier(server, key) in device.identifiers
        ),
        None,
    )
    result: dict[str, Any] = {
        "server_type": coordinator.adapter.server_type.value,
        "server": asdict(server),
        "is_server": (entry.domain, server.unique_id) in device.identifiers,
        "presentity": None if presentity is None else _presentity(presentity),
    }
    adapter = coordinator.adapter
    if presentity is not None and isinstance(adapter, KazooAdapter):
        directory = adapter.directory
        if (user := directory.users.get(presentity.server_id)) is not None:
            result["directory_record"] = async_redact_data(asdict(user), USER_REDACT)
        elif (phone := directory.devices.get(presentity.server_id)) is not None:
            result["directory_record"] = async_redact_data(asdict(phone), DEVICE_REDACT)
    return result


def _presentity(presentity: Presentity) -> dict[str, Any]:
    return asdict(presentity)


def _coordinator_state(coordinator: PbxCoordinator) -> dict[str, Any]:
    interval = coordinator.update_interval
    failed = coordinator.failed_polls
    return {
        "last_update_success": coordinator.last_update_success,
        "last_exception": None
        if coordinator.last_exception is None
        else repr(coordinator.last_exception),
        "update_interval_seconds": None if interval is None else interval.total_seconds(),
        "failed_polls": {
            "consecutive": failed.count,
            "last_error": failed.last_error,
            "since": failed.since,
            "showing_stale_data": coordinator.shows_stale_data,
        },
    }


def _adapter_state(coordinator: PbxCoordinator) -> dict[str, Any]:
    adapter = coordinator.adapter
    if isinstance(adapter, KazooAdapter):
        directory = adapter.directory
        return {
            "directory_loaded_at": directory.loaded_at,
            "users": {
                user_id: async_redact_data(asdict(user), USER_REDACT)
                for user_id, user in directory.users.items()
            },
            "devices": {
                device_id: async_redact_data(asdict(device), DEVICE_REDACT)
                for device_id, device in directory.devices.items()
            },
        }
    if isinstance(adapter, ISymphonyAdapter):
        return {
            "core_server": adapter.core_server,
            "predefined_statuses": {
                status_type.value: name for status_type, name in adapter.predefined.items()
            },
        }
    return {}  # pragma: no cover - there are only the two server kinds
