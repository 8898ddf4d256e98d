"""Voice: new voicemails ("does Anna have voicemail?", "hat Anna neue Sprachnachrichten?").

The count is what the person's New voicemails sensor shows: the new messages in the
Flex UC / Kazoo user's boxes. iSymphony has no voicemail, so a person only it knows has
no box to tell about.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.helpers import intent

from ..backends.snapshot import PresentityKind
from . import SLOT_NAME
from .answers import Facts, Texts, current
from .handler import PersonIntentHandler
from .people import Person

INTENT_GET_VOICEMAIL = "PbxPresenceGetVoicemail"
_MESSAGES = "(voicemail|voicemails|voice mail|voice mails|voice messages|messages on the mailbox)"
_DE_MESSAGES = (
    "(Sprachnachrichten|Sprachnachricht|Voicemails|Voicemail|Nachrichten auf der Mailbox"
    "|Mailbox-Nachrichten)"
)

VOICEMAIL_SENTENCES: tuple[tuple[str, Mapping[str, str], tuple[str, ...]], ...] = (
    (
        INTENT_GET_VOICEMAIL,
        {SLOT_NAME: "me"},
        (
            f"(do|have) I (have|got) [any] [new] {_MESSAGES}",
            f"(is|are) there [any] [new] {_MESSAGES} for me",
            f"how many [new] {_MESSAGES} (do|have) I [got|have]",
            f"(check|read) my {_MESSAGES}",
            f"(habe|hab) ich [neue] {_DE_MESSAGES}",
            f"(gibt es|sind) [neue] {_DE_MESSAGES} für mich [da]",
            f"wie viele [neue] {_DE_MESSAGES} habe ich",
        ),
    ),
    (
        INTENT_GET_VOICEMAIL,
        {},
        (
            f"(does|has) <person> (have|got) [any] [new] {_MESSAGES}",
            f"(is|are) there [any] [new] {_MESSAGES} (for|on) <person>",
            f"how many [new] {_MESSAGES} (does|has) <person> [got|have]",
            "(does|has) <person>'s (mailbox|voicemail box) have [any] [new] messages",
            f"hat <de_person> [neue] {_DE_MESSAGES}",
            f"(gibt es|sind) [neue] {_DE_MESSAGES} (für|von) <de_person> [da]",
            f"wie viele [neue] {_DE_MESSAGES} hat <de_person>",
        ),
    ),
)


class GetVoicemailHandler(PersonIntentHandler):
    """How many new voicemails a person has (Flex UC / Kazoo voicemail boxes)."""

    intent_type = INTENT_GET_VOICEMAIL
    description = (
        "Tells how many new voicemail messages a person has in their Flex UC / Kazoo "
        "voicemail boxes"
    )

    async def async_answer_about(
        self, _intent: intent.Intent, person: Person, texts: Texts, facts: Facts
    ) -> str:
        """Answer like: Anna Schmidt has 2 new voicemails."""
        user = person.member(PresentityKind.USER)
        count = current(user).voicemail if user is not None else None
        if count is None:
            return texts.say("voice_no_voicemail_box", name=person.name)
        facts.about(person)
        facts.slots["voicemail"] = count
        if count == 0:
            return texts.say("voice_no_new_voicemail", name=person.name)
        if count == 1:
            return texts.say("voice_one_new_voicemail", name=person.name)
        return texts.say("voice_new_voicemails", name=person.name, count=str(count))
