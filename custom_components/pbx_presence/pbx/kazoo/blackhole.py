"""Kazoo's Blackhole websocket: subscribe to call, voicemail (MWI) and object events.

The protocol, as Kazoo's source has it: no subprotocol; one binding per `subscribe`
message, each carrying the token until the socket is authenticated (a token that expires
later does not stop events); replies name our `request_id`; an hour without a frame from
us closes the socket, so a `ping` goes out every few minutes and any reply to it means
"alive" (servers without `bh_ping` answer it with a stale success reply). Error replies
echo the token: it is cut out of anything that reaches an exception or a log line.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
import contextlib
from dataclasses import dataclass
import hashlib
import itertools
import json
import logging
from typing import Any, Self

import aiohttp
from yarl import URL

from .._parse import as_object, get_str
from ..errors import (
    PbxAuthenticationError,
    PbxConnectionError,
    PbxError,
    PbxForbiddenError,
    PbxRateLimitError,
    PbxResponseError,
    PbxTimeoutError,
    PbxValidationError,
)
from .models import KazooChannel

_LOGGER = logging.getLogger(__name__)

# A ping this often keeps the server's idle timeout (an hour) away, and no answer to it
# within the reply timeout means the socket is dead: a socket that answers nothing is
# found out within 40 seconds. A ping costs one token of the socket's bucket (100, +10/s).
KEEPALIVE_INTERVAL = 30.0
REPLY_TIMEOUT = 10.0


# --- events -------------------------------------------------------------------------------


def _nested(data: Mapping[str, Any], path: str) -> Any:
    """A value by dotted path, whether Blackhole nested it or kept the dotted key."""
    if path in data:
        return data[path]
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _opt_str(data: Mapping[str, Any], path: str) -> str | None:
    value = _nested(data, path)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PbxResponseError(f"Field {path!r} is not text")
    return str(value)


def _opt_int(data: Mapping[str, Any], path: str) -> int | None:
    value = _nested(data, path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PbxResponseError(f"Field {path!r} is not a number")
    try:
        return int(value)
    except ValueError:
        raise PbxResponseError(f"Field {path!r} is not a number") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class KazooCallEvent:
    """A call leg's event (`call.<EVENT>.<CALL_ID>`): created, answered, bridged, ended..."""

    event: str  # CHANNEL_CREATE, CHANNEL_ANSWER, CHANNEL_DESTROY, ...
    call_id: str
    direction: str | None  # as channels' `direction`: `inbound` legs are the caller's
    presence_id: str | None
    owner_id: str | None
    authorizing_id: str | None
    username: str | None
    other_leg_call_id: str | None
    caller_id_name: str | None
    caller_id_number: str | None
    callee_id_name: str | None
    callee_id_number: str | None
    timestamp: int | None  # Gregorian seconds
    hangup_cause: str | None = None
    # `<number dialled>@<realm>` (CREATE, ANSWER, DESTROY)
    request: str | None = None

    @classmethod
    def from_event(cls, name: str, data: Mapping[str, Any]) -> Self:
        """Build from an event's name and data."""
        return cls(
            event=name,
            call_id=get_str(data, "call_id"),
            direction=_opt_str(data, "call_direction"),
            presence_id=_opt_str(data, "presence_id"),
            owner_id=_opt_str(data, "custom_channel_vars.owner_id"),
            authorizing_id=_opt_str(data, "custom_channel_vars.authorizing_id"),
            username=_opt_str(data, "custom_channel_vars.username"),
            other_leg_call_id=_opt_str(data, "other_leg_call_id"),
            caller_id_name=_opt_str(data, "caller_id_name"),
            caller_id_number=_opt_str(data, "caller_id_number"),
            callee_id_name=_opt_str(data, "callee_id_name"),
            callee_id_number=_opt_str(data, "callee_id_number"),
            timestamp=_opt_int(data, "timestamp"),
            hangup_cause=_opt_str(data, "hangup_cause"),
            request=_opt_str(data, "request"),
        )

    def as_channel(self) -> KazooChannel:
        """The leg as `GET /channels` lists it, so call state follows the same rules."""
        return KazooChannel(
            uuid=self.call_id,
            answered=self.event in ("CHANNEL_ANSWER", "CHANNEL_BRIDGE"),
            direction=self.direction,
            presence_id=self.presence_id,
            owner_id=self.owner_id,
            authorizing_id=self.authorizing_id,
            username=self.username,
            destination=self.dialled,
            other_leg=self.other_leg_call_id,
            timestamp=self.timestamp,
            caller_id_name=self.caller_id_name,
            caller_id_number=self.caller_id_number,
            callee_id_name=self.callee_id_name,
            callee_id_number=self.callee_id_number,
        )

    @property
    def dialled(self) -> str | None:
        """The number the phone dialled, for a leg it created: `request`'s user part.

        The callee's number is usually still empty when the leg is created.
        """
        if self.direction != "inbound":
            return None
        if self.request and (number := self.request.split("@", 1)[0]):
            return number
        return self.callee_id_number


