"""Names of a presentity's things in Home Assistant: unique ids, device ids, signals.

One place, so that no module rebuilds another's formats.
"""

from __future__ import annotations

from .backends.snapshot import ServerInfo
from .const import DOMAIN


def entity_unique_id(server: ServerInfo, key: str, description_key: str) -> str:
    """The unique id of one entity of a presentity."""
    return f"{server.unique_id}_{key}_{description_key}"


def presentity_identifier(server: ServerInfo, key: str) -> tuple[str, str]:
    """The device registry identifier of a presentity's own device."""
    return (DOMAIN, f"{server.unique_id}_{key}")


def presentity_key_of(server: ServerInfo, identifier: tuple[str, str]) -> str | None:
    """The presentity whose own device `identifier` is, if it is one of this server's."""
    prefix = f"{server.unique_id}_"
    if identifier[0] != DOMAIN or not identifier[1].startswith(prefix):
        return None
    return identifier[1].removeprefix(prefix)


def server_identifier(server: ServerInfo) -> tuple[str, str]:
    """The device registry identifier of the server (the entry's service device)."""
    return (DOMAIN, server.unique_id)


def presentity_signal(entry_id: str, key: str) -> str:
    """Sent when a presentity's data changed: its entities write their state."""
    return f"{DOMAIN}_presentity_{entry_id}_{key}"


def device_signal(identifier: tuple[str, str]) -> str:
    """Sent when a presentity on this device changed (of any entry the device joins)."""
    return f"{DOMAIN}_device_{identifier[1]}"


def availability_signal(entry_id: str) -> str:
    """Sent when the server became reachable or unreachable: every entity writes."""
    return f"{DOMAIN}_availability_{entry_id}"


def presence_reset_signal(entry_id: str, key: str) -> str:
    """Sent once a presentity's presence was reset (no override left)."""
    return f"{DOMAIN}_presence_reset_{entry_id}_{key}"


def presentity_event_signal(entry_id: str, key: str, kind: str) -> str:
    """Carries one kind of a presentity's events to its event entity."""
    return f"{DOMAIN}_event_{entry_id}_{key}_{kind}"
