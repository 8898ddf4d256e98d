"""Shared fixtures: the simulator on loopback, and config entries pointing at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
import hashlib
from typing import Any
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

# Imported first so `custom_components` resolves to this repository, not the harness's.
import custom_components.pbx_presence  # noqa: F401
from custom_components.pbx_presence.const import (
    CONF_ACCOUNT_NAME,
    CONF_CORE_SERVER,
    CONF_CREDENTIALS_HASH,
    CONF_SERVER_TYPE,
    DOMAIN,
    ServerType,
)
from simulator import DEMO_CORE_SERVER_ID, Simulator

KAZOO_USERNAME = "admin"
KAZOO_PASSWORD = "admin-secret"
KAZOO_ACCOUNT = "acme"
ISYMPHONY_USERNAME = "manager"
ISYMPHONY_PASSWORD = "manag3rpa55word"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[Simulator]:
    """The demo simulator, serving both APIs on a free loopback port.

    Its event websockets refuse every upgrade, so entries poll, as they do where a
    server's socket is unreachable; tests of live updates open them (`open_sockets`).
    """
    sim = Simulator.demo()
    await sim.start(host="127.0.0.1", port=0)
    sim.kazoo.websocket_url_in_login = sim.blackhole_url
    for hub in (sim.blackhole.hub, sim.isymphony_events.hub):
        hub.faults.refuse_status = 404
    try:
        yield sim
    finally:
        await sim.stop()


def open_sockets(sim: Simulator) -> None:
    """Let entries connect the simulator's event websockets (live updates)."""
    for hub in (sim.blackhole.hub, sim.isymphony_events.hub):
        hub.faults.refuse_status = None


def kazoo_entry_data(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """Config entry data of a Flex UC / Kazoo user login against the simulator."""
    secret = f"{KAZOO_USERNAME}:{KAZOO_PASSWORD}".encode()
    return {
        CONF_SERVER_TYPE: ServerType.FLEX_UC,
        CONF_URL: sim.url,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: KAZOO_USERNAME,
        CONF_CREDENTIALS_HASH: hashlib.md5(secret, usedforsecurity=False).hexdigest(),
        CONF_ACCOUNT_NAME: KAZOO_ACCOUNT,
        **overrides,
    }


def isymphony_entry_data(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """Config entry data of an iSymphony manager login against the simulator."""
    return {
        CONF_SERVER_TYPE: ServerType.ISYMPHONY,
        CONF_URL: sim.url,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: ISYMPHONY_USERNAME,
        CONF_PASSWORD: ISYMPHONY_PASSWORD,
        CONF_CORE_SERVER: "default",
        **overrides,
    }


@pytest.fixture
def kazoo_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """A Flex UC / Kazoo entry for the simulator's demo account (not yet set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=KAZOO_ACCOUNT,
        unique_id=simulator.kazoo.account_id,
        data=kazoo_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
def isymphony_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """An iSymphony entry for the simulator's default core server (not yet set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="iSymphony default",
        unique_id=DEMO_CORE_SERVER_ID,
        data=isymphony_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set up an entry and wait until Home Assistant is idle.

    Setting up the first entry sets up the integration with every entry added so far: an
    entry already loaded that way is only waited for.
    """
    if entry.state is not ConfigEntryState.LOADED:
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def kazoo_user_id(sim: Simulator, username: str) -> str:
    """The Kazoo id of a simulator user, by username."""
    return next(uid for uid, user in sim.kazoo.users.items() if user["username"] == username)


def kazoo_device_id(sim: Simulator, name: str) -> str:
    """The Kazoo id of a simulator device, by name."""
    return next(did for did, device in sim.kazoo.devices.items() if device["name"] == name)


async def async_poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Let `delta` pass, so that polls due by then run, and wait until Home Assistant is idle."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await async_wait_for_polls(hass)


async def async_wait_for_polls(hass: HomeAssistant) -> None:
    """Wait until every running poll (or setup retry) is done and Home Assistant is idle.

    Polls and setup retries run as background tasks, as do the live-update tasks that
    never end: wait for the polls ("... - refresh") and retries only.
    """
    await hass.async_block_till_done()
    while polls := [
        task
        for task in asyncio.all_tasks()
        if not task.done()
        and (
            task.get_name().endswith(" - refresh")
            or task.get_name().startswith("config entry retry ")
        )
    ]:
        await asyncio.wait(polls)
        await hass.async_block_till_done()


# The 11 iSymphony status types, as the seed lists them.
STATUS_TYPES = [
    "available",
    "unavailable",
    "away",
    "xa",
    "dnd",
    "chat",
    "altblue",
    "altgreen",
    "altpink",
    "altpurple",
    "altred",
]
# ... as the Status sensor and the Set status select show them: Home Assistant reserves the
# state "unavailable", so that type has a key of its own.
STATUS_STATES = ["not_available" if t == "unavailable" else t for t in STATUS_TYPES]


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """The state of an entity that must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _init(
    hass: HomeAssistant, request: pytest.FixtureRequest, *entries: MockConfigEntry
) -> None:
    """Set up entries already added, as a test's first lines did.

    A test that freezes time had it frozen before its setup: so it is here, whatever the
    order of the test's fixtures.
    """
    if "freezer" in request.fixturenames:
        request.getfixturevalue("freezer")
    for entry in entries:
        await setup_entry(hass, entry)
        assert entry.state is ConfigEntryState.LOADED


@pytest.fixture
async def init_kazoo(
    hass: HomeAssistant, request: pytest.FixtureRequest, kazoo_entry: MockConfigEntry
) -> MockConfigEntry:
    """The Kazoo entry, set up and loaded."""
    await _init(hass, request, kazoo_entry)
    return kazoo_entry


@pytest.fixture
async def init_isymphony(
    hass: HomeAssistant, request: pytest.FixtureRequest, isymphony_entry: MockConfigEntry
) -> MockConfigEntry:
    """The iSymphony entry, set up and loaded."""
    await _init(hass, request, isymphony_entry)
    return isymphony_entry


@pytest.fixture
async def init_both(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    kazoo_entry: MockConfigEntry,
    isymphony_entry: MockConfigEntry,
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Both entries (Kazoo, iSymphony), added before the first setup and both loaded."""
    await _init(hass, request, kazoo_entry, isymphony_entry)
    return kazoo_entry, isymphony_entry


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Enable the entities that are off by default (as core's fixture of that name)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


def state_object(hass: HomeAssistant, entity_id: str) -> State:
    """The state object (state and attributes) of an entity that must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


def start_internal_call(sim: Simulator) -> tuple[str, str]:
    """The lobby phone calls Anna's desk phone (1001), both legs bridged: (caller, callee)."""
    kazoo = sim.kazoo
    lobby = kazoo_device_id(sim, "Lobby phone")
    desk = kazoo_device_id(sim, "Anna Schmidt desk phone")
    caller = kazoo.start_call(device_id=lobby, direction="inbound", destination="1001")
    callee = kazoo.start_call(device_id=desk, direction="outbound", destination="1001")
    kazoo.channels[callee].other_leg = caller
    kazoo.channels[caller].other_leg = callee
    return caller, callee


def hide_from_assist(hass: HomeAssistant, person: str) -> None:
    """Un-expose every call state and status sensor of a person (`ben_carter`), both servers'.

    Which server's sensor gets the plain entity id depends on which entry made it first.
    """
    prefixes = (f"sensor.{person}_call_state", f"sensor.{person}_status")
    for entry in er.async_get(hass).entities.values():
        if entry.entity_id.startswith(prefixes):
            async_expose_entity(hass, "conversation", entry.entity_id, should_expose=False)
