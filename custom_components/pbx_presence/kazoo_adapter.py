"""Flex UC / Kazoo adapter: users, phones and watched extensions with call state and BLF."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.util import dt as dt_util

from .adapter import PbxAdapter, PushResult
from .const import (
    CONF_IMPORT,
    DIRECTORY_REFRESH_INTERVAL,
    KAZOO_SAFETY_SCAN_INTERVAL,
    KAZOO_SCAN_INTERVAL,
    LARGE_ACCOUNT_USERS,
    LOGGER,
    MAX_CONCURRENT_REQUESTS,
    ServerType,
)
from .model import (
    CallDirection,
    CallInfo,
    CallState,
    Presentity,
    PresentityKind,
    ServerInfo,
    Snapshot,
)
from .pbx import (
    BlackholeSocket,
    KazooCallEvent,
    KazooChannel,
    KazooClient,
    KazooDevice,
    KazooDeviceStatus,
    KazooMwiEvent,
    KazooObjectEvent,
    KazooPresenceList,
    KazooUser,
    KazooVoicemailBox,
    PbxError,
    PbxForbiddenError,
    PbxNotFoundError,
    PresenceState,
)
from .pbx.models import gregorian_to_datetime

# An unknown id in a poll re-reads the directory, but not more often than this: a channel
# of a device from elsewhere (a carrier leg, another account) would otherwise force it
# on every poll.
_UNKNOWN_ID_RELOAD_INTERVAL = timedelta(minutes=1)
NOTHING_TO_SEND = "nothing to send command to"
# Kazoo answers `devices/status` with [] when it cannot ask the call manager: an empty
# list after more registrations than this is believed only when the next poll agrees.
_DOUBTFUL_EMPTY_AFTER = 2
# Voicemail counts cost one request per box: each is read this seldom, and a poll reads at
# most this many, so a large account stays far below Kazoo 4.3's 10 requests per second.
VOICEMAIL_INTERVAL = timedelta(minutes=5)
VOICEMAIL_READS_PER_POLL = 3
_NEVER = datetime.min.replace(tzinfo=UTC)
# Blackhole bindings, one per subscribe message. Call events exist from 4.3 on; presence
# bindings only on servers that list them (5.x). Object events replace directory polling.
CALL_BINDINGS = (
    "call.CHANNEL_CREATE.*",
    "call.CHANNEL_ANSWER.*",
    "call.CHANNEL_BRIDGE.*",
    "call.CHANNEL_DESTROY.*",
)
OBJECT_BINDINGS = ("object.*.user", "object.*.device", "object.*.vmbox")
PRESENCE_BINDINGS = ("presence.mwi_updates.*",)


@dataclass(slots=True)
class Directory:
    """The account's users and phones, read rarely."""

    users: dict[str, KazooUser] = field(default_factory=dict)
    devices: dict[str, KazooDevice] = field(default_factory=dict)
    loaded_at: datetime | None = None


def user_key(user_id: str) -> str:
    """Presentity key of a Kazoo user."""
    return f"user_{user_id}"


def phone_key(device_id: str) -> str:
    """Presentity key of a Kazoo device."""
    return f"phone_{device_id}"


def extension_key(extension: str) -> str:
    """Presentity key of a watched extension such as a park slot."""
    return f"extension_{extension}"


def presence_key(presence_id: str) -> str:
    """How Kazoo names a presentity: the user part of a presence id, lowercased.

    A presence_id may carry `@realm`; watchers subscribe to the user part.
    """
    return presence_id.split("@", 1)[0].lower()


def device_presence_key(
    device: KazooDevice, owner: KazooUser | None = None, hotdesked: KazooUser | None = None
) -> str | None:
    """The presentity a device's calls and BLF lamps go by.

    Kazoo's order: the owner's presence_id, a hotdesked user's, the device's own, its SIP
    username.
    """
    value = (
        (owner and owner.presence_id)
        or (hotdesked and hotdesked.presence_id)
        or device.presence_id
        or device.username
    )
    return presence_key(value) if value else None


