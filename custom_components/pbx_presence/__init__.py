"""PBX Presence: phone-system presence from Flex UC / Kazoo and iSymphony."""

from __future__ import annotations

from homeassistant.const import CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntry, DeviceEntryType
from homeassistant.helpers.typing import ConfigType
from yarl import URL

from .const import DOMAIN
from .coordinator import PbxConfigEntry, PbxCoordinator, presentity_identifier
from .factory import create_adapter
from .sentences import async_setup_sentences
from .services import async_setup_services

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SELECT,
    Platform.SENSOR,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's services and its sentences for the built-in agent."""
    async_setup_services(hass)
    await async_setup_sentences(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: PbxConfigEntry) -> bool:
    """Bring an entry stored by an older version up to date."""
    if entry.version > 1:
        return False  # made by a newer version: do not guess
    if entry.minor_version < 2:
        # Entries made before URLs with credentials were refused: drop them from the URL,
        # where diagnostics and logs would show them (the login has its own fields).
        url = URL(entry.data[CONF_URL])
        data = {**entry.data, CONF_URL: str(url.with_user(None))}
        hass.config_entries.async_update_entry(entry, data=data, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PbxConfigEntry) -> bool:
    """Connect to the server, read it once, and set up the platforms."""
    coordinator = PbxCoordinator(hass, entry, create_adapter(hass, entry.data))
    await coordinator.async_config_entry_first_refresh()
    server = coordinator.server
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, server.unique_id)},
        name=entry.title,
        manufacturer=server.manufacturer,
        model=server.model,
        entry_type=DeviceEntryType.SERVICE,
    )
    entry.runtime_data = coordinator
    coordinator.remove_stale_devices()
    entry.async_on_unload(coordinator.async_add_listener(coordinator.remove_stale_devices))
    entry.async_on_unload(coordinator.async_track_events())
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PbxConfigEntry) -> bool:
    """Unload the platforms."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PbxConfigEntry, device: DeviceEntry
) -> bool:
    """Allow removing a presentity's device only once the server no longer has it."""
    coordinator = entry.runtime_data
    if (DOMAIN, coordinator.server.unique_id) in device.identifiers:
        return False
    return not any(
        presentity_identifier(coordinator.server, key) in device.identifiers
        for key in coordinator.data.presentities
    )
