"""iSymphony as its docs leave it open: odd replies, 403 for a password, the Config API."""

from __future__ import annotations

from collections.abc import Callable

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends import ServerType
from custom_components.pbx_presence.backends.isymphony.adapter import (
    LICENSE_RECHECK_INTERVAL,
    SCAN_INTERVAL as ISYMPHONY_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from simulator import DEMO_CORE_SERVER_ID, Simulator

from .conftest import async_poll, isymphony_entry_data, setup_entry, state_of
from .test_config_flow import isymphony_input, start, submit


@pytest.mark.parametrize(
    "odd",
    ["null", "empty_object", "empty_body", "unknown_type", "null_type", "http_400", "http_500"],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_one_users_odd_status_costs_that_user_only(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    odd: str,
) -> None:
    """Ben's status cannot be read: his status is unknown, everyone else's is shown."""
    simulator.isymphony.user("ben")["odd_status"] = odd
    await setup_entry(hass, isymphony_entry)

    assert state_of(hass, "sensor.ben_carter_status") == STATE_UNKNOWN
    assert state_of(hass, "sensor.ben_carter_status_name") == STATE_UNKNOWN
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"
    assert state_of(hass, "sensor.carla_rossi_status") == "dnd"
    assert isymphony_entry.runtime_data.last_update_success
    assert not isymphony_entry.runtime_data.data.unlicensed

    # Said once, not on every poll.
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert caplog.text.count("The status of iSymphony user ben cannot be read") == 1

    # Once it reads again, it shows.
    simulator.isymphony.user("ben")["odd_status"] = None
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert state_of(hass, "sensor.ben_carter_status") == "away"


async def test_403_after_a_password_change_asks_to_reauthenticate(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Some versions answer a wrong password with 403: that leads to re-authentication."""
    simulator.isymphony.wrong_password_status = 403
    simulator.isymphony.password = "changed-on-the-server"

    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_html_error_pages_never_reach_the_ui(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An odd status behind an HTML error page: the log names the reason, not the markup."""
    simulator.isymphony.html_errors = True
    simulator.isymphony.user("ben")["odd_status"] = "http_500"
    await setup_entry(hass, isymphony_entry)

    assert "Internal Server Error" in caplog.text
    assert "<h1>" not in caplog.text


async def test_entry_keyed_by_slug_moves_to_the_stable_id_keeping_its_entities(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """An entry from before the Config API was used keeps its entity ids when it moves."""
    simulator.isymphony.config_api = False  # as the entry was made
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="iSymphony default",
        unique_id="default",
        data=isymphony_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)
    entities = er.async_get(hass)
    before = {
        e.entity_id: e.id for e in er.async_entries_for_config_entry(entities, entry.entry_id)
    }
    assert entities.async_get("sensor.anna_schmidt_status").unique_id.startswith("default_")

    simulator.isymphony.config_api = True  # the server is updated, or the integration is
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.unique_id == DEMO_CORE_SERVER_ID
    after = {e.entity_id: e.id for e in er.async_entries_for_config_entry(entities, entry.entry_id)}
    assert after == before  # same registry entries: same entity ids, same history
    status = entities.async_get("sensor.anna_schmidt_status")
    assert status.unique_id == f"{DEMO_CORE_SERVER_ID}_panel_user_anna_status"
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"
    devices = dr.async_get(hass)
    assert devices.async_get_device({(DOMAIN, f"{DEMO_CORE_SERVER_ID}_panel_user_anna")})
    assert devices.async_get_device({(DOMAIN, DEMO_CORE_SERVER_ID)})
    assert not devices.async_get_device({(DOMAIN, "default_panel_user_anna")})


async def test_licences_come_from_the_config_api(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With the `full` flags, unlicensed users are never probed with a status request."""
    await async_poll(hass, freezer, LICENSE_RECHECK_INTERVAL)

    probed = {r.path.split("/")[-2] for r in simulator.requests if r.path.endswith("/status")}
    assert "lukas" not in probed  # unlicensed in the demo
    assert "anna" in probed
    assert hass.states.get("sensor.lukas_novak_status") is None


async def test_without_the_config_api_unlicensed_users_are_probed(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
) -> None:
    """An older server: who is licensed is learnt from each user's 403, as before."""
    simulator.isymphony.config_api = False
    isymphony_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(isymphony_entry, unique_id="default")
    await setup_entry(hass, isymphony_entry)

    probed = {r.path.split("/")[-2] for r in simulator.requests if r.path.endswith("/status")}
    assert "lukas" in probed
    assert hass.states.get("sensor.lukas_novak_status") is None
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"


async def test_the_config_api_of_the_api_resource_family_is_used(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """A server with only `api/resource/...getBySlug` (as FreePBX's module uses it).

    It still gives the stable core-server id and the licence flags: unlicensed users are
    not probed, and the entry keeps its stable unique id.
    """
    simulator.isymphony.config_api_family = "resource"
    await setup_entry(hass, isymphony_entry)

    assert isymphony_entry.unique_id == DEMO_CORE_SERVER_ID
    paths = [r.path for r in simulator.requests]
    assert "/communication_manager/api/resource/server/coreServers/getBySlug/default" in paths
    assert any(p.startswith("/communication_manager/api/resource/core/") for p in paths)
    probed = {p.split("/")[-2] for p in paths if p.endswith("/status")}
    assert "lukas" not in probed  # unlicensed, known from the `full` flags
    assert "anna" in probed
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"


def _live_api_only_and_no_licence(sim: Simulator) -> None:
    sim.isymphony.config_api = False
    sim.isymphony.license_installed = False


def _live_api_only_and_odd_statuses(sim: Simulator) -> None:
    sim.isymphony.config_api = False
    for user in sim.isymphony.core_server("default")["users"].values():
        user["odd_status"] = "http_500"


def _config_users_fail(sim: Simulator) -> None:
    sim.faults.add("status", count=None, path_contains="/rest/config/core/", status=500)


@pytest.mark.parametrize(
    ("prepare", "errors"),
    [
        (_live_api_only_and_no_licence, {"base": "no_license"}),
        # A status that cannot be read is still a licensed user's: the entry is made.
        (_live_api_only_and_odd_statuses, None),
        # The Config API names the core server but fails on its users: statuses tell.
        (_config_users_fail, None),
    ],
)
async def test_adding_a_server_without_licence_flags_asks_the_statuses(
    hass: HomeAssistant,
    simulator: Simulator,
    prepare: Callable[[Simulator], None],
    errors: dict[str, str] | None,
) -> None:
    prepare(simulator)
    result = await start(hass, ServerType.ISYMPHONY)
    simulator.requests.clear()

    result = await submit(hass, result, isymphony_input(simulator))

    assert result.get("errors") == errors
    expected = FlowResultType.FORM if errors else FlowResultType.CREATE_ENTRY
    assert result["type"] is expected
    assert any(r.path.endswith("/status") for r in simulator.requests)
