"""Kazoo 4.3's request budget and what the presence and registration lists really say.

The simulator charges requests as Kazoo 4.3 does (100 per client IP + account, +10/s);
the integration must stay inside it on a large account, read only the devices it needs,
and not take "no answer" for "nothing there".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.kazoo import snapshot as snapshot_module
from custom_components.pbx_presence.backends.kazoo.adapter import (
    DETAIL_READS_PER_LOAD,
    DETAIL_READS_PER_POLL,
    DIRECTORY_REFRESH_INTERVAL,
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
    KazooBackend,
)
from custom_components.pbx_presence.backends.kazoo.directory import (
    APPLY_READS_AT_ONCE,
    DirectoryReader,
)
from custom_components.pbx_presence.backends.kazoo.snapshot import build_snapshot
from custom_components.pbx_presence.backends.snapshot import PresentityKind
from custom_components.pbx_presence.const import DOMAIN
from custom_components.pbx_presence.pbx.kazoo import (
    KazooCallEvent,
    KazooClient,
    UserCredentials,
    client as kazoo_module,
)
from custom_components.pbx_presence.pbx.kazoo.client import RequestPacer
from simulator import RateLimit, Simulator

from .conftest import (
    KAZOO_ACCOUNT,
    KAZOO_PASSWORD,
    KAZOO_USERNAME,
    async_poll,
    kazoo_device_id,
    setup_entry,
    state_of,
)

ADMIN = UserCredentials.from_password(KAZOO_USERNAME, KAZOO_PASSWORD, KAZOO_ACCOUNT)
PARK_WATCHERS = "sensor.3101_blf_watchers"
ANNA_DESK = "binary_sensor.anna_schmidt_desk_phone_registered"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def _get(
    sim: Simulator, session: aiohttp.ClientSession, path: str, **query: str
) -> dict[str, Any]:
    """GET an account path with a fresh token; return the whole envelope."""
    client = KazooClient(session, sim.url, ADMIN)
    auth = await client.login()
    url = f"{sim.url}/v2/accounts/{auth.account_id}/{path}"
    async with session.get(url, params=query, headers={"X-Auth-Token": auth.token}) as reply:
        assert reply.status == 200
        envelope: dict[str, Any] = await reply.json()
    return envelope


def _detail_reads(sim: Simulator) -> set[str]:
    """Ids of the devices read one by one (`GET devices/{id}`)."""
    return {
        parts[5]
        for request in sim.requests
        if request.method == "GET"
        and len(parts := request.path.split("/")) == 6
        and parts[4] == "devices"
        and parts[5] != "status"
    }


# --- the simulator, as Kazoo ------------------------------------------------------------------


async def test_has_key_lists_devices_with_a_presence_id_without_it(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    envelope = await _get(simulator, session, "devices", has_key="presence_id")

    expected = {i for i, d in simulator.kazoo.devices.items() if d.get("presence_id")}
    assert {item["id"] for item in envelope["data"]} == expected
    # Matched against the full document, answered with the list view's fields.
    assert all("presence_id" not in item for item in envelope["data"])

    missing = await _get(simulator, session, "devices", key_missing="presence_id")
    assert {item["id"] for item in missing["data"]} == set(simulator.kazoo.devices) - expected


async def test_value_filters_on_users_and_devices(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    admins = await _get(simulator, session, "users", filter_priv_level="admin")
    assert [item["username"] for item in admins["data"]] == ["admin"]
    others = await _get(simulator, session, "users", filter_not_priv_level="admin")
    assert len(others["data"]) == len(simulator.kazoo.users) - 1
    soft = await _get(simulator, session, "devices", filter_device_type="softphone")
    assert {item["device_type"] for item in soft["data"]} == {"softphone"}
    sip = await _get(simulator, session, "devices", **{"filter_sip.username": "lobby"})
    assert [item["name"] for item in sip["data"]] == ["Lobby phone"]
    enabled = await _get(simulator, session, "devices", filter_enabled="true")
    assert len(enabled["data"]) == len(simulator.kazoo.devices)
    named = await _get(simulator, session, "users", has_value="presence_id")
    assert all(item.get("presence_id") for item in named["data"])


async def test_filters_and_pagination_together(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    expected = {i for i, d in simulator.kazoo.devices.items() if d.get("presence_id")}
    seen: list[str] = []
    query = {"has_key": "presence_id", "page_size": "2"}
    while True:
        envelope = await _get(simulator, session, "devices", **query)
        seen += [item["id"] for item in envelope["data"]]
        if "next_start_key" not in envelope:
            break
        query["start_key"] = envelope["next_start_key"]
    assert len(seen) == len(expected) > 2
    assert set(seen) == expected


async def test_presence_is_the_41_shape_by_default(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    envelope = await _get(simulator, session, "presence")
    assert envelope["data"]["Subscriptions"]["*3101"] == {"dialog": 3}
    assert envelope["data"]["Subscriptions"]["1001"] == {"dialog": 3, "message-summary": 1}

    simulator.kazoo.presence_no_answer = True
    envelope = await _get(simulator, session, "presence")
    assert envelope["data"] == {"timeout": True}


async def test_presence_detail_carries_sip_text(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    envelope = await _get(simulator, session, "presence/%2A3101")
    events = envelope["data"]["Subscriptions"]["*3101"]
    (watcher, *_) = events["dialog"].values()
    (node,) = watcher.values()
    (info, *_) = node.values()
    assert isinstance(info["time"], int)
    assert info["result"] == 200
    assert info["sent"].startswith("NOTIFY sip:")
    assert info["received"] == "SIP/2.0 200 OK"


# --- the directory inside the budget ----------------------------------------------------------


async def test_directory_reads_only_devices_whose_presence_id_matters(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Lists plus `has_key=presence_id`; single reads only where the lamps need the value.

    And phones with a DND or forwarding of their own (`has_key`): their values are in no
    list, and change without their list entry changing, so they are read at every load.
    """
    # Felix's and Hannah's users have no presence_id, the lobby phone has no owner: their
    # phones' own presence_id is what their lamps go by. Anna's and Carla's phones have
    # one too, but their lamps go by their owner's. The conference room has its own DND.
    conference = kazoo_device_id(simulator, "Conference room")
    assert _detail_reads(simulator) == {
        kazoo_device_id(simulator, "Felix Wagner desk phone"),
        kazoo_device_id(simulator, "Hannah Müller desk phone"),
        kazoo_device_id(simulator, "Lobby phone"),
        conference,
    }
    assert any(r.query.get("has_key") == "presence_id" for r in simulator.requests)
    adapter = init_kazoo.runtime_data.backend
    assert isinstance(adapter, KazooBackend)
    anna_desk = adapter.directory.devices[kazoo_device_id(simulator, "Anna Schmidt desk phone")]
    assert anna_desk.has_presence_id
    assert state_of(hass, "select.anna_schmidt_desk_phone_blf_override") == "automatic"

    # A reload reads the lists again but no unchanged device, except those with controls.
    simulator.requests.clear()
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)
    assert any(r.path.endswith("/devices") for r in simulator.requests)
    lobby = kazoo_device_id(simulator, "Lobby phone")
    assert _detail_reads(simulator) == {conference, lobby}

    # A device whose list entry changed is read again; only that one (and those with
    # controls of their own).
    felix = kazoo_device_id(simulator, "Felix Wagner desk phone")
    simulator.kazoo.devices[felix]["name"] = "Felix's phone"
    simulator.kazoo.devices[lobby]["presence_id"] = "1098"
    simulator.requests.clear()
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)
    assert _detail_reads(simulator) == {felix, conference, lobby}
    assert adapter.directory.devices[lobby].presence_id == "1098"


