"""How people phrase things to Assist: a table of phrasings and the answers a person expects.

Half the table was written by someone who had not read the sentence templates (the
"outsider" tables: 50 English and 20 German phrasings, written first, as an office worker
would ask; only the demo names were mapped: Carla Diaz -> Carla Rossi, David Okafor ->
David Kim, Emma Lund -> Emma Johnson). The expected answers are what a person would
expect in the demo state (tests/test_conversation.py's `both`), written before the
grammar was widened, not read back from the code. The other half are the README's and
earlier tests' phrasings (`QUESTIONS`, `GERMAN`).

"Me" without a linked person has no right answer but the honest "I don't know who you
are"; the same sentences are asked again by a user linked to Felix Wagner.

Issue 16's second round changed four of the outsider's answers, as the issue asks: "who's
Carla talking to?" names the other party (Carla is on no call: she is not on the phone),
"when's Carla back?" says that no return time is set, "Mit wem telefoniert Ben?" names the
number Ben dialled, and "who's free?" no longer lists Site Admin, who has no phone. The
`DETAILS_*`, `ON_DND` and `PARTIES` tables are new; they were written by the author of
the sentences, so they are not independent of them. `TRIED` holds what failed when the
merged code was tried as a user: the lead's own sentences, then a second outsider's (60
sentences asked of `scripts/develop` without reading the code, 37 answered right).
"""

from __future__ import annotations

from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Simulator

from .conftest import kazoo_device_id
from .test_conversation import GERMAN, QUESTIONS, both  # noqa: F401 - the fixture

WHO = (
    "I don't know who you are on the phone system. Say the person's name, or give your "
    "Home Assistant user or person the name you have on the phone system."
)
WER = (
    "Ich weiß nicht, wer du in der Telefonanlage bist. Nenne den Namen der Person, oder gib "
    "deinem Home-Assistant-Benutzer oder deiner Person den Namen, den du in der "
    "Telefonanlage hast."
)
BEN_ON_CALL = "Ben Carter is on a call."
ANNA_RINGING = "Anna Schmidt's phone is ringing."
# Not Site Admin, who has no phone (issue 16: the switchboard's and the Available entity's
# rule; the outsider's answer listed him).
FREE = (
    "Emma Johnson, Felix Wagner, Hannah Müller, Lena Fischer, Lukas Novak, Max Weber "
    "and Sofia García are free to take a call."
)
AWAY = "Ben Carter and David Kim are away."
DND = "Carla Rossi is on do not disturb in the panel."
ONE_ON_CALL = "One person is on a call: Ben Carter."
BEN = "Ben Carter is away (Out to lunch) until June 3, 2030 at 2:45 pm."
CARLA = "Carla Rossi is on do not disturb in the panel (In a meeting). Note: Quarterly review."
DAVID = (
    "David Kim is extended away (On vacation) until June 10, 2030 at 10 am. Note: Back on Monday."
)
EMMA_IDLE = "Emma Johnson is not on the phone. Emma Johnson is free for chat (Chatting)."
RESET = "The BLF presence of {} is reset; the lamps show idle until the next call."

