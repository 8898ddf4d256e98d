"""Kazoo's Blackhole websocket, as 4.3 (default) and 5.x behave; on its own port.

Modelled on the shared API doc ("Real-time events: the Blackhole websocket"):
- no `Sec-WebSocket-Protocol` (HTTP 400), an optional connection cap per IP (HTTP 429);
- one binding per `subscribe` / `unsubscribe` message; each message passes a rate bucket per
  socket, a token check (skipped once the socket is authenticated; its error echoes the
  token), validation, authorisation, then the command;
- replies list every binding of the socket (call bindings once per AMQP binding); `ping`
  gets `{"response": "pong"}` only with `bh_ping`, else a success reply with stale data;
- events are `{"action": "event", "subscribed_key", "subscription_key", "name",
  "routing_key", "data"}` with lowercased, underscored, null-free data;
- 4.3 drops replies and events silently while more than 50 messages wait for a socket, and
  has no presence bindings; 5.x has `presence.dialog|update|mwi_updates`;
- invalid JSON crashes the socket; an hour without a client frame closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import json
import time
from typing import Any, Literal

from aiohttp import WSMsgType, web

from .sockets import SocketHub

type BlackholeVersion = Literal["4.3", "5"]

CALL_EVENTS = (
    "CHANNEL_CREATE",
    "CHANNEL_ANSWER",
    "CHANNEL_DESTROY",
    "CHANNEL_HOLD",
    "CHANNEL_UNHOLD",
    "CHANNEL_BRIDGE",
    "PARK_PARKED",
    "PARK_RETRIEVED",
    "PARK_ABANDONED",
)
# A call binding is bound once per AMQP binding behind it: replies repeat it this often.
_CALL_AMQP_BINDINGS = 2
PRESENCE_KINDS = ("dialog", "update", "mwi_updates")
OBJECT_ACTIONS = ("doc_created", "doc_edited", "doc_deleted")
OBJECT_TYPES = ("device", "user", "vmbox")
MAX_QUEUED = 50  # 4.3: beyond this, messages to a socket are dropped
RATE_CAPACITY = 100
RATE_PER_SECOND = 10.0


@dataclass(frozen=True)
class BusEvent:
    """One event on Kazoo's message bus, as Blackhole would route it.

    `routing` is what a binding matches, part by part (`*` matches any part): e.g.
    `("call", "CHANNEL_CREATE", <call id>)`, `("presence", "update", <call id>)`,
    `("presence", "mwi_updates", <user>)`, `("object", "doc_edited", "device")`.
    """

    routing: tuple[str, str, str]
    name: str
    data: dict[str, Any]

    @property
    def routing_key(self) -> str:
        """The AMQP routing key, as events show it."""
        return ".".join(self.routing)


def event_data(**values: Any) -> dict[str, Any]:
    """Event data as Blackhole sends it: nulls dropped (nested objects too)."""
    return {
        key: event_data(**value) if isinstance(value, dict) else value
        for key, value in values.items()
        if value is not None
    }


def valid_binding(binding: str, version: BlackholeVersion) -> bool:
    """Whether this server version knows a binding."""
    parts = binding.split(".")
    if len(parts) != 3 or not all(parts):
        return False
    category, first, _ = parts
    if category == "call":
        return first in (*CALL_EVENTS, "*")
    if category == "object":
        return first in (*OBJECT_ACTIONS, "*") and parts[2] in (*OBJECT_TYPES, "*")
    if category == "presence":
        return version == "5" and first in PRESENCE_KINDS
    return False


def _matches(binding: str, routing: tuple[str, str, str]) -> bool:
    parts = binding.split(".")
    return all(want in ("*", got) for want, got in zip(parts, routing, strict=True))


@dataclass
class _Bucket:
    tokens: float = RATE_CAPACITY
    updated: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(RATE_CAPACITY, self.tokens + (now - self.updated) * RATE_PER_SECOND)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _Session:
    """One client's socket: its bindings, authentication, bucket and outgoing queue."""

    def __init__(self, server: BlackholeServer, socket: web.WebSocketResponse, ip: str) -> None:
        self.server = server
        self.socket = socket
        self.ip = ip
        self.id = f"{ip}-{id(socket):x}"
        self.bindings: list[str] = []
        self.account_id: str | None = None
        self.authenticated = False
        self.bucket = _Bucket()
        self.outbox: asyncio.Queue[str] = asyncio.Queue()

    def send(self, message: dict[str, Any]) -> None:
        """Queue a message; 4.3 drops it silently while the socket is behind."""
        server = self.server
        if server.hub.faults.silent:
            return
        if server.state.blackhole_version == "4.3" and self.outbox.qsize() > MAX_QUEUED:
            server.dropped += 1
            return
        if server.hub.faults.garbage:
            self.outbox.put_nowait('<<"not json">>')
        self.outbox.put_nowait(json.dumps(message))

    async def write(self) -> None:
        """Send queued messages in order, as fast as the client reads them."""
        while True:
            text = await self.outbox.get()
            if self.server.write_delay:
                await asyncio.sleep(self.server.write_delay)
            await self.socket.send_str(text)

    def deliver(self, event: BusEvent) -> None:
        """Send an event once for each of this socket's bindings that match it."""
        for binding in dict.fromkeys(self.bindings):
            if _matches(binding, event.routing):
                self.send(
                    {
                        "action": "event",
                        "subscribed_key": binding,
                        "subscription_key": binding,
                        "name": event.name,
                        "routing_key": event.routing_key,
                        "data": event.data,
                    }
                )

    def handle(self, message: Any) -> None:
        """One client message, through Blackhole's steps."""
        if not isinstance(message, dict):
            message = {}
        request_id = message.get("request_id")
        action = message.get("action")
        error = self._check(message, action)
        if error is None and action == "subscribe":
            module = str(message["data"]["binding"]).split(".", 1)[0]
            if module in self.server.unloaded_modules:  # bh_events.erl:94-97
                error = "no available subscriptions to requested binding"
        if error is not None:
            # Only a message that passes every step keeps its context.
            self._reply(request_id, "error", {"errors": [error]})
            return
        self.authenticated = True
        if action == "ping" and self.server.bh_ping:
            self.send({"response": "pong"})
            return
        if action in ("subscribe", "unsubscribe"):
            binding = message["data"]["binding"]
            if action == "subscribe":
                repeat = _CALL_AMQP_BINDINGS if binding.startswith("call.") else 1
                self.bindings.extend([binding] * repeat)
            else:
                self.bindings = [b for b in self.bindings if b != binding]
        self._reply(request_id, "success", {"subscribed": self._subscribed()})

    def _check(self, message: dict[str, Any], action: Any) -> str | None:
        """Rate, token, validation and authorisation, in Blackhole's order."""
        if not self.bucket.take():
            return f"rate limiting threshold hit for {self.id}!"
        state = self.server.state
        if not self.authenticated:
            token = message.get("auth_token")
            auth = state.valid_token(token) if isinstance(token, str) else None
            if auth is None:
                # Kazoo echoes the token it refused.
                return f"failed to authenticate token {token}"
            self.account_id = auth.account_id
        if action not in ("subscribe", "unsubscribe", "ping"):
            return f"unknown action {action}"
        if action == "ping":
            return None
        data = message.get("data")
        data = data if isinstance(data, dict) else {}
        missing = [key for key in ("account_id", "binding") if not data.get(key)]
        if missing:
            return f"missing required keys : {', '.join(missing)}"
        if data["account_id"] != state.account_id or data["account_id"] != self.account_id:
            return f"unauthorized access to account {data['account_id']}"
        if not valid_binding(str(data["binding"]), state.blackhole_version):
            return f"binding not supported: {data['binding']}"
        return None

    def _subscribed(self) -> list[str]:
        # Replies list presence bindings without their `presence.` prefix.
        return [b.removeprefix("presence.") for b in self.bindings]

    def _reply(self, request_id: Any, status: str, data: dict[str, Any]) -> None:
        self.send({"action": "reply", "request_id": request_id, "status": status, "data": data})


