"""Sensors through Home Assistant, against the simulator over loopback HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import ATTR_OPTIONS, ATTR_STATE_CLASS
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.isymphony.adapter import (
    LICENSE_RECHECK_INTERVAL,
    SCAN_INTERVAL as ISYMPHONY_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.adapter import (
    DIRECTORY_REFRESH_INTERVAL,
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from custom_components.pbx_presence.sensor import MAX_STATE_LENGTH
from simulator import DEMO_CORE_SERVER_ID as ISYMPHONY_ID, Simulator

from .conftest import (
    STATUS_STATES,
    async_poll,
    kazoo_device_id,
    kazoo_user_id,
    state_of,
)


def _dialog_watchers(sim: Simulator, extension: str) -> int:
    return sum(
        1 for sub in sim.kazoo.subscriptions.get(extension, {}).values() if sub.event == "dialog"
    )


async def test_kazoo_call_state_sensors(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """Users and phones get a call state; the demo's two calls show busy and ringing."""
    account = simulator.kazoo.account_id

    assert state_of(hass, "sensor.ben_carter_call_state") == "busy"
    assert state_of(hass, "sensor.ben_carter_desk_phone_call_state") == "busy"
    assert state_of(hass, "sensor.carla_rossi_call_state") == "ringing"
    assert state_of(hass, "sensor.carla_rossi_desk_phone_call_state") == "ringing"
    assert state_of(hass, "sensor.carla_rossi_softphone_call_state") == "idle"
    assert state_of(hass, "sensor.anna_schmidt_call_state") == "idle"
    assert state_of(hass, "sensor.lobby_phone_call_state") == "idle"

    state = hass.states.get("sensor.anna_schmidt_call_state")
    assert state is not None
    assert state.attributes[ATTR_DEVICE_CLASS] == "enum"
    assert state.attributes[ATTR_OPTIONS] == ["idle", "ringing", "busy"]
    assert state.attributes["friendly_name"] == "Anna Schmidt Call state"

    entities = er.async_get(hass)
    entry = entities.async_get("sensor.anna_schmidt_call_state")
    assert entry is not None
    assert entry.unique_id == f"{account}_user_{kazoo_user_id(simulator, 'anna')}_call_state"
    assert entry.translation_key == "call_state"
    assert entry.entity_category is None

    # Every user (the admin too) and every phone has one; extensions and the server do not.
    call_states = [
        e
        for e in er.async_entries_for_config_entry(entities, init_kazoo.entry_id)
        if e.translation_key == "call_state"
    ]
    assert len(call_states) == len(simulator.kazoo.users) + len(simulator.kazoo.devices)
    assert hass.states.get("sensor.3101_call_state") is None


