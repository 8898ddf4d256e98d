"""The CI workflow and scripts/setup, checked offline as far as they can be.

GitHub's runners are Ubuntu, where some package names differ from Debian's; the workflow's
actions must be majors that run on Node 24 (GitHub removes Node 20 from its runners).
"""

from __future__ import annotations

import os
from pathlib import Path
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = Path(__file__).parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "validate.yml"
# The first major of each action that runs on Node 24.
NODE_24_MAJORS = {"actions/checkout": 5, "actions/setup-python": 6, "actions/cache": 5}


def test_workflow_actions_run_on_node_24() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    seen = set()
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            action, _, ref = step.get("uses", "").partition("@")
            if action in NODE_24_MAJORS:
                seen.add(action)
                major = re.fullmatch(r"v(\d+)", ref)
                assert major, f"{action}@{ref}: use a major tag"
                assert int(major.group(1)) >= NODE_24_MAJORS[action], f"{action}@{ref} is Node 20"
    assert seen == set(NODE_24_MAJORS)


def _function(name: str) -> str:
    """One shell function of scripts/setup, as its text."""
    text = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    match = re.search(rf"^{name}\(\) {{(\n.*?^}}| [^\n]*}})\n", text, re.MULTILINE | re.DOTALL)
    assert match, f"scripts/setup has no function {name}"
    return match.group(0)


def _fake_apt_cache(tmp_path: Path, known: str) -> dict[str, str]:
    """A PATH whose apt-cache knows only the package `known` (as `apt-cache policy` shows)."""
    (tmp_path / "apt-cache").write_text(
        "#!/bin/sh\n"
        'echo "$2:"\n'
        f'if [ "$2" = "{known}" ]; then echo "  Candidate: 1:2.1.5-1"; '
        'else echo "  Candidate: (none)"; fi\n',
        encoding="utf-8",
    )
    (tmp_path / "apt-cache").chmod(0o755)
    return {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}


@pytest.mark.parametrize(
    ("distribution", "package"), [("Debian", "libturbojpeg0"), ("Ubuntu", "libturbojpeg")]
)
def test_setup_installs_libturbojpeg_by_the_distributions_name(
    tmp_path: Path, distribution: str, package: str
) -> None:
    script = f"set -euo pipefail\n{_function('turbojpeg_package')}turbojpeg_package\n"
    bash = shutil.which("bash")
    assert bash
    result = subprocess.run(  # noqa: S603 - the project's own script, with a fake apt-cache
        [bash, "-c", script],
        env=_fake_apt_cache(tmp_path, package),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == package, distribution


def _run(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    assert bash
    return subprocess.run(  # noqa: S603 - the project's own script
        [bash, "-c", f"set -euo pipefail\n{script}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_setup_says_which_phase_of_the_cpython_build_runs(tmp_path: Path) -> None:
    functions = _function("log") + _function("build_phase")
    log = tmp_path / "make.log"
    ok = _run(f"{functions}build_phase 'make (2/3)' {log} echo compiled\n")
    assert ok.returncode == 0
    assert ok.stderr.splitlines()[0] == f"==> Building CPython: make (2/3) (log: {log})"
    done = ok.stderr.splitlines()[1]
    assert re.fullmatch(r"==> Building CPython: make \(2/3\) done in \d+ s", done)
    assert log.read_text(encoding="utf-8") == "compiled\n"  # the output goes to the log

    failed = _run(f"{functions}build_phase 'configure (1/3)' {log} false\necho not reached\n")
    assert failed.returncode != 0
    assert "configure (1/3) failed" in failed.stderr
    assert "not reached" not in failed.stdout


# The steps of scripts/setup that take long: each is announced on the line before.
# (build_phase announces each phase of the CPython build itself; tested above.)
LONG_STEPS = (
    "update -qq",
    "source --download-only",
    "tar -xf",
    '-m venv "$venv"',
    "pip install --isolated",
    "apt-get install",
    "uv pip install",
)
PHASES = ("configure (1/3)", "make (2/3", "install (3/3)")


def test_setup_prints_a_line_before_each_long_step() -> None:
    text = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    lines = text.splitlines()
    for step in LONG_STEPS:
        found = [index for index, line in enumerate(lines) if step in line]
        assert found, step
        for index in found:
            before = [line.strip() for line in lines[max(0, index - 3) : index]]
            assert any(line.startswith("log ") for line in before), (
                f"no progress line before {lines[index].strip()!r}"
            )
    for phase in PHASES:
        assert f'build_phase "{phase}' in text, phase
    for command in ("./configure", "make -j", "make altinstall"):
        # the command is build_phase's, on its line or the next
        pattern = rf"build_phase [^\n]*(\\\n\s*)?{re.escape(command)}"
        assert re.search(pattern, text), command