@dataclass(slots=True)
class _ChannelIndex:
    """Live channels by owner, by device and by presence id, built once per poll.

    Looking channels up per presentity keeps a poll linear in the account's size.
    """

    by_owner: dict[str, list[KazooChannel]] = field(default_factory=dict)
    by_device: dict[str, list[KazooChannel]] = field(default_factory=dict)
    by_presence: dict[str, list[KazooChannel]] = field(default_factory=dict)
    by_uuid: dict[str, KazooChannel] = field(default_factory=dict)

    @classmethod
    def of(cls, channels: Iterable[KazooChannel]) -> _ChannelIndex:
        index = cls()
        for channel in channels:
            index.by_uuid[channel.uuid] = channel
            if channel.owner_id:
                index.by_owner.setdefault(channel.owner_id, []).append(channel)
            if channel.authorizing_id:
                index.by_device.setdefault(channel.authorizing_id, []).append(channel)
            if channel.presence_id:
                key = presence_key(channel.presence_id)
                index.by_presence.setdefault(key, []).append(channel)
        return index

    def touches(self, user_id: str, presence_keys: Iterable[str]) -> bool:
        """Whether a user has any call: most have none, and this is quick to tell."""
        return user_id in self.by_owner or any(key in self.by_presence for key in presence_keys)

    def of_user(self, user_id: str, presence_keys: Iterable[str]) -> list[KazooChannel]:
        """A user's calls: those it owns and those on its presence ids."""
        found = {c.uuid: c for c in self.by_owner.get(user_id, ())}
        for key in presence_keys:
            found.update((c.uuid, c) for c in self.by_presence.get(key, ()))
        return list(found.values())


def _call_state(channels: Iterable[KazooChannel]) -> CallState:
    """As Kazoo's own lamps show it: only a phone being called rings.

    The switch places an `outbound` leg to the phone it rings; an `inbound` leg is one the
    phone created, so its caller is busy from the first moment.
    """
    state = CallState.IDLE
    for channel in channels:
        if channel.answered or channel.direction == "inbound":
            return CallState.BUSY
        state = CallState.RINGING
    return state


# `direction` is the switch's view: it places an `outbound` leg to the phone that is called.
_DIRECTIONS = {"outbound": CallDirection.INCOMING, "inbound": CallDirection.OUTGOING}


def _call_info(
    channels: Iterable[KazooChannel], calls: _ChannelIndex, directory: Directory
) -> CallInfo | None:
    """What the channel list tells about a presentity's call: its answered leg, else its first.

    `GET /channels` has no caller id; for a call from inside the account the caller's own
    leg is in the list, and its owner (or phone) and presence id name the caller.
    """
    leg = min(
        channels,
        key=lambda c: (not c.answered, c.timestamp if c.timestamp is not None else 0, c.uuid),
        default=None,
    )
    if leg is None:
        return None
    direction = _DIRECTIONS.get(leg.direction or "")
    caller_name = caller_number = None
    other = calls.by_uuid.get(leg.other_leg or "")
    if direction is CallDirection.INCOMING and other is not None:
        user = directory.users.get(other.owner_id or "")
        device = directory.devices.get(other.authorizing_id or "")
        caller_name = user.display_name if user else device.name if device else None
        caller_number = other.presence_id.split("@", 1)[0] if other.presence_id else None
    return CallInfo(
        answered=leg.answered,
        direction=direction,
        started=gregorian_to_datetime(leg.timestamp) if leg.timestamp is not None else None,
        caller_id_name=caller_name,
        caller_id_number=caller_number,
        destination=leg.destination if direction is CallDirection.OUTGOING else None,
    )


def _hotdesked_user(device: KazooDevice, directory: Directory) -> KazooUser | None:
    """The first user hotdesked on a device who has a presence_id."""
    for user_id in device.hotdesk_user_ids:
        if (user := directory.users.get(user_id)) is not None and user.presence_id:
            return user
    return None


