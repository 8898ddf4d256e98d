"""Changes: what happened between two snapshots, as the events entities and triggers fire on.

Every source of snapshots (a poll today, a push event later) goes through the same
comparison, so events look the same whatever produced them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from .backends.snapshot import CallInfo, CallState, Presentity, Snapshot


class EventKind(StrEnum):
    """Which event entity of a presentity an event belongs to."""

    CALL = "call"
    STATUS = "status"


class CallEvent(StrEnum):
    """Event types of a Kazoo user's or phone's calls."""

    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"


class StatusEvent(StrEnum):
    """Event types of an iSymphony user's status."""

    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class PresentityEvent:
    """One thing that happened to a presentity, with what is known about it."""

    kind: EventKind
    event_type: str
    attributes: Mapping[str, Any]


def call_attributes(call: CallInfo) -> dict[str, Any]:
    """A call's direction and other party: the caller, or the number dialled."""
    attributes = {
        "direction": call.direction,
        "caller_id_name": call.caller_id_name,
        "caller_id_number": call.caller_id_number,
        "destination": call.destination,
        "on_hold": call.on_hold,
    }
    return {name: value for name, value in attributes.items() if value is not None}


def call_events(old: Presentity, new: Presentity, now: datetime) -> list[PresentityEvent]:
    """A call starts ringing, is answered, or ends (with its duration where known).

    Call A ending and call B starting within one update are two calls: `ended` for A,
    then `ringing` / `answered` for B, each with its own call's data.
    """
    before, after = old.call, new.call
    same = before is not None and after is not None and before.same_call(after)
    events: list[PresentityEvent] = []
    if before is not None and not same:
        attributes = call_attributes(before) | {"answered": before.answered}
        if before.started is not None:
            attributes["duration"] = max(0, round((now - before.started).total_seconds()))
        events.append(PresentityEvent(EventKind.CALL, CallEvent.ENDED, attributes))
    if after is not None:
        if not same and new.call_state is CallState.RINGING:
            events.append(
                PresentityEvent(EventKind.CALL, CallEvent.RINGING, call_attributes(after))
            )
        if after.answered and not (same and before is not None and before.answered):
            events.append(
                PresentityEvent(EventKind.CALL, CallEvent.ANSWERED, call_attributes(after))
            )
    return events


def status_events(old: Presentity, new: Presentity) -> list[PresentityEvent]:
    """An iSymphony user's status changes type or name (a first read is no change)."""
    before, after = old.status, new.status
    if before is None or after is None or (before.type, before.name) == (after.type, after.name):
        return []
    return [
        PresentityEvent(
            EventKind.STATUS,
            StatusEvent.CHANGED,
            {
                "old_type": before.type,
                "new_type": after.type,
                "old_name": before.name,
                "new_name": after.name,
            }
            | {
                name: value
                for name, value in (("note", after.note), ("return_time", after.return_time))
                if value
            },
        )
    ]


def settle(
    old: Snapshot | None, new: Snapshot, touched: Collection[str] | None = None
) -> tuple[Snapshot, set[str]]:
    """`new`, keeping the objects of unchanged presentities, and the keys that changed.

    Unchanged data stays the same objects, so a quiet poll leaves nothing new alive (no
    garbage for full collections) and listeners compare by identity. With `touched` (the
    only keys that may differ from `old`, as after a pushed call event) only those are
    compared: the cost follows the change, not the account. `old` itself comes back when
    nothing changed.
    """
    if old is None:  # the first poll
        return new, set(new.presentities)
    before = old.presentities
    flags_same = (new.partial, new.unlicensed, new.unlit_keys) == (
        old.partial,
        old.unlicensed,
        old.unlit_keys,
    )
    if touched is not None:
        after = new.presentities
        changed = {key for key in touched if not _same(before.get(key), after.get(key))}
        if not changed and flags_same:
            return old, changed
        if kept := [key for key in touched if key not in changed and after.get(key) is not None]:
            # Equal but rebuilt: keep the old objects, as below.
            after = dict(after) | {key: before[key] for key in kept}
            new = replace(new, presentities=after)
        return new, changed
    presentities: dict[str, Presentity] = {}
    changed = set()
    for key, presentity in new.presentities.items():
        previous = before.get(key)
        if previous is not None and _same(previous, presentity):
            presentities[key] = previous
        else:
            presentities[key] = presentity
            changed.add(key)
    changed.update(before.keys() - presentities.keys())  # gone
    if not changed and flags_same:
        return old, changed
    return replace(new, presentities=presentities), changed


def _same(old: Presentity | None, new: Presentity | None) -> bool:
    # Identity first: comparing two dataclasses field by field is what costs.
    return old is new or (old is not None and old == new)


def snapshot_events(
    old: Snapshot, new: Snapshot, now: datetime, keys: Iterable[str] | None = None
) -> dict[str, list[PresentityEvent]]:
    """The events of the presentities (all, or those of `keys`) present in both snapshots."""
    found: dict[str, list[PresentityEvent]] = {}
    for key in new.presentities if keys is None else keys:
        before, after = old.presentities.get(key), new.presentities.get(key)
        if before is None or after is None or _same(before, after):
            continue
        if events := call_events(before, after, now) + status_events(before, after):
            found[key] = events
    return found
