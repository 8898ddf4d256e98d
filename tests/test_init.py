"""Setup, unload and failure behaviour of both server kinds, through Home Assistant."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
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
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.const import (
    DIRECTORY_REFRESH_INTERVAL,
    DOMAIN,
    ISYMPHONY_SCAN_INTERVAL,
    KAZOO_SCAN_INTERVAL,
)
from simulator import Simulator

from .conftest import (
    KAZOO_PASSWORD,
    async_poll,
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
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, kazoo_entry)

    assert kazoo_entry.state is ConfigEntryState.LOADED
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

    assert await hass.config_entries.async_unload(kazoo_entry.entry_id)
    assert kazoo_entry.state is ConfigEntryState.NOT_LOADED


async def test_isymphony_entry_sets_up_without_auth_trouble_for_unlicensed_users(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    await setup_entry(hass, isymphony_entry)

    assert isymphony_entry.state is ConfigEntryState.LOADED
    coordinator = isymphony_entry.runtime_data
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


async def test_server_down_later_is_unavailable_logged_once_and_recovers(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_entry(hass, kazoo_entry)
    entity_id = _anna_call_state(hass, simulator)
    simulator.faults.add("status", status=500, count=None)

    for _ in range(3):
        await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    assert caplog.text.count("Error fetching") == 1

    simulator.faults.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert hass.states.get(entity_id).state == "idle"
    assert caplog.text.count("data recovered") == 1


@pytest.mark.parametrize("fault", ["malformed", "drop"])
async def test_malformed_or_dropped_replies_never_escape(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    fault: str,
) -> None:
    await setup_entry(hass, kazoo_entry)
    simulator.faults.add(fault, count=None, path_contains="/channels")  # type: ignore[arg-type]

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    assert not kazoo_entry.runtime_data.last_update_success
    assert hass.states.get(_anna_call_state(hass, simulator)).state == STATE_UNAVAILABLE
    assert kazoo_entry.state is ConfigEntryState.LOADED


async def test_expired_token_is_renewed_without_an_unavailable_blip(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, kazoo_entry)
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

    assert kazoo_entry.runtime_data.last_update_success
    assert changes == []
    logins = [r for r in simulator.requests if r.path == "/v2/user_auth"]
    assert len(logins) == 2


async def test_rate_limit_waits_as_told(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, kazoo_entry)
    simulator.faults.add("rate_limit", retry_after=60, path_contains="/presence")

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert not kazoo_entry.runtime_data.last_update_success
    simulator.requests.clear()

    await async_poll(hass, freezer, timedelta(seconds=30))
    assert simulator.requests == []

    await async_poll(hass, freezer, timedelta(seconds=31))
    assert simulator.requests
    assert kazoo_entry.runtime_data.last_update_success


async def test_a_poll_with_no_change_writes_no_state(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, isymphony_entry)
    changes: list[str] = []
    hass.bus.async_listen(
        EVENT_STATE_CHANGED, lambda event: changes.append(event.data["entity_id"])
    )

    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert changes == []
    assert any("/status" in r.path for r in simulator.requests[-5:])

    simulator.isymphony.set_status("anna", name="Out to lunch", type="away")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert changes
    assert all("anna" in entity_id for entity_id in changes)


async def test_unlicensed_users_are_rechecked_rarely(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, isymphony_entry)
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
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, kazoo_entry)
    simulator.requests.clear()

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    paths = sorted(r.path.rsplit("/", 1)[-1] for r in simulator.requests)
    assert paths == ["channels", "presence", "status"]

    simulator.requests.clear()
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)
    assert any(r.path.endswith("/users") for r in simulator.requests)


async def test_unknown_owner_in_a_call_reloads_the_directory(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, kazoo_entry)
    new_user = simulator.kazoo.add_user("nina", "nina-pass", "Nina", "Park", "1013")
    phone = simulator.kazoo.add_device("Nina desk phone", new_user["id"], sip_username="user_1013a")
    simulator.kazoo.start_call(device_id=phone["id"])

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    presentities = kazoo_entry.runtime_data.data.presentities
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

    token = kazoo_entry.runtime_data.adapter.client.auth.token
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
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, kazoo_entry)
    park = (DOMAIN, f"{simulator.kazoo.account_id}_extension_*3103")
    assert dr.async_get(hass).async_get_device({park}) is not None
    simulator.kazoo.presence_shape = "modern"
    simulator.kazoo.presence_timeout = True  # a presence server did not answer in time
    simulator.kazoo.subscriptions.pop("*3103")

    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert kazoo_entry.runtime_data.data.partial
    assert dr.async_get(hass).async_get_device({park}) is not None

    simulator.kazoo.presence_timeout = False
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert dr.async_get(hass).async_get_device({park}) is None