# The parts of a presentity that polls and events change.
_USER_LIVE = ("call_state", "call", "blf_watchers", "voicemail")
_PHONE_LIVE = ("call_state", "call", "blf_watchers", "registered")


@dataclass(frozen=True, slots=True)
class _Planned:
    """A user's or phone's presentity with what the directory alone says, and its lamp keys."""

    base: Presentity
    keys: frozenset[str]
    owner_id: str | None = None  # a user's own id, for calls it owns


@dataclass(frozen=True, slots=True)
class DirectoryPlan:
    """What the directory alone decides about every presentity, worked out once per load.

    Polls and events then only add the live parts: a poll stays cheap at any size.
    """

    users: tuple[_Planned, ...]
    phones: tuple[_Planned, ...]
    # Names that users and phones go by: watchers of these watch them, not an extension.
    claimed: frozenset[str]


def plan_directory(directory: Directory) -> DirectoryPlan:
    """Work out every user's and phone's fixed part from the directory."""
    claimed: set[str] = set()
    devices_by_owner: dict[str, list[KazooDevice]] = {}
    for device in directory.devices.values():
        if device.owner_id:
            devices_by_owner.setdefault(device.owner_id, []).append(device)
    users = []
    for user in directory.users.values():
        owned = devices_by_owner.get(user.id, [])
        if user.presence_id:
            keys = {presence_key(user.presence_id)}
        else:
            keys = {key for device in owned if (key := device_presence_key(device))}
        claimed |= keys
        base = Presentity(
            key=user_key(user.id),
            kind=PresentityKind.USER,
            name=user.display_name,
            server_id=user.id,
            username=user.username,
            extension=min(keys, default=None),
            call_state=CallState.IDLE,
            blf_watchers=0,
            # Kazoo acts on the user's presence_id, else on each owned device's own.
            presence_target=bool(user.presence_id)
            or any(device.has_presence_id for device in owned),
        )
        users.append(_Planned(base, frozenset(keys), user.id))
    phones = []
    for device in directory.devices.values():
        owner = directory.users.get(device.owner_id or "")
        key = device_presence_key(device, owner, _hotdesked_user(device, directory))
        # Watchers of any name the phone goes by watch the phone, not an extension.
        claimed.update(
            presence_key(name) for name in (key, device.presence_id, device.username) if name
        )
        base = Presentity(
            key=phone_key(device.id),
            kind=PresentityKind.PHONE,
            name=device.name,
            server_id=device.id,
            extension=key,
            model=device.device_type,
            call_state=CallState.IDLE,
            blf_watchers=0,
            registered=False,
            mac_address=device.mac_address or None,
            # The device endpoint acts on the device's own presence_id only.
            presence_target=device.has_presence_id,
        )
        phones.append(_Planned(base, frozenset({key} if key else ())))
    return DirectoryPlan(tuple(users), tuple(phones), frozenset(claimed))


