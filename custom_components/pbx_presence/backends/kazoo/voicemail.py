"""New-voicemail counts of a Kazoo account: from the box list, and 5.x MWI events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from ...pbx.kazoo import KazooMwiEvent, KazooVoicemailBox
from ..base import utcnow
from .snapshot import presence_key

# The box list carries every box's new-message count: one request (`paginate=false`)
# brings them all, at most this often.
VOICEMAIL_INTERVAL = timedelta(minutes=1)


class VoicemailCounts:
    """Every box's new messages, as last listed or pushed."""

    def __init__(self) -> None:
        """No boxes read yet."""
        self._boxes: list[KazooVoicemailBox] = []
        # box id -> new messages (from the box list, or a 5.x MWI event since)
        self._new: dict[str, int] = {}
        # The boxes by the mailbox number MWI goes by, and new messages per owner.
        self._by_mailbox: dict[str, list[KazooVoicemailBox]] = {}
        self._totals: dict[str, int] = {}
        self._read_at: datetime | None = None

    @property
    def due(self) -> bool:
        """Whether the box list should be read again."""
        return self._read_at is None or utcnow() - self._read_at >= VOICEMAIL_INTERVAL

    def expire(self) -> None:
        """A box changed: read the list with the next poll."""
        self._read_at = None

    def listed(self, boxes: list[KazooVoicemailBox]) -> None:
        """Take the box list's counts (Kazoo 4.3's `folders.new` of every box)."""
        self._boxes = boxes
        self._new = {box.id: box.new_messages for box in boxes if box.new_messages is not None}
        self._by_mailbox = {}
        for box in boxes:
            if box.mailbox is not None:
                self._by_mailbox.setdefault(presence_key(box.mailbox), []).append(box)
        self._totals = {}
        for box in boxes:
            if box.owner_id and box.id in self._new:
                self._totals[box.owner_id] = self._totals.get(box.owner_id, 0) + self._new[box.id]
        self._read_at = utcnow()

    def apply_mwi(self, event: KazooMwiEvent) -> set[str]:
        """Set the new-message count of the boxes the event is for; the owners it changed."""
        owners: set[str] = set()
        for box in self._by_mailbox.get(presence_key(event.user), ()):
            old = self._new.get(box.id)
            if old == event.messages_new:
                continue
            self._new[box.id] = event.messages_new
            if box.owner_id:
                owners.add(box.owner_id)
                self._totals[box.owner_id] = (
                    self._totals.get(box.owner_id, 0) - (old or 0) + event.messages_new
                )
        return owners

    def by_owner(self) -> Mapping[str, int]:
        """New messages per user, over the boxes whose count is known."""
        return self._totals
