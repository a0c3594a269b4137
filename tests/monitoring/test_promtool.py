"""promtool on the files the stack deploys: Debian's (2.42, built without Kubernetes service
discovery), and the promtool of the deployed image's version (built from the Go module proxy, cached)
for prometheus.yml exactly as deployed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import dashboards
import pytest
import yaml
from conftest import HERE, with_service_account

DEBIAN_PROMTOOL = "/usr/bin/promtool"
PROMTOOL_MODULE = HERE / "promtool"  # go.mod/go.sum pinning promtool's module and its dependencies


def promtool(binary, *args, cwd=None):
    result = subprocess.run([binary, *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_check_rules_accepts_the_alert_rules_the_stack_deploys(prom_dir):
    promtool(DEBIAN_PROMTOOL, "check", "rules", prom_dir / "alerts.yml")


def test_promtool_check_config_accepts_prometheus_yml_with_kubernetes_sd_swapped_for_static(prom_dir,
                                                                                           service_account):
    """Everything of prometheus.yml but the service discovery blocks (Debian's build has none):
    global, rule_files with the rules, every job's relabelling, TLS and authorization."""
    config = yaml.safe_load((prom_dir / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        if job.pop("kubernetes_sd_configs", None) is not None:
            job["static_configs"] = [{"targets": []}]
    path = with_service_account(prom_dir, service_account, config, "prometheus-without-k8s-sd.yml")
    promtool(DEBIAN_PROMTOOL, "check", "config", path)


def test_promtool_test_rules_every_alert_fires_and_resolves(prom_dir):
    promtool(DEBIAN_PROMTOOL, "test", "rules", "alerts.test.yml", cwd=prom_dir)


def test_promtool_test_rules_cadvisor_panel_queries_on_synthetic_series(prom_dir):
    promtool(DEBIAN_PROMTOOL, "test", "rules", "dashboards-cadvisor.test.yml", cwd=prom_dir)


def test_cadvisor_panel_query_has_a_promtool_expression_test_with_samples(cadvisor_panel):
    """cAdvisor's container_* series exist only in Kubernetes: such panels are proved by promtool."""
    _, expr = cadvisor_panel
    test = dashboards.expression_tests(HERE / "dashboards-cadvisor.test.yml").get(expr)
    assert test is not None, f"no expression test for {expr}"
    assert test.get("exp_samples"), f"the expression test of {expr} expects no samples"


def test_expression_test_matches_a_dashboard_panel_query(files, expression_test):
    assert expression_test in {expr for _, expr in dashboards.cadvisor_panel_queries(files)}


# --- promtool of the deployed image's version -----------------------------------------------------------

def image_version(files: Path) -> str:
    image = json.loads((files / "settings.json").read_text())["prometheusImage"]
    m = re.search(r":v(\d+\.\d+\.\d+)$", image)
    assert m, f"prometheusImage {image} has no vX.Y.Z tag: no promtool of its version"
    return m.group(1)


@pytest.fixture(scope="session")
def image_promtool(files) -> Path:
    """prom/prometheus:vX.Y.Z is Go module github.com/prometheus/prometheus v0.(X*100+Y).Z, pinned in
    promtool/go.mod. Built once into ~/.cache/travel-app; MONITORING_NO_PROMTOOL_BUILD=1 skips these
    tests (reported as skipped) where no build is wanted and none is cached."""
    version = image_version(files)
    major, minor, patch = map(int, version.split("."))
    module = f"v0.{major * 100 + minor}.{patch}"
    pinned = re.search(r"github\.com/prometheus/prometheus (v\S+)", (PROMTOOL_MODULE / "go.mod").read_text())[1]
    assert pinned == module, (f"promtool/go.mod pins prometheus {pinned}, but prometheusImage is v{version} "
                              f"(module {module}): cd tests/monitoring/promtool && go get "
                              f"github.com/prometheus/prometheus@{module} && go mod tidy")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "travel-app"
    binary = cache / f"promtool-v{version}"
    if binary.exists():
        return binary
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if os.environ.get("MONITORING_NO_PROMTOOL_BUILD") or not Path(go).exists():
        pytest.skip(f"no promtool v{version} cached and no build (no go, or MONITORING_NO_PROMTOOL_BUILD): "
                    "prometheus.yml's kubernetes_sd_configs blocks are not checked by promtool")
    cache.mkdir(parents=True, exist_ok=True)
    built = subprocess.run(["nice", "-n", "10", go, "build", "-trimpath", "-ldflags",
                            f"-s -w -X github.com/prometheus/common/version.Version={version}",
                            "-o", f"{binary}.tmp", "github.com/prometheus/prometheus/cmd/promtool"],
                           cwd=PROMTOOL_MODULE, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    Path(f"{binary}.tmp").rename(binary)
    return binary


def test_image_promtool_check_config_syntax_only_accepts_prometheus_yml_exactly_as_deployed(image_promtool,
                                                                                           prom_dir):
    promtool(image_promtool, "check", "config", "--syntax-only", prom_dir / "prometheus.yml")


def test_image_promtool_check_config_accepts_prometheus_yml_and_its_rule_files(image_promtool, prom_dir,
                                                                                service_account):
    path = with_service_account(prom_dir, service_account, (prom_dir / "prometheus.yml").read_text(),
                                "prometheus-sa-local.yml")
    promtool(image_promtool, "check", "config", path)


def test_image_promtool_check_rules_accepts_the_alert_rules(image_promtool, prom_dir):
    promtool(image_promtool, "check", "rules", prom_dir / "alerts.yml")


@pytest.mark.parametrize("test_file", ["alerts.test.yml", "dashboards-cadvisor.test.yml"])
def test_image_promtool_test_rules_pass(image_promtool, prom_dir, test_file):
    promtool(image_promtool, "test", "rules", test_file, cwd=prom_dir)
