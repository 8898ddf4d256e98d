"""Park slots through Home Assistant: the Parked call sensor, from polls and PARK_* events."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.kazoo.adapter import SCAN_INTERVAL
from custom_components.pbx_presence.backends.kazoo.parking import ParkSlots
from custom_components.pbx_presence.pbx.kazoo import KazooCallflow, KazooParkedCall
from simulator import Simulator, kazoo_features

from .conftest import async_poll, kazoo_device_id, state_object
from .test_live import setup_live, wait_for_state

SLOT = "sensor.3101_parked_call"


def park_bens_caller(sim: Simulator) -> str:
    """Ben's phone parks its outside caller (the demo's answered call) at *3101."""
    kazoo = sim.kazoo
    ben = kazoo_device_id(sim, "Ben Carter desk phone")
    leg = next(c.uuid for c in kazoo.channels.values() if c.authorizing_id == ben)
    kazoo.channels[leg].caller_id_name = "Acme Supplies"
    kazoo.channels[leg].caller_id_number = "+15557654321"
    return kazoo_features.park(kazoo, leg, "*3101")


async def test_park_slots_show_who_is_parked_at_each_poll(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    for number in ("3101", "3102", "3103"):
        state = state_object(hass, f"sensor.{number}_parked_call")
        assert state.state == "empty"
        assert state.attributes["slot"] == number[1:]
        assert state.attributes["options"] == ["empty", "parked"]
    assert state_object(hass, SLOT).attributes["friendly_name"] == "*3101 Parked call"
    # Other watched extensions are no park slots: numbers of people have no such sensor.
    assert hass.states.get("sensor.user_1009a_parked_call") is None

    assert park_bens_caller(simulator) == "101"
    assert "101" in simulator.kazoo.parked
    await async_poll(hass, freezer, SCAN_INTERVAL)
    state = state_object(hass, SLOT)
    assert state.state == "parked"
    assert state.attributes["caller_id_name"] == "Acme Supplies"
    assert state.attributes["caller_id_number"] == "+15557654321"
    assert state.attributes["parked_since"] is None  # a poll does not say since when
    assert state_object(hass, "sensor.3102_parked_call").state == "empty"
    assert state_object(hass, "sensor.ben_carter_call_state").state == "idle"

    kazoo_features.abandon(simulator.kazoo, "*3101")
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert state_object(hass, SLOT).state == "empty"
    assert state_object(hass, SLOT).attributes["caller_id_name"] is None


async def test_parked_calls_are_read_only_while_a_slot_is_watched(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    reads = sum(r.path.endswith("/parked_calls") for r in simulator.requests)
    assert reads >= 1
    assert sum(r.path.endswith("/callflows") for r in simulator.requests) == 1
    for extension in list(simulator.kazoo.subscriptions):
        if extension.startswith("*3"):
            del simulator.kazoo.subscriptions[extension]
    await async_poll(hass, freezer, SCAN_INTERVAL)  # the slots' watchers are gone
    reads = sum(r.path.endswith("/parked_calls") for r in simulator.requests)
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert sum(r.path.endswith("/parked_calls") for r in simulator.requests) == reads
    assert hass.states.get(SLOT) is None  # no longer watched: the extension is gone


async def test_park_events_update_the_slot_at_once(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    await setup_live(hass, simulator, kazoo_entry)
    live = kazoo_entry.runtime_data.backend.live_details()
    assert {"call.PARK_PARKED.*", "call.PARK_RETRIEVED.*", "call.PARK_ABANDONED.*"} <= set(
        live["subscribed"]
    )
    reads = sum(r.path.endswith("/parked_calls") for r in simulator.requests)

    park_bens_caller(simulator)
    await wait_for_state(hass, SLOT, "parked")
    state = state_object(hass, SLOT)
    assert state.attributes["caller_id_name"] == "Acme Supplies"
    assert state.attributes["parked_since"] is not None

    anna = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    kazoo_features.retrieve(simulator.kazoo, "*3101", anna)
    await wait_for_state(hass, SLOT, "empty")
    await wait_for_state(hass, "sensor.anna_schmidt_desk_phone_call_state", "busy")

    park_bens_caller_again = kazoo_features.park  # a second call, parked and abandoned
    kazoo = simulator.kazoo
    leg = kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Emma Johnson desk phone"),
        direction="outbound",
        caller_id_name="Courier",
        caller_id_number="+15550001111",
    )
    kazoo.answer(leg)
    park_bens_caller_again(kazoo, leg, "*3102")
    await wait_for_state(hass, "sensor.3102_parked_call", "parked")
    assert state_object(hass, "sensor.3102_parked_call").attributes["caller_id_name"] == "Courier"
    kazoo_features.abandon(kazoo, "*3102")
    await wait_for_state(hass, "sensor.3102_parked_call", "empty")
    # Events alone: the slots were not read again.
    assert sum(r.path.endswith("/parked_calls") for r in simulator.requests) == reads


def test_slots_come_from_park_patterns_with_a_capture_group() -> None:
    slots = ParkSlots()
    slots.learn(
        [
            KazooCallflow(id="a", numbers=("*4",), patterns=(), modules=("park",)),
            KazooCallflow(id="b", numbers=(), patterns=(r"^\*3([0-9]*)$",), modules=("park",)),
            KazooCallflow(id="c", numbers=(), patterns=(r"^(\d{4})$",), modules=("user",)),
            KazooCallflow(id="d", numbers=(), patterns=(r"^*(bad$",), modules=("park",)),
        ]
    )
    assert slots.slot_of("*3101") == "101"
    assert slots.slot_of("*3") is None  # no slot: Kazoo picks the next free one
    assert slots.slot_of("*4") is None
    assert slots.slot_of("1001") is None
    assert not slots.watches_any(["1001", "*4"])
    # An attended park still talks to the parker: the slot is not parked yet.
    slots.polled(
        [
            KazooParkedCall(
                slot="101",
                call_id="x",
                caller_id_name="A",
                caller_id_number="1",
                presence_user="*3101",
                attended=True,
            )
        ]
    )
    assert slots._parked == {}


def test_a_repeated_park_event_changes_nothing() -> None:
    from custom_components.pbx_presence.backends.snapshot import (  # noqa: PLC0415
        Presentity,
        PresentityKind,
        Snapshot,
    )
    from custom_components.pbx_presence.pbx.kazoo import KazooParkEvent  # noqa: PLC0415

    slots = ParkSlots()
    other = Presentity(
        key="extension_1099", kind=PresentityKind.EXTENSION, name="1099", server_id="1099"
    )
    snapshot = Snapshot({other.key: other})
    assert slots.decorate(snapshot) is snapshot  # no park callflow: nothing to show
    slots.learn([KazooCallflow(id="b", numbers=(), patterns=(r"^\*3(\d+)$",), modules=("park",))])
    assert slots.decorate(snapshot) is snapshot  # 1099 parks nothing
    parked = KazooParkEvent(
        event="PARK_PARKED", slot="101", call_id="c1", caller_id_name="A", caller_id_number="1"
    )
    assert slots.apply(parked)
    assert not slots.apply(parked)  # Blackhole may deliver it twice
    retrieved = KazooParkEvent(
        event="PARK_RETRIEVED", slot="101", call_id="c2", caller_id_name="B", caller_id_number="2"
    )
    assert slots.apply(retrieved)
    assert not slots.apply(retrieved)  # cf_park sends it from both calls
