"""Reset-presence buttons through Home Assistant, against the simulator over loopback HTTP."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.const import DOMAIN, RESET_COOLDOWN
from simulator import Simulator

from .conftest import async_poll, kazoo_device_id, kazoo_user_id, setup_entry, state_of


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_reset_buttons_exist_for_kazoo_presentities_only(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """Users, phones and watched extensions that a reset reaches have one; nothing else."""
    kazoo_entry, isymphony_entry = init_both
    entities = er.async_get(hass)

    kazoo_buttons = [
        e
        for e in er.async_entries_for_config_entry(entities, kazoo_entry.entry_id)
        if e.domain == BUTTON_DOMAIN
    ]
    kazoo = simulator.kazoo
    # Kazoo acts on a phone's own presence id, and on a user's, else its phones' own.
    phones = {i for i, device in kazoo.devices.items() if device.get("presence_id")}
    users = {
        i
        for i, user in kazoo.users.items()
        if user.get("presence_id") or any(d["id"] in phones for d in kazoo.owned_devices(i))
    }
    # (1009 and 1011 are Lukas's and Sofia's numbers, who have no presence id: a repair
    # issue, not extensions of their own.)
    extensions = {"*3101", "*3102", "*3103"}
    assert len(kazoo_buttons) == len(users) + len(phones) + len(extensions)
    for entity_id in (
        "button.anna_schmidt_softphone_reset_presence",  # no presence id of its own
        "button.ben_carter_desk_phone_reset_presence",  # only its owner's
        "button.lukas_novak_reset_presence",  # no presence id anywhere
    ):
        assert hass.states.get(entity_id) is None, entity_id
    assert {e.translation_key for e in kazoo_buttons} == {"reset_presence"}
    assert not [
        e
        for e in er.async_entries_for_config_entry(entities, isymphony_entry.entry_id)
        if e.domain == BUTTON_DOMAIN
    ]
    state = hass.states.get("button.3101_reset_presence")
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes["friendly_name"] == "*3101 Reset presence"


@pytest.mark.parametrize(
    ("entity_id", "target", "target_id", "presence_ids"),
    [
        ("button.anna_schmidt_reset_presence", "user", "user:anna", ["1001"]),
        ("button.felix_wagner_desk_phone_reset_presence", "device", "device", ["1004"]),
        ("button.3101_reset_presence", "extension", "*3101", ["*3101"]),
    ],
)
async def test_press_resets_presence(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_id: str,
    target: str,
    target_id: str,
    presence_ids: list[str],
) -> None:
    """A press sends `reset` to the endpoint that fits the presentity, and records the press."""
    if target_id == "user:anna":
        target_id = kazoo_user_id(simulator, "anna")
    elif target_id == "device":
        target_id = kazoo_device_id(simulator, "Felix Wagner desk phone")
    simulator.kazoo.presence_overrides[presence_ids[0].lower()] = "confirmed"
    pressed_at = dt_util.utcnow()

    await _press(hass, entity_id)

    assert simulator.kazoo.presence_actions == [
        {
            "target": target,
            "id": target_id,
            "action": "reset",
            "state": None,
            "presence_ids": presence_ids,
        }
    ]
    assert simulator.kazoo.presence_overrides == {}
    assert dt_util.parse_datetime(state_of(hass, entity_id)) == pressed_at


async def test_reset_cooldown(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every reset alerts the admins, so one presentity is reset at most once a cooldown."""
    entity_id = "button.3101_reset_presence"
    await _press(hass, entity_id)
    first_press = state_of(hass, entity_id)

    await async_poll(hass, freezer, RESET_COOLDOWN - timedelta(seconds=1))
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, entity_id)

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "reset_cooldown"
    assert str(err.value).startswith("*3101 was reset less than 30 seconds ago")
    assert len(simulator.kazoo.presence_actions) == 1
    # Another presentity is not held back.
    await _press(hass, "button.3102_reset_presence")
    assert len(simulator.kazoo.presence_actions) == 2

    await async_poll(hass, freezer, timedelta(seconds=2))
    await _press(hass, entity_id)
    assert len(simulator.kazoo.presence_actions) == 3
    assert state_of(hass, entity_id) != first_press


async def test_press_with_nothing_to_send_to(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """A user whose phones went since the directory was read: the server's answer says so."""
    felix = kazoo_user_id(simulator, "felix")  # his desk phone has the presence id
    for device in simulator.kazoo.owned_devices(felix):
        del simulator.kazoo.devices[device["id"]]

    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, "button.felix_wagner_reset_presence")

    assert err.value.translation_key == "nothing_to_send"
    assert err.value.translation_placeholders == {"name": "Felix Wagner"}
    assert simulator.kazoo.presence_actions[-1]["presence_ids"] == []


async def test_press_when_the_command_crashes_on_the_server(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """A reply that is not Kazoo's message is a failure, not "command sent"."""
    simulator.kazoo.presence_command_crashes = True

    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, "button.anna_schmidt_reset_presence")

    assert err.value.translation_key == "unknown"


@pytest.mark.parametrize(
    ("status", "translation_key"),
    [(404, "not_found"), (403, "insufficient_rights"), (500, "unknown")],
)
async def test_press_refused_by_the_server(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    status: int,
    translation_key: str,
) -> None:
    """A refusal names its cause, and does not start the cooldown."""
    simulator.faults.add("status", status=status, path_contains="/presence/")

    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, "button.3103_reset_presence")

    assert err.value.translation_key == translation_key
    assert simulator.kazoo.presence_actions == []

    await _press(hass, "button.3103_reset_presence")
    assert simulator.kazoo.presence_actions[-1]["id"] == "*3103"


async def test_press_tells_an_unanswered_server_from_an_unreachable_one(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("custom_components.pbx_presence.backends.REQUEST_TIMEOUT", 0.2)
    await setup_entry(hass, kazoo_entry)
    simulator.faults.add("hang", path_contains="/presence/")

    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, "button.3103_reset_presence")
    assert err.value.translation_key == "timeout_connect"
    assert str(err.value).startswith("The server did not answer in time")

    await simulator.stop()
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, "button.3103_reset_presence")
    assert err.value.translation_key == "cannot_connect"
    assert "refused" in str(err.value)
