"""The services, through Home Assistant, against the simulator over loopback HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol
import yaml

from custom_components.pbx_presence.backends.snapshot import (
    STATUS_STATES,
    PresentityKind,
    StatusType,
)
from custom_components.pbx_presence.const import CONF_PERSON_UNLINKS, DOMAIN
from custom_components.pbx_presence.entity import MODEL_NAMES
from simulator import DEMO_CORE_SERVER_ID as ISYMPHONY_ID, Simulator

from .conftest import kazoo_device_id, kazoo_user_id, setup_entry

INTEGRATION_DIR = Path(__file__).parent.parent / "custom_components" / DOMAIN
RESET = "reset_presence"
SET_STATUS = "set_user_status"


# --- helpers ----------------------------------------------------------------------------


def device_for(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry:
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, identifier)})
    assert device is not None, identifier
    return device


def kazoo_device(hass: HomeAssistant, sim: Simulator, key: str) -> dr.DeviceEntry:
    return device_for(hass, f"{sim.kazoo.account_id}_{key}")


def panel_user_device(hass: HomeAssistant, username: str) -> dr.DeviceEntry:
    """The device a panel user's entities are on: the same person's Kazoo one, if merged."""
    status = entity_id_for(hass, "sensor", f"{ISYMPHONY_ID}_panel_user_{username}_status")
    entity = er.async_get(hass).async_get(status)
    assert entity is not None
    device = dr.async_get(hass).async_get(entity.device_id or "")
    assert device is not None
    return device


def entity_id_for(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


def presence_posts(sim: Simulator) -> list[str]:
    return [r.path for r in sim.requests if r.method == "POST" and "presence" in r.path]


def status_posts(sim: Simulator) -> list[str]:
    return [r.path for r in sim.requests if r.method == "POST" and "status/set" in r.path]


async def delicense(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry, username: str
) -> None:
    """Take a user's license away and poll, so Home Assistant knows (its device stays)."""
    sim.isymphony.user(username)["licensed"] = False
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    assert entry.runtime_data.data.presentities[f"panel_user_{username}"].licensed is False


@pytest.fixture
async def kazoo_ready(
    hass: HomeAssistant, simulator: Simulator, kazoo_entry: MockConfigEntry
) -> MockConfigEntry:
    await setup_entry(hass, kazoo_entry)
    assert kazoo_entry.state is ConfigEntryState.LOADED
    return kazoo_entry


