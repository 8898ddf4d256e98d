"""iSymphony's event websocket (3.2+): `/communication_manager/ws/event` on the REST port.

As the shared API doc describes it: the same servlet (so the same SSL redirect, IP
allow-list and Basic auth as REST, checked before this handler runs), JSON text both ways,
every event with `type`, `time` and the live `coreServerId`. A `filter` message sets the
connection's filters, which filter *in*: an event must have each filtered property with
one of its values; with no filter, every event is sent. The undocumented acknowledgement
is left out (a client must not wait for one); a message that is not JSON is ignored, as a
Jetty endpoint that cannot decode it would. Websocket pings are answered.
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
        # property -> accepted values; empty: everything
        self.filters: dict[str, set[str]] = {}
        self.outbox: asyncio.Queue[str] = asyncio.Queue()

    async def write(self) -> None:
        while True:
            await self.socket.send_str(await self.outbox.get())

    def wants(self, event: dict[str, Any]) -> bool:
        return all(str(event.get(prop)) in values for prop, values in self.filters.items())

    def set_filters(self, message: Any) -> None:
        filters: dict[str, set[str]] = {}
        for item in message.get("filters") or []:
            if isinstance(item, dict) and "property" in item and "value" in item:
                filters.setdefault(str(item["property"]), set()).add(str(item["value"]))
        self.filters = filters


class ISymphonyEvents:
    """The event websocket of one simulated iSymphony server."""

    def __init__(self) -> None:
        """No connections yet."""
        self.hub = SocketHub()
        self._connections: set[_Connection] = set()

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
