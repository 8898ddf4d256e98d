"""Config flow: odd URLs and servers that are not what they seem, told apart clearly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.const import CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.pbx_presence.const import ServerType
from simulator import Simulator

from .conftest import ISYMPHONY_USERNAME, isymphony_entry_data
from .test_config_flow import add_entry, check, isymphony_input, kazoo_input, start, submit

BAD_URLS = [
    ("{url}/" + "a" * 10_000, "url_too_long"),
    ("{url}\n/evil", "url_control_characters"),
    ("{url}/\x00", "url_control_characters"),
    ("{url}/a\tb", "url_control_characters"),
    ("{url}/?x=1#frag", "url_query"),
    ("{url}/?x=1", "url_query"),
    ("{url}/#frag", "url_query"),
    ("{url}?", "url_query"),
]


@pytest.mark.parametrize(
    ("server_type", "make_input"),
    [(ServerType.FLEX_UC, kazoo_input), (ServerType.ISYMPHONY, isymphony_input)],
)
@pytest.mark.parametrize(("url", "error"), BAD_URLS, ids=range(len(BAD_URLS)))
async def test_odd_urls_are_refused_before_sending(
    hass: HomeAssistant,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
    server_type: ServerType,
    make_input: Callable[..., dict[str, Any]],
    url: str,
    error: str,
) -> None:
    """A newline, a query or fragment, or a pasted page: a clear error, a short log."""
    caplog.set_level("DEBUG")
    result = await start(hass, server_type)

    result = await submit(hass, result, make_input(simulator, url=url.format(url=simulator.url)))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: error}
    assert simulator.requests == []
    assert "a" * 2_001 not in caplog.text


@pytest.mark.parametrize(("url", "error"), BAD_URLS[:2] + BAD_URLS[4:5], ids=range(3))
async def test_reconfigure_refuses_odd_urls(
    hass: HomeAssistant, simulator: Simulator, url: str, error: str
) -> None:
    entry = add_entry(hass, isymphony_entry_data(simulator), "default", "iSymphony default")
    result = check(await entry.start_reconfigure_flow(hass))

    result = await submit(
        hass,
        result,
        {
            CONF_URL: url.format(url=simulator.url),
            CONF_VERIFY_SSL: True,
            "username": ISYMPHONY_USERNAME,
        },
    )

    assert result["errors"] == {CONF_URL: error}
    assert simulator.requests == []


async def test_a_long_url_the_server_does_not_know_is_not_logged_whole(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Just under the limit: the server's answer is reported, the URL cut short in the log."""
    caplog.set_level("DEBUG")
    result = await start(hass, ServerType.FLEX_UC)
    url = f"{simulator.url}/{'a' * 1_900}"

    result = await submit(hass, result, kazoo_input(simulator, url=url))

    assert result["type"] is FlowResultType.FORM
    assert "a" * 300 not in caplog.text


@pytest.mark.parametrize("path", ["/elsewhere", "/v2"])
async def test_isymphony_url_of_another_web_server(
    hass: HomeAssistant, simulator: Simulator, path: str
) -> None:
    """A web server that answers 404 without asking for a login is not the servlet."""
    result = await start(hass, ServerType.ISYMPHONY)

    result = await submit(hass, result, isymphony_input(simulator, url=simulator.url + path))

    assert result["errors"] == {"base": "not_isymphony_servlet"}


async def test_isymphony_unknown_core_server_is_still_told(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The servlet asks an anonymous caller for a login: the slug is what is wrong."""
    result = await start(hass, ServerType.ISYMPHONY)

    result = await submit(hass, result, isymphony_input(simulator, core_server="sales"))

    assert result["errors"] == {"base": "unknown_core_server"}
    probes = [r for r in simulator.requests if r.path.endswith("/getByName/sales/users")]
    assert len(probes) == 2  # the request, and the anonymous probe that tells the two apart
