"""The whole app on real servers, started once per session, in the order a release starts them:
PostgreSQL (temp cluster) <- migrate, then gunicorn, run like the container (read-only root
filesystem, UID 10001) <- Debian's nginx with the image's default.conf.template <- headless
Chromium (app/e2e/e2e.mjs). Everything on 127.0.0.1 high ports, stopped at the end even on failure."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from harness import E2E, FRONTEND, backend, nginx, postgres, procs, web

POD_HOST = "10.244.1.7:8000"  # how kubelet probes and Prometheus scrapes address a backend pod
_work = []


@pytest.fixture(scope="session")
def work():
    with procs.workdir("app-e2e") as path:
        _work.append(path)
        yield path


def pytest_terminal_summary(terminalreporter, exitstatus):
    if exitstatus and _work and _work[0].exists():
        for name in ("migrate.log", "gunicorn.log", "nginx/error.log", "postgres.log", "browser.log"):
            terminalreporter.write_line(procs.tail(_work[0] / name))


@pytest.fixture(scope="session")
def database(work):
    with postgres.PostgresServer(work) as db:
        yield db


@pytest.fixture(scope="session")
def migration(database, work):
    """The per-release migrations Job's command, as the container runs it."""
    return backend.migrate(database.env, work / "runtmp", work / "migrate.log")


@pytest.fixture(scope="session")
def gunicorn(database, migration, work):
    if migration.returncode != 0:
        pytest.fail("migrate failed: " + procs.tail(work / "migrate.log"))
    with backend.Gunicorn(database.env, work) as server:
        yield server


@pytest.fixture(scope="session")
def frontend_build(work):
    log = work / "vite-build.log"
    with open(log, "wb") as out:
        built = subprocess.run(["npm", "run", "build", "--silent"], cwd=FRONTEND, stdout=out, stderr=subprocess.STDOUT)
    if built.returncode != 0:
        pytest.fail("npm run build failed: " + procs.tail(log))
    return FRONTEND / "dist"


@pytest.fixture(scope="session")
def site(frontend_build, gunicorn, work):
    """nginx in front of gunicorn: what the browser and the kubelet reach."""
    with nginx.Nginx(work / "nginx", gunicorn.port, access_log=str(work / "nginx" / "access.log")) as server:
        yield server


def metrics(url: str) -> str:
    return web.request(url + "/metrics", headers={"Host": POD_HOST}).body.decode()


BROWSER_CHECKS = re.findall(r'\bcheck\(\s*"([^"]+)"', (E2E / "e2e.mjs").read_text())


@pytest.fixture(scope="session")
def browser(site, gunicorn, work):
    """Runs app/e2e/e2e.mjs once against nginx; its PASS/FAIL line per check, and /metrics before and after."""
    before = metrics(gunicorn.url)
    (work / "chromium-profile").mkdir()
    env = {**os.environ, "BASE_URL": site.url, "USER_DATA_DIR": str(work / "chromium-profile"),
           "ARTIFACTS": os.environ.get("APP_E2E_ARTIFACTS", str(work / "artifacts"))}
    run = subprocess.run(["node", "e2e.mjs"], cwd=E2E, env=env, capture_output=True, text=True, timeout=300)
    (work / "browser.log").write_text(run.stdout + run.stderr)
    lines = {}
    for line in run.stdout.splitlines():
        if m := re.match(r"(PASS|FAIL) (.+?)(?:: (.*))?$", line):
            name = next((n for n in BROWSER_CHECKS if m.group(2).startswith(n)), m.group(2))
            lines[name] = (m.group(1), m.group(3) or "")
    return {"results": lines, "output": run.stdout + run.stderr, "before": before, "after": metrics(gunicorn.url)}
