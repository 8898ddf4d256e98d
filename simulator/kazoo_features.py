r"""Kazoo 4.3's click-to-call (quickcall), call parking and callflow list, over KazooState.

What Kazoo does, read in its source (branch 4.3):

- `cb_quickcall.erl`: `GET` or `POST /v2/accounts/{A}/users|devices/{ID}/quickcall/{NUMBER}`.
  The user or device is loaded first (unknown id: 404 `bad_identifier`); quickcall then
  takes one more token from the account's bucket (429 `too_many_requests`). Its endpoints
  are built as for any call (`kz_endpoint:build`): a disabled device or one on do not
  disturb gives none, a user gets one per device it owns. None at all: 500
  `unspecified_fault`, for GET and POST alike. Registration is not checked there: GET casts
  the originate and answers 202 "quickcall initiated" at once (a phone that is not
  registered just never rings; ecallmgr drops it). POST waits for the originate's result:
  202 once the phone answered, else 500 "quickcall initiation failed" with the switch's
  error (`error_message`). `auto_answer` defaults to true and is only set when there is one
  endpoint. The number loses spaces, commas, dots, dashes and brackets (`number_filter`).
  Kazoo accepts any number: a number no callflow routes fails only after the phone
  answered (the caller hears an error and the call ends).
- `cb_parked_calls.erl`: `GET /v2/accounts/{A}/parked_calls` answers
  `{"slots": {"<slot>": <the slot, keys normalised>}}`; a slot exists while a call is
  parked in it (cf_park deletes it on retrieve and abandon).
- `cf_park.erl`: the slot number is the callflow pattern's capture group (`*3101` on
  `^\*3([0-9]*)$` is slot `101`); `presence_user` is the number dialled. It publishes
  `PARK_PARKED` (the parked call), `PARK_RETRIEVED` (from the retriever's call and again from
  the parked one) and `PARK_ABANDONED` (the parked caller hung up) with `call_id`,
  `caller_id_*`, `callee_id_*`, `custom_channel_vars` and `parking_slot`; no direction and
  no presence id.
- The callflow list (`callflows/crossbar_listing`): `id, name, numbers, patterns,
  featurecode, owner_id, group_id, modules, flags`; `modules` are the flow's modules.

Not modelled: attended parking (a slot held with `attended: true` while the parker still
talks), ringback of the parker, and the exact FreeSWITCH cause a POST reports for a phone
that is not registered (it was not confirmed; this model says `USER_NOT_REGISTERED`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .blackhole import BusEvent, event_data
from .common import hex_id, uuid4

if TYPE_CHECKING:
    from .kazoo import KazooState
    from .kazoo_api import Call, KazooApi

# cb_quickcall's ?QCALL_NUMBER_FILTER
_NUMBER_FILTER = re.compile(r"[ ,.\-()]")
DEFAULT_TIMEOUT = 30
PARK_PATTERN = r"^\*3([0-9]*)$"
# Numbers at least this long that no callflow knows go out to the carrier.
_EXTERNAL_DIGITS = 7
QUICKCALL_NAME = "Device QuickCall"


@dataclass
class PendingQuickcall:
    """A quickcall whose phones ring: on answer, the call goes on to `number`."""

    number: str
    legs: list[str]


def park_callflow(state: KazooState, pattern: str = PARK_PATTERN) -> dict[str, Any]:
    """Add the park feature code's callflow (`*3<slot>`, action auto)."""
    callflow: dict[str, Any] = {
        "id": hex_id(state._rng),  # noqa: SLF001 - the state's deterministic ids
        "name": "Park and retrieve",
        "featurecode": {"name": "park_and_retrieve", "number": "3"},
        "patterns": [pattern],
        "flow": {"module": "park", "data": {"action": "auto"}, "children": {}},
    }
    state.callflows[callflow["id"]] = callflow
    return callflow


def _modules(flow: dict[str, Any]) -> list[str]:
    found: list[str] = []
    if (module := flow.get("module")) and not flow.get("data", {}).get("skip_module"):
        found.append(module)
    for child in flow.get("children", {}).values():
        found.extend(_modules(child))
    return list(dict.fromkeys(found))


