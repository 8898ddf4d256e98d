"""The Blackhole websocket client against the simulated Blackhole, over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json

import aiohttp
import pytest

from custom_components.pbx_presence.pbx import (
    PbxAuthenticationError,
    PbxConnectionError,
    PbxRateLimitError,
    PbxValidationError,
)
from custom_components.pbx_presence.pbx.kazoo import (
    BlackholeSocket,
    KazooCallEvent,
    KazooClient,
    KazooMwiEvent,
    KazooObjectEvent,
    UserCredentials,
    blackhole as blackhole_module,
)
from simulator import Simulator

from ..conftest import KAZOO_ACCOUNT, KAZOO_PASSWORD, KAZOO_USERNAME, kazoo_device_id, open_sockets

ADMIN = UserCredentials.from_password(KAZOO_USERNAME, KAZOO_PASSWORD, KAZOO_ACCOUNT)
CALLS = ["call.CHANNEL_CREATE.*", "call.CHANNEL_ANSWER.*", "call.CHANNEL_DESTROY.*"]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, as Home Assistant would inject."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def client(simulator: Simulator, session: aiohttp.ClientSession) -> KazooClient:
    """A logged-in client whose server's Blackhole accepts sockets."""
    open_sockets(simulator)
    kazoo = KazooClient(session, simulator.url, ADMIN)
    await kazoo.login()
    return kazoo


async def next_event(socket: BlackholeSocket) -> object:
    """The socket's next event, within a few seconds."""
    async with asyncio.timeout(5):
        async for event in socket:
            return event
    raise AssertionError("the socket ended")


async def test_a_call_comes_as_typed_events(simulator: Simulator, client: KazooClient) -> None:
    socket = client.blackhole()
    await socket.connect()
    subscribed = await socket.subscribe(CALLS)
    # Kazoo lists each call binding once per AMQP binding behind it: one event, one.
    assert subscribed == CALLS
    kazoo = simulator.kazoo
    anna_desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
    felix_desk = kazoo_device_id(simulator, "Felix Wagner desk phone")

    caller_leg, callee_leg = kazoo.start_internal_call(felix_desk, anna_desk)
    created = [await next_event(socket), await next_event(socket)]
    kazoo.answer(callee_leg)
    answered = [await next_event(socket), await next_event(socket)]
    kazoo.hangup(caller_leg)
    destroyed = [await next_event(socket), await next_event(socket)]
    await socket.close()

    assert all(isinstance(e, KazooCallEvent) for e in created + answered + destroyed)
    caller, callee = created
    assert isinstance(caller, KazooCallEvent)
    assert isinstance(callee, KazooCallEvent)
    assert (caller.event, caller.call_id, caller.direction) == (
        "CHANNEL_CREATE",
        caller_leg,
        "inbound",
    )
    assert caller.authorizing_id == felix_desk
    assert (callee.call_id, callee.direction, callee.other_leg_call_id) == (
        callee_leg,
        "outbound",
        caller_leg,
    )
    # The callee's leg names who calls (the phone's caller ID: here its SIP user name);
    # the caller's leg carries the number dialled in `request`.
    assert callee.caller_id_name == "user_1004a"
    assert callee.caller_id_number == "1004"
    assert caller.request == f"{callee.presence_id}"
    assert caller.as_channel().destination == callee.presence_id.split("@")[0]
    assert callee.as_channel().answered is False
    assert {e.event for e in answered if isinstance(e, KazooCallEvent)} == {"CHANNEL_ANSWER"}
    assert all(e.as_channel().answered for e in answered if isinstance(e, KazooCallEvent))
    ended = {e.call_id: e for e in destroyed if isinstance(e, KazooCallEvent)}
    assert set(ended) == {caller_leg, callee_leg}
    assert ended[caller_leg].hangup_cause == "NORMAL_CLEARING"


