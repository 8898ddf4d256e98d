"""Device actions: call a number, turn do not disturb on or off, forward calls or stop.

Offered on the devices that have what each acts on: calling on a Flex UC / Kazoo user's or
phone's Call state sensor, DND and forwarding on their switches (users, and phones with a
setting of their own). Each carries out what the action or switch does, with the same
checks and translated refusals.
"""

from __future__ import annotations

from typing import Any, Final, cast

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_ENTITY_ID, CONF_TYPE
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    selector,
)
from homeassistant.helpers.typing import ConfigType, TemplateVarsType
import voluptuous as vol

from .backends import Capability, clean_forward_number
from .call_service import ATTR_AUTO_ANSWER, ATTR_NUMBER, async_place_call, callee_number
from .const import DOMAIN
from .controls import async_set_dnd, async_set_forward, forward_number
from .coordinator import PbxConfigEntry
from .device_automation import async_device_entities
from .services import _error

CONF_NUMBER: Final = ATTR_NUMBER
ACTION_CALL_NUMBER: Final = "call_number"
# Action type -> the entity it acts on (its domain and translation key).
ACTIONS: Final[dict[str, tuple[str, str]]] = {
    ACTION_CALL_NUMBER: ("sensor", "call_state"),
    "turn_on_dnd": ("switch", "do_not_disturb"),
    "turn_off_dnd": ("switch", "do_not_disturb"),
    "forward_calls": ("switch", "call_forward"),
    "stop_forwarding": ("switch", "call_forward"),
}


def _number_given(config: ConfigType) -> ConfigType:
    """Calling and forwarding need a number (forwarding: one calls can be forwarded to)."""
    if config[CONF_TYPE] == ACTION_CALL_NUMBER and not config.get(CONF_NUMBER):
        raise vol.Invalid("call_number needs a number or a person's name")
    if config[CONF_TYPE] == "forward_calls" and (
        clean_forward_number(str(config.get(CONF_NUMBER, ""))) is None
    ):
        raise vol.Invalid("forward_calls needs a phone number: digits, + only first")
    return config


ACTION_SCHEMA = vol.All(
    cv.DEVICE_ACTION_BASE_SCHEMA.extend(
        {
            vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
            vol.Required(CONF_TYPE): vol.In(ACTIONS),
            vol.Optional(CONF_NUMBER): cv.string,
            vol.Optional(ATTR_AUTO_ANSWER, default=False): cv.boolean,
        }
    ),
    _number_given,
)


def _can_call(hass: HomeAssistant, entity: er.RegistryEntry) -> bool:
    entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        return False
    return (
        Capability.CLICK_TO_CALL in cast("PbxConfigEntry", entry).runtime_data.backend.capabilities
    )


async def async_get_actions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The actions of a device: those whose entity it has (calls: where the server can)."""
    return [
        {
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entity.id,
            CONF_TYPE: action_type,
        }
        for action_type, (domain, translation_key) in ACTIONS.items()
        for entity in async_device_entities(hass, device_id, domain, translation_key)
        if action_type != ACTION_CALL_NUMBER or _can_call(hass, entity)
    ]


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """Calling asks for the number and auto-answer; forwarding, the number."""
    if config[CONF_TYPE] == ACTION_CALL_NUMBER:
        return {
            "extra_fields": vol.Schema(
                {
                    vol.Required(CONF_NUMBER): selector.TextSelector(),
                    vol.Optional(ATTR_AUTO_ANSWER, default=False): selector.BooleanSelector(),
                }
            )
        }
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
    """Carry out the action on the presentity behind the entity it names."""
    registry = er.async_get(hass)
    entity_id = er.async_validate_entity_id(registry, config[CONF_ENTITY_ID])
    entity = registry.async_get(entity_id)
    device = dr.async_get(hass).async_get(entity.device_id or "") if entity else None
    entry = hass.config_entries.async_get_entry(entity.config_entry_id or "") if entity else None
    if entity is None or device is None or entry is None or entry.domain != DOMAIN:
        raise _error("not_pbx_target", target=entity_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _error("entry_not_loaded", entry=entry.title)
    pbx_entry = cast("PbxConfigEntry", entry)
    coordinator = pbx_entry.runtime_data
    presentity = coordinator.presentity_of(device)
    if presentity is None:
        raise _error("presentity_gone", name=device.name_by_user or device.name or device.id)
    match config[CONF_TYPE]:
        case "call_number":
            number = callee_number(hass, pbx_entry, config[CONF_NUMBER])
            await async_place_call(
                pbx_entry, presentity, number, auto_answer=config[ATTR_AUTO_ANSWER]
            )
        case "turn_on_dnd" | "turn_off_dnd" as action:
            await async_set_dnd(coordinator, presentity, enabled=action == "turn_on_dnd")
        case "forward_calls":
            number = forward_number(config[CONF_NUMBER])
            await async_set_forward(coordinator, presentity, enabled=True, number=number)
        case _:
            await async_set_forward(coordinator, presentity, enabled=False)
