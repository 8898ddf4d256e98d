"""How long one poll takes, and how much memory it holds, for a large account.

Run: `.venv/bin/python -m benchmarks.poll [--users 5000] [--isymphony-users 2000]`.
It starts the scaled simulator on loopback, sets up both adapters as the integration
does, and reports the directory load, the median and worst poll time, the requests per
poll and the memory a snapshot keeps.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import statistics
import time
import tracemalloc

import aiohttp

from custom_components.pbx_presence.backends.isymphony.adapter import (
    ISymphonyBackend,
)
from custom_components.pbx_presence.backends.kazoo.adapter import KazooBackend
from custom_components.pbx_presence.backends.snapshot import Snapshot
from custom_components.pbx_presence.pbx.isymphony import ISymphonyClient
from custom_components.pbx_presence.pbx.kazoo import KazooClient, UserCredentials
from custom_components.pbx_presence.pbx.kazoo.client import RequestPacer
from simulator import Simulator

ROUNDS = 10


async def _measure(name: str, sim: Simulator, fetch: Callable[[], Awaitable[Snapshot]]) -> None:
    sim.requests.clear()
    started = time.perf_counter()
    await fetch()
    first = time.perf_counter() - started
    first_requests = len(sim.requests)
    durations = []
    for _ in range(ROUNDS):
        sim.requests.clear()
        started = time.perf_counter()
        await fetch()
        durations.append(time.perf_counter() - started)
    per_poll = len(sim.requests)
    tracemalloc.start()
    snapshot = await fetch()
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(  # noqa: T201 - the report is the point
        f"{name}: first poll {first * 1000:.0f} ms ({first_requests} requests); "
        f"then median {statistics.median(durations) * 1000:.0f} ms, "
        f"worst {max(durations) * 1000:.0f} ms, {per_poll} requests per poll; "
        f"{len(snapshot.presentities)} presentities, snapshot holds {held / 1e6:.1f} MB"
    )


async def main(users: int, isymphony_users: int) -> None:
    """Benchmark both adapters against a scaled simulator."""
    sim = Simulator.scaled(users=users, isymphony_users=isymphony_users)
    # Back-to-back polls measure the work, not Kazoo 4.3's request limit (real polls are 5 s
    # apart, well inside it); `benchmarks.directory` measures a setup inside the limit.
    sim.kazoo.rate_limit = None
    await sim.start()
    try:
        async with aiohttp.ClientSession() as session:
            kazoo = KazooBackend(
                KazooClient(
                    session,
                    sim.url,
                    UserCredentials.from_password("admin", "admin-secret", "acme"),
                    request_timeout=60,
                )
            )
            kazoo.client.pacer = RequestPacer(burst=1_000_000)
            await kazoo.async_identify()
            await _measure(f"Kazoo, {users} users", sim, kazoo.async_fetch)
            isymphony = ISymphonyBackend(
                ISymphonyClient(session, sim.url, "manager", "manag3rpa55word", request_timeout=60),
                "default",
            )
            await _measure(f"iSymphony, {isymphony_users} users", sim, isymphony.async_fetch)
    finally:
        await sim.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--isymphony-users", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.isymphony_users))
