"""Voice intents: as LLM assistants see and call them, through Home Assistant's intent API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import re
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import device_registry as dr, intent, llm
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous_openapi

from custom_components.pbx_presence.backends.snapshot import CallState, StatusType
from custom_components.pbx_presence.const import DOMAIN
from custom_components.pbx_presence.names import normalize
from custom_components.pbx_presence.voice import (
    INTENT_GET_CALL_STATE,
    INTENT_GET_STATUS,
    INTENT_LIST_CALLS,
    INTENT_LIST_STATUS,
    INTENT_RESET_PRESENCE,
    INTENT_SET_STATUS,
)
from custom_components.pbx_presence.voice.call_party import INTENT_GET_CALL_PARTY
from custom_components.pbx_presence.voice.phrases import (
    Vocabulary,
    parse_status,
    split_status_phrase,
)
from custom_components.pbx_presence.voice.queues import INTENT_GET_QUEUE
from custom_components.pbx_presence.voice.return_time import INTENT_GET_RETURN_TIME
from custom_components.pbx_presence.voice.times import is_time, parse_duration, parse_until
from custom_components.pbx_presence.voice.voicemail import INTENT_GET_VOICEMAIL
from simulator import Simulator

from .conftest import kazoo_device_id

NOW = datetime(2026, 11, 23, 9, 10, tzinfo=UTC)
TRANSLATIONS = "custom_components/pbx_presence/translations/en.json"
BERLIN = ZoneInfo("Europe/Berlin")
INTENTS = {
    INTENT_GET_CALL_STATE: {"name", "state"},
    INTENT_LIST_CALLS: {"state", "count"},
    INTENT_LIST_STATUS: {"status"},
    INTENT_GET_STATUS: {"name"},
    INTENT_SET_STATUS: {"name", "status", "status_name", "note", "until", "duration"},
    INTENT_RESET_PRESENCE: {"name"},
    INTENT_GET_CALL_PARTY: {"name"},
    INTENT_GET_RETURN_TIME: {"name"},
    INTENT_GET_VOICEMAIL: {"name"},
    INTENT_GET_QUEUE: {"name"},
}


@pytest.fixture
async def assist(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
) -> None:
    """Home Assistant with Assist and both demo servers; Ben on a call."""
    freezer.move_to(NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    kazoo = simulator.kazoo
    for uuid in list(kazoo.channels):
        kazoo.hangup(uuid)
    kazoo.answer(kazoo.start_call(device_id=kazoo_device_id(simulator, "Ben Carter desk phone")))
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "intent", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()


def llm_context() -> llm.LLMContext:
    """An LLM conversation agent's request, as the conversation integration makes it."""
    return llm.LLMContext(
        platform="test_llm",
        context=Context(),
        language="en",
        assistant="conversation",
        device_id=None,
    )


@pytest.mark.usefixtures("assist")
async def test_assist_api_offers_the_intents_as_tools(hass: HomeAssistant) -> None:
    """LLM assistants get every intent with a description and a documented slot schema.

    The intents are tools whatever is exposed; each answers only about exposed people.
    """
    api = await llm.async_get_api(hass, "assist", llm_context())
    tools = {tool.name: tool for tool in api.tools}
    for name, slots in INTENTS.items():
        tool = tools[name]
        assert tool.description
        assert not tool.description.startswith("Execute Home Assistant")
        schema = voluptuous_openapi.convert(
            tool.parameters, custom_serializer=api.custom_serializer
        )
        assert set(schema["properties"]) == slots
        for slot, spec in schema["properties"].items():
            assert spec.get("description"), (name, slot)
    set_status = voluptuous_openapi.convert(tools[INTENT_SET_STATUS].parameters)
    assert set_status["required"] == ["status"]
    call_state = voluptuous_openapi.convert(tools[INTENT_GET_CALL_STATE].parameters)
    assert call_state["properties"]["state"]["enum"] == ["idle", "ringing", "busy"]


