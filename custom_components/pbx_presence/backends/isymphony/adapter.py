"""iSymphony backend: panel users' statuses, panel logins and calls, and the queues' agents.

A poll reads the users, then per user (with bounded concurrency) the status of the licensed
ones and everyone's panel logins, the call segments of licensed users' extensions, and
the queues' agents. Events (status, logins, agents) keep it current between polls; events
of the server's other core servers, which share the socket, are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
import logging
from typing import Any

from ...pbx import (
    PbxError,
    PbxForbiddenError,
    PbxLicenseError,
    PbxNotFoundError,
    PbxResponseError,
    PbxValidationError,
)
from ...pbx.isymphony import (
    EVENT_TYPES,
    ISymphonyAgentEvent,
    ISymphonyClient,
    ISymphonyLoginEvent,
    ISymphonyStatus,
    ISymphonyUser,
    ISymphonyUserStatusEvent,
    StatusType as ISymphonyStatusType,
)
from ..base import (
    MAX_CONCURRENT_REQUESTS,
    Capability,
    PbxBackend,
    PushResult,
    ServerType,
    gather_limited,
    utcnow,
)
from ..keys import PASSWORD, USERNAME
from ..snapshot import Presentity, PresentityKind, ServerInfo, Snapshot, Status, StatusType
from .activity import PART_ERRORS, CallReader, QueueReader
from .live import ActivityRead, ISymphonyLiveStream, LiveItem

_LOGGER = logging.getLogger(__name__)

# One request per licensed user.
SCAN_INTERVAL = timedelta(seconds=15)
MIN_SCAN_INTERVAL = timedelta(seconds=10)
# While the socket is up, polls are only a safety net: iSymphony documents no loss, but
# nothing is replayed either.
SAFETY_SCAN_INTERVAL = timedelta(minutes=5)
# While the socket is up, calls and agents (no event reports them) are read this often.
ACTIVITY_INTERVAL = SCAN_INTERVAL
# Panel logins cost a request per user: polled at most this often (events keep them
# current while the socket is up, and every (re)connect reads them again).
LOGINS_INTERVAL = timedelta(minutes=1)
# Users that answered "not licensed" are asked again this seldom.
LICENSE_RECHECK_INTERVAL = timedelta(minutes=30)

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


# The events followed (no filter is sent: see pbx/isymphony/events.py).
LIVE_EVENTS = EVENT_TYPES


def panel_user_key(username: str) -> str:
    """Presentity key of an iSymphony user: usernames are stable, live ids are not."""
    return f"panel_user_{username}"


def neutral_status(status: ISymphonyStatus) -> Status:
    """A status as the snapshot holds it (the types share their values)."""
    return Status(
        type=StatusType(status.type.value),
        name=status.name,
        note=status.note,
        return_time=status.return_time,
        user_created=status.user_created,
    )


class ISymphonyBackend(PbxBackend[LiveItem]):
    """Reads one core server: users, statuses, panel logins, calls and queues."""

    server_type = ServerType.ISYMPHONY
    capabilities = frozenset({Capability.STATUS, Capability.LIVE_UPDATES})
    links_people = True
    scan_interval = SCAN_INTERVAL
    min_scan_interval = MIN_SCAN_INTERVAL
    safety_scan_interval = SAFETY_SCAN_INTERVAL

    def __init__(self, client: ISymphonyClient, core_server: str) -> None:
        """Wrap an iSymphony client for one core server (by slug)."""
        self.client = client
        self.core_server = core_server
        # Admin-defined statuses seen so far, by type: a select picks their names.
        self.predefined: dict[StatusType, str] = {}
        self._unlicensed: dict[str, datetime] = {}  # username -> when it last said so
        self._statuses: dict[str, Status] = {}
        # Licensed users whose status reply could not be read: no status, nothing else lost.
        self._unreadable: set[str] = set()
        # The Config API's stable core-server id, where the server has that API.
        self._config_id: str | None = None
        # Licensed usernames from the Config API's `full` flags (None: probe each user).
        self._licensed: set[str] | None = None
        self._licensed_at: datetime | None = None
        # The latest user list, and its live ids (events name users by id).
        self._users: list[ISymphonyUser] = []
        self._usernames_by_id: dict[str, str] = {}
        # Every admin-defined (type, name) seen, in the order first seen.
        self._choices: dict[tuple[StatusType, str], None] = {}
        # username -> its open panel sessions' ids (absent: not known)
        self._logins: dict[str, set[str]] = {}
        self._logins_at: datetime | None = None
        self.calls = CallReader(client)
        self.queues = QueueReader(client)
        # The event socket serves every core server of the server: this one's live id,
        # learnt from an event about one of its users or queues (None: not yet), and the
        # ids of others, learnt when a poll did not find an event's user. Both change with
        # a restart, which drops the socket: they are forgotten on every connect.
        self._live_id: str | None = None
        self._foreign: set[str] = set()
        self._suspects: dict[str, set[str]] = {}  # core-server id -> unknown user ids
        self.foreign_events = 0
        self._stream: ISymphonyLiveStream | None = None

    @staticmethod
    def login_data(username: str, password: str) -> dict[str, str]:
        """Basic auth needs the password itself."""
        return {USERNAME: username, PASSWORD: password}

    async def async_identify(self) -> ServerInfo:
        """Check the credentials, allow-list and core server by listing the users.

        The identity is the Config API's stable core-server id where the server has that
        API (two servers can share a slug: every FreePBX install has `default`), else the
        slug.
        """
        await self.client.get_users()
        try:
            config = await self.client.get_core_server_config()
        except (PbxNotFoundError, PbxForbiddenError, PbxResponseError):
            config = None  # an older server, with the Live API only
        self._config_id = config.id if config else None
        return ServerInfo(
            unique_id=config.id if config else self.core_server.lower(),
            former_unique_id=self.core_server.lower() if config else None,
            name=f"iSymphony {self.core_server}",
            manufacturer="i9 Technologies",
            model="iSymphony",
            configuration_url=self.client.web_url,
        )

    async def async_has_license(self) -> bool:
        """Whether any user is licensed: from the Config API, else from the first status read.

        The check stops at the first licensed user, so a new entry does not read every
        status twice (here, and in its first poll).
        """
        users = await self.client.get_users()
        if not users:
            return True  # nothing to show yet, but nothing refused either
        if self._config_id is not None:
            try:
                licensed = await self.client.get_licensed_usernames(self._config_id)
            except (PbxNotFoundError, PbxForbiddenError, PbxResponseError):
                pass  # probe the statuses instead
            else:
                return any(user.username in licensed for user in users)
        for user in users:
            try:
                await self.client.get_status(user.username)
            except (PbxLicenseError, PbxNotFoundError):
                continue
            except (PbxResponseError, PbxValidationError):
                pass  # licensed, with a status that cannot be read
            return True
        return False

    async def async_fetch(self) -> Snapshot:
        """Read the users, then statuses, logins, calls and queues."""
        users = await self.client.get_users()
        now = utcnow()
        await self._read_licences(now)
        logins_due = self._logins_at is None or now - self._logins_at >= LOGINS_INTERVAL
        if logins_due:
            self._logins_at = now

        await gather_limited(
            MAX_CONCURRENT_REQUESTS,
            (self._read_user(user, now, logins_due=logins_due) for user in users),
        )
        usernames = {user.username for user in users}
        for gone in set(self._statuses) - usernames:
            del self._statuses[gone]
        for gone in set(self._logins) - usernames:
            del self._logins[gone]
        self._unreadable &= usernames
        self._users = users
        self._usernames_by_id = {user.id: user.username for user in users}
        self._settle_suspects()
        # Calls are shown for licensed users only ("Lite users will not show call or
        # presence state in the panel").
        await self.calls.async_read_extensions(self._licensed_users(users), now)
        await self.calls.async_read_segments()
        await self.queues.async_read(with_list=True)
        return self.snapshot(users)

    async def _read_user(self, user: ISymphonyUser, now: datetime, *, logins_due: bool) -> None:
        """One user: logins when due, and the status of a licensed one."""
        if logins_due or user.username not in self._logins:
            await self._read_logins(user.username)
        if self._licensed is not None and user.username not in self._licensed:
            self._statuses.pop(user.username, None)
            self._unreadable.discard(user.username)
            return
        since = self._unlicensed.get(user.username)
        if since is not None and now - since < LICENSE_RECHECK_INTERVAL:
            return
        try:
            status = await self.client.get_status(user.username)
        except PbxLicenseError:
            self._unlicensed[user.username] = now
            self._statuses.pop(user.username, None)
            return
        except PbxNotFoundError:  # removed since the list was read
            self._statuses.pop(user.username, None)
            return
        except (PbxResponseError, PbxValidationError) as err:
            self._unreadable_status(user.username, err)
            return
        self._unlicensed.pop(user.username, None)
        self._unreadable.discard(user.username)
        self.remember(user.username, status)

    async def _read_logins(self, username: str) -> None:
        try:
            logins = await self.client.get_logins(username)
        except PART_ERRORS:
            self._logins.pop(username, None)
        else:
            self._logins[username] = {login.id for login in logins}

    def _licensed_users(self, users: list[ISymphonyUser]) -> list[str]:
        return [
            user.username
            for user in users
            if user.username in self._statuses or user.username in self._unreadable
        ]

    async def async_poll_activity(self) -> bool:
        """Read calls and agents (what no event reports); whether anything changed."""
        calls = await self.calls.async_read_segments()
        agents = await self.queues.async_read(with_list=False)
        return calls or agents

    # --- push: the event websocket -------------------------------------------------------

    async def async_open_events(self) -> ISymphonyLiveStream:
        """Connect the event websocket; calls and agents are polled beside it."""
        socket = self.client.event_socket()
        await socket.connect(LIVE_EVENTS)
        # A new connection may follow a restart: live ids are learnt again, and the resync
        # reads every login.
        self._live_id = None
        self._logins_at = None
        self._foreign.clear()
        self._suspects.clear()
        self._stream = ISymphonyLiveStream(
            socket, self.async_poll_activity, ACTIVITY_INTERVAL.total_seconds()
        )
        return self._stream

    def live_details(self) -> dict[str, Any]:
        """What the socket listens to, and what it dropped of other core servers."""
        return {
            "filters": [],
            "events": list(LIVE_EVENTS),
            "core_server_known": self._live_id is not None,
            "other_core_servers": len(self._foreign),
            "other_core_server_events": self.foreign_events,
            "activity_polls": self._stream.polls if self._stream else 0,
        }

    def apply_events(self, events: Sequence[Any]) -> PushResult:
        """Apply events; a user or queue unknown to the last poll needs a poll.

        Events carry live ids, which change when the server restarts: users are matched
        by the id the user list gave, and keyed by username as in polls. Events of other
        core servers (the socket carries them all) are dropped.
        """
        changed = resync = False
        for event in events:
            if isinstance(event, ActivityRead):
                changed = True
                continue
            if not isinstance(
                event, ISymphonyUserStatusEvent | ISymphonyLoginEvent | ISymphonyAgentEvent
            ):
                continue
            if self._other_core_server(event):
                self.foreign_events += 1
                continue
            if isinstance(event, ISymphonyAgentEvent):
                found = self.queues.apply(event)
                changed |= bool(found)
                resync |= found is None
                continue
            username = self._usernames_by_id.get(event.user_id)
            if username is None:
                # A new user, or the server restarted with new live ids: read users and
                # licences again; if the poll does not find the user either, the event
                # came from another core server, whose later events are dropped.
                if event.core_server_id is not None:
                    self._suspects.setdefault(event.core_server_id, set()).add(event.user_id)
                self._licensed_at = None
                resync = True
                continue
            if isinstance(event, ISymphonyLoginEvent):
                changed |= self._apply_login(username, event)
            elif self._statuses.get(username) != neutral_status(event.status):
                self._unlicensed.pop(username, None)
                self._unreadable.discard(username)
                self.remember(username, event.status)
                changed = True
        return PushResult(self.snapshot(self._users) if changed else None, resync)

    def _other_core_server(
        self, event: ISymphonyUserStatusEvent | ISymphonyLoginEvent | ISymphonyAgentEvent
    ) -> bool:
        """Whether an event comes from another core server; learns this one's live id."""
        origin = event.core_server_id
        if origin is None:
            return False
        if self._live_id is None:
            ours = event.user_id in self._usernames_by_id or (
                isinstance(event, ISymphonyAgentEvent) and self.queues.knows(event.queue_id)
            )
            if ours:
                self._live_id = origin
                self._foreign.discard(origin)
        if self._live_id is not None:
            return origin != self._live_id
        return origin in self._foreign

    def _settle_suspects(self) -> None:
        """After a poll: a core server whose unknown users are still unknown is another one."""
        for origin, user_ids in self._suspects.items():
            if origin != self._live_id and not user_ids & self._usernames_by_id.keys():
                self._foreign.add(origin)
        self._suspects.clear()

    def _apply_login(self, username: str, event: ISymphonyLoginEvent) -> bool:
        """A panel session opened or closed: whether the user's login state changed."""
        sessions = self._logins.setdefault(username, set())
        before = len(sessions)
        login_id = event.login_id or f"event-{event.time}"
        if event.logged_in:
            sessions.add(login_id)
        elif event.login_id is not None:
            sessions.discard(login_id)
        elif sessions:
            sessions.pop()  # which one is not said
        return len(sessions) != before

    async def _read_licences(self, now: datetime) -> None:
        """Learn who is licensed from the Config API's `full` flags, as seldom as probing."""
        if self._config_id is None or (
            self._licensed_at is not None and now - self._licensed_at < LICENSE_RECHECK_INTERVAL
        ):
            return
        try:
            self._licensed = await self.client.get_licensed_usernames(self._config_id)
        except (PbxNotFoundError, PbxForbiddenError, PbxResponseError):
            self._licensed = None  # fall back to asking each user's status
        self._licensed_at = now

    def _unreadable_status(self, username: str, err: PbxError) -> None:
        """One user's odd reply (no status yet, an unknown type, an error) costs that user only."""
        if username not in self._unreadable:
            _LOGGER.warning("The status of iSymphony user %s cannot be read: %s", username, err)
        self._unreadable.add(username)
        self._unlicensed.pop(username, None)
        self._statuses.pop(username, None)

    def remember(self, username: str, status: ISymphonyStatus) -> Status:
        """Keep a user's latest status and learn admin-defined statuses from it."""
        kept = self._statuses[username] = neutral_status(status)
        if not kept.user_created and kept.name:
            self.predefined.setdefault(kept.type, kept.name)
            self._choices[kept.type, kept.name] = None
        return kept

    def snapshot(self, users: list[ISymphonyUser]) -> Snapshot:
        """Build the snapshot from the users and what was read of them so far."""
        presentities: dict[str, Presentity] = {}
        for user in users:
            key = panel_user_key(user.username)
            licensed = user.username in self._statuses or user.username in self._unreadable
            call_state, call = self.calls.call_of(user.username) if licensed else (None, None)
            sessions = self._logins.get(user.username)
            presentities[key] = Presentity(
                key=key,
                kind=PresentityKind.PANEL_USER,
                name=user.displayed_name or user.username,
                server_id=user.username,
                extension=user.username,
                username=user.username,
                licensed=licensed,
                status=self._statuses.get(user.username),
                call_state=call_state,
                call=call,
                panel_sessions=None if sessions is None else len(sessions),
            )
        presentities.update(self.queues.presentities())
        return Snapshot(
            presentities,
            unlicensed=bool(users) and not self._statuses and not self._unreadable,
        )

    @property
    def predefined_statuses(self) -> Mapping[StatusType, str]:
        """Administrator-defined status names seen so far, by type."""
        return self.predefined

    @property
    def status_choices(self) -> tuple[tuple[StatusType, str], ...]:
        """Every administrator-defined status seen so far, as (type, name)."""
        return tuple(self._choices)

    def diagnostics(self) -> dict[str, Any]:
        """The core server, the status names learnt from it, and how calls are read."""
        return {
            "core_server": self.core_server,
            "predefined_statuses": {
                status_type.value: name for status_type, name in self.predefined.items()
            },
            "status_choices": [[t.value, name] for t, name in self._choices],
            # Call state: polled from call segments; ringing and answered are not told apart.
            "calls": {"source": "call_segments_polled", "ringing_known": False}
            | self.calls.diagnostics(),
            "queues": len(self.queues.queues),
        }

    def status_name(self, status_type: StatusType) -> str:
        """The name to send with a type: a known admin-defined status's, else the label."""
        return self.predefined.get(status_type) or STATUS_TYPE_LABELS[status_type]

    async def async_set_status(
        self,
        presentity: Presentity,
        *,
        status_type: StatusType,
        name: str | None = None,
        note: str = "",
        return_time: datetime | None = None,
    ) -> Status:
        """Set a user's status and read it back."""
        username = presentity.server_id
        await self.client.set_status(
            username,
            status_type=ISymphonyStatusType(status_type.value),
            name=name or self.status_name(status_type),
            note=note,
            return_time=return_time,
        )
        return self.remember(username, await self.client.get_status(username))
