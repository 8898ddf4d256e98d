"""Spoken phrases the voice intents understand: statuses and notes, and the words of times.

Every word comes from the language's translations (the `common` section's `voice_words_*`,
`voice_weekdays`, `voice_units` and `voice_clock_phrases` keys), numbers said in words
from unicode_rbnf, the library hassil itself uses for them, so the next language is a
translation. Times are read in voice/times.py.

Strict on purpose: a phrase that is not understood is refused with a clear answer rather
than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
import re

from unicode_rbnf import RbnfEngine

from ..backends.snapshot import StatusType
from ..names import normalize

# The status said as a concept ("lunch", "holiday"): its type is the same in every language.
CONCEPTS: dict[str, StatusType] = {
    "lunch": StatusType.AWAY,
    "meeting": StatusType.DND,
    "holiday": StatusType.XA,
    "sick": StatusType.XA,
    "out_of_office": StatusType.AWAY,
    "home": StatusType.AWAY,
    "busy": StatusType.DND,
    "back": StatusType.AVAILABLE,
}


@dataclass(frozen=True, slots=True)
class StatusWords:
    """One way of saying a status: its type, the name to give it, and the words."""

    type: StatusType
    name: str | None
    words: frozenset[str]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The words of one language that the phrases are made of (all normalized)."""

    statuses: tuple[StatusWords, ...]
    until: tuple[str, ...]
    duration: tuple[str, ...]
    note: tuple[str, ...]
    note_lead: tuple[str, ...]
    filler: frozenset[str]
    at: tuple[str, ...]
    o_clock: frozenset[str]
    am: frozenset[str]
    pm: frozenset[str]
    noon: frozenset[str]
    midnight: frozenset[str]
    numbers: Mapping[str, float]
    units: Mapping[str, int]
    rewrites: tuple[tuple[str, str], ...]
    weekdays: tuple[str, ...]
    days_ahead: Mapping[str, int]
    clock_phrases: tuple[tuple[re.Pattern[str], str], ...]

    @classmethod
    def load(cls, say: Callable[[str], str], language: str) -> Vocabulary:
        """The vocabulary from a language's translated `common` keys."""

        def words(key: str) -> tuple[str, ...]:
            found = {normalize(word) for word in say(key).split(",")} - {""}
            return tuple(sorted(found, key=lambda word: (-len(word.split()), word)))

        def pairs(key: str) -> list[tuple[str, str]]:
            return [
                (left.strip(), right.strip())
                for left, _, right in (item.partition("=") for item in say(key).split(";"))
                if left.strip()
            ]

        statuses = []
        for concept, status_type in CONCEPTS.items():
            name, _, said = say(f"voice_words_status_{concept}").rpartition("|")
            statuses.append(
                StatusWords(status_type, name.strip() or None, frozenset(words_of(said)))
            )
        for status_type in StatusType:
            said = say(f"voice_words_type_{status_type}")
            statuses.append(StatusWords(status_type, None, frozenset(words_of(said))))
        numbers: dict[str, float] = dict(_rbnf_numbers(language))
        numbers.update((normalize(word), float(value)) for word, value in pairs("voice_numbers"))
        return cls(
            statuses=tuple(statuses),
            until=words("voice_words_until"),
            duration=words("voice_words_for"),
            note=words("voice_words_note"),
            note_lead=words("voice_words_note_lead"),
            filler=frozenset(words("voice_words_filler")),
            at=words("voice_words_at"),
            o_clock=frozenset(words("voice_words_o_clock")),
            am=frozenset(words("voice_words_am")),
            pm=frozenset(words("voice_words_pm")),
            noon=frozenset(words("voice_words_noon")),
            midnight=frozenset(words("voice_words_midnight")),
            numbers=numbers,
            units={
                normalize(unit): int(minutes)
                for units, minutes in pairs("voice_units")
                for unit in units.split(",")
            },
            rewrites=tuple(
                (normalize(left), normalize(right)) for left, right in pairs("voice_rewrites")
            ),
            weekdays=tuple(normalize(day) for day in say("voice_weekdays").split(",")),
            days_ahead={normalize(word): int(days) for word, days in pairs("voice_days_ahead")},
            clock_phrases=tuple(
                (_clock_pattern(left), right) for left, right in pairs("voice_clock_phrases")
            ),
        )

    def status_words(self) -> set[str]:
        """Every word or phrase that says a status (for the sentences' lists)."""
        return {word for said in self.statuses for word in said.words}


def words_of(text: str) -> set[str]:
    """A translation's comma-separated words, normalized."""
    return {normalize(word) for word in text.split(",")} - {""}


@cache
def _rbnf_numbers(language: str) -> dict[str, float]:
    """Numbers 0 to 59 in words ("twenty-one", "einundzwanzig"), from unicode_rbnf."""
    engine = RbnfEngine.for_language(language)
    found: dict[str, float] = {}
    for number in range(60):
        for said in engine.format_number(number).text_by_ruleset.values():
            found.setdefault(normalize(said), number)
    return found


