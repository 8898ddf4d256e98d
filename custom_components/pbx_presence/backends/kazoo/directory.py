"""Reading a Kazoo account's directory inside its request budget.

Every list is one request (`paginate=false`). No list gives a device's presence_id or
hotdesked users, so a device is read on its own only when Kazoo's lamps go by one of them.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from ...pbx import PbxForbiddenError, PbxNotFoundError
from ...pbx.kazoo import KazooClient, KazooDevice, KazooVoicemailBox
from ..base import MAX_CONCURRENT_REQUESTS, gather_limited, utcnow
from .snapshot import Directory


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
        users, devices, having_presence_id, hotdesked, boxes = await asyncio.gather(
            client.get_users(),
            client.get_devices(),
            client.get_device_ids_with_presence_id(),
            client.get_hotdesked_device_ids(),
            self.voicemail_boxes(),
        )
        users_by_id = {user.id: user for user in users}
        # Filled as reads come in, so a load that fails midway loses none of them.
        known = self._details
        self.pending = {}
        reads_left = len(devices) if budget is None else budget

        async def with_details(device: KazooDevice) -> KazooDevice | None:
            nonlocal reads_left
            has_own = device.id in having_presence_id
            owner = users_by_id.get(device.owner_id or "")
            needs_hotdesk = device.id in hotdesked and not device.owner_id
            needs_own = has_own and not (owner is not None and owner.presence_id)
            if not (needs_hotdesk or needs_own):
                # Commands only need to know whether it has a presence_id of its own.
                return replace(device, has_presence_id=has_own) if has_own else device
            if (cached := known.get(device.id)) is None or cached[0] != device:
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
        return Directory(users=users_by_id, devices=current, loaded_at=utcnow()), boxes

    async def complete(self, directory: Directory, budget: int) -> Directory:
        """The directory with up to `budget` of the pending devices read on their own."""
        batch = list(self.pending.values())[:budget]
        devices = dict(directory.devices)

        async def read(device: KazooDevice) -> None:
            try:
                detail = await self.client.get_device(device.id)
            except PbxNotFoundError:  # deleted since the list was read
                devices.pop(device.id, None)
            else:
                self._details[device.id] = (device, detail)
                if device.id in devices:
                    devices[device.id] = _as_read(device, detail, has_own=True)
            del self.pending[device.id]

        await gather_limited(MAX_CONCURRENT_REQUESTS, (read(device) for device in batch))
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
            if action == "doc_deleted":
                records.pop(doc_id, None)
                continue
            try:
                if doc_type == "user":
                    users[doc_id] = await self.client.get_user(doc_id)
                else:
                    devices[doc_id] = await self.client.get_device(doc_id)
            except PbxNotFoundError:  # deleted since the event
                records.pop(doc_id, None)
        return Directory(users=users, devices=devices, loaded_at=directory.loaded_at)

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
    )
