"""Stale devices: a presentity that left the server takes its device along."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr

from .identifiers import server_identifier

if TYPE_CHECKING:
    from .coordinator import PbxCoordinator


class StaleDevices:
    """Detaches an entry's devices whose presentity the server no longer has."""

    def __init__(self, coordinator: PbxCoordinator) -> None:
        """Watch one coordinator's snapshot; no check has run yet."""
        self._coordinator = coordinator
        # The presentities whose devices were last checked for leavers.
        self._checked_keys: set[str] | None = None

    @callback
    def async_remove(self, *, everything: bool = False) -> None:
        """Detach devices of presentities that no longer exist on the server.

        Unless `everything`, only when someone left since the devices were last checked.
        """
        coordinator = self._coordinator
        if coordinator.data.partial:  # a partial presence reply is no proof anyone left
            self._checked_keys = None  # who left meanwhile: the next whole reply tells
            return
        presentities = coordinator.data.presentities
        if not everything and self._checked_keys is not None:
            # Only a presentity that changed can have left (cheap after a pushed event).
            changed = coordinator.last_changes
            if changed is not None and changed <= presentities.keys():
                return
            if changed is None and self._checked_keys <= presentities.keys():
                return
        self._checked_keys = set(presentities)
        registry = dr.async_get(coordinator.hass)
        current = {coordinator.device_identifier(key) for key in presentities}
        server = server_identifier(coordinator.server)
        entry_id = coordinator.config_entry.entry_id
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            identifiers = device.identifiers
            if server in identifiers or identifiers & current:
                continue
            registry.async_update_device(device.id, remove_config_entry_id=entry_id)
