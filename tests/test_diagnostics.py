"""Diagnostics: content, and that no secret leaves Home Assistant."""

from __future__ import annotations

import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import CONF_CREDENTIALS_HASH, DOMAIN
from simulator import DEMO_CORE_SERVER_ID as ISYMPHONY_ID, Simulator

from .conftest import (
    ISYMPHONY_PASSWORD,
    KAZOO_PASSWORD,
    async_poll,
    kazoo_device_id,
    kazoo_entry_data,
    kazoo_user_id,
    setup_entry,
    start_internal_call,
)

REDACTED = "**REDACTED**"


def assert_no_secrets(dump: Any, secrets: list[str]) -> None:
    text = json.dumps(dump)
    for secret in secrets:
        assert secret
        assert secret not in text, secret


def kazoo_secrets(sim: Simulator, entry: MockConfigEntry) -> list[str]:
    tokens = list(sim.kazoo.tokens)
    assert tokens  # the integration logged in, so there is a token to leak
    return [
        KAZOO_PASSWORD,
        entry.data.get(CONF_CREDENTIALS_HASH) or entry.data[CONF_API_KEY],
        *sim.kazoo.api_keys,
        *tokens,
        *(device["sip"]["password"] for device in sim.kazoo.devices.values()),
    ]


async def test_kazoo_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_kazoo)

    assert diagnostics["server_type"] == "flex_uc"
    assert diagnostics["server"]["unique_id"] == simulator.kazoo.account_id
    assert diagnostics["server"]["model"] == "Flex UC / Kazoo"
    data = diagnostics["entry"]["data"]
    assert data[CONF_CREDENTIALS_HASH] == REDACTED
    assert data[CONF_USERNAME] == REDACTED
    assert data["account_name"] == "acme"
    assert data["url"] == simulator.url
    assert diagnostics["coordinator"]["last_update_success"] is True
    assert diagnostics["coordinator"]["update_interval_seconds"] == 5
    assert diagnostics["coordinator"]["failed_polls"] == {
        "consecutive": 0,
        "last_error": None,
        "since": None,
        "showing_stale_data": False,
        "server_alive_by_live_updates": False,
    }

    presentities = diagnostics["snapshot"]["presentities"]
    ben = presentities[f"user_{kazoo_user_id(simulator, 'ben')}"]
    assert ben["kind"] == "user"
    assert ben["name"] == "Ben Carter"
    assert ben["call_state"] == "busy"  # the demo's answered call
    assert presentities[f"user_{kazoo_user_id(simulator, 'carla')}"]["call_state"] == "ringing"
    assert presentities["extension_*3101"]["blf_watchers"] == 3
    phones = [p for p in presentities.values() if p["kind"] == "phone"]
    assert len(phones) == len(simulator.kazoo.devices)
    assert {p["registered"] for p in phones} == {True, False}
    assert diagnostics["snapshot"]["partial"] is False

    directory = diagnostics["adapter"]
    anna = directory["users"][kazoo_user_id(simulator, "anna")]
    assert anna["presence_id"] == "1001"
    assert anna["email"] == REDACTED
    assert anna["username"] == REDACTED
    macs = {device["mac_address"] for device in directory["devices"].values()}
    assert macs == {REDACTED, None}  # softphones have no MAC address
    assert_no_secrets(diagnostics, kazoo_secrets(simulator, init_kazoo))
    assert "anna@acme.pbx.example" not in json.dumps(diagnostics)


async def test_kazoo_api_key_entry_diagnostics(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, simulator: Simulator
) -> None:
    api_key = simulator.kazoo.api_keys[0]
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="acme",
        unique_id=simulator.kazoo.account_id,
        data={
            key: value
            for key, value in kazoo_entry_data(simulator, api_key=api_key).items()
            if key not in {CONF_USERNAME, CONF_CREDENTIALS_HASH}
        },
    )
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["entry"]["data"][CONF_API_KEY] == REDACTED
    assert diagnostics["snapshot"]["presentities"]
    assert_no_secrets(diagnostics, kazoo_secrets(simulator, entry))


