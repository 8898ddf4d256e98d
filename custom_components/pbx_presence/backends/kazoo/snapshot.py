"""Kazoo's snapshot, worked out from the directory and one poll's live lists.

Pure functions over the client's models: the directory's part of every presentity is
planned once per directory load (`plan_directory`), and each poll or batch of events only
adds the live parts (`build_snapshot`). Call state follows Kazoo's own BLF rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
import re
from typing import Any

from ...pbx.kazoo import (
    KazooCallForward,
    KazooChannel,
    KazooDevice,
    KazooDeviceStatus,
    KazooPresenceList,
    KazooUser,
    gregorian_to_datetime,
)
from ..snapshot import (
    CallDirection,
    CallForward,
    CallInfo,
    CallState,
    Presentity,
    PresentityKind,
    Snapshot,
    UnlitKey,
)


@dataclass(slots=True)
class Directory:
    """The account's users and phones, read rarely."""

    users: dict[str, KazooUser] = field(default_factory=dict)
    devices: dict[str, KazooDevice] = field(default_factory=dict)
    loaded_at: datetime | None = None
    # The account's own do-not-disturb: every phone of the account refuses calls.
    account_dnd: bool = False


# A number inside a SIP user name, as Kazoo's provisioning often names phones (user_1009a).
_DIGIT_RUN = re.compile(r"\d{2,}")


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

    Kazoo's order: the owner's presence_id, a hotdesked user's (only on a device without
    an owner: `kzd_devices.erl:583-588`), the device's own, its SIP username.
    """
    if device.owner_id:
        hotdesked = None
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
    channels: Sequence[KazooChannel],
    calls: _ChannelIndex,
    directory: Directory,
    names: Mapping[str, str],
) -> CallInfo | None:
    """What the live legs tell about a presentity's call: its answered leg, else its first.

    An incoming call names its caller: from the caller's own leg when it is in the list
    (a call inside the account), else from the leg's caller ID (channels on 4.3.25+, every
    call event). A caller ID number of the account's own users or phones names them as the
    directory does, not by the SIP user name a phone may send.
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
    if direction is CallDirection.INCOMING:
        other = calls.by_uuid.get(leg.other_leg or "")
        if other is not None:
            user = directory.users.get(other.owner_id or "")
            device = directory.devices.get(other.authorizing_id or "")
            caller_name = user.display_name if user else device.name if device else None
            caller_number = other.presence_id.split("@", 1)[0] if other.presence_id else None
        else:
            caller_number = leg.caller_id_number
            known = names.get(presence_key(caller_number)) if caller_number else None
            caller_name = known or leg.caller_id_name
    return CallInfo(
        answered=leg.answered,
        direction=direction,
        started=gregorian_to_datetime(leg.timestamp) if leg.timestamp is not None else None,
        caller_id_name=caller_name,
        caller_id_number=caller_number,
        destination=leg.destination if direction is CallDirection.OUTGOING else None,
        call_id=leg.uuid,
        legs=tuple(sorted(channel.uuid for channel in channels)),
    )


def _forward(forward: KazooCallForward) -> CallForward:
    """Kazoo's `call_forward` in the neutral model."""
    return CallForward(
        enabled=forward.enabled,
        number=forward.number,
        failover=forward.failover,
        require_keypress=forward.require_keypress,
        keep_caller_id=forward.keep_caller_id,
    )


def _hotdesked_user(device: KazooDevice, directory: Directory) -> KazooUser | None:
    """The first user hotdesked on a device without an owner who has a presence_id."""
    if device.owner_id:
        return None
    for user_id in device.hotdesk_user_ids:
        if (user := directory.users.get(user_id)) is not None and user.presence_id:
            return user
    return None


# The parts of a presentity that polls and events change.
_USER_LIVE = ("call_state", "call", "blf_watchers", "voicemail", "blf_override")
_PHONE_LIVE = ("call_state", "call", "blf_watchers", "registered", "blf_override")


@dataclass(frozen=True, slots=True)
class _Planned:
    """A user's or phone's presentity with what the directory alone says, and its lamp keys."""

    base: Presentity
    keys: frozenset[str]
    owner_id: str | None = None  # a user's own id, for calls it owns
    # The presence keys Kazoo's presence commands act on for it (`set`, `reset`): a
    # user's presence_id, else its phones' own; a phone's own. Overrides show by these.
    targets: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DirectoryPlan:
    """What the directory alone decides about every presentity, worked out once per load.

    Polls and events then only add the live parts: a poll stays cheap at any size.
    """

    users: tuple[_Planned, ...]
    phones: tuple[_Planned, ...]
    # Names that users and phones go by: watchers of these watch them, not an extension.
    claimed: frozenset[str]
    # Numbers of users without any presence id (theirs or a phone's), by the number: their
    # presence goes out under their phones' SIP user names only, so keys on the number never
    # light. Known from a phone's SIP user name that holds the number (user_1009a: 1009).
    dark_numbers: Mapping[str, _Planned] = field(default_factory=dict)
    # Presence key -> the user's (else the phone's) name: who a caller ID number is.
    names: Mapping[str, str] = field(default_factory=dict)
    # For applying events to the presentities they touch only.
    user_by_id: Mapping[str, _Planned] = field(default_factory=dict)
    phone_by_id: Mapping[str, _Planned] = field(default_factory=dict)
    users_by_key: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Users and phones by the presence keys their presence commands act on.
    users_by_target: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    phones_by_target: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _override(keys: Iterable[str], overrides: Mapping[str, CallState]) -> CallState | None:
    """The forced state of a presentity's lamps (its first lamp with one known)."""
    if not overrides:
        return None
    return next((overrides[key] for key in sorted(keys) if key in overrides), None)


