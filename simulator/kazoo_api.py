"""Kazoo Crossbar v2 HTTP endpoints over a :class:`~simulator.kazoo.KazooState`.

The request pipeline follows Crossbar's order of checks: unknown path (404), bad body
(400), missing or expired token (401), other account (403), unknown id (404), then
per-field validation (400).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import re
from typing import Any
import uuid

from aiohttp import web

from . import kazoo_features
from .blackhole import CALL_EVENTS, OBJECT_ACTIONS, PRESENCE_KINDS, BlackholeVersion
from .common import gregorian_now, json_response, split_path
from .kazoo import PRESENCE_STATES, KazooState, merge_documents

VERSION = "4.3.142"
RESELLER_ID = "0a8d3e5f7c2b4196b4e0c7d1a2f36e58"
DEFAULT_PAGE_SIZE = 50
STALKER = "BLF-kamailio.sim"
PRESENCE_NODE = "kamailio@sim.pbx.example"
REQUIRED = {"required": {"message": "Field is required but missing"}}
# The users schema caps `call_forward.number` at 35 characters.
USER_FORWARD_NUMBER_MAX = 35
# Fields a request cannot set (kz_doc:public_fields drops `_id`, `_rev`, `pvt_*`), and `id`.
_PRIVATE = frozenset({"id", "_id", "_rev"})
_FORWARD_FLAGS = (
    "enabled",
    "require_keypress",
    "keep_caller_id",
    "substitute",
    "direct_calls_only",
    "failover",
    "ignore_early_media",
)


@dataclass
class Call:
    """One routed request: its path parameters, body ``data`` and auth token."""

    request: web.Request
    params: list[str]
    data: dict[str, Any]
    auth_token: str


type Handler = Callable[[Call], Awaitable[web.Response]]


def _request_id(request: web.Request) -> str:
    return request.headers.get("X-Request-ID") or str(uuid.uuid4())


def _envelope(request: web.Request, auth_token: str, **fields: Any) -> dict[str, Any]:
    return {
        **fields,
        "auth_token": auth_token,
        "request_id": _request_id(request),
        "revision": "undefined",
        "node": "sim",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": VERSION,
    }


def kazoo_error(
    request: web.Request,
    code: int,
    message: str,
    data: Any = None,
    *,
    auth_token: str = "",
    headers: dict[str, str] | None = None,
) -> web.Response:
    """Answer with Crossbar's error envelope."""
    payload = _envelope(
        request,
        auth_token,
        status="error",
        error=str(code),
        message=message,
        data=data if data is not None else {},
    )
    return json_response(payload, status=code, headers=headers)


def _validation_error(call: Call, field: str, code: str, message: str) -> web.Response:
    return kazoo_error(
        call.request,
        400,
        "validation error",
        {field: {code: {"message": message}}},
        auth_token=call.auth_token,
    )


def _normalize_account_name(name: str) -> str:
    # Kazoo matches account names lowercased with non-alphanumerics removed.
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


