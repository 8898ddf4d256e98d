"""Diagnostics: the entry (secrets redacted), the server, and what the coordinator sees."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_TOKEN, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import CONF_CREDENTIALS_HASH
from .coordinator import PbxConfigEntry, PbxCoordinator
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
        "adapter": coordinator.adapter.diagnostics(),
        "live_updates": coordinator.live.details(),
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
            if coordinator.device_identifier(key) in device.identifiers
        ),
        None,
    )
    result: dict[str, Any] = {
        "server_type": coordinator.adapter.server_type.value,
        "server": asdict(server),
        "is_server": (entry.domain, server.unique_id) in device.identifiers,
        "presentity": None if presentity is None else _presentity(presentity),
    }
    if (
        presentity is not None
        and (record := coordinator.adapter.directory_record(presentity)) is not None
    ):
        result["directory_record"] = record
    return result


def _presentity(presentity: Presentity) -> dict[str, Any]:
    # A Kazoo login name is personal data that says nothing about presence.
    return async_redact_data(asdict(presentity), {CONF_USERNAME})


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
