"""Typed, frozen models of the two server APIs, as the servers speak them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

from ._parse import (
    as_list,
    as_object,
    get_bool,
    get_int,
    get_opt_str,
    get_str,
)
from .errors import PbxResponseError

# Kazoo timestamps count seconds from year 0 of the Gregorian calendar.
GREGORIAN_EPOCH_OFFSET = 62_167_219_200
# iSymphony return times are milliseconds, but some servers (and the docs' own example)
# send seconds: no real millisecond value of this century is below 10^11.
_SECONDS_THRESHOLD = 10**11


def gregorian_to_datetime(seconds: int) -> datetime:
    """Convert Kazoo's Gregorian seconds to an aware UTC datetime."""
    return datetime.fromtimestamp(seconds - GREGORIAN_EPOCH_OFFSET, tz=UTC)


# --- Flex UC / Kazoo --------------------------------------------------------------------


class PresenceState(StrEnum):
    """A BLF state the Kazoo presence `set` action accepts."""

    EARLY = "early"  # ringing
    CONFIRMED = "confirmed"  # busy
    TERMINATED = "terminated"  # idle


class CredentialsMethod(StrEnum):
    """How a Kazoo user login hashes `username:password`."""

    MD5 = "md5"
    SHA = "sha"


class AccountIdentifier(StrEnum):
    """Which field names the account in a Kazoo user login."""

    ACCOUNT_NAME = "account_name"
    ACCOUNT_REALM = "account_realm"
    PHONE_NUMBER = "phone_number"


@dataclass(frozen=True, slots=True)
class KazooAuth:
    """The result of a Kazoo login."""

    account_id: str
    owner_id: str | None
    token: str
    expires_at: datetime | None
    # The Blackhole websocket a provider named in its UI settings, if any.
    websocket_url: str | None = None

    @classmethod
    def from_api(cls, reply: Mapping[str, Any], expires_at: datetime | None) -> Self:
        """Build from the login reply envelope."""
        data = as_object(reply.get("data"), "login data")
        websocket: Any = data
        for key in ("ui_config", "api", "kazoo_websocket", "url"):
            websocket = websocket.get(key) if isinstance(websocket, Mapping) else None
        return cls(
            account_id=get_str(data, "account_id"),
            owner_id=get_opt_str(data, "owner_id"),
            token=get_str(reply, "auth_token"),
            expires_at=expires_at,
            websocket_url=websocket if isinstance(websocket, str) and websocket else None,
        )


@dataclass(frozen=True, slots=True)
class KazooAccount:
    """A Kazoo account."""

    id: str
    name: str
    realm: str

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from `GET /v2/accounts/{id}` data."""
        obj = as_object(data, "account")
        return cls(id=get_str(obj, "id"), name=get_str(obj, "name"), realm=get_str(obj, "realm"))


@dataclass(frozen=True, slots=True)
class KazooUser:
    """A Kazoo user, as the users list gives it."""

    id: str
    username: str | None
    first_name: str
    last_name: str
    email: str | None
    presence_id: str | None
    priv_level: str | None

    @property
    def display_name(self) -> str:
        """The user's full name, falling back to the username and then the id."""
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username or self.id

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one users list item."""
        obj = as_object(data, "user")
        return cls(
            id=get_str(obj, "id"),
            username=get_opt_str(obj, "username"),
            first_name=get_opt_str(obj, "first_name") or "",
            last_name=get_opt_str(obj, "last_name") or "",
            email=get_opt_str(obj, "email"),
            presence_id=get_opt_str(obj, "presence_id"),
            priv_level=get_opt_str(obj, "priv_level"),
        )


@dataclass(frozen=True, slots=True)
class KazooDevice:
    """A Kazoo device (phone).

    The devices list has no `presence_id`; only the single-device reply carries it.
    `has_presence_id` is also True for a device known (from `?has_key=presence_id`) to
    have one whose value was not read.
    """

    id: str
    name: str
    username: str | None
    owner_id: str | None
    enabled: bool
    device_type: str | None
    mac_address: str | None
    presence_id: str | None = None
    has_presence_id: bool = False
    # Users hotdesked on the phone (`hotdesk.users`, only in the single-device reply).
    hotdesk_user_ids: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a devices list item or a single-device reply."""
        obj = as_object(data, "device")
        hotdesk = obj.get("hotdesk")
        hotdesk_users = hotdesk.get("users") if isinstance(hotdesk, Mapping) else None
        sip = obj.get("sip")
        username = get_opt_str(obj, "username")
        if username is None and isinstance(sip, Mapping):
            username = get_opt_str(sip, "username")
        return cls(
            id=get_str(obj, "id"),
            name=get_opt_str(obj, "name") or get_str(obj, "id"),
            username=username,
            owner_id=get_opt_str(obj, "owner_id"),
            enabled=get_bool(obj, "enabled", default=True),
            device_type=get_opt_str(obj, "device_type"),
            mac_address=get_opt_str(obj, "mac_address"),
            presence_id=get_opt_str(obj, "presence_id"),
            has_presence_id=get_opt_str(obj, "presence_id") is not None,
            hotdesk_user_ids=tuple(hotdesk_users) if isinstance(hotdesk_users, Mapping) else (),
        )


