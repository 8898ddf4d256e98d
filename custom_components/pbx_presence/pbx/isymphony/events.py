"""iSymphony's event websocket (3.2+): statuses, panel logins and queue agents as they change.

The same servlet as the REST API, so the same Basic auth, allow-list and SSL port. One
socket carries the events of every core server of the server, each with its
`coreServerId`. No filter is sent: the filter message is documented only in a 2015
revision, with its reply not captured, and as that revision reads ("If an event does not
contain a property specified in one of the filters, the event will not be received")
filters must all match, so asking for several event types could let nothing through.
Events are picked here by type instead. No keepalive is documented: websocket pings go
out, and a missing pong or a close ends the stream with an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
import json
import logging
from typing import Any, Self

import aiohttp
from yarl import URL

from .._parse import as_object, get_opt_str, get_str, opt_text
from ..errors import (
    PbxAccessDeniedError,
    PbxAuthenticationError,
    PbxConnectionError,
    PbxError,
    PbxNotFoundError,
    PbxSslRequiredError,
    PbxTimeoutError,
)
from .models import ISymphonyStatus

_LOGGER = logging.getLogger(__name__)

EVENT_PATH = "/communication_manager/ws/event"
# A ping every this many seconds; no pong within half of it ends the connection.
HEARTBEAT = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ISymphonyUserStatusEvent:
    """A licensed user's new status (`userStatus`); the user by live id and username."""

    user_id: str
    username: str | None
    status: ISymphonyStatus
    core_server_id: str | None
    time: int | None  # milliseconds since the epoch

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> Self:
        """Build from a `userStatus` event (its type field is `statusType`)."""
        # The status as `GET .../status` would give it; the event names its type
        # `statusType` and carries no status or configuration id.
        status = ISymphonyStatus.from_api(
            {
                key: data.get(key)
                for key in ("name", "note", "returnTime", "userCreated")
                if key in data
            }
            | {"type": data.get("statusType")}
        )
        return cls(
            user_id=get_str(data, "userId"),
            username=get_opt_str(data, "username"),
            status=status,
            core_server_id=get_opt_str(data, "coreServerId"),
            time=_time(data),
        )


