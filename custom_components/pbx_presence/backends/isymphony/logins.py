"""iSymphony: who is logged into the panel, by their open panel sessions.

`U/logins` lists a user's sessions ("Every active client session will have a relative
login"), one request per user: polled at most once a minute, and read again on every
(re)connect of the event socket, whose `userLogin` / `userLogout` events (with the
session's id as `userLoginId`) keep them current in between. The docs give these no
licence note: lite users' logins show too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ...pbx.isymphony import ISymphonyClient, ISymphonyLoginEvent
from . import PART_ERRORS

# One request per user: polled at most this often.
LOGINS_INTERVAL = timedelta(minutes=1)


class PanelLogins:
    """Each user's open panel sessions."""

    def __init__(self, client: ISymphonyClient) -> None:
        """Nothing read yet."""
        self._client = client
        # username -> the ids of its open sessions (absent: not known)
        self._sessions: dict[str, set[str | None]] = {}
        self._read_at: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Whether a poll at `now` reads everyone's logins (it then counts as read)."""
        if self._read_at is not None and now - self._read_at < LOGINS_INTERVAL:
            return False
        self._read_at = now
        return True

    def reread(self) -> None:
        """Read everyone's logins with the next poll (the socket reconnected)."""
        self._read_at = None

    def known(self, username: str) -> bool:
        """Whether a user's sessions were read."""
        return username in self._sessions

    async def async_read(self, username: str) -> None:
        """Read a user's sessions; one that cannot be read is not known."""
        try:
            logins = await self._client.get_logins(username)
        except PART_ERRORS:
            self._sessions.pop(username, None)
        else:
            self._sessions[username] = {login.id for login in logins}

    def keep_only(self, usernames: set[str]) -> None:
        """Forget the users the server no longer lists."""
        for gone in self._sessions.keys() - usernames:
            del self._sessions[gone]

    def apply(self, username: str, event: ISymphonyLoginEvent) -> bool:
        """A session opened or closed: whether the user's number of sessions changed."""
        sessions = self._sessions.setdefault(username, set())
        before = len(sessions)
        if event.logged_in:
            sessions.add(event.login_id)
        else:
            sessions.discard(event.login_id)
        return len(sessions) != before

    def count(self, username: str) -> int | None:
        """A user's open sessions (None: not known)."""
        sessions = self._sessions.get(username)
        return None if sessions is None else len(sessions)
