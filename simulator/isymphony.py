"""In-memory state of a simulated iSymphony 3.x server (Live REST API).

Records are plain dicts using the API's field names; private bookkeeping keys start
with an underscore and never reach the wire.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import random
import time
from typing import Any, Literal

from .common import uuid4

STATUS_TYPES = (
    "available",
    "unavailable",
    "away",
    "xa",
    "dnd",
    "chat",
    "altblue",
    "altgreen",
    "altpink",
    "altpurple",
    "altred",
)
STATUS_LABELS = {
    "available": "Available",
    "unavailable": "Unavailable",
    "away": "Away",
    "xa": "Extended away",
    "dnd": "Do not disturb",
    "chat": "Chat",
    "altblue": "Blue",
    "altgreen": "Green",
    "altpink": "Pink",
    "altpurple": "Purple",
    "altred": "Red",
}
USER_FIELDS = ("id", "configurationId", "userName", "displayedName", "permissionId")
EXTENSION_FIELDS = ("id", "extensionNumber", "displayName", "configurationId", "permissionId")
QUEUE_FIELDS = ("id", "displayName", "identifier", "configurationId", "permissionId")
AGENT_FIELDS = ("id", "paused", "state", "name", "dynamic")
SEGMENT_FIELDS = ("id", "type", "callerId", "did", "onHold", "recording", "incoming")
# Asterisk device states, as an agent's `state` carries them.
DEVICE_STATES = (
    "UNKNOWN",
    "NOT_INUSE",
    "INUSE",
    "BUSY",
    "INVALID",
    "UNAVAILABLE",
    "RINGING",
    "RINGINUSE",
    "ONHOLD",
)
# A licensed user's odd status reply: no status yet (`null`, `{}` or an empty body), an
# unknown or null type, or an error for that user alone.
type OddStatus = Literal[
    "null", "empty_object", "empty_body", "unknown_type", "null_type", "http_400", "http_500"
]

STATUS_FIELDS = (
    "id",
    "configurationId",
    "name",
    "type",
    "note",
    "returnTime",
    "userCreated",
)


class ISymphonyState:
    """Core servers with their panel users, statuses, logins and extensions."""

    def __init__(self, *, seed: int = 0) -> None:
        """Create a server with no core servers; the license is installed."""
        self._rng = random.Random(seed)
        self.username = "manager"
        self.password = "manag3rpa55word"  # noqa: S105 - iSymphony's documented default
        self.allowed_ips: set[str] = {"127.0.0.1"}
        self.license_installed = True
        self.return_time_in_seconds = False
        # A wrong password gets 401 on most versions, 403 on some.
        self.wrong_password_status = 401
        # The servlet is SSL-secured: the plain port answers 302 to the SSL port.
        self.ssl_secured = False
        # Errors come as the servlet container's HTML pages instead of plain sentences.
        self.html_errors = False
        # The Config API (stable core-server ids, users' `full` licence flags); older
        # servers have only the Live API and answer 404 there.
        self.config_api = True
        # Which path family the Config API has: "rest" is
        # `communication_manager/rest/config/...` with `getByName/{slug}` (i9's 2021 pages);
        # "resource" is `communication_manager/api/resource/...` with `getBySlug/{slug}`
        # (what FreePBX's own cxpanel module uses). The fields are the same.
        self.config_api_family: Literal["rest", "resource"] = "rest"
        self.predefined_statuses: list[dict[str, str]] = []
        # Called with every event the server sends on its event websocket.
        self.event_listeners: list[Callable[[dict[str, Any]], None]] = []
        # Called when the server restarts (the event websocket drops its connections).
        self.restart_listeners: list[Callable[[], None]] = []
        # slug -> core server record (with "users" and "extensions" inside)
        self.core_servers: dict[str, dict[str, Any]] = {}

    # -- setup -------------------------------------------------------------------

    def add_core_server(self, slug: str, config_id: str | None = None) -> dict[str, Any]:
        """Add a core server addressed by ``slug`` (``config_id``: its stable Config API id)."""
        core_server: dict[str, Any] = {
            "id": uuid4(self._rng),
            # The Config API's id: stable across restarts, unlike the live id.
            "config_id": config_id or uuid4(self._rng),
            "slug": slug,
            "name": "Default" if slug == "default" else slug.title(),
            "users": {},
            "extensions": [],
            "queues": [],
        }
        self.core_servers[slug] = core_server
        return core_server

    def add_predefined_status(self, name: str, status_type: str) -> dict[str, str]:
        """Define an admin ("predefined") status."""
        status = {
            "configurationId": uuid4(self._rng),
            "name": name,
            "type": _checked_type(status_type),
        }
        self.predefined_statuses.append(status)
        return status

    def add_user(
        self,
        username: str,
        displayed_name: str,
        *,
        licensed: bool = True,
        status: str | Mapping[str, Any] | None = None,
        core_server: str = "default",
    ) -> dict[str, Any]:
        """Add a panel user; ``status`` is a type or a ``status/set``-shaped body."""
        user: dict[str, Any] = {
            "id": uuid4(self._rng),
            "configurationId": uuid4(self._rng),
            "userName": username,
            "displayedName": displayed_name,
            "permissionId": uuid4(self._rng),
            "licensed": licensed,
            "status": None,
            "logins": [],
            # Numbers of the extensions assigned to the user (`U/extensions`).
            "extensions": [],
            # A status reply the docs leave open, for this user only (see OddStatus).
            "odd_status": None,
        }
        self.core_server(core_server)["users"][username] = user
        body: Mapping[str, Any] = {"type": "available"}
        if isinstance(status, str):
            body = {"type": status}
        elif status is not None:
            body = status
        status_type = str(body["type"])
        name = body.get("name") or self._default_name(status_type)
        self.set_status(
            username,
            name=name,
            type=status_type,
            note=str(body.get("note", "")),
            return_time=int(body.get("returnTime", -1)),
            user_created=self._predefined(name, status_type) is None,
            core_server=core_server,
        )
        return user

    def add_login(
        self, username: str, ip: str, port: int, *, core_server: str = "default"
    ) -> dict[str, Any]:
        """A user logs into the panel: a session in `U/logins` and a `userLogin` event."""
        login = {
            "id": uuid4(self._rng),
            "ip": ip,
            "port": port,
            "timeConnected": int(time.time() * 1000),
        }
        user = self.user(username, core_server)
        user["logins"].append(login)
        self._publish_login("userLogin", user, login, core_server)
        return login

    def remove_login(self, username: str, login_id: str, *, core_server: str = "default") -> None:
        """A panel session ends: gone from `U/logins`, and a `userLogout` event."""
        user = self.user(username, core_server)
        login = next(login for login in user["logins"] if login["id"] == login_id)
        user["logins"].remove(login)
        self._publish_login("userLogout", user, login, core_server)

    def _publish_login(
        self, kind: str, user: dict[str, Any], login: dict[str, Any], core_server: str
    ) -> None:
        # The docs: `userId, username, userLoginId, ip (may be ""), port`; no licence note.
        self.publish(
            {
                "type": kind,
                "coreServerId": self.core_server(core_server)["id"],
                "userId": user["id"],
                "username": user["userName"],
                "userLoginId": login["id"],
                "ip": login["ip"],
                "port": login["port"],
            }
        )

    def add_extension(
        self,
        number: str,
        display_name: str,
        *,
        core_server: str = "default",
        user: str | None = None,
    ) -> dict[str, Any]:
        """Add an extension to a core server, assigned to ``user`` where given."""
        extension = {
            "id": uuid4(self._rng),
            "extensionNumber": number,
            "displayName": display_name,
            "configurationId": uuid4(self._rng),
            "permissionId": uuid4(self._rng),
            "segments": [],
        }
        self.core_server(core_server)["extensions"].append(extension)
        if user is not None:
            self.user(user, core_server)["extensions"].append(number)
        return extension

    def extension(self, number: str, core_server: str = "default") -> dict[str, Any]:
        """An extension by number (StopIteration when unknown)."""
        extensions = self.core_server(core_server)["extensions"]
        return next(ext for ext in extensions if ext["extensionNumber"] == number)

    # -- calls: call segments on extensions (no call event is documented) ----------

    def start_call(
        self,
        number: str,
        *,
        incoming: bool,
        caller_name: str = "",
        caller_number: str = "",
        external: bool = False,
        did: str = "",
        core_server: str = "default",
    ) -> dict[str, Any]:
        """A call segment appears on an extension; ``caller_*`` is its `callerId`.

        The docs define `incoming` as "being dialed by another call segment (i.e.
        receiving a call)" and say nothing of ringing versus answered, so neither does
        this model. No event is sent: none is documented for calls.
        """
        segment = {
            "id": uuid4(self._rng),
            "type": "EXTERNAL" if external else "INTERNAL",
            "callerId": {"id": uuid4(self._rng), "name": caller_name, "number": caller_number},
            "did": did,
            "onHold": False,
            "recording": False,
            "incoming": incoming,
        }
        self.extension(number, core_server)["segments"].append(segment)
        return segment

    def hold(self, segment_id: str, *, on_hold: bool = True) -> None:
        """Put a call segment on hold, or take it off."""
        self._segment(segment_id)["onHold"] = on_hold

    def end_call(self, segment_id: str) -> None:
        """A call segment ends."""
        for core_server in self.core_servers.values():
            for extension in core_server["extensions"]:
                extension["segments"] = [s for s in extension["segments"] if s["id"] != segment_id]

    def _segment(self, segment_id: str) -> dict[str, Any]:
        return next(
            segment
            for core_server in self.core_servers.values()
            for extension in core_server["extensions"]
            for segment in extension["segments"]
            if segment["id"] == segment_id
        )

    # -- queues and agents -------------------------------------------------------

    def add_queue(
        self, identifier: str, display_name: str, *, core_server: str = "default"
    ) -> dict[str, Any]:
        """Add an (enabled) queue; ``identifier`` is its Asterisk queue name."""
        queue = {
            "id": uuid4(self._rng),
            "displayName": display_name,
            "identifier": identifier,
            "configurationId": uuid4(self._rng),
            "permissionId": uuid4(self._rng),
            "agents": [],
        }
        self.core_server(core_server)["queues"].append(queue)
        return queue

    def queue(self, identifier: str, core_server: str = "default") -> dict[str, Any]:
        """A queue by identifier (StopIteration when unknown)."""
        queues = self.core_server(core_server)["queues"]
        return next(queue for queue in queues if queue["identifier"] == identifier)

    def agent_login(
        self,
        identifier: str,
        name: str,
        extension: str,
        *,
        dynamic: bool = True,
        state: str = "NOT_INUSE",
        core_server: str = "default",
    ) -> dict[str, Any]:
        """An extension logs into a queue as an agent: it joins the list, `agentLogin` goes out."""
        queue = self.queue(identifier, core_server)
        agent = {
            "id": uuid4(self._rng),
            "paused": False,
            "state": _checked_state(state),
            "name": name,
            "dynamic": dynamic,
            "extension": extension,
        }
        queue["agents"].append(agent)
        self._publish_agent("agentLogin", queue, agent, core_server)
        return agent

    def agent_logout(self, identifier: str, agent_id: str, *, core_server: str = "default") -> None:
        """An agent leaves a queue: gone from the list, `agentLogout` goes out."""
        queue = self.queue(identifier, core_server)
        agent = next(agent for agent in queue["agents"] if agent["id"] == agent_id)
        queue["agents"].remove(agent)
        self._publish_agent("agentLogout", queue, agent, core_server)

    def set_agent(
        self,
        identifier: str,
        agent_id: str,
        *,
        paused: bool | None = None,
        state: str | None = None,
        core_server: str = "default",
    ) -> None:
        """Pause an agent or change its device state: no event is documented for either."""
        queue = self.queue(identifier, core_server)
        agent = next(agent for agent in queue["agents"] if agent["id"] == agent_id)
        if paused is not None:
            agent["paused"] = paused
        if state is not None:
            agent["state"] = _checked_state(state)

    def _publish_agent(
        self, kind: str, queue: dict[str, Any], agent: dict[str, Any], core_server: str
    ) -> None:
        # The docs: `agentId, agent, state, queueId, queue, extensionId, extensionNumber,
        # userId, username`; the user is whoever has the agent's extension, if anyone.
        cs = self.core_server(core_server)
        extension = next(
            (e for e in cs["extensions"] if e["extensionNumber"] == agent["extension"]), None
        )
        user = next(
            (u for u in cs["users"].values() if agent["extension"] in u["extensions"]), None
        )
        self.publish(
            {
                "type": kind,
                "coreServerId": cs["id"],
                "agentId": agent["id"],
                "agent": agent["name"],
                "state": agent["state"],
                "queueId": queue["id"],
                "queue": queue["displayName"],
                "extensionId": extension["id"] if extension else None,
                "extensionNumber": agent["extension"],
                "userId": user["id"] if user else None,
                "username": user["userName"] if user else None,
            }
        )

    # -- status ------------------------------------------------------------------

    def set_status(
        self,
        username: str,
        *,
        name: str,
        type: str,  # noqa: A002 - the API's field name
        note: str = "",
        return_time: int = -1,
        user_created: bool = True,
        core_server: str = "default",
    ) -> dict[str, Any]:
        """Set a user's status; ``return_time`` is Unix milliseconds or -1.

        A predefined status (``user_created=False``) reuses the configurationId of the
        admin status with that name and type, defining one when there is none.
        """
        user = self.user(username, core_server)
        status_type = _checked_type(type)
        if user_created:
            configuration_id = uuid4(self._rng)
        else:
            predefined = self._predefined(name, status_type)
            if predefined is None:
                predefined = self.add_predefined_status(name, status_type)
            configuration_id = predefined["configurationId"]
        user["status"] = {
            "id": uuid4(self._rng),
            "configurationId": configuration_id,
            "name": name,
            "type": status_type,
            "note": note,
            "returnTime": return_time,
            "userCreated": user_created,
        }
        # "only fired when a license is installed on the core server, and only for
        # licensed/full users"
        if user["licensed"] and self.license_installed:
            self.publish(
                {
                    "type": "userStatus",
                    "coreServerId": self.core_server(core_server)["id"],
                    "userId": user["id"],
                    "username": user["userName"],
                    "name": name,
                    "statusType": status_type,
                    "note": note,
                    "returnTime": return_time,
                    "userCreated": user_created,
                }
            )
        return user["status"]  # type: ignore[no-any-return]

    def publish(self, event: dict[str, Any]) -> None:
        """Send an event to the event websocket's connections."""
        for listener in list(self.event_listeners):
            listener(event)

    def set_status_from_api(
        self,
        user: dict[str, Any],
        name: str,
        status_type: str,
        note: str,
        return_time: int,
        core_server: str,
    ) -> None:
        """Apply a ``status/set`` request: predefined when (name, type) match one."""
        self.set_status(
            user["userName"],
            name=name,
            type=status_type,
            note=note,
            return_time=return_time,
            user_created=self._predefined(name, status_type) is None,
            core_server=core_server,
        )

    def status_of(self, username: str, core_server: str = "default") -> dict[str, Any]:
        """Return a user's status exactly as ``GET .../status`` would show it."""
        return self.status_representation(self.user(username, core_server))

    def status_representation(self, user: dict[str, Any]) -> dict[str, Any]:
        """Return the API representation of a user's status."""
        status = dict(user["status"])
        if self.return_time_in_seconds and status["returnTime"] != -1:
            status["returnTime"] //= 1000
        return status

    # -- lookups -----------------------------------------------------------------

    def core_server(self, slug: str) -> dict[str, Any]:
        """Return a core server by slug (KeyError when unknown)."""
        return self.core_servers[slug]

    def user(self, username: str, core_server: str = "default") -> dict[str, Any]:
        """Return a user record by username (KeyError when unknown)."""
        return self.core_server(core_server)["users"][username]  # type: ignore[no-any-return]

    def find_core_server(self, key: str, *, by_name: bool) -> dict[str, Any] | None:
        """Find a core server by slug (``by_name``) or by live id."""
        if by_name:
            return self.core_servers.get(key)
        return next((cs for cs in self.core_servers.values() if cs["id"] == key), None)

    @staticmethod
    def find_user(core_server: dict[str, Any], key: str, *, by_name: bool) -> dict[str, Any] | None:
        """Find a user of a core server by username (``by_name``) or by live id."""
        users: dict[str, dict[str, Any]] = core_server["users"]
        if by_name:
            return users.get(key)
        return next((user for user in users.values() if user["id"] == key), None)

    def restart(self) -> None:
        """Simulate a server restart: every live id changes, names and slugs stay.

        The event websocket's connections drop, as a real restart ends them.
        """
        for core_server in self.core_servers.values():
            core_server["id"] = uuid4(self._rng)
            for user in core_server["users"].values():
                user["id"] = uuid4(self._rng)
                if user["status"] is not None:
                    user["status"]["id"] = uuid4(self._rng)
                for login in user["logins"]:
                    login["id"] = uuid4(self._rng)
            for extension in core_server["extensions"]:
                extension["id"] = uuid4(self._rng)
                for segment in extension["segments"]:
                    segment["id"] = uuid4(self._rng)
            for queue in core_server["queues"]:
                queue["id"] = uuid4(self._rng)
                for agent in queue["agents"]:
                    agent["id"] = uuid4(self._rng)
        for listener in list(self.restart_listeners):
            listener()

    # -- helpers -----------------------------------------------------------------

    def _predefined(self, name: str, status_type: str) -> dict[str, str] | None:
        return next(
            (
                status
                for status in self.predefined_statuses
                if status["name"] == name and status["type"] == status_type
            ),
            None,
        )

    def _default_name(self, status_type: str) -> str:
        predefined = next((s for s in self.predefined_statuses if s["type"] == status_type), None)
        return predefined["name"] if predefined else STATUS_LABELS[status_type]


def _checked_state(state: str) -> str:
    if state not in DEVICE_STATES:
        raise ValueError(f"invalid device state {state!r}")
    return state


def _checked_type(status_type: str) -> str:
    if status_type not in STATUS_TYPES:
        raise ValueError(f"invalid status type {status_type!r}")
    return status_type