class KazooApi:
    """Routes and answers Kazoo requests (paths starting with ``/v2/``)."""

    def __init__(self, state: KazooState) -> None:
        """Serve ``state``."""
        self.state = state
        # Patterns are tried in order; "*" captures one path segment.
        self._routes: list[tuple[tuple[str, ...], dict[str, Handler]]] = [
            (("user_auth",), {"PUT": self._user_auth}),
            (("api_auth",), {"PUT": self._api_auth}),
            (("websockets",), {"GET": self._websockets}),
            (("accounts", "*"), {"GET": self._account}),
            (("accounts", "*", "users"), {"GET": self._users}),
            (("accounts", "*", "users", "*"), {"GET": self._user, "PATCH": self._patch_user}),
            (("accounts", "*", "users", "*", "presence"), {"POST": self._user_presence}),
            (("accounts", "*", "devices"), {"GET": self._devices}),
            (("accounts", "*", "devices", "status"), {"GET": self._devices_status}),
            (
                ("accounts", "*", "devices", "*"),
                {"GET": self._device, "PATCH": self._patch_device},
            ),
            (
                ("accounts", "*", "devices", "*", "presence"),
                {"POST": self._device_presence},
            ),
            (("accounts", "*", "channels"), {"GET": self._channels}),
            (("accounts", "*", "vmboxes"), {"GET": self._vmboxes}),
            (("accounts", "*", "vmboxes", "*", "messages"), {"GET": self._vmbox_messages}),
            (("accounts", "*", "presence"), {"GET": self._presence}),
            (
                ("accounts", "*", "presence", "*"),
                {"GET": self._presence_detail, "POST": self._presence_reset},
            ),
            *kazoo_features.routes(self),
        ]

    def _match(self, parts: list[str]) -> tuple[dict[str, Handler], list[str]] | None:
        for pattern, methods in self._routes:
            if len(pattern) != len(parts):
                continue
            params: list[str] = []
            for expected, part in zip(pattern, parts, strict=True):
                if expected == "*" and part:
                    params.append(part)
                elif expected != part:
                    break
            else:
                return methods, params
        return None

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one request whose path starts with ``/v2/``."""
        parts = split_path(request.raw_path)[1:]
        matched = self._match(parts)
        if matched is None:
            return kazoo_error(request, 404, "faulty request")
        methods, params = matched
        handler = methods.get(request.method)
        if handler is None:
            return kazoo_error(request, 405, "method_not_allowed", {"allowed": sorted(methods)})
        data: dict[str, Any] = {}
        if request.method in {"PUT", "POST", "PATCH"}:
            parsed = await self._body_data(request)
            if isinstance(parsed, web.Response):
                return parsed
            data = parsed
        auth_token = ""
        if parts[0] == "accounts":
            auth_token = request.headers.get("X-Auth-Token", "")
            if not auth_token:
                bearer = request.headers.get("Authorization", "")
                auth_token = bearer.removeprefix("Bearer ").strip()
            if (refused := self._token_auth(request, auth_token, params[0])) is not None:
                return refused
        return await handler(Call(request, params, data, auth_token))

    def _token_auth(
        self, request: web.Request, auth_token: str, account_id: str
    ) -> web.Response | None:
        """Crossbar's checks of a token request, in its order; None when it may go on."""
        token = self.state.valid_token(auth_token)
        if token is None:
            return kazoo_error(request, 401, "invalid_credentials")
        if not self.state.take_request_token(request.remote or "", token.account_id):
            # Kazoo 4.3 sends no Retry-After: the client has to pace itself.
            return kazoo_error(request, 429, "too_many_requests", {"message": "too many requests"})
        if account_id != token.account_id:
            return kazoo_error(request, 403, "forbidden", auth_token=auth_token)
        return self._account_disabled(request, auth_token)

    async def _body_data(self, request: web.Request) -> dict[str, Any] | web.Response:
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError as err:
                return kazoo_error(request, 400, "parse_error", {"message": f"invalid JSON: {err}"})
        else:
            body = {}
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return kazoo_error(request, 400, "validation error", {"data": REQUIRED})
        return data

    def _success(self, call: Call, data: Any, *, status: int = 200, **extra: Any) -> web.Response:
        payload = _envelope(call.request, call.auth_token, status="success", data=data, **extra)
        return json_response(payload, status=status)

    def _bad_identifier(self, call: Call, identifier: str) -> web.Response:
        return kazoo_error(
            call.request,
            404,
            "bad_identifier",
            {"cause": identifier, "message": "bad identifier"},
            auth_token=call.auth_token,
        )

    # -- authentication --------------------------------------------------------

    def _login_reply(self, call: Call, owner_id: str | None) -> web.Response:
        state = self.state
        token = state.issue_token(owner_id)
        data: dict[str, Any] = {"account_id": state.account_id}
        if owner_id is not None:
            data["owner_id"] = owner_id
        data |= {
            "account_name": state.account_name,
            "is_reseller": False,
            "reseller_id": RESELLER_ID,
            "language": "en-us",
            "apps": [],
        }
        if state.websocket_url_in_login is not None:
            # A provider's Monster UI settings can name the Blackhole websocket.
            data["ui_config"] = {"api": {"kazoo_websocket": {"url": state.websocket_url_in_login}}}
        call.auth_token = token
        return self._success(call, data, status=201)

    async def _websockets(self, call: Call) -> web.Response:
        """The bindings Blackhole offers (no token needed); `presence` on 5.x only."""
        return self._success(call, available_bindings(self.state.blackhole_version))

    def _names_this_account(self, data: dict[str, Any]) -> bool | None:
        """Whether the login names this account; None when it names none at all."""
        state = self.state
        if isinstance(name := data.get("account_name"), str):
            return _normalize_account_name(name) == _normalize_account_name(state.account_name)
        if isinstance(realm := data.get("account_realm"), str):
            return realm.lower() == state.realm.lower()
        if isinstance(number := data.get("phone_number"), str):
            return any(_digits(number) == _digits(own) for own in state.phone_numbers)
        return None

    async def _user_auth(self, call: Call) -> web.Response:
        data = call.data
        credentials = data.get("credentials")
        if not isinstance(credentials, str) or not credentials:
            return _validation_error(
                call, "credentials", "required", "Field is required but missing"
            )
        method = data.get("method", "md5")
        if method not in {"md5", "sha"}:
            return _validation_error(
                call, "method", "enum", "Value not found in enumerated list of values"
            )
        names_account = self._names_this_account(data)
        if names_account is None:
            return _validation_error(
                call, "account_name", "required", "Field is required but missing"
            )
        user_id = self.state.user_for_credentials(credentials, method)
        if not names_account or user_id is None:
            return kazoo_error(
                call.request,
                401,
                "invalid_credentials",
                {"message": "invalid credentials"},
            )
        if (disabled := self._account_disabled(call.request)) is not None:
            return disabled
        if user_id in self.state.mfa_users:
            return kazoo_error(
                call.request,
                401,
                "invalid_credentials",
                {
                    "multi_factor_request": {
                        "provider_name": "duo",
                        "settings": {
                            "duo_api_hostname": "api-sim.duosecurity.com",
                            "duo_sig_request": f"TX|{user_id}|sim:APP|{user_id}|sim",
                        },
                    }
                },
            )
        return self._login_reply(call, user_id)

    async def _api_auth(self, call: Call) -> web.Response:
        api_key = call.data.get("api_key")
        if not isinstance(api_key, str):
            return _validation_error(call, "api_key", "required", "Field is required but missing")
        if len(api_key) < 64:
            return _validation_error(
                call, "api_key", "minLength", "String must be at least 64 characters"
            )
        if len(api_key) > 64:
            return _validation_error(
                call, "api_key", "maxLength", "String must not exceed 64 characters"
            )
        if api_key not in self.state.api_keys:
            return self._bad_identifier(call, api_key)
        # api_auth does not look at the account's status; the next request does.
        return self._login_reply(call, None)

    def _account_disabled(self, request: web.Request, auth_token: str = "") -> web.Response | None:
        """Kazoo's answer for a disabled or expired account: 400, never 423."""
        status = self.state.account_status
        if status == "enabled":
            return None
        return kazoo_error(
            request,
            400,
            "validation error",
            {"account": {status: {"message": f"account {status}"}}},
            auth_token=auth_token,
        )

    # -- account, users, devices -------------------------------------------------

    async def _account(self, call: Call) -> web.Response:
        state = self.state
        return self._success(
            call,
            {
                "id": state.account_id,
                "name": state.account_name,
                "realm": state.realm,
                "enabled": True,
                "language": "en-us",
                "timezone": "America/New_York",
                "reseller_id": RESELLER_ID,
                "is_reseller": False,
                **({"do_not_disturb": {"enabled": True}} if state.account_dnd else {}),
            },
        )

    def _paginated(
        self, call: Call, records: dict[str, dict[str, Any]], item: ItemFn
    ) -> web.Response:
        query = call.request.query
        # Crossbar matches filters against the full documents; items stay list views.
        keys = sorted(key for key, record in records.items() if _passes_filters(record, query))
        if query.get("paginate", "").lower() == "false" and self.state.honours_paginate_false:
            return self._success(call, [item(records[key]) for key in keys])
        # crossbar_doc lists (4.3 users, devices, vmboxes) take a bad page size for 50.
        try:
            page_size = int(query.get("page_size", DEFAULT_PAGE_SIZE))
        except ValueError:
            page_size = DEFAULT_PAGE_SIZE
        if page_size < 1:
            page_size = DEFAULT_PAGE_SIZE
        start = bisect_left(keys, query["start_key"]) if "start_key" in query else 0
        page = keys[start : start + page_size]
        extra: dict[str, Any] = {"page_size": len(page)}
        if page:
            extra["start_key"] = page[0]
        if start + page_size < len(keys):
            extra["next_start_key"] = keys[start + page_size]
        return self._success(call, [item(records[key]) for key in page], **extra)

    async def _users(self, call: Call) -> web.Response:
        return self._paginated(call, self.state.users, _user_item)

    async def _user(self, call: Call) -> web.Response:
        user = self.state.users.get(call.params[1])
        if user is None:
            return self._bad_identifier(call, call.params[1])
        return self._success(call, dict(user))

    async def _patch_user(self, call: Call) -> web.Response:
        return self._patch(call, "user", self.state.users, USER_FORWARD_NUMBER_MAX)

    async def _patch_device(self, call: Call) -> web.Response:
        return self._patch(call, "device", self.state.devices, self.state.device_forward_number_max)

    def _patch(
        self, call: Call, doc_type: str, records: dict[str, dict[str, Any]], number_max: int
    ) -> web.Response:
        """Crossbar's PATCH: authorize, load (404), merge, validate the merged doc, save.

        Token restrictions are checked while authorizing, before the document is loaded;
        the schema validates the merged document, so a field already stored is checked
        too. The reply is the saved document.
        """
        token = self.state.valid_token(call.auth_token)
        if token is not None and not self.state.token_may_write(token.owner_id):
            return kazoo_error(
                call.request,
                403,
                "forbidden",
                {"cause": "access denied by token restrictions", "message": "forbidden"},
                auth_token=call.auth_token,
            )
        doc_id = call.params[1]
        if doc_id not in records:
            return self._bad_identifier(call, doc_id)
        changes = {key: value for key, value in call.data.items() if key not in _PRIVATE}
        merged = merge_documents(_fix_booleans(changes), records[doc_id])
        if errors := _control_errors(merged, number_max):
            return kazoo_error(
                call.request, 400, "validation error", errors, auth_token=call.auth_token
            )
        saved = self.state.edit_document(doc_type, doc_id, _fix_booleans(changes))
        return self._success(call, _public(saved))

    async def _devices(self, call: Call) -> web.Response:
        return self._paginated(call, self.state.devices, _device_item)

    async def _device(self, call: Call) -> web.Response:
        device = self.state.devices.get(call.params[1])
        if device is None:
            return self._bad_identifier(call, call.params[1])
        return self._success(call, {**device, "sip": dict(device["sip"])})

    async def _devices_status(self, call: Call) -> web.Response:
        devices = self.state.devices
        return self._success(
            call,
            [
                {"device_id": device_id, "registered": True}
                for device_id in sorted(self.state.registered)
                if device_id in devices
            ],
        )

    async def _channels(self, call: Call) -> web.Response:
        now = gregorian_now()
        return self._success(
            call,
            [
                {
                    "uuid": channel.uuid,
                    "answered": channel.answered,
                    "direction": channel.direction,
                    "presence_id": channel.presence_id,
                    "owner_id": channel.owner_id,
                    "authorizing_id": channel.authorizing_id,
                    "authorizing_type": "device",
                    "username": channel.username,
                    "destination": channel.destination,
                    "other_leg": channel.other_leg,
                    "timestamp": channel.timestamp,
                    "elapsed_s": max(0, now - channel.timestamp),
                    # 4.3.25+ (ecallmgr_fs_channel): the leg's caller and callee ID.
                    **_caller_fields(self.state.parties(channel)),
                    "is_loopback": False,
                    "is_onhold": channel.on_hold,
                }
                for channel in self.state.channels.values()
            ],
        )

    # -- presence ----------------------------------------------------------------

    async def _presence(self, call: Call) -> web.Response:
        state = self.state
        event = call.request.query.get("event")
        if state.presence_no_answer:
            return self._success(call, {"timeout": True})
        if state.presence_shape == "modern":
            counts: dict[str, dict[str, int]] = {}
            for extension, subscriptions in state.subscriptions.items():
                for subscription in subscriptions.values():
                    if event is None or subscription.event == event:
                        per_event = counts.setdefault(extension, {})
                        per_event[subscription.event] = per_event.get(subscription.event, 0) + 1
            timeout = True if state.presence_timeout else None
            return self._success(call, {"Subscriptions": counts, "timeout": timeout})
        legacy: dict[str, dict[str, dict[str, Any]]] = {}
        for extension, subscriptions in state.subscriptions.items():
            for call_id, subscription in subscriptions.items():
                if event is not None and subscription.event != event:
                    continue
                legacy.setdefault(extension, {}).setdefault(subscription.event, {})[call_id] = {
                    "expires": subscription.expires,
                    "from": f"{subscription.watcher}@{state.realm}",
                    "notify": {"body": "undefined", "reply": 0, "sequence": 0},
                    "stalker": STALKER,
                    "timestamp": subscription.timestamp,
                    "version": 1,
                }
        return self._success(call, {"subscriptions": legacy})

    async def _presence_detail(self, call: Call) -> web.Response:
        state = self.state
        if state.presence_no_answer:
            return self._success(call, {"timeout": True})
        extension = call.params[1].lower()
        detail: dict[str, dict[str, dict[str, Any]]] = {}
        now = gregorian_now()
        for call_id, subscription in state.subscriptions.get(extension, {}).items():
            watcher = f"{subscription.watcher}@{state.realm}"
            nodes = detail.setdefault(subscription.event, {}).setdefault(watcher, {})
            # Kamailio reports the last NOTIFY it sent and the watcher's reply as SIP text.
            nodes.setdefault(PRESENCE_NODE, {})[call_id] = {
                "time": now,
                "result": 200,
                "sent": _notify_text(subscription.event, watcher, extension, state.realm, call_id),
                "received": "SIP/2.0 200 OK",
                "user_agent": subscription.user_agent,
            }
        subscriptions = {call.params[1]: detail} if detail else {}
        timeout = True if state.presence_timeout else None
        return self._success(call, {"Subscriptions": subscriptions, "timeout": timeout})

    async def _presence_reset(self, call: Call) -> web.Response:
        # Like Kazoo, the body's action is ignored: this is always a reset.
        extension = call.params[1]
        # Kamailio reads `*` as a wildcard: resetting it flushes every lamp of the account.
        flushed = (
            sorted(set(self.state.subscriptions) | set(self.state.presence_overrides))
            if extension == "*"
            else [extension.lower()]
        )
        self.state.apply_presence_action("extension", extension, "reset", None, flushed)
        return self._success(call, f"reset command sent for extension {extension}")

    def _presence_action(self, call: Call) -> tuple[str, str | None] | web.Response:
        action = call.data.get("action")
        if action is None:
            return _validation_error(call, "action", "required", "Field is required but missing")
        if action not in {"reset", "set"}:
            return _validation_error(
                call, "action", "enum", "Value not found in enumerated list of values"
            )
        if action == "reset":
            return "reset", None
        state = call.data.get("state")
        if state is None:
            return _validation_error(call, "state", "required", "Field is required but missing")
        if state not in PRESENCE_STATES:
            return _validation_error(
                call, "state", "enum", "Value not found in enumerated list of values"
            )
        return "set", str(state)

    async def _device_presence(self, call: Call) -> web.Response:
        device_id = call.params[1]
        if device_id not in self.state.devices:
            return self._bad_identifier(call, device_id)
        parsed = self._presence_action(call)
        if isinstance(parsed, web.Response):
            return parsed
        presence_ids = self.state.device_presence_ids(device_id)
        self.state.apply_presence_action("device", device_id, *parsed, presence_ids)
        return self._success(call, "command sent")

    async def _user_presence(self, call: Call) -> web.Response:
        user_id = call.params[1]
        if user_id not in self.state.users:
            return self._bad_identifier(call, user_id)
        parsed = self._presence_action(call)
        if isinstance(parsed, web.Response):
            return parsed
        if self.state.presence_command_crashes:
            return self._success(call, dict(self.state.users[user_id]))
        presence_ids = self.state.user_presence_ids(user_id)
        self.state.apply_presence_action("user", user_id, *parsed, presence_ids)
        # Kazoo walks every document the user owns and skips those without a presence
        # id: it says "command sent" even when that left nothing to send to.
        if not presence_ids and not self.state.owns_documents(user_id):
            return self._success(call, "nothing to send command to")
        return self._success(call, "command sent")

    async def _vmboxes(self, call: Call) -> web.Response:
        # Paginated like every crossbar_doc list; Kazoo 4.3 adds each box's folder counts.
        return self._paginated(call, self.state.vmboxes, _vmbox_item)

    async def _vmbox_messages(self, call: Call) -> web.Response:
        box = self.state.vmboxes.get(call.params[1])
        if box is None:
            return self._bad_identifier(call, call.params[1])
        return self._success(call, [dict(message) for message in box["messages"]])


