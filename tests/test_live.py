"""Live updates through Home Assistant: events reach states with no poll in between.

These tests let real time pass (no clock is frozen or moved): polls run only at the
safety pace of minutes while a socket is up, so a state that changes within seconds
changed by push. The simulator's request log proves that no poll ran meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pbx_presence import coordinator as coordinator_module
from custom_components.pbx_presence.backends.isymphony.adapter import (
    SAFETY_SCAN_INTERVAL as ISYMPHONY_SAFETY_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.adapter import (
    SAFETY_SCAN_INTERVAL as KAZOO_SAFETY_SCAN_INTERVAL,
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import CONF_ACCOUNT_NAME, CONF_WEBSOCKET_URL, DOMAIN
from simulator import DEMO_CORE_SERVER_ID, Simulator

from .conftest import (
    KAZOO_ACCOUNT,
    KAZOO_PASSWORD,
    KAZOO_USERNAME,
    isymphony_entry_data,
    kazoo_device_id,
    kazoo_entry_data,
    kazoo_user_id,
    open_sockets,
    setup_entry,
    state_of,
)

KAZOO_LIVE = "binary_sensor.acme_live_updates"
ISYMPHONY_LIVE = "binary_sensor.isymphony_default_live_updates"


async def wait_for_state(hass: HomeAssistant, entity_id: str, state: str) -> None:
    """Let real time pass until an entity shows `state` (fails after a few seconds)."""
    reached = asyncio.Event()

    @callback
    def check(_event: object = None) -> None:
        if (current := hass.states.get(entity_id)) is not None and current.state == state:
            reached.set()

    check()
    unsubscribe = async_track_state_change_event(hass, entity_id, check)
    try:
        async with asyncio.timeout(5):
            await reached.wait()
    except TimeoutError:
        raise AssertionError(f"{entity_id} is {state_of(hass, entity_id)}, not {state}") from None
    finally:
        unsubscribe()


def polls(sim: Simulator, path_end: str) -> int:
    """How many requests for this kind of poll the simulator received."""
    return sum(1 for request in sim.requests if request.path.endswith(path_end))


async def setup_live(hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry) -> None:
    """Set up an entry whose server's sockets are reachable, and wait until it listens."""
    open_sockets(sim)
    await setup_entry(hass, entry)
    live = KAZOO_LIVE if "acme" in entry.title else ISYMPHONY_LIVE
    await wait_for_state(hass, live, STATE_ON)


async def test_a_call_reaches_home_assistant_as_it_happens(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    await setup_live(hass, simulator, kazoo_entry)
    coordinator = kazoo_entry.runtime_data
    assert coordinator.update_interval == KAZOO_SAFETY_SCAN_INTERVAL
    channel_reads = polls(simulator, "/channels")
    kazoo = simulator.kazoo

    caller_leg, callee_leg = kazoo.start_internal_call(
        kazoo_device_id(simulator, "Felix Wagner desk phone"),
        kazoo_device_id(simulator, "Anna Schmidt desk phone"),
    )
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "ringing")
    # Only the callee rings; the caller is busy from the first moment.
    assert state_of(hass, "sensor.felix_wagner_call_state") == "busy"
    assert state_of(hass, "sensor.anna_schmidt_desk_phone_call_state") == "ringing"
    ringing = hass.states.get("event.anna_schmidt_call")
    assert ringing is not None
    assert ringing.attributes["event_type"] == "ringing"

    kazoo.answer(callee_leg)
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "busy")

    kazoo.hangup(caller_leg)
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "idle")
    await wait_for_state(hass, "sensor.felix_wagner_call_state", "idle")
    ended = hass.states.get("event.anna_schmidt_call")
    assert ended is not None
    assert ended.attributes["event_type"] == "ended"

    assert polls(simulator, "/channels") == channel_reads  # no poll in between


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_status_reaches_home_assistant_as_it_changes(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    await setup_live(hass, simulator, isymphony_entry)
    assert isymphony_entry.runtime_data.update_interval == ISYMPHONY_SAFETY_SCAN_INTERVAL
    status_reads = polls(simulator, "/status")

    simulator.isymphony.set_status("david", name="Lunch", type="away", note="Back at 2")

    await wait_for_state(hass, "sensor.david_kim_status", "away")
    assert state_of(hass, "sensor.david_kim_status_name") == "Lunch"
    assert state_of(hass, "sensor.david_kim_status_note") == "Back at 2"
    assert state_of(hass, "select.david_kim_set_status") == "away"
    assert polls(simulator, "/status") == status_reads  # no status was read


async def test_a_user_unknown_to_the_last_poll_is_read(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """An event names users by live id: a new one makes the user list be read again."""
    await setup_live(hass, simulator, isymphony_entry)

    simulator.isymphony.add_user("zoe", "Zoe Adams", status={"type": "dnd"})

    await wait_for_state(hass, "sensor.zoe_adams_status", "dnd")


async def wait_until(check: Callable[[], bool]) -> None:
    """Let real time pass until `check` holds (the simulator has no event to wait on)."""
    async with asyncio.timeout(5):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_dropped_socket_reconnects_and_resyncs(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    await setup_live(hass, simulator, kazoo_entry)
    coordinator = kazoo_entry.runtime_data
    hub = simulator.blackhole.hub
    reads = polls(simulator, "/channels")

    hub.faults.refuse_status = 503  # the server restarts
    await hub.drop()
    await wait_for_state(hass, KAZOO_LIVE, STATE_OFF)
    # The entry polls at once, and then at the normal pace while the socket is down.
    await wait_until(lambda: polls(simulator, "/channels") == reads + 1)
    assert coordinator.update_interval == KAZOO_SCAN_INTERVAL

    # Meanwhile a call starts: no socket hears of it, and the next poll is seconds away.
    kazoo = simulator.kazoo
    leg = kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        destination="+15550002222",
        direction="inbound",
    )
    hub.faults.refuse_status = None  # back: the entry reconnects and reads what it missed
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "busy")
    assert state_of(hass, KAZOO_LIVE) == STATE_ON
    assert polls(simulator, "/channels") == reads + 2  # the resync
    assert coordinator.live.status.connections == 2
    assert coordinator.update_interval == KAZOO_SAFETY_SCAN_INTERVAL

    kazoo.hangup(leg)  # and events flow again
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "idle")


async def test_events_continue_after_the_token_expires(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Blackhole checks the token once per socket: a token that ends later stops nothing."""
    await setup_live(hass, simulator, kazoo_entry)
    simulator.kazoo.revoke_tokens()

    simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        destination="+15550003333",
        direction="inbound",
    )

    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "busy")


async def test_presence_bindings_bring_voicemail_counts(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Kazoo 5.x lists presence bindings: new voicemail arrives by push too."""
    simulator.kazoo.blackhole_version = "5"
    await setup_live(hass, simulator, kazoo_entry)
    before = int(state_of(hass, "sensor.anna_schmidt_new_voicemails"))
    anna = kazoo_user_id(simulator, "anna")
    box = next(i for i, box in simulator.kazoo.vmboxes.items() if box["owner_id"] == anna)

    simulator.kazoo.leave_voicemail(box, "+15550004444", "A caller")

    await wait_for_state(hass, "sensor.anna_schmidt_new_voicemails", str(before + 1))
    assert "mwi_updates.*" in kazoo_entry.runtime_data.backend.live_details()["subscribed"]


async def test_a_server_without_presence_bindings_still_gets_call_state(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Kazoo 4.3 (the default) has call and object bindings only."""
    await setup_live(hass, simulator, kazoo_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, kazoo_entry)
    live = diagnostics["live_updates"]
    assert live["connected"] is True
    assert live["presence_bindings"] is False
    assert live["url"] == simulator.blackhole_url
    assert "call.CHANNEL_CREATE.*" in live["subscribed"]
    assert not any(binding.startswith("mwi") for binding in live["subscribed"])

    simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        destination="1002",
        direction="outbound",
    )
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "ringing")


async def test_an_unreachable_socket_means_polling_not_an_error(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The simulator refuses the upgrade: the entry polls at the normal pace, no error."""
    assert init_kazoo.state is ConfigEntryState.LOADED
    assert state_of(hass, KAZOO_LIVE) == STATE_OFF
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "idle"
    assert init_kazoo.runtime_data.update_interval == KAZOO_SCAN_INTERVAL
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_kazoo)
    live = diagnostics["live_updates"]
    assert live["connected"] is False
    assert "404" in live["last_error"]
    assert not hass.config_entries.flow.async_progress()  # no reauth, no repair


async def test_the_websocket_url_is_set_by_reconfiguring(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Where the login names no Blackhole and port 5555 is not it, reconfigure points there."""
    open_sockets(simulator)
    simulator.kazoo.websocket_url_in_login = None
    await setup_entry(hass, kazoo_entry)
    assert state_of(hass, KAZOO_LIVE) == STATE_OFF
    before = dict(kazoo_entry.data)
    login = {CONF_URL: simulator.url, CONF_VERIFY_SSL: True, CONF_USERNAME: KAZOO_USERNAME}
    login |= {CONF_PASSWORD: KAZOO_PASSWORD, CONF_ACCOUNT_NAME: KAZOO_ACCOUNT}

    for wrong in ("http://127.0.0.1:5555", "ws://user:pw@127.0.0.1:5555", "ws://"):
        result = await kazoo_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**login, CONF_WEBSOCKET_URL: wrong}
        )
        assert result["errors"] == {CONF_WEBSOCKET_URL: "invalid_websocket_url"}
        hass.config_entries.flow.async_abort(result["flow_id"])
    assert dict(kazoo_entry.data) == before

    result = await kazoo_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**login, CONF_WEBSOCKET_URL: f" {simulator.blackhole_url} "}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()  # the entry reloads

    assert kazoo_entry.data[CONF_WEBSOCKET_URL] == simulator.blackhole_url
    assert CONF_WEBSOCKET_URL not in kazoo_entry.options
    await wait_for_state(hass, KAZOO_LIVE, STATE_ON)


async def test_an_older_entry_moves_its_websocket_url_option_into_its_data(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Entries from before 1.3 kept the websocket URL in their options."""
    open_sockets(simulator)
    simulator.kazoo.websocket_url_in_login = None
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=KAZOO_ACCOUNT,
        unique_id=simulator.kazoo.account_id,
        data=kazoo_entry_data(simulator),
        options={CONF_WEBSOCKET_URL: simulator.blackhole_url},
        version=1,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)

    assert entry.minor_version == 3
    assert entry.data[CONF_WEBSOCKET_URL] == simulator.blackhole_url
    assert CONF_WEBSOCKET_URL not in entry.options
    await wait_for_state(hass, KAZOO_LIVE, STATE_ON)


async def test_live_updates_keep_a_reverse_proxys_path_prefix(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Behind a proxy serving iSymphony under `/pbx`, REST and the event socket both work."""
    simulator.isymphony_path_prefix = "/pbx"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="iSymphony default",
        unique_id=DEMO_CORE_SERVER_ID,
        data=isymphony_entry_data(
            simulator, **{CONF_URL: f"{simulator.url}/pbx/communication_manager/rest"}
        ),
    )
    entry.add_to_hass(hass)
    await setup_live(hass, simulator, entry)

    simulator.isymphony.set_status("david", name="Lunch", type="away")
    await wait_for_state(hass, "sensor.david_kim_status", "away")
    assert any(r.path == "/pbx/communication_manager/ws/event" for r in simulator.requests)


async def test_late_events_of_an_ended_call_do_not_bring_it_back(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Blackhole may deliver an ANSWER after the DESTROY, or a DESTROY before the CREATE."""
    await setup_live(hass, simulator, kazoo_entry)
    kazoo = simulator.kazoo
    anna = "sensor.anna_schmidt_desk_phone_call_state"
    lena = "sensor.lena_fischer_desk_phone_call_state"
    max_ = "sensor.max_weber_desk_phone_call_state"

    kazoo.late_call_events = {"CHANNEL_ANSWER"}
    call = kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"), direction="outbound"
    )
    await wait_for_state(hass, anna, "ringing")
    kazoo.answer(call)  # its ANSWER is held back ...
    kazoo.hangup(call)  # ... until after the DESTROY

    kazoo.late_call_events = {"CHANNEL_CREATE"}
    short = kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Lena Fischer desk phone"), direction="outbound"
    )
    kazoo.hangup(short)  # the DESTROY, then the CREATE

    # Events of one socket arrive in order: once this call shows, the late ones were applied.
    kazoo.late_call_events = set()
    kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Max Weber desk phone"), direction="outbound"
    )
    await wait_for_state(hass, max_, "ringing")
    assert state_of(hass, anna) == "idle"
    assert state_of(hass, lena) == "idle"
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "idle"


