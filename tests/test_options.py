"""Options: what an entry imports and how often it polls, applied without a restart."""

from __future__ import annotations

from datetime import timedelta
import re
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pbx_presence.backends.isymphony.adapter import (
    MIN_SCAN_INTERVAL as ISYMPHONY_MIN_SCAN_INTERVAL,
)
from custom_components.pbx_presence.backends.kazoo.adapter import LARGE_ACCOUNT_USERS
from custom_components.pbx_presence.backends.snapshot import PresentityKind
from custom_components.pbx_presence.const import (
    CONF_EXCLUDE,
    CONF_EXPOSE_TO_ASSIST,
    CONF_IMPORT,
    CONF_INCLUDE,
    CONF_SELF_LINKS,
    DOMAIN,
    ServerType,
)
from custom_components.pbx_presence.options_flow import MAX_SCAN_INTERVAL
from simulator import Simulator

from .conftest import KAZOO_ACCOUNT, KAZOO_PASSWORD, KAZOO_USERNAME


async def _set_options(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


def _kinds(entry: MockConfigEntry) -> set[PresentityKind]:
    return {p.kind for p in entry.runtime_data.data.presentities.values()}


async def test_options_form_previews_what_is_imported(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    kazoo = simulator.kazoo

    result = await hass.config_entries.options.async_init(init_kazoo.entry_id)

    assert result["step_id"] == "init"
    placeholders = result["description_placeholders"]
    assert placeholders["users"] == str(len(kazoo.users))
    assert placeholders["phones"] == str(len(kazoo.devices))
    assert placeholders["imported"] == placeholders["available"]
    fields = {str(key) for key in result["data_schema"].schema}
    assert fields == {
        CONF_IMPORT,
        CONF_INCLUDE,
        CONF_EXCLUDE,
        CONF_SCAN_INTERVAL,
        CONF_EXPOSE_TO_ASSIST,
        CONF_SELF_LINKS,
    }


async def test_importing_fewer_kinds_removes_their_devices_and_keeps_the_rest(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    entities = er.async_get(hass)
    call_state = entities.async_get("sensor.anna_schmidt_call_state")
    assert call_state is not None
    assert hass.states.get("sensor.anna_schmidt_desk_phone_call_state") is not None

    await _set_options(hass, init_kazoo, **{CONF_IMPORT: ["user"]})

    assert _kinds(init_kazoo) == {PresentityKind.USER}
    assert hass.states.get("sensor.anna_schmidt_desk_phone_call_state") is None
    assert entities.async_get("sensor.anna_schmidt_desk_phone_call_state") is None
    account = simulator.kazoo.account_id
    devices = dr.async_get(hass)
    assert devices.async_get_device({(DOMAIN, f"{account}_extension_*3101")}) is None
    # Users are untouched: the same registry entry, the same state.
    kept = entities.async_get("sensor.anna_schmidt_call_state")
    assert kept is not None
    assert kept.id == call_state.id
    assert hass.states.get("sensor.anna_schmidt_call_state").state == "idle"

    # And back: phones return.
    await _set_options(hass, init_kazoo, **{CONF_IMPORT: ["user", "phone", "extension"]})
    assert hass.states.get("sensor.anna_schmidt_desk_phone_call_state") is not None


async def test_include_and_exclude_by_name_or_extension(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """Patterns match names and extensions, ignoring case and accents; `*` is any text."""
    await _set_options(
        hass,
        init_kazoo,
        **{
            CONF_IMPORT: ["user", "phone", "extension"],
            CONF_INCLUDE: ["anna*", "HANNAH MULLER", "1002", "*31*"],
            CONF_EXCLUDE: ["*softphone", "*3103"],
        },
    )

    names = {p.name for p in init_kazoo.runtime_data.data.presentities.values()}
    assert names == {
        "Anna Schmidt",
        "Anna Schmidt desk phone",
        "Hannah Müller",
        "Ben Carter",  # extension 1002
        "Ben Carter desk phone",  # goes by his 1002 too
        "*3101",
        "*3102",
    }


async def test_poll_interval_option(
    hass: HomeAssistant, simulator: Simulator, init_isymphony: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(init_isymphony.entry_id)
    # iSymphony has only panel users: nothing to choose there.
    assert CONF_IMPORT not in {str(key) for key in result["data_schema"].schema}

    await _set_options(hass, init_isymphony, **{CONF_SCAN_INTERVAL: 60})

    assert init_isymphony.options[CONF_SCAN_INTERVAL] == 60
    assert init_isymphony.runtime_data.update_interval == timedelta(seconds=60)


async def test_a_large_account_imports_users_only_at_first(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    kazoo = simulator.kazoo
    for index in range(LARGE_ACCOUNT_USERS):
        kazoo.add_user(f"staff{index}", "staff-secret", "Staff", f"Member {index}")
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": ServerType.FLEX_UC}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "url": simulator.url,
            "username": KAZOO_USERNAME,
            "password": KAZOO_PASSWORD,
            "account_name": KAZOO_ACCOUNT,
            "verify_ssl": True,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "users_only"
    entry = result["result"]
    assert entry.options == {CONF_IMPORT: ["user"]}
    assert _kinds(entry) == {PresentityKind.USER}


async def test_options_of_an_entry_in_setup_retry_abort(
    hass: HomeAssistant, simulator: Simulator, isymphony_entry: MockConfigEntry
) -> None:
    """A server that cannot be reached: a clear abort, not a crash."""
    simulator.faults.add("drop", count=None, path_contains="/communication_manager/")
    await hass.config_entries.async_setup(isymphony_entry.entry_id)
    await hass.async_block_till_done()
    assert isymphony_entry.state is ConfigEntryState.SETUP_RETRY

    result = await hass.config_entries.options.async_init(isymphony_entry.entry_id)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"
    assert result["description_placeholders"] == {"entry": isymphony_entry.title}


async def test_options_submitted_while_the_entry_reloads_abort(
    hass: HomeAssistant, simulator: Simulator, init_both: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """The form was opened while loaded; the entry went away before it was submitted."""
    _, isymphony = init_both
    result = await hass.config_entries.options.async_init(isymphony.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert await hass.config_entries.async_unload(isymphony.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"person_links": ["sofia = Sofia García"]}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"
    assert "person_links" not in isymphony.options


async def test_patterns_that_would_match_everything_or_nothing_are_refused(
    hass: HomeAssistant, simulator: Simulator, init_kazoo: MockConfigEntry
) -> None:
    """`-*`, `.*` or an emoji and `*` normalise to `*`; symbols alone to nothing."""
    before = _kinds(init_kazoo)
    cases = [
        (CONF_EXCLUDE, ["Anna*", "😀*"], "pattern_matches_everything", "😀*"),
        (CONF_EXCLUDE, ["-*"], "pattern_matches_everything", "-*"),
        (CONF_INCLUDE, [".*"], "pattern_matches_everything", ".*"),
        (CONF_INCLUDE, ["* - *"], "pattern_matches_everything", "* - *"),
        (CONF_INCLUDE, ["Müller", "\x00"], "pattern_empty", "'\\x00'"),
        (CONF_INCLUDE, ["\u202e"], "pattern_empty", "'\\u202e'"),
        (CONF_EXCLUDE, ["😀"], "pattern_empty", "😀"),
    ]
    for key, patterns, error, shown in cases:
        result = await hass.config_entries.options.async_init(init_kazoo.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {key: patterns}
        )
        assert result["type"] is FlowResultType.FORM, patterns
        assert result["errors"] == {key: error}, patterns
        assert result["description_placeholders"]["pattern"] == shown
        hass.config_entries.options.async_abort(result["flow_id"])
    await hass.async_block_till_done()
    assert CONF_INCLUDE not in init_kazoo.options
    assert CONF_EXCLUDE not in init_kazoo.options
    assert _kinds(init_kazoo) == before

    # Blank lines are dropped, real patterns kept.
    await _set_options(hass, init_kazoo, **{CONF_INCLUDE: ["", "  ", "*31*"], CONF_EXCLUDE: []})
    assert init_kazoo.options[CONF_INCLUDE] == ["*31*"]
    assert _kinds(init_kazoo) == {PresentityKind.EXTENSION}


@pytest.mark.parametrize("seconds", [1, MAX_SCAN_INTERVAL + 1])
async def test_a_poll_interval_out_of_range_says_the_bounds(
    hass: HomeAssistant, init_isymphony: MockConfigEntry, seconds: int
) -> None:
    result = await hass.config_entries.options.async_init(init_isymphony.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: seconds}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SCAN_INTERVAL: "scan_interval_out_of_range"}
    placeholders = result["description_placeholders"]
    assert placeholders["minimum"] == str(int(ISYMPHONY_MIN_SCAN_INTERVAL.total_seconds()))
    assert placeholders["maximum"] == str(MAX_SCAN_INTERVAL)
    for language in ("en", "de"):
        texts = await async_get_translations(hass, language, "options", [DOMAIN])
        error = texts[f"component.{DOMAIN}.options.error.scan_interval_out_of_range"]
        shown = error.format(**placeholders)
        assert placeholders["minimum"] in shown
        assert str(MAX_SCAN_INTERVAL) in shown
    assert CONF_SCAN_INTERVAL not in init_isymphony.options


def _outside_code(text: str) -> str:
    """Markdown text without its `code` spans (which Markdown shows as they are)."""
    return re.sub(r"`[^`]*`", "", text)


@pytest.mark.parametrize("language", ["en", "de"])
async def test_the_options_forms_use_the_users_words(
    hass: HomeAssistant, init_both: tuple[MockConfigEntry, MockConfigEntry], language: str
) -> None:
    """No jargon, no Markdown that eats a pattern, and iSymphony's form names no phones."""
    texts = await async_get_translations(hass, language, "options", [DOMAIN])
    step = f"component.{DOMAIN}.options.step.init"
    for entry in init_both:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        fields = [str(key) for key in result["data_schema"].schema]
        shown = [
            texts[f"{step}.title"],
            texts[f"{step}.description"],
            *(texts[f"{step}.data.{field}"] for field in fields),
            *(
                texts[key]
                for field in fields
                if (key := f"{step}.data_description.{field}") in texts
            ),
        ]
        for text in shown:
            assert "presentit" not in text.lower()
            assert "präsenzen" not in text.lower()
            # A * outside a code span is Markdown emphasis: *31* would show as an italic 31.
            assert "*" not in _outside_code(text), text
        if entry.domain == DOMAIN and entry.title.startswith("iSymphony"):
            rendered = " ".join(shown).format(**result["description_placeholders"])
            assert "phone" not in rendered.lower()
            assert "telefon" not in rendered.lower()
        hass.config_entries.options.async_abort(result["flow_id"])