@dataclass(frozen=True, slots=True)
class KazooDeviceStatus:
    """One item of `devices/status`: only registered devices are listed."""

    device_id: str
    registered: bool

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `devices/status` item."""
        obj = as_object(data, "device status")
        return cls(
            device_id=get_str(obj, "device_id"),
            registered=get_bool(obj, "registered", default=True),
        )


@dataclass(frozen=True, slots=True)
class KazooVoicemailBox:
    """One item of `vmboxes`: a voicemail box and its owner."""

    id: str
    mailbox: str | None
    owner_id: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `vmboxes` item."""
        obj = as_object(data, "voicemail box")
        return cls(
            id=get_str(obj, "id"),
            mailbox=_opt_text(obj, "mailbox"),
            owner_id=get_opt_str(obj, "owner_id"),
        )


def count_new_messages(data: Any) -> int:
    """Count the messages of `vmboxes/{id}/messages` still in the `new` folder."""
    messages = parse_list(data, "voicemail messages", lambda item: as_object(item, "message"))
    return sum(1 for message in messages if message.get("folder") == "new")


@dataclass(frozen=True, slots=True)
class KazooChannel:
    """A live call leg from `channels`. Answered means busy, unanswered ringing."""

    uuid: str
    answered: bool
    direction: str | None
    presence_id: str | None
    owner_id: str | None
    authorizing_id: str | None
    username: str | None
    destination: str | None
    other_leg: str | None
    timestamp: int | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `channels` item."""
        obj = as_object(data, "channel")
        return cls(
            uuid=get_str(obj, "uuid"),
            answered=get_bool(obj, "answered", default=False),
            direction=get_opt_str(obj, "direction"),
            presence_id=get_opt_str(obj, "presence_id"),
            owner_id=get_opt_str(obj, "owner_id"),
            authorizing_id=get_opt_str(obj, "authorizing_id"),
            username=get_opt_str(obj, "username"),
            destination=get_opt_str(obj, "destination"),
            other_leg=get_opt_str(obj, "other_leg"),
            timestamp=get_int(obj, "timestamp") if "timestamp" in obj else None,
        )


@dataclass(frozen=True, slots=True)
class KazooNotify:
    """The `notify` part of a legacy subscription: what was last sent to the watcher."""

    body: str | None
    reply: int
    sequence: int


@dataclass(frozen=True, slots=True)
class KazooSubscription:
    """One watcher's subscription (legacy presence shape: one per dialog call id)."""

    call_id: str
    event: str
    expires: int
    watcher: str | None  # the seed's `from`: `<sip user>@<realm>`
    notify: KazooNotify | None
    stalker: str | None
    timestamp: int | None
    version: int | None

    @classmethod
    def from_api(cls, event: str, call_id: str, data: Any) -> Self:
        """Build from `subscriptions.{ext}.{event}.{call_id}`."""
        obj = as_object(data, "subscription")
        notify_obj = obj.get("notify")
        notify = None
        if notify_obj is not None:
            raw = as_object(notify_obj, "notify")
            notify = KazooNotify(
                body=get_opt_str(raw, "body"),
                reply=get_int(raw, "reply", 0),
                sequence=get_int(raw, "sequence", 0),
            )
        return cls(
            call_id=call_id,
            event=event,
            expires=get_int(obj, "expires", 0),
            watcher=get_opt_str(obj, "from"),
            notify=notify,
            stalker=get_opt_str(obj, "stalker"),
            timestamp=get_int(obj, "timestamp") if "timestamp" in obj else None,
            version=get_int(obj, "version") if "version" in obj else None,
        )


