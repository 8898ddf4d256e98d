"""Push: follow a server's event websocket, with polling as the safety net.

After every (re)connect the socket is subscribed first, its events are buffered while one
poll resyncs over REST (nothing is replayed by either server), and then the buffer and
every later event are applied. While the socket is up the coordinator polls only at the
adapter's slow safety pace; while it is down, at the normal pace, and the socket is
retried with backoff and jitter. An unreachable socket is not an error: the entry polls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
import random
import time
from typing import Any, Protocol

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.util import dt as dt_util

from .backends.base import EventStream, PbxBackend
from .const import LOGGER
from .pbx import PbxError

# Reconnect delays grow from the first to the last, each with +-50 % jitter, and start
# again from the first once a connection lasted a while.
RECONNECT_FIRST = 2.0
RECONNECT_MAX = 300.0
STABLE_AFTER = 60.0
# Events that arrive within this long of the last applied batch are applied together: a
# burst costs a few snapshot rebuilds, not one per event.
BATCH_WINDOW = 0.05


@dataclass(slots=True)
class LiveStatus:
    """What the live-updates entity and diagnostics show."""

    supported: bool = True  # False: this server kind has no event socket
    connected: bool = False
    connected_since: datetime | None = None
    connections: int = 0
    events: int = 0
    last_error: str | None = None  # why the socket last failed or dropped


class PushTarget[EventT](Protocol):
    """Where the push task reports: the coordinator, seen through three callbacks."""

    async def async_live_started(self, *, resync: bool) -> None:
        """The socket is up: poll only as a safety net; read the server now if `resync`."""

    async def async_live_ended(self) -> None:
        """The socket is down: poll at the normal pace, starting now (events were missed)."""

    def async_apply_events(self, events: Sequence[EventT]) -> None:
        """Show what a batch of events changed."""


class _Ended:
    """Put in the queue when the socket's stream ends, with why."""

    def __init__(self, error: PbxError | None) -> None:
        self.error = error


class LiveUpdates[EventT]:
    """Keeps one entry's event socket connected and feeds its events to a target."""

    def __init__(self, backend: PbxBackend[EventT], target: PushTarget[EventT], name: str) -> None:
        """Follow `backend`'s socket for `target`; nothing runs until :meth:`async_run`.

        `name` is the entry's, for the log.
        """
        self._backend = backend
        self._target = target
        self._name = name
        self.status = LiveStatus()
        self._listeners: list[CALLBACK_TYPE] = []
        self._rng = random.Random()  # noqa: S311 - reconnect jitter, not a secret
        # A socket opened before the first poll, not yet followed.
        self._opened: EventStream[EventT] | None = None

    async def async_open(self) -> None:
        """Try to open the socket before the first poll, which then is its resync.

        A server whose socket cannot be reached is polled; the background task retries.
        """
        try:
            self._opened = await self._backend.async_open_events()
        except PbxError as err:
            self._failed(err)
        if self._opened is None and self.status.last_error is None:
            self.status.supported = False

    async def async_close(self) -> None:
        """Close a socket opened for an entry whose setup then failed."""
        if self._opened is not None:
            await self._opened.close()
            self._opened = None

    @callback
    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> Callable[[], None]:
        """Hear of every change of :attr:`status`."""
        self._listeners.append(update_callback)
        return lambda: self._listeners.remove(update_callback)

    def details(self) -> dict[str, Any]:
        """For diagnostics: the status, and where the socket goes and what it listens to."""
        status = self.status
        return {
            "supported": status.supported,
            "connected": status.connected,
            "connected_since": status.connected_since,
            "connections": status.connections,
            "reconnects": max(0, status.connections - 1),
            "events": status.events,
            "last_error": status.last_error,
            **self._backend.live_details(),
        }

    async def async_run(self) -> None:
        """Follow the socket, reconnecting with backoff, until cancelled (the entry unloads)."""
        if not self.status.supported:
            return
        delay = RECONNECT_FIRST
        stream, self._opened = self._opened, None
        resynced = stream is not None  # the first poll came after it subscribed
        while True:
            if stream is None:
                try:
                    stream = await self._backend.async_open_events()
                except PbxError as err:
                    self._failed(err)
            if stream is not None:
                started = time.monotonic()
                await self._follow(stream, resync=not resynced)
                if time.monotonic() - started >= STABLE_AFTER:
                    delay = RECONNECT_FIRST
            stream, resynced = None, False
            await asyncio.sleep(delay * self._rng.uniform(0.5, 1.5))
            delay = min(delay * 2, RECONNECT_MAX)

    async def _follow(self, stream: EventStream[EventT], *, resync: bool) -> None:
        """Resync unless a poll already did since it subscribed, then apply its events."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        reader = asyncio.create_task(_read(stream, queue))
        self.status.connected = True
        self.status.connected_since = dt_util.utcnow()
        self.status.connections += 1
        self._changed()
        try:
            # Events are buffered in the queue while a resync reads the server once.
            await self._target.async_live_started(resync=resync)
            await self._apply(queue)
        finally:
            reader.cancel()
            await stream.close()
            self.status.connected = False
            self.status.connected_since = None
            self._changed()
        await self._target.async_live_ended()

    async def _apply(self, queue: asyncio.Queue[Any]) -> None:
        applied_at = 0.0
        while True:
            batch = [await queue.get()]
            if (wait := applied_at + BATCH_WINDOW - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            while not queue.empty():
                batch.append(queue.get_nowait())
            ended = next((item for item in batch if isinstance(item, _Ended)), None)
            events = [item for item in batch if not isinstance(item, _Ended)]
            if events:
                self.status.events += len(events)
                self._target.async_apply_events(events)
                applied_at = time.monotonic()
            if ended is not None:
                if ended.error is not None:
                    self._failed(ended.error)
                return

    def _failed(self, err: PbxError) -> None:
        if self.status.last_error is None:
            # Once: a server without a reachable socket is polled, which is fine.
            LOGGER.info(
                "Live updates from %s are not available (%s); polling instead",
                self._name,
                err,
            )
        else:
            LOGGER.debug("Live updates of %s failed: %s", self._name, err)
        self.status.last_error = str(err) or type(err).__name__

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()


async def _read[EventT](stream: EventStream[EventT], queue: asyncio.Queue[Any]) -> None:
    """Move the socket's events into the queue, then say how the stream ended."""
    try:
        async for event in stream:
            queue.put_nowait(event)
    except PbxError as err:
        queue.put_nowait(_Ended(err))
    else:
        queue.put_nowait(_Ended(None))
