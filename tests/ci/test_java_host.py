"""The Java language host that offline/tools.sh builds, with offline/tools/pulumi-java/patches applied
(issue 14, docs/tools.md "Our patches to the Java language host"):
* when the program exits with the Java SDK's code 32 ("the user has been told, through the
  engine"), the command fails without a second, generic error about the exit code; any other exit
  code is still reported;
* for a program run from a jar, the JVM that lists the packages it needs runs once per build of
  the jar, not on every command;
* for such a program, About() (which the CLI awaits on every preview) starts no compiler or
  build tool.

Real: the Pulumi CLI and the language host of $TOOLS_DIR/bin, a file:// backend. Stood in for:
`java`, `javac`, `mvn` and `gradle`, which record their calls; the program exits with the code
the test asks for (the real program's config errors go through scripts/stack-e2e.sh step 12).
Skipped when the tools are not built."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = Path(os.environ.get("TOOLS_DIR", Path.home() / ".cache" / "travel-app" / "tools"))
PULUMI = TOOLS_DIR / "bin" / "pulumi"
HOST = TOOLS_DIR / "bin" / "pulumi-language-java"
HOST_LINE = "exited with non-zero exit code"

pytestmark = pytest.mark.skipif(not (PULUMI.exists() and HOST.exists()),
                                reason=f"no Pulumi CLI and Java host in {TOOLS_DIR / 'bin'} (offline/tools.sh pulumi pulumi-java)")

# The JVMs the host starts for a `binary: *.jar` project: the packages query, `--version` for
# About(), and the program itself, which here only exits.
FAKE_JAVA = """#!/bin/sh
echo "java $*" >>"$FAKE_CALLS"
case " $* " in
  *" packages "*) echo '[{"resource":false,"name":"stand-in"}]' ;;  # no plugin to load
  *" -jar "*) exit "$FAKE_PROGRAM_EXIT" ;;
  *) echo 'openjdk 17 (stand-in)' ;;
esac
"""
BUILD_TOOL = """#!/bin/sh
echo "$(basename "$0") $*" >>"$FAKE_CALLS"
echo '1.0 (stand-in)'
"""


@pytest.fixture(scope="module", autouse=True)
def host_of_this_checkout() -> None:
    """The host under test is the one this checkout's patches define: a clone at another commit may
    have built the shared $TOOLS_DIR since. `offline/tools.sh pulumi-java` rebuilds it only then (its stamp
    covers the patches); otherwise it returns at once."""
    result = subprocess.run(["bash", str(ROOT / "offline" / "tools.sh"), "pulumi-java"], capture_output=True,
                            text=True, timeout=900, env={**os.environ, "TOOLS_DIR": str(TOOLS_DIR)})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def project(tmp_path: Path) -> dict:
    work = tmp_path / "project"
    work.mkdir()
    (work / "Pulumi.yaml").write_text("name: host-test\nruntime:\n  name: java\n  options:\n    binary: program.jar\n",
                                      encoding="utf-8")
    (work / "program.jar").write_bytes(b"")
    fakes = tmp_path / "fakebin"
    fakes.mkdir()
    for name, text in {"java": FAKE_JAVA, "javac": BUILD_TOOL, "mvn": BUILD_TOOL, "gradle": BUILD_TOOL}.items():
        (fakes / name).write_text(text, encoding="utf-8")
        (fakes / name).chmod(0o755)
    (tmp_path / "state").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "KUBECONFIG"))}
    env.update(
        PATH=f"{fakes}{os.pathsep}{PULUMI.parent}{os.pathsep}{env['PATH']}",
        PULUMI_HOME=str(tmp_path / "pulumi-home"),
        PULUMI_BACKEND_URL=f"file://{tmp_path / 'state'}",
        PULUMI_CONFIG_PASSPHRASE="host-test",
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        FAKE_CALLS=str(tmp_path / "calls"),
    )
    proj = {"dir": work, "env": env, "calls": tmp_path / "calls"}
    assert pulumi(proj, "stack", "init", "t").returncode == 0
    return proj


def pulumi(proj: dict, *args: str, exit_code: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run([str(PULUMI), *args, "--non-interactive"], cwd=proj["dir"],
                          env={**proj["env"], "FAKE_PROGRAM_EXIT": str(exit_code)},
                          capture_output=True, text=True, timeout=120)


def calls(proj: dict, prefix: str) -> list[str]:
    if not proj["calls"].exists():
        return []
    return [c for c in proj["calls"].read_text(encoding="utf-8").splitlines() if c.startswith(prefix)]


def resources(proj: dict) -> list:
    export = pulumi(proj, "stack", "export", "--stack", "t")
    return json.loads(export.stdout)["deployment"].get("resources") or []


@pytest.mark.parametrize("command", [["preview"], ["up", "--yes"], ["up", "--yes", "--skip-preview"]])
def test_exit_code_32_fails_the_command_without_the_hosts_exit_code_error(project, command):
    result = pulumi(project, *command, "--stack", "t", exit_code=32)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert HOST_LINE not in out, out
    assert resources(project) == []


def test_any_other_exit_code_is_still_reported_by_the_host(project):
    result = pulumi(project, "preview", "--stack", "t", exit_code=1)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert f"{HOST_LINE}: 1" in out, out


def test_the_packages_query_runs_once_per_build_of_the_jar(project):
    def packages_queries() -> int:
        return len(calls(project, "java -cp program.jar com.pulumi.bootstrap.internal.Main packages"))

    for _ in range(2):
        result = pulumi(project, "preview", "--stack", "t")
        assert result.returncode == 0, result.stdout + result.stderr
    assert packages_queries() == 1

    jar = project["dir"] / "program.jar"
    jar.write_bytes(b"a new build")
    os.utime(jar, (jar.stat().st_atime, jar.stat().st_mtime + 10))
    result = pulumi(project, "preview", "--stack", "t")
    assert result.returncode == 0, result.stdout + result.stderr
    assert packages_queries() == 2


def test_about_starts_no_compiler_or_build_tool_for_a_jar_program(project):
    result = pulumi(project, "preview", "--stack", "t")
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls(project, "java --version"), "About() still reports the JVM"
    assert calls(project, "javac") + calls(project, "mvn") + calls(project, "gradle") == []
