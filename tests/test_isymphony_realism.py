"""iSymphony as its docs leave it open: odd status replies, 403 for a wrong password."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.const import DOMAIN, ISYMPHONY_SCAN_INTERVAL
from simulator import Simulator

from .conftest import async_poll, setup_entry, state_of


@pytest.mark.parametrize(
    "odd",
    ["null", "empty_object", "empty_body", "unknown_type", "null_type", "http_400", "http_500"],
)
async def test_one_users_odd_status_costs_that_user_only(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    odd: str,
) -> None:
    """Ben's status cannot be read: his status is unknown, everyone else's is shown."""
    simulator.isymphony.user("ben")["odd_status"] = odd
    await setup_entry(hass, isymphony_entry)

    assert state_of(hass, "sensor.ben_carter_status") == STATE_UNKNOWN
    assert state_of(hass, "sensor.ben_carter_status_name") == STATE_UNKNOWN
    assert state_of(hass, "sensor.anna_schmidt_status") == "available"
    assert state_of(hass, "sensor.carla_rossi_status") == "dnd"
    assert isymphony_entry.runtime_data.last_update_success
    assert not isymphony_entry.runtime_data.data.unlicensed

    # Said once, not on every poll.
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert caplog.text.count("The status of iSymphony user ben cannot be read") == 1

    # Once it reads again, it shows.
    simulator.isymphony.user("ben")["odd_status"] = None
    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)
    assert state_of(hass, "sensor.ben_carter_status") == "away"


async def test_403_after_a_password_change_asks_to_reauthenticate(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Some versions answer a wrong password with 403: that leads to re-authentication."""
    await setup_entry(hass, isymphony_entry)
    simulator.isymphony.wrong_password_status = 403
    simulator.isymphony.password = "changed-on-the-server"

    await async_poll(hass, freezer, ISYMPHONY_SCAN_INTERVAL)

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_html_error_pages_never_reach_the_ui(
    hass: HomeAssistant,
    simulator: Simulator,
    isymphony_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An odd status behind an HTML error page: the log names the reason, not the markup."""
    simulator.isymphony.html_errors = True
    simulator.isymphony.user("ben")["odd_status"] = "http_500"
    await setup_entry(hass, isymphony_entry)

    assert "Internal Server Error" in caplog.text
    assert "<h1>" not in caplog.text