# Written by the outsider (sentence, intended intent); the answer a person expects.
OUTSIDER_ENGLISH = [
    ("is anna on a call right now?", "No, Anna Schmidt's phone is ringing."),
    ("Is Ben Carter on the phone", "Yes, Ben Carter is on a call."),
    ("who's Carla talking to?", "Carla Rossi is not on the phone."),
    ("is David still on that call", f"No, David Kim is not on the phone. {DAVID}"),
    ("is Emma's phone ringing", f"No, {EMMA_IDLE}"),
    ("who's on the phone?", BEN_ON_CALL),
    ("tell me who's on a call", BEN_ON_CALL),
    ("anyone on the phone right now?", BEN_ON_CALL),
    ("who is currently talking on the phone", BEN_ON_CALL),
    ("whose phone is ringing?", ANNA_RINGING),
    ("who's getting a call", ANNA_RINGING),
    ("is any phone ringing", ANNA_RINGING),
    ("who's free?", FREE),
    ("who's available right now", FREE),
    ("is anybody free to take a call", FREE),
    ("who can I call right now?", FREE),
    ("who's away?", AWAY),
    ("who's out of the office today", AWAY),
    ("is anyone not in", AWAY),
    ("who's on do not disturb?", DND),
    ("who doesn't want to be disturbed", DND),
    ("anyone on DND?", DND),
    ("how many people are on the phone?", ONE_ON_CALL),
    ("how many calls are going on right now", ONE_ON_CALL),
    ("how many of us are on a call", ONE_ON_CALL),
    ("what's Ben up to?", BEN),
    ("what's Anna's status", "Anna Schmidt is available."),
    ("is David Kim in a meeting?", DAVID),
    ("what's my status?", WHO),
    # "Where is" is Home Assistant's person tracking: left to it, on purpose.
    ("where's Emma", "Sorry, I am not aware of any device called Emma"),
    ("when's Carla back?", f"Carla Rossi has no return time set. {CARLA}"),
    ("when will Anna Schmidt be back", "Anna Schmidt is available."),
    ("what time is Ben coming back from lunch?", BEN),
    ("how long is David gonna be out", DAVID),
    ("I'm heading to lunch, back at 1:30", WHO),
    (
        "mark Carla as out of office until Monday",
        "Done. Carla Rossi is away (Out of office) until November 30 at 9 am.",
    ),
    ("set me to do not disturb for an hour", WHO),
    ("put me on away, I'm at the dentist, back at 3", WHO),
    ("I'm back", WHO),
    (
        "please set Ben to in a meeting until 11",
        "Done. Ben Carter is on do not disturb in the panel (In a meeting) until 11 am.",
    ),
    (
        "Emma's on holiday till Friday",
        "Done. Emma Johnson is extended away (On vacation) until November 27 at 9 am.",
    ),
    ("change my status to busy", WHO),
    ("I'm working from home today", WHO),
    ("can you set David Kim to available please", "Done. David Kim is available."),
    ("reset Anna's presence light", RESET.format("Anna Schmidt")),
    ("please reset my phone light", WHO),
    ("clear the presence on Ben Carter's phone", RESET.format("Ben Carter")),
    ("is Carla free?", f"No. Carla Rossi is not on the phone. {CARLA}"),
    ("can I call Emma right now", f"Yes, {EMMA_IDLE}"),
    ("is David available?", f"No. David Kim is not on the phone. {DAVID}"),
]
OUTSIDER_GERMAN = [
    ("Ist Anna gerade am Telefon?", "Nein. Das Telefon von Anna Schmidt klingelt."),
    # Ben dialled 1000, a number nobody of the office has.
    ("Mit wem telefoniert Ben?", "Ben Carter telefoniert gerade mit 1000."),
    ("Wer telefoniert gerade?", "Ben Carter telefoniert gerade."),
    ("Ist jemand im Gespräch?", "Ben Carter telefoniert gerade."),
    ("Bei wem klingelt's?", "Das Telefon von Anna Schmidt klingelt."),
    (
        "Wer ist gerade frei?",
        "Emma Johnson, Felix Wagner, Hannah Müller, Lena Fischer, Lukas Novak, Max Weber "
        "und Sofia García sind frei für einen Anruf.",
    ),
    ("Wer ist heute nicht da?", "Ben Carter und David Kim sind abwesend."),
    ("Wer will nicht gestört werden?", "Carla Rossi ist im Panel auf „Nicht stören“."),
    ("Wie viele telefonieren gerade?", "Eine Person telefoniert gerade: Ben Carter."),
    (
        "Was macht Carla gerade?",
        "Carla Rossi ist im Panel auf „Nicht stören“ (In a meeting). Notiz: Quarterly review.",
    ),
    (
        "Wie ist der Status von David Kim?",
        "David Kim ist länger abwesend (On vacation) bis 10. Juni 2030 um 10 Uhr. "
        "Notiz: Back on Monday.",
    ),
    ("Wann ist Emma wieder da?", "Emma Johnson ist frei für Chat (Chatting)."),
    (
        "Wann kommt Herr Carter zurück?",
        "Ben Carter ist abwesend (Out to lunch) bis 3. Juni 2030 um 14:45 Uhr.",
    ),
    ("Setz mich auf Mittagspause bis 13 Uhr", WER),
    ("Ich bin jetzt in einer Besprechung, für eine Stunde", WER),
    (
        "Trag Anna bis Montag als im Urlaub ein",
        "Erledigt. Anna Schmidt ist länger abwesend (Urlaub) bis 30. November um 9 Uhr.",
    ),
    ("Bitte nicht stören für mich, bin beim Arzt, zurück um halb drei", WER),
    (
        "Setz das Präsenzlicht von Ben zurück",
        "Die BLF-Präsenz von Ben Carter ist zurückgesetzt; die Lampen zeigen bis zum "
        "nächsten Anruf frei an.",
    ),
    (
        "Ist Carla frei?",
        "Nein. Carla Rossi telefoniert nicht. Carla Rossi ist im Panel auf „Nicht stören“ "
        "(In a meeting). Notiz: Quarterly review.",
    ),
    (
        "Kann ich Frau Johnson gerade anrufen?",
        "Ja. Emma Johnson telefoniert nicht. Emma Johnson ist frei für Chat (Chatting).",
    ),
]
# The outsider's "me" sentences, asked by a user linked to Felix Wagner (idle phone, on
# status blue "Working from home"); 10:10 in Berlin.
LINKED = [
    ("en", "what's my status?", "Felix Wagner is on status blue (Working from home)."),
    (
        "en",
        "I'm heading to lunch, back at 1:30",
        "Done. Felix Wagner is away (Out to lunch) until 1:30 pm.",
    ),
    (
        "en",
        "set me to do not disturb for an hour",
        "Done. Felix Wagner is on do not disturb in the panel until 11:10 am.",
    ),
    (
        "en",
        "put me on away, I'm at the dentist, back at 3",
        "Done. Felix Wagner is away until 3 pm. Note: at the dentist.",
    ),
    ("en", "I'm back", "Done. Felix Wagner is available."),
    (
        "en",
        "do I have any new voicemails",
        "Felix Wagner has no voicemail box on the phone system.",
    ),
    ("en", "change my status to busy", "Done. Felix Wagner is on do not disturb in the panel."),
    ("en", "I'm working from home today", "Done. Felix Wagner is away (Working from home)."),
    ("en", "please reset my phone light", RESET.format("Felix Wagner")),
    (
        "de",
        "Setz mich auf Mittagspause bis 13 Uhr",
        "Erledigt. Felix Wagner ist abwesend (Mittagspause) bis 13 Uhr.",
    ),
    (
        "de",
        "Ich bin jetzt in einer Besprechung, für eine Stunde",
        "Erledigt. Felix Wagner ist im Panel auf „Nicht stören“ (Besprechung) bis 11:10 Uhr.",
    ),
    (
        "de",
        "Bitte nicht stören für mich, bin beim Arzt, zurück um halb drei",
        "Erledigt. Felix Wagner ist im Panel auf „Nicht stören“ bis 14:30 Uhr. Notiz: beim Arzt.",
    ),
]
# Issue 16's second round, in the same demo state: who someone is talking to, when they
# are back (honest when no return time is set), and "free" for someone with no phone.
NO_RETURN_CARLA = f"Carla Rossi has no return time set. {CARLA}"
CARLA_DE = "Carla Rossi ist im Panel auf „Nicht stören“ (In a meeting). Notiz: Quarterly review."
DAVID_DE = (
    "David Kim ist länger abwesend (On vacation) bis 10. Juni 2030 um 10 Uhr. "
    "Notiz: Back on Monday."
)
ANNA_UNKNOWN_CALLER = (
    "Anna Schmidt's phone is ringing. The phone system does not say who is calling."
)
DETAILS_ENGLISH = [
    ("who's Ben talking to?", "Ben Carter is on a call with 1000."),
    ("who is Ben on the phone with", "Ben Carter is on a call with 1000."),
    ("who's on the phone with Ben right now", "Ben Carter is on a call with 1000."),
    ("who is calling Anna", ANNA_UNKNOWN_CALLER),
    ("who is Lukas talking to", "Lukas Novak is not on the phone."),
    (
        "who is front desk 2 talking to",
        "Front desk 2 has no phone on Flex UC / Kazoo and no iSymphony status, so I cannot "
        "tell whether they are on the phone.",
    ),
    ("when will Carla be back", NO_RETURN_CARLA),
    ("when is Carla due back", NO_RETURN_CARLA),
    ("when is Jonas back?", "Jonas Becker has no return time set. Jonas Becker is unavailable."),
    (
        "when will Felix be back in the office",
        "Felix Wagner has no return time set. Felix Wagner is on status blue (Working from home).",
    ),
    ("how long is Ben out", BEN),
    ("has David set a return time", DAVID),
    ("when is Emma back", EMMA_IDLE.split(". ", 1)[1]),
    ("when is Zoe back", "I don't know anyone called Zoe on the phone system."),
    ("is Site Admin free", "No. Site Admin has no phone to take a call on."),
    ("is Ben free", "No, Ben Carter is on a call."),
    ("is Carla free to take a call", f"No. Carla Rossi is not on the phone. {CARLA}"),
]
DETAILS_GERMAN = [
    ("mit wem spricht Ben gerade", "Ben Carter telefoniert gerade mit 1000."),
    ("mit wem telefoniert Carla", "Carla Rossi telefoniert nicht."),
    (
        "wer ruft Anna an",
        "Das Telefon von Anna Schmidt klingelt. Wer anruft, sagt die Telefonanlage nicht.",
    ),
    ("wann ist Carla zurück", f"Für Carla Rossi ist keine Rückkehrzeit eingetragen. {CARLA_DE}"),
    (
        "wann ist Carla wieder da",
        f"Für Carla Rossi ist keine Rückkehrzeit eingetragen. {CARLA_DE}",
    ),
    (
        "wann kommt Jonas wieder",
        "Für Jonas Becker ist keine Rückkehrzeit eingetragen. Jonas Becker ist nicht verfügbar.",
    ),
    ("bis wann ist David weg", DAVID_DE),
    ("ist Carla verfügbar", f"Nein. Carla Rossi telefoniert nicht. {CARLA_DE}"),
    (
        "ist Site Admin frei",
        "Nein. Site Admin hat kein Telefon, auf dem ein Anruf ankommen könnte.",
    ),
]
# The lead's try as a user of the merged code (December 2026): each of these got Home
# Assistant's "0" or "No", a German name made of "bei jemandem da", or "I didn't
# understand" before; the voicemail questions had no intent at all.
TRIED = [
    ("en", "how many people are on calls", ONE_ON_CALL),
    ("en", "is anyone ringing", ANNA_RINGING),
    ("en", "can I transfer a call to Carla", f"No. Carla Rossi is not on the phone. {CARLA}"),
    ("en", "does Anna have voicemail", "Anna Schmidt has 2 new voicemails."),
    ("en", "does Anna have any new voicemails", "Anna Schmidt has 2 new voicemails."),
    ("en", "how many voicemails does Ben have", "Ben Carter has no new voicemail."),
    ("en", "are there any new voice messages for Anna", "Anna Schmidt has 2 new voicemails."),
    ("en", "does Emma have voicemail", "Emma Johnson has no voicemail box on the phone system."),
    ("en", "has Carla got any voicemail", "Carla Rossi has one new voicemail."),
    ("en", "do I have any voicemail", WHO),
    ("de", "klingelt bei jemandem das Telefon", "Das Telefon von Anna Schmidt klingelt."),
    ("de", "hat Anna neue Sprachnachrichten", "Anna Schmidt hat 2 neue Sprachnachrichten."),
    ("de", "wie viele Sprachnachrichten hat Ben", "Ben Carter hat keine neuen Sprachnachrichten."),
    # A second outsider asked the merged code 60 sentences (37 right); those that got a
    # wrong answer or none, where the fix is in the sentences or the name matching.
    ("en", "Is Jonas in?", "Jonas Becker is unavailable."),
    ("en", "Is the lobby phone in use?", "No, Lobby phone is not on a call."),
    ("en", "whats carlas note", CARLA),
    ("en", "Am I on do not disturb?", WHO),
    (
        "en",
        "turn off do not disturb for Lukas please",
        "Done. Lukas Novak is no longer on do not disturb.",
    ),
    ("en", "is carla ringing", f"No, Carla Rossi is not on the phone. {CARLA}"),
    ("en", "when will ben be back from lunch", BEN),
    (
        "en",
        "set Hannah's status to away, back at 9",
        "Done. Hannah Müller is away until tomorrow at 9 am.",  # 10:10 now: office hours
    ),
    (
        "de",
        "klingelt bei carla das telefon",
        "Nein. Carla Rossi telefoniert nicht. Carla Rossi ist im Panel auf „Nicht stören“ "
        "(In a meeting). Notiz: Quarterly review.",
    ),
    ("de", "Wer hat Nicht stören an?", "Carla Rossi ist im Panel auf „Nicht stören“."),
    ("de", "Ist Jonas da?", "Jonas Becker ist nicht verfügbar."),
    ("en", "Forward Max's calls to Emma", "Done. Calls for Max Weber are forwarded to 1006."),
    (
        "de",
        "Rufumleitung für Max ausschalten",
        "Erledigt. Anrufe für Max Weber werden nicht mehr umgeleitet.",
    ),
    ("de", "nicht stören für Ben ausschalten", "Erledigt. Für Ben Carter ist „Nicht stören“ aus."),
    (
        "en",
        "who's in the support queue",
        "The Support queue has 2 logged in, 1 free: Anna Schmidt.",
    ),
    ("en", "Is anyone in Sales available?", "The Sales queue has 1 logged in, 0 free."),
    ("en", "who is in the kitchen queue", "I don't know a call queue called kitchen."),
    (
        "de",
        "wer ist in der Warteschlange Support",
        "Warteschlange Support: 2 angemeldet, 1 frei: Anna Schmidt.",
    ),
    (
        "de",
        "Kann ich Lena einen Anruf durchstellen?",
        "Ja. Lena Fischer telefoniert nicht. Lena Fischer ist auf Status Pink (Training).",
    ),
    (
        "de",
        "kann ich einen Anruf zu Carla durchstellen",
        "Nein. Carla Rossi telefoniert nicht. Carla Rossi ist im Panel auf „Nicht stören“ "
        "(In a meeting). Notiz: Quarterly review.",
    ),
]

