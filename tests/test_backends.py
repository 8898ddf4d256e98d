"""What a backend says it cannot do: capabilities, refusals, and the defaults of the base."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends import (
    Capability,
    NotSupportedError,
    PbxBackend,
    ServerType,
    backend_class,
)
from custom_components.pbx_presence.backends.snapshot import (
    CallState,
    Presentity,
    PresentityKind,
    ServerInfo,
    Snapshot,
    StatusType,
)
from simulator import Simulator

from .conftest import isymphony_entry_data, kazoo_entry_data


class _ReadOnlyBackend(PbxBackend[object]):
    """A server that can only be read: every write is refused by the base class."""

    server_type = ServerType.FLEX_UC
    capabilities = frozenset()
    scan_interval = min_scan_interval = safety_scan_interval = timedelta(seconds=30)

    @staticmethod
    def login_data(username: str, password: str) -> dict[str, str]:
        return {"username": username, "password": password}

    async def async_identify(self) -> ServerInfo:
        return ServerInfo("id", "Read only", "Nobody", "None")

    async def async_fetch(self) -> Snapshot:
        return Snapshot()


PERSON = Presentity(key="user_1", kind=PresentityKind.USER, name="Anna", server_id="1")


async def test_a_backend_refuses_what_it_cannot_do_naming_the_capability() -> None:
    backend = _ReadOnlyBackend()
    refusals = {
        Capability.PRESENCE_RESET: (
            backend.async_reset(PERSON),
            backend.async_reset_extension("1"),
        ),
        Capability.BLF_OVERRIDE: (backend.async_set_state(PERSON, CallState.BUSY),),
        Capability.STATUS: (backend.async_set_status(PERSON, status_type=StatusType.AWAY),),
    }
    for capability, calls in refusals.items():
        for call in calls:
            with pytest.raises(NotSupportedError) as err:
                await call
            assert err.value.capability is capability


async def test_a_backend_without_push_or_directory_reports_nothing() -> None:
    backend = _ReadOnlyBackend()
    assert await backend.async_open_events() is None
    assert backend.apply_events([object()]).snapshot is None
    assert await backend.async_default_kinds() is None
    assert await backend.async_has_license()
    assert (backend.live_details(), backend.diagnostics(), backend.predefined_statuses) == (
        {},
        {},
        {},
    )
    assert backend.directory_record(PERSON) is None


def test_the_server_kinds_say_what_they_can_do(simulator: Simulator) -> None:
    kazoo = backend_class(kazoo_entry_data(simulator))
    isymphony = backend_class(isymphony_entry_data(simulator))
    assert {Capability.PRESENCE_RESET, Capability.BLF_OVERRIDE} <= kazoo.capabilities
    assert Capability.STATUS not in kazoo.capabilities
    assert Capability.STATUS in isymphony.capabilities
    assert Capability.PRESENCE_RESET not in isymphony.capabilities
    assert (kazoo.websocket_url_option, isymphony.websocket_url_option) == (True, False)
    assert (kazoo.links_people, isymphony.links_people) == (False, True)


async def test_a_write_the_server_cannot_do_is_a_translated_refusal(
    init_both: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    kazoo_entry, isymphony_entry = init_both
    kazoo, isymphony = kazoo_entry.runtime_data, isymphony_entry.runtime_data
    anna = kazoo.data.presentities[next(iter(kazoo.data.presentities))]

    with pytest.raises(HomeAssistantError) as err:
        await kazoo.async_set_status(anna, status_type=StatusType.AWAY)
    assert err.value.translation_key == "not_isymphony"

    with pytest.raises(HomeAssistantError) as err:
        await isymphony.async_reset_extension("*3101")
    assert err.value.translation_key == "not_flex_uc"
