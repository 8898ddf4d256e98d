"""The config flow, against the simulator over loopback HTTP: user, reauth and reconfigure."""

from __future__ import annotations

from collections.abc import Callable, Generator
import hashlib
import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends import create_backend
from custom_components.pbx_presence.backends.isymphony.adapter import (
    ISymphonyBackend,
)
from custom_components.pbx_presence.backends.kazoo.adapter import KazooBackend
from custom_components.pbx_presence.const import (
    CONF_ACCOUNT_NAME,
    CONF_CORE_SERVER,
    CONF_CREDENTIALS_HASH,
    CONF_SERVER_TYPE,
    CONF_WEBSOCKET_URL,
    DOMAIN,
    ServerType,
)
from simulator import DEMO_CORE_SERVER_ID, Simulator

from .conftest import (
    ISYMPHONY_PASSWORD,
    ISYMPHONY_USERNAME,
    KAZOO_ACCOUNT,
    KAZOO_PASSWORD,
    KAZOO_USERNAME,
    isymphony_entry_data,
    kazoo_entry_data,
)

TRANSLATIONS = json.loads(
    (
        Path(__file__).parents[1]
        / "custom_components"
        / "pbx_presence"
        / "translations"
        / "en.json"
    ).read_text(encoding="utf-8")
)["config"]
SECRETS = (CONF_PASSWORD, CONF_API_KEY)
ADMIN_HASH = hashlib.md5(b"admin:admin-secret", usedforsecurity=False).hexdigest()
# Nothing listens on port 1 of the loopback interface: the connection is refused.
DEAD_URL = "http://127.0.0.1:1"


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep created and reloaded entries from being set up: only the flow is tested."""
    with patch("custom_components.pbx_presence.async_setup_entry", return_value=True) as mock:
        yield mock


# --- helpers ----------------------------------------------------------------------------


def check(result: ConfigFlowResult) -> ConfigFlowResult:
    """Assert that everything the result shows the user is in translations/en.json."""
    kind = result["type"]
    if kind is FlowResultType.MENU:
        step = TRANSLATIONS["step"][result["step_id"]]
        assert set(result["menu_options"]) <= set(step["menu_options"])
    elif kind is FlowResultType.FORM:
        step = TRANSLATIONS["step"][result["step_id"]]
        fields = {str(marker) for marker in result["data_schema"].schema}
        for field in fields:
            assert field in step["data"], field
            assert field in step["data_description"], field
        for field, error in (result["errors"] or {}).items():
            assert field in fields | {"base"}
            assert error in TRANSLATIONS["error"], error
        wanted = set(re.findall(r"{(\w+)}", step.get("description", "")))
        assert wanted <= set(result["description_placeholders"] or {})
    elif kind is FlowResultType.ABORT:
        assert result["reason"] in TRANSLATIONS["abort"]
    return result


def suggested(result: ConfigFlowResult) -> dict[str, Any]:
    """The values a form shows pre-filled."""
    return {
        str(marker): marker.description["suggested_value"]
        for marker in result["data_schema"].schema
        if marker.description and "suggested_value" in marker.description
    }


def fields(result: ConfigFlowResult) -> set[str]:
    """The fields a form asks for."""
    return {str(marker) for marker in result["data_schema"].schema}


async def start(hass: HomeAssistant, server_type: ServerType) -> ConfigFlowResult:
    """Open the flow and pick the server kind from the menu."""
    result = check(
        await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert result["menu_options"] == [ServerType.FLEX_UC, ServerType.ISYMPHONY]
    result = await submit(hass, result, {"next_step_id": server_type})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == server_type
    assert result["errors"] == {}
    return result


async def submit(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any]
) -> ConfigFlowResult:
    """Send a form's input and check the answer."""
    return check(await hass.config_entries.flow.async_configure(result["flow_id"], user_input))


