"""Kazoo as its source code behaves: disabled accounts, voicemail, presence ids with a realm."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.voicemail import VOICEMAIL_INTERVAL
from custom_components.pbx_presence.const import DOMAIN
from simulator import Simulator

from .conftest import async_poll, kazoo_user_id, setup_entry, state_of


def _voicemail_reads(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.method == "GET" and r.path.endswith("/messages"))


def _box_list_reads(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.method == "GET" and r.path.endswith("/vmboxes"))


async def test_disabled_account_is_a_repair_issue_not_a_reauth(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Kazoo says the account is disabled (400): Repairs says so; no re-login is asked for."""
    simulator.kazoo.account_status = "disabled"
    kazoo_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(kazoo_entry.entry_id)
    await hass.async_block_till_done()

    assert kazoo_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)  # no reauth
    issues = ir.async_get(hass)
    issue = issues.async_get_issue(DOMAIN, f"account_disabled_{kazoo_entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "account_disabled"
    assert issue.translation_placeholders == {"server": kazoo_entry.title}
    assert issue.severity is ir.IssueSeverity.ERROR

    simulator.kazoo.account_status = "enabled"
    await async_poll(hass, freezer, timedelta(minutes=2))
    assert kazoo_entry.state is ConfigEntryState.LOADED
    assert issues.async_get_issue(DOMAIN, f"account_disabled_{kazoo_entry.entry_id}") is None


async def test_account_that_expires_while_running(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Polls answered "account expired" raise the expired issue; it goes when it works again."""
    simulator.kazoo.account_status = "expired"
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    issues = ir.async_get(hass)
    issue = issues.async_get_issue(DOMAIN, f"account_expired_{init_kazoo.entry_id}")
    assert issue is not None
    assert issue.translation_key == "account_expired"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    simulator.kazoo.account_status = "enabled"
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert issues.async_get_issue(DOMAIN, f"account_expired_{init_kazoo.entry_id}") is None


async def test_voicemail_sensor_counts_new_messages(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Users with a box show their new (unheard) messages; saved ones do not count."""
    # The demo: Anna 2 new + 1 saved, Ben 3 saved, Carla 1 new; nobody else has a box.
    assert state_of(hass, "sensor.anna_schmidt_new_voicemails") == "2"
    assert state_of(hass, "sensor.ben_carter_new_voicemails") == "0"
    assert state_of(hass, "sensor.carla_rossi_new_voicemails") == "1"
    assert hass.states.get("sensor.felix_wagner_new_voicemails") is None
    state = hass.states.get("sensor.anna_schmidt_new_voicemails")
    assert state is not None
    assert "unit_of_measurement" not in state.attributes  # "1 messages" reads wrong
    assert state.attributes["friendly_name"] == "Anna Schmidt New voicemails"

    # A new message shows with the next read of the box list, not on every poll.
    box = next(
        i
        for i, b in simulator.kazoo.vmboxes.items()
        if b["owner_id"] == kazoo_user_id(simulator, "carla")
    )
    simulator.kazoo.leave_voicemail(box, "+15555550123", "Caller")
    lists = _box_list_reads(simulator)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert _box_list_reads(simulator) == lists
    assert state_of(hass, "sensor.carla_rossi_new_voicemails") == "1"

    await async_poll(hass, freezer, VOICEMAIL_INTERVAL)
    assert state_of(hass, "sensor.carla_rossi_new_voicemails") == "2"
    assert _box_list_reads(simulator) == lists + 1
    assert _voicemail_reads(simulator) == 0  # the list's `folders.new`, never a box's messages


async def test_every_box_of_a_large_account_has_its_count(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
) -> None:
    """More boxes than Kazoo's page of 50: all of them count, from one list request."""
    kazoo = simulator.kazoo
    for index in range(60):
        user = kazoo.add_user(f"vm{index}", "vm-secret", "Voice", f"Mail {index}", f"20{index:02d}")
        box = kazoo.add_vmbox(user["id"], f"20{index:02d}")
        for _ in range(index % 3):
            kazoo.leave_voicemail(box, "+15550001111")
    await setup_entry(hass, kazoo_entry)

    assert all(
        state_of(hass, f"sensor.voice_mail_{index}_new_voicemails") == str(index % 3)
        for index in range(60)
    )
    assert _box_list_reads(simulator) == 1
    assert _voicemail_reads(simulator) == 0


async def test_presence_id_with_a_realm(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A presence_id `1020@realm` is extension 1020: its watchers and calls are the user's."""
    kazoo = simulator.kazoo
    user = kazoo.add_user("zoe", "zoe-secret", "Zoe", "Lang", f"1020@{kazoo.realm}")
    desk = kazoo.add_device("Zoe desk phone", user["id"], sip_username="user_1020a")
    kazoo.register(desk["id"])
    kazoo.watch("1020", "user_1001a")
    kazoo.watch("user_1020a", "user_1002a")
    await setup_entry(hass, kazoo_entry)

    presentities = kazoo_entry.runtime_data.data.presentities
    assert presentities[f"user_{user['id']}"].blf_watchers == 1
    # Neither the extension nor the phone's SIP name is a phantom extension of its own.
    assert "extension_1020" not in presentities
    assert "extension_user_1020a" not in presentities

    kazoo.start_call(device_id=desk["id"], destination="1020", direction="outbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, "sensor.zoe_lang_call_state") == "ringing"


async def test_hotdesked_user_decides_a_phones_lamps(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone without an owner goes by a hotdesked user's presence_id, before its own.

    Kazoo's order is the owner's presence_id, a hotdesked user's, the device's own, then
    the SIP username; the device list shows neither of the middle two, so such phones are
    read on their own (once).
    """
    kazoo = simulator.kazoo
    lobby = next(i for i, d in kazoo.devices.items() if d["name"] == "Lobby phone")
    kazoo.hotdesk(lobby, kazoo_user_id(simulator, "ben"))  # Ben's presence_id is 1002
    await setup_entry(hass, kazoo_entry)

    presentities = kazoo_entry.runtime_data.data.presentities
    ben = presentities[f"user_{kazoo_user_id(simulator, 'ben')}"]
    assert presentities[f"phone_{lobby}"].blf_watchers == ben.blf_watchers > 0
    assert presentities[f"phone_{lobby}"].presence_target  # its own 1099 is still there
    reads = [r for r in simulator.requests if r.path.endswith(f"/devices/{lobby}")]
    assert len(reads) == 1

    # Its calls carry Ben's presence id, so they show on his user too.
    for uuid in list(kazoo.channels):
        kazoo.hangup(uuid)
    kazoo.start_call(device_id=lobby, destination="1002", direction="outbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, "sensor.lobby_phone_call_state") == "ringing"
    assert state_of(hass, "sensor.ben_carter_call_state") == "ringing"
