"""Voice through Home Assistant's built-in Assist agent: sentences in, spoken answers out.

The sentences reach the integration's intents through conversation triggers; every test
asks `conversation` exactly as a voice satellite or the Assist dialog does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
    async_should_expose,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from simulator import Simulator

from .conftest import async_poll, hide_from_assist, kazoo_device_id, kazoo_user_id, state_of

# 10:10 in Berlin: "until 3 pm" is today, "for 30 minutes" is 10:40.
NOW = datetime(2026, 11, 23, 9, 10, tzinfo=UTC)


async def ask(hass: HomeAssistant, text: str, context: Context | None = None) -> str:
    """What the built-in agent answers to `text`."""
    result = await conversation.async_converse(
        hass, text, None, context or Context(), language="en"
    )
    speech: str = result.response.speech["plain"]["speech"]
    return speech


def ms(moment: datetime) -> int:
    """iSymphony's return time: Unix milliseconds."""
    return int(moment.timestamp() * 1000)


async def start_assist(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Assist (conversation and intent) and the integration with its entries, in Berlin."""
    freezer.move_to(NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "intent", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()


def place_calls(simulator: Simulator) -> None:
    """Ben on an answered call, a call ringing on Anna's desk phone, nobody else busy."""
    kazoo = simulator.kazoo
    for uuid in list(kazoo.channels):
        kazoo.hangup(uuid)
    ben_call = kazoo.start_call(device_id=kazoo_device_id(simulator, "Ben Carter desk phone"))
    kazoo.answer(ben_call)
    kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        destination="1001",
        direction="outbound",
    )


@pytest.fixture
async def both(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
) -> None:
    """Assist with both demo servers, Ben on a call and Anna's phone ringing."""
    place_calls(simulator)
    await start_assist(hass, freezer)
    assert kazoo_entry.state is ConfigEntryState.LOADED
    assert isymphony_entry.state is ConfigEntryState.LOADED
    # The answers below follow these sensor states.
    assert state_of(hass, "sensor.ben_carter_call_state") == "busy"
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "ringing"
    assert state_of(hass, "sensor.emma_johnson_call_state") == "idle"