def callflow_item(callflow: dict[str, Any]) -> dict[str, Any]:
    """A callflow as the list shows it."""
    item = {
        key: callflow[key]
        for key in ("id", "name", "numbers", "patterns", "owner_id", "group_id")
        if key in callflow
    }
    item["featurecode"] = callflow.get("featurecode") or False
    item["modules"] = _modules(callflow.get("flow", {}))
    item["flags"] = callflow.get("flags", [])
    return item


def slot_of(state: KazooState, number: str) -> str | None:
    """The park slot a dialled number names: a park callflow pattern's capture group."""
    for callflow in state.callflows.values():
        if "park" not in _modules(callflow.get("flow", {})):
            continue
        for pattern in callflow.get("patterns", []):
            match = re.match(pattern, number)
            if match is not None and match.groups() and (slot := match.group(1)):
                return slot
    return None


# -- quickcall ------------------------------------------------------------------------


def quickcall_endpoints(state: KazooState, kind: str, endpoint_id: str) -> list[dict[str, Any]]:
    """The devices a quickcall rings (kz_endpoint:build's rules), registered or not."""
    if kind == "devices":
        devices = [state.devices[endpoint_id]]
    else:
        devices = state.owned_devices(endpoint_id)

    def dnd(document: dict[str, Any] | None) -> bool:
        return bool((document or {}).get("do_not_disturb", {}).get("enabled"))

    usable = []
    for device in devices:
        owner = state.users.get(device.get("owner_id") or "")
        if device.get("enabled", True) is False or dnd(device) or dnd(owner):
            continue
        usable.append(device)
    return usable


def filtered_number(number: str) -> str:
    """The number as cb_quickcall dials it (number_filter's default)."""
    return _NUMBER_FILTER.sub("", number)


def start_quickcall(
    state: KazooState, devices: list[dict[str, Any]], number: str, *, auto_answer: bool
) -> list[str]:
    """Ring the registered phones; the one that answers is put through to `number`."""
    legs = [
        state.start_call(
            device_id=device["id"],
            destination=number,
            direction="outbound",  # the switch places the leg to the phone: it rings
            caller_id_name=QUICKCALL_NAME,
            caller_id_number=number,
        )
        for device in devices
        if device["id"] in state.registered
    ]
    if not legs:
        return []
    pending = PendingQuickcall(number, legs)
    for leg in legs:
        state.quickcalls[leg] = pending
    if auto_answer and len(devices) == 1:
        state.answer(legs[0])  # Auto-Answer is set only for a single endpoint
    return legs


def on_answer(state: KazooState, leg: str) -> None:
    """A quickcall's phone answered: the others stop ringing, the number is dialled."""
    pending = state.quickcalls.pop(leg, None)
    if pending is None:
        return
    for other in pending.legs:
        state.quickcalls.pop(other, None)
        if other != leg:
            state.hangup(other, cause="LOSE_RACE")
    callee = _internal_device(state, pending.number)
    if callee is not None:
        callee_leg = state.start_call(
            device_id=callee["id"],
            destination=pending.number,
            direction="outbound",
            other_leg=leg,
        )
        state.channels[leg].other_leg = callee_leg
    elif len(re.sub(r"\D", "", pending.number)) < _EXTERNAL_DIGITS:
        # No callflow takes the number: the caller hears an error and the call ends.
        state.hangup(leg, cause="UNALLOCATED_NUMBER")


def _internal_device(state: KazooState, number: str) -> dict[str, Any] | None:
    """The first registered phone of the user or device whose extension is `number`."""
    for user_id, user in sorted(state.users.items()):
        if user.get("presence_id") == number:
            phones = [d for d in state.owned_devices(user_id) if d["id"] in state.registered]
            return phones[0] if phones else None
    for device in state.devices.values():
        if number in (device.get("presence_id"), device["sip"]["username"]):
            return device if device["id"] in state.registered else None
    return None


# -- parking --------------------------------------------------------------------------


