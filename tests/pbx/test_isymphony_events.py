"""The iSymphony event websocket client against the simulated server, over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

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
    ISymphonyClient,
    ISymphonyEventSocket,
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


async def next_event(socket: ISymphonyEventSocket) -> ISymphonyUserStatusEvent:
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


async def test_the_filter_is_sent_and_honoured(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    socket = client.event_socket()
    await socket.connect()
    await asyncio.sleep(0.1)  # the filter message reaches the server (no ack to wait for)

    simulator.isymphony.publish({"type": "userLogin", "coreServerId": "x", "userId": "y"})
    simulator.isymphony.set_status("max", name="Away", type="away")
    event = await next_event(socket)
    await socket.close()

    assert event.username == "max"


async def test_other_event_types_are_filtered_here_too(
    simulator: Simulator, session: aiohttp.ClientSession, client: ISymphonyClient
) -> None:
    """A server that ignores the filter (its form is undocumented) still gives statuses only."""
    socket = ISymphonyEventSocket(
        session,
        event_url(URL(simulator.url)),
        aiohttp.BasicAuth(ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD),
        timeout=5,
    )
    await socket.connect(types=("userStatus", "userLogin"))

    simulator.isymphony.publish({"type": "userLogin", "coreServerId": "x", "userId": "y"})
    simulator.isymphony.publish({"type": "userStatus", "userId": "y", "statusType": "bogus"})
    simulator.isymphony.set_status("max", name="Away", type="away")
    event = await next_event(socket)
    await socket.close()

    assert event.username == "max"


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