@pytest.mark.usefixtures("assist")
async def test_sensors_can_be_exposed(hass: HomeAssistant) -> None:
    """Call state and status sensors exposed to Assist reach an LLM's view of the home."""
    for entity_id in ("sensor.anna_schmidt_call_state", "sensor.anna_schmidt_status"):
        async_expose_entity(hass, "conversation", entity_id, should_expose=True)
    api = await llm.async_get_api(hass, "assist", llm_context())
    assert "Anna Schmidt Call state" in api.api_prompt
    assert "Anna Schmidt Status" in api.api_prompt
    # Exposing sensors does not hide the intents (they are not limited to any domain).
    assert INTENTS.keys() <= {tool.name for tool in api.tools}


async def call_tool(hass: HomeAssistant, tool: str, **args: Any) -> dict[str, Any]:
    """Call a tool the way an LLM does, and return what the LLM reads back."""
    api = await llm.async_get_api(hass, "assist", llm_context())
    result = await api.async_call_tool(llm.ToolInput(tool_name=tool, tool_args=args))
    return dict(result)


@pytest.mark.usefixtures("assist")
async def test_llm_asks_and_sets(hass: HomeAssistant, simulator: Simulator) -> None:
    """An LLM's tool calls get the same spoken answers, and change the server."""
    answer = await call_tool(hass, INTENT_GET_CALL_STATE, name="ben")
    assert answer["response_type"] == "query_answer"
    assert answer["speech"]["plain"]["speech"] == "Ben Carter is on a call."

    answer = await call_tool(
        hass,
        INTENT_SET_STATUS,
        name="Carla Rossi",
        status="xa",
        status_name="Conference",
        note="In Vienna",
        until="2026-11-25T09:00:00",
    )
    assert answer["response_type"] == "action_done"
    assert answer["speech"]["plain"]["speech"] == (
        "Done. Carla Rossi is extended away (Conference) until November 25 at 9 am. "
        "Note: In Vienna."
    )
    status = simulator.isymphony.status_of("carla")
    assert (status["type"], status["name"], status["note"]) == ("xa", "Conference", "In Vienna")
    assert status["returnTime"] == int(datetime(2026, 11, 25, 8, 0, tzinfo=UTC).timestamp() * 1000)

    answer = await call_tool(hass, INTENT_SET_STATUS, name="Ben", status="away", duration="2 hours")
    assert answer["speech"]["plain"]["speech"] == ("Done. Ben Carter is away until 12:10 pm.")
    answer = await call_tool(hass, INTENT_SET_STATUS, name="Ben", status="away", until="9 am")
    assert answer["speech"]["plain"]["speech"] == (
        "Done. Ben Carter is away until tomorrow at 9 am."
    )


@pytest.mark.usefixtures("assist")
async def test_answers_carry_their_facts_as_data(hass: HomeAssistant) -> None:
    """LLM assistants get the facts as speech slots and the person as the target."""
    answer = await call_tool(hass, INTENT_GET_CALL_STATE, name="ben")
    assert answer["speech_slots"] == {
        "name": "Ben Carter",
        "call_state": "busy",
        "status": "away",
        "status_name": "Out to lunch",
        "note": "",
        "return_time": answer["speech_slots"]["return_time"],
    }
    assert datetime.fromisoformat(answer["speech_slots"]["return_time"]).tzinfo is not None
    (target,) = answer["data"]["success"]
    device = dr.async_get(hass).async_get(target["id"])
    assert device is not None
    assert (target["name"], target["type"], device.name) == ("Ben Carter", "device", "Ben Carter")

    answer = await call_tool(hass, INTENT_LIST_CALLS)
    assert answer["speech_slots"] == {"call_state": "busy", "names": ["Ben Carter"]}
    assert [target["name"] for target in answer["data"]["success"]] == ["Ben Carter"]


