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
        """Record an active panel session of a user."""
        login = {
            "id": uuid4(self._rng),
            "ip": ip,
            "port": port,
            "timeConnected": int(time.time() * 1000),
        }
        self.user(username, core_server)["logins"].append(login)
        return login

    def add_extension(
        self, number: str, display_name: str, *, core_server: str = "default"
    ) -> dict[str, Any]:
        """Add an extension to a core server."""
        extension = {
            "id": uuid4(self._rng),
            "extensionNumber": number,
            "displayName": display_name,
            "configurationId": uuid4(self._rng),
            "permissionId": uuid4(self._rng),
        }
        self.core_server(core_server)["extensions"].append(extension)
        return extension

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
        if user["licensed"]:  # status events are sent for licensed users only
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
        """Simulate a server restart: every live id changes, names and slugs stay."""
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


def _checked_type(status_type: str) -> str:
    if status_type not in STATUS_TYPES:
        raise ValueError(f"invalid status type {status_type!r}")
    return status_type
