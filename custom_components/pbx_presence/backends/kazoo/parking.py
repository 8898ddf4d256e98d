r"""Kazoo's park slots: which watched extensions park calls, and who waits in each.

A watched extension is a park slot when a `park` callflow's pattern takes it with a
capture group, as cf_park does (`*3101` on `^\*3([0-9]*)$` is slot `101`). Who waits
there comes from `GET parked_calls` at each poll (only while a slot is watched) and at
once from the `PARK_*` call events, which name the slot only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
import logging
import re

from ...pbx.kazoo import KazooCallflow, KazooParkedCall, KazooParkEvent
from ..base import utcnow
from ..snapshot import ParkedCall, Presentity, PresentityKind, Snapshot

_LOGGER = logging.getLogger(__name__)


class ParkSlots:
    """The account's park patterns, the calls parked, and the slot of each extension."""

    def __init__(self) -> None:
        """No park callflows known yet."""
        self._patterns: tuple[re.Pattern[str], ...] = ()
        self._slots: dict[str, str | None] = {}  # extension -> slot (None: not one)
        self._parked: dict[str, ParkedCall] = {}  # slot -> the call waiting there
        # extension key -> (the presentity shown before, the one with its slot)
        self._shown: dict[str, tuple[Presentity, Presentity]] = {}

    def learn(self, callflows: Iterable[KazooCallflow]) -> None:
        """Take the patterns of the callflows that park calls (Kazoo's are PCRE)."""
        patterns = []
        for callflow in callflows:
            if not callflow.parks:
                continue
            for pattern in callflow.patterns:
                try:
                    compiled = re.compile(pattern)
                except re.error:
                    _LOGGER.debug("Park pattern %r is not one Python reads", pattern)
                    continue
                if compiled.groups:
                    patterns.append(compiled)
        self._patterns = tuple(patterns)
        self._slots.clear()

    def slot_of(self, extension: str) -> str | None:
        """The slot an extension parks in, or None when it parks nothing."""
        if extension not in self._slots:
            self._slots[extension] = next(
                (
                    match.group(1)
                    for pattern in self._patterns
                    if (match := pattern.match(extension)) is not None and match.group(1)
                ),
                None,
            )
        return self._slots[extension]

    def watches_any(self, extensions: Iterable[str]) -> bool:
        """Whether any of these (watched) extensions is a park slot."""
        return bool(self._patterns) and any(self.slot_of(e) for e in extensions)

    def polled(self, parked: Iterable[KazooParkedCall]) -> None:
        """The calls `parked_calls` lists; a call seen before keeps when it was parked.

        A slot held for an attended park (the parker still talks to the caller) is not
        parked yet: Kazoo lights its lamp only once the transfer completes.
        """
        now: dict[str, ParkedCall] = {}
        for call in parked:
            if call.attended:
                continue
            before = self._parked.get(call.slot)
            since = before.since if before is not None and before.call_id == call.call_id else None
            now[call.slot] = ParkedCall(
                caller_id_name=call.caller_id_name,
                caller_id_number=call.caller_id_number,
                call_id=call.call_id,
                since=since,
            )
        self._parked = now

    def apply(self, event: KazooParkEvent) -> bool:
        """A park event: whether it changed a slot."""
        before = self._parked.get(event.slot)
        if event.event == "PARK_PARKED":
            if before is not None and before.call_id == event.call_id:
                return False
            self._parked[event.slot] = ParkedCall(
                caller_id_name=event.caller_id_name,
                caller_id_number=event.caller_id_number,
                call_id=event.call_id,
                since=utcnow(),
            )
            return True
        # Retrieved (sent from both calls) or abandoned: the slot is empty.
        return self._parked.pop(event.slot, None) is not None

    def decorate(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with each park slot's extension showing its slot and call."""
        if not self._patterns:
            return snapshot
        presentities = dict(snapshot.presentities)
        changed = False
        for key, presentity in snapshot.presentities.items():
            if presentity.kind is not PresentityKind.EXTENSION:
                continue
            slot = self.slot_of(presentity.server_id)
            if slot is None:
                continue
            shown = self._shown.get(key)
            parked = self._parked.get(slot)
            if shown is not None and shown[0] == presentity and shown[1].parked == parked:
                decorated = shown[1]
            else:
                decorated = replace(presentity, park_slot=slot, parked=parked)
                self._shown[key] = (presentity, decorated)
            presentities[key] = decorated
            changed = True
        return replace(snapshot, presentities=presentities) if changed else snapshot
