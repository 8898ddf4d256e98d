"""Device conditions: someone is on a call, ringing or idle, or has a given status."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.const import (
    CONF_CONDITION,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_TYPE,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    condition,
    config_validation as cv,
    entity_registry as er,
)
from homeassistant.helpers.config_validation import DEVICE_CONDITION_BASE_SCHEMA
from homeassistant.helpers.typing import ConfigType, TemplateVarsType
import voluptuous as vol

from .backends.snapshot import CallState, StatusType, status_state
from .const import DOMAIN
from .device_automation import CONF_STATUS_TYPE, async_device_entities, status_type_selector

# Condition type -> the sensor's translation key and the state it asks for (None: the
# condition's status_type).
CONDITIONS: Final[dict[str, tuple[str, str | None]]] = {
    "is_on_call": ("call_state", CallState.BUSY),
    "is_ringing": ("call_state", CallState.RINGING),
    "is_idle": ("call_state", CallState.IDLE),
    "status_is": ("status", None),
}


def _status_type_given(config: ConfigType) -> ConfigType:
    """`status_is` needs the status type to compare with."""
    if config[CONF_TYPE] == "status_is" and CONF_STATUS_TYPE not in config:
        raise vol.Invalid("status_is needs a status_type")
    return config


CONDITION_SCHEMA = vol.All(
    DEVICE_CONDITION_BASE_SCHEMA.extend(
        {
            vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
            vol.Required(CONF_TYPE): vol.In(CONDITIONS),
            vol.Optional(CONF_STATUS_TYPE): vol.Coerce(StatusType),
        }
    ),
    _status_type_given,
)


async def async_get_conditions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """Call conditions for Kazoo users and phones, the status condition for iSymphony users."""
    return [
        {
            CONF_CONDITION: "device",
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entry.id,
            CONF_TYPE: condition_type,
        }
        for condition_type, (translation_key, _) in CONDITIONS.items()
        for entry in async_device_entities(hass, device_id, "sensor", translation_key)
    ]


async def async_get_condition_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """The status condition asks which status type."""
    if config[CONF_TYPE] != "status_is":
        return {}
    return {"extra_fields": vol.Schema({vol.Required(CONF_STATUS_TYPE): status_type_selector()})}


@callback
def async_condition_from_config(
    hass: HomeAssistant, config: ConfigType
) -> condition.ConditionCheckerType:
    """Compare the sensor's state with the state the condition asks for."""
    entity_id = er.async_validate_entity_id(er.async_get(hass), config[CONF_ENTITY_ID])
    state = CONDITIONS[config[CONF_TYPE]][1] or status_state(config[CONF_STATUS_TYPE])

    def test_is_state(hass: HomeAssistant, variables: TemplateVarsType) -> bool:
        return condition.state(hass, entity_id, state)

    return test_is_state
