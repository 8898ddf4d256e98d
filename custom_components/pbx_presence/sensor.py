"""Sensors: call state, BLF watchers (Flex UC / Kazoo), status and queues (iSymphony)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .backends.snapshot import (
    STATUS_STATES,
    CallState,
    Presentity,
    PresentityKind,
    QueueAgent,
    status_state,
)
from .changes import call_attributes
from .const import CONF_EXPOSE_TO_ASSIST
from .coordinator import PbxConfigEntry
from .entity import (
    PbxEntity,
    PbxEntityDescription,
    async_add_presentity_entities,
    has_call_state,
    has_status,
    is_call_party,
    is_extension,
    is_queue,
)
from .park import PARK_STATES, is_park_slot, park_attributes, park_state
from .queue_agents import agent_attributes, agent_count
from .voice.exposure import async_expose_once

# Read-only: the coordinator does all the reading.
PARALLEL_UPDATES = 0

# Home Assistant refuses longer states; free-text status names and notes are cut to fit.
MAX_STATE_LENGTH = 255


def _text(value: str | None) -> str | None:
    return None if value is None else value[:MAX_STATE_LENGTH]


@dataclass(frozen=True, kw_only=True)
class PbxSensorEntityDescription(SensorEntityDescription, PbxEntityDescription):
    """A sensor of a presentity: which presentities have it, and how to read it."""

    value_fn: Callable[[Presentity], StateType | datetime]
    # What voice answers about: exposed to Assist when first added (see voice/exposure.py).
    spoken: bool = False
    attributes_fn: Callable[[Presentity], dict[str, Any]] | None = None


def _call_party(presentity: Presentity) -> dict[str, Any]:
    """The live call's direction and other party (caller, or number dialled)."""
    return call_attributes(presentity.call) if presentity.call is not None else {}


def _status_details(presentity: Presentity) -> dict[str, Any]:
    """The status's name, note and return time (each also a sensor, off by default)."""
    status = presentity.status
    if status is None:
        return {}
    details = {
        "status_name": _text(status.name),
        "note": _text(status.note),
        "return_time": status.return_time,
    }
    return {name: value for name, value in details.items() if value}


def _agent_count(
    *,
    translation_key: str,
    wanted: Callable[[QueueAgent], bool],
    enabled_default: bool = True,
    attributes_fn: Callable[[Presentity], dict[str, Any]] | None = None,
    spoken: bool = False,
) -> PbxSensorEntityDescription:
    """A sensor of a queue that counts the agents `wanted` (unknown: agents not read)."""
    return PbxSensorEntityDescription(
        key=translation_key,
        translation_key=translation_key,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=enabled_default,
        exists_fn=is_queue,
        value_fn=partial(agent_count, wanted=wanted),
        attributes_fn=attributes_fn,
        spoken=spoken,
    )


SENSORS: tuple[PbxSensorEntityDescription, ...] = (
    PbxSensorEntityDescription(
        key="call_state",
        translation_key="call_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in CallState],
        exists_fn=has_call_state,
        disabled_when_linked=True,
        value_fn=lambda presentity: presentity.call_state,
        spoken=True,
        attributes_fn=_call_party,
    ),
    PbxSensorEntityDescription(
        key="voicemail",
        translation_key="voicemail",
        state_class=SensorStateClass.MEASUREMENT,
        exists_fn=lambda presentity: (
            presentity.kind is PresentityKind.USER and presentity.voicemail is not None
        ),
        value_fn=lambda presentity: presentity.voicemail,
    ),
    # On a user or phone the watcher count is a detail; on a park slot it is all there is.
    PbxSensorEntityDescription(
        key="blf_watchers",
        translation_key="blf_watchers",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=is_call_party,
        value_fn=lambda presentity: presentity.blf_watchers,
    ),
    PbxSensorEntityDescription(
        key="extension_blf_watchers",
        translation_key="blf_watchers",
        state_class=SensorStateClass.MEASUREMENT,
        exists_fn=is_extension,
        value_fn=lambda presentity: presentity.blf_watchers,
    ),
    PbxSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_STATES,
        exists_fn=has_status,
        value_fn=lambda presentity: (
            status_state(presentity.status.type) if presentity.status else None
        ),
        spoken=True,
        attributes_fn=_status_details,
    ),
    PbxSensorEntityDescription(
        key="status_name",
        translation_key="status_name",
        # The Status sensor carries it as an attribute; one status change, one logbook line.
        entity_registry_enabled_default=False,
        exists_fn=has_status,
        value_fn=lambda presentity: _text(presentity.status.name if presentity.status else None),
    ),
    PbxSensorEntityDescription(
        key="status_note",
        translation_key="status_note",
        entity_registry_enabled_default=False,
        exists_fn=has_status,
        value_fn=lambda presentity: _text(presentity.status.note if presentity.status else None),
    ),
    PbxSensorEntityDescription(
        key="return_time",
        translation_key="return_time",
        entity_registry_enabled_default=False,
        device_class=SensorDeviceClass.TIMESTAMP,
        exists_fn=has_status,
        value_fn=lambda presentity: presentity.status.return_time if presentity.status else None,
    ),
    PbxSensorEntityDescription(
        key="park",
        translation_key="park",
        device_class=SensorDeviceClass.ENUM,
        options=PARK_STATES,
        exists_fn=is_park_slot,
        value_fn=park_state,
        attributes_fn=park_attributes,
    ),
    # A call queue (iSymphony): agents logged in (listed), free to take a call, paused.
    _agent_count(
        translation_key="queue_agents",
        wanted=lambda _agent: True,
        attributes_fn=agent_attributes,
        spoken=True,  # what voice answers about a queue by (voice/queues.py)
    ),
    _agent_count(translation_key="queue_available_agents", wanted=lambda agent: agent.available),
    _agent_count(
        translation_key="queue_paused_agents",
        wanted=lambda agent: agent.paused,
        enabled_default=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PbxConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every presentity, now and as new ones appear."""
    async_add_presentity_entities(entry, async_add_entities, SENSORS, PbxSensorEntity)


class PbxSensorEntity(PbxEntity, SensorEntity):
    """A sensor that reads one value of a presentity."""

    entity_description: PbxSensorEntityDescription
    # Other people's numbers and free-text notes: shown live, kept out of the history (the
    # logbook's call and status events keep them once).
    _unrecorded_attributes = frozenset(
        {"caller_id_name", "caller_id_number", "destination", "note", "return_time"}
    )

    async def async_added_to_hass(self) -> None:
        """Expose what voice answers about to Assist once, unless the options say not to."""
        await super().async_added_to_hass()
        options = self.coordinator.config_entry.options
        if self.entity_description.spoken and options.get(CONF_EXPOSE_TO_ASSIST, True):
            async_expose_once(self.hass, self.entity_id)

    @property
    def native_value(self) -> StateType | datetime:
        """The value as of the latest poll or write."""
        return self.entity_description.value_fn(self.presentity)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """What the presentity's live call tells, where the sensor has any."""
        attributes_fn = self.entity_description.attributes_fn
        return None if attributes_fn is None else attributes_fn(self.presentity)
