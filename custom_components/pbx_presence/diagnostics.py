"""Diagnostics: the entry (secrets redacted), the server, and what the coordinator sees.

Personal data is redacted here, in one place, from everything the backend reports.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_TOKEN, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .backends.snapshot import Presentity
from .const import CONF_CREDENTIALS_HASH
from .coordinator import PbxConfigEntry, PbxCoordinator
from .identifiers import server_identifier

# Secrets, and the login name that goes with them.
TO_REDACT = {
    CONF_API_KEY,
    CONF_CREDENTIALS_HASH,
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_USERNAME,
    "auth_token",
}
# Personal data that says nothing about why an entry shows what it shows: a person's login
# name and e-mail, a phone's MAC address, and who is on the other end of a call.
PERSONAL = {
    CONF_USERNAME,
    "email",
    "mac_address",
    "caller_id_name",
    "caller_id_number",
    "destination",
}


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
        "server_type": coordinator.backend.server_type.value,
        "capabilities": sorted(coordinator.backend.capabilities),
        "server": asdict(coordinator.server),
        "coordinator": _coordinator_state(coordinator),
        "snapshot": {
            "partial": snapshot.partial,
            "unlicensed": snapshot.unlicensed,
            # Whose watched numbers never light (names and SIP user names left out).
            "unlit_keys": [
                {"key": unlit.key, "number": unlit.number} for unlit in snapshot.unlit_keys
            ],
            "presentities": {
                key: _presentity(presentity) for key, presentity in snapshot.presentities.items()
            },
        },
        "adapter": async_redact_data(coordinator.backend.diagnostics(), PERSONAL),
        "live_updates": coordinator.live.details(),
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: PbxConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """The presentity a device stands for, and its server's directory record."""
    coordinator = entry.runtime_data
    server = coordinator.server
    presentity = coordinator.presentity_of(device)
    result: dict[str, Any] = {
        "server_type": coordinator.backend.server_type.value,
        "server": asdict(server),
        "is_server": server_identifier(server) in device.identifiers,
        "presentity": None if presentity is None else _presentity(presentity),
    }
    if (
        presentity is not None
        and (record := coordinator.backend.directory_record(presentity)) is not None
    ):
        result["directory_record"] = async_redact_data(record, PERSONAL)
    return result


def _presentity(presentity: Presentity) -> dict[str, Any]:
    return async_redact_data(asdict(presentity), PERSONAL)


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
            # While the event socket is up, failed polls never make entities unavailable.
            "server_alive_by_live_updates": coordinator.live_vouches,
        },
    }
