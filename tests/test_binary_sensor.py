"""Registration and Available binary sensors through Home Assistant, against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.binary_sensor import DOMAIN as BINARY_SENSOR_DOMAIN
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.availability import Reason
from custom_components.pbx_presence.backends.isymphony.adapter import (
    SCAN_INTERVAL as ISYMPHONY_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from simulator import Simulator

from .conftest import (
    async_poll,
    isymphony_entry_data,
    kazoo_device_id,
    kazoo_entry_data,
    state_of,
)

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


def _available(hass: HomeAssistant, name: str) -> tuple[str, dict[str, object]]:
    """The Available sensor's state and its attributes, without the friendly name."""
    state = hass.states.get(f"binary_sensor.{name}_available")
    assert state is not None
    attributes = dict(state.attributes)
    attributes.pop("friendly_name")
    return state.state, attributes


async def test_available_for_people_of_both_servers(
    hass: HomeAssistant,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """One Available per person device: the phone and the status together, and why not."""
    kazoo_entry, _ = init_both
    entities = er.async_get(hass)
    sensors = [e for e in entities.entities.values() if e.translation_key == "available"]
    # One per person device: the Kazoo users' (the iSymphony users linked to them joined
    # their devices); the one panel user without a Kazoo user (Front desk 2) has no license,
    # so no call state or status, and no Available.
    assert len({e.device_id for e in sensors}) == len(sensors) == 13
    assert {e.config_entry_id for e in sensors} == {kazoo_entry.entry_id}
    assert hass.states.get("binary_sensor.front_desk_2_available") is None
    anna = entities.async_get("binary_sensor.anna_schmidt_available")
    assert anna is not None
    assert anna.unique_id.endswith("_available")
    assert anna.entity_category is None  # a state people act on, not a diagnostic
    assert anna.config_entry_id == kazoo_entry.entry_id
    assert hass.states.get("binary_sensor.anna_schmidt_available").name == (  # type: ignore[union-attr]
        "Anna Schmidt Available"
    )

    assert _available(hass, "anna_schmidt") == (STATE_ON, {})
    assert _available(hass, "ben_carter") == (STATE_OFF, {"reason": "on_call"})
    assert _available(hass, "carla_rossi") == (STATE_OFF, {"reason": "ringing"})
    # The Kazoo phone is idle, the iSymphony status says otherwise.
    assert _available(hass, "david_kim") == (
        STATE_OFF,
        {
            "reason": "extended_away",
            "status_name": "On vacation",
            "return_time": datetime(2030, 6, 10, 8, 0, tzinfo=UTC),
        },
    )
    assert _available(hass, "jonas_becker") == (
        STATE_OFF,
        {"reason": "not_available", "status_name": "Unavailable"},
    )
    # No phone to take a call on: no value, and the reason says why.
    assert _available(hass, "site_admin") == (STATE_UNKNOWN, {"reason": "no_phone"})


async def test_available_follows_changes_on_either_server(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A status set on iSymphony, a call or DND on Kazoo: the person's Available follows."""
    simulator.isymphony.set_status("anna", name="In a meeting", type="dnd")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert _available(hass, "anna_schmidt") == (
        STATE_OFF,
        {"reason": "status_do_not_disturb", "status_name": "In a meeting"},
    )
    simulator.isymphony.set_status("david", name="Available", type="available")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert _available(hass, "david_kim") == (STATE_ON, {})

    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.david_kim_do_not_disturb"}, blocking=True
    )
    assert _available(hass, "david_kim") == (STATE_OFF, {"reason": "do_not_disturb"})
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.david_kim_do_not_disturb"}, blocking=True
    )
    assert _available(hass, "david_kim") == (STATE_ON, {})

    kazoo = simulator.kazoo
    call = kazoo.start_call(device_id=kazoo_device_id(simulator, "David Kim desk phone"))
    kazoo.answer(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _available(hass, "david_kim") == (STATE_OFF, {"reason": "on_call"})
    kazoo.hangup(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _available(hass, "david_kim") == (STATE_ON, {})


async def test_available_on_isymphony_alone(
    hass: HomeAssistant, init_isymphony: MockConfigEntry
) -> None:
    """Without Flex UC / Kazoo, the call state comes from iSymphony's call segments."""
    assert _available(hass, "anna_schmidt") == (STATE_ON, {})
    assert _available(hass, "ben_carter") == (STATE_OFF, {"reason": "on_call"})
    assert _available(hass, "david_kim")[1]["reason"] == "extended_away"
    # No license: no call state or status, so no Available.
    assert hass.states.get("binary_sensor.lukas_novak_available") is None


async def test_available_is_unavailable_while_a_server_it_reads_is(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without the iSymphony status a Kazoo user's availability is not known."""
    simulator.faults.add("drop", path_contains="/communication_manager/", count=None)
    for delta in (ISYMPHONY_SCAN_INTERVAL, ISYMPHONY_SCAN_INTERVAL, timedelta(minutes=1)):
        await async_poll(hass, freezer, delta)
    assert state_of(hass, "binary_sensor.david_kim_available") == STATE_UNAVAILABLE
    assert state_of(hass, "binary_sensor.site_admin_available") == STATE_UNKNOWN  # Kazoo only


@pytest.mark.parametrize("first", ["isymphony", "kazoo"])
async def test_available_once_a_person_is_known_to_both_servers(
    hass: HomeAssistant, simulator: Simulator, first: str
) -> None:
    """Whichever server comes first, the person ends with one Available that reads both."""
    kazoo = MockConfigEntry(
        domain=DOMAIN, title="acme", unique_id="kazoo", data=kazoo_entry_data(simulator)
    )
    isymphony = MockConfigEntry(
        domain=DOMAIN, title="panel", unique_id="isym", data=isymphony_entry_data(simulator)
    )
    one, two = (isymphony, kazoo) if first == "isymphony" else (kazoo, isymphony)
    one.add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    # Alone, each server tells what it knows: the Kazoo phone is idle, the status is away.
    assert _available(hass, "david_kim")[0] == (STATE_ON if first == "kazoo" else STATE_OFF)

    two.add_to_hass(hass)
    assert await hass.config_entries.async_setup(two.entry_id)
    await hass.async_block_till_done()
    sensors = [
        entry
        for entry in er.async_get(hass).entities.values()
        if entry.translation_key == "available"
        and entry.entity_id.startswith("binary_sensor.david")
    ]
    # The Kazoo user's (named ..._2 where the panel user's came first and is gone now).
    assert [entry.config_entry_id for entry in sensors] == [kazoo.entry_id]
    state = hass.states.get(sensors[0].entity_id)
    assert state is not None
    assert (state.state, state.attributes["reason"]) == (STATE_OFF, "extended_away")
    assert (
        len(
            [
                s
                for s in hass.states.async_all()
                if s.entity_id.startswith("binary_sensor.dav")
                and s.entity_id.endswith(("_available", "_available_2"))
            ]
        )
        == 1
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_reason_is_translated(language: str) -> None:
    """The Available sensor's reasons are its translated attribute states, in both languages."""
    path = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"
    translations = json.loads((path / f"{language}.json").read_text(encoding="utf-8"))
    reason = translations["entity"]["binary_sensor"]["available"]["state_attributes"]["reason"]
    assert set(reason["state"]) == {str(member) for member in Reason}
    assert all(reason["state"].values())
