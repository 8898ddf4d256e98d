"""Blackhole's messages as Kazoo's source writes them, over loopback (audit §1, §5, §7).

Raw frames where the shape is the point (keys, repetition, error texts), and the client
library where it has to cope with them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import hashlib
from typing import Any

import aiohttp
import pytest

from custom_components.pbx_presence.pbx import PbxForbiddenError, PbxValidationError
from custom_components.pbx_presence.pbx.kazoo import (
    KazooClient,
    KazooMwiEvent,
    KazooPresenceUpdateEvent,
)
from simulator import Simulator

from ..conftest import kazoo_device_id, kazoo_user_id
from .test_blackhole import client, next_event, session  # noqa: F401 - fixtures

REALM = "acme%2Epbx%2Eexample"  # the simulator's realm, as routing keys encode it


class Raw:
    """A websocket spoken to by hand: send a message, read the next frame."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, kazoo: KazooClient) -> None:
        self.ws = ws
        self.kazoo = kazoo
        self.ids = 0

    async def send(self, action: str, data: dict[str, Any] | None = None, **extra: Any) -> None:
        self.ids += 1
        message: dict[str, Any] = {"action": action, "request_id": str(self.ids), **extra}
        if data is not None:
            message["data"] = data
        await self.ws.send_json(message)

    async def subscribe(self, binding: str, **extra: Any) -> dict[str, Any]:
        assert self.kazoo.auth is not None
        extra.setdefault("auth_token", self.kazoo.auth.token)
        data = {"account_id": self.kazoo.account_id, "binding": binding}
        await self.send("subscribe", data, **extra)
        return await self.receive()

    async def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = await self.ws.receive_json(timeout=5)
        return message


@pytest.fixture
async def raw(
    simulator: Simulator,
    session: aiohttp.ClientSession,  # noqa: F811
    client: KazooClient,  # noqa: F811
) -> AsyncIterator[Raw]:
    """A raw socket to the simulated Blackhole, with a logged-in client's token."""
    async with session.ws_connect(simulator.blackhole_url) as ws:
        yield Raw(ws, client)


async def test_a_client_binding_stands_for_its_amqp_bindings(
    raw: Raw, simulator: Simulator
) -> None:
    """bh_call: one for an event, nine for `*`; bh_object: one for a type, two for `*`."""
    reply = await raw.subscribe("call.CHANNEL_CREATE.*")
    assert reply["data"]["subscribed"] == ["call.CHANNEL_CREATE.*"]
    reply = await raw.subscribe("call.*.*")
    assert reply["data"]["subscribed"].count("call.*.*") == 9
    reply = await raw.subscribe("object.*.device")
    assert reply["data"]["subscribed"].count("object.*.device") == 1
    reply = await raw.subscribe("object.*.*")
    assert reply["data"]["subscribed"].count("object.*.*") == 2
    # The same binding again adds nothing (bh_events: `-- SessionBindings`).
    again = await raw.subscribe("call.*.*")
    assert again["data"]["subscribed"] == reply["data"]["subscribed"]


async def test_events_carry_the_amqp_binding_and_routing_key(
    raw: Raw, simulator: Simulator
) -> None:
    """`subscription_key` is the AMQP binding, `routing_key` the AMQP key; once per match."""
    account = simulator.kazoo.account_id
    await raw.subscribe("call.*.*")
    await raw.subscribe("object.*.device")

    call = simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone")
    )
    created = await raw.receive()
    device = simulator.kazoo.add_device("Lobby phone")
    edited = await raw.receive()

    assert created["subscribed_key"] == "call.*.*"
    assert created["subscription_key"] == f"call.{account}.CHANNEL_CREATE.*"
    assert created["routing_key"] == f"call.{account}.CHANNEL_CREATE.{call}"
    database = f"account%2F{account[:2]}%2F{account[2:4]}%2F{account[4:]}"
    assert edited["subscribed_key"] == "object.*.device"
    assert edited["subscription_key"] == f"*.{database}.device.*"
    assert edited["routing_key"] == f"doc_created.{database}.device.{device['id']}"
    # kzs_publish: id, type, database, rev; no action key.
    assert "action" not in edited["data"]
    assert edited["data"]["database"] == database
    assert edited["data"]["rev"].startswith("1-")


async def test_presence_events_name_the_binding_without_its_prefix(
    raw: Raw, simulator: Simulator
) -> None:
    simulator.kazoo.blackhole_version = "5"
    reply = await raw.subscribe("presence.update.*")
    assert reply["data"]["subscribed"] == ["update.*"]

    simulator.kazoo.manual_presence("1001", "confirmed")
    event = await raw.receive()

    fake = hashlib.md5(f"1001@{simulator.kazoo.realm}".encode()).hexdigest()  # noqa: S324
    assert event["subscribed_key"] == "update.*"
    assert event["subscription_key"] == f"update.{REALM}.*"
    assert event["routing_key"] == f"update.{REALM}.{fake}"


async def test_pongs_and_unknown_actions(raw: Raw, simulator: Simulator) -> None:
    """With bh_ping, `data.response` of a reply; else, and for unknown actions, old data."""
    subscribed = await raw.subscribe("call.CHANNEL_CREATE.*")
    await raw.send("ping")
    stale = await raw.receive()
    assert (stale["action"], stale["status"], stale["request_id"]) == ("reply", "success", "2")
    assert stale["data"] == subscribed["data"]
    await raw.send("fetch_everything")
    assert (await raw.receive())["status"] == "success"

    simulator.blackhole.bh_ping = True
    await raw.send("ping")
    pong = await raw.receive()
    assert (pong["action"], pong["request_id"], pong["data"]) == (
        "reply",
        "4",
        {"response": "pong"},
    )


