"""Reading the monitoring files WriteMonitoringFiles writes (the same code the stack deploys), and
asking a live Prometheus about them. Used by the tests in this folder."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

CADVISOR = re.compile(r"\bcontainer_[a-z_]+")
LABEL_VALUES = re.compile(r"^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)$")


def dashboards(files: Path):
    for path in sorted((files / "grafana" / "dashboards").glob("*.json")):
        yield path.name, json.loads(path.read_text())


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # panels inside a collapsed row


def queries(files: Path):
    """(dashboard file, panel title, refId, expr) of every panel target."""
    for name, dashboard in dashboards(files):
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                yield name, panel.get("title", "?"), target.get("refId", "?"), target.get("expr", "")


def variables(files: Path):
    """(dashboard file, variable name, query) of every query variable."""
    for name, dashboard in dashboards(files):
        for var in dashboard.get("templating", {}).get("list", []):
            if var.get("type") == "query":
                q = var.get("query")
                yield name, var["name"], q.get("query") if isinstance(q, dict) else q


def backend_pod(files: Path) -> dict:
    return json.loads((files / "backend-pod.json").read_text())


def substitute(expr: str, namespace: str) -> str:
    return expr.replace("$namespace", namespace).replace("${namespace}", namespace)


def cadvisor_panel_queries(files: Path) -> list[tuple[str, str]]:
    """(panel, concrete expr) of every panel query that reads cAdvisor's container_* (Kubernetes-only)."""
    namespace = backend_pod(files)["namespace"]
    return [(f"{name} / {title} [{ref}]", substitute(expr, namespace))
            for name, title, ref, expr in queries(files) if CADVISOR.search(expr)]


def live_panels(files: Path) -> dict[str, list[tuple[str, str]]]:
    """Every other panel: {"dashboard / title": [(refId, concrete expr), ...]}."""
    namespace = backend_pod(files)["namespace"]
    by_panel: dict[str, list] = {}
    for name, title, ref, expr in queries(files):
        if not CADVISOR.search(expr):
            by_panel.setdefault(f"{name} / {title}", []).append((ref, substitute(expr, namespace)))
    return by_panel


def expression_tests(test_file: Path) -> dict[str, dict]:
    return {t["expr"]: t for group in yaml.safe_load(test_file.read_text())["tests"]
            for t in group.get("promql_expr_test", [])}


def rule_names(rules_file: Path) -> list[str]:
    """Every rule, alerting or recording."""
    return [r.get("alert") or r["record"] for g in yaml.safe_load(rules_file.read_text())["groups"] for r in g["rules"]]


def alert_rules(rules_file: Path) -> list[dict]:
    return [r for g in yaml.safe_load(rules_file.read_text())["groups"] for r in g["rules"] if "alert" in r]


def live_config(files: Path, prom_port: int, backend_port: int, scrape_interval: str) -> dict:
    """A Prometheus config for the live check: the stack's kubernetes-pods job, relabel rules untouched,
    with its Kubernetes service discovery replaced by one static target carrying the meta labels
    Kubernetes SD would give a backend pod (labels and annotations from backend-pod.json)."""
    config = yaml.safe_load((files / "prometheus" / "prometheus.yml").read_text())
    pod = backend_pod(files)
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "kubernetes-pods")
    sd = job.pop("kubernetes_sd_configs")
    assert sd[0]["role"] == "pod", sd
    annotations = dict(pod["annotations"])
    # The one deviation: the backend listens on a free loopback port, not 8000, so the port
    # annotation (which the job's relabelling turns into the scrape address) carries that port.
    annotations["prometheus.io/port"] = str(backend_port)
    meta = {
        "__meta_kubernetes_namespace": pod["namespace"],
        "__meta_kubernetes_pod_name": "backend-live-0",
        "__meta_kubernetes_pod_phase": "Running",
        "__meta_kubernetes_pod_ready": "true",
    }
    for kind, values in (("label", pod["labels"]), ("annotation", annotations)):
        for key, value in values.items():
            key = re.sub(r"[^a-zA-Z0-9_]", "_", key)
            meta[f"__meta_kubernetes_pod_{kind}_{key}"] = value
            meta[f"__meta_kubernetes_pod_{kind}present_{key}"] = "true"
    # Kubernetes SD's address is podIP:containerPort; the relabelling replaces the port.
    job["static_configs"] = [{"targets": ["127.0.0.1:80"], "labels": meta}]
    return {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval,
                   "external_labels": config["global"].get("external_labels", {})},
        "rule_files": config.get("rule_files", []),
        "scrape_configs": [
            {"job_name": "prometheus", "static_configs": [{"targets": [f"127.0.0.1:{prom_port}"]}]},
            job,
        ],
    }


def api(prom: str, path: str) -> dict:
    with urllib.request.urlopen(prom + path, timeout=15) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{body.get('errorType')}: {body.get('error')}")
    return body["data"]


def query(prom: str, expr: str) -> dict:
    return api(prom, "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))


def numbers(data: dict) -> list[float]:
    if data["resultType"] == "scalar":
        return [float(data["result"][1])]
    if data["resultType"] == "vector":
        return [float(s["value"][1]) for s in data["result"]]
    if data["resultType"] == "matrix":
        return [float(v[1]) for s in data["result"] for v in s["values"]]
    return []


def series_within(prom: str, expr: str, want_some: bool, seconds: float = 30) -> list:
    """The result of expr once it has series (want_some) or none, or the last one after seconds."""
    deadline = time.monotonic() + seconds
    while True:
        result = query(prom, expr)["result"]
        if bool(result) == want_some or time.monotonic() > deadline:
            return result
        time.sleep(1)
