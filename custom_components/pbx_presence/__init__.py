"""PBX Presence: phone-system presence from Flex UC / Kazoo and iSymphony."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.const import CONF_URL, CONF_VERIFY_SSL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry, DeviceEntryType
from homeassistant.helpers.typing import ConfigType
from yarl import URL

from .backends import create_backend
from .call_service import async_setup_call_service
from .const import CONF_WEBSOCKET_URL, DOMAIN
from .coordinator import PbxConfigEntry, PbxCoordinator
from .device_links import async_relink, person_links
from .identifiers import server_identifier
from .issues import async_remove_entry_issues
from .panel import async_register_panel, async_unregister_panel
from .services import async_setup_services
from .switchboard_api import async_setup_switchboard_api
from .voice.answers import Texts
from .voice.trigger import async_setup_sentences

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's services and its sentences for the built-in agent."""
    async_setup_services(hass)
    async_setup_call_service(hass)
    async_setup_switchboard_api(hass)
    await async_setup_sentences(hass)
    # The logbook describes events in a callback: load its sentences now (logbook.py).
    for language in {hass.config.language, "en"}:
        await Texts.async_load(hass, language)
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
    if entry.minor_version < 3:
        # The websocket URL is a connection setting: reconfigure changes it, not the options.
        options = dict(entry.options)
        data = dict(entry.data)
        if socket := options.pop(CONF_WEBSOCKET_URL, None):
            data[CONF_WEBSOCKET_URL] = socket
        hass.config_entries.async_update_entry(entry, data=data, options=options, minor_version=3)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PbxConfigEntry) -> bool:
    """Connect to the server, read it once, and set up the platforms."""
    session = async_get_clientsession(hass, verify_ssl=entry.data.get(CONF_VERIFY_SSL, True))
    backend = create_backend(entry.data, session)
    coordinator = PbxCoordinator(hass, entry, backend)
    try:
        await coordinator.async_config_entry_first_refresh()
    except Exception:
        await coordinator.live.async_close()  # opened before the first poll
        raise
    await _async_adopt_stable_id(hass, entry, coordinator)
    server = coordinator.server
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={server_identifier(server)},
        name=entry.title,
        manufacturer=server.manufacturer,
        model=server.model,
        configuration_url=server.configuration_url,
        entry_type=DeviceEntryType.SERVICE,
    )
    entry.runtime_data = coordinator
    coordinator.device_links = person_links(hass, entry)
    coordinator.stale_devices.async_remove()
    entry.async_on_unload(coordinator.async_add_listener(coordinator.stale_devices.async_remove))
    entry.async_on_unload(coordinator.async_track_events())
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_create_background_task(
        hass, coordinator.live.async_run(), f"{coordinator.name} live updates"
    )
    await async_register_panel(hass, entry.entry_id)
    # This entry's people may be another entry's too: that one joins their devices.
    # (The last step, with nothing awaited after it: entries set up together rely on it.)
    async_relink(hass, entry)
    return True


async def _async_adopt_stable_id(
    hass: HomeAssistant, entry: PbxConfigEntry, coordinator: PbxCoordinator
) -> None:
    """Move an entry keyed by its server's old identity onto the stable one, ids and all.

    iSymphony entries used to be keyed by the core server's slug; servers with the Config
    API have a stable id. Entities and devices move with the entry, so they keep their
    entity ids and history. Where another entry already has the new id, nothing moves.
    """
    old, new = entry.unique_id, coordinator.server.unique_id
    if old is None or old == new:
        return
    if hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, new) is not None:
        coordinator.server = replace(coordinator.server, unique_id=old)
        return

    def moved(value: str) -> str:
        return new + value[len(old) :] if value == old or value.startswith(f"{old}_") else value

    await er.async_migrate_entries(
        hass, entry.entry_id, lambda entity: {"new_unique_id": moved(entity.unique_id)}
    )
    devices = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        identifiers = {
            (domain, moved(value) if domain == DOMAIN else value)
            for domain, value in device.identifiers
        }
        devices.async_update_device(device.id, new_identifiers=identifiers)
    hass.config_entries.async_update_entry(entry, unique_id=new)


async def async_unload_entry(hass: HomeAssistant, entry: PbxConfigEntry) -> bool:
    """Unload the platforms; the switchboard goes with the last entry."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        async_unregister_panel(hass, entry.entry_id)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: PbxConfigEntry) -> None:
    """Leave no repair issue of a removed entry behind."""
    async_remove_entry_issues(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PbxConfigEntry, device: DeviceEntry
) -> bool:
    """Allow removing a presentity's device only once the server no longer has it."""
    coordinator = entry.runtime_data
    if server_identifier(coordinator.server) in device.identifiers:
        return False
    return coordinator.presentity_of(device) is None
