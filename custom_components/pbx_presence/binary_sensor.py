"""Binary sensors: registration, DND (Kazoo), panel logins (iSymphony), live updates, Available."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .availability_sensor import AvailableEntity, AvailableEntityDescription
from .backends.snapshot import Presentity, PresentityKind
from .coordinator import PbxConfigEntry, PbxCoordinator
from .entity import PbxEntity, PbxEntityDescription, async_add_presentity_entities
from .identifiers import server_identifier

# Read-only: the coordinator does all the reading.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class PbxBinarySensorEntityDescription(BinarySensorEntityDescription, PbxEntityDescription):
    """A binary sensor of a presentity: which presentities have it, and how to read it."""

    is_on_fn: Callable[[Presentity], bool | None]


BINARY_SENSORS: tuple[PbxBinarySensorEntityDescription, ...] = (
    PbxBinarySensorEntityDescription(
        key="registered",
        translation_key="registered",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda presentity: presentity.kind is PresentityKind.PHONE,
        is_on_fn=lambda presentity: presentity.registered,
    ),
    # Logged into the iSymphony panel: at least one open panel session.
    PbxBinarySensorEntityDescription(
        key="panel_login",
        translation_key="panel_login",
        exists_fn=lambda presentity: presentity.panel_sessions is not None,
        is_on_fn=lambda presentity: (
            None if presentity.panel_sessions is None else presentity.panel_sessions > 0
        ),
    ),
    PbxBinarySensorEntityDescription(
        key="do_not_disturb_active",
        translation_key="do_not_disturb_active",
        # Whether calls are refused, by the account's, the owner's or its own DND.
        exists_fn=lambda presentity: presentity.dnd_active is not None,
        is_on_fn=lambda presentity: presentity.dnd_active,
    ),
)


def available_description(coordinator: PbxCoordinator) -> AvailableEntityDescription:
    """The Available sensor of an entry: its users', and its licensed panel users' own.

    A panel user whose entities joined a Kazoo user's device has none: the Kazoo user's
    says it for both (one Available per device). An unlicensed panel user has no call
    state and no status to tell.
    """
    return AvailableEntityDescription(
        key="available",
        translation_key="available",
        exists_fn=lambda presentity: (
            presentity.kind is PresentityKind.USER
            or (
                presentity.kind is PresentityKind.PANEL_USER
                and bool(presentity.licensed)
                and presentity.key not in coordinator.device_links
            )
        ),
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of every presentity, now and as new ones appear."""
    async_add_presentity_entities(entry, async_add_entities, BINARY_SENSORS, PbxBinarySensorEntity)
    available = (available_description(entry.runtime_data),)
    async_add_presentity_entities(entry, async_add_entities, available, AvailableEntity)
    async_add_entities([LiveUpdatesEntity(entry.runtime_data)])


class PbxBinarySensorEntity(PbxEntity, BinarySensorEntity):
    """A binary sensor that reads one flag of a presentity."""

    entity_description: PbxBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The flag as of the latest poll."""
        return self.entity_description.is_on_fn(self.presentity)


class LiveUpdatesEntity(BinarySensorEntity):
    """Whether the server's event socket is connected (else the entry polls), on its device."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = "live_updates"
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    # They change on every reconnect and tell nothing in the history.
    _unrecorded_attributes = frozenset({"connected_since", "connections"})

    def __init__(self, coordinator: PbxCoordinator) -> None:
        """Follow the coordinator's live updates."""
        self._live = coordinator.live
        server = coordinator.server
        self._attr_unique_id = f"{server.unique_id}_live_updates"
        self._attr_device_info = DeviceInfo(identifiers={server_identifier(server)})

    async def async_added_to_hass(self) -> None:
        """Write the state whenever the socket connects or drops."""
        self.async_on_remove(self._live.async_add_listener(self.async_write_ha_state))

    @property
    def is_on(self) -> bool:
        """Connected."""
        return self._live.status.connected

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Since when, and how many times it connected."""
        status = self._live.status
        return {"connected_since": status.connected_since, "connections": status.connections}
