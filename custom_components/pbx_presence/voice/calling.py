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
from ..pbx.kazoo import dialable_number
from . import SLOT_NAME
from .answers import Facts, Texts, current
from .handler import PbxIntentHandler
from .people import Member, Person, async_meant, voice_error

INTENT_CALL = "PbxPresenceCall"
SLOT_CALLER = "caller"

_CALL_KINDS = (PresentityKind.USER, PresentityKind.PHONE)

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


async def _caller(intent_obj: intent.Intent, spoken: str | None) -> tuple[Person, Member]:
    """Who calls: the speaker, one of the speaker's phones, or a person or phone named."""
    person = await async_meant(intent_obj, spoken)
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
            person = await async_meant(intent_obj, wanted)
            callee = person.name
            wanted = person.name
            facts.about(person)
        number = callee_number(hass, member.entry, wanted)
        await async_place_call(member.entry, current(member), number)
        facts.about(caller)
        return texts.say("voice_calling", callee=callee, caller=caller.name)
