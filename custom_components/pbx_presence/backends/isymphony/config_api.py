"""iSymphony's Config API: the core server's stable id, and which users are licensed.

Live ids change with every restart; the Config API's core-server id does not, so it is
the entry's identity where the server has that API (two servers can share a slug: every
FreePBX install has `default`). Its user list says who is a full (licensed) user in one
request. Servers without it (older ones: 404), or that refuse it, fall back to the slug,
and each user's status reply tells who is licensed (see statuses.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ...pbx import (
    PbxForbiddenError,
    PbxLicenseError,
    PbxNotFoundError,
    PbxResponseError,
    PbxValidationError,
)
from ...pbx.isymphony import ISymphonyClient, ISymphonyCoreServer, ISymphonyUser

# Who is licensed changes seldom: the flags (or a refused status) are asked again this often.
LICENSE_RECHECK_INTERVAL = timedelta(minutes=30)
# The Config API is missing, refused or failing: the Live API still serves.
CONFIG_API_ERRORS = (PbxNotFoundError, PbxForbiddenError, PbxResponseError)


class ConfigApi:
    """What the Config API says of one core server, where the server has that API."""

    def __init__(self, client: ISymphonyClient) -> None:
        """Nothing read yet."""
        self._client = client
        # The stable core-server id (None: no Config API).
        self.config_id: str | None = None
        # Usernames of the licensed ("full") users (None: not known, ask each status).
        self._licensed: set[str] | None = None
        self._licensed_at: datetime | None = None

    async def async_read_core_server(self) -> ISymphonyCoreServer | None:
        """The core server as the Config API knows it (None: no Config API)."""
        try:
            config = await self._client.get_core_server_config()
        except CONFIG_API_ERRORS:
            config = None  # an older server, with the Live API only
        self.config_id = config.id if config else None
        return config

    def recheck(self) -> None:
        """Read the licence flags again with the next poll (a user the poll did not know)."""
        self._licensed_at = None

    async def async_read_licences(self, now: datetime) -> None:
        """Read the `full` flags, as seldom as refused statuses are asked again."""
        if self.config_id is None or (
            self._licensed_at is not None and now - self._licensed_at < LICENSE_RECHECK_INTERVAL
        ):
            return
        try:
            self._licensed = await self._client.get_licensed_usernames(self.config_id)
        except CONFIG_API_ERRORS:
            self._licensed = None  # fall back to asking each user's status
        self._licensed_at = now

    def licensed(self, username: str) -> bool | None:
        """Whether the flags call a user licensed (None: no flags, the status tells)."""
        return None if self._licensed is None else username in self._licensed

    async def async_any_licensed(self, users: Sequence[ISymphonyUser]) -> bool:
        """Whether any of these users is licensed: by the flags, else by the first status.

        The check stops at the first licensed user, so a new entry does not read every
        status twice (here, and in its first poll).
        """
        if self.config_id is not None:
            try:
                licensed = await self._client.get_licensed_usernames(self.config_id)
            except CONFIG_API_ERRORS:
                pass  # probe the statuses instead
            else:
                return any(user.username in licensed for user in users)
        for user in users:
            try:
                await self._client.get_status(user.username)
            except (PbxLicenseError, PbxNotFoundError):
                continue
            except (PbxResponseError, PbxValidationError):
                pass  # licensed, with a status that cannot be read
            return True
        return False
