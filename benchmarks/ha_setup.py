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
import time
from typing import Any

import aiohttp

from devtools.hass import LOOPBACK, HassClient
from simulator import Simulator

from .harness import counted, kazoo_spec, running_hass, settled_states

DOMAIN = "pbx_presence"
EVERYTHING = ["user", "phone", "extension"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


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
                if event.get("type") == "event" and counted(event["event"]["data"]["entity_id"]):
                    writes += 1
    return writes


async def set_everything_imported(client: HassClient, entry_id: str) -> None:
    """Through the options flow, as in the UI: import users, phones and extensions."""
    flow = await client.request(
        "POST", "/api/config/config_entries/options/flow", json={"handler": entry_id}
    )
    result = await client.request(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        json={"import": EVERYTHING, "include": [], "exclude": []},
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"the options flow did not save: {result}")


async def run(users: int, idle: float) -> None:
    """Both imports for one account size; one line of JSON each."""
    sim = Simulator.scaled(users=users, devices=users * 6 // 5)
    await sim.start(LOOPBACK, 0)
    sim.record_requests = False
    try:
        async with running_hass() as hass:
            client, url, token = hass.client, hass.url, hass.token
            baseline = rss_mb(hass.process.pid)

            async def report(kind: str, started: float, entities: int) -> None:
                _report(
                    {
                        "users": users,
                        "import": kind,
                        "setup_s": round(time.perf_counter() - started, 1),
                        "entities": entities,
                        "rss_before_mb": round(baseline),
                        "rss_after_mb": round(rss_mb(hass.process.pid)),
                        "idle_writes_per_min": round(
                            await idle_writes(url, token, idle) * 60 / idle
                        ),
                    }
                )

            started = time.perf_counter()
            result = await client.add_entry(kazoo_spec(sim))
            entry = result["result"]
            entry_id = entry["entry_id"] if isinstance(entry, dict) else str(entry)
            entities = await settled_states(client)
            await report("default (users only)", started, entities)
            started = time.perf_counter()
            await set_everything_imported(client, entry_id)
            # The entry reloads (phones with an owner stay on their person's device, so the
            # count need not grow): wait until it has been still for a while.
            await report("everything", started, await settled_states(client, quiet=20))
    finally:
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