async def test_a_phone_with_an_owner_never_goes_by_a_hotdesked_user(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Kazoo uses a hotdesked user's presence_id only on a phone without an owner."""
    kazoo = simulator.kazoo
    lukas_desk = kazoo_device_id(simulator, "Lukas Novak desk phone")
    anna = next(i for i, user in kazoo.users.items() if user["username"] == "anna")
    kazoo.hotdesk(lukas_desk, anna)  # Lukas has no presence_id; Anna's is 1001
    lobby = kazoo_device_id(simulator, "Lobby phone")
    kazoo.hotdesk(lobby, anna)
    await setup_entry(hass, kazoo_entry)

    presentities = kazoo_entry.runtime_data.data.presentities
    # Lukas's phone goes by its SIP username (one watcher), not by Anna's 1001 (three).
    lukas_phone = presentities[f"phone_{lukas_desk}"]
    assert (lukas_phone.extension, lukas_phone.blf_watchers) == ("user_1009a", 1)
    assert lukas_desk not in _detail_reads(simulator)
    # The lobby phone has no owner: Anna's presence_id is what its lamps go by.
    lobby_phone = presentities[f"phone_{lobby}"]
    assert (lobby_phone.extension, lobby_phone.blf_watchers) == ("1001", 3)
    assert lobby in _detail_reads(simulator)
    # A call on Lukas's phone is his phone's, not Anna's.
    kazoo.start_call(device_id=lukas_desk, destination="1009", direction="outbound")
    await kazoo_entry.runtime_data.async_refresh()
    assert state_of(hass, "sensor.lukas_novak_desk_phone_call_state") == "ringing"
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "idle"


async def test_a_failed_reload_keeps_the_devices_it_read(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The next try reads only what the failed one did not get."""
    felix = kazoo_device_id(simulator, "Felix Wagner desk phone")
    lobby = kazoo_device_id(simulator, "Lobby phone")
    for device_id in (felix, lobby):
        simulator.kazoo.devices[device_id]["name"] += " (moved)"
    simulator.faults.add("status", status=500, path_contains=f"/devices/{lobby}")
    simulator.requests.clear()

    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)
    assert init_kazoo.runtime_data.shows_stale_data  # the poll failed; a blip is ridden out
    # The conference room has controls of its own: it is read at every load.
    conference = kazoo_device_id(simulator, "Conference room")
    assert _detail_reads(simulator) - {conference} == {felix, lobby}

    simulator.requests.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert init_kazoo.runtime_data.last_update_success
    # Felix's phone is not read again.
    assert _detail_reads(simulator) - {conference} == {lobby}
    assert state_of(hass, "binary_sensor.lobby_phone_registered") == STATE_ON


async def test_large_43_account_sets_up_inside_the_rate_limit(
    socket_enabled: None,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every phone of a large account arrives, even when the bucket runs dry midway."""
    monkeypatch.setattr(kazoo_module, "RATE_LIMIT_BACKOFF", (0.05, 0.1, 0.2, 0.4, 0.8))
    sim = Simulator.scaled(users=150, devices=200)
    # A smaller bucket than the client's pace assumes: 429s happen, and are survived.
    sim.kazoo.rate_limit = RateLimit(capacity=20, refill_per_second=50)
    await sim.start()
    try:
        adapter = KazooBackend(KazooClient(session, sim.url, ADMIN))
        await adapter.async_identify()
        snapshot = await adapter.async_fetch()
    finally:
        await sim.stop()

    phones = {p.server_id for p in snapshot.presentities.values() if p.kind is PresentityKind.PHONE}
    assert phones == set(sim.kazoo.devices)
    assert sim.kazoo.rate_limited > 0
    # Read one by one: the phones with a presence_id whose owner has none (or no owner).
    expected = {
        device_id
        for device_id, device in sim.kazoo.devices.items()
        if device.get("presence_id")
        and not sim.kazoo.users.get(device.get("owner_id", ""), {}).get("presence_id")
    }
    assert _detail_reads(sim) == expected
    assert 0 < len(expected) < len(sim.kazoo.devices) // 4


async def test_a_large_account_is_set_up_before_every_phone_is_read(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    """A load reads at most 40 phones on their own; each poll reads 12 more until done,
    and the directory is then what one whole read gives."""
    sim = Simulator.scaled(users=400, devices=480)
    sim.kazoo.rate_limit = None
    await sim.start()
    try:
        adapter = KazooBackend(KazooClient(session, sim.url, ADMIN))
        adapter.client.pacer = RequestPacer(burst=1_000_000)  # the budget, not the pace
        await adapter.async_identify()
        await adapter.async_fetch()
        needed = {
            device_id
            for device_id, device in sim.kazoo.devices.items()
            if device.get("presence_id")
            and not sim.kazoo.users.get(device.get("owner_id", ""), {}).get("presence_id")
        }
        assert len(needed) > DETAIL_READS_PER_LOAD + DETAIL_READS_PER_POLL
        assert len(_detail_reads(sim)) == DETAIL_READS_PER_LOAD
        assert adapter.catching_up
        assert adapter.diagnostics()["phones_waiting_for_their_own_read"] == (
            len(needed) - DETAIL_READS_PER_LOAD
        )
        sim.requests.clear()
        before = adapter.directory
        await adapter.async_fetch()
        assert len(_detail_reads(sim)) == DETAIL_READS_PER_POLL
        # Not yet in the directory (a new one rebuilds the whole snapshot): in batches.
        assert adapter.directory is before
        directories = {id(before)}
        while adapter.catching_up:
            await adapter.async_fetch()
            directories.add(id(adapter.directory))
        assert len(directories) <= 1 + len(needed) // APPLY_READS_AT_ONCE + 1
        read_one_by_one = adapter.directory

        whole, _ = await DirectoryReader(adapter.client).load(budget=None)
    finally:
        await sim.stop()
    assert read_one_by_one.devices == whole.devices


# --- no answer is not "nothing" ---------------------------------------------------------------


async def test_a_kazoo_40_presence_list_still_counts_watchers(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """The seed's (Kazoo 4.0) subscription list gives the same counts as 4.1+."""
    simulator.kazoo.presence_shape = "legacy"
    await setup_entry(hass, kazoo_entry)

    assert state_of(hass, PARK_WATCHERS) == "3"
    assert not kazoo_entry.runtime_data.data.partial


async def test_no_presence_answer_keeps_watchers_and_extensions(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """`{"timeout": true}` alone: no Kamailio node answered, so nothing is known."""
    park = (DOMAIN, f"{simulator.kazoo.account_id}_extension_*3103")
    assert state_of(hass, PARK_WATCHERS) == "3"

    simulator.kazoo.presence_no_answer = True
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    assert init_kazoo.runtime_data.last_update_success
    assert init_kazoo.runtime_data.data.partial
    assert state_of(hass, PARK_WATCHERS) == "3"
    assert dr.async_get(hass).async_get_device({park}) is not None

    simulator.kazoo.presence_no_answer = False
    simulator.kazoo.watch("*3101", "lobby")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, PARK_WATCHERS) == "4"
    assert not init_kazoo.runtime_data.data.partial


async def test_a_sudden_empty_registration_list_is_believed_on_the_second_poll(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Kazoo answers [] when it cannot ask the call manager: not every phone went away."""
    assert state_of(hass, ANNA_DESK) == STATE_ON
    registered = set(simulator.kazoo.registered)

    simulator.kazoo.registered.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_DESK) == STATE_ON

    # Back on the next poll: it was a hiccup, nothing flapped.
    simulator.kazoo.registered |= registered
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_DESK) == STATE_ON

    # Empty twice in a row: believed.
    simulator.kazoo.registered.clear()
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_DESK) == STATE_ON
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_DESK) == STATE_OFF

    # A single phone unregistering is shown at once.
    simulator.kazoo.registered |= registered
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_DESK) == STATE_ON
    simulator.kazoo.unregister(kazoo_device_id(simulator, "Anna Schmidt desk phone"))
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, ANNA_DESK) == STATE_OFF


async def test_a_device_gone_before_its_read_is_left_out(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> None:
    """Deleted between the list and the single read (404): not a failed setup."""
    lobby = kazoo_device_id(simulator, "Lobby phone")
    simulator.faults.add("status", status=404, path_contains=f"/devices/{lobby}", count=None)

    await setup_entry(hass, kazoo_entry)

    assert kazoo_entry.runtime_data.last_update_success
    assert hass.states.get("binary_sensor.lobby_phone_registered") is None
    assert state_of(hass, ANNA_DESK) == STATE_ON


async def test_call_events_rebuild_only_what_they_touch(
    simulator: Simulator, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each call event the snapshot equals a whole rebuild, and every presentity the
    event does not touch is still the very same object: the cost follows the event."""
    adapter = KazooBackend(KazooClient(session, simulator.url, ADMIN))
    await adapter.async_identify()
    snapshot = await adapter.async_fetch()
    kazoo = simulator.kazoo
    heard: list[Any] = []
    kazoo.event_listeners.append(heard.append)
    anna = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    felix = kazoo_device_id(simulator, "Felix Wagner desk phone")
    lobby = kazoo_device_id(simulator, "Lobby phone")
    caller, callee = kazoo.start_internal_call(felix, anna)
    kazoo.answer(callee)
    outside = kazoo.start_call(device_id=lobby, direction="outbound", caller_id_number="+1555")
    kazoo.hangup(caller)
    kazoo.hangup(outside)
    events = [KazooCallEvent.from_event(e.name, e.data) for e in heard if e.routing[0] == "call"]
    assert len(events) >= 8
    changes = 0

    worked_out: list[object] = []
    call_state = snapshot_module._call_state

    def counted(channels: Any) -> Any:
        worked_out.append(channels)
        return call_state(channels)

    monkeypatch.setattr(snapshot_module, "_call_state", counted)
    for event in events:
        before = snapshot.presentities
        worked_out.clear()
        result = adapter.apply_events([event])
        # A handful of users and phones, not every one of the account's.
        assert len(worked_out) <= 6 < len(before)
        snapshot = result.snapshot or snapshot  # None: nothing changed (a BRIDGE after ANSWER)
        whole = build_snapshot(
            adapter.directory,
            adapter._presence,
            list(adapter._calls.channels.values()),
            adapter._statuses,
            adapter._voicemail.by_owner(),
        )
        assert snapshot == adapter._parking.decorate(whole)  # park slots show their slot
        changes += result.snapshot is not None
        rebuilt = {k for k, p in snapshot.presentities.items() if p is not before[k]}
        assert rebuilt <= {
            f"user_{event.owner_id}",
            f"phone_{event.authorizing_id}",
            f"phone_{felix}",
            f"phone_{anna}",
            f"user_{kazoo.devices[felix]['owner_id']}",
            f"user_{kazoo.devices[anna]['owner_id']}",
        }
    assert changes >= 6
