"""Selects: BLF override (Flex UC / Kazoo) and status (iSymphony)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .backends.snapshot import STATUS_STATES, CallState, Presentity, status_state, status_type_of
from .coordinator import PbxConfigEntry, PbxCoordinator
from .entity import (
    PbxEntity,
    PbxEntityDescription,
    async_add_presentity_entities,
    has_status,
    is_call_party,
)
from .identifiers import presence_reset_signal
from .status_select import StatusSelectEntity

# Each choice is one request to the server; send them one at a time.
PARALLEL_UPDATES = 1

AUTOMATIC = "automatic"
# The lamp states a user may force; `automatic` forces none.
BLF_OVERRIDE_STATES = [state.value for state in CallState]


async def _set_blf_override(
    coordinator: PbxCoordinator, presentity: Presentity, option: str
) -> None:
    """A state overrides the lamp; `automatic` ends the override.

    Ending it by forcing idle clears just that override (on Kazoo one pseudo-dialog); a
    reset would alert the provider and dark the lamps of calls in progress.
    """
    state = CallState.IDLE if option == AUTOMATIC else CallState(option)
    await coordinator.async_set_presence(presentity, state)


async def _set_status(coordinator: PbxCoordinator, presentity: Presentity, option: str) -> None:
    """Set the status type; the adapter picks an admin-defined name of that type."""
    await coordinator.async_set_status(presentity, status_type=status_type_of(option))


@dataclass(frozen=True, kw_only=True)
class PbxSelectEntityDescription(SelectEntityDescription, PbxEntityDescription):
    """A select of a presentity.

    `current_fn` reads the option from the server's state; without one the server has no
    read-back, and the entity shows (and restores) the option last chosen.
    """

    current_fn: Callable[[Presentity], str | None] | None
    select_fn: Callable[[PbxCoordinator, Presentity, str], Awaitable[None]]


SELECTS: tuple[PbxSelectEntityDescription, ...] = (
    PbxSelectEntityDescription(
        key="blf_override",
        translation_key="blf_override",
        options=[AUTOMATIC, *BLF_OVERRIDE_STATES],
        exists_fn=lambda presentity: is_call_party(presentity) and presentity.presence_target,
        current_fn=None,
        select_fn=_set_blf_override,
    ),
    PbxSelectEntityDescription(
        key="status",
        translation_key="status",
        options=STATUS_STATES,
        exists_fn=has_status,
        current_fn=lambda presentity: (
            status_state(presentity.status.type) if presentity.status else None
        ),
        select_fn=_set_status,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the selects of every presentity, now and as new ones appear."""
    async_add_presentity_entities(entry, async_add_entities, SELECTS, _create_select)


def _create_select(
    coordinator: PbxCoordinator,
    presentity: Presentity,
    description: PbxSelectEntityDescription,
) -> PbxEntity:
    if description.key == "status":  # its options grow with the statuses seen
        return StatusSelectEntity(coordinator, presentity, description)
    if description.current_fn is None:
        return PbxCommandedSelectEntity(coordinator, presentity, description)
    return PbxSelectEntity(coordinator, presentity, description)


class PbxSelectEntity(PbxEntity, SelectEntity):
    """A select whose option is read from the server."""

    entity_description: PbxSelectEntityDescription

    @property
    def current_option(self) -> str | None:
        """The option as of the latest poll or write."""
        read = self.entity_description.current_fn
        return None if read is None else read(self.presentity)

    async def async_select_option(self, option: str) -> None:
        """Send the choice; the coordinator shows the server's answer at once."""
        await self.entity_description.select_fn(self.coordinator, self.presentity, option)


class PbxCommandedSelectEntity(PbxSelectEntity, RestoreEntity):
    """A select for a setting the server cannot report: it shows the last command sent.

    The option survives restarts, starts as `automatic`, changes only
    after the server accepted a command, and returns to `automatic` whenever the
    presentity's presence is reset (by its button, the service or this select). Where
    the server tells of an override set elsewhere (Kazoo 5.x), it shows that from then on.
    """

    _attr_assumed_state = True

    def __init__(
        self,
        coordinator: PbxCoordinator,
        presentity: Presentity,
        description: PbxSelectEntityDescription,
    ) -> None:
        """Start as `automatic` until the last commanded option is restored."""
        super().__init__(coordinator, presentity, description)
        self._attr_current_option = AUTOMATIC
        self._override_seen: CallState | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the last commanded option, and follow resets from elsewhere."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state in self.options:
            self._attr_current_option = last.state
        self._follow_server()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                presence_reset_signal(self.coordinator.config_entry.entry_id, self._key),
                self._async_presence_reset,
            )
        )

    @property
    def current_option(self) -> str | None:
        """The option last commanded (the server cannot report it)."""
        return self._attr_current_option

    @callback
    def _handle_presentity_update(self) -> None:
        self._follow_server()
        super()._handle_presentity_update()

    def _follow_server(self) -> None:
        """Show an override the server tells of, when it changes (set here or elsewhere).

        An override that ends (idle) leaves `idle` as chosen, else shows `automatic`.
        """
        presentity = self.coordinator.data.presentities.get(self._key)
        seen = presentity.blf_override if presentity is not None else None
        if seen is self._override_seen:
            return
        self._override_seen = seen
        if seen is None:  # no longer known (a reset): the option stays as it is
            return
        if seen is not CallState.IDLE:
            self._attr_current_option = seen.value
        elif self._attr_current_option != CallState.IDLE.value:
            self._attr_current_option = AUTOMATIC

    @callback
    def _async_presence_reset(self) -> None:
        self._attr_current_option = AUTOMATIC
        self.async_write_ha_state()

    async def async_select_option(self, option: str) -> None:
        """Send the command; only once the server took it, show the new option."""
        await super().async_select_option(option)
        self._attr_current_option = option
        self.async_write_ha_state()
