"""What both simulated event websockets share: the open sockets, and their faults."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class SocketFaults:
    """Faults of an event websocket; the default is a healthy server.

    - ``refuse_status``: answer the upgrade with this HTTP status instead of switching;
    - ``silent``: accept and read messages, but send nothing (no replies, no events);
    - ``garbage``: send a text frame that is not JSON before every message.
    """

    refuse_status: int | None = None
    silent: bool = False
    garbage: bool = False


@dataclass
class SocketHub:
    """The open event sockets of one server, so a test can drop them all at once."""

    faults: SocketFaults = field(default_factory=SocketFaults)
    sockets: set[web.WebSocketResponse] = field(default_factory=set)
    # How many upgrades were accepted, over the server's life (reconnects count too).
    connections: int = 0

    def opened(self, socket: web.WebSocketResponse) -> None:
        """Track a socket from its upgrade on."""
        self.sockets.add(socket)
        self.connections += 1

    def closed(self, socket: web.WebSocketResponse) -> None:
        """Forget a socket that closed."""
        self.sockets.discard(socket)

    async def drop(self) -> None:
        """Close every open socket from the server's side, as a restart or a proxy would."""
        for socket in list(self.sockets):
            await socket.close(code=1011, message=b"server going away")
        self.sockets.clear()
