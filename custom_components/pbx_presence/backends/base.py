"""What a backend is: one server kind turned into the neutral snapshot, and back.

Everything that differs between Kazoo and iSymphony lives behind this interface. The
integration asks a backend what it can do (`capabilities`) instead of which kind of server
it is; a backend refuses what it cannot do with `NotSupportedError`. No Home Assistant
import here or below: backends and the client library under them could ship on their own.
"""

# The defaults ignore their arguments: a server kind without the feature refuses it.
# ruff: noqa: ARG002

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from .snapshot import (
    CallState,
    Presentity,
    PresentityKind,
    ServerInfo,
    Snapshot,
    Status,
    StatusType,
)

# Seconds a request may take before it counts as unanswered.
REQUEST_TIMEOUT = 10.0
# Bounded concurrency for per-user or per-device requests.
MAX_CONCURRENT_REQUESTS = 8


class ServerType(StrEnum):
    """The kinds of server an entry can talk to (also the config flow's menu options)."""

    FLEX_UC = "flex_uc"
    ISYMPHONY = "isymphony"


class Capability(StrEnum):
    """What a backend can do; the integration offers only what its backend has."""

    # Reset a presentity's BLF state, or any extension's (Kazoo `reset`).
    PRESENCE_RESET = "presence_reset"
    # Force a user's or phone's BLF lamp (Kazoo `set`).
    BLF_OVERRIDE = "blf_override"
    # Read and set a person's presence status (iSymphony).
    STATUS = "status"
    # New-voicemail counts per user.
    VOICEMAIL = "voicemail"
    # An event websocket that pushes changes (polling stays the safety net).
    LIVE_UPDATES = "live_updates"
    # Ring a user's or phone's phone, then dial a number (Kazoo quickcall).
    CLICK_TO_CALL = "click_to_call"
    # A user's or phone's do-not-disturb that really refuses calls (Kazoo).
    PHONE_DND = "phone_dnd"
    # A user's or phone's call forwarding: on or off, and the number (Kazoo).
    CALL_FORWARD = "call_forward"


class NotSupportedError(Exception):
    """The backend cannot do this; `capability` says what it lacks."""

    def __init__(self, capability: Capability) -> None:
        """Keep which capability was asked for."""
        super().__init__(f"This server cannot do {capability}")
        self.capability = capability


class NothingToSendError(Exception):
    """The server had nothing to send a presence command to (no presence id left)."""


class NotRegisteredError(Exception):
    """The phone to ring (or every phone of the user) is not registered: nothing would ring.

    Kazoo's quickcall accepts such a call and drops it silently, so it is refused first.
    """


class NoForwardNumberError(Exception):
    """Forwarding was to be turned on, but no number to forward to is set."""


def utcnow() -> datetime:
    """Now, in UTC: what every backend's clock reads (tests freeze it)."""
    return datetime.now(UTC)


async def gather_limited[T](limit: int, calls: Iterable[Awaitable[T]]) -> list[T]:
    """Await every call, at most `limit` at a time, and return their results in order.

    Home Assistant has the same helper; backends import nothing from Home Assistant.
    """
    semaphore = asyncio.Semaphore(limit)

    async def limited(call: Awaitable[T]) -> T:
        async with semaphore:
            return await call

    return await asyncio.gather(*(limited(call) for call in calls))


class EventStream[EventT](Protocol):
    """A connected and subscribed event websocket."""

    def __aiter__(self) -> AsyncIterator[EventT]:
        """Yield events until the socket ends; a drop raises a PbxConnectionError."""
        ...

    async def close(self) -> None:
        """Close the socket; iteration then ends."""
        ...


@dataclass(frozen=True, slots=True)
class PushResult:
    """What a batch of events did to a backend's view of its server."""

    # The new snapshot, or None when the events changed nothing shown.
    snapshot: Snapshot | None = None
    # Events the backend cannot apply on its own (a directory change, an unknown user):
    # a poll reads the server again.
    resync: bool = False
    # The keys of the presentities the events may have changed (every other one is the
    # same object as before), or None for any: the layers above then look at those only.
    touched: frozenset[str] | None = None


