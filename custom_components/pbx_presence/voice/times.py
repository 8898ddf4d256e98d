"""Times as people say them: "until 3", "back at half past two", "bis Montag", "for an hour".

The words are the language's (voice/phrases.py's Vocabulary, from the translations); this
is the small grammar that puts them together: a day, a clock time or both, or a number and
a unit. Hand-written because nothing installed with Home Assistant reads such phrases in
German (python-dateutil's parser is English only), and Home Assistant's own time sentences
(timers) are fixed templates, not a parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
import re

from ..names import normalize
from .phrases import Vocabulary

# "Until Monday" without a time of day: back when the office day starts.
DAY_START = time(9)
_CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?$")


def _number(vocab: Vocabulary, word: str) -> float | None:
    """A number said in digits ("30", "1.5") or words ("thirty", "dreißig")."""
    if word in vocab.numbers:
        return vocab.numbers[word]
    try:
        value = float(word.replace(",", "."))
    except ValueError:
        return None
    return value if value >= 0 else None


def _strip(phrase: str, prefixes: Iterable[str]) -> str:
    """The phrase without one of the leading words (longest first)."""
    for prefix in prefixes:
        if phrase == prefix:
            return ""
        if phrase.startswith(f"{prefix} "):
            return phrase[len(prefix) + 1 :]
    return phrase


def _tidy(vocab: Vocabulary, phrase: str) -> str:
    """The phrase without filler words at either end ("today", "please", "jetzt")."""
    words = phrase.split()
    while words and words[0] in vocab.filler:
        words.pop(0)
    while words and words[-1] in vocab.filler:
        words.pop()
    return " ".join(words)


def parse_duration(text: str, vocab: Vocabulary) -> timedelta | None:
    """Read "30 minutes", "an hour", "half an hour", "eine Stunde", "anderthalb Stunden".

    A bare number ("for 30") is minutes.
    """
    phrase = _tidy(vocab, _strip(normalize(_digits(text)), vocab.duration))
    phrase = phrase.replace("_", ".")
    for left, right in vocab.rewrites:
        phrase = re.sub(rf"\b{re.escape(left)}\b", right, phrase)
    total = 0.0
    count: float | None = None
    last_unit: int | None = None
    for word in phrase.split():
        if word in vocab.units:
            if count is None:
                return None
            last_unit = vocab.units[word]
            total += count * last_unit
            count = None
        elif (number := _number(vocab, word)) is not None:
            if count is not None and not (count >= 20 and number < 10):
                return None  # "1 30" is no duration
            count = number if count is None else count + number
        elif word not in vocab.filler:
            return None
    if count is not None:
        if last_unit is not None or not phrase.split()[-1][:1].isdigit():
            return None  # a bare number is minutes only in digits: "for 30", not "for a"
        total += count
    return timedelta(minutes=total) if total > 0 else None


def _hour_minute(vocab: Vocabulary, phrase: str) -> tuple[int, int, bool] | None:
    """(hour, minute, exact) from "3", "15:30", "three thirty", "halb drei"; exact = 24-hour."""
    if match := _CLOCK.match(phrase):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        return hour, minute, hour > 12 or hour == 0 or bool(match["minute"] and hour >= 10)
    for pattern, offset in vocab.clock_phrases:
        if not (match := pattern.match(phrase)):
            continue
        said_hour = _number(vocab, match["h"])
        minutes = _number(vocab, match.groupdict().get("m") or "0")
        if said_hour is None or minutes is None or not 0 < said_hour <= 24:
            continue
        said = offset.replace("m", f"+{int(minutes)}").replace("-+", "-").replace("++", "+")
        shift = sum(int(part) for part in re.findall(r"[+-]\d+", said))
        total = int(said_hour) * 60 + shift
        return (total // 60) % 24, total % 60, False
    words = phrase.split()
    if 1 <= len(words) <= 2 and all((_number(vocab, word) is not None) for word in words):
        hour_number = _number(vocab, words[0])
        minute_number = _number(vocab, words[1]) if len(words) == 2 else 0.0
        if hour_number is None or minute_number is None:
            return None
        if hour_number == int(hour_number) and minute_number == int(minute_number):
            return int(hour_number), int(minute_number), hour_number > 12
    return None


def parse_clock(text: str, now: datetime, vocab: Vocabulary) -> datetime | None:
    """Read "3", "3 pm", "15:30", "noon", "halb drei": the next such moment after `now`."""
    moments = _clock_times(normalize(_digits(text)), vocab)
    return _next(now, moments) if moments else None


def _digits(text: str) -> str:
    """Keep "1:30" and "13.30" as one word through normalize (which drops punctuation)."""
    return re.sub(r"(\d)[.:](\d)", r"\1_\2", text)


def _suffix(phrase: str, vocab: Vocabulary) -> tuple[str, str]:
    """The phrase without "am", "pm" or "o'clock" at its end, and which it was."""
    for words, name in ((vocab.am, "am"), (vocab.pm, "pm"), (vocab.o_clock, "o")):
        for word in words:
            head = phrase.removesuffix(word)
            if head != phrase and (head.endswith(" ") or head[-1:].isdigit()):
                return head.strip(), name
    return phrase, ""


def _clock_times(phrase: str, vocab: Vocabulary) -> list[time]:
    """The times of day a clock phrase may mean ("3" is 3 pm, "9" is 9 am: office hours)."""
    phrase = _tidy(vocab, _strip(phrase.replace("_", ":"), vocab.at))
    if phrase in vocab.noon:
        return [time(12)]
    if phrase in vocab.midnight:
        return [time(0)]
    phrase, suffix = _suffix(phrase, vocab)
    found = _hour_minute(vocab, phrase)
    if found is None:
        return []
    hour, minute, exact = found
    if minute > 59 or hour > 24:
        return []
    if suffix in {"am", "pm"}:
        if not 1 <= hour <= 12:
            return []
        return [time(hour % 12 + (12 if suffix == "pm" else 0), minute)]
    if exact or hour > 12:
        return [time(hour % 24, minute)]
    # "Until 3" in an office is the afternoon: an hour without am or pm is one of a working
    # day's, 7 am to 6:59 pm (1 to 6 are after noon).
    return [time(hour % 12 + (12 if hour <= 6 or hour == 12 else 0), minute)]


def _next(now: datetime, candidates: Iterable[time], days: int = 0) -> datetime:
    moments = []
    for candidate in candidates:
        moment = now.replace(hour=candidate.hour, minute=candidate.minute, second=0, microsecond=0)
        moment += timedelta(days=days)
        if moment <= now:
            moment += timedelta(days=1)
        moments.append(moment)
    return min(moments)


def parse_until(text: str, now: datetime, vocab: Vocabulary) -> datetime | None:
    """A return time: a day ("Monday", "morgen"), a time of day, both, or ISO 8601 (LLMs)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        pass
    else:
        return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)
    phrase = normalize(_digits(text))
    phrase = _tidy(vocab, _strip(phrase, vocab.until))
    days: int | None = None
    for word in sorted([*vocab.days_ahead, *vocab.weekdays], key=lambda word: -len(word.split())):
        if phrase == word or phrase.startswith(f"{word} "):
            days = vocab.days_ahead.get(word)
            if days is None:  # a weekday: the next one, never today
                days = (vocab.weekdays.index(word) - now.weekday() - 1) % 7 + 1
            phrase = phrase[len(word) :].strip()
            break
    if days is None:
        return _next(now, times) if (times := _clock_times(phrase, vocab)) else None
    day = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)
    if not phrase:
        return day.replace(hour=DAY_START.hour) if days else None
    if not (times := _clock_times(phrase, vocab)):
        return None
    moments = [day.replace(hour=t.hour, minute=t.minute) for t in times]
    later = [moment for moment in moments if moment > now]
    return min(later) if later else None


def is_time(text: str, vocab: Vocabulary) -> bool:
    """Whether a phrase such as "until 3", "for an hour" or "bis Montag" reads as a time."""
    now = datetime.now().astimezone()
    return parse_until(text, now, vocab) is not None or parse_duration(text, vocab) is not None
