"""The blueprints in `blueprints/`: valid for Home Assistant, and doing what they say."""

from __future__ import annotations

import json
from pathlib import Path
import shutil
from typing import Any
from urllib.parse import quote

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item,
)
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)
import yaml

from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from custom_components.pbx_presence.const import DOMAIN
from simulator import Simulator

from .conftest import STATUS_TYPES, async_poll, kazoo_device_id, setup_entry, state_of

ROOT = Path(__file__).parent.parent
BLUEPRINTS = ROOT / "blueprints" / "automation" / DOMAIN
FILES = sorted(BLUEPRINTS.glob("*.yaml"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPOSITORY = json.loads(
    (ROOT / "custom_components" / DOMAIN / "manifest.json").read_text(encoding="utf-8")
)["documentation"]


def _selectors(blueprint: Blueprint) -> dict[str, dict[str, Any]]:
    return {name: spec["selector"] for name, spec in blueprint.inputs.items()}


def test_there_are_three_blueprints() -> None:
    assert [path.name for path in FILES] == [
        "dnd_calendar_door.yaml",
        "notify_status_available.yaml",
        "on_air_light.yaml",
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_blueprint_is_valid_and_documented(path: Path) -> None:
    """Each loads with Home Assistant's schema, links back here, and the README imports it."""
    blueprint = Blueprint(
        load_yaml_dict(path),
        path=str(path),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.domain == "automation"
    relative = path.relative_to(ROOT).as_posix()
    assert blueprint.metadata["source_url"] == f"{REPOSITORY}/blob/main/{relative}"
    # The PBX entity inputs offer only this integration's entities.
    pbx_inputs = [
        selector["entity"]
        for selector in _selectors(blueprint).values()
        if "entity" in selector
        and any(f.get("integration") == DOMAIN for f in selector["entity"]["filter"])
    ]
    assert pbx_inputs, path.name
    for selector in _selectors(blueprint).values():
        if options := selector.get("select", {}).get("options"):
            assert [option["value"] for option in options] == STATUS_TYPES
    # The README's "import" button for it.
    raw = f"https://raw.githubusercontent.com/pbx-presence/pbx-presence/main/{relative}"
    import_link = "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url="
    assert import_link + quote(raw, safe="") in README


@pytest.fixture
def blueprint_config(hass: HomeAssistant, tmp_path: Path) -> None:
    """A configuration directory holding the repository's blueprints."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / DOMAIN)


async def _use(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    config = {"use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs}}
    assert await async_setup_component(hass, automation.DOMAIN, {automation.DOMAIN: config})
    await hass.async_block_till_done()
    assert state_of(hass, next(iter(hass.states.async_entity_ids(automation.DOMAIN)))) == "on"


@pytest.mark.usefixtures("blueprint_config")
async def test_on_air_light(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The light goes on when Anna answers a call and off when it ends, not while ringing."""
    turn_on = async_mock_service(hass, "light", "turn_on")
    turn_off = async_mock_service(hass, "light", "turn_off")
    await _use(
        hass,
        "on_air_light.yaml",
        {"call_state": "sensor.anna_schmidt_call_state", "light": {"entity_id": "light.on_air"}},
    )
    desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    call = simulator.kazoo.start_call(device_id=desk, direction="outbound")
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert (len(turn_on), len(turn_off)) == (0, 1)

    simulator.kazoo.answer(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert len(turn_on) == 1
    assert turn_on[0].data["entity_id"] == ["light.on_air"]

    simulator.kazoo.hangup(call)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    assert (len(turn_on), len(turn_off)) == (1, 2)


@pytest.mark.usefixtures("blueprint_config")
async def test_dnd_during_calendar_events_or_a_closed_door(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """A calendar event or a closed door sets DND; once neither holds, available again."""
    hass.states.async_set("calendar.work", "off")
    hass.states.async_set("binary_sensor.office_door", "on")
    await _use(
        hass,
        "dnd_calendar_door.yaml",
        {
            "status": "sensor.anna_schmidt_status",
            "calendars": ["calendar.work"],
            "doors": ["binary_sensor.office_door"],
        },
    )

    def status() -> str:
        return str(simulator.isymphony.status_of("anna")["type"])

    hass.states.async_set("calendar.work", "on")
    await hass.async_block_till_done()
    assert status() == "dnd"
    assert state_of(hass, "sensor.anna_schmidt_status") == "dnd"

    hass.states.async_set("binary_sensor.office_door", "off")  # closed
    hass.states.async_set("calendar.work", "off")
    await hass.async_block_till_done()
    assert status() == "dnd"

    hass.states.async_set("binary_sensor.office_door", "on")
    await hass.async_block_till_done()
    assert status() == "available"

    # A status chosen by hand while busy is not overwritten when the door opens.
    hass.states.async_set("binary_sensor.office_door", "off")
    await hass.async_block_till_done()
    assert status() == "dnd"
    await hass.services.async_call(
        DOMAIN,
        "set_user_status",
        {"entity_id": "sensor.anna_schmidt_status", "type": "away"},
        blocking=True,
    )
    hass.states.async_set("binary_sensor.office_door", "on")
    await hass.async_block_till_done()
    assert status() == "away"


@pytest.mark.usefixtures("blueprint_config")
async def test_dnd_turns_the_phones_real_dnd_on_and_the_panel_status_too(
    hass: HomeAssistant, simulator: Simulator, init_both: None
) -> None:
    """With a Kazoo user the phone stops ringing; the panel status follows as an option."""
    hass.states.async_set("calendar.work", "off")
    await _use(
        hass,
        "dnd_calendar_door.yaml",
        {
            "phone_dnd": "switch.anna_schmidt_do_not_disturb",
            "status": "sensor.anna_schmidt_status",
            "calendars": ["calendar.work"],
        },
    )

    def anna() -> dict[str, Any]:
        return next(u for u in simulator.kazoo.users.values() if u["username"] == "anna")

    hass.states.async_set("calendar.work", "on")
    await hass.async_block_till_done()
    assert anna()["do_not_disturb"] == {"enabled": True}
    assert state_of(hass, "binary_sensor.anna_schmidt_do_not_disturb_active") == "on"
    assert simulator.isymphony.status_of("anna")["type"] == "dnd"
    hass.states.async_set("calendar.work", "off")
    await hass.async_block_till_done()
    assert anna()["do_not_disturb"] == {"enabled": False}
    assert simulator.isymphony.status_of("anna")["type"] == "available"


@pytest.mark.usefixtures("blueprint_config")
async def test_dnd_with_the_phone_only(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """The panel status is optional: a Kazoo-only site turns the real DND on."""
    hass.states.async_set("binary_sensor.office_door", "on")
    await _use(
        hass,
        "dnd_calendar_door.yaml",
        {"phone_dnd": "switch.ben_carter_do_not_disturb", "doors": ["binary_sensor.office_door"]},
    )
    hass.states.async_set("binary_sensor.office_door", "off")
    await hass.async_block_till_done()
    assert state_of(hass, "switch.ben_carter_do_not_disturb") == "on"


@pytest.mark.usefixtures("blueprint_config")
async def test_dnd_with_a_calendar_only(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """Doors are optional."""
    hass.states.async_set("calendar.work", "off")
    await _use(
        hass,
        "dnd_calendar_door.yaml",
        {"status": "sensor.anna_schmidt_status", "calendars": ["calendar.work"]},
    )
    hass.states.async_set("calendar.work", "on")
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.anna_schmidt_status") == "dnd"


@pytest.mark.usefixtures("blueprint_config")
async def test_notify_when_available(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    """The notification runs when a watched user becomes available, naming them."""
    notified = async_capture_events(hass, "pbx_presence_test_notified")
    await _use(
        hass,
        "notify_status_available.yaml",
        {
            "people": ["sensor.ben_carter_status", "sensor.carla_rossi_status"],
            "notification": [
                {
                    "event": "pbx_presence_test_notified",
                    "event_data": {"person": "{{ person }}", "status": "{{ status_name }}"},
                }
            ],
        },
    )
    for entity_id, status_type in (
        ("sensor.ben_carter_status", "dnd"),
        ("sensor.carla_rossi_status", "available"),
    ):
        await hass.services.async_call(
            DOMAIN,
            "set_user_status",
            {"entity_id": entity_id, "type": status_type},
            blocking=True,
        )
    await hass.async_block_till_done()
    assert [event.data for event in notified] == [{"person": "Carla Rossi", "status": "Available"}]


# The example ids in the README, and the entity or device each stands for.
README_IDS = {
    "4b1c0d0e5f6a7b8c9d0e1f2a3b4c5d6e": ("device", "sensor.anna_schmidt_call_state"),
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0": ("entity", "event.anna_schmidt_call"),
    "0a1b2c3d4e5f60718293a4b5c6d7e8f9": ("device", "sensor.ben_carter_status"),
    "1234567890abcdef1234567890abcdef": ("entity", "event.ben_carter_status_change"),
    "0fedcba9876543210fedcba987654321": ("entity", "sensor.anna_schmidt_call_state"),
}


def _readme_automations() -> list[dict[str, Any]]:
    section = README[README.index("## Automations") : README.index("## How data is updated")]
    blocks = section.split("```yaml\n")[1:]
    return [
        automation_config
        for block in blocks
        for automation_config in yaml.safe_load(block.split("```", 1)[0])["automation"]
    ]


async def test_readme_automation_examples_are_valid(
    hass: HomeAssistant,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
) -> None:
    """Every automation in the README's Automations section passes Home Assistant's checks."""
    await setup_entry(hass, kazoo_entry)  # sets up both entries of the domain
    assert isymphony_entry.state is ConfigEntryState.LOADED
    entities = er.async_get(hass)
    real: dict[str, str] = {}
    for example_id, (kind, entity_id) in README_IDS.items():
        entry = entities.async_get(entity_id)
        assert entry is not None, entity_id
        real[example_id] = entry.device_id if kind == "device" else entry.id  # type: ignore[assignment]

    def substitute(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: substitute(item) for key, item in value.items()}
        if isinstance(value, list):
            return [substitute(item) for item in value]
        return real.get(value, value) if isinstance(value, str) else value

    examples = _readme_automations()
    assert len(examples) == 5
    for example in examples:
        await async_validate_config_item(hass, example["alias"], substitute(example))