def build_snapshot(
    directory: Directory,
    presence: KazooPresenceList,
    channels: list[KazooChannel],
    statuses: list[KazooDeviceStatus],
    voicemail: Mapping[str, int] | None = None,
    *,
    plan: DirectoryPlan | None = None,
    cache: dict[str, tuple[tuple[Any, ...], Presentity]] | None = None,
) -> Snapshot:
    """Combine the directory with one poll's presence, channels and registrations.

    `voicemail` is the number of new messages per owning user, where known. `cache`
    holds the live parts and presentities last built from the same `plan`: presentities
    whose live parts did not change are kept as they are, not built again. It is updated.
    """
    plan = plan or plan_directory(directory)
    previous = cache.copy() if cache else {}
    built = cache if cache is not None else {}
    built.clear()
    voicemail = voicemail or {}
    registered = {status.device_id for status in statuses if status.registered}
    calls = _ChannelIndex.of(channels)
    watchers = {ext: p.dialog_watchers for ext, p in presence.presentities.items()}
    presentities: dict[str, Presentity] = {}

    def settle(base: Presentity, names: tuple[str, ...], live: tuple[Any, ...]) -> Presentity:
        old = previous.get(base.key)
        presentity = (
            old[1]
            if old is not None and old[0] == live
            else replace(base, **dict(zip(names, live, strict=True)))
        )
        built[base.key] = (live, presentity)
        return presentity

    for planned in plan.users:
        user_id = planned.owner_id or ""
        user_calls = (
            calls.of_user(user_id, planned.keys) if calls.touches(user_id, planned.keys) else []
        )
        presentities[planned.base.key] = settle(
            planned.base,
            _USER_LIVE,
            (
                _call_state(user_calls),
                _call_info(user_calls, calls, directory),
                sum(watchers.get(key, 0) for key in planned.keys),
                voicemail.get(user_id),
            ),
        )

    for planned in plan.phones:
        device_id = planned.base.server_id
        device_calls = calls.by_device.get(device_id, ())
        key = planned.base.extension
        presentities[planned.base.key] = settle(
            planned.base,
            _PHONE_LIVE,
            (
                _call_state(device_calls),
                _call_info(device_calls, calls, directory),
                watchers.get(key, 0) if key else 0,
                device_id in registered,
            ),
        )

    for extension, count in watchers.items():
        if count and extension not in plan.claimed:
            presentities[extension_key(extension)] = settle(
                Presentity(
                    key=extension_key(extension),
                    kind=PresentityKind.EXTENSION,
                    name=extension,
                    server_id=extension,
                    extension=extension,
                    presence_target=True,
                ),
                ("blf_watchers",),
                (count,),
            )
    return Snapshot(presentities, partial=presence.partial)


