"""iSymphony panel logins and queues, through Home Assistant against the simulator.

Logins: `U/logins` per user (polled) and `userLogin` / `userLogout` events. Queues:
`CS/queues` and each queue's agents (polled), `agentLogin` / `agentLogout` events; pauses
and device states have no event and are read between events.
"""

from __future__ import annotations

import asyncio

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pbx_presence.backends.isymphony.adapter import (
    LOGINS_INTERVAL,
    SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from simulator import DEMO_CORE_SERVER_ID, Simulator

from .conftest import async_poll, setup_entry, state_object, state_of
from .test_isymphony_calls import fast_activity  # noqa: F401
from .test_live import polls, setup_live, wait_for_state

USER_LIST = "/coreServers/getByName/default/users"


async def test_panel_logins_are_polled(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Anna, Carla and Emma (twice) have the panel open; lite users log in too."""
    assert state_of(hass, "binary_sensor.anna_schmidt_logged_into_panel") == STATE_ON
    assert state_of(hass, "binary_sensor.emma_johnson_logged_into_panel") == STATE_ON
    assert state_of(hass, "binary_sensor.ben_carter_logged_into_panel") == STATE_OFF
    assert state_of(hass, "binary_sensor.lukas_novak_logged_into_panel") == STATE_OFF
    entry = er.async_get(hass).async_get("binary_sensor.ben_carter_logged_into_panel")
    assert entry is not None
    assert entry.unique_id == f"{DEMO_CORE_SERVER_ID}_panel_user_ben_panel_login"
    assert entry.translation_key == "panel_login"

    login = simulator.isymphony.add_login("ben", "192.168.10.22", 51000)
    simulator.isymphony.add_login("lukas", "", 51001)
    # One request per user: not with every poll, at most once a minute.
    simulator.requests.clear()
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert not [r for r in simulator.requests if r.path.endswith("/logins")]
    assert state_of(hass, "binary_sensor.ben_carter_logged_into_panel") == STATE_OFF
    await async_poll(hass, freezer, LOGINS_INTERVAL)
    assert state_of(hass, "binary_sensor.ben_carter_logged_into_panel") == STATE_ON
    assert state_of(hass, "binary_sensor.lukas_novak_logged_into_panel") == STATE_ON
    assert len([r for r in simulator.requests if r.path.endswith("/logins")]) == 13

    simulator.isymphony.remove_login("ben", login["id"])
    await async_poll(hass, freezer, LOGINS_INTERVAL)
    assert state_of(hass, "binary_sensor.ben_carter_logged_into_panel") == STATE_OFF


async def test_panel_logins_arrive_as_events(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    await setup_live(hass, simulator, isymphony_entry)
    login_reads = polls(simulator, "/logins")
    state = simulator.isymphony

    login = state.add_login("ben", "192.168.10.22", 51000)
    await wait_for_state(hass, "binary_sensor.ben_carter_logged_into_panel", STATE_ON)
    state.remove_login("ben", login["id"])
    await wait_for_state(hass, "binary_sensor.ben_carter_logged_into_panel", STATE_OFF)
    # Emma has two sessions: closing one leaves her logged in.
    emma = state.user("emma")["logins"][0]["id"]
    state.remove_login("emma", emma)
    state.add_login("ben", "192.168.10.22", 51002)
    await wait_for_state(hass, "binary_sensor.ben_carter_logged_into_panel", STATE_ON)
    assert state_of(hass, "binary_sensor.emma_johnson_logged_into_panel") == STATE_ON

    assert polls(simulator, "/logins") == login_reads


async def test_queues_show_their_agents(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Support: Anna free, Emma on a call; Sales: Ben, paused."""
    support = state_object(hass, "sensor.support_agents_logged_in")
    assert support.state == "2"
    assert support.attributes["agents"] == [
        {"name": "Anna Schmidt", "paused": False, "state": "not_inuse"},
        {"name": "Emma Johnson", "paused": False, "state": "inuse"},
    ]
    assert state_of(hass, "sensor.support_available_agents") == "1"
    assert state_of(hass, "sensor.sales_agents_logged_in") == "1"
    assert state_of(hass, "sensor.sales_available_agents") == "0"
    entities = er.async_get(hass)
    paused = entities.async_get("sensor.sales_paused_agents")
    assert paused is not None
    assert paused.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    device = dr.async_get(hass).async_get_device({(DOMAIN, f"{DEMO_CORE_SERVER_ID}_queue_sales")})
    assert device is not None
    assert (device.name, device.model, device.model_id) == ("Sales", "Queue", "sales")

    state = simulator.isymphony
    anna = state.queue("support")["agents"][0]
    state.set_agent("support", anna["id"], paused=True)
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert state_of(hass, "sensor.support_available_agents") == "0"
    assert state_object(hass, "sensor.support_agents_logged_in").attributes["agents"][0] == {
        "name": "Anna Schmidt",
        "paused": True,
        "state": "not_inuse",
    }


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "fast_activity")
async def test_agents_arrive_as_events_and_pauses_are_read_between(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    await setup_live(hass, simulator, isymphony_entry)
    assert state_of(hass, "sensor.sales_paused_agents") == "1"
    state = simulator.isymphony
    user_lists = polls(simulator, USER_LIST)

    agent = state.agent_login("sales", "Felix Wagner", "1004")
    await wait_for_state(hass, "sensor.sales_agents_logged_in", "2")
    assert state_of(hass, "sensor.sales_available_agents") == "1"
    state.set_agent("sales", agent["id"], paused=True)  # no event: read between events
    await wait_for_state(hass, "sensor.sales_paused_agents", "2")
    state.agent_logout("sales", agent["id"])
    await wait_for_state(hass, "sensor.sales_agents_logged_in", "1")

    assert polls(simulator, USER_LIST) == user_lists  # no full poll for any of it

    # A queue the last poll did not know: the next poll reads it.
    state.add_queue("billing", "Billing")
    state.agent_login("billing", "Ben Carter", "1002")
    await wait_for_state(hass, "sensor.billing_agents_logged_in", "1")


async def test_a_queue_list_that_fails_once_keeps_the_queues(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A server error on `CS/queues` is no sign the queues went: devices and counts stay."""
    simulator.faults.add("status", path_contains="/default/queues", status=500)
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert not simulator.faults.active[0].remaining
    assert state_of(hass, "sensor.support_agents_logged_in") == "2"
    identifier = (DOMAIN, f"{DEMO_CORE_SERVER_ID}_queue_support")
    assert dr.async_get(hass).async_get_device({identifier}) is not None


async def test_a_server_without_queues_has_no_queue_sensors(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """A server that has no queues resource answers 404: no queues, everything else shown."""
    simulator.faults.add("status", count=None, path_contains="/default/queues", status=404)
    await setup_entry(hass, isymphony_entry)
    assert isymphony_entry.runtime_data.last_update_success
    assert hass.states.get("sensor.support_agents_logged_in") is None
    assert state_of(hass, "sensor.ben_carter_status") == "away"


@pytest.mark.usefixtures("fast_activity")
async def test_a_queue_whose_agents_cannot_be_read_shows_unknown_counts(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
) -> None:
    """Sales' agents answer an error: its counts are unknown, and an agent event waits."""
    await setup_live(hass, simulator, isymphony_entry)
    user_lists = polls(simulator, USER_LIST)
    fault = simulator.faults.add(
        "status", count=None, path_contains="/queues/getByName/sales/agents", status=500
    )
    await wait_for_state(hass, "sensor.sales_agents_logged_in", STATE_UNKNOWN)
    assert state_of(hass, "sensor.support_agents_logged_in") == "2"
    assert "agents" not in state_object(hass, "sensor.sales_agents_logged_in").attributes
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, isymphony_entry)
    assert diagnostics["adapter"]["unreadable_queues"] == ["sales"]

    # An agent logs in meanwhile: not counted on top of agents nobody knows.
    simulator.isymphony.agent_login("sales", "Felix Wagner", "1004")
    await asyncio.sleep(0.3)
    assert state_of(hass, "sensor.sales_agents_logged_in") == STATE_UNKNOWN

    fault.remaining = 0
    await wait_for_state(hass, "sensor.sales_agents_logged_in", "2")
    assert polls(simulator, USER_LIST) == user_lists  # no full poll for any of it


async def test_a_user_removed_and_made_again_starts_afresh(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nothing of a removed user outlives it: not Emma's sessions, not Lukas's missing licence.

    Without the Config API, a lite user is asked again only every 30 minutes; made again
    as a full user, Lukas shows his status with the next poll.
    """
    state = simulator.isymphony
    state.config_api = False
    isymphony_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(isymphony_entry, unique_id="default")
    await setup_entry(hass, isymphony_entry)
    assert state_of(hass, "binary_sensor.emma_johnson_logged_into_panel") == STATE_ON
    assert hass.states.get("sensor.lukas_novak_status") is None
    users = state.core_server("default")["users"]

    del users["emma"], users["lukas"]
    await async_poll(hass, freezer, SCAN_INTERVAL)
    state.add_user("emma", "Emma Johnson", status="away")
    state.add_user("lukas", "Lukas Novak", status="dnd")
    await async_poll(hass, freezer, SCAN_INTERVAL)

    assert state_of(hass, "binary_sensor.emma_johnson_logged_into_panel") == STATE_OFF
    assert state_of(hass, "sensor.lukas_novak_status") == "dnd"
