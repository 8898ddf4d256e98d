"""CPU per pushed call event, in the integration's own code, for a large Kazoo account.

Run: `.venv/bin/python -m benchmarks.apply [--users 1000 5000] [--calls 400]`.

It starts the scaled simulator on loopback, loads the directory as the integration does,
then places `--calls` internal calls between random phones (each rings, is answered and
ends), records the Blackhole events the simulator publishes for them, and feeds them one at
a time through what Home Assistant runs per event batch: the backend's `apply_events`, the
import filter (with an include pattern, so it does real work), `settle` and the call/status
comparison that fires event entities. Reported: CPU time per event (median, p95, max) and
the number of presentities compared per event; one line of JSON per account size. Home
Assistant's own work (state writes of the entities that changed) is not in the figure:
it is the same whatever the account's size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from typing import Any

import aiohttp

from custom_components.pbx_presence.backends.base import utcnow
from custom_components.pbx_presence.backends.kazoo.adapter import KazooBackend
from custom_components.pbx_presence.changes import settle, snapshot_events
from custom_components.pbx_presence.const import CONF_INCLUDE
from custom_components.pbx_presence.import_filter import ImportFilter
from custom_components.pbx_presence.pbx.kazoo import KazooClient, UserCredentials
from custom_components.pbx_presence.pbx.kazoo.blackhole import KazooCallEvent
from custom_components.pbx_presence.pbx.kazoo.client import RequestPacer
from simulator import Simulator


def _recorded_calls(sim: Simulator, calls: int) -> list[KazooCallEvent]:
    """The call events of `calls` internal calls between random phones, in order."""
    kazoo = sim.kazoo
    heard: list[Any] = []
    kazoo.event_listeners.append(heard.append)
    phones = sorted(kazoo.devices)
    pick = random.Random(4321)  # noqa: S311 - the same calls every run, not a secret
    for _ in range(calls):
        caller, callee = pick.sample(phones, 2)
        legs = kazoo.start_internal_call(caller, callee)
        kazoo.answer(legs[1])
        for leg in legs:
            kazoo.hangup(leg)
    kazoo.event_listeners.remove(heard.append)
    return [KazooCallEvent.from_event(e.name, e.data) for e in heard if e.routing[0] == "call"]


async def measure(users: int, calls: int) -> dict[str, Any]:
    """Per-event CPU for one account size."""
    sim = Simulator.scaled(users=users)
    sim.kazoo.rate_limit = None
    await sim.start()
    try:
        async with aiohttp.ClientSession() as session:
            backend = KazooBackend(
                KazooClient(
                    session,
                    sim.url,
                    UserCredentials.from_password("admin", "admin-secret", "acme"),
                    request_timeout=60,
                )
            )
            backend.client.pacer = RequestPacer(burst=1_000_000)
            await backend.async_identify()
            unfiltered = await backend.async_fetch()
    finally:
        await sim.stop()
    events = _recorded_calls(sim, calls)
    # An include pattern that keeps most of the account: the filter works on every change.
    import_filter = ImportFilter.from_options({CONF_INCLUDE: ["*"]})
    shown, _ = settle(None, import_filter.apply(unfiltered))
    cpu: list[float] = []
    looked_at: list[int] = []
    for event in events:
        started = time.process_time()
        result = backend.apply_events([event])
        if result.snapshot is not None:
            filtered = import_filter.apply(result.snapshot, result.touched, shown)
            new, changed = settle(shown, filtered, result.touched)
            if new is not shown:
                snapshot_events(shown, new, utcnow(), changed)
                shown = new
            looked_at.append(len(result.touched) if result.touched is not None else users)
        cpu.append(time.process_time() - started)
    cpu.sort()
    return {
        "users": users,
        "presentities": len(shown.presentities),
        "events": len(events),
        "cpu_ms_median": round(statistics.median(cpu) * 1000, 3),
        "cpu_ms_p95": round(cpu[int(len(cpu) * 0.95)] * 1000, 3),
        "cpu_ms_max": round(cpu[-1] * 1000, 3),
        "presentities_compared_max": max(looked_at, default=0),
    }


async def main(sizes: list[int], calls: int) -> None:
    """One line of JSON per account size."""
    for users in sizes:
        print(json.dumps(await measure(users, calls)))  # noqa: T201 - the report is the point


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.calls))
