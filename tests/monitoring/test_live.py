"""The dashboards and alerts on live metrics: PostgreSQL + the backend (gunicorn run like its
container, multiprocess metrics) + a real Prometheus whose only app job is the stack's kubernetes-pods
job (its relabel rules applied to a static target carrying the backend pod's meta labels). After
traffic every panel query must return series; then PostgreSQL, then the backend, go away and the
alerts' expressions must react. The tests run in file order: the last ones stop servers.
Grafana is not started: no Grafana server in Debian, PyPI or npm (docs/monitoring.md)."""

from __future__ import annotations

import json
import math
import subprocess
import threading
import time
import urllib.error
import urllib.request

import dashboards
import pytest
from conftest import with_service_account
from harness import backend, postgres, procs

PROMETHEUS = "/usr/bin/prometheus"


@pytest.fixture(scope="module")
def work():
    with procs.workdir("monitoring") as path:
        yield path


@pytest.fixture(scope="module")
def database(work):
    with postgres.PostgresServer(work) as db:
        yield db


@pytest.fixture(scope="module")
def gunicorn(database, work):
    with backend.migrated_backend(database.env, work) as server:
        yield server


class Prober(threading.Thread):
    """The kubelet's stand-in: /readyz and /healthz every second. In a cluster these probes keep the
    database connection-error counter rising while PostgreSQL is unreachable, with or without users."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.stopped = url, threading.Event()

    def run(self):
        while not self.stopped.wait(1):
            for path in ("/readyz", "/healthz"):
                procs.http_status(self.url + path)


@pytest.fixture(scope="module")
def prober(gunicorn):
    thread = Prober(gunicorn.url)
    thread.start()
    yield thread
    thread.stopped.set()


@pytest.fixture(scope="module")
def live_config(files, prom_dir, service_account, gunicorn):
    port = procs.free_port()
    config = dashboards.live_config(files, port, gunicorn.port, "1s")
    return port, with_service_account(prom_dir, service_account, config, "live.yml")


@pytest.fixture(scope="module")
def prometheus(live_config, prober, work):
    port, config = live_config
    argv = [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={work / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}"]
    with procs.started(argv, work / "prometheus.log") as process:
        url = f"http://127.0.0.1:{port}"
        procs.wait_http(url + "/-/ready", 60, process=process)
        yield url


def traffic(base: str, rounds: int) -> dict:
    """Bounded API traffic: lists, details, creates (201), rejects (400), 404s, updates, deletes."""
    codes: dict[int, int] = {}

    def call(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                code, text = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, text = e.code, e.read()
        codes[code] = codes.get(code, 0) + 1
        try:
            return code, json.loads(text or b"null")
        except ValueError:
            return code, None

    code, page = call("GET", "/api/destinations/")
    dest = page["results"][0]["id"] if code == 200 else 1
    for i in range(rounds):
        call("GET", "/api/destinations/")
        call("GET", f"/api/destinations/{dest}/")
        call("GET", "/api/trips/")
        code, trip = call("POST", "/api/trips/", {"title": f"Monitoring {i}", "destination": dest, "travellers": 2,
                                                  "start_date": "2027-05-01", "end_date": "2027-05-04"})
        call("POST", "/api/trips/", {"title": "bad dates", "destination": dest,
                                     "start_date": "2027-05-04", "end_date": "2027-05-01", "travellers": 2})
        call("GET", "/api/trips/999999/")
        if code == 201:
            call("GET", f"/api/trips/{trip['id']}/")
            call("PATCH", f"/api/trips/{trip['id']}/", {"notes": "checked"})
            if i % 2:
                call("DELETE", f"/api/trips/{trip['id']}/")
        call("GET", "/readyz")
    return codes


@pytest.fixture(scope="module")
def scraped(prometheus, gunicorn):
    """Traffic in three waves a few scrapes apart (rates need samples on both sides), then time for
    the [5m] rates of the panel queries to have several samples after the last wave."""
    for _ in range(3):
        codes = traffic(gunicorn.url, 15)
        assert codes.get(201), f"no trip was created: {codes}"
        time.sleep(4)
    time.sleep(3)
    return prometheus


@pytest.fixture(scope="module")
def database_gone(scraped, database, gunicorn):
    """PostgreSQL stops, the backend keeps running; new series (status 500, connection errors) need
    samples before and after an increase for rate()."""
    database.stop()
    for _ in range(3):
        traffic(gunicorn.url, 3)
        time.sleep(3)
    return scraped


@pytest.fixture(scope="module")
def backend_gone(database_gone, prober, gunicorn):
    prober.stopped.set()
    gunicorn.stop()
    return database_gone


def rules(prom_dir):
    return {r["alert"]: r["expr"] for r in dashboards.alert_rules(prom_dir / "alerts.yml")}


def assert_alert_expr(prom, prom_dir, alert, want_some):
    result = dashboards.series_within(prom, rules(prom_dir)[alert], want_some)
    assert bool(result) == want_some, f"{alert}: {len(result)} series: {result[:3]}"


# --- a healthy backend ------------------------------------------------------------------------------

def test_promtool_check_config_accepts_the_live_config(live_config):
    result = subprocess.run(["/usr/bin/promtool", "check", "config", live_config[1]], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def backend_targets(prom):
    targets = dashboards.api(prom, "/api/v1/targets?state=active")["activeTargets"]
    return [t for t in targets if t["labels"].get("job") == "kubernetes-pods"]


def test_the_kubernetes_pods_job_keeps_exactly_the_one_backend_target(scraped):
    assert len(backend_targets(scraped)) == 1, backend_targets(scraped)


def test_the_backend_target_carries_the_labels_the_dashboards_and_alerts_select_on(scraped, files):
    pod = dashboards.backend_pod(files)
    labels = backend_targets(scraped)[0]["labels"]
    want = {"job": "kubernetes-pods", "namespace": pod["namespace"], "pod": "backend-live-0",
            "name": pod["labels"]["app.kubernetes.io/name"],
            "component": pod["labels"]["app.kubernetes.io/component"]}
    assert {k: labels.get(k) for k in want} == want


def test_the_backend_is_scraped_up_at_its_annotated_metrics_path(scraped, files):
    target = backend_targets(scraped)[0]
    assert target["scrapeUrl"].endswith(dashboards.backend_pod(files)["annotations"]["prometheus.io/path"]), target
    assert target["health"] == "up", target.get("lastError")


def test_dashboard_variable_offers_the_namespace(scraped, files, variable):
    name, var, q = next((d, v, q) for d, v, q in dashboards.variables(files) if f"{d} ${v} = {q}" == variable)
    m = dashboards.LABEL_VALUES.match(q.strip())
    assert m, f"{name} ${var}: unsupported query {q}"
    values = {s["metric"].get(m.group(2)) for s in dashboards.query(scraped, m.group(1))["result"]} - {None}
    assert dashboards.backend_pod(files)["namespace"] in values, sorted(values)


def test_dashboard_panel_returns_series_from_live_metrics(scraped, files, panel):
    """Every panel but the cAdvisor ones (Kubernetes-only: test_promtool proves those)."""
    problems = []
    for ref, expr in dashboards.live_panels(files)[panel]:
        values = dashboards.numbers(dashboards.query(scraped, expr))
        if not values:
            problems.append(f"[{ref}] no series: {expr}")
        elif all(math.isnan(v) for v in values):
            problems.append(f"[{ref}] only NaN: {expr}")
    assert not problems, problems


def test_prometheus_loaded_every_alert_rule_of_alerts_yml(scraped, prom_dir):
    loaded = {r["name"] for g in dashboards.api(scraped, "/api/v1/rules")["groups"] for r in g["rules"]}
    assert set(dashboards.rule_names(prom_dir / "alerts.yml")) == loaded, loaded


def test_alert_rule_evaluates_without_error(scraped, rule):
    found = [r for g in dashboards.api(scraped, "/api/v1/rules")["groups"] for r in g["rules"] if r["name"] == rule]
    assert found and found[0].get("health") == "ok", found


@pytest.mark.parametrize("alert", ["BackendDown", "PostgreSQLUnreachable", "BackendReplicasBelowDesired"])
def test_alert_expression_is_silent_while_all_is_well(scraped, prom_dir, alert):
    """BackendReplicasBelowDesired: the one local "pod" answers, so no running backend pod is silent."""
    assert_alert_expr(scraped, prom_dir, alert, want_some=False)


# --- PostgreSQL goes away: connection errors and 5xx must show ------------------------------------

@pytest.mark.parametrize("alert", ["PostgreSQLUnreachable", "BackendHigh5xxRatio"])
def test_alert_expression_returns_series_while_postgresql_is_down(database_gone, prom_dir, alert):
    assert_alert_expr(database_gone, prom_dir, alert, want_some=True)


def test_backend_down_stays_silent_while_only_postgresql_is_down(database_gone, prom_dir):
    assert_alert_expr(database_gone, prom_dir, "BackendDown", want_some=False)


# --- the backend goes away: its target goes down ---------------------------------------------------

def test_backend_down_expression_returns_series_once_the_backend_is_gone(backend_gone, prom_dir):
    assert_alert_expr(backend_gone, prom_dir, "BackendDown", want_some=True)