TABLE = [
    *(pytest.param("en", q, a, id=f"outsider-en-{n}") for n, (q, a) in enumerate(OUTSIDER_ENGLISH)),
    *(pytest.param("de", q, a, id=f"outsider-de-{n}") for n, (q, a) in enumerate(OUTSIDER_GERMAN)),
    *(pytest.param("en", q, a, id=f"ours-en-{n}") for n, (q, a) in enumerate(QUESTIONS)),
    *(pytest.param("de", q, a, id=f"ours-de-{n}") for n, (q, a) in enumerate(GERMAN)),
    *(pytest.param("en", q, a, id=f"details-en-{n}") for n, (q, a) in enumerate(DETAILS_ENGLISH)),
    *(pytest.param("de", q, a, id=f"details-de-{n}") for n, (q, a) in enumerate(DETAILS_GERMAN)),
    *(pytest.param(lang, q, a, id=f"tried-{lang}-{n}") for n, (lang, q, a) in enumerate(TRIED)),
]


async def ask(hass: HomeAssistant, text: str, language: str, context: Context | None = None) -> str:
    """What the built-in agent answers to `text` in `language`."""
    result = await conversation.async_converse(
        hass, text, None, context or Context(), language=language
    )
    speech: str = result.response.speech["plain"]["speech"]
    return speech


