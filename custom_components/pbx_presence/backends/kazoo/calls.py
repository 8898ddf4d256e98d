"""Kazoo's live calls: the channel list as the last poll and the call events since leave it.

Blackhole spawns a process per message, so one call's events may arrive out of order: a
late CREATE, ANSWER or BRIDGE after the DESTROY, or a DESTROY before its CREATE. Destroyed
call ids are remembered for a few minutes (tombstones), and nothing brings them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from ...pbx.kazoo import KazooCallEvent, KazooChannel
from ..base import utcnow

# Long enough for any late event of a call; call ids are never reused.
TOMBSTONE_TTL = timedelta(minutes=3)
_CALLER_FIELDS = (
    "caller_id_name",
    "caller_id_number",
    "callee_id_name",
    "callee_id_number",
    "destination",
)


class LiveCalls:
    """The account's live call legs by uuid, and the legs that ended lately."""

    def __init__(self) -> None:
        """No calls yet."""
        self.channels: dict[str, KazooChannel] = {}
        # call id -> when its DESTROY arrived; oldest first
        self._destroyed: dict[str, datetime] = {}

    @property
    def destroyed(self) -> int:
        """How many ended legs are remembered."""
        return len(self._destroyed)

    def polled(self, channels: Iterable[KazooChannel]) -> None:
        """Take a poll's list; a leg already destroyed by an event stays gone."""
        self._forget_old()
        fresh = {c.uuid: c for c in channels if c.uuid not in self._destroyed}
        if fresh != self.channels:  # else the old objects stay: the new ones die young
            self.channels = fresh

    def apply(self, event: KazooCallEvent) -> bool:
        """Apply one call event as `GET /channels` would show it after; True if it changed."""
        channels = self.channels
        call_id = event.call_id
        if event.event == "CHANNEL_DESTROY":
            self._forget_old()
            self._destroyed[call_id] = utcnow()
            return channels.pop(call_id, None) is not None
        if call_id in self._destroyed:
            return False  # a late event of a call that has ended
        match event.event:
            case "CHANNEL_CREATE":
                if call_id in channels:
                    return False
                channels[call_id] = event.as_channel()
            case "CHANNEL_ANSWER" | "CHANNEL_BRIDGE":
                known = channels.get(call_id)
                if known is None:
                    channels[call_id] = replace(event.as_channel(), answered=True)
                elif known.answered:
                    return False
                else:  # what the CREATE did not know yet (the callee's ID) comes now
                    leg = event.as_channel()
                    learnt = {
                        name: value
                        for name in _CALLER_FIELDS
                        if getattr(known, name) is None
                        and (value := getattr(leg, name)) is not None
                    }
                    channels[call_id] = replace(known, answered=True, **learnt)
            case _:
                return False
        return True

    def _forget_old(self) -> None:
        """Drop tombstones older than TOMBSTONE_TTL."""
        limit = utcnow() - TOMBSTONE_TTL
        while self._destroyed:
            call_id, at = next(iter(self._destroyed.items()))
            if at > limit:
                return
            del self._destroyed[call_id]
