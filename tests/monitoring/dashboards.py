#!/usr/bin/env python3
"""Checks of the monitoring files the stack ships, used by scripts/monitoring-check.sh.

Every command reads the files written by WriteMonitoringFiles (the same code the stack deploys) and
prints one "PASS ..." or "FAIL ..." line per check; the shell script counts them.

  dashboards.py cadvisor-coverage DIR TESTFILE NAMESPACE
      every panel query that reads cAdvisor's container_* series (Kubernetes-only) has an expression
      test in TESTFILE (promtool test rules), and every expression test there is a panel query
  dashboards.py live-config DIR PROM_PORT BACKEND_PORT SCRAPE_INTERVAL OUT
      writes a Prometheus config for the live check: the stack's kubernetes-pods job, relabel rules
      untouched, with its Kubernetes service discovery replaced by one static target that carries the
      meta labels Kubernetes SD would give a backend pod (labels and annotations from backend-pod.json)
  dashboards.py live-targets DIR PROM_URL
      the scraped backend target has the labels the dashboards and alerts select on
  dashboards.py live-panels DIR PROM_URL
      every other panel query (and each dashboard's $namespace variable query) returns at least one
      series with a number from the live Prometheus
  dashboards.py live-rules PROM_URL
      every alert rule of alerts.yml was loaded and evaluates without error
  dashboards.py live-expr PROM_URL RULES_FILE ALERT WANT
      the expression of alert ALERT (from the rendered RULES_FILE) returns series (WANT=some) or none
"""
import json
import math
import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

CADVISOR = re.compile(r"\bcontainer_[a-z_]+")
LABEL_VALUES = re.compile(r"^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)$")


def dashboards(dir_):
    for path in sorted((Path(dir_) / "grafana" / "dashboards").glob("*.json")):
        yield path.name, json.loads(path.read_text())


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # panels inside a collapsed row


def queries(dir_):
    """(dashboard file, panel title, refId, expr) of every panel target."""
    for name, dashboard in dashboards(dir_):
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                yield name, panel.get("title", "?"), target.get("refId", "?"), target.get("expr", "")


def namespace_of(dir_):
    return json.loads((Path(dir_) / "backend-pod.json").read_text())["namespace"]


def substitute(expr, namespace):
    return expr.replace("$namespace", namespace).replace("${namespace}", namespace)


def report(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    return ok


def cadvisor_coverage(dir_, test_file, namespace):
    tested = {}
    for group in yaml.safe_load(Path(test_file).read_text())["tests"]:
        for test in group.get("promql_expr_test", []):
            tested[test["expr"]] = test
    panel_exprs = set()
    for name, title, ref, expr in queries(dir_):
        if not CADVISOR.search(expr):
            continue
        concrete = substitute(expr, namespace)
        panel_exprs.add(concrete)
        test = tested.get(concrete)
        report(test is not None and len(test.get("exp_samples", [])) > 0,
               f"{name} / {title} [{ref}] (cAdvisor, Kubernetes-only) has a promtool expression test with samples")
    for expr in tested:
        report(expr in panel_exprs, f"expression test matches a dashboard panel query: {expr[:90]}")


def live_config(dir_, prom_port, backend_port, scrape_interval, out):
    config = yaml.safe_load((Path(dir_) / "prometheus" / "prometheus.yml").read_text())
    pod = json.loads((Path(dir_) / "backend-pod.json").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "kubernetes-pods")
    sd = job.pop("kubernetes_sd_configs")
    assert sd[0]["role"] == "pod", sd
    sanitize = lambda s: re.sub(r"[^a-zA-Z0-9_]", "_", s)
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
    for key, value in pod["labels"].items():
        meta["__meta_kubernetes_pod_label_" + sanitize(key)] = value
        meta["__meta_kubernetes_pod_labelpresent_" + sanitize(key)] = "true"
    for key, value in annotations.items():
        meta["__meta_kubernetes_pod_annotation_" + sanitize(key)] = value
        meta["__meta_kubernetes_pod_annotationpresent_" + sanitize(key)] = "true"
    # Kubernetes SD's address is podIP:containerPort; the relabelling replaces the port.
    job["static_configs"] = [{"targets": ["127.0.0.1:80"], "labels": meta}]
    live = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval,
                   "external_labels": config["global"].get("external_labels", {})},
        "rule_files": config.get("rule_files", []),
        "scrape_configs": [
            {"job_name": "prometheus", "static_configs": [{"targets": [f"127.0.0.1:{prom_port}"]}]},
            job,
        ],
    }
    Path(out).write_text("# Generated by tests/monitoring/dashboards.py live-config: the stack's kubernetes-pods job\n"
                         "# with a static target in place of Kubernetes service discovery.\n"
                         + yaml.safe_dump(live, sort_keys=False))


