"""The admin-defined statuses seen, offered by the Set status select and action.

iSymphony documents no list of predefined statuses: they are learnt as users take them,
type and name together, and stay on offer; the 11 types always are.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.select import (
    ATTR_OPTION,
    ATTR_OPTIONS,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.isymphony.adapter import SCAN_INTERVAL
from custom_components.pbx_presence.const import DOMAIN
from simulator import Simulator

from .conftest import STATUS_STATES, async_poll, setup_entry, state_object, state_of

ANNA_SELECT = "select.anna_schmidt_set_status"
NAMED = [
    "Away — Out to lunch",
    "Extended away — On vacation",
    "Do not disturb (panel status) — In a meeting",
]


async def _select(hass: HomeAssistant, entity_id: str, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: option},
        blocking=True,
    )


async def _set(hass: HomeAssistant, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, "set_user_status", {ATTR_ENTITY_ID: ANNA_SELECT, **data}, blocking=True
    )


def _status_sets(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.path.endswith("/status/set"))


async def test_a_named_status_is_chosen_with_its_type(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    await _select(hass, ANNA_SELECT, "Away — Out to lunch")
    status = simulator.isymphony.status_of("anna")
    assert (status["type"], status["name"], status["userCreated"]) == (
        "away",
        "Out to lunch",
        False,
    )
    assert state_of(hass, ANNA_SELECT) == "Away — Out to lunch"
    # A type alone still works, and one named like its type is that type's option.
    await _select(hass, ANNA_SELECT, "available")
    assert simulator.isymphony.status_of("anna")["name"] == "Available"
    assert state_of(hass, ANNA_SELECT) == "available"


async def test_statuses_seen_stay_on_offer_for_every_user(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new admin status taken by Ben shows on Anna's select; it stays when Ben moves on."""
    state = simulator.isymphony
    state.add_predefined_status("Doctor", "away")
    state.set_status("ben", name="Doctor", type="away", user_created=False)
    await async_poll(hass, freezer, SCAN_INTERVAL)
    options = [*STATUS_STATES, "Away — Doctor", *NAMED]
    assert state_object(hass, ANNA_SELECT).attributes[ATTR_OPTIONS] == options
    assert state_of(hass, "select.ben_carter_set_status") == "Away — Doctor"

    state.set_status("ben", name="Back", type="available")  # a user's own status
    await async_poll(hass, freezer, SCAN_INTERVAL)
    assert state_object(hass, ANNA_SELECT).attributes[ATTR_OPTIONS] == options
    assert state_of(hass, "select.ben_carter_set_status") == "available"


async def test_the_action_takes_a_known_name_without_a_type(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    await _set(hass, name="in a MEETING")
    status = simulator.isymphony.status_of("anna")
    assert (status["type"], status["name"], status["userCreated"]) == (
        "dnd",
        "In a meeting",
        False,
    )
    # With a type, any name is taken as given.
    await _set(hass, type="away", name="Dentist")
    assert simulator.isymphony.status_of("anna")["name"] == "Dentist"


@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        (
            {"name": "Gone fishing"},
            "status_name_unknown",
            {"name": "Gone fishing", "known": "Available, In a meeting, On vacation, Out to lunch"},
        ),
        (
            {},
            "status_type_missing",
            {"name": "", "known": "Available, In a meeting, On vacation, Out to lunch"},
        ),
    ],
)
async def test_the_action_refuses_a_name_it_does_not_know(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """Nothing is sent; the error lists the names seen."""
    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, **data)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == placeholders
    assert _status_sets(simulator) == 0


async def test_named_options_speak_home_assistants_language(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    hass.config.language = "de"
    await setup_entry(hass, isymphony_entry)
    entity_id = er.async_get(hass).async_get_entity_id(
        SELECT_DOMAIN, DOMAIN, f"{isymphony_entry.unique_id}_panel_user_anna_status"
    )
    assert entity_id is not None
    options = state_object(hass, entity_id).attributes[ATTR_OPTIONS]
    assert options[len(STATUS_STATES) :] == [
        "Abwesend — Out to lunch",
        "Länger abwesend — On vacation",
        "Nicht stören (Panelstatus) — In a meeting",
    ]
    await _select(hass, entity_id, "Nicht stören (Panelstatus) — In a meeting")
    assert simulator.isymphony.status_of("anna")["name"] == "In a meeting"
