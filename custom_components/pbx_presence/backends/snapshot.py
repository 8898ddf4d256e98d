"""The backend-neutral snapshot that every backend produces and the entities read.

A presentity is anything whose presence the server knows: a Kazoo user, phone or
watched extension, or an iSymphony panel user. Nothing here is any server's own type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class StatusType(StrEnum):
    """The kinds of presence status a person can set (iSymphony's 11 types)."""

    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    AWAY = "away"
    XA = "xa"  # extended away
    DND = "dnd"  # a label on the panel: it does not stop the phone ringing
    CHAT = "chat"
    ALTBLUE = "altblue"
    ALTGREEN = "altgreen"
    ALTPINK = "altpink"
    ALTPURPLE = "altpurple"
    ALTRED = "altred"


# Statuses that say a person does not take calls now, whatever their phone shows.
NOT_TAKING_CALLS = frozenset(
    {StatusType.DND, StatusType.AWAY, StatusType.XA, StatusType.UNAVAILABLE}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    """A person's presence status: its type, the name shown, a note, when they are back."""

    type: StatusType
    name: str
    note: str = ""
    return_time: datetime | None = None
    # False for a status an administrator defined (its name is offered for its type).
    user_created: bool = True


# Home Assistant reserves the state `unavailable` (an entity that cannot be read): iSymphony's
# status type of that name is shown as this state instead.
NOT_AVAILABLE = "not_available"


def status_state(status_type: StatusType) -> str:
    """The state (and select option) that shows a status type."""
    return NOT_AVAILABLE if status_type is StatusType.UNAVAILABLE else status_type.value


def status_type_of(state: str) -> StatusType:
    """The status type a state (or select option) shows."""
    return StatusType.UNAVAILABLE if state == NOT_AVAILABLE else StatusType(state)


STATUS_STATES = [status_state(status_type) for status_type in StatusType]


class PresentityKind(StrEnum):
    """What a presentity is; also the model of its Home Assistant device."""

    USER = "user"
    PHONE = "phone"
    EXTENSION = "extension"
    PANEL_USER = "panel_user"
    QUEUE = "queue"  # a call queue, with its agents


class CallState(StrEnum):
    """Live call state of a Kazoo user or phone, derived from its channels."""

    IDLE = "idle"
    RINGING = "ringing"
    BUSY = "busy"


class CallDirection(StrEnum):
    """Who placed a call, from the presentity's point of view."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallInfo:
    """The live call of a Kazoo user or phone, with what the server tells about it.

    Polls know less than push events: fields a source cannot fill stay None.
    """

    answered: bool
    direction: CallDirection | None = None
    started: datetime | None = None
    caller_id_name: str | None = None
    caller_id_number: str | None = None
    # The number dialled, for an outgoing call.
    destination: str | None = None
    # The leg shown (its uuid), and every live leg of the presentity: a call is the same
    # call while the leg shown before is still one of them (a ring group's other phone
    # answering), another one when it is not (back-to-back calls).
    call_id: str | None = None
    legs: tuple[str, ...] = ()
    # Whether the call is on hold, where the server says (None: not known).
    on_hold: bool | None = None

    def same_call(self, other: CallInfo) -> bool:
        """Whether `other` (a later view of this presentity's call) is the same call."""
        if self.call_id is None or other.call_id is None:
            return True  # a source without call ids cannot tell calls apart
        return self.call_id in other.legs or other.call_id in self.legs


@dataclass(frozen=True, slots=True, kw_only=True)
class ParkedCall:
    """A call waiting in a park slot: who it is, and since when (where seen arriving)."""

    caller_id_name: str | None = None
    caller_id_number: str | None = None
    call_id: str | None = None
    # When the call was parked: known from the park event, not from a poll.
    since: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueAgent:
    """An agent of a call queue: logged in (it is listed), paused, its phone's state.

    `state` is the server's device state in lower case (`not_inuse`, `inuse`, ...).
    """

    name: str
    paused: bool
    state: str | None = None
    dynamic: bool | None = None  # logged in by hand (True), or a fixed member

    @property
    def available(self) -> bool:
        """Logged in, not paused, and its phone idle: a call could reach it now."""
        return not self.paused and self.state == "not_inuse"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallForward:
    """Where a user's or phone's calls are forwarded (Kazoo `call_forward`)."""

    enabled: bool
    # None where the server has not said (Kazoo's users list tells only on or off).
    number: str | None = None
    # Forward only while the phone is offline (not a forward of every call).
    failover: bool = False
    # The person called must press 1 to take a forwarded call.
    require_keypress: bool = True
    keep_caller_id: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Presentity:
    """One presentity as its server knows it right now.

    `key` is stable and unique within a config entry; it never holds a live UUID.
    """

    key: str
    kind: PresentityKind
    name: str
    server_id: str  # Kazoo user/device id, the extension, or the iSymphony username
    model: str | None = None
    extension: str | None = None  # the number people dial or watch, where there is one
    username: str | None = None  # a user's login name on its server
    # Flex UC / Kazoo
    call_state: CallState | None = None
    call: CallInfo | None = None  # None while idle
    blf_watchers: int | None = None
    registered: bool | None = None
    mac_address: str | None = None  # a phone's
    owner: str | None = None  # a phone's owner: the key of that user's presentity
    phones: int | None = None  # a user's: how many phones it owns (imported or not)
    # Whether a presence command (reset, set) reaches anything on the server.
    presence_target: bool = False
    # The lamp state forced by hand on the server, as last seen (from Home Assistant or
    # elsewhere: Kazoo 5.x `presence.update`); idle once ended; None while not known.
    blf_override: CallState | None = None
    # New voicemail messages of the presentity's boxes; None when it has none (or not read).
    voicemail: int | None = None
    # A park slot's number on its server (an extension that parks calls), and the call
    # waiting there (None: the slot is empty).
    park_slot: str | None = None
    parked: ParkedCall | None = None
    # Phone controls (Kazoo). `dnd` is the presentity's own do-not-disturb setting (None:
    # it has none of its own); `dnd_active` whether its calls are refused by any (the
    # account's, the owner's or its own: Kazoo's kz_endpoint); `call_forward` its own
    # forwarding (None: none of its own).
    dnd: bool | None = None
    dnd_active: bool | None = None
    call_forward: CallForward | None = None
    # iSymphony
    licensed: bool | None = None
    status: Status | None = None
    # Open panel sessions of a user (None: not known); a queue's agents (None: not a queue).
    panel_sessions: int | None = None
    agents: tuple[QueueAgent, ...] | None = None


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """Identity of the server an entry talks to."""

    unique_id: str
    name: str
    manufacturer: str
    model: str
    configuration_url: str | None = None
    # What older versions keyed this server by, where that changed (an iSymphony slug).
    former_unique_id: str | None = None


@dataclass(frozen=True, slots=True, order=True)
class UnlitKey:
    """A number that BLF keys watch but that can never light.

    It is a person's number, but the server publishes that person's presence only under
    other names (`published_as`, e.g. phones' SIP user names), so keys on the number stay
    dark. The person is the presentity `key`, named `name`.
    """

    name: str
    number: str
    key: str
    published_as: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the entities show, as of one poll. Equal snapshots mean no change."""

    presentities: Mapping[str, Presentity] = field(default_factory=dict)
    # True when a Kazoo presence server did not answer in time: watcher counts may lag.
    partial: bool = False
    # True when an iSymphony server has users but none of them is licensed.
    unlicensed: bool = False
    # Watched numbers whose keys can never light, sorted (see UnlitKey).
    unlit_keys: tuple[UnlitKey, ...] = ()
