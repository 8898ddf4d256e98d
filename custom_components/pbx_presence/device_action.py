"""Device actions: a Flex UC / Kazoo user or phone calls a number (click-to-call).

The action names the person's or phone's Call state sensor, as the device conditions do;
it carries out what `pbx_presence.call` does, with the same checks and refusals.
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

from .backends import Capability
from .call_service import ATTR_AUTO_ANSWER, ATTR_NUMBER, async_place_call, callee_number
from .const import DOMAIN
from .coordinator import PbxConfigEntry
from .device_automation import async_device_entities
from .services import _error

ACTION_CALL_NUMBER: Final = "call_number"

ACTION_SCHEMA = cv.DEVICE_ACTION_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In([ACTION_CALL_NUMBER]),
        vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        vol.Required(ATTR_NUMBER): cv.string,
        vol.Optional(ATTR_AUTO_ANSWER, default=False): cv.boolean,
    }
)


def _can_call(hass: HomeAssistant, entity: er.RegistryEntry) -> bool:
    entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        return False
    return (
        Capability.CLICK_TO_CALL in cast("PbxConfigEntry", entry).runtime_data.backend.capabilities
    )


async def async_get_actions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """Call a number: one action per Kazoo user or phone on the device (its Call state sensor)."""
    return [
        {
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entity.id,
            CONF_TYPE: ACTION_CALL_NUMBER,
        }
        for entity in async_device_entities(hass, device_id, "sensor", "call_state")
        if _can_call(hass, entity)
    ]


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """The number to dial, and whether the phone answers by itself."""
    return {
        "extra_fields": vol.Schema(
            {
                vol.Required(ATTR_NUMBER): selector.TextSelector(),
                vol.Optional(ATTR_AUTO_ANSWER, default=False): selector.BooleanSelector(),
            }
        )
    }


async def async_call_action_from_config(
    hass: HomeAssistant,
    config: ConfigType,
    variables: TemplateVarsType,
    context: Context | None,
) -> None:
    """Ring the device's phone (a person's: all of them), then dial the number."""
    registry = er.async_get(hass)
    entity_id = er.async_validate_entity_id(registry, config[CONF_ENTITY_ID])
    entity = registry.async_get(entity_id)
    device = dr.async_get(hass).async_get(entity.device_id or "") if entity else None
    entry = hass.config_entries.async_get_entry(entity.config_entry_id or "") if entity else None
    if entity is None or device is None or entry is None:
        raise _error("not_pbx_target", target=entity_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _error("entry_not_loaded", entry=entry.title)
    pbx_entry = cast("PbxConfigEntry", entry)
    presentity = pbx_entry.runtime_data.presentity_of(device)
    if presentity is None:
        raise _error("presentity_gone", name=device.name_by_user or device.name or device.id)
    number = callee_number(hass, pbx_entry, config[ATTR_NUMBER])
    await async_place_call(pbx_entry, presentity, number, auto_answer=config[ATTR_AUTO_ANSWER])
