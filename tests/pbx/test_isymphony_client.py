"""The iSymphony client against the simulator over real loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, datetime

import aiohttp
import pytest

from custom_components.pbx_presence.pbx import (
    PbxAccessDeniedError,
    PbxAuthenticationError,
    PbxConnectionError,
    PbxError,
    PbxForbiddenError,
    PbxLicenseError,
    PbxNotFoundError,
    PbxRateLimitError,
    PbxResponseError,
    PbxSslRequiredError,
    PbxTimeoutError,
    PbxValidationError,
)
from custom_components.pbx_presence.pbx.isymphony import ISymphonyClient, ISymphonyUser, StatusType
from custom_components.pbx_presence.pbx.isymphony.client import error_text, normalize_base_url
from simulator import Simulator

from ..conftest import ISYMPHONY_PASSWORD, ISYMPHONY_USERNAME

BASE = "/communication_manager/rest/live/coreServers/getByName/default"
LUNCH = datetime(2030, 6, 3, 12, 45, tzinfo=UTC)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, as Home Assistant would inject."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(simulator: Simulator, session: aiohttp.ClientSession) -> ISymphonyClient:
    """A client with the demo manager account for core server "default"."""
    return ISymphonyClient(session, simulator.url, ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD)


async def test_users_with_basic_auth_and_json_accept(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    users = await client.get_users()

    assert "anna" in {u.username for u in users}
    anna = next(u for u in users if u.username == "anna")
    assert anna.displayed_name == "Anna Schmidt"
    request = simulator.requests[-1]
    assert (request.method, request.path) == ("GET", f"{BASE}/users")
    assert request.headers["Accept"] == "application/json"
    expected = aiohttp.BasicAuth(ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD).encode()
    assert request.headers["Authorization"] == expected


@pytest.mark.parametrize(
    ("username", "encoded"),
    [
        ("lena fischer", "lena%20fischer"),
        ("sofia@acme", "sofia%40acme"),
        ("front desk/2", "front%20desk%2F2"),
    ],
)
async def test_user_by_name_is_url_encoded(
    simulator: Simulator, client: ISymphonyClient, username: str, encoded: str
) -> None:
    with contextlib.suppress(PbxError):  # not every such user is licensed
        await client.get_status(username)
    assert simulator.requests[-1].path == f"{BASE}/users/getByName/{encoded}/status"


async def test_user_and_core_server_by_live_id(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    core = simulator.isymphony.core_server("default")
    user_id = simulator.isymphony.user("anna")["id"]
    client = ISymphonyClient(
        session,
        simulator.url,
        ISYMPHONY_USERNAME,
        ISYMPHONY_PASSWORD,
        core_server=core["id"],
        core_server_by_id=True,
    )

    status = await client.get_status(user_id, by_id=True)

    assert status.type is StatusType.AVAILABLE
    assert simulator.requests[-1].path == (
        f"/communication_manager/rest/live/coreServers/{core['id']}/users/{user_id}/status"
    )


async def test_live_ids_change_on_restart_but_names_still_work(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    def anna(users: list[ISymphonyUser]) -> ISymphonyUser:
        return next(user for user in users if user.username == "anna")

    before = anna(await client.get_users())
    simulator.isymphony.restart()
    after = anna(await client.get_users())
    assert before.id != after.id
    await client.get_status("anna")
    with pytest.raises(PbxNotFoundError):
        await client.get_status(before.id, by_id=True)


async def test_status_with_return_time_in_milliseconds(client: ISymphonyClient) -> None:
    status = await client.get_status("ben")

    assert status.type is StatusType.AWAY
    assert status.name == "Out to lunch"
    assert status.return_time == LUNCH
    assert status.user_created is False
    assert status.configuration_id


async def test_status_with_return_time_in_seconds(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    simulator.isymphony.return_time_in_seconds = True
    status = await client.get_status("ben")
    assert status.return_time == LUNCH


async def test_status_without_return_time(client: ISymphonyClient) -> None:
    status = await client.get_status("carla")
    assert status.return_time is None
    assert status.note == "Quarterly review"


async def test_set_status_sends_the_documented_body(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    await client.set_status(
        "lena fischer",
        status_type=StatusType.AWAY,
        name="Went back in time",
        note="Tell Doc Brown",
        return_time=LUNCH,
    )

    request = simulator.requests[-1]
    assert (request.method, request.path) == (
        "POST",
        f"{BASE}/users/getByName/lena%20fischer/status/set",
    )
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "name": "Went back in time",
        "type": "away",
        "note": "Tell Doc Brown",
        "returnTime": int(LUNCH.timestamp() * 1000),
    }
    status = await client.get_status("lena fischer")
    assert (status.name, status.type, status.note, status.return_time) == (
        "Went back in time",
        StatusType.AWAY,
        "Tell Doc Brown",
        LUNCH,
    )


async def test_set_status_without_return_time_sends_minus_one(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    await client.set_status("anna", status_type=StatusType.DND, name="In a meeting")
    assert simulator.requests[-1].json["returnTime"] == -1
    assert simulator.requests[-1].json["note"] == ""
    status = await client.get_status("anna")
    assert status.user_created is False  # matches the predefined "In a meeting"


async def test_wrong_password(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    client = ISymphonyClient(session, simulator.url, ISYMPHONY_USERNAME, "s3cr3t-guess")
    with pytest.raises(PbxAuthenticationError) as err:
        await client.get_users()
    assert "s3cr3t-guess" not in str(err.value)


async def test_caller_ip_not_allowed(simulator: Simulator, client: ISymphonyClient) -> None:
    simulator.isymphony.allowed_ips = set()
    with pytest.raises(PbxForbiddenError) as err:
        await client.get_users()
    assert not isinstance(err.value, PbxLicenseError)
    assert "caller IP not allowed" in str(err.value)


async def test_unlicensed_user(client: ISymphonyClient) -> None:
    with pytest.raises(PbxLicenseError):
        await client.get_status("lukas")
    with pytest.raises(PbxLicenseError):
        await client.set_status("lukas", status_type=StatusType.AWAY, name="Away")


async def test_no_license_installed(simulator: Simulator, client: ISymphonyClient) -> None:
    simulator.isymphony.license_installed = False
    with pytest.raises(PbxLicenseError):
        await client.get_status("anna")


async def test_unknown_user_and_core_server(
    simulator: Simulator, session: aiohttp.ClientSession, client: ISymphonyClient
) -> None:
    with pytest.raises(PbxNotFoundError, match="User not found"):
        await client.get_status("nobody")
    other = ISymphonyClient(
        session, simulator.url, ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD, core_server="nope"
    )
    with pytest.raises(PbxNotFoundError, match="Core server not found"):
        await other.get_users()


@pytest.mark.parametrize("status", [409, 412, 422])
async def test_validation_errors_carry_the_servers_reason(
    simulator: Simulator, client: ISymphonyClient, status: int
) -> None:
    simulator.faults.add("status", status=status, path_contains="status/set")
    with pytest.raises(PbxValidationError) as err:
        await client.set_status("anna", status_type=StatusType.AWAY, name="Away")
    assert err.value.reason


async def test_rate_limited(simulator: Simulator, client: ISymphonyClient) -> None:
    simulator.faults.add("rate_limit", retry_after=3)
    with pytest.raises(PbxRateLimitError) as err:
        await client.get_users()
    assert err.value.retry_after == 3


async def test_redirect_to_the_ssl_port(simulator: Simulator, client: ISymphonyClient) -> None:
    """An SSL-secured servlet answers the plain port with 302: say to use https, don't follow."""
    simulator.isymphony.ssl_secured = True
    with pytest.raises(PbxSslRequiredError, match="https and its SSL port"):
        await client.get_users()
    assert len(simulator.requests) == 1


