"""Text: the number a Flex UC / Kazoo user's or phone's calls are forwarded to."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.text import TextEntity, TextEntityDescription, TextMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .backends import FORWARD_NUMBER_MAX_LENGTH
from .controls import async_set_forward, forward_number, has_call_forward
from .coordinator import PbxConfigEntry
from .entity import PbxEntity, PbxEntityDescription, async_add_presentity_entities

# Each number is one request to the server; send them one at a time.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PbxTextEntityDescription(TextEntityDescription, PbxEntityDescription):
    """A text of a presentity."""


TEXTS: tuple[PbxTextEntityDescription, ...] = (
    PbxTextEntityDescription(
        key="call_forward_number",
        translation_key="call_forward_number",
        mode=TextMode.TEXT,
        # No pattern: the state shows whatever the server stores (Kazoo takes any text),
        # while a new number is checked before it is sent (digits, a leading +).
        native_max=FORWARD_NUMBER_MAX_LENGTH,
        exists_fn=has_call_forward,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the texts of every presentity, now and as new ones appear."""
    async_add_presentity_entities(entry, async_add_entities, TEXTS, PbxTextEntity)


class PbxTextEntity(PbxEntity, TextEntity):
    """The forward number: unknown until the server said it (its list tells on or off)."""

    entity_description: PbxTextEntityDescription

    @property
    def native_value(self) -> str | None:
        """The number as of the latest poll, event or write."""
        forward = self.presentity.call_forward
        return forward.number if forward else None

    async def async_set_value(self, value: str) -> None:
        """Store a new number (forwarding stays on or off as it is)."""
        number = forward_number(value)
        await async_set_forward(self.coordinator, self.presentity, number=number)
