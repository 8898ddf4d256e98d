"""End to end: the PBX simulator, a real Home Assistant process, its APIs and its frontend.

Home Assistant is driven only the way people and its frontend drive it: onboarding, the
config-flow REST API, ``/api/states`` and ``/api/services``, the automation editor's device
automation and automation config APIs, and the dashboard in Debian's Chromium. The simulator
runs in the test's event loop without background activity, so the test changes the PBX
itself and watches Home Assistant follow within its poll intervals.

The tests share one Home Assistant and run in file order, each building on the state the
previous ones left (as a user's session would).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
import re
from typing import Any

from PIL import Image, ImageChops
from playwright.async_api import Browser, Page, expect
import pytest
import pytest_asyncio

from devtools.develop import DEV_PASSWORD, DEV_USERNAME
from devtools.hass import REPO_ROOT, HassClient, demo_entries
from simulator import Simulator

from .conftest import HassInstance

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]

# Changes that wait for a poll (Kazoo every 5 s, iSymphony every 15 s when no socket is up):
# allow a poll and as much again.
KAZOO_DEADLINE = 15.0
ISYMPHONY_DEADLINE = 35.0
# What the frontend may take to load on a slow machine.
UI_TIMEOUT_MS = 60_000
# Pushed changes reach an open dashboard within this long.
LIVE_DEADLINE_MS = 1_000
SCREENSHOT = REPO_ROOT / "docs" / "screenshot.png"
# Pixels that may differ before the screenshot counts as changed (a word is hundreds).
SCREENSHOT_TOLERANCE = 100
AREA = "Front desk"
FRONT_DESK = ("anna_schmidt", "ben_carter", "carla_rossi")


@dataclass
class Entries:
    """The entries the config flow created, and the errors the wrong passwords got first."""

    flex_uc: str
    isymphony: str
    wrong_password_errors: dict[str, Any]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def entries(hass: HassClient, simulator: Simulator) -> Entries:
    """Both demo servers added through the config flow, a wrong password tried first."""
    entry_ids: dict[str, str] = {}
    errors: dict[str, Any] = {}
    for spec in demo_entries(simulator.url):
        menu = await hass.start_flow()
        assert menu["type"] == "menu", menu
        assert set(menu["menu_options"]) == {"flex_uc", "isymphony"}
        form = await hass.flow_step(menu["flow_id"], {"next_step_id": spec.menu_option})
        assert form["type"] == "form", form
        wrong = await hass.flow_step(
            form["flow_id"], {**spec.user_input, "password": "not-the-password"}
        )
        assert wrong["type"] == "form", wrong
        errors[spec.menu_option] = wrong["errors"]
        # The same form again, corrected, as a user would.
        result = await hass.flow_step(wrong["flow_id"], spec.user_input)
        assert result["type"] == "create_entry", result
        assert result["title"] == spec.title
        entry_ids[spec.menu_option] = result["result"]["entry_id"]
    return Entries(entry_ids["flex_uc"], entry_ids["isymphony"], errors)


def _device_id(simulator: Simulator, sip_username: str) -> str:
    return next(
        device_id
        for device_id, device in simulator.kazoo.devices.items()
        if device["sip"]["username"] == sip_username
    )


def _user_id(simulator: Simulator, username: str) -> str:
    return next(
        user_id for user_id, user in simulator.kazoo.users.items() if user["username"] == username
    )


async def test_config_flow_adds_both_servers(hass: HassClient, entries: Entries) -> None:
    """A wrong password shows invalid_auth on the form; the right one creates the entry."""
    assert entries.wrong_password_errors == {
        "flex_uc": {"base": "invalid_auth"},
        "isymphony": {"base": "invalid_auth"},
    }
    assert {
        entry["entry_id"]: (entry["title"], entry["state"]) for entry in await hass.config_entries()
    } == {
        entries.flex_uc: ("acme", "loaded"),
        entries.isymphony: ("iSymphony default", "loaded"),
    }


async def test_entities_show_the_demo_office(hass: HassClient, entries: Entries) -> None:
    """The demo's calls, registrations, watchers and statuses, as entity states."""
    states = await hass.wait_for_states(
        {
            "sensor.ben_carter_call_state": "busy",  # the demo has his call answered
            "sensor.carla_rossi_call_state": "ringing",  # and hers ringing
            "sensor.carla_rossi_desk_phone_call_state": "ringing",
            "sensor.anna_schmidt_call_state": "idle",
            "select.ben_carter_blf_override": "automatic",
            "binary_sensor.hannah_muller_softphone_registered": "off",
            "binary_sensor.hannah_muller_desk_phone_registered": "on",
            "sensor.3101_blf_watchers": "3",
            "sensor.carla_rossi_status": "dnd",
            "sensor.david_kim_status": "xa",
            # An admin-defined status: its type and name, as the select offers it.
            "select.ben_carter_set_status": "Away — Out to lunch",
        },
        timeout=KAZOO_DEADLINE,
    )
    call_state = states["sensor.ben_carter_call_state"]["attributes"]
    assert call_state["friendly_name"] == "Ben Carter Call state"
    assert call_state["options"] == ["idle", "ringing", "busy"]
    assert states["sensor.carla_rossi_status"]["attributes"]["friendly_name"] == (
        "Carla Rossi Status"
    )
    # The status's name, note and return time are the Status sensor's attributes.
    carla = states["sensor.carla_rossi_status"]["attributes"]
    assert (carla["status_name"], carla["note"]) == ("In a meeting", "Quarterly review")
    assert states["sensor.david_kim_status"]["attributes"]["return_time"] == (
        "2030-06-10T08:00:00+00:00"
    )
    # Unlicensed iSymphony users get no status.
    assert "sensor.lukas_novak_status" not in states


