"""Kazoo's Blackhole websocket, as 4.3 (default) and 5.x behave; on its own port.

Modelled on the shared API doc ("Real-time events: the Blackhole websocket"):
- no `Sec-WebSocket-Protocol` (HTTP 400), an optional connection cap per IP (HTTP 429);
- one binding per `subscribe` / `unsubscribe` message; each message passes a rate bucket per
  socket, a token check (skipped once the socket is authenticated; its error echoes the
  token), validation, authorisation, then the command;
- a client binding stands for one AMQP binding or more (bh_call, bh_object, bh_presence):
  `call.<EVENT>.*` one (`call.<account>.<EVENT>.*`), `call.*.*` one per call event (9),
  `object.*.<type>` one, `object.*.*` two (the account's database and its month's MODB),
  `presence.<kind>.*` one on the realm, named without its `presence.` prefix;
- replies list the socket's client bindings once per AMQP binding (bh_context); `ping`
  gets `{"response": "pong"}` as the reply's data only with `bh_ping`; without it, and
  for an action no module knows, a success reply with the previous reply's data;
- events are `{"action": "event", "subscribed_key", "subscription_key", "name",
  "routing_key", "data"}` (the client binding, the AMQP binding it came by, the AMQP
  routing key), once per AMQP binding that matches, with lowercased, underscored,
  null-free data;
- errors in Kazoo's words (bh_token_auth, bh_events, bh_authz_subscribe, bh_call,
  bh_object, bh_presence), and only a message that passes every step keeps its context;
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
PRESENCE_KINDS = ("dialog", "update", "mwi_updates")
OBJECT_ACTIONS = ("doc_created", "doc_edited", "doc_deleted")
# doc_types.hrl: ?DOC_TYPES, and those kept in the account's month database (MODB).
OBJECT_TYPES = (
    "account",
    "callflow",
    "device",
    "faxbox",
    "media",
    "user",
    "vmbox",
    "fax",
    "mailbox_message",
    "call_recording",
)
MODB_TYPES = ("fax", "mailbox_message")
MAX_QUEUED = 50  # 4.3: beyond this, messages to a socket are dropped
RATE_CAPACITY = 100
RATE_PER_SECOND = 10.0


@dataclass(frozen=True)
class BusEvent:
    """One event on Kazoo's message bus, as Blackhole would route it.

    `routing` says what it is: e.g. `("call", "CHANNEL_CREATE", <call id>)`,
    `("presence", "update", <call id>)`, `("presence", "mwi_updates", <user>)`,
    `("object", "doc_edited", "device")`; `amqp_routing_key` makes the key AMQP
    bindings match and events show.
    """

    routing: tuple[str, str, str]
    name: str
    data: dict[str, Any]


def event_data(**values: Any) -> dict[str, Any]:
    """Event data as Blackhole sends it: nulls dropped (nested objects too)."""
    return {
        key: event_data(**value) if isinstance(value, dict) else value
        for key, value in values.items()
        if value is not None
    }


def amqp_encode(text: str) -> str:
    """A routing key part as kz_amqp_util:encode/1 writes it (`.` is `%2E`)."""
    if text in ("", "*", "#"):
        return text
    out = []
    for char in text:
        if (char.isascii() and char.isalnum()) or char in "-~_":
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode())
    return "".join(out)


def account_db(account_id: str) -> str:
    """An account's database name as routing keys carry it (`account%2Fab%2Fcd%2F...`)."""
    return f"account%2F{account_id[:2]}%2F{account_id[2:4]}%2F{account_id[4:]}"


def binding_error(binding: str, version: BlackholeVersion) -> str | None:
    """Why Blackhole's validation refuses a binding, in its words; None when it passes.

    A binding of a module that is not there passes validation (no module answers) and
    is refused when subscribing: see `amqp_bindings`.
    """
    category, _, rest = binding.partition(".")
    keys = rest.split(".") if rest else []
    if category == "call":
        return _call_binding_error(keys)
    if category == "object":
        return _object_binding_error(keys)
    if category == "presence" and version == "5":  # bh_presence.erl: validate/2
        if not keys:
            return "invalid format for presence subscription : "
        if keys[0] not in PRESENCE_KINDS:
            return f"event {keys[0]} not supported"
    return None