@dataclass(frozen=True, slots=True)
class KazooPresentity:
    """Who watches one extension (BLF), from the presence list.

    `watchers` counts subscriptions per SIP event package (`dialog`, `message-summary`,
    ...). The legacy reply also lists each subscription; the 4.1+ reply only counts.
    """

    extension: str
    watchers: Mapping[str, int]
    subscriptions: tuple[KazooSubscription, ...] = ()

    @property
    def dialog_watchers(self) -> int:
        """Phones watching this extension's call state (BLF lamps)."""
        return self.watchers.get("dialog", 0)


@dataclass(frozen=True, slots=True)
class KazooPresenceList:
    """The account's presence subscriptions, keyed by lowercased extension."""

    presentities: Mapping[str, KazooPresentity]
    partial: bool = False  # a presence server did not answer in time (4.1+ `timeout`)
    # No presence server answered (`timeout` and no subscriptions): no information at all.
    no_answer: bool = False

    @classmethod
    def from_api(cls, data: Any, *, subscriptions: bool = True) -> Self:
        """Build from either reply shape of `GET .../presence`.

        With `subscriptions=False` the legacy shape's subscriptions are only counted, not
        kept: that is all BLF state needs, and large accounts have tens of thousands.
        """
        obj = as_object(data, "presence")
        if "Subscriptions" in obj:
            return cls._from_counts(obj)
        if obj.get("timeout") is True and "subscriptions" not in obj:
            return cls({}, partial=True, no_answer=True)
        legacy = as_object(obj.get("subscriptions", {}), "subscriptions")
        presentities: dict[str, KazooPresentity] = {}
        for extension, events in legacy.items():
            by_event = {
                event: as_object(calls, "event")
                for event, calls in as_object(events, "presentity").items()
            }
            kept = tuple(
                KazooSubscription.from_api(event, call_id, sub)
                for event, calls in by_event.items()
                for call_id, sub in calls.items()
                if subscriptions
            )
            watchers = {event: len(calls) for event, calls in by_event.items()}
            presentities[extension.lower()] = KazooPresentity(extension.lower(), watchers, kept)
        return cls(presentities)

    @classmethod
    def _from_counts(cls, obj: Mapping[str, Any]) -> Self:
        counts = as_object(obj["Subscriptions"], "Subscriptions")
        presentities: dict[str, KazooPresentity] = {}
        for extension, events in counts.items():
            events_obj = as_object(events, "presentity")
            watchers = {event: get_int(events_obj, event) for event in events_obj}
            presentities[extension.lower()] = KazooPresentity(extension.lower(), watchers)
        timeout = obj.get("timeout")
        return cls(presentities, partial=timeout is True)


@dataclass(frozen=True, slots=True)
class KazooWatcher:
    """One watcher's subscription to one presentity, from the presence detail."""

    event: str
    watcher: str
    node: str
    call_id: str
    time: int | None
    result: str | None
    sent: str | None  # the last SIP NOTIFY, as text
    received: str | None  # the watcher's SIP reply, as text
    user_agent: str | None


