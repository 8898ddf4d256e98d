"""Click-to-call through Home Assistant: the `call` action against the simulated quickcall."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.const import DOMAIN
from custom_components.pbx_presence.pbx.kazoo import dialable_number
from simulator import Simulator

from .conftest import kazoo_device_id, kazoo_user_id, state_of
from .test_live import setup_live, wait_for_state

CALL = "call"


def device_of(hass: HomeAssistant, sim: Simulator, key: str) -> str:
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, f"{sim.kazoo.account_id}_{key}")}
    )
    assert device is not None, key
    return device.id


async def call(hass: HomeAssistant, **data: object) -> None:
    await hass.services.async_call(DOMAIN, CALL, data, blocking=True)


async def test_a_person_calls_a_number_without_auto_answer(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    kazoo = simulator.kazoo
    anna = kazoo_user_id(simulator, "anna")
    await call(hass, device_id=device_of(hass, simulator, f"user_{anna}"), number="0171 123-4567")
    assert kazoo.quickcall_requests == [
        {"kind": "users", "id": anna, "number": "01711234567", "auto_answer": False}
    ]
    # Both of Anna's phones ring (the switch's legs to them), nothing is answered yet.
    legs = [c for c in kazoo.channels.values() if c.owner_id == anna]
    assert len(legs) == 2
    assert not any(leg.answered for leg in legs)
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "ringing"
    assert state_of(hass, "sensor.anna_schmidt_desk_phone_call_state") == "ringing"


async def test_a_phone_calls_a_person_and_answers_by_itself_when_asked(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    await setup_live(hass, simulator, kazoo_entry)
    kazoo = simulator.kazoo
    desk = kazoo_device_id(simulator, "Felix Wagner desk phone")
    await call(
        hass,
        entity_id="sensor.felix_wagner_desk_phone_call_state",
        number="Lena Fischer",
        auto_answer=True,
    )
    assert kazoo.quickcall_requests[-1] == {
        "kind": "devices",
        "id": desk,
        "number": "1010",
        "auto_answer": True,
    }
    # The desk phone picked up at once; Lena's phone rings.
    await wait_for_state(hass, "sensor.lena_fischer_call_state", "ringing")
    assert state_of(hass, "sensor.felix_wagner_desk_phone_call_state") == "busy"


async def test_the_caller_can_be_named(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    await call(hass, caller="Ben Carter", number="+49 (30) 1234567")
    assert simulator.kazoo.quickcall_requests[-1]["number"] == "+49301234567"
    assert simulator.kazoo.quickcall_requests[-1]["kind"] == "users"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"number": "1002"}, "call_no_caller"),
        ({"caller": "Ben Carter", "device_id": "ANNA", "number": "1002"}, "call_one_caller"),
        ({"caller": "Ben Carter", "number": "12ab34"}, "call_bad_number"),
        ({"caller": "Ben Carter", "number": "1" * 33}, "call_bad_number"),
        ({"caller": "Ben Carter", "number": "Zoe Nobody"}, "call_bad_number"),
        ({"caller": "Ben Carter", "number": "Lukas Novak"}, "call_no_extension"),
        (
            {"caller": "Ben Carter", "entity_id": "sensor.3101_blf_watchers", "number": "1"},
            "not_call_target",
        ),
    ],
)
async def test_bad_input_sends_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    data: dict[str, str],
    key: str,
) -> None:
    if data.get("device_id") == "ANNA":
        data["device_id"] = device_of(hass, simulator, f"user_{kazoo_user_id(simulator, 'anna')}")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, **data)
    assert err.value.translation_key == key
    assert simulator.kazoo.quickcall_requests == []
    assert str(err.value)  # a translated message, not a key


async def test_a_phone_that_is_not_registered_is_refused_first(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, entity_id="sensor.conference_room_call_state", number="1001")
    assert err.value.translation_key == "call_not_registered"
    assert "Conference room" in str(err.value)
    assert simulator.kazoo.quickcall_requests == []


async def test_server_refusals_are_translated(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    kazoo = simulator.kazoo
    target = {"entity_id": "sensor.lena_fischer_call_state", "number": "1001"}
    # Do not disturb on the phone: Kazoo builds no endpoint (500 unspecified_fault).
    kazoo.devices[kazoo_device_id(simulator, "Lena Fischer desk phone")]["do_not_disturb"] = {
        "enabled": True
    }
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, **target)
    assert err.value.translation_key == "call_refused"
    assert "Lena Fischer" in str(err.value)
    del kazoo.devices[kazoo_device_id(simulator, "Lena Fischer desk phone")]["do_not_disturb"]

    kazoo.forbidden_endpoints.add("quickcall")  # an operator's token restrictions
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, **target)
    assert err.value.translation_key == "call_forbidden"
    kazoo.forbidden_endpoints.clear()

    lena = kazoo_user_id(simulator, "lena")
    kazoo.users.pop(lena)  # deleted since the last directory read
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, **target)
    assert err.value.translation_key == "call_unknown_caller"
    assert kazoo.quickcall_requests == []


async def test_a_rate_limited_call_says_so(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from custom_components.pbx_presence.pbx.kazoo import client  # noqa: PLC0415

    monkeypatch.setattr(client, "RATE_LIMIT_BACKOFF", (0.01,))
    state = simulator.kazoo
    assert state.rate_limit is not None
    taken = []

    def empty(client_ip: str, account_id: str) -> bool:
        taken.append(client_ip)
        return False

    monkeypatch.setattr(state, "take_request_token", empty)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, entity_id="sensor.lena_fischer_call_state", number="1001")
    assert err.value.translation_key == "call_rate_limited"
    assert taken  # Kazoo's bucket said no
    assert state.quickcall_requests == []


async def test_isymphony_cannot_place_calls(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, caller="Anna Schmidt", number="1002")
    assert err.value.translation_key == "click_to_call_unsupported"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, entity_id="sensor.anna_schmidt_status", number="1002")
    assert err.value.translation_key == "not_call_target"


def test_numbers_are_what_a_phone_dials() -> None:
    assert dialable_number(" 0171 / 123 45-67 ") == "0171123 4567".replace(" ", "")
    assert dialable_number("*3101") == "*3101"
    assert dialable_number("+1 (555) 010-0100") == "+15550100100"
    assert dialable_number("1+2") is None
    assert dialable_number("***") is None
    assert dialable_number("Anna") is None


async def test_the_device_action_calls_a_number(
    hass: HomeAssistant, simulator: Simulator, init_both: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    from homeassistant.components import automation  # noqa: PLC0415
    from homeassistant.components.device_automation import (  # noqa: PLC0415
        DeviceAutomationType,
        async_get_device_automations,
    )
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    anna = kazoo_user_id(simulator, "anna")
    device_id = device_of(hass, simulator, f"user_{anna}")
    sensor = er.async_get(hass).async_get("sensor.anna_schmidt_call_state")
    assert sensor is not None
    found = await async_get_device_automations(hass, DeviceAutomationType.ACTION, [device_id])
    ours = [
        action
        for action in found[device_id]
        if action["domain"] == DOMAIN and action["type"] == "call_number"
    ]
    assert ours == [
        {
            "device_id": device_id,
            "domain": DOMAIN,
            "entity_id": sensor.id,
            "type": "call_number",
            "metadata": {"secondary": False},
        }
    ]
    # A park slot calls nobody.
    slot = device_of(hass, simulator, "extension_*3101")
    found = await async_get_device_automations(hass, DeviceAutomationType.ACTION, [slot])
    assert not [action for action in found[slot] if action["domain"] == DOMAIN]

    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "alias": "door",
                    "triggers": [{"trigger": "event", "event_type": "door_bell"}],
                    "actions": [{**ours[0], "number": "1002"}],
                },
                {
                    "alias": "bad",
                    "triggers": [{"trigger": "event", "event_type": "bad_number"}],
                    "actions": [{**ours[0], "number": "Nobody Known"}],
                },
            ]
        },
    )
    hass.bus.async_fire("door_bell")
    await hass.async_block_till_done()
    assert simulator.kazoo.quickcall_requests == [
        {"kind": "users", "id": anna, "number": "1002", "auto_answer": False}
    ]
    hass.bus.async_fire("bad_number")
    await hass.async_block_till_done()
    assert len(simulator.kazoo.quickcall_requests) == 1  # refused before sending

    from custom_components.pbx_presence import device_action  # noqa: PLC0415

    capabilities = await device_action.async_get_action_capabilities(hass, ours[0])
    assert set(capabilities["extra_fields"].schema) == {"number", "auto_answer"}


async def test_other_failures_are_translated_too(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from custom_components.pbx_presence.pbx import (  # noqa: PLC0415
        PbxAuthenticationError,
        PbxConnectionError,
    )

    client = init_kazoo.runtime_data.backend.client
    target = {"entity_id": "sensor.lena_fischer_call_state", "number": "1001"}
    for error, key in (
        (PbxConnectionError("gone"), "cannot_connect"),
        (PbxAuthenticationError("refused"), "invalid_auth"),
    ):

        async def fail(*args: object, error: Exception = error, **kwargs: object) -> None:
            raise error

        monkeypatch.setattr(client, "quickcall", fail)
        with pytest.raises(HomeAssistantError) as err:
            await call(hass, **target)
        assert err.value.translation_key == key
    # A name that fits several phones is asked back, not guessed.
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, entity_id="sensor.lena_fischer_call_state", number="desk phone")
    assert err.value.translation_key == "voice_ambiguous_name"


async def test_the_device_action_needs_a_loaded_entry(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    from custom_components.pbx_presence import device_action  # noqa: PLC0415

    device_id = device_of(hass, simulator, f"user_{kazoo_user_id(simulator, 'anna')}")
    sensor = er.async_get(hass).async_get("sensor.anna_schmidt_call_state")
    assert sensor is not None
    config = {
        "device_id": device_id,
        "domain": DOMAIN,
        "entity_id": sensor.id,
        "type": "call_number",
        "number": "1002",
        "auto_answer": False,
    }
    await hass.config_entries.async_unload(init_kazoo.entry_id)
    actions = await device_action.async_get_actions(hass, device_id)
    assert [action for action in actions if action["type"] == "call_number"] == []
    with pytest.raises(ServiceValidationError) as err:
        await device_action.async_call_action_from_config(hass, config, {}, None)
    assert err.value.translation_key == "entry_not_loaded"
    er.async_get(hass).async_remove(sensor.entity_id)
    with pytest.raises(ServiceValidationError) as err:
        await device_action.async_call_action_from_config(
            hass, {**config, "entity_id": "sensor.anna_schmidt_call_state"}, {}, None
        )
    assert err.value.translation_key == "not_pbx_target"
    assert simulator.kazoo.quickcall_requests == []