async def test_pbx_changes_reach_home_assistant(
    hass: HassClient, entries: Entries, simulator: Simulator
) -> None:
    """Calls start, are answered and end, and a status changes: each within a poll."""
    kazoo = simulator.kazoo
    # A caller from outside rings Anna's desk phone (the switch's leg to it is `outbound`).
    call = kazoo.start_call(
        device_id=_device_id(simulator, "user_1001a"), destination="1001", direction="outbound"
    )
    await hass.wait_for_states(
        {"sensor.anna_schmidt_call_state": "ringing"}, timeout=KAZOO_DEADLINE
    )
    kazoo.answer(call)
    carla_call = next(
        uuid for uuid, channel in kazoo.channels.items() if channel.username == "user_1003a"
    )
    kazoo.hangup(carla_call)
    await hass.wait_for_states(
        {
            "sensor.anna_schmidt_call_state": "busy",
            "sensor.anna_schmidt_desk_phone_call_state": "busy",
            "sensor.carla_rossi_call_state": "idle",
        },
        timeout=KAZOO_DEADLINE,
    )

    simulator.isymphony.set_status(
        "anna", name="Out to lunch", type="away", note="Back at 1 pm", user_created=False
    )
    states = await hass.wait_for_states(
        {
            "sensor.anna_schmidt_status": "away",
            "select.anna_schmidt_set_status": "Away — Out to lunch",
        },
        timeout=ISYMPHONY_DEADLINE,
    )
    anna = states["sensor.anna_schmidt_status"]["attributes"]
    assert (anna["status_name"], anna["note"]) == ("Out to lunch", "Back at 1 pm")


