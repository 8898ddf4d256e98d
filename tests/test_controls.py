"""Phone controls through Home Assistant: do not disturb and call forwarding on Kazoo.

Every write goes over loopback HTTP to the simulator, which keeps Kazoo's PATCH
semantics (deep merge, schema validation, token restrictions); the tests read the
simulator's documents to prove what the server now holds.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
)

from custom_components.pbx_presence import device_action
from custom_components.pbx_presence.backends import clean_forward_number
from custom_components.pbx_presence.const import DOMAIN
from simulator import Simulator

from .conftest import kazoo_device_id, kazoo_user_id, setup_entry, state_object, state_of
from .test_live import setup_live, wait_for_state

ANNA_DND = "switch.anna_schmidt_do_not_disturb"
ANNA_ACTIVE = "binary_sensor.anna_schmidt_do_not_disturb_active"
ANNA_DESK_ACTIVE = "binary_sensor.anna_schmidt_desk_phone_do_not_disturb_active"
JONAS_FORWARD = "switch.jonas_becker_call_forwarding"
JONAS_NUMBER = "text.jonas_becker_forward_number"
ANNA_FORWARD = "switch.anna_schmidt_call_forwarding"
ANNA_NUMBER = "text.anna_schmidt_forward_number"
CONFERENCE_DND = "switch.conference_room_do_not_disturb"


async def _switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call("switch", service, {"entity_id": entity_id}, blocking=True)


async def _set_text(hass: HomeAssistant, entity_id: str, value: str) -> None:
    await hass.services.async_call(
        "text", "set_value", {"entity_id": entity_id, "value": value}, blocking=True
    )


def _user(simulator: Simulator, username: str) -> dict[str, Any]:
    return simulator.kazoo.users[kazoo_user_id(simulator, username)]


def _patches(simulator: Simulator) -> list[Any]:
    return [request for request in simulator.requests if request.method == "PATCH"]


async def test_entities_come_from_the_lists(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """Every user has both switches; phones only where they have settings of their own."""
    assert state_of(hass, ANNA_DND) == STATE_OFF
    assert state_of(hass, ANNA_ACTIVE) == STATE_OFF
    assert state_of(hass, ANNA_FORWARD) == STATE_OFF
    # Anna's number was never asked for: the list says only on or off.
    assert state_of(hass, ANNA_NUMBER) == STATE_UNKNOWN
    # Jonas forwards: his document is read once for the number.
    assert state_of(hass, JONAS_FORWARD) == STATE_ON
    assert state_of(hass, JONAS_NUMBER) == "+4915112345678"
    assert state_object(hass, JONAS_FORWARD).attributes["number"] == "+4915112345678"
    assert state_of(hass, CONFERENCE_DND) == STATE_OFF
    assert state_of(hass, "switch.lobby_phone_call_forwarding") == STATE_OFF
    assert state_of(hass, "text.lobby_phone_forward_number") == "1006"
    assert hass.states.get("switch.anna_schmidt_desk_phone_do_not_disturb") is None
    assert state_of(hass, ANNA_DESK_ACTIVE) == STATE_OFF


async def test_dnd_switch_writes_the_user_and_its_phones_follow(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    simulator.requests.clear()
    await _switch(hass, "turn_on", ANNA_DND)
    assert _user(simulator, "anna")["do_not_disturb"] == {"enabled": True}
    # The reply shows at once: no poll, and the owner's DND refuses her phones' calls too.
    assert [r.path for r in _patches(simulator)] == [
        f"/v2/accounts/{simulator.kazoo.account_id}/users/{kazoo_user_id(simulator, 'anna')}"
    ]
    assert state_of(hass, ANNA_DND) == STATE_ON
    assert state_of(hass, ANNA_ACTIVE) == STATE_ON
    assert state_of(hass, ANNA_DESK_ACTIVE) == STATE_ON
    # PATCH merges: the rest of the document stays.
    assert _user(simulator, "anna")["first_name"] == "Anna"
    assert _user(simulator, "anna")["call_forward"]["require_keypress"] is True

    await _switch(hass, "turn_off", ANNA_DND)
    assert _user(simulator, "anna")["do_not_disturb"] == {"enabled": False}
    assert state_of(hass, ANNA_ACTIVE) == STATE_OFF


async def test_account_dnd_is_shown_as_active(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """The account's own DND refuses every call, whatever the person's switch says."""
    simulator.kazoo.account_dnd = True
    await setup_entry(hass, kazoo_entry)
    assert state_of(hass, ANNA_DND) == STATE_OFF
    assert state_of(hass, ANNA_ACTIVE) == STATE_ON
    assert state_of(hass, ANNA_DESK_ACTIVE) == STATE_ON


async def test_a_phone_with_its_own_dnd(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    await _switch(hass, "turn_on", CONFERENCE_DND)
    conference = simulator.kazoo.devices[kazoo_device_id(simulator, "Conference room")]
    assert conference["do_not_disturb"] == {"enabled": True}
    assert conference["sip"]["username"] == "conf_room"  # merged, not replaced
    assert state_of(hass, CONFERENCE_DND) == STATE_ON
    assert state_of(hass, "binary_sensor.conference_room_do_not_disturb_active") == STATE_ON


async def test_forward_number_and_switch(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    # No number stored: turning forwarding on refuses, and nothing is written.
    simulator.requests.clear()
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, "turn_on", ANNA_FORWARD)
    assert err.value.translation_key == "no_forward_number"
    assert not _patches(simulator)
    assert _user(simulator, "anna")["call_forward"]["enabled"] is False

    await _set_text(hass, ANNA_NUMBER, "0171 123-45 67")
    assert _user(simulator, "anna")["call_forward"]["number"] == "01711234567"
    assert state_of(hass, ANNA_NUMBER) == "01711234567"
    assert state_of(hass, ANNA_FORWARD) == STATE_OFF  # a number alone turns nothing on

    await _switch(hass, "turn_on", ANNA_FORWARD)
    forward = _user(simulator, "anna")["call_forward"]
    assert (forward["enabled"], forward["number"]) == (True, "01711234567")
    assert state_of(hass, ANNA_FORWARD) == STATE_ON

    await _switch(hass, "turn_off", JONAS_FORWARD)
    assert _user(simulator, "jonas")["call_forward"]["number"] == "+4915112345678"
    assert state_of(hass, JONAS_FORWARD) == STATE_OFF
    assert state_of(hass, JONAS_NUMBER) == "+4915112345678"


@pytest.mark.parametrize("value", ["Anna", "+49+171", "*97", "12ab", " "])
async def test_a_bad_number_is_refused_before_sending(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry, value: str
) -> None:
    simulator.requests.clear()
    with pytest.raises(ServiceValidationError) as err:
        await _set_text(hass, JONAS_NUMBER, value)
    assert err.value.translation_key == "invalid_forward_number"
    assert not _patches(simulator)
    assert state_of(hass, JONAS_NUMBER) == "+4915112345678"


def test_forward_numbers() -> None:
    assert clean_forward_number("+49 (171) 123.45-67") == "+491711234567"
    assert clean_forward_number("1" * 35) == "1" * 35
    assert clean_forward_number("1" * 36) is None
    assert clean_forward_number("") is None


async def test_server_refusals_are_translated(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """Validation (4.3 phones store 15 digits), unknown ids, rights, rate limit, down."""
    with pytest.raises(HomeAssistantError) as err:
        await _set_text(hass, "text.lobby_phone_forward_number", "0" * 16)
    assert err.value.translation_key == "rejected"
    assert "call_forward.number" in err.value.translation_placeholders["reason"]
    lobby = simulator.kazoo.devices[kazoo_device_id(simulator, "Lobby phone")]
    assert lobby["call_forward"]["number"] == "1006"

    # The administrator's token restrictions: a login below admin may only read.
    simulator.kazoo.restrict_user_writes = True
    simulator.kazoo.users[simulator.kazoo.tokens[next(iter(simulator.kazoo.tokens))].owner_id][
        "priv_level"
    ] = "user"
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, "turn_on", ANNA_DND)
    assert err.value.translation_key == "insufficient_rights"
    assert _user(simulator, "anna")["do_not_disturb"] == {"enabled": False}
    simulator.kazoo.restrict_user_writes = False

    for status, key in ((404, "not_found"), (503, "unknown")):
        simulator.faults.add("status", status=status, path_contains="/users/")
        with pytest.raises(HomeAssistantError) as err:
            await _switch(hass, "turn_on", ANNA_DND)
        assert err.value.translation_key == key
    simulator.faults.add("rate_limit", count=None, path_contains="/users/")
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, "turn_on", ANNA_DND)
    assert err.value.translation_key == "rate_limited"
    simulator.faults.clear()
    simulator.faults.add("drop", path_contains="/users/")
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, "turn_on", ANNA_DND)
    assert err.value.translation_key == "cannot_connect"
    assert _user(simulator, "anna")["do_not_disturb"] == {"enabled": False}
    assert state_of(hass, ANNA_DND) == STATE_OFF


async def test_changes_elsewhere_arrive_live(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Monster UI (or *78 on a phone) edits the user: the object event reads it again."""
    await setup_live(hass, simulator, kazoo_entry)
    simulator.kazoo.edit_document(
        "user",
        kazoo_user_id(simulator, "anna"),
        {"do_not_disturb": {"enabled": True}, "call_forward": {"number": "+15550001"}},
    )
    await wait_for_state(hass, ANNA_DND, STATE_ON)
    assert state_of(hass, ANNA_NUMBER) == "+15550001"
    assert state_of(hass, ANNA_ACTIVE) == STATE_ON


