"""The Available binary sensor: can this person take a call now (the rule: availability.py).

One per person device, a Flex UC / Kazoo user's or an iSymphony user's. A person known to
both servers has one device (device_links.py): the Kazoo user's entity reads the iSymphony
user's status as well, and the iSymphony user's own one is off by default there, as its
call state is. It reads every presentity on its device, of whichever entry, and writes
when any of them changes (the coordinators' device signals). A person without a phone has
no value (unknown); while a server it reads from is unreachable, it is unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .availability import STATUS_REASONS, Availability, availability
from .backends.snapshot import Presentity, PresentityKind
from .const import DOMAIN
from .coordinator import PbxConfigEntry, PbxCoordinator
from .entity import PbxEntity, PbxEntityDescription
from .identifiers import device_signal, presentity_key_of

_PEOPLE = frozenset({PresentityKind.USER, PresentityKind.PANEL_USER})
_UP = frozenset({ConfigEntryState.LOADED, ConfigEntryState.SETUP_IN_PROGRESS})


@dataclass(frozen=True, kw_only=True)
class AvailableEntityDescription(BinarySensorEntityDescription, PbxEntityDescription):
    """The Available sensor's description (it reads a device, not one presentity)."""


def _keys_on(coordinator: PbxCoordinator, identifier: tuple[str, str]) -> list[str]:
    """The presentities of one entry whose entities are on the device `identifier`."""
    keys = [key for key, linked in coordinator.device_links.items() if linked == identifier]
    own = presentity_key_of(coordinator.server, identifier)
    if own is not None and own not in keys and coordinator.device_identifier(own) == identifier:
        keys.append(own)
    return keys


class AvailableEntity(PbxEntity, BinarySensorEntity):
    """On when the person's phone is idle and nothing says they do not take calls."""

    entity_description: AvailableEntityDescription
    _unrecorded_attributes = frozenset({"return_time"})

    @property
    def _device(self) -> tuple[str, str]:
        """The device it is on (of its own presentity, or the Kazoo user's it joined)."""
        return self.coordinator.device_identifier(self._key)

    async def async_added_to_hass(self) -> None:
        """Also write when another entry's presentity on the same device changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, device_signal(self._device), self._handle_presentity_update
            )
        )

    @callback
    def _handle_presentity_update(self) -> None:
        if self._key in self.coordinator.device_links:
            # Its panel user joined a Kazoo user's device, whose Available says it now.
            er.async_get(self.hass).async_remove(self.entity_id)
            return
        super()._handle_presentity_update()

    def _coordinators(self) -> list[PbxCoordinator]:
        """The entity's own coordinator, then those of the other entries that are up.

        An entry that joins this device may still be setting up: it links the devices
        as the last step of its setup (device_links.async_relink).
        """
        entries: list[PbxConfigEntry] = self.hass.config_entries.async_entries(DOMAIN)
        others = [
            entry.runtime_data
            for entry in entries
            if entry.entry_id != self.coordinator.config_entry.entry_id
            and entry.state in _UP
            and getattr(entry, "runtime_data", None) is not None
        ]
        return [self.coordinator, *others]

    def _members(self) -> list[tuple[PbxCoordinator, Presentity]]:
        """The people's presentities on the device, with the coordinator each is of."""
        found = []
        for coordinator in self._coordinators():
            for key in _keys_on(coordinator, self._device):
                presentity = coordinator.data.presentities.get(key)
                if presentity is not None and presentity.kind in _PEOPLE:
                    found.append((coordinator, presentity))
        return found

    def _availability(self) -> Availability:
        kinds = {presentity.kind: presentity for _, presentity in self._members()}
        panel = kinds.get(PresentityKind.PANEL_USER)
        return availability(kinds.get(PresentityKind.USER) or panel, panel)

    @property
    def available(self) -> bool:
        """Unavailable while any server it reads from is unreachable."""
        return super().available and all(
            coordinator.last_update_success for coordinator, _ in self._members()
        )

    @property
    def is_on(self) -> bool | None:
        """Free to take a call; None for a person without a phone."""
        return self._availability().available

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Why not: the reason, and where a status says so, its name and return time."""
        found = self._availability()
        if found.reason is None:
            return {}
        attributes: dict[str, Any] = {"reason": found.reason.value}
        # Where the status is why, its name and return time tell more.
        if found.reason in STATUS_REASONS and found.status is not None:
            if found.status.name:
                attributes["status_name"] = found.status.name
            if found.status.return_time is not None:
                attributes["return_time"] = found.status.return_time
        return attributes
