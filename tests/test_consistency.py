"""Offline checks of what hassfest and HACS validate: manifest, translations, icons, services.

Home Assistant's hassfest is not shipped in the `homeassistant` wheel, so the rules that
matter for this integration are checked here directly.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
import pytest
import yaml

from custom_components.pbx_presence.backends.snapshot import CallState, StatusType, status_state
from custom_components.pbx_presence.call_service import ATTR_AUTO_ANSWER, ATTR_NUMBER
from custom_components.pbx_presence.device_action import ACTIONS
from custom_components.pbx_presence.device_automation import CONF_STATUS_TYPE
from custom_components.pbx_presence.device_condition import CONDITIONS
from custom_components.pbx_presence.device_trigger import TRIGGERS
from custom_components.pbx_presence.event import EVENTS

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "pbx_presence"
PLATFORMS = ("binary_sensor", "button", "event", "select", "sensor")
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
}


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def translations() -> dict[str, Any]:
    return _json(INTEGRATION / "translations" / "en.json")


@pytest.fixture(scope="module")
def source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in INTEGRATION.rglob("*.py"))


def _translation_keys_in(text: str) -> set[str]:
    # Descriptions' `translation_key="..."` and entity classes' `_attr_translation_key = "..."`.
    return set(re.findall(r'translation_key ?= ?"([a-z0-9_]+)"', text))


def test_manifest_keys_order_and_values() -> None:
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    # hassfest: domain and name first, the rest sorted.
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == INTEGRATION.name
    for key in ("codeowners", "config_flow", "documentation", "integration_type", "iot_class"):
        assert manifest[key], key
    assert manifest["issue_tracker"].startswith("https://")
    assert manifest["iot_class"] == "local_push"  # push first, polling as the safety net
    assert AwesomeVersion(manifest["version"]).valid
    assert all(owner.startswith("@") for owner in manifest["codeowners"])


def test_hacs_manifest() -> None:
    hacs = _json(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"] == _json(INTEGRATION / "manifest.json")["name"]
    assert AwesomeVersion(ha_version) >= AwesomeVersion(hacs["homeassistant"])


# Home Assistant shows a custom integration's own brand/ images from this version on.
BRAND_IMAGES_SINCE = AwesomeVersion("2026.3.0")


def test_the_declared_minimum_and_the_brand_icon_agree() -> None:
    """hacs.json, the README and the quality scale say the same about the minimum version.

    Below the version that shows a custom integration's own icon, the README must say that
    the declared minimum shows none.
    """
    minimum = AwesomeVersion(_json(ROOT / "hacs.json")["homeassistant"])
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"Requires Home Assistant {minimum.major}.{minimum.minor} or newer" in readme
    if minimum < BRAND_IMAGES_SINCE:
        since = f"{BRAND_IMAGES_SINCE.major}.{BRAND_IMAGES_SINCE.minor}"
        assert f"icon (its own `brand/icon.png`) shows from Home Assistant {since} on" in readme
        assert f"{minimum.major}.{minimum.minor}.x shows no icon" in readme


def test_brand_icon_is_a_png() -> None:
    assert (INTEGRATION / "brand" / "icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_translations_have_no_references(translations: dict[str, Any]) -> None:
    # Custom integrations read translations/en.json as it is: references stay unresolved.
    assert "[%key:" not in json.dumps(translations)


def _strings(node: Any, path: str = "") -> dict[str, str]:
    """Every text of a translation file by its dotted path."""
    if isinstance(node, str):
        return {path: node}
    return {
        text_path: text
        for key, value in node.items()
        for text_path, text in _strings(value, f"{path}.{key}" if path else key).items()
    }


@pytest.mark.parametrize(
    "language", sorted(path.stem for path in (INTEGRATION / "translations").glob("*.json"))
)
def test_translations_contain_no_urls(language: str) -> None:
    # hassfest: "the string should not contain URLs, please use description placeholders
    # instead" (it matches web addresses with or without a scheme).
    texts = _strings(_json(INTEGRATION / "translations" / f"{language}.json"))
    url = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)")
    assert {path: text for path, text in texts.items() if url.search(text)} == {}


@pytest.mark.parametrize(
    "language",
    sorted(
        path.stem for path in (INTEGRATION / "translations").glob("*.json") if path.stem != "en"
    ),
)
def test_translations_match_english(translations: dict[str, Any], language: str) -> None:
    """Each translation has exactly the texts of en.json, with the same placeholders."""
    english = _strings(translations)
    other = _strings(_json(INTEGRATION / "translations" / f"{language}.json"))
    assert set(other) == set(english)
    placeholders = re.compile(r"\{(\w+)\}")
    for path, text in english.items():
        assert set(placeholders.findall(other[path])) == set(placeholders.findall(text)), path


def test_services_yaml_matches_translations(translations: dict[str, Any]) -> None:
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
    assert set(services) == set(translations["services"])
    for service, spec in services.items():
        text = translations["services"][service]
        assert text["name"]
        assert text["description"]
        fields = set((spec or {}).get("fields", {}))
        assert fields == set(text.get("fields", {})), service
        for field in fields:
            assert text["fields"][field]["name"]
            assert text["fields"][field]["description"]
        for field_spec in (spec or {}).get("fields", {}).values():
            selector = field_spec.get("selector", {})
            if key := selector.get("select", {}).get("translation_key"):
                options = set(selector["select"]["options"])
                assert options == set(translations["selector"][key]["options"])


def test_every_exception_and_issue_key_used_in_code_exists(
    translations: dict[str, Any], source: str
) -> None:
    known = (
        set(translations["exceptions"])
        | set(translations["issues"])
        | set(translations["selector"])
        | {key for platform in translations["entity"].values() for key in platform}
    )
    missing = _translation_keys_in(source) - known
    assert not missing


def test_every_exception_translation_is_used(translations: dict[str, Any], source: str) -> None:
    unused = {key for key in translations["exceptions"] if f'"{key}"' not in source}
    assert not unused


def test_entities_translations_and_icons_match(translations: dict[str, Any]) -> None:
    icons = _json(INTEGRATION / "icons.json")
    for platform in PLATFORMS:
        code = (INTEGRATION / f"{platform}.py").read_text(encoding="utf-8")
        used = _translation_keys_in(code)
        translated = set(translations["entity"].get(platform, {}))
        assert used == translated, platform
        for key in used:
            assert translations["entity"][platform][key]["name"]
            entry = icons["entity"][platform][key]
            assert entry.get("default", "").startswith("mdi:"), (platform, key)
            for state_icon in entry.get("state", {}).values():
                assert state_icon.startswith("mdi:")


def test_enum_states_are_translated(translations: dict[str, Any]) -> None:
    sensors = translations["entity"]["sensor"]
    selects = translations["entity"]["select"]
    assert set(sensors["call_state"]["state"]) == {s.value for s in CallState}
    assert set(sensors["status"]["state"]) == {status_state(s) for s in StatusType}
    assert set(selects["status"]["state"]) == {status_state(s) for s in StatusType}
    # Home Assistant reserves the state "unavailable".
    assert "unavailable" not in sensors["status"]["state"]
    assert set(selects["blf_override"]["state"]) == {"automatic", "idle", "ringing", "busy"}


def test_every_service_has_an_icon() -> None:
    icons = _json(INTEGRATION / "icons.json")
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
    for service in services:
        assert icons["services"][service]["service"].startswith("mdi:")


def test_config_flow_fields_are_described(translations: dict[str, Any]) -> None:
    for step_id, step in translations["config"]["step"].items():
        for field in step.get("data", {}):
            assert step.get("data_description", {}).get(field), (step_id, field)


def test_event_types_and_device_automations_are_translated(
    translations: dict[str, Any],
) -> None:
    events = translations["entity"]["event"]
    for description in EVENTS:
        assert description.translation_key is not None
        translated = events[description.translation_key]["state_attributes"]["event_type"]
        assert list(translated["state"]) == description.event_types
    status_attributes = events["status_change"]["state_attributes"]
    for attribute in ("old_type", "new_type"):
        assert set(status_attributes[attribute]["state"]) == {s.value for s in StatusType}
    automations = translations["device_automation"]
    assert set(automations["trigger_type"]) == set(TRIGGERS)
    assert set(automations["condition_type"]) == set(CONDITIONS)
    assert set(automations["action_type"]) == set(ACTIONS)
    assert set(automations["extra_fields"]) == {CONF_STATUS_TYPE, ATTR_NUMBER, ATTR_AUTO_ANSWER}
    for text in (*automations["trigger_type"].values(), *automations["condition_type"].values()):
        assert text.startswith("{entity_name} ")


def test_readme_names_the_simulators_demo_logins() -> None:
    """The logins in the README are the simulator's and the development setup's own."""
    from devtools.develop import DEV_PASSWORD, DEV_USERNAME  # noqa: PLC0415
    from devtools.hass import ISYMPHONY_PASSWORD, ISYMPHONY_USERNAME, KAZOO_ACCOUNT  # noqa: PLC0415
    from simulator.demo import (  # noqa: PLC0415
        ADMIN_PASSWORD,
        ADMIN_USERNAME,
        DEMO_USERS,
        build_demo_kazoo,
    )

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text in (
        f"`{DEV_USERNAME}` / `{DEV_PASSWORD}`",
        f"`{ADMIN_USERNAME}` / `{ADMIN_PASSWORD}`, account name `{KAZOO_ACCOUNT}`",
        f"`{DEMO_USERS[0].username}` / `{DEMO_USERS[0].password}`",
        f"`{build_demo_kazoo().api_keys[0]}`",
        f"`{ISYMPHONY_USERNAME}` / `{ISYMPHONY_PASSWORD}`",
    ):
        assert text in readme, text


CARD_NAME = "PBX switchboard"


def test_readme_uses_the_frontends_words_for_editing_a_dashboard() -> None:
    """The bold menu words of the dashboard import are the installed frontend's own."""
    import hass_frontend  # noqa: PLC0415

    words: set[str] = set()
    folder = Path(hass_frontend.where()) / "static" / "translations"
    for path in (*folder.glob("en-*.json"), *folder.glob("*/en-*.json")):
        words.update(value for value in _json(path).values() if isinstance(value, str))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Switchboard", 1)[1].split("\n## ", 1)[0]
    steps = " ".join(section.split("**On a dashboard:**", 1)[1].split("```", 1)[0].split())
    for step in ("Edit dashboard", "Add card", "Custom cards"):
        assert step in steps
        assert step in words, f"{step!r} is not a word of Home Assistant's frontend"
    for bold in re.findall(r"\*\*(.+?)\*\*", steps):
        if bold == CARD_NAME:  # the card's own name, from the integration's script
            continue
        assert bold in words, f"{bold!r} is not a word of Home Assistant's frontend"
    script = ROOT / "custom_components" / "pbx_presence" / "frontend" / "pbx-switchboard.js"
    assert f'name: "{CARD_NAME}"' in script.read_text(encoding="utf-8")