def without(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    """`values` without `keys`."""
    return {key: value for key, value in values.items() if key not in keys}


def kazoo_input(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """A Flex UC form's input for the demo admin; an override of None leaves a field out."""
    values = {
        CONF_URL: sim.url,
        CONF_USERNAME: KAZOO_USERNAME,
        CONF_PASSWORD: KAZOO_PASSWORD,
        CONF_ACCOUNT_NAME: KAZOO_ACCOUNT,
        CONF_VERIFY_SSL: True,
    } | overrides
    return {key: value for key, value in values.items() if value is not None}


def isymphony_input(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """An iSymphony form's input with the manager password (other fields at defaults)."""
    values = {CONF_URL: sim.url, CONF_PASSWORD: ISYMPHONY_PASSWORD} | overrides
    return {key: value for key, value in values.items() if value is not None}


def add_entry(
    hass: HomeAssistant, data: dict[str, Any], unique_id: str, title: str
) -> MockConfigEntry:
    """Add an entry (not set up) to Home Assistant."""
    entry = MockConfigEntry(domain=DOMAIN, title=title, unique_id=unique_id, data=data)
    entry.add_to_hass(hass)
    return entry


def kazoo_api_key_data(sim: Simulator, api_key: str | None = None) -> dict[str, Any]:
    """Entry data of a Flex UC API-key login."""
    return {
        CONF_SERVER_TYPE: ServerType.FLEX_UC,
        CONF_URL: sim.url,
        CONF_VERIFY_SSL: True,
        CONF_API_KEY: api_key or sim.kazoo.api_keys[0],
    }


def logins(sim: Simulator) -> list[dict[str, Any]]:
    """The `data` of every Kazoo login request the simulator received."""
    return [
        request.json["data"]
        for request in sim.requests
        if request.method == "PUT" and request.path in ("/v2/user_auth", "/v2/api_auth")
    ]


def other_url(sim: Simulator, server_type: ServerType) -> str:
    """Another URL of the same simulator: the clients drop these API path suffixes."""
    suffix = "/v2" if server_type is ServerType.FLEX_UC else "/communication_manager"
    return f"{sim.url}{suffix}"


# --- Flex UC / Kazoo: user step ---------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "sent_as"),
    [
        ("acme", "account_name"),
        ("Acme", "account_name"),
        ("acme.pbx.example", "account_realm"),
        ("+15555550100", "phone_number"),
        ("15555550100", "phone_number"),
    ],
)
async def test_flex_uc_user_login(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    account: str,
    sent_as: str,
) -> None:
    """A user login stores the credentials hash, never the password."""
    result = await start(hass, ServerType.FLEX_UC)
    assert fields(result) == {
        CONF_URL,
        CONF_USERNAME,
        CONF_PASSWORD,
        CONF_ACCOUNT_NAME,
        CONF_API_KEY,
        CONF_VERIFY_SSL,
    }

    result = await submit(hass, result, kazoo_input(simulator, account_name=account))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "acme"
    assert result["result"].unique_id == simulator.kazoo.account_id
    assert result["data"] == {
        CONF_SERVER_TYPE: ServerType.FLEX_UC,
        CONF_URL: simulator.url,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: KAZOO_USERNAME,
        CONF_CREDENTIALS_HASH: ADMIN_HASH,
        CONF_ACCOUNT_NAME: account,
    }
    assert CONF_PASSWORD not in result["data"]
    login = logins(simulator)[-1]
    assert login == {"credentials": ADMIN_HASH, "method": "md5", sent_as: account}
    assert len(mock_setup_entry.mock_calls) == 1


async def test_flex_uc_stored_hash_logs_in(hass: HomeAssistant, simulator: Simulator) -> None:
    """What the flow stores is enough for the integration to log in again."""
    result = await start(hass, ServerType.FLEX_UC)
    result = await submit(
        hass,
        result,
        kazoo_input(simulator, url=f"  {simulator.url}  ", username="ADMIN", verify_ssl=False),
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert data[CONF_URL] == simulator.url
    assert data[CONF_VERIFY_SSL] is False
    assert data[CONF_USERNAME] == "ADMIN"
    assert data[CONF_CREDENTIALS_HASH] == ADMIN_HASH  # the user name is hashed lowercased
    info = await create_backend(data, async_get_clientsession(hass)).async_identify()
    assert info.unique_id == simulator.kazoo.account_id


async def test_flex_uc_api_key(hass: HomeAssistant, simulator: Simulator) -> None:
    """An API key login stores the key, and no user login."""
    api_key = simulator.kazoo.api_keys[0]
    result = await start(hass, ServerType.FLEX_UC)

    result = await submit(hass, result, {CONF_URL: simulator.url, CONF_API_KEY: f" {api_key} "})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "acme"
    assert result["result"].unique_id == simulator.kazoo.account_id
    assert result["data"] == {
        CONF_SERVER_TYPE: ServerType.FLEX_UC,
        CONF_URL: simulator.url,
        CONF_VERIFY_SSL: True,
        CONF_API_KEY: api_key,
    }
    assert logins(simulator) == [{"api_key": api_key}]


async def test_flex_uc_api_key_wins(hass: HomeAssistant, simulator: Simulator) -> None:
    """With both an API key and a user login, the API key is used (as the entry would)."""
    api_key = simulator.kazoo.api_keys[0]
    result = await start(hass, ServerType.FLEX_UC)

    result = await submit(hass, result, kazoo_input(simulator, api_key=api_key))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_API_KEY] == api_key
    assert CONF_CREDENTIALS_HASH not in result["data"]
    assert CONF_USERNAME not in result["data"]


def _no_fault(sim: Simulator) -> dict[str, Any]:
    return {}


def _disabled(sim: Simulator) -> dict[str, Any]:
    sim.kazoo.account_status = "disabled"
    return {}


def _expired(sim: Simulator) -> dict[str, Any]:
    sim.kazoo.account_status = "expired"
    return {}


def _expired_api_key(sim: Simulator) -> dict[str, Any]:
    sim.kazoo.account_status = "expired"
    return {CONF_USERNAME: "", CONF_PASSWORD: "", CONF_API_KEY: sim.kazoo.api_keys[0]}


def _mfa(sim: Simulator) -> dict[str, Any]:
    sim.kazoo.add_user("otto", "otto-secret", "Otto", "Two-Factor", mfa=True)
    return {CONF_USERNAME: "otto", CONF_PASSWORD: "otto-secret"}


def _fault(kind: str, status: int = 500, path: str | None = None) -> Callable[[Simulator], Any]:
    def add(sim: Simulator) -> dict[str, Any]:
        sim.faults.add(kind, count=None, status=status, path_contains=path)
        return {}

    return add


@pytest.mark.parametrize(
    ("prepare", "overrides", "errors"),
    [
        (_no_fault, {CONF_PASSWORD: "wrong"}, {"base": "invalid_auth"}),
        (_no_fault, {CONF_USERNAME: "nobody"}, {"base": "invalid_auth"}),
        (_no_fault, {CONF_ACCOUNT_NAME: "globex"}, {"base": "invalid_auth"}),
        (_no_fault, {CONF_ACCOUNT_NAME: "globex.pbx.example"}, {"base": "invalid_auth"}),
        (_no_fault, {CONF_ACCOUNT_NAME: "+15555550199"}, {"base": "invalid_auth"}),
        (_disabled, {}, {"base": "account_disabled"}),
        (_expired, {}, {"base": "account_expired"}),
        (_expired_api_key, {}, {"base": "account_expired"}),
        (_mfa, {}, {"base": "mfa_required"}),
        (_no_fault, {CONF_API_KEY: "0" * 64}, {"base": "unknown_api_key"}),
        (_no_fault, {CONF_API_KEY: "too-short"}, {"base": "unknown_api_key"}),
        (_no_fault, {CONF_URL: DEAD_URL}, {"base": "cannot_connect"}),
        (_fault("drop"), {}, {"base": "cannot_connect"}),
        (_no_fault, {CONF_URL: "{url}/not-crossbar"}, {"base": "cannot_connect"}),
        (_fault("status", 403, "/v2/accounts/"), {}, {"base": "insufficient_rights"}),
        (_fault("status", 400, "/v2/user_auth"), {}, {"base": "rejected"}),
        (_fault("status", 503), {}, {"base": "unknown"}),
        (_fault("rate_limit"), {}, {"base": "rate_limited"}),
        (_fault("malformed"), {}, {"base": "unknown"}),
        (_no_fault, {CONF_PASSWORD: None}, {"base": "missing_credentials"}),
        (_no_fault, {CONF_USERNAME: None}, {"base": "missing_credentials"}),
        (_no_fault, {CONF_ACCOUNT_NAME: " "}, {"base": "missing_credentials"}),
        (
            _no_fault,
            {CONF_USERNAME: None, CONF_PASSWORD: None, CONF_ACCOUNT_NAME: None},
            {"base": "missing_credentials"},
        ),
        (_no_fault, {CONF_URL: "ftp://pbx.example.com"}, {CONF_URL: "invalid_url"}),
        (_no_fault, {CONF_URL: "pbx.example.com:8000"}, {CONF_URL: "invalid_url"}),
        (_no_fault, {CONF_URL: "http://"}, {CONF_URL: "invalid_url"}),
        (_no_fault, {CONF_URL: "http://[::1"}, {CONF_URL: "invalid_url"}),
    ],
)
async def test_flex_uc_errors_then_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    prepare: Callable[[Simulator], dict[str, Any]],
    overrides: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Each failure shows its error with the input kept (but no secret); fixing it works."""
    result = await start(hass, ServerType.FLEX_UC)
    overrides = prepare(simulator) | overrides
    if CONF_URL in overrides:
        overrides[CONF_URL] = overrides[CONF_URL].format(url=simulator.url)
    user_input = kazoo_input(simulator, **overrides)

    result = await submit(hass, result, user_input)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == ServerType.FLEX_UC
    assert result["errors"] == errors
    assert suggested(result) == without(user_input, *SECRETS)

    simulator.faults.clear()
    simulator.kazoo.account_status = "enabled"
    result = await submit(hass, result, kazoo_input(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_CREDENTIALS_HASH] == ADMIN_HASH


async def test_flex_uc_local_errors_send_nothing(hass: HomeAssistant, simulator: Simulator) -> None:
    """Missing credentials and bad URLs are caught before anything is sent."""
    result = await start(hass, ServerType.FLEX_UC)
    result = await submit(hass, result, kazoo_input(simulator, password=None))
    assert result["errors"] == {"base": "missing_credentials"}
    result = await submit(hass, result, kazoo_input(simulator, url="mailto:pbx@example.com"))
    assert result["errors"] == {CONF_URL: "invalid_url"}
    assert simulator.requests == []


async def test_flex_uc_unexpected_error(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug (not a server answer) is logged with its traceback and shown as unknown."""
    result = await start(hass, ServerType.FLEX_UC)
    with patch.object(KazooBackend, "async_identify", side_effect=RuntimeError("boom")):
        result = await submit(hass, result, kazoo_input(simulator))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while checking the server" in caplog.text
    assert "RuntimeError: boom" in caplog.text

    result = await submit(hass, result, kazoo_input(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_flex_uc_server_error_is_logged(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An odd server answer is logged as a warning naming it, without a traceback."""
    simulator.faults.add("status", status=500)
    result = await start(hass, ServerType.FLEX_UC)
    result = await submit(hass, result, kazoo_input(simulator))

    assert result["errors"] == {"base": "unknown"}
    assert "gave an unexpected answer" in caplog.text
    assert "HTTP 500" in caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("use_api_key", [False, True])
async def test_flex_uc_already_configured(
    hass: HomeAssistant,
    simulator: Simulator,
    kazoo_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    use_api_key: bool,
) -> None:
    """The same account cannot be added twice, whichever way one logs in."""
    result = await start(hass, ServerType.FLEX_UC)
    user_input = (
        {CONF_URL: simulator.url, CONF_API_KEY: simulator.kazoo.api_keys[0]}
        if use_api_key
        else kazoo_input(simulator)
    )

    result = await submit(hass, result, user_input)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert mock_setup_entry.mock_calls == []


# --- iSymphony: user step ---------------------------------------------------------------


async def test_isymphony(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """The manager login with the default user name and core server."""
    result = await start(hass, ServerType.ISYMPHONY)
    assert fields(result) == {
        CONF_URL,
        CONF_USERNAME,
        CONF_PASSWORD,
        CONF_CORE_SERVER,
        CONF_VERIFY_SSL,
    }

    simulator.requests.clear()
    result = await submit(hass, result, isymphony_input(simulator))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "iSymphony default"
    # Licences come from the Config API: the flow reads no status (the first poll does).
    assert not [r for r in simulator.requests if r.path.endswith("/status")]
    # The Config API's stable core-server id, not the slug every FreePBX shares.
    assert result["result"].unique_id == DEMO_CORE_SERVER_ID
    assert result["data"] == {
        CONF_SERVER_TYPE: ServerType.ISYMPHONY,
        CONF_URL: simulator.url,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: ISYMPHONY_USERNAME,
        CONF_PASSWORD: ISYMPHONY_PASSWORD,
        CONF_CORE_SERVER: "default",
    }
    assert len(mock_setup_entry.mock_calls) == 1


async def test_isymphony_other_core_server(hass: HomeAssistant, simulator: Simulator) -> None:
    """A second core server is its own entry, identified by its stable id."""
    sales = simulator.isymphony.add_core_server("sales")
    simulator.isymphony.add_user("paula", "Paula Sales", status="available", core_server="sales")
    result = await start(hass, ServerType.ISYMPHONY)

    result = await submit(
        hass,
        result,
        isymphony_input(
            simulator, core_server=" sales ", username=ISYMPHONY_USERNAME, verify_ssl=False
        ),
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "iSymphony sales"
    assert result["result"].unique_id == sales["config_id"]
    assert result["data"][CONF_CORE_SERVER] == "sales"
    assert result["data"][CONF_VERIFY_SSL] is False


async def test_isymphony_without_users(hass: HomeAssistant, simulator: Simulator) -> None:
    """A core server with no users yet is not a license problem: the entry is created."""
    simulator.isymphony.core_server("default")["users"].clear()
    result = await start(hass, ServerType.ISYMPHONY)

    result = await submit(hass, result, isymphony_input(simulator))

    assert result["type"] is FlowResultType.CREATE_ENTRY


def _no_license(sim: Simulator) -> None:
    sim.isymphony.license_installed = False


def _no_licensed_user(sim: Simulator) -> None:
    for user in sim.isymphony.core_server("default")["users"].values():
        user["licensed"] = False


def _ip_not_allowed(sim: Simulator) -> None:
    sim.isymphony.allowed_ips = set()


def _ssl_secured(sim: Simulator) -> None:
    sim.isymphony.ssl_secured = True


def _wrong_password_is_403(sim: Simulator) -> None:
    sim.isymphony.wrong_password_status = 403


def _html_errors(sim: Simulator) -> None:
    sim.isymphony.html_errors = True


def _isymphony_fault(kind: str, status: int = 500) -> Callable[[Simulator], None]:
    def add(sim: Simulator) -> None:
        sim.faults.add(kind, count=None, status=status)

    return add


@pytest.mark.parametrize(
    ("prepare", "overrides", "errors"),
    [
        (None, {CONF_PASSWORD: "wrong"}, {"base": "invalid_auth"}),
        (None, {CONF_USERNAME: "admin"}, {"base": "invalid_auth"}),
        (_ip_not_allowed, {}, {"base": "ip_not_allowed"}),
        (None, {CONF_CORE_SERVER: "sales"}, {"base": "unknown_core_server"}),
        (_no_license, {}, {"base": "no_license"}),
        (_no_licensed_user, {}, {"base": "no_license"}),
        (None, {CONF_URL: DEAD_URL}, {"base": "cannot_connect"}),
        (_isymphony_fault("drop"), {}, {"base": "cannot_connect"}),
        (_ssl_secured, {}, {"base": "ssl_required"}),
        (_wrong_password_is_403, {CONF_PASSWORD: "wrong"}, {"base": "ip_not_allowed"}),
        (_html_errors, {CONF_PASSWORD: "wrong"}, {"base": "invalid_auth"}),
        (_isymphony_fault("status", 500), {}, {"base": "unknown"}),
        (_isymphony_fault("malformed"), {}, {"base": "unknown"}),
        (None, {CONF_URL: "ws://127.0.0.1:58080"}, {CONF_URL: "invalid_url"}),
    ],
)
async def test_isymphony_errors_then_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    prepare: Callable[[Simulator], None] | None,
    overrides: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Each failure shows its error with the input kept (but not the password)."""
    result = await start(hass, ServerType.ISYMPHONY)
    if prepare:
        prepare(simulator)
    user_input = isymphony_input(simulator, **overrides)

    result = await submit(hass, result, user_input)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == ServerType.ISYMPHONY
    assert result["errors"] == errors
    shown = suggested(result)
    assert CONF_PASSWORD not in shown
    assert shown[CONF_URL] == user_input[CONF_URL]
    assert shown[CONF_USERNAME] == user_input.get(CONF_USERNAME, ISYMPHONY_USERNAME)

    fresh = Simulator.demo()
    simulator.faults.clear()
    simulator.isymphony = fresh.isymphony
    result = await submit(hass, result, isymphony_input(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD] == ISYMPHONY_PASSWORD


@pytest.mark.parametrize(
    ("server_type", "make_input"),
    [(ServerType.FLEX_UC, kazoo_input), (ServerType.ISYMPHONY, isymphony_input)],
)
async def test_timeout_and_refused_connection_are_told_apart(
    hass: HomeAssistant,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    server_type: ServerType,
    make_input: Callable[..., dict[str, Any]],
) -> None:
    """A server that holds the request is not reported as one that refused it."""
    monkeypatch.setattr("custom_components.pbx_presence.backends.REQUEST_TIMEOUT", 0.2)
    result = await start(hass, server_type)
    hang = simulator.faults.add("hang")

    result = await submit(hass, result, make_input(simulator))
    assert hang.remaining == 0
    assert result["errors"] == {"base": "timeout_connect"}
    assert "did not answer in time" in TRANSLATIONS["error"]["timeout_connect"]

    result = await submit(hass, result, make_input(simulator, url=DEAD_URL))
    assert result["errors"] == {"base": "cannot_connect"}
    assert "refused" in TRANSLATIONS["error"]["cannot_connect"]

    result = await submit(hass, result, make_input(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_isymphony_unexpected_error(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug is logged with its traceback and shown as unknown."""
    result = await start(hass, ServerType.ISYMPHONY)
    with patch.object(ISymphonyBackend, "async_has_license", side_effect=ValueError("bug")):
        result = await submit(hass, result, isymphony_input(simulator))

    assert result["errors"] == {"base": "unknown"}
    assert "ValueError: bug" in caplog.text

    result = await submit(hass, result, isymphony_input(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_isymphony_already_configured(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """The same core server cannot be added twice; no status is read to find that out."""
    result = await start(hass, ServerType.ISYMPHONY)

    result = await submit(hass, result, isymphony_input(simulator))

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert not any(request.path.endswith("/status") for request in simulator.requests)


# --- reauth -----------------------------------------------------------------------------


async def test_reauth_flex_uc_user(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """A user login asks for the user name (pre-filled) and password; stores the hash."""
    entry = add_entry(
        hass,
        kazoo_entry_data(simulator, credentials_hash="0" * 32),
        simulator.kazoo.account_id,
        "Acme office",
    )

    result = check(await entry.start_reauth_flow(hass))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert fields(result) == {CONF_USERNAME, CONF_PASSWORD}
    assert suggested(result) == {CONF_USERNAME: KAZOO_USERNAME}
    assert result["description_placeholders"] == {"name": "Acme office"}

    result = await submit(hass, result, {CONF_USERNAME: "anna", CONF_PASSWORD: "wrong"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested(result) == {CONF_USERNAME: "anna"}

    result = await submit(hass, result, {CONF_USERNAME: "anna", CONF_PASSWORD: "anna-secret-1"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == kazoo_entry_data(
        simulator,
        username="anna",
        credentials_hash=hashlib.md5(b"anna:anna-secret-1", usedforsecurity=False).hexdigest(),
    )
    assert CONF_PASSWORD not in entry.data
    await hass.async_block_till_done()  # the reload runs as a task of its own
    assert len(mock_setup_entry.mock_calls) == 1  # reloaded


async def test_reauth_flex_uc_mfa(hass: HomeAssistant, simulator: Simulator) -> None:
    """Reauth names a multi-factor user as such."""
    simulator.kazoo.add_user("otto", "otto-secret", "Otto", "Two-Factor", mfa=True)
    entry = add_entry(hass, kazoo_entry_data(simulator), simulator.kazoo.account_id, "acme")
    result = check(await entry.start_reauth_flow(hass))

    result = await submit(hass, result, {CONF_USERNAME: "otto", CONF_PASSWORD: "otto-secret"})

    assert result["errors"] == {"base": "mfa_required"}


async def test_reauth_flex_uc_api_key(hass: HomeAssistant, simulator: Simulator) -> None:
    """An API-key login asks for the API key only."""
    entry = add_entry(
        hass, kazoo_api_key_data(simulator, "f" * 64), simulator.kazoo.account_id, "acme"
    )

    result = check(await entry.start_reauth_flow(hass))
    assert fields(result) == {CONF_API_KEY}
    assert suggested(result) == {}

    result = await submit(hass, result, {CONF_API_KEY: "e" * 64})
    assert result["errors"] == {"base": "unknown_api_key"}
    assert suggested(result) == {}

    result = await submit(hass, result, {CONF_API_KEY: simulator.kazoo.api_keys[0]})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == kazoo_api_key_data(simulator)


async def test_reauth_isymphony(hass: HomeAssistant, simulator: Simulator) -> None:
    """iSymphony asks for the manager user name (pre-filled) and password."""
    entry = add_entry(
        hass, isymphony_entry_data(simulator, password="old"), "default", "iSymphony default"
    )

    result = check(await entry.start_reauth_flow(hass))
    assert fields(result) == {CONF_USERNAME, CONF_PASSWORD}
    assert suggested(result) == {CONF_USERNAME: ISYMPHONY_USERNAME}
    assert result["description_placeholders"] == {"name": "iSymphony default"}

    result = await submit(hass, result, {CONF_USERNAME: "manager", CONF_PASSWORD: "older"})
    assert result["errors"] == {"base": "invalid_auth"}

    result = await submit(
        hass, result, {CONF_USERNAME: "manager", CONF_PASSWORD: ISYMPHONY_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == isymphony_entry_data(simulator)


async def test_reauth_isymphony_unlicensed_server(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A missing license is a repair issue, not a reason to refuse new credentials."""
    simulator.isymphony.license_installed = False
    entry = add_entry(
        hass, isymphony_entry_data(simulator, password="old"), "default", "iSymphony default"
    )
    result = check(await entry.start_reauth_flow(hass))

    result = await submit(
        hass, result, {CONF_USERNAME: "manager", CONF_PASSWORD: ISYMPHONY_PASSWORD}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


@pytest.mark.parametrize("server_type", [ServerType.FLEX_UC, ServerType.ISYMPHONY])
async def test_reauth_unique_id_mismatch(
    hass: HomeAssistant, simulator: Simulator, server_type: ServerType
) -> None:
    """Credentials that lead to another account or core server change nothing."""
    data = (
        kazoo_entry_data(simulator)
        if server_type is ServerType.FLEX_UC
        else isymphony_entry_data(simulator)
    )
    entry = add_entry(hass, data, "some-other-server", "Other")
    result = check(await entry.start_reauth_flow(hass))
    password = KAZOO_PASSWORD if server_type is ServerType.FLEX_UC else ISYMPHONY_PASSWORD

    result = await submit(
        hass, result, {CONF_USERNAME: data[CONF_USERNAME], CONF_PASSWORD: password}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert entry.data == data


# --- reconfigure ------------------------------------------------------------------------


async def test_reconfigure_flex_uc_keeps_hash(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Same URL and user: no password needed, the stored hash is kept."""
    entry = add_entry(hass, kazoo_entry_data(simulator), simulator.kazoo.account_id, "acme")

    result = check(await entry.start_reconfigure_flow(hass))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert fields(result) == {
        CONF_URL,
        CONF_VERIFY_SSL,
        CONF_USERNAME,
        CONF_PASSWORD,
        CONF_ACCOUNT_NAME,
        CONF_API_KEY,
        CONF_WEBSOCKET_URL,
    }
    assert suggested(result) == {
        CONF_URL: simulator.url,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: KAZOO_USERNAME,
        CONF_ACCOUNT_NAME: KAZOO_ACCOUNT,
    }
    assert result["description_placeholders"] == {"name": "acme"}

    result = await submit(
        hass,
        result,
        {
            CONF_URL: f"{simulator.url}/",  # the same URL
            CONF_VERIFY_SSL: False,
            CONF_USERNAME: "Admin",
            CONF_ACCOUNT_NAME: "acme.pbx.example",
        },
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == kazoo_entry_data(
        simulator,
        url=f"{simulator.url}/",
        verify_ssl=False,
        username="Admin",
        account_name="acme.pbx.example",
    )
    assert logins(simulator)[-1] == {
        "credentials": ADMIN_HASH,
        "method": "md5",
        "account_realm": "acme.pbx.example",
    }
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reconfigure_flex_uc_new_url_needs_password(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The stored hash is not sent to a new URL: the password is asked for."""
    entry = add_entry(hass, kazoo_entry_data(simulator), simulator.kazoo.account_id, "acme")
    result = check(await entry.start_reconfigure_flow(hass))
    new_url = other_url(simulator, ServerType.FLEX_UC)
    user_input = {
        CONF_URL: new_url,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: KAZOO_USERNAME,
        CONF_ACCOUNT_NAME: KAZOO_ACCOUNT,
    }

    result = await submit(hass, result, user_input)
    assert result["errors"] == {CONF_PASSWORD: "password_required"}
    assert suggested(result) == user_input
    assert simulator.requests == []

    result = await submit(hass, result, user_input | {CONF_PASSWORD: "wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    assert CONF_PASSWORD not in suggested(result)

    result = await submit(hass, result, user_input | {CONF_PASSWORD: KAZOO_PASSWORD})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == kazoo_entry_data(simulator, url=new_url)


async def test_reconfigure_flex_uc_other_user(hass: HomeAssistant, simulator: Simulator) -> None:
    """Another user name needs that user's password."""
    entry = add_entry(hass, kazoo_entry_data(simulator), simulator.kazoo.account_id, "acme")
    result = check(await entry.start_reconfigure_flow(hass))
    user_input = {
        CONF_URL: simulator.url,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: "ben",
        CONF_ACCOUNT_NAME: "+15555550100",
    }

    result = await submit(hass, result, user_input)
    assert result["errors"] == {CONF_PASSWORD: "password_required"}

    result = await submit(hass, result, user_input | {CONF_PASSWORD: "ben-secret-1"})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == kazoo_entry_data(
        simulator,
        username="ben",
        account_name="+15555550100",
        credentials_hash=hashlib.md5(b"ben:ben-secret-1", usedforsecurity=False).hexdigest(),
    )


async def test_reconfigure_flex_uc_to_api_key_and_back(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Switching login kinds leaves nothing of the old login behind."""
    entry = add_entry(hass, kazoo_entry_data(simulator), simulator.kazoo.account_id, "acme")
    api_key = simulator.kazoo.api_keys[0]

    result = check(await entry.start_reconfigure_flow(hass))
    result = await submit(hass, result, suggested(result) | {CONF_API_KEY: api_key})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == kazoo_api_key_data(simulator)

    result = check(await entry.start_reconfigure_flow(hass))
    assert suggested(result) == {CONF_URL: simulator.url, CONF_VERIFY_SSL: True}
    result = await submit(hass, result, kazoo_input(simulator))
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == kazoo_entry_data(simulator)


async def test_reconfigure_flex_uc_api_key_entry(hass: HomeAssistant, simulator: Simulator) -> None:
    """An empty API key keeps the stored one on the same URL, not on another."""
    entry = add_entry(hass, kazoo_api_key_data(simulator), simulator.kazoo.account_id, "acme")

    result = check(await entry.start_reconfigure_flow(hass))
    result = await submit(
        hass, result, {CONF_URL: other_url(simulator, ServerType.FLEX_UC), CONF_VERIFY_SSL: True}
    )
    assert result["errors"] == {"base": "missing_credentials"}

    result = await submit(hass, result, {CONF_URL: simulator.url, CONF_VERIFY_SSL: False})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == kazoo_api_key_data(simulator) | {CONF_VERIFY_SSL: False}


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({CONF_URL: "http//pbx", CONF_VERIFY_SSL: True}, {CONF_URL: "invalid_url"}),
        (
            {CONF_URL: "{url}", CONF_VERIFY_SSL: True, CONF_USERNAME: KAZOO_USERNAME},
            {"base": "missing_credentials"},
        ),
        (
            {CONF_URL: "{url}", CONF_VERIFY_SSL: True, CONF_PASSWORD: KAZOO_PASSWORD},
            {"base": "missing_credentials"},
        ),
        (
            {CONF_URL: "{url}", CONF_VERIFY_SSL: True, CONF_API_KEY: "short"},
            {"base": "unknown_api_key"},
        ),
        (
            {CONF_URL: DEAD_URL, CONF_VERIFY_SSL: True, CONF_API_KEY: "a"},
            {"base": "cannot_connect"},
        ),
    ],
)
async def test_reconfigure_flex_uc_errors(
    hass: HomeAssistant,
    simulator: Simulator,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Errors keep the entry as it was; the form can be sent again."""
    data = kazoo_entry_data(simulator)
    entry = add_entry(hass, data, simulator.kazoo.account_id, "acme")
    result = check(await entry.start_reconfigure_flow(hass))
    user_input = user_input | {CONF_URL: user_input[CONF_URL].format(url=simulator.url)}

    result = await submit(hass, result, user_input)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert suggested(result) == without(user_input, *SECRETS)
    assert entry.data == data

    result = await submit(hass, result, kazoo_input(simulator, password=None))
    assert result["reason"] == "reconfigure_successful"


async def test_reconfigure_isymphony(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Same URL and user keep the password; the core server is not offered for change."""
    entry = add_entry(hass, isymphony_entry_data(simulator), "default", "iSymphony default")
    simulator.isymphony.license_installed = False  # a repair issue, not a reason to refuse

    result = check(await entry.start_reconfigure_flow(hass))
    assert fields(result) == {CONF_URL, CONF_VERIFY_SSL, CONF_USERNAME, CONF_PASSWORD}
    assert suggested(result) == {
        CONF_URL: simulator.url,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: ISYMPHONY_USERNAME,
    }
    assert result["description_placeholders"] == {"name": "iSymphony default"}

    result = await submit(hass, result, suggested(result) | {CONF_VERIFY_SSL: False})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == isymphony_entry_data(simulator, verify_ssl=False)
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reconfigure_isymphony_new_url(hass: HomeAssistant, simulator: Simulator) -> None:
    """A new URL or user name needs the password again; a wrong one is refused."""
    entry = add_entry(hass, isymphony_entry_data(simulator), "default", "iSymphony default")
    new_url = other_url(simulator, ServerType.ISYMPHONY)
    result = check(await entry.start_reconfigure_flow(hass))

    user_input = {CONF_URL: new_url, CONF_VERIFY_SSL: True, CONF_USERNAME: ISYMPHONY_USERNAME}
    result = await submit(hass, result, user_input)
    assert result["errors"] == {CONF_PASSWORD: "password_required"}

    other_user = {CONF_URL: simulator.url, CONF_VERIFY_SSL: True, CONF_USERNAME: "admin"}
    result = await submit(hass, result, other_user)
    assert result["errors"] == {CONF_PASSWORD: "password_required"}
    assert simulator.requests == []

    result = await submit(hass, result, other_user | {CONF_PASSWORD: ISYMPHONY_PASSWORD})
    assert result["errors"] == {"base": "invalid_auth"}
    assert CONF_PASSWORD not in suggested(result)

    result = await submit(hass, result, user_input | {CONF_PASSWORD: ISYMPHONY_PASSWORD})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == isymphony_entry_data(simulator, url=new_url)


@pytest.mark.parametrize("server_type", [ServerType.FLEX_UC, ServerType.ISYMPHONY])
async def test_reconfigure_unique_id_mismatch(
    hass: HomeAssistant, simulator: Simulator, server_type: ServerType
) -> None:
    """A URL that leads to another account or core server changes nothing."""
    data = (
        kazoo_entry_data(simulator)
        if server_type is ServerType.FLEX_UC
        else isymphony_entry_data(simulator)
    )
    entry = add_entry(hass, data, "some-other-server", "Other")
    result = check(await entry.start_reconfigure_flow(hass))

    result = await submit(hass, result, suggested(result))

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert entry.data == data


@pytest.mark.parametrize("server_type", [ServerType.FLEX_UC, ServerType.ISYMPHONY])
async def test_form_placeholders_are_supplied(hass: HomeAssistant, server_type: ServerType) -> None:
    """Every {placeholder} in a form's texts gets a value (URLs travel as placeholders)."""
    translations = json.loads(
        (
            Path(__file__).parent.parent / "custom_components/pbx_presence/translations/en.json"
        ).read_text(encoding="utf-8")
    )
    step = translations["config"]["step"][server_type]
    texts = [step.get("description", ""), *step["data_description"].values()]
    wanted = {name for text in texts for name in re.findall(r"\{(\w+)\}", text)}

    result = await start(hass, server_type)

    assert wanted <= set(result["description_placeholders"] or {})
    assert all("://" in url for url in (result["description_placeholders"] or {}).values())


@pytest.mark.parametrize(
    ("server_type", "make_input"),
    [(ServerType.FLEX_UC, kazoo_input), (ServerType.ISYMPHONY, isymphony_input)],
)
async def test_credentials_in_the_url_are_refused(
    hass: HomeAssistant,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
    server_type: ServerType,
    make_input: Callable[..., dict[str, Any]],
) -> None:
    """`http://user:pw@host` is refused before anything is sent, stored, shown or logged."""
    caplog.set_level("DEBUG")
    result = await start(hass, server_type)
    host = simulator.url.removeprefix("http://")
    user_input = make_input(simulator, **{CONF_URL: f"http://manager:pa55-in-url@{host}"})

    result = await submit(hass, result, user_input)

    assert result["errors"] == {CONF_URL: "url_credentials"}
    assert simulator.requests == []
    assert suggested(result)[CONF_URL] == f"http://{host}"
    assert "pa55-in-url" not in caplog.text


async def test_isymphony_password_beyond_latin_1(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """A password with characters Latin-1 lacks logs in (Basic auth in UTF-8)."""
    simulator.isymphony.password = "пароль€"
    result = await start(hass, ServerType.ISYMPHONY)

    result = await submit(hass, result, isymphony_input(simulator, **{CONF_PASSWORD: "пароль€"}))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD] == "пароль€"


async def test_isymphony_without_the_config_api_is_keyed_by_slug(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """An older server (Live API only) is identified by its core server's slug."""
    simulator.isymphony.config_api = False
    result = await start(hass, ServerType.ISYMPHONY)

    simulator.requests.clear()
    result = await submit(hass, result, isymphony_input(simulator))

    assert result["result"].unique_id == "default"
    # Without the Config API the flow reads statuses only until the first licensed user.
    assert len([r for r in simulator.requests if r.path.endswith("/status")]) == 1


async def test_two_servers_that_share_a_slug(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Two FreePBX boxes, both with the slug `default`, can both be added."""
    MockConfigEntry(
        domain=DOMAIN, unique_id="9e8d7c6b-0000-4000-8000-000000000001", data={}
    ).add_to_hass(hass)
    result = await start(hass, ServerType.ISYMPHONY)

    result = await submit(hass, result, isymphony_input(simulator))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == DEMO_CORE_SERVER_ID