@dataclass(frozen=True, slots=True, kw_only=True)
class KazooMwiEvent:
    """A voicemail box's message counts (`presence.mwi_updates`, Kazoo 5.x)."""

    user: str  # the mailbox the lamp goes by, without the realm
    messages_new: int
    messages_saved: int

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> Self:
        """Build from an event's data (`to` is `<mailbox>@<realm>`)."""
        user = _opt_str(data, "to_user") or get_str(data, "to").split("@", 1)[0]
        return cls(
            user=user,
            messages_new=_opt_int(data, "messages_new") or 0,
            messages_saved=_opt_int(data, "messages_saved") or 0,
        )


# The lamp states a presence `set` (Crossbar) or a `*`-code (cf_manual_presence) forces.
MANUAL_PRESENCE_STATES = frozenset({"early", "confirmed", "terminated"})
# The apps that publish manual presence: Crossbar's presence `set`, the callflow feature
# (and callflow answering a phone's probe with the stored manual state, cf_util.erl).
MANUAL_PRESENCE_APPS = frozenset({"crossbar", "callflow"})


@dataclass(frozen=True, slots=True, kw_only=True)
class KazooPresenceUpdateEvent:
    """A presence `update` (`presence.update.*`, Kazoo 5.x): a lamp forced, or a probe's answer.

    Real calls' lamps are `dialog` messages; an `update` is a manual override (Crossbar
    `set`, a `*`-code: state early/confirmed/terminated, `Call-ID = md5(presence_id)`,
    no direction) or an online/offline answer to a SUBSCRIBE probe (ecallmgr, ACDc).
    """

    presence_id: str  # <user>@<realm>
    state: str
    call_id: str | None
    app_name: str | None

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> Self:
        """Build from an event's data."""
        return cls(
            presence_id=get_str(data, "presence_id"),
            state=(_opt_str(data, "state") or "").lower(),
            call_id=_opt_str(data, "call_id"),
            app_name=_opt_str(data, "app_name"),
        )

    @property
    def user(self) -> str:
        """The presence id's user part: the lamp's name."""
        return self.presence_id.split("@", 1)[0]

    @property
    def manual(self) -> bool:
        """Whether this is a lamp forced by hand, not a probe's online/offline answer."""
        if self.state not in MANUAL_PRESENCE_STATES:
            return False
        fake = hashlib.md5(self.presence_id.encode(), usedforsecurity=False).hexdigest()
        return self.call_id == fake or (self.app_name or "").lower() in MANUAL_PRESENCE_APPS


