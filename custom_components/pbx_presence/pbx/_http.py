"""The HTTP exchange both clients share: timeout, transport errors and reply decoding."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import json
import socket
from typing import Any
from urllib.parse import quote

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from .errors import PbxConnectionError, PbxResponseError, PbxTimeoutError

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Reply:
    """A server's reply, read in full."""

    status: int
    headers: CIMultiDictProxy[str]
    text: str

    def json(self) -> Any:
        """Decode the body as JSON, or raise PbxResponseError."""
        try:
            return json.loads(self.text)
        except ValueError:
            raise PbxResponseError(
                f"The server's reply (HTTP {self.status}) is not valid JSON"
            ) from None

    def retry_after(self) -> float | None:
        """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
        value = self.headers.get("Retry-After")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())


def build_url(base: URL, *segments: str) -> URL:
    """Append path segments to `base`, percent-encoding each one whole.

    Extensions such as `*3101` and user names with spaces or slashes stay one segment.
    """
    path = "/".join(quote(segment, safe="") for segment in segments)
    return base.with_path(f"{base.path.rstrip('/')}/{path}", encoded=True)


async def send(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    *,
    timeout: float,
    headers: dict[str, str],
    body: Any = None,
    auth: aiohttp.BasicAuth | None = None,
) -> Reply:
    """Send one request and read the reply, mapping transport failures to our errors."""
    data = None if body is None else json.dumps(body)
    try:
        async with asyncio.timeout(timeout):
            async with session.request(
                method,
                url,
                headers=headers,
                data=data,
                auth=auth,
                allow_redirects=False,
            ) as response:
                text = await response.text(errors="replace")
                return Reply(response.status, response.headers, text)
    except TimeoutError as err:
        raise PbxTimeoutError(f"No answer from {url.host} within {timeout:g} s") from err
    except (aiohttp.ClientError, socket.gaierror, OSError) as err:
        raise PbxConnectionError(f"Cannot talk to {url.host}: {type(err).__name__}") from err
