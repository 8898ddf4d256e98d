"""Run the simulator: ``python -m simulator [--port 8000] [--users N] ...``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .demo import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    DEMO_USERS,
    SCALED_FIRST_PASSWORD,
    SCALED_FIRST_USERNAME,
)
from .kazoo import RateLimit
from .server import Simulator


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulated Flex UC / Kazoo and iSymphony server for PBX Presence.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free)")
    parser.add_argument(
        "--presence-shape",
        choices=("legacy", "modern"),
        default="modern",
        help="shape of GET /presence: Kazoo 4.1+ (modern) or the seed's 4.0 (legacy)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        nargs=2,
        metavar=("BUCKET", "REFILL"),
        default=(100, 10),
        help="Kazoo 4.3 request bucket per client IP + account: size, refills per second",
    )
    parser.add_argument(
        "--no-rate-limit",
        action="store_true",
        help="no Kazoo request rate limit (as Kazoo 5.x for token logins)",
    )
    parser.add_argument(
        "--token-lifetime", type=float, default=3600, help="Kazoo token lifetime (s)"
    )
    parser.add_argument(
        "--users",
        type=int,
        default=None,
        help="serve scaled data with N Kazoo users instead of the demo office",
    )
    parser.add_argument(
        "--devices",
        type=int,
        default=None,
        help="Kazoo devices with --users (default: one per user)",
    )
    parser.add_argument(
        "--isymphony-users",
        type=int,
        default=None,
        help="iSymphony users with --users (default: half of N)",
    )
    parser.add_argument(
        "--activity",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="random calls and status changes in the background",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every response"
    )
    parser.add_argument(
        "--blackhole-port", type=int, default=0, help="Kazoo Blackhole websocket port (0: free)"
    )
    parser.add_argument(
        "--blackhole-version",
        choices=("4.3", "5"),
        default="4.3",
        help="Blackhole as in Kazoo 4.3 (call and object events) or 5.x (also presence)",
    )
    parser.add_argument(
        "--announce-websocket",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="name the Blackhole URL in the login reply, as a provider's UI settings can",
    )
    parser.add_argument(
        "--isymphony-config-api",
        choices=("rest", "resource", "none"),
        default="rest",
        help="iSymphony's Config API under rest/config (getByName), under api/resource "
        "(getBySlug, as FreePBX's module uses it), or none (older servers)",
    )
    parser.add_argument(
        "--isymphony-path-prefix",
        default="",
        help="serve iSymphony (REST and events) below this path, as a reverse proxy can, e.g. /pbx",
    )
    return parser.parse_args(argv)


def _banner(sim: Simulator, *, scaled: bool) -> str:
    kazoo = sim.kazoo
    login = (
        (SCALED_FIRST_USERNAME, SCALED_FIRST_PASSWORD)
        if scaled
        else (DEMO_USERS[0].username, DEMO_USERS[0].password)
    )
    isymphony = sim.isymphony
    prefix = sim.isymphony_path_prefix.rstrip("/")
    core_servers = ", ".join(isymphony.core_servers) or "(none)"
    api_key = kazoo.api_keys[0] if kazoo.api_keys else "(none)"
    return "\n".join(
        (
            f"PBX simulator listening on {sim.url}",
            "",
            "Flex UC / Kazoo",
            f"  base URL:     {sim.url}  (API under /v2/)",
            f"  account:      {kazoo.account_name} (id {kazoo.account_id}, realm {kazoo.realm})",
            f"  user login:   username {login[0]!r}, password {login[1]!r}, "
            f"account name {kazoo.account_name!r}",
            f"  admin login:  username {ADMIN_USERNAME!r}, password {ADMIN_PASSWORD!r}",
            f"  API key:      {api_key}",
            f"  presence:     {kazoo.presence_shape} shape, token lifetime "
            f"{kazoo.token_lifetime:g} s",
            f"  rate limit:   {_rate_limit_text(kazoo.rate_limit)}",
            f"  websocket:    {sim.blackhole_url} (Blackhole {kazoo.blackhole_version}"
            + (", named at login)" if kazoo.websocket_url_in_login else ")"),
            "",
            "iSymphony",
            f"  base URL:     {sim.url}{prefix}/communication_manager/rest/live/coreServers/",
            f"  events:       {sim.url.replace('http', 'ws', 1)}{prefix}"
            "/communication_manager/ws/event",
            f"  core servers: {core_servers}",
            f"  manager:      username {isymphony.username!r}, password {isymphony.password!r}",
            f"  allowed IPs:  {', '.join(sorted(isymphony.allowed_ips))}",
            "",
            "Press Ctrl-C to stop.",
            "",
        )
    )


def _rate_limit_text(limit: RateLimit | None) -> str:
    if limit is None:
        return "off"
    return f"{limit.capacity} requests, +{limit.refill_per_second:g}/s (per IP + account)"


async def _serve(args: argparse.Namespace) -> None:
    scaled = args.users is not None
    if scaled:
        isymphony_users = (
            args.isymphony_users if args.isymphony_users is not None else args.users // 2
        )
        sim = Simulator.scaled(
            users=args.users, isymphony_users=isymphony_users, devices=args.devices
        )
    else:
        sim = Simulator.demo()
    sim.kazoo.presence_shape = args.presence_shape
    sim.kazoo.token_lifetime = args.token_lifetime
    bucket, refill = args.rate_limit
    sim.kazoo.rate_limit = None if args.no_rate_limit else RateLimit(int(bucket), refill)
    sim.faults.latency = args.latency
    sim.isymphony.config_api = args.isymphony_config_api != "none"
    if args.isymphony_config_api != "none":
        sim.isymphony.config_api_family = args.isymphony_config_api
    sim.isymphony_path_prefix = args.isymphony_path_prefix
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not every platform lets asyncio handle signals; Ctrl-C still interrupts.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    sim.kazoo.blackhole_version = args.blackhole_version
    await sim.start(host=args.host, port=args.port, blackhole_port=args.blackhole_port)
    if args.announce_websocket:
        sim.kazoo.websocket_url_in_login = sim.blackhole_url
    try:
        if args.activity:
            sim.start_activity()
        sys.stdout.write(_banner(sim, scaled=scaled))
        sys.stdout.flush()
        await stop.wait()
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_parse_args(argv)))


if __name__ == "__main__":
    main()