def _clock_pattern(template: str) -> re.Pattern[str]:
    """A phrase like "quarter past {h}" as a pattern with groups for hour and minutes."""
    said = normalize(template.replace("{h}", " hourword ").replace("{m}", " minuteword "))
    pattern = re.escape(said).replace("hourword", "(?P<h>.+?)")
    return re.compile(f"^{pattern.replace('minuteword', '(?P<m>.+?)')}$")


@dataclass(frozen=True, slots=True)
class StatusPhrase:
    """What a spoken status means: the type, and the status name to set if one fits."""

    type: StatusType
    name: str | None = None


def parse_status(
    text: str,
    vocab: Vocabulary,
    labels: Mapping[StatusType, Iterable[str]],
    predefined: Mapping[StatusType, str],
) -> StatusPhrase | None:
    """Read a status as said: a type ("dnd"), its label, a status name, or a word ("lunch").

    `labels` are the translated type names; `predefined` the administrator-defined
    status names known per type ("Out to lunch" is an `away` status). A word such as
    "lunch" takes the administrator's name when it is one of that word's phrases, else
    the translation's own name ("Mittagspause").
    """
    phrase = normalize(text).removeprefix("status ").removesuffix(" status")
    for status_type, name in predefined.items():
        if phrase == normalize(name):
            return StatusPhrase(status_type, name)
    for status_type in StatusType:
        if phrase == status_type.value or phrase in {
            normalize(label) for label in labels.get(status_type, ())
        }:
            return StatusPhrase(status_type)
    for said in vocab.statuses:
        if phrase in said.words:
            own = predefined.get(said.type)
            if (
                own is not None
                and said.name is not None
                and (normalize(own) in said.words or normalize(own) == normalize(said.name))
            ):
                return StatusPhrase(said.type, own)
            return StatusPhrase(said.type, said.name)
    return None


@dataclass(frozen=True, slots=True)
class SetStatusPhrase:
    """A spoken "away until 3 pm, at the dentist": the status, time and note, still unread."""

    status: str
    until: str | None = None
    duration: str | None = None
    note: str | None = None


def split_status_phrase(
    text: str,
    vocab: Vocabulary,
    is_status: Callable[[str], bool],
    is_time: Callable[[str], bool],
) -> SetStatusPhrase:
    """Split "lunch back at 1:30", "away I'm at the dentist back at 3" into its parts.

    The status is the longest start that is a status ("free for chat", not "free"); the
    rest is cut at the time words ("until", "for", "back at", "bis", "für") and the note
    words ("with note"). A time phrase is as long as it reads as a time; what is left over,
    without words like "I'm" and "today", is the note.
    """
    words = text.split()
    status_end = next(
        (end for end in range(len(words), 0, -1) if is_status(" ".join(words[:end]))), 0
    )
    if not status_end:
        # Not understood: the part before the first time word is what is refused.
        head = words
        for index in range(len(words)):
            if _marker(vocab, words, index) is not None:
                head = words[:index]
                break
        return SetStatusPhrase(" ".join(head) or text)
    status = " ".join(words[:status_end])
    until = duration = None
    notes: list[str] = []
    for kind, said in _segments(vocab, words[status_end:]):
        if not kind or kind in vocab.note:
            notes.append(" ".join(said))
            continue
        # The time is the longest start that reads as one; the rest is a note.
        end = next(
            (end for end in range(len(said), 0, -1) if is_time(" ".join([kind, *said[:end]]))),
            len(said),
        )
        if kind in vocab.duration:
            duration = " ".join(said[:end])
        else:
            until = " ".join(said[:end])
        notes.append(" ".join(said[end:]))
    note = " ".join(_note(vocab, part) for part in notes if _note(vocab, part))
    return SetStatusPhrase(status, until=until, duration=duration, note=note or None)


def _segments(vocab: Vocabulary, words: list[str]) -> list[tuple[str, list[str]]]:
    """The words cut at time and note words: (the word, what follows it); "" at first.

    After a note word everything is the note.
    """
    segments: list[tuple[str, list[str]]] = [("", [])]
    index = 0
    while index < len(words):
        kind = segments[-1][0]
        found = _marker(vocab, words, index)
        if found is None or kind in vocab.note:
            segments[-1][1].append(words[index])
            index += 1
            continue
        segments.append((found, []))
        index += len(found.split())
    return [(kind, said) for kind, said in segments if said or kind]


def _marker(vocab: Vocabulary, words: list[str], index: int) -> str | None:
    """The time or note word that starts at `index`, if any (longest first)."""
    for marker in (*vocab.note, *vocab.until, *vocab.duration):
        size = len(marker.split())
        if normalize(" ".join(words[index : index + size])) == marker:
            return marker
    return None


def _note(vocab: Vocabulary, text: str) -> str:
    """A note as said, without its lead ("I'm at the dentist" -> "at the dentist")."""
    words = text.split()
    while words:
        lead = next(
            (
                size
                for size in sorted({len(w.split()) for w in vocab.note_lead}, reverse=True)
                if normalize(" ".join(words[:size])) in vocab.note_lead
            ),
            0,
        )
        if lead:
            words = words[lead:]
        elif normalize(words[0]) in vocab.filler:
            words = words[1:]
        else:
            break
    while words and normalize(words[-1]) in vocab.filler:
        words.pop()
    return " ".join(words)
