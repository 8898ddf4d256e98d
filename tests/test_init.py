"""Setup, unload and failure behaviour of both server kinds, through Home Assistant."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pbx_presence.backends.base import REQUEST_TIMEOUT
from custom_components.pbx_presence.backends.isymphony.adapter import (
    SCAN_INTERVAL as ISYMPHONY_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.adapter import (
    DIRECTORY_REFRESH_INTERVAL,
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from simulator import DEMO_CORE_SERVER_ID as ISYMPHONY_ID, Simulator
from simulator.faults import FaultKind

from .conftest import (
    KAZOO_PASSWORD,
    async_poll,
    async_wait_for_polls,
    isymphony_entry_data,
    kazoo_entry_data,
    kazoo_user_id,
    setup_entry,
)


def _entity_id(hass: HomeAssistant, unique_id: str, platform: str = "sensor") -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


def _anna_call_state(hass: HomeAssistant, sim: Simulator) -> str:
    unique_id = f"{sim.kazoo.account_id}_user_{kazoo_user_id(sim, 'anna')}_call_state"
    return _entity_id(hass, unique_id)


async def test_kazoo_entry_sets_up_devices_and_unloads(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    assert init_kazoo.state is ConfigEntryState.LOADED
    devices = dr.async_get(hass)
    server = devices.async_get_device({(DOMAIN, simulator.kazoo.account_id)})
    assert server is not None
    assert server.entry_type is dr.DeviceEntryType.SERVICE
    anna = devices.async_get_device(
        {(DOMAIN, f"{simulator.kazoo.account_id}_user_{kazoo_user_id(simulator, 'anna')}")}
    )
    assert anna is not None
    assert anna.name == "Anna Schmidt"
    assert anna.via_device_id == server.id
    assert hass.states.get(_anna_call_state(hass, simulator)).state == "idle"

    assert await hass.config_entries.async_unload(init_kazoo.entry_id)
    assert init_kazoo.state is ConfigEntryState.NOT_LOADED


async def test_isymphony_entry_sets_up_without_auth_trouble_for_unlicensed_users(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    assert init_isymphony.state is ConfigEntryState.LOADED
    coordinator = init_isymphony.runtime_data
    lukas = coordinator.data.presentities["panel_user_lukas"]
    assert lukas.licensed is False
    assert lukas.status is None
    assert coordinator.data.presentities["panel_user_anna"].status is not None
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_no_licensed_user_raises_a_repair_issue(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulator.isymphony.license_installed = False
    await setup_entry(hass, isymphony_entry)

    issue_id = f"no_license_{isymphony_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert isymphony_entry.state is ConfigEntryState.LOADED

    simulator.isymphony.license_installed = True
    await async_poll(hass, freezer, timedelta(hours=1))
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_removing_an_entry_removes_its_repair_issues(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    simulator.isymphony.license_installed = False
    await setup_entry(hass, isymphony_entry)
    issue_id = f"no_license_{isymphony_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_remove(isymphony_entry.entry_id)
    await hass.async_block_till_done()

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_person_whose_blf_keys_never_light_gets_a_repair_issue(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Lukas and Sofia have no presence id: keys on 1009 and 1011 never light.

    Instead of two devices named 1009 and 1011 beside their user devices, a repair issue
    names them and what to set in Kazoo; it goes once Kazoo has their presence ids.
    """
    await setup_entry(hass, kazoo_entry)
    issue_id = f"unlit_blf_keys_{kazoo_entry.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert not issue.is_fixable
    assert issue.translation_key == "unlit_blf_keys"
    assert issue.translation_placeholders == {
        "server": kazoo_entry.title,
        "people": "- Lukas Novak: 1009 (user_1009a)\n- Sofia García: 1011 (user_1011a, user_1011b)",
    }
    account = simulator.kazoo.account_id
    devices = dr.async_get(hass)
    for number in ("1009", "1011"):
        assert devices.async_get_device({(DOMAIN, f"{account}_extension_{number}")}) is None
    assert hass.states.get("button.1009_reset_presence") is None
    assert hass.states.get("sensor.lukas_novak_call_state") is not None

    for username, number in (("lukas", "1009"), ("sofia", "1011")):
        simulator.kazoo.users[kazoo_user_id(simulator, username)]["presence_id"] = number
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("button.1009_reset_presence") is None  # Lukas's own now


