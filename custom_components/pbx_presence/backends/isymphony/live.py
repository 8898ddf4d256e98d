"""iSymphony's live stream: the event websocket, plus a poll of what it does not report.

While the socket is up the entry polls only as a slow safety net, but calls and agents'
pauses have no event: the stream reads them at the normal pace in between (one request
per extension and per queue), and says so with an `ActivityRead` item when they changed.
A failed read costs that read only; the socket's end ends the stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
import logging

from ...pbx import PbxError
from ...pbx.isymphony import ISymphonyEvent, ISymphonyEventSocket

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ActivityRead:
    """Calls or agents changed, as a poll between events found."""


type LiveItem = ISymphonyEvent | ActivityRead


class _End:
    """The socket's iteration is over (its error, if any, is the reader task's)."""


class ISymphonyLiveStream:
    """The socket's events, and an `ActivityRead` whenever a poll in between found changes."""

    def __init__(
        self,
        socket: ISymphonyEventSocket,
        poll: Callable[[], Awaitable[bool]],
        interval: float,
    ) -> None:
        """Follow `socket`; every `interval` seconds, `poll` reads and says if it changed."""
        self._socket = socket
        self._poll = poll
        self._interval = interval
        self.polls = 0

    async def close(self) -> None:
        """Close the socket; iteration ends."""
        await self._socket.close()

    async def __aiter__(self) -> AsyncIterator[LiveItem]:
        """Events and activity until the socket ends (a drop raises PbxConnectionError)."""
        queue: asyncio.Queue[LiveItem | _End] = asyncio.Queue()
        reader = asyncio.create_task(self._read(queue))
        poller = asyncio.create_task(self._poll_now_and_then(queue))
        try:
            while not isinstance(item := await queue.get(), _End):
                yield item
            await reader  # raises what ended the socket
        finally:
            reader.cancel()
            poller.cancel()

    async def _read(self, queue: asyncio.Queue[LiveItem | _End]) -> None:
        try:
            async for event in self._socket:
                queue.put_nowait(event)
        finally:
            queue.put_nowait(_End())

    async def _poll_now_and_then(self, queue: asyncio.Queue[LiveItem | _End]) -> None:
        while True:
            await asyncio.sleep(self._interval)
            self.polls += 1
            try:
                changed = await self._poll()
            except PbxError as err:
                _LOGGER.debug("Reading iSymphony calls and agents failed: %s", err)
                continue
            if changed:
                queue.put_nowait(ActivityRead())