async def test_403_may_be_a_wrong_password(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """Some versions answer a wrong password with 403: an auth error that also says allow-list."""
    simulator.isymphony.wrong_password_status = 403
    client = ISymphonyClient(session, simulator.url, ISYMPHONY_USERNAME, "wrong")
    with pytest.raises(PbxAccessDeniedError) as err:
        await client.get_users()
    assert isinstance(err.value, PbxAuthenticationError)
    assert "allow-list" in str(err.value)
    assert "password" in str(err.value)


async def test_html_error_pages_become_plain_text(
    simulator: Simulator, client: ISymphonyClient, session: aiohttp.ClientSession
) -> None:
    """A servlet container's error page never reaches a user as markup."""
    simulator.isymphony.html_errors = True
    path = "communication_manager/rest/live/coreServers/getByName/default/users/getByName/nobody"
    auth = aiohttp.BasicAuth(ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD)
    async with session.get(f"{simulator.url}/{path}/status", auth=auth) as reply:
        assert "<h1>HTTP ERROR 404</h1>" in await reply.text()

    with pytest.raises(PbxNotFoundError) as err:
        await client.get_status("nobody")
    assert str(err.value) == "User not found"


def test_error_text_of_pages_and_sentences() -> None:
    assert error_text("User is not licensed") == "User is not licensed"
    assert error_text("<html><head><title>Error 500 Oops</title></head><body>x</body></html>") == (
        "Error 500 Oops"
    )
    assert error_text("<!DOCTYPE html><html><body><pre>  a &amp; b  </pre></body></html>") == (
        "a & b"
    )
    assert error_text("<html><body><p>no title</p></body></html>") == ""
    assert len(error_text("x " * 500)) == 200


async def test_password_beyond_latin_1(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.isymphony.password = "пароль€"
    client = ISymphonyClient(session, simulator.url, ISYMPHONY_USERNAME, "пароль€")
    assert await client.get_users()


async def test_server_error_malformed_and_empty_replies(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    simulator.faults.add("status", status=500)
    with pytest.raises(PbxResponseError, match="500"):
        await client.get_users()
    simulator.faults.add("malformed")
    with pytest.raises(PbxResponseError):
        await client.get_users()
    simulator.faults.add("status", status=200)
    with pytest.raises(PbxResponseError):
        await client.get_users()


def test_base_url_normalization() -> None:
    assert normalize_base_url("http://pbx:58080/").path == "/"
    assert normalize_base_url("http://pbx:58080/communication_manager/rest").path == "/"
    assert normalize_base_url("https://pbx/proxy/communication_manager").path == "/proxy"


async def test_timeout_and_refused_connection(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """A server that holds the request times out; a closed port is refused at once."""
    client = ISymphonyClient(
        session, simulator.url, ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD, request_timeout=0.2
    )
    simulator.faults.add("hang")
    with pytest.raises(PbxTimeoutError):
        await client.get_users()

    dead = ISymphonyClient(session, "http://127.0.0.1:1", ISYMPHONY_USERNAME, ISYMPHONY_PASSWORD)
    with pytest.raises(PbxConnectionError) as err:
        await dead.get_users()
    assert not isinstance(err.value, PbxTimeoutError)


@pytest.mark.parametrize(
    ("family", "path"),
    [
        ("rest", "/communication_manager/rest/config/server/coreServers/getByName/default"),
        ("resource", "/communication_manager/api/resource/server/coreServers/getBySlug/default"),
    ],
)
async def test_config_api_in_either_path_family(
    simulator: Simulator, client: ISymphonyClient, family: str, path: str
) -> None:
    """Whichever family the server has gives the stable id; the users come from the same."""
    simulator.isymphony.config_api_family = family  # type: ignore[assignment]
    config = await client.get_core_server_config()
    licensed = await client.get_licensed_usernames(config.id)

    assert config.slug == "default"
    assert "anna" in licensed
    assert "lukas" not in licensed
    paths = [r.path for r in simulator.requests]
    assert path in paths
    prefix = path.split("/server/", maxsplit=1)[0]
    assert f"{prefix}/core/{config.id}/users" in paths


async def test_without_any_config_api_both_families_are_tried(
    simulator: Simulator, client: ISymphonyClient
) -> None:
    simulator.isymphony.config_api = False
    with pytest.raises(PbxNotFoundError):
        await client.get_core_server_config()
    assert len([r for r in simulator.requests if "coreServers/getBy" in r.path]) == 2