def test_table_size() -> None:
    """At least 80 English and 30 German phrasings, half of them the outsider's."""
    languages = [param.values[0] for param in TABLE]
    assert languages.count("en") >= 80
    assert languages.count("de") >= 30
    assert len(OUTSIDER_ENGLISH) == 50
    assert len(OUTSIDER_GERMAN) == 20


@pytest.mark.usefixtures("both")
@pytest.mark.parametrize(("language", "question", "answer"), TABLE)
async def test_phrasing(hass: HomeAssistant, language: str, question: str, answer: str) -> None:
    """Each phrasing gets the answer a person expects, in the language asked."""
    assert await ask(hass, question, language) == answer


@pytest.mark.usefixtures("both")
@pytest.mark.parametrize(("language", "question", "answer"), LINKED)
async def test_me_linked(
    hass: HomeAssistant,
    isymphony_entry: MockConfigEntry,
    language: str,
    question: str,
    answer: str,
) -> None:
    """ "Me" is the phone-system person linked to the speaker's Home Assistant person."""
    user = await hass.auth.async_create_user("fw")
    hass.states.async_set("person.fw", "home", {"user_id": user.id, "friendly_name": "FW"})
    hass.config_entries.async_update_entry(
        isymphony_entry,
        options={**isymphony_entry.options, "self_links": {"person.fw": "panel_user_felix"}},
    )
    await hass.async_block_till_done()
    assert await ask(hass, question, language, Context(user_id=user.id)) == answer


