"""iSymphony: which core server an event comes from, on a socket that carries them all.

The event socket serves every core server of the server, and each event names its
`coreServerId`, a live id. This one's is learnt from an event about one of its own users
or queues; another's, when a poll did not find the users its events named. Events of
other core servers are then dropped, without the poll an unknown user would cost. Live
ids change with a restart, which drops the socket: all is forgotten on every connect.
"""

from __future__ import annotations

from collections.abc import Callable, Collection


class CoreServerFilter:
    """Tells this core server's events from the others'."""

    def __init__(self) -> None:
        """Nothing learnt yet."""
        self.live_id: str | None = None
        self._others: set[str] = set()
        self._suspects: dict[str | None, set[str]] = {}  # core-server id -> unknown users
        self.dropped = 0

    def forget(self) -> None:
        """A new connection: live ids may have changed."""
        self.live_id = None
        self._others.clear()
        self._suspects.clear()

    def drops(self, origin: str | None, ours: Callable[[], bool]) -> bool:
        """Whether to drop an event from `origin`; `ours`: whether it names our user or queue.

        An event without a `coreServerId` cannot be told apart: it is kept.
        """
        if self.live_id is None and origin is not None and ours():
            self.live_id = origin
            self._others.discard(origin)
        if self.live_id is None:
            other = origin in self._others
        else:
            other = origin not in (None, self.live_id)
        self.dropped += other
        return other

    def suspect(self, origin: str | None, user_id: str) -> None:
        """An event named a user the last poll did not know: the next poll tells whose."""
        self._suspects.setdefault(origin, set()).add(user_id)

    def settle(self, user_ids: Collection[str]) -> None:
        """After a poll: a core server whose unknown users are still unknown is another one."""
        for origin, unknown in self._suspects.items():
            if origin is not None and origin != self.live_id and unknown.isdisjoint(user_ids):
                self._others.add(origin)
        self._suspects.clear()

    def details(self) -> dict[str, object]:
        """What diagnostics show: whether this one is known, and what was dropped."""
        return {
            "core_server_known": self.live_id is not None,
            "other_core_servers": len(self._others),
            "other_core_server_events": self.dropped,
        }
