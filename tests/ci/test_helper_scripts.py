"""The helper scripts the workflow runs (.github/scripts/), run for real against stand-ins of
kubectl and the Pulumi CLI (tests/ci/fakes/) that record their calls and, for port-forward,
serve what a healthy (or a broken) Travel App answers."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github" / "scripts"
FAKES = Path(__file__).resolve().parent / "fakes"
SMOKE_PORTS = (18080, 19090, 13000)


def run(script: str, *args: str, tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = tmp_path / "calls.log"
    log.touch()
    full_env = {
        "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "FAKE_LOG": str(log),
        **env,
    }
    result = subprocess.run(
        ["bash", str(SCRIPTS / script), *args], env=full_env, capture_output=True, text=True, timeout=120
    )
    return result, log.read_text(encoding="utf-8").splitlines()


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def smoke_ports_free():
    busy = [port for port in SMOKE_PORTS if not port_is_free(port)]
    if busy:
        pytest.skip(f"local ports in use by something else: {busy}")


def test_smoke_tests_pass_against_a_healthy_stack_and_close_their_port_forwards(tmp_path, smoke_ports_free):
    result, calls = run("smoke-test.sh", "travel-app", tmp_path=tmp_path, SMOKE_ATTEMPTS="3", SMOKE_DELAY="0.2")
    assert result.returncode == 0, result.stdout + result.stderr
    for check in ("frontend serves the React page", "/api/destinations/ answers through Nginx",
                  "Prometheus is ready", "Grafana is healthy"):
        assert f"PASS {check}" in result.stdout
    assert result.stdout.rstrip().endswith("smoke: 4 passed, 0 failed")
    assert "-n travel-app port-forward service/frontend 18080:3000" in calls
    assert "-n travel-app port-forward service/prometheus 19090:9090" in calls
    assert "-n travel-app port-forward service/grafana 13000:3000" in calls
    assert all(port_is_free(port) for port in SMOKE_PORTS), "a port-forward outlived the smoke tests"


def test_smoke_tests_fail_and_say_which_check_when_the_api_behind_nginx_is_down(tmp_path, smoke_ports_free):
    result, _ = run(
        "smoke-test.sh", "travel-app", tmp_path=tmp_path, SMOKE_ATTEMPTS="2", SMOKE_DELAY="0.1", FAKE_BROKEN="frontend"
    )
    assert result.returncode != 0
    assert "FAIL frontend serves the React page" in result.stdout
    assert "FAIL /api/destinations/ answers through Nginx" in result.stdout
    assert result.stdout.rstrip().endswith("smoke: 2 passed, 2 failed")


def test_smoke_tests_fail_when_grafana_is_unhealthy(tmp_path, smoke_ports_free):
    result, _ = run(
        "smoke-test.sh", "travel-app", tmp_path=tmp_path, SMOKE_ATTEMPTS="2", SMOKE_DELAY="0.1", FAKE_BROKEN="grafana"
    )
    assert result.returncode != 0
    assert "FAIL Grafana is healthy" in result.stdout


def test_stack_settings_select_the_stack_and_set_the_local_cluster_config(tmp_path):
    result, calls = run("stack-settings.sh", "dev", "0123abc", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "stack select dev --create --non-interactive",
        "config set --stack dev travel-app:loadBalancerAvailable false",
        "config set --stack dev travel-app:imagePullPolicy IfNotPresent",
        "config set --stack dev travel-app:backendImage travel-app/backend:0123abc",
        "config set --stack dev travel-app:frontendImage travel-app/frontend:0123abc",
    ]


def test_stack_settings_refuse_to_run_without_a_tag(tmp_path):
    result, calls = run("stack-settings.sh", "dev", tmp_path=tmp_path)
    assert result.returncode != 0 and calls == []


def test_wait_rollouts_waits_for_the_database_then_every_deployment(tmp_path):
    result, calls = run("wait-rollouts.sh", "travel-app", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    waited = [call.split()[4] for call in calls if "rollout status" in call]
    assert waited == ["statefulset/postgres", "deployment/backend", "deployment/frontend",
                      "deployment/prometheus", "deployment/grafana"]
    assert all(call.startswith("-n travel-app ") for call in calls)