async def test_kazoo_devices_hang_off_the_server(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """One device per user, phone and watched extension, each via the server's device."""
    account = simulator.kazoo.account_id
    devices = dr.async_get(hass)
    server = devices.async_get_device({(DOMAIN, account)})
    assert server is not None

    anna = devices.async_get_device(
        {(DOMAIN, f"{account}_user_{kazoo_user_id(simulator, 'anna')}")}
    )
    desk = devices.async_get_device(
        {(DOMAIN, f"{account}_phone_{kazoo_device_id(simulator, 'Anna Schmidt softphone')}")}
    )
    slot = devices.async_get_device({(DOMAIN, f"{account}_extension_*3101")})
    for device, name, model in (
        (anna, "Anna Schmidt", "User"),
        (desk, "Anna Schmidt softphone", "Softphone"),
        (slot, "*3101", "Extension"),
    ):
        assert device is not None, name
        assert device.name == name
        assert device.model == model
        assert device.via_device_id == server.id
        assert device.manufacturer == "2600Hz"

    entity = er.async_get(hass).async_get("sensor.3101_blf_watchers")
    assert entity is not None
    assert entity.device_id == slot.id  # type: ignore[union-attr]


async def test_call_state_follows_a_call(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A call between two phones as Kazoo's lamps show it, on user and phone, poll by poll.

    The caller is busy from the first moment (never ringing: an automation on "ringing"
    must not fire for an outgoing call); only the callee rings until it answers.
    """
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    felix_desk = kazoo_device_id(simulator, "Felix Wagner desk phone")
    user = "sensor.anna_schmidt_call_state"
    phone = "sensor.anna_schmidt_desk_phone_call_state"
    softphone = "sensor.anna_schmidt_softphone_call_state"
    callee = "sensor.felix_wagner_call_state"
    seen: list[tuple[str, str]] = []
    async_track_state_change_event(
        hass,
        [user, phone, callee],
        lambda event: seen.append((event.data["entity_id"], event.data["new_state"].state)),
    )

    caller_leg, callee_leg = simulator.kazoo.start_internal_call(desk, felix_desk)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert (state_of(hass, user), state_of(hass, phone), state_of(hass, softphone)) == (
        "busy",
        "busy",
        "idle",
    )
    assert state_of(hass, callee) == "ringing"

    simulator.kazoo.answer(callee_leg)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert (state_of(hass, user), state_of(hass, phone), state_of(hass, callee)) == (
        "busy",
        "busy",
        "busy",
    )

    simulator.kazoo.hangup(caller_leg)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert (state_of(hass, user), state_of(hass, phone), state_of(hass, callee)) == (
        "idle",
        "idle",
        "idle",
    )
    assert (user, "ringing") not in seen
    assert (phone, "ringing") not in seen
    assert [state for entity_id, state in seen if entity_id == callee] == [
        "ringing",
        "busy",
        "idle",
    ]

    # A call to a number outside the account: the caller is busy while it rings there.
    simulator.kazoo.start_call(device_id=desk, destination="+15555550199", direction="inbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, user) == "busy"

    # Ben's answered demo call ends too.
    for uuid in list(simulator.kazoo.channels):
        simulator.kazoo.hangup(uuid)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, "sensor.ben_carter_call_state") == "idle"
    assert state_of(hass, "sensor.carla_rossi_call_state") == "idle"


async def test_blf_watchers_of_extensions(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A watched park slot's watcher count is its main sensor, enabled, and follows BLF keys."""
    entity_id = "sensor.3101_blf_watchers"

    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == str(_dialog_watchers(simulator, "*3101")) == "3"
    assert state.attributes[ATTR_STATE_CLASS] == "measurement"
    # A count of phones: no unit, which Home Assistant could not put in the plural.
    assert ATTR_UNIT_OF_MEASUREMENT not in state.attributes
    assert state.attributes["friendly_name"] == "*3101 BLF watchers"
    entry = er.async_get(hass).async_get(entity_id)
    assert entry is not None
    assert entry.disabled_by is None
    assert entry.entity_category is None
    assert entry.translation_key == "blf_watchers"

    simulator.kazoo.watch("*3101", "lobby")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, entity_id) == "4"


async def test_blf_watchers_of_users_and_phones_are_diagnostic_and_disabled(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """On users and phones the count is a diagnostic, off until the user enables it."""
    entities = er.async_get(hass)

    for entity_id in (
        "sensor.anna_schmidt_blf_watchers",
        "sensor.anna_schmidt_desk_phone_blf_watchers",
    ):
        entry = entities.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert entry.entity_category is EntityCategory.DIAGNOSTIC
        assert hass.states.get(entity_id) is None
        entities.async_update_entity(entity_id, disabled_by=None)

    assert await hass.config_entries.async_reload(init_kazoo.entry_id)
    await hass.async_block_till_done()

    # Anna's presence id 1001 is on her user and her desk phone.
    expected = _dialog_watchers(simulator, "1001")
    assert expected == 3
    assert state_of(hass, "sensor.anna_schmidt_blf_watchers") == str(expected)
    assert state_of(hass, "sensor.anna_schmidt_desk_phone_blf_watchers") == str(expected)

    simulator.kazoo.watch("1001", "lobby")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, "sensor.anna_schmidt_blf_watchers") == str(expected + 1)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_isymphony_status_sensors(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """Licensed users get status, name, note and return time; unlicensed users none."""
    state = hass.states.get("sensor.david_kim_status")
    assert state is not None
    assert state.state == "xa"
    assert state.attributes[ATTR_DEVICE_CLASS] == "enum"
    assert state.attributes[ATTR_OPTIONS] == STATUS_STATES
    assert state_of(hass, "sensor.david_kim_status_name") == "On vacation"
    assert state_of(hass, "sensor.david_kim_status_note") == "Back on Monday"
    return_time = hass.states.get("sensor.david_kim_return_time")
    assert return_time is not None
    assert return_time.state == "2030-06-10T08:00:00+00:00"
    assert return_time.attributes[ATTR_DEVICE_CLASS] == "timestamp"

    # No return time (-1) is unknown; an empty note stays empty.
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"
    assert state_of(hass, "sensor.anna_schmidt_return_time") == STATE_UNKNOWN
    assert state_of(hass, "sensor.anna_schmidt_status_note") == ""
    assert state_of(hass, "sensor.max_weber_status") == "altred"
    assert state_of(hass, "sensor.max_weber_status_name") == "On air"

    entities = er.async_get(hass)
    for key in ("status", "status_name", "status_note", "return_time"):
        entry = entities.async_get(f"sensor.david_kim_{key}")
        assert entry is not None
        assert entry.unique_id == f"{ISYMPHONY_ID}_panel_user_david_{key}"
        assert entry.translation_key == key
        assert entry.disabled_by is None

    devices = dr.async_get(hass)
    server = devices.async_get_device({(DOMAIN, ISYMPHONY_ID)})
    david = devices.async_get_device({(DOMAIN, f"{ISYMPHONY_ID}_panel_user_david")})
    assert server is not None
    assert david is not None
    assert david.name == "David Kim"
    assert david.model == "Panel user"
    assert david.model_id == "david"  # the panel username, shown after the model
    assert server.configuration_url == f"{simulator.url}/"  # iSymphony's web interface
    assert david.manufacturer == "i9 Technologies"
    assert david.via_device_id == server.id
    # Lukas and "front desk/2" are not licensed: no status or call entities, only whether
    # they are logged into the panel (lite users log in too).
    registered = er.async_entries_for_config_entry(entities, init_isymphony.entry_id)
    # 11 licensed users with 4 status sensors, a call state (each has an extension), an
    # Available, a select and a status change event each; 13 panel logins and the entry's
    # live updates; 2 queues with 3 sensors each.
    assert sorted(e.domain for e in registered) == (
        ["binary_sensor"] * (14 + 11) + ["event"] * 11 + ["select"] * 11 + ["sensor"] * (55 + 6)
    )
    lukas = {
        e.unique_id.removeprefix(f"{ISYMPHONY_ID}_panel_user_lukas_")
        for e in registered
        if e.unique_id.startswith(f"{ISYMPHONY_ID}_panel_user_lukas")
    }
    assert lukas == {"panel_login"}
    # Usernames with odd characters still make entities.
    assert state_of(hass, "sensor.sofia_garcia_status") == "altpurple"
    assert state_of(hass, "sensor.lena_fischer_status") == "altpink"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_isymphony_status_change_is_polled(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A status set in the panel shows on the next poll."""
    back = datetime(2031, 1, 2, 9, 30, tzinfo=UTC)
    simulator.isymphony.set_status(
        "anna",
        name="Dentist",
        type="away",
        note="x" * (MAX_STATE_LENGTH + 20),
        return_time=int(back.timestamp() * 1000),
    )

    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)

    assert state_of(hass, "sensor.anna_schmidt_status") == "away"
    assert state_of(hass, "sensor.anna_schmidt_status_name") == "Dentist"
    # Home Assistant refuses states over 255 characters: a long note is cut, not lost.
    assert state_of(hass, "sensor.anna_schmidt_status_note") == "x" * MAX_STATE_LENGTH
    assert state_of(hass, "sensor.anna_schmidt_return_time") == back.isoformat()

    simulator.isymphony.set_status("anna", name="Back", type="available")
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"
    assert state_of(hass, "sensor.anna_schmidt_return_time") == STATE_UNKNOWN


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_isymphony_license_lost_and_granted(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A user who loses the license goes unavailable; one who gains it gets entities."""
    simulator.isymphony.user("anna")["licensed"] = False
    simulator.isymphony.user("lukas")["licensed"] = True

    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert state_of(hass, "sensor.anna_schmidt_status") == STATE_UNAVAILABLE
    assert state_of(hass, "sensor.anna_schmidt_status_name") == STATE_UNAVAILABLE
    assert state_of(hass, "sensor.carla_rossi_status") == "dnd"
    # Unlicensed users are asked again only after the recheck interval.
    assert hass.states.get("sensor.lukas_novak_status") is None

    await async_poll(hass, freezer, LICENSE_RECHECK_INTERVAL)
    assert state_of(hass, "sensor.lukas_novak_status") == "available"
    assert state_of(hass, "sensor.lukas_novak_status_name") == "Available"


async def test_new_kazoo_presentities_appear_without_reload(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A newly watched park slot shows on the next poll; a new user once the list is read."""
    assert hass.states.get("sensor.3201_blf_watchers") is None

    simulator.kazoo.watch("*3201", "user_1001a")
    simulator.kazoo.watch("*3201", "user_1002a")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert state_of(hass, "sensor.3201_blf_watchers") == "2"
    assert hass.states.get("button.3201_reset_presence") is not None

    user = simulator.kazoo.add_user("nina", "nina-secret", "Nina", "Roth", "1013")
    simulator.kazoo.add_device("Nina Roth desk phone", user["id"], sip_username="user_1013a")
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)
    assert state_of(hass, "sensor.nina_roth_call_state") == "idle"
    assert state_of(hass, "sensor.nina_roth_desk_phone_call_state") == "idle"
    device = dr.async_get(hass).async_get_device(
        {(DOMAIN, f"{simulator.kazoo.account_id}_user_{user['id']}")}
    )
    assert device is not None
    assert device.name == "Nina Roth"


async def test_removed_kazoo_user_leaves_the_registry(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A user deleted on the server loses its device and entities at the next directory read."""
    account = simulator.kazoo.account_id
    user_id = kazoo_user_id(simulator, "jonas")
    device_id = kazoo_device_id(simulator, "Jonas Becker desk phone")
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    assert devices.async_get_device({(DOMAIN, f"{account}_user_{user_id}")}) is not None
    assert entities.async_get("sensor.jonas_becker_call_state") is not None

    del simulator.kazoo.users[user_id]
    del simulator.kazoo.devices[device_id]
    simulator.kazoo.unregister(device_id)
    await async_poll(hass, freezer, DIRECTORY_REFRESH_INTERVAL)

    assert devices.async_get_device({(DOMAIN, f"{account}_user_{user_id}")}) is None
    assert devices.async_get_device({(DOMAIN, f"{account}_phone_{device_id}")}) is None
    assert entities.async_get("sensor.jonas_becker_call_state") is None
    assert entities.async_get("select.jonas_becker_desk_phone_blf_override") is None
    assert hass.states.get("sensor.jonas_becker_call_state") is None
    # Everyone else stays.
    assert state_of(hass, "sensor.ben_carter_call_state") == "busy"


async def test_removed_panel_user_leaves_the_registry(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An iSymphony user deleted on the server disappears at the next poll."""
    devices = dr.async_get(hass)
    assert devices.async_get_device({(DOMAIN, f"{ISYMPHONY_ID}_panel_user_max")}) is not None

    del simulator.isymphony.core_server("default")["users"]["max"]
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)

    assert devices.async_get_device({(DOMAIN, f"{ISYMPHONY_ID}_panel_user_max")}) is None
    assert er.async_get(hass).async_get("sensor.max_weber_status") is None
    assert hass.states.get("sensor.max_weber_status") is None
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"


@pytest.mark.parametrize("path", ["/v2/", "/communication_manager/"])
async def test_sensors_unavailable_while_server_fails(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    path: str,
) -> None:
    """A failing server's sensors go unavailable after a minute, until it answers again."""
    kazoo_sensor = "sensor.ben_carter_call_state"
    panel_sensor = "sensor.carla_rossi_status"
    failing, healthy = (
        (kazoo_sensor, panel_sensor) if path == "/v2/" else (panel_sensor, kazoo_sensor)
    )
    simulator.faults.add("status", status=500, path_contains=path, count=None)

    for _ in range(4):  # up to 45 seconds after the first failed poll: the last known state
        await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
        assert state_of(hass, failing) != STATE_UNAVAILABLE
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert state_of(hass, failing) == STATE_UNAVAILABLE
    assert state_of(hass, healthy) != STATE_UNAVAILABLE

    simulator.faults.clear()
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert state_of(hass, kazoo_sensor) == "busy"
    assert state_of(hass, panel_sensor) == "dnd"
