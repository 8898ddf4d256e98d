"""iSymphony backend: panel users' statuses, panel logins and calls, and the queues' agents.

A poll reads the users, then per user (with bounded concurrency) the status of the licensed
ones and everyone's panel logins, the call segments of licensed users' extensions, and
the queues' agents. Events (status, logins, agents) keep it current between polls; events
of the server's other core servers, which share the socket, are dropped. Each part has a
module of its own; this one puts them together behind the PbxBackend interface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from ...pbx.isymphony import (
    EVENT_TYPES,
    ISymphonyAgentEvent,
    ISymphonyClient,
    ISymphonyEvent,
    ISymphonyLoginEvent,
    ISymphonyUser,
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
from .calls import CallReader
from .config_api import LICENSE_RECHECK_INTERVAL, ConfigApi
from .core_servers import CoreServerFilter
from .live import ActivityRead, ISymphonyLiveStream, LiveItem
from .logins import LOGINS_INTERVAL, PanelLogins
from .queues import QueueReader
from .statuses import StatusBook

__all__ = [
    "LICENSE_RECHECK_INTERVAL",
    "LOGINS_INTERVAL",
    "MIN_SCAN_INTERVAL",
    "SAFETY_SCAN_INTERVAL",
    "SCAN_INTERVAL",
    "ISymphonyBackend",
]

# One request per licensed user.
SCAN_INTERVAL = timedelta(seconds=15)
MIN_SCAN_INTERVAL = timedelta(seconds=10)
# While the socket is up, polls are only a safety net: iSymphony documents no loss, but
# nothing is replayed either.
SAFETY_SCAN_INTERVAL = timedelta(minutes=5)
# While the socket is up, calls and agents (no event reports them) are read this often.
ACTIVITY_INTERVAL = SCAN_INTERVAL
# The events followed (no filter is sent: see pbx/isymphony/events.py).
LIVE_EVENTS = EVENT_TYPES


def panel_user_key(username: str) -> str:
    """Presentity key of an iSymphony user: usernames are stable, live ids are not."""
    return f"panel_user_{username}"


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
        self.config_api = ConfigApi(client)
        self.statuses = StatusBook(client)
        self.logins = PanelLogins(client)
        self.calls = CallReader(client)
        self.queues = QueueReader(client)
        self.origins = CoreServerFilter()
        # The latest user list, and its live ids (events name users by id).
        self._users: list[ISymphonyUser] = []
        self._usernames_by_id: dict[str, str] = {}
        self._stream: ISymphonyLiveStream | None = None

    @staticmethod
    def login_data(username: str, password: str) -> dict[str, str]:
        """Basic auth needs the password itself."""
        return {USERNAME: username, PASSWORD: password}

    async def async_identify(self) -> ServerInfo:
        """Check the credentials, allow-list and core server by listing the users.

        The identity is the Config API's stable core-server id where the server has that
        API, else the slug.
        """
        await self.client.get_users()
        config = await self.config_api.async_read_core_server()
        return ServerInfo(
            unique_id=config.id if config else self.core_server.lower(),
            former_unique_id=self.core_server.lower() if config else None,
            name=f"iSymphony {self.core_server}",
            manufacturer="i9 Technologies",
            model="iSymphony",
            configuration_url=self.client.web_url,
        )

    async def async_has_license(self) -> bool:
        """Whether any user is licensed (a core server with no users yet: nothing refused)."""
        users = await self.client.get_users()
        return not users or await self.config_api.async_any_licensed(users)

    async def async_fetch(self) -> Snapshot:
        """Read the users, then statuses, logins, calls and queues."""
        users = await self.client.get_users()
        now = utcnow()
        await self.config_api.async_read_licences(now)
        logins_due = self.logins.due(now)
        await gather_limited(
            MAX_CONCURRENT_REQUESTS,
            (self._read_user(user.username, now, logins_due=logins_due) for user in users),
        )
        usernames = {user.username for user in users}
        self.statuses.keep_only(usernames)
        self.logins.keep_only(usernames)
        self._users = users
        self._usernames_by_id = {user.id: user.username for user in users}
        self.origins.settle(self._usernames_by_id.keys())
        licensed = [name for name in sorted(usernames) if self.statuses.licensed(name)]
        await self.calls.async_read_extensions(licensed, now)
        await self.calls.async_read_segments()
        await self.queues.async_read(with_list=True)
        return self.snapshot()

    async def _read_user(self, username: str, now: datetime, *, logins_due: bool) -> None:
        """One user: logins when due, and the status of a licensed one."""
        if logins_due or not self.logins.known(username):
            await self.logins.async_read(username)
        licensed = self.config_api.licensed(username)
        await self.statuses.async_read(username, now, licensed=licensed)

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
        self.origins.forget()
        self.logins.reread()
        self._stream = ISymphonyLiveStream(
            socket, self.async_poll_activity, ACTIVITY_INTERVAL.total_seconds()
        )
        return self._stream

    def live_details(self) -> dict[str, Any]:
        """What the socket listens to, and what it dropped of other core servers."""
        return {
            "filters": [],
            "events": list(LIVE_EVENTS),
            **self.origins.details(),
            "activity_polls": self._stream.polls if self._stream else 0,
        }

    def apply_events(self, events: Sequence[LiveItem]) -> PushResult:
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
            if self.origins.drops(event.core_server_id, partial(self._ours, event)):
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
                self.origins.suspect(event.core_server_id, event.user_id)
                self.config_api.recheck()
                resync = True
            elif isinstance(event, ISymphonyLoginEvent):
                changed |= self.logins.apply(username, event)
            else:
                changed |= self.statuses.apply(username, event.status)
        return PushResult(self.snapshot() if changed else None, resync)

    def _ours(self, event: ISymphonyEvent) -> bool:
        """Whether an event names one of this core server's users or queues."""
        if event.user_id in self._usernames_by_id:
            return True
        return isinstance(event, ISymphonyAgentEvent) and self.queues.knows(event.queue_id)

    # --- the snapshot and what diagnostics show ------------------------------------------

    def snapshot(self) -> Snapshot:
        """Build the snapshot from the users and what was read of them so far."""
        presentities: dict[str, Presentity] = {}
        for user in self._users:
            username = user.username
            key = panel_user_key(username)
            licensed = self.statuses.licensed(username)
            call_state, call = self.calls.call_of(username) if licensed else (None, None)
            presentities[key] = Presentity(
                key=key,
                kind=PresentityKind.PANEL_USER,
                name=user.displayed_name or username,
                server_id=username,
                extension=username,
                username=username,
                licensed=licensed,
                status=self.statuses.statuses.get(username),
                call_state=call_state,
                call=call,
                panel_sessions=self.logins.count(username),
            )
        presentities.update(self.queues.presentities())
        return Snapshot(
            presentities, unlicensed=bool(self._users) and self.statuses.nobody_licensed
        )

    @property
    def predefined_statuses(self) -> Mapping[StatusType, str]:
        """Administrator-defined status names seen so far, by type."""
        return self.statuses.predefined

    @property
    def status_choices(self) -> tuple[tuple[StatusType, str], ...]:
        """Every administrator-defined status seen so far, as (type, name)."""
        return tuple(self.statuses.choices)

    def diagnostics(self) -> dict[str, Any]:
        """The core server, the status names learnt from it, and how calls are read."""
        return {
            "core_server": self.core_server,
            **self.statuses.diagnostics(),
            "calls": self.calls.diagnostics(),
            **self.queues.diagnostics(),
        }

    # --- writes ----------------------------------------------------------------------------

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
        return await self.statuses.async_set(
            presentity.server_id,
            status_type=status_type,
            name=name,
            note=note,
            return_time=return_time,
        )
