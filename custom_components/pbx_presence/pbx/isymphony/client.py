"""Async client for the iSymphony 3.x Live REST API: statuses, logins, calls and queues."""

from __future__ import annotations

from datetime import datetime
import html
import re
from typing import Any

import aiohttp

from .._http import DEFAULT_TIMEOUT, Reply, build_url, send
from .._parse import parse_list
from ..errors import (
    PbxAccessDeniedError,
    PbxAuthenticationError,
    PbxError,
    PbxLicenseError,
    PbxNotAServletError,
    PbxNotFoundError,
    PbxRateLimitError,
    PbxResponseError,
    PbxSslRequiredError,
    PbxUnknownCoreServerError,
    PbxValidationError,
)
from .events import ISymphonyEventSocket, event_url, normalize_base_url
from .models import (
    ISymphonyAgent,
    ISymphonyCallSegment,
    ISymphonyConfigUser,
    ISymphonyCoreServer,
    ISymphonyExtension,
    ISymphonyLogin,
    ISymphonyQueue,
    ISymphonyStatus,
    ISymphonyUser,
    StatusType,
    to_return_time,
)

DEFAULT_CORE_SERVER = "default"
_REST_PATH = ("communication_manager", "rest", "live", "coreServers")
# A user's or core server's resources beyond the users list: the list passed the
# allow-list and the password, so a 403 there means no licence (for that user, or none
# installed), as the docs say of status.
_LICENSED_RESOURCES = frozenset(
    {"status", "logins", "extensions", "callSegments", "queues", "agents"}
)
# The Config API's two path families, each with its word for "by slug": i9's pages document
# the first, FreePBX's cxpanel module uses the second; servers have one or the other.
_CONFIG_FAMILIES = (
    (("communication_manager", "rest", "config"), "getByName"),
    (("communication_manager", "api", "resource"), "getBySlug"),
)


class ISymphonyClient:
    """An iSymphony Live REST client for one core server.

    Users are addressed by username (`getByName`) unless `by_id=True`: live ids are UUIDs
    that change whenever the server restarts.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        username: str,
        password: str,
        *,
        core_server: str = DEFAULT_CORE_SERVER,
        core_server_by_id: bool = False,
        request_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session, the manager credentials and the core server to talk to."""
        self._session = session
        self._base = normalize_base_url(url)
        # Servlet containers decode Basic credentials as UTF-8; aiohttp's Latin-1 default
        # would fail on other passwords.
        self._auth = aiohttp.BasicAuth(username, password, encoding="utf-8")
        self._core_server = (core_server,) if core_server_by_id else ("getByName", core_server)
        self._timeout = request_timeout
        # The Config API path family this server answered on (None: not found yet).
        self._config_path: tuple[str, ...] | None = None

    @property
    def web_url(self) -> str:
        """The server's web interface (panel and administration), on the API's port."""
        return str(self._base.with_path("/"))

    def event_socket(self) -> ISymphonyEventSocket:
        """The event websocket of this server, with the same credentials."""
        return ISymphonyEventSocket(
            self._session, event_url(self._base), self._auth, timeout=self._timeout
        )

    async def get_users(self) -> list[ISymphonyUser]:
        """List the core server's users (no status inside).

        A 404 here means the servlet has no core server of this slug.
        """
        try:
            data = await self._get("users")
        except PbxNotFoundError as err:
            if not await self._asks_for_login("users"):
                raise PbxNotAServletError(
                    "The URL leads to a web server that is not an iSymphony REST servlet "
                    f"(no login asked, {err})"
                ) from err
            raise PbxUnknownCoreServerError(
                f"No core server {self._core_server[-1]!r} ({err})"
            ) from err
        return parse_list(data, "users", ISymphonyUser.from_api)

    async def _asks_for_login(self, *path: str) -> bool:
        """Whether a path of the core server asks for a login (or refuses the caller's IP).

        The servlet checks its allow-list and Basic auth before it looks at the path; a web
        server that is not the servlet answers an anonymous request as it did ours. A probe
        that fails for another reason says nothing: it counts as the servlet.
        """
        url = build_url(self._base, *_REST_PATH, *self._core_server, *path)
        try:
            reply = await send(
                self._session,
                "GET",
                url,
                timeout=self._timeout,
                headers={"Accept": "application/json"},
            )
        except PbxError:
            return True
        return reply.status in (401, 403) or reply.status >= 500

    async def get_status(self, user: str, *, by_id: bool = False) -> ISymphonyStatus:
        """Get a user's status. Unlicensed users raise PbxLicenseError."""
        data = await self._get(*_user_path(user, by_id=by_id), "status")
        return ISymphonyStatus.from_api(data)

    async def get_logins(self, user: str) -> list[ISymphonyLogin]:
        """A user's active panel sessions (one per logged-in client)."""
        data = await self._get(*_user_path(user, by_id=False), "logins")
        return parse_list(data, "logins", ISymphonyLogin.from_api)

    async def get_user_extensions(self, user: str) -> list[ISymphonyExtension]:
        """The extensions assigned to a user."""
        data = await self._get(*_user_path(user, by_id=False), "extensions")
        return parse_list(data, "extensions", ISymphonyExtension.from_api)

    async def get_call_segments(self, extension: str) -> list[ISymphonyCallSegment]:
        """The call segments on an extension, by number (a 403: no licence)."""
        data = await self._get("extensions", "getByName", extension, "callSegments")
        return parse_list(data, "call segments", ISymphonyCallSegment.from_api)

    async def get_queues(self) -> list[ISymphonyQueue]:
        """The core server's enabled queues."""
        return parse_list(await self._get("queues"), "queues", ISymphonyQueue.from_api)

    async def get_queue_agents(self, identifier: str) -> list[ISymphonyAgent]:
        """A queue's agents, the queue by its identifier."""
        data = await self._get("queues", "getByName", identifier, "agents")
        return parse_list(data, "agents", ISymphonyAgent.from_api)

    async def set_status(
        self,
        user: str,
        *,
        status_type: StatusType,
        name: str,
        note: str = "",
        return_time: datetime | None = None,
        by_id: bool = False,
    ) -> None:
        """Set a user's status; `return_time` None sends -1 (no return time)."""
        body = {
            "name": name,
            "type": status_type.value,
            "note": note,
            "returnTime": to_return_time(return_time),
        }
        await self._request("POST", (*_user_path(user, by_id=by_id), "status", "set"), body)

    async def get_core_server_config(self) -> ISymphonyCoreServer:
        """The core server as the Config API knows it, with its stable id.

        Both path families are tried, `rest/config/...getByName` first, then
        `api/resource/...getBySlug`; the one that answers is used from then on. Servers
        without the Config API answer 404 on both (PbxNotFoundError).
        """
        if self._core_server[0] != "getByName":
            raise PbxNotFoundError("Live core-server ids are not Config API ids")
        slug = self._core_server[-1]
        (first, first_by_slug), (second, second_by_slug) = _CONFIG_FAMILIES
        try:
            reply = await self._send("GET", (*first, "server", "coreServers", first_by_slug, slug))
            prefix = first
        except PbxNotFoundError:
            path = (*second, "server", "coreServers", second_by_slug, slug)
            reply = await self._send("GET", path)
            prefix = second
        self._config_path = prefix
        return ISymphonyCoreServer.from_api(_json(reply))

    async def get_licensed_usernames(self, config_id: str) -> set[str]:
        """Usernames of the core server's licensed ("full") users, from the Config API.

        Uses the path family :meth:`get_core_server_config` found (the first by default).
        """
        prefix = self._config_path or _CONFIG_FAMILIES[0][0]
        data = _json(await self._send("GET", (*prefix, "core", config_id, "users")))
        users = parse_list(data, "users", ISymphonyConfigUser.from_api)
        return {user.username for user in users if user.full}

    async def _get(self, *path: str) -> Any:
        return _json(await self._request("GET", path))

    async def _request(self, method: str, path: tuple[str, ...], body: Any = None) -> Reply:
        """A Live API request under this client's core server."""
        return await self._send(method, (*_REST_PATH, *self._core_server, *path), body)

    async def _send(self, method: str, path: tuple[str, ...], body: Any = None) -> Reply:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        url = build_url(self._base, *path)
        reply = await send(
            self._session,
            method,
            url,
            timeout=self._timeout,
            headers=headers,
            body=body,
            auth=self._auth,
        )
        if reply.status >= 300:
            raise _error_from(reply, licensed=not _LICENSED_RESOURCES.isdisjoint(path))
        return reply


