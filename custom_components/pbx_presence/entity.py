"""What every platform shares: the base entity, predicates, and dynamic entity creation.

The predicates say which presentities have which entities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.core import callback
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo, format_mac
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .backends.snapshot import Presentity, PresentityKind
from .coordinator import PbxConfigEntry, PbxCoordinator
from .identifiers import (
    availability_signal,
    entity_unique_id,
    presentity_identifier,
    presentity_signal,
    server_identifier,
)

MODEL_NAMES = {
    PresentityKind.USER: "User",
    PresentityKind.PHONE: "Phone",
    PresentityKind.EXTENSION: "Extension",
    PresentityKind.PANEL_USER: "Panel user",
    PresentityKind.QUEUE: "Queue",
}
# Kazoo device types as people call them (the device registry's model is not translated).
PHONE_MODELS = {
    "sip_device": "SIP phone",
    "softphone": "Softphone",
    "mobile": "Mobile phone",
    "cellphone": "Cell phone",
    "smartphone": "Smartphone",
    "landline": "Landline",
    "fax": "Fax",
    "sip_uri": "SIP URI",
    "application": "Application",
    "teammate": "Teammate",
}


def device_model(presentity: Presentity) -> str:
    """The model a presentity's device shows: its kind, or for a phone its type."""
    if presentity.kind is PresentityKind.PHONE and presentity.model:
        return PHONE_MODELS.get(presentity.model, MODEL_NAMES[PresentityKind.PHONE])
    return MODEL_NAMES[presentity.kind]


def is_call_party(presentity: Presentity) -> bool:
    """A Kazoo user or phone: something that makes and takes calls."""
    return presentity.kind in {PresentityKind.USER, PresentityKind.PHONE}


def has_call_state(presentity: Presentity) -> bool:
    """A Kazoo user or phone, or anyone else whose server reports a call state."""
    return is_call_party(presentity) or presentity.call_state is not None


def is_queue(presentity: Presentity) -> bool:
    """A call queue with its agents."""
    return presentity.kind is PresentityKind.QUEUE


def is_extension(presentity: Presentity) -> bool:
    """A watched Kazoo extension that belongs to no user or phone (a park slot)."""
    return presentity.kind is PresentityKind.EXTENSION


def has_status(presentity: Presentity) -> bool:
    """A licensed iSymphony user: someone with a status to show and set."""
    return presentity.kind is PresentityKind.PANEL_USER and bool(presentity.licensed)


def takes_presence_commands(presentity: Presentity) -> bool:
    """A Kazoo user, phone or extension that a reset (or BLF override) reaches."""
    return presentity.kind is not PresentityKind.PANEL_USER and presentity.presence_target


@dataclass(frozen=True, kw_only=True)
class PbxEntityDescription(EntityDescription):
    """What every description of this integration adds: which presentities get it."""

    exists_fn: Callable[[Presentity], bool]
    # Off by default where the entity joins the same person's device of another server,
    # which shows the same thing better (an iSymphony user's polled call state beside
    # the Kazoo user's live one).
    disabled_when_linked: bool = False


class PbxEntity(Entity):
    """An entity of one presentity, on that presentity's device.

    It writes its state when its own presentity changes (its signal), or when the server
    became reachable or unreachable: one change costs the entities it touches, not all.
    """

    entity_description: PbxEntityDescription
    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self,
        coordinator: PbxCoordinator,
        presentity: Presentity,
        description: PbxEntityDescription,
    ) -> None:
        """Attach the entity to its presentity's device, linked to the server device."""
        self.coordinator = coordinator
        self.entity_description = description
        self._key = presentity.key
        server = coordinator.server
        self._attr_unique_id = entity_unique_id(server, presentity.key, description.key)
        identifier = coordinator.device_identifier(presentity.key)
        if identifier != presentity_identifier(server, presentity.key):
            # The same person on another server: join that device, which keeps its name.
            self._attr_device_info = DeviceInfo(identifiers={identifier})
            if description.disabled_when_linked:
                self._attr_entity_registry_enabled_default = False
            return
        self._attr_device_info = DeviceInfo(
            identifiers={identifier},
            connections=(
                {(CONNECTION_NETWORK_MAC, format_mac(presentity.mac_address))}
                if presentity.mac_address
                else set()
            ),
            name=presentity.name,
            manufacturer=server.manufacturer,
            model=device_model(presentity),
            # The number people dial or watch (an iSymphony user's username): the device
            # page shows it after the model, e.g. "User (1001)".
            model_id=presentity.extension,
            via_device=server_identifier(server),
        )

    async def async_added_to_hass(self) -> None:
        """Write the state when the presentity changes or the server's availability does."""
        await super().async_added_to_hass()
        entry_id = self.coordinator.config_entry.entry_id
        for signal in (presentity_signal(entry_id, self._key), availability_signal(entry_id)):
            self.async_on_remove(
                async_dispatcher_connect(self.hass, signal, self._handle_presentity_update)
            )

    @callback
    def _handle_presentity_update(self) -> None:
        self.async_write_ha_state()

    async def async_update(self) -> None:
        """Read the server again (the `homeassistant.update_entity` action)."""
        await self.coordinator.async_request_refresh()

    @property
    def presentity(self) -> Presentity:
        """The presentity as of the latest poll (only read while available)."""
        return self.coordinator.data.presentities[self._key]

    @property
    def available(self) -> bool:
        """Unavailable when the server is unreachable or the presentity is gone."""
        presentity = self.coordinator.data.presentities.get(self._key)
        return (
            self.coordinator.last_update_success
            and presentity is not None
            and self.entity_description.exists_fn(presentity)
        )


def async_add_presentity_entities[D: PbxEntityDescription](
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    entity_factory: Callable[[PbxCoordinator, Presentity, D], Entity],
) -> None:
    """Add entities for every presentity now, and for new ones after each update."""
    coordinator = entry.runtime_data
    descriptions = tuple(descriptions)
    added: set[tuple[str, str]] = set()

    @callback
    def add_new() -> None:
        presentities = coordinator.data.presentities
        changes = coordinator.last_changes
        candidates: Iterable[str]
        if changes is None:
            candidates = presentities.keys()
            # Forget presentities that left, so they are added again if they come back.
            added.intersection_update(
                (key, description) for key, description in added if key in presentities
            )
        else:  # only a changed presentity can need an entity it did not have
            candidates = changes & presentities.keys()
            added.difference_update(
                (key, description.key)
                for key in changes - candidates
                for description in descriptions
            )
        new = [
            (presentity, description)
            for presentity in map(presentities.__getitem__, candidates)
            for description in descriptions
            if (presentity.key, description.key) not in added and description.exists_fn(presentity)
        ]
        if new:
            added.update((presentity.key, description.key) for presentity, description in new)
            async_add_entities(
                entity_factory(coordinator, presentity, description)
                for presentity, description in new
            )

    add_new()
    entry.async_on_unload(coordinator.async_add_listener(add_new))
