"""The layout's one direction: HA layer -> backends -> HA-free client library.

Read from the source: nothing under `pbx/` or `backends/` imports Home Assistant, the
client library imports nothing of the integration above it, and only `backends/`'s
factory and the config flow's first step name a server type.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "pbx_presence"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved against its package."""
    package = path.relative_to(INTEGRATION.parent.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.add(".".join((*base, *([node.module] if node.module else []))))
            elif node.module:
                found.add(node.module)
    return found


def _files(*parts: str) -> list[Path]:
    return sorted(INTEGRATION.joinpath(*parts).rglob("*.py"))


@pytest.mark.parametrize("layer", ["pbx", "backends"])
def test_lower_layers_import_no_home_assistant(layer: str) -> None:
    offenders = {
        str(path.relative_to(INTEGRATION)): sorted(
            module for module in _imports(path) if module.split(".")[0] == "homeassistant"
        )
        for path in _files(layer)
    }
    assert not {path: modules for path, modules in offenders.items() if modules}


def test_the_client_library_imports_nothing_above_it() -> None:
    above = "custom_components.pbx_presence"
    offenders = {
        str(path.relative_to(INTEGRATION)): sorted(
            module
            for module in _imports(path)
            if module.startswith(above) and not module.startswith(f"{above}.pbx")
        )
        for path in _files("pbx")
    }
    assert not {path: modules for path, modules in offenders.items() if modules}


def test_backends_import_nothing_of_the_home_assistant_layer() -> None:
    allowed = ("custom_components.pbx_presence.pbx", "custom_components.pbx_presence.backends")
    offenders = {
        str(path.relative_to(INTEGRATION)): sorted(
            module
            for module in _imports(path)
            if module.startswith("custom_components.pbx_presence")
            and not module.startswith(allowed)
        )
        for path in _files("backends")
    }
    assert not {path: modules for path, modules in offenders.items() if modules}


def test_only_the_factory_and_the_first_flow_step_read_the_server_type() -> None:
    readers = {
        str(path.relative_to(INTEGRATION))
        for path in INTEGRATION.rglob("*.py")
        if "CONF_SERVER_TYPE" in path.read_text(encoding="utf-8")
        or "keys.SERVER_TYPE" in path.read_text(encoding="utf-8")
    }
    assert readers <= {"const.py", "config_flow.py", "backends/__init__.py"}


def test_home_assistant_modules_stay_small() -> None:
    """A reader finds one job per module: none of the HA layer grows past ~400 lines."""
    sizes = {
        str(path.relative_to(INTEGRATION)): len(path.read_text(encoding="utf-8").splitlines())
        for path in INTEGRATION.rglob("*.py")
        if path.relative_to(INTEGRATION).parts[0] not in {"pbx", "backends"}
    }
    assert {path: lines for path, lines in sizes.items() if lines > 420} == {}
