"""iSymphony Live REST endpoints over an :class:`~simulator.isymphony.ISymphonyState`.

Errors are plain text sentences, as the real servlet sends them. Checks run in the
servlet's order: IP allow-list (403), Basic auth (401), path (404/405), core server, user,
extension or queue (404), licence (403), then the request body (415, 412, 422).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import hmac
import json
import math
from typing import Any

from aiohttp import BasicAuth, web

from .common import json_response, split_path, text_response
from .isymphony import (
    AGENT_FIELDS,
    EXTENSION_FIELDS,
    QUEUE_FIELDS,
    SEGMENT_FIELDS,
    STATUS_FIELDS,
    STATUS_TYPES,
    USER_FIELDS,
    ISymphonyState,
    OddStatus,
)
from .isymphony_events import EVENT_PATH, ISymphonyEvents

PREFIX = ("communication_manager", "rest", "live", "coreServers")
# The Config API's two path families (ISymphonyState.config_api_family) and the word each
# uses to find a core server by its slug.
CONFIG_PREFIXES: dict[tuple[str, ...], tuple[str, str]] = {
    ("communication_manager", "rest", "config"): ("rest", "getByName"),
    ("communication_manager", "api", "resource"): ("resource", "getBySlug"),
}
MAX_RETURN_TIME = 2**53
SSL_PORT = 55050


@dataclass
class Target:
    """The core server and (optionally) the user a request addresses."""

    request: web.Request
    core_server: dict[str, Any]
    user: dict[str, Any] | None
    item: dict[str, Any] | None = None


type Handler = Callable[[Target], Awaitable[web.Response]]


@dataclass
class Route:
    """A parsed path: how to find the core server and user, and what to do."""

    core_server_by_name: bool
    core_server_key: str
    user_by_name: bool | None
    user_key: str
    methods: dict[str, Handler]
    # An item of a core-server collection (an extension, a queue): the collection, the
    # field the key is matched against, and the key.
    item: tuple[str, str, str] | None = None


class ISymphonyApi:
    """Routes and answers requests under ``/communication_manager/``."""

    def __init__(self, state: ISymphonyState, events: ISymphonyEvents | None = None) -> None:
        """Serve ``state``, and its events on ``events``' websocket."""
        self.state = state
        self.events = events or ISymphonyEvents()
        if self.events.publish not in state.event_listeners:
            state.event_listeners.append(self.events.publish)
        if self.events.drop_all not in state.restart_listeners:
            state.restart_listeners.append(self.events.drop_all)
        self._core_server_actions: dict[tuple[str, ...], dict[str, Handler]] = {
            ("users",): {"GET": self._users},
            ("extensions",): {"GET": self._extensions},
            ("queues",): {"GET": self._queues},
        }
        # `CS/<collection>/[{id} | getByName/{name}]/<action>`: the field getByName matches.
        self._item_actions: dict[tuple[str, str], tuple[str, Handler]] = {
            ("extensions", "callSegments"): ("extensionNumber", self._call_segments),
            ("queues", "agents"): ("identifier", self._agents),
        }
        self._user_actions: dict[tuple[str, ...], dict[str, Handler]] = {
            (): {"GET": self._user},
            ("status",): {"GET": self._status},
            ("status", "set"): {"POST": self._set_status},
            ("logins",): {"GET": self._logins},
            ("extensions",): {"GET": self._user_extensions},
        }

    def _route(self, parts: list[str]) -> Route | None:
        if tuple(parts[:4]) != PREFIX or len(parts) < 5:
            return None
        rest = parts[4:]
        cs_by_name = rest[0] == "getByName"
        if cs_by_name and len(rest) < 2:
            return None
        cs_key, rest = (rest[1], rest[2:]) if cs_by_name else (rest[0], rest[1:])
        if not cs_key:
            return None
        if (methods := self._core_server_actions.get(tuple(rest))) is not None:
            return Route(cs_by_name, cs_key, None, "", methods)
        if (item := self._item_route(rest)) is not None:
            handler, found = item
            return Route(cs_by_name, cs_key, None, "", {"GET": handler}, found)
        if len(rest) < 2 or rest[0] != "users":
            return None
        user_by_name = rest[1] == "getByName"
        if user_by_name and len(rest) < 3:
            return None
        user_key, rest = (rest[2], rest[3:]) if user_by_name else (rest[1], rest[2:])
        if not user_key:
            return None
        if (methods := self._user_actions.get(tuple(rest))) is None:
            return None
        return Route(cs_by_name, cs_key, user_by_name, user_key, methods)

    def _item_route(self, rest: list[str]) -> tuple[Handler, tuple[str, str, str]] | None:
        """`extensions/{id}/callSegments`, `queues/getByName/{identifier}/agents`, ..."""
        if len(rest) < 3:
            return None
        by_name = rest[1] == "getByName"
        key, tail = (rest[2], rest[3:]) if by_name else (rest[1], rest[2:])
        found = self._item_actions.get((rest[0], tail[0])) if key and len(tail) == 1 else None
        if found is None:
            return None
        name_field, handler = found
        return handler, (rest[0], name_field if by_name else "id", key)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request whose path starts with ``/communication_manager/``."""
        if (refused := self._refused(request)) is not None:
            return refused
        parts = split_path(request.raw_path)
        if tuple(parts) == EVENT_PATH and request.method == "GET":
            return await self.events.handle(request)
        family = CONFIG_PREFIXES.get(tuple(parts[:3]))
        if family is not None and request.method == "GET":
            return self._config(parts[3:], *family)
        route = self._route(parts)
        if route is None:
            return self._error("Not Found", status=404)
        handler = route.methods.get(request.method)
        if handler is None:
            return self._error(
                "Method Not Allowed",
                status=405,
                headers={"Allow": ", ".join(sorted(route.methods))},
            )
        target = self._target(request, route)
        if isinstance(target, web.Response):
            return target
        return await handler(target)

    def _target(self, request: web.Request, route: Route) -> Target | web.Response:
        """The core server, user and item a route names, or the 404 when one is unknown."""
        state = self.state
        core_server = state.find_core_server(
            route.core_server_key, by_name=route.core_server_by_name
        )
        if core_server is None:
            return self._error("Core server not found", status=404)
        user = None
        if route.user_by_name is not None:
            user = state.find_user(core_server, route.user_key, by_name=route.user_by_name)
            if user is None:
                return self._error("User not found", status=404)
        target = Target(request, core_server, user)
        if route.item is not None:
            collection, field, key = route.item
            target.item = next((i for i in core_server[collection] if i[field] == key), None)
            if target.item is None:
                return self._error("Not found", status=404)
        return target

    def _error(
        self, text: str, *, status: int, headers: dict[str, str] | None = None
    ) -> web.Response:
        """A plain-text sentence, or the servlet container's HTML page in that mode."""
        if not self.state.html_errors:
            return text_response(text, status=status, headers=headers)
        page = (
            f"<!DOCTYPE html><html><head><title>Error {status}</title></head><body>"
            f"<h1>HTTP ERROR {status}</h1><p>Problem accessing the servlet. Reason:</p>"
            f"<pre>    {text}</pre><hr><i><small>Powered by Jetty://</small></i></body></html>"
        )
        return web.Response(status=status, text=page, content_type="text/html", headers=headers)

    def _refused(self, request: web.Request) -> web.Response | None:
        """The servlet's checks before any path: SSL port, IP allow-list, Basic auth."""
        state = self.state
        if state.ssl_secured:
            # An SSL-secured servlet sends plain-port requests to its SSL port.
            location = request.url.with_scheme("https").with_port(SSL_PORT)
            return self._error("Found", status=302, headers={"Location": str(location)})
        if request.remote not in state.allowed_ips:
            return self._error("Access denied: caller IP not allowed", status=403)
        if self._authorized(request):
            return None
        if state.wrong_password_status == 403:  # some versions: 403 for both
            return self._error("Access denied", status=403)
        return self._error(
            "Unauthorized", status=401, headers={"WWW-Authenticate": 'Basic realm="iSymphony"'}
        )

    def _config(self, rest: list[str], family: str, by_slug: str) -> web.Response:
        """The Config API: a core server by stable id or slug, and users' licence flags."""
        state = self.state
        if not state.config_api or family != state.config_api_family:
            return self._error("Not Found", status=404)
        servers = list(state.core_servers.values())
        match rest:
            case ["server", "coreServers", word, slug] if word == by_slug:
                found = next((cs for cs in servers if cs["slug"] == slug), None)
            case ["server", "coreServers", config_id]:
                found = next((cs for cs in servers if cs["config_id"] == config_id), None)
            case ["core", config_id, "users"]:
                core_server = next((cs for cs in servers if cs["config_id"] == config_id), None)
                if core_server is None:
                    return self._error("Core server not found", status=404)
                return json_response(
                    [
                        {
                            "id": user["configurationId"],
                            "username": user["userName"],
                            "displayName": user["displayedName"],
                            "full": bool(user["licensed"] and state.license_installed),
                        }
                        for user in core_server["users"].values()
                    ]
                )
            case _:
                return self._error("Not Found", status=404)
        if found is None:
            return self._error("Core server not found", status=404)
        return json_response(
            {"id": found["config_id"], "slug": found["slug"], "name": found["name"]}
        )

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        try:
            auth = BasicAuth.decode(header, encoding="utf-8")
        except ValueError:
            return False
        # Constant-time comparison, as a real servlet container would do.
        return hmac.compare_digest(
            auth.login.encode(), self.state.username.encode()
        ) and hmac.compare_digest(auth.password.encode(), self.state.password.encode())

    # -- core server resources ---------------------------------------------------

    async def _users(self, target: Target) -> web.Response:
        users = target.core_server["users"].values()
        return json_response([_pick(user, USER_FIELDS) for user in users])

    async def _extensions(self, target: Target) -> web.Response:
        extensions = target.core_server["extensions"]
        return json_response([_pick(extension, EXTENSION_FIELDS) for extension in extensions])

    async def _queues(self, target: Target) -> web.Response:
        queues = target.core_server["queues"]
        return json_response([_pick(queue, QUEUE_FIELDS) for queue in queues])

    async def _agents(self, target: Target) -> web.Response:
        assert target.item is not None  # noqa: S101 - routing guarantees a queue
        return json_response([_pick(agent, AGENT_FIELDS) for agent in target.item["agents"]])

    async def _call_segments(self, target: Target) -> web.Response:
        """An extension's call segments: licensed resources need a licence installed."""
        assert target.item is not None  # noqa: S101 - routing guarantees an extension
        if not self.state.license_installed:
            return self._error("No license is installed on the core server", status=403)
        segments = target.item["segments"]
        return json_response([_pick(segment, SEGMENT_FIELDS) for segment in segments])

    # -- user resources ------------------------------------------------------------

    async def _user(self, target: Target) -> web.Response:
        assert target.user is not None  # noqa: S101 - routing guarantees a user
        return json_response(_pick(target.user, USER_FIELDS))

    async def _user_extensions(self, target: Target) -> web.Response:
        assert target.user is not None  # noqa: S101 - routing guarantees a user
        numbers = target.user["extensions"]
        extensions = target.core_server["extensions"]
        return json_response(
            [_pick(e, EXTENSION_FIELDS) for e in extensions if e["extensionNumber"] in numbers]
        )

    async def _logins(self, target: Target) -> web.Response:
        assert target.user is not None  # noqa: S101 - routing guarantees a user
        return json_response([dict(login) for login in target.user["logins"]])

    def _unlicensed(self, user: dict[str, Any]) -> web.Response | None:
        if not self.state.license_installed:
            return self._error(
                "User is not licensed: no license is installed on the core server",
                status=403,
            )
        if not user["licensed"]:
            return self._error("User is not licensed", status=403)
        return None

    async def _status(self, target: Target) -> web.Response:
        assert target.user is not None  # noqa: S101 - routing guarantees a user
        if (refusal := self._unlicensed(target.user)) is not None:
            return refusal
        if (odd := target.user.get("odd_status")) is not None:
            return self._odd_status(target.user, odd)
        status = self.state.status_representation(target.user)
        return json_response(_pick(status, STATUS_FIELDS))

    def _odd_status(self, user: dict[str, Any], odd: OddStatus) -> web.Response:
        """What the docs leave open: a user who never set a status, or a glitch for one user."""
        status = _pick(self.state.status_representation(user), STATUS_FIELDS)
        match odd:
            case "null":
                return json_response(None)
            case "empty_object":
                return json_response({})
            case "empty_body":
                return web.Response(status=200, content_type="application/json")
            case "unknown_type":
                return json_response({**status, "type": "busy"})
            case "null_type":
                return json_response({**status, "type": None})
            case "http_400":
                return self._error("Bad Request", status=400)
            case "http_500":
                return self._error("Internal Server Error", status=500)

    async def _set_status(self, target: Target) -> web.Response:
        user = target.user
        assert user is not None  # noqa: S101 - routing guarantees a user
        if (refusal := self._unlicensed(user)) is not None:
            return refusal
        request = target.request
        raw = await request.read()
        if raw and request.content_type != "application/json":
            return self._error(
                "Unsupported Media Type: send Content-Type application/json",
                status=415,
            )
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error("Invalid JSON", status=412)
        if not isinstance(body, dict):
            return self._error("Invalid JSON: expected an object", status=412)
        parsed = _status_body(body)
        if isinstance(parsed, str):
            return self._error(parsed, status=422)
        name, status_type, note, return_time = parsed
        self.state.set_status_from_api(
            user, name, status_type, note, return_time, target.core_server["slug"]
        )
        return web.Response(status=204)


def _pick(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {key: record[key] for key in fields}


def _status_body(body: dict[str, Any]) -> tuple[str, str, str, int] | str:
    """Validate a ``status/set`` body; return its values or the 422 message."""
    name = body.get("name")
    if name is None:
        return "No name property given"
    if not isinstance(name, str):
        return "Invalid name property"
    status_type = body.get("type")
    if status_type is None:
        return "No type property given"
    if status_type not in STATUS_TYPES:
        return "Invalid status type"
    note = body.get("note")
    if note is None:
        note = ""
    if not isinstance(note, str):
        return "Invalid note property"
    return_time = body.get("returnTime", -1)
    if return_time is None:
        return_time = -1
    if isinstance(return_time, bool) or not isinstance(return_time, int | float):
        return "Invalid return time: not a number"
    if not math.isfinite(return_time) or abs(return_time) > MAX_RETURN_TIME:
        return "Invalid return time: too large"
    return name, str(status_type), note, int(return_time)