@pytest.mark.usefixtures("both")
@pytest.mark.parametrize(
    "question",
    ["where is Anna", "is Anna home", "what time is it", "set a timer for 5 minutes"],
)
async def test_home_assistant_keeps_its_own_sentences(hass: HomeAssistant, question: str) -> None:
    """Sentences that are not about the phone system still reach Home Assistant's intents."""
    result = await conversation.async_converse(hass, question, None, Context(), language="en")
    speech = result.response.speech["plain"]["speech"]
    assert "phone system" not in speech
    assert not speech.startswith(("Done.", "I don't know", "Anna Schmidt"))


# Emma's phone refuses calls (Flex UC / Kazoo do not disturb), her panel status is still
# "Chatting"; Carla is on do not disturb in the panel only.
EMMA_DND = (
    "No. Emma Johnson is not on the phone, but do not disturb is on: calls are not put "
    "through. Emma Johnson is free for chat (Chatting)."
)
EMMA_DND_DE = (
    "Nein. Emma Johnson telefoniert nicht, aber „Nicht stören“ ist an: Anrufe werden nicht "
    "durchgestellt. Emma Johnson ist frei für Chat (Chatting)."
)
ON_DND = [
    ("en", "is Emma available?", EMMA_DND),
    ("en", "is Emma free", EMMA_DND),
    ("en", "can I call Emma right now", EMMA_DND),
    ("en", "is Emma free to take a call", EMMA_DND),
    ("en", "is Carla available", f"No. Carla Rossi is not on the phone. {CARLA}"),
    (
        "en",
        "who is free",
        "Felix Wagner, Hannah Müller, Lena Fischer, Lukas Novak, Max Weber and Sofia García "
        "are free to take a call.",
    ),
    ("de", "ist Emma frei", EMMA_DND_DE),
    ("de", "ist Emma erreichbar", EMMA_DND_DE),
    ("de", "kann ich Emma anrufen", EMMA_DND_DE),
    ("de", "ist Carla frei", f"Nein. Carla Rossi telefoniert nicht. {CARLA_DE}"),
]


