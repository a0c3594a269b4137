"""The helper scripts the workflow runs (.github/scripts/) and its smoke tests (tests/smoke/), run
for real against stand-ins of kubectl and the Pulumi CLI (tests/ci/fakes/) that record their calls
and, for port-forward, serve what a healthy (or a broken) Travel App answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github" / "scripts"
FAKES = Path(__file__).resolve().parent / "fakes"


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


def smoke_tests(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, list[str], list[int]]:
    """tests/smoke, run as the deploy job runs it, against the fake kubectl's canned services."""
    log, pids = tmp_path / "calls.log", tmp_path / "forward.pids"
    log.touch()
    pids.touch()
    full_env = {**os.environ, "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}", "FAKE_LOG": str(log),
                "FAKE_PIDS": str(pids), "APP_NAMESPACE": "travel-app", **env}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfE", "tests/smoke"],
                            cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=300)
    return result, log.read_text(encoding="utf-8").splitlines(), [int(p) for p in pids.read_text().split()]


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_smoke_tests_pass_against_a_healthy_stack_and_close_their_port_forwards(tmp_path):
    result, calls, pids = smoke_tests(tmp_path, SMOKE_ATTEMPTS="3", SMOKE_DELAY="0.2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout.splitlines()[-1], result.stdout
    assert "-n travel-app port-forward service/frontend :3000" in calls
    assert "-n travel-app port-forward service/prometheus :9090" in calls
    assert "-n travel-app port-forward service/grafana :3000" in calls
    assert len(pids) == 3 and not any(map(is_running, pids)), "a port-forward outlived the smoke tests"


def test_smoke_tests_fail_and_say_which_check_when_the_api_behind_nginx_is_down(tmp_path):
    result, _, _ = smoke_tests(tmp_path, SMOKE_ATTEMPTS="2", SMOKE_DELAY="0.1", FAKE_BROKEN="frontend")
    assert result.returncode != 0
    assert "FAILED tests/smoke/test_deployed_stack.py::test_the_frontend_serves_the_react_page" in result.stdout
    assert "FAILED tests/smoke/test_deployed_stack.py::test_the_api_answers_through_the_frontends_nginx" in result.stdout
    assert "2 failed, 2 passed" in result.stdout.splitlines()[-1], result.stdout


def test_smoke_tests_fail_when_grafana_is_unhealthy(tmp_path):
    result, _, _ = smoke_tests(tmp_path, SMOKE_ATTEMPTS="2", SMOKE_DELAY="0.1", FAKE_BROKEN="grafana")
    assert result.returncode != 0
    assert "FAILED tests/smoke/test_deployed_stack.py::test_grafana_is_healthy" in result.stdout


def test_smoke_tests_refuse_to_run_without_a_namespace(tmp_path):
    result, calls, _ = smoke_tests(tmp_path, APP_NAMESPACE="")
    assert result.returncode != 0 and "set APP_NAMESPACE" in result.stdout
    assert calls == []


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