@dataclass(frozen=True, slots=True)
class KazooPresenceDetail:
    """Subscription detail of one extension (`GET .../presence/{ext}`)."""

    extension: str
    watchers: tuple[KazooWatcher, ...]

    @classmethod
    def from_api(cls, extension: str, data: Any) -> Self:
        """Build from `Subscriptions.{ext}.{event}.{watcher}.{node}.{call_id}`."""
        obj = as_object(data, "presence detail")
        subscriptions = as_object(obj.get("Subscriptions", {}), "Subscriptions")
        watchers: list[KazooWatcher] = []
        for events in subscriptions.values():
            for event, by_watcher in as_object(events, "presentity").items():
                for watcher, by_node in as_object(by_watcher, "event").items():
                    for node, by_call in as_object(by_node, "watcher").items():
                        for call_id, info in as_object(by_call, "node").items():
                            detail = as_object(info, "subscription")
                            watchers.append(
                                KazooWatcher(
                                    event=event,
                                    watcher=watcher,
                                    node=node,
                                    call_id=call_id,
                                    time=_opt_int(detail, "time"),
                                    result=_opt_text(detail, "result"),
                                    sent=_opt_text(detail, "sent"),
                                    received=_opt_text(detail, "received"),
                                    user_agent=get_opt_str(detail, "user_agent"),
                                )
                            )
        return cls(extension, tuple(watchers))


def _opt_int(obj: Mapping[str, Any], key: str) -> int | None:
    return get_int(obj, key) if obj.get(key) is not None else None


def _opt_text(obj: Mapping[str, Any], key: str) -> str | None:
    """Read a field that servers send as either text or a number."""
    value = obj.get(key)
    return None if value is None else str(value)


# --- iSymphony ----------------------------------------------------------------------------


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
        return cls(id=get_str(obj, "id"), slug=get_str(obj, "slug"), name=_opt_text(obj, "name"))


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
    """An active panel session of a user."""

    id: str
    ip: str | None
    port: int | None
    time_connected: datetime | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `logins` item."""
        obj = as_object(data, "login")
        connected = _opt_int(obj, "timeConnected")
        return cls(
            id=get_str(obj, "id"),
            ip=get_opt_str(obj, "ip"),
            port=_opt_int(obj, "port"),
            time_connected=None if connected is None else parse_return_time(connected),
        )


@dataclass(frozen=True, slots=True)
class ISymphonyExtension:
    """A PBX extension known to the core server."""

    id: str
    extension_number: str
    display_name: str | None
    configuration_id: str | None
    permission_id: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `extensions` item."""
        obj = as_object(data, "extension")
        number = obj.get("extensionNumber")
        if isinstance(number, int) and not isinstance(number, bool):
            number = str(number)
        return cls(
            id=get_str(obj, "id"),
            extension_number=get_str({"extensionNumber": number}, "extensionNumber"),
            display_name=get_opt_str(obj, "displayName"),
            configuration_id=get_opt_str(obj, "configurationId"),
            permission_id=get_opt_str(obj, "permissionId"),
        )


def parse_list[T](data: Any, what: str, parse: Callable[[Any], T]) -> list[T]:
    """Parse every item of a JSON array with `parse`."""
    return [parse(item) for item in as_list(data, what)]


__all__ = [
    "GREGORIAN_EPOCH_OFFSET",
    "AccountIdentifier",
    "CredentialsMethod",
    "ISymphonyExtension",
    "ISymphonyLogin",
    "ISymphonyStatus",
    "ISymphonyUser",
    "KazooAccount",
    "KazooAuth",
    "KazooChannel",
    "KazooDevice",
    "KazooDeviceStatus",
    "KazooNotify",
    "KazooPresenceDetail",
    "KazooPresenceList",
    "KazooPresentity",
    "KazooSubscription",
    "KazooUser",
    "KazooWatcher",
    "PresenceState",
    "StatusType",
]
