"""Smoke tests of a deployed stack, run by the deploy job of .github/workflows/ci-cd.yml after every
rollout: the frontend page, /api through the frontend's Nginx, Prometheus's readiness and Grafana's
health, each through `kubectl port-forward` to its Service on a free local port (no NodePort or
load balancer needed). Every check retries while the pods warm up.

    APP_NAMESPACE=travel-app python3 -m pytest tests/smoke

Env: APP_NAMESPACE (required: `pulumi stack output namespace`), SMOKE_ATTEMPTS (default 20) and
SMOKE_DELAY (seconds, default 3) per check. Needs only kubectl, its current context, and pytest
(tests/smoke/requirements.txt)."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

ATTEMPTS = int(os.environ.get("SMOKE_ATTEMPTS", "20"))
DELAY = float(os.environ.get("SMOKE_DELAY", "3"))
FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+)")


@pytest.fixture(scope="module")
def namespace() -> str:
    if not os.environ.get("APP_NAMESPACE"):
        pytest.fail("set APP_NAMESPACE to the stack's namespace (pulumi stack output namespace)")
    return os.environ["APP_NAMESPACE"]


def port_forward(namespace: str, service: str, remote_port: int):
    """Yields http://127.0.0.1:PORT of `kubectl port-forward service/SERVICE :REMOTE_PORT`; stops it."""
    forward = subprocess.Popen(["kubectl", "-n", namespace, "port-forward", f"service/{service}", f":{remote_port}"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    # Read all it prints (one line per connection), so that its pipe never fills.
    threading.Thread(target=lambda: [lines.put(line) for line in forward.stdout], daemon=True).start()
    seen, deadline = [], time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=0.2))
            except queue.Empty:
                if forward.poll() is not None:
                    break
                continue
            if found := FORWARDING.search(seen[-1]):
                yield f"http://127.0.0.1:{found.group(1)}"
                return
        pytest.fail(f"port-forward to service/{service} did not start within 30 s: {''.join(seen)}")
    finally:
        forward.terminate()
        forward.wait(timeout=10)


@pytest.fixture(scope="module")
def frontend(namespace):
    yield from port_forward(namespace, "frontend", 3000)


@pytest.fixture(scope="module")
def prometheus(namespace):
    yield from port_forward(namespace, "prometheus", 9090)


@pytest.fixture(scope="module")
def grafana(namespace):
    yield from port_forward(namespace, "grafana", 3000)


def answer_of(url: str, expected: str) -> None:
    """GET url until it answers 2xx with a body containing expected; fails with the last answer."""
    last = ""
    for _ in range(ATTEMPTS):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                last = response.read().decode(errors="replace")
                if expected in last:
                    return
        except (urllib.error.URLError, OSError) as error:
            last = str(error)
        time.sleep(DELAY)
    pytest.fail(f"GET {url} did not answer 2xx with {expected!r} in {ATTEMPTS} attempts; last answer: {last[:500]}")


def test_the_frontend_serves_the_react_page(frontend):
    answer_of(f"{frontend}/", "<title>Travel App</title>")


def test_the_api_answers_through_the_frontends_nginx(frontend):
    answer_of(f"{frontend}/api/destinations/", '"results"')


def test_prometheus_is_ready(prometheus):
    answer_of(f"{prometheus}/-/ready", "Ready")


def test_grafana_is_healthy(grafana):
    answer_of(f"{grafana}/api/health", '"database"')
