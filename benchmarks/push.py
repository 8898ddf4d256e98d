"""Live updates in a real Home Assistant: latency, requests, writes per change, loop blocks.

Run: `.venv/bin/python -m benchmarks.push [--users 1000 5000] [--rate 200] [--burst 10]
[--steady 120] [--polling 60]`.

For each Kazoo account size it starts the scaled simulator in this process (Kazoo 4.3:
rate limit on, Blackhole named in the login reply; at 1,000 users also an iSymphony core
server with 1,000 licensed users) and a real `hass`, adds the entries through the config
flow, waits until both sockets are connected, and measures:
- steady state with push up (`--steady` seconds, nothing changes): requests per minute
  to each server, and state writes (must be 0);
- a burst of `--rate` call events per second for `--burst` seconds (calls start and end
  a second later, on random users): event-to-state latency, from the simulator's change
  to Home Assistant's `state_changed` on its websocket (p50, p95, max), and state writes
  per changed presentity;
- polling (`--polling` seconds, both sockets refused, the simulator's activity changing
  calls and statuses every second): requests per minute, writes per changed presentity;
- throughout: the longest event-loop block of Home Assistant, seen from outside as the
  worst round trip of a websocket `ping` sent every 20 ms, minus the median round trip;
  the longest full garbage collection of Home Assistant's heap (a probe component,
  `benchmarks/gc_probe`, times them); and the longest block that was not one.
One line of JSON per account size.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
import contextlib
from dataclasses import dataclass, field
import json
from pathlib import Path
import random
import shutil
import statistics
import time
from typing import Any

import aiohttp

from devtools.hass import LOOPBACK, HassClient
from simulator import Simulator

from .harness import counted, entry_specs, running_hass, settled_states, spread

DOMAIN = "pbx_presence"
PING_INTERVAL = 0.02
GC_PROBE = Path(__file__).parent / "gc_probe"
ISYMPHONY_USERS = 1000


@dataclass
class Watch:
    """What Home Assistant's websocket tells during a run: writes, changes and pings."""

    # (entity_id, state) -> when the simulator made the change that should show it
    pending: dict[tuple[str, str], float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    # The call-state and status sensors: one state change of theirs is one real change.
    primary: set[str] = field(default_factory=set)
    writes: int = 0
    changes: int = 0
    # (when a ping was sent, wall clock; its round trip in seconds)
    round_trips: list[tuple[float, float]] = field(default_factory=list)

    def reset(self) -> None:
        """Start counting afresh."""
        self.writes = self.changes = 0
        self.latencies.clear()
        self.round_trips.clear()
        self.pending.clear()

    def loop_block_ms(self, gc_pauses: list[tuple[float, float]] | None = None) -> float:
        """The worst ping round trip above the typical one, in ms.

        With `gc_pauses` (when, ms), pings that waited for a full garbage collection are
        left out: what remains is everything else that held the loop.
        """
        trips = [
            rtt
            for sent, rtt in self.round_trips
            if not any(sent <= at <= sent + rtt + 0.05 for at, _ in gc_pauses or ())
        ]
        if not trips:
            return 0.0
        return (max(trips) - statistics.median(trips)) * 1000


async def _authed(session: aiohttp.ClientSession, url: str, token: str) -> Any:
    ws = await session.ws_connect(f"{url}/api/websocket", max_msg_size=0)
    await ws.receive_json()
    await ws.send_json({"type": "auth", "access_token": token})
    if (await ws.receive_json(timeout=60))["type"] != "auth_ok":
        raise RuntimeError("the websocket refused the token")
    return ws


async def watch_states(session: aiohttp.ClientSession, url: str, token: str, watch: Watch) -> None:
    """Count writes and changes, and resolve pending changes into latencies."""
    ws = await _authed(session, url, token)
    for number, event_type in enumerate(("state_changed", "state_reported"), start=1):
        await ws.send_json({"id": number, "type": "subscribe_events", "event_type": event_type})
    async for message in ws:
        if message.type is not aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"Home Assistant's event stream ended: {message.type}")
        received = time.time()
        batch = json.loads(message.data)
        for item in batch if isinstance(batch, list) else [batch]:
            if item.get("type") != "event":
                continue
            data = item["event"]["data"]
            entity_id = data["entity_id"]
            if not counted(entity_id):
                continue
            watch.writes += 1
            new, old = data.get("new_state"), data.get("old_state")
            if item["event"]["event_type"] != "state_changed" or not new or not old:
                continue
            if new["state"] != old["state"] and entity_id in watch.primary:
                watch.changes += 1
            started = watch.pending.pop((entity_id, new["state"]), None)
            if started is not None:
                watch.latencies.append(received - started)


