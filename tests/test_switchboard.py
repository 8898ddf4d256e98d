"""The switchboard: its websocket command's tiles and live updates, and the panel's files."""

from __future__ import annotations

import hashlib
from typing import Any

from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL, DATA_PANELS
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.pbx_presence.const import DOMAIN
from custom_components.pbx_presence.panel import PANEL_URL_PATH, STATIC_URL
from simulator import Simulator

from .conftest import kazoo_device_id, setup_entry
from .test_park import park_bens_caller

SUBSCRIBE = {"type": "pbx_presence/switchboard/subscribe"}


async def _subscribe(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, **extra: Any
) -> tuple[MockHAClientWebSocket, dict[str, Any]]:
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({**SUBSCRIBE, **extra})
    result = await client.receive_json()
    assert result["success"], result
    event = await client.receive_json()
    assert event["event"]["full"] is True
    return client, event["event"]


async def _next(client: MockHAClientWebSocket) -> dict[str, Any]:
    message = await client.receive_json()
    assert message["type"] == "event", message
    event: dict[str, Any] = message["event"]
    return event


def _by_name(tiles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for tile in tiles:
        assert tile["name"] not in found, f"{tile['name']} has two tiles"
        found[tile["name"]] = tile
    return found


def _device_of(hass: HomeAssistant, entity_id: str) -> str:
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None
    assert entity.device_id is not None
    return entity.device_id


async def test_one_tile_per_person_across_both_servers(
    hass: HomeAssistant,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
    hass_ws_client: WebSocketGenerator,
) -> None:
    _, full = await _subscribe(hass, hass_ws_client)
    tiles = _by_name(full["tiles"])

    anna = tiles["Anna Schmidt"]
    assert anna["id"] == _device_of(hass, "sensor.anna_schmidt_call_state")
    assert anna["id"] == _device_of(hass, "sensor.anna_schmidt_status")
    assert anna["kind"] == "person"
    assert anna["extension"] == "1001"
    assert anna["servers"] == ["acme", "iSymphony default"]
    assert anna["lamp"] == "free"
    assert anna["voicemail"] == 2
    assert anna["status"] == {"type": "available", "name": "Available", "note": "", "until": None}
    assert anna["call"] is None
    # The controls of her device, by translation key: the dialog offers what exists.
    assert anna["entities"]["select.blf_override"] == "select.anna_schmidt_blf_override"
    assert anna["entities"]["button.reset_presence"] == "button.anna_schmidt_reset_presence"
    assert anna["entities"]["select.status"] == "select.anna_schmidt_set_status"

    # Ben is on an answered call and away for lunch: the call wins the lamp.
    ben = tiles["Ben Carter"]
    assert ben["lamp"] == "busy"
    assert ben["call"]["state"] == "busy"
    assert ben["call"]["answered"] is True
    assert ben["call"]["started"] is not None
    assert ben["status"]["type"] == "away"
    assert ben["status"]["name"] == "Out to lunch"
    assert ben["status"]["until"] is not None
    # Carla's phone rings while she is on do not disturb.
    assert tiles["Carla Rossi"]["lamp"] == "ringing"
    assert tiles["Carla Rossi"]["status"]["type"] == "dnd"
    # Idle phones, but statuses that say no: not a green lamp.
    assert tiles["David Kim"]["lamp"] == "away"  # extended away
    assert tiles["Jonas Becker"]["lamp"] == "away"  # unavailable
    assert tiles["Jonas Becker"]["status"]["type"] == "not_available"
    # A coloured status is no reason not to take calls.
    assert tiles["Felix Wagner"]["lamp"] == "free"
    # A user without a phone is not free on it.
    assert tiles["Site Admin"]["lamp"] == "no_phone"
    assert tiles["Site Admin"]["servers"] == ["acme"]

    # Phones that belong to nobody, and park slots, have tiles of their own ...
    assert tiles["Lobby phone"]["kind"] == "phone"
    assert tiles["Lobby phone"]["lamp"] == "free"
    assert tiles["Lobby phone"]["extension"] == "1099"
    assert tiles["Conference room"]["lamp"] == "offline"  # not registered
    assert tiles["*3101"]["kind"] == "park"
    assert tiles["*3101"]["lamp"] == "park"
    assert tiles["*3101"]["watchers"] == 3
    # ... a person's own phones do not.
    assert "Anna Schmidt desk phone" not in tiles
    assert "Anna Schmidt softphone" not in tiles

    # The 11 types, then the administrators' names seen so far.
    statuses = full["statuses"]
    assert [s["type"] for s in statuses[:11]] == [
        "available",
        "not_available",
        "away",
        "xa",
        "dnd",
        "chat",
        "altblue",
        "altgreen",
        "altpink",
        "altpurple",
        "altred",
    ]
    assert {"type": "away", "name": "Out to lunch"} in statuses[11:]
    assert {"type": "dnd", "name": "In a meeting"} in statuses[11:]
    assert full["texts"]["status"]["xa"] == "Extended away"
    assert "no_presence_id" in full["texts"]["errors"]


async def test_words_in_the_language_asked_for(
    hass: HomeAssistant,
    init_isymphony: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    _, full = await _subscribe(hass, hass_ws_client, language="de")
    assert full["texts"]["status"]["dnd"] == "Nicht stören (Panelstatus)"
    # Only iSymphony: people with a status and no phone system to call them on.
    tiles = _by_name(full["tiles"])
    assert tiles["Anna Schmidt"]["lamp"] == "no_phone"
    assert tiles["Anna Schmidt"]["extension"] is None
    # Carla's call (on hold), from her extension's call segments.
    assert tiles["Carla Rossi"]["lamp"] == "busy"
    # Unlicensed: a device for the panel login sensor, but no status.
    assert tiles["Lukas Novak"]["status"] is None


async def test_a_call_sends_only_the_tile_it_changes(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
    hass_ws_client: WebSocketGenerator,
) -> None:
    kazoo_entry, _ = init_both
    client, full = await _subscribe(hass, hass_ws_client)
    anna_id = _by_name(full["tiles"])["Anna Schmidt"]["id"]

    call = simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        destination="1001",
        direction="outbound",
        caller_id_name="Front door",
        caller_id_number="+15550100",
    )
    await kazoo_entry.runtime_data.async_refresh()
    update = await _next(client)
    assert [tile["id"] for tile in update["tiles"]] == [anna_id]
    (anna,) = update["tiles"]
    assert anna["lamp"] == "ringing"
    assert anna["call"]["state"] == "ringing"
    assert anna["status"]["type"] == "available"  # the iSymphony half is still there
    assert "removed" not in update

    simulator.kazoo.hangup(call)
    await kazoo_entry.runtime_data.async_refresh()
    update = await _next(client)
    assert [(tile["id"], tile["lamp"], tile["call"]) for tile in update["tiles"]] == [
        (anna_id, "free", None)
    ]


async def test_a_status_set_from_the_switchboard_reaches_it(
    hass: HomeAssistant,
    simulator: Simulator,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The dialog's action, as the panel sends it: the service, targeting the tile."""
    client, full = await _subscribe(hass, hass_ws_client)
    anna_id = _by_name(full["tiles"])["Anna Schmidt"]["id"]

    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "set_user_status",
            "service_data": {"type": "dnd", "name": "Interview", "note": "Until noon"},
            "target": {"device_id": anna_id},
        }
    )
    # The service's answer and the tile's update, in either order.
    messages = {message["type"]: message for message in [await client.receive_json() for _ in "ab"]}
    assert messages["result"]["success"], messages
    (anna,) = messages["event"]["event"]["tiles"]
    assert anna["lamp"] == "away"
    assert anna["status"] == {
        "type": "dnd",
        "name": "Interview",
        "note": "Until noon",
        "until": None,
    }
    assert simulator.isymphony.user("anna")["status"]["name"] == "Interview"

    # A refusal comes back as the integration's translated error, for the dialog to show.
    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "set_user_status",
            "service_data": {"type": "dnd", "name": "   "},
            "target": {"device_id": anna_id},
        }
    )
    result = await client.receive_json()
    assert not result["success"]
    assert result["error"]["translation_domain"] == DOMAIN
    assert result["error"]["translation_key"] in full["texts"]["errors"]