type ItemFn = Callable[[dict[str, Any]], dict[str, Any]]

_USER_FIELDS = ("id", "first_name", "last_name", "username", "email", "presence_id")


def _user_item(user: dict[str, Any]) -> dict[str, Any]:
    item = {key: user[key] for key in _USER_FIELDS if key in user}
    item["priv_level"] = user.get("priv_level", "user")
    item["features"] = user_features(user)
    return item


def user_features(user: dict[str, Any]) -> list[str]:
    """The users list's `features`, as 4.3's `users/crossbar_listing` view builds them.

    In the view's order: `smartpbx.*` entries that are enabled, `hotdesk`,
    `call_forward` (enabled), `call_forward_failover` (failover while not enabled),
    `caller_id`, `vm_to_email`, `music_on_hold`, `do_not_disturb` (enabled).
    """
    features = [
        name
        for name, feature in (user.get("smartpbx") or {}).items()
        if isinstance(feature, dict) and feature.get("enabled")
    ]
    forward = user.get("call_forward") or {}
    checks = (
        ("hotdesk", (user.get("hotdesk") or {}).get("enabled")),
        ("call_forward", forward.get("enabled")),
        ("call_forward_failover", forward.get("failover") and not forward.get("enabled")),
        ("caller_id", ((user.get("caller_id") or {}).get("external") or {}).get("number")),
        ("vm_to_email", user.get("vm_to_email_enabled")),
        ("music_on_hold", (user.get("music_on_hold") or {}).get("media_id")),
        ("do_not_disturb", (user.get("do_not_disturb") or {}).get("enabled")),
    )
    return features + [name for name, present in checks if present]


