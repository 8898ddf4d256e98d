"""End to end: do not disturb turned on in Chromium reaches the simulated Kazoo user.

A real `hass` process with the Flex UC / Kazoo demo entry; the switch's more-info dialog
is opened from the Overview dashboard and its toggle clicked, as a user would.
"""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Browser, TimeoutError as PlaywrightTimeoutError, expect
import pytest
import pytest_asyncio

from devtools.develop import DEV_PASSWORD, DEV_USERNAME
from devtools.hass import HassClient, demo_entries
from simulator import Simulator

from .conftest import HassInstance

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]

UI_TIMEOUT_MS = 60_000
# A write's reply shows at once; the simulator holds the document as soon as it answered.
WRITE_DEADLINE = 15.0
DND = "switch.anna_schmidt_do_not_disturb"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def flex_uc(hass: HassClient, simulator: Simulator) -> str:
    """The Flex UC / Kazoo demo entry, added through the config flow."""
    spec = next(spec for spec in demo_entries(simulator.url) if spec.menu_option == "flex_uc")
    menu = await hass.start_flow()
    form = await hass.flow_step(menu["flow_id"], {"next_step_id": spec.menu_option})
    result = await hass.flow_step(form["flow_id"], spec.user_input)
    assert result["type"] == "create_entry", result
    await hass.wait_for_states({DND: "off"}, timeout=60.0)
    return str(result["result"]["entry_id"])


def _anna_dnd(simulator: Simulator) -> object:
    anna = next(user for user in simulator.kazoo.users.values() if user["username"] == "anna")
    return anna.get("do_not_disturb")


async def test_dnd_toggle_in_the_more_info_dialog(
    hass_instance: HassInstance,
    hass: HassClient,
    flex_uc: str,
    simulator: Simulator,
    browser: Browser,
) -> None:
    """Clicking the switch's toggle writes the user's `do_not_disturb` on the server."""
    assert flex_uc
    assert _anna_dnd(simulator) == {"enabled": False}
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        await page.goto(hass_instance.url)
        await page.get_by_role("textbox", name="Username").fill(DEV_USERNAME)
        await page.get_by_role("textbox", name="Password").fill(DEV_PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await page.wait_for_url(re.compile(r"^(?!.*/auth/).*$"), timeout=UI_TIMEOUT_MS)
        # Logged in once the sidebar is there; then open the switch's more-info dialog, as
        # a click on its tile does (the frontend's `hass-more-info` event).
        await expect(page.locator("ha-sidebar")).to_be_visible(timeout=UI_TIMEOUT_MS)
        # The dashboard renders first; a dialog opened meanwhile is drawn again and again.
        await page.wait_for_load_state("networkidle", timeout=UI_TIMEOUT_MS)
        await page.evaluate(
            "entityId => document.querySelector('home-assistant').dispatchEvent("
            "new CustomEvent('hass-more-info', {detail: {entityId}, bubbles: true,"
            " composed: true}))",
            DND,
        )
        dialog = page.locator("ha-more-info-dialog")
        await expect(dialog.get_by_text("Do not disturb").first).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        toggle = dialog.get_by_role("switch").first
        # While the dialog still settles its toggle is replaced: try again, a few times.
        for attempt in range(6):
            try:
                await toggle.click(timeout=10_000)
                break
            except PlaywrightTimeoutError:
                assert attempt < 5, "the toggle never stayed in place long enough to click"
        deadline = asyncio.get_running_loop().time() + WRITE_DEADLINE
        while _anna_dnd(simulator) != {"enabled": True}:
            assert asyncio.get_running_loop().time() < deadline, "the user did not change"
            await asyncio.sleep(0.2)
        states = await hass.wait_for_states(
            {DND: "on", "binary_sensor.anna_schmidt_do_not_disturb_active": "on"},
            timeout=WRITE_DEADLINE,
        )
        assert states[DND]["state"] == "on"
    finally:
        await page.close()