@pytest.mark.usefixtures("assist")
async def test_new_answers_carry_their_facts_as_data(hass: HomeAssistant) -> None:
    """Who with, when back and "is X free" give LLMs the party, the status and the reason."""
    answer = await call_tool(hass, INTENT_GET_CALL_PARTY, name="Ben")
    assert answer["speech"]["plain"]["speech"] == "Ben Carter is on a call with 1000."
    assert answer["speech_slots"] == {
        "name": "Ben Carter",
        "call_state": "busy",
        "party_name": None,
        "party_number": "1000",
    }
    answer = await call_tool(hass, INTENT_GET_RETURN_TIME, name="Carla")
    assert answer["speech"]["plain"]["speech"].startswith("Carla Rossi has no return time set.")
    assert (answer["speech_slots"]["status"], answer["speech_slots"]["return_time"]) == (
        "dnd",
        None,
    )
    answer = await call_tool(hass, INTENT_GET_CALL_STATE, name="Carla", state="idle")
    assert answer["speech_slots"]["available"] is False
    assert answer["speech_slots"]["reason"] == "status_do_not_disturb"
    answer = await call_tool(hass, INTENT_GET_VOICEMAIL, name="Anna")
    assert answer["speech"]["plain"]["speech"] == "Anna Schmidt has 2 new voicemails."
    assert answer["speech_slots"] == {"name": "Anna Schmidt", "voicemail": 2}
    answer = await call_tool(hass, INTENT_GET_QUEUE, name="support")
    assert answer["speech_slots"] == {"name": "Support", "logged_in": 2, "available": 1}
    answer = await call_tool(hass, INTENT_GET_RETURN_TIME, name="lobby phone")
    assert answer["response_type"] == "error"
    assert answer["speech"]["plain"]["speech"] == (
        "Lobby phone is not an iSymphony user, so there is no status for them."
    )


@pytest.mark.usefixtures("assist")
async def test_llm_gets_errors_as_answers(hass: HomeAssistant) -> None:
    """An unknown name is an error response with words the LLM can pass on."""
    answer = await call_tool(hass, INTENT_GET_STATUS, name="Zoe")
    assert answer["response_type"] == "error"
    assert answer["data"]["code"] == "no_valid_targets"
    assert answer["speech"]["plain"]["speech"] == (
        "I don't know anyone called Zoe on the phone system."
    )
    answer = await call_tool(hass, INTENT_SET_STATUS, name="Anna", status="away", until="soonish")
    assert answer["data"]["code"] == "failed_to_handle"


@pytest.mark.usefixtures("assist")
async def test_intent_api(hass: HomeAssistant, simulator: Simulator) -> None:
    """Through `intent.async_handle`: ringing lists, resets, a phone by its name."""
    kazoo = simulator.kazoo
    kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Lobby phone"),
        destination="1001",
        direction="outbound",
    )
    await hass.config_entries.async_entries(DOMAIN)[0].runtime_data.async_refresh()

    async def handle(intent_type: str, **slots: str) -> str:
        response = await intent.async_handle(
            hass, "test", intent_type, {key: {"value": value} for key, value in slots.items()}
        )
        speech: str = response.speech["plain"]["speech"]
        return speech

    assert await handle(INTENT_GET_CALL_STATE, name="lobby phone", state="ringing") == (
        "Yes, Lobby phone is ringing."
    )
    assert await handle(INTENT_LIST_CALLS, state="busy") == "Ben Carter is on a call."
    assert await handle(INTENT_RESET_PRESENCE, name="lobby phone") == (
        "The BLF presence of Lobby phone is reset; the lamps show idle until the next call."
    )
    assert kazoo.presence_actions[-1]["target"] == "device"
    assert await handle(INTENT_RESET_PRESENCE, name="Conference room") == (
        "Conference room has no presence ID that a presence command could reach, so nothing "
        "was sent. Set a presence ID on it in Kazoo, or use the user a phone belongs to."
    )
    with pytest.raises(intent.InvalidSlotInfo):
        await handle(INTENT_GET_CALL_STATE, name="Ben", state="sleeping")


# -- phrases ---------------------------------------------------------------------------


def words(language: str) -> Vocabulary:
    """A language's vocabulary, from its translation file as Home Assistant ships it."""
    path = Path(__file__).parent.parent / TRANSLATIONS.replace("en.json", f"{language}.json")
    common: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["common"]
    return Vocabulary.load(common.__getitem__, language)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30 minutes", 30),
        ("an hour", 60),
        ("for an hour", 60),
        ("half an hour", 30),
        ("an hour and a half", 90),
        ("1 hour 30 minutes", 90),
        ("1.5 hours", 90),
        ("forty-five minutes", 45),
        ("two hours", 120),
        ("90", 90),
        ("10 mins", 10),
    ],
)
def test_parse_duration(text: str, minutes: int) -> None:
    """Durations as people say them."""
    assert parse_duration(text, words("en")) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["hour", "", "blah", "30 parsecs", "2 hours 30", "0 minutes"])
def test_parse_duration_refuses(text: str) -> None:
    """Anything else is refused, not guessed."""
    assert parse_duration(text, words("en")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", datetime(2026, 11, 23, 15, 0, tzinfo=BERLIN)),  # 3 am has passed
        ("11", datetime(2026, 11, 23, 11, 0, tzinfo=BERLIN)),
        ("3 pm", datetime(2026, 11, 23, 15, 0, tzinfo=BERLIN)),
        ("3pm", datetime(2026, 11, 23, 15, 0, tzinfo=BERLIN)),
        ("3 p.m.", datetime(2026, 11, 23, 15, 0, tzinfo=BERLIN)),
        ("until 3:30 PM", datetime(2026, 11, 23, 15, 30, tzinfo=BERLIN)),
        ("15:30", datetime(2026, 11, 23, 15, 30, tzinfo=BERLIN)),
        ("9 am", datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)),  # tomorrow
        ("3 o'clock", datetime(2026, 11, 23, 15, 0, tzinfo=BERLIN)),
        ("noon", datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)),
        ("midnight", datetime(2026, 11, 24, 0, 0, tzinfo=BERLIN)),
        ("2026-11-25T09:00", datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN)),
        ("2026-11-25T09:00:00+00:00", datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),
    ],
)
def test_parse_until(text: str, expected: datetime) -> None:
    """Times of day are the next such moment in the user's time zone."""
    now = datetime(2026, 11, 23, 10, 10, tzinfo=BERLIN)
    assert parse_until(text, now, words("en")) == expected


@pytest.mark.parametrize("text", ["25", "13 pm", "3:75", "teatime", "0 am"])
def test_parse_until_refuses(text: str) -> None:
    """Impossible times are refused."""
    assert parse_until(text, datetime(2026, 11, 23, 10, 10, tzinfo=BERLIN), words("en")) is None


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "half past two", datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN)),
        ("en", "quarter to 4", datetime(2026, 11, 23, 15, 45, tzinfo=BERLIN)),
        ("en", "ten past three", datetime(2026, 11, 23, 15, 10, tzinfo=BERLIN)),
        ("en", "back at 1:30", datetime(2026, 11, 23, 13, 30, tzinfo=BERLIN)),
        ("en", "three thirty", datetime(2026, 11, 23, 15, 30, tzinfo=BERLIN)),
        ("en", "Monday", datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)),  # today is Monday
        ("en", "until Friday", datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN)),
        ("en", "tomorrow", datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)),
        ("en", "tomorrow at 3 pm", datetime(2026, 11, 24, 15, 0, tzinfo=BERLIN)),
        ("en", "Wednesday at noon", datetime(2026, 11, 25, 12, 0, tzinfo=BERLIN)),
        ("de", "13 Uhr", datetime(2026, 11, 23, 13, 0, tzinfo=BERLIN)),
        ("de", "halb drei", datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN)),
        ("de", "zurück um halb drei", datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN)),
        ("de", "Viertel nach drei", datetime(2026, 11, 23, 15, 15, tzinfo=BERLIN)),
        ("de", "dreiviertel vier", datetime(2026, 11, 23, 15, 45, tzinfo=BERLIN)),
        ("de", "zehn nach halb drei", datetime(2026, 11, 23, 14, 40, tzinfo=BERLIN)),
        ("de", "bis Montag", datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)),
        ("de", "morgen um 9", datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)),
        ("de", "übermorgen", datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN)),
        ("de", "15:30 Uhr", datetime(2026, 11, 23, 15, 30, tzinfo=BERLIN)),
    ],
)
def test_time_words(language: str, text: str, expected: datetime) -> None:
    """Clock phrases, weekdays and "tomorrow" in each language's own words."""
    now = datetime(2026, 11, 23, 10, 10, tzinfo=BERLIN)
    assert parse_until(text, now, words(language)) == expected