async def test_object_and_presence_events(simulator: Simulator, client: KazooClient) -> None:
    """Directory changes on any version; lamps and voicemail on 5.x only."""
    simulator.kazoo.blackhole_version = "5"
    assert await client.has_presence_bindings()
    socket = client.blackhole()
    await socket.connect()
    subscribed = await socket.subscribe(
        ["object.*.device", "presence.update.*", "presence.mwi_updates.*"]
    )
    # Replies name presence bindings without their prefix.
    assert set(subscribed) == {"object.*.device", "update.*", "mwi_updates.*"}
    kazoo = simulator.kazoo

    device = kazoo.add_device("Lobby phone")
    created = await next_event(socket)
    box = next(iter(kazoo.vmboxes))
    kazoo.leave_voicemail(box, "+15550001111")
    mwi = await next_event(socket)
    await socket.close()

    assert created == KazooObjectEvent(action="doc_created", doc_type="device", doc_id=device["id"])
    assert isinstance(mwi, KazooMwiEvent)
    assert mwi.user == kazoo.vmboxes[box]["mailbox"]
    assert mwi.messages_new == sum(m["folder"] == "new" for m in kazoo.vmboxes[box]["messages"])


async def test_43_refuses_presence_bindings(simulator: Simulator, client: KazooClient) -> None:
    assert not await client.has_presence_bindings()
    socket = client.blackhole()
    await socket.connect()

    with pytest.raises(PbxValidationError, match=r"presence\.update"):
        await socket.subscribe(["presence.update.*"])
    await socket.close()


async def test_a_refused_token_never_shows_in_the_error(
    simulator: Simulator, client: KazooClient
) -> None:
    """Blackhole's error reply echoes the token: the client cuts it out."""
    assert client.auth is not None
    token = client.auth.token
    simulator.kazoo.revoke_tokens()
    socket = BlackholeSocket(
        client._session,
        simulator.blackhole_url,
        account_id=client.account_id,
        token=lambda: _value(token),
    )
    await socket.connect()

    with pytest.raises(PbxAuthenticationError) as refused:
        await socket.subscribe(CALLS[:1])
    await socket.close()

    assert token not in str(refused.value)
    assert "<token>" in str(refused.value)


async def _value(text: str) -> str:
    return text


