"""Event entities fire on what changes on the simulator, found by polls or writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.event import ATTR_EVENT_TYPE, ATTR_EVENT_TYPES
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN, SERVICE_SELECT_OPTION
from homeassistant.const import ATTR_ENTITY_ID, ATTR_OPTION, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.isymphony.adapter import (
    SCAN_INTERVAL as ISYMPHONY_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.snapshot import (
    CallDirection,
    CallInfo,
    CallState,
    Presentity,
    PresentityKind,
)
from custom_components.pbx_presence.changes import call_events
from simulator import Simulator

from .conftest import (
    async_poll,
    kazoo_device_id,
    kazoo_user_id,
    start_internal_call,
    state_object,
    state_of,
)

ANNA_CALL = "event.anna_schmidt_call"
ANNA_DESK_CALL = "event.anna_schmidt_desk_phone_call"
ANNA_STATUS = "event.anna_schmidt_status_change"


def _event(hass: HomeAssistant, entity_id: str) -> tuple[str, dict[str, Any]]:
    """The last event of an event entity: its type and its own attributes."""
    state = state_object(hass, entity_id)
    assert state.state not in (STATE_UNKNOWN, STATE_UNAVAILABLE), entity_id
    attributes = {
        key: value
        for key, value in state.attributes.items()
        if key not in (ATTR_EVENT_TYPE, ATTR_EVENT_TYPES, "friendly_name", "icon")
    }
    return state.attributes[ATTR_EVENT_TYPE], attributes


async def test_call_event_entities(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """Every user and phone has a call event entity with translated event types."""
    state = state_object(hass, ANNA_CALL)
    assert state.state == STATE_UNKNOWN  # nothing happened since setup
    assert state.attributes[ATTR_EVENT_TYPES] == ["ringing", "answered", "ended"]
    assert state.attributes["friendly_name"] == "Anna Schmidt Call"

    entities = er.async_get(hass)
    entry = entities.async_get(ANNA_CALL)
    assert entry is not None
    assert entry.translation_key == "call"
    account = simulator.kazoo.account_id
    assert entry.unique_id == f"{account}_user_{kazoo_user_id(simulator, 'anna')}_call"
    calls = [
        e
        for e in er.async_entries_for_config_entry(entities, init_kazoo.entry_id)
        if e.domain == "event"
    ]
    assert len(calls) == len(simulator.kazoo.users) + len(simulator.kazoo.devices)
    # Park slots take no calls of their own.
    assert hass.states.get("event.3101_call") is None


async def test_an_incoming_call_rings_is_answered_and_ends(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A call to Anna's desk phone fires ringing, answered and ended on her and the phone."""
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")

    # The switch places an outbound leg to the phone that is called.
    call = simulator.kazoo.start_call(device_id=desk, direction="outbound", destination="1001")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    for entity_id in (ANNA_CALL, ANNA_DESK_CALL):
        assert _event(hass, entity_id) == ("ringing", {"direction": "incoming"})
    assert state_of(hass, "event.anna_schmidt_softphone_call") == STATE_UNKNOWN
    ringing_at = state_of(hass, ANNA_CALL)

    # A poll without change fires nothing.
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_CALL) == ringing_at

    simulator.kazoo.answer(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _event(hass, ANNA_CALL) == ("answered", {"direction": "incoming"})
    assert state_of(hass, ANNA_CALL) != ringing_at

    await async_poll(hass, freezer, timedelta(minutes=2))
    simulator.kazoo.hangup(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    # Started four polls and two minutes before it ended; Kazoo counts whole seconds.
    expected = {"direction": "incoming", "answered": True, "duration": pytest.approx(140, abs=1)}
    assert _event(hass, ANNA_CALL) == ("ended", expected)
    assert _event(hass, ANNA_DESK_CALL) == ("ended", expected)


async def test_a_missed_call_ends_unanswered(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A call that stops ringing unanswered ends with answered false."""
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    call = simulator.kazoo.start_call(device_id=desk, direction="outbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    simulator.kazoo.hangup(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    event_type, attributes = _event(hass, ANNA_CALL)
    assert event_type == "ended"
    assert attributes["answered"] is False
    assert attributes["duration"] == pytest.approx(10, abs=1)  # started two polls before


async def test_an_internal_call_names_the_caller(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """When the caller's own leg is in the channel list, it names the caller."""
    kazoo = simulator.kazoo
    caller, callee = start_internal_call(simulator)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _event(hass, ANNA_DESK_CALL) == (
        "ringing",
        {"direction": "incoming", "caller_id_name": "Lobby phone", "caller_id_number": "1099"},
    )

    kazoo.answer(callee)
    kazoo.answer(caller)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    # The caller's side: an outgoing call to the number it dialled.
    assert _event(hass, "event.lobby_phone_call") == (
        "answered",
        {"direction": "outgoing", "destination": "1001"},
    )


async def test_an_outgoing_call_is_answered(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A call Anna places fires answered once the other side picks up, then ended."""
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    call = simulator.kazoo.start_call(
        device_id=desk, direction="inbound", destination="+15555550199"
    )
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    simulator.kazoo.answer(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _event(hass, ANNA_CALL) == (
        "answered",
        {"direction": "outgoing", "destination": "+15555550199"},
    )
    simulator.kazoo.hangup(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _event(hass, ANNA_CALL)[0] == "ended"


async def test_events_wait_for_the_server_to_come_back(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While the server is down the entity is unavailable; what changed fires once it is back."""
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    call = simulator.kazoo.start_call(device_id=desk, direction="outbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _event(hass, ANNA_CALL)[0] == "ringing"

    simulator.faults.add("status", count=None, status=500)
    for delta in (KAZOO_SCAN_INTERVAL, KAZOO_SCAN_INTERVAL, timedelta(minutes=1)):
        await async_poll(hass, freezer, delta)  # down for good: three polls over a minute
    assert state_of(hass, ANNA_CALL) == STATE_UNAVAILABLE
    simulator.kazoo.answer(call)
    simulator.kazoo.hangup(call)
    simulator.faults.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _event(hass, ANNA_CALL)[0] == "ended"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_status_change_events(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A status change on the panel fires changed with the old and new type and name."""
    state = state_object(hass, ANNA_STATUS)
    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_EVENT_TYPES] == ["changed"]
    assert state.attributes["friendly_name"] == "Anna Schmidt Status change"
    # Unlicensed users have no status, so no status events.
    assert hass.states.get("event.lukas_novak_status_change") is None

    simulator.isymphony.set_status("anna", name="Out to lunch", type="away")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert _event(hass, ANNA_STATUS) == (
        "changed",
        {
            "old_type": "available",
            "new_type": "away",
            "old_name": "Available",
            "new_name": "Out to lunch",
        },
    )
    changed_at = state_of(hass, ANNA_STATUS)

    # A new note alone is no status change.
    simulator.isymphony.set_status("anna", name="Out to lunch", type="away", note="Pizza")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert state_of(hass, "sensor.anna_schmidt_status_note") == "Pizza"
    assert state_of(hass, ANNA_STATUS) == changed_at


async def test_status_set_from_home_assistant_fires_at_once(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """Setting a status through the select fires the event without waiting for a poll."""
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: "select.anna_schmidt_set_status", ATTR_OPTION: "dnd"},
        blocking=True,
    )
    event_type, attributes = _event(hass, ANNA_STATUS)
    assert event_type == "changed"
    assert (attributes["old_type"], attributes["new_type"]) == ("available", "dnd")


def _phone(call: CallInfo | None) -> Presentity:
    return Presentity(
        key="phone_x",
        kind=PresentityKind.PHONE,
        name="X",
        server_id="x",
        call_state=CallState.IDLE if call is None else CallState.BUSY,
        call=call,
    )


def test_an_ended_call_without_a_start_time_has_no_duration() -> None:
    """Where the server gives no start time, the event says nothing about the duration."""
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    call = CallInfo(answered=True, direction=CallDirection.OUTGOING)
    (ended,) = call_events(_phone(call), _phone(None), now)
    assert ended.event_type == "ended"
    assert dict(ended.attributes) == {"direction": "outgoing", "answered": True}
    # A call that is already answered when first seen fires answered, not ringing.
    (answered,) = call_events(_phone(None), _phone(call), now)
    assert answered.event_type == "answered"


async def test_back_to_back_calls_end_one_and_ring_the_next(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Call A ends and call B rings within one poll: `ended` for A, `ringing` for B."""
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    fired: list[tuple[str, dict[str, Any]]] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None and state.state != STATE_UNKNOWN:
            fired.append((state.attributes[ATTR_EVENT_TYPE], dict(state.attributes)))

    unsubscribe = async_track_state_change_event(hass, ANNA_CALL, record)
    first = simulator.kazoo.start_call(device_id=desk, direction="outbound", destination="1001")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    simulator.kazoo.answer(first)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    simulator.kazoo.hangup(first)
    second = simulator.kazoo.start_call(device_id=desk, direction="outbound", destination="1001")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    simulator.kazoo.answer(second)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    unsubscribe()

    assert [kind for kind, _ in fired] == ["ringing", "answered", "ended", "ringing", "answered"]
    assert fired[2][1]["answered"] is True  # the first call's own data
    assert "duration" in fired[2][1]
    assert fired[3][1]["direction"] == "incoming"


async def test_a_call_from_outside_names_its_caller(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Channels (4.3.25+) carry the caller ID: an outside caller is named and numbered."""
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    simulator.kazoo.start_call(
        device_id=desk,
        direction="outbound",
        destination="1001",
        caller_id_name="Jane Doe",
        caller_id_number="+15550001111",
    )
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    expected = {
        "direction": "incoming",
        "caller_id_name": "Jane Doe",
        "caller_id_number": "+15550001111",
    }
    assert _event(hass, ANNA_CALL) == ("ringing", expected)
    assert _event(hass, ANNA_DESK_CALL) == ("ringing", expected)


async def test_a_caller_of_the_account_is_named_as_the_directory_names_it(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A caller ID of one of the account's phones names its user, not its SIP user name."""
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    # As through a ring group: the caller's own leg is not the one bridged to this one.
    simulator.kazoo.start_call(
        device_id=desk,
        direction="outbound",
        destination="1001",
        caller_id_name="user_1004a",
        caller_id_number="1004",
    )
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _event(hass, ANNA_CALL) == (
        "ringing",
        {"direction": "incoming", "caller_id_name": "Felix Wagner", "caller_id_number": "1004"},
    )


async def test_the_call_sensor_names_the_other_party(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While a call lasts, the call state sensor shows its caller (or the number dialled)."""
    anna = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    max_ = kazoo_device_id(simulator, "Max Weber desk phone")
    simulator.kazoo.start_call(
        device_id=anna,
        direction="outbound",
        destination="1001",
        caller_id_name="Jane Doe",
        caller_id_number="+15550001111",
    )
    dialled = simulator.kazoo.start_call(
        device_id=max_, direction="inbound", destination="+15550002222"
    )
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    ringing = state_object(hass, "sensor.anna_schmidt_call_state")
    assert ringing.state == "ringing"
    assert ringing.attributes["caller_id_name"] == "Jane Doe"
    assert ringing.attributes["caller_id_number"] == "+15550001111"
    assert ringing.attributes["direction"] == "incoming"
    calling = state_object(hass, "sensor.max_weber_desk_phone_call_state")
    assert calling.attributes["destination"] == "+15550002222"
    assert calling.attributes["direction"] == "outgoing"

    simulator.kazoo.hangup(dialled)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert "destination" not in state_object(hass, "sensor.max_weber_call_state").attributes
