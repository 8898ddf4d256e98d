"""Voice calls through Home Assistant's built-in agent: "call Anna from my desk phone"."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.const import DOMAIN
from custom_components.pbx_presence.voice.calling import INTENT_CALL
from simulator import Simulator

from .conftest import kazoo_device_id, kazoo_user_id
from .test_conversation import start_assist


async def ask(hass: HomeAssistant, text: str, user_id: str | None, language: str = "en") -> str:
    result = await conversation.async_converse(
        hass, text, None, Context(user_id=user_id), language=language
    )
    speech: str = result.response.speech["plain"]["speech"]
    return speech


@pytest.fixture
async def anna(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
) -> str:
    """Assist with both servers; the Home Assistant user Anna Schmidt speaks."""
    await start_assist(hass, freezer)
    return (await hass.auth.async_create_user("Anna Schmidt")).id


async def test_call_a_person(hass: HomeAssistant, simulator: Simulator, anna: str) -> None:
    assert await ask(hass, "call Ben", anna) == (
        "Calling Ben Carter. The phone of Anna Schmidt rings first: pick it up and the call "
        "goes through."
    )
    assert simulator.kazoo.quickcall_requests == [
        {
            "kind": "users",
            "id": kazoo_user_id(simulator, "anna"),
            "number": "1002",
            "auto_answer": False,
        }
    ]


async def test_call_from_my_desk_phone(
    hass: HomeAssistant, simulator: Simulator, anna: str
) -> None:
    answer = await ask(hass, "call Lena Fischer from my desk phone", anna)
    assert answer.startswith("Calling Lena Fischer. The phone of Anna Schmidt desk phone")
    assert simulator.kazoo.quickcall_requests[-1] == {
        "kind": "devices",
        "id": kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        "number": "1010",
        "auto_answer": False,
    }
    # Anna has two phones: "my phone" does not say which.
    answer = await ask(hass, "call Ben from my phone", anna)
    assert answer == (
        "Anna Schmidt has more than one such phone: Anna Schmidt desk phone, Anna Schmidt "
        "softphone. Which one do you mean?"
    )
    answer = await ask(hass, "call Ben from my fax", anna)
    assert answer == "Anna Schmidt has no phone called “fax” on the phone system."
    assert len(simulator.kazoo.quickcall_requests) == 1


async def test_call_a_number_and_in_german(
    hass: HomeAssistant, simulator: Simulator, anna: str
) -> None:
    assert (await ask(hass, "call 0171 1234567", anna)).startswith("Calling 0171 1234567.")
    assert simulator.kazoo.quickcall_requests[-1]["number"] == "01711234567"
    answer = await ask(hass, "ruf Ben an", anna, language="de")
    assert answer == (
        "Ich rufe Ben Carter an. Zuerst klingelt das Telefon von Anna Schmidt: Nimm ab, dann "
        "wird verbunden."
    )
    answer = await ask(hass, "ruf 0171 1234567 von Lobby phone an", anna, language="de")
    assert answer.startswith("Ich rufe 0171 1234567 an.")
    assert simulator.kazoo.quickcall_requests[-1]["kind"] == "devices"
    assert simulator.kazoo.quickcall_requests[-1]["id"] == kazoo_device_id(simulator, "Lobby phone")


async def test_refusals_are_spoken(hass: HomeAssistant, simulator: Simulator, anna: str) -> None:
    # The conference room's phone is not registered.
    answer = await ask(hass, "call Ben from the conference room", anna)
    assert answer.startswith("Conference room cannot call now")
    answer = await ask(hass, "call Ben", None)
    assert answer.startswith("I don't know who you are on the phone system.")
    assert simulator.kazoo.quickcall_requests == []


async def test_only_exposed_people_are_called(
    hass: HomeAssistant, simulator: Simulator, anna: str
) -> None:
    # Every sensor of his that voice speaks from: the iSymphony user's call state too.
    for entity_id in hass.states.async_entity_ids("sensor"):
        if entity_id.startswith(("sensor.ben_carter_call_state", "sensor.ben_carter_status")):
            async_expose_entity(hass, "conversation", entity_id, should_expose=False)
    answer = await ask(hass, "call Ben", anna)
    assert "Ben Carter" in answer
    assert not answer.startswith("Calling")
    assert simulator.kazoo.quickcall_requests == []
    # An LLM tool call (no exposure check asked) may; the intent is the same.
    response = await intent.async_handle(
        hass,
        DOMAIN,
        INTENT_CALL,
        {"name": {"value": "Ben"}, "caller": {"value": "Lobby phone"}},
        context=Context(user_id=anna),
        language="en",
    )
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert simulator.kazoo.quickcall_requests[-1]["number"] == "1002"


async def test_a_panel_user_cannot_call(
    hass: HomeAssistant, simulator: Simulator, anna: str
) -> None:
    answer = await ask(hass, "call Ben from Front desk 2", anna)
    assert answer == (
        "Front desk 2 has no Flex UC / Kazoo phone, so I cannot place a call from there."
    )
    assert simulator.kazoo.quickcall_requests == []
