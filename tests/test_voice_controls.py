"""Voice for the phone controls, through the built-in agent and the intents."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Simulator

from .conftest import kazoo_user_id, state_of
from .test_conversation import ask, both, start_assist

__all__ = ["both"]


async def ask_de(hass: HomeAssistant, text: str) -> str:
    """What the built-in agent answers in German."""
    result = await conversation.async_converse(hass, text, None, Context(), language="de")
    speech: str = result.response.speech["plain"]["speech"]
    return speech


def _anna(simulator: Simulator) -> dict:  # type: ignore[type-arg]
    return simulator.kazoo.users[kazoo_user_id(simulator, "anna")]


@pytest.mark.usefixtures("both")
async def test_do_not_disturb_by_voice(hass: HomeAssistant, simulator: Simulator) -> None:
    """'Put me on do not disturb' is the phone's: calls are refused, and she is not free."""
    user = await hass.auth.async_create_user("Anna Schmidt")
    me = Context(user_id=user.id)
    assert (
        await ask(hass, "put me on do not disturb", me)
        == "Done. Anna Schmidt is on do not disturb: calls are not put through."
    )
    assert _anna(simulator)["do_not_disturb"] == {"enabled": True}
    assert state_of(hass, "switch.anna_schmidt_do_not_disturb") == "on"
    # The panel status is not what changed.
    assert simulator.isymphony.status_of("anna")["type"] == "available"
    # Emma is free until her phone refuses calls.
    assert "Emma Johnson" in await ask(hass, "who is free")
    await ask(hass, "put Emma on do not disturb")
    assert "Emma Johnson" not in await ask(hass, "who is free")
    assert (
        await ask(hass, "turn off do not disturb for Anna")
        == "Done. Anna Schmidt is no longer on do not disturb."
    )
    assert _anna(simulator)["do_not_disturb"] == {"enabled": False}
    assert (
        await ask_de(hass, "schalte nicht stören für Anna ein")
        == "Erledigt. Für Anna Schmidt ist „Nicht stören“ an: Anrufe werden nicht durchgestellt."
    )
    # Off while the account refuses calls anyway: said so.
    simulator.kazoo.account_dnd = True
    await hass.config_entries.async_reload(
        next(
            e for e in hass.config_entries.async_entries("pbx_presence") if e.title == "acme"
        ).entry_id
    )
    await hass.async_block_till_done()
    assert (await ask(hass, "take Anna off do not disturb")).startswith(
        "Done. Anna Schmidt's own do not disturb is off, but calls are still not put through"
    )


@pytest.mark.usefixtures("both")
async def test_forwarding_by_voice(hass: HomeAssistant, simulator: Simulator) -> None:
    user = await hass.auth.async_create_user("Anna Schmidt")
    me = Context(user_id=user.id)
    assert (
        await ask(hass, "forward my calls to 0171 1234567", me)
        == "Done. Calls for Anna Schmidt are forwarded to 01711234567."
    )
    forward = _anna(simulator)["call_forward"]
    assert (forward["enabled"], forward["number"]) == (True, "01711234567")
    assert (
        await ask(hass, "stop forwarding my calls", me)
        == "Done. Calls for Anna Schmidt are no longer forwarded."
    )
    assert _anna(simulator)["call_forward"]["enabled"] is False
    assert (
        await ask_de(hass, "leite die Anrufe von Anna auf +49 171 765432 um")
        == "Erledigt. Anrufe für Anna Schmidt werden auf +49171765432 umgeleitet."
    )
    assert (await ask(hass, "forward Ben's calls to my desk")).startswith(
        "“my desk” is not a phone number"
    )
    assert (
        simulator.kazoo.users[kazoo_user_id(simulator, "ben")]["call_forward"]["enabled"] is False
    )
    assert (
        await ask(hass, "turn on call forwarding for Ben")
        == "Ben Carter has no number to forward calls to. Set the forward number first, or "
        "say the number."
    )


@pytest.mark.usefixtures("both")
async def test_controls_respect_exposure(hass: HomeAssistant, simulator: Simulator) -> None:
    # Every sensor of his that voice speaks from: the iSymphony user's call state too.
    for entity_id in hass.states.async_entity_ids("sensor"):
        if entity_id.startswith(("sensor.ben_carter_call_state", "sensor.ben_carter_status")):
            async_expose_entity(hass, "conversation", entity_id, should_expose=False)
    answer = await ask(hass, "put Ben on do not disturb")
    assert answer.startswith("Ben Carter is not exposed to this assistant")
    ben = simulator.kazoo.users[kazoo_user_id(simulator, "ben")]
    assert ben["do_not_disturb"] == {"enabled": False}


async def test_panel_only_people_get_the_panel_status(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
) -> None:
    """Without Flex UC / Kazoo there is no real DND: the answer says the phone still rings."""
    await start_assist(hass, freezer)
    answer = await ask(hass, "put Anna on do not disturb")
    assert answer.startswith("Done. Anna Schmidt's panel status is do not disturb.")
    assert "the phone still rings" in answer
    assert simulator.isymphony.status_of("anna")["type"] == "dnd"
    assert (
        await ask(hass, "turn off do not disturb for Anna")
        == "Done. Anna Schmidt's panel status is available again."
    )
    assert simulator.isymphony.status_of("anna")["type"] == "available"
    assert (
        await ask(hass, "take Anna off do not disturb")
        == "Anna Schmidt's panel status is not do not disturb, so there is nothing to turn off."
    )
    assert (await ask(hass, "forward Anna's calls to 1234")) == (
        "Anna Schmidt has no call forwarding on Flex UC / Kazoo that I could set."
    )
