"""In-memory state of a simulated Kazoo (Flex UC) account.

Records are plain dicts shaped like Kazoo documents, so the HTTP layer can pick the
fields each endpoint shows and tests can read or tweak them directly.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
import hashlib
import json
import random
import secrets
import time
from typing import Any, Literal

from .blackhole import BlackholeVersion, BusEvent, event_data
from .common import gregorian_now, hex_id, uuid4

type PresenceShape = Literal["legacy", "modern"]
type AccountStatus = Literal["enabled", "disabled", "expired"]

# The users and devices schemas' defaults of `call_forward` (no number).
CALL_FORWARD_DEFAULTS: dict[str, bool] = {
    "enabled": False,
    "require_keypress": True,
    "keep_caller_id": True,
    "substitute": True,
    "direct_calls_only": False,
    "failover": False,
    "ignore_early_media": True,
}
DEFAULT_ACCOUNT_ID = "6e1f0c9a2b7d4e38a5c1f0d29b8e7a61"
PRESENCE_STATES = ("early", "confirmed", "terminated")
USER_AGENTS = (
    "Yealink SIP-T46S 66.86.0.15",
    "Polycom/6.3.1.8427 PolycomVVX-VVX_450-UA/6.3.1.8427",
    "Grandstream GXP2170 1.0.11.23",
    "Zoiper rv2.10.19.6",
)


@dataclass
class Subscription:
    """One SIP SUBSCRIBE dialog: ``watcher`` (a SIP username) watches ``extension``."""

    call_id: str
    extension: str
    watcher: str
    event: str
    timestamp: int
    user_agent: str
    expires: int = 1820


@dataclass
class Channel:
    """One live call leg, as listed by ``GET /channels``."""

    uuid: str
    direction: str
    presence_id: str
    owner_id: str | None
    authorizing_id: str | None
    username: str | None
    destination: str
    other_leg: str
    timestamp: int
    answered: bool = False
    # Who calls, on a leg the switch places to a phone from outside the account.
    caller_id_name: str | None = None
    caller_id_number: str | None = None
    on_hold: bool = False


@dataclass(frozen=True)
class RateLimit:
    """Kazoo 4.3's token bucket per client IP + account (``kz_buckets`` defaults).

    Every token-authenticated request takes one token; an empty bucket answers 429.
    """

    capacity: int = 100
    refill_per_second: float = 10.0


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class Token:
    """An issued auth token; use does not extend it.

    ``exp`` (the payload's claim) is ``expires_at`` rounded down, so a client renewing
    by ``exp`` is never late, and a short lifetime never expires early.
    """

    account_id: str
    owner_id: str | None
    iat: int
    exp: int
    expires_at: float


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def credentials_hash(username: str, password: str, method: str = "md5") -> str:
    """Return the hash Kazoo's ``user_auth`` expects (username lowercased first)."""
    secret = f"{username.lower()}:{password}".encode()
    if method == "sha":
        return hashlib.sha1(secret, usedforsecurity=False).hexdigest()
    return hashlib.md5(secret, usedforsecurity=False).hexdigest()


def merge_documents(changes: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """Kazoo's recursive merge: the left side (the request) wins, objects merge."""
    merged = dict(document)
    for key, value in changes.items():
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            merged[key] = merge_documents(value, old)
        else:
            merged[key] = value
    return merged


class KazooState:
    """One Kazoo account with its users, devices, subscriptions and live calls."""

    def __init__(
        self,
        *,
        account_name: str = "acme",
        realm: str = "acme.pbx.example",
        account_id: str = DEFAULT_ACCOUNT_ID,
        phone_number: str = "+15555550100",
        seed: int = 0,
    ) -> None:
        """Create an account with no users or devices."""
        self._rng = random.Random(seed)
        self.account_id = account_id
        self.account_name = account_name
        self.realm = realm
        self.phone_numbers = [phone_number]
        # Kazoo 4.1+ counts watchers; "legacy" is the seed's (Kazoo 4.0) subscription list.
        self.presence_shape: PresenceShape = "modern"
        self.token_lifetime: float = 3600
        # Some Kamailio node did not answer in time: `timeout: true` beside the counts.
        self.presence_timeout = False
        # No Kamailio node answered: `data` is `{"timeout": true}`, no Subscriptions.
        self.presence_no_answer = False
        # Kazoo 4.3 rate-limits token-authenticated requests; None turns it off (master).
        self.rate_limit: RateLimit | None = RateLimit()
        self.rate_limited = 0  # 429s answered by the rate limit
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        # "disabled" or "expired": user_auth and token requests answer 400 `validation error`.
        self.account_status: AccountStatus = "enabled"
        # A presence command that crashes on the server answers the loaded document.
        self.presence_command_crashes = False
        # Kazoo 4.3 and master load every page for `paginate=false`; an older or odd server
        # may answer its first page as usual (False).
        self.honours_paginate_false = True
        # Blackhole: 4.3 (call and object bindings) or 5 (also presence bindings); the
        # login reply names its URL only where a provider configured it.
        self.blackhole_version: BlackholeVersion = "4.3"
        self.websocket_url_in_login: str | None = None
        # Called with every event of the account's message bus (see simulator.blackhole).
        self.event_listeners: list[Callable[[BusEvent], None]] = []
        # Blackhole spawns a process per message, so a call's events may arrive out of
        # order: an event named here reaches the sockets only after its call's next event
        # (a late ANSWER after the DESTROY; a DESTROY before its CREATE).
        self.late_call_events: set[str] = set()
        self._held_call_events: dict[str, list[BusEvent]] = {}
        self._revisions: dict[str, int] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.devices: dict[str, dict[str, Any]] = {}
        self.api_keys: list[str] = []
        self.mfa_users: set[str] = set()
        self.registered: set[str] = set()
        # voicemail box id -> box document, with its messages inline (Kazoo keeps them apart)
        self.vmboxes: dict[str, dict[str, Any]] = {}
        # extension (lowercased) -> call_id -> subscription
        self.subscriptions: dict[str, dict[str, Subscription]] = {}
        self.channels: dict[str, Channel] = {}
        self.tokens: dict[str, Token] = {}
        self.presence_actions: list[dict[str, Any]] = []
        self.presence_overrides: dict[str, str] = {}
        # The account's `manual_presence` document: presence id -> state.
        self.manual_presence_doc: dict[str, str] = {}
        # (method, credentials hash) -> user id
        self._hashes: dict[tuple[str, str], str] = {}
        # Quickcall and parking (simulator.kazoo_features): callflows by id, parked calls by
        # slot, ringing quickcalls by leg, what quickcall was asked, endpoints an operator's
        # token restrictions refuse (403).
        self.callflows: dict[str, dict[str, Any]] = {}
        self.parked: dict[str, dict[str, Any]] = {}
        self.quickcalls: dict[str, Any] = {}
        self.quickcall_requests: list[dict[str, Any]] = []
        self.forbidden_endpoints: set[str] = set()
        # The account's own `do_not_disturb.enabled`: every phone of the account is on DND
        # (kz_endpoint merges account OR owner OR device).
        self.account_dnd = False
        # Token restrictions (`crossbar.token_restrictions`): off by default in Kazoo; when
        # an account has them, logins of users below `admin` may only read.
        self.restrict_user_writes = False
        # 4.3's devices schema caps `call_forward.number` at 15 characters (users: 35).
        self.device_forward_number_max = 15

    # -- directory -------------------------------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        first_name: str,
        last_name: str,
        presence_id: str | None = None,
        *,
        mfa: bool = False,
        priv_level: str = "user",
        email: str | None = None,
    ) -> dict[str, Any]:
        """Add a user; ``mfa=True`` makes its logins ask for a second factor."""
        user: dict[str, Any] = {
            "id": hex_id(self._rng),
            "username": username,
            "first_name": first_name,
            "last_name": last_name,
            "email": email or f"{username}@{self.realm}",
            "priv_level": priv_level,
            "enabled": True,
            # As Monster UI's SmartPBX creates users: both settings present, both off.
            "do_not_disturb": {"enabled": False},
            "call_forward": dict(CALL_FORWARD_DEFAULTS),
        }
        if presence_id is not None:
            user["presence_id"] = presence_id
        self.users[user["id"]] = user
        for method in ("md5", "sha"):
            key = (method, credentials_hash(username, password, method))
            self._hashes[key] = user["id"]
        if mfa:
            self.mfa_users.add(user["id"])
        self._object_event("doc_created", "user", user["id"])
        return user

    def add_device(
        self,
        name: str,
        owner_id: str | None = None,
        sip_username: str | None = None,
        presence_id: str | None = None,
        device_type: str = "sip_device",
        mac_address: str | None = None,
        *,
        own_settings: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add a device (phone); SIP username and MAC address are generated if absent.

        A new device has no `do_not_disturb` or `call_forward` of its own (its owner's
        apply); `own_settings` gives it some.
        """
        device_id = hex_id(self._rng)
        if mac_address is None:
            octets = [0x80, 0x5E, *(self._rng.randrange(256) for _ in range(4))]
            mac_address = ":".join(f"{octet:02x}" for octet in octets)
        device: dict[str, Any] = {
            "id": device_id,
            "name": name,
            "enabled": True,
            "device_type": device_type,
            "mac_address": mac_address,
            "sip": {
                "username": sip_username or f"user_{device_id[:8]}",
                "password": f"{self._rng.getrandbits(64):016x}",
                "realm": self.realm,
                "method": "password",
                "invite_format": "username",
            },
        }
        if owner_id is not None:
            device["owner_id"] = owner_id
        if presence_id is not None:
            device["presence_id"] = presence_id
        device |= own_settings or {}
        self.devices[device_id] = device
        self._object_event("doc_created", "device", device_id)
        return device

    def add_vmbox(self, owner_id: str | None, mailbox: str, name: str | None = None) -> str:
        """Add a voicemail box; return its id."""
        box_id = hex_id(self._rng)
        self.vmboxes[box_id] = {
            "id": box_id,
            "name": name or f"{mailbox} voicemail",
            "mailbox": mailbox,
            "owner_id": owner_id,
            "messages": [],
        }
        self._object_event("doc_created", "vmbox", box_id)
        return box_id

    def leave_voicemail(
        self,
        box_id: str,
        caller_id_number: str,
        caller_id_name: str = "",
        *,
        folder: str = "new",
        length: int = 12000,
    ) -> str:
        """Leave a message in a box (`folder` new or saved); return its media id."""
        box = self.vmboxes[box_id]
        media_id = f"{time.strftime('%Y%m')}-{self._rng.getrandbits(64):016x}"
        box["messages"].append(
            {
                "media_id": media_id,
                "folder": folder,
                "timestamp": gregorian_now(),
                "from": f"{caller_id_number}@{self.realm}",
                "to": f"{box['mailbox']}@{self.realm}",
                "caller_id_number": caller_id_number,
                "caller_id_name": caller_id_name,
                "length": length,
            }
        )
        self._mwi_event(box)
        return media_id

    def owns_documents(self, user_id: str) -> bool:
        """Whether a user owns any document (a device or a voicemail box)."""
        return bool(self.owned_devices(user_id)) or any(
            box.get("owner_id") == user_id for box in self.vmboxes.values()
        )

    def hotdesk(self, device_id: str, user_id: str) -> None:
        """Hotdesk a user on a device (Kazoo keeps it in the device's `hotdesk.users`)."""
        self._user(user_id)
        self._device(device_id).setdefault("hotdesk", {}).setdefault("users", {})[user_id] = {}
        self._object_event("doc_edited", "device", device_id)

    def add_api_key(self) -> str:
        """Create an API key (64 hex digits) for this account and return it."""
        key = f"{self._rng.getrandbits(256):064x}"
        self.api_keys.append(key)
        return key

    def owned_devices(self, user_id: str) -> list[dict[str, Any]]:
        """Return the devices owned by a user, in id order."""
        return [
            device
            for device_id, device in sorted(self.devices.items())
            if device.get("owner_id") == user_id
        ]

    # -- registrations and BLF subscriptions ----------------------------------

    def register(self, device_id: str) -> None:
        """Mark a device registered."""
        self._device(device_id)
        self.registered.add(device_id)

    def unregister(self, device_id: str) -> None:
        """Mark a device unregistered."""
        self.registered.discard(device_id)

    def watch(self, extension: str, watcher_sip_username: str, event: str = "dialog") -> str:
        """Subscribe a phone to an extension; return the subscription's call id."""
        call_id = f"{self._rng.getrandbits(96):024x}@{self.realm}"
        subscription = Subscription(
            call_id=call_id,
            extension=extension.lower(),
            watcher=watcher_sip_username,
            event=event,
            timestamp=gregorian_now(),
            user_agent=self._rng.choice(USER_AGENTS),
        )
        self.subscriptions.setdefault(subscription.extension, {})[call_id] = subscription
        return call_id

    def unwatch(self, extension: str, call_id: str) -> None:
        """End one subscription."""
        watched = self.subscriptions.get(extension.lower(), {})
        watched.pop(call_id, None)
        if not watched:
            self.subscriptions.pop(extension.lower(), None)

    # -- calls -------------------------------------------------------------------

    def start_call(
        self,
        *,
        user_id: str | None = None,
        device_id: str | None = None,
        destination: str = "1000",
        direction: str = "inbound",
        other_leg: str | None = None,
        caller_id_name: str | None = None,
        caller_id_number: str | None = None,
    ) -> str:
        """Start an unanswered call leg on a device or a user's first device; return its uuid.

        `direction` is the switch's view: `inbound` is a leg the phone created (it calls
        out), `outbound` a leg the switch places to the phone (it rings). `other_leg` is
        the leg it is bridged to, for a call inside the account; `caller_id_*` name an
        outside caller.
        """
        if device_id is not None:
            device: dict[str, Any] | None = self._device(device_id)
        elif user_id is not None:
            self._user(user_id)
            device = next(iter(self.owned_devices(user_id)), None)
        else:
            raise ValueError("start_call needs a user_id or a device_id")
        device = device or {}
        owner_id = device.get("owner_id", user_id)
        owner = self.users.get(owner_id or "", {})
        sip_username = device.get("sip", {}).get("username")
        # Kazoo's channel presence id (kzd_devices:presence_id): owner's, a hotdesked
        # user's (only for a device without an owner), the device's, else the SIP username.
        hotdesked = [
            self.users[user_id].get("presence_id")
            for user_id in device.get("hotdesk", {}).get("users", {})
            if user_id in self.users and not device.get("owner_id")
        ]
        presence = (
            owner.get("presence_id")
            or next((presence_id for presence_id in hotdesked if presence_id), None)
            or device.get("presence_id")
            or sip_username
            or owner.get("username")
        )
        channel = Channel(
            uuid=uuid4(self._rng),
            direction=direction,
            presence_id=f"{str(presence).split('@', 1)[0]}@{self.realm}",
            owner_id=owner_id,
            authorizing_id=device.get("id"),
            username=sip_username,
            destination=destination,
            other_leg=other_leg or uuid4(self._rng),
            timestamp=gregorian_now(),
            caller_id_name=caller_id_name,
            caller_id_number=caller_id_number,
        )
        self.channels[channel.uuid] = channel
        self._call_event("CHANNEL_CREATE", channel)
        return channel.uuid

    def start_internal_call(self, caller_device_id: str, callee_device_id: str) -> tuple[str, str]:
        """One phone calls another; return the caller's and the callee's leg.

        As Kazoo's switch sees it: the caller's phone created its leg (`inbound`), and the
        switch places a leg to the phone it rings (`outbound`).
        """
        callee = self._device(callee_device_id)
        owner = self.users.get(callee.get("owner_id") or "", {})
        extension = (
            owner.get("presence_id") or callee.get("presence_id") or callee["sip"]["username"]
        )
        caller_leg = self.start_call(
            device_id=caller_device_id, destination=extension, direction="inbound"
        )
        callee_leg = self.start_call(
            device_id=callee_device_id,
            destination=extension,
            direction="outbound",
            other_leg=caller_leg,
        )
        self.channels[caller_leg].other_leg = callee_leg
        return caller_leg, callee_leg

    def answer(self, call_uuid: str) -> None:
        """Answer a call leg; a call between two phones of the account is bridged."""
        channel = self.channels[call_uuid]
        legs = [channel]
        if (other := self.channels.get(channel.other_leg)) is not None:
            legs.append(other)
        for leg in legs:
            if not leg.answered:
                leg.answered = True
                self._call_event("CHANNEL_ANSWER", leg)
        if other is not None:  # both legs of a call inside the account: bridged
            for leg in legs:
                self._call_event("CHANNEL_BRIDGE", leg)
        if call_uuid in self.quickcalls:  # a quickcall's phone answered: dial on
            from .kazoo_features import on_answer  # noqa: PLC0415 - it imports this module

            on_answer(self, call_uuid)

    def hold(self, call_uuid: str, *, on_hold: bool = True) -> None:
        """Put a leg on hold or take it off (`CHANNEL_HOLD` / `CHANNEL_UNHOLD`)."""
        channel = self.channels[call_uuid]
        if channel.on_hold != on_hold:
            channel.on_hold = on_hold
            self._call_event("CHANNEL_HOLD" if on_hold else "CHANNEL_UNHOLD", channel)

    def hangup(self, call_uuid: str, cause: str = "NORMAL_CLEARING") -> None:
        """End a call leg and the leg bridged to it (no-op when it is already gone)."""
        channel = self.channels.pop(call_uuid, None)
        if channel is None:
            return
        legs = [channel]
        if (other := self.channels.pop(channel.other_leg, None)) is not None:
            legs.append(other)
        for leg in legs:
            self._call_event("CHANNEL_DESTROY", leg, hangup_cause=cause)

    # -- events ------------------------------------------------------------------

    def publish(self, event: BusEvent) -> None:
        """Put an event on the account's message bus (Blackhole delivers it)."""
        for listener in list(self.event_listeners):
            listener(event)

    def _call_event(self, name: str, channel: Channel, **extra: Any) -> None:
        """A call event of one leg, with the fields Blackhole sends (lowercased, no nulls)."""
        other = self.channels.get(channel.other_leg)
        caller, callee = self.parties(channel)
        now = gregorian_now()
        if name == "CHANNEL_DESTROY":
            extra |= {
                "duration_seconds": now - channel.timestamp,
                "billing_seconds": now - channel.timestamp if channel.answered else 0,
                "ringing_seconds": 0 if channel.answered else now - channel.timestamp,
            }
        self._publish_call(
            BusEvent(
                routing=("call", name, channel.uuid),
                name=name,
                data=event_data(
                    call_id=channel.uuid,
                    call_direction=channel.direction,
                    presence_id=channel.presence_id,
                    caller_id_name=caller[0],
                    caller_id_number=caller[1],
                    callee_id_name=callee[0],
                    callee_id_number=callee[1],
                    # The number dialled, on the leg a phone created (CREATE/ANSWER/DESTROY).
                    request=(
                        f"{channel.destination}@{self.realm}"
                        if channel.direction == "inbound" and name != "CHANNEL_BRIDGE"
                        else None
                    ),
                    other_leg_call_id=channel.other_leg if other else None,
                    timestamp=now,
                    custom_channel_vars={
                        "account_id": self.account_id,
                        "owner_id": channel.owner_id,
                        "authorizing_id": channel.authorizing_id,
                        "authorizing_type": "device" if channel.authorizing_id else None,
                        "username": channel.username,
                        "realm": self.realm,
                    },
                    **extra,
                ),
            )
        )

    def _publish_call(self, event: BusEvent) -> None:
        """Publish a call event; those named in `late_call_events` after the call's next."""
        call_id = event.routing[2]
        if event.name in self.late_call_events:
            self._held_call_events.setdefault(call_id, []).append(event)
            return
        self.publish(event)
        for late in self._held_call_events.pop(call_id, []):
            self.publish(late)

    def parties(self, channel: Channel) -> tuple[tuple[str | None, str | None], ...]:
        """A leg's caller and callee (name, number), as channels (4.3.25+) and events say.

        Inside the account, a phone's caller ID is its own internal one; where none is
        configured this model sends the SIP user name as the name and the presence id's
        user part as the number. On a leg a phone created, the callee is still unknown
        (the number dialled is in `request`).
        """
        if channel.direction == "inbound":  # the phone placed this leg: it is the caller
            return self._leg_party(channel), (None, None)
        other = self.channels.get(channel.other_leg)
        if other is not None:
            caller = self._leg_party(other)
        else:
            caller = (channel.caller_id_name, channel.caller_id_number)
        return caller, self._leg_party(channel)

    def _leg_party(self, channel: Channel) -> tuple[str | None, str | None]:
        """A leg of the account: its phone's internal caller ID name, and its number."""
        device = self.devices.get(channel.authorizing_id or "", {})
        internal = device.get("caller_id", {}).get("internal", {})
        name = internal.get("name") or channel.username
        return name, internal.get("number") or channel.presence_id.split("@", 1)[0]

    def _revision(self, doc_id: str) -> str:
        """CouchDB's `<n>-<hash>` revision of a document's next write (not the rng's)."""
        count = self._revisions[doc_id] = self._revisions.get(doc_id, 0) + 1
        digest = hashlib.md5(f"{doc_id}/{count}".encode(), usedforsecurity=False).hexdigest()
        return f"{count}-{digest}"

    def _object_event(self, action: str, doc_type: str, doc_id: str) -> None:
        self.publish(
            BusEvent(
                routing=("object", action, doc_type),
                name=action,
                # kzs_publish: the document's id, type, database and revision; no body.
                data=event_data(
                    id=doc_id,
                    type=doc_type,
                    account_id=self.account_id,
                    database=(
                        f"account%2F{self.account_id[:2]}%2F{self.account_id[2:4]}"
                        f"%2F{self.account_id[4:]}"
                    ),
                    rev=self._revision(doc_id),
                    is_soft_deleted=action == "doc_deleted" or None,
                ),
            )
        )

    def _mwi_event(self, box: dict[str, Any]) -> None:
        """5.x: a box's message counts changed (`presence.mwi_updates.<mailbox>`)."""
        folders = [m["folder"] for m in box["messages"]]
        self.publish(
            BusEvent(
                routing=("presence", "mwi_updates", str(box["mailbox"])),
                name="mwi_update",
                # kvm_mwi.erl: send_mwi_update/2 (no To-User, no urgent counts).
                data=event_data(
                    to=f"{box['mailbox']}@{self.realm}",
                    messages_new=folders.count("new"),
                    messages_saved=folders.count("saved"),
                    call_id=hashlib.md5(
                        f"{box['mailbox']}@{self.realm}".encode(), usedforsecurity=False
                    ).hexdigest(),
                    app_name="kazoo_voicemail",
                    event_category="presence",
                    event_name="mwi_update",
                ),
            )
        )

    def edit_document(self, doc_type: str, doc_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge `changes` into a user or device, as a PATCH (or Monster UI) would.

        Crossbar's PATCH is `kz_json:merge(merge_left, Request, Existing)`: objects merge
        key by key, anything else in the request replaces the stored value. The edit
        publishes `object.doc_edited.<type>`. Returns the document as stored.
        """
        records = self.users if doc_type == "user" else self.devices
        document = self._user(doc_id) if doc_type == "user" else self._device(doc_id)
        records[doc_id] = merged = merge_documents(changes, document)
        self._object_event("doc_edited", doc_type, doc_id)
        return merged

    def token_may_write(self, owner_id: str | None) -> bool:
        """Whether a login may edit users and devices (token restrictions, when set)."""
        if not self.restrict_user_writes or owner_id is None:  # an API key is an admin
            return True
        return self.users.get(owner_id, {}).get("priv_level") == "admin"

    def remove_device(self, device_id: str) -> None:
        """Delete a device, as an admin would."""
        del self.devices[self._device(device_id)["id"]]
        self.registered.discard(device_id)
        self._object_event("doc_deleted", "device", device_id)

    # -- authentication --------------------------------------------------------

    def user_for_credentials(self, credentials: str, method: str = "md5") -> str | None:
        """Return the id of the user whose credentials hash (md5 or sha) this is."""
        user_id = self._hashes.get((method, credentials.lower()))
        return user_id if user_id in self.users else None

    def issue_token(self, owner_id: str | None) -> str:
        """Issue a JWT-like token for this account that expires after token_lifetime."""
        now = time.time()
        token = Token(
            account_id=self.account_id,
            owner_id=owner_id,
            iat=int(now),
            exp=int(now + self.token_lifetime),
            expires_at=now + self.token_lifetime,
        )
        payload: dict[str, Any] = {"account_id": self.account_id}
        if owner_id is not None:
            payload["owner_id"] = owner_id
        payload |= {"exp": token.exp, "iat": token.iat}
        header = {"alg": "RS256", "typ": "JWT"}
        text = ".".join(
            (
                _b64url(json.dumps(header, separators=(",", ":")).encode()),
                _b64url(json.dumps(payload, separators=(",", ":")).encode()),
                _b64url(secrets.token_bytes(32)),
            )
        )
        self.tokens[text] = token
        return text

    def valid_token(self, token: str) -> Token | None:
        """Return the token's record when it is known and not expired yet."""
        record = self.tokens.get(token)
        if record is None or time.time() >= record.expires_at:
            return None
        return record

    def revoke_tokens(self) -> None:
        """Forget every issued token (the next request with one gets 401)."""
        self.tokens.clear()

    def take_request_token(self, client: str, account_id: str) -> bool:
        """Charge one request to the bucket of ``client`` + account; False when empty."""
        limit = self.rate_limit
        if limit is None:
            return True
        now = time.monotonic()
        bucket = self._buckets.get((client, account_id))
        if bucket is None:
            bucket = self._buckets[client, account_id] = _Bucket(limit.capacity, now)
        bucket.tokens = min(
            limit.capacity, bucket.tokens + (now - bucket.updated) * limit.refill_per_second
        )
        bucket.updated = now
        if bucket.tokens < 1:
            self.rate_limited += 1
            return False
        bucket.tokens -= 1
        return True

    # -- presence actions ------------------------------------------------------

    def device_presence_ids(self, device_id: str) -> list[str]:
        """Presence ids a device presence action affects: its own presence_id only."""
        presence_id = self._device(device_id).get("presence_id")
        return [presence_id] if presence_id else []

    def user_presence_ids(self, user_id: str) -> list[str]:
        """Presence ids a user presence action affects: the user's, else its devices'."""
        presence_id = self._user(user_id).get("presence_id")
        if presence_id:
            return [presence_id]
        return [
            device["presence_id"]
            for device in self.owned_devices(user_id)
            if device.get("presence_id")
        ]

    def apply_presence_action(
        self,
        target: str,
        target_id: str,
        action: str,
        state: str | None,
        presence_ids: list[str],
    ) -> None:
        """Record a presence reset/set and update the manual BLF overrides."""
        for presence_id in presence_ids:
            if action == "set" and state is not None:
                self.presence_overrides[presence_id.lower()] = state
            else:
                self.presence_overrides.pop(presence_id.lower(), None)
            if action == "set" and state is not None:
                # 5.x: the manual state reaches `presence.update` subscribers; a reset is
                # `publish_reset`, which no Blackhole binding carries (cb_presence.erl).
                self.manual_presence(presence_id.split("@", 1)[0], state, app_name="crossbar")
        self.presence_actions.append(
            {
                "target": target,
                "id": target_id,
                "action": action,
                "state": state,
                "presence_ids": list(presence_ids),
            }
        )

    def manual_presence(self, user: str, state: str, *, app_name: str = "callflow") -> None:
        """A lamp forced by hand: Crossbar's presence `set`, or a `*`-code (cf_manual_presence).

        kapps_call_command:presence/3 publishes an `update` with `From = To =
        sip:<user>@<realm>`, the state and `Call-ID = md5("<user>@<realm>")`, no direction.
        """
        presence_id = f"{user}@{self.realm}"
        self.presence_overrides[user.lower()] = state
        # Both keep it in the account's `manual_presence` document (terminated too):
        # Crossbar under the bare presence id, cf_manual_presence with the realm.
        self.manual_presence_doc[presence_id if app_name == "callflow" else user] = state
        self._presence_update(presence_id, state, app_name=app_name)

    def presence_probe(self, user: str, *, online: bool) -> None:
        """A phone's SUBSCRIBE probe, answered by ecallmgr and callflow.

        ecallmgr answers `online`/`offline`; callflow the state stored for
        `<user>@<realm>` (cf_util.erl: presence_probe/2), which only cf_manual_presence
        stores under that key.
        """
        presence_id = f"{user}@{self.realm}"
        self._presence_update(presence_id, "online" if online else "offline", app_name="ecallmgr")
        if (stored := self.manual_presence_doc.get(presence_id)) is not None:
            self._presence_update(presence_id, stored, app_name="callflow")

    def _presence_update(self, presence_id: str, state: str, *, app_name: str) -> None:
        user, realm = presence_id.split("@", 1)
        call_id = hashlib.md5(presence_id.encode(), usedforsecurity=False).hexdigest()
        self.publish(
            BusEvent(
                routing=("presence", "update", call_id),
                name="update",
                data=event_data(
                    presence_id=presence_id,
                    state=state,
                    call_id=call_id,
                    to=f"sip:{presence_id}",
                    to_user=user,
                    to_realm=realm,
                    app_name=app_name,
                    app_version="4.0.0",
                    event_category="presence",
                    event_name="update",
                    **{"from": f"sip:{presence_id}"},
                    from_user=user,
                    from_realm=realm,
                ),
            )
        )

    # -- helpers -----------------------------------------------------------------

    def _user(self, user_id: str) -> dict[str, Any]:
        try:
            return self.users[user_id]
        except KeyError:
            raise KeyError(f"unknown user {user_id}") from None

    def _device(self, device_id: str) -> dict[str, Any]:
        try:
            return self.devices[device_id]
        except KeyError:
            raise KeyError(f"unknown device {device_id}") from None