def query(prom, expr):
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=15) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{body.get('errorType')}: {body.get('error')}")
    return body["data"]


def numbers(data):
    if data["resultType"] == "scalar":
        return [float(data["result"][1])]
    if data["resultType"] == "vector":
        return [float(s["value"][1]) for s in data["result"]]
    if data["resultType"] == "matrix":
        return [float(v[1]) for s in data["result"] for v in s["values"]]
    return []


def live_targets(dir_, prom):
    pod = json.loads((Path(dir_) / "backend-pod.json").read_text())
    with urllib.request.urlopen(prom + "/api/v1/targets?state=active", timeout=15) as response:
        targets = json.load(response)["data"]["activeTargets"]
    backend = [t for t in targets if t["labels"].get("job") == "kubernetes-pods"]
    report(len(backend) == 1, f"one kubernetes-pods target after the job's relabelling (got {len(backend)})")
    if not backend:
        return
    labels, target = backend[0]["labels"], backend[0]
    want = {"job": "kubernetes-pods", "namespace": pod["namespace"], "pod": "backend-live-0",
            "name": pod["labels"]["app.kubernetes.io/name"], "component": pod["labels"]["app.kubernetes.io/component"]}
    report(all(labels.get(k) == v for k, v in want.items()),
           f"backend target labels {json.dumps({k: labels.get(k) for k in want})} (want {json.dumps(want)})")
    report(target["scrapeUrl"].endswith(pod["annotations"]["prometheus.io/path"]) and target["health"] == "up",
           f"backend scraped at {target['scrapeUrl']} (health {target['health']}, {target.get('lastError') or 'no error'})")


def live_panels(dir_, prom):
    namespace = namespace_of(dir_)
    for name, dashboard in dashboards(dir_):
        for var in dashboard.get("templating", {}).get("list", []):
            if var.get("type") != "query":
                continue
            q = var.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            m = LABEL_VALUES.match(q.strip())
            if not m:
                report(False, f"{name} variable ${var['name']}: unsupported query {q}")
                continue
            try:
                values = sorted({s["metric"].get(m.group(2)) for s in query(prom, m.group(1))["result"]} - {None})
                report(namespace in values, f"{name} variable ${var['name']} = {q} offers {values}")
            except Exception as e:  # noqa: BLE001
                report(False, f"{name} variable ${var['name']} = {q}: {e}")
    by_panel = {}
    for name, title, ref, expr in queries(dir_):
        if CADVISOR.search(expr):
            continue  # Kubernetes-only: checked by the promtool expression tests
        by_panel.setdefault((name, title), []).append((ref, substitute(expr, namespace)))
    for (name, title), targets in by_panel.items():
        problems, counts = [], []
        for ref, expr in targets:
            try:
                values = numbers(query(prom, expr))
            except Exception as e:  # noqa: BLE001
                problems.append(f"[{ref}] error {e}")
                continue
            counts.append(f"{ref}:{len(values)}")
            if not values:
                problems.append(f"[{ref}] no series: {expr}")
            elif all(math.isnan(v) for v in values):
                problems.append(f"[{ref}] only NaN: {expr}")
        detail = "; ".join(problems) if problems else "series " + " ".join(counts)
        report(not problems, f"{name} / {title}: {detail}")


def live_rules(prom):
    with urllib.request.urlopen(prom + "/api/v1/rules", timeout=15) as response:
        groups = json.load(response)["data"]["groups"]
    rules = [r for g in groups for r in g["rules"]]
    report(len(rules) > 0, f"Prometheus loaded {len(rules)} alert rules from rule_files")
    for rule in rules:
        report(rule.get("health") == "ok", f"rule {rule['name']} evaluates (health {rule.get('health')}"
               f"{', ' + rule['lastError'] if rule.get('lastError') else ''})")


def live_expr(prom, rules_file, alert, want):
    rules = [r for g in yaml.safe_load(Path(rules_file).read_text())["groups"] for r in g["rules"]]
    expr = next(r["expr"] for r in rules if r.get("alert") == alert)
    deadline = time.time() + 30
    while True:
        result = query(prom, expr)["result"]
        if bool(result) == (want == "some") or time.time() > deadline:
            break
        time.sleep(1)
    what = "returns series" if want == "some" else "returns nothing"
    report(bool(result) == (want == "some"), f"{alert} expression {what} on live data (got {len(result)})")


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "cadvisor-coverage":
        cadvisor_coverage(*args)
    elif cmd == "live-config":
        live_config(*args)
    elif cmd == "live-targets":
        live_targets(*args)
    elif cmd == "live-panels":
        live_panels(*args)
    elif cmd == "live-rules":
        live_rules(*args)
    elif cmd == "live-expr":
        live_expr(*args)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