def _call_binding_error(keys: list[str]) -> str | None:
    """bh_call.erl: validate/2."""
    if len(keys) != 2:
        return f"invalid format for call subscription : {', '.join(keys)}"
    if keys[0] != "*" and keys[0] not in CALL_EVENTS:
        return f"event {keys[0]} not supported"
    return None


def _object_binding_error(keys: list[str]) -> str | None:
    """bh_object.erl: validate/2."""
    if len(keys) != 2:
        return f"invalid format for object subscription : {', '.join(keys)}"
    action, doc_type = keys
    if action != "*" and action not in OBJECT_ACTIONS:
        return f"event {action}.{'*' if doc_type == '*' else doc_type} not supported"
    if doc_type != "*" and doc_type not in OBJECT_TYPES:
        return f"event {action}.{doc_type} not supported"
    return None


def amqp_bindings(
    binding: str, account_id: str, realm: str, version: BlackholeVersion
) -> tuple[str, list[str]]:
    """The client binding a reply names, and the AMQP bindings behind it (none: refused).

    bh_call binds `call.<account>.<EVENT>.<id>` for one event or each of the nine;
    bh_object the account's database (and for `*` types also its month's MODB);
    bh_presence the realm, and names the binding without `presence.`.
    """
    category, _, rest = binding.partition(".")
    keys = rest.split(".")
    if category == "call" and len(keys) == 2:
        events = CALL_EVENTS if keys[0] == "*" else (keys[0],)
        return binding, [f"call.{account_id}.{event}.{keys[1]}" for event in events]
    if category == "object" and len(keys) == 2:
        action, doc_type = keys
        database = account_db(account_id)
        modb = f"{database}-{time.strftime('%Y%m', time.gmtime())}"
        if doc_type == "*":
            return binding, [f"{action}.{database}.*.*", f"{action}.{modb}.*.*"]
        where = modb if doc_type in MODB_TYPES else database
        return binding, [f"{action}.{where}.{doc_type}.*"]
    if category == "presence" and version == "5" and len(keys) == 2:
        return rest, [f"{keys[0]}.{amqp_encode(realm)}.{keys[1]}"]
    return binding, []


def amqp_routing_key(event: BusEvent, account_id: str, realm: str) -> str:
    """The AMQP routing key an event is published with (what AMQP bindings match)."""
    category, first, last = event.routing
    if category == "call":  # blackhole_listener.erl: handle_hook_event/3
        return f"call.{account_id}.{first}.{amqp_encode(last)}"
    if category == "object":  # kapi_conf / kz_amqp_util:document_routing_key/4
        database = str(event.data.get("database") or account_db(account_id))
        return f"{first}.{database}.{last}.{amqp_encode(str(event.data.get('id', '')))}"
    # kapi_presence: `<kind>.<realm>.<call id or user>`
    return f"{first}.{amqp_encode(realm)}.{amqp_encode(last)}"


