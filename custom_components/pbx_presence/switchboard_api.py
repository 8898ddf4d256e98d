"""The switchboard's websocket command: every tile once, then only the tiles that changed.

`pbx_presence/switchboard/subscribe` answers with an event holding every tile, the status
choices and the integration's words in the asking user's language, then with an event per
change: the tiles that differ from what was sent, and the ids of tiles that are gone.
Changes come from the coordinators (which presentities changed), from the registries
(names, areas, entities added) and from entries being loaded or unloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED, ConfigEntry, ConfigEntryChange
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_call_later
import voluptuous as vol

from .const import DOMAIN
from .coordinator import PbxConfigEntry
from .switchboard import (
    Index,
    async_texts,
    build_index,
    build_tile,
    loaded_entries,
    status_choices,
)

COMMAND_SUBSCRIBE = f"{DOMAIN}/switchboard/subscribe"
# Registry changes come in bursts (a setup adds hundreds of devices): wait a moment.
REGROUP_DELAY = 0.25


@callback
def async_setup_switchboard_api(hass: HomeAssistant) -> None:
    """Register the switchboard's websocket command."""
    async_register_command(hass, websocket_subscribe)


@websocket_command({vol.Required("type"): COMMAND_SUBSCRIBE, vol.Optional("language"): str})
@async_response
async def websocket_subscribe(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Send every tile, then what changes, until the client unsubscribes."""
    language = msg.get("language") or hass.config.language
    texts = await async_texts(hass, language)
    subscription = _Subscription(hass, connection, msg["id"])
    connection.subscriptions[msg["id"]] = subscription.async_stop
    connection.send_result(msg["id"])
    subscription.async_start(texts)


class _Subscription:
    """One client's view: what it was sent, and what is to be sent next."""

    def __init__(self, hass: HomeAssistant, connection: ActiveConnection, msg_id: int) -> None:
        self.hass = hass
        self.connection = connection
        self.msg_id = msg_id
        self.index = Index()
        self.sent: dict[str, dict[str, Any]] = {}
        self.statuses: list[dict[str, str]] = []
        self._dirty: set[str] = set()
        self._flush_scheduled = False
        self._regroup_cancel: CALLBACK_TYPE | None = None
        self._unsubs: list[CALLBACK_TYPE] = []
        self._coordinator_unsubs: list[CALLBACK_TYPE] = []
        self._stopped = False

    @callback
    def async_start(self, texts: dict[str, Any]) -> None:
        """Send everything, and start listening."""
        bus = self.hass.bus
        self._unsubs = [
            async_dispatcher_connect(self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._entry_changed),
            bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, self._device_changed),
            bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, self._entity_changed),
            bus.async_listen(ar.EVENT_AREA_REGISTRY_UPDATED, self._regroup_later),
        ]
        self._listen_to_coordinators()
        self.index = build_index(self.hass)
        self.sent = {
            tile_id: tile
            for tile_id in self.index.members
            if (tile := build_tile(self.hass, self.index, tile_id)) is not None
        }
        self.statuses = status_choices(self.hass)
        self._send(
            {
                "full": True,
                "tiles": list(self.sent.values()),
                "statuses": self.statuses,
                "texts": texts,
            }
        )

    @callback
    def async_stop(self) -> None:
        """Stop listening (the client unsubscribed or went away)."""
        self._stopped = True
        for unsub in (*self._unsubs, *self._coordinator_unsubs):
            unsub()
        self._unsubs, self._coordinator_unsubs = [], []
        if self._regroup_cancel is not None:
            self._regroup_cancel()
            self._regroup_cancel = None

    def _listen_to_coordinators(self) -> None:
        for unsub in self._coordinator_unsubs:
            unsub()
        self._coordinator_unsubs = [
            entry.runtime_data.async_add_listener(self._coordinator_listener(entry))
            for entry in loaded_entries(self.hass)
        ]

    def _coordinator_listener(self, entry: PbxConfigEntry) -> Callable[[], None]:
        coordinator = entry.runtime_data

        @callback
        def changed() -> None:
            keys = coordinator.last_changes
            if keys is None:  # the server's availability changed: all of its tiles
                keys = set(coordinator.data.presentities)
            tile_of = self.index.tile_of
            for key in keys:
                if (tile_id := tile_of.get((entry.entry_id, key))) is None:
                    self._regroup_later()  # a presentity new to the switchboard, or gone
                else:
                    self._dirty.add(tile_id)
            self._flush_soon()

        return changed

    @callback
    def _entry_changed(self, _change: ConfigEntryChange, entry: ConfigEntry[Any]) -> None:
        if entry.domain == DOMAIN:
            self._listen_to_coordinators()
            self._regroup_later()

    @callback
    def _device_changed(self, event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        device_id = event.data["device_id"]
        if event.data["action"] == "update" and device_id in self.index.members:
            self._dirty.add(device_id)  # a new name or area
            self._flush_soon()
        else:
            self._regroup_later()

    @callback
    def _entity_changed(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        entity = er.async_get(self.hass).async_get(event.data["entity_id"])
        if entity is not None and entity.device_id in self.index.members:
            self._dirty.add(entity.device_id)  # a control added, enabled or renamed
            self._flush_soon()
        elif event.data["action"] == "remove":
            self._regroup_later()

    @callback
    def _regroup_later(self, _event: Event[Any] | None = None) -> None:
        if self._regroup_cancel is None:
            self._regroup_cancel = async_call_later(self.hass, REGROUP_DELAY, self._regroup)

    @callback
    def _regroup(self, _now: Any) -> None:
        """Work out the tiles again: presentities or devices came or went."""
        self._regroup_cancel = None
        self.index = build_index(self.hass)
        self._dirty |= self.index.members.keys() | self.sent.keys()
        self._flush()

    def _flush_soon(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.hass.loop.call_soon(self._flush)

    @callback
    def _flush(self) -> None:
        """Send the tiles that differ from what the client has."""
        self._flush_scheduled = False
        if self._stopped:
            return
        dirty, self._dirty = self._dirty, set()
        changed, removed = self._rebuild(dirty)
        update: dict[str, Any] = {}
        if changed or removed:
            statuses = status_choices(self.hass)
            if statuses != self.statuses:
                self.statuses = update["statuses"] = statuses
        if changed:
            update["tiles"] = changed
        if removed:
            update["removed"] = sorted(removed)
        if update:
            self._send(update)

    def _rebuild(self, dirty: set[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """The tiles that differ from what was sent, and those that are gone."""
        changed: list[dict[str, Any]] = []
        removed: list[str] = []
        for tile_id in dirty:
            tile = build_tile(self.hass, self.index, tile_id)
            if tile is None:
                if self.sent.pop(tile_id, None) is not None:
                    removed.append(tile_id)
            elif self.sent.get(tile_id) != tile:
                self.sent[tile_id] = tile
                changed.append(tile)
        return changed, removed

    def _send(self, event: dict[str, Any]) -> None:
        self.connection.send_message(event_message(self.msg_id, event))