@pytest.fixture
async def isymphony_ready(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> MockConfigEntry:
    """The iSymphony entry, its people kept apart from Kazoo's.

    These tests are about targets of one server kind or the other; the services on one
    person's merged device are tested in test_persons.py.
    """
    everyone = list(simulator.isymphony.core_servers["default"]["users"])
    hass.config_entries.async_update_entry(isymphony_entry, options={CONF_PERSON_UNLINKS: everyone})
    await setup_entry(hass, isymphony_entry)
    assert isymphony_entry.state is ConfigEntryState.LOADED
    return isymphony_entry


async def reset(hass: HomeAssistant, **data: Any) -> None:
    await hass.services.async_call(DOMAIN, RESET, data, blocking=True)


async def set_status(hass: HomeAssistant, **data: Any) -> None:
    await hass.services.async_call(DOMAIN, SET_STATUS, data, blocking=True)


# --- reset_presence: what reaches the server ------------------------------------------------


async def test_reset_user_device(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    anna = kazoo_user_id(simulator, "anna")
    device = kazoo_device(hass, simulator, f"user_{anna}")

    await reset(hass, device_id=device.id)

    assert simulator.kazoo.presence_actions == [
        {"target": "user", "id": anna, "action": "reset", "state": None, "presence_ids": ["1001"]}
    ]


async def test_reset_phone_device(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    desk = kazoo_device_id(simulator, "Carla Rossi desk phone")
    device = kazoo_device(hass, simulator, f"phone_{desk}")

    await reset(hass, device_id=[device.id])

    assert simulator.kazoo.presence_actions == [
        {"target": "device", "id": desk, "action": "reset", "state": None, "presence_ids": ["1003"]}
    ]


async def test_reset_extension_device(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    device = kazoo_device(hass, simulator, "extension_*3101")

    await reset(hass, device_id=device.id)

    assert simulator.kazoo.presence_actions == [
        {
            "target": "extension",
            "id": "*3101",
            "action": "reset",
            "state": None,
            "presence_ids": ["*3101"],
        }
    ]


async def test_reset_by_entity(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """Any entity of a presentity's device targets that presentity."""
    felix = kazoo_user_id(simulator, "felix")
    device = kazoo_device(hass, simulator, f"user_{felix}")
    entities = er.async_entries_for_device(er.async_get(hass), device.id)
    assert entities

    await reset(hass, entity_id=entities[0].entity_id)

    assert [(a["target"], a["id"]) for a in simulator.kazoo.presence_actions] == [("user", felix)]


async def test_reset_several_targets_once_each(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """A device named twice (directly and through its entity) is reset once."""
    anna, carla = kazoo_user_id(simulator, "anna"), kazoo_user_id(simulator, "carla")
    anna_device = kazoo_device(hass, simulator, f"user_{anna}")
    carla_device = kazoo_device(hass, simulator, f"user_{carla}")
    anna_entity = er.async_entries_for_device(er.async_get(hass), anna_device.id)[0]

    await reset(hass, device_id=[anna_device.id, carla_device.id], entity_id=anna_entity.entity_id)

    actions = simulator.kazoo.presence_actions
    assert sorted((a["target"], a["id"]) for a in actions) == sorted(
        [("user", anna), ("user", carla)]
    )


async def test_reset_area_picks_only_kazoo_presentities(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_ready: MockConfigEntry,
    isymphony_ready: MockConfigEntry,
) -> None:
    """An area's iSymphony users and server devices are skipped, not refused."""
    area = ar.async_get(hass).async_create("Anna's office")
    registry = dr.async_get(hass)
    anna = kazoo_user_id(simulator, "anna")
    for device in (
        kazoo_device(hass, simulator, f"user_{anna}"),
        device_for(hass, simulator.kazoo.account_id),
        panel_user_device(hass, "anna"),
    ):
        registry.async_update_device(device.id, area_id=area.id)

    await reset(hass, area_id=area.id)

    assert [(a["target"], a["id"]) for a in simulator.kazoo.presence_actions] == [("user", anna)]
    assert status_posts(simulator) == []


async def test_reset_raw_extension(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """An extension without a device in Home Assistant, addressed by entry."""
    await reset(hass, extension=" *3199 ", config_entry_id=kazoo_ready.entry_id)

    assert simulator.kazoo.presence_actions == [
        {
            "target": "extension",
            "id": "*3199",
            "action": "reset",
            "state": None,
            "presence_ids": ["*3199"],
        }
    ]


async def test_reset_raw_extension_with_targets(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """Targets and a raw extension together; the same extension is not reset twice."""
    slot = kazoo_device(hass, simulator, "extension_*3102")
    ben = kazoo_user_id(simulator, "ben")
    ben_device = kazoo_device(hass, simulator, f"user_{ben}")

    await reset(
        hass,
        device_id=[slot.id, ben_device.id],
        extension="*3102",
        config_entry_id=kazoo_ready.entry_id,
    )

    assert sorted((a["target"], a["id"]) for a in simulator.kazoo.presence_actions) == [
        ("extension", "*3102"),
        ("user", ben),
    ]


async def test_reset_cooldown(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """A second reset within the cooldown is refused before it reaches the server."""
    slot = kazoo_device(hass, simulator, "extension_*3101")
    await reset(hass, device_id=slot.id)

    with pytest.raises(HomeAssistantError) as err:
        await reset(hass, device_id=slot.id)
    assert err.value.translation_key == "reset_cooldown"
    assert err.value.translation_placeholders == {"name": "*3101", "seconds": "30"}
    assert "*3101 was reset less than 30 seconds ago" in str(err.value)

    # The raw extension shares the cooldown of its presentity.
    with pytest.raises(HomeAssistantError) as err:
        await reset(hass, extension="*3101", config_entry_id=kazoo_ready.entry_id)
    assert err.value.translation_key == "reset_cooldown"
    assert len(simulator.kazoo.presence_actions) == 1


async def test_reset_cooldown_does_not_block_other_targets(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """One target in its cooldown does not stop the others; the call still fails."""
    slot1 = kazoo_device(hass, simulator, "extension_*3101")
    slot2 = kazoo_device(hass, simulator, "extension_*3102")
    await reset(hass, device_id=slot1.id)

    with pytest.raises(HomeAssistantError) as err:
        await reset(hass, device_id=[slot1.id, slot2.id])
    assert err.value.translation_key == "reset_cooldown"
    assert [a["id"] for a in simulator.kazoo.presence_actions] == ["*3101", "*3102"]


@pytest.mark.parametrize("by", ["device", "extension"])
async def test_parallel_resets_send_one(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry, by: str
) -> None:
    """Five calls at once on one presentity (or raw extension): one reset, four refused."""
    simulator.faults.latency = 0.2  # the requests overlap for sure
    slot = kazoo_device(hass, simulator, "extension_*3102")
    data: dict[str, Any] = (
        {"device_id": slot.id}
        if by == "device"
        else {"extension": "*3102", "config_entry_id": kazoo_ready.entry_id}
    )

    results = await asyncio.gather(*(reset(hass, **data) for _ in range(5)), return_exceptions=True)

    refused = [r for r in results if isinstance(r, HomeAssistantError)]
    assert len(refused) == 4
    assert {r.translation_key for r in refused} == {"reset_cooldown"}
    assert results.count(None) == 1
    assert len(simulator.kazoo.presence_actions) == 1


async def test_parallel_resets_after_a_failure_may_retry(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """A reset refused by the server gives its slot back, even while another waits."""
    slot = kazoo_device(hass, simulator, "extension_*3102")
    simulator.faults.add("status", status=500, path_contains="/presence/")

    with pytest.raises(HomeAssistantError) as err:
        await reset(hass, device_id=slot.id)
    assert err.value.translation_key == "unknown"

    await reset(hass, device_id=slot.id)
    assert len(simulator.kazoo.presence_actions) == 1
    with pytest.raises(HomeAssistantError) as err:
        await reset(hass, device_id=slot.id)
    assert err.value.translation_key == "reset_cooldown"


async def test_reset_server_not_found(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """A 404 from the server becomes a translated error naming the cause."""
    anna = kazoo_user_id(simulator, "anna")
    device = kazoo_device(hass, simulator, f"user_{anna}")
    del simulator.kazoo.users[anna]

    with pytest.raises(HomeAssistantError) as err:
        await reset(hass, device_id=device.id)
    assert err.value.translation_key == "not_found"
    assert "does not know this user" in str(err.value)
    assert simulator.kazoo.presence_actions == []


async def test_reset_server_nothing_to_send(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """A user whose phones went since the directory was read: the server's no-op is surfaced."""
    felix = kazoo_user_id(simulator, "felix")
    device = kazoo_device(hass, simulator, f"user_{felix}")
    for phone in simulator.kazoo.owned_devices(felix):
        del simulator.kazoo.devices[phone["id"]]

    with pytest.raises(HomeAssistantError) as err:
        await reset(hass, device_id=device.id)
    assert err.value.translation_key == "nothing_to_send"
    assert simulator.kazoo.presence_actions[-1]["presence_ids"] == []


async def test_reset_user_without_any_presence_id_refused(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """Kazoo would answer "command sent" and do nothing: refused before anything is sent."""
    lukas = kazoo_device(hass, simulator, f"user_{kazoo_user_id(simulator, 'lukas')}")
    err = await assert_reset_refused(hass, simulator, "no_presence_id", device_id=lukas.id)
    assert err.translation_placeholders == {"name": "Lukas Novak"}


# --- reset_presence: validation before any request ------------------------------------------


async def assert_reset_refused(
    hass: HomeAssistant, sim: Simulator, key: str, **data: Any
) -> ServiceValidationError:
    posts_before = presence_posts(sim)
    with pytest.raises(ServiceValidationError) as err:
        await reset(hass, **data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert sim.kazoo.presence_actions == []
    assert presence_posts(sim) == posts_before
    return err.value


async def test_reset_no_target(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    err = await assert_reset_refused(hass, simulator, "no_target")
    assert "Choose at least one target" in str(err)


async def test_reset_extension_needs_entry_and_back(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    err = await assert_reset_refused(hass, simulator, "extension_without_entry", extension="*3101")
    assert err.translation_placeholders == {"extension": "*3101"}
    await assert_reset_refused(
        hass, simulator, "entry_without_extension", config_entry_id=kazoo_ready.entry_id
    )


async def test_reset_empty_extension_is_invalid(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    await assert_reset_refused(
        hass, simulator, "invalid_extension", extension="  ", config_entry_id=kazoo_ready.entry_id
    )
    with pytest.raises(ServiceValidationError) as err:
        await reset(hass, extension="*3101", config_entry_id="")
    assert err.value.translation_key == "entry_not_found"
    assert simulator.kazoo.presence_actions == []


@pytest.mark.parametrize(
    "extension",
    [
        "*",  # Kamailio's wildcard: every lamp of the account
        "**",
        "*#",
        ".",
        "..",
        "../3101",
        "31/01",
        "31\\01",
        "3101'",
        '"3101"',
        "31%",
        "%2A",
        "31 01",
        "31\t01",
        "3101\x00",
        "31\n01",
        "\x1b[2J",
        "3*101",
        "31+01",
        "-3101",
        "3101.",
        "31..01",
        "31__01",
        "#",
        "x" * 33,
        "3" * 100_000,
        "3101;DROP",
        "３１０１",  # fullwidth digits  # noqa: RUF001
    ],
)
async def test_reset_refuses_what_is_not_an_extension(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry, extension: str
) -> None:
    """Nothing reaches the server for a wildcard, a dot segment or a non-extension."""
    requests_before = len(simulator.requests)

    err = await assert_reset_refused(
        hass,
        simulator,
        "invalid_extension",
        extension=extension,
        config_entry_id=kazoo_ready.entry_id,
    )

    assert simulator.requests[requests_before:] == []
    shown = err.translation_placeholders["extension"]
    assert len(shown) < 160
    assert shown.isprintable()
    assert "every lamp" in str(err)


@pytest.mark.parametrize(
    "extension",
    ["3101", "*3101", "**7", "+4930123456", "park-1", "lobby_phone", "1.2", "*72#", "x" * 32],
)
async def test_reset_accepts_real_extensions(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry, extension: str
) -> None:
    await reset(hass, extension=extension, config_entry_id=kazoo_ready.entry_id)

    (action,) = simulator.kazoo.presence_actions
    assert (action["target"], action["id"]) == ("extension", extension)
    assert action["presence_ids"] == [extension.lower()]


async def test_reset_unknown_entry(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    other = MockConfigEntry(domain="other_domain")
    other.add_to_hass(hass)
    for entry_id in ("no-such-entry", other.entry_id):
        err = await assert_reset_refused(
            hass, simulator, "entry_not_found", extension="*3101", config_entry_id=entry_id
        )
        assert err.translation_placeholders == {"entry_id": entry_id}


async def test_reset_extension_of_isymphony_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_ready: MockConfigEntry,
    isymphony_ready: MockConfigEntry,
) -> None:
    err = await assert_reset_refused(
        hass,
        simulator,
        "entry_not_flex_uc",
        extension="*3101",
        config_entry_id=isymphony_ready.entry_id,
    )
    assert "iSymphony default is not a Flex UC / Kazoo server" in str(err)


async def test_reset_isymphony_user_refused(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_ready: MockConfigEntry,
    isymphony_ready: MockConfigEntry,
) -> None:
    """An iSymphony user named as a target is refused, and nothing else is reset."""
    anna = kazoo_user_id(simulator, "anna")
    err = await assert_reset_refused(
        hass,
        simulator,
        "not_presence_target",
        device_id=[kazoo_device(hass, simulator, f"user_{anna}").id],
        entity_id=entity_id_for(hass, "sensor", f"{ISYMPHONY_ID}_panel_user_anna_status"),
    )
    assert err.translation_placeholders == {"name": "Anna Schmidt"}


async def test_reset_server_device_refused(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    server = device_for(hass, simulator.kazoo.account_id)
    err = await assert_reset_refused(hass, simulator, "not_presence_target", device_id=server.id)
    assert err.translation_placeholders == {"name": "acme"}


async def test_reset_foreign_targets_refused(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """Devices and entities of other integrations, and unknown ids, are refused."""
    other = MockConfigEntry(domain="other_domain")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other_domain", "x")}, name="Lamp"
    )
    err = await assert_reset_refused(hass, simulator, "not_pbx_target", device_id=foreign.id)
    assert err.translation_placeholders == {"target": "Lamp"}
    await assert_reset_refused(hass, simulator, "not_pbx_target", device_id="no-such-device")
    err = await assert_reset_refused(hass, simulator, "not_pbx_target", entity_id="light.somewhere")
    assert "light.somewhere is not a device or entity of PBX Presence" in str(err)


async def test_reset_phone_without_presence_id_refused(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """A phone the server would silently ignore is refused before anything is sent."""
    ben_desk = kazoo_device(
        hass, simulator, f"phone_{kazoo_device_id(simulator, 'Ben Carter desk phone')}"
    )
    anna = kazoo_device(hass, simulator, f"user_{kazoo_user_id(simulator, 'anna')}")
    err = await assert_reset_refused(
        hass, simulator, "no_presence_id", device_id=[anna.id, ben_desk.id]
    )
    assert err.translation_placeholders == {"name": "Ben Carter desk phone"}


async def test_reset_area_without_presentities(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_ready: MockConfigEntry,
    isymphony_ready: MockConfigEntry,
) -> None:
    area = ar.async_get(hass).async_create("Reception")
    dr.async_get(hass).async_update_device(panel_user_device(hass, "anna").id, area_id=area.id)
    await assert_reset_refused(hass, simulator, "no_presence_targets", area_id=area.id)


async def test_reset_entry_not_loaded(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    device = kazoo_device(hass, simulator, "extension_*3101")
    assert await hass.config_entries.async_unload(kazoo_ready.entry_id)
    await hass.async_block_till_done()

    err = await assert_reset_refused(hass, simulator, "entry_not_loaded", device_id=device.id)
    assert err.translation_placeholders == {"entry": "acme"}
    await assert_reset_refused(
        hass,
        simulator,
        "entry_not_loaded",
        extension="*3101",
        config_entry_id=kazoo_ready.entry_id,
    )


async def test_reset_stale_device_refused(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """A device whose presentity left the snapshot (but is still attached) is refused."""
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=kazoo_ready.entry_id,
        identifiers={(DOMAIN, f"{simulator.kazoo.account_id}_extension_gone")},
        name="Gone",
    )
    await assert_reset_refused(hass, simulator, "presentity_gone", device_id=device.id)


# --- set_user_status ---------------------------------------------------------------------


async def test_set_status_by_entity_with_every_field(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    """Every field reaches the server, and the state changes without another poll."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    status_sensor = entity_id_for(hass, "sensor", f"{ISYMPHONY_ID}_panel_user_anna_status")
    assert hass.states.get(status_sensor).state == "available"
    requests_before = len(simulator.requests)
    back = (dt_util.now() + timedelta(days=30)).replace(hour=14, minute=0, second=0, microsecond=0)

    await set_status(
        hass,
        entity_id=status_sensor,
        type="dnd",
        name="Dentist",
        note="Back at two",
        return_time=back.strftime("%Y-%m-%d %H:%M:%S"),  # naive: Home Assistant's time zone
    )

    status = simulator.isymphony.status_of("anna")
    assert status["type"] == "dnd"
    assert status["name"] == "Dentist"
    assert status["note"] == "Back at two"
    assert status["returnTime"] == int(back.timestamp() * 1000)
    assert hass.states.get(status_sensor).state == "dnd"
    new_requests = [(r.method, r.path) for r in simulator.requests[requests_before:]]
    # One write and one read-back of this user; no poll of the user list.
    assert [method for method, _ in new_requests] == ["POST", "GET"]
    assert new_requests[0][1].endswith("/users/getByName/anna/status/set")
    assert new_requests[1][1].endswith("/users/getByName/anna/status")
    presentity = isymphony_ready.runtime_data.data.presentities["panel_user_anna"]
    assert presentity.status is not None
    assert presentity.status.return_time == dt_util.as_utc(back)


async def test_set_status_by_device_type_only(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    """Only the type: an admin-defined status of that type names it; no note or return."""
    await set_status(hass, device_id=panel_user_device(hass, "david").id, type="DND")

    status = simulator.isymphony.status_of("david")
    assert status["type"] == "dnd"
    assert status["name"] == "In a meeting"  # the demo's predefined dnd status
    assert status["userCreated"] is False
    assert status["note"] == ""
    assert status["returnTime"] == -1
    assert (
        hass.states.get(
            entity_id_for(hass, "sensor", f"{ISYMPHONY_ID}_panel_user_david_status")
        ).state
        == "dnd"
    )


async def test_set_status_aware_return_time(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    back = datetime.now(UTC).replace(microsecond=0) + timedelta(days=200)
    await set_status(
        hass,
        device_id=panel_user_device(hass, "ben").id,
        type=StatusType.AWAY,
        return_time=back,
    )
    status = simulator.isymphony.status_of("ben")
    assert status["type"] == "away"
    assert status["returnTime"] == int(back.timestamp() * 1000)


async def test_set_status_several_users_and_area(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_ready: MockConfigEntry,
    isymphony_ready: MockConfigEntry,
) -> None:
    """An area with Kazoo, unlicensed and licensed users: only the licensed are set."""
    area = ar.async_get(hass).async_create("Office")
    registry = dr.async_get(hass)
    anna = kazoo_user_id(simulator, "anna")
    await delicense(hass, simulator, isymphony_ready, "jonas")
    for device in (
        panel_user_device(hass, "emma"),
        panel_user_device(hass, "jonas"),  # unlicensed: skipped when only in the area
        kazoo_device(hass, simulator, f"user_{anna}"),
    ):
        registry.async_update_device(device.id, area_id=area.id)
    other = MockConfigEntry(domain="other_domain")
    other.add_to_hass(hass)
    er.async_get(hass).async_get_or_create("light", "other_domain", "lamp", config_entry=other)
    lamp = er.async_get(hass).async_get_entity_id("light", "other_domain", "lamp")
    assert lamp is not None
    er.async_get(hass).async_update_entity(lamp, area_id=area.id)

    await set_status(
        hass, area_id=area.id, device_id=panel_user_device(hass, "max").id, type="altgreen"
    )

    assert simulator.isymphony.status_of("emma")["type"] == "altgreen"
    assert simulator.isymphony.status_of("max")["type"] == "altgreen"
    assert simulator.isymphony.status_of("jonas")["type"] == "unavailable"
    assert len(status_posts(simulator)) == 2
    assert simulator.kazoo.presence_actions == []


async def test_set_status_unknown_or_missing_type(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    device = panel_user_device(hass, "anna")
    with pytest.raises(vol.Invalid):
        await set_status(hass, device_id=device.id, type="busy")
    # No type: only the name of an admin-defined status seen would do.
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, device_id=device.id)
    assert err.value.translation_key == "status_type_missing"
    with pytest.raises(vol.Invalid):
        await set_status(hass, device_id=device.id, type="dnd", return_time="not a time")
    assert status_posts(simulator) == []


async def assert_status_refused(
    hass: HomeAssistant, sim: Simulator, key: str, **data: Any
) -> ServiceValidationError:
    with pytest.raises(ServiceValidationError) as err:
        await set_status(hass, type="dnd", **data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert status_posts(sim) == []
    return err.value


async def test_set_status_validation(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_ready: MockConfigEntry,
    isymphony_ready: MockConfigEntry,
) -> None:
    """Every refusal happens before any request, even with valid targets alongside."""
    anna = panel_user_device(hass, "anna")
    await assert_status_refused(hass, simulator, "no_target")
    await delicense(hass, simulator, isymphony_ready, "hannah")
    err = await assert_status_refused(
        hass,
        simulator,
        "user_not_licensed",
        device_id=[anna.id, panel_user_device(hass, "hannah").id],
    )
    assert err.translation_placeholders == {"name": "Hannah Müller"}
    assert "Hannah Müller has no iSymphony license" in str(err)
    kazoo_user = kazoo_device(hass, simulator, f"user_{kazoo_user_id(simulator, 'ben')}")
    err = await assert_status_refused(
        hass, simulator, "not_status_target", device_id=[anna.id, kazoo_user.id]
    )
    assert err.translation_placeholders == {"name": "Ben Carter"}
    await assert_status_refused(
        hass, simulator, "not_status_target", device_id=device_for(hass, ISYMPHONY_ID).id
    )
    await assert_status_refused(hass, simulator, "not_pbx_target", entity_id="sensor.elsewhere")
    empty = ar.async_get(hass).async_create("Empty")
    await assert_status_refused(hass, simulator, "no_status_targets", area_id=empty.id)
    assert simulator.isymphony.status_of("anna")["type"] == "available"


# Etc/GMT-14 is UTC+14 and Etc/GMT+12 UTC-12: years 1 and 9999 then leave the calendar in UTC.
@pytest.mark.parametrize(
    ("data", "key", "time_zone"),
    [
        ({"return_time": "1900-01-01 00:00:00"}, "return_time_in_past", "Europe/Berlin"),
        ({"return_time": "1970-01-01 00:00:00"}, "return_time_in_past", "UTC"),
        ({"return_time": "0001-01-01 00:00:00"}, "return_time_in_past", "Etc/GMT-14"),
        ({"return_time": "9999-12-31 23:59:00"}, "return_time_too_far", "Etc/GMT+12"),
        ({"return_time": "9999-12-31 23:59:00"}, "return_time_too_far", "Etc/GMT-14"),
        (
            {"return_time": datetime(9999, 12, 31, 23, 59, tzinfo=UTC)},
            "return_time_too_far",
            "UTC",
        ),
        ({"name": "N" * 65}, "status_name_too_long", "UTC"),
        ({"note": "n" * 256}, "status_note_too_long", "UTC"),
        ({"note": "n" * 100_000}, "status_note_too_long", "UTC"),
    ],
)
async def test_set_status_refuses_absurd_values(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_ready: MockConfigEntry,
    data: dict[str, Any],
    key: str,
    time_zone: str,
) -> None:
    """Nothing reaches the server for a return time long past or far ahead, or a huge text."""
    await hass.config.async_set_time_zone(time_zone)
    device = panel_user_device(hass, "anna")
    requests_before = len(simulator.requests)

    err = await assert_status_refused(hass, simulator, key, device_id=device.id, **data)

    assert simulator.requests[requests_before:] == []
    assert simulator.isymphony.status_of("anna")["type"] == "available"
    assert len(str(err)) < 200


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"name": "a\x00b\x07c\x1b[31m"}, "status_name_control"),
        ({"name": "line1\nline2"}, "status_name_control"),
        ({"name": "tab\there"}, "status_name_control"),
        ({"name": "sep\u2028arated"}, "status_name_control"),
        ({"name": "    "}, "status_name_blank"),
        ({"name": " \t "}, "status_name_blank"),
        ({"note": "\x00\x01\x02"}, "status_note_control"),
        ({"note": "first line\nsecond line"}, "status_note_control"),
        ({"note": "delete\x7f"}, "status_note_control"),
    ],
)
async def test_set_status_refuses_control_characters_and_blank_names(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_ready: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """A panel box shows one line of text: nothing else reaches the server."""
    device = panel_user_device(hass, "anna")
    requests_before = len(simulator.requests)

    err = await assert_status_refused(hass, simulator, key, device_id=device.id, **data)

    assert simulator.requests[requests_before:] == []
    assert simulator.isymphony.status_of("anna")["type"] == "available"
    assert "\n" not in str(err)
    assert "\x00" not in str(err)


async def test_set_status_accepts_what_the_status_sensor_shows(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    """`not_available` (the sensor's state) and `unavailable` (iSymphony's name) both work."""
    status_sensor = entity_id_for(hass, "sensor", f"{ISYMPHONY_ID}_panel_user_anna_status")

    await set_status(hass, entity_id=status_sensor, type="not_available", name="Sick")
    assert simulator.isymphony.status_of("anna")["type"] == "unavailable"
    assert hass.states.get(status_sensor).state == "not_available"

    await set_status(hass, entity_id=status_sensor, type="available")
    await set_status(hass, entity_id=status_sensor, type="Unavailable", name="Off")
    assert simulator.isymphony.status_of("anna")["type"] == "unavailable"
    assert simulator.isymphony.status_of("anna")["name"] == "Off"

    # A saved state put back as it was read.
    await set_status(hass, entity_id=status_sensor, type=hass.states.get(status_sensor).state)
    assert simulator.isymphony.status_of("anna")["type"] == "unavailable"


async def test_set_status_return_time_limits(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_ready: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A minute of grace before now, up to a year ahead; naive times are local."""
    await hass.config.async_set_time_zone("America/New_York")
    freezer.move_to("2026-03-01 12:00:00+00:00")  # 07:00 in New York
    device = panel_user_device(hass, "anna")

    # 06:58 New York is 11:58 UTC: past the grace; a year and a minute is too far.
    err = await assert_status_refused(
        hass, simulator, "return_time_in_past", device_id=device.id, return_time="2026-03-01 06:58"
    )
    assert err.translation_placeholders == {"return_time": "2026-03-01 06:58"}
    assert "2026-03-01 06:58 is in the past" in str(err)
    await assert_status_refused(
        hass,
        simulator,
        "return_time_too_far",
        device_id=device.id,
        return_time="2027-03-01 07:01",
    )

    for accepted in ("2026-03-01 06:59:30", "2027-03-01 07:00:00"):
        await set_status(hass, device_id=device.id, type="away", return_time=accepted)
    assert simulator.isymphony.status_of("anna")["returnTime"] == int(
        datetime(2027, 3, 1, 12, 0, tzinfo=UTC).timestamp() * 1000
    )
    await set_status(hass, device_id=device.id, type="away", name="N" * 64, note="n" * 255)
    assert simulator.isymphony.status_of("anna")["note"] == "n" * 255


async def test_set_status_entry_not_loaded(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    device = panel_user_device(hass, "anna")
    assert await hass.config_entries.async_unload(isymphony_ready.entry_id)
    await hass.async_block_till_done()
    err = await assert_status_refused(hass, simulator, "entry_not_loaded", device_id=device.id)
    assert "iSymphony default is not loaded" in str(err)


async def test_set_status_server_refuses_unlicensed(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    """A license lost since the last poll: the server's 403 is a translated error."""
    simulator.isymphony.user("anna")["licensed"] = False

    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, device_id=panel_user_device(hass, "anna").id, type="away")
    assert err.value.translation_key == "not_licensed"
    assert "has no license" in str(err.value)
    assert len(status_posts(simulator)) == 1
    assert simulator.isymphony.status_of("anna")["type"] == "available"


async def test_set_status_server_rejects(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    """A 422 names the server's reason; the state stays as it was."""
    sensor = entity_id_for(hass, "sensor", f"{ISYMPHONY_ID}_panel_user_carla_status")
    simulator.faults.add("status", status=422, path_contains="status/set")

    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, entity_id=sensor, type="away", note="x")
    assert err.value.translation_key == "rejected"
    assert err.value.translation_placeholders is not None
    assert "Unprocessable" in err.value.translation_placeholders["reason"]
    assert "The server rejected the request" in str(err.value)
    assert simulator.isymphony.status_of("carla")["type"] == "dnd"
    assert hass.states.get(sensor).state == "dnd"


async def test_set_status_server_not_found(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    """A user removed on the server since the last poll: 404 is a translated error."""
    device = panel_user_device(hass, "emma")
    del simulator.isymphony.core_server("default")["users"]["emma"]

    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, device_id=device.id, type="away")
    assert err.value.translation_key == "not_found"


async def test_set_status_says_whether_the_server_did_not_answer_or_was_unreachable(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("custom_components.pbx_presence.backends.REQUEST_TIMEOUT", 0.2)
    await setup_entry(hass, isymphony_entry)
    device = panel_user_device(hass, "emma")
    simulator.faults.add("hang", path_contains="/status/set")

    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, device_id=device.id, type="away")
    assert err.value.translation_key == "timeout_connect"

    await simulator.stop()
    with pytest.raises(HomeAssistantError) as err:
        await set_status(hass, device_id=device.id, type="away")
    assert err.value.translation_key == "cannot_connect"


async def test_set_status_one_failure_does_not_stop_others(
    hass: HomeAssistant, simulator: Simulator, isymphony_ready: MockConfigEntry
) -> None:
    simulator.isymphony.user("anna")["licensed"] = False
    with pytest.raises(HomeAssistantError) as err:
        await set_status(
            hass,
            device_id=[panel_user_device(hass, "anna").id, panel_user_device(hass, "felix").id],
            type="altred",
        )
    assert err.value.translation_key == "not_licensed"
    assert simulator.isymphony.status_of("felix")["type"] == "altred"


# --- descriptions ------------------------------------------------------------------------


async def test_services_described_and_translated(
    hass: HomeAssistant, simulator: Simulator, kazoo_ready: MockConfigEntry
) -> None:
    """services.yaml parses, and every service and field has a name and description."""
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    assert set(descriptions) == {RESET, SET_STATUS, "call"}
    services_yaml = yaml.safe_load((INTEGRATION_DIR / "services.yaml").read_text())
    translations = yaml.safe_load((INTEGRATION_DIR / "translations" / "en.json").read_text())
    for service, spec in services_yaml.items():
        text = translations["services"][service]
        assert text["name"]
        assert text["description"]
        assert set(spec["fields"]) == set(text["fields"])
        for field in spec["fields"]:
            assert text["fields"][field]["name"]
            assert text["fields"][field]["description"]
    options = services_yaml[SET_STATUS]["fields"]["type"]["selector"]["select"]["options"]
    # The selector offers what the Status sensor and select show.
    assert options == STATUS_STATES
    assert set(translations["selector"]["status_type"]["options"]) == set(options)
    # The device filter must name the model the entities give panel users' devices.
    device_filter = services_yaml[SET_STATUS]["target"]["device"][0]
    assert device_filter["model"] == MODEL_NAMES[PresentityKind.PANEL_USER]


async def test_services_registered_without_entries(hass: HomeAssistant) -> None:
    """The services exist once the integration is set up, before any entry loads."""
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    assert await async_setup_component(hass, DOMAIN, {})
    assert hass.services.has_service(DOMAIN, RESET)
    assert hass.services.has_service(DOMAIN, SET_STATUS)
    with pytest.raises(ServiceValidationError) as err:
        await reset(hass, extension="*3101", config_entry_id="missing")
    assert err.value.translation_key == "entry_not_found"
