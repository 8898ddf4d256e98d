"""Shared by the device triggers and conditions: a device's entities, status choices."""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, selector

from .backends.snapshot import StatusType
from .const import DOMAIN

# The extra field of status triggers and conditions.
CONF_STATUS_TYPE: Final = "status_type"


def async_device_entities(
    hass: HomeAssistant, device_id: str, domain: str, translation_key: str
) -> list[er.RegistryEntry]:
    """The entities of one kind that this integration gives a device (for device automations)."""
    return [
        entry
        for entry in er.async_entries_for_device(er.async_get(hass), device_id)
        if entry.platform == DOMAIN
        and entry.domain == domain
        and entry.translation_key == translation_key
    ]


def status_type_selector() -> selector.SelectSelector:
    """A translated choice of the iSymphony status types."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[status_type.value for status_type in StatusType],
            translation_key="status_type",
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )
