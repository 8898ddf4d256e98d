"""Several core servers on one iSymphony server share one event socket (D1).

Every event carries the `coreServerId` of the core server that fired it. An entry follows
one core server: events of the others are dropped, without the full poll that an unknown
user id would otherwise cost each time.
"""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Simulator

from .test_live import polls, setup_live, wait_for_state, wait_until

# A full poll starts with this core server's live user list.
USER_LIST = "/coreServers/getByName/default/users"


def add_tenant(sim: Simulator) -> None:
    """A second core server with users of its own, one of them also called "anna"."""
    state = sim.isymphony
    state.add_core_server("tenant2")
    state.add_user("anna", "Anna Other", core_server="tenant2")
    state.add_user("otto", "Otto Other", core_server="tenant2")


async def setup(hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry) -> None:
    """Two core servers, the entry live on "default", and polls asked for run at once.

    Home Assistant waits 10 s between refreshes asked for: without that wait, every
    resync an event asks for shows in the request log within the test.
    """
    add_tenant(sim)
    await setup_live(hass, sim, entry)
    debouncer = entry.runtime_data._debounced_refresh
    assert debouncer is not None
    debouncer.cooldown = 0


async def settled() -> None:
    """Time for resyncs asked for to run (background tasks, not awaited by HA's helpers)."""
    await asyncio.sleep(0.3)


def tenant_activity(sim: Simulator, times: int) -> None:
    """Statuses and logins on the other core server."""
    for index in range(times):
        sim.isymphony.set_status("anna", name=f"Busy {index}", type="dnd", core_server="tenant2")
        sim.isymphony.add_login("otto", "10.1.1.1", 40000 + index, core_server="tenant2")


async def test_the_simulator_hosts_two_core_servers_on_one_socket(
    simulator: Simulator,
) -> None:
    add_tenant(simulator)
    seen: list[dict[str, object]] = []
    simulator.isymphony.event_listeners.append(seen.append)
    tenant_activity(simulator, 1)
    simulator.isymphony.set_status("anna", name="Lunch", type="away")
    origins = {event["coreServerId"] for event in seen}
    assert origins == {
        simulator.isymphony.core_servers["tenant2"]["id"],
        simulator.isymphony.core_servers["default"]["id"],
    }


async def test_events_of_another_core_server_are_dropped(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """Once one of its own users' events named this core server, others cost nothing."""
    await setup(hass, simulator, isymphony_entry)
    simulator.isymphony.set_status("david", name="Lunch", type="away")
    await wait_for_state(hass, "sensor.david_kim_status", "away")
    user_lists = polls(simulator, USER_LIST)

    tenant_activity(simulator, 3)
    simulator.isymphony.set_status("ben", name="Back", type="available")
    await wait_for_state(hass, "sensor.ben_carter_status", "available")
    await settled()

    assert polls(simulator, USER_LIST) == user_lists  # no resync
    # The other core server's "anna" is not this one's.
    assert hass.states.get("sensor.anna_schmidt_status").attributes.get("status_name") != "Busy 2"
    live = isymphony_entry.runtime_data.backend.live_details()
    assert live["other_core_server_events"] == 6
    assert live["core_server_known"] is True


async def test_an_unknown_core_server_costs_one_poll(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """Before this core server named itself, one poll shows the other's users are not ours."""
    await setup(hass, simulator, isymphony_entry)
    user_lists = polls(simulator, USER_LIST)

    simulator.isymphony.set_status("otto", name="Busy", type="dnd", core_server="tenant2")
    await wait_until(lambda: polls(simulator, USER_LIST) == user_lists + 1)
    await hass.async_block_till_done()
    tenant_activity(simulator, 3)
    simulator.isymphony.set_status("ben", name="Back", type="available")
    await wait_for_state(hass, "sensor.ben_carter_status", "available")
    await settled()

    assert polls(simulator, USER_LIST) == user_lists + 1
    live = isymphony_entry.runtime_data.backend.live_details()
    assert live["other_core_servers"] == 1


async def test_after_a_restart_the_core_server_is_learnt_again(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """A restart changes every live id and drops the socket; the entry follows the new ids."""
    await setup(hass, simulator, isymphony_entry)
    simulator.isymphony.set_status("david", name="Lunch", type="away")
    await wait_for_state(hass, "sensor.david_kim_status", "away")
    connections = simulator.isymphony_events.hub.connections

    simulator.isymphony.restart()
    await wait_until(lambda: simulator.isymphony_events.hub.connections > connections)
    await wait_until(lambda: isymphony_entry.runtime_data.live_vouches)
    await hass.async_block_till_done()

    simulator.isymphony.set_status("david", name="Meeting", type="dnd")
    await wait_for_state(hass, "sensor.david_kim_status", "dnd")
    tenant_activity(simulator, 1)
    simulator.isymphony.set_status("david", name="Back", type="available")
    await wait_for_state(hass, "sensor.david_kim_status", "available")
    user_lists = polls(simulator, USER_LIST)
    tenant_activity(simulator, 2)
    await settled()
    assert polls(simulator, USER_LIST) == user_lists
    assert isymphony_entry.runtime_data.backend.live_details()["core_server_known"] is True


async def test_an_agent_event_of_one_of_its_queues_names_this_core_server(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """A front-desk extension no user has logs into Support: the queue tells whose event."""
    await setup(hass, simulator, isymphony_entry)
    simulator.isymphony.add_extension("2000", "Front desk")
    simulator.isymphony.agent_login("support", "Front desk", "2000")
    await wait_for_state(hass, "sensor.support_agents_logged_in", "3")
    assert isymphony_entry.runtime_data.backend.live_details()["core_server_known"] is True
    user_lists = polls(simulator, USER_LIST)

    tenant_activity(simulator, 2)
    simulator.isymphony.set_status("ben", name="Back", type="available")
    await wait_for_state(hass, "sensor.ben_carter_status", "available")
    await settled()
    assert polls(simulator, USER_LIST) == user_lists


async def test_a_new_user_of_this_core_server_is_read_and_its_events_kept(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """A user made while live: one poll reads it, and this core server is not taken for another."""
    await setup(hass, simulator, isymphony_entry)
    simulator.isymphony.add_user("nina", "Nina Berg", status="away")
    await wait_for_state(hass, "sensor.nina_berg_status", "away")
    simulator.isymphony.set_status("nina", name="Back", type="available")
    await wait_for_state(hass, "sensor.nina_berg_status", "available")
    assert isymphony_entry.runtime_data.backend.live_details()["other_core_servers"] == 0