def _fix_booleans(changes: dict[str, Any]) -> dict[str, Any]:
    """kz_json_schema fixes "true"/"false" strings in boolean fields (maybe_fix_js_boolean)."""
    fixed = dict(changes)
    for key, flags in (("do_not_disturb", ("enabled",)), ("call_forward", _FORWARD_FLAGS)):
        section = fixed.get(key)
        if isinstance(section, dict):
            fixed[key] = {
                name: {"true": True, "false": False}.get(value, value)
                if name in flags and isinstance(value, str)
                else value
                for name, value in section.items()
            }
    return fixed


def _control_errors(document: dict[str, Any], number_max: int) -> dict[str, Any]:
    """The schema's errors for `do_not_disturb` and `call_forward` (kz_json_schema's shape)."""
    errors: dict[str, Any] = {}

    def wrong_type(path: str, value: Any, types: str) -> None:
        errors[path] = {
            "type": {
                "message": f"Value did not match type(s): {types}",
                "target": types,
                "value": value,
            }
        }

    for key, flags in (("do_not_disturb", ("enabled",)), ("call_forward", _FORWARD_FLAGS)):
        if key not in document:
            continue
        section = document[key]
        if not isinstance(section, dict):
            wrong_type(key, section, "object")
            continue
        for name in flags:
            if name in section and not isinstance(section[name], bool):
                wrong_type(f"{key}.{name}", section[name], "boolean")
    forward = document.get("call_forward")
    number = forward.get("number") if isinstance(forward, dict) else None
    if number is not None and not isinstance(number, str):
        wrong_type("call_forward.number", number, "string")
    elif isinstance(number, str) and len(number) > number_max:
        errors["call_forward.number"] = {
            "maxLength": {
                "message": f"String must not be more than {number_max} characters",
                "target": number_max,
                "cause": number,
                "value": number,
            }
        }
    return errors


