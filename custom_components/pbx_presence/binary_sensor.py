"""Binary sensors: SIP registration of Flex UC / Kazoo phones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PbxConfigEntry
from .entity import PbxEntity, PbxEntityDescription, async_add_presentity_entities
from .model import Presentity, PresentityKind

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
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of every presentity, now and as new ones appear."""
    async_add_presentity_entities(entry, async_add_entities, BINARY_SENSORS, PbxBinarySensorEntity)


class PbxBinarySensorEntity(PbxEntity, BinarySensorEntity):
    """A binary sensor that reads one flag of a presentity."""

    entity_description: PbxBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The flag as of the latest poll."""
        return self.entity_description.is_on_fn(self.presentity)