@dataclass(frozen=True, slots=True, kw_only=True)
class KazooObjectEvent:
    """A directory document was created, edited or deleted (`object.*`)."""

    action: str  # doc_created, doc_edited, doc_deleted
    doc_type: str  # device, user, vmbox
    doc_id: str | None

    @classmethod
    def from_event(cls, name: str, routing_key: str, data: Mapping[str, Any]) -> Self:
        """Build from an event; the type comes from the data, else the routing key."""
        parts = routing_key.split(".")
        return cls(
            action=name,
            doc_type=_opt_str(data, "type") or (parts[2] if len(parts) > 2 else ""),
            doc_id=_opt_str(data, "id"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class KazooParkEvent:
    """A call parked, retrieved or abandoned (`call.PARK_<...>.*`, published by cf_park).

    cf_park sends `PARK_RETRIEVED` twice, from the retriever's call and from the parked
    one; either empties the slot. No direction, no presence id: only the slot names where.
    """

    event: str  # PARK_PARKED, PARK_RETRIEVED, PARK_ABANDONED
    slot: str
    call_id: str | None
    caller_id_name: str | None
    caller_id_number: str | None

    @classmethod
    def from_event(cls, name: str, data: Mapping[str, Any]) -> Self:
        """Build from an event's name and data."""
        return cls(
            event=name,
            slot=get_str(data, "parking_slot"),
            call_id=_opt_str(data, "call_id"),
            caller_id_name=_opt_str(data, "caller_id_name"),
            caller_id_number=_opt_str(data, "caller_id_number"),
        )


type BlackholeEvent = (
    KazooCallEvent | KazooMwiEvent | KazooObjectEvent | KazooParkEvent | KazooPresenceUpdateEvent
)


def parse_event(message: Mapping[str, Any]) -> BlackholeEvent | None:
    """The typed event of an `event` message; None for kinds we do not follow."""
    key = str(message.get("subscribed_key") or message.get("routing_key") or "")
    name = str(message.get("name") or "")
    data = as_object(message.get("data"), "event data")
    category = key.split(".", 1)[0]
    if category == "call":
        event = name or key.split(".")[1]
        if event.startswith("PARK_"):
            return KazooParkEvent.from_event(event, data)
        return KazooCallEvent.from_event(event, data)
    if category == "object":
        return KazooObjectEvent.from_event(name, str(message.get("routing_key") or key), data)
    # bh_presence names its bindings without the `presence.` prefix.
    if key.startswith(("presence.mwi_updates.", "mwi_updates.")):
        return KazooMwiEvent.from_event(data)
    if key.startswith(("presence.update.", "update.")):
        return KazooPresenceUpdateEvent.from_event(data)
    return None


# --- the socket ---------------------------------------------------------------------------


class BlackholeSocket:
    """One connection to Blackhole for one account; iterate it for events."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        account_id: str,
        token: Callable[[], Awaitable[str]],
        keepalive: float = KEEPALIVE_INTERVAL,
        reply_timeout: float = REPLY_TIMEOUT,
    ) -> None:
        """Nothing is sent before :meth:`connect`; `token` gives a valid token when asked."""
        self._session = session
        self.url = url
        self._account_id = account_id
        self._token = token
        self._keepalive = keepalive
        self._reply_timeout = reply_timeout
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._request_ids = itertools.count(1)
        self._replies: dict[str, asyncio.Future[Mapping[str, Any]]] = {}
        self._events: asyncio.Queue[BlackholeEvent | PbxError | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._secret = ""  # the token sent, to cut out of server texts
        self._closed = False
        self.subscribed: list[str] = []

    async def connect(self) -> None:
        """Open the socket (no subprotocol: Blackhole refuses any with HTTP 400)."""
        try:
            async with asyncio.timeout(self._reply_timeout):
                self._ws = await self._session.ws_connect(self.url, autoping=True)
        except aiohttp.WSServerHandshakeError as err:
            if err.status == 429:
                raise PbxRateLimitError(None) from err
            raise PbxConnectionError(
                f"Blackhole at {self._host} refused the websocket (HTTP {err.status})"
            ) from err
        except TimeoutError as err:
            raise PbxTimeoutError(f"No websocket from {self._host} in time") from err
        except (aiohttp.ClientError, OSError) as err:
            raise PbxConnectionError(
                f"Cannot open the websocket at {self._host}: {type(err).__name__}"
            ) from err
        self._tasks = [
            asyncio.create_task(self._receive()),
            asyncio.create_task(self._keep_alive()),
        ]

    @property
    def _host(self) -> str:
        return URL(self.url).host or "?"

    async def subscribe(self, bindings: Sequence[str]) -> list[str]:
        """Subscribe to each binding in its own message; return what the socket has."""
        for binding in bindings:
            reply = await self._request(
                "subscribe", {"binding": binding}, with_token=True, what=binding
            )
            subscribed = as_object(reply.get("data"), "reply data").get("subscribed")
            if isinstance(subscribed, list):
                self.subscribed = [str(item) for item in subscribed]
        return self.subscribed

    async def subscribe_optional(self, bindings: Sequence[str]) -> dict[str, str]:
        """Subscribe to bindings the socket can do without; return those refused, and why.

        Blackhole refuses a binding whose module is not running ("no available
        subscriptions to requested binding"); the others stand.
        """
        refused: dict[str, str] = {}
        for binding in bindings:
            try:
                await self.subscribe([binding])
            except (PbxValidationError, PbxForbiddenError) as err:
                refused[binding] = str(err)
        return refused

    async def close(self) -> None:
        """Close the socket; iteration ends."""
        self._closed = True
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        self._events.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[BlackholeEvent]:
        """Events until the socket ends: a drop or silence raises PbxConnectionError."""
        while True:
            item = await self._events.get()
            if item is None:
                return
            if isinstance(item, PbxError):
                raise item
            yield item

    # --- internals ----------------------------------------------------------------------

    async def _request(
        self, action: str, data: dict[str, Any] | None, *, with_token: bool, what: str = ""
    ) -> Mapping[str, Any]:
        """Send one message and wait for the reply to its request id."""
        if self._ws is None:
            raise PbxConnectionError("The websocket is not connected")
        request_id = f"pbx-presence-{next(self._request_ids)}"
        message: dict[str, Any] = {"action": action, "request_id": request_id}
        if with_token:
            self._secret = await self._token()
            message["auth_token"] = self._secret
        if data is not None:
            message["data"] = {"account_id": self._account_id, **data}
        future: asyncio.Future[Mapping[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        try:
            await self._ws.send_str(json.dumps(message))
            async with asyncio.timeout(self._reply_timeout):
                reply = await future
        except TimeoutError as err:
            raise PbxTimeoutError(f"Blackhole did not answer {action} in time") from err
        except (aiohttp.ClientError, ConnectionError) as err:
            raise PbxConnectionError(f"The websocket failed: {type(err).__name__}") from err
        finally:
            self._replies.pop(request_id, None)
        if reply.get("status") == "error":
            raise self._error(f"{action} {what}".strip(), reply)
        return reply

    def _error(self, action: str, reply: Mapping[str, Any]) -> PbxError:
        """The error of an error reply, with the token cut out of the server's words.

        bh_token_auth's errors name the token; bh_authz_subscribe's ("unauthorized
        account id", "auth_account_id not set") are a permission, not the login.
        """
        data = reply.get("data")
        errors = data.get("errors") if isinstance(data, Mapping) else None
        text = "; ".join(str(e) for e in errors) if isinstance(errors, list) else str(data)
        if self._secret:
            text = text.replace(self._secret, "<token>")
        lowered = text.lower()
        if "token" in lowered:
            return PbxAuthenticationError(f"Blackhole refused the login: {text}")
        if "unauthorized" in lowered or "auth_account_id" in lowered:
            return PbxForbiddenError(f"Blackhole refused {action}: {text}")
        if "rate limit" in lowered:
            return PbxRateLimitError(None)
        return PbxValidationError(f"Blackhole refused {action}: {text}")

    async def _receive(self) -> None:
        """Route replies to their requests and events to the queue, until the socket ends."""
        assert self._ws is not None  # noqa: S101 - started by connect()
        error: PbxError | None = None
        try:
            async for frame in self._ws:
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    break
                self._dispatch(frame.data)
        except (aiohttp.ClientError, ConnectionError) as err:
            error = PbxConnectionError(f"The websocket failed: {type(err).__name__}")
        if not self._closed:
            self._fail(error or PbxConnectionError("Blackhole closed the websocket"))

    def _dispatch(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            _LOGGER.debug("Skipped a websocket frame that is not JSON (%d characters)", len(text))
            return
        if not isinstance(message, Mapping):
            return
        if message.get("action") == "reply":
            # Every reply names our request id (`bh_ping`'s pong is its `data.response`).
            request_id = message.get("request_id")
            future = self._replies.get(str(request_id))
            if future is not None and not future.done():
                future.set_result(message)
            return
        if message.get("action") == "event":
            try:
                event = parse_event(message)
            except PbxError as err:
                _LOGGER.debug("Skipped an event Blackhole sent malformed: %s", err)
                return
            if event is not None:
                self._events.put_nowait(event)

    async def _keep_alive(self) -> None:
        """Ping every few minutes: any reply is alive, none within the timeout is dead."""
        while True:
            await asyncio.sleep(self._keepalive)
            try:
                await self._request("ping", None, with_token=False)
            except (PbxAuthenticationError, PbxForbiddenError, PbxValidationError):
                pass  # an error reply is still a reply: the socket is alive
            except PbxError as err:
                self._fail(PbxConnectionError(f"Blackhole stopped answering: {err}"))
                return

    def _fail(self, error: PbxError) -> None:
        """End iteration with `error`, once."""
        if self._closed:
            return
        self._closed = True
        for future in self._replies.values():
            if not future.done():
                future.set_exception(error)
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        self._events.put_nowait(error)