QUESTIONS = [
    # Call state, asked many ways; first name, full name, any case.
    ("is Ben on the phone", "Yes, Ben Carter is on a call."),
    ("Is Ben Carter on a call?", "Yes, Ben Carter is on a call."),
    ("is ben carter talking on the phone right now", "Yes, Ben Carter is on a call."),
    ("is Ben busy", "Yes, Ben Carter is on a call."),
    ("can I call Ben", "No, Ben Carter is on a call."),
    ("is Ben not on the phone", "No, Ben Carter is on a call."),
    (
        "is Emma currently not on a call",
        "Yes, Emma Johnson is not on the phone. Emma Johnson is free for chat (Chatting).",
    ),
    ("is Anna on the phone", "No, Anna Schmidt's phone is ringing."),
    ("is Anna's phone ringing", "Yes, Anna Schmidt's phone is ringing."),
    ("what is Anna Schmidt's call state", "Anna Schmidt's phone is ringing."),
    (
        "is Emma free",
        "Yes, Emma Johnson is not on the phone. Emma Johnson is free for chat (Chatting).",
    ),
    # Free means free: an idle phone is not enough when the status says otherwise.
    (
        "is David free",
        "No. David Kim is not on the phone. David Kim is extended away (On vacation) "
        "until June 10, 2030 at 10 am. Note: Back on Monday.",
    ),
    ("can I call Jonas", "No. Jonas Becker is not on the phone. Jonas Becker is unavailable."),
    # Ordinary phrasings, not the README's.
    ("Ben's status please", "Ben Carter is away (Out to lunch) until June 3, 2030 at 2:45 pm."),
    ("status of Ben", "Ben Carter is away (Out to lunch) until June 3, 2030 at 2:45 pm."),
    ("is Ben back yet", "Ben Carter is away (Out to lunch) until June 3, 2030 at 2:45 pm."),
    ("what is Anna doing", "Anna Schmidt is available."),
    ("who's ringing", "Anna Schmidt's phone is ringing."),
    ("how many people are on the phone", "One person is on a call: Ben Carter."),
    (
        "is Carla available",
        "No. Carla Rossi is not on the phone. Carla Rossi is on do not disturb in the panel "
        "(In a meeting). Note: Quarterly review.",
    ),
    (
        "is Emma available",
        "Yes, Emma Johnson is not on the phone. Emma Johnson is free for chat (Chatting).",
    ),
    # Anna has a Flex UC / Kazoo user: the phone's do not disturb, which refuses calls.
    (
        "set Anna to do not disturb",
        "Done. Anna Schmidt is on do not disturb: calls are not put through.",
    ),
    ("mark Ben as available", "Done. Ben Carter is available."),
    ("put Felix on away", "Done. Felix Wagner is away."),
    (
        "reset presence for Anna",
        "The BLF presence of Anna Schmidt is reset; the lamps show idle until the next call.",
    ),
    (
        "who is free",
        # Not Site Admin: no phone to take a call on.
        "Emma Johnson, Felix Wagner, Hannah Müller, Lena Fischer, Lukas Novak, Max Weber "
        "and Sofia García are free to take a call.",
    ),
    ("who is away", "Ben Carter and David Kim are away."),
    ("who's on do not disturb", "Carla Rossi is on do not disturb in the panel."),
    ("who is unavailable", "Jonas Becker is unavailable."),
    (
        "is Ben in a meeting",
        "Ben Carter is away (Out to lunch) until June 3, 2030 at 2:45 pm.",
    ),
    ("is the lobby phone on a call", "No, Lobby phone is not on a call."),
    ("who is on the phone", "Ben Carter is on a call."),
    ("is anyone on a call", "Ben Carter is on a call."),
    ("is somebody on the phone right now", "Ben Carter is on a call."),
    ("whose phone is ringing", "Anna Schmidt's phone is ringing."),
    # Statuses: type in words, name, note, return time in the user's time zone.
    (
        "what is Ben's status",
        "Ben Carter is away (Out to lunch) until June 3, 2030 at 2:45 pm.",
    ),
    (
        "what's David's status?",
        "David Kim is extended away (On vacation) until June 10, 2030 at 10 am. "
        "Note: Back on Monday.",
    ),
    (
        "when will David be back",
        "David Kim is extended away (On vacation) until June 10, 2030 at 10 am. "
        "Note: Back on Monday.",
    ),
    (
        "what is Carla's status",
        "Carla Rossi is on do not disturb in the panel (In a meeting). Note: Quarterly review.",
    ),
    # Accents are optional, last names work.
    ("what is Hannah Muller's status", "Hannah Müller is on status green (Focus time)."),
    ("what is hannah müller's status", "Hannah Müller is on status green (Focus time)."),
    ("what is Schmidt's status", "Anna Schmidt is available."),
    ("what is Jonas's status", "Jonas Becker is unavailable."),
    ("what is Max's status", "Max Weber is on status red (On air)."),
    # Unknown names, no licence, no phone.
    ("is Zoe on the phone", "I don't know anyone called Zoe on the phone system."),
    (
        "what is Lukas's status",
        "Lukas Novak has no iSymphony license, so the phone system has no status for them.",
    ),
    (
        "is front desk 2 on the phone",
        "Front desk 2 has no phone on Flex UC / Kazoo and no iSymphony status, so I cannot "
        "tell whether they are on the phone.",
    ),
]


# QUESTIONS and GERMAN are asked in tests/test_voice_phrasings.py, with the outsider's table.


@pytest.mark.usefixtures("both")
async def test_built_in_sentences_still_work(hass: HomeAssistant) -> None:
    """The integration's sentences do not take over Home Assistant's own."""
    answer = await ask(hass, "what time is it")
    assert "phone" not in answer
    assert answer[0].isdigit()