def _topic_matches(binding: str, key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` any number of words."""

    def match(want: list[str], got: list[str]) -> bool:
        if not want:
            return not got
        if want[0] == "#":
            return any(match(want[1:], got[index:]) for index in range(len(got) + 1))
        return bool(got) and want[0] in ("*", got[0]) and match(want[1:], got[1:])

    return match(binding.split("."), key.split("."))


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
        # (client binding, AMQP binding) pairs, in the order subscribed (bh_context).
        self.bindings: list[tuple[str, str]] = []
        self.account_id: str | None = None
        self.authenticated = False
        # The context's reply data: what a ping without bh_ping, or an unknown action, gets.
        self.resp_data: dict[str, Any] = {}
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

    def deliver(self, event: BusEvent, routing_key: str) -> None:
        """Send an event once for each of this socket's AMQP bindings that match it."""
        for client_binding, amqp_binding in self.bindings:
            if _topic_matches(amqp_binding, routing_key):
                self.send(
                    {
                        "action": "event",
                        "subscribed_key": client_binding,
                        "subscription_key": amqp_binding,
                        "name": event.name,
                        "routing_key": routing_key,
                        "data": event.data,
                    }
                )

    def handle(self, message: Any) -> None:
        """One client message, through Blackhole's steps."""
        if not isinstance(message, dict):
            message = {}
        request_id = message.get("request_id")
        action = message.get("action")
        account_id = self.account_id
        error = self._check(message, action)
        if error is None and action in ("subscribe", "unsubscribe"):
            error = self._command(action, message["data"]["binding"])
        if error is not None:
            # Only a message that passes every step keeps its context.
            self.account_id = account_id
            self._reply(request_id, "error", {"errors": [error]})
            return
        self.authenticated = True
        if action == "ping" and self.server.bh_ping:
            self.resp_data = {"response": "pong"}  # bh_ping.erl: ping/2
        # No module takes other actions (nor a ping without bh_ping): the context's old data.
        self._reply(request_id, "success", self.resp_data)

    def _command(self, action: str, binding: str) -> str | None:
        """Subscribe or unsubscribe (bh_events.erl); an error text, or None."""
        state = self.server.state
        module = binding.split(".", 1)[0]
        requested, amqp = amqp_bindings(
            binding, state.account_id, state.realm, state.blackhole_version
        )
        if not amqp or module in self.server.unloaded_modules:
            return "no available subscriptions to requested binding"
        pairs = [(requested, amqp_binding) for amqp_binding in amqp]
        if action == "subscribe":
            self.bindings += [pair for pair in pairs if pair not in self.bindings]
            self.resp_data = {"subscribed": self._subscribed()}
        else:
            self.bindings = [pair for pair in self.bindings if pair not in pairs]
            self.resp_data = {"unsubscribed": [requested], "subscribed": self._subscribed()}
        return None

    def _check(self, message: dict[str, Any], action: Any) -> str | None:
        """Rate, token, validation and authorisation, in Blackhole's order."""
        if not self.bucket.take():
            return f"rate limiting threshold hit for {self.id}!"
        if not self.authenticated and (error := self._authenticate(message)):
            return error
        if action not in ("subscribe", "unsubscribe"):
            return None
        data = message.get("data")
        data = data if isinstance(data, dict) else {}
        if not data:
            return "missing required keys in data object"
        missing = [key for key in ("account_id", "binding") if key not in data]
        if missing:
            return f"missing required keys : {', '.join(missing)}"
        data["binding"] = str(data["binding"])
        state = self.server.state
        if error := binding_error(data["binding"], state.blackhole_version):
            return error
        if action == "subscribe":  # bh_authz_subscribe.erl
            if data["account_id"] == "*":
                return "unauthorized wildcard account id"
            if data["account_id"] != state.account_id or data["account_id"] != self.account_id:
                return "unauthorized account id"
        return None

    def _authenticate(self, message: dict[str, Any]) -> str | None:
        """bh_token_auth.erl: the message's token, until one message fully succeeded."""
        token = message.get("auth_token")
        if token is None:
            return "authentication token required"
        if not isinstance(token, str):
            return "invalid authentication token format"
        auth = self.server.state.valid_token(token)
        if auth is None:
            # Kazoo echoes the token it refused.
            return f"failed to authenticate token {token}"
        self.account_id = auth.account_id
        return None

    def _subscribed(self) -> list[str]:
        # One entry per AMQP binding; presence bindings without their `presence.` prefix.
        return [client_binding for client_binding, _ in self.bindings]

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
        key = amqp_routing_key(event, self.state.account_id, self.state.realm)
        for session in list(self._sessions):
            session.deliver(event, key)

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
