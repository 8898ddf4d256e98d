"""Selects through Home Assistant, against the simulator over loopback HTTP."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.select import (
    ATTR_OPTION,
    ATTR_OPTIONS,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ASSUMED_STATE, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache

from custom_components.pbx_presence.backends.isymphony.adapter import (
    SCAN_INTERVAL as ISYMPHONY_SCAN_INTERVAL,
)
from simulator import Simulator

from .conftest import (
    STATUS_STATES,
    async_poll,
    kazoo_device_id,
    kazoo_user_id,
    setup_entry,
    state_object,
    state_of,
)

ANNA = "select.anna_schmidt_blf_override"
ANNA_DESK = "select.anna_schmidt_desk_phone_blf_override"
ANNA_SOFTPHONE = "select.anna_schmidt_softphone_blf_override"


async def _select(hass: HomeAssistant, entity_id: str, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: option},
        blocking=True,
    )


def _last_action(sim: Simulator) -> dict[str, Any]:
    assert sim.kazoo.presence_actions, "no presence action reached the server"
    return sim.kazoo.presence_actions[-1]


async def test_blf_override_entities(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """Users and phones a command reaches get a BLF override starting as automatic."""
    state = state_object(hass, ANNA)
    assert state.state == "automatic"
    assert state.attributes[ATTR_OPTIONS] == ["automatic", "idle", "ringing", "busy"]
    assert state.attributes[ATTR_ASSUMED_STATE] is True
    assert state.attributes["friendly_name"] == "Anna Schmidt BLF override"
    assert state_of(hass, ANNA_DESK) == "automatic"
    entry = er.async_get(hass).async_get(ANNA)
    assert entry is not None
    assert entry.translation_key == "blf_override"
    assert entry.unique_id == (
        f"{simulator.kazoo.account_id}_user_{kazoo_user_id(simulator, 'anna')}_blf_override"
    )
    selects = [
        e
        for e in er.async_entries_for_config_entry(er.async_get(hass), init_kazoo.entry_id)
        if e.domain == SELECT_DOMAIN
    ]
    kazoo = simulator.kazoo
    phones = {i for i, device in kazoo.devices.items() if device.get("presence_id")}
    users = {
        i
        for i, user in kazoo.users.items()
        if user.get("presence_id") or any(d["id"] in phones for d in kazoo.owned_devices(i))
    }
    assert len(selects) == len(users) + len(phones)
    assert hass.states.get("select.3101_blf_override") is None
    # Kazoo would accept a command for these and do nothing: no select that can only fail.
    assert hass.states.get(ANNA_SOFTPHONE) is None
    assert hass.states.get("select.lukas_novak_blf_override") is None


@pytest.mark.parametrize(
    ("option", "sent"),
    [("idle", "terminated"), ("ringing", "early"), ("busy", "confirmed")],
)
async def test_blf_override_sets_user_presence(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    option: str,
    sent: str,
) -> None:
    """Choosing a state sends `set` with that state, and shows it at once."""
    await _select(hass, ANNA, option)

    assert _last_action(simulator) == {
        "target": "user",
        "id": kazoo_user_id(simulator, "anna"),
        "action": "set",
        "state": sent,
        "presence_ids": ["1001"],
    }
    assert simulator.kazoo.presence_overrides == {"1001": sent}
    assert state_of(hass, ANNA) == option
    # The phone with the same presence id keeps its own (unknown to it) command.
    assert state_of(hass, ANNA_DESK) == "automatic"


async def test_blf_override_on_a_phone_and_back_to_automatic(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """A phone's override goes to the device endpoint; automatic ends it with `set`.

    `set terminated` ends just the override; a reset would alert the provider's admins and
    dark the lamps of calls in progress.
    """
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")

    await _select(hass, ANNA_DESK, "busy")
    assert _last_action(simulator)["target"] == "device"
    assert _last_action(simulator)["id"] == desk
    assert simulator.kazoo.presence_overrides == {"1001": "confirmed"}
    assert state_of(hass, ANNA_DESK) == "busy"

    await _select(hass, ANNA_DESK, "automatic")
    assert _last_action(simulator) == {
        "target": "device",
        "id": desk,
        "action": "set",
        "state": "terminated",
        "presence_ids": ["1001"],
    }
    assert simulator.kazoo.presence_overrides == {"1001": "terminated"}
    assert state_of(hass, ANNA_DESK) == "automatic"
    assert all(action["action"] == "set" for action in simulator.kazoo.presence_actions)


async def test_blf_override_with_nothing_to_send_to(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """A user whose phones went since the directory was read: the server's no-op is an error."""
    entity_id = "select.felix_wagner_blf_override"
    for device in simulator.kazoo.owned_devices(kazoo_user_id(simulator, "felix")):
        del simulator.kazoo.devices[device["id"]]

    with pytest.raises(HomeAssistantError) as err:
        await _select(hass, entity_id, "busy")

    assert err.value.translation_key == "nothing_to_send"
    assert _last_action(simulator)["presence_ids"] == []
    assert state_of(hass, entity_id) == "automatic"


