"""Voice intents: call state, who is on the phone, statuses, and presence resets.

This is the integration's intent platform: Home Assistant's `intent` integration calls
`async_setup_intents` once, as it does for core integrations' intents. LLM assistants
get them as tools through the Assist API; the built-in agent reaches them through the
sentences in `voice/sentences.py`. Every answer is a translated sentence (the translations'
`common` and `exceptions` sections). They answer only about people whose call-state or
status sensor is exposed to the assistant asking (voice/exposure.py).
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, intent
import voluptuous as vol

from .backends.snapshot import CallState, PresentityKind, StatusType
from .voice import (
    INTENT_GET_CALL_STATE,
    INTENT_GET_STATUS,
    INTENT_LIST_CALLS,
    INTENT_LIST_STATUS,
    INTENT_RESET_PRESENCE,
    INTENT_SET_STATUS,
    NAME_DESCRIPTION,
    SLOT_COUNT,
    SLOT_DURATION,
    SLOT_NAME,
    SLOT_NOTE,
    SLOT_STATE,
    SLOT_STATUS,
    SLOT_STATUS_NAME,
    SLOT_UNTIL,
)
from .voice.answers import (
    Facts,
    Texts,
    call_sentence,
    current,
    free_answer,
    is_free,
    panel_status,
    person_availability,
    return_time,
    status_sentence,
)
from .voice.call_party import GetCallPartyHandler
from .voice.calling import async_setup_call_intent
from .voice.controls import CONTROL_HANDLERS
from .voice.handler import PbxIntentHandler, PersonIntentHandler
from .voice.people import Person, async_meant, async_people, voice_error
from .voice.phrases import parse_status, split_status_phrase
from .voice.queues import GetQueueHandler
from .voice.return_time import GetReturnTimeHandler
from .voice.times import is_time
from .voice.voicemail import GetVoicemailHandler

_CALL_KINDS = (PresentityKind.USER, PresentityKind.PHONE)
# Whose call state answers for a person: a Kazoo user's, a phone's, else an iSymphony
# user's (polled from its extensions, where the server has no Kazoo beside it).
_CALL_STATE_KINDS = (*_CALL_KINDS, PresentityKind.PANEL_USER)


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents: Home Assistant's `intent` integration calls this once."""
    for handler in (
        GetCallStateHandler(),
        ListCallsHandler(),
        GetStatusHandler(),
        SetStatusHandler(),
        ResetPresenceHandler(),
        ListStatusHandler(),
        *(handler() for handler in CONTROL_HANDLERS),
        GetCallPartyHandler(),
        GetReturnTimeHandler(),
        GetVoicemailHandler(),
        GetQueueHandler(),
    ):
        intent.async_register(hass, handler)
    await async_setup_call_intent(hass)