async def test_once_authenticated_an_expired_token_stops_nothing(
    simulator: Simulator, client: KazooClient
) -> None:
    socket = client.blackhole()
    await socket.connect()
    await socket.subscribe(CALLS[:1])
    simulator.kazoo.revoke_tokens()

    # More bindings, and events, on the authenticated socket.
    await socket.subscribe(CALLS[1:])
    simulator.kazoo.start_call(device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"))
    event = await next_event(socket)
    await socket.close()

    assert isinstance(event, KazooCallEvent)


async def test_validation_and_rate_errors(simulator: Simulator, client: KazooClient) -> None:
    """Blackhole's own texts: a missing key; the per-socket bucket of 100 messages."""
    async with client._session.ws_connect(simulator.blackhole_url) as ws:
        assert client.auth is not None
        await ws.send_json(
            {"action": "subscribe", "auth_token": client.auth.token, "request_id": "1"}
        )
        reply = await ws.receive_json(timeout=5)
        assert reply["status"] == "error"
        assert reply["data"]["errors"] == ["missing required keys in data object"]
        await ws.send_json(
            {
                "action": "subscribe",
                "auth_token": client.auth.token,
                "request_id": "1",
                "data": {"account_id": client.account_id},
            }
        )
        reply = await ws.receive_json(timeout=5)
        assert reply["data"]["errors"] == ["missing required keys : binding"]
        await ws.send_json(
            {
                "action": "subscribe",
                "auth_token": client.auth.token,
                "request_id": "2",
                "data": {"account_id": client.account_id, "binding": "call.*.*"},
            }
        )
        assert (await ws.receive_json(timeout=5))["status"] == "success"
        replies = []
        for number in range(120):
            await ws.send_json({"action": "ping", "request_id": str(number)})
            replies.append(await ws.receive_json(timeout=5))
    errors = [r for r in replies if r["status"] == "error"]
    # The bucket held 100 and took 3; the rest of the burst is refused.
    assert 10 <= len(errors) < 30
    assert errors[0]["data"]["errors"][0].startswith("rate limiting threshold hit for ")


async def test_a_subprotocol_is_refused(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    open_sockets(simulator)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await session.ws_connect(simulator.blackhole_url, protocols=("blackhole",))
    assert refused.value.status == 400


@pytest.mark.parametrize(("status", "error"), [(429, PbxRateLimitError), (503, PbxConnectionError)])
async def test_refused_upgrades(
    simulator: Simulator, client: KazooClient, status: int, error: type[Exception]
) -> None:
    simulator.blackhole.hub.faults.refuse_status = status
    with pytest.raises(error):
        await client.blackhole().connect()


async def test_an_unreachable_socket_is_a_connection_error(client: KazooClient) -> None:
    with pytest.raises(PbxConnectionError):
        await client.blackhole("ws://127.0.0.1:9").connect()


async def test_any_reply_to_a_ping_means_alive(simulator: Simulator, client: KazooClient) -> None:
    """Without `bh_ping` a ping gets a stale success reply; with it a bare pong."""
    for bh_ping in (False, True):
        simulator.blackhole.bh_ping = bh_ping
        socket = _quick_socket(client, simulator)
        await socket.connect()
        await socket.subscribe(CALLS[:1])
        await asyncio.sleep(0.3)  # several keepalive rounds
        simulator.kazoo.start_call(device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"))
        assert isinstance(await next_event(socket), KazooCallEvent)
        await socket.close()


async def test_silence_ends_the_stream(simulator: Simulator, client: KazooClient) -> None:
    socket = _quick_socket(client, simulator)
    await socket.connect()
    await socket.subscribe(CALLS[:1])
    simulator.blackhole.hub.faults.silent = True

    with pytest.raises(PbxConnectionError, match="stopped answering"):
        await next_event(socket)
    await socket.close()


async def test_a_drop_ends_the_stream(simulator: Simulator, client: KazooClient) -> None:
    socket = client.blackhole()
    await socket.connect()
    await socket.subscribe(CALLS[:1])

    await simulator.blackhole.hub.drop()

    with pytest.raises(PbxConnectionError):
        await next_event(socket)
    await socket.close()


async def test_garbage_is_skipped(simulator: Simulator, client: KazooClient) -> None:
    socket = client.blackhole()
    await socket.connect()
    await socket.subscribe(CALLS[:1])
    simulator.blackhole.hub.faults.garbage = True

    simulator.kazoo.start_call(device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"))

    assert isinstance(await next_event(socket), KazooCallEvent)
    await socket.close()


async def test_43_drops_events_of_a_socket_that_falls_behind(
    simulator: Simulator, session: aiohttp.ClientSession, client: KazooClient
) -> None:
    blackhole = simulator.blackhole
    blackhole.write_delay = 0.01  # a slow link
    assert client.auth is not None
    async with session.ws_connect(blackhole.url) as ws:
        await ws.send_json(
            {
                "action": "subscribe",
                "auth_token": client.auth.token,
                "request_id": "1",
                "data": {"account_id": client.account_id, "binding": "call.*.*"},
            }
        )
        assert (await ws.receive_json(timeout=5))["status"] == "success"
        desk = kazoo_device_id(simulator, "Anna Schmidt desk phone")
        for _ in range(60):
            simulator.kazoo.hangup(simulator.kazoo.start_call(device_id=desk))
        received = 0
        while True:
            try:
                message = await ws.receive(timeout=1)
            except TimeoutError:
                break
            received += message.type is aiohttp.WSMsgType.TEXT and bool(json.loads(message.data))
    assert blackhole.dropped > 0
    assert received + blackhole.dropped == 120


async def test_websocket_url_from_the_login_reply_or_the_api_host(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    plain = KazooClient(session, simulator.url, ADMIN)
    simulator.kazoo.websocket_url_in_login = None
    await plain.login()
    assert plain.websocket_url == "ws://127.0.0.1:5555"
    assert KazooClient(session, "https://pbx.example.com:8443", ADMIN).websocket_url == (
        "wss://pbx.example.com:5555"
    )
    simulator.kazoo.websocket_url_in_login = "wss://ws.example.com:5556"
    await plain.login()
    assert plain.websocket_url == "wss://ws.example.com:5556"


def _quick_socket(client: KazooClient, simulator: Simulator) -> BlackholeSocket:
    """A socket that pings every 50 ms and waits 200 ms for replies."""

    async def token() -> str:
        assert client.auth is not None
        return client.auth.token

    return BlackholeSocket(
        client._session,
        simulator.blackhole_url,
        account_id=client.account_id,
        token=token,
        keepalive=0.05,
        reply_timeout=0.2,
    )


def test_a_socket_that_answers_nothing_is_found_out_within_a_minute() -> None:
    """A ping goes out every KEEPALIVE_INTERVAL and gets REPLY_TIMEOUT to be answered."""
    assert blackhole_module.KEEPALIVE_INTERVAL + blackhole_module.REPLY_TIMEOUT <= 60
