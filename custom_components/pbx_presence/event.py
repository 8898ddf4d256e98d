"""Event entities: calls ringing, answered and ended (Kazoo); status changes (iSymphony)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, ATTR_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .changes import CallEvent, EventKind, PresentityEvent, StatusEvent
from .const import EVENT_CALL, EVENT_STATUS
from .coordinator import PbxConfigEntry
from .entity import (
    PbxEntity,
    PbxEntityDescription,
    async_add_presentity_entities,
    has_status,
    is_call_party,
)
from .identifiers import presentity_event_signal

# Events come from the coordinator; nothing is requested per entity.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class PbxEventEntityDescription(EventEntityDescription, PbxEntityDescription):
    """An event entity of a presentity: which kind of event it fires."""

    kind: EventKind


EVENTS: tuple[PbxEventEntityDescription, ...] = (
    PbxEventEntityDescription(
        key="call",
        translation_key="call",
        event_types=[event.value for event in CallEvent],
        kind=EventKind.CALL,
        exists_fn=is_call_party,
    ),
    PbxEventEntityDescription(
        key="status_change",
        translation_key="status_change",
        event_types=[event.value for event in StatusEvent],
        kind=EventKind.STATUS,
        exists_fn=has_status,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of every presentity, now and as new ones appear."""
    async_add_presentity_entities(entry, async_add_entities, EVENTS, PbxEventEntity)


class PbxEventEntity(PbxEntity, EventEntity):
    """Fires the events the coordinator finds between two snapshots of its presentity."""

    entity_description: PbxEventEntityDescription
    # The bus event beside it records them once, for the logbook.
    _unrecorded_attributes = frozenset(
        {"caller_id_name", "caller_id_number", "destination", "note", "return_time"}
    )

    async def async_added_to_hass(self) -> None:
        """Listen to this presentity's events."""
        await super().async_added_to_hass()
        signal = presentity_event_signal(
            self.coordinator.config_entry.entry_id, self._key, self.entity_description.kind
        )
        self.async_on_remove(async_dispatcher_connect(self.hass, signal, self._async_fire))

    @callback
    def _async_fire(self, event: PresentityEvent) -> None:
        self._trigger_event(event.event_type, dict(event.attributes))
        self.async_write_ha_state()
        # The same event on the bus, for the logbook's sentence (logbook.py).
        device = self.device_entry
        data = {
            ATTR_ENTITY_ID: self.entity_id,
            ATTR_DEVICE_ID: device.id if device else None,
            ATTR_NAME: (device.name_by_user or device.name) if device else self.presentity.name,
            "type": event.event_type,
            "date": dt_util.now().date().isoformat(),  # the day, for "until tomorrow at 9"
        }
        for name, value in event.attributes.items():
            data[name] = value.isoformat() if isinstance(value, datetime) else value
        bus_event = EVENT_CALL if self.entity_description.kind is EventKind.CALL else EVENT_STATUS
        self.hass.bus.async_fire(bus_event, data)