def _public(document: dict[str, Any]) -> dict[str, Any]:
    """A saved document as Crossbar returns it (nested objects copied)."""
    copied: dict[str, Any] = json.loads(json.dumps(document))
    return copied


def _device_item(device: dict[str, Any]) -> dict[str, Any]:
    # The list view has no presence_id; only GET devices/{id} shows it.
    item: dict[str, Any] = {
        "id": device["id"],
        "name": device["name"],
        "username": device["sip"]["username"],
    }
    if "owner_id" in device:
        item["owner_id"] = device["owner_id"]
    item |= {
        "enabled": device.get("enabled", True),
        "device_type": device.get("device_type", "sip_device"),
        "mac_address": device.get("mac_address", ""),
    }
    return item


def _caller_fields(parties: tuple[tuple[str | None, str | None], ...]) -> dict[str, str]:
    (caller_name, caller_number), (callee_name, callee_number) = parties
    fields = {
        "caller_id_name": caller_name,
        "caller_id_number": caller_number,
        "callee_id_name": callee_name,
        "callee_id_number": callee_number,
    }
    return {key: value for key, value in fields.items() if value is not None}


def _vmbox_item(box: dict[str, Any]) -> dict[str, Any]:
    # `cb_vmboxes` adds `folders` (kvm_messages:count/1); `messages` is legacy + new + saved.
    folders = [message["folder"] for message in box["messages"]]
    return {
        "id": box["id"],
        "name": box["name"],
        "mailbox": box["mailbox"],
        "owner_id": box["owner_id"],
        "messages": len(folders),
        "folders": {"new": folders.count("new"), "saved": folders.count("saved")},
    }


