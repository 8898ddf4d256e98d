"""Small helpers shared by both simulated APIs."""

from __future__ import annotations

import json
import random
import time
from typing import Any
from urllib.parse import unquote
import uuid

from aiohttp import web

# Kazoo counts time in Gregorian seconds (since year 0), not Unix seconds.
GREGORIAN_OFFSET = 62167219200


def gregorian_now() -> int:
    """Return the current time in Gregorian seconds, as Kazoo reports it."""
    return int(time.time()) + GREGORIAN_OFFSET


def hex_id(rng: random.Random) -> str:
    """Return a 32 hex digit id, the shape of Kazoo document ids."""
    return f"{rng.getrandbits(128):032x}"


def uuid4(rng: random.Random) -> str:
    """Return a UUID4 string drawn from ``rng`` (deterministic when seeded)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def split_path(raw_path: str) -> list[str]:
    """Split a raw (still URL-encoded) path into decoded segments.

    Decoding each segment only after splitting keeps an encoded ``/`` (``%2F``) inside
    its segment, which matters for iSymphony usernames.
    """
    path = raw_path.split("?", 1)[0]
    # Empty segments are kept, so a trailing or doubled slash matches no route.
    return [unquote(part) for part in path.split("/")[1:]]


def json_response(
    payload: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Answer with ``payload`` serialised as JSON."""
    return web.Response(
        status=status,
        body=json.dumps(payload).encode(),
        content_type="application/json",
        headers=headers,
    )


def text_response(text: str, *, status: int, headers: dict[str, str] | None = None) -> web.Response:
    """Answer with a plain text sentence, the way iSymphony reports errors."""
    return web.Response(status=status, text=text, content_type="text/plain", headers=headers)
