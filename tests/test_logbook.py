"""The logbook tells calls and status changes in words, one line for each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import CLIENT_ID, MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pbx_presence.backends.isymphony.adapter import (
    SCAN_INTERVAL as ISYMPHONY_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.adapter import (
    SCAN_INTERVAL as KAZOO_SCAN_INTERVAL,
)
from simulator import Simulator

from .conftest import (
    async_poll,
    kazoo_device_id,
    setup_entry,
    start_internal_call,
    state_object,
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """The recorder first (the logbook reads it), then the integration from this repository."""


async def _logbook(
    hass: HomeAssistant, client: ClientSessionGenerator, user: MockUser, since: datetime
) -> list[dict[str, Any]]:
    """The logbook's entries since `since`, as the frontend reads them."""
    await async_wait_recording_done(hass)
    # A token issued at the (frozen) time of the test.
    refresh_token = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    session = await client(hass.auth.async_create_access_token(refresh_token))
    response = await session.get(f"/api/logbook/{since.isoformat()}")
    assert response.status == 200
    entries: list[dict[str, Any]] = await response.json()
    return entries


def _lines(entries: list[dict[str, Any]], name: str) -> list[str]:
    """The lines of one person, as "<entity>: <message or state>"."""
    return [
        f"{entry.get('entity_id')}: {entry.get('message') or entry.get('state')}"
        for entry in entries
        if entry.get("name", "").startswith(name)
    ]


async def test_a_status_change_is_one_sentence(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_admin_user: MockUser,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Away with a name, note and return time: one sentence, no line per detail sensor."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2027-06-10 11:00:00+00:00")
    assert await async_setup_component(hass, "logbook", {})
    await setup_entry(hass, isymphony_entry)
    since = dt_util.utcnow()
    back = int((dt_util.utcnow() + timedelta(hours=2, minutes=45)).timestamp() * 1000)
    simulator.isymphony.set_status(
        "anna", name="Out to lunch", type="away", note="Pizza", return_time=back
    )
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)

    entries = await _logbook(hass, hass_client, hass_admin_user, since)
    lines = _lines(entries, "Anna Schmidt")
    assert (
        "event.anna_schmidt_status_change: is now Away (Out to lunch) until 1:45 pm. Note: Pizza."
        in lines
    )
    # The details are the Status sensor's attributes; their own sensors are off by default.
    assert not [line for line in lines if "status_name" in line or "note:" in line]
    attributes = state_object(hass, "sensor.anna_schmidt_status").attributes
    assert (attributes["status_name"], attributes["note"]) == ("Out to lunch", "Pizza")
    assert hass.states.get("sensor.anna_schmidt_status_note") is None


async def test_a_call_in_words(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_admin_user: MockUser,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ringing, answered and ended (with its length) name the other party; a missed call says so."""
    freezer.move_to("2027-06-10 11:00:00+00:00")
    assert await async_setup_component(hass, "logbook", {})
    await setup_entry(hass, kazoo_entry)
    since = dt_util.utcnow()
    caller, callee = start_internal_call(simulator)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    simulator.kazoo.answer(callee)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    freezer.tick(timedelta(seconds=95))
    simulator.kazoo.hangup(callee)
    simulator.kazoo.hangup(caller)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    # A call from the lobby that nobody answers.
    missed = simulator.kazoo.start_call(
        device_id=kazoo_device_id(simulator, "Anna Schmidt desk phone"),
        direction="outbound",
        destination="1001",
    )
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)
    simulator.kazoo.hangup(missed)
    await async_poll(hass, freezer, KAZOO_SCAN_INTERVAL)

    entries = await _logbook(hass, hass_client, hass_admin_user, since)
    sentences = [entry["message"] for entry in entries if entry.get("name") == "Anna Schmidt"]
    assert sentences == [
        "has a call from Lobby phone (1099) ringing",
        "answered a call from Lobby phone (1099)",
        "ended a call with Lobby phone (1099) after 1 min 50 s",
        "has a call ringing",
        "missed a call",
    ]
    # Beside each sentence, the entities' own lines: their state, no caller in the history.
    call_sensor = [e for e in entries if e["entity_id"] == "sensor.anna_schmidt_call_state"]
    assert [e["state"] for e in call_sensor] == ["ringing", "busy", "idle", "ringing", "idle"]


async def test_in_german(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_admin_user: MockUser,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The language of Home Assistant's configuration: a 24-hour clock, German words."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2027-06-10 11:00:00+00:00")
    hass.config.language = "de"
    assert await async_setup_component(hass, "logbook", {})
    await setup_entry(hass, isymphony_entry)
    since = dt_util.utcnow()
    back = int(datetime(2027, 6, 11, 9, 30, tzinfo=UTC).timestamp() * 1000)
    simulator.isymphony.set_status("anna", name="Arzt", type="away", return_time=back)
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)

    entries = await _logbook(hass, hass_client, hass_admin_user, since)
    assert "ist jetzt Abwesend (Arzt) bis morgen um 9:30 Uhr" in [
        entry.get("message") for entry in entries
    ]
