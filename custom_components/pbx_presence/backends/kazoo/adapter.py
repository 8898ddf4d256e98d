"""Flex UC / Kazoo adapter: users, phones and watched extensions with call state and BLF."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
import logging
from typing import Any

from ...pbx import PbxError, PbxForbiddenError, PbxNotFoundError
from ...pbx.kazoo import (
    BlackholeEvent,
    BlackholeSocket,
    KazooCallEvent,
    KazooChannel,
    KazooClient,
    KazooDevice,
    KazooDeviceStatus,
    KazooMwiEvent,
    KazooObjectEvent,
    KazooParkEvent,
    KazooPresenceList,
    KazooPresenceUpdateEvent,
    KazooUser,
    PresenceState,
    credentials_hash,
)
from ..base import (
    Capability,
    NoForwardNumberError,
    NothingToSendError,
    NotRegisteredError,
    NotSupportedError,
    PbxBackend,
    PushResult,
    ServerType,
    utcnow,
)
from ..keys import CREDENTIALS_HASH, USERNAME
from ..snapshot import CallState, Presentity, PresentityKind, ServerInfo, Snapshot
from .calls import LiveCalls
from .directory import DirectoryReader
from .parking import ParkSlots
from .snapshot import (
    Directory,
    DirectoryPlan,
    build_snapshot,
    plan_directory,
    presence_key,
    update_snapshot,
)
from .voicemail import VoicemailCounts

_LOGGER = logging.getLogger(__name__)

# Presence, channels and registrations are three requests per poll, whatever the account
# size, so call state can be polled often.
SCAN_INTERVAL = timedelta(seconds=5)
MIN_SCAN_INTERVAL = timedelta(seconds=5)
# While the socket is up, polls are only a safety net: Kazoo 4.3 drops events when a
# socket falls behind.
SAFETY_SCAN_INTERVAL = timedelta(minutes=2)
# Phones read on their own (where only that read gives what their lamps go by): at most
# this many in a directory load, inside the pace's burst of 50 so a large account is set up
# in seconds; the rest a few at each poll, which with a poll's own 3 requests every 5 s
# keeps to the pace's 3 a second (see pbx/kazoo/client.py, RequestPacer).
DETAIL_READS_PER_LOAD = 40
DETAIL_READS_PER_POLL = 12
# User and phone lists change rarely; they are also re-read when an unknown id shows up.
DIRECTORY_REFRESH_INTERVAL = timedelta(minutes=30)
# An account with more users than this imports users only at first: phones double the
# devices.
LARGE_ACCOUNT_USERS = 200
# What Kazoo answers when a presence command reached no presence id.
NOTHING_TO_SEND = "nothing to send command to"
# The lamp a call state forces with `set` (terminated also ends an override).
_PRESENCE_STATES = {
    CallState.IDLE: PresenceState.TERMINATED,
    CallState.RINGING: PresenceState.EARLY,
    CallState.BUSY: PresenceState.CONFIRMED,
}
# An unknown id in a poll re-reads the directory, but not more often than this: a channel
# of a device from elsewhere (a carrier leg, another account) would otherwise force it
# on every poll.
_UNKNOWN_ID_RELOAD_INTERVAL = timedelta(minutes=1)
# Kazoo answers `devices/status` with [] when it cannot ask the call manager: an empty
# list after more registrations than this is believed only when the next poll agrees.
_DOUBTFUL_EMPTY_AFTER = 2
# Blackhole bindings, one per subscribe message. Call events exist from 4.3 on; presence
# bindings only on servers that list them (5.x). Object events replace directory polling.
CALL_BINDINGS = (
    "call.CHANNEL_CREATE.*",
    "call.CHANNEL_ANSWER.*",
    "call.CHANNEL_BRIDGE.*",
    "call.CHANNEL_DESTROY.*",
)
OBJECT_BINDINGS = ("object.*.user", "object.*.device", "object.*.vmbox")
# cf_park's events (4.3 and master), each optional: they name the slot a call waits in.
PARK_BINDINGS = ("call.PARK_PARKED.*", "call.PARK_RETRIEVED.*", "call.PARK_ABANDONED.*")
# Device types that ring only once registered; the others (a cell phone, a landline, a SIP
# URI) are reached by their number or address without registering.
_REGISTERING_TYPES = frozenset({"sip_device", "softphone", "fax"})
# 5.x: voicemail counts, and lamps forced by hand (Monster UI, other clients, `*`-codes).
PRESENCE_BINDINGS = ("presence.mwi_updates.*", "presence.update.*")
# A manual override's lamp state (cb_presence, cf_manual_presence) as a call state.
_OVERRIDE_STATES = {
    PresenceState.EARLY.value: CallState.RINGING,
    PresenceState.CONFIRMED.value: CallState.BUSY,
    PresenceState.TERMINATED.value: CallState.IDLE,
}


class KazooBackend(PbxBackend[BlackholeEvent]):
    """Reads a Kazoo account: three requests a poll, plus the directory now and then."""

    server_type = ServerType.FLEX_UC
    capabilities = frozenset(
        {
            Capability.PRESENCE_RESET,
            Capability.BLF_OVERRIDE,
            Capability.VOICEMAIL,
            Capability.LIVE_UPDATES,
            Capability.CLICK_TO_CALL,
            Capability.PHONE_DND,
            Capability.CALL_FORWARD,
        }
    )
    importable_kinds = (PresentityKind.USER, PresentityKind.PHONE, PresentityKind.EXTENSION)
    websocket_url_option = True
    api_key_login = True
    users_only_above = LARGE_ACCOUNT_USERS
    scan_interval = SCAN_INTERVAL
    min_scan_interval = MIN_SCAN_INTERVAL
    safety_scan_interval = SAFETY_SCAN_INTERVAL

    def __init__(self, client: KazooClient, websocket_url: str | None = None) -> None:
        """Wrap a Kazoo client; `websocket_url` overrides where Blackhole is."""
        self.client = client
        self.directory = Directory()
        self._unknown_reload_at: datetime | None = None
        self._reader = DirectoryReader(client)
        # (type, id) -> the last action of the documents object events named since
        self._changed: dict[tuple[str, str], str] = {}
        self._presence = KazooPresenceList({})
        self._calls = LiveCalls()
        # The directory's plan, and the presentities last built from it.
        self._plan: tuple[Directory, DirectoryPlan] | None = None
        self._built: dict[str, tuple[tuple[Any, ...], Presentity]] = {}
        self._last: Snapshot | None = None
        # The Blackhole websocket: where (None: the client's default), and what it has.
        self.websocket_url = websocket_url
        self._has_presence_bindings: bool | None = None
        self._subscribed: list[str] = []
        self._refused: dict[str, str] = {}
        self._statuses: list[KazooDeviceStatus] = []
        self._statuses_doubted = False
        self._voicemail = VoicemailCounts()
        self._parking = ParkSlots()
        # Lamps forced by hand, by presence key, as last seen (5.x `presence.update`).
        self._overrides: dict[str, CallState] = {}

    @staticmethod
    def login_data(username: str, password: str) -> dict[str, str]:
        """Only the md5 hash of "username:password" is stored, never the password."""
        return {USERNAME: username, CREDENTIALS_HASH: credentials_hash(username, password)}

    async def async_default_kinds(self) -> frozenset[PresentityKind] | None:
        """A large account imports its users only at first: phones double the devices."""
        if len(await self.client.get_users()) > LARGE_ACCOUNT_USERS:
            return frozenset({PresentityKind.USER})
        return None

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
        self._calls.polled(channels)
        if self._changed and self.directory.loaded_at is not None:
            changed, self._changed = self._changed, {}
            try:
                self.directory = await self._reader.reread(self.directory, changed)
            except PbxError:
                self.directory.loaded_at = None  # read it all at the next try
                raise
        if self._directory_due(channels, self._statuses):
            await self.async_load_directory()
        elif self._reader.pending:
            self.directory = await self._reader.complete(self.directory, DETAIL_READS_PER_POLL)
        await self._read_voicemail()
        await self._read_parked_calls()
        return self._parking.decorate(self._snapshot())

    def _snapshot(self) -> Snapshot:
        """The snapshot of the latest poll, with the events applied since."""
        return self._updated()[0]

    def _updated(
        self,
        touched: list[KazooChannel] | None = None,
        users: set[str] | None = None,
        lamps: set[str] | None = None,
    ) -> tuple[Snapshot, frozenset[str] | None]:
        """The snapshot with the events applied, and which presentities changed (None: any).

        The directory's part is worked out once per load, and presentities whose live
        parts did not change are the same objects as in the last snapshot. After events
        only what they touch is built: the users and phones of call legs (`touched`), the
        users whose voicemail counts changed (`users`), those whose lamps were forced by
        hand (`lamps`, presence keys). With none of them given, everything is built.
        """
        if self._plan is None or self._plan[0] is not self.directory:
            self._plan = (self.directory, plan_directory(self.directory))
            self._built.clear()
            self._last = None
        channels = list(self._calls.channels.values())
        if (touched is not None or users or lamps) and self._last is not None:
            updated = update_snapshot(
                self._last,
                self.directory,
                channels,
                touched or (),
                plan=self._plan[1],
                cache=self._built,
                users=users or (),
                lamps=lamps or (),
                voicemail=self._voicemail.by_owner() if users else None,
                overrides=self._overrides if lamps else None,
            )
            if updated is not None:
                self._last = updated[0]
                return updated
        self._last = build_snapshot(
            self.directory,
            self._presence,
            channels,
            self._statuses,
            self._voicemail.by_owner(),
            plan=self._plan[1],
            cache=self._built,
            overrides=self._overrides,
        )
        return self._last, None

    # --- push: the Blackhole websocket ---------------------------------------------------

    async def async_open_events(self) -> BlackholeSocket:
        """Connect the Blackhole websocket and subscribe, one binding per message.

        Call events come from 4.3 on, and without them there is no socket. Object events
        and (where `GET /v2/websockets` lists presence bindings, 5.x) voicemail counts are
        optional: each may be refused (a module not running) without losing the others.
        """
        if self._has_presence_bindings is None:
            try:
                self._has_presence_bindings = await self.client.has_presence_bindings()
            except PbxError as err:
                _LOGGER.debug("Cannot tell whether Blackhole has presence bindings: %s", err)
        optional = [*OBJECT_BINDINGS, *PARK_BINDINGS]
        if self._has_presence_bindings:
            optional += PRESENCE_BINDINGS
        socket = self.client.blackhole(self.websocket_url)
        await socket.connect()
        try:
            # The socket stands with call events; the others may each be refused.
            await socket.subscribe(CALL_BINDINGS)
            self._refused = await socket.subscribe_optional(optional)
            self._subscribed = socket.subscribed
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
            # Optional bindings the server refused, with its words.
            "refused": dict(sorted(self._refused.items())),
            # Ended calls whose late events are ignored (Blackhole may deliver out of order).
            "ended_calls_remembered": self._calls.destroyed,
        }

    def apply_events(self, events: Sequence[Any]) -> PushResult:
        """Calls change channels; mailboxes their counts; directory changes need a poll."""
        batch = _Batch()
        for event in events:
            match event:
                case KazooCallEvent():
                    if self._calls.apply(event):
                        batch.changed = True
                        batch.touched.append(event.as_channel())
                    batch.resync |= self._unknown_caller(event)
                case KazooParkEvent():
                    batch.parked |= self._parking.apply(event)
                    batch.changed |= batch.parked
                case KazooMwiEvent():
                    # Only the owners of the boxes whose count changed are built again.
                    owners = self._voicemail.apply_mwi(event)
                    batch.users |= owners
                    batch.changed |= bool(owners)
                case KazooPresenceUpdateEvent():
                    if (key := self._override_seen(event)) is not None:
                        batch.lamps.add(key)
                        batch.changed = True
                case KazooObjectEvent():
                    self._document_changed(event)
                    batch.resync = True
        if not batch.changed:
            return PushResult(None, batch.resync)
        snapshot, keys = self._updated(batch.touched, batch.users, batch.lamps)
        # A park slot's lamp is not among the keys the call legs touched: then any.
        return PushResult(
            self._parking.decorate(snapshot), batch.resync, None if batch.parked else keys
        )

    def _document_changed(self, event: KazooObjectEvent) -> None:
        """Only the document named is read again, with the next poll."""
        if event.doc_type == "vmbox":
            self._voicemail.expire()
        elif event.doc_id and event.doc_type in ("user", "device"):
            self._changed[(event.doc_type, event.doc_id)] = event.action
        else:
            self.directory.loaded_at = None

    def _override_seen(self, event: KazooPresenceUpdateEvent) -> str | None:
        """Take a lamp forced by hand (anyone's); the lamp's key if its state changed.

        Real calls' lamps are `dialog` messages, and probes' answers (online/offline)
        are not overrides: only a manual `update` counts (see KazooPresenceUpdateEvent).
        """
        state = _OVERRIDE_STATES.get(event.state)
        if not event.manual or state is None:
            return None
        key = presence_key(event.user)
        if self._overrides.get(key) is state:
            return None
        self._overrides[key] = state
        return key

    def _forget_overrides(self, presentity: Presentity) -> None:
        """After a reset of ours, the lamps' overrides are no longer known.

        Kazoo's reset publishes no `update` (what the lamps show is up to the calls). A
        `set` of ours needs nothing here: 5.x sends its `update` to us too.
        """
        if self._plan is None:
            return
        plan = self._plan[1]
        planned = plan.user_by_id.get(presentity.server_id) or plan.phone_by_id.get(
            presentity.server_id
        )
        keys = planned.targets if planned is not None else {presence_key(presentity.server_id)}
        for key in keys:
            self._overrides.pop(key, None)

    def _unknown_caller(self, event: KazooCallEvent) -> bool:
        """A call of a user or phone the directory does not know yet: read it again."""
        if not self._knows(event) and self._may_reload_for_unknown_ids():
            self.directory.loaded_at = None  # due at the next poll
            return True
        return False

    def _knows(self, call: KazooCallEvent | KazooChannel) -> bool:
        """Whether the directory knows the user and phone a call belongs to."""
        directory = self.directory
        return not (
            (call.owner_id and call.owner_id not in directory.users)
            or (call.authorizing_id and call.authorizing_id not in directory.devices)
        )

    def _may_reload_for_unknown_ids(self) -> bool:
        """At most once a minute: calls from elsewhere (a carrier leg) have unknown ids too."""
        now = utcnow()
        last = self._unknown_reload_at
        if last is not None and now - last < _UNKNOWN_ID_RELOAD_INTERVAL:
            return False
        self._unknown_reload_at = now
        return True

    async def _read_voicemail(self) -> None:
        """Read the box list, with every box's count, when it is due (one request)."""
        if self._voicemail.due:
            self._voicemail.listed(await self._reader.voicemail_boxes())

    def _steady_presence(self, presence: KazooPresenceList) -> KazooPresenceList:
        """Keep the last watcher counts when no presence server answered at all."""
        if presence.no_answer:
            _LOGGER.debug("No presence server answered; keeping the last watcher counts")
            return replace(self._presence, partial=True)
        return presence

    def _steady_statuses(self, statuses: list[KazooDeviceStatus]) -> list[KazooDeviceStatus]:
        """Doubt a sudden empty registration list once: Kazoo sends [] on trouble too."""
        if (
            not statuses
            and len(self._statuses) > _DOUBTFUL_EMPTY_AFTER
            and not self._statuses_doubted
        ):
            _LOGGER.debug(
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
        loaded_at = self.directory.loaded_at
        if loaded_at is None or utcnow() - loaded_at >= DIRECTORY_REFRESH_INTERVAL:
            return True
        unknown = not all(self._knows(channel) for channel in channels) or any(
            status.device_id not in self.directory.devices for status in statuses
        )
        return unknown and self._may_reload_for_unknown_ids()

    @property
    def catching_up(self) -> bool:
        """Whether phones still wait for their own read (polls read them, see async_fetch)."""
        return bool(self._reader.pending)

    async def async_load_directory(self) -> None:
        """Read the directory (see DirectoryReader.load), voicemail counts and park slots."""
        self.directory, boxes = await self._reader.load(DETAIL_READS_PER_LOAD)
        self._voicemail.listed(boxes)
        try:
            self._parking.learn(await self.client.get_callflows())
        except (PbxForbiddenError, PbxNotFoundError) as err:
            _LOGGER.debug("Cannot read the callflows, so no park slots: %s", err)
            self._parking.learn(())

    async def _read_parked_calls(self) -> None:
        """Who waits in the park slots, while phones watch any (one request)."""
        if self._parking.watches_any(
            extension for extension, p in self._presence.presentities.items() if p.dialog_watchers
        ):
            try:
                self._parking.polled(await self.client.get_parked_calls())
            except (PbxForbiddenError, PbxNotFoundError) as err:
                _LOGGER.debug("Cannot read the parked calls: %s", err)

    async def async_reset(self, presentity: Presentity) -> None:
        """Send the seed's `reset` action to the endpoint that fits the presentity."""
        match presentity.kind:
            case PresentityKind.USER:
                message = await self.client.reset_user(presentity.server_id)
            case PresentityKind.PHONE:
                message = await self.client.reset_device(presentity.server_id)
            case _:
                message = await self.client.reset_extension(presentity.server_id)
        _check_sent(message)
        self._forget_overrides(presentity)

    async def async_set_state(self, presentity: Presentity, state: CallState) -> None:
        """Force the BLF lamp of a user or phone; idle (`set terminated`) ends an override."""
        presence = _PRESENCE_STATES[state]
        if presentity.kind is PresentityKind.USER:
            message = await self.client.set_user_presence(presentity.server_id, presence)
        else:
            message = await self.client.set_device_presence(presentity.server_id, presence)
        _check_sent(message)

    async def async_call(
        self, presentity: Presentity, number: str, *, auto_answer: bool = False
    ) -> None:
        """Kazoo quickcall from a user (all its phones ring) or a phone.

        Kazoo accepts a call to a phone that is not registered and drops it without a
        word (`GET quickcall` casts), so the registrations of the last poll decide first.
        """
        match presentity.kind:
            case PresentityKind.USER:
                kind = "users"
                devices = [
                    d for d in self.directory.devices.values() if d.owner_id == presentity.server_id
                ]
            case PresentityKind.PHONE:
                kind = "devices"
                devices = [d for d in (self.directory.devices.get(presentity.server_id),) if d]
            case _:
                raise NotSupportedError(Capability.CLICK_TO_CALL)
        registered = {status.device_id for status in self._statuses if status.registered}
        enabled = [device for device in devices if device.enabled]
        # None enabled (or none at all): Kazoo refuses the call itself, and says so.
        if enabled and not any(
            device.id in registered or device.device_type not in _REGISTERING_TYPES
            for device in enabled
        ):
            raise NotRegisteredError(presentity.name)
        await self.client.quickcall(kind, presentity.server_id, number, auto_answer=auto_answer)

    async def async_reset_extension(self, extension: str) -> None:
        """Reset any extension, e.g. a park slot that Home Assistant does not show."""
        await self.client.reset_extension(extension)

    # --- phone controls: PATCH of the user's or device's document -----------------------

    async def async_set_dnd(self, presentity: Presentity, *, enabled: bool) -> Snapshot:
        """Turn the user's or phone's own `do_not_disturb` on or off."""
        return await self._patch(
            presentity, {"do_not_disturb": {"enabled": enabled}}, Capability.PHONE_DND
        )

    async def async_set_forward(
        self, presentity: Presentity, *, enabled: bool | None = None, number: str | None = None
    ) -> Snapshot:
        """Change `call_forward`: PATCH merges objects, so what is not given stays.

        Turning forwarding on without a number needs one stored: where the list did not
        say, the document is read first; with none, nothing is sent.
        """
        forward: dict[str, Any] = {}
        if number is not None:
            forward["number"] = number
        if enabled is not None:
            forward["enabled"] = enabled
        if enabled and number is None and not await self._has_forward_number(presentity):
            raise NoForwardNumberError(presentity.name)
        return await self._patch(presentity, {"call_forward": forward}, Capability.CALL_FORWARD)

    async def _has_forward_number(self, presentity: Presentity) -> bool:
        if presentity.call_forward is not None and presentity.call_forward.number:
            return True
        if presentity.kind is PresentityKind.USER:
            user = await self.client.get_user(presentity.server_id)
            self.directory = self._reader.remember_user(self.directory, user)
            return bool(user.call_forward.number)
        device = await self.client.get_device(presentity.server_id)
        return bool(device.call_forward and device.call_forward.number)

    async def _patch(
        self, presentity: Presentity, data: dict[str, Any], capability: Capability
    ) -> Snapshot:
        """Merge `data` into the presentity's document; its reply updates the directory."""
        match presentity.kind:
            case PresentityKind.USER:
                user = await self.client.patch_user(presentity.server_id, data)
                self.directory = self._reader.remember_user(self.directory, user)
            case PresentityKind.PHONE:
                device = await self.client.patch_device(presentity.server_id, data)
                self.directory = self._reader.remember_device(self.directory, device)
            case _:
                raise NotSupportedError(capability)
        return self._snapshot()

    def diagnostics(self) -> dict[str, Any]:
        """The directory as last read."""
        directory = self.directory
        return {
            "directory_loaded_at": directory.loaded_at,
            "phones_waiting_for_their_own_read": len(self._reader.pending),
            "users": {user_id: _user_record(user) for user_id, user in directory.users.items()},
            "devices": {
                device_id: _device_record(device) for device_id, device in directory.devices.items()
            },
        }

    def directory_record(self, presentity: Presentity) -> dict[str, Any] | None:
        """The user or device record behind a presentity."""
        if (user := self.directory.users.get(presentity.server_id)) is not None:
            return _user_record(user)
        if (device := self.directory.devices.get(presentity.server_id)) is not None:
            return _device_record(device)
        return None


@dataclass(slots=True)
class _Batch:
    """What a batch of events did, as `apply_events` collects it."""

    changed: bool = False
    resync: bool = False
    parked: bool = False
    touched: list[KazooChannel] = field(default_factory=list)  # call legs
    users: set[str] = field(default_factory=set)  # users whose voicemail count changed
    lamps: set[str] = field(default_factory=set)  # presence keys forced by hand


def _kept[T](old: T, new: T) -> T:
    """The old object when the new one equals it."""
    return old if old == new else new


def _check_sent(message: str) -> None:
    """Kazoo accepts a command that reached no presence id, and says so in words."""
    if message.strip().lower() == NOTHING_TO_SEND:
        raise NothingToSendError(message)


def _user_record(user: KazooUser) -> dict[str, Any]:
    return asdict(user)


def _device_record(device: KazooDevice) -> dict[str, Any]:
    # The SIP username is not the person's login: calls and lamps of phones without a
    # presence ID go by it, so it is named for what it is (diagnostics redact `username`).
    record = asdict(device)
    record["sip_username"] = record.pop("username")
    return record