def _time(data: Mapping[str, Any]) -> int | None:
    when = data.get("time")
    return when if isinstance(when, int) and not isinstance(when, bool) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class ISymphonyLoginEvent:
    """A user logged into the panel (`userLogin`) or out of it (`userLogout`)."""

    logged_in: bool
    user_id: str
    username: str | None
    login_id: str | None  # = the session's `id` in `U/logins`
    core_server_id: str | None
    time: int | None

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> Self:
        """Build from a `userLogin` or `userLogout` event."""
        return cls(
            logged_in=data.get("type") == "userLogin",
            user_id=get_str(data, "userId"),
            username=get_opt_str(data, "username"),
            login_id=get_opt_str(data, "userLoginId"),
            core_server_id=get_opt_str(data, "coreServerId"),
            time=_time(data),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ISymphonyAgentEvent:
    """An agent logged into a queue (`agentLogin`) or out of it (`agentLogout`)."""

    logged_in: bool
    agent_id: str
    agent: str | None  # the agent's name
    state: str | None  # Asterisk device state
    queue_id: str | None
    extension_number: str | None
    user_id: str | None
    username: str | None
    core_server_id: str | None
    time: int | None

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> Self:
        """Build from an `agentLogin` or `agentLogout` event."""
        return cls(
            logged_in=data.get("type") == "agentLogin",
            agent_id=get_str(data, "agentId"),
            agent=opt_text(data, "agent"),
            state=(opt_text(data, "state") or "").upper() or None,
            queue_id=get_opt_str(data, "queueId"),
            extension_number=opt_text(data, "extensionNumber"),
            user_id=get_opt_str(data, "userId"),
            username=get_opt_str(data, "username"),
            core_server_id=get_opt_str(data, "coreServerId"),
            time=_time(data),
        )


type ISymphonyEvent = ISymphonyUserStatusEvent | ISymphonyLoginEvent | ISymphonyAgentEvent
_PARSERS: dict[str, Any] = {
    "userStatus": ISymphonyUserStatusEvent.from_event,
    "userLogin": ISymphonyLoginEvent.from_event,
    "userLogout": ISymphonyLoginEvent.from_event,
    "agentLogin": ISymphonyAgentEvent.from_event,
    "agentLogout": ISymphonyAgentEvent.from_event,
}
EVENT_TYPES = tuple(_PARSERS)


def normalize_base_url(url: str) -> URL:
    """Accept `http://host:58080`, with or without `/communication_manager[/rest]`."""
    base = URL(url.strip())
    path = base.path.rstrip("/")
    for suffix in ("/communication_manager/rest", "/communication_manager"):
        path = path.removesuffix(suffix)
    return base.with_path(path or "/").with_query(None).with_fragment(None)


def event_url(base: URL) -> URL:
    """The event socket's URL beside a REST base URL: same host, port, security and path.

    A reverse proxy's path prefix stays, as it does for REST:
    `https://host/pbx/communication_manager/rest` gives
    `wss://host/pbx/communication_manager/ws/event`.
    """
    base = normalize_base_url(str(base))
    scheme = "wss" if base.scheme == "https" else "ws"
    return base.with_scheme(scheme).with_path(base.path.rstrip("/") + EVENT_PATH)


class ISymphonyEventSocket:
    """One connection to the event websocket; iterate it for the events asked for."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: URL,
        auth: aiohttp.BasicAuth,
        *,
        timeout: float,
        heartbeat: float = HEARTBEAT,
    ) -> None:
        """Nothing is sent before :meth:`connect`."""
        self._session = session
        self.url = url
        self._auth = auth
        self._timeout = timeout
        self._heartbeat = heartbeat
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._types: frozenset[str] = frozenset()
        self._closed = False

    async def connect(self, types: Sequence[str] = ("userStatus",)) -> None:
        """Open the socket with Basic auth; iteration yields events of these types only.

        No filter message is sent (see the module's docstring): the server sends every
        event, and the unwanted ones are dropped here.
        """
        try:
            async with asyncio.timeout(self._timeout):
                self._ws = await self._session.ws_connect(
                    self.url, auth=self._auth, heartbeat=self._heartbeat
                )
        except aiohttp.WSServerHandshakeError as err:
            if err.history:  # redirected, as an SSL-secured servlet does with its plain port
                raise _ssl_required() from err
            raise _upgrade_error(err.status, self.url) from err
        except TimeoutError as err:
            raise PbxTimeoutError(f"No event websocket from {self.url.host} in time") from err
        except aiohttp.ClientConnectorError as err:
            # aiohttp follows redirects: a refused connection elsewhere is the SSL port.
            if (err.host, err.port) != (self.url.host, self.url.port):
                raise _ssl_required() from err
            raise PbxConnectionError(
                f"Cannot open the event websocket at {self.url.host}: {type(err).__name__}"
            ) from err
        except (aiohttp.ClientError, OSError) as err:
            raise PbxConnectionError(
                f"Cannot open the event websocket at {self.url.host}: {type(err).__name__}"
            ) from err
        self._types = frozenset(types) & frozenset(_PARSERS)

    async def close(self) -> None:
        """Close the socket; iteration ends."""
        self._closed = True
        if self._ws is not None:
            await self._ws.close()

    async def __aiter__(self) -> AsyncIterator[ISymphonyEvent]:
        """Events until the socket ends: a drop or silence raises PbxConnectionError."""
        if self._ws is None:
            raise PbxConnectionError("The event websocket is not connected")
        try:
            async for frame in self._ws:
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    break
                if (event := self._event(frame.data)) is not None:
                    yield event
        except (aiohttp.ClientError, ConnectionError) as err:
            if not self._closed:
                raise PbxConnectionError(
                    f"The event websocket failed: {type(err).__name__}"
                ) from err
        if not self._closed:
            raise PbxConnectionError("iSymphony closed the event websocket")

    def _event(self, text: str) -> ISymphonyEvent | None:
        """An event of the wanted types, or None for anything else or unreadable."""
        try:
            data = as_object(json.loads(text), "event")
        except (ValueError, PbxError):
            _LOGGER.debug("Skipped an event frame that is not a JSON object")
            return None
        kind = data.get("type")
        if kind not in self._types:
            return None
        try:
            event: ISymphonyEvent = _PARSERS[kind](data)
        except PbxError as err:
            _LOGGER.debug("Skipped a malformed %s event: %s", kind, err)
            return None
        return event


def _ssl_required() -> PbxSslRequiredError:
    return PbxSslRequiredError("The iSymphony servlet is SSL-secured: use its SSL port")


def _upgrade_error(status: int, url: URL) -> PbxError:
    """The servlet's refusal of the upgrade, as REST's refusals map."""
    if status == 401:
        return PbxAuthenticationError("iSymphony refused the credentials")
    if status == 403:
        return PbxAccessDeniedError("iSymphony refused access (allow-list or credentials)")
    if status == 404:
        return PbxNotFoundError(f"No event websocket at {url.host} (iSymphony before 3.2?)")
    return PbxConnectionError(f"iSymphony refused the event websocket (HTTP {status})")
