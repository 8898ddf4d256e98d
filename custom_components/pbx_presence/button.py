"""Buttons: reset the BLF presence of a Flex UC / Kazoo user, phone or extension."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .backends.snapshot import Presentity
from .coordinator import PbxConfigEntry, PbxCoordinator
from .entity import (
    PbxEntity,
    PbxEntityDescription,
    async_add_presentity_entities,
    takes_presence_commands,
)

# Every reset alerts the account's administrators: send them one at a time.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PbxButtonEntityDescription(ButtonEntityDescription, PbxEntityDescription):
    """A button of a presentity and what pressing it does."""

    press_fn: Callable[[PbxCoordinator, Presentity], Awaitable[None]]


BUTTONS: tuple[PbxButtonEntityDescription, ...] = (
    PbxButtonEntityDescription(
        key="reset_presence",
        translation_key="reset_presence",
        # Only where a reset reaches something: Kazoo would accept it and do nothing.
        exists_fn=takes_presence_commands,
        press_fn=lambda coordinator, presentity: coordinator.async_reset_presence(presentity),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of every presentity, now and as new ones appear."""
    async_add_presentity_entities(entry, async_add_entities, BUTTONS, PbxButtonEntity)


class PbxButtonEntity(PbxEntity, ButtonEntity):
    """A button that sends one command for a presentity."""

    entity_description: PbxButtonEntityDescription

    async def async_press(self) -> None:
        """Send the command; errors reach the user as translated messages."""
        await self.entity_description.press_fn(self.coordinator, self.presentity)
