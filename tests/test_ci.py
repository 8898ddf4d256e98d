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
    match = re.search(rf"^{name}\(\) {{\n.*?^}}\n", text, re.MULTILINE | re.DOTALL)
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
