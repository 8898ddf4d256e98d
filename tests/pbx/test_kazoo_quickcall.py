"""Kazoo 4.3's quickcall and parked calls as the simulator answers them (cb_quickcall.erl,
cb_parked_calls.erl), and the client's reading of them, over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.pbx_presence.pbx import PbxNotFoundError, PbxRefusedError
from custom_components.pbx_presence.pbx.kazoo import KazooClient, UserCredentials
from simulator import Simulator, kazoo_features

from ..conftest import KAZOO_ACCOUNT, KAZOO_PASSWORD, KAZOO_USERNAME, kazoo_device_id

ADMIN = UserCredentials.from_password(KAZOO_USERNAME, KAZOO_PASSWORD, KAZOO_ACCOUNT)


@pytest.fixture
async def client(simulator: Simulator) -> AsyncIterator[KazooClient]:
    async with aiohttp.ClientSession() as session:
        kazoo = KazooClient(session, simulator.url, ADMIN)
        await kazoo.login()
        yield kazoo


async def raw(
    sim: Simulator, client: KazooClient, method: str, path: str, **query: str
) -> tuple[int, dict[str, Any]]:
    """A request as Crossbar answers it, envelope and all."""
    assert client.auth is not None
    url = f"{sim.url}/v2/accounts/{sim.kazoo.account_id}/{path}"
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method,
            url,
            params=query,
            headers={"X-Auth-Token": client.auth.token},
            json={"data": {}} if method == "POST" else None,
        ) as reply,
    ):
        return reply.status, await reply.json()


async def test_get_answers_202_at_once_and_auto_answers_by_default(
    simulator: Simulator, client: KazooClient
) -> None:
    lobby = kazoo_device_id(simulator, "Lobby phone")
    status, body = await raw(simulator, client, "GET", f"devices/{lobby}/quickcall/1001")
    assert status == 202
    assert body["status"] == "success"
    assert body["data"]["application_data"] == {"route": "1001"}
    # auto_answer defaults to true: the lobby phone picked up, Anna's phones ring.
    legs = [c for c in simulator.kazoo.channels.values() if c.authorizing_id == lobby]
    assert [leg.answered for leg in legs] == [True]
    assert simulator.kazoo.quickcall_requests[-1]["auto_answer"] is True


async def test_a_phone_that_is_not_registered(simulator: Simulator, client: KazooClient) -> None:
    room = kazoo_device_id(simulator, "Conference room")
    # GET casts the originate: 202, and nothing rings.
    status, _ = await raw(simulator, client, "GET", f"devices/{room}/quickcall/1001")
    assert status == 202
    assert not any(c.authorizing_id == room for c in simulator.kazoo.channels.values())
    # POST waits for the outcome: the switch's error.
    status, body = await raw(simulator, client, "POST", f"devices/{room}/quickcall/1001")
    assert status == 500
    assert body["message"] == "quickcall initiation failed"
    assert body["data"]["error_message"]


async def test_post_waits_until_the_phone_answers(
    simulator: Simulator, client: KazooClient
) -> None:
    lobby = kazoo_device_id(simulator, "Lobby phone")
    status, body = await raw(
        simulator, client, "POST", f"devices/{lobby}/quickcall/1001", auto_answer="true"
    )
    assert (status, body["data"]["timeout"]) == (202, 30)
    # Not answered within the timeout (at least 4 s, else 30): 500 NO_ANSWER.
    simulator.kazoo.channels.clear()
    status, body = await raw(
        simulator,
        client,
        "POST",
        f"devices/{lobby}/quickcall/1001",
        auto_answer="false",
        timeout="4",
    )
    assert status == 500
    assert body["data"]["error_message"] == "NO_ANSWER"


async def test_errors_as_crossbar_gives_them(simulator: Simulator, client: KazooClient) -> None:
    status, body = await raw(simulator, client, "GET", "users/nobody/quickcall/1001")
    assert (status, body["message"], body["data"]["cause"]) == (404, "bad_identifier", "nobody")
    lobby = kazoo_device_id(simulator, "Lobby phone")
    simulator.kazoo.devices[lobby]["enabled"] = False
    status, body = await raw(simulator, client, "GET", f"devices/{lobby}/quickcall/1001")
    assert (status, body["message"]) == (500, "unspecified_fault")
    with pytest.raises(PbxRefusedError):
        await client.quickcall("devices", lobby, "1001")
    with pytest.raises(PbxNotFoundError):
        await client.quickcall("users", "nobody", "1001")


async def test_the_number_is_filtered_and_an_unrouted_one_ends_after_answer(
    simulator: Simulator, client: KazooClient
) -> None:
    lobby = kazoo_device_id(simulator, "Lobby phone")
    await client.quickcall("devices", lobby, "12", auto_answer=True)
    # No callflow takes 12: the call ends once the phone answered.
    assert not any(c.authorizing_id == lobby for c in simulator.kazoo.channels.values())
    status, body = await raw(simulator, client, "GET", f"devices/{lobby}/quickcall/(555) 0100")
    assert status == 202
    assert body["data"]["application_data"] == {"route": "5550100"}


async def test_parked_calls_and_callflows(simulator: Simulator, client: KazooClient) -> None:
    assert await client.get_parked_calls() == []
    status, body = await raw(simulator, client, "GET", "parked_calls")
    assert (status, body["data"]) == (200, {"slots": {}})
    kazoo = simulator.kazoo
    leg = kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Ben Carter desk phone"),
        direction="outbound",
        caller_id_name="Acme",
        caller_id_number="+15551230000",
    )
    kazoo_features.park(kazoo, leg, "*3102")
    (parked,) = await client.get_parked_calls()
    assert (parked.slot, parked.presence_user, parked.caller_id_name) == ("102", "*3102", "Acme")
    assert not parked.attended
    _, body = await raw(simulator, client, "GET", "parked_calls")
    assert set(body["data"]["slots"]["102"]) >= {"call_id", "cid_name", "cid_number", "attended"}
    (callflow,) = [c for c in await client.get_callflows() if c.parks]
    assert callflow.patterns == (r"^\*3([0-9]*)$",)
    with pytest.raises(ValueError, match="no park slot"):
        kazoo_features.park(kazoo, leg, "1001")
    with pytest.raises(ValueError, match="nothing parked"):
        kazoo_features.retrieve(kazoo, "*3103", kazoo_device_id(simulator, "Lobby phone"))
    with pytest.raises(ValueError, match="nothing parked"):
        kazoo_features.abandon(kazoo, "*3103")