async def ping(session: aiohttp.ClientSession, url: str, token: str, watch: Watch) -> None:
    """Measure Home Assistant's responsiveness: a websocket ping every 20 ms."""
    ws = await _authed(session, url, token)
    for number in range(1, 10**9):
        sent, wall = time.perf_counter(), time.time()
        await ws.send_json({"id": number, "type": "ping"})
        await ws.receive_json(timeout=60)
        watch.round_trips.append((wall, time.perf_counter() - sent))
        await asyncio.sleep(PING_INTERVAL)


def requests_per_minute(sim: Simulator, since: int, seconds: float) -> dict[str, float]:
    """Requests since index `since` of the log, per minute, by server kind."""
    kinds = Counter(
        "kazoo" if request.path.startswith("/v2/") else "isymphony"
        for request in sim.requests[since:]
    )
    return {kind: round(count * 60 / seconds, 1) for kind, count in kinds.items()}


async def call_burst(
    sim: Simulator, entity_of_user: dict[str, str], watch: Watch, rate: float, seconds: float
) -> int:
    """Start calls at `rate`/2 per second, each ending a second later: `rate` events/s."""
    kazoo = sim.kazoo
    loop = asyncio.get_running_loop()
    rng = random.Random(1)  # noqa: S311 - which users call, not a secret
    device_of_user = {
        device["owner_id"]: device_id
        for device_id, device in kazoo.devices.items()
        if device.get("owner_id") in entity_of_user
    }
    busy: set[str] = set()  # on a call, or just off one (its idle state must show first)
    events = 0

    def end(user_id: str, call: str) -> None:
        nonlocal events
        watch.pending[(entity_of_user[user_id], "idle")] = time.time()
        kazoo.hangup(call)
        loop.call_later(1.0, busy.discard, user_id)
        events += 1

    deadline = loop.time() + seconds
    interval = 2 / rate
    next_start = loop.time()
    while loop.time() < deadline:
        user_id = rng.choice(list(device_of_user.keys() - busy))
        busy.add(user_id)
        watch.pending[(entity_of_user[user_id], "busy")] = time.time()
        call = kazoo.start_call(
            device_id=device_of_user[user_id], destination="+15550000000", direction="inbound"
        )
        events += 1
        loop.call_later(1.0, end, user_id, call)
        next_start += interval
        await asyncio.sleep(max(0.0, next_start - loop.time()))
    await asyncio.sleep(3)  # the last calls end, and their states arrive
    return events


async def _wait_connected(client: HassClient, count: int) -> None:
    """Until `count` live-updates entities are on."""
    for _ in range(300):
        states = await client.states()
        connected = [
            e for e, s in states.items() if e.endswith("_live_updates") and s["state"] == "on"
        ]
        if len(connected) >= count:
            return
        await asyncio.sleep(1)
    raise RuntimeError("the event sockets did not connect")


def add_gc_probe(config_dir: Path) -> None:
    """Load the benchmark's garbage-collection probe into the throwaway Home Assistant."""
    shutil.copytree(GC_PROBE, config_dir / "custom_components" / "gc_probe")
    with (config_dir / "configuration.yaml").open("a", encoding="utf-8") as configuration:
        configuration.write("\ngc_probe:\n")


async def _registry(
    session: aiohttp.ClientSession, url: str, token: str, sim: Simulator
) -> tuple[dict[str, str], set[str]]:
    """Kazoo user id -> its call-state sensor; and every call-state and status sensor."""
    ws = await _authed(session, url, token)
    try:
        await ws.send_json({"id": 1, "type": "config/entity_registry/list"})
        registry = (await ws.receive_json(timeout=120))["result"]
    finally:
        await ws.close()
    prefix = f"{sim.kazoo.account_id}_user_"
    users = {
        entry["unique_id"].removeprefix(prefix).removesuffix("_call_state"): entry["entity_id"]
        for entry in registry
        if entry["unique_id"].startswith(prefix) and entry["unique_id"].endswith("_call_state")
    }
    primary = {
        entry["entity_id"]
        for entry in registry
        if entry["entity_id"].startswith("sensor.")
        and entry["unique_id"].endswith(("_call_state", "_status"))
    }
    return users, primary