def _notify_text(event: str, watcher: str, extension: str, realm: str, call_id: str) -> str:
    return (
        f"NOTIFY sip:{watcher} SIP/2.0\r\n"
        f"From: <sip:{extension}@{realm}>\r\n"
        f"To: <sip:{watcher}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"Event: {event}\r\n"
        "Subscription-State: active\r\n"
    )


def _field(document: dict[str, Any], key: str) -> tuple[bool, Any]:
    """Look a (dotted) key up in a document: (found, value)."""
    value: Any = document
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _passes_filters(document: dict[str, Any], query: Mapping[str, str]) -> bool:
    """Crossbar's list filters, matched against the full document."""
    return all(_passes(document, name, wanted) for name, wanted in query.items())


def _passes(document: dict[str, Any], name: str, wanted: str) -> bool:
    if name.startswith("filter_not_"):
        found, value = _field(document, name.removeprefix("filter_not_"))
        return not found or _query_text(value) != wanted
    if name.startswith("filter_"):
        found, value = _field(document, name.removeprefix("filter_"))
        return found and _query_text(value) == wanted
    if name == "has_key":
        return _field(document, wanted)[0]
    if name == "key_missing":
        return not _field(document, wanted)[0]
    if name == "has_value":
        found, value = _field(document, wanted)
        return found and value not in (None, "", [], {})
    return True  # paging and other parameters


def available_bindings(version: BlackholeVersion) -> dict[str, list[dict[str, Any]]]:
    """`GET /v2/websockets`: each module's bindings, with a description."""
    bindings: dict[str, list[dict[str, Any]]] = {
        "call": [
            {"binding": f"call.{event}.{{CALL_ID}}", "friendly_name": event.title()}
            for event in CALL_EVENTS
        ],
        "object": [
            {"binding": f"object.{action}.{{TYPE}}", "friendly_name": action}
            for action in OBJECT_ACTIONS
        ],
    }
    if version == "5":
        bindings["presence"] = [
            {"binding": f"presence.{kind}.{{ID}}", "friendly_name": kind} for kind in PRESENCE_KINDS
        ]
    return bindings