async def test_actions_reach_the_pbx(
    hass: HassClient, entries: Entries, simulator: Simulator
) -> None:
    """Both services and both selects, called through the REST API, change the PBX."""
    kazoo = simulator.kazoo
    ben = await hass.render_template("{{ device_id('sensor.ben_carter_call_state') }}")
    await hass.call_service("pbx_presence", "reset_presence", {"device_id": ben})
    assert kazoo.presence_actions[-1] == {
        "target": "user",
        "id": _user_id(simulator, "ben"),
        "action": "reset",
        "state": None,
        "presence_ids": ["1002"],
    }

    await hass.call_service(
        "pbx_presence",
        "reset_presence",
        {"extension": "*3101", "config_entry_id": entries.flex_uc},
    )
    assert kazoo.presence_actions[-1] == {
        "target": "extension",
        "id": "*3101",
        "action": "reset",
        "state": None,
        "presence_ids": ["*3101"],
    }

    await hass.call_service(
        "select",
        "select_option",
        {"entity_id": "select.carla_rossi_blf_override", "option": "busy"},
    )
    assert kazoo.presence_actions[-1] == {
        "target": "user",
        "id": _user_id(simulator, "carla"),
        "action": "set",
        "state": "confirmed",
        "presence_ids": ["1003"],
    }

    await hass.call_service(
        "pbx_presence",
        "set_user_status",
        {"entity_id": "sensor.ben_carter_status", "type": "dnd", "note": "Set from Home Assistant"},
    )
    status = simulator.isymphony.status_of("ben")
    assert (status["type"], status["note"]) == ("dnd", "Set from Home Assistant")

    await hass.call_service(
        "select",
        "select_option",
        {"entity_id": "select.david_kim_set_status", "option": "available"},
    )
    assert simulator.isymphony.status_of("david")["type"] == "available"

    # The affected entities update at once, without waiting for the next poll.
    states = await hass.wait_for_states(
        {
            "select.carla_rossi_blf_override": "busy",
            "sensor.ben_carter_status": "dnd",
            "sensor.david_kim_status": "available",
        },
        timeout=5,
    )
    assert states["sensor.ben_carter_status"]["attributes"]["note"] == "Set from Home Assistant"


async def test_device_trigger_automation_fires(hass: HassClient, simulator: Simulator) -> None:
    """An automation made from the 'starts ringing' device trigger runs when Anna's phone rings.

    Made the way the automation editor makes it: the device's triggers from the device
    automation API, the automation saved through the config REST API.
    """
    kazoo = simulator.kazoo
    desk = _device_id(simulator, "user_1001a")
    for uuid in [uuid for uuid, leg in kazoo.channels.items() if leg.authorizing_id == desk]:
        kazoo.hangup(uuid)
    await hass.wait_for_states({"sensor.anna_schmidt_call_state": "idle"}, timeout=KAZOO_DEADLINE)

    anna = await hass.render_template("{{ device_id('event.anna_schmidt_call') }}")
    triggers = await hass.ws_command("device_automation/trigger/list", device_id=anna)
    ringing = next(
        trigger
        for trigger in triggers
        if trigger["domain"] == "pbx_presence" and trigger["type"] == "ringing"
    )
    ringing.pop("metadata", None)
    await hass.request(
        "POST",
        "/api/config/automation/config/e2e_anna_rings",
        json={
            "alias": "Anna rings",
            "triggers": [ringing],
            "actions": [{"event": "pbx_presence_e2e_rang"}],
        },
    )
    states = await hass.wait_for_states({"automation.anna_rings": "on"}, timeout=10)
    assert states["automation.anna_rings"]["attributes"]["last_triggered"] is None

    call = kazoo.start_call(device_id=desk, direction="outbound", destination="1001")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + KAZOO_DEADLINE
    while (await hass.states())["automation.anna_rings"]["attributes"]["last_triggered"] is None:
        assert loop.time() < deadline, "the automation did not run"
        await asyncio.sleep(0.5)
    event = (await hass.states())["event.anna_schmidt_call"]
    assert event["attributes"]["event_type"] == "ringing"
    assert event["attributes"]["direction"] == "incoming"

    # Leave Anna idle again for the dashboard.
    kazoo.hangup(call)
    await hass.wait_for_states({"sensor.anna_schmidt_call_state": "idle"}, timeout=KAZOO_DEADLINE)


