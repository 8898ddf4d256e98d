"""Fault injection: latency, error statuses, rate limits, bad bodies, drops and hangs.

Faults apply before routing, so they hit both APIs and unknown paths alike. Kazoo paths
(``/v2/...``) get Crossbar's error envelope; everything else gets plain text, like
iSymphony.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal, get_args

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from .common import text_response
from .kazoo_api import kazoo_error

type FaultKind = Literal["status", "rate_limit", "malformed", "drop", "hang"]

HANG_SECONDS = 30.0
MALFORMED_BODY = b'{"data": ['
# Crossbar's error names for the statuses a fault may use.
KAZOO_MESSAGES = {
    400: "bad_request",
    401: "invalid_credentials",
    403: "forbidden",
    404: "bad_identifier",
    409: "conflicting_docs",
    416: "range_not_satisfiable",
    423: "locked",
    429: "too_many_requests",
    500: "datastore_fault",
    503: "datastore_unreachable",
}


@dataclass
class Fault:
    """One injected fault; ``remaining`` None means it never runs out."""

    kind: FaultKind
    remaining: int | None
    path_contains: str | None
    status: int
    retry_after: float | None

    def matches(self, request: web.Request) -> bool:
        """Whether this fault applies to the request (raw or decoded path)."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        needle = self.path_contains
        return needle is None or needle in request.raw_path or needle in request.path


class Faults:
    """The faults to inject; ``latency`` (seconds) delays every response."""

    def __init__(self) -> None:
        """Start with no faults and no latency."""
        self.latency: float = 0.0
        self.active: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        *,
        count: int | None = 1,
        path_contains: str | None = None,
        status: int = 500,
        retry_after: float | None = None,
    ) -> Fault:
        """Inject a fault into the next ``count`` matching requests (None: all)."""
        if kind not in get_args(FaultKind.__value__):
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind, count, path_contains, status, retry_after)
        self.active.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault and the latency."""
        self.active.clear()
        self.latency = 0.0

    def take(self, request: web.Request) -> Fault | None:
        """Return the first fault matching the request, using up one of its count."""
        for fault in self.active:
            if fault.matches(request):
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        return None

    def middleware(self, stopping: asyncio.Event) -> Middleware:
        """Build the aiohttp middleware; ``stopping`` ends hangs and delays early."""

        @web.middleware
        async def inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
            if self.latency > 0:
                await _sleep_unless(stopping, self.latency)
            fault = self.take(request)
            if fault is None:
                return await handler(request)
            return await _apply(fault, request, stopping)

        return inject_faults


async def _sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


def _drop(request: web.Request) -> web.Response:
    # Closing the transport before anything is written makes the client see a
    # disconnected server; the returned response is never sent.
    if request.transport is not None:
        request.transport.close()
    return web.Response()


async def _apply(fault: Fault, request: web.Request, stopping: asyncio.Event) -> web.StreamResponse:
    if fault.kind == "drop":
        return _drop(request)
    status = fault.status
    if fault.kind == "hang":
        await _sleep_unless(stopping, HANG_SECONDS)
        if not stopping.is_set():
            return _drop(request)
        # The server is stopping: answer, and let aiohttp close the connection in
        # order (a transport closed after the server is gone upsets asyncio).
        status = 503
    if fault.kind == "malformed":
        return web.Response(body=MALFORMED_BODY, content_type="application/json")
    headers: dict[str, str] = {}
    if fault.kind == "rate_limit":
        status = 429
        retry_after = fault.retry_after if fault.retry_after is not None else 1
        headers["Retry-After"] = f"{retry_after:g}"
    if request.path.startswith("/v2/"):
        message = KAZOO_MESSAGES.get(status) or _reason(status).lower().replace(" ", "_")
        return kazoo_error(request, status, message, headers=headers)
    return text_response(_reason(status), status=status, headers=headers)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