@pytest.mark.usefixtures("both")
async def test_nobody_on_the_phone(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """With no calls at all the list questions say so."""
    for uuid in list(simulator.kazoo.channels):
        simulator.kazoo.hangup(uuid)
    await kazoo_entry.runtime_data.async_refresh()
    assert await ask(hass, "is anyone on the phone") == "Nobody is on the phone."
    assert await ask(hass, "which phones are ringing") == "No phone is ringing."


@pytest.mark.usefixtures("both")
async def test_list_many(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Several people on calls are joined the way people say lists."""
    kazoo = simulator.kazoo
    for name in ("Carla Rossi desk phone", "David Kim desk phone"):
        kazoo.answer(kazoo.start_call(device_id=kazoo_device_id(simulator, name)))
    await kazoo_entry.runtime_data.async_refresh()
    assert (
        await ask(hass, "who's on a call right now")
        == "Ben Carter, Carla Rossi and David Kim are on a call."
    )


@pytest.mark.usefixtures("both")
async def test_set_status_until_a_time(hass: HomeAssistant, simulator: Simulator) -> None:
    """A type in words and a time of day in the user's time zone reach the server."""
    assert (
        await ask(hass, "set Anna's status to extended away until 3 pm")
        == "Done. Anna Schmidt is extended away until 3 pm."
    )
    status = simulator.isymphony.status_of("anna")
    assert status["type"] == "xa"
    assert status["returnTime"] == ms(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert state_of(hass, "sensor.anna_schmidt_status") == "xa"


@pytest.mark.usefixtures("both")
async def test_set_status_for_a_while(hass: HomeAssistant, simulator: Simulator) -> None:
    """ "For 30 minutes" counts from now."""
    assert (
        await ask(hass, "set the status of Ben to do not disturb for 30 minutes")
        == "Done. Ben Carter is on do not disturb in the panel until 10:40 am."
    )
    status = simulator.isymphony.status_of("ben")
    assert status["type"] == "dnd"
    assert status["returnTime"] == ms(NOW + timedelta(minutes=30))


@pytest.mark.usefixtures("both")
async def test_set_status_24_hour_time_and_note(hass: HomeAssistant, simulator: Simulator) -> None:
    """ "Until 15:30 with note ..." sets the return time and the note."""
    assert (
        await ask(hass, "change Felix's status to green until 15:30 with note dentist")
        == "Done. Felix Wagner is on status green until 3:30 pm. Note: dentist."
    )
    status = simulator.isymphony.status_of("felix")
    assert (status["type"], status["note"]) == ("altgreen", "dentist")
    assert status["returnTime"] == ms(datetime(2026, 11, 23, 14, 30, tzinfo=UTC))


@pytest.mark.usefixtures("both")
async def test_set_status_by_its_name(hass: HomeAssistant, simulator: Simulator) -> None:
    """An administrator-defined status is found by its name, and keeps it."""
    assert (
        await ask(hass, "set Emma's status to out to lunch")
        == "Done. Emma Johnson is away (Out to lunch)."
    )
    status = simulator.isymphony.status_of("emma")
    assert (status["type"], status["name"]) == ("away", "Out to lunch")
    assert await ask(hass, "set Carla's status to available") == "Done. Carla Rossi is available."


@pytest.mark.usefixtures("both")
async def test_set_my_status(hass: HomeAssistant, simulator: Simulator) -> None:
    """ "My" is the Home Assistant user who speaks, found by their name."""
    user = await hass.auth.async_create_user("Anna Schmidt")
    assert (
        await ask(hass, "set my status to do not disturb", Context(user_id=user.id))
        == "Done. Anna Schmidt is on do not disturb in the panel."
    )
    assert simulator.isymphony.status_of("anna")["type"] == "dnd"

    stranger = await hass.auth.async_create_user("Guest")
    answer = await ask(hass, "set my status to away", Context(user_id=stranger.id))
    assert answer.startswith("I don't know who you are on the phone system.")
    assert await ask(hass, "mark me as away") == answer


@pytest.mark.usefixtures("both")
async def test_set_my_status_through_the_person(hass: HomeAssistant, simulator: Simulator) -> None:
    """A user whose Home Assistant person carries the phone-system name."""
    user = await hass.auth.async_create_user("hb")
    hass.states.async_set("person.hannah", "home", {"user_id": user.id, "friendly_name": "Hannah"})
    assert (
        await ask(hass, "set me to away for an hour", Context(user_id=user.id))
        == "Done. Hannah Müller is away until 11:10 am."
    )
    assert simulator.isymphony.status_of("hannah")["returnTime"] == ms(NOW + timedelta(hours=1))


@pytest.mark.usefixtures("both")
@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (
            "set Anna's status to sleeping",
            'I don\'t know the status "sleeping". Say available, unavailable, away, '
            "extended away, do not disturb, free for chat, blue, green, pink, purple or red.",
        ),
        (
            "set Anna's status to away until teatime",
            'I did not understand the time "teatime". Say for example "until 3 pm", '
            '"until 15:30" or "for 30 minutes".',
        ),
        (
            "set Anna's status to away for a fortnight",
            'I did not understand the time "a fortnight". Say for example "until 3 pm", '
            '"until 15:30" or "for 30 minutes".',
        ),
        (
            "set Lukas's status to away",
            "Lukas Novak has no iSymphony license, so its status cannot be set.",
        ),
        (
            "set Zoe's status to away",
            "I don't know anyone called Zoe on the phone system.",
        ),
        (
            "reset the presence of front desk 2",
            "Front desk 2 is not a Flex UC / Kazoo user or phone, so there is no BLF presence "
            "to reset.",
        ),
    ],
)
async def test_commands_refused(
    hass: HomeAssistant, simulator: Simulator, command: str, answer: str
) -> None:
    """What cannot be done is said clearly, and nothing is sent."""
    before = simulator.isymphony.status_of("anna")
    assert await ask(hass, command) == answer
    assert simulator.isymphony.status_of("anna") == before


@pytest.mark.usefixtures("both")
async def test_server_refuses(hass: HomeAssistant, simulator: Simulator) -> None:
    """The server's refusal is spoken with its reason."""
    simulator.faults.add("status", status=422, path_contains="status/set")
    answer = await ask(hass, "set Carla's status to away")
    assert answer.startswith("The server rejected the request: ")
    assert simulator.isymphony.status_of("carla")["type"] == "dnd"


@pytest.mark.usefixtures("both")
async def test_reset_presence(hass: HomeAssistant, simulator: Simulator) -> None:
    """A reset is sent once; a second one within 30 seconds is refused in words."""
    assert (
        await ask(hass, "reset Anna's presence")
        == "The BLF presence of Anna Schmidt is reset; the lamps show idle until the next call."
    )
    action = simulator.kazoo.presence_actions[-1]
    assert (action["target"], action["id"]) == ("user", kazoo_user_id(simulator, "anna"))
    assert (
        await ask(hass, "reset the BLF of Anna Schmidt")
        == "Anna Schmidt was reset less than 30 seconds ago. Every reset alerts the "
        "account's administrators, so wait a little."
    )


@pytest.mark.usefixtures("both")
async def test_server_unreachable(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator
) -> None:
    """While a server is unreachable nothing stale is told as the truth.

    Unreachable as for the entities: three failed polls over at least a minute.
    """
    simulator.faults.add("status", status=503, count=None)
    for delta in (KAZOO_SCAN_INTERVAL, KAZOO_SCAN_INTERVAL, timedelta(minutes=1)):
        await async_poll(hass, freezer, delta)
    unreachable = "I cannot reach the phone system acme right now, so I don't know."
    assert await ask(hass, "is Ben on the phone") == unreachable
    assert await ask(hass, "who is on the phone") == unreachable


async def test_assist_set_up_after_the_integration(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
) -> None:
    """The sentences wait for Assist when it is set up after the integration."""
    place_calls(simulator)
    freezer.move_to(NOW)
    # Home Assistant's core integration (exposure settings) is always set up first.
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()
    assert await ask(hass, "is Ben on a call") == "Yes, Ben Carter is on a call."


async def test_ambiguous_first_name(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
) -> None:
    """Two people called Anna: the answer lists them; the full name settles it."""
    simulator.kazoo.add_user("annab", "annab-secret-1", "Anna", "Berg", None)
    await start_assist(hass, freezer)
    assert (
        await ask(hass, "is Anna on the phone")
        == "More than one person is called Anna: Anna Berg, Anna Schmidt. Which one do you mean?"
    )
    assert await ask(hass, "is Anna Berg on the phone") == "No, Anna Berg is not on the phone."


async def test_aliases_and_renamed_devices(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
) -> None:
    """An entity alias or a device renamed in Home Assistant is a name too."""
    place_calls(simulator)
    await start_assist(hass, freezer)
    entities = er.async_get(hass)
    entities.async_update_entity("sensor.ben_carter_call_state", aliases={"The Boss"})
    device_id = entities.async_get("sensor.carla_rossi_status").device_id
    assert device_id is not None
    dr.async_get(hass).async_update_device(device_id, name_by_user="Reception")
    assert await ask(hass, "is the boss on the phone") == "Yes, Ben Carter is on a call."
    assert (
        await ask(hass, "what is Reception's status")
        == "Carla Rossi is on do not disturb in the panel (In a meeting). Note: Quarterly review."
    )


async def test_isymphony_only(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    isymphony_entry: MockConfigEntry,
) -> None:
    """Without Flex UC / Kazoo, call questions answer from iSymphony's call segments."""
    await start_assist(hass, freezer)
    assert await ask(hass, "is Anna on the phone") == (
        "No, Anna Schmidt is not on the phone. Anna Schmidt is available."
    )
    assert await ask(hass, "who is on the phone") == "Ben Carter and Carla Rossi are on a call."
    # The other party is the call segment's caller ID; Carla has hers on hold.
    assert await ask(hass, "who is Ben talking to") == (
        "Ben Carter is on a call with Acme Supplies (+15557654321)."
    )
    assert await ask(hass, "who's Carla on the phone with") == (
        "Carla Rossi is on a call with +15559876543. The call is on hold."
    )
    assert await ask(hass, "reset Anna's presence") == (
        "Anna Schmidt is not a Flex UC / Kazoo user or phone, so there is no BLF presence to reset."
    )


async def test_kazoo_only(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
) -> None:
    """Without iSymphony a status question answers with the call state."""
    place_calls(simulator)
    await start_assist(hass, freezer)
    assert (
        await ask(hass, "what is Ben's status")
        == "Ben Carter has no iSymphony status. Ben Carter is on a call."
    )
    assert (
        await ask(hass, "set Ben's status to away")
        == "Ben Carter is not an iSymphony user, so there is no status for them."
    )
    assert await ask(hass, "what is the lobby phone's status") == (
        "Lobby phone has no iSymphony status. Lobby phone is not on a call."
    )


@pytest.mark.usefixtures("both")
async def test_voice_answers_only_about_people_exposed_to_assist(hass: HomeAssistant) -> None:
    """Assist's privacy rules: a person whose sensors are not exposed is not talked about."""
    assert await ask(hass, "is Ben on the phone") == "Yes, Ben Carter is on a call."
    # Every sensor of his (the iSymphony call state too, where the server gave one).
    hide_from_assist(hass, "ben_carter")

    not_exposed = (
        "Ben Carter is not exposed to this assistant, so I cannot tell about them. Expose "
        "their call state or status sensor under Settings → Voice assistants → Expose."
    )
    assert await ask(hass, "is Ben on the phone") == not_exposed
    assert await ask(hass, "what is Ben's status") == not_exposed
    assert await ask(hass, "who is on the phone") == "Nobody is on the phone."
    # Only his status is exposed again: his status is told, his calls are not listed.
    async_expose_entity(hass, "conversation", "sensor.ben_carter_status", should_expose=True)
    assert await ask(hass, "what is Ben's status") == (
        "Ben Carter is away (Out to lunch) until June 3, 2030 at 2:45 pm."
    )
    assert await ask(hass, "who is on the phone") == "Nobody is on the phone."


@pytest.mark.usefixtures("both")
async def test_a_queue_is_talked_about_only_where_exposed(hass: HomeAssistant) -> None:
    """A queue's Agents logged in sensor is exposed once; hidden, the queue is not told."""
    assert await ask(hass, "who's in the support queue") == (
        "The Support queue has 2 logged in, 1 free: Anna Schmidt."
    )
    async_expose_entity(hass, "conversation", "sensor.support_agents_logged_in", False)
    assert await ask(hass, "who's in the support queue") == (
        "The Support queue is not exposed to this assistant. Expose its Agents logged in "
        "sensor under Settings → Voice assistants → Expose."
    )


@pytest.mark.usefixtures("both")
async def test_a_queue_nobody_is_in_and_one_that_cannot_be_read(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """An empty queue says so; a queue whose agents the server does not give, too."""
    for agent in list(simulator.isymphony.queue("support")["agents"]):
        simulator.isymphony.agent_logout("support", agent["id"])
    simulator.faults.add(
        "status", count=None, path_contains="/queues/getByName/sales/agents", status=500
    )
    await isymphony_entry.runtime_data.async_refresh()
    assert await ask(hass, "who's in the support queue") == (
        "Nobody is logged into the Support queue."
    )
    assert await ask(hass, "is anyone in the sales queue available") == (
        "The agents of the Sales queue cannot be read right now."
    )


async def test_people_are_exposed_once_unless_the_options_say_not_to(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
) -> None:
    """New sensors are exposed when first added; a choice made since stays; an option stops it."""
    hass.config_entries.async_update_entry(
        isymphony_entry, options={**isymphony_entry.options, "expose_to_assist": False}
    )
    place_calls(simulator)
    await start_assist(hass, freezer)

    assert async_should_expose(hass, "conversation", "sensor.ben_carter_call_state")
    assert not async_should_expose(hass, "conversation", "sensor.ben_carter_status")
    async_expose_entity(hass, "conversation", "sensor.anna_schmidt_call_state", False)
    assert await hass.config_entries.async_reload(kazoo_entry.entry_id)
    await hass.async_block_till_done()
    assert not async_should_expose(hass, "conversation", "sensor.anna_schmidt_call_state")


@pytest.mark.usefixtures("both")
async def test_me_is_the_person_linked_by_hand(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """A person whose Home Assistant name is nobody's on the phone system, linked in the options."""
    user = await hass.auth.async_create_user("boss")
    hass.states.async_set("person.the_boss", "home", {"user_id": user.id, "friendly_name": "Boss"})
    context = Context(user_id=user.id)
    assert await ask(hass, "set my status to away", context) == (
        "I don't know who you are on the phone system. Say the person's name, or give your "
        "Home Assistant user or person the name you have on the phone system."
    )

    result = await hass.config_entries.options.async_init(isymphony_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"self_links": ["Boss = Nobody Known"]}
    )
    assert result["errors"] == {"self_links": "invalid_self_link"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"self_links": ["Boss = Max Weber"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entry reloads
    assert isymphony_entry.options["self_links"] == {"person.the_boss": "panel_user_max"}

    assert await ask(hass, "set my status to away", context) == ("Done. Max Weber is away.")
    assert simulator.isymphony.status_of("max")["type"] == "away"


# German, asked as people in a German office would; answers in German with a 24-hour clock.
GERMAN = [
    ("telefoniert Ben", "Ja. Ben Carter telefoniert gerade."),
    ("ist Ben am Telefon", "Ja. Ben Carter telefoniert gerade."),
    ("klingelt das Telefon von Anna", "Ja. Das Telefon von Anna Schmidt klingelt."),
    (
        "ist Emma frei",
        "Ja. Emma Johnson telefoniert nicht. Emma Johnson ist frei für Chat (Chatting).",
    ),
    (
        "ist David frei",
        "Nein. David Kim telefoniert nicht. David Kim ist länger abwesend (On vacation) "
        "bis 10. Juni 2030 um 10 Uhr. Notiz: Back on Monday.",
    ),
    (
        "kann ich Jonas anrufen",
        "Nein. Jonas Becker telefoniert nicht. Jonas Becker ist nicht verfügbar.",
    ),
    ("wer telefoniert", "Ben Carter telefoniert gerade."),
    ("wessen Telefon klingelt", "Das Telefon von Anna Schmidt klingelt."),
    ("wer ist abwesend", "Ben Carter und David Kim sind abwesend."),
    ("wer ist auf nicht stören", "Carla Rossi ist im Panel auf „Nicht stören“."),
    (
        "was ist der Status von Ben",
        "Ben Carter ist abwesend (Out to lunch) bis 3. Juni 2030 um 14:45 Uhr.",
    ),
    (
        "wann kommt David zurück",
        "David Kim ist länger abwesend (On vacation) bis 10. Juni 2030 um 10 Uhr. "
        "Notiz: Back on Monday.",
    ),
    (
        "was macht Carla",
        "Carla Rossi ist im Panel auf „Nicht stören“ (In a meeting). Notiz: Quarterly review.",
    ),
    ("setze Annas Status auf abwesend", "Erledigt. Anna Schmidt ist abwesend."),
    (
        "setze den Status von Felix auf nicht stören",
        "Erledigt. Felix Wagner ist im Panel auf „Nicht stören“.",
    ),
    ("setze Emmas Status auf verfügbar", "Erledigt. Emma Johnson ist verfügbar."),
    (
        "setze die Präsenz von Anna zurück",
        "Die BLF-Präsenz von Anna Schmidt ist zurückgesetzt; die Lampen zeigen bis zum "
        "nächsten Anruf frei an.",
    ),
    ("ist Zoe am Telefon", "Ich kenne niemanden namens Zoe in der Telefonanlage."),
]
