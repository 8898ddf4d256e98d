"""Typed, frozen models of the iSymphony Live and Config APIs, as iSymphony speaks them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

from .._parse import as_object, get_bool, get_int, get_opt_str, get_str, opt_text
from ..errors import PbxResponseError

# iSymphony return times are milliseconds, but some servers (and the docs' own example)
# send seconds: no real millisecond value of this century is below 10^11.
_SECONDS_THRESHOLD = 10**11


class StatusType(StrEnum):
    """The 11 iSymphony status types. The type picks the icon; it does not route calls."""

    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    AWAY = "away"
    XA = "xa"  # extended away
    DND = "dnd"
    CHAT = "chat"
    ALTBLUE = "altblue"
    ALTGREEN = "altgreen"
    ALTPINK = "altpink"
    ALTPURPLE = "altpurple"
    ALTRED = "altred"


def _status_type(value: str) -> StatusType:
    try:
        return StatusType(value)
    except ValueError:
        raise PbxResponseError(f"Unknown status type {value!r}") from None


def parse_return_time(value: int) -> datetime | None:
    """Read an iSymphony `returnTime`: ms since the epoch, -1 (or 0) for none.

    A value below 10^11 is taken as seconds, as the API's own example sends.
    """
    if value <= 0:
        return None
    seconds = value if value < _SECONDS_THRESHOLD else value / 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise PbxResponseError(f"returnTime {value} is out of range") from None


def to_return_time(value: datetime | None) -> int:
    """Write an iSymphony `returnTime`: ms since the epoch, -1 for none."""
    return -1 if value is None else round(value.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class ISymphonyUser:
    """An iSymphony panel user. Its `id` is a live UUID that changes on server restart."""

    id: str
    configuration_id: str | None
    username: str
    displayed_name: str | None
    permission_id: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a users list item or a single-user reply."""
        obj = as_object(data, "user")
        return cls(
            id=get_str(obj, "id"),
            configuration_id=get_opt_str(obj, "configurationId"),
            username=get_str(obj, "userName"),
            displayed_name=get_opt_str(obj, "displayedName"),
            permission_id=get_opt_str(obj, "permissionId"),
        )


@dataclass(frozen=True, slots=True)
class ISymphonyStatus:
    """A user's status: a presence indicator with name, type, note and return time."""

    id: str | None
    configuration_id: str | None
    name: str
    type: StatusType
    note: str
    return_time: datetime | None
    user_created: bool

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from `GET .../status`."""
        obj = as_object(data, "status")
        return_time = obj.get("returnTime")
        return cls(
            id=get_opt_str(obj, "id"),
            configuration_id=get_opt_str(obj, "configurationId"),
            name=get_opt_str(obj, "name") or "",
            type=_status_type(get_str(obj, "type")),
            note=get_opt_str(obj, "note") or "",
            return_time=None
            if return_time is None
            else parse_return_time(get_int(obj, "returnTime")),
            user_created=get_bool(obj, "userCreated", default=True),
        )


@dataclass(frozen=True, slots=True)
class ISymphonyCoreServer:
    """A core server as the Config API knows it: its id is stable across restarts."""

    id: str
    slug: str
    name: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from `config/server/coreServers/...`."""
        obj = as_object(data, "core server")
        return cls(id=get_str(obj, "id"), slug=get_str(obj, "slug"), name=opt_text(obj, "name"))


@dataclass(frozen=True, slots=True)
class ISymphonyConfigUser:
    """A user as the Config API lists it, with its licence flag (`full`)."""

    username: str
    full: bool

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `config/core/{id}/users` item (the name's key is not documented)."""
        obj = as_object(data, "user")
        username = obj.get("username", obj.get("userName"))
        if not isinstance(username, str):
            raise PbxResponseError("A Config API user has no username")
        return cls(username=username, full=get_bool(obj, "full", default=False))


@dataclass(frozen=True, slots=True)
class ISymphonyLogin:
    """An active panel session of a user (`U/logins`); `time_connected` in ms."""

    id: str
    ip: str | None
    port: int | None
    time_connected: int | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `U/logins` item."""
        obj = as_object(data, "login")
        port, connected = obj.get("port"), obj.get("timeConnected")
        return cls(
            id=get_str(obj, "id"),
            ip=opt_text(obj, "ip") or None,
            port=get_int(obj, "port") if port is not None else None,
            time_connected=get_int(obj, "timeConnected") if connected is not None else None,
        )


@dataclass(frozen=True, slots=True)
class ISymphonyExtension:
    """An extension (`CS/extensions`, `U/extensions`); its `id` is a live UUID."""

    id: str
    number: str
    display_name: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one extensions list item."""
        obj = as_object(data, "extension")
        number = opt_text(obj, "extensionNumber")
        if not number:
            raise PbxResponseError("An extension has no extensionNumber")
        return cls(id=get_str(obj, "id"), number=number, display_name=opt_text(obj, "displayName"))


@dataclass(frozen=True, slots=True)
class ISymphonyCallSegment:
    """One call segment on an extension (`CS/extensions/.../callSegments`).

    `incoming`: "being dialed by another call segment (i.e. receiving a call)". Whether the
    segment is ringing or answered is not documented. `caller_id_*` is the segment's
    `callerId`.
    """

    id: str
    external: bool
    caller_id_name: str | None
    caller_id_number: str | None
    did: str | None
    on_hold: bool
    recording: bool
    incoming: bool

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one call segment."""
        obj = as_object(data, "call segment")
        caller = obj.get("callerId")
        caller_id = as_object(caller, "callerId") if caller is not None else {}
        return cls(
            id=get_str(obj, "id"),
            external=str(obj.get("type", "")).upper() == "EXTERNAL",
            caller_id_name=opt_text(caller_id, "name") or None,
            caller_id_number=opt_text(caller_id, "number") or None,
            did=opt_text(obj, "did") or None,
            on_hold=get_bool(obj, "onHold", default=False),
            recording=get_bool(obj, "recording", default=False),
            incoming=get_bool(obj, "incoming", default=False),
        )


@dataclass(frozen=True, slots=True)
class ISymphonyQueue:
    """An enabled queue (`CS/queues`); `identifier` is stable, `id` is a live UUID."""

    id: str
    identifier: str
    display_name: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `CS/queues` item."""
        obj = as_object(data, "queue")
        identifier = opt_text(obj, "identifier")
        if not identifier:
            raise PbxResponseError("A queue has no identifier")
        return cls(
            id=get_str(obj, "id"), identifier=identifier, display_name=opt_text(obj, "displayName")
        )


@dataclass(frozen=True, slots=True)
class ISymphonyAgent:
    """A queue's agent (`CS/queues/.../agents`); `state` is an Asterisk device state."""

    id: str
    name: str
    paused: bool
    state: str | None  # e.g. NOT_INUSE, INUSE, UNAVAILABLE
    dynamic: bool | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one agents list item."""
        obj = as_object(data, "agent")
        dynamic = obj.get("dynamic")
        return cls(
            id=get_str(obj, "id"),
            name=opt_text(obj, "name") or "",
            paused=get_bool(obj, "paused", default=False),
            state=(opt_text(obj, "state") or "").upper() or None,
            dynamic=dynamic if isinstance(dynamic, bool) else None,
        )