async def test_device_actions(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    device = dr.async_get(hass).async_get_device(
        identifiers={
            init_kazoo.runtime_data.device_identifier(f"user_{kazoo_user_id(simulator, 'anna')}")
        }
    )
    assert device is not None
    actions = await async_get_device_automations(hass, DeviceAutomationType.ACTION, device.id)
    ours = {action["type"] for action in actions if action["domain"] == DOMAIN}
    assert ours == set(device_action.ACTIONS)
    dnd_switch = er.async_get(hass).async_get(ANNA_DND)
    forward_switch = er.async_get(hass).async_get(ANNA_FORWARD)
    assert dnd_switch is not None
    assert forward_switch is not None
    capabilities = await device_action.async_get_action_capabilities(
        hass, {"type": "forward_calls"}
    )
    assert "number" in capabilities["extra_fields"].schema

    async def run(action_type: str, entity_id: str, **extra: Any) -> None:
        config = device_action.ACTION_SCHEMA(
            {
                "domain": DOMAIN,
                "device_id": device.id,
                "entity_id": entity_id,
                "type": action_type,
                **extra,
            }
        )
        await device_action.async_call_action_from_config(hass, config, {}, Context())

    await run("turn_on_dnd", dnd_switch.id)
    assert _user(simulator, "anna")["do_not_disturb"] == {"enabled": True}
    await run("turn_off_dnd", dnd_switch.id)
    assert _user(simulator, "anna")["do_not_disturb"] == {"enabled": False}
    await run("forward_calls", forward_switch.id, number="+49 171 1234567")
    forward = _user(simulator, "anna")["call_forward"]
    assert (forward["enabled"], forward["number"]) == (True, "+491711234567")
    assert state_of(hass, ANNA_FORWARD) == STATE_ON
    await run("stop_forwarding", forward_switch.id)
    assert _user(simulator, "anna")["call_forward"]["enabled"] is False
    with pytest.raises(Exception, match="phone number"):
        device_action.ACTION_SCHEMA(
            {
                "domain": DOMAIN,
                "device_id": device.id,
                "entity_id": forward_switch.id,
                "type": "forward_calls",
                "number": "Anna",
            }
        )
    # In an automation, as the editor writes it.
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "trigger": {"platform": "event", "event_type": "test_dnd"},
                "action": {
                    "domain": DOMAIN,
                    "device_id": device.id,
                    "entity_id": dnd_switch.id,
                    "type": "turn_on_dnd",
                },
            }
        },
    )
    hass.bus.async_fire("test_dnd")
    await hass.async_block_till_done()
    assert _user(simulator, "anna")["do_not_disturb"] == {"enabled": True}
