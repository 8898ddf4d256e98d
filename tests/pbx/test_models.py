"""Parser edge cases: odd or malformed replies become PbxResponseError, never a crash."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
import json
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy
import pytest

from custom_components.pbx_presence.pbx import (
    PbxResponseError,
)
from custom_components.pbx_presence.pbx._http import Reply
from custom_components.pbx_presence.pbx.isymphony import ISymphonyStatus, ISymphonyUser, StatusType
from custom_components.pbx_presence.pbx.isymphony.models import parse_return_time, to_return_time
from custom_components.pbx_presence.pbx.kazoo import (
    KazooChannel,
    KazooDevice,
    KazooPresenceList,
    KazooUser,
    gregorian_to_datetime,
)
from custom_components.pbx_presence.pbx.kazoo.client import token_expiry

STATUS = {
    "id": "99c6c017-7c86-4d78-89ca-dbc1267ffe76",
    "configurationId": "215734e0-383d-11e2-81c1-0800200c9a66",
    "name": "Went back in time",
    "type": "away",
    "note": "Tell Doc Brown",
    "returnTime": 499132800,
    "userCreated": True,
}


def test_seed_status_example_reads_its_return_time_as_seconds() -> None:
    status = ISymphonyStatus.from_api(STATUS)
    assert status.type is StatusType.AWAY
    assert status.return_time == datetime(1985, 10, 26, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-1, None),
        (0, None),
        (499132800, datetime(1985, 10, 26, tzinfo=UTC)),
        (499132800000, datetime(1985, 10, 26, tzinfo=UTC)),
        (1_900_000_000_000, datetime.fromtimestamp(1_900_000_000, tz=UTC)),
    ],
)
def test_return_time_reading(value: int, expected: datetime | None) -> None:
    assert parse_return_time(value) == expected


def test_return_time_out_of_range() -> None:
    with pytest.raises(PbxResponseError):
        parse_return_time(10**30)


def test_return_time_writing() -> None:
    assert to_return_time(None) == -1
    assert to_return_time(datetime(1985, 10, 26, tzinfo=UTC)) == 499132800000


def test_status_without_return_time_field_and_unknown_type() -> None:
    minimal = {"name": "x", "type": "dnd"}
    status = ISymphonyStatus.from_api(minimal)
    assert (status.return_time, status.note, status.user_created) == (None, "", True)
    with pytest.raises(PbxResponseError, match="Unknown status type"):
        ISymphonyStatus.from_api({**STATUS, "type": "sleeping"})


@pytest.mark.parametrize(
    ("parser", "payload"),
    [
        (ISymphonyStatus.from_api, {**STATUS, "returnTime": "soon"}),
        (ISymphonyStatus.from_api, {**STATUS, "returnTime": 1.5}),
        (ISymphonyStatus.from_api, {**STATUS, "userCreated": "yes"}),
        (ISymphonyStatus.from_api, ["not", "an", "object"]),
        (ISymphonyUser.from_api, {"id": "1"}),
        (ISymphonyUser.from_api, {"id": 1, "userName": "anna"}),
        (KazooUser.from_api, {"first_name": "no id"}),
        (KazooUser.from_api, {"id": "1", "presence_id": 1001}),
        (KazooDevice.from_api, {"id": "1", "enabled": "true"}),
        (KazooChannel.from_api, {"uuid": "1", "answered": "no"}),
        (KazooChannel.from_api, None),
        (KazooPresenceList.from_api, {"subscriptions": []}),
        (KazooPresenceList.from_api, {"subscriptions": {"1001": {"dialog": {"c": 5}}}}),
        (KazooPresenceList.from_api, {"Subscriptions": {"1001": {"dialog": "many"}}}),
        (KazooPresenceList.from_api, "presence"),
    ],
)
def test_malformed_items_raise_response_error(parser: Any, payload: Any) -> None:
    with pytest.raises(PbxResponseError):
        parser(payload)


def test_presence_keys_are_lowercased_and_empty_list_is_fine() -> None:
    presence = KazooPresenceList.from_api({"Subscriptions": {"Lobby": {"dialog": 2}}})
    assert presence.presentities["lobby"].dialog_watchers == 2
    assert not presence.partial
    assert KazooPresenceList.from_api({}).presentities == {}


def test_presence_timeout_without_subscriptions_is_no_answer() -> None:
    # No Kamailio node answered: no information at all, not "nobody watches".
    silent = KazooPresenceList.from_api({"timeout": True})
    assert silent.no_answer
    assert silent.partial
    # Kazoo 5.x answers an account without any watcher with a null timeout.
    empty = KazooPresenceList.from_api({"timeout": None})
    assert (empty.no_answer, empty.partial, empty.presentities) == (False, False, {})
    some = KazooPresenceList.from_api({"Subscriptions": {}, "timeout": True})
    assert (some.no_answer, some.partial) == (False, True)


def test_device_username_falls_back_to_sip_block() -> None:
    device = KazooDevice.from_api({"id": "d1", "sip": {"username": "user_1001a"}})
    assert (device.username, device.name, device.enabled) == ("user_1001a", "d1", True)


def test_gregorian_timestamps() -> None:
    assert gregorian_to_datetime(63606201099) == datetime(2015, 8, 7, 21, 11, 39, tzinfo=UTC)


def _jwt(payload: Any) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"header.{encoded}.signature"


def test_token_expiry() -> None:
    assert token_expiry(_jwt({"exp": 1_900_000_000})) == datetime.fromtimestamp(
        1_900_000_000, tz=UTC
    )
    assert token_expiry("opaque-token") is None
    assert token_expiry("a.!!!.c") is None
    assert token_expiry(_jwt(["exp"])) is None
    assert token_expiry(_jwt({"exp": "soon"})) is None


def _reply(headers: dict[str, str]) -> Reply:
    return Reply(429, CIMultiDictProxy(CIMultiDict(headers)), "")


def test_retry_after_forms() -> None:
    assert _reply({"Retry-After": "12"}).retry_after() == 12
    assert _reply({}).retry_after() is None
    assert _reply({"Retry-After": "whenever"}).retry_after() is None
    future = datetime.now(UTC) + timedelta(seconds=90)
    http_date = future.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 80 < (_reply({"Retry-After": http_date}).retry_after() or 0) <= 90


def test_presence_counts_without_keeping_subscriptions() -> None:
    sub = {"expires": 1820, "from": "user_1002a@acme", "timestamp": 63606201099, "version": 1}
    data = {"subscriptions": {"1001": {"dialog": {"c1": sub, "c2": sub}, "message-summary": {}}}}

    counted = KazooPresenceList.from_api(data, subscriptions=False)
    full = KazooPresenceList.from_api(data)

    assert counted.presentities["1001"].watchers == full.presentities["1001"].watchers
    assert counted.presentities["1001"].watchers == {"dialog": 2, "message-summary": 0}
    assert counted.presentities["1001"].subscriptions == ()
    assert len(full.presentities["1001"].subscriptions) == 2
