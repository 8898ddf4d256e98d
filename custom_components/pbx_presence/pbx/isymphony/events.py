"""iSymphony's event websocket (3.2+): user status changes as they happen.

The same servlet as the REST API, so the same Basic auth, allow-list and SSL port. A
filter message asks for status events only; its acknowledgement is not documented, so
nothing waits for it, and events are filtered here too. No keepalive is documented:
websocket pings go out, and a missing pong or a close ends the stream with an error.
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

from .._parse import as_object, get_opt_str, get_str
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
        when = data.get("time")
        return cls(
            user_id=get_str(data, "userId"),
            username=get_opt_str(data, "username"),
            status=status,
            core_server_id=get_opt_str(data, "coreServerId"),
            time=when if isinstance(when, int) and not isinstance(when, bool) else None,
        )


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
    """One connection to the event websocket; iterate it for status events."""

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
        """Open the socket with Basic auth, and ask for events of these types only."""
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
        self._types = frozenset(types)
        filters = [{"property": "type", "value": kind} for kind in types]
        try:
            await self._ws.send_str(json.dumps({"type": "filter", "filters": filters}))
        except (aiohttp.ClientError, ConnectionError) as err:
            raise PbxConnectionError("The event websocket closed at once") from err

    async def close(self) -> None:
        """Close the socket; iteration ends."""
        self._closed = True
        if self._ws is not None:
            await self._ws.close()

    async def __aiter__(self) -> AsyncIterator[ISymphonyUserStatusEvent]:
        """Status events until the socket ends: a drop or silence raises PbxConnectionError."""
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

    def _event(self, text: str) -> ISymphonyUserStatusEvent | None:
        """A status event of the wanted types, or None for anything else or unreadable."""
        try:
            data = as_object(json.loads(text), "event")
        except (ValueError, PbxError):
            _LOGGER.debug("Skipped an event frame that is not a JSON object")
            return None
        kind = data.get("type")
        if kind not in self._types or kind != "userStatus":
            return None
        try:
            return ISymphonyUserStatusEvent.from_event(data)
        except PbxError as err:
            _LOGGER.debug("Skipped a malformed status event: %s", err)
            return None


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
