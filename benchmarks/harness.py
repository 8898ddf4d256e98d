"""What every benchmark against a real `hass` needs.

A running, onboarded Home Assistant, the simulator's entries, a wait until the states
settle, and percentiles.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass
from pathlib import Path
import tempfile
import time

import aiohttp

from devtools.develop import DEV_NAME, DEV_PASSWORD, DEV_USERNAME
from devtools.hass import (
    LOOPBACK,
    EntrySpec,
    HassClient,
    ManagedProcess,
    free_port,
    prepare_config_dir,
    start_hass,
    stop_process,
    wait_for_hass,
)
from simulator import Simulator

# Large accounts take minutes to set up: one request may wait that long.
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=900)
# The integration's entity domains that every presentity has; the entry title is in none.
COUNTED_DOMAINS = frozenset({"sensor", "binary_sensor", "button", "select", "event"})


@dataclass(frozen=True, slots=True)
class RunningHass:
    """A `hass` process in a fresh configuration directory, onboarded and logged in."""

    client: HassClient
    session: aiohttp.ClientSession
    process: ManagedProcess
    url: str
    token: str
    config_dir: Path


@contextlib.asynccontextmanager
async def running_hass(
    prepare: Callable[[Path], None] | None = None,
) -> AsyncIterator[RunningHass]:
    """Start `hass` (after `prepare` has seen its configuration directory); stop it after."""
    with tempfile.TemporaryDirectory() as directory:
        config_dir = Path(directory)
        prepare_config_dir(config_dir)
        if prepare is not None:
            prepare(config_dir)
        port = free_port()
        url = f"http://{LOOPBACK}:{port}"
        process = await start_hass(config_dir, port, log_path=config_dir / "console.log")
        try:
            async with aiohttp.ClientSession() as session:
                await wait_for_hass(session, url, process)
                client = HassClient(session, url)
                client.request_timeout = REQUEST_TIMEOUT
                await client.onboard(name=DEV_NAME, username=DEV_USERNAME, password=DEV_PASSWORD)
                await client.wait_until_running()
                if client.tokens is None:
                    raise RuntimeError("onboarding left no login")
                yield RunningHass(
                    client, session, process, url, client.tokens.access_token, config_dir
                )
        finally:
            await stop_process(process)


def kazoo_spec(sim: Simulator) -> EntrySpec:
    """The simulator's Kazoo account, as the config flow asks for it."""
    return EntrySpec(
        "flex_uc",
        {
            "url": sim.url,
            "username": "admin",
            "password": "admin-secret",
            "account_name": "acme",
            "verify_ssl": True,
        },
        "acme",
    )


def entry_specs(sim: Simulator, *, isymphony: bool) -> list[EntrySpec]:
    """The Kazoo entry, and the iSymphony core server's where the simulator has one."""
    specs = [kazoo_spec(sim)]
    if isymphony:
        specs.append(
            EntrySpec(
                "isymphony",
                {
                    "url": sim.url,
                    "username": sim.isymphony.username,
                    "password": sim.isymphony.password,
                    "core_server": "default",
                    "verify_ssl": True,
                },
                "iSymphony default",
            )
        )
    return specs


def counted(entity_id: str) -> bool:
    """Whether `entity_id` is one of the domains every presentity has."""
    return entity_id.split(".", 1)[0] in COUNTED_DOMAINS


async def settled_states(client: HassClient, quiet: float = 5.0) -> int:
    """Wait until the integration's state count stops growing; return it."""
    last, stable_since = -1, time.monotonic()
    while True:
        count = sum(1 for state in (await client.states()) if counted(state))
        if count != last:
            last, stable_since = count, time.monotonic()
        elif count and time.monotonic() - stable_since >= quiet:
            return count
        await asyncio.sleep(1)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def spread(values: list[float], scale: float = 1.0) -> dict[str, float]:
    """p50, p95 and max of `values` times `scale`, rounded to a tenth."""
    return {
        "p50": round(percentile(values, 0.5) * scale, 1),
        "p95": round(percentile(values, 0.95) * scale, 1),
        "max": round(max(values) * scale, 1),
    }
