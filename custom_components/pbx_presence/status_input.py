"""What the Set status action checks before anything is sent: name, note, return time."""

from __future__ import annotations

from datetime import datetime, timedelta
import unicodedata

from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .const import DOMAIN

# iSymphony documents no limits. A status name is a label on a panel's user box; a note
# longer than 255 characters could not even be the state of the Status note sensor.
STATUS_NAME_MAX_LENGTH = 64
STATUS_NOTE_MAX_LENGTH = 255
# A return time is when someone is back: not in the past (a minute of grace for the time
# it takes to send), and not beyond a year (a typo such as 2062 for 2026).
RETURN_TIME_GRACE = timedelta(minutes=1)
RETURN_TIME_HORIZON = timedelta(days=365)

# Quoted input is cut to this length in errors.
MAX_SHOWN_LENGTH = 32


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _shown(text: str) -> str:
    """User input to quote in an error: short, with control characters made visible."""
    shown = text if len(text) <= MAX_SHOWN_LENGTH else f"{text[:MAX_SHOWN_LENGTH]}…"
    return shown if shown.isprintable() else ascii(shown)


def check_status_input(
    name: str | None, note: str, return_time: datetime | None
) -> datetime | None:
    """Refuse a name or note the panel cannot show; the return time in UTC."""
    _check_length("status_name_too_long", name, STATUS_NAME_MAX_LENGTH)
    _check_length("status_note_too_long", note, STATUS_NOTE_MAX_LENGTH)
    if name is not None and not name.strip():
        raise _error("status_name_blank")
    _check_text("status_name_control", name)
    _check_text("status_note_control", note)
    # Naive times are in Home Assistant's time zone.
    return None if return_time is None else _check_return_time(return_time)


def _check_length(key: str, text: str | None, max_length: int) -> None:
    if text is not None and len(text) > max_length:
        raise _error(key, length=str(len(text)), max_length=str(max_length))


def _check_text(key: str, text: str | None) -> None:
    """Refuse control characters and line breaks: a panel box shows one line of text."""
    if text is not None and any(unicodedata.category(char) in {"Cc", "Zl", "Zp"} for char in text):
        raise _error(key, text=_shown(text))


def _check_return_time(value: datetime) -> datetime:
    """The return time in UTC, if it lies between now (with grace) and a year ahead."""
    now = dt_util.utcnow()
    shown = value.isoformat(sep=" ", timespec="minutes")
    try:
        when = dt_util.as_utc(value)  # naive times are in HA's time zone
    except OverflowError:  # year 1 or 9999, pushed past the calendar by the time zone
        past = value.year < now.year
    else:
        past = when < now - RETURN_TIME_GRACE
        if not past and when <= now + RETURN_TIME_HORIZON:
            return when
    raise _error("return_time_in_past" if past else "return_time_too_far", return_time=shown)