@pytest.mark.parametrize(
    ("binding", "error"),
    [
        ("call.CHANNEL_RINGING.*", "event CHANNEL_RINGING not supported"),
        ("call.CHANNEL_CREATE", "invalid format for call subscription : CHANNEL_CREATE"),
        ("object.doc_changed.device", "event doc_changed.device not supported"),
        ("object.*.fax_box", "event *.fax_box not supported"),
        ("presence.update.*", "no available subscriptions to requested binding"),
        ("conference.event.*", "no available subscriptions to requested binding"),
    ],
)
async def test_kazoos_own_error_texts(raw: Raw, binding: str, error: str) -> None:
    reply = await raw.subscribe(binding)
    assert (reply["status"], reply["data"]["errors"]) == ("error", [error])


async def test_token_and_account_errors(raw: Raw, simulator: Simulator) -> None:
    await raw.send("subscribe", {"account_id": raw.kazoo.account_id, "binding": "call.*.*"})
    assert (await raw.receive())["data"]["errors"] == ["authentication token required"]
    reply = await raw.subscribe("call.*.*", auth_token=42)
    assert reply["data"]["errors"] == ["invalid authentication token format"]
    assert raw.kazoo.auth is not None
    await raw.send(
        "subscribe",
        {"account_id": "0" * 32, "binding": "call.*.*"},
        auth_token=raw.kazoo.auth.token,
    )
    assert (await raw.receive())["data"]["errors"] == ["unauthorized account id"]
    # A refused message keeps no context: the next still needs the token.
    await raw.send("ping")
    assert (await raw.receive())["data"]["errors"] == ["authentication token required"]


async def test_the_client_reads_a_permission_as_one(
    simulator: Simulator,
    client: KazooClient,  # noqa: F811
) -> None:
    """bh_authz_subscribe's refusal is a permission, not the login; refusals name the binding."""
    simulator.kazoo.blackhole_version = "5"
    socket = client.blackhole()
    socket._account_id = "0" * 32  # an account the token is not for
    await socket.connect()
    with pytest.raises(PbxForbiddenError, match="unauthorized account id"):
        await socket.subscribe(["call.CHANNEL_CREATE.*"])
    socket._account_id = client.account_id
    simulator.blackhole.unloaded_modules = {"object"}
    with pytest.raises(PbxValidationError, match=r"object\.\*\.user: no available"):
        await socket.subscribe(["object.*.user"])
    await socket.close()


async def test_mwi_has_no_to_user_and_the_client_copes(
    simulator: Simulator,
    client: KazooClient,  # noqa: F811
) -> None:
    """kvm_mwi sends `To`, the counts, `Call-ID`: the mailbox comes from `To`."""
    kazoo = simulator.kazoo
    kazoo.blackhole_version = "5"
    socket = client.blackhole()
    await socket.connect()
    await socket.subscribe(["presence.mwi_updates.*"])
    anna = kazoo_user_id(simulator, "anna")
    box = next(i for i, b in kazoo.vmboxes.items() if b["owner_id"] == anna)
    heard: list[dict[str, Any]] = []
    kazoo.event_listeners.append(lambda event: heard.append(event.data))

    kazoo.leave_voicemail(box, "+15550004444")
    event = await next_event(socket)
    await socket.close()

    assert "to_user" not in heard[-1]
    assert isinstance(event, KazooMwiEvent)
    assert event.user == kazoo.vmboxes[box]["mailbox"]


async def test_manual_overrides_probes_and_resets(
    simulator: Simulator,
    client: KazooClient,  # noqa: F811
) -> None:
    """A `set` is an update with the md5 call id and no direction; a reset sends none."""
    kazoo = simulator.kazoo
    kazoo.blackhole_version = "5"
    socket = client.blackhole()
    await socket.connect()
    await socket.subscribe(["presence.update.*"])
    heard: list[dict[str, Any]] = []
    kazoo.event_listeners.append(lambda event: heard.append(event.data))
    anna = kazoo_user_id(simulator, "anna")

    kazoo.apply_presence_action("user", anna, "set", "early", kazoo.user_presence_ids(anna))
    forced = await next_event(socket)
    kazoo.apply_presence_action("user", anna, "reset", None, kazoo.user_presence_ids(anna))
    kazoo.presence_probe("1001", online=True)
    probe = await next_event(socket)
    await socket.close()

    assert isinstance(forced, KazooPresenceUpdateEvent)
    assert forced.manual
    assert (forced.state, forced.app_name) == ("early", "crossbar")
    assert forced.call_id == hashlib.md5(f"1001@{kazoo.realm}".encode()).hexdigest()  # noqa: S324
    assert "direction" not in heard[0]
    assert heard[0]["from"] == heard[0]["to"] == f"sip:1001@{kazoo.realm}"
    # The reset published nothing: the next event is the probe's answer, not an override.
    assert len(heard) == 2
    assert isinstance(probe, KazooPresenceUpdateEvent)
    assert probe.state == "online"
    assert not probe.manual


async def test_channels_say_how_long_and_whether_on_hold(
    simulator: Simulator,
    session: aiohttp.ClientSession,  # noqa: F811
    client: KazooClient,  # noqa: F811
) -> None:
    """4.3.25+ channels: `elapsed_s`, `is_onhold` (CHANNEL_HOLD), `is_loopback`."""
    call = simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone")
    )
    simulator.kazoo.hold(call)
    assert client.auth is not None
    url = f"{simulator.url}/v2/accounts/{client.account_id}/channels"
    async with session.get(url, headers={"X-Auth-Token": client.auth.token}) as response:
        channels = (await response.json())["data"]

    channel = next(c for c in channels if c["uuid"] == call)
    assert channel["elapsed_s"] >= 0
    assert channel["is_onhold"] is True
    assert channel["is_loopback"] is False
