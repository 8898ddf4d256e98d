"""The BLF wall dashboard: its template finds every person, with call state and status."""

from __future__ import annotations

from pathlib import Path
import re

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.template import Template
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from simulator import Simulator

from .conftest import setup_entry

DASHBOARD = Path(__file__).parent.parent / "dashboards" / "blf_wall.yaml"


def _wall(hass: HomeAssistant) -> str:
    config = yaml.safe_load(DASHBOARD.read_text(encoding="utf-8"))
    (view,) = config["views"]
    (card,) = view["cards"]
    assert card["type"] == "markdown"  # a core card: nothing to install
    return str(Template(card["content"], hass).async_render(parse_result=False))


LAMPS = {
    "mdi:phone-hangup": "free",
    "mdi:phone-ring": "ringing",
    "mdi:phone-in-talk": "busy",
    "mdi:phone-off": "no phone",
}


def _cells(html: str) -> list[tuple[str, str, str]]:
    """(lamp, name, status) of every person, in the order shown."""
    cells = re.findall(
        r'<td><font color="#[0-9a-f]{6}"><ha-icon icon="([a-z:-]+)"></ha-icon></font> '
        r"<b>([^<]+)</b><br><small>([^<]*)</small></td>",
        html,
    )
    return [(LAMPS[icon], name, status) for icon, name, status in cells]


async def test_blf_wall_shows_every_person_once_sorted(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
) -> None:
    simulator.isymphony.add_user("reception", "Reception", status="available")
    await setup_entry(hass, kazoo_entry)  # sets up both entries

    cells = _cells(_wall(hass))

    people = {name: (lamp, status) for lamp, name, status in cells}
    # One row per person, even when both servers know them; sorted by name.
    assert len(people) == len(cells)
    assert [name for _, name, _ in cells] == sorted(people)
    # The demo: Ben on an answered call, Carla's phone ringing, Anna free.
    assert people["Ben Carter"][0] == "busy"
    assert people["Carla Rossi"][0] == "ringing"
    assert people["Anna Schmidt"] == ("free", "Available")
    # Statuses in words, "Unavailable" included (not a dead entity).
    assert people["Carla Rossi"][1] == "Do not disturb (panel status)"
    assert people["Jonas Becker"][1] == "Unavailable"
    # Only on one server: a Kazoo-only user has no status, a panel-only user no lamp.
    assert people["Site Admin"] == ("free", "\u2013")
    assert people["Reception"] == ("no phone", "Available")
    # Phones and park slots are not people.
    assert "Anna Schmidt desk phone" not in people
    assert "*3101" not in people


async def test_blf_wall_follows_renamed_devices(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """A device renamed in Home Assistant shows under its new name."""
    kazoo_entry, _ = init_both
    devices = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, kazoo_entry.entry_id):
        if device.name == "Ben Carter":
            devices.async_update_device(device.id, name_by_user="Benjamin Carter")

    people = {name for _, name, _ in _cells(_wall(hass))}

    assert "Benjamin Carter" in people
    # His iSymphony user is on the same device: renamed with it.
    assert "Ben Carter" not in people