async def test_pushed_calls_carry_the_other_party(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Call events name an outside caller, and an outgoing call's number is in `request`."""
    await setup_live(hass, simulator, kazoo_entry)
    kazoo = simulator.kazoo
    channel_reads = polls(simulator, "/channels")

    kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Lena Fischer desk phone"),
        direction="outbound",
        destination="1010",
        caller_id_name="Jane Doe",
        caller_id_number="+15550001111",
    )
    dialled = kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Max Weber desk phone"),
        direction="inbound",
        destination="+15550002222",
    )
    kazoo.answer(dialled)

    def answered() -> bool:
        state = hass.states.get("event.max_weber_call")
        return state is not None and state.attributes.get("event_type") == "answered"

    await wait_until(answered)
    await wait_for_state(hass, "sensor.lena_fischer_call_state", "ringing")

    lena = hass.states.get("event.lena_fischer_call")
    assert lena is not None
    assert lena.attributes["caller_id_name"] == "Jane Doe"
    assert lena.attributes["caller_id_number"] == "+15550001111"
    max_ = hass.states.get("event.max_weber_call")
    assert max_ is not None
    assert max_.attributes["direction"] == "outgoing"
    assert max_.attributes["destination"] == "+15550002222"
    assert polls(simulator, "/channels") == channel_reads  # pushed, not polled