@pytest.mark.parametrize(
    ("language", "text", "minutes"),
    [
        ("de", "eine Stunde", 60),
        ("de", "für eine halbe Stunde", 30),
        ("de", "anderthalb Stunden", 90),
        ("de", "zwanzig Minuten", 20),
        ("de", "2 Stunden", 120),
    ],
)
def test_duration_words(language: str, text: str, minutes: int) -> None:
    """Durations in German words and numbers (numbers in words from unicode_rbnf)."""
    assert parse_duration(text, words(language)) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("today at", None), ("Monday at teatime", None), ("halb", None)],
)
def test_time_words_refused(text: str, expected: None) -> None:
    """Half-said times are refused, not guessed."""
    now = datetime(2026, 11, 23, 10, 10, tzinfo=BERLIN)
    assert parse_until(text, now, words("en")) is expected
    assert parse_duration(text, words("en")) is None


def test_status_phrases() -> None:
    """Types in words or keys, predefined names; time and note split off."""
    labels = {StatusType.XA: ["Extended away"]}
    predefined = {StatusType.AWAY: "Out to lunch"}
    vocab = words("en")
    assert parse_status("extended away", vocab, labels, predefined) is not None
    assert parse_status("DND", vocab, labels, predefined) is not None
    phrase = parse_status("out to lunch", vocab, labels, predefined)
    assert phrase is not None
    assert (phrase.type, phrase.name) == (StatusType.AWAY, "Out to lunch")
    assert parse_status("sleeping", vocab, labels, predefined) is None

    def is_status(text: str) -> bool:
        return parse_status(text, vocab, labels, predefined) is not None

    def split(text: str) -> tuple[str, str | None, str | None, str | None]:
        found = split_status_phrase(text, vocab, is_status, lambda said: is_time(said, vocab))
        return (found.status, found.until, found.duration, found.note)

    # "free for chat" is a status, not "free" for a while.
    assert split("free for chat") == ("free for chat", None, None, None)
    assert split("free for chat for 10 minutes") == ("free for chat", None, "10 minutes", None)
    assert split("away until 3 pm and a note back soon") == ("away", "3 pm", None, "back soon")
    assert split("away I'm at the dentist back at 3") == ("away", "3", None, "at the dentist")
    assert split("sleeping until 3") == ("sleeping", None, None, None)
    assert split("away until 3 see you") == ("away", "3", None, "see you")
    assert normalize("  Hannah MÜLLER's ") == "hannah muller"


def test_every_spoken_sentence_is_translated() -> None:
    """Every sentence key the intents build exists, in the form hassfest accepts."""
    strings = json.loads((Path(__file__).parent.parent / TRANSLATIONS).read_text(encoding="utf-8"))
    common: dict[str, str] = strings["common"]
    keys = {
        *(f"voice_{kind}_{state}" for kind in ("call", "phone") for state in CallState),
        *(f"voice_type_{status_type}" for status_type in StatusType),
        *(
            f"voice_list_{state}_{count}"
            for state in ("busy", "ringing")
            for count in ("none", "one", "many")
        ),
    }
    assert keys <= set(common)
    for key, text in common.items():
        assert re.fullmatch(r"[a-z0-9_]+", key), key
        assert text == text.strip(), key
        assert not re.search(r"'\{\w+\}'|<\w", text), key