def park(state: KazooState, leg: str, number: str) -> str:
    """The phone on leg `leg` blind-transfers its caller to a park number; return the slot.

    The phone's leg ends; the caller's own leg waits in the slot.
    """
    slot = slot_of(state, number)
    if slot is None:
        raise ValueError(f"{number} is no park slot")
    channel = state.channels[leg]
    (caller_name, caller_number), (_, callee_number) = state.parties(channel)
    parked_call = channel.other_leg
    # Only the phone's leg ends: a caller of the account waits in the slot, unbridged.
    channel.other_leg = uuid4(state._rng)  # noqa: SLF001
    if (waiting := state.channels.get(parked_call)) is not None:
        waiting.other_leg = uuid4(state._rng)  # noqa: SLF001
    state.hangup(leg)
    state.parked[slot] = {
        "Call-ID": parked_call,
        "Attended": False,
        "Slot-Call-ID": hex_id(state._rng)[:16],  # noqa: SLF001
        "Switch-URI": "sip:10.0.0.10:11000",
        "Presence-User": number,
        "Presence-Realm": state.realm,
        "Presence-ID": f"{number}@{state.realm}",
        "Node": "ecallmgr@fs.sim",
        "CID-Number": caller_number,
        "CID-Name": caller_name,
        "CID-URI": f"sip:{caller_number}@{state.realm}",
        "Presence-Type": "early",
    }
    _park_event(
        state, "PARK_PARKED", slot, parked_call, (caller_name, caller_number), callee_number
    )
    return slot


def retrieve(state: KazooState, number: str, device_id: str) -> str:
    """A phone dials the park number and picks the parked call up; return its leg."""
    slot = slot_of(state, number)
    parked = state.parked.pop(slot or "", None)
    if slot is None or parked is None:
        raise ValueError(f"nothing parked at {number}")
    leg = state.start_call(device_id=device_id, destination=number, direction="inbound")
    channel = state.channels[leg]
    channel.other_leg = parked["Call-ID"]
    if (waiting := state.channels.get(parked["Call-ID"])) is not None:
        waiting.other_leg = leg
    state.answer(leg)
    retriever = state.parties(channel)[0]
    # cf_park publishes it from the retriever's call, and again from the parked call.
    _park_event(state, "PARK_RETRIEVED", slot, leg, retriever, number)
    caller = (parked["CID-Name"], parked["CID-Number"])
    _park_event(state, "PARK_RETRIEVED", slot, parked["Call-ID"], caller, number)
    return leg


def abandon(state: KazooState, number: str) -> None:
    """The parked caller hangs up."""
    slot = slot_of(state, number)
    parked = state.parked.pop(slot or "", None)
    if slot is None or parked is None:
        raise ValueError(f"nothing parked at {number}")
    caller = (parked["CID-Name"], parked["CID-Number"])
    _park_event(state, "PARK_ABANDONED", slot, parked["Call-ID"], caller, number)
    state.hangup(parked["Call-ID"])  # a caller of the account: its leg ends


def _park_event(
    state: KazooState,
    name: str,
    slot: str,
    call_id: str,
    caller: tuple[str | None, str | None],
    callee_number: str | None,
) -> None:
    state.publish(
        BusEvent(
            routing=("call", name, call_id),
            name=name,
            data=event_data(
                call_id=call_id,
                caller_id_name=caller[0],
                caller_id_number=caller[1],
                callee_id_number=callee_number,
                custom_channel_vars={"account_id": state.account_id, "realm": state.realm},
                event_name=name,
                parking_slot=slot,
                app_name="callflow",
                msg_id=uuid4(state._rng),  # noqa: SLF001
            ),
        )
    )


def normalized_slot(slot: dict[str, Any]) -> dict[str, Any]:
    """kz_json:normalize_jobj: keys lowercased, `-` to `_`, nulls dropped."""
    return {
        key.lower().replace("-", "_"): value for key, value in slot.items() if value is not None
    }


# -- HTTP -----------------------------------------------------------------------------


