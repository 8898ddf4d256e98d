"""Async client for the Flex UC / Kazoo Crossbar v2 API (presence and call state)."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import hashlib
import json
import time
from typing import Any

import aiohttp
from yarl import URL

from .._http import DEFAULT_TIMEOUT, Reply, build_url, send
from .._parse import as_object, parse_list
from ..errors import (
    PbxAccountDisabledError,
    PbxAuthenticationError,
    PbxError,
    PbxForbiddenError,
    PbxMultiFactorRequiredError,
    PbxNotFoundError,
    PbxNotTheApiError,
    PbxRateLimitError,
    PbxRefusedError,
    PbxResponseError,
    PbxUnknownApiKeyError,
    PbxValidationError,
)
from .blackhole import BlackholeSocket
from .extensions import is_resettable_extension
from .models import (
    AccountIdentifier,
    CredentialsMethod,
    KazooAccount,
    KazooAuth,
    KazooChannel,
    KazooDevice,
    KazooDeviceStatus,
    KazooPresenceList,
    KazooUser,
    KazooVoicemailBox,
    PresenceState,
)
from .parking import KazooCallflow, KazooParkedCall, parse_parked_calls

# Log in again in the last fifth of the token's lifetime, but no earlier than this before
# its `exp`: a provider's short lifetime must not mean a login before every request.
TOKEN_RENEW_FRACTION = 0.2
TOKEN_RENEW_MARGIN = timedelta(minutes=5)
PAGE_SIZE = 500
# Blackhole listens here (plain; 5556 with TLS), unless the login reply names a URL.
BLACKHOLE_PORT = 5555
# Kazoo 4.3 charges every request to a bucket of 100, refilled at 10/s, per client IP +
# account, and answers 429 without Retry-After when it is empty. That bucket is shared with
# every other client of the account seen from the same address (Monster UI in the office,
# or everyone behind an unlisted reverse proxy): take at most half of it in a burst and a
# third of its refill rate.
PACE_BURST = 50
PACE_PER_SECOND = 3.0
# Waits before retrying a request refused with 429; then PbxRateLimitError.
RATE_LIMIT_BACKOFF = (1.0, 2.0, 4.0, 8.0)
# A Retry-After longer than this is left to the caller (the coordinator waits it out).
RATE_LIMIT_MAX_WAIT = 5.0


def credentials_hash(
    username: str, password: str, method: CredentialsMethod = CredentialsMethod.MD5
) -> str:
    """Hash `username:password` as Kazoo's user login expects (username lowercased)."""
    secret = f"{username.lower()}:{password}".encode()
    if method is CredentialsMethod.SHA:
        return hashlib.sha1(secret, usedforsecurity=False).hexdigest()
    return hashlib.md5(secret, usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class UserCredentials:
    """A Kazoo user login. Only the hash is kept: it is all a re-login needs."""

    credentials: str = field(repr=False)
    account: str
    identifier: AccountIdentifier = AccountIdentifier.ACCOUNT_NAME
    method: CredentialsMethod = CredentialsMethod.MD5

    @classmethod
    def from_password(
        cls,
        username: str,
        password: str,
        account: str,
        identifier: AccountIdentifier = AccountIdentifier.ACCOUNT_NAME,
        method: CredentialsMethod = CredentialsMethod.MD5,
    ) -> UserCredentials:
        """Hash a username and password into user credentials."""
        return cls(credentials_hash(username, password, method), account, identifier, method)


@dataclass(frozen=True, slots=True)
class ApiKeyCredentials:
    """A Kazoo API-key login."""

    api_key: str = field(repr=False)


type KazooCredentials = UserCredentials | ApiKeyCredentials


def token_expiry(token: str) -> datetime | None:
    """Read the `exp` claim of a JWT token (no signature check), or None if it has none."""
    parts = token.split(".")
    if len(parts) != 3:  # header.payload.signature
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    return datetime.fromtimestamp(exp, tz=UTC)


class RequestPacer:
    """A token bucket shared by all requests of one client: bursts stay under the server's.

    Each request reserves a token; when none is left it waits until its token refills.
    """

    def __init__(self, burst: int = PACE_BURST, per_second: float = PACE_PER_SECOND) -> None:
        """Start with a full bucket."""
        self._burst = burst
        self._per_second = per_second
        self._tokens = float(burst)
        self._updated = time.monotonic()

    async def acquire(self) -> None:
        """Take one token, waiting for it if the bucket is empty."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._per_second)
        self._updated = now
        self._tokens -= 1
        if self._tokens < 0:
            await asyncio.sleep(-self._tokens / self._per_second)

    def drain(self) -> None:
        """The server's bucket ran dry (429): start refilling from empty."""
        self._tokens = min(self._tokens, 0.0)


def normalize_base_url(url: str) -> URL:
    """Accept `https://host:8000`, with or without a path prefix or a trailing `/v2`."""
    base = URL(url.strip())
    path = base.path.rstrip("/")
    path = path.removesuffix("/v2")
    return base.with_path(path or "/").with_query(None).with_fragment(None)


class KazooClient:
    """A Kazoo / Flex UC Crossbar client for one account.

    Logs in on first use, renews the token shortly before it expires and logs in once
    more when a request meets a 401. Paces its requests under Kazoo 4.3's rate limit and
    retries a request refused with 429 after a growing wait.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        credentials: KazooCredentials,
        *,
        request_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session and credentials; nothing is sent until the first call."""
        self._session = session
        self._base = normalize_base_url(url)
        self._credentials = credentials
        self._timeout = request_timeout
        self._auth: KazooAuth | None = None
        self._logged_in_at = datetime.now(UTC)
        self._login_lock = asyncio.Lock()
        self.pacer = RequestPacer()

    @property
    def auth(self) -> KazooAuth | None:
        """The current login, if any."""
        return self._auth

    @property
    def account_id(self) -> str:
        """The account id of the current login."""
        if self._auth is None:
            raise PbxAuthenticationError("Not logged in")
        return self._auth.account_id

    # --- authentication -----------------------------------------------------------------

    async def login(self) -> KazooAuth:
        """Log in now (user credentials or API key) and keep the token."""
        if isinstance(self._credentials, ApiKeyCredentials):
            path, payload = "api_auth", {"api_key": self._credentials.api_key}
        else:
            creds = self._credentials
            path = "user_auth"
            payload = {
                "credentials": creds.credentials,
                "method": creds.method.value,
                creds.identifier.value: creds.account,
            }
        logged_in_at = datetime.now(UTC)
        api_key = isinstance(self._credentials, ApiKeyCredentials)
        try:
            reply = await self._send("PUT", ("v2", path), body={"data": payload})
        except PbxNotFoundError as err:
            if api_key:
                raise PbxUnknownApiKeyError("The server does not know this API key") from err
            raise PbxNotTheApiError(
                "The URL does not lead to the Crossbar API (the login was not found)"
            ) from err
        except PbxValidationError as err:
            if api_key:  # Kazoo checks the key's length before it looks it up
                raise PbxUnknownApiKeyError(f"The server refused this API key ({err})") from err
            raise
        envelope = self._envelope(reply)
        token = envelope.get("auth_token")
        expires_at = token_expiry(token) if isinstance(token, str) else None
        self._auth = KazooAuth.from_api(envelope, expires_at)
        self._logged_in_at = logged_in_at
        return self._auth

    async def _ensure_login(self, stale: KazooAuth | None = None) -> KazooAuth:
        """Return a usable login, logging in when there is none or it is about to expire.

        `stale` is a login the server just refused; it is replaced unless another task
        already did so.
        """
        async with self._login_lock:
            auth = self._auth
            if auth is None or auth is stale or self._expires_soon(auth):
                auth = await self.login()
            return auth

    def _expires_soon(self, auth: KazooAuth) -> bool:
        """Whether the token is in the last fifth of its lifetime (at most 5 min before)."""
        if auth.expires_at is None:
            return False
        lifetime = auth.expires_at - self._logged_in_at
        margin = min(lifetime * TOKEN_RENEW_FRACTION, TOKEN_RENEW_MARGIN)
        return datetime.now(UTC) >= auth.expires_at - margin

    # --- Blackhole websocket -----------------------------------------------------------

    @property
    def websocket_url(self) -> str:
        """Blackhole's URL: as the login reply names it, else port 5555 of the API's host."""
        if self._auth is not None and self._auth.websocket_url:
            return self._auth.websocket_url
        scheme = "wss" if self._base.scheme == "https" else "ws"
        return str(URL.build(scheme=scheme, host=self._base.host or "", port=BLACKHOLE_PORT))

    async def has_presence_bindings(self) -> bool:
        """Whether Blackhole offers presence bindings (5.x): `GET /v2/websockets`, no token."""
        reply = await self._send("GET", ("v2", "websockets"))
        data = self._envelope(reply).get("data")
        return isinstance(data, Mapping) and "presence" in data

    def blackhole(self, url: str | None = None) -> BlackholeSocket:
        """A Blackhole socket for this account (log in first); `url` overrides where."""

        async def token() -> str:
            return (await self._ensure_login()).token

        return BlackholeSocket(
            self._session, url or self.websocket_url, account_id=self.account_id, token=token
        )

    # --- account, users, devices ----------------------------------------------------------

    async def get_account(self) -> KazooAccount:
        """Get the account's name and SIP realm."""
        return KazooAccount.from_api(await self._account_get())

    async def get_users(self) -> list[KazooUser]:
        """List every user of the account (all pages)."""
        return [KazooUser.from_api(item) for item in await self._paginate("users")]

    async def get_devices(self) -> list[KazooDevice]:
        """List every device of the account (all pages). The list has no presence_id."""
        return [KazooDevice.from_api(item) for item in await self._paginate("devices")]

    async def get_device_ids_with_presence_id(self) -> set[str]:
        """Ids of the devices that have a `presence_id` (a filtered list, all pages).

        The list view still has no `presence_id` value: read those with `get_device`.
        """
        return await self._device_ids_having("presence_id")

    async def get_hotdesked_device_ids(self) -> set[str]:
        """Ids of the devices users are hotdesked on (read them for `hotdesk.users`)."""
        return await self._device_ids_having("hotdesk.users")

    async def _device_ids_having(self, key: str) -> set[str]:
        """Ids of the devices whose full document has `key` (Crossbar matches it there)."""
        items = await self._paginate("devices", {"has_key": key})
        return {KazooDevice.from_api(item).id for item in items}

    async def get_user(self, user_id: str) -> KazooUser:
        """Get one user (the whole document)."""
        return KazooUser.from_api(await self._account_get("users", user_id))

    async def get_device(self, device_id: str) -> KazooDevice:
        """Get one device, including its `presence_id`."""
        return KazooDevice.from_api(await self._account_get("devices", device_id))

    async def get_device_ids_with_own_controls(self) -> set[str]:
        """Ids of the devices with a `do_not_disturb` or `call_forward` of their own.

        Two filtered lists (Crossbar has no OR filter); read those devices for the values.
        """
        dnd, forward = await asyncio.gather(
            self._device_ids_having("do_not_disturb"), self._device_ids_having("call_forward")
        )
        return dnd | forward

    async def patch_user(self, user_id: str, data: Mapping[str, Any]) -> KazooUser:
        """Merge `data` into a user (Crossbar's PATCH) and return the saved document.

        Objects merge key by key, so `{"call_forward": {"enabled": true}}` keeps the
        number. Kazoo validates the merged document: a refusal is PbxValidationError.
        """
        body = {"data": dict(data)}
        return KazooUser.from_api(
            await self._account_request("PATCH", ("users", user_id), body=body)
        )

    async def patch_device(self, device_id: str, data: Mapping[str, Any]) -> KazooDevice:
        """Merge `data` into a device (Crossbar's PATCH) and return the saved document."""
        body = {"data": dict(data)}
        reply = await self._account_request("PATCH", ("devices", device_id), body=body)
        return KazooDevice.from_api(reply)

    async def get_device_statuses(self) -> list[KazooDeviceStatus]:
        """List registration states; only registered devices appear."""
        data = await self._account_get("devices", "status")
        return parse_list(data, "device statuses", KazooDeviceStatus.from_api)

    async def get_channels(self) -> list[KazooChannel]:
        """List the live calls of the account."""
        return parse_list(await self._account_get("channels"), "channels", KazooChannel.from_api)

    async def get_voicemail_boxes(self) -> list[KazooVoicemailBox]:
        """List the account's voicemail boxes (all pages), each with its new-message count."""
        return [KazooVoicemailBox.from_api(item) for item in await self._paginate("vmboxes")]

    # --- click-to-call and parking -----------------------------------------------------

    async def quickcall(
        self, kind: str, endpoint_id: str, number: str, *, auto_answer: bool = False
    ) -> None:
        """Ring a user's phones (`kind` "users") or a device ("devices"), then dial `number`.

        `GET .../quickcall/{number}`: Kazoo answers 202 at once and does not say whether a
        phone rang (a phone that is not registered never does). `auto_answer` is Kazoo's
        and defaults to true there; here it is false unless asked, or a desk phone would
        pick up on its speaker. No phone it can ring (disabled, do not disturb, none):
        PbxRefusedError.
        """
        params = {"auto_answer": "true" if auto_answer else "false"}
        try:
            await self._account_request(
                "GET", (kind, endpoint_id, "quickcall", number), params=params
            )
        except PbxResponseError as err:
            if err.status == 500:
                raise PbxRefusedError("The server found no phone to ring") from err
            raise

    async def get_parked_calls(self) -> list[KazooParkedCall]:
        """The calls waiting in park slots (a slot is listed only while one waits)."""
        return parse_parked_calls(await self._account_get("parked_calls"))

    async def get_callflows(self) -> list[KazooCallflow]:
        """Every callflow of the account (all pages): numbers, patterns and modules."""
        return [KazooCallflow.from_api(item) for item in await self._paginate("callflows")]

    # --- presence -------------------------------------------------------------------------

    async def get_presence(
        self, event: str | None = None, *, subscriptions: bool = True
    ) -> KazooPresenceList:
        """List who watches which extension, in either of the two reply shapes.

        `subscriptions=False` keeps only the watcher counts of the legacy shape.
        """
        params = {"event": event} if event else None
        data = await self._account_get("presence", params=params)
        return KazooPresenceList.from_api(data, subscriptions=subscriptions)

    async def reset_extension(self, extension: str) -> str:
        """Reset (flush) the presence of any extension, e.g. a park slot like `*3101`.

        Refuses, before sending, anything but a real extension (see `extensions`).
        """
        if not is_resettable_extension(extension):
            raise PbxValidationError("Not an extension that can safely be reset")
        return await self._presence_command(("presence", extension), {"action": "reset"})

    async def reset_device(self, device_id: str) -> str:
        """Reset the presence of a device's own presence_id."""
        return await self._presence_command(("devices", device_id, "presence"), {"action": "reset"})

    async def set_device_presence(self, device_id: str, state: PresenceState) -> str:
        """Override the BLF state of a device's presence_id."""
        return await self._presence_command(
            ("devices", device_id, "presence"), {"action": "set", "state": state.value}
        )

    async def reset_user(self, user_id: str) -> str:
        """Reset the presence of a user (its presence_id, else all its devices')."""
        return await self._presence_command(("users", user_id, "presence"), {"action": "reset"})

    async def set_user_presence(self, user_id: str, state: PresenceState) -> str:
        """Override the BLF state of a user (the seed's `reset`+state is a doc typo)."""
        return await self._presence_command(
            ("users", user_id, "presence"), {"action": "set", "state": state.value}
        )

    async def _presence_command(self, path: tuple[str, ...], command: dict[str, str]) -> str:
        """Send a presence action; the reply's data is a message such as "command sent"."""
        data = await self._account_request("POST", path, body={"data": command})
        if not isinstance(data, str):
            # Kazoo answers a message; anything else (e.g. the loaded document) means the
            # command crashed on the server.
            raise PbxResponseError("The presence command was not carried out")
        return data

    # --- plumbing -------------------------------------------------------------------------

    async def _paginate(self, collection: str, filters: dict[str, str] | None = None) -> list[Any]:
        """Read a whole (filtered) list: one request with `paginate=false`.

        Kazoo 4.3 and master then load every page themselves. A server that answers a page
        anyway (a `next_start_key`), or refuses the parameter, is followed page by page. A
        page refused with 429 is retried from its own start key: pages read are kept.
        """
        filters = filters or {}
        whole = {**filters, "paginate": "false", "page_size": str(PAGE_SIZE)}
        try:
            envelope = await self._account_request("GET", (collection,), params=whole, whole=True)
        except PbxValidationError:
            envelope = await self._account_request(
                "GET", (collection,), params={**filters, "page_size": str(PAGE_SIZE)}, whole=True
            )
        items: list[Any] = []
        seen: set[str] = set()
        while True:
            data = envelope.get("data")
            if not isinstance(data, list):
                raise PbxResponseError(f"Expected a list of {collection}")
            items.extend(data)
            next_key = envelope.get("next_start_key")
            if next_key is None or next_key == "":
                return items
            key = json.dumps(next_key)
            if key in seen:  # a server that repeats itself would loop forever
                raise PbxResponseError(f"The {collection} pages repeat a start key")
            seen.add(key)
            params = {**filters, "page_size": str(PAGE_SIZE), "start_key": _query_value(next_key)}
            envelope = await self._account_request("GET", (collection,), params=params, whole=True)

    async def _account_get(self, *path: str, params: dict[str, str] | None = None) -> Any:
        return await self._account_request("GET", path, params=params)

    async def _account_request(
        self,
        method: str,
        path: tuple[str, ...],
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        whole: bool = False,
    ) -> Any:
        """Send an authenticated request under the account; return its `data`.

        One 401 is answered by a fresh login and a retry: tokens can be revoked early. A
        429 is retried after an increasing wait (Kazoo sends no Retry-After); a refused
        request did nothing, so retrying a command is safe.
        """
        auth = await self._ensure_login()
        relogged = False
        backoff = iter(RATE_LIMIT_BACKOFF)
        while True:
            await self.pacer.acquire()
            try:
                reply = await self._send(
                    method,
                    ("v2", "accounts", auth.account_id, *path),
                    body=body,
                    params=params,
                    token=auth.token,
                )
            except PbxAuthenticationError:
                if relogged:
                    raise
                relogged = True
                auth = await self._ensure_login(stale=auth)
                continue
            except PbxRateLimitError as err:
                await asyncio.sleep(self._rate_limit_wait(err, backoff))
                continue
            envelope = self._envelope(reply)
            if whole:
                return envelope
            if "data" not in envelope:
                raise PbxResponseError("The reply has no data")
            return envelope["data"]

    def _rate_limit_wait(self, err: PbxRateLimitError, backoff: Iterator[float]) -> float:
        """Seconds to wait before retrying a 429, or re-raise it when retries are spent."""
        if err.retry_after is not None and err.retry_after > RATE_LIMIT_MAX_WAIT:
            raise err
        delay = next(backoff, None)
        if delay is None:
            raise err
        self.pacer.drain()
        return delay if err.retry_after is None else err.retry_after

    async def _send(
        self,
        method: str,
        path: tuple[str, ...],
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        token: str | None = None,
    ) -> Reply:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["X-Auth-Token"] = token
        url = build_url(self._base, *path)
        if params:
            url = url.with_query(params)
        reply = await send(
            self._session, method, url, timeout=self._timeout, headers=headers, body=body
        )
        if reply.status >= 300:
            raise _error_from(reply)
        return reply

    @staticmethod
    def _envelope(reply: Reply) -> Mapping[str, Any]:
        envelope = as_object(reply.json(), "reply")
        if envelope.get("status", "success") != "success":
            raise PbxResponseError(f"The server reported {envelope.get('status')!r}")
        return envelope


def _query_value(value: Any) -> str:
    """Kazoo start keys are opaque: strings go as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _error_from(reply: Reply) -> PbxError:
    """Map an error reply (Kazoo's error envelope, or anything a proxy sends) to an error."""
    try:
        envelope = reply.json()
    except PbxResponseError:
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    message = envelope.get("message")
    message = message if isinstance(message, str) and message else f"HTTP {reply.status}"
    data = envelope.get("data")
    data = data if isinstance(data, dict) else {}
    status = reply.status
    if status == 401:
        if "multi_factor_request" in data:
            return PbxMultiFactorRequiredError("The user has multi-factor login enabled")
        return PbxAuthenticationError(f"Authentication refused ({message})")
    if status == 403:
        return PbxForbiddenError(f"Forbidden ({message})")
    if status == 404:
        cause = data.get("cause")
        return PbxNotFoundError(f"Not found ({message}{f': {cause}' if cause else ''})")
    if status == 429:
        return PbxRateLimitError(reply.retry_after())
    if status in (400, 422):
        return _validation_error(message, data)
    return PbxResponseError(f"The server answered HTTP {status} ({message})", status=status)


def _validation_error(message: str, data: Mapping[str, Any]) -> PbxError:
    """A 400: a field the server refused, or (`data.account`) a disabled or expired account."""
    account = data.get("account")
    for reason in ("disabled", "expired"):
        if isinstance(account, dict) and reason in account:
            return PbxAccountDisabledError(reason)
    return PbxValidationError(_validation_reason(message, data))


def _validation_reason(message: str, data: Mapping[str, Any]) -> str:
    """Flatten `{"<field>": {"<code>": {"message": "..."}}}` into one sentence."""
    reasons = []
    for field_name, codes in data.items():
        if not isinstance(codes, dict):
            continue
        for code, detail in codes.items():
            text = detail.get("message") if isinstance(detail, dict) else None
            reasons.append(f"{field_name}: {text or code}")
    return "; ".join(reasons) or message
