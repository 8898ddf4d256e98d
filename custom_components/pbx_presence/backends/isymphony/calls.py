"""iSymphony: licensed users' call state, from their extensions' call segments (polled).

Which extensions a user has (`U/extensions`) is read for new users and every 30 minutes;
each extension's call segments (`CS/extensions/getByName/{number}/callSegments`) with
every poll, one request per extension. The docs define a segment's `incoming` ("being
dialed by another call segment, i.e. receiving a call") but not whether it rings or is
answered: any segment counts as a call (busy), never as ringing. No call event is
documented, so this is polled. Lite users show no call state ("Lite users will not show
call or presence state in the panel"): only licensed users are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from ...pbx.isymphony import ISymphonyCallSegment, ISymphonyClient
from ..base import MAX_CONCURRENT_REQUESTS, gather_limited
from ..snapshot import CallDirection, CallInfo, CallState
from . import PART_ERRORS

# Which extensions a user has changes seldom: read again this often (and for new users).
EXTENSIONS_RECHECK_INTERVAL = timedelta(minutes=30)


class CallReader:
    """Licensed users' call state from their extensions' call segments."""

    def __init__(self, client: ISymphonyClient) -> None:
        """Nothing read yet."""
        self._client = client
        # username -> the numbers of its extensions
        self.extensions: dict[str, tuple[str, ...]] = {}
        self._extensions_at: datetime | None = None
        # number -> its segments; None: that extension could not be read
        self._segments: dict[str, tuple[ISymphonyCallSegment, ...] | None] = {}

    @property
    def numbers(self) -> list[str]:
        """Every extension read per poll (each once, even when two users share it)."""
        return sorted({number for numbers in self.extensions.values() for number in numbers})

    async def async_read_extensions(self, usernames: Iterable[str], now: datetime) -> None:
        """Learn the extensions of these (licensed) users: all when due, else new ones.

        A user whose list cannot be read has no extensions until the next time it is due.
        """
        wanted = set(usernames)
        for gone in self.extensions.keys() - wanted:
            del self.extensions[gone]
        due = self._extensions_at is None or now - self._extensions_at >= (
            EXTENSIONS_RECHECK_INTERVAL
        )
        todo = sorted(wanted if due else wanted - self.extensions.keys())

        async def read(username: str) -> None:
            try:
                extensions = await self._client.get_user_extensions(username)
            except PART_ERRORS:
                extensions = []
            self.extensions[username] = tuple(extension.number for extension in extensions)

        await gather_limited(MAX_CONCURRENT_REQUESTS, (read(username) for username in todo))
        if due:
            self._extensions_at = now

    async def async_read_segments(self) -> bool:
        """Read the call segments of every extension; whether anything changed."""

        async def read(number: str) -> tuple[str, tuple[ISymphonyCallSegment, ...] | None]:
            try:
                return number, tuple(await self._client.get_call_segments(number))
            except PART_ERRORS:
                return number, None

        read_now = dict(
            await gather_limited(MAX_CONCURRENT_REQUESTS, (read(n) for n in self.numbers))
        )
        changed = read_now != self._segments
        self._segments = read_now
        return changed

    def call_of(self, username: str) -> tuple[CallState | None, CallInfo | None]:
        """A user's call state and call; (None, None) where it cannot be known."""
        numbers = self.extensions.get(username, ())
        read = [self._segments.get(number) for number in numbers]
        if not any(segments is not None for segments in read):
            return None, None
        segments = [segment for found in read if found for segment in found]
        if not segments:
            return CallState.IDLE, None
        return CallState.BUSY, call_info(segments, numbers)

    def diagnostics(self) -> dict[str, object]:
        """How calls are read, how many extensions per poll, and which could not be."""
        return {
            "source": "call_segments_polled",
            "ringing_known": False,
            "extensions_polled": len(self.numbers),
            "unreadable_extensions": sorted(n for n, s in self._segments.items() if s is None),
        }


def call_info(segments: Sequence[ISymphonyCallSegment], own: Sequence[str]) -> CallInfo:
    """The call shown: the first segment not on hold, else the first.

    The other party is the segment's caller ID; an outgoing segment's caller ID is taken
    as the number dialled, unless it is one of the user's own extensions (the docs do not
    say whose caller ID an outgoing segment carries).
    """
    shown = min(segments, key=lambda segment: segment.on_hold)
    number = shown.caller_id_number
    if number in own:
        number = None
    direction = CallDirection.INCOMING if shown.incoming else CallDirection.OUTGOING
    incoming = direction is CallDirection.INCOMING
    return CallInfo(
        answered=True,  # not documented either way; any segment counts as a call
        direction=direction,
        caller_id_name=shown.caller_id_name if incoming else None,
        caller_id_number=number if incoming else None,
        destination=None if incoming else number,
        call_id=shown.id,
        legs=tuple(sorted(segment.id for segment in segments)),
        on_hold=shown.on_hold,
    )
