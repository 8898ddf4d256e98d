"""The switchboard in Chromium with a large account: render time, push-to-screen, scrolling.

Run: `.venv/bin/python -m benchmarks.switchboard [--users 1000] [--changes 30]`.
It starts the scaled simulator in this process (Kazoo users with phones and, at up to 1,000
users, an iSymphony server with as many users, joined to them by name) and a real `hass`
in a fresh config directory, adds both entries through the config flow, and opens the
sidebar panel in headless Debian Chromium (Playwright). It measures:
- render: the panel subscribes again; from sending the subscription until the first frame
  painted after every tile is in the DOM (the server's tiles, the websocket, the DOM), and
  the DOM part alone (the event handled);
- push-to-screen: calls start on the simulator one at a time (Kazoo pushes them over
  Blackhole); from `start_call` until the first frame painted after the person's tile
  shows it ringing (both clocks are this machine's wall clock);
- scrolling: the page is scrolled from top to bottom with the mouse wheel; the gaps
  between frames while it scrolls (60 Hz is 16.7 ms).
One line of JSON per account size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from typing import Any

from playwright.async_api import Page, async_playwright

from devtools.develop import DEV_PASSWORD, DEV_USERNAME
from devtools.hass import LOOPBACK
from e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from simulator import Simulator

from .harness import entry_specs, running_hass, settled_states, spread

PANEL = "pbx-switchboard-panel"
UI_TIMEOUT_MS = 120_000
# 1,000 tiles are about 16,000 px high in four columns: scroll through all of them.
SCROLL_STEPS = 60
SCROLL_STEP_PX = 400

# In the page: subscribe again and time it until the frame after the tiles are in.
RENDER_JS = """
async (panel) => {
  const stop = await panel._unsubscribe;
  stop();
  panel._unsubscribe = null;
  const sent = performance.now();
  const done = new Promise((resolve) => panel.addEventListener(
    "pbx-switchboard-updated", (e) => resolve(e.detail), { once: true }));
  panel._subscribe();
  const detail = await done;
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  const painted = performance.now();
  return { total_ms: painted - sent, dom_ms: detail.applied - detail.received,
           server_ms: detail.received - sent,
           tiles: panel._tiles.size,
           in_dom: panel.shadowRoot.querySelectorAll(".tile").length };
}
"""
# In the page: resolve with the wall-clock time of the frame after a tile starts ringing.
WAIT_RINGING_JS = """
(panel, id) => new Promise((resolve) => {
  const tile = panel._tiles.get(id).el;
  const check = () => {
    if (tile.classList.contains("l-ringing")) {
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
      return true;
    }
    return false;
  };
  const observer = new MutationObserver(check);
  if (!check()) observer.observe(tile, { attributes: true, attributeFilter: ["class"] });
})
"""
FRAMES_JS = """
(panel) => {
  window.__frames = [];
  let last = performance.now();
  const step = (now) => { window.__frames.push(now - last); last = now;
    if (window.__frames.length < 100000) window.__frameLoop = requestAnimationFrame(step); };
  window.__frameLoop = requestAnimationFrame(step);
}
"""


async def _open_panel(page: Page, url: str) -> None:
    await page.goto(f"{url}/pbx-switchboard")
    await page.get_by_role("textbox", name="Username").fill(DEV_USERNAME)
    await page.get_by_role("textbox", name="Password").fill(DEV_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"^(?!.*/auth/).*$"), timeout=UI_TIMEOUT_MS)
    await page.locator(f"{PANEL} .tile").first.wait_for(timeout=UI_TIMEOUT_MS)


async def _push_latencies(page: Page, sim: Simulator, changes: int) -> list[float]:
    """Start a call per person, one at a time: ms until the ringing tile is painted."""
    panel = page.locator(PANEL)
    tiles: dict[str, str] = await panel.evaluate(
        "(p) => Object.fromEntries([...p._tiles.values()]"
        ".filter((t) => t.data.kind === 'person' && t.data.lamp === 'free')"
        ".map((t) => [t.data.extension, t.data.id]))"
    )
    kazoo = sim.kazoo
    # The scaled account: user 1234's phone is "Phone 1234".
    devices = {
        device["name"].removeprefix("Phone "): device_id
        for device_id, device in kazoo.devices.items()
        if device["name"].removeprefix("Phone ") in tiles and device.get("owner_id")
    }
    latencies = []
    for extension in sorted(devices)[:changes]:
        waiting = asyncio.ensure_future(panel.evaluate(WAIT_RINGING_JS, tiles[extension]))
        await asyncio.sleep(0.2)  # the observer is in place
        started = time.time()
        call = kazoo.start_call(
            device_id=devices[extension], destination=extension, direction="outbound"
        )
        painted = await asyncio.wait_for(waiting, 30)
        latencies.append(painted - started * 1000)
        kazoo.hangup(call)
        await asyncio.sleep(0.3)
    return latencies


async def _scroll(page: Page) -> dict[str, Any]:
    """Scroll from top to bottom with the wheel; frame gaps while scrolling."""
    await page.mouse.move(700, 500)
    await page.locator(PANEL).evaluate(FRAMES_JS)
    for _ in range(SCROLL_STEPS):
        await page.mouse.wheel(0, SCROLL_STEP_PX)
        await asyncio.sleep(0.03)
    frames: list[float] = await page.evaluate(
        "cancelAnimationFrame(window.__frameLoop), window.__frames.slice(1)"
    )
    return {
        "frames": len(frames),
        "gap_ms": spread(frames),
        "over_50ms": sum(f > 50 for f in frames),
    }


async def run(users: int, args: argparse.Namespace) -> None:
    """All measurements for one account size; one line of JSON."""
    isymphony_users = users if users <= 1000 else 0
    sim = Simulator.scaled(users=users, isymphony_users=isymphony_users)
    await sim.start(LOOPBACK, 0)
    sim.kazoo.websocket_url_in_login = sim.blackhole_url
    row: dict[str, Any] = {"users": users, "isymphony_users": isymphony_users}
    try:
        async with running_hass() as hass:
            client = hass.client
            for spec in entry_specs(sim, isymphony=bool(isymphony_users)):
                await client.add_entry(spec)
            await settled_states(client)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                page = await browser.new_page(viewport={"width": 1400, "height": 1000})
                started = time.monotonic()
                await _open_panel(page, hass.url)
                row["first_open_s"] = round(time.monotonic() - started, 2)
                await asyncio.sleep(args.settle)  # the recorder catches up after setup
                panel = page.locator(PANEL)
                renders = [await panel.evaluate(RENDER_JS) for _ in range(args.renders)]
                row["tiles"] = renders[-1]["tiles"]
                row["render_ms"] = spread([r["total_ms"] for r in renders])
                row["render_dom_ms"] = spread([r["dom_ms"] for r in renders])
                row["render_server_ms"] = spread([r["server_ms"] for r in renders])
                await panel.evaluate("(p) => { p.toggleAttribute('compact', true); }")
                compact = [await panel.evaluate(RENDER_JS) for _ in range(args.renders)]
                row["render_compact_ms"] = spread([r["total_ms"] for r in compact])
                await panel.evaluate("(p) => { p.toggleAttribute('compact', false); }")
                row["scroll"] = await _scroll(page)
                row["push_to_screen_ms"] = spread(await _push_latencies(page, sim, args.changes))
                await browser.close()
    finally:
        await sim.stop()
    print(json.dumps(row), flush=True)  # noqa: T201 - the benchmark's report


async def main(args: argparse.Namespace) -> None:
    """Run every size."""
    for users in args.users:
        await run(users, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1000])
    parser.add_argument("--changes", type=int, default=30, help="calls timed one by one")
    parser.add_argument("--renders", type=int, default=5, help="full renders timed")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds before measuring")
    asyncio.run(main(parser.parse_args()))
