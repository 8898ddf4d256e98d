"""Home Assistant with a large Flex UC / Kazoo account: setup time, memory and idle writes.

Run: `.venv/bin/python -m benchmarks.ha_setup [--users 1000 5000] [--idle 60]`.
For each account size it starts the scaled simulator (Kazoo 4.3's rate limit on, no
activity) in this process and a real `hass` in a fresh config directory, adds the entry
through the config flow as a user would, and measures:
- setup time: from submitting the flow until the entry is loaded and its states stop growing;
- Home Assistant's resident memory (RSS) before the entry and after setup;
- state writes of the integration's entities during `--idle` seconds without any change.
First with the default import (a large account imports users only), then with everything
imported through the options flow (the entry reloads).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import tempfile
import time
from typing import Any

import aiohttp

from devtools.develop import DEV_NAME, DEV_PASSWORD, DEV_USERNAME
from devtools.hass import (
    LOOPBACK,
    EntrySpec,
    HassClient,
    free_port,
    prepare_config_dir,
    start_hass,
    stop_process,
    wait_for_hass,
)
from simulator import Simulator

DOMAIN = "pbx_presence"
EVERYTHING = ["user", "phone", "extension"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def settled_states(client: HassClient, quiet: float = 5.0) -> int:
    """Wait until the integration's state count stops growing; return it."""
    last, stable_since = -1, time.monotonic()
    while True:
        count = sum(1 for state in (await client.states()) if _ours(state))
        if count != last:
            last, stable_since = count, time.monotonic()
        elif count and time.monotonic() - stable_since >= quiet:
            return count
        await asyncio.sleep(1)


def _ours(entity_id: str) -> bool:
    # Every entity of the account's presentities; the entry title "acme" is in none.
    return entity_id.split(".", 1)[0] in {"sensor", "binary_sensor", "button", "select", "event"}


async def idle_writes(url: str, token: str, seconds: float) -> int:
    """State writes of the integration's entity domains during `seconds` of no change."""
    writes = 0
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/api/websocket") as ws:
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": token})
        if (auth := await ws.receive_json(timeout=60))["type"] != "auth_ok":
            raise RuntimeError(f"the websocket refused the token: {auth}")
        await ws.send_json({"id": 1, "type": "subscribe_events", "event_type": "state_changed"})
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = await ws.receive(timeout=left)
            except TimeoutError:
                break
            if message.type is not aiohttp.WSMsgType.TEXT:
                # Home Assistant drops a subscriber that cannot keep up with the events.
                raise RuntimeError(
                    f"the event stream closed after {writes} writes: {message.type} "
                    f"{message.data!r} {message.extra!r}"
                )
            # Home Assistant may coalesce several messages into one JSON array.
            batch = json.loads(message.data)
            for event in batch if isinstance(batch, list) else [batch]:
                if event.get("type") == "event" and _ours(event["event"]["data"]["entity_id"]):
                    writes += 1
    return writes


async def _grown_beyond(client: HassClient, count: int, timeout: float = 900) -> None:
    """Wait until the integration has more states than `count`."""
    deadline = time.monotonic() + timeout
    while sum(1 for state in (await client.states()) if _ours(state)) <= count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"still {count} states after {timeout:g} s")
        await asyncio.sleep(1)


async def set_everything_imported(client: HassClient, entry_id: str) -> None:
    """Through the options flow, as in the UI: import users, phones and extensions."""
    flow = await client.request(
        "POST", "/api/config/config_entries/options/flow", json={"handler": entry_id}
    )
    await client.request(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        json={"import": EVERYTHING, "include": [], "exclude": []},
    )


async def run(users: int, idle: float) -> None:
    """Both imports for one account size; one line of JSON each."""
    sim = Simulator.scaled(users=users, devices=users * 6 // 5)
    await sim.start(LOOPBACK, 0)
    sim.record_requests = False
    with tempfile.TemporaryDirectory() as directory:
        config_dir = Path(directory)
        prepare_config_dir(config_dir)
        port = free_port()
        url = f"http://{LOOPBACK}:{port}"
        process = await start_hass(config_dir, port, log_path=config_dir / "console.log")
        try:
            async with aiohttp.ClientSession() as session:
                await wait_for_hass(session, url, process)
                client = HassClient(session, url)
                client.request_timeout = aiohttp.ClientTimeout(total=900)
                await client.onboard(name=DEV_NAME, username=DEV_USERNAME, password=DEV_PASSWORD)
                await client.wait_until_running()
                if client.tokens is None:
                    raise RuntimeError("onboarding left no login")
                token = client.tokens.access_token
                baseline = rss_mb(process.pid)
                spec = EntrySpec(
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
                started = time.perf_counter()
                result = await client.add_entry(spec)
                entry = result["result"]
                entry_id = entry["entry_id"] if isinstance(entry, dict) else str(entry)
                entities = await settled_states(client)
                _report(
                    {
                        "users": users,
                        "import": "default (users only)",
                        "setup_s": round(time.perf_counter() - started, 1),
                        "entities": entities,
                        "rss_before_mb": round(baseline),
                        "rss_after_mb": round(rss_mb(process.pid)),
                        "idle_writes_per_min": round(
                            await idle_writes(url, token, idle) * 60 / idle
                        ),
                    }
                )
                started = time.perf_counter()
                await set_everything_imported(client, entry_id)
                # The entry reloads: wait until phones and extensions come, then settle.
                await _grown_beyond(client, entities)
                entities = await settled_states(client, quiet=20)
                _report(
                    {
                        "users": users,
                        "import": "everything",
                        "setup_s": round(time.perf_counter() - started, 1),
                        "entities": entities,
                        "rss_before_mb": round(baseline),
                        "rss_after_mb": round(rss_mb(process.pid)),
                        "idle_writes_per_min": round(
                            await idle_writes(url, token, idle) * 60 / idle
                        ),
                    }
                )
        finally:
            await stop_process(process)
            await sim.stop()


def _report(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)  # noqa: T201 - the benchmark's report


async def main(sizes: list[int], idle: float) -> None:
    """Run every size, printing one JSON line per measurement."""
    for users in sizes:
        await run(users, idle)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--idle", type=float, default=60.0, help="seconds without changes")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.users, arguments.idle))