def _save_screenshot(png: bytes, path: Path = SCREENSHOT) -> None:
    """Save a screenshot under docs/, unless the one there shows the same.

    A few pixels of anti-aliasing differ from run to run: keeping the file then leaves the
    committed screenshot alone until the dashboard really changes.
    """
    if path.exists():
        with Image.open(path) as old, Image.open(BytesIO(png)) as new:
            if old.size == new.size:
                diff = ImageChops.difference(old.convert("RGB"), new.convert("RGB"))
                changed = diff.convert("L").point(lambda value: 255 if value else 0)
                if changed.histogram()[255] <= SCREENSHOT_TOLERANCE:
                    return
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(png)


async def _log_in(page: Page, url: str) -> None:
    """Log in through the frontend's login form."""
    await page.goto(url)
    await page.get_by_role("textbox", name="Username").fill(DEV_USERNAME)
    await page.get_by_role("textbox", name="Password").fill(DEV_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"^(?!.*/auth/).*$"), timeout=UI_TIMEOUT_MS)


async def test_dashboard_shows_presence(
    hass: HassClient,
    hass_instance: HassInstance,
    entries: Entries,
    simulator: Simulator,
    browser: Browser,
) -> None:
    """In Chromium, the Overview dashboard shows the presence devices, live."""
    # Put three people's phone-system and panel devices in one area, as a user would.
    area = await hass.ws_command("config/area_registry/create", name=AREA)
    for person in FRONT_DESK:
        for entity_id in (f"sensor.{person}_call_state", f"sensor.{person}_status"):
            device_id = await hass.render_template(f"{{{{ device_id('{entity_id}') }}}}")
            await hass.ws_command(
                "config/device_registry/update", device_id=device_id, area_id=area["area_id"]
            )

    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        await _log_in(page, hass_instance.url)
        await page.locator("ha-tile-container", has_text=AREA).first.click(timeout=UI_TIMEOUT_MS)
        for text in (
            "Anna Schmidt",
            "Ben Carter",
            "Carla Rossi",
            "Call state",
            "Busy",  # Anna's and Ben's calls
            "Idle",  # Carla's
            "Status",
            "Away",  # Anna
            "Do not disturb (panel status)",  # Ben and Carla (the name is an attribute now)
        ):
            await expect(page.get_by_text(text, exact=True).first).to_be_visible(
                timeout=UI_TIMEOUT_MS
            )

        # Both servers push: their live-updates entities are connected.
        states = await hass.states()
        live = {e: s["state"] for e, s in states.items() if e.endswith("_live_updates")}
        assert live == {
            "binary_sensor.acme_live_updates": "on",
            "binary_sensor.isymphony_default_live_updates": "on",
        }
        # A call rings at Carla's desk: the open dashboard shows it within a second.
        simulator.kazoo.start_call(
            device_id=_device_id(simulator, "user_1003a"), destination="1003", direction="outbound"
        )
        await expect(page.get_by_text("Ringing", exact=True).first).to_be_visible(
            timeout=LIVE_DEADLINE_MS
        )
        # No hover effect where the area was clicked, no animation half-way.
        await page.mouse.move(1390, 990)
        _save_screenshot(await page.screenshot(animations="disabled"))
    finally:
        await page.close()


async def _ask(hass: HassClient, text: str, language: str = "en") -> str:
    """What Assist's built-in agent answers, through the conversation REST API."""
    result = await hass.request(
        "POST", "/api/conversation/process", json={"text": text, "language": language}
    )
    speech: str = result["response"]["speech"]["plain"]["speech"]
    return speech