class GetCallStateHandler(PbxIntentHandler):
    """Is a person on the phone, is their phone ringing, are they free."""

    intent_type = INTENT_GET_CALL_STATE
    description = (
        "Tells whether a person is on the phone (busy), their phone is ringing, or they "
        "are free (idle), from the phone system. Also answers 'can I call <person>?'"
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """A name, and optionally the state the question asks about."""
        return {
            vol.Required(SLOT_NAME, description=NAME_DESCRIPTION): cv.string,
            vol.Optional(
                SLOT_STATE,
                description="The state asked about, to answer yes or no: "
                "busy (on a call), ringing, or idle (free)",
            ): vol.In([state.value for state in CallState]),
        }

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Yes, Anna Schmidt is on a call."""
        person = await async_meant(intent_obj, slots[SLOT_NAME])
        member = person.member(*_CALL_STATE_KINDS)
        panel = person.member(PresentityKind.PANEL_USER)
        status = current(panel).status if panel is not None else None
        if member is None or (state := current(member).call_state) is None:
            if status is None:
                raise voice_error("voice_no_phone", name=person.name)
            facts.about(person, status=status)
            return texts.say(
                "voice_no_phone_but_status",
                name=person.name,
                status=status_sentence(texts, person.name, status),
            )
        facts.about(person, call_state=state, status=status)
        answer = call_sentence(texts, person, state)
        asked = slots.get(SLOT_STATE)
        if asked == CallState.IDLE:  # "is Anna free?": free means free (availability.py)
            found = person_availability(person)
            facts.slots |= {"available": found.available, "reason": found.reason}
            return free_answer(texts, person, answer, found)
        if asked is not None:
            answer = texts.say("voice_yes" if asked == state else "voice_no", answer=answer)
        if state is not CallState.IDLE or status is None:
            return answer
        return f"{answer} {status_sentence(texts, person.name, status)}"


class ListCallsHandler(PbxIntentHandler):
    """Who is on the phone (or whose phone rings) right now."""

    intent_type = INTENT_LIST_CALLS
    description = (
        "Lists the people who are on the phone right now, or, with state 'ringing', "
        "the people whose phone is ringing"
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """Optionally which state to list."""
        return {
            vol.Optional(
                SLOT_STATE, description="busy (on a call, the default) or ringing"
            ): vol.In([CallState.BUSY.value, CallState.RINGING.value]),
            vol.Optional(
                SLOT_COUNT, description="yes to answer how many ('how many are on the phone')"
            ): cv.boolean,
        }

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Ben Carter and Carla Rossi are on a call."""
        wanted = CallState(slots.get(SLOT_STATE, CallState.BUSY))
        names: list[str] = []
        unreachable: list[str] = []
        for person in async_people(intent_obj.hass, intent_obj.assistant):
            member = person.member(PresentityKind.USER, PresentityKind.PANEL_USER)
            if person.is_phone or member is None or not member.exposed:
                continue
            if not member.entry.runtime_data.last_update_success:
                unreachable.append(member.entry.title)
            elif current(member).call_state is wanted:
                names.append(person.name)
                facts.about(person, call_state=wanted)
        if unreachable and not names:
            raise voice_error("voice_server_unreachable", server=unreachable[0])
        names.sort()
        facts.slots = {"call_state": wanted.value, "names": names}
        if not names:
            return texts.say(f"voice_list_{wanted}_none")
        count = "one" if len(names) == 1 else "many"
        if slots.get(SLOT_COUNT):
            return texts.say(
                f"voice_count_{wanted}_{count}",
                count=texts.count(len(names)),
                names=texts.join(names),
            )
        return texts.say(f"voice_list_{wanted}_{count}", names=texts.join(names))


class GetStatusHandler(PersonIntentHandler):
    """A person's iSymphony status: type, name, note, return time."""

    intent_type = INTENT_GET_STATUS
    description = (
        "Tells a person's presence status from the iSymphony operator panel: the status "
        "(available, away, extended away, do not disturb, ...), its name, note and when "
        "they will be back"
    )

    async def async_answer_about(
        self, _intent: intent.Intent, person: Person, texts: Texts, facts: Facts
    ) -> str:
        """Answer like: David Kim is extended away (On vacation) until June 10 at 8 am."""
        member = person.member(*_CALL_KINDS)
        if (
            person.member(PresentityKind.PANEL_USER) is None
            and member is not None
            and (state := current(member).call_state) is not None
        ):
            facts.about(person, call_state=state)
            call = call_sentence(texts, person, state)
            return texts.say("voice_no_status_but_call", name=person.name, call=call)
        status = panel_status(person)
        facts.about(person, status=status)
        return status_sentence(texts, person.name, status)


class SetStatusHandler(PbxIntentHandler):
    """Set a person's iSymphony status, optionally with a note and a return time."""

    intent_type = INTENT_SET_STATUS
    description = (
        "Sets a person's presence status on the iSymphony operator panel, optionally "
        "with a note and when they will be back. Leave out the name to set the status of "
        "the person speaking"
    )
    response_type = intent.IntentResponseType.ACTION_DONE

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """Status, and optionally person, status name, note and return time."""
        return {
            vol.Optional(SLOT_NAME, description=NAME_DESCRIPTION): cv.string,
            vol.Required(
                SLOT_STATUS,
                description="The status: available, unavailable, away, extended away, "
                "do not disturb, free for chat, blue, green, pink, purple or red, or the "
                "name of a status the administrator defined (such as 'Out to lunch')",
            ): cv.string,
            vol.Optional(
                SLOT_STATUS_NAME, description="The status name shown in the panel"
            ): cv.string,
            vol.Optional(SLOT_NOTE, description="A free-text note"): cv.string,
            vol.Optional(
                SLOT_UNTIL,
                description="When the person will be back: a time of day such as '3 pm' "
                "or '15:30', or an ISO 8601 date and time",
            ): cv.string,
            vol.Optional(
                SLOT_DURATION,
                description="For how long, such as '30 minutes' or '2 hours' (instead of until)",
            ): cv.string,
        }

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Done. Anna Schmidt is away until 3 pm."""
        person = await async_meant(intent_obj, slots.get(SLOT_NAME))
        panel = person.member(PresentityKind.PANEL_USER)
        if panel is None:
            raise voice_error("voice_no_status_user", name=person.name)
        presentity = current(panel)
        if not presentity.licensed:
            raise voice_error("user_not_licensed", name=person.name)
        coordinator = panel.entry.runtime_data
        predefined = coordinator.backend.predefined_statuses
        # A label's note in brackets is not said: "Do not disturb (panel status)".
        labels = {
            status_type: (
                label := texts.status_label(status_type),
                label.split(" (", 1)[0],
                texts.status_words(status_type),
            )
            for status_type in StatusType
        }
        vocab = texts.vocabulary()
        phrase = split_status_phrase(
            slots[SLOT_STATUS],
            vocab,
            lambda text: parse_status(text, vocab, labels, predefined) is not None,
            lambda text: is_time(text, vocab),
        )
        status = parse_status(phrase.status, vocab, labels, predefined)
        if status is None:
            raise voice_error("voice_unknown_status", status=phrase.status.strip())
        back_at = return_time(
            slots.get(SLOT_UNTIL) or phrase.until,
            slots.get(SLOT_DURATION) or phrase.duration,
            vocab,
        )
        await coordinator.async_set_status(
            presentity,
            status_type=status.type,
            # A bare type ("away") is not the administrator's "Out to lunch": its own label.
            name=slots.get(SLOT_STATUS_NAME) or status.name or texts.status_label(status.type),
            note=slots.get(SLOT_NOTE) or phrase.note or "",
            return_time=back_at,
        )
        new_status = coordinator.data.presentities[presentity.key].status
        assert new_status is not None  # just read back  # noqa: S101
        facts.about(person, status=new_status)
        return texts.say("voice_done", answer=status_sentence(texts, person.name, new_status))


class ResetPresenceHandler(PersonIntentHandler):
    """Reset a Flex UC / Kazoo user's or phone's BLF presence."""

    intent_type = INTENT_RESET_PRESENCE
    description = (
        "Resets the BLF (busy lamp) presence of a person or phone on Flex UC / Kazoo: "
        "the lamps watching them show idle until their next call. Alerts the account's "
        "administrators; at most once every 30 seconds per person"
    )
    response_type = intent.IntentResponseType.ACTION_DONE

    async def async_answer_about(
        self, _intent: intent.Intent, person: Person, texts: Texts, facts: Facts
    ) -> str:
        """Answer like: The BLF presence of Anna Schmidt is reset."""
        member = person.member(*_CALL_KINDS)
        if member is None:
            raise voice_error("voice_no_presence_user", name=person.name)
        await member.entry.runtime_data.async_reset_presence(current(member))
        facts.about(person)
        return texts.say("voice_presence_reset", name=person.name)


# What a list question asks for besides "free": the status types, and whose words say them.
_LISTED: dict[str, tuple[frozenset[StatusType], StatusType]] = {
    "away": (frozenset({StatusType.AWAY, StatusType.XA}), StatusType.AWAY),
    "dnd": (frozenset({StatusType.DND}), StatusType.DND),
    "unavailable": (frozenset({StatusType.UNAVAILABLE}), StatusType.UNAVAILABLE),
}
FREE = "free"


class ListStatusHandler(PbxIntentHandler):
    """Who is free to take a call, or who is away, on do not disturb or unavailable."""

    intent_type = INTENT_LIST_STATUS
    description = (
        "Lists the people who are free to take a call (phone idle and no status saying "
        "otherwise), or those who are away, on do not disturb or unavailable"
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """Which people to list."""
        return {
            vol.Required(
                SLOT_STATUS,
                description="free (what 'available' means), away, dnd or unavailable",
            ): vol.In([FREE, *_LISTED]),
        }

    async def async_answer(
        self, intent_obj: intent.Intent, slots: dict[str, Any], texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Emma Johnson and Felix Wagner are free to take a call."""
        wanted = slots[SLOT_STATUS]
        types, spoken = _LISTED.get(wanted, (frozenset(), StatusType.AVAILABLE))
        names: list[str] = []
        for person in async_people(intent_obj.hass, intent_obj.assistant):
            panel = person.member(PresentityKind.PANEL_USER)
            status = current(panel).status if panel is not None and panel.exposed else None
            if person.is_phone or not (
                is_free(person) if wanted == FREE else status and status.type in types
            ):
                continue
            names.append(person.name)
            facts.about(person, status=status)
        names.sort()
        facts.slots = {"status": wanted, "names": names}
        words = texts.say("voice_free") if wanted == FREE else texts.status_words(spoken)
        if not names:
            return texts.say("voice_list_status_none", status=words)
        count = "one" if len(names) == 1 else "many"
        return texts.say(f"voice_list_status_{count}", names=texts.join(names), status=words)
