"""iSymphony call state: licensed users' extensions' call segments, polled (no call event).

An iSymphony-only site (FreePBX) gets the Call state sensor, its device conditions and
voice for its licensed users, at one request per extension per poll.
"""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, intent
from homeassistant.helpers.entity_registry import RegistryEntryDisabler
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pbx_presence.backends.isymphony import adapter as isymphony_adapter
from custom_components.pbx_presence.backends.isymphony.adapter import SCAN_INTERVAL
from custom_components.pbx_presence.backends.isymphony.calls import (
    EXTENSIONS_RECHECK_INTERVAL,
)
from custom_components.pbx_presence.voice import INTENT_GET_CALL_STATE, INTENT_LIST_CALLS
from simulator import DEMO_CORE_SERVER_ID, Simulator

from .conftest import async_poll, setup_entry, state_object, state_of
from .test_blueprints import _use as use_blueprint, blueprint_config  # noqa: F401
from .test_live import ISYMPHONY_LIVE, setup_live, wait_for_state, wait_until

# The demo's licensed users with an extension (Lukas, 1009, is a lite user).
LICENSED_EXTENSIONS = 11


def segment_reads(sim: Simulator) -> list[str]:
    """The extensions whose call segments were read, in order."""
    return [r.path.split("/")[-2] for r in sim.requests if r.path.endswith("/callSegments")]