class KazooAdapter(PbxAdapter):
    """Reads a Kazoo account: three requests a poll, plus the directory now and then."""

    server_type = ServerType.FLEX_UC
    scan_interval = KAZOO_SCAN_INTERVAL
    safety_scan_interval = KAZOO_SAFETY_SCAN_INTERVAL

    def __init__(self, client: KazooClient, websocket_url: str | None = None) -> None:
        """Wrap a Kazoo client; `websocket_url` overrides where Blackhole is."""
        self.client = client
        self.directory = Directory()
        self._unknown_reload_at: datetime | None = None
        # device id -> (its list entry, its single-device reply) for devices read on their own
        self._details: dict[str, tuple[KazooDevice, KazooDevice]] = {}
        self._presence = KazooPresenceList({})
        self._channels: dict[str, KazooChannel] = {}
        # The directory's plan, and the presentities last built from it.
        self._plan: tuple[Directory, DirectoryPlan] | None = None
        self._built: dict[str, tuple[tuple[Any, ...], Presentity]] = {}
        # The Blackhole websocket: where (None: the client's default), and what it has.
        self.websocket_url = websocket_url
        self._has_presence_bindings: bool | None = None
        self._subscribed: list[str] = []
        self._statuses: list[KazooDeviceStatus] = []
        self._statuses_doubted = False
        self._voicemail_boxes: list[KazooVoicemailBox] = []
        # box id -> (new messages, when read)
        self._new_messages: dict[str, tuple[int, datetime]] = {}

    async def async_default_options(self) -> dict[str, Any]:
        """A large account imports its users only at first: phones double the devices."""
        if len(await self.client.get_users()) > LARGE_ACCOUNT_USERS:
            return {CONF_IMPORT: [PresentityKind.USER.value]}
        return {}

    async def async_identify(self) -> ServerInfo:
        """Log in and read the account."""
        await self.client.login()
        account = await self.client.get_account()
        return ServerInfo(
            unique_id=account.id,
            name=account.name,
            manufacturer="2600Hz",
            model="Flex UC / Kazoo",
        )

    async def async_fetch(self) -> Snapshot:
        """Poll presence, channels and registrations; refresh the directory when due."""
        presence, channels, statuses = await asyncio.gather(
            self.client.get_presence(subscriptions=False),
            self.client.get_channels(),
            self.client.get_device_statuses(),
        )
        # What equals the last poll's stays the old objects: the new ones die young.
        self._presence = _kept(self._presence, self._steady_presence(presence))
        self._statuses = _kept(self._statuses, self._steady_statuses(statuses))
        self._channels = _kept(self._channels, {channel.uuid: channel for channel in channels})
        if self._directory_due(channels, self._statuses):
            await self.async_load_directory()
        await self._read_voicemail()
        return self._snapshot()

    def _snapshot(self) -> Snapshot:
        """The snapshot of the latest poll, with the events applied since.

        The directory's part is worked out once per load, and presentities whose live
        parts did not change are the same objects as in the last snapshot.
        """
        if self._plan is None or self._plan[0] is not self.directory:
            self._plan = (self.directory, plan_directory(self.directory))
            self._built.clear()
        return build_snapshot(
            self.directory,
            self._presence,
            list(self._channels.values()),
            self._statuses,
            self._voicemail_by_owner(),
            plan=self._plan[1],
            cache=self._built,
        )

    # --- push: the Blackhole websocket ---------------------------------------------------

    async def async_open_events(self) -> BlackholeSocket:
        """Connect the Blackhole websocket and subscribe, one binding per message.

        Call events come from 4.3 on; voicemail counts only where the server has presence
        bindings (5.x; `GET /v2/websockets` says so).
        """
        if self._has_presence_bindings is None:
            try:
                self._has_presence_bindings = await self.client.has_presence_bindings()
            except PbxError as err:
                LOGGER.debug("Cannot tell whether Blackhole has presence bindings: %s", err)
        bindings = list(CALL_BINDINGS + OBJECT_BINDINGS)
        if self._has_presence_bindings:
            bindings += PRESENCE_BINDINGS
        socket = self.client.blackhole(self.websocket_url)
        await socket.connect()
        try:
            self._subscribed = await socket.subscribe(bindings)
        except BaseException:
            await socket.close()
            raise
        return socket

    def live_details(self) -> dict[str, Any]:
        """Where the socket goes, and what it is subscribed to."""
        return {
            "url": self.websocket_url or self.client.websocket_url,
            "presence_bindings": self._has_presence_bindings,
            "subscribed": sorted(set(self._subscribed)),
        }

    def apply_events(self, events: Sequence[Any]) -> PushResult:
        """Calls change channels; mailboxes their counts; directory changes need a poll."""
        changed = resync = False
        for event in events:
            match event:
                case KazooCallEvent():
                    changed |= self._apply_call(event)
                    resync |= self._unknown_caller(event)
                case KazooMwiEvent():
                    changed |= self._apply_mwi(event)
                case KazooObjectEvent():
                    # A user, phone or box changed: read the directory with the next poll.
                    self.directory.loaded_at = None
                    resync = True
        return PushResult(self._snapshot() if changed else None, resync)

    def _apply_call(self, event: KazooCallEvent) -> bool:
        """Keep the channel list as `GET /channels` would show it after the event."""
        channels = self._channels
        match event.event:
            case "CHANNEL_CREATE":
                if event.call_id in channels:
                    return False
                channels[event.call_id] = event.as_channel()
            case "CHANNEL_ANSWER" | "CHANNEL_BRIDGE":
                known = channels.get(event.call_id)
                if known is not None and known.answered:
                    return False
                channels[event.call_id] = replace(known or event.as_channel(), answered=True)
            case "CHANNEL_DESTROY":
                return channels.pop(event.call_id, None) is not None
            case _:
                return False
        return True

    def _unknown_caller(self, event: KazooCallEvent) -> bool:
        """A call of a user or phone the directory does not know yet: read it again.

        As for polls, at most once a minute: calls from elsewhere have unknown ids too.
        """
        now = dt_util.utcnow()
        if not (
            (event.owner_id and event.owner_id not in self.directory.users)
            or (event.authorizing_id and event.authorizing_id not in self.directory.devices)
        ) or (
            self._unknown_reload_at is not None
            and now - self._unknown_reload_at < _UNKNOWN_ID_RELOAD_INTERVAL
        ):
            return False
        self._unknown_reload_at = now
        self.directory.loaded_at = None  # due at the next poll
        return True

    def _apply_mwi(self, event: KazooMwiEvent) -> bool:
        """Set the new-message count of the boxes the event is for."""
        now = dt_util.utcnow()
        key = presence_key(event.user)
        changed = False
        for box in self._voicemail_boxes:
            if box.mailbox is not None and presence_key(box.mailbox) == key:
                before = self._new_messages.get(box.id)
                self._new_messages[box.id] = (event.messages_new, now)
                changed |= before is None or before[0] != event.messages_new
        return changed

    async def _read_voicemail(self) -> None:
        """Read a few boxes whose count is due, so the request budget is never strained."""
        now = dt_util.utcnow()

        def read_at(box: KazooVoicemailBox) -> datetime:
            return self._new_messages[box.id][1] if box.id in self._new_messages else _NEVER

        due = sorted(
            (box for box in self._voicemail_boxes if now - read_at(box) >= VOICEMAIL_INTERVAL),
            key=read_at,
        )[:VOICEMAIL_READS_PER_POLL]
        for box in due:
            try:
                count = await self.client.get_new_voicemail_count(box.id)
            except PbxNotFoundError:  # deleted since the box list was read
                self._new_messages.pop(box.id, None)
                continue
            self._new_messages[box.id] = (count, now)

    def _voicemail_by_owner(self) -> dict[str, int]:
        """New messages per user, over the boxes read so far."""
        totals: dict[str, int] = {}
        for box in self._voicemail_boxes:
            if box.owner_id and box.id in self._new_messages:
                totals[box.owner_id] = totals.get(box.owner_id, 0) + self._new_messages[box.id][0]
        return totals

    def _steady_presence(self, presence: KazooPresenceList) -> KazooPresenceList:
        """Keep the last watcher counts when no presence server answered at all."""
        if presence.no_answer:
            LOGGER.debug("No presence server answered; keeping the last watcher counts")
            return replace(self._presence, partial=True)
        return presence

    def _steady_statuses(self, statuses: list[KazooDeviceStatus]) -> list[KazooDeviceStatus]:
        """Doubt a sudden empty registration list once: Kazoo sends [] on trouble too."""
        if (
            not statuses
            and len(self._statuses) > _DOUBTFUL_EMPTY_AFTER
            and not self._statuses_doubted
        ):
            LOGGER.debug(
                "No registrations after %s: keeping them until the next poll agrees",
                len(self._statuses),
            )
            self._statuses_doubted = True
            return self._statuses
        self._statuses_doubted = False
        return statuses

    def _directory_due(
        self, channels: list[KazooChannel], statuses: list[KazooDeviceStatus]
    ) -> bool:
        now = dt_util.utcnow()
        loaded_at = self.directory.loaded_at
        if loaded_at is None or now - loaded_at >= DIRECTORY_REFRESH_INTERVAL:
            return True
        unknown = any(
            (c.owner_id and c.owner_id not in self.directory.users)
            or (c.authorizing_id and c.authorizing_id not in self.directory.devices)
            for c in channels
        ) or any(s.device_id not in self.directory.devices for s in statuses)
        if not unknown or (
            self._unknown_reload_at is not None
            and now - self._unknown_reload_at < _UNKNOWN_ID_RELOAD_INTERVAL
        ):
            return False
        self._unknown_reload_at = now
        return True

    async def async_load_directory(self) -> None:
        """Read users and devices, and the single devices whose lamps need their details.

        Kazoo 4.3 charges every request, so a device is read on its own only when it has a
        presence_id or a hotdesked user (`?has_key=`) that its lamps may go by (no owner, or
        an owner without a presence_id), and again only when its list entry changed.
        """
        users, devices, having_presence_id, hotdesked, boxes = await asyncio.gather(
            self.client.get_users(),
            self.client.get_devices(),
            self.client.get_device_ids_with_presence_id(),
            self.client.get_hotdesked_device_ids(),
            self._list_voicemail_boxes(),
        )
        users_by_id = {user.id: user for user in users}
        # Filled as reads come in, so a load that fails midway loses none of them.
        known = self._details
        semaphore = asyncio.Semaphore(MAX_CONCURRENT_REQUESTS)

        async def with_details(device: KazooDevice) -> KazooDevice | None:
            if device.id not in having_presence_id and device.id not in hotdesked:
                return device
            owner = users_by_id.get(device.owner_id or "")
            if owner is not None and owner.presence_id:
                # Its lamps go by the owner's presence_id; commands only need to know
                # whether it has one of its own.
                return replace(device, has_presence_id=device.id in having_presence_id)
            if (cached := known.get(device.id)) is None or cached[0] != device:
                async with semaphore:
                    try:
                        detail = await self.client.get_device(device.id)
                    except PbxNotFoundError:  # deleted since the list was read
                        return None
                cached = known[device.id] = (device, detail)
            detail = cached[1]
            return replace(
                device,
                presence_id=detail.presence_id,
                has_presence_id=detail.presence_id is not None,
                hotdesk_user_ids=detail.hotdesk_user_ids,
            )

        detailed = await asyncio.gather(*(with_details(device) for device in devices))
        current = {device.id: device for device in detailed if device is not None}
        self._voicemail_boxes = boxes
        box_ids = {box.id for box in boxes}
        self._new_messages = {i: read for i, read in self._new_messages.items() if i in box_ids}
        self._details = {i: entry for i, entry in known.items() if i in current}
        self.directory = Directory(users=users_by_id, devices=current, loaded_at=dt_util.utcnow())

    async def _list_voicemail_boxes(self) -> list[KazooVoicemailBox]:
        """The account's voicemail boxes; none where the login may not list them."""
        try:
            return await self.client.get_voicemail_boxes()
        except (PbxForbiddenError, PbxNotFoundError):
            return []

    async def async_reset(self, presentity: Presentity) -> str:
        """Send the seed's `reset` action to the endpoint that fits the presentity."""
        match presentity.kind:
            case PresentityKind.USER:
                return await self.client.reset_user(presentity.server_id)
            case PresentityKind.PHONE:
                return await self.client.reset_device(presentity.server_id)
            case _:
                return await self.client.reset_extension(presentity.server_id)

    async def async_set_state(self, presentity: Presentity, state: PresenceState) -> str:
        """Override the BLF state of a user or phone."""
        if presentity.kind is PresentityKind.USER:
            return await self.client.set_user_presence(presentity.server_id, state)
        return await self.client.set_device_presence(presentity.server_id, state)

    async def async_reset_extension(self, extension: str) -> str:
        """Reset any extension, e.g. a park slot that Home Assistant does not show."""
        return await self.client.reset_extension(extension)

    def diagnostics(self) -> dict[str, Any]:
        """The directory as last read, personal data redacted."""
        directory = self.directory
        return {
            "directory_loaded_at": directory.loaded_at,
            "users": {user_id: _user_record(user) for user_id, user in directory.users.items()},
            "devices": {
                device_id: _device_record(device) for device_id, device in directory.devices.items()
            },
        }

    def directory_record(self, presentity: Presentity) -> dict[str, Any] | None:
        """The user or device record behind a presentity, personal data redacted."""
        if (user := self.directory.users.get(presentity.server_id)) is not None:
            return _user_record(user)
        if (device := self.directory.devices.get(presentity.server_id)) is not None:
            return _device_record(device)
        return None


def _kept[T](old: T, new: T) -> T:
    """The old object when the new one equals it."""
    return old if old == new else new


def _user_record(user: KazooUser) -> dict[str, Any]:
    # Personal data that says nothing about presence.
    return async_redact_data(asdict(user), {"email", "username"})


def _device_record(device: KazooDevice) -> dict[str, Any]:
    # A device's SIP username stays: calls and lamps of phones without a presence ID go by it.
    return async_redact_data(asdict(device), {"mac_address"})
