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

    async def load(self) -> tuple[Directory, list[KazooVoicemailBox]]:
        """Read the lists (one request each), and the single devices Kazoo's lamps need.

        A device is read on its own only when its lamps go by a value no list gives
        (`?has_key=` tells which devices have one): its own presence_id when no owner's
        comes first, a hotdesked user's when it has no owner (`kzd_devices.erl:583-588`).
        It is read again only when its list entry changed.
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

        async def with_details(device: KazooDevice) -> KazooDevice | None:
            has_own = device.id in having_presence_id
            owner = users_by_id.get(device.owner_id or "")
            needs_hotdesk = device.id in hotdesked and not device.owner_id
            needs_own = has_own and not (owner is not None and owner.presence_id)
            if not (needs_hotdesk or needs_own):
                # Commands only need to know whether it has a presence_id of its own.
                return replace(device, has_presence_id=has_own) if has_own else device
            if (cached := known.get(device.id)) is None or cached[0] != device:
                try:
                    detail = await client.get_device(device.id)
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

        detailed = await gather_limited(
            MAX_CONCURRENT_REQUESTS, (with_details(device) for device in devices)
        )
        current = {device.id: device for device in detailed if device is not None}
        self._details = {i: entry for i, entry in known.items() if i in current}
        return Directory(users=users_by_id, devices=current, loaded_at=utcnow()), boxes

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
