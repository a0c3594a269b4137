"""What the scan suite needs, installed or built once per run (idempotent, pinned), as session
fixtures: kubeconform (Go module proxy) into tests/scan/.venv/bin, the JSON schemas of the pinned
Kubernetes release (from that release's own OpenAPI document, k8s_schemas.py), checkov (from
requirements.txt, already in the venv), the Pulumi CLI, Java host and providers of
offline/tools.sh (built when missing: about 28 min once per machine, rather than skip a security
gate), target/travel-app.jar, and the rendered objects of the stack (render.py).

A step that fails fails every test that needs it, with its log's end; none is ever skipped.
Env: STACK_FILE (default Pulumi.dev.yaml) scans another stack's objects; MANIFEST_SCAN_KEEP=DIR
keeps the rendered (redacted) objects in DIR."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import k8s_schemas
from render import STACK_FILE, RenderError, render_stack

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
KUBECONFORM_VERSION = "v0.8.0"
K8S_VERSION = k8s_schemas.pinned_release()
TOOL_TARGETS = ["pulumi", "pulumi-java", "kubernetes-provider", "random-provider"]


def say(request, message: str) -> None:
    """A progress line on the terminal, past pytest's capture (a cold tools build takes minutes)."""
    plugins = request.config.pluginmanager
    with plugins.get_plugin("capturemanager").global_and_fixture_disabled():
        plugins.get_plugin("terminalreporter").write_line(f"[scan {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_logged(command: list, log: Path, **env: str) -> bool:
    with log.open("a", encoding="utf-8") as out:
        return subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                              env={**os.environ, **env}).returncode == 0


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def go() -> list[str]:
    return [shutil.which("go") or "/usr/local/go/bin/go"]


GO_ENV = {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}


@pytest.fixture(scope="session")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def kubeconform(request, logs) -> Path:
    binary = VENV_BIN / "kubeconform"
    if binary.exists():
        info = subprocess.run([*go(), "version", "-m", binary], capture_output=True, text=True, env={**os.environ, **GO_ENV})
        if re.search(rf"github\.com/yannh/kubeconform\s+{re.escape(KUBECONFORM_VERSION)}\b", info.stdout):
            return binary
    say(request, f"building kubeconform {KUBECONFORM_VERSION} (Go module proxy)")
    log = logs / "kubeconform.log"
    if not run_logged([*go(), "install", f"github.com/yannh/kubeconform/cmd/kubeconform@{KUBECONFORM_VERSION}"],
                      log, GOBIN=str(VENV_BIN), **GO_ENV):
        pytest.fail(f"could not build kubeconform {KUBECONFORM_VERSION}:\n{tail(log)}")
    return binary


@pytest.fixture(scope="session")
def schemas(request, logs) -> Path:
    """kubeconform's schema files for Kubernetes K8S_VERSION, from the k8s.io/kubernetes module."""
    out = VENV_BIN.parent / "schemas" / K8S_VERSION
    stamp = out / ".built"
    want = f"{K8S_VERSION} {hashlib.sha256(Path(k8s_schemas.__file__).read_bytes()).hexdigest()[:16]}"
    if stamp.exists() and stamp.read_text() == want:
        return out
    say(request, f"the Kubernetes {K8S_VERSION} schemas (k8s.io/kubernetes's OpenAPI document)")
    download = subprocess.run([*go(), "mod", "download", "-json", f"k8s.io/kubernetes@{K8S_VERSION}"], cwd=ROOT,
                              capture_output=True, text=True, env={**os.environ, **GO_ENV})
    if download.returncode != 0:
        pytest.fail(f"go mod download k8s.io/kubernetes@{K8S_VERSION} failed:\n{download.stdout[-2000:]}{download.stderr[-2000:]}")
    shutil.rmtree(out, ignore_errors=True)
    k8s_schemas.main(Path(json.loads(download.stdout)["Dir"]) / "api" / "openapi-spec" / "swagger.json", out)
    stamp.write_text(want)
    return out


@pytest.fixture(scope="session")
def checkov() -> Path:
    binary = VENV_BIN / "checkov"
    assert binary.exists(), f"no checkov in {VENV_BIN}: run the suite through python3 tests/run.py scan"
    return binary


@pytest.fixture(scope="session")
def pulumi_tools(request, logs) -> None:
    """offline/tools.sh's targets for a render; a no-op when they are built and current. When they
    are missing this builds them (about 28 min once per machine): a security gate is not skipped."""
    say(request, f"offline/tools.sh {' '.join(TOOL_TARGETS)} (built once per machine; log {logs / 'tools.log'})")
    log = logs / "tools.log"
    if not run_logged(["bash", "offline/tools.sh", *TOOL_TARGETS], log):
        pytest.fail(f"offline/tools.sh {' '.join(TOOL_TARGETS)} failed; the scan needs them to render:\n{tail(log, 20)}")


@pytest.fixture(scope="session")
def jar(request, logs) -> None:
    say(request, "target/travel-app.jar (mvn -q -B -ntp package -DskipTests)")
    log = logs / "mvn.log"
    if not run_logged(["mvn", "-q", "-B", "-ntp", "package", "-DskipTests"], log):
        pytest.fail(f"mvn package failed:\n{tail(log)}")


@pytest.fixture(scope="session")
def rendered(request, pulumi_tools, jar, tmp_path_factory) -> Path:
    """The directory of every object STACK_FILE declares, one file per object, Secrets redacted."""
    out, work = tmp_path_factory.mktemp("manifests"), tmp_path_factory.mktemp("render")
    say(request, f"rendering every Kubernetes object of {STACK_FILE.name} (renderYamlToDirectory)")
    try:
        count = render_stack(STACK_FILE, out, work)
    except RenderError as error:
        pytest.fail(f"render of {STACK_FILE.name}: {error}")
    say(request, f"{count} objects rendered")
    if keep := os.environ.get("MANIFEST_SCAN_KEEP"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        for manifest in out.glob("*.yaml"):
            shutil.copy(manifest, keep)
    return out


@pytest.fixture(scope="session")
def validate(kubeconform, schemas):
    """validate(path) -> kubeconform -strict's JSON report of every object under path."""
    def run(path: Path) -> dict:
        result = subprocess.run([kubeconform, "-strict", "-summary", "-verbose", "-output", "json", "-schema-location",
                                 f"{schemas}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json", path],
                                capture_output=True, text=True, timeout=600)
        return json.loads(result.stdout)
    return run


@pytest.fixture(scope="session")
def scan(checkov):
    """scan(path, config) -> checkov's JSON report of path: with the repository's .checkov.yaml, or
    with none (run from another directory, so checkov does not find the repository's)."""
    def run(path: Path, with_config: bool) -> tuple[int, dict | list]:
        config = ["--config-file", str(ROOT / ".checkov.yaml")] if with_config else ["--framework", "kubernetes"]
        result = subprocess.run([checkov, *config, "--skip-download", "-d", path, "-o", "json"],
                                cwd=ROOT if with_config else path.parent, capture_output=True, text=True, timeout=900)
        return result.returncode, json.loads(result.stdout)
    return run