@pytest.mark.usefixtures("both")
@pytest.mark.parametrize(("language", "question", "answer"), ON_DND)
async def test_people_on_do_not_disturb_are_not_available(
    hass: HomeAssistant, language: str, question: str, answer: str
) -> None:
    """ "Is X available" is no for do not disturb, the phone's or the panel's, and says so."""
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.emma_johnson_do_not_disturb"}, blocking=True
    )
    assert await ask(hass, question, language) == answer
    state = hass.states.get("binary_sensor.emma_johnson_available")
    assert state is not None
    assert (state.state, state.attributes["reason"]) == ("off", "do_not_disturb")


# Calls whose other party the server names: an outside caller ringing Hannah (caller ID),
# and Carla calling David inside the account; and one it does not (Lena's).
PARTIES = [
    ("en", "who is calling Hannah", "Acme Supplies (+4930123456) is calling Hannah Müller."),
    ("en", "who's Carla talking to", "Carla Rossi is on a call with David Kim (1005)."),
    ("en", "who is David on the phone with", "David Kim is on a call with Carla Rossi (1003)."),
    (
        "en",
        "who is on a call with David right now",
        "David Kim is on a call with Carla Rossi (1003).",
    ),
    (
        "en",
        "who's Lena talking to",
        "Lena Fischer is on a call; the phone system does not say with whom.",
    ),
    ("de", "wer ruft Hannah an", "Acme Supplies (+4930123456) ruft Hannah Müller an."),
    (
        "de",
        "mit wem telefoniert Lena",
        "Lena Fischer telefoniert gerade; mit wem, sagt die Telefonanlage nicht.",
    ),
    ("de", "mit wem telefoniert David", "David Kim telefoniert gerade mit Carla Rossi (1003)."),
    ("de", "mit wem spricht Carla gerade", "Carla Rossi telefoniert gerade mit David Kim (1005)."),
]


