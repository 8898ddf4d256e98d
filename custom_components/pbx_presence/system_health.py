"""System health: per loaded entry, whether its server answers and live updates flow.

Settings -> System -> Repairs -> System information lists each value per entry, as
"<entry title>: <value>" (the labels are translated; the values are marks, times and
seconds, which need no translation).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import system_health
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator import PbxConfigEntry

YES = "✓"
NO = "✗"
NONE = "\N{EN DASH}"  # live updates not offered by the server, or no successful poll yet


@callback
def async_register(hass: HomeAssistant, register: system_health.SystemHealthRegistration) -> None:
    """Register the info callback."""
    register.async_register_info(system_health_info)


def _mark(value: bool, /) -> str:  # noqa: FBT001 - a mark for a yes or no
    return YES if value else NO


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """Server reachable, live updates, last successful poll and poll interval, per entry."""
    entries: list[PbxConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    rows: dict[str, list[str]] = {
        "server_reachable": [],
        "live_updates": [],
        "last_successful_poll": [],
        "poll_interval": [],
    }
    for entry in sorted(entries, key=lambda entry: entry.title):
        coordinator = entry.runtime_data
        live = coordinator.live.status
        last = coordinator.last_poll_success
        interval = coordinator.update_interval
        values = {
            "server_reachable": _mark(coordinator.server_reachable),
            "live_updates": _mark(live.connected) if live.supported else NONE,
            "last_successful_poll": (
                dt_util.as_local(last).isoformat(timespec="seconds") if last else NONE
            ),
            "poll_interval": f"{interval.total_seconds():g} s" if interval else NONE,
        }
        for key, value in values.items():
            rows[key].append(f"{entry.title}: {value}")
    return {"entries": len(entries)} | {
        key: ", ".join(values) for key, values in rows.items() if values
    }
