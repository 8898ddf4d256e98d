"""iSymphony: each licensed user's status, read and set, and the administrator's names.

`U/status` is a licensed resource: a lite user (every user, with no licence installed)
answers 403 and is asked again only every 30 minutes. A licensed user whose reply cannot
be read (no status yet, an unknown type, an error for that user alone) has no status and
costs nothing else. A status that is not user-created is one the administrator defined:
its (type, name) is offered by the Set status select and action, and its name is sent
with its type.
"""

from __future__ import annotations

from datetime import datetime
import logging

from ...pbx import PbxError, PbxLicenseError
from ...pbx.isymphony import ISymphonyClient, ISymphonyStatus, StatusType as ISymphonyStatusType
from ..snapshot import Status, StatusType
from . import PART_ERRORS
from .config_api import LICENSE_RECHECK_INTERVAL

_LOGGER = logging.getLogger(__name__)

# The name sent for a status type when no admin-defined status of that type is known.
STATUS_TYPE_LABELS: dict[StatusType, str] = {
    StatusType.AVAILABLE: "Available",
    StatusType.UNAVAILABLE: "Unavailable",
    StatusType.AWAY: "Away",
    StatusType.XA: "Extended away",
    StatusType.DND: "Do not disturb",
    StatusType.CHAT: "Free to chat",
    StatusType.ALTBLUE: "Blue",
    StatusType.ALTGREEN: "Green",
    StatusType.ALTPINK: "Pink",
    StatusType.ALTPURPLE: "Purple",
    StatusType.ALTRED: "Red",
}


def neutral_status(status: ISymphonyStatus) -> Status:
    """A status as the snapshot holds it (the types share their values)."""
    return Status(
        type=StatusType(status.type.value),
        name=status.name,
        note=status.note,
        return_time=status.return_time,
        user_created=status.user_created,
    )


class StatusBook:
    """The latest status of each licensed user, and every admin-defined status seen."""

    def __init__(self, client: ISymphonyClient) -> None:
        """Nothing read yet."""
        self._client = client
        self.statuses: dict[str, Status] = {}
        # Licensed users whose status reply could not be read.
        self._unreadable: set[str] = set()
        self._unlicensed: dict[str, datetime] = {}  # username -> when it last said so
        # The first admin-defined name seen per type, and every (type, name) in order seen.
        self.predefined: dict[StatusType, str] = {}
        self.choices: dict[tuple[StatusType, str], None] = {}

    def licensed(self, username: str) -> bool:
        """Whether a user is licensed: it has a status, or one that cannot be read."""
        return username in self.statuses or username in self._unreadable

    @property
    def nobody_licensed(self) -> bool:
        """Whether no user answered as licensed."""
        return not self.statuses and not self._unreadable

    def keep_only(self, usernames: set[str]) -> None:
        """Forget the users the server no longer lists."""
        for gone in self.statuses.keys() - usernames:
            del self.statuses[gone]
        for gone in self._unlicensed.keys() - usernames:
            del self._unlicensed[gone]
        self._unreadable &= usernames

    async def async_read(self, username: str, now: datetime, *, licensed: bool | None) -> None:
        """Read a licensed user's status; `licensed` is the Config API's word, if any.

        Without that word, a user that said "not licensed" is asked again only after
        LICENSE_RECHECK_INTERVAL.
        """
        since = self._unlicensed.get(username)
        if licensed is False or (
            licensed is None and since is not None and now - since < LICENSE_RECHECK_INTERVAL
        ):
            self._forget(username)
            return
        try:
            status = await self._client.get_status(username)
        except PbxLicenseError:
            self._forget(username)
            self._unlicensed[username] = now
        except PART_ERRORS as err:
            self._unreadable_status(username, err)
        else:
            self.remember(username, status)

    def apply(self, username: str, status: ISymphonyStatus) -> bool:
        """A status from an event: whether it changed the user's."""
        if self.statuses.get(username) == neutral_status(status):
            return False
        self.remember(username, status)
        return True

    def remember(self, username: str, status: ISymphonyStatus) -> Status:
        """Keep a user's latest status and learn admin-defined statuses from it."""
        self._unlicensed.pop(username, None)
        self._unreadable.discard(username)
        kept = self.statuses[username] = neutral_status(status)
        if not kept.user_created and kept.name:
            self.predefined.setdefault(kept.type, kept.name)
            self.choices[kept.type, kept.name] = None
        return kept

    def name_for(self, status_type: StatusType) -> str:
        """The name to send with a type: a known admin-defined status's, else the label."""
        return self.predefined.get(status_type) or STATUS_TYPE_LABELS[status_type]

    async def async_set(
        self,
        username: str,
        *,
        status_type: StatusType,
        name: str | None,
        note: str,
        return_time: datetime | None,
    ) -> Status:
        """Set a user's status and read it back (the server may have changed it)."""
        await self._client.set_status(
            username,
            status_type=ISymphonyStatusType(status_type.value),
            name=name or self.name_for(status_type),
            note=note,
            return_time=return_time,
        )
        return self.remember(username, await self._client.get_status(username))

    def diagnostics(self) -> dict[str, object]:
        """The admin-defined status names learnt so far."""
        return {
            "predefined_statuses": {
                status_type.value: name for status_type, name in self.predefined.items()
            },
            "status_choices": [[t.value, name] for t, name in self.choices],
        }

    def _forget(self, username: str) -> None:
        self.statuses.pop(username, None)
        self._unreadable.discard(username)

    def _unreadable_status(self, username: str, err: PbxError) -> None:
        """One user's odd reply costs that user only; said once, not on every poll."""
        if username not in self._unreadable:
            _LOGGER.warning("The status of iSymphony user %s cannot be read: %s", username, err)
        self._unreadable.add(username)
        self._unlicensed.pop(username, None)
        self.statuses.pop(username, None)
