"""The Kazoo / Flex UC client against the simulator over real loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
import hashlib
import time

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.pbx_presence.pbx import (
    PbxAccountDisabledError,
    PbxAuthenticationError,
    PbxConnectionError,
    PbxForbiddenError,
    PbxMultiFactorRequiredError,
    PbxNotFoundError,
    PbxRateLimitError,
    PbxResponseError,
    PbxTimeoutError,
    PbxUnknownApiKeyError,
    PbxValidationError,
)
from custom_components.pbx_presence.pbx.kazoo import (
    AccountIdentifier,
    ApiKeyCredentials,
    CredentialsMethod,
    KazooClient,
    PresenceState,
    UserCredentials,
    client as kazoo_module,
)
from simulator import RateLimit, Simulator

from ..conftest import KAZOO_ACCOUNT, KAZOO_PASSWORD, KAZOO_USERNAME, kazoo_user_id

ADMIN = UserCredentials.from_password(KAZOO_USERNAME, KAZOO_PASSWORD, KAZOO_ACCOUNT)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, as Home Assistant would inject."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(simulator: Simulator, session: aiohttp.ClientSession) -> KazooClient:
    """A client logged in as the demo admin user."""
    return KazooClient(session, simulator.url, ADMIN)


def _device_id(sim: Simulator, sip_username: str) -> str:
    return next(
        did
        for did, device in sim.kazoo.devices.items()
        if device["sip"]["username"] == sip_username
    )


def _requests(sim: Simulator, method: str, suffix: str) -> list[object]:
    return [r for r in sim.requests if r.method == method and r.path.endswith(suffix)]


# --- authentication -------------------------------------------------------------------------


async def test_user_login_sends_md5_credentials_in_envelope(
    simulator: Simulator, client: KazooClient
) -> None:
    auth = await client.login()

    assert auth.account_id == simulator.kazoo.account_id
    assert auth.owner_id == kazoo_user_id(simulator, "admin")
    assert auth.expires_at is not None
    (request,) = [r for r in simulator.requests if r.path == "/v2/user_auth"]
    assert request.method == "PUT"
    assert request.headers["Content-Type"] == "application/json"
    expected = hashlib.md5(b"admin:admin-secret", usedforsecurity=False).hexdigest()
    assert request.json == {
        "data": {"credentials": expected, "method": "md5", "account_name": "acme"}
    }


@pytest.mark.parametrize(
    ("identifier", "account"),
    [
        (AccountIdentifier.ACCOUNT_REALM, "acme.pbx.example"),
        (AccountIdentifier.PHONE_NUMBER, "+15555550100"),
    ],
)
async def test_user_login_by_realm_or_phone_number_with_sha(
    simulator: Simulator,
    session: aiohttp.ClientSession,
    identifier: AccountIdentifier,
    account: str,
) -> None:
    credentials = UserCredentials.from_password(
        "ADMIN", KAZOO_PASSWORD, account, identifier, CredentialsMethod.SHA
    )
    client = KazooClient(session, simulator.url, credentials)

    auth = await client.login()

    assert auth.account_id == simulator.kazoo.account_id
    body = simulator.requests[-1].json
    assert body["data"][identifier.value] == account
    assert body["data"]["method"] == "sha"
    # The username is lowercased before hashing, as Kazoo does.
    assert (
        body["data"]["credentials"]
        == hashlib.sha1(b"admin:admin-secret", usedforsecurity=False).hexdigest()
    )


async def test_credentials_repr_hides_secrets() -> None:
    assert ADMIN.credentials not in repr(ADMIN)
    assert "secret-key" not in repr(ApiKeyCredentials("secret-key"))


async def test_api_key_login(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    api_key = simulator.kazoo.api_keys[0]
    client = KazooClient(session, simulator.url, ApiKeyCredentials(api_key))

    auth = await client.login()

    assert auth.account_id == simulator.kazoo.account_id
    assert auth.owner_id is None
    assert simulator.requests[-1].path == "/v2/api_auth"
    assert simulator.requests[-1].json == {"data": {"api_key": api_key}}


async def test_unknown_api_key_is_an_auth_error(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    client = KazooClient(session, simulator.url, ApiKeyCredentials("0" * 64))
    with pytest.raises(PbxUnknownApiKeyError):
        await client.login()


async def test_api_key_of_wrong_length_is_an_unknown_key_naming_the_field(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    # Kazoo checks a key's length (400) before it looks it up (404): both mean "no such key".
    client = KazooClient(session, simulator.url, ApiKeyCredentials("short"))
    with pytest.raises(PbxUnknownApiKeyError) as err:
        await client.login()
    assert "api_key" in str(err.value)


async def test_wrong_password(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    credentials = UserCredentials.from_password("admin", "s3cr3t-guess", "acme")
    client = KazooClient(session, simulator.url, credentials)
    with pytest.raises(PbxAuthenticationError) as err:
        await client.login()
    assert type(err.value) is PbxAuthenticationError
    assert "s3cr3t-guess" not in str(err.value)


@pytest.mark.parametrize("status", ["disabled", "expired"])
async def test_disabled_account(simulator: Simulator, client: KazooClient, status: str) -> None:
    """Kazoo refuses a disabled or expired account with 400 `validation error`, not 423."""
    simulator.kazoo.account_status = status  # type: ignore[assignment]
    with pytest.raises(PbxAccountDisabledError) as err:
        await client.login()
    assert err.value.reason == status
    assert not isinstance(err.value, PbxAuthenticationError)  # new credentials won't help


async def test_disabled_account_with_api_key(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """api_auth does not look at the account: its first request does."""
    client = KazooClient(session, simulator.url, ApiKeyCredentials(simulator.kazoo.api_keys[0]))
    simulator.kazoo.account_status = "expired"
    await client.login()
    with pytest.raises(PbxAccountDisabledError) as err:
        await client.get_account()
    assert err.value.reason == "expired"
    assert simulator.requests[-1].path.endswith(simulator.kazoo.account_id)


async def test_multi_factor_user(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    simulator.kazoo.add_user("mfa", "mfa-pass", "Multi", "Factor", mfa=True)
    client = KazooClient(
        session, simulator.url, UserCredentials.from_password("mfa", "mfa-pass", "acme")
    )
    with pytest.raises(PbxMultiFactorRequiredError):
        await client.login()


async def test_account_id_needs_a_login(client: KazooClient) -> None:
    with pytest.raises(PbxAuthenticationError):
        _ = client.account_id
    await client.login()
    assert client.account_id == client.auth.account_id  # type: ignore[union-attr]


async def test_logs_in_once_and_sends_the_token(simulator: Simulator, client: KazooClient) -> None:
    await client.get_account()
    await client.get_channels()

    assert len(_requests(simulator, "PUT", "/user_auth")) == 1
    token = client.auth.token  # type: ignore[union-attr]
    for request in simulator.requests[1:]:
        assert request.headers["X-Auth-Token"] == token
        assert request.headers["Accept"] == "application/json"


async def test_renews_token_before_it_expires(simulator: Simulator, client: KazooClient) -> None:
    # Renewal comes in the last fifth of the token's lifetime, before any 401.
    simulator.kazoo.token_lifetime = 1.5
    await client.get_account()
    first = client.auth
    await asyncio.sleep(1.5)
    await client.get_account()

    assert client.auth is not first
    # login, account, login, account: the renewal came before the request, not after a 401.
    assert [r.method for r in simulator.requests] == ["PUT", "GET", "PUT", "GET"]
    assert simulator.requests[-1].headers["X-Auth-Token"] == client.auth.token  # type: ignore[union-attr]


async def test_short_token_lifetime_is_not_a_login_per_request(
    simulator: Simulator, client: KazooClient
) -> None:
    # A provider's 5-minute tokens: a fixed 5-minute margin would log in every time.
    simulator.kazoo.token_lifetime = 300
    for _ in range(5):
        await client.get_account()
        await client.get_channels()

    assert len(_requests(simulator, "PUT", "/user_auth")) == 1


async def test_long_token_is_renewed_at_most_five_minutes_early(
    simulator: Simulator, client: KazooClient, freezer: FrozenDateTimeFactory
) -> None:
    # An hour-long token: a fifth would be 12 minutes early; the cap makes it 5.
    await client.get_account()
    freezer.tick(timedelta(minutes=50))
    await client.get_account()
    assert len(_requests(simulator, "PUT", "/user_auth")) == 1

    freezer.tick(timedelta(minutes=5, seconds=30))
    await client.get_account()
    assert len(_requests(simulator, "PUT", "/user_auth")) == 2
    assert simulator.requests[-2].method == "PUT"


async def test_logs_in_again_once_on_401(simulator: Simulator, client: KazooClient) -> None:
    await client.get_account()
    simulator.kazoo.revoke_tokens()

    account = await client.get_account()

    assert account.name == "acme"
    assert len(_requests(simulator, "PUT", "/user_auth")) == 2


async def test_gives_up_when_the_fresh_login_is_refused_too(
    simulator: Simulator, client: KazooClient
) -> None:
    await client.get_account()
    simulator.kazoo.revoke_tokens()
    simulator.faults.add("status", status=401, path_contains="/accounts/", count=None)

    with pytest.raises(PbxAuthenticationError):
        await client.get_account()
    assert len(_requests(simulator, "PUT", "/user_auth")) == 2


# --- account, users, devices ------------------------------------------------------------------


async def test_account(simulator: Simulator, client: KazooClient) -> None:
    account = await client.get_account()
    assert (account.id, account.name, account.realm) == (
        simulator.kazoo.account_id,
        "acme",
        "acme.pbx.example",
    )
    assert simulator.requests[-1].path == f"/v2/accounts/{simulator.kazoo.account_id}"


async def test_users_follow_pagination(
    simulator: Simulator, client: KazooClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that answers `paginate=false` with a page anyway is followed to the end."""
    monkeypatch.setattr(kazoo_module, "PAGE_SIZE", 5)
    simulator.kazoo.honours_paginate_false = False

    users = await client.get_users()

    assert sorted(u.id for u in users) == sorted(simulator.kazoo.users)
    pages = _requests(simulator, "GET", "/users")
    assert len(pages) == -(-len(simulator.kazoo.users) // 5)
    assert "start_key" not in pages[0].query
    assert all(page.query["page_size"] == "5" for page in pages)
    assert all("start_key" in page.query for page in pages[1:])
    anna = next(u for u in users if u.username == "anna")
    assert anna.display_name == "Anna Schmidt"
    assert anna.presence_id == "1001"


async def test_a_whole_list_is_one_request(simulator: Simulator, client: KazooClient) -> None:
    """Kazoo loads every page itself for `paginate=false`: one request, not one per page."""
    kazoo = simulator.kazoo
    for index in range(60):
        kazoo.add_user(f"bulk{index}", "bulk-secret", "Bulk", f"User {index}")

    users = await client.get_users()

    assert len(users) == len(kazoo.users) > 50
    (request,) = _requests(simulator, "GET", "/users")
    assert request.query["paginate"] == "false"


async def test_voicemail_boxes_carry_their_counts_on_every_page(
    simulator: Simulator, client: KazooClient
) -> None:
    """Kazoo 4.3 pages boxes 50 at a time and adds `folders.new` to each: no box is lost."""
    kazoo = simulator.kazoo
    for index in range(55):
        box = kazoo.add_vmbox(None, f"30{index:02d}")
        kazoo.leave_voicemail(box, "+15550001111")
        kazoo.leave_voicemail(box, "+15550001112", folder="saved")
    kazoo.honours_paginate_false = False  # the pages have to be followed too

    boxes = await client.get_voicemail_boxes()

    assert {box.id for box in boxes} == set(kazoo.vmboxes)
    counts = {box.id: box.new_messages for box in boxes}
    assert counts == {
        box_id: sum(m["folder"] == "new" for m in box["messages"])
        for box_id, box in kazoo.vmboxes.items()
    }
    assert not _requests(simulator, "GET", "/messages")


async def test_devices_list_and_single_device(simulator: Simulator, client: KazooClient) -> None:
    devices = await client.get_devices()
    desk_id = _device_id(simulator, "user_1001a")

    assert len(devices) == len(simulator.kazoo.devices)
    listed = next(d for d in devices if d.id == desk_id)
    assert listed.presence_id is None  # the list never carries it
    assert listed.owner_id == kazoo_user_id(simulator, "anna")

    device = await client.get_device(desk_id)
    assert device.presence_id == "1001"
    assert device.username == "user_1001a"
    assert simulator.requests[-1].path.endswith(f"/devices/{desk_id}")


async def test_unknown_device(client: KazooClient) -> None:
    with pytest.raises(PbxNotFoundError) as err:
        await client.get_device("f" * 32)
    assert "f" * 32 in str(err.value)


async def test_device_statuses(simulator: Simulator, client: KazooClient) -> None:
    statuses = await client.get_device_statuses()
    assert {s.device_id for s in statuses} == simulator.kazoo.registered
    assert all(s.registered for s in statuses)
    assert simulator.requests[-1].path.endswith("/devices/status")


async def test_channels(simulator: Simulator, client: KazooClient) -> None:
    channels = await client.get_channels()
    ben_desk = _device_id(simulator, "user_1002a")
    carla_desk = _device_id(simulator, "user_1003a")

    by_device = {c.authorizing_id: c for c in channels}
    assert by_device[ben_desk].answered
    assert by_device[ben_desk].owner_id == kazoo_user_id(simulator, "ben")
    assert by_device[ben_desk].presence_id == "1002@acme.pbx.example"
    assert not by_device[carla_desk].answered


# --- presence ---------------------------------------------------------------------------------


async def test_presence_list_legacy_shape(simulator: Simulator, client: KazooClient) -> None:
    simulator.kazoo.presence_shape = "legacy"

    presence = await client.get_presence()

    park = presence.presentities["*3101"]
    assert park.dialog_watchers == 3
    (subscription, *_) = park.subscriptions
    assert subscription.event == "dialog"
    assert subscription.watcher is not None
    assert subscription.watcher.endswith("@acme.pbx.example")
    assert subscription.expires > 0
    assert subscription.notify is not None
    assert presence.presentities["1001"].watchers["message-summary"] == 1
    assert not presence.partial


async def test_presence_list_counts_shape_and_timeout(
    simulator: Simulator, client: KazooClient
) -> None:
    simulator.kazoo.presence_shape = "modern"
    simulator.kazoo.presence_timeout = True

    presence = await client.get_presence()

    assert presence.presentities["*3101"].dialog_watchers == 3
    assert presence.presentities["*3101"].subscriptions == ()
    assert presence.partial


async def test_presence_list_event_filter(simulator: Simulator, client: KazooClient) -> None:
    presence = await client.get_presence(event="dialog")
    assert simulator.requests[-1].query == {"event": "dialog"}
    assert all(set(p.watchers) == {"dialog"} for p in presence.presentities.values())


async def test_reset_extension(simulator: Simulator, client: KazooClient) -> None:
    message = await client.reset_extension("*3101")

    request = simulator.requests[-1]
    assert (request.method, request.json) == ("POST", {"data": {"action": "reset"}})
    assert request.path.endswith("/presence/%2A3101")
    assert message == "reset command sent for extension *3101"
    assert simulator.kazoo.presence_actions[-1]["target"] == "extension"


async def test_reset_extension_refuses_the_wildcard_before_sending(
    simulator: Simulator, client: KazooClient, session: aiohttp.ClientSession
) -> None:
    await client.login()
    requests_before = len(simulator.requests)
    for extension in ("*", ".", "..", "31%", "3101'"):
        with pytest.raises(PbxValidationError):
            await client.reset_extension(extension)
    assert len(simulator.requests) == requests_before

    # What it would have done: the simulator, like Kamailio, flushes every lamp for `*`.
    auth = client.auth
    assert auth is not None
    async with session.post(
        f"{simulator.url}/v2/accounts/{auth.account_id}/presence/%2A",
        json={"data": {"action": "reset"}},
        headers={"X-Auth-Token": auth.token},
    ) as response:
        assert response.status == 200
    flushed = simulator.kazoo.presence_actions[-1]["presence_ids"]
    assert {"*3101", "1001"} <= set(flushed)


async def test_set_and_reset_user_presence(simulator: Simulator, client: KazooClient) -> None:
    ben = kazoo_user_id(simulator, "ben")

    await client.set_user_presence(ben, PresenceState.CONFIRMED)
    request = simulator.requests[-1]
    assert request.path.endswith(f"/users/{ben}/presence")
    assert request.json == {"data": {"action": "set", "state": "confirmed"}}
    assert simulator.kazoo.presence_overrides == {"1002": "confirmed"}

    await client.reset_user(ben)
    assert simulator.requests[-1].json == {"data": {"action": "reset"}}
    assert simulator.kazoo.presence_overrides == {}


async def test_user_without_any_presence_id(simulator: Simulator, client: KazooClient) -> None:
    """Kazoo says "command sent" while the user owns anything, even when nothing was sent."""
    lukas = kazoo_user_id(simulator, "lukas")  # owns a phone without a presence id
    assert await client.reset_user(lukas) == "command sent"
    assert simulator.kazoo.presence_actions[-1]["presence_ids"] == []

    loner = simulator.kazoo.add_user("loner", "loner-secret", "Lone", "Ranger")
    assert await client.reset_user(loner["id"]) == "nothing to send command to"
    simulator.kazoo.add_vmbox(loner["id"], "1099")
    assert await client.reset_user(loner["id"]) == "command sent"


async def test_presence_command_reply_that_is_not_a_message(
    simulator: Simulator, client: KazooClient
) -> None:
    """A reply whose data is not a string means the command crashed on the server."""
    simulator.kazoo.presence_command_crashes = True
    with pytest.raises(PbxResponseError):
        await client.reset_user(kazoo_user_id(simulator, "ben"))


async def test_set_and_reset_device_presence(simulator: Simulator, client: KazooClient) -> None:
    desk = _device_id(simulator, "user_1004a")

    assert await client.set_device_presence(desk, PresenceState.EARLY) == "command sent"
    assert simulator.requests[-1].path.endswith(f"/devices/{desk}/presence")
    assert simulator.requests[-1].json == {"data": {"action": "set", "state": "early"}}
    assert simulator.kazoo.presence_overrides == {"1004": "early"}

    await client.reset_device(desk)
    assert simulator.kazoo.presence_overrides == {}


async def test_presence_command_for_unknown_user(client: KazooClient) -> None:
    with pytest.raises(PbxNotFoundError):
        await client.set_user_presence("0" * 32, PresenceState.TERMINATED)


# --- failures ---------------------------------------------------------------------------------


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Back off from a 429 for milliseconds instead of seconds."""
    monkeypatch.setattr(kazoo_module, "RATE_LIMIT_BACKOFF", (0.05, 0.1, 0.2))


async def test_kazoo_43_rate_limit_answers_429_without_retry_after(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.kazoo.rate_limit = RateLimit(capacity=3, refill_per_second=0.1)
    client = KazooClient(session, simulator.url, ADMIN)
    await client.login()  # logins are not charged
    token = client.auth.token  # type: ignore[union-attr]
    url = f"{simulator.url}/v2/accounts/{simulator.kazoo.account_id}/channels"
    statuses = []
    for _ in range(4):
        async with session.get(url, headers={"X-Auth-Token": token}) as response:
            statuses.append(response.status)
            body = await response.json()
            assert "Retry-After" not in response.headers
    assert statuses == [200, 200, 200, 429]
    assert (body["message"], body["data"]) == (
        "too_many_requests",
        {"message": "too many requests"},
    )
    assert simulator.kazoo.rate_limited == 1


async def test_a_429_is_retried_after_a_growing_wait(
    simulator: Simulator, client: KazooClient, quick_backoff: None
) -> None:
    # Kazoo's 429 has no Retry-After: the client backs off by itself and tries again.
    simulator.faults.add("status", status=429, path_contains="/channels", count=2)
    started = time.monotonic()
    channels = await client.get_channels()

    assert len(channels) == 2
    assert len(_requests(simulator, "GET", "/channels")) == 3
    assert time.monotonic() - started >= 0.15  # 0.05 s, then 0.1 s


async def test_a_short_retry_after_is_waited_out(simulator: Simulator, client: KazooClient) -> None:
    # A proxy in front may say how long to wait; a short wait is taken, then a retry.
    simulator.faults.add("rate_limit", retry_after=0.05, path_contains="/channels")
    assert len(await client.get_channels()) == 2
    assert len(_requests(simulator, "GET", "/channels")) == 2


async def test_gives_up_after_the_last_backoff(
    simulator: Simulator, client: KazooClient, quick_backoff: None
) -> None:
    simulator.faults.add("status", status=429, path_contains="/channels", count=None)
    with pytest.raises(PbxRateLimitError) as err:
        await client.get_channels()
    assert err.value.retry_after is None
    assert len(_requests(simulator, "GET", "/channels")) == 4  # first try + 3 retries


async def test_pagination_resumes_after_a_429(
    simulator: Simulator,
    client: KazooClient,
    quick_backoff: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kazoo_module, "PAGE_SIZE", 5)
    simulator.kazoo.honours_paginate_false = False  # pages, as an older server answers
    await client.login()
    # Two requests' worth of tokens, refilled slowly: the third page meets a 429.
    simulator.kazoo.rate_limit = RateLimit(capacity=2, refill_per_second=10)
    simulator.requests.clear()

    users = await client.get_users()

    assert {user.id for user in users} == set(simulator.kazoo.users)
    assert simulator.kazoo.rate_limited >= 1
    pages = _requests(simulator, "GET", "/users")
    # One first page only: the refused page was asked again from its own start key.
    assert sum("start_key" not in r.query for r in pages) == 1  # type: ignore[attr-defined]
    assert len(pages) == 3 + simulator.kazoo.rate_limited


async def test_a_burst_is_paced_under_the_servers_bucket(
    simulator: Simulator, client: KazooClient
) -> None:
    # More concurrent requests than the client's burst: paced, no 429 at all.
    await asyncio.gather(*(client.get_account() for _ in range(55)))

    assert simulator.kazoo.rate_limited == 0
    assert len(_requests(simulator, "GET", simulator.kazoo.account_id)) == 55


async def test_the_pace_leaves_most_of_the_shared_bucket_to_others() -> None:
    """4.3's bucket (100, +10/s) is shared with the account's other clients on that address:
    a burst takes at most half of it, and then at most a third of its refill rate."""
    pacer = kazoo_module.RequestPacer()
    started = time.monotonic()
    await asyncio.gather(*(pacer.acquire() for _ in range(50)))
    assert time.monotonic() - started < 0.1

    started = time.monotonic()
    await asyncio.gather(*(pacer.acquire() for _ in range(2)))
    assert time.monotonic() - started >= 2 / (10 / 3) - 0.01


async def test_the_pacer_lets_a_burst_through_and_then_waits() -> None:
    pacer = kazoo_module.RequestPacer(burst=90, per_second=9)
    started = time.monotonic()
    await asyncio.gather(*(pacer.acquire() for _ in range(90)))
    assert time.monotonic() - started < 0.1  # an ordinary poll never waits

    started = time.monotonic()
    await asyncio.gather(*(pacer.acquire() for _ in range(3)))
    assert time.monotonic() - started >= 0.2  # the third one waits for its token


async def test_devices_with_a_presence_id(simulator: Simulator, client: KazooClient) -> None:
    ids = await client.get_device_ids_with_presence_id()

    assert ids == {
        device_id
        for device_id, device in simulator.kazoo.devices.items()
        if device.get("presence_id")
    }
    assert simulator.requests[-1].query["has_key"] == "presence_id"


async def test_rate_limited_with_retry_after(simulator: Simulator, client: KazooClient) -> None:
    simulator.faults.add("rate_limit", retry_after=7, path_contains="/channels")
    with pytest.raises(PbxRateLimitError) as err:
        await client.get_channels()
    assert err.value.retry_after == 7


@pytest.mark.parametrize(
    ("status", "error"),
    [(403, PbxForbiddenError), (500, PbxResponseError), (503, PbxResponseError)],
)
async def test_error_statuses(
    simulator: Simulator, client: KazooClient, status: int, error: type[Exception]
) -> None:
    simulator.faults.add("status", status=status, path_contains="/presence")
    with pytest.raises(error):
        await client.get_presence()


async def test_malformed_reply(simulator: Simulator, client: KazooClient) -> None:
    simulator.faults.add("malformed", path_contains="/channels")
    with pytest.raises(PbxResponseError):
        await client.get_channels()


async def test_dropped_connection(simulator: Simulator, client: KazooClient) -> None:
    # aiohttp retries an idempotent request once on a reused connection: drop both.
    simulator.faults.add("drop", path_contains="/channels", count=None)
    with pytest.raises(PbxConnectionError):
        await client.get_channels()


async def test_timeout(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    client = KazooClient(session, simulator.url, ADMIN, request_timeout=0.2)
    simulator.faults.add("hang", path_contains="/user_auth")
    with pytest.raises(PbxTimeoutError):
        await client.login()


async def test_server_down(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    sim = Simulator()
    await sim.start()
    url = sim.url
    await sim.stop()
    with pytest.raises(PbxConnectionError):
        await KazooClient(session, url, ADMIN).login()


async def test_base_url_with_v2_suffix_and_prefix(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    client = KazooClient(session, f"{simulator.url}/v2/", ADMIN)
    await client.login()
    assert simulator.requests[-1].path == "/v2/user_auth"
    assert kazoo_module.normalize_base_url("https://pbx.example/crossbar/v2").path == "/crossbar"
