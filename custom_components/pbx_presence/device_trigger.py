"""Device triggers: someone starts ringing, answers, ends a call, or changes status.

They fire on the event entities, so they see exactly what those entities record,
whichever source (poll or push) found the event.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.event import ATTR_EVENT_TYPE
from homeassistant.components.homeassistant.triggers import state as state_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_PLATFORM,
    CONF_TYPE,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import CALLBACK_TYPE, Context, HassJob, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .backends.snapshot import StatusType
from .changes import CallEvent, StatusEvent
from .const import DOMAIN
from .device_automation import CONF_STATUS_TYPE, async_device_entities, status_type_selector

# Trigger type -> (event entity's translation key, event type it fires on).
TRIGGERS: Final[dict[str, tuple[str, str]]] = {
    "ringing": ("call", CallEvent.RINGING),
    "answered": ("call", CallEvent.ANSWERED),
    "call_ended": ("call", CallEvent.ENDED),
    "status_changed": ("status_change", StatusEvent.CHANGED),
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        vol.Required(CONF_TYPE): vol.In(TRIGGERS),
        # Only for status_changed: fire only when the new status is of this type.
        vol.Optional(CONF_STATUS_TYPE): vol.Coerce(StatusType),
    }
)


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The triggers of a device: call triggers for Kazoo users/phones, status for iSymphony."""
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entry.id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type, (translation_key, _) in TRIGGERS.items()
        for entry in async_device_entities(hass, device_id, "event", translation_key)
    ]


async def async_get_trigger_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """A status trigger can be narrowed to one status type."""
    if config[CONF_TYPE] != "status_changed":
        return {}
    return {"extra_fields": vol.Schema({vol.Optional(CONF_STATUS_TYPE): status_type_selector()})}


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Run the action each time the event entity records an event of the trigger's type.

    An event entity's state is the time of its last event: Home Assistant's state trigger
    follows it (not from unavailable: coming back shows the same event again), and this
    picks the events of the trigger's type.
    """
    entity_id = er.async_validate_entity_id(er.async_get(hass), config[CONF_ENTITY_ID])
    trigger_type: str = config[CONF_TYPE]
    event_type = TRIGGERS[trigger_type][1]
    status_type: StatusType | None = config.get(CONF_STATUS_TYPE)
    job = HassJob(action, f"{DOMAIN} device trigger {trigger_info}")
    state_config = await state_trigger.async_validate_trigger_config(
        hass,
        {
            CONF_PLATFORM: "state",
            CONF_ENTITY_ID: [entity_id],
            state_trigger.CONF_NOT_FROM: [STATE_UNAVAILABLE],
            state_trigger.CONF_NOT_TO: [STATE_UNAVAILABLE, STATE_UNKNOWN],
        },
    )

    @callback
    def on_event(run_variables: dict[str, Any], context: Context | None = None) -> None:
        trigger = run_variables["trigger"]
        new_state = trigger["to_state"]
        if trigger["from_state"] is None:  # the entity was just added: a restored event
            return
        attributes = new_state.attributes
        if attributes.get(ATTR_EVENT_TYPE) != event_type:
            return
        if status_type is not None and attributes.get("new_type") != status_type:
            return
        hass.async_run_hass_job(
            job,
            {
                "trigger": {
                    **trigger_info["trigger_data"],
                    CONF_PLATFORM: "device",
                    CONF_DOMAIN: DOMAIN,
                    CONF_DEVICE_ID: config[CONF_DEVICE_ID],
                    CONF_TYPE: trigger_type,
                    CONF_ENTITY_ID: entity_id,
                    "from_state": trigger["from_state"],
                    "to_state": new_state,
                    "description": f"{trigger_type} of {entity_id}",
                }
            },
            context,
        )

    return await state_trigger.async_attach_trigger(
        hass, state_config, on_event, trigger_info, platform_type="device"
    )