def _targets(user: KazooUser, owned: Iterable[KazooDevice]) -> frozenset[str]:
    """What a user's presence commands act on: its presence_id, else its phones' own."""
    if user.presence_id:
        return frozenset({presence_key(user.presence_id)})
    return frozenset(presence_key(d.presence_id) for d in owned if d.presence_id)


def _by_key(
    planned: Iterable[_Planned], keys: Callable[[_Planned], Iterable[str]]
) -> dict[str, tuple[str, ...]]:
    """Server ids by each of their keys."""
    found: dict[str, list[str]] = {}
    for item in planned:
        for key in keys(item):
            found.setdefault(key, []).append(item.base.server_id)
    return {key: tuple(ids) for key, ids in found.items()}


def plan_directory(directory: Directory) -> DirectoryPlan:
    """Work out every user's and phone's fixed part from the directory."""
    claimed: set[str] = set()
    devices_by_owner: dict[str, list[KazooDevice]] = {}
    for device in directory.devices.values():
        if device.owner_id:
            devices_by_owner.setdefault(device.owner_id, []).append(device)
    users = []
    dark: dict[str, list[_Planned]] = {}
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
            phones=len(owned),
            call_state=CallState.IDLE,
            blf_watchers=0,
            # Kazoo acts on the user's presence_id, else on each owned device's own.
            presence_target=bool(user.presence_id)
            or any(device.has_presence_id for device in owned),
            dnd=user.do_not_disturb,
            # Refused by the account's or the user's own, or by every phone's (kz_endpoint
            # merges account OR owner OR device for each phone that would ring).
            dnd_active=directory.account_dnd
            or user.do_not_disturb
            or (bool(owned) and all(device.do_not_disturb for device in owned)),
            call_forward=_forward(user.call_forward),
        )
        users.append(planned := _Planned(base, frozenset(keys), user.id, _targets(user, owned)))
        if not base.presence_target:
            for number in {n for d in owned for n in _DIGIT_RUN.findall(d.username or "")}:
                dark.setdefault(number, []).append(planned)
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
            owner=user_key(device.owner_id) if device.owner_id in directory.users else None,
            # The device endpoint acts on the device's own presence_id only.
            presence_target=device.has_presence_id,
            dnd=device.do_not_disturb,
            dnd_active=directory.account_dnd
            or bool(owner and owner.do_not_disturb)
            or bool(device.do_not_disturb),
            call_forward=_forward(device.call_forward) if device.call_forward else None,
        )
        own = frozenset({presence_key(device.presence_id)} if device.presence_id else ())
        phones.append(_Planned(base, frozenset({key} if key else ()), targets=own))
    dark_numbers = {
        number: owners[0]
        for number, owners in dark.items()
        if len(owners) == 1 and number not in claimed  # one person's, and nobody else's name
    }
    names = {key: planned.base.name for planned in phones for key in planned.keys}
    names |= {key: planned.base.name for planned in users for key in planned.keys}
    return DirectoryPlan(
        tuple(users),
        tuple(phones),
        frozenset(claimed),
        dark_numbers=dark_numbers,
        names=names,
        user_by_id={planned.base.server_id: planned for planned in users},
        phone_by_id={planned.base.server_id: planned for planned in phones},
        users_by_key=_by_key(users, lambda planned: planned.keys),
        users_by_target=_by_key(users, lambda planned: planned.targets),
        phones_by_target=_by_key(phones, lambda planned: planned.targets),
    )


def _user_calls(planned: _Planned, calls: _ChannelIndex) -> list[KazooChannel]:
    user_id = planned.owner_id or ""
    return calls.of_user(user_id, planned.keys) if calls.touches(user_id, planned.keys) else []


def _touched_ids(
    plan: DirectoryPlan,
    channels: list[KazooChannel],
    touched: Iterable[KazooChannel],
    users: Iterable[str],
    lamps: Iterable[str],
) -> tuple[set[str], set[str]]:
    """The users and phones touched: by call legs and legs bridged to them, by counts, by lamps."""
    legs = list(touched)
    ids = {leg.uuid for leg in legs}
    legs += [c for c in channels if c.other_leg in ids]
    user_ids: set[str] = set(users)
    device_ids: set[str] = set()
    for leg in legs:
        if leg.owner_id:
            user_ids.add(leg.owner_id)
        if leg.authorizing_id:
            device_ids.add(leg.authorizing_id)
        if leg.presence_id:
            user_ids.update(plan.users_by_key.get(presence_key(leg.presence_id), ()))
    for lamp in lamps:
        user_ids.update(plan.users_by_target.get(lamp, ()))
        device_ids.update(plan.phones_by_target.get(lamp, ()))
    return user_ids, device_ids


