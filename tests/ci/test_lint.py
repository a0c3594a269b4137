"""The linters over what CI runs and over every shell script of the repository: actionlint over the
workflows (with shellcheck over their `run:` scripts), shellcheck at every severity over the
workflow's helper scripts (.github/scripts/) and at warning level over every other tracked shell
file (*.sh and files with a shell shebang: scripts/, offline/, .ci/run, the backup pods', the
images' entrypoints). One test per file, named by its path."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPERS = ".github/scripts/"
SHELL_SHEBANG = re.compile(rb"^#!\S*(?:/env\s+)?\S*\b(?:sh|bash|dash)\b")


def tracked_shell_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    found = []
    for name in filter(None, listed.decode().split("\0")):
        path = ROOT / name
        if not path.is_file() or path.is_symlink():
            continue
        if name.endswith(".sh"):
            found.append(name)
            continue
        with path.open("rb") as head:
            if SHELL_SHEBANG.match(head.readline(200)):
                found.append(name)
    return sorted(found)


SHELL_FILES = tracked_shell_files()
WORKFLOWS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / ".github" / "workflows").glob("*.y*ml"))


def shellcheck_output(shellcheck: str, path: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([shellcheck, "-x", *options, path], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_linters_have_files_to_check():
    assert WORKFLOWS, "no workflow under .github/workflows"
    assert any(name.startswith(HELPERS) for name in SHELL_FILES), "no helper script under .github/scripts"
    assert "scripts/test.sh" in SHELL_FILES and ".ci/run" in SHELL_FILES, SHELL_FILES


def test_actionlint_finds_no_problem_in_any_workflow_nor_in_their_run_scripts(actionlint, shellcheck):
    result = subprocess.run([actionlint, "-shellcheck", shellcheck, *WORKFLOWS], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [name for name in SHELL_FILES if name.startswith(HELPERS)])
def test_the_workflow_helper_script_passes_shellcheck_at_every_severity(shellcheck, path):
    result = shellcheck_output(shellcheck, path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [name for name in SHELL_FILES if not name.startswith(HELPERS)])
def test_the_shell_script_has_no_shellcheck_warning_or_error(shellcheck, path):
    result = shellcheck_output(shellcheck, path, "-S", "warning")
    assert result.returncode == 0, result.stdout + result.stderr
