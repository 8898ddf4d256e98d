"""Typed, frozen models of the Kazoo Crossbar API, as Kazoo speaks it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

from .._parse import as_object, get_bool, get_int, get_opt_str, get_str, opt_text

# Kazoo timestamps count seconds from year 0 of the Gregorian calendar.
GREGORIAN_EPOCH_OFFSET = 62_167_219_200


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
    # The account's own `do_not_disturb.enabled`: it silences every phone of the account.
    do_not_disturb: bool = False

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from `GET /v2/accounts/{id}` data."""
        obj = as_object(data, "account")
        return cls(
            id=get_str(obj, "id"),
            name=get_str(obj, "name"),
            realm=get_str(obj, "realm"),
            do_not_disturb=bool(_dnd_of(obj)),
        )


def _flag(obj: Mapping[str, Any], key: str, *, default: bool) -> bool:
    """A boolean setting of a document; anything but a boolean reads as its default."""
    value = obj.get(key)
    return value if isinstance(value, bool) else default


def _dnd_of(obj: Mapping[str, Any]) -> bool | None:
    """A document's `do_not_disturb.enabled`; None when it has no `do_not_disturb`."""
    dnd = obj.get("do_not_disturb")
    return _flag(dnd, "enabled", default=False) if isinstance(dnd, Mapping) else None


@dataclass(frozen=True, slots=True)
class KazooCallForward:
    """A user's or device's `call_forward` (the schema's defaults where a key is missing).

    `number` is None where it is not known: the users list says only whether forwarding
    (or failover forwarding) is on, the whole document says the rest.
    """

    enabled: bool = False
    number: str | None = None
    failover: bool = False
    require_keypress: bool = True
    keep_caller_id: bool = True
    substitute: bool = True
    direct_calls_only: bool = False
    ignore_early_media: bool = True

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a document's `call_forward` object."""
        obj = as_object(data, "call_forward")
        return cls(
            enabled=_flag(obj, "enabled", default=False),
            number=get_opt_str(obj, "number"),
            failover=_flag(obj, "failover", default=False),
            require_keypress=_flag(obj, "require_keypress", default=True),
            keep_caller_id=_flag(obj, "keep_caller_id", default=True),
            substitute=_flag(obj, "substitute", default=True),
            direct_calls_only=_flag(obj, "direct_calls_only", default=False),
            ignore_early_media=_flag(obj, "ignore_early_media", default=True),
        )

    @classmethod
    def from_features(cls, names: list[Any]) -> Self:
        """What the users list's `features` say: `call_forward` (on), `_failover`."""
        return cls(enabled="call_forward" in names, failover="call_forward_failover" in names)


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
    # `do_not_disturb.enabled` and `call_forward`: from the list's `features`, or the whole
    # document (`detailed`), where the forward number is too.
    do_not_disturb: bool = False
    call_forward: KazooCallForward = KazooCallForward()
    detailed: bool = False

    @property
    def display_name(self) -> str:
        """The user's full name, falling back to the username and then the id."""
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username or self.id

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one users list item or a whole user document."""
        obj = as_object(data, "user")
        detailed = "features" not in obj
        features = obj.get("features")
        names = features if isinstance(features, list) else []
        forward = obj.get("call_forward")
        return cls(
            id=get_str(obj, "id"),
            username=get_opt_str(obj, "username"),
            first_name=get_opt_str(obj, "first_name") or "",
            last_name=get_opt_str(obj, "last_name") or "",
            email=get_opt_str(obj, "email"),
            presence_id=get_opt_str(obj, "presence_id"),
            priv_level=get_opt_str(obj, "priv_level"),
            do_not_disturb=bool(_dnd_of(obj)) if detailed else "do_not_disturb" in names,
            call_forward=(
                KazooCallForward.from_features(names)
                if not detailed
                else KazooCallForward.from_api(forward)
                if forward is not None
                else KazooCallForward()
            ),
            detailed=detailed,
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
    # The device's own `do_not_disturb.enabled` and `call_forward`, only in the
    # single-device reply; None where it has none (its owner's apply).
    do_not_disturb: bool | None = None
    call_forward: KazooCallForward | None = None

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
            do_not_disturb=_dnd_of(obj),
            call_forward=(
                KazooCallForward.from_api(forward)
                if (forward := obj.get("call_forward")) is not None
                else None
            ),
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
    """One item of `vmboxes`: a voicemail box, its owner and its new-message count.

    Kazoo 4.3 adds `folders.new` / `folders.saved` to every item of the list
    (`cb_vmboxes`); `new_messages` is None where a server does not.
    """

    id: str
    mailbox: str | None
    owner_id: str | None
    new_messages: int | None = None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one `vmboxes` item."""
        obj = as_object(data, "voicemail box")
        folders = obj.get("folders")
        new_messages = None
        if isinstance(folders, Mapping) and "new" in folders:
            new_messages = get_int(folders, "new")
        return cls(
            id=get_str(obj, "id"),
            mailbox=opt_text(obj, "mailbox"),
            owner_id=get_opt_str(obj, "owner_id"),
            new_messages=new_messages,
        )


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
    # The leg's caller and callee ID (channels on 4.3.25+, every call event).
    caller_id_name: str | None = None
    caller_id_number: str | None = None
    callee_id_name: str | None = None
    callee_id_number: str | None = None

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
            caller_id_name=opt_text(obj, "caller_id_name"),
            caller_id_number=opt_text(obj, "caller_id_number"),
            callee_id_name=opt_text(obj, "callee_id_name"),
            callee_id_number=opt_text(obj, "callee_id_number"),
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
