"""What the coordinator needs from a server kind: identify it, and take a snapshot."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import timedelta
from typing import Any

from .const import ServerType
from .model import ServerInfo, Snapshot


class PbxAdapter(ABC):
    """Turns one server kind's API into the backend-neutral snapshot."""

    server_type: ServerType
    scan_interval: timedelta

    @abstractmethod
    async def async_identify(self) -> ServerInfo:
        """Log in and say which server this is. Raises the client's errors."""

    @abstractmethod
    async def async_fetch(self) -> Snapshot:
        """Read the current state of every presentity. Raises the client's errors."""

    async def async_default_options(self) -> dict[str, Any]:
        """Options a new entry starts with (what to import), from what the server has."""
        return {}