class PbxBackend[EventT](ABC):
    """Turns one server kind's API into the neutral snapshot, and carries out writes."""

    server_type: ClassVar[ServerType]
    capabilities: ClassVar[frozenset[Capability]]
    # The presentity kinds a user may choose to import (empty: nothing to choose).
    importable_kinds: ClassVar[tuple[PresentityKind, ...]] = ()
    # Whether its people join the devices of the same people on another server (iSymphony
    # users join Kazoo users), so the options offer to link or separate them by hand.
    links_people: ClassVar[bool] = False
    # Whether the event websocket's address can be set by hand (Kazoo's Blackhole).
    websocket_url_option: ClassVar[bool] = False
    # Whether a login names an account and may be an API key instead (Kazoo), rather than a
    # user name and password alone (iSymphony's manager).
    api_key_login: ClassVar[bool] = False
    # An account with more users than this starts with only some kinds (see
    # `async_default_kinds`); None: every account starts with everything.
    users_only_above: ClassVar[int | None] = None
    # How often to poll while no event socket is connected, and the fastest a user may set...
    scan_interval: ClassVar[timedelta]
    min_scan_interval: ClassVar[timedelta]
    # ... and while one is: a safety net for events the server dropped.
    safety_scan_interval: ClassVar[timedelta]

    @property
    def catching_up(self) -> bool:
        """Whether polls still have reading to finish (then they keep the normal pace)."""
        return False

    @staticmethod
    @abstractmethod
    def login_data(username: str, password: str) -> dict[str, str]:
        """The entry data that stores a user name and password (a hash, where it can)."""

    @abstractmethod
    async def async_identify(self) -> ServerInfo:
        """Log in and say which server this is. Raises the client's errors."""

    @abstractmethod
    async def async_fetch(self) -> Snapshot:
        """Read the current state of every presentity. Raises the client's errors."""

    async def async_default_kinds(self) -> frozenset[PresentityKind] | None:
        """The kinds a new entry imports at first, from what the server has (None: all)."""
        return None

    async def async_has_license(self) -> bool:
        """Whether the server lets this login read any presence at all (a new entry's check)."""
        return True

    # --- push --------------------------------------------------------------------------

    async def async_open_events(self) -> EventStream[EventT] | None:
        """Connect the server's event websocket and subscribe; None where there is none.

        Raises the client's errors when the socket cannot be opened.
        """
        return None

    def apply_events(self, events: Sequence[EventT]) -> PushResult:
        """Fold a batch of events into the last snapshot."""
        return PushResult()

    def live_details(self) -> dict[str, Any]:
        """What diagnostics show of the event socket: where it goes and what it listens to."""
        return {}

    # --- diagnostics (the HA layer redacts personal data) ------------------------------

    def diagnostics(self) -> dict[str, Any]:
        """The backend's own state."""
        return {}

    def directory_record(self, presentity: Presentity) -> dict[str, Any] | None:
        """The server's record behind a presentity, where kept."""
        return None

    # --- writes: each kind does what its capabilities say; the rest is refused ---------

    async def async_reset(self, presentity: Presentity) -> None:
        """Reset a presentity's BLF state. Raises NothingToSendError when nothing got it."""
        raise NotSupportedError(Capability.PRESENCE_RESET)

    async def async_set_state(self, presentity: Presentity, state: CallState) -> None:
        """Force a presentity's BLF lamp to show a call state (idle ends an override)."""
        raise NotSupportedError(Capability.BLF_OVERRIDE)

    async def async_reset_extension(self, extension: str) -> None:
        """Reset any extension, e.g. a park slot."""
        raise NotSupportedError(Capability.PRESENCE_RESET)

    async def async_call(
        self, presentity: Presentity, number: str, *, auto_answer: bool = False
    ) -> None:
        """Ring the presentity's phone; once it answers, dial `number` (already checked).

        `auto_answer` lets a phone that can pick up by itself do so (on its speaker).
        Raises NotRegisteredError when no phone of the presentity could ring.
        """
        raise NotSupportedError(Capability.CLICK_TO_CALL)

    async def async_set_status(
        self,
        presentity: Presentity,
        *,
        status_type: StatusType,
        name: str | None = None,
        note: str = "",
        return_time: datetime | None = None,
    ) -> Status:
        """Set a person's status and return it as the server now has it."""
        raise NotSupportedError(Capability.STATUS)

    async def async_set_dnd(self, presentity: Presentity, *, enabled: bool) -> Snapshot:
        """Turn a user's or phone's own do-not-disturb on or off; the snapshot after it."""
        raise NotSupportedError(Capability.PHONE_DND)

    async def async_set_forward(
        self, presentity: Presentity, *, enabled: bool | None = None, number: str | None = None
    ) -> Snapshot:
        """Change a user's or phone's call forwarding (what is given); the snapshot after it.

        Raises NoForwardNumberError when forwarding would be on without a number.
        """
        raise NotSupportedError(Capability.CALL_FORWARD)

    @property
    def predefined_statuses(self) -> Mapping[StatusType, str]:
        """Administrator-defined status names seen so far, by type."""
        return {}

    @property
    def status_choices(self) -> tuple[tuple[StatusType, str], ...]:
        """Every administrator-defined status seen so far, as (type, name), first seen first."""
        return ()
