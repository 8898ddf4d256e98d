"""quality_scale.yaml, the integration's self-assessment, checked against the code.

hassfest validates quality_scale.yaml only for core integrations, so nothing else checks
it. Each test below turns one claim into something a machine can check, and fails when
the code and the claim drift apart. Rules whose truth needs judgement (test-coverage per
module, appropriate-polling, entity-disabled-by-default, docs contents) are left to
review; their comments say what was measured.
"""

from __future__ import annotations

import ast
from functools import cache
from importlib import metadata
import json
from pathlib import Path
import re
import struct
import sys
from typing import Any

import homeassistant.components
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
import yaml

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "pbx_presence"
HA_COMPONENTS = Path(homeassistant.components.__file__).parent

# The rules of Home Assistant 2026.2's quality scale (core's script/hassfest/quality_scale.py
# ALL_RULES). docs-triggers and docs-conditions were added to core later and do not exist in
# 2026.2: core's schema would reject them. test_rule_list_matches_installed_home_assistant
# notices when the installed Home Assistant's rules differ from this table.
QUALITY_RULES = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow-test-coverage",
        "config-flow",
        "dependency-transparency",
        "docs-actions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery-update-info",
        "discovery",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}
ALL_RULES = {rule for rules in QUALITY_RULES.values() for rule in rules}
STATUSES = {"done", "todo", "exempt"}

# Where README documents what each docs-* rule asks for: every heading listed must exist.
# (docs-triggers and docs-conditions are ready for when the rule list gains them.)
DOCS_SECTIONS = {
    "docs-actions": ["Actions (services)"],
    "docs-conditions": ["Device triggers and conditions"],
    "docs-configuration-parameters": ["Options: what to import"],
    "docs-data-update": ["How data is updated"],
    "docs-examples": ["Blueprints", "More examples"],
    "docs-high-level-description": ["PBX Presence for Home Assistant"],
    "docs-installation-instructions": ["Installation"],
    "docs-installation-parameters": ["Configuration"],
    "docs-known-limitations": ["Known limitations"],
    "docs-removal-instructions": ["Removal"],
    "docs-supported-devices": ["Before you start: what the servers need"],
    "docs-supported-functions": ["Devices and entities"],
    "docs-triggers": ["Device triggers and conditions"],
    "docs-troubleshooting": ["Troubleshooting"],
    "docs-use-cases": ["Switchboard", "Automations", "Voice"],
}

# Calls that subscribe to something an entity must unsubscribe from when it is removed.
SUBSCRIBING_CALL = re.compile(
    r"async_dispatcher_connect|async_track_\w+|async_add_listener|add_listener|async_listen\w*"
)
# Presentity fields that are personal data of the user or of third parties (callers).
PERSONAL_FIELDS = ("mac_address", "caller_id_name", "caller_id_number", "destination")


# --- helpers ----------------------------------------------------------------------------------


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _rules() -> dict[str, Any]:
    scale = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8"))
    return dict(scale["rules"])


def _status(rule: str) -> str:
    value = _rules()[rule]
    return value if isinstance(value, str) else value["status"]


def _comment(rule: str) -> str:
    value = _rules()[rule]
    return "" if isinstance(value, str) else str(value.get("comment") or "")


@cache
def _modules() -> dict[Path, ast.Module]:
    """Every module of the package, wherever the current layout puts it."""
    return {
        path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(INTEGRATION.rglob("*.py"))
    }


def _source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in _modules())


def _functions(name: str) -> list[tuple[Path, ast.AsyncFunctionDef | ast.FunctionDef]]:
    return [
        (path, node)
        for path, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
    ]


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(INTEGRATION)}:{getattr(node, 'lineno', '?')}"


def _readme_headings() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {match.strip() for match in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)}


def _distribution(requirement: str) -> str:
    return canonicalize_name(Requirement(requirement).name)


