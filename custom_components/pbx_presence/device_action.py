"""Device actions: turn a person's or phone's do not disturb on or off, forward their calls.

Offered on the devices whose switches exist (Flex UC / Kazoo users, and phones with a
setting of their own); each action is one request, with the same checks and translated
errors as the switches and the forward-number text.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_ENTITY_ID, CONF_TYPE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    selector,
)
from homeassistant.helpers.typing import ConfigType, TemplateVarsType
import voluptuous as vol

from .backends import clean_forward_number
from .const import DOMAIN
from .controls import async_set_dnd, async_set_forward, forward_number
from .coordinator import PbxConfigEntry
from .device_automation import async_device_entities

CONF_NUMBER: Final = "number"
# Action type -> the switch it acts on (its translation key).
ACTIONS: Final[dict[str, str]] = {
    "turn_on_dnd": "do_not_disturb",
    "turn_off_dnd": "do_not_disturb",
    "forward_calls": "call_forward",
    "stop_forwarding": "call_forward",
}


def _number_given(config: ConfigType) -> ConfigType:
    """`forward_calls` needs a number that calls can be forwarded to."""
    if config[CONF_TYPE] != "forward_calls":
        return config
    if clean_forward_number(str(config.get(CONF_NUMBER, ""))) is None:
        raise vol.Invalid("forward_calls needs a phone number: digits, + only first")
    return config


ACTION_SCHEMA = vol.All(
    cv.DEVICE_ACTION_BASE_SCHEMA.extend(
        {
            vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
            vol.Required(CONF_TYPE): vol.In(ACTIONS),
            vol.Optional(CONF_NUMBER): cv.string,
        }
    ),
    _number_given,
)


async def async_get_actions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The actions of a device: those whose switch it has."""
    return [
        {
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entry.id,
            CONF_TYPE: action_type,
        }
        for action_type, translation_key in ACTIONS.items()
        for entry in async_device_entities(hass, device_id, "switch", translation_key)
    ]


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """Forwarding asks for the number."""
    if config[CONF_TYPE] != "forward_calls":
        return {}
    number = selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.TEL))
    return {"extra_fields": vol.Schema({vol.Required(CONF_NUMBER): number})}


async def async_call_action_from_config(
    hass: HomeAssistant,
    config: ConfigType,
    variables: TemplateVarsType,
    context: Context | None,
) -> None:
    """Carry out the action on the presentity behind the switch it names."""
    registry = er.async_get(hass)
    entity = registry.async_get(er.async_validate_entity_id(registry, config[CONF_ENTITY_ID]))
    device = dr.async_get(hass).async_get(config[CONF_DEVICE_ID])
    entry: PbxConfigEntry | None = (
        hass.config_entries.async_get_entry(entity.config_entry_id)
        if entity is not None and entity.config_entry_id
        else None
    )
    if (
        entry is None
        or device is None
        or entry not in hass.config_entries.async_loaded_entries(DOMAIN)
    ):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="not_pbx_target",
            translation_placeholders={"target": str(config[CONF_ENTITY_ID])},
        )
    coordinator = entry.runtime_data
    presentity = coordinator.presentity_of(device)
    if presentity is None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="presentity_gone",
            translation_placeholders={"name": device.name_by_user or device.name or ""},
        )
    match config[CONF_TYPE]:
        case "turn_on_dnd" | "turn_off_dnd" as action:
            await async_set_dnd(coordinator, presentity, enabled=action == "turn_on_dnd")
        case "forward_calls":
            number = forward_number(config[CONF_NUMBER])
            await async_set_forward(coordinator, presentity, enabled=True, number=number)
        case _:
            await async_set_forward(coordinator, presentity, enabled=False)