async def test_voice_answers(hass: HassClient, entries: Entries, simulator: Simulator) -> None:
    """Assist understands questions and commands about both servers, and answers in words."""
    kazoo = simulator.kazoo
    call = kazoo.start_call(
        device_id=_device_id(simulator, "user_1001a"), destination="1005", direction="outbound"
    )
    kazoo.answer(call)
    await hass.wait_for_states(
        {
            "sensor.anna_schmidt_call_state": "busy",
            "sensor.david_kim_call_state": "idle",
            "sensor.david_kim_status": "available",
            "sensor.ben_carter_status": "dnd",
        },
        timeout=KAZOO_DEADLINE,
    )
    assert await _ask(hass, "is Anna on the phone") == "Yes, Anna Schmidt is on a call."
    assert await _ask(hass, "Is David free?") == (
        "Yes, David Kim is not on the phone. David Kim is available."
    )
    assert await _ask(hass, "what is Ben's status") == (
        "Ben Carter is on do not disturb in the panel (In a meeting). "
        "Note: Set from Home Assistant."
    )
    assert await _ask(hass, "what is Hannah Muller's status") == (
        "Hannah Müller is on status green (Focus time)."
    )
    assert await _ask(hass, "is Zoe on the phone") == (
        "I don't know anyone called Zoe on the phone system."
    )
    # Who with: the server does not say who called Anna; an outside caller ringing Emma
    # shows its caller ID.
    assert await _ask(hass, "who is Anna talking to") == (
        "Anna Schmidt is on a call; the phone system does not say with whom."
    )
    ring = kazoo.start_call(
        device_id=_device_id(simulator, "user_1006a"),
        direction="outbound",
        caller_id_name="Acme Supplies",
        caller_id_number="+4930123456",
    )
    await hass.wait_for_states(
        {
            "sensor.emma_johnson_call_state": "ringing",
            "binary_sensor.emma_johnson_available": "off",
        },
        timeout=KAZOO_DEADLINE,
    )
    assert await _ask(hass, "who's calling Emma?") == (
        "Acme Supplies (+4930123456) is calling Emma Johnson."
    )
    assert await _ask(hass, "is Emma available") == "No, Emma Johnson's phone is ringing."
    states = await hass.states()
    assert states["binary_sensor.emma_johnson_available"]["attributes"]["reason"] == "ringing"
    assert states["binary_sensor.david_kim_available"]["state"] == "on"
    kazoo.hangup(ring)
    # No return time set: said so, not the status as if it were the answer.
    assert await _ask(hass, "when is Ben back") == (
        "Ben Carter has no return time set. Ben Carter is on do not disturb in the panel "
        "(In a meeting). Note: Set from Home Assistant."
    )
    assert await _ask(hass, "wann ist Ben zurück", "de") == (
        "Für Ben Carter ist keine Rückkehrzeit eingetragen. Ben Carter ist im Panel auf "
        "„Nicht stören“ (In a meeting). Notiz: Set from Home Assistant."
    )

    answer = await _ask(hass, "set Carla's status to away until 3 pm")
    assert re.fullmatch(r"Done\. Carla Rossi is away until (tomorrow at )?3 pm\.", answer), answer
    status = simulator.isymphony.status_of("carla")
    assert status["type"] == "away"
    # The e2e configuration's time zone is UTC.
    assert status["returnTime"] // 1000 % 86400 == 15 * 3600
    await hass.wait_for_states({"sensor.carla_rossi_status": "away"}, timeout=5)

    assert await _ask(hass, "set Carla's status to in a meeting with note Quarterly review") == (
        "Done. Carla Rossi is on do not disturb in the panel (In a meeting). "
        "Note: Quarterly review."
    )
    status = simulator.isymphony.status_of("carla")
    assert (status["type"], status["name"], status["note"], status["returnTime"]) == (
        "dnd",
        "In a meeting",
        "Quarterly review",
        -1,
    )
    kazoo.hangup(call)


async def test_no_errors_from_the_integration(hass_instance: HassInstance) -> None:
    """Nothing above made Home Assistant log an error about the integration."""
    log = hass_instance.log_path.read_text()
    # One record per timestamped line, with the traceback lines that follow it.
    records = re.split(r"\n(?=\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+ )", log)
    problems = [
        record
        for record in records
        if re.match(r"\S+ \S+ (ERROR|CRITICAL) ", record) and "pbx_presence" in record
    ]
    assert problems == []
