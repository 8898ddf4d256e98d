"""iSymphony's event websocket (3.2+): `/communication_manager/ws/event` on the REST port.

As the shared API doc describes it: the same servlet (so the same SSL redirect, IP
allow-list and Basic auth as REST, checked before this handler runs), JSON text both ways,
every event with `type`, `time` and the live `coreServerId`. One socket carries the events
of every core server of the server. A `filter` message sets the connection's filters,
which filter *in*, as the only (2015) revision that documents them reads: "If an event
does not contain a property specified in one of the filters, the event will not be
received", so an event must match every filter (two `type` filters let nothing through);
with no filter, every event is sent. The undocumented acknowledgement is left out (a
client must not wait for one); a message that is not JSON is ignored, as a Jetty endpoint
that cannot decode it would. Websocket pings are answered. A restart drops every
connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import WSMsgType, web

from .sockets import SocketHub

EVENT_PATH = ("communication_manager", "ws", "event")


class _Connection:
    def __init__(self, socket: web.WebSocketResponse) -> None:
        self.socket = socket
        # (property, value) pairs an event must all match; empty: everything
        self.filters: list[tuple[str, str]] = []
        self.outbox: asyncio.Queue[str] = asyncio.Queue()

    async def write(self) -> None:
        while True:
            await self.socket.send_str(await self.outbox.get())

    def wants(self, event: dict[str, Any]) -> bool:
        return all(prop in event and str(event[prop]) == value for prop, value in self.filters)

    def set_filters(self, message: Any) -> None:
        self.filters = [
            (str(item["property"]), str(item["value"]))
            for item in message.get("filters") or []
            if isinstance(item, dict) and "property" in item and "value" in item
        ]


class ISymphonyEvents:
    """The event websocket of one simulated iSymphony server."""

    def __init__(self) -> None:
        """No connections yet."""
        self.hub = SocketHub()
        self._connections: set[_Connection] = set()
        self._drops: set[asyncio.Task[None]] = set()

    def drop_all(self) -> None:
        """Drop every connection soon (a restart): from a sync caller in the event loop."""
        task = asyncio.get_running_loop().create_task(self.hub.drop())
        self._drops.add(task)
        task.add_done_callback(self._drops.discard)

    def publish(self, event: dict[str, Any]) -> None:
        """Send an event (with `type` and `coreServerId`) to every connection that wants it."""
        if self.hub.faults.silent:
            return
        message = {"time": int(time.time() * 1000), **event}
        for connection in list(self._connections):
            if connection.wants(message):
                if self.hub.faults.garbage:
                    connection.outbox.put_nowait("{not json")
                connection.outbox.put_nowait(json.dumps(message))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Upgrade and serve one connection (auth was checked by the servlet)."""
        faults = self.hub.faults
        if faults.refuse_status is not None:
            return web.Response(status=faults.refuse_status, text="refused")
        # A silent server answers nothing, not even pings.
        socket = web.WebSocketResponse(autoping=not faults.silent)
        await socket.prepare(request)
        connection = _Connection(socket)
        self._connections.add(connection)
        self.hub.opened(socket)
        writer = asyncio.create_task(connection.write())
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    continue
                if isinstance(payload, dict) and payload.get("type") == "filter":
                    connection.set_filters(payload)
        finally:
            writer.cancel()
            self._connections.discard(connection)
            self.hub.closed(socket)
        return socket