async def test_call_state_from_call_segments(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """Ben talks to a customer, Carla has a call on hold, Anna is free."""
    ben = state_object(hass, "sensor.ben_carter_call_state")
    assert ben.state == "busy"
    assert ben.attributes["direction"] == "incoming"
    assert ben.attributes["caller_id_name"] == "Acme Supplies"
    assert ben.attributes["caller_id_number"] == "+15557654321"
    assert ben.attributes["on_hold"] is False
    carla = state_object(hass, "sensor.carla_rossi_call_state")
    assert carla.state == "busy"
    assert carla.attributes["direction"] == "outgoing"
    assert carla.attributes["destination"] == "+15559876543"
    assert carla.attributes["on_hold"] is True
    assert "caller_id_name" not in carla.attributes
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "idle"
    # Lite users show no call state ("Lite users will not show call or presence state").
    assert hass.states.get("sensor.lukas_novak_call_state") is None
    assert "1009" not in segment_reads(simulator)
    entry = er.async_get(hass).async_get("sensor.ben_carter_call_state")
    assert entry is not None
    assert entry.unique_id == f"{DEMO_CORE_SERVER_ID}_panel_user_ben_call_state"


async def test_calls_are_polled_at_one_request_per_extension(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    state = simulator.isymphony
    assert sorted(segment_reads(simulator)) == sorted(
        number
        for number in (f"10{n:02d}" for n in range(1, 13))
        if number != "1009"  # Lukas's: not licensed
    )
    extension_lists = sum(1 for r in simulator.requests if r.path.endswith("/extensions"))
    assert extension_lists == LICENSED_EXTENSIONS
    simulator.requests.clear()

    segment = state.start_call("1001", incoming=True, caller_name="Ben", caller_number="1002")
    await async_poll(hass, freezer, SCAN_INTERVAL)
    anna = state_object(hass, "sensor.anna_schmidt_call_state")
    assert anna.state == "busy"
    assert anna.attributes["caller_id_name"] == "Ben"
    # One request per extension; which extensions a user has is not read again yet.
    assert len(segment_reads(simulator)) == LICENSED_EXTENSIONS
    assert not [r for r in simulator.requests if r.path.endswith("/extensions")]

    state.end_call(segment["id"])
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "idle"

    # A new extension of Anna's is read within the recheck interval.
    state.add_extension("1099", "Anna Schmidt mobile", user="anna")
    state.start_call("1099", incoming=False, caller_number="+4930123456", external=True)
    await async_poll(hass, freezer, EXTENSIONS_RECHECK_INTERVAL)
    anna = state_object(hass, "sensor.anna_schmidt_call_state")
    assert anna.state == "busy"
    assert anna.attributes["destination"] == "+4930123456"


async def test_an_extension_that_cannot_be_read_costs_its_user_only(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A licence removed: segments answer 403, and call state is unknown, nothing else."""
    simulator.isymphony.license_installed = False
    await async_poll(hass, freezer, SCAN_INTERVAL)
    coordinator = init_isymphony.runtime_data
    assert coordinator.last_update_success
    assert coordinator.data.presentities["panel_user_ben"].call_state is None
    assert state_of(hass, "sensor.ben_carter_call_state") == "unavailable"
    assert state_of(hass, "binary_sensor.ben_carter_logged_into_panel") == "off"


async def test_the_polled_call_state_steps_aside_for_kazoos(
    hass: HomeAssistant, init_both: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """A person on both servers: Kazoo's live call state shows, iSymphony's is off."""
    _, isymphony = init_both
    entities = er.async_get(hass)
    ours = [
        e
        for e in er.async_entries_for_config_entry(entities, isymphony.entry_id)
        if e.translation_key == "call_state"
    ]
    assert ours
    assert {e.disabled_by for e in ours} == {RegistryEntryDisabler.INTEGRATION}
    assert state_of(hass, "sensor.ben_carter_call_state") == "busy"  # Kazoo's


async def test_the_polled_call_state_steps_aside_when_kazoo_comes_later(
    hass: HomeAssistant,
    init_isymphony: MockConfigEntry,
    kazoo_entry: MockConfigEntry,
) -> None:
    """iSymphony added first: once Kazoo's people join, its call state sensors turn off."""
    entities = er.async_get(hass)
    assert entities.async_get("sensor.ben_carter_call_state").disabled_by is None
    await setup_entry(hass, kazoo_entry)

    ours = [
        e
        for e in er.async_entries_for_config_entry(entities, init_isymphony.entry_id)
        if e.translation_key == "call_state"
    ]
    assert ours
    assert {e.disabled_by for e in ours} == {RegistryEntryDisabler.INTEGRATION}
    # Kazoo's own call state, on the same device, shows.
    assert state_of(hass, "sensor.ben_carter_call_state_2") == "busy"
    statuses = er.async_entries_for_config_entry(entities, init_isymphony.entry_id)
    assert all(e.disabled_by is None for e in statuses if e.translation_key == "status")


async def test_voice_answers_from_isymphony_call_state(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """'Is Ben on the phone' on a site with iSymphony only."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()

    async def handle(intent_type: str, **slots: str) -> str:
        response = await intent.async_handle(
            hass, "test", intent_type, {key: {"value": value} for key, value in slots.items()}
        )
        speech: str = response.speech["plain"]["speech"]
        return speech

    assert (await handle(INTENT_GET_CALL_STATE, name="Ben", state="busy")).startswith(
        "Yes, Ben Carter is on a call."
    )
    assert await handle(INTENT_GET_CALL_STATE, name="Anna") == (
        "Anna Schmidt is not on the phone. Anna Schmidt is available."
    )
    assert await handle(INTENT_LIST_CALLS) == "Ben Carter and Carla Rossi are on a call."


@pytest.fixture
def fast_activity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls and agents are read every 0.1 s between events (instead of every 15 s)."""
    monkeypatch.setattr(isymphony_adapter, "ACTIVITY_INTERVAL", timedelta(seconds=0.1))


@pytest.mark.usefixtures("fast_activity")
async def test_live_calls_are_polled_between_events(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """While the socket is up, calls are read at the normal pace, statuses are not."""
    await setup_live(hass, simulator, isymphony_entry)
    status_reads = sum(1 for r in simulator.requests if r.path.endswith("/status"))

    segment = simulator.isymphony.start_call("1001", incoming=True, caller_number="+4940999")
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "busy")
    simulator.isymphony.end_call(segment["id"])
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "idle")

    assert sum(1 for r in simulator.requests if r.path.endswith("/status")) == status_reads


async def test_diagnostics_say_how_calls_are_read(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_isymphony: MockConfigEntry,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_isymphony)
    calls = diagnostics["adapter"]["calls"]
    assert calls == {
        "source": "call_segments_polled",
        "ringing_known": False,
        "extensions_polled": LICENSED_EXTENSIONS,
        "unreadable_extensions": [],
    }


@pytest.mark.usefixtures("blueprint_config")
async def test_the_on_air_light_on_an_isymphony_only_site(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The on-air blueprint with iSymphony's Call state: on during a call, off after it."""
    turn_on = async_mock_service(hass, "light", "turn_on")
    turn_off = async_mock_service(hass, "light", "turn_off")
    await use_blueprint(
        hass,
        "on_air_light.yaml",
        {"call_state": "sensor.anna_schmidt_call_state", "light": {"entity_id": "light.on_air"}},
    )
    segment = simulator.isymphony.start_call("1001", incoming=True, caller_number="+4940999")
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert (len(turn_on), len(turn_off)) == (1, 0)
    assert turn_on[0].data["entity_id"] == ["light.on_air"]

    simulator.isymphony.end_call(segment["id"])
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert (len(turn_on), len(turn_off)) == (1, 1)
    assert turn_off[0].data["entity_id"] == ["light.on_air"]


@pytest.mark.parametrize(
    ("path", "entity_id", "state", "read_again"),
    [
        # Which extensions Ben has is read again only with the next recheck.
        (
            "/users/getByName/ben/extensions",
            "sensor.ben_carter_call_state",
            "busy",
            EXTENSIONS_RECHECK_INTERVAL,
        ),
        # Anna's panel sessions, not known yet, are read with the next poll.
        (
            "/users/getByName/anna/logins",
            "binary_sensor.anna_schmidt_logged_into_panel",
            STATE_ON,
            SCAN_INTERVAL,
        ),
    ],
)
async def test_a_users_list_that_fails_once_costs_that_users_part_only(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    path: str,
    entity_id: str,
    state: str,
    read_again: timedelta,
) -> None:
    """A user's extension list or logins fail once: that entity waits, nothing else."""
    simulator.faults.add("status", path_contains=path, status=500)
    await setup_entry(hass, isymphony_entry)
    assert hass.states.get(entity_id) is None
    assert state_of(hass, "sensor.carla_rossi_call_state") == "busy"
    assert state_of(hass, "binary_sensor.emma_johnson_logged_into_panel") == STATE_ON

    await async_poll(hass, freezer, read_again)
    assert state_of(hass, entity_id) == state


@pytest.mark.parametrize(("kind", "status"), [("malformed", 200), ("status", 404), ("status", 500)])
async def test_an_extension_whose_segments_cannot_be_read_costs_that_call_only(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kind: str,
    status: int,
) -> None:
    """Ben's extension answers garbage, 'not found' or an error: his call state is unknown."""
    fault = simulator.faults.add(
        kind,  # type: ignore[arg-type]
        count=None,
        path_contains="/extensions/getByName/1002/callSegments",
        status=status,
    )
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert state_of(hass, "sensor.ben_carter_call_state") == "unavailable"
    assert state_of(hass, "sensor.carla_rossi_call_state") == "busy"
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_isymphony)
    assert diagnostics["adapter"]["calls"]["unreadable_extensions"] == ["1002"]

    fault.remaining = 0
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert state_of(hass, "sensor.ben_carter_call_state") == "busy"


async def test_an_outgoing_call_that_shows_the_users_own_number_names_no_destination(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The docs do not say whose caller ID an outgoing segment has: Anna's own is not shown."""
    simulator.isymphony.start_call("1001", incoming=False, caller_number="1001")
    await async_poll(hass, freezer, SCAN_INTERVAL)
    anna = state_object(hass, "sensor.anna_schmidt_call_state")
    assert anna.state == "busy"
    assert anna.attributes["direction"] == "outgoing"
    assert "destination" not in anna.attributes


@pytest.mark.usefixtures("fast_activity")
async def test_a_failed_read_between_events_is_tried_again(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The REST side drops requests for a while, the socket stays up: the next read shows."""
    await setup_live(hass, simulator, isymphony_entry)
    caplog.set_level(logging.DEBUG, "custom_components.pbx_presence.backends.isymphony")
    connections = simulator.isymphony_events.hub.connections

    fault = simulator.faults.add("drop", count=None, path_contains="/callSegments")
    simulator.isymphony.start_call("1001", incoming=True, caller_number="+4940999")
    await wait_until(lambda: "Reading iSymphony calls and agents failed" in caplog.text)
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "idle"

    fault.remaining = 0
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "busy")
    assert state_of(hass, ISYMPHONY_LIVE) == STATE_ON
    assert simulator.isymphony_events.hub.connections == connections
