"""First setup of a large Flex UC / Kazoo 4.3 account, inside its request rate limit.

Run: `.venv/bin/python -m benchmarks.directory [--users 1000] [--devices 1200]`.
It starts the scaled simulator on loopback with Kazoo 4.3's rate limit (a bucket of 100
requests per client IP + account, refilled at 10 per second), then does what setting up
an entry does (identify, directory, first poll) and reports the time, the requests sent,
the 429s received and whether every user and phone is present; then one directory
reload.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp

from custom_components.pbx_presence.backends.kazoo.adapter import KazooBackend
from custom_components.pbx_presence.backends.snapshot import PresentityKind
from custom_components.pbx_presence.pbx import PbxError
from custom_components.pbx_presence.pbx.kazoo import KazooClient, UserCredentials
from simulator import Simulator


async def main(users: int, devices: int) -> bool:
    """Set up against a scaled 4.3 account; return whether every phone was present."""
    sim = Simulator.scaled(users=users, devices=devices)
    kazoo = sim.kazoo
    await sim.start()
    try:
        async with aiohttp.ClientSession() as session:
            adapter = KazooBackend(
                KazooClient(
                    session,
                    sim.url,
                    UserCredentials.from_password("admin", "admin-secret", "acme"),
                    request_timeout=60,
                )
            )
            started = time.perf_counter()
            try:
                await adapter.async_identify()
                snapshot = await adapter.async_fetch()
            except PbxError as err:
                print(  # noqa: T201 - the report is the point
                    f"setup FAILED after {time.perf_counter() - started:.1f} s, "
                    f"{len(sim.requests)} requests, {kazoo.rate_limited} x 429: {err!r}"
                )
                return False
            elapsed = time.perf_counter() - started
            phones = {
                p.server_id
                for p in snapshot.presentities.values()
                if p.kind is PresentityKind.PHONE
            }
            people = sum(p.kind is PresentityKind.USER for p in snapshot.presentities.values())
            complete = phones == set(kazoo.devices) and people == len(kazoo.users)
            print(  # noqa: T201
                f"{len(kazoo.users)} users, {len(kazoo.devices)} devices: first setup "
                f"{elapsed:.1f} s, {len(sim.requests)} requests, {kazoo.rate_limited} x 429; "
                f"{len(phones)} phones, {people} users present"
                f"{'' if complete else ' (INCOMPLETE)'}"
            )
            sim.requests.clear()
            limited = kazoo.rate_limited
            started = time.perf_counter()
            await adapter.async_load_directory()
            print(  # noqa: T201
                f"directory reload: {time.perf_counter() - started:.1f} s, "
                f"{len(sim.requests)} requests, {kazoo.rate_limited - limited} x 429"
            )
            return complete
    finally:
        await sim.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=1200)
    args = parser.parse_args()
    raise SystemExit(0 if asyncio.run(main(args.users, args.devices)) else 1)