async def test_registry_changes_reach_the_tiles(
    hass: HomeAssistant,
    init_kazoo: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client, full = await _subscribe(hass, hass_ws_client)
    anna_id = _by_name(full["tiles"])["Anna Schmidt"]["id"]

    area = ar.async_get(hass).async_create("Front desk")
    dr.async_get(hass).async_update_device(anna_id, area_id=area.id, name_by_user="Anna S.")
    (anna,) = (await _next(client))["tiles"]
    assert (anna["name"], anna["area"]) == ("Anna S.", "Front desk")

    # A control disabled: the dialog no longer offers it.
    er.async_get(hass).async_update_entity(
        "select.anna_schmidt_blf_override", disabled_by=er.RegistryEntryDisabler.USER
    )
    (anna,) = (await _next(client))["tiles"]
    assert "select.blf_override" not in anna["entities"]

    # An area renamed: every tile is looked at again, and only Anna's is sent.
    ar.async_get(hass).async_update(area.id, name="Reception")
    update = await _next(client)
    assert [(tile["id"], tile["area"]) for tile in update["tiles"]] == [(anna_id, "Reception")]


async def test_an_unreachable_server_shows_no_lamp_it_cannot_know(
    hass: HomeAssistant,
    init_kazoo: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client, full = await _subscribe(hass, hass_ws_client)
    coordinator = init_kazoo.runtime_data
    coordinator.async_set_update_error(Exception("gone"))
    update = await _next(client)
    assert len(update["tiles"]) == len(full["tiles"])
    assert {tile["lamp"] for tile in update["tiles"]} == {"unknown"}


async def test_unloading_entries_updates_and_removes_tiles(
    hass: HomeAssistant,
    init_both: tuple[MockConfigEntry, MockConfigEntry],
    hass_ws_client: WebSocketGenerator,
) -> None:
    kazoo_entry, isymphony_entry = init_both
    assert PANEL_URL_PATH in hass.data[DATA_PANELS]
    client, full = await _subscribe(hass, hass_ws_client)
    tiles = _by_name(full["tiles"])

    assert await hass.config_entries.async_unload(isymphony_entry.entry_id)
    await hass.async_block_till_done()
    update = await _next(client)
    first_removed = set(update.get("removed", []))
    changed = _by_name(update["tiles"])
    assert changed["Anna Schmidt"]["servers"] == ["acme"]
    assert changed["Anna Schmidt"]["status"] is None
    assert "Lobby phone" not in changed  # nothing of it changed
    assert PANEL_URL_PATH in hass.data[DATA_PANELS]  # one entry is still loaded

    assert await hass.config_entries.async_unload(kazoo_entry.entry_id)
    await hass.async_block_till_done()
    update = await _next(client)
    # Every tile left: those of the first unload (iSymphony's queues) went with it.
    assert sorted(update["removed"]) == sorted(
        tile["id"] for tile in tiles.values() if tile["id"] not in first_removed
    )
    # The last entry takes the sidebar panel and the card's script with it.
    assert PANEL_URL_PATH not in hass.data[DATA_PANELS]
    assert not any(url.startswith(STATIC_URL) for url in hass.data[DATA_EXTRA_MODULE_URL].urls)

    # Loaded again: the panel is back, and the open switchboard gets the tiles again.
    await setup_entry(hass, kazoo_entry)
    assert PANEL_URL_PATH in hass.data[DATA_PANELS]
    update = await _next(client)
    assert "Anna Schmidt" in _by_name(update["tiles"])


async def test_no_updates_after_unsubscribing(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client, _ = await _subscribe(hass, hass_ws_client)
    await client.send_json_auto_id({"type": "unsubscribe_events", "subscription": 1})
    assert (await client.receive_json())["success"]
    simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Lobby phone"), destination="1001"
    )
    await init_kazoo.runtime_data.async_refresh()
    await hass.async_block_till_done()
    # The next message is the answer to this ping, not a tile.
    await client.send_json_auto_id({"type": "ping"})
    assert (await client.receive_json())["type"] == "pong"


async def test_the_panel_serves_its_script(
    hass: HomeAssistant,
    init_kazoo: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    panel = hass.data[DATA_PANELS][PANEL_URL_PATH]
    config = panel.config["_panel_custom"]
    assert config["name"] == "pbx-switchboard-panel"
    script_url = config["module_url"]
    assert script_url in hass.data[DATA_EXTRA_MODULE_URL].urls  # the card, on every view
    client = await hass_client()
    response = await client.get(script_url)
    assert response.status == 200
    script = await response.text()
    # The URL names the script's content, so it may be cached for long.
    assert script_url.endswith(f"?v={hashlib.sha256(script.encode()).hexdigest()[:12]}")
    assert "max-age" in response.headers["Cache-Control"]
    for element in ("panel", "card", "card-editor"):
        assert f'define("pbx-switchboard-{element}", ' in script
    # Defined once the frontend's own element registry is there (see the script's end).
    assert 'customElements.whenDefined("home-assistant").then(defineSwitchboard)' in script


async def test_a_new_park_slot_gets_a_tile(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client, full = await _subscribe(hass, hass_ws_client)
    assert "*3199" not in _by_name(full["tiles"])

    simulator.kazoo.watch("*3199", "user_1001a")
    await init_kazoo.runtime_data.async_refresh()
    await hass.async_block_till_done()  # its entities (and device) are added
    update = await _next(client)
    (slot,) = update["tiles"]
    assert (slot["name"], slot["kind"], slot["watchers"]) == ("*3199", "park", 1)

    # Nobody watches it any more: the slot, its entities and its device go.
    simulator.kazoo.subscriptions.pop("*3199")
    await init_kazoo.runtime_data.async_refresh()
    await hass.async_block_till_done()
    update = await _next(client)
    assert update["removed"] == [slot["id"]]


async def test_a_park_slot_tile_names_who_is_parked(
    hass: HomeAssistant,
    simulator: Simulator,
    init_kazoo: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client, full = await _subscribe(hass, hass_ws_client)
    slot = _by_name(full["tiles"])["*3101"]
    assert (slot["lamp"], slot["parked"]) == ("park", None)

    park_bens_caller(simulator)
    await init_kazoo.runtime_data.async_refresh()
    update = await _next(client)
    slot = _by_name(update["tiles"])["*3101"]
    assert slot["lamp"] == "busy"
    assert slot["parked"] == {"caller": "Acme Supplies", "number": "+15557654321", "since": None}


async def test_a_queue_tile_shows_its_free_agents(
    hass: HomeAssistant,
    simulator: Simulator,
    init_isymphony: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A call queue is a tile of its own: free while one of its agents is, dark when empty."""
    client, full = await _subscribe(hass, hass_ws_client)
    tiles = _by_name(full["tiles"])
    support, sales = tiles["Support"], tiles["Sales"]
    assert (support["kind"], support["lamp"]) == ("queue", "free")
    assert support["agents"] == {"logged_in": 2, "available": 1}
    assert (sales["lamp"], sales["agents"]) == ("busy", {"logged_in": 1, "available": 0})
    assert tiles["Anna Schmidt"]["agents"] is None

    agent = simulator.isymphony.queue("sales")["agents"][0]
    simulator.isymphony.agent_logout("sales", agent["id"])
    await init_isymphony.runtime_data.async_refresh()
    sales = _by_name((await _next(client))["tiles"])["Sales"]
    assert (sales["lamp"], sales["agents"]) == ("offline", {"logged_in": 0, "available": 0})