@pytest.fixture
async def parties(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    both: None,  # noqa: F811 - the fixture, first
) -> None:
    """The `both` demo, with an outside call ringing Hannah and Carla on a call with David."""
    kazoo = simulator.kazoo
    kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Hannah Müller desk phone"),
        direction="outbound",
        caller_id_name="Acme Supplies",
        caller_id_number="+4930123456",
    )
    carla, _ = kazoo.start_internal_call(
        kazoo_device_id(simulator, "Carla Rossi desk phone"),
        kazoo_device_id(simulator, "David Kim desk phone"),
    )
    kazoo.answer(carla)
    # Lena took a call whose caller the server does not name.
    lena = kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Lena Fischer desk phone"), direction="outbound"
    )
    kazoo.answer(lena)
    await kazoo_entry.runtime_data.async_refresh()
    await hass.async_block_till_done()


@pytest.mark.usefixtures("parties")
@pytest.mark.parametrize(("language", "question", "answer"), PARTIES)
async def test_who_someone_is_talking_to(
    hass: HomeAssistant, language: str, question: str, answer: str
) -> None:
    """The other party by name and number, as the call sensor's attributes show them."""
    assert await ask(hass, question, language) == answer


@pytest.mark.usefixtures("parties")
async def test_the_other_party_is_named_only_where_exposed(hass: HomeAssistant) -> None:
    """A colleague whose sensors are not exposed is said as the number only."""
    for entity_id in hass.states.async_entity_ids("sensor"):
        if entity_id.startswith(("sensor.david_kim_call_state", "sensor.david_kim_status")):
            async_expose_entity(hass, "conversation", entity_id, should_expose=False)
    assert await ask(hass, "who is Carla talking to", "en") == (
        "Carla Rossi is on a call with 1005."
    )