class BlackholeServer:
    """The Blackhole websocket of one simulated Kazoo account."""

    def __init__(self, state: Any) -> None:
        """Serve `state` (a KazooState) and hear of its events."""
        self.state = state
        self.hub = SocketHub()
        self.bh_ping = False
        # Blackhole modules (`call`, `object`, `presence`) not running: `GET /v2/websockets`
        # reads configuration and may still list them, and a subscribe is refused.
        self.unloaded_modules: set[str] = set()
        self.idle_timeout = 3600.0  # seconds from the client's last frame
        self.max_connections_per_ip: int | None = None
        self.write_delay = 0.0  # seconds per message: a slow link, to see 4.3's drops
        self.dropped = 0  # messages dropped under back pressure (4.3)
        self._sessions: set[_Session] = set()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        state.event_listeners.append(self._publish)

    @property
    def url(self) -> str:
        """`ws://127.0.0.1:<port>` while running."""
        if self._url is None:
            raise RuntimeError("the Blackhole server is not running")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `port` (0: a free one)."""
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound = self._runner.addresses[0][1]
        url_host = f"[{host}]" if ":" in host else host
        self._url = f"ws://{url_host}:{bound}"

    async def stop(self) -> None:
        """Close every socket and stop listening."""
        await self.hub.drop()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._url = None

    def _publish(self, event: BusEvent) -> None:
        if event.routing[0] == "presence" and self.state.blackhole_version != "5":
            return  # 4.3 has no presence events
        for session in list(self._sessions):
            session.deliver(event)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        faults = self.hub.faults
        if faults.refuse_status is not None:
            return web.Response(status=faults.refuse_status, text="refused")
        if "Sec-WebSocket-Protocol" in request.headers:
            return web.Response(status=400, text="no subprotocols")
        ip = request.remote or "unknown"
        cap = self.max_connections_per_ip
        if cap is not None and sum(s.ip == ip for s in self._sessions) >= cap:
            return web.Response(status=429, text="too many connections")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        session = _Session(self, socket, ip)
        self._sessions.add(session)
        self.hub.opened(socket)
        writer = asyncio.create_task(session.write())
        try:
            await self._read(session)
        finally:
            writer.cancel()
            self._sessions.discard(session)
            self.hub.closed(socket)
            with contextlib.suppress(Exception):
                await socket.close()
        return socket

    async def _read(self, session: _Session) -> None:
        while True:
            try:
                message = await session.socket.receive(timeout=self.idle_timeout)
            except TimeoutError:
                return  # idle for too long
            if message.type is not WSMsgType.TEXT:
                return
            try:
                payload = json.loads(message.data)
            except ValueError:
                return  # Blackhole's handler crashes on invalid JSON: the socket closes
            session.handle(payload)
