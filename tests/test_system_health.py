"""System health through Home Assistant's system_health component, as core's tests do."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, get_system_health_info
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pbx_presence.const import DOMAIN
from simulator import Simulator

from .conftest import async_poll


def _local(when: datetime | None) -> str:
    assert when is not None
    return dt_util.as_local(when).isoformat(timespec="seconds")


async def test_each_loaded_entry_reports_its_server_live_updates_and_polls(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    kazoo, isymphony = init_both
    assert await async_setup_component(hass, "system_health", {})
    await hass.async_block_till_done()
    polled = _local(isymphony.runtime_data.last_poll_success)

    info = await get_system_health_info(hass, DOMAIN)

    # The tests' servers refuse event sockets: both entries poll.
    assert info == {
        "entries": 2,
        "server_reachable": "acme: ✓, iSymphony default: ✓",
        "live_updates": "acme: ✗, iSymphony default: ✗",
        "last_successful_poll": (
            f"acme: {_local(kazoo.runtime_data.last_poll_success)}, iSymphony default: {polled}"
        ),
        "poll_interval": (
            f"acme: {kazoo.runtime_data.update_interval.total_seconds():g} s, "
            f"iSymphony default: {isymphony.runtime_data.update_interval.total_seconds():g} s"
        ),
    }

    # The iSymphony server stops answering: its last good poll stays, it is not reachable.
    simulator.faults.add("drop", path_contains="/communication_manager/", count=None)
    await async_poll(hass, freezer, isymphony.runtime_data.update_interval + timedelta(seconds=1))
    info = await get_system_health_info(hass, DOMAIN)
    assert "iSymphony default: ✗" in info["server_reachable"]
    assert "acme: ✓" in info["server_reachable"]
    assert f"iSymphony default: {polled}" in info["last_successful_poll"]


async def test_labels_are_translated_and_shown_over_the_websocket(
    hass: HomeAssistant,
    init_isymphony: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    assert await async_setup_component(hass, "system_health", {})
    await hass.async_block_till_done()
    client = await hass_ws_client(hass)

    await client.send_json({"id": 1, "type": "system_health/info"})
    assert (await client.receive_json())["success"]
    initial = (await client.receive_json())["event"]
    assert initial["type"] == "initial"
    info = initial["data"][DOMAIN]["info"]  # plain values come in the initial event
    assert (await client.receive_json())["event"]["type"] == "finish"
    assert info["server_reachable"] == "iSymphony default: ✓"
    assert info["entries"] == 1

    for language in ("en", "de"):
        labels = await async_get_translations(hass, language, "system_health", [DOMAIN])
        assert {
            key.rsplit(".", 1)[-1] for key in labels if key.startswith(f"component.{DOMAIN}.")
        } == set(info), language
