"""Switches: a Flex UC / Kazoo user's or phone's do-not-disturb and call forwarding."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .backends.snapshot import Presentity
from .controls import async_set_dnd, async_set_forward, has_call_forward, has_dnd
from .coordinator import PbxConfigEntry, PbxCoordinator
from .entity import PbxEntity, PbxEntityDescription, async_add_presentity_entities

# Each switch is one request to the server; send them one at a time.
PARALLEL_UPDATES = 1


class TurnFn(Protocol):
    """Turns a presentity's setting on or off."""

    def __call__(
        self, coordinator: PbxCoordinator, presentity: Presentity, *, enabled: bool
    ) -> Awaitable[None]:
        """Send the change."""
        ...


@dataclass(frozen=True, kw_only=True)
class PbxSwitchEntityDescription(SwitchEntityDescription, PbxEntityDescription):
    """A switch of a presentity: how to read it, turn it, and what it adds to say."""

    is_on_fn: Callable[[Presentity], bool | None]
    turn_fn: TurnFn
    attributes_fn: Callable[[Presentity], dict[str, Any]] = lambda _: {}


def _forward_attributes(presentity: Presentity) -> dict[str, Any]:
    forward = presentity.call_forward
    if forward is None:  # pragma: no cover - the switch exists only with forwarding
        return {}
    return {
        "number": forward.number,
        "failover": forward.failover,
        "require_keypress": forward.require_keypress,
        "keep_caller_id": forward.keep_caller_id,
    }


SWITCHES: tuple[PbxSwitchEntityDescription, ...] = (
    PbxSwitchEntityDescription(
        key="do_not_disturb",
        translation_key="do_not_disturb",
        # The person's (or phone's) own setting; the `do_not_disturb_active` binary sensor
        # says whether calls are refused by any (the account's, an owner's).
        exists_fn=has_dnd,
        is_on_fn=lambda presentity: presentity.dnd,
        turn_fn=async_set_dnd,
    ),
    PbxSwitchEntityDescription(
        key="call_forward",
        translation_key="call_forward",
        exists_fn=has_call_forward,
        is_on_fn=lambda presentity: (
            presentity.call_forward.enabled if presentity.call_forward else None
        ),
        turn_fn=async_set_forward,
        attributes_fn=_forward_attributes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of every presentity, now and as new ones appear."""
    async_add_presentity_entities(entry, async_add_entities, SWITCHES, PbxSwitchEntity)


class PbxSwitchEntity(PbxEntity, SwitchEntity):
    """A switch that reads one setting of a presentity and writes it to the server."""

    entity_description: PbxSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The setting as of the latest poll, event or write."""
        return self.entity_description.is_on_fn(self.presentity)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What else the server says about the setting."""
        return self.entity_description.attributes_fn(self.presentity)

    async def async_turn_on(self, **_: Any) -> None:
        """Turn the setting on; the server's reply shows at once."""
        await self.entity_description.turn_fn(self.coordinator, self.presentity, enabled=True)

    async def async_turn_off(self, **_: Any) -> None:
        """Turn the setting off; the server's reply shows at once."""
        await self.entity_description.turn_fn(self.coordinator, self.presentity, enabled=False)
