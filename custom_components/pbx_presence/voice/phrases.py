"""Spoken phrases the voice intents understand: return times and status types.

Deliberately small and strict: a phrase that is not understood is refused with a clear
answer rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
import re

from ..backends.snapshot import StatusType
from ..names import normalize, plain

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
}
_UNITS = {
    "minute": 1,
    "minutes": 1,
    "min": 1,
    "mins": 1,
    "hour": 60,
    "hours": 60,
    "hr": 60,
    "hrs": 60,
}
_CLOCK = re.compile(
    r"^(?:at\s+)?(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*"
    r"(?P<suffix>am|pm|a\s*m|p\s*m|o\s*clock|oclock|h)?$"
)
# The longest phrase first: "extended away" before "away".
_STATUS_WORDS: dict[str, StatusType] = {
    "extended away": StatusType.XA,
    "xa": StatusType.XA,
    "do not disturb": StatusType.DND,
    "don't disturb": StatusType.DND,
    "dont disturb": StatusType.DND,
    "dnd": StatusType.DND,
    "free for chat": StatusType.CHAT,
    "free to chat": StatusType.CHAT,
    "chat": StatusType.CHAT,
    "not available": StatusType.UNAVAILABLE,
    "unavailable": StatusType.UNAVAILABLE,
    "available": StatusType.AVAILABLE,
    "away": StatusType.AWAY,
    "blue": StatusType.ALTBLUE,
    "green": StatusType.ALTGREEN,
    "pink": StatusType.ALTPINK,
    "purple": StatusType.ALTPURPLE,
    "red": StatusType.ALTRED,
}
_SPLIT_TIME = re.compile(r"\s+(until|till|til|for)\s+", re.IGNORECASE)
_NOTE = re.compile(r"\s+(?:with|and)\s+(?:the\s+|a\s+)?note\s+(.+)$", re.IGNORECASE)


def parse_duration(text: str) -> timedelta | None:
    """Read "30 minutes", "an hour", "half an hour", "an hour and a half", "1.5 hours".

    A bare number ("for 30") is minutes.
    """
    phrase = re.sub(r"\bhalf an? hour\b", "30 minutes", plain(text))
    phrase = re.sub(r"\b(hours?) and a half\b", r"\1 30 minutes", phrase)
    words = [
        word.strip(".")
        for word in re.sub(r"[^\w.]+", " ", phrase).split()
        if word.strip(".") not in {"", "and"}
    ]
    if words[:1] == ["for"]:
        words = words[1:]
    total = 0.0
    count: float | None = None
    last_unit: int | None = None
    for word in words:
        if word in _UNITS:
            if count is None:
                return None
            last_unit = _UNITS[word]
            total += count * last_unit
            count = None
        elif (number := _number(word)) is not None:
            tens = count is not None and count >= 20 and number < 10
            count = count + number if tens and count is not None else number
        else:
            return None
    if count is not None:
        if last_unit is not None:
            return None
        total += count
    return timedelta(minutes=total) if total > 0 else None


def _number(word: str) -> float | None:
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    try:
        value = float(word)
    except ValueError:
        return None
    return value if value > 0 else None


def parse_clock(text: str, now: datetime) -> datetime | None:
    """Read "3", "3 pm", "15:30", "noon": the next such moment after `now` (aware, local)."""
    phrase = normalize(text.replace(".", " ").replace(":", "_")).replace("_", ":")
    phrase = phrase.removeprefix("at ").strip()
    if phrase in {"noon", "midday"}:
        return _next(now, [time(12)])
    if phrase == "midnight":
        return _next(now, [time(0)])
    phrase = re.sub(r"\s+", " ", phrase)
    if not (match := _CLOCK.match(phrase)):
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    suffix = (match["suffix"] or "").replace(" ", "")
    if minute > 59 or hour > 23:
        return None
    if suffix in {"am", "pm"}:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
        return _next(now, [time(hour, minute)])
    if hour > 12 or hour == 0 or suffix == "h":
        return _next(now, [time(hour, minute)])
    # "until 3": whichever of 3 am and 3 pm comes next.
    return _next(now, [time(hour % 12, minute), time(hour % 12 + 12, minute)])


def _next(now: datetime, candidates: Iterable[time]) -> datetime:
    moments = []
    for candidate in candidates:
        moment = now.replace(hour=candidate.hour, minute=candidate.minute, second=0, microsecond=0)
        if moment <= now:
            moment += timedelta(days=1)
        moments.append(moment)
    return min(moments)


def parse_until(text: str, now: datetime) -> datetime | None:
    """A return time given as a time of day, or an ISO 8601 date and time (from an LLM)."""
    text = re.sub(r"^\s*(until|till|til)\s+", "", text, flags=re.IGNORECASE)
    if (moment := parse_clock(text, now)) is not None:
        return moment
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


@dataclass(frozen=True, slots=True)
class StatusPhrase:
    """What a spoken status means: the type, and the name of a predefined status if said."""

    type: StatusType
    name: str | None = None


def parse_status(
    text: str,
    labels: Mapping[StatusType, Iterable[str]],
    predefined: Mapping[StatusType, str],
) -> StatusPhrase | None:
    """Read a status as said: a type ("extended away", "dnd"), its label, or a status name.

    `labels` are the translated type names; `predefined` the administrator-defined
    status names known per type ("Out to lunch" is an `away` status).
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
    if (word_type := _STATUS_WORDS.get(phrase)) is not None:
        return StatusPhrase(word_type)
    return None


@dataclass(frozen=True, slots=True)
class SetStatusPhrase:
    """A spoken "away until 3 pm": the status text and the time phrase, still unread."""

    status: str
    until: str | None = None
    duration: str | None = None
    note: str | None = None


def split_status_phrase(text: str, is_status: Callable[[str], bool]) -> SetStatusPhrase:
    """Split "away until 3 pm" or "do not disturb for 30 minutes" into status and time.

    "free for chat" is a status, not "free" for a duration: every split is tried, and one
    whose left part is a known status wins.
    """
    text, note = text.strip(), None
    if match := _NOTE.search(text):
        text, note = text[: match.start()], match[1].strip()
    if is_status(text):
        return SetStatusPhrase(text, note=note)
    for match in _SPLIT_TIME.finditer(text):
        left, right = text[: match.start()], text[match.end() :]
        if is_status(left):
            if match[1] == "for":
                return SetStatusPhrase(left, duration=right, note=note)
            return SetStatusPhrase(left, until=right, note=note)
    return SetStatusPhrase(text, note=note)
