"""The monitoring files the stack deploys, written once per session by WriteMonitoringFiles (the same
code, the stack's defaults) before collection, so that every panel, alert and expression test becomes
a test of its own."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import dashboards
import pytest
from harness import ROOT

HERE = Path(__file__).resolve().parent
FILES: Path | None = None


def pytest_configure(config):
    global FILES
    work = Path(tempfile.mkdtemp(prefix="monitoring-files."))
    work.chmod(0o755)
    FILES = work / "files"
    written = subprocess.run(
        ["mvn", "-q", "-ntp", "compile", "exec:java", "-DmainClass=com.travelapp.infra.monitoring.WriteMonitoringFiles",
         f"-DmainArgs={FILES}"], cwd=ROOT, capture_output=True, text=True)
    if written.returncode != 0:
        raise pytest.UsageError("WriteMonitoringFiles failed:\n" + written.stdout + written.stderr)
    # The test files sit next to the alerts.yml they test, as promtool expects.
    for name in ("alerts.test.yml", "dashboards-cadvisor.test.yml"):
        shutil.copy(HERE / name, FILES / "prometheus" / name)
    # Stand-ins for the pod's service-account files (token, CA) that the Kubernetes SD jobs read.
    (work / "serviceaccount").mkdir()
    (work / "serviceaccount" / "token").write_text("token\n")
    (work / "serviceaccount" / "ca.crt").write_text("")


def pytest_unconfigure(config):
    if FILES is not None:
        shutil.rmtree(FILES.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def files() -> Path:
    return FILES


@pytest.fixture(scope="session")
def prom_dir(files) -> Path:
    return files / "prometheus"


@pytest.fixture(scope="session")
def service_account(files) -> Path:
    return files.parent / "serviceaccount"


def with_service_account(prom_dir: Path, service_account: Path, config: dict | str, name: str) -> Path:
    """Writes config (YAML text or a dict) next to alerts.yml with the service-account paths pointing
    at the stand-in files."""
    import yaml

    text = config if isinstance(config, str) else yaml.safe_dump(config, sort_keys=False)
    path = prom_dir / name
    path.write_text(text.replace("/var/run/secrets/kubernetes.io/serviceaccount", str(service_account)))
    return path


def pytest_generate_tests(metafunc):
    params = {
        "cadvisor_panel": lambda: dashboards.cadvisor_panel_queries(FILES),
        "expression_test": lambda: list(dashboards.expression_tests(HERE / "dashboards-cadvisor.test.yml")),
        "panel": lambda: sorted(dashboards.live_panels(FILES)),
        "variable": lambda: [f"{d} ${v} = {q}" for d, v, q in dashboards.variables(FILES)],
        "rule": lambda: dashboards.rule_names(FILES / "prometheus" / "alerts.yml"),
    }
    for name, values in params.items():
        if name in metafunc.fixturenames:
            values = values()
            ids = [v[0] if isinstance(v, tuple) else v[:90] for v in values]
            metafunc.parametrize(name, values, ids=ids)