async def test_isymphony_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_isymphony)

    assert diagnostics["server_type"] == "isymphony"
    assert diagnostics["server"] == {
        "unique_id": ISYMPHONY_ID,
        "name": "iSymphony default",
        "manufacturer": "i9 Technologies",
        "model": "iSymphony",
        "configuration_url": f"{simulator.url}/",
        "former_unique_id": "default",
    }
    data = diagnostics["entry"]["data"]
    assert data[CONF_PASSWORD] == REDACTED
    assert data[CONF_USERNAME] == REDACTED
    assert data["core_server"] == "default"

    presentities = diagnostics["snapshot"]["presentities"]
    carla = presentities["panel_user_carla"]
    assert carla["kind"] == "panel_user"
    assert carla["licensed"] is True
    assert carla["status"]["type"] == "dnd"
    assert carla["status"]["name"] == "In a meeting"
    assert carla["status"]["note"] == "Quarterly review"
    assert carla["status"]["user_created"] is False
    assert presentities["panel_user_ben"]["status"]["return_time"].startswith("2030-06-03T12:45")
    lukas = presentities["panel_user_lukas"]
    assert lukas["licensed"] is False
    assert lukas["status"] is None
    assert diagnostics["snapshot"]["unlicensed"] is False
    assert diagnostics["adapter"]["core_server"] == "default"
    assert diagnostics["adapter"]["predefined_statuses"]["away"] == "Out to lunch"
    assert_no_secrets(diagnostics, [ISYMPHONY_PASSWORD])


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    # Setting up the integration sets up every entry it has.
    kazoo_entry, isymphony_entry = init_both
    assert isymphony_entry.state is ConfigEntryState.LOADED
    registry = dr.async_get(hass)
    anna_id = kazoo_user_id(simulator, "anna")
    anna = registry.async_get_device(
        identifiers={(DOMAIN, f"{simulator.kazoo.account_id}_user_{anna_id}")}
    )
    assert anna is not None

    diagnostics = await get_diagnostics_for_device(hass, hass_client, kazoo_entry, anna)

    assert diagnostics["is_server"] is False
    assert diagnostics["presentity"]["key"] == f"user_{anna_id}"
    assert diagnostics["directory_record"]["presence_id"] == "1001"
    assert diagnostics["directory_record"]["email"] == REDACTED
    assert diagnostics["presentity"]["presence_target"] is True
    assert_no_secrets(diagnostics, kazoo_secrets(simulator, kazoo_entry))

    softphone_id = kazoo_device_id(simulator, "Anna Schmidt softphone")
    softphone = registry.async_get_device(
        identifiers={(DOMAIN, f"{simulator.kazoo.account_id}_phone_{softphone_id}")}
    )
    assert softphone is not None
    diagnostics = await get_diagnostics_for_device(hass, hass_client, kazoo_entry, softphone)
    assert diagnostics["presentity"]["kind"] == "phone"
    assert diagnostics["directory_record"]["sip_username"] == "user_1001b"
    assert diagnostics["directory_record"]["presence_id"] is None
    assert diagnostics["presentity"]["presence_target"] is False
    assert_no_secrets(diagnostics, kazoo_secrets(simulator, kazoo_entry))

    server = registry.async_get_device(identifiers={(DOMAIN, ISYMPHONY_ID)})
    assert server is not None
    diagnostics = await get_diagnostics_for_device(hass, hass_client, isymphony_entry, server)
    assert diagnostics["is_server"] is True
    assert diagnostics["presentity"] is None
    assert "directory_record" not in diagnostics

    # Carla's panel user is on her Kazoo user's device (one person, one device).
    status = er.async_get(hass).async_get("sensor.carla_rossi_status")
    assert status is not None
    carla = registry.async_get(status.device_id or "")
    assert carla is not None
    diagnostics = await get_diagnostics_for_device(hass, hass_client, isymphony_entry, carla)
    assert diagnostics["presentity"]["status"]["type"] == "dnd"
    assert_no_secrets(diagnostics, [ISYMPHONY_PASSWORD])


async def test_diagnostics_leave_out_who_is_on_the_other_end(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A caller's name and number, and the number dialled, are personal: never in a dump."""
    start_internal_call(simulator)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    lobby = kazoo_device_id(simulator, "Lobby phone")
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_kazoo)

    presentities = diagnostics["snapshot"]["presentities"]
    ringing = presentities[f"phone_{desk}"]["call"]
    calling = presentities[f"phone_{lobby}"]["call"]
    assert ringing["caller_id_name"] == ringing["caller_id_number"] == "**REDACTED**"
    assert calling["destination"] == "**REDACTED**"
    assert "Lobby phone" not in json.dumps(ringing)
