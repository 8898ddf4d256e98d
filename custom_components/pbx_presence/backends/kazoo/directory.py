"""Reading a Kazoo account's directory inside its request budget.

Every list is one request (`paginate=false`). No list gives a device's presence_id or
hotdesked users, so a device is read on its own only when Kazoo's lamps go by one of them.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from ...pbx import PbxForbiddenError, PbxNotFoundError
from ...pbx.kazoo import KazooCallForward, KazooClient, KazooDevice, KazooUser, KazooVoicemailBox
from ..base import MAX_CONCURRENT_REQUESTS, gather_limited, utcnow
from .snapshot import Directory

# Single-device reads of the catch-up after a load enter the directory this many at a time.
APPLY_READS_AT_ONCE = 120


class DirectoryReader:
    """Reads users, devices and voicemail boxes; keeps single-device reads between loads."""

    def __init__(self, client: KazooClient) -> None:
        """Read through `client`."""
        self.client = client
        # device id -> (its list entry, its single-device reply) for devices read on their own
        self._details: dict[str, tuple[KazooDevice, KazooDevice]] = {}
        # Devices that need a read of their own not made yet (over a load's budget), by id:
        # their list entries. Polls read them a few at a time (see `complete`).
        self.pending: dict[str, KazooDevice] = {}
        # Those read since, not yet in the directory (None: deleted); see `complete`.
        self._unapplied: dict[str, KazooDevice | None] = {}
        # user id -> its whole document, kept while its list entry still says the same
        self._users: dict[str, KazooUser] = {}

    async def load(self, budget: int | None = None) -> tuple[Directory, list[KazooVoicemailBox]]:
        """Read the lists (one request each), and the single devices Kazoo's lamps need.

        A device is read on its own only when its lamps go by a value no list gives
        (`?has_key=` tells which devices have one): its own presence_id when no owner's
        comes first, a hotdesked user's when it has no owner (`kzd_devices.erl:583-588`).
        It is read again only when its list entry changed. At most `budget` such reads are
        made now; the others wait in `pending` (meanwhile the device goes by its last read,
        or by its list entry alone), so a large account is set up in seconds.
        """
        client = self.client
        (
            (users, devices, having_presence_id, hotdesked, own_controls, boxes),
            account_dnd,
        ) = await asyncio.gather(
            asyncio.gather(
                client.get_users(),
                client.get_devices(),
                client.get_device_ids_with_presence_id(),
                client.get_hotdesked_device_ids(),
                client.get_device_ids_with_own_controls(),
                self.voicemail_boxes(),
            ),
            self.account_dnd(),
        )
        users_by_id = {
            user.id: user
            for user in await gather_limited(
                MAX_CONCURRENT_REQUESTS, (self._with_forward_number(user) for user in users)
            )
            if user is not None
        }
        # Filled as reads come in, so a load that fails midway loses none of them.
        known = self._details
        self.pending = {}
        self._unapplied = {}
        reads_left = len(devices) if budget is None else budget

        async def with_details(device: KazooDevice) -> KazooDevice | None:
            nonlocal reads_left
            has_own = device.id in having_presence_id
            owner = users_by_id.get(device.owner_id or "")
            needs_hotdesk = device.id in hotdesked and not device.owner_id
            needs_own = has_own and not (owner is not None and owner.presence_id)
            # Its own DND or forwarding can change without its list entry changing: read
            # at every load (few devices have them; object events bring changes between).
            needs_controls = device.id in own_controls
            if not (needs_hotdesk or needs_own or needs_controls):
                # Commands only need to know whether it has a presence_id of its own.
                return replace(device, has_presence_id=has_own) if has_own else device
            cached = known.get(device.id)
            if needs_controls or cached is None or cached[0] != device:
                if reads_left <= 0:
                    self.pending[device.id] = device
                    return _as_read(device, cached[1] if cached else None, has_own=has_own)
                reads_left -= 1
                try:
                    detail = await client.get_device(device.id)
                except PbxNotFoundError:  # deleted since the list was read
                    return None
                cached = known[device.id] = (device, detail)
            return _as_read(device, cached[1], has_own=has_own)

        detailed = await gather_limited(
            MAX_CONCURRENT_REQUESTS, (with_details(device) for device in devices)
        )
        current = {device.id: device for device in detailed if device is not None}
        self._details = {i: entry for i, entry in known.items() if i in current}
        self._users = {i: user for i, user in self._users.items() if i in users_by_id}
        directory = Directory(
            users=users_by_id, devices=current, loaded_at=utcnow(), account_dnd=account_dnd
        )
        return directory, boxes

    async def _with_forward_number(self, user: KazooUser) -> KazooUser | None:
        """A user with forwarding on (or failover), with the number its document has.

        The list says only that forwarding is on; the whole document is read once, and
        kept while the list entry still says the same (object events read it again).
        """
        known = self._users.get(user.id)
        if known is not None and _list_view(known) == user:
            return known
        forward = user.call_forward
        if not (forward.enabled or forward.failover):
            return user
        try:
            detail = self._users[user.id] = await self.client.get_user(user.id)
        except PbxNotFoundError:  # deleted since the list was read
            return None
        return detail

    def remember_user(self, directory: Directory, user: KazooUser) -> Directory:
        """The directory with a user's whole document (a write's reply) in it."""
        self._users[user.id] = user
        return replace(directory, users={**directory.users, user.id: user})

    def remember_device(self, directory: Directory, device: KazooDevice) -> Directory:
        """The directory with a device's whole document (a write's reply) in it."""
        self._details.pop(device.id, None)
        listed = directory.devices.get(device.id)
        if listed is not None:  # the list's fields and what the directory worked out stay
            device = replace(
                listed, do_not_disturb=device.do_not_disturb, call_forward=device.call_forward
            )
        return replace(directory, devices={**directory.devices, device.id: device})

    async def account_dnd(self) -> bool:
        """The account's own do-not-disturb (it silences every phone); off where unreadable."""
        try:
            return (await self.client.get_account()).do_not_disturb
        except (PbxForbiddenError, PbxNotFoundError):
            return False

    async def complete(self, directory: Directory, budget: int) -> Directory:
        """The directory once up to `budget` more pending devices are read on their own.

        The reads go into the directory `APPLY_READS_AT_ONCE` at a time, and with the last
        one: each new directory rebuilds the whole account's snapshot, which at thousands
        of phones would block Home Assistant at every poll of the catch-up.
        """
        batch = list(self.pending.values())[:budget]

        async def read(device: KazooDevice) -> None:
            try:
                detail = await self.client.get_device(device.id)
            except PbxNotFoundError:  # deleted since the list was read
                self._unapplied[device.id] = None
            else:
                self._details[device.id] = (device, detail)
                self._unapplied[device.id] = _as_read(device, detail, has_own=True)
            del self.pending[device.id]

        await gather_limited(MAX_CONCURRENT_REQUESTS, (read(device) for device in batch))
        if self.pending and len(self._unapplied) < APPLY_READS_AT_ONCE:
            return directory
        devices = dict(directory.devices)
        for device_id, read_as in self._unapplied.items():
            if read_as is None:
                devices.pop(device_id, None)
            elif device_id in devices:
                devices[device_id] = read_as
        self._unapplied = {}
        return Directory(users=directory.users, devices=devices, loaded_at=directory.loaded_at)

    async def reread(self, directory: Directory, changed: dict[tuple[str, str], str]) -> Directory:
        """The directory with only the documents `object.*` events named read again.

        `changed` maps (type, id) to the last action; a deleted document is dropped
        without a request. The 30-minute full reload stays due when it was.
        """
        users = dict(directory.users)
        devices = dict(directory.devices)
        for (doc_type, doc_id), action in changed.items():
            records: dict[str, Any] = users if doc_type == "user" else devices
            self._details.pop(doc_id, None)  # the next full load decides again
            self.pending.pop(doc_id, None)  # read whole just below
            self._users.pop(doc_id, None)
            if action == "doc_deleted":
                records.pop(doc_id, None)
                continue
            try:
                if doc_type == "user":
                    users[doc_id] = self._users[doc_id] = await self.client.get_user(doc_id)
                else:
                    devices[doc_id] = await self.client.get_device(doc_id)
            except PbxNotFoundError:  # deleted since the event
                records.pop(doc_id, None)
        return replace(directory, users=users, devices=devices)

    async def voicemail_boxes(self) -> list[KazooVoicemailBox]:
        """The account's voicemail boxes with their counts; none where the login may not."""
        try:
            return await self.client.get_voicemail_boxes()
        except (PbxForbiddenError, PbxNotFoundError):
            return []


def _as_read(device: KazooDevice, detail: KazooDevice | None, *, has_own: bool) -> KazooDevice:
    """A device's list entry with what its own read gave (none yet: the list's view)."""
    if detail is None:
        return replace(device, has_presence_id=has_own) if has_own else device
    return replace(
        device,
        presence_id=detail.presence_id,
        has_presence_id=detail.presence_id is not None,
        hotdesk_user_ids=detail.hotdesk_user_ids,
        do_not_disturb=detail.do_not_disturb,
        call_forward=detail.call_forward,
    )


def _list_view(user: KazooUser) -> KazooUser:
    """What the users list says of a user whose whole document was read."""
    forward = user.call_forward
    listed = KazooCallForward(
        enabled=forward.enabled, failover=forward.failover and not forward.enabled
    )
    return replace(user, call_forward=listed, detailed=False)
