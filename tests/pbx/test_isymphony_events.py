"""The iSymphony event websocket client against the simulated server, over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json

import aiohttp
import pytest
from yarl import URL

from custom_components.pbx_presence.pbx import (
    PbxAccessDeniedError,
    PbxAuthenticationError,
    PbxConnectionError,
    PbxNotFoundError,
    PbxSslRequiredError,
)
from custom_components.pbx_presence.pbx.isymphony import (
    EVENT_TYPES,
    ISymphonyAgentEvent,
    ISymphonyClient,
    ISymphonyEvent,
    ISymphonyEventSocket,
    ISymphonyLoginEvent,
    ISymphonyUserStatusEvent,
    StatusType,
)
from custom_components.pbx_presence.pbx.isymphony.events import event_url
from simulator import Simulator

from ..conftest import ISYMPHONY_PASSWORD, ISYMPHONY_USERNAME, open_sockets


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, as Home Assistant would inject."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(simulator: Simulator, session: aiohttp.ClientSession) -> ISymphonyClient:
    """A client of a server whose event socket accepts connections."""
    open_sockets(simulator)
    return ISymphonyClient(session, simulator.url, ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD)


async def next_event(socket: ISymphonyEventSocket) -> ISymphonyEvent:
    """The socket's next event, within a few seconds."""
    async with asyncio.timeout(5):
        async for event in socket:
            return event
    raise AssertionError("the socket ended")


