"""Voice: when a person is back ("when's Carla back?", "wann ist Carla zurück?").

The answer is the status's return time with the status it ends. Without a return time it
says so first ("Carla Rossi has no return time set.") rather than answering the status as
if it were the time; someone available or free for chat has nothing to be back from, so
their status is the answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.helpers import intent

from ..backends.snapshot import StatusType
from .answers import Facts, Texts, panel_status, status_sentence
from .handler import PersonIntentHandler
from .people import Person

INTENT_GET_RETURN_TIME = "PbxPresenceGetReturnTime"
# Statuses that are not away: nobody asks when those people are back.
_PRESENT = frozenset({StatusType.AVAILABLE, StatusType.CHAT})
_FROM = "[from lunch|from holiday|from vacation|from the meeting|from leave]"
_OUT = "(out|away|gone|off|<status_said>)"
_DE_OUT = "(weg|abwesend|nicht da|unterwegs|<status_said>)"

RETURN_TIME_SENTENCES: tuple[tuple[str, Mapping[str, str], tuple[str, ...]], ...] = (
    (
        INTENT_GET_RETURN_TIME,
        {},
        (
            f"when (is|will) <person> be back [in the office|at the desk] {_FROM}",
            f"(when is|when's|whens) <person> [coming|due] back {_FROM}",
            f"when (will|does) <person> (come|get) back {_FROM}",
            "when (will|does) <person> return [to the office]",
            "when (is|will) <person> [be] (in|available|reachable|in the office) again",
            f"what time (is|will) <person> (be back|coming back|come back|back) {_FROM}",
            f"how long (is|will) <person> [(gonna|going to)] be {_OUT}",
            f"how long is <person> {_OUT} [for]",
            f"until when is <person> {_OUT}",
            "has <person> (set|got|given) a return time",
            "wann (ist|kommt) <de_person> [wieder] zurück",
            "wann kommt <de_person> wieder",
            "[ab] wann ist <de_person> wieder (da|im Büro|erreichbar|verfügbar)",
            f"wie lange ist <de_person> [noch] {_DE_OUT}",
            f"bis wann ist <de_person> [noch] {_DE_OUT}",
        ),
    ),
)


class GetReturnTimeHandler(PersonIntentHandler):
    """When a person will be back, from their iSymphony status's return time."""

    intent_type = INTENT_GET_RETURN_TIME
    description = (
        "Tells when a person will be back, from their status on the iSymphony operator "
        "panel (its return time), or that they have no return time set"
    )

    async def async_answer_about(
        self, _intent: intent.Intent, person: Person, texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Carla Rossi has no return time set. Carla Rossi is away (Lunch)."""
        status = panel_status(person)
        facts.about(person, status=status)
        said = status_sentence(texts, person.name, status)
        if status.return_time is not None or status.type in _PRESENT:
            return said
        return texts.say("voice_no_return_time", name=person.name, status=said)
