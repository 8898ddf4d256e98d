"""Fixtures of the end-to-end test: the simulator, a real ``hass`` process, a browser.

Nothing here uses Home Assistant's pytest harness (it blocks sockets and runs Home Assistant
in-process): Home Assistant runs as ``python -m homeassistant --skip-pip`` on a free loopback
port in a temporary configuration directory that loads the integration from this repository.
Every process started here is stopped, with its process group, when the module is done.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
import os
from pathlib import Path

import aiohttp
from playwright.async_api import Browser, async_playwright
import pytest
import pytest_asyncio

from devtools.develop import DEV_NAME, DEV_PASSWORD, DEV_USERNAME
from devtools.hass import (
    LOOPBACK,
    HassClient,
    ManagedProcess,
    free_port,
    prepare_config_dir,
    start_hass,
    stop_process,
    wait_for_hass,
)
from simulator import Simulator

# Debian's chromium package (scripts/setup installs it); Playwright downloads no browser.
CHROMIUM = Path(os.environ.get("PBX_PRESENCE_CHROMIUM", "/usr/bin/chromium"))
# Without the networking flags Chromium keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run under Home Assistant's test harness, which blocks sockets."""
    if config.pluginmanager.has_plugin("homeassistant"):
        msg = (
            "the end-to-end test needs real sockets, which Home Assistant's pytest plugin "
            "blocks: run it as `pytest e2e -p no:homeassistant` (as scripts/test does)"
        )
        raise pytest.UsageError(msg)


@dataclass
class HassInstance:
    """A running Home Assistant: where it answers, its files and its process."""

    url: str
    config_dir: Path
    process: ManagedProcess

    @property
    def log_path(self) -> Path:
        """Home Assistant's own log file."""
        return self.config_dir / "home-assistant.log"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Chromium binary; the test fails (never skips) when it is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/setup, which installs Debian's "
            "chromium package (or set PBX_PRESENCE_CHROMIUM to a Chromium binary)",
            pytrace=False,
        )
    return CHROMIUM


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def simulator() -> AsyncIterator[Simulator]:
    """The demo PBX in this event loop, without background activity: the test drives it."""
    simulator = Simulator.demo()
    await simulator.start(LOOPBACK, 0)
    # As a provider's UI settings can: the login reply names Blackhole, so Kazoo pushes.
    simulator.kazoo.websocket_url_in_login = simulator.blackhole_url
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client session."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def hass_instance(
    tmp_path_factory: pytest.TempPathFactory, session: aiohttp.ClientSession
) -> AsyncIterator[HassInstance]:
    """``hass`` with a copy of config/configuration.yaml, stopped (SIGTERM) at the end."""
    config_dir = tmp_path_factory.mktemp("hass-config")
    prepare_config_dir(config_dir)
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    process = await start_hass(config_dir, port, log_path=config_dir / "hass-console.log")
    try:
        await wait_for_hass(session, url, process)
        yield HassInstance(url, config_dir, process)
    finally:
        code = await stop_process(process)
    if code != 0:
        pytest.fail(
            f"Home Assistant exited with code {code} when stopped; the end of its output:\n"
            f"{process.log_tail()}",
            pytrace=False,
        )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def hass(hass_instance: HassInstance, session: aiohttp.ClientSession) -> HassClient:
    """The REST API as the owner, after onboarding through the API."""
    client = HassClient(session, hass_instance.url)
    assert await client.onboard(name=DEV_NAME, username=DEV_USERNAME, password=DEV_PASSWORD)
    assert all((await client.onboarding_status()).values())
    await client.wait_until_running()
    return client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """Headless Debian Chromium, driven by Playwright."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()
