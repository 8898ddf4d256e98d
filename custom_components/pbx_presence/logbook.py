"""Logbook: calls and status changes in words ("Anna Schmidt answered a call from Ben Carter").

The event entities fire a bus event beside their own state change (see event.py); this
describes those events in the language of Home Assistant's configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_ENTITY_ID, ATTR_NAME
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .backends.snapshot import StatusType
from .changes import CallEvent
from .const import DOMAIN, EVENT_CALL, EVENT_STATUS
from .voice.answers import Texts

type Describe = Callable[[Event], dict[str, Any]]


def call_party(data: Mapping[str, Any]) -> str | None:
    """The other party as people read it: "Ben Carter (1002)", "+1 555 0100"."""
    name, number = data.get("caller_id_name"), data.get("caller_id_number")
    number = number or data.get("destination")
    if name and number and name != number:
        return f"{name} ({number})"
    return name or number


def duration_words(texts: Texts, seconds: int) -> str:
    """A call's length: "45 s", "2 min 5 s"."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return texts.say("logbook_seconds", seconds=str(rest))
    return texts.say("logbook_minutes", minutes=str(minutes), seconds=str(rest))


def call_message(texts: Texts, data: Mapping[str, Any]) -> str:
    """What happened to a call, from its event's data."""
    party = call_party(data)
    outgoing = data.get("direction") == "outgoing"
    event_type = data.get("type")
    if event_type == CallEvent.RINGING:
        key = "logbook_calling" if outgoing else "logbook_ringing"
    elif event_type == CallEvent.ANSWERED:
        key = "logbook_answered_out" if outgoing else "logbook_answered"
    elif data.get("answered"):
        key = "logbook_ended"
    else:
        key = "logbook_unanswered" if outgoing else "logbook_missed"
    placeholders = {"party": party or ""}
    message = texts.say(key if party else f"{key}_unknown", **placeholders)
    if event_type == CallEvent.ENDED and data.get("answered") and "duration" in data:
        message = texts.say(
            "logbook_after", message=message, duration=duration_words(texts, data["duration"])
        )
    return message


def status_message(texts: Texts, data: Mapping[str, Any]) -> str:
    """A new status with its name, return time and note: "Away (Out to lunch) until 1:45 pm"."""
    status = texts.status_label(StatusType(data["new_type"]))
    if (name := data.get("new_name")) and name.casefold() != status.casefold():
        status = f"{status} ({name})"
    message = texts.say("logbook_status", status=status)
    if until := data.get("return_time"):
        when = until if isinstance(until, datetime) else dt_util.parse_datetime(str(until))
        if when is not None:
            # Relative to the day of the change ("tomorrow at 9 am"), not to today's.
            day = dt_util.parse_date(str(data.get("date")))
            time = texts.moment(when, today=day)
            message = texts.say("logbook_until", message=message, time=time)
    if note := data.get("note"):
        message = f"{message}. {texts.say('voice_note', note=note)}"
    return message


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Describe], None],
) -> None:
    """Describe the call and status events of the event entities."""

    def describe(message: Callable[[Texts, Event], str]) -> Describe:
        @callback
        def describe_event(event: Event) -> dict[str, Any]:
            texts = Texts.cached(hass, hass.config.language)
            return {
                LOGBOOK_ENTRY_NAME: event.data.get(ATTR_NAME),
                LOGBOOK_ENTRY_MESSAGE: message(texts, event),
                LOGBOOK_ENTRY_ENTITY_ID: event.data.get(ATTR_ENTITY_ID),
            }

        return describe_event

    async_describe_event(
        DOMAIN, EVENT_CALL, describe(lambda texts, event: call_message(texts, event.data))
    )
    async_describe_event(
        DOMAIN, EVENT_STATUS, describe(lambda texts, event: status_message(texts, event.data))
    )
