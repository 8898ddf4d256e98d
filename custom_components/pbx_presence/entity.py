"""Base entity and dynamic entity creation shared by every platform."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, selector
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo, format_mac
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import PbxConfigEntry, PbxCoordinator, presentity_identifier
from .model import Presentity, PresentityKind
from .pbx import StatusType

MODEL_NAMES = {
    PresentityKind.USER: "User",
    PresentityKind.PHONE: "Phone",
    PresentityKind.EXTENSION: "Extension",
    PresentityKind.PANEL_USER: "Panel user",
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


@dataclass(frozen=True, kw_only=True)
class PbxEntityDescription(EntityDescription):
    """What every description of this integration adds: which presentities get it."""

    exists_fn: Callable[[Presentity], bool]


class PbxEntity(CoordinatorEntity[PbxCoordinator]):
    """An entity of one presentity, on that presentity's device."""

    entity_description: PbxEntityDescription
    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: PbxCoordinator,
        presentity: Presentity,
        description: PbxEntityDescription,
    ) -> None:
        """Attach the entity to its presentity's device, linked to the server device.

        The presentity's key is the listener context: the coordinator updates an entity
        only when its own presentity changed.
        """
        super().__init__(coordinator, context=presentity.key)
        self.entity_description = description
        self._key = presentity.key
        server = coordinator.server
        self._attr_unique_id = f"{server.unique_id}_{presentity.key}_{description.key}"
        identifier = coordinator.device_identifier(presentity.key)
        if identifier != presentity_identifier(server, presentity.key):
            # The same person on another server: join that device, which keeps its name.
            self._attr_device_info = DeviceInfo(identifiers={identifier})
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
            via_device=(DOMAIN, server.unique_id),
        )

    @property
    def presentity(self) -> Presentity:
        """The presentity as of the latest poll (only read while available)."""
        return self.coordinator.data.presentities[self._key]

    @property
    def available(self) -> bool:
        """Unavailable when the server is unreachable or the presentity is gone."""
        presentity = self.coordinator.data.presentities.get(self._key)
        return (
            super().available
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


def async_device_entities(
    hass: HomeAssistant, device_id: str, domain: str, translation_key: str
) -> list[er.RegistryEntry]:
    """The entities of one kind that this integration gives a device (for device automations)."""
    return [
        entry
        for entry in er.async_entries_for_device(er.async_get(hass), device_id)
        if entry.platform == DOMAIN
        and entry.domain == domain
        and entry.translation_key == translation_key
    ]


def status_type_selector() -> selector.SelectSelector:
    """A translated choice of the iSymphony status types."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[status_type.value for status_type in StatusType],
            translation_key="status_type",
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )
