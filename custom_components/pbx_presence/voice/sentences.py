"""English and German sentences for Home Assistant's built-in Assist agent, wired to the intents.

Home Assistant 2026.2 has no way for an integration to add sentences to the built-in
agent's intent recognition: it reads only the `home-assistant-intents` package and files
in `<config>/custom_sentences/`. What it does offer is the conversation trigger, the same
mechanism as an automation's "Sentence" trigger: its sentences (with `{wildcards}`) are
matched first, and the callback's answer is spoken. The trigger hands the wildcards of the
sentence that matched to one of the integration's intents, so both kinds of assistant
share one implementation.

Because trigger sentences win over the built-in ones, every sentence names phones, calls
or statuses explicitly: none of them takes over a built-in sentence such as "is Anna
home" or "turn on the light".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hassil import Intents
from hassil.intents import WildcardSlotList
from hassil.recognize import recognize_all
from homeassistant.components.conversation.trigger import async_attach_trigger
from homeassistant.const import CONF_COMMAND, CONF_PLATFORM
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.helpers.script import ScriptRunResult
from homeassistant.helpers.trigger import TriggerData, TriggerInfo

from ..const import DOMAIN
from ..names import normalize
from . import (
    INTENT_GET_CALL_STATE,
    INTENT_GET_STATUS,
    INTENT_LIST_CALLS,
    INTENT_LIST_STATUS,
    INTENT_RESET_PRESENCE,
    INTENT_SET_STATUS,
    SLOT_NAME,
    SLOT_NUMBER,
    SLOT_STATE,
    SLOT_STATUS,
)
from .calling import CALL_SENTENCES, SLOT_CALLER
from .controls import CONTROL_SENTENCES
from .exposure import ASSISTANT
from .people import SELF_WORDS, async_people, find_person

ANYONE = frozenset({"anyone", "anybody", "somebody", "someone"})
_ON_A_CALL = "(on [the] phone|on [a] call|in a call|on the line|talking on the phone|busy)"
_IDLE = "(free|idle|off the phone|not on [the] phone|not on a call|free to talk)"
_WHATS = "(what is|what's|whats|tell me)"
_BLF = "(presence|BLF|BLF presence|busy lamp|busy lamps|lamp|lamps)"
_PLEASE = "[please]"
_STATUS_OF = "(status|presence status|panel status)"

# (intent, slots the sentence itself implies, sentences)
type Sentences = tuple[tuple[str, Mapping[str, str], tuple[str, ...]], ...]
ENGLISH: Sentences = (
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "busy"},
        (
            f"is {{name}} [currently] {_ON_A_CALL} [right now]",
            "is {name} [currently] on the phone with someone",
        ),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "ringing"},
        ("is {name}'s phone ringing [right now]", "is the phone of {name} ringing"),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "idle"},
        (
            f"is {{name}} [currently] {_IDLE} [right now]",
            "can I call {name} [now|right now]",
            "is {name} (available|reachable|free to take a call) [right now]",
            "is it ok to call {name} [now]",
        ),
    ),
    (
        INTENT_GET_CALL_STATE,
        {},
        (
            f"{_WHATS} {{name}}'s call (state|status)",
            f"{_WHATS} the call (state|status) of {{name}}",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "busy"},
        (
            f"who is [currently] {_ON_A_CALL} [right now]",
            f"who's [currently] {_ON_A_CALL} [right now]",
            f"is (anyone|anybody|somebody|someone) [currently] {_ON_A_CALL} [right now]",
            f"how many people are [currently] {_ON_A_CALL} [right now]",
            "who is talking on the phone [right now]",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "ringing"},
        (
            "whose phone is ringing [right now]",
            "(which|what) phones are ringing [right now]",
            "(who is|who's) ringing [right now]",
            "is (anyone's|anybody's) phone ringing [right now]",
        ),
    ),
    (INTENT_LIST_STATUS, {SLOT_STATUS: "free"}, ("(who is|who's) (free|available) [right now]",)),
    (INTENT_LIST_STATUS, {SLOT_STATUS: "away"}, ("(who is|who's) (away|out|not in) [today]",)),
    (
        INTENT_LIST_STATUS,
        {SLOT_STATUS: "dnd"},
        ("(who is|who's) on (do not disturb|dnd)", "who does not want to be disturbed"),
    ),
    (INTENT_LIST_STATUS, {SLOT_STATUS: "unavailable"}, ("(who is|who's) unavailable",)),
    (
        INTENT_GET_STATUS,
        {},
        (
            f"{_WHATS} {{name}}'s [presence|panel|phone] status",
            f"{_WHATS} the (presence|panel|phone|iSymphony) status of {{name}}",
            "when (is|will) {name} be back",
            "when is {name} back",
            f"{{name}}'s {_STATUS_OF} {_PLEASE}",
            f"[the] {_STATUS_OF} of {{name}} {_PLEASE}",
            f"{_WHATS} the status for {{name}}",
            "(what is|what's) {name} doing [right now]",
            "is {name} (in|back) [the office|from lunch] yet",
            # A status asked about in words: the answer says the status.
            "is {name} [still] (in a meeting|at lunch|out to lunch|on holiday|on vacation"
            "|out of [the] office|on leave|away|on do not disturb|on dnd|working from home)",
        ),
    ),
    (
        INTENT_SET_STATUS,
        {},
        (
            "(set|change) {name}'s status to {status}",
            "(set|change) the status of {name} to {status}",
            "(set|change) my status to {status}",
            "(set|mark) me (as|to) {status}",
            "(set|put|mark) {name} (as|to|on) {status}",
            "put me on {status}",
            "(change|switch) {name} to {status}",
        ),
    ),
    (
        INTENT_RESET_PRESENCE,
        {},
        (
            f"(reset|clear) {{name}}'s {_BLF}",
            f"(reset|clear) the {_BLF} (of|for) {{name}}",
            f"(reset|clear) {_BLF} (of|for) {{name}}",
        ),
    ),
)


# The same intents in German: all languages' sentences are matched together, and the
# answer is in the language of the request.
_DE_BUSY = "(am Telefon|im Gespräch|in einem Gespräch|beschäftigt|besetzt)"
_DE_FREE = "(frei|erreichbar|verfügbar)"
GERMAN: Sentences = (
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "busy"},
        (f"ist {{name}} [gerade] {_DE_BUSY}", "telefoniert {name} [gerade]"),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "ringing"},
        ("klingelt das Telefon von {name} [gerade]", "klingelt {name}s Telefon [gerade]"),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "idle"},
        (f"ist {{name}} [gerade] {_DE_FREE}", "kann ich {name} [jetzt] anrufen"),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "busy"},
        ("wer telefoniert [gerade]", "telefoniert [gerade] (jemand|irgendjemand)"),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "ringing"},
        ("wessen Telefon klingelt [gerade]", "welche Telefone klingeln [gerade]"),
    ),
    (INTENT_LIST_STATUS, {SLOT_STATUS: "free"}, (f"wer ist [gerade] {_DE_FREE}",)),
    (INTENT_LIST_STATUS, {SLOT_STATUS: "away"}, ("wer ist [gerade] [länger] abwesend",)),
    (
        INTENT_LIST_STATUS,
        {SLOT_STATUS: "dnd"},
        ("wer ist [gerade] (auf|im Modus) [„]nicht stören[“]", "wer will nicht gestört werden"),
    ),
    (
        INTENT_GET_STATUS,
        {},
        (
            "(was|wie) ist der Status von {name}",
            "(was|wie) ist {name}s Status",
            "wann (ist|kommt) {name} [wieder] zurück",
            "was macht {name} [gerade]",
        ),
    ),
    (
        INTENT_SET_STATUS,
        {},
        (
            "setze {name}s Status auf {status}",
            "setze den Status von {name} auf {status}",
            "setze meinen Status auf {status}",
            "setze mich auf {status}",
        ),
    ),
    (
        INTENT_RESET_PRESENCE,
        {},
        ("setze die (Präsenz|BLF-Präsenz|Lampen) von {name} zurück",),
    ),
)
# The phone controls' first: "put me on do not disturb" means the phone where there is one.
SENTENCES: Sentences = CONTROL_SENTENCES + CALL_SENTENCES + ENGLISH + GERMAN


async def async_setup_sentences(hass: HomeAssistant) -> None:
    """Attach the sentences to the built-in agent, for as long as Home Assistant runs.

    One trigger holds them all, so one callback answers: a sentence that fits two
    templates ("is Anna not on the phone" also fits "is {name} on the phone") is settled
    here, by which reading names someone, not by which callback finishes first.
    """
    intents = Intents.from_dict(
        {
            "language": "en",
            "intents": {
                str(index): {"data": [{"sentences": list(sentences)}]}
                for index, (_, _, sentences) in enumerate(SENTENCES)
            },
        }
    )
    for wildcard in (SLOT_NAME, SLOT_STATUS, SLOT_CALLER, SLOT_NUMBER):
        intents.slot_lists[wildcard] = WildcardSlotList(wildcard)
    await async_attach_trigger(
        hass,
        {
            CONF_PLATFORM: "conversation",
            CONF_COMMAND: [sentence for _, _, sentences in SENTENCES for sentence in sentences],
        },
        _answer(hass, intents),
        TriggerInfo(
            domain=DOMAIN,
            name=f"{DOMAIN} sentences",
            home_assistant_start=False,
            variables=None,
            trigger_data=TriggerData(id=DOMAIN, idx="0", alias=None),
        ),
    )


def readings(text: str, intents: Intents) -> list[tuple[str, dict[str, str]]]:
    """Every way the sentences read `text`: the intent and its slots, in sentence order."""
    found = []
    for result in recognize_all(text, intents):
        intent_type, implied, _ = SENTENCES[int(result.intent.name)]
        slots = {key: str(entity.value).strip() for key, entity in result.entities.items()}
        found.append((intent_type, {**slots, **implied}))
    return found


def best_reading(
    hass: HomeAssistant, found: list[tuple[str, dict[str, str]]]
) -> tuple[str, dict[str, str]]:
    """The first reading whose name means someone; else the first one (it says "unknown")."""
    people = None
    fallback = None
    for intent_type, slots in found:
        name = slots.get(SLOT_NAME)
        if name is not None and normalize(name) in ANYONE:
            continue  # "is anyone on the phone" lists people
        fallback = fallback or (intent_type, slots)
        if name is None or normalize(name) in SELF_WORDS:
            return intent_type, slots
        people = people if people is not None else async_people(hass)
        try:
            find_person(people, name)
        except HomeAssistantError as err:
            if err.translation_key == "voice_unknown_name":
                continue
        return intent_type, slots
    return fallback or found[0]


def _answer(hass: HomeAssistant, intents: Intents) -> Any:
    """The trigger action: run the best reading's intent, and speak its answer."""

    async def action(
        run_variables: dict[str, Any], context: Context | None = None
    ) -> ScriptRunResult:
        trigger = run_variables["trigger"]
        user_input: dict[str, Any] = trigger["user_input"]
        intent_type, slots = best_reading(hass, readings(trigger["sentence"], intents))
        response = await intent.async_handle(
            hass,
            DOMAIN,
            intent_type,
            {key: {"value": value, "text": value} for key, value in slots.items()},
            text_input=trigger["sentence"],
            context=context or Context(**user_input["context"]),
            language=user_input["language"],
            device_id=trigger["device_id"],
            satellite_id=trigger["satellite_id"],
            conversation_agent_id=user_input["agent_id"],
            assistant=ASSISTANT,  # the built-in agent: Assist's exposure settings apply
        )
        speech: str = response.speech.get("plain", {}).get("speech", "")
        return ScriptRunResult(conversation_response=speech, service_response=None, variables={})

    return action