async def test_the_unlit_keys_issue_goes_with_its_entry(
    hass: HomeAssistant, kazoo_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, kazoo_entry)
    issue_id = f"unlit_blf_keys_{kazoo_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_remove(kazoo_entry.entry_id)
    await hass.async_block_till_done()

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_server_down_at_setup_retries_later(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    simulator.faults.add("status", status=503, count=None)

    await hass.config_entries.async_setup(kazoo_entry.entry_id)
    await hass.async_block_till_done()

    assert kazoo_entry.state is ConfigEntryState.SETUP_RETRY


async def test_bad_credentials_at_setup_start_reauth(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=simulator.kazoo.account_id,
        data=kazoo_entry_data(simulator, credentials_hash="0" * 32),
    )
    entry.add_to_hass(hass)

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH


def _record_states(hass: HomeAssistant) -> list[tuple[str, str]]:
    """Every state this integration's entities take from now on, as (entity id, state)."""
    ours = {entry.entity_id for entry in er.async_get(hass).entities.values()}
    changes: list[tuple[str, str]] = []
    hass.bus.async_listen(
        EVENT_STATE_CHANGED,
        lambda event: (
            changes.append((event.data["entity_id"], event.data["new_state"].state))
            if event.data["entity_id"] in ours
            else None
        ),
    )
    return changes


async def _failed_polls(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entry: MockConfigEntry
) -> dict[str, Any]:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    failed: dict[str, Any] = diagnostics["coordinator"]["failed_polls"]
    return failed


@pytest.mark.parametrize(
    ("fault", "count", "error"),
    [
        # A Retry-After the client leaves to the coordinator (it retries short ones itself).
        ("rate_limit", 1, "rate_limited"),
        ("malformed", 1, "unknown"),
        # aiohttp sends a GET again once when a kept-alive connection drops.
        ("drop", 2, "cannot_connect"),
    ],
)
async def test_one_failed_poll_keeps_the_last_known_state(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    fault: FaultKind,
    count: int,
    error: str,
) -> None:
    """One 429, one unreadable reply or one dropped connection is no outage."""
    await setup_entry(hass, kazoo_entry)
    coordinator = kazoo_entry.runtime_data
    entity_id = _anna_call_state(hass, simulator)
    changes = _record_states(hass)
    simulator.faults.add(fault, count=count, path_contains="/channels", retry_after=60)
    poll_start = dt_util.utcnow() + KAZOO_SCAN_INTERVAL

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    assert any(r.path.endswith("/channels") for r in simulator.requests[-3:])
    assert simulator.faults.active[0].remaining == 0  # the fault did hit this poll
    assert changes == []
    assert hass.states.get(entity_id).state == "idle"
    assert await _failed_polls(hass, hass_client, kazoo_entry) == {
        "consecutive": 1,
        "last_error": error,
        "since": poll_start.isoformat(),
        "showing_stale_data": True,
        "server_alive_by_live_updates": False,
    }
    assert "Error fetching" not in caplog.text

    simulator.kazoo.start_call(user_id=kazoo_user_id(simulator, "anna"), direction="outbound")
    await async_poll(hass, freezer, timedelta(seconds=61))  # the one next poll, even after 429
    assert (entity_id, "ringing") in changes
    assert STATE_UNAVAILABLE not in {state for _, state in changes}
    assert not coordinator.shows_stale_data
    assert (await _failed_polls(hass, hass_client, kazoo_entry))["consecutive"] == 0
    assert "Error fetching" not in caplog.text
    assert "recovered" not in caplog.text


async def test_failures_shorter_than_a_minute_keep_the_state(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Many failed polls within a minute, or two failed polls a minute apart: no outage."""
    entity_id = _anna_call_state(hass, simulator)
    changes = _record_states(hass)
    fault = simulator.faults.add("status", status=503, count=None)

    for _ in range(11):  # 11 polls, 50 seconds
        await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert init_kazoo.runtime_data.failed_polls.count == 11
    fault.remaining = 0
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    fault.remaining = None
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    await async_poll(hass, freezer, timedelta(seconds=61))  # only one poll in between
    assert init_kazoo.runtime_data.failed_polls.count == 2
    assert hass.states.get(entity_id).state == "idle"
    assert changes == []

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)  # the third, over a minute
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE


async def test_server_down_later_is_unavailable_logged_once_and_recovers(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_entry(hass, kazoo_entry)
    entity_id = _anna_call_state(hass, simulator)
    changes = _record_states(hass)
    simulator.faults.add("status", status=500, count=None)
    first_failure = dt_util.utcnow() + KAZOO_SCAN_INTERVAL

    for _ in range(12):  # up to 55 seconds after the first failure
        await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert hass.states.get(entity_id).state == "idle"
    assert "Error fetching" not in caplog.text

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)  # a minute after the first
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    assert {state for _, state in changes} == {STATE_UNAVAILABLE}
    for _ in range(5):
        await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert caplog.text.count("Error fetching") == 1
    assert await _failed_polls(hass, hass_client, kazoo_entry) == {
        "consecutive": 18,
        "last_error": "unknown",
        "since": first_failure.isoformat(),
        "showing_stale_data": False,
        "server_alive_by_live_updates": False,
    }

    simulator.faults.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert hass.states.get(entity_id).state == "idle"
    assert caplog.text.count("data recovered") == 1
    assert caplog.text.count("Error fetching") == 1


async def test_bad_credentials_later_start_reauth_at_once(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No tolerance for a refused login: it will not get better by waiting."""
    entity_id = _anna_call_state(hass, simulator)
    simulator.faults.add("status", status=401, count=None)

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH


@pytest.mark.parametrize("fault", ["malformed", "drop"])
async def test_malformed_or_dropped_replies_never_escape(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    fault: FaultKind,
) -> None:
    simulator.faults.add(fault, count=None, path_contains="/channels")

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    await async_poll(hass, freezer, timedelta(minutes=1))

    assert not init_kazoo.runtime_data.last_update_success
    assert hass.states.get(_anna_call_state(hass, simulator)).state == STATE_UNAVAILABLE
    assert init_kazoo.state is ConfigEntryState.LOADED


async def _poll_into_a_hang(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: Simulator, delta: timedelta
) -> None:
    """Start a poll whose first request the server holds, then let the request time out."""
    fault = sim.faults.add("hang")
    freezer.tick(delta)
    async_fire_time_changed(hass)
    for _ in range(100_000):  # loop turns, not time: the clock stands still
        if fault.remaining == 0:
            break
        await asyncio.sleep(0)
    assert fault.remaining == 0, "the poll never reached the server"
    freezer.tick(timedelta(seconds=REQUEST_TIMEOUT))
    async_fire_time_changed(hass)
    await async_wait_for_polls(hass)


async def test_timeouts_and_refused_connections_are_told_apart(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_entry(hass, isymphony_entry)
    entity_id = _entity_id(hass, f"{ISYMPHONY_ID}_panel_user_anna_status")
    coordinator = isymphony_entry.runtime_data

    await _poll_into_a_hang(hass, freezer, simulator, ISYMPHONY_SCAN_INTERVAL)
    assert hass.states.get(entity_id).state == "available"
    assert (await _failed_polls(hass, hass_client, isymphony_entry))["last_error"] == (
        "timeout_connect"
    )
    for _ in range(2):  # three in a row, over a minute since the first
        await _poll_into_a_hang(hass, freezer, simulator, timedelta(seconds=30))
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    unavailable = "Error fetching pbx_presence iSymphony default data: The server did not answer"
    assert caplog.text.count(unavailable) == 1
    assert coordinator.failed_polls.last_error == "timeout_connect"

    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert hass.states.get(entity_id).state == "available"
    caplog.clear()
    await simulator.stop()  # nothing listens on the port any more: refused
    for _ in range(3):
        await async_poll(hass, freezer, timedelta(seconds=30))
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    assert coordinator.failed_polls.last_error == "cannot_connect"
    assert caplog.text.count("Error fetching") == 1
    assert "Cannot connect to the server: it refused" in caplog.text
    assert "did not answer in time" not in caplog.text


async def test_expired_token_is_renewed_without_an_unavailable_blip(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    entity_id = _anna_call_state(hass, simulator)
    changes: list[str] = []
    hass.bus.async_listen(
        EVENT_STATE_CHANGED,
        lambda event: (
            changes.append(event.data["new_state"].state)
            if event.data["entity_id"] == entity_id
            else None
        ),
    )
    simulator.kazoo.revoke_tokens()  # as if the token had expired server-side

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    assert init_kazoo.runtime_data.last_update_success
    assert changes == []
    logins = [r for r in simulator.requests if r.path == "/v2/user_auth"]
    assert len(logins) == 2


async def test_rate_limit_waits_as_told(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulator.faults.add("rate_limit", retry_after=60, path_contains="/presence")

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert init_kazoo.runtime_data.shows_stale_data  # one 429 is no outage
    simulator.requests.clear()

    await async_poll(hass, freezer, timedelta(seconds=30))
    assert simulator.requests == []

    await async_poll(hass, freezer, timedelta(seconds=31))
    assert simulator.requests
    assert init_kazoo.runtime_data.last_update_success
    assert not init_kazoo.runtime_data.shows_stale_data


async def test_a_poll_with_no_change_writes_no_state(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    changes: list[str] = []
    hass.bus.async_listen(
        EVENT_STATE_CHANGED, lambda event: changes.append(event.data["entity_id"])
    )

    simulator.requests.clear()
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert changes == []
    assert any(r.path.endswith("/status") for r in simulator.requests)

    simulator.isymphony.set_status("anna", name="Out to lunch", type="away")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert changes
    assert all("anna" in entity_id for entity_id in changes)


async def test_unlicensed_users_are_rechecked_rarely(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulator.requests.clear()

    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)

    status_paths = {r.path for r in simulator.requests if r.path.endswith("/status")}
    licensed = [
        u for u in simulator.isymphony.core_server("default")["users"].values() if u["licensed"]
    ]
    assert len(status_paths) == len(licensed)
    assert not any("lukas" in path for path in status_paths)


async def test_kazoo_polls_three_requests_and_reads_the_directory_rarely(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulator.requests.clear()

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    paths = sorted(r.path.rsplit("/", 1)[-1] for r in simulator.requests)
    # Phones watch park slots (*3101): who waits there is one more request.
    assert paths == ["channels", "parked_calls", "presence", "status"]

    simulator.requests.clear()
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)
    assert any(r.path.endswith("/users") for r in simulator.requests)


async def test_unknown_owner_in_a_call_reloads_the_directory(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    new_user = simulator.kazoo.add_user("nina", "nina-pass", "Nina", "Park", "1013")
    phone = simulator.kazoo.add_device("Nina desk phone", new_user["id"], sip_username="user_1013a")
    simulator.kazoo.start_call(device_id=phone["id"], direction="outbound")

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    presentities = init_kazoo.runtime_data.data.presentities
    assert presentities[f"user_{new_user['id']}"].call_state == "ringing"
    assert presentities[f"phone_{phone['id']}"].call_state == "ringing"


async def test_device_removal_only_for_vanished_presentities(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    hass_ws_client: object,
) -> None:
    assert await async_setup_component(hass, "config", {})
    await setup_entry(hass, kazoo_entry)
    devices = dr.async_get(hass)
    account = simulator.kazoo.account_id
    server = devices.async_get_device({(DOMAIN, account)})
    anna = devices.async_get_device(
        {(DOMAIN, f"{account}_user_{kazoo_user_id(simulator, 'anna')}")}
    )
    orphan = devices.async_get_or_create(
        config_entry_id=kazoo_entry.entry_id, identifiers={(DOMAIN, f"{account}_user_gone")}
    )
    client = await hass_ws_client(hass)  # type: ignore[operator]

    for device, allowed in ((server, False), (anna, False), (orphan, True)):
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": kazoo_entry.entry_id,
                "device_id": device.id,
            }
        )
        response = await client.receive_json()
        assert response["success"] is allowed


async def test_no_secret_reaches_the_log(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await setup_entry(hass, kazoo_entry)  # sets up every entry of the domain
    assert isymphony_entry.state is ConfigEntryState.LOADED
    simulator.faults.add("status", status=401, count=None)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    token = kazoo_entry.runtime_data.backend.client.auth.token
    for secret in (
        KAZOO_PASSWORD,
        kazoo_entry.data["credentials_hash"],
        isymphony_entry.data["password"],
        token,
    ):
        assert secret not in caplog.text


async def test_partial_presence_reply_removes_no_device(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    park = (DOMAIN, f"{simulator.kazoo.account_id}_extension_*3103")
    assert dr.async_get(hass).async_get_device({park}) is not None
    simulator.kazoo.presence_shape = "modern"
    simulator.kazoo.presence_timeout = True  # a presence server did not answer in time
    simulator.kazoo.subscriptions.pop("*3103")

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert init_kazoo.runtime_data.data.partial
    assert dr.async_get(hass).async_get_device({park}) is not None

    simulator.kazoo.presence_timeout = False
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert dr.async_get(hass).async_get_device({park}) is None


async def test_migration_drops_credentials_from_a_stored_url(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Entries from before URLs with credentials were refused lose them from the URL."""
    host = simulator.url.removeprefix("http://")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="iSymphony default",
        unique_id="default",
        version=1,
        minor_version=1,
        data=isymphony_entry_data(simulator, url=f"http://manager:pa55-in-url@{host}"),
    )
    entry.add_to_hass(hass)

    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert entry.minor_version == 3
    assert entry.data["url"] == simulator.url
    assert "pa55-in-url" not in str(entry.data)
