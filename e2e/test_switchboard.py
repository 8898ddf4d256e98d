"""End to end: the switchboard panel in Chromium, against a real Home Assistant and the PBX.

The panel's JavaScript has no unit tests of its own: these browser tests cover it (tiles,
live updates, search, grouping, the dialog and its actions, errors, German, a phone-sized
screen and the dark theme). They also save the README's screenshots (docs/switchboard*.png).
The tests share one Home Assistant and run in file order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from io import BytesIO
from pathlib import Path
import re
from typing import Any

from PIL import Image, ImageChops
from playwright.async_api import Browser, Locator, Page, Route, ViewportSize, expect
import pytest
import pytest_asyncio

from devtools.develop import DEV_PASSWORD, DEV_USERNAME
from devtools.hass import REPO_ROOT, HassClient, demo_entries
from simulator import Simulator

from .conftest import HassInstance

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]

UI_TIMEOUT_MS = 60_000
# Pushed changes reach the open panel within this long.
LIVE_DEADLINE_MS = 1_000
# A status set from the panel reaches the simulator within this long.
ACTION_DEADLINE = 10.0
PANEL = "pbx-switchboard-panel"
DOCS = REPO_ROOT / "docs"
# Pixels that may differ before a screenshot counts as changed (call timers tick).
SCREENSHOT_TOLERANCE = 400
AREA = "Front desk"
FRONT_DESK = ("anna_schmidt", "ben_carter", "carla_rossi")
CARD = "pbx-switchboard-card"
EDITOR = "pbx-switchboard-card-editor"
# How long the dashboard test holds back Home Assistant's app script.
APP_DELAY = 2.0


def _save_screenshot(png: bytes, path: Path) -> None:
    """Save a screenshot under docs/, unless the one there shows nearly the same."""
    if path.exists():
        with Image.open(path) as old, Image.open(BytesIO(png)) as new:
            if old.size == new.size:
                diff = ImageChops.difference(old.convert("RGB"), new.convert("RGB"))
                changed = diff.convert("L").point(lambda value: 255 if value else 0)
                if changed.histogram()[255] <= SCREENSHOT_TOLERANCE:
                    return
    path.write_bytes(png)


def _device_id(simulator: Simulator, sip_username: str) -> str:
    return next(
        device_id
        for device_id, device in simulator.kazoo.devices.items()
        if device["sip"]["username"] == sip_username
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def office(hass: HassClient, simulator: Simulator) -> HassClient:
    """Both demo servers added through the config flow, three people in an area."""
    for spec in demo_entries(simulator.url):
        result = await hass.add_entry(spec)
        assert result["type"] == "create_entry", result
    await hass.wait_for_states(
        {"sensor.anna_schmidt_status": "available", "sensor.ben_carter_call_state": "busy"},
        timeout=60,
    )
    area = await hass.ws_command("config/area_registry/create", name=AREA)
    for person in FRONT_DESK:
        device_id = await hass.render_template(f"{{{{ device_id('sensor.{person}_call_state') }}}}")
        await hass.ws_command(
            "config/device_registry/update", device_id=device_id, area_id=area["area_id"]
        )
    return hass


async def _open(
    browser: Browser,
    url: str,
    *,
    viewport: ViewportSize | None = None,
    dark: bool = False,
    language: str | None = None,
) -> Page:
    """Log in and open the switchboard from the sidebar's URL."""
    context = await browser.new_context(
        viewport=viewport or {"width": 1400, "height": 1000},
        color_scheme="dark" if dark else "light",
    )
    page = await context.new_page()
    errors: list[str] = []
    # The frontend's own view transitions may be cut short under load: not an error of ours.
    page.on(
        "pageerror",
        lambda error: None if "ViewTransition" in str(error) else errors.append(str(error)),
    )
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(f"{url}/pbx-switchboard")
    await page.get_by_role("textbox", name="Username").fill(DEV_USERNAME)
    await page.get_by_role("textbox", name="Password").fill(DEV_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"^(?!.*/auth/).*$"), timeout=UI_TIMEOUT_MS)
    if language:  # as the profile's language picker keeps it in this browser
        await page.evaluate(
            f"localStorage.setItem('selectedLanguage', JSON.stringify({language!r}))"
        )
        await page.goto(f"{url}/pbx-switchboard")  # the login's one-time code is spent
    await page.locator(f"{PANEL} .tile").first.wait_for(timeout=UI_TIMEOUT_MS)
    return page


