"""Registration binary sensors through Home Assistant, against the simulator on loopback."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.binary_sensor import DOMAIN as BINARY_SENSOR_DOMAIN
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from simulator import Simulator

from .conftest import async_poll, kazoo_device_id, state_of

ANNA_DESK = "binary_sensor.anna_schmidt_desk_phone_registered"
CONFERENCE_ROOM = "binary_sensor.conference_room_registered"


async def test_registered_sensors(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """Every phone, and only phones, has a diagnostic connectivity sensor."""
    kazoo_entry, _ = init_both
    entities = er.async_get(hass)

    state = hass.states.get(ANNA_DESK)
    assert state is not None
    assert state.state == STATE_ON
    assert state.attributes[ATTR_DEVICE_CLASS] == "connectivity"
    assert state.attributes["friendly_name"] == "Anna Schmidt desk phone Registered"
    assert state_of(hass, CONFERENCE_ROOM) == STATE_OFF
    assert state_of(hass, "binary_sensor.hannah_muller_softphone_registered") == STATE_OFF
    assert state_of(hass, "binary_sensor.lobby_phone_registered") == STATE_ON

    entry = entities.async_get(ANNA_DESK)
    assert entry is not None
    assert entry.entity_category is EntityCategory.DIAGNOSTIC
    assert entry.translation_key == "registered"
    assert entry.disabled_by is None
    desk_id = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    account = simulator.kazoo.account_id
    assert entry.unique_id == f"{account}_phone_{desk_id}_registered"
    device = dr.async_get(hass).async_get(entry.device_id or "")
    assert device is not None
    assert (DOMAIN, f"{account}_phone_{desk_id}") in device.identifiers
    assert device.model == "SIP phone"  # Kazoo's device_type sip_device, in words
    assert device.model_id == "1001"  # the extension its lamps go by (its owner's)
    mac = simulator.kazoo.devices[desk_id]["mac_address"]
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, dr.format_mac(mac))}

    sensors = [
        e
        for e in entities.entities.values()
        if e.domain == BINARY_SENSOR_DOMAIN and e.translation_key == "registered"
    ]
    assert len(sensors) == len(simulator.kazoo.devices)
    assert {e.config_entry_id for e in sensors} == {kazoo_entry.entry_id}
    on = {s.entity_id for s in sensors if state_of(hass, s.entity_id) == STATE_ON}
    assert len(on) == len(simulator.kazoo.registered)
    assert hass.states.get("binary_sensor.anna_schmidt_registered") is None  # a user


async def test_registration_changes_are_polled(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone that drops off or comes back shows on the next poll."""
    simulator.kazoo.unregister(kazoo_device_id(simulator, "Anna Schmidt desk phone"))
    simulator.kazoo.register(kazoo_device_id(simulator, "Conference room"))
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    assert state_of(hass, ANNA_DESK) == STATE_OFF
    assert state_of(hass, CONFERENCE_ROOM) == STATE_ON


async def test_unavailable_while_the_server_is_unreachable(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No answer means unknown registration, not "unregistered".

    A single failed poll keeps the last known state; an outage of three polls over a
    minute makes the entities unavailable.
    """
    simulator.faults.add("drop", path_contains="/devices/status", count=None)

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_DESK) == STATE_ON
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    await async_poll(hass, freezer, timedelta(minutes=1))
    assert state_of(hass, ANNA_DESK) == STATE_UNAVAILABLE
    assert state_of(hass, CONFERENCE_ROOM) == STATE_UNAVAILABLE

    simulator.faults.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_DESK) == STATE_ON
    assert state_of(hass, CONFERENCE_ROOM) == STATE_OFF
