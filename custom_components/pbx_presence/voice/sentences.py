"""English and German sentences for Home Assistant's built-in Assist agent, wired to the intents.

Home Assistant 2026.2 has no way for an integration to add sentences to the built-in
agent's intent recognition: it reads only the `home-assistant-intents` package and files
in `<config>/custom_sentences/`. What it does offer is the conversation trigger, the same
mechanism as an automation's "Sentence" trigger: its sentences (with `{wildcards}`) are
matched first, and the callback's answer is spoken (voice/trigger.py).

The sentences are written as home-assistant/intents writes its own: hassil templates with
optional `[words]`, `(alternatives|of words)`, expansion rules `<rule>` (RULES below) and
lists: `{name}`, `{status}`, `{until}` and `{details}` are wildcards, `{status_word}` and
`{status_said}` are the status words of the translations (`voice_words_*`), so a word
added there is understood here too.

The rule that keeps them from taking over Home Assistant's own sentences: because trigger
sentences win over the built-in ones, every sentence names a phone, a call or a status (or
is plainly about the phone system: "who can I call"). "Is Anna home" and "where is Anna"
stay Home Assistant's person tracking.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import (
    INTENT_GET_CALL_STATE,
    INTENT_GET_STATUS,
    INTENT_LIST_CALLS,
    INTENT_LIST_STATUS,
    INTENT_RESET_PRESENCE,
    INTENT_SET_STATUS,
    SLOT_COUNT,
    SLOT_NAME,
    SLOT_STATE,
    SLOT_STATUS,
)
from .call_party import CALL_PARTY_SENTENCES
from .calling import CALL_SENTENCES
from .controls import CONTROL_SENTENCES
from .queues import QUEUE_SENTENCES
from .return_time import RETURN_TIME_SENTENCES
from .voicemail import VOICEMAIL_SENTENCES

# Words a name wildcard may stand for that mean "anyone" (those sentences list people).
ANYONE = frozenset(
    {"anyone", "anybody", "somebody", "someone", "any one", "jemand", "irgendjemand", "wer"}
)
ME = {SLOT_NAME: "me"}

RULES: dict[str, str] = {
    # English
    "person": "[<title>] {name}",
    "title": "(mr|mrs|ms|miss|dr|herr|frau)",
    "now": "(now|right now|currently|at the moment|just now|today|still|at present)",
    "on_call": "(on [the] phone|on the phones|on [a|the|that] call|on calls|in a call|on the line"
    "|in use|being used"
    "|talking on the phone|on the phone with someone|busy|talking to someone)",
    "idle": "(free|idle|off the phone|not on [the] phone|not on a call|free to talk"
    "|available|reachable|free to take a call|available for a call)",
    "whos": "[(tell me|can you tell me|do you know)] (who is|who's|whos|who are)",
    "anyone": "(anyone|anybody|someone|somebody|any one)",
    "whats": "[(tell me|can you tell me)] (what is|what's|whats)",
    "can_you": "[(can|could|would|will) you] [please]",
    "set": "(set|change|switch|put|mark|make|update)",
    "blf": "(presence|BLF|BLF presence|busy lamp|busy lamps|lamp|lamps|[busy] light|[busy] lights"
    "|presence light|presence lights|phone light|phone lights|BLF light|BLF lights)",
    "reset": "(reset|clear)",
    "back": "(back|in|in the office|back in the office)",
    "away_words": "(away|out|not in|out of [the] office|not in [the] office|on holiday"
    "|on vacation|off|on leave)",
    "im": "(I'm|I am|im|I'll be|I will be)",
    "going": "[now|just] [(heading|going|off|out|popping out|stepping out)]"
    " [(to|for|out to|out for)]",
    # German
    "de_person": "[<title>] {name}",
    "de_now": "(gerade|jetzt|noch|momentan|im Moment|heute|aktuell)",
    "de_busy": "(am Telefon|im Gespräch|in einem Gespräch|beschäftigt|besetzt|im Telefonat)",
    "de_free": "(frei|erreichbar|verfügbar|frei für einen Anruf|zu erreichen)",
    "de_anyone": "(jemand|irgendjemand|irgendwer)",
    "de_set": "(setz|setze|stell|stelle|änder|ändere|mach|mache)",
    "de_blf": "(Präsenz|BLF-Präsenz|BLF|Präsenzlicht|Präsenzlampe|Lampe|Lampen|Licht|Besetztlampe"
    "|Besetztlampen|Telefonlicht)",
}

# (intent, slots the sentence itself implies, sentences)
type Sentences = tuple[tuple[str, Mapping[str, str], tuple[str, ...]], ...]
ENGLISH: Sentences = (
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "busy"},
        ("is <person> [still] [<now>] <on_call> [<now>]",),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "ringing"},
        (
            "is <person>'s [desk] phone ringing [<now>]",
            "is the phone of <person> ringing [<now>]",
            "is <person> ringing [<now>]",
            "is <person> (getting|receiving) a call [<now>]",
        ),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "idle"},
        (
            "is <person> [<now>] <idle> [<now>]",
            "(can|could|may) I call <person> [<now>]",
            "is it (ok|okay|a good time) to call <person> [<now>]",
            "can <person> take a call [<now>]",
            "(can|could|may) I (transfer|put through|pass|forward) [a|the|this] call to <person>"
            " [<now>]",
            "(can|could|may) I put [a|the|this] call through to <person> [<now>]",
        ),
    ),
    (
        INTENT_GET_CALL_STATE,
        {},
        (
            "<whats> <person>'s call (state|status)",
            "<whats> the call (state|status) of <person>",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "busy"},
        (
            "<whos> [<now>] <on_call> [<now>]",
            "[is] <anyone> [<now>] <on_call> [<now>]",
            "(is|are) there any calls [going on] [<now>]",
            "who is talking [on the phone] [<now>]",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "busy", SLOT_COUNT: "yes"},
        (
            "how many [people|persons|users|colleagues|of us|of them] are [<now>] <on_call>"
            " [<now>]",
            "how many calls are [there] [(going on|active|in progress|open)] [<now>]",
            "how many (people|of us) are talking on the phone [<now>]",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "ringing"},
        (
            "whose phone is ringing [<now>]",
            "whose phones are ringing [<now>]",
            "(which|what) phones are ringing [<now>]",
            "(who is|who's|whos) [phone] ringing [<now>]",
            "is (anyone's|anybody's|any|a|someone's|somebody's) phone ringing [<now>]",
            "is <anyone> ringing [<now>]",
            "are (any|the) phones ringing [<now>]",
            "<whos> (getting|receiving) a call [<now>]",
            "is there an incoming call [<now>]",
            "who has a call coming in [<now>]",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "ringing", SLOT_COUNT: "yes"},
        ("how many phones are ringing [<now>]",),
    ),
    (
        INTENT_LIST_STATUS,
        {SLOT_STATUS: "free"},
        (
            "<whos> (free|available) [to take a call|to talk|for a call] [<now>]",
            "is <anyone> (free|available) [to take a call|to talk|for a call] [<now>]",
            "who (can|could) I call [<now>]",
            "who (can|could) take a call [<now>]",
        ),
    ),
    (
        INTENT_LIST_STATUS,
        {SLOT_STATUS: "away"},
        (
            "<whos> <away_words> [<now>]",
            "is <anyone> <away_words> [<now>]",
            "who (isn't|is not) in [the office] [<now>]",
        ),
    ),
    (
        INTENT_LIST_STATUS,
        {SLOT_STATUS: "dnd"},
        (
            "<whos> on (do not disturb|dnd) [<now>]",
            "[is] <anyone> on (do not disturb|dnd) [<now>]",
            "who (does not|doesn't|doesnt) want to be disturbed [<now>]",
        ),
    ),
    (INTENT_LIST_STATUS, {SLOT_STATUS: "unavailable"}, ("<whos> unavailable [<now>]",)),
    (
        INTENT_GET_STATUS,
        {},
        (
            "<whats> <person>'s [presence|panel|phone] status [please]",
            "<whats> the [presence|panel|phone|iSymphony] status (of|for) <person> [please]",
            "<person>'s [presence|panel|phone] status [please]",
            "[the] [presence|panel] status (of|for) <person> [please]",
            "(what is|what's|whats) <person> (doing|up to) [<now>]",
            "is <person> (in|back|around|about) [the office|from lunch|today] [yet]",
            "is <person> (in|at) (the office|work|[(his|her|their)] desk) [<now>]",
            "<whats> <person>'s [status] note",
            "<whats> <person> [status] note",
            "<whats> the note (of|for|on) <person>['s status]",
            "is <person> [<now>] (<status_said>|away|on do not disturb|on dnd|extended away)",
        ),
    ),
    (
        INTENT_GET_STATUS,
        ME,
        (
            "<whats> my [presence|panel|phone] status",
            "(what am I set to|how am I set)",
            "am I [<now>] (on do not disturb|on dnd|away|available|free|<status_said>)",
        ),
    ),
    (
        INTENT_SET_STATUS,
        {},
        (
            "<can_you> <set> <person>'s status to {status}",
            "<can_you> <set> the status of <person> to {status}",
            "<can_you> <set> <person> (as|to|on|into) {status}",
            "<person>('s| is) [<now>] {status_said} [{details}]",
        ),
    ),
    (
        INTENT_SET_STATUS,
        ME,
        (
            "<can_you> <set> my status to {status}",
            "<can_you> <set> me (as|to|on|into) {status}",
            "<im> <going> {status_word} [{details}]",
        ),
    ),
    (
        INTENT_SET_STATUS,
        {**ME, SLOT_STATUS: "back"},
        ("<im> [now] back [again] [in the office|at my desk] [{details}]",),
    ),
    (
        INTENT_RESET_PRESENCE,
        {},
        (
            "[please] <reset> <person>'s [phone] <blf>",
            "[please] <reset> [the] <blf> (of|for|on) <person>'s [desk] phone",
            "[please] <reset> [the] <blf> (of|for|on) <person>",
        ),
    ),
    (INTENT_RESET_PRESENCE, ME, ("[please] <reset> my [phone] <blf>",)),
)

# The same intents in German: all languages' sentences are matched together, and the
# answer is in the language of the request.
GERMAN: Sentences = (
    # Before "klingelt {name}s Telefon", which would take "bei jemandem da" for a name.
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "ringing"},
        ("klingelt [<de_now>] (bei jemandem|bei irgendjemandem|irgendwo) [das Telefon]",),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "busy"},
        ("ist <de_person> [<de_now>] <de_busy>", "telefoniert <de_person> [<de_now>]"),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "ringing"},
        (
            "klingelt das Telefon von <de_person> [<de_now>]",
            # Before "klingelt {name}s Telefon", which would take "bei Carla da" for a name.
            "klingelt [es] bei <de_person> [das Telefon] [<de_now>]",
            "klingelt {name}s Telefon [<de_now>]",
        ),
    ),
    (
        INTENT_GET_CALL_STATE,
        {SLOT_STATE: "idle"},
        (
            "ist <de_person> [<de_now>] <de_free>",
            "kann ich <de_person> [<de_now>] anrufen",
            "kann ich <de_person> [<de_now>] (einen|den|diesen) Anruf durchstellen",
            "kann ich [<de_now>] (einen|den|diesen) Anruf (zu|an) <de_person>"
            " (durchstellen|weiterleiten|weiterverbinden|verbinden)",
            "(darf|könnte) ich <de_person> [<de_now>] anrufen",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "busy"},
        (
            "wer telefoniert [<de_now>]",
            "telefoniert [<de_now>] <de_anyone>",
            "wer ist [<de_now>] <de_busy>",
            "ist [<de_now>] <de_anyone> [<de_now>] <de_busy>",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "busy", SLOT_COUNT: "yes"},
        (
            "wie viele [Leute|Personen|Kollegen|Mitarbeiter|von uns] telefonieren [<de_now>]",
            "wie viele [Leute|Personen|Kollegen] sind [<de_now>] <de_busy>",
            "wie viele Gespräche (laufen|gibt es) [<de_now>]",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "ringing"},
        (
            "wessen Telefon klingelt [<de_now>]",
            "welche Telefone klingeln [<de_now>]",
            "bei wem klingelt (es|das Telefon) [<de_now>]",
            "bei wem (klingelts|klingelt's) [<de_now>]",
            "klingelt [<de_now>] (ein|irgendein) Telefon",
        ),
    ),
    (
        INTENT_LIST_CALLS,
        {SLOT_STATE: "ringing", SLOT_COUNT: "yes"},
        ("wie viele Telefone klingeln [<de_now>]",),
    ),
    (
        INTENT_LIST_STATUS,
        {SLOT_STATUS: "free"},
        (
            "wer ist [<de_now>] <de_free>",
            "ist [<de_now>] <de_anyone> [<de_now>] <de_free>",
            "wen kann ich [<de_now>] anrufen",
        ),
    ),
    (
        INTENT_LIST_STATUS,
        {SLOT_STATUS: "away"},
        (
            "wer ist [<de_now>] [länger] abwesend",
            "wer ist [<de_now>] nicht (da|im Büro|im Haus)",
            "wer ist [<de_now>] (im Urlaub|außer Haus|unterwegs)",
            "wer fehlt [<de_now>]",
        ),
    ),
    (
        INTENT_LIST_STATUS,
        {SLOT_STATUS: "dnd"},
        (
            "wer ist [<de_now>] (auf|im Modus) [„]nicht stören[“]",
            "wer will [<de_now>] nicht gestört werden",
            "wer hat [<de_now>] [„]nicht stören[“] [(an|eingeschaltet|aktiviert)]",
        ),
    ),
    (INTENT_LIST_STATUS, {SLOT_STATUS: "unavailable"}, ("wer ist [<de_now>] nicht verfügbar",)),
    (
        INTENT_GET_STATUS,
        {},
        (
            "(was|wie) ist der Status von <de_person>",
            "(was|wie) ist {name}s Status",
            "was macht <de_person> [<de_now>]",
            "ist <de_person> [<de_now>] (<status_said>|abwesend|auf nicht stören)",
            "ist <de_person> [<de_now>] (da|im Büro|im Haus|an (seinem|ihrem) Platz)",
        ),
    ),
    (INTENT_GET_STATUS, ME, ("(was|wie) ist mein Status",)),
    (
        INTENT_SET_STATUS,
        {},
        (
            "<de_set> [bitte] {name}s Status auf {status}",
            "<de_set> [bitte] den Status von <de_person> auf {status}",
            "<de_set> [bitte] <de_person> auf {status}",
            "(trag|trage) [bitte] <de_person> [bis {until}] als {status} ein",
            "<de_person> ist [<de_now>] {status_said} [{details}]",
        ),
    ),
    (
        INTENT_SET_STATUS,
        ME,
        (
            "<de_set> [bitte] meinen Status auf {status}",
            "<de_set> [bitte] mich (auf|als) {status}",
            "(trag|trage) [bitte] mich [bis {until}] als {status} ein",
            "[ich] (bin|gehe) [<de_now>] [bis {until}] {status_word} [{details}]",
        ),
    ),
    (
        INTENT_SET_STATUS,
        {**ME, SLOT_STATUS: "nicht stören"},
        ("[bitte] nicht stören für mich [{details}]",),
    ),
    (
        INTENT_RESET_PRESENCE,
        {},
        (
            "<de_set> [bitte] (die|das|den) <de_blf> von <de_person> zurück",
            "<de_set> [bitte] {name}s <de_blf> zurück",
        ),
    ),
    (INTENT_RESET_PRESENCE, ME, ("<de_set> [bitte] (meine|mein|meinen) <de_blf> zurück",)),
)
# The phone controls' first: "put me on do not disturb" means the phone where there is one;
# then the questions about one detail ("who is Anna talking to", "when is Ben back").
SENTENCES: Sentences = (
    CONTROL_SENTENCES
    + CALL_SENTENCES
    + CALL_PARTY_SENTENCES
    + RETURN_TIME_SENTENCES
    + VOICEMAIL_SENTENCES
    + QUEUE_SENTENCES
    + ENGLISH
    + GERMAN
)
LANGUAGES: dict[str, Sentences] = {"en": ENGLISH, "de": GERMAN}