def routes(api: KazooApi) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """The routes of these endpoints, for KazooApi's table."""

    async def user_quickcall(call: Call) -> web.Response:
        return await _quickcall(api, call, "users")

    async def device_quickcall(call: Call) -> web.Response:
        return await _quickcall(api, call, "devices")

    async def parked_calls(call: Call) -> web.Response:
        slots = {slot: normalized_slot(doc) for slot, doc in sorted(api.state.parked.items())}
        return api._success(call, {"slots": slots})  # noqa: SLF001

    async def callflows(call: Call) -> web.Response:
        return api._paginated(call, api.state.callflows, callflow_item)  # noqa: SLF001

    return [
        (
            ("accounts", "*", "users", "*", "quickcall", "*"),
            {"GET": user_quickcall, "POST": user_quickcall},
        ),
        (
            ("accounts", "*", "devices", "*", "quickcall", "*"),
            {"GET": device_quickcall, "POST": device_quickcall},
        ),
        (("accounts", "*", "parked_calls"), {"GET": parked_calls}),
        (("accounts", "*", "callflows"), {"GET": callflows}),
    ]


async def _quickcall(api: KazooApi, call: Call, kind: str) -> web.Response:
    state = api.state
    request = call.request
    endpoint_id, number = call.params[1], call.params[2]
    records = state.users if kind == "users" else state.devices
    if endpoint_id not in records:
        return api._bad_identifier(call, endpoint_id)  # noqa: SLF001
    if "quickcall" in state.forbidden_endpoints:  # an operator's token restrictions
        return _error(api, call, 403, "forbidden", {"message": "forbidden"})
    if not state.take_request_token(request.remote or "", state.account_id):
        return _error(api, call, 429, "too_many_requests", {"message": "too many requests"})
    auto_answer = request.query.get("auto_answer", "true").lower() not in ("false", "0")
    timeout = _timeout(request.query.get("timeout"))
    if request.query.get("number_filter", "true") == "true":
        number = filtered_number(number)
    devices = quickcall_endpoints(state, kind, endpoint_id)
    if not devices:
        return _error(api, call, 500, "unspecified_fault", {"message": "unspecified fault"})
    data = {
        "application_name": "transfer",
        "application_data": {"route": number},
        "dial_endpoint_method": "simultaneous",
        "endpoints": [{"endpoint_id": device["id"]} for device in devices],
        "outbound_caller_id_name": QUICKCALL_NAME,
        "outbound_caller_id_number": number,
        "timeout": timeout,
        "msg_id": uuid4(state._rng),  # noqa: SLF001
    }
    state.quickcall_requests.append(
        {"kind": kind, "id": endpoint_id, "number": number, "auto_answer": auto_answer}
    )
    legs = start_quickcall(state, devices, number, auto_answer=auto_answer)
    if request.method == "GET":  # cast: nothing is known of the outcome
        return api._success(call, data, status=202)  # noqa: SLF001
    return await _wait_for_answer(api, call, data, legs, timeout)


async def _wait_for_answer(
    api: KazooApi, call: Call, data: dict[str, Any], legs: list[str], timeout: int
) -> web.Response:
    """POST: the originate's outcome, once a phone answered or the time ran out."""
    state = api.state
    if not legs:
        failure = {**data, "error_message": "USER_NOT_REGISTERED"}
        return _error(api, call, 500, "quickcall initiation failed", failure)
    for _ in range(timeout * 20):
        if any(state.channels.get(leg) and state.channels[leg].answered for leg in legs):
            return api._success(call, data, status=202)  # noqa: SLF001
        await asyncio.sleep(0.05)
    for leg in legs:
        state.hangup(leg, cause="NO_ANSWER")
    return _error(api, call, 500, "quickcall initiation failed", {"error_message": "NO_ANSWER"})


def _timeout(value: str | None) -> int:
    """cb_quickcall's get_timeout: more than 3 seconds, else the default."""
    try:
        timeout = int(value or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT
    return timeout if timeout > 3 else DEFAULT_TIMEOUT


def _error(api: KazooApi, call: Call, code: int, message: str, data: Any) -> web.Response:
    from .kazoo_api import kazoo_error  # noqa: PLC0415 - kazoo_api imports this module

    del api
    return kazoo_error(call.request, code, message, data, auth_token=call.auth_token)