def _json(reply: Reply) -> Any:
    if not reply.text.strip():
        raise PbxResponseError("The server sent an empty reply")
    return reply.json()


def _user_path(user: str, *, by_id: bool) -> tuple[str, ...]:
    return ("users", user) if by_id else ("users", "getByName", user)


def error_text(body: str) -> str:
    """A short plain sentence from an error body, which may be a servlet container's page."""
    if "<" in body and re.search(r"(?i)<(html|body|head|!doctype)", body):
        # Jetty and Tomcat put the reason in <pre> or <p>; the title says little more.
        match = re.search(r"(?is)<pre>(.*?)</pre>", body) or re.search(
            r"(?is)<title>(.*?)</title>", body
        )
        body = html.unescape(re.sub(r"<[^>]*>", " ", match.group(1) if match else ""))
    return " ".join(body.split())[:200]


def _error_from(reply: Reply, *, licensed: bool) -> PbxError:
    """Map an error reply (a plain-text sentence) to an error."""
    reason = error_text(reply.text) or f"HTTP {reply.status}"
    status = reply.status
    if status in (301, 302, 303, 307, 308):
        return PbxSslRequiredError(
            "The server redirects elsewhere; it is SSL-secured: use https and its SSL port "
            "(55050 by default)"
        )
    if status == 401:
        return PbxAuthenticationError("The manager user name or password is wrong")
    if status == 403:
        if licensed:
            return PbxLicenseError(f"The user has no license ({reason})")
        return PbxAccessDeniedError(
            f"Access denied: Home Assistant's IP address is not on the allow-list, or the "
            f"password is wrong ({reason})"
        )
    if status == 404:
        return PbxNotFoundError(reason)
    if status in (400, 409, 412, 415, 422):
        return PbxValidationError(reason)
    if status == 429:
        return PbxRateLimitError(reply.retry_after())
    return PbxResponseError(f"The server answered HTTP {status} ({reason})")
