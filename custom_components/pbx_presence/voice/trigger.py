"""The sentences (voice/sentences.py) attached to the built-in Assist agent, and read back.

Home Assistant's conversation trigger takes plain templates, so the expansion rules and
the status-word lists are written out into them; the trigger's callback then reads the
sentence again with hassil, with the rules and lists as such, to learn the intent and its
slots.
"""

from __future__ import annotations

from collections.abc import Iterable
import re
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

from ..backends.snapshot import StatusType
from ..const import DOMAIN
from ..names import normalize
from . import INTENT_SET_STATUS, SLOT_NAME, SLOT_NUMBER, SLOT_STATUS, SLOT_UNTIL
from .answers import Texts
from .calling import SLOT_CALLER
from .exposure import ASSISTANT
from .people import SELF_WORDS, async_people, find_person
from .phrases import CONCEPTS
from .sentences import ANYONE, LANGUAGES, RULES, SENTENCES

WILDCARDS = (SLOT_NAME, SLOT_STATUS, SLOT_UNTIL, "details", SLOT_CALLER, SLOT_NUMBER)
# Status words said in statements ("Emma is on holiday"): the concepts, not bare types
# such as "red" or "in", which would take over sentences that are not about the phone.
_STATEMENT_CONCEPTS = frozenset(CONCEPTS) - {"back", "busy"}
_REFERENCE = re.compile(r"<(\w+)>")


async def async_status_lists(hass: HomeAssistant) -> dict[str, list[str]]:
    """The status words of every language with sentences, as said (for hassil lists)."""
    said: dict[str, set[str]] = {"status_word": set(), "status_said": set()}
    for language in LANGUAGES:
        texts = await Texts.async_load(hass, language)
        for concept in CONCEPTS:
            words = _words(texts.words(f"voice_words_status_{concept}").rpartition("|")[2])
            said["status_word"] |= words
            if concept in _STATEMENT_CONCEPTS:
                said["status_said"] |= words
        for status_type in StatusType:
            said["status_word"] |= _words(texts.words(f"voice_words_type_{status_type}"))
    return {
        name: sorted(words, key=lambda word: (-len(word), word)) for name, words in said.items()
    }


def _words(text: str) -> set[str]:
    return {word.strip() for word in text.split(",") if word.strip()}


def build_intents(lists: dict[str, list[str]]) -> Intents:
    """The sentences as hassil intents, one per (intent, implied slots) group."""
    rules = {**RULES, **{name: f"({'|'.join(words)})" for name, words in lists.items()}}
    intents = Intents.from_dict(
        {
            "language": "en",
            "intents": {
                str(index): {"data": [{"sentences": list(sentences)}]}
                for index, (_, _, sentences) in enumerate(SENTENCES)
            },
            "expansion_rules": rules,
            "lists": {name: {"values": words} for name, words in lists.items()},
        }
    )
    for wildcard in WILDCARDS:
        intents.slot_lists[wildcard] = WildcardSlotList(wildcard)
    return intents


def written_out(sentences: Iterable[str], lists: dict[str, list[str]]) -> list[str]:
    """The templates without rules and value lists, as the conversation trigger takes them."""
    rules = {**RULES, **{name: f"({'|'.join(words)})" for name, words in lists.items()}}

    def expand(template: str) -> str:
        for name, words in lists.items():
            template = template.replace(f"{{{name}}}", f"({'|'.join(words)})")
        while _REFERENCE.search(template):
            template = _REFERENCE.sub(lambda match: f"({rules[match[1]]})", template)
        return template

    return [expand(sentence) for sentence in sentences]


async def async_setup_sentences(hass: HomeAssistant) -> None:
    """Attach the sentences to the built-in agent, for as long as Home Assistant runs.

    One trigger holds them all, so one callback answers: a sentence that fits two
    templates ("is Anna not on the phone" also fits "is {name} on the phone") is settled
    here, by which reading names someone, not by which callback finishes first.
    """
    lists = await async_status_lists(hass)
    intents = build_intents(lists)
    await async_attach_trigger(
        hass,
        {
            CONF_PLATFORM: "conversation",
            CONF_COMMAND: written_out(
                (sentence for _, _, sentences in SENTENCES for sentence in sentences), lists
            ),
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
    """Every way the sentences read `text`: the intent and its slots, in sentence order.

    A status is one phrase for the intent: the status said (or implied by the sentence)
    and what follows it ("lunch" + "back at 1:30").
    """
    found: list[tuple[tuple[int, int], str, dict[str, str]]] = []
    for result in recognize_all(text, intents):
        group = int(result.intent.name)
        intent_type, implied, templates = SENTENCES[group]
        template = result.intent_sentence.text if result.intent_sentence else None
        order = (group, templates.index(template) if template in templates else len(templates))
        slots = {key: str(entity.value).strip() for key, entity in result.entities.items()}
        slots |= {key: value for key, value in implied.items() if key != SLOT_STATUS}
        if intent_type == INTENT_SET_STATUS:
            parts = (
                implied.get(SLOT_STATUS),
                slots.pop("status_word", None),
                slots.pop("status_said", None),
                slots.get(SLOT_STATUS),
                slots.pop("details", None),
            )
            slots[SLOT_STATUS] = " ".join(part for part in parts if part)
        elif SLOT_STATUS in implied:
            slots[SLOT_STATUS] = implied[SLOT_STATUS]
        found.append((order, intent_type, slots))
    found.sort(key=lambda reading: reading[0])
    return [(intent_type, slots) for _, intent_type, slots in found]


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