async def test_a_refused_optional_binding_keeps_the_others(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """5.x lists presence bindings its Blackhole does not run, and a provider may run no
    `bh_object`: those are refused, call events still come, and diagnostics say so."""
    simulator.kazoo.blackhole_version = "5"
    simulator.blackhole.unloaded_modules = {"object", "presence"}
    await setup_live(hass, simulator, kazoo_entry)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, kazoo_entry)
    live = diagnostics["live_updates"]
    assert live["connected"] is True
    assert set(live["refused"]) == {
        "object.*.user",
        "object.*.device",
        "object.*.vmbox",
        "presence.mwi_updates.*",
        "presence.update.*",
    }
    assert all(
        reason.endswith("no available subscriptions to requested binding")
        for reason in live["refused"].values()
    )
    assert "call.CHANNEL_CREATE.*" in live["subscribed"]
    assert not any(binding.startswith("object.") for binding in live["subscribed"])

    simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        destination="1002",
        direction="outbound",
    )
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "ringing")


async def test_failed_safety_polls_do_not_hide_a_server_whose_events_arrive(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The socket is proof the server is alive: REST failing stays a blip while it is up."""
    # Three failed polls would do, however close together.
    monkeypatch.setattr(coordinator_module, "UNAVAILABLE_AFTER", timedelta(0))
    await setup_live(hass, simulator, kazoo_entry)
    coordinator = kazoo_entry.runtime_data
    simulator.faults.add("malformed", count=None, path_contains="/v2/")
    for _ in range(4):
        await coordinator.async_refresh()
    await hass.async_block_till_done()

    assert coordinator.failed_polls.count == 4
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "idle"
    simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        destination="1001",
        direction="outbound",
    )
    await wait_for_state(hass, "sensor.anna_schmidt_call_state", "ringing")
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, kazoo_entry)
    assert diagnostics["coordinator"]["failed_polls"]["server_alive_by_live_updates"] is True
    assert diagnostics["coordinator"]["failed_polls"]["showing_stale_data"] is True

    # Without the socket, the streak makes the entities unavailable.
    simulator.blackhole.hub.faults.refuse_status = 503
    await simulator.blackhole.hub.drop()
    await wait_for_state(hass, KAZOO_LIVE, STATE_OFF)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.anna_schmidt_call_state") == STATE_UNAVAILABLE


async def test_a_directory_change_reads_only_that_document(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Object events name the document (id, type): that one is read, not the directory."""
    await setup_live(hass, simulator, kazoo_entry)
    kazoo = simulator.kazoo
    simulator.requests.clear()

    nina = kazoo.add_user("nina", "nina-pass", "Nina", "Park", "1013")
    phone = kazoo.add_device("Nina desk phone", nina["id"], sip_username="user_1013a")
    await wait_for_state(hass, "sensor.nina_park_call_state", "idle")
    await wait_for_state(hass, "sensor.nina_desk_phone_call_state", "idle")

    paths = [request.path for request in simulator.requests if request.method == "GET"]
    assert any(path.endswith(f"/users/{nina['id']}") for path in paths)
    assert any(path.endswith(f"/devices/{phone['id']}") for path in paths)
    assert not any(path.endswith(("/users", "/devices")) for path in paths)  # no list

    # A deletion needs no request at all.
    simulator.requests.clear()
    kazoo.remove_device(phone["id"])
    # Events of one socket arrive in order: once this call shows, the deletion was heard.
    kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Max Weber desk phone"), direction="outbound"
    )
    await wait_for_state(hass, "sensor.max_weber_desk_phone_call_state", "ringing")
    coordinator = kazoo_entry.runtime_data
    await coordinator.async_refresh()  # the resync it asked for (not its debounce)
    assert f"phone_{phone['id']}" not in coordinator.data.presentities
    assert not any(
        request.path.endswith(("/devices", f"/devices/{phone['id']}"))
        for request in simulator.requests
    )
