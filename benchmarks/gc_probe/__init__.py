"""A benchmark-only Home Assistant component: when full garbage collections run, how long.

`benchmarks.push` copies it into its throwaway configuration directory, so the longest
event-loop blocks it sees can be told apart: a full collection of Home Assistant's whole
heap, or anything else. It is not part of the integration.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

DOMAIN = "gc_probe"


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Time every full collection; `gc_probe/pauses` lists them (wall clock, ms)."""
    pauses: list[tuple[float, float]] = []
    started: list[float] = []

    def probe(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append((time.time(), (time.perf_counter() - started[0]) * 1000))

    gc.callbacks.append(probe)

    @websocket_command({vol.Required("type"): "gc_probe/pauses"})
    @callback
    def pauses_command(
        hass: HomeAssistant,
        connection: ActiveConnection,
        msg: dict[str, Any],
    ) -> None:
        connection.send_result(msg["id"], [{"at": at, "ms": ms} for at, ms in pauses])

    async_register_command(hass, pauses_command)
    return True