async def gc_pauses(
    session: aiohttp.ClientSession, url: str, token: str, since: float
) -> list[tuple[float, float]]:
    """Home Assistant's full garbage collections since `since` (when, ms), from the probe."""
    ws = await _authed(session, url, token)
    try:
        await ws.send_json({"id": 1, "type": "gc_probe/pauses"})
        pauses = (await ws.receive_json(timeout=60))["result"]
    finally:
        await ws.close()
    return [(p["at"], p["ms"]) for p in pauses if p["at"] >= since]


def _blocks(watch: Watch, pauses: list[tuple[float, float]]) -> dict[str, float | int]:
    return {
        "loop_block_ms": round(watch.loop_block_ms(), 1),
        "full_gcs": len(pauses),
        "full_gc_ms": round(max((ms for _, ms in pauses), default=0.0), 1),
        "loop_block_without_gc_ms": round(watch.loop_block_ms(pauses), 1),
    }


@dataclass
class _Hass:
    session: aiohttp.ClientSession
    url: str
    token: str


async def _measure(
    sim: Simulator,
    watch: Watch,
    entities: dict[str, str],
    args: argparse.Namespace,
    hass: _Hass,
) -> dict[str, Any]:
    """The three phases: quiet push, a burst of events, polling with activity."""
    row: dict[str, Any] = {}
    watch.reset()
    since, started = len(sim.requests), time.time()
    await asyncio.sleep(args.steady)
    row["push_requests_per_min"] = requests_per_minute(sim, since, args.steady)
    row["push_idle_writes"] = watch.writes
    pauses = await gc_pauses(hass.session, hass.url, hass.token, started)
    row["push_idle"] = _blocks(watch, pauses)

    watch.reset()
    started = time.time()
    row["burst_events"] = await call_burst(sim, entities, watch, args.rate, args.burst)
    latencies = watch.latencies
    row["burst_states_seen"] = len(latencies)
    row["latency_ms"] = spread(latencies, 1000)
    row["burst_writes_per_change"] = round(watch.writes / max(1, watch.changes), 2)
    row["burst"] = _blocks(watch, await gc_pauses(hass.session, hass.url, hass.token, started))
    row["blackhole_dropped"] = sim.blackhole.dropped

    for hub in (sim.blackhole.hub, sim.isymphony_events.hub):
        hub.faults.refuse_status = 503
        await hub.drop()
    await asyncio.sleep(10)  # every entry is back to polling
    sim.start_activity(interval=1.0)
    watch.reset()
    since, started = len(sim.requests), time.time()
    await asyncio.sleep(args.polling)
    sim.stop_activity()
    row["poll_requests_per_min"] = requests_per_minute(sim, since, args.polling)
    row["poll_writes_per_change"] = round(watch.writes / max(1, watch.changes), 2)
    row["poll"] = _blocks(watch, await gc_pauses(hass.session, hass.url, hass.token, started))
    return row


async def run(users: int, args: argparse.Namespace) -> None:
    """All measurements for one account size; one line of JSON."""
    isymphony_users = ISYMPHONY_USERS if users <= ISYMPHONY_USERS else 0
    sim = Simulator.scaled(users=users, isymphony_users=isymphony_users)
    await sim.start(LOOPBACK, 0)
    sim.kazoo.websocket_url_in_login = sim.blackhole_url
    row: dict[str, Any] = {"users": users, "isymphony_users": isymphony_users}
    try:
        async with running_hass(add_gc_probe) as hass:
            client, session, url, token = hass.client, hass.session, hass.url, hass.token
            specs = entry_specs(sim, isymphony=bool(isymphony_users))
            for spec in specs:
                await client.add_entry(spec)
            await settled_states(client)
            await _wait_connected(client, len(specs))
            entities, primary = await _registry(session, url, token, sim)
            watch = Watch(primary=primary)
            tasks = [
                asyncio.create_task(watch_states(session, url, token, watch)),
                asyncio.create_task(ping(session, url, token, watch)),
            ]
            try:
                await asyncio.sleep(2)
                row |= await _measure(sim, watch, entities, args, _Hass(session, url, token))
            finally:
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
    finally:
        await sim.stop()
    print(json.dumps(row), flush=True)  # noqa: T201 - the benchmark's report


async def main(args: argparse.Namespace) -> None:
    """Run every size."""
    for users in args.users:
        await run(users, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--rate", type=float, default=200.0, help="call events per second")
    parser.add_argument("--burst", type=float, default=10.0, help="seconds of burst")
    parser.add_argument("--steady", type=float, default=120.0, help="seconds of quiet push")
    parser.add_argument("--polling", type=float, default=60.0, help="seconds of polling")
    asyncio.run(main(parser.parse_args()))