@cache
def _installed_with(distribution: str) -> frozenset[str]:
    """A distribution and everything it requires, transitively (without extras)."""
    seen: set[str] = set()
    todo = [canonicalize_name(distribution)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return frozenset(seen)


def _third_party_imports() -> dict[str, list[str]]:
    """Top-level modules imported from outside the standard library and Home Assistant."""
    found: dict[str, list[str]] = {}
    for path, tree in _modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in {"homeassistant", "custom_components"}:
                    continue
                found.setdefault(top, []).append(_where(path, node))
    return found


# --- the rule list and the file's form --------------------------------------------------------


def test_every_rule_of_the_scale_is_listed() -> None:
    listed = set(_rules())
    assert not ALL_RULES - listed, f"rules missing from quality_scale.yaml: {ALL_RULES - listed}"
    assert not listed - ALL_RULES, (
        f"rules Home Assistant 2026.2 does not know: {listed - ALL_RULES}"
    )


def test_rule_list_matches_installed_home_assistant() -> None:
    """The platinum core integrations list every rule the installed Home Assistant has."""
    platinum_rules: set[str] = set()
    for scale_file in HA_COMPONENTS.glob("*/quality_scale.yaml"):
        manifest = _json(scale_file.parent / "manifest.json")
        if manifest.get("quality_scale") == "platinum":
            scale = yaml.safe_load(scale_file.read_text(encoding="utf-8"))
            platinum_rules |= set(scale.get("rules") or {})
    assert platinum_rules, "the installed Home Assistant ships no quality_scale.yaml files"
    assert platinum_rules == ALL_RULES, (
        "the installed Home Assistant's rules differ from QUALITY_RULES: "
        f"new {platinum_rules - ALL_RULES}, gone {ALL_RULES - platinum_rules}"
    )


def test_statuses_are_known_and_explained() -> None:
    for rule, value in _rules().items():
        status = _status(rule)
        assert status in STATUSES, f"{rule}: status {status!r} is none of {sorted(STATUSES)}"
        if status in {"exempt", "todo"}:
            assert _comment(rule).strip(), f"{rule} is {status}: say why in a comment"
        if isinstance(value, dict):
            # Core's schema: the long form always carries a comment.
            assert set(value) == {"status", "comment"}, f"{rule}: keys {sorted(value)}"


def test_declared_tier_is_backed_by_the_rules() -> None:
    tier = _json(INTEGRATION / "manifest.json").get("quality_scale")
    if tier not in QUALITY_RULES:
        return
    tiers = list(QUALITY_RULES)
    unmet = sorted(
        rule
        for reached in tiers[: tiers.index(tier) + 1]
        for rule in QUALITY_RULES[reached]
        if _status(rule) == "todo"
    )
    assert not unmet, f"manifest.json claims {tier}, but these rules are todo: {unmet}"


# --- rules a machine can check against the code -----------------------------------------------


def test_entity_event_setup() -> None:
    """Entities that subscribe do so in async_added_to_hass and unsubscribe on removal."""
    subscribing: list[str] = []
    unwrapped: list[str] = []
    for path, function in _functions("async_added_to_hass"):
        calls = [node for node in ast.walk(function) if isinstance(node, ast.Call)]
        released = {
            id(inner)
            for call in calls
            if _called_name(call) == "async_on_remove"
            for argument in call.args
            for inner in ast.walk(argument)
        }
        for call in calls:
            if SUBSCRIBING_CALL.fullmatch(_called_name(call)):
                subscribing.append(_where(path, call))
                if id(call) not in released:
                    unwrapped.append(_where(path, call))
    if subscribing:
        assert _status("entity-event-setup") != "exempt", (
            f"entity-event-setup is exempt, but entities subscribe at {subscribing}"
        )
    if _status("entity-event-setup") == "done":
        assert not unwrapped, f"subscriptions not handed to async_on_remove: {unwrapped}"


def test_docs_configuration_parameters() -> None:
    has_options = any(path.name == "options_flow.py" for path in _modules()) or (
        "async_get_options_flow" in _source()
    )
    if has_options:
        assert _status("docs-configuration-parameters") != "exempt", (
            "docs-configuration-parameters is exempt, but the integration has an options flow"
        )


def test_docs_rules_point_at_readme_sections() -> None:
    headings = _readme_headings()
    for rule in sorted(r for r in _rules() if r.startswith("docs-")):
        assert rule in DOCS_SECTIONS, f"{rule}: add the README section(s) to DOCS_SECTIONS"
        if _status(rule) == "done":
            missing = [h for h in DOCS_SECTIONS[rule] if h not in headings]
            assert not missing, f"{rule} is done, but README has no heading {missing}"


def test_unique_config_entry() -> None:
    if _status("unique-config-entry") != "done":
        return
    assert "_abort_if_unique_id_configured" in _source(), "no flow aborts on a configured id"
    comment = _comment("unique-config-entry")
    # iSymphony entries are keyed by the Config API's core-server id, the slug only without it.
    assert "account id" in comment, f"unique-config-entry: name Kazoo's key: {comment!r}"
    assert "core-server id" in comment, f"unique-config-entry: iSymphony's key: {comment!r}"


def test_brands() -> None:
    if _status("brands") != "done":
        return
    for name, size in (("icon.png", 256), ("icon@2x.png", 512)):
        path = INTEGRATION / "brand" / name
        assert path.is_file(), f"brands is done, but {path.relative_to(ROOT)} is missing"
        head = path.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{name} is not a PNG"
        assert struct.unpack(">II", head[16:24]) == (size, size), f"{name} is not {size} px"


def test_third_party_imports_are_provided() -> None:
    """Whatever the package imports is installed by the manifest, Home Assistant or a dependency.

    Provided are: the manifest's requirements; Home Assistant's own requirements (with
    theirs, e.g. multidict comes with aiohttp); and the requirements of the integrations in
    dependencies and after_dependencies, which Home Assistant installs before this one
    (hassil comes with conversation).
    """
    manifest = _json(INTEGRATION / "manifest.json")
    provided = set(_installed_with("homeassistant"))
    for requirement in manifest.get("requirements", []):
        provided |= _installed_with(_distribution(requirement))
    for domain in manifest.get("dependencies", []) + manifest.get("after_dependencies", []):
        for requirement in _json(HA_COMPONENTS / domain / "manifest.json").get("requirements", []):
            provided |= _installed_with(_distribution(requirement))
    distributions = metadata.packages_distributions()
    unprovided = {
        module: where
        for module, where in _third_party_imports().items()
        if not {canonicalize_name(d) for d in distributions.get(module, [module])} & provided
    }
    assert not unprovided, f"imported, but nothing installs them: {unprovided}"


def test_dependency_transparency() -> None:
    if _status("dependency-transparency") == "done":
        requirements = _json(INTEGRATION / "manifest.json").get("requirements", [])
        assert requirements, (
            "dependency-transparency is done, but the manifest requires no library: the "
            "protocol code is in-tree, so there is no released dependency to be transparent"
        )


def test_async_dependency() -> None:
    if _status("async-dependency") != "done":
        return
    executor_calls = {"async_add_executor_job", "run_in_executor"}
    blocking_clients = {"requests", "urllib.request"}
    blocking = set()
    for path, tree in _modules().items():
        for node in ast.walk(tree):
            runs_in_executor = isinstance(node, ast.Call) and _called_name(node) in executor_calls
            imports_blocking = isinstance(node, ast.Import) and bool(
                {alias.name for alias in node.names} & blocking_clients
            )
            if runs_in_executor or imports_blocking:
                blocking.add(_where(path, node))
    assert not blocking, f"async-dependency is done, but I/O runs blocking at {sorted(blocking)}"


def test_diagnostics() -> None:
    if _status("diagnostics") != "done":
        return
    code = (INTEGRATION / "diagnostics.py").read_text(encoding="utf-8")
    unredacted = [field for field in PERSONAL_FIELDS if f'"{field}"' not in code]
    assert not unredacted, f"diagnostics is done, but diagnostics.py redacts none of {unredacted}"


def test_repair_issues() -> None:
    issues = _json(INTEGRATION / "translations" / "en.json").get("issues", {})
    comment = _comment("repair-issues")
    unnamed = [key for key in issues if key not in comment]
    assert not unnamed, f"repair-issues' comment does not mention the issues {unnamed}"
    if _status("repair-issues") == "done" and issues:
        removers = _functions("async_remove_entry")
        assert any("issue" in ast.unparse(f) for _, f in removers), (
            "repair-issues is done, but no async_remove_entry deletes an entry's issues"
        )


def test_config_flow() -> None:
    if _status("config-flow") != "done":
        return
    for path in _modules():
        if path.name == "options_flow.py":
            urls = sorted(set(re.findall(r"\bCONF_\w*URL\b", path.read_text(encoding="utf-8"))))
            assert not urls, f"config-flow is done, but the options hold connection data {urls}"


def test_icon_translations() -> None:
    """No state icon repeats its default (hassfest checks only state attributes)."""
    if _status("icon-translations") != "done":
        return
    redundant = []
    for platform, entities in _json(INTEGRATION / "icons.json")["entity"].items():
        for key, entry in entities.items():
            sections = {key: entry} | {
                f"{key}.{attribute}": section
                for attribute, section in entry.get("state_attributes", {}).items()
            }
            for where, section in sections.items():
                redundant += [
                    f"{platform}.{where}.{state}"
                    for state, icon in section.get("state", {}).items()
                    if icon == section.get("default")
                ]
    assert not redundant, f"state icons equal to their default: {redundant}"
