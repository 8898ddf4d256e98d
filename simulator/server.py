"""The :class:`Simulator`: both PBX APIs on one aiohttp server, with a request log."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import random
from typing import Any, Self

from aiohttp import web
from aiohttp.typedefs import Handler
from multidict import CIMultiDict

from . import activity
from .blackhole import BlackholeServer
from .common import text_response
from .demo import (
    DEMO_SEED,
    build_demo_isymphony,
    build_demo_kazoo,
    build_scaled_isymphony,
    build_scaled_kazoo,
)
from .faults import Faults
from .isymphony import ISymphonyState
from .isymphony_api import ISymphonyApi
from .isymphony_events import ISymphonyEvents
from .kazoo import KazooState
from .kazoo_api import KazooApi

# Handlers still running at stop (hang faults) get this long before being cancelled.
SHUTDOWN_TIMEOUT = 2.0


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str  # raw, still URL-encoded, without the query string
    query: dict[str, str]
    headers: CIMultiDict[str]
    body: bytes
    json: Any  # the parsed body, or None when it is not JSON
    remote: str | None


class Simulator:
    """A Kazoo (Flex UC) and iSymphony server with in-memory state.

    ``Simulator()`` has one Kazoo account and one iSymphony core server ("default") and
    no users; :meth:`demo` and :meth:`scaled` come with data.
    """

    def __init__(
        self,
        *,
        kazoo: KazooState | None = None,
        isymphony: ISymphonyState | None = None,
    ) -> None:
        """Serve the given states, or empty ones."""
        self.kazoo = kazoo or KazooState()
        if isymphony is None:
            isymphony = ISymphonyState()
            isymphony.add_core_server("default")
        self.isymphony = isymphony
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        # Benchmarks with huge request counts can turn the log off.
        self.record_requests = True
        # A reverse proxy in front of iSymphony that serves it under this path prefix
        # (e.g. "/pbx"): REST and the event websocket only answer below it.
        self.isymphony_path_prefix = ""
        # Kazoo's Blackhole websocket listens on a port of its own.
        self.blackhole = BlackholeServer(self.kazoo)
        self._kazoo_api = KazooApi(self.kazoo)
        # iSymphony's event websocket is on its REST port.
        self.isymphony_events = ISymphonyEvents()
        self._isymphony_api = ISymphonyApi(self.isymphony, self.isymphony_events)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._stopping = asyncio.Event()
        self._activity: asyncio.Task[None] | None = None
        self._activity_rng = random.Random()

    @classmethod
    def demo(cls, seed: int = DEMO_SEED) -> Self:
        """A realistic small office (see :mod:`simulator.demo`)."""
        return cls(kazoo=build_demo_kazoo(seed), isymphony=build_demo_isymphony(seed))

    @classmethod
    def scaled(
        cls,
        users: int = 1000,
        isymphony_users: int = 0,
        seed: int = DEMO_SEED,
        devices: int | None = None,
    ) -> Self:
        """Large data: ``users`` Kazoo users (``devices`` phones), ``isymphony_users``."""
        return cls(
            kazoo=build_scaled_kazoo(users, seed, devices),
            isymphony=build_scaled_isymphony(isymphony_users, seed),
        )

    # -- lifecycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of both APIs, e.g. ``http://127.0.0.1:41234``."""
        if self._url is None:
            raise RuntimeError("the simulator is not running")
        return self._url

    @property
    def blackhole_url(self) -> str:
        """Kazoo's Blackhole websocket, e.g. ``ws://127.0.0.1:41235``."""
        return self.blackhole.url

    @property
    def app(self) -> web.Application:
        """A fresh aiohttp application serving this simulator (for custom runners)."""
        return self._build_app()

    async def start(self, host: str = "127.0.0.1", port: int = 0, blackhole_port: int = 0) -> None:
        """Start serving; port 0 picks a free port (see :attr:`url`, :attr:`blackhole_url`)."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        self._stopping.clear()
        runner = web.AppRunner(
            self._build_app(), shutdown_timeout=SHUTDOWN_TIMEOUT, access_log=None
        )
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        url_host = f"[{host}]" if ":" in host else host
        self._url = f"http://{url_host}:{bound_port}"
        await self.blackhole.start(host, blackhole_port)

    async def stop(self) -> None:
        """Stop the activity and the server; hanging requests end at once."""
        self.stop_activity()
        self._stopping.set()
        await self.blackhole.stop()
        await self.isymphony_events.hub.drop()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._url = None

    async def __aenter__(self) -> Self:
        """Start on 127.0.0.1 and a free port."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop."""
        await self.stop()

    # -- activity ------------------------------------------------------------------

    def start_activity(self, interval: float = 2.0) -> None:
        """Make calls and statuses change every ``interval`` seconds in the background."""
        self.stop_activity()
        self._activity = asyncio.get_running_loop().create_task(
            activity.run(self.kazoo, self.isymphony, interval, self._activity_rng)
        )

    def stop_activity(self) -> None:
        """Stop the background activity (no-op when not running)."""
        if self._activity is not None:
            self._activity.cancel()
            self._activity = None

    def activity_step(self) -> None:
        """Make one random change, as the background activity does each interval."""
        activity.step(self.kazoo, self.isymphony, self._activity_rng)

    # -- HTTP ----------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self.faults.middleware(self._stopping)])
        # One catch-all route: each API parses the raw path itself, so encoded
        # slashes in names survive.
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.record_requests:
            body = await request.read()
            try:
                parsed: Any = json.loads(body) if body else None
            except ValueError:
                parsed = None
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.raw_path.split("?", 1)[0],
                    query=dict(request.query),
                    headers=CIMultiDict(request.headers),
                    body=body,
                    json=parsed,
                    remote=request.remote,
                )
            )
        return await handler(request)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        # Rebuild an API front end when a test swapped the state object.
        if self._kazoo_api.state is not self.kazoo:
            self._kazoo_api = KazooApi(self.kazoo)
        if self._isymphony_api.state is not self.isymphony:
            self._isymphony_api = ISymphonyApi(self.isymphony, self.isymphony_events)
        path = request.raw_path
        if path.startswith("/v2/"):
            return await self._kazoo_api.handle(request)
        if prefix := self.isymphony_path_prefix.rstrip("/"):
            if not path.startswith(f"{prefix}/communication_manager/"):
                return text_response("Not Found", status=404)
            return await self._isymphony_api.handle(
                request.clone(rel_url=request.rel_url.with_path(path.removeprefix(prefix)))
            )
        if path.startswith("/communication_manager/"):
            return await self._isymphony_api.handle(request)
        return text_response("Not Found", status=404)