async def test_a_status_set_over_rest_arrives_as_an_event(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    socket = client.event_socket()
    await socket.connect()

    await client.set_status("david", status_type=StatusType.DND, name="Meeting", note="Room 2")
    event = await next_event(socket)
    await socket.close()

    david = simulator.isymphony.user("david")
    assert event.user_id == david["id"]  # the live id, as in the user list
    assert event.username == "david"
    assert event.core_server_id == simulator.isymphony.core_servers["default"]["id"]
    assert isinstance(event.time, int)
    assert (event.status.type, event.status.name, event.status.note) == (
        StatusType.DND,
        "Meeting",
        "Room 2",
    )
    assert event.status.return_time is None
    assert event.status.id is None  # events carry no status id


async def test_no_filter_is_sent_and_unwanted_types_are_dropped_here(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    """The filter's semantics rest on one 2015 revision: nothing is sent, types are picked here."""
    socket = client.event_socket()
    await socket.connect(types=("userStatus",))
    await asyncio.sleep(0.1)
    connections = simulator.isymphony_events._connections
    assert [connection.filters for connection in connections] == [[]]

    simulator.isymphony.publish({"type": "confRoomCallLeave", "coreServerId": "x"})
    simulator.isymphony.add_login("max", "10.0.0.9", 50000)  # not asked for
    simulator.isymphony.set_status("max", name="Away", type="away")
    event = await next_event(socket)
    await socket.close()

    assert isinstance(event, ISymphonyUserStatusEvent)
    assert event.username == "max"


async def test_several_event_types_arrive_without_a_filter(
    simulator: Simulator, session: aiohttp.ClientSession, client: ISymphonyClient
) -> None:
    """Two `type` filters would let nothing through (the docs: every filter must match)."""
    socket = ISymphonyEventSocket(
        session,
        event_url(URL(simulator.url)),
        aiohttp.BasicAuth(ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD),
        timeout=5,
    )
    await socket.connect(types=EVENT_TYPES)

    state = simulator.isymphony
    state.publish({"type": "userStatus", "userId": "y", "statusType": "bogus"})  # malformed
    login = state.add_login("max", "", 50000)
    state.remove_login("max", login["id"])
    agent = state.agent_login("support", "Max Weber", "1012")
    state.agent_logout("support", agent["id"])
    state.set_status("max", name="Away", type="away")
    events = []
    async with asyncio.timeout(5):
        async for event in socket:
            events.append(event)
            if len(events) == 5:
                break
    await socket.close()

    max_id = state.user("max")["id"]
    first, second, third, fourth, fifth = events
    assert isinstance(first, ISymphonyLoginEvent)
    assert first.logged_in
    assert (first.user_id, first.username, first.login_id) == (max_id, "max", login["id"])
    assert isinstance(second, ISymphonyLoginEvent)
    assert not second.logged_in
    assert isinstance(third, ISymphonyAgentEvent)
    assert third.logged_in
    queue = state.queue("support")
    assert (third.agent_id, third.agent, third.state, third.queue_id) == (
        agent["id"],
        "Max Weber",
        "NOT_INUSE",
        queue["id"],
    )
    assert (third.extension_number, third.username, third.user_id) == ("1012", "max", max_id)
    assert isinstance(fourth, ISymphonyAgentEvent)
    assert not fourth.logged_in
    assert isinstance(fifth, ISymphonyUserStatusEvent)


async def test_filters_as_the_docs_read_them(simulator: Simulator, client: ISymphonyClient) -> None:
    """The simulator: every filter must match, so two `type` filters let nothing through."""
    socket = client.event_socket()
    await socket.connect(types=EVENT_TYPES)
    ws = socket._ws  # send a filter by hand
    assert ws is not None
    filters = [{"property": "type", "value": t} for t in ("userLogin", "userStatus")]
    await ws.send_str(json.dumps({"type": "filter", "filters": filters}))
    await asyncio.sleep(0.1)
    simulator.isymphony.add_login("max", "", 50000)
    simulator.isymphony.set_status("max", name="Away", type="away")
    await ws.send_str(json.dumps({"type": "filter", "filters": filters[1:]}))
    await asyncio.sleep(0.1)
    simulator.isymphony.add_login("max", "", 50001)
    simulator.isymphony.set_status("max", name="Lunch", type="away")
    event = await next_event(socket)
    await socket.close()

    assert isinstance(event, ISymphonyUserStatusEvent)
    assert event.status.name == "Lunch"


async def test_status_events_need_a_licence_installed(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    socket = client.event_socket()
    await socket.connect(types=EVENT_TYPES)
    simulator.isymphony.license_installed = False
    simulator.isymphony.set_status("max", name="Away", type="away")
    simulator.isymphony.add_login("max", "", 50000)  # logins carry no licence note
    event = await next_event(socket)
    await socket.close()

    assert isinstance(event, ISymphonyLoginEvent)


async def test_a_restart_drops_the_socket(simulator: Simulator, client: ISymphonyClient) -> None:
    socket = client.event_socket()
    await socket.connect()
    simulator.isymphony.restart()
    with pytest.raises(PbxConnectionError):
        await next_event(socket)


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("wrong_password", PbxAuthenticationError),
        ("wrong_password_403", PbxAccessDeniedError),
        ("ip_not_allowed", PbxAccessDeniedError),
        ("no_event_api", PbxNotFoundError),
        ("refused", PbxConnectionError),
    ],
)
async def test_refusals_map_like_rest(
    simulator: Simulator, session: aiohttp.ClientSession, setup: str, error: type[Exception]
) -> None:
    open_sockets(simulator)
    state = simulator.isymphony
    password = "n0t-the-pa55word"
    match setup:
        case "wrong_password_403":
            state.wrong_password_status = 403
        case "ip_not_allowed":
            state.allowed_ips = {"10.0.0.1"}
            password = ISYMPHONY_PASSWORD
        case "no_event_api":
            simulator.isymphony_events.hub.faults.refuse_status = 404
            password = ISYMPHONY_PASSWORD
        case "refused":
            simulator.isymphony_events.hub.faults.refuse_status = 503
            password = ISYMPHONY_PASSWORD
    client = ISymphonyClient(session, simulator.url, ISYMPHONY_USERNAME, password)

    with pytest.raises(error) as refused:
        await client.event_socket().connect()
    assert password not in str(refused.value)


async def test_an_ssl_secured_servlet_says_so(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    """The plain port redirects to the SSL port: the socket says what REST says."""
    simulator.isymphony.ssl_secured = True

    with pytest.raises(PbxSslRequiredError):
        await client.event_socket().connect()


async def test_a_drop_ends_the_stream(simulator: Simulator, client: ISymphonyClient) -> None:
    socket = client.event_socket()
    await socket.connect()

    await simulator.isymphony_events.hub.drop()

    with pytest.raises(PbxConnectionError):
        await next_event(socket)
    await socket.close()


async def test_a_silent_server_ends_the_stream(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """A server that stops answering pings is dead, whatever its TCP connection says."""
    open_sockets(simulator)
    simulator.isymphony_events.hub.faults.silent = True
    socket = ISymphonyEventSocket(
        session,
        event_url(URL(simulator.url)),
        aiohttp.BasicAuth(ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD),
        timeout=5,
        heartbeat=0.2,
    )
    await socket.connect()

    with pytest.raises(PbxConnectionError):
        await next_event(socket)
    await socket.close()


async def test_garbage_is_skipped(simulator: Simulator, client: ISymphonyClient) -> None:
    socket = client.event_socket()
    await socket.connect()
    simulator.isymphony_events.hub.faults.garbage = True

    simulator.isymphony.set_status("max", name="Away", type="away")

    assert (await next_event(socket)).username == "max"
    await socket.close()


async def test_the_socket_url_follows_the_rest_url() -> None:
    assert event_url(URL("http://pbx:58080/communication_manager/rest/")) == URL(
        "ws://pbx:58080/communication_manager/ws/event"
    )
    assert event_url(URL("https://pbx:55050")) == URL(
        "wss://pbx:55050/communication_manager/ws/event"
    )


def test_the_event_url_keeps_a_proxys_path_prefix() -> None:
    assert event_url(URL("https://host/pbx")) == URL(
        "wss://host/pbx/communication_manager/ws/event"
    )
    assert event_url(URL("http://pbx:58080/")) == URL(
        "ws://pbx:58080/communication_manager/ws/event"
    )
    assert event_url(URL("https://host/pbx/communication_manager/rest")) == URL(
        "wss://host/pbx/communication_manager/ws/event"
    )