async def test_blf_override_server_error_keeps_the_option(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """A refused command raises a translated error and leaves the option as it was."""
    await _select(hass, ANNA, "ringing")
    simulator.faults.add("status", status=500, path_contains="/presence")

    with pytest.raises(HomeAssistantError) as err:
        await _select(hass, ANNA, "busy")

    assert err.value.translation_key == "unknown"
    assert state_of(hass, ANNA) == "ringing"
    assert simulator.kazoo.presence_overrides == {"1001": "early"}


async def test_blf_override_automatic_is_not_a_reset(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
) -> None:
    """Ending overrides often is fine: no reset, so no cooldown and no admin alert."""
    for option in ("busy", "automatic", "ringing", "automatic"):
        await _select(hass, ANNA, option)

    assert [(a["action"], a["state"]) for a in simulator.kazoo.presence_actions] == [
        ("set", "confirmed"),
        ("set", "terminated"),
        ("set", "early"),
        ("set", "terminated"),
    ]
    assert state_of(hass, ANNA) == "automatic"


async def test_reset_button_returns_the_override_to_automatic(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """A reset from the button ends the override, and the select says so."""
    await _select(hass, ANNA, "busy")
    await _select(hass, ANNA_DESK, "ringing")

    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.anna_schmidt_reset_presence"}, blocking=True
    )

    assert _last_action(simulator)["action"] == "reset"
    assert state_of(hass, ANNA) == "automatic"
    # Only the presentity that was reset follows.
    assert state_of(hass, ANNA_DESK) == "ringing"


async def test_blf_override_is_restored(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """The last commanded option survives a restart; a stale or odd one falls back."""
    mock_restore_cache(
        hass,
        [
            State(ANNA, "busy"),
            State(ANNA_DESK, "ringing"),
            State("select.ben_carter_blf_override", "unavailable"),
            State("select.carla_rossi_blf_override", "confirmed"),
        ],
    )

    await setup_entry(hass, kazoo_entry)

    assert state_of(hass, ANNA) == "busy"
    assert state_of(hass, ANNA_DESK) == "ringing"
    assert state_of(hass, "select.ben_carter_blf_override") == "automatic"
    assert state_of(hass, "select.carla_rossi_blf_override") == "automatic"
    # Restoring sends nothing: the server kept the override itself.
    assert simulator.kazoo.presence_actions == []


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_status_select_reads_and_sets_the_status(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """The status select shows the type and sets one with a predefined name at once."""
    entity_id = "select.anna_schmidt_set_status"
    state = state_object(hass, entity_id)
    assert state.state == "available"
    # The 11 types, then the admin-defined statuses seen (type and name together).
    assert state.attributes[ATTR_OPTIONS] == [
        *STATUS_STATES,
        "Away — Out to lunch",
        "Extended away — On vacation",
        "Do not disturb (panel status) — In a meeting",
    ]
    assert ATTR_ASSUMED_STATE not in state.attributes
    assert state_of(hass, "select.david_kim_set_status") == "Extended away — On vacation"
    assert hass.states.get("select.lukas_novak_set_status") is None  # not licensed

    # "In a meeting" (dnd) is an admin-defined status seen on Carla.
    await _select(hass, entity_id, "dnd")
    status = simulator.isymphony.status_of("anna")
    assert (status["type"], status["name"], status["userCreated"]) == (
        "dnd",
        "In a meeting",
        False,
    )
    assert state_of(hass, entity_id) == "Do not disturb (panel status) — In a meeting"
    assert state_of(hass, "sensor.anna_schmidt_status") == "dnd"
    assert state_of(hass, "sensor.anna_schmidt_status_name") == "In a meeting"

    # No admin-defined status of this type is known: the type's label is the name.
    await _select(hass, entity_id, "altgreen")
    status = simulator.isymphony.status_of("anna")
    assert (status["type"], status["name"]) == ("altgreen", "Green")
    assert state_of(hass, entity_id) == "altgreen"


async def test_status_select_follows_the_panel(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A status set elsewhere shows in the select on the next poll."""
    simulator.isymphony.set_status("ben", name="Chatting", type="chat")

    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)

    assert state_of(hass, "select.ben_carter_set_status") == "chat"


async def test_status_select_unlicensed_user(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """A license lost since the last poll gives a translated error, and no change."""
    simulator.isymphony.user("anna")["licensed"] = False

    with pytest.raises(HomeAssistantError) as err:
        await _select(hass, "select.anna_schmidt_set_status", "away")

    assert err.value.translation_key == "not_licensed"
    assert simulator.isymphony.status_of("anna")["type"] == "available"
    assert state_of(hass, "select.anna_schmidt_set_status") == "available"


async def test_status_unavailable_is_a_state_not_a_dead_entity(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """iSymphony's type "unavailable" shows as its own state; choosing it sets that type."""
    # The demo has Jonas on "unavailable".
    assert simulator.isymphony.status_of("jonas")["type"] == "unavailable"
    assert state_of(hass, "sensor.jonas_becker_status") == "not_available"
    assert state_of(hass, "select.jonas_becker_set_status") == "not_available"

    await _select(hass, "select.anna_schmidt_set_status", "not_available")

    assert simulator.isymphony.status_of("anna")["type"] == "unavailable"
    assert state_of(hass, "sensor.anna_schmidt_status") == "not_available"
    entity = er.async_get(hass).async_get("sensor.anna_schmidt_status")
    assert entity is not None
    assert entity.unique_id.endswith("_panel_user_anna_status")  # ids unchanged