def update_snapshot(
    previous: Snapshot,
    directory: Directory,
    channels: list[KazooChannel],
    touched: Iterable[KazooChannel],
    *,
    plan: DirectoryPlan,
    cache: dict[str, tuple[tuple[Any, ...], Presentity]],
    users: Iterable[str] = (),
    lamps: Iterable[str] = (),
    voicemail: Mapping[str, int] | None = None,
    overrides: Mapping[str, CallState] | None = None,
) -> tuple[Snapshot, frozenset[str]] | None:
    """`previous` (built by `build_snapshot` with `plan` and `cache`) after events.

    Only the users and phones the `touched` legs (and the legs bridged to them) belong to,
    the `users` whose voicemail counts changed and the users and phones whose lamps
    (presence keys) were forced by hand are worked out again: a batch of events costs
    what it touches, not the account's size. Their watchers and registration stay as
    `cache` holds them; voicemail and overrides are read from the mappings given, where
    given. Returns the snapshot and the keys of the presentities built again; None when
    a presentity is not in the cache (then build the whole snapshot).
    """
    calls = _ChannelIndex.of(channels)
    user_ids, device_ids = _touched_ids(plan, channels, touched, users, lamps)
    presentities = dict(previous.presentities)
    work = [
        (planned, _USER_LIVE, _user_calls(planned, calls))
        for user_id in user_ids
        if (planned := plan.user_by_id.get(user_id)) is not None
    ] + [
        (planned, _PHONE_LIVE, list(calls.by_device.get(device_id, ())))
        for device_id in device_ids
        if (planned := plan.phone_by_id.get(device_id)) is not None
    ]
    rebuilt: set[str] = set()
    for planned, names, own in work:
        key = planned.base.key
        if (old := cache.get(key)) is None or key not in presentities:
            return None
        watchers, counted, forced = old[0][2:]
        if voicemail is not None and names is _USER_LIVE:
            counted = voicemail.get(planned.owner_id or "")
        if overrides is not None:
            forced = _override(planned.targets, overrides)
        live = (
            _call_state(own),
            _call_info(own, calls, directory, plan.names),
            watchers,
            counted,
            forced,
        )
        if live != old[0]:
            presentity = replace(planned.base, **dict(zip(names, live, strict=True)))
            cache[key] = (live, presentity)
            presentities[key] = presentity
            rebuilt.add(key)
    return replace(previous, presentities=presentities), frozenset(rebuilt)


def build_snapshot(
    directory: Directory,
    presence: KazooPresenceList,
    channels: list[KazooChannel],
    statuses: list[KazooDeviceStatus],
    voicemail: Mapping[str, int] | None = None,
    *,
    plan: DirectoryPlan | None = None,
    cache: dict[str, tuple[tuple[Any, ...], Presentity]] | None = None,
    overrides: Mapping[str, CallState] | None = None,
) -> Snapshot:
    """Combine the directory with one poll's presence, channels and registrations.

    `voicemail` is the number of new messages per owning user, where known; `overrides`
    the lamp states forced by hand, by presence key, where known. `cache`
    holds the live parts and presentities last built from the same `plan`: presentities
    whose live parts did not change are kept as they are, not built again. It is updated.
    """
    plan = plan or plan_directory(directory)
    previous = cache.copy() if cache else {}
    built = cache if cache is not None else {}
    built.clear()
    voicemail = voicemail or {}
    overrides = overrides or {}
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
        user_calls = _user_calls(planned, calls)
        presentities[planned.base.key] = settle(
            planned.base,
            _USER_LIVE,
            (
                _call_state(user_calls),
                _call_info(user_calls, calls, directory, plan.names),
                sum(watchers.get(key, 0) for key in planned.keys),
                voicemail.get(user_id),
                _override(planned.targets, overrides),
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
                _call_info(device_calls, calls, directory, plan.names),
                watchers.get(key, 0) if key else 0,
                device_id in registered,
                _override(planned.targets, overrides),
            ),
        )

    unlit: list[UnlitKey] = []
    for extension, count in watchers.items():
        if count and (owner := plan.dark_numbers.get(extension)) is not None:
            # Not an extension of its own: a person's number whose keys never light.
            unlit.append(
                UnlitKey(
                    name=owner.base.name,
                    number=extension,
                    key=owner.base.key,
                    published_as=tuple(sorted(owner.keys)),
                )
            )
        elif count and extension not in plan.claimed:
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
    return Snapshot(presentities, partial=presence.partial, unlit_keys=tuple(sorted(unlit)))
