"""Voice: who a person is on the phone with ("who's Carla talking to?"), with its sentences.

The other party is what the call sensor's attributes show: the caller's name and number
of an incoming call, the number dialled of an outgoing one. A number that is the extension
of someone the assistant may see is said with their name. Where the server does not say
who it is, the answer says so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.helpers import intent

from ..backends.snapshot import CallDirection, CallInfo, CallState, PresentityKind
from .answers import Facts, Texts, call_sentence, current
from .handler import PersonIntentHandler
from .people import Person, async_people, voice_error

INTENT_GET_CALL_PARTY = "PbxPresenceGetCallParty"
# Whose call it is: a Kazoo user's, a phone's, else an iSymphony user's.
_CALL_STATE_KINDS = (PresentityKind.USER, PresentityKind.PHONE, PresentityKind.PANEL_USER)

CALL_PARTY_SENTENCES: tuple[tuple[str, Mapping[str, str], tuple[str, ...]], ...] = (
    (
        INTENT_GET_CALL_PARTY,
        {},
        (
            "(who is|who's|whos) <person> (talking|speaking|on the phone|on a call) (to|with)"
            " [<now>]",
            "(who is|who's|whos) <person> [<now>] (on the phone|on a call|talking) with",
            "(who is|who's|whos) (on the phone|on a call|talking) with <person> [<now>]",
            "(who is|who's|whos) <person> (calling|phoning) [<now>]",
            "(who is|who's|whos) calling <person> [<now>]",
            "(with whom|to whom) is <person> (talking|speaking|on the phone) [<now>]",
            "mit wem (telefoniert|spricht) <de_person> [<de_now>]",
            "wer telefoniert [<de_now>] mit <de_person>",
            "wer ruft <de_person> [<de_now>] an",
            "wen ruft <de_person> [<de_now>] an",
        ),
    ),
)


def party_of(call: CallInfo, people: list[Person]) -> tuple[str | None, str | None]:
    """The other party's name and number, as far as the server tells them."""
    if call.direction is CallDirection.OUTGOING:
        number = call.destination
        name = None
    else:
        number, name = call.caller_id_number, call.caller_id_name
    if number and not name:  # someone of the office, where the assistant may see them
        name = next(
            (
                person.name
                for person in people
                if not person.is_phone
                and any(m.exposed and m.presentity.extension == number for m in person.members)
            ),
            None,
        )
    return name, number


class GetCallPartyHandler(PersonIntentHandler):
    """Who a person is on the phone with, or who is calling them."""

    intent_type = INTENT_GET_CALL_PARTY
    description = (
        "Tells who a person is on the phone with, or who is calling them: the other "
        "party's name and number where the phone system gives them"
    )

    async def async_answer_about(
        self, intent_obj: intent.Intent, person: Person, texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Anna Schmidt is on a call with David Kim (1005)."""
        member = person.member(*_CALL_STATE_KINDS)
        if member is None or (state := current(member).call_state) is None:
            raise voice_error("voice_no_phone", name=person.name)
        facts.about(person, call_state=state)
        call = current(member).call
        if state is CallState.IDLE:
            return call_sentence(texts, person, state)
        name, number = (None, None) if call is None else party_of(call, people_of(intent_obj))
        facts.slots |= {"party_name": name, "party_number": number}
        party = f"{name} ({number})" if name and number and name != number else name or number
        ringing = state is CallState.RINGING
        if party is None:
            if ringing:
                return texts.say(
                    "voice_with_ringing_unknown", call=call_sentence(texts, person, state)
                )
            answer = texts.say("voice_with_busy_unknown", name=person.name)
        else:
            key = "voice_with_ringing" if ringing else "voice_with_busy"
            answer = texts.say(key, name=person.name, party=party)
        if call is not None and call.on_hold:
            answer = texts.say("voice_on_hold", answer=answer)
        return answer


def people_of(intent_obj: intent.Intent) -> list[Person]:
    """Everyone, as the assistant asking may see them."""
    return async_people(intent_obj.hass, intent_obj.assistant)