def _tile(page: Page, name: str) -> Locator:
    return page.locator(
        f"{PANEL} .tile", has=page.locator(".name", has_text=re.compile(f"^{name}$"))
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def page(
    office: HassClient, hass_instance: HassInstance, browser: Browser
) -> AsyncIterator[Page]:
    """The switchboard, open in the sidebar panel, in English and the light theme."""
    page = await _open(browser, hass_instance.url)
    try:
        yield page
    finally:
        assert not page.errors  # type: ignore[attr-defined]
        await page.context.close()


async def test_tiles_show_the_office(page: Page) -> None:
    """The demo office: one tile per person, shared phones, queues, park slots, by area."""
    # One tile per person, both servers' facts on it.
    anna = _tile(page, "Anna Schmidt")
    await expect(anna).to_have_count(1)
    await expect(anna).to_contain_text("1001")
    await expect(anna).to_contain_text("Free")
    await expect(anna).to_contain_text("Available")
    await expect(anna).to_contain_text("✉ 2")  # new voicemails
    ben = _tile(page, "Ben Carter")
    await expect(ben).to_contain_text("On a call")
    await expect(ben).to_contain_text("Away: Out to lunch")
    await expect(ben).to_contain_text(re.compile(r"back \w"))
    await expect(ben.locator(".timer")).to_have_text(re.compile(r"^\d+:\d\d$"))
    await expect(_tile(page, "Carla Rossi")).to_have_class(re.compile(r"\bl-ringing\b"))
    await expect(_tile(page, "David Kim")).to_contain_text("Not taking calls")
    await expect(_tile(page, "Site Admin")).to_contain_text("No phone")
    # Shared phones and park slots, in sections of their own; people grouped by area.
    await expect(_tile(page, "Lobby phone")).to_contain_text("Free")
    await expect(_tile(page, "Conference room")).to_contain_text("Phone offline")
    await expect(_tile(page, re.escape("*3101"))).to_contain_text("3 watching")
    headings = page.locator(f"{PANEL} section h2")
    await expect(headings).to_have_text(
        ["Park slots (3)", "Shared phones (2)", "Queues (2)", f"{AREA} (3)", "No area (11)"]
    )
    # A queue's lamp is its agents (Support: Anna free, Emma on a call).
    await expect(_tile(page, "Support")).to_contain_text("1 of 2 agents free")
    # A person's own phones are part of their tile.
    await expect(_tile(page, "Anna Schmidt desk phone")).to_have_count(0)
    _save_screenshot(await page.screenshot(animations="disabled"), DOCS / "switchboard.png")


async def test_a_pushed_change_shows_within_a_second(page: Page, simulator: Simulator) -> None:
    """A call rings at Anna's desk: her tile shows it within a second, and its end."""
    anna = _tile(page, "Anna Schmidt")
    call = simulator.kazoo.start_call(
        device_id=_device_id(simulator, "user_1001a"), destination="1001", direction="outbound"
    )
    await expect(anna).to_have_class(re.compile(r"\bl-ringing\b"), timeout=LIVE_DEADLINE_MS)
    await expect(anna).to_contain_text("Ringing")
    simulator.kazoo.hangup(call)
    await expect(anna).to_have_class(re.compile(r"\bl-free\b"), timeout=LIVE_DEADLINE_MS)


async def test_search_sort_and_compact(page: Page) -> None:
    """Search by name and status name, no groups, sorted by extension, compact."""
    search = page.locator(f"{PANEL} input[type=search]")
    await search.fill("carla")
    await expect(page.locator(f"{PANEL} .tile")).to_have_count(1)
    await expect(_tile(page, "Carla Rossi")).to_be_visible()
    await search.fill("out to lunch")  # a status name
    await expect(page.locator(f"{PANEL} .tile .name")).to_have_text(["Ben Carter"])
    await search.fill("nobody-at-all")
    await expect(page.locator(f"{PANEL} .empty")).to_have_text("Nobody matches.")
    await search.fill("")
    await expect(page.locator(f"{PANEL} .tile")).to_have_count(21)

    group = page.locator(f"{PANEL} select").first
    await group.select_option("none")
    await page.locator(f"{PANEL} select").nth(1).select_option("extension")
    people = page.locator(f"{PANEL} section").last.locator(".tile .ext")
    await expect(people.first).to_have_text(re.compile(r"^1001"))
    await page.locator(f"{PANEL} input[type=checkbox]").check()
    await expect(page.locator(PANEL)).to_have_attribute("compact", "")
    _save_screenshot(await page.screenshot(animations="disabled"), DOCS / "switchboard-compact.png")
    # Back to the defaults for the tests after this one (the view is kept in the browser).
    await page.locator(f"{PANEL} input[type=checkbox]").uncheck()
    await page.locator(f"{PANEL} select").nth(1).select_option("name")
    await group.select_option("area")


async def test_a_status_set_from_a_tile_reaches_the_pbx(page: Page, simulator: Simulator) -> None:
    """The dialog sets a status on iSymphony; a refusal shows the integration's words."""
    await _tile(page, "Anna Schmidt").click()
    dialog = page.locator(f"{PANEL} dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog.locator("h3")).to_have_text("Anna Schmidt")
    await expect(dialog.get_by_role("button", name="Reset presence")).to_be_visible()
    await expect(dialog.locator("select[name=blf_override]")).to_have_value("automatic")

    # A return time long past: the integration's own refusal, shown in the dialog.
    until = dialog.locator("input[name=return_time]")
    await until.fill("2020-01-01T10:00")
    await dialog.get_by_role("button", name="Set status").click()
    await expect(dialog.locator(".error")).to_contain_text("2020")
    assert simulator.isymphony.user("anna")["status"]["type"] == "available"

    await dialog.locator("select[name=status]").select_option(
        label="In a meeting (Do not disturb (panel status))"
    )
    await dialog.locator("input[name=note]").fill("Board meeting")
    await until.fill("")
    await dialog.get_by_role("button", name="Set status").click()
    await expect(dialog.locator(".ok")).to_have_text("Done.")
    await expect(dialog.locator(".error")).to_be_empty()
    for _ in range(int(ACTION_DEADLINE * 10)):
        if simulator.isymphony.user("anna")["status"]["type"] == "dnd":
            break
        await asyncio.sleep(0.1)
    status = simulator.isymphony.user("anna")["status"]
    assert (status["type"], status["name"], status["note"]) == (
        "dnd",
        "In a meeting",
        "Board meeting",
    )
    # The dialog and the tile follow.
    await expect(dialog.locator(".facts")).to_contain_text(
        "Do not disturb (panel status): In a meeting"
    )
    await dialog.get_by_role("button", name="Close").click()
    await expect(_tile(page, "Anna Schmidt")).to_contain_text("Not taking calls")


async def test_dark_theme_and_a_phone_in_german(
    office: HassClient, hass_instance: HassInstance, browser: Browser
) -> None:
    """The dark theme, and a phone-sized screen with Home Assistant in German."""
    page = await _open(browser, hass_instance.url, dark=True)
    try:
        await expect(_tile(page, "Ben Carter")).to_contain_text("On a call")
        _save_screenshot(
            await page.screenshot(animations="disabled"), DOCS / "switchboard-dark.png"
        )
    finally:
        await page.context.close()

    page = await _open(
        browser, hass_instance.url, viewport={"width": 390, "height": 844}, language="de"
    )
    try:
        await expect(page.locator(f"{PANEL} .title")).to_contain_text("Vermittlung")
        await expect(_tile(page, "Ben Carter")).to_contain_text("Im Gespräch")
        await expect(_tile(page, "Ben Carter")).to_contain_text("Abwesend: Out to lunch")
        # One column: every tile as wide as the screen allows.
        box = await _tile(page, "Ben Carter").bounding_box()
        assert box is not None
        assert box["width"] > 300
        _save_screenshot(
            await page.screenshot(animations="disabled"), DOCS / "switchboard-phone.png"
        )
        await _tile(page, "Ben Carter").click()
        dialog = page.locator(f"{PANEL} dialog")
        await expect(dialog.get_by_role("button", name="Status setzen")).to_be_visible()
        assert not page.errors  # type: ignore[attr-defined]
    finally:
        await page.context.close()


def _anna_kazoo(simulator: Simulator) -> dict[str, Any]:
    return next(user for user in simulator.kazoo.users.values() if user["username"] == "anna")


async def _until(check: Callable[[], bool], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + ACTION_DEADLINE
    while not check():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.1)


async def test_dnd_and_a_call_from_a_tile_reach_kazoo(page: Page, simulator: Simulator) -> None:
    """The dialog's Do not disturb switches the Kazoo user; its Call rings through quickcall."""
    anna = _anna_kazoo(simulator)
    assert anna.get("do_not_disturb") == {"enabled": False}
    await _tile(page, "Anna Schmidt").click()
    dialog = page.locator(f"{PANEL} dialog")
    dnd = dialog.locator("input[name=do_not_disturb]")
    await expect(dnd).not_to_be_checked()
    await dnd.check()
    await _until(
        lambda: _anna_kazoo(simulator).get("do_not_disturb") == {"enabled": True},
        "the Kazoo user's do_not_disturb did not change",
    )
    await expect(dnd).to_be_checked()  # drawn again from the switch's new state
    await expect(dialog.locator(".error")).to_be_empty()
    await dnd.uncheck()  # a phone on DND is not rung by a quickcall
    await _until(
        lambda: _anna_kazoo(simulator).get("do_not_disturb") == {"enabled": False},
        "the Kazoo user's do_not_disturb did not change back",
    )
    await expect(dnd).not_to_be_checked()

    calls = len(simulator.kazoo.quickcall_requests)
    await dialog.locator("input[name=number]").fill("0171 1234567")
    await dialog.get_by_role("button", name="Call", exact=True).click()
    await expect(dialog.locator(".ok")).to_have_text("Done.")
    assert simulator.kazoo.quickcall_requests[calls:] == [
        {"kind": "users", "id": anna["id"], "number": "01711234567", "auto_answer": False}
    ]
    # Her phone rings first; the tile shows it, and the end once the leg is hung up.
    await expect(_tile(page, "Anna Schmidt")).to_have_class(re.compile(r"\bl-ringing\b"))
    for leg in list(simulator.kazoo.quickcalls):
        simulator.kazoo.hangup(leg)
    await dialog.get_by_role("button", name="Close").click()
    await expect(_tile(page, "Anna Schmidt")).not_to_have_class(re.compile(r"\bl-ringing\b"))


async def _slow_app(route: Route) -> None:
    """Hold Home Assistant's app script back, as a loaded machine does."""
    await asyncio.sleep(APP_DELAY)
    await route.continue_()


async def test_the_card_on_a_dashboard(
    office: HassClient, hass_instance: HassInstance, browser: Browser
) -> None:
    """The switchboard as cards (`custom:pbx-switchboard-card`) on a dashboard view.

    The frontend's app script arrives late, so ours runs first, as it may on a loaded
    machine: the cards still appear (they are defined once the app's element registry is).
    """
    await office.ws_command(
        "lovelace/dashboards/create",
        url_path="front-office",
        title="Reception",
        icon="mdi:phone-classic",
        show_in_sidebar=True,
        require_admin=False,
        mode="storage",
    )
    card = f"custom:{CARD}"
    cards = [
        {"type": card, "compact": True, "title": "Front office"},
        {"type": card, "search": AREA, "toolbar": False, "group_by": "none"}
        | {"sort_by": "extension"},
        {"type": card, "group_by": "floor"},
    ]
    await office.ws_command(
        "lovelace/config/save",
        url_path="front-office",
        config={"title": "Reception", "views": [{"title": "Phones", "cards": cards}]},
    )
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    await page.route(re.compile(r"/frontend_latest/app\.\w+\.js$"), _slow_app)
    try:
        await page.goto(f"{hass_instance.url}/front-office/0")
        await page.get_by_role("textbox", name="Username").fill(DEV_USERNAME)
        await page.get_by_role("textbox", name="Password").fill(DEV_PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await page.wait_for_url(re.compile(r"/front-office/0$"), timeout=UI_TIMEOUT_MS)
        first, second = page.locator(CARD).nth(0), page.locator(CARD).nth(1)
        try:
            await expect(first.locator(".tile")).to_have_count(21, timeout=UI_TIMEOUT_MS)
        except AssertionError as err:  # say what the view shows instead
            defined = await page.evaluate(f"!!customElements.get('{CARD}')")
            shown = await page.locator("hui-error-card").all_text_contents()
            msg = f"card defined: {defined}; error cards: {shown}; page errors: {page_errors}"
            raise AssertionError(msg) from err
        await expect(first).to_have_attribute("compact", "")
        await expect(first.locator(".title")).to_have_text("Front office")
        # A card can show a part: here the front desk (its area, and a user of that name),
        # by extension, without the toolbar.
        await expect(second.locator(".tile .name")).to_have_text(
            ["Anna Schmidt", "Ben Carter", "Carla Rossi", "Front desk 2"]
        )
        await expect(second.locator(".toolbar")).to_be_hidden()
        await expect(second).not_to_have_attribute("compact", "")
        # A wrong option: an error card in its place (its words show in the card editor).
        await expect(page.locator("hui-error-card")).to_have_count(1)
        await expect(page.locator("hui-error-card")).to_contain_text("Configuration error")
        # The card picker finds it, and its stub configuration is a valid one.
        picker = await page.evaluate(
            f"""() => {{
              const Card = customElements.get('{CARD}');
              const entry = window.customCards.find((c) => c.type === '{CARD}');
              const card = document.createElement('{CARD}');
              card.setConfig(Card.getStubConfig());
              const refusal = (config) => {{
                try {{
                  card.setConfig(config);
                }} catch (err) {{
                  return err.message;
                }}
              }};
              return {{
                name: entry.name,
                stub: Card.getStubConfig(),
                size: card.getCardSize(),
                refusals: [refusal({{ group_by: 'floor' }}), refusal({{ compact: 'yes' }})],
              }};
            }}"""
        )
        assert picker["name"] == "PBX switchboard"
        assert picker["stub"] == {"compact": True}
        assert picker["size"] > 1
        assert picker["refusals"] == [
            'pbx-switchboard-card: group_by must be one of area, server, none (not "floor")',
            'pbx-switchboard-card: compact must be a boolean (not "yes")',
        ]
        await _check_the_card_editor(page)
        assert not page_errors
    finally:
        await context.close()


async def _check_the_card_editor(page: Page) -> None:
    """The visual editor shows the options and writes only what differs from the defaults."""
    await page.evaluate(
        f"""() => {{
          const editor = customElements.get('{CARD}').getConfigElement();
          editor.hass = document.querySelector('home-assistant').hass;
          editor.setConfig({{ type: 'custom:{CARD}', compact: true, title: 'Desk' }});
          editor.addEventListener('config-changed', (event) => {{
            window.pbxEditedConfig = event.detail.config;
          }});
          // Above the frontend, as the card editor's dialog would show it.
          editor.style.cssText = 'position: fixed; inset: 0 auto auto 0; z-index: 10';
          document.body.append(editor);
        }}"""
    )
    editor = page.locator(EDITOR)
    await expect(editor.locator("input[name=title]")).to_have_value("Desk")
    await expect(editor.locator("input[name=compact]")).to_be_checked()
    await expect(editor.locator("input[name=toolbar]")).to_be_checked()
    await editor.locator("select[name=group_by]").select_option("server")
    await editor.locator("input[name=compact]").uncheck()
    edited = await page.evaluate("window.pbxEditedConfig")
    assert edited == {"type": f"custom:{CARD}", "title": "Desk", "group_by": "server"}
