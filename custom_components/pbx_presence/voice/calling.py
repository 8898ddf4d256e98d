"""Voice: "call Anna", "call Anna from my desk phone", "call 0171 1234567", "ruf Anna an".

The speaker's phone (by default all the phones of the person "me" means; or one of them,
"my desk phone"; or a phone or person named) rings first and dials once picked up: it does
not answer by itself. Who calls and who is called must be exposed to the assistant asking.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, intent
import voluptuous as vol

from ..backends.snapshot import PresentityKind
from ..call_service import async_place_call, callee_number
from ..names import normalize
from ..pbx.kazoo import dialable_number
from . import SLOT_NAME
from .answers import Facts, Texts, current
from .handler import PbxIntentHandler
from .people import SELF_WORDS, Member, Person, async_find_person, async_people, voice_error

INTENT_CALL = "PbxPresenceCall"
SLOT_CALLER = "caller"

_CALL_KINDS = (PresentityKind.USER, PresentityKind.PHONE)
# What a speaker says before one of their own phones ("my desk phone", "meinem Telefon").
_MY = frozenset({"my", "mein", "meinem", "meinen", "meiner"})
# A phone, in general: "my phone" means the speaker's only phone.
_ANY_PHONE = frozenset({"phone", "telephone", "telefon"})

_CALL = "(call|ring|phone|dial)"
# (intent, implied slots, sentences), as voice/sentences.py reads them.
CALL_SENTENCES: tuple[tuple[str, dict[str, str], tuple[str, ...]], ...] = (
    (
        INTENT_CALL,
        {},
        (
            f"{_CALL} {{name}} (from|on|with) {{caller}}",
            f"{_CALL} {{name}} [for me] [please]",
            "(ruf|rufe) {name} (von|mit|über) {caller} an",
            "(ruf|rufe) [bitte] {name} an",
            "(wähle|wähl) {name}",
        ),
    ),
)


async def async_setup_call_intent(hass: HomeAssistant) -> None:
    """Register the call intent (from the integration's intent platform)."""
    intent.async_register(hass, CallHandler())


def _own_phone(people: list[Person], speaker: Person, words: list[str]) -> Person:
    """One of the speaker's phones, by the words after "my" ("desk phone")."""
    user = speaker.member(PresentityKind.USER)
    phones = (
        []
        if user is None
        else [
            person
            for person in people
            if person.is_phone
            and any(
                m.presentity.owner == user.presentity.key and m.entry is user.entry
                for m in person.members
            )
        ]
    )
    wanted = [word for word in words if word not in _ANY_PHONE]
    fitting = [
        phone
        for phone in phones
        if all(any(word in name.split() for name in phone.names) for word in wanted)
    ]
    if len(fitting) == 1:
        return fitting[0]
    spoken = " ".join(words)
    if not fitting:
        raise voice_error("voice_unknown_phone", name=speaker.name, phone=spoken)
    names = ", ".join(sorted(phone.name for phone in fitting))
    raise voice_error("voice_ambiguous_phone", name=speaker.name, candidates=names)


async def _caller(intent_obj: intent.Intent, spoken: str | None) -> tuple[Person, Member]:
    """Who calls: the speaker, one of the speaker's phones, or a person or phone named."""
    hass = intent_obj.hass
    words = normalize(spoken or "").split()
    if words[:1] and words[0] in _MY and words[1:]:
        speaker = await async_find_person(hass, None, intent_obj.context, intent_obj.assistant)
        person = _own_phone(async_people(hass, intent_obj.assistant), speaker, words[1:])
        person = person.exposed_only()
    else:
        name = None if normalize(spoken or "") in SELF_WORDS else spoken
        person = await async_find_person(hass, name, intent_obj.context, intent_obj.assistant)
    member = person.member(*_CALL_KINDS)
    if member is None:
        raise voice_error("voice_cannot_call", name=person.name)
    return person, member


class CallHandler(PbxIntentHandler):
    """Place a call: the caller's phone rings first, then dials the number or person."""

    intent_type = INTENT_CALL
    description = (
        "Places a phone call on Flex UC / Kazoo (click-to-call): the caller's phone rings "
        "first and, once picked up, dials a number or another person's extension. The "
        "caller is the person speaking unless another person or phone is named (such as "
        "'my desk phone')"
    )
    response_type = intent.IntentResponseType.ACTION_DONE

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """Whom or what number to call, and optionally from which phone or person."""
        return {
            vol.Required(
                SLOT_NAME,
                description="The number to dial, or the person or phone to call, as the "
                "phone system knows them",
            ): cv.string,
            vol.Optional(
                SLOT_CALLER,
                description="Who calls: leave out for the person speaking; 'my desk phone' "
                "for one of their phones; or another person's or phone's name",
            ): cv.string,
        }

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Calling Anna Schmidt. Ben Carter's phone rings first: pick it up."""
        hass = intent_obj.hass
        caller, member = await _caller(intent_obj, slots.get(SLOT_CALLER))
        wanted: str = slots[SLOT_NAME]
        if dialable_number(wanted) is not None:
            callee = wanted.strip()
        else:
            person = await async_find_person(hass, wanted, intent_obj.context, intent_obj.assistant)
            callee = person.name
            wanted = person.name
            facts.about(person)
        number = callee_number(hass, member.entry, wanted)
        await async_place_call(member.entry, current(member), number)
        facts.about(caller)
        return texts.say("voice_calling", callee=callee, caller=caller.name)
