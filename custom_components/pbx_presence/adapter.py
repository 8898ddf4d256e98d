"""What the coordinator needs from a server kind: identify it, read it, follow it, write to it.

Everything that differs between Kazoo and iSymphony lives behind this interface, so the
coordinator, the services and diagnostics never ask which kind of server they talk to.
"""

# The defaults ignore their arguments: a server kind without the feature refuses it.
# ruff: noqa: ARG002

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN, ServerType
from .model import Presentity, ServerInfo, Snapshot
from .pbx import ISymphonyStatus, PresenceState, StatusType


class EventStream(Protocol):
    """A connected and subscribed event websocket of either server kind."""

    def __aiter__(self) -> AsyncIterator[Any]:
        """Yield events until the socket ends; a drop raises a PbxConnectionError."""
        ...

    async def close(self) -> None:
        """Close the socket; iteration then ends."""
        ...


@dataclass(frozen=True, slots=True)
class PushResult:
    """What a batch of events did to an adapter's view of its server."""

    # The new snapshot, or None when the events changed nothing shown.
    snapshot: Snapshot | None = None
    # Events the adapter cannot apply on its own (a directory change, an unknown user):
    # a poll reads the server again.
    resync: bool = False


def _not_supported(translation_key: str) -> HomeAssistantError:
    return HomeAssistantError(translation_domain=DOMAIN, translation_key=translation_key)


class PbxAdapter(ABC):
    """Turns one server kind's API into the backend-neutral snapshot, and back."""

    server_type: ServerType
    # How often to poll while no event socket is connected...
    scan_interval: timedelta
    # ... and while one is: a safety net for events the server dropped.
    safety_scan_interval: timedelta

    @abstractmethod
    async def async_identify(self) -> ServerInfo:
        """Log in and say which server this is. Raises the client's errors."""

    @abstractmethod
    async def async_fetch(self) -> Snapshot:
        """Read the current state of every presentity. Raises the client's errors."""

    async def async_default_options(self) -> dict[str, Any]:
        """Options a new entry starts with (what to import), from what the server has."""
        return {}

    async def async_has_license(self) -> bool:
        """Whether the server lets this login read any presence at all (a new entry's check)."""
        return True

    # --- push --------------------------------------------------------------------------

    async def async_open_events(self) -> EventStream | None:
        """Connect the server's event websocket and subscribe; None where there is none.

        Raises the client's errors when the socket cannot be opened.
        """
        return None

    def apply_events(self, events: Sequence[Any]) -> PushResult:
        """Fold a batch of events into the last snapshot."""
        return PushResult()

    def live_details(self) -> dict[str, Any]:
        """What diagnostics show of the event socket: where it goes and what it listens to."""
        return {}

    # --- diagnostics -------------------------------------------------------------------

    def diagnostics(self) -> dict[str, Any]:
        """The adapter's own state, personal data redacted."""
        return {}

    def directory_record(self, presentity: Presentity) -> dict[str, Any] | None:
        """The server's record behind a presentity, personal data redacted, where kept."""
        return None

    # --- writes: each kind does what it can, the rest is a translated refusal ----------

    async def async_reset(self, presentity: Presentity) -> str:
        """Reset a presentity's BLF state; returns the server's message."""
        raise _not_supported("not_flex_uc")

    async def async_set_state(self, presentity: Presentity, state: PresenceState) -> str:
        """Override a presentity's BLF state; returns the server's message."""
        raise _not_supported("not_flex_uc")

    async def async_reset_extension(self, extension: str) -> str:
        """Reset any extension, e.g. a park slot; returns the server's message."""
        raise _not_supported("not_flex_uc")

    async def async_set_status(
        self,
        username: str,
        *,
        status_type: StatusType,
        name: str | None = None,
        note: str = "",
        return_time: datetime | None = None,
    ) -> ISymphonyStatus:
        """Set a user's status and return it as the server now has it."""
        raise _not_supported("not_isymphony")

    @property
    def predefined_statuses(self) -> Mapping[StatusType, str]:
        """Administrator-defined status names seen so far, by type (none for Kazoo)."""
        return {}
