"""Snapshots of every platform's entities and of diagnostics, one server kind at a time.

Time is frozen before Home Assistant and the simulator start, so timestamps are the same
on every run; the simulator's demo data is seeded. Only the simulator's port changes from
run to run: values that carry it are left out of the snapshots and checked here instead.
"""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.pbx_presence.const import DOMAIN
from simulator import DEMO_CORE_SERVER_ID as ISYMPHONY_ID, Simulator

from .conftest import kazoo_user_id, setup_entry, state_of

pytestmark = pytest.mark.freeze_time("2026-03-02 09:00:00+00:00")

# Keys whose values hold the simulator's URL, so its port.
URL_KEYS = ("url", "configuration_url")


async def _setup_platform(hass: HomeAssistant, entry: MockConfigEntry, platform: Platform) -> None:
    """Set up an entry with one platform only, as core's snapshot tests do."""
    with patch("custom_components.pbx_presence.PLATFORMS", [platform]):
        await setup_entry(hass, entry)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    ("platform", "count", "entity_id", "expected"),
    [
        # Registration of 19 phones, live updates, DND active of 32 users and phones, and
        # the 13 users' Available.
        (Platform.BINARY_SENSOR, 65, "binary_sensor.lobby_phone_registered", "on"),
        (Platform.BUTTON, 18, "button.3101_reset_presence", "unknown"),
        (Platform.EVENT, 32, "event.anna_schmidt_call", "unknown"),
        (Platform.SELECT, 15, "select.anna_schmidt_blf_override", "automatic"),
        (Platform.SENSOR, 73, "sensor.ben_carter_call_state", "busy"),
        # DND and forwarding of 13 users, the conference room's DND, the lobby's forwarding.
        (Platform.SWITCH, 28, "switch.jonas_becker_call_forwarding", "on"),
        (Platform.TEXT, 14, "text.lobby_phone_forward_number", "1006"),
    ],
)
async def test_kazoo_platform(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    kazoo_entry: MockConfigEntry,
    platform: Platform,
    count: int,
    entity_id: str,
    expected: str,
) -> None:
    """A Kazoo entry's entities of one platform: registry entries and states."""
    await _setup_platform(hass, kazoo_entry, platform)

    entries = er.async_entries_for_config_entry(entity_registry, kazoo_entry.entry_id)
    assert len(entries) == count
    assert state_of(hass, entity_id) == expected
    await snapshot_platform(hass, entity_registry, snapshot, kazoo_entry.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    ("platform", "count", "entity_id", "expected"),
    [
        # 13 users logged into the panel or not, the 11 licensed ones' Available, live updates
        (Platform.BINARY_SENSOR, 25, "binary_sensor.isymphony_default_live_updates", "off"),
        (Platform.EVENT, 11, "event.anna_schmidt_status_change", "unknown"),
        (Platform.SELECT, 11, "select.david_kim_set_status", "Extended away — On vacation"),
        # 11 licensed users' 4 status sensors and call state, 2 queues' 3 sensors
        (Platform.SENSOR, 61, "sensor.david_kim_status", "xa"),
    ],
)
async def test_isymphony_platform(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    isymphony_entry: MockConfigEntry,
    platform: Platform,
    count: int,
    entity_id: str,
    expected: str,
) -> None:
    """An iSymphony entry's entities of one platform: registry entries and states."""
    await _setup_platform(hass, isymphony_entry, platform)

    entries = er.async_entries_for_config_entry(entity_registry, isymphony_entry.entry_id)
    assert len(entries) == count
    assert state_of(hass, entity_id) == expected
    await snapshot_platform(hass, entity_registry, snapshot, isymphony_entry.entry_id)


async def test_isymphony_has_no_buttons(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, isymphony_entry: MockConfigEntry
) -> None:
    """iSymphony has nothing to reset: its button platform makes no entities to snapshot."""
    await _setup_platform(hass, isymphony_entry, Platform.BUTTON)

    assert not er.async_entries_for_config_entry(entity_registry, isymphony_entry.entry_id)


async def test_kazoo_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
) -> None:
    """A Kazoo entry's diagnostics."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_kazoo)

    assert diagnostics["entry"]["data"]["url"] == simulator.url
    assert diagnostics["live_updates"]["url"] == simulator.blackhole_url
    assert diagnostics["coordinator"]["last_update_success"] is True
    assert diagnostics == snapshot(exclude=props(*URL_KEYS))


async def test_isymphony_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
) -> None:
    """An iSymphony entry's diagnostics."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_isymphony)

    assert diagnostics["entry"]["data"]["url"] == simulator.url
    assert diagnostics["server"]["configuration_url"] == f"{simulator.url}/"
    assert diagnostics["coordinator"]["last_update_success"] is True
    assert diagnostics == snapshot(exclude=props(*URL_KEYS))


async def test_kazoo_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
) -> None:
    """A Kazoo user's device diagnostics."""
    anna_id = kazoo_user_id(simulator, "anna")
    anna = device_registry.async_get_device(
        identifiers={(DOMAIN, f"{simulator.kazoo.account_id}_user_{anna_id}")}
    )
    assert anna is not None

    diagnostics = await get_diagnostics_for_device(hass, hass_client, init_kazoo, anna)

    assert diagnostics["presentity"]["key"] == f"user_{anna_id}"
    assert diagnostics == snapshot(exclude=props(*URL_KEYS))


async def test_isymphony_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    init_isymphony: MockConfigEntry,
) -> None:
    """An iSymphony panel user's device diagnostics."""
    david = device_registry.async_get_device(
        identifiers={(DOMAIN, f"{ISYMPHONY_ID}_panel_user_david")}
    )
    assert david is not None

    diagnostics = await get_diagnostics_for_device(hass, hass_client, init_isymphony, david)

    assert diagnostics["presentity"]["status"]["type"] == "xa"
    assert diagnostics == snapshot(exclude=props(*URL_KEYS))
