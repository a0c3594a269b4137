"""Every Kubernetes object the stack declares (STACK_FILE, default Pulumi.dev.yaml), rendered
without a cluster by the kubernetes provider itself (render.py), is valid for the Kubernetes
release we pin (kubeconform -strict against schemas generated from that release) and fails no
checkov check that .checkov.yaml does not waive for that very object, with a reason."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml

import k8s_schemas
from render import STACK_FILE
from waivers import failures, judge, read_waivers

ROOT = Path(__file__).resolve().parents[2]
# What every stack of the program declares, whatever its settings (Grafana and the backup are optional).
CORE_OBJECTS = {("Deployment", "backend"), ("Deployment", "frontend"), ("Deployment", "prometheus"),
                ("StatefulSet", "postgres"), ("Service", "backend"), ("Service", "frontend")}


@pytest.fixture(scope="module")
def objects(rendered) -> list[dict]:
    return [doc for path in sorted(rendered.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_the_render_holds_the_workloads_and_services_of_every_tier(objects):
    declared = {(doc["kind"], doc["metadata"]["name"]) for doc in objects}
    assert CORE_OBJECTS <= declared, f"missing {CORE_OBJECTS - declared}; rendered {sorted(declared)}"


def test_every_secret_value_of_the_rendered_objects_is_redacted(objects):
    redacted = base64.b64encode(b"redacted").decode()
    secrets = [doc for doc in objects if doc["kind"] == "Secret"]
    assert secrets, "the stack declares Secrets (database, Django, Grafana); none rendered"
    for secret in secrets:
        assert set((secret.get("data") or {}).values()) <= {redacted}, secret["metadata"]["name"]
        assert set((secret.get("stringData") or {}).values()) <= {"redacted"}, secret["metadata"]["name"]


@pytest.mark.parametrize("kubernetes", [k8s_schemas.pinned_release()])
def test_every_declared_object_passes_kubeconform_strict_against_kubernetes(validate, rendered, objects, kubernetes):
    report = validate(rendered)
    bad = [f"{r['status']}: {r['kind']} {r['name']} ({r['filename']}): {r.get('msg', '')}"
           for r in report["resources"] if r["status"] != "statusValid"]
    summary = report["summary"]
    assert not bad, "\n".join(bad)
    assert summary["valid"] == len(objects) and summary["invalid"] + summary["errors"] + summary["skipped"] == 0, summary


def test_checkov_with_the_repositorys_waivers_finds_no_failed_check(scan, rendered):
    returncode, report = scan(rendered, with_config=True)
    failed = failures(report)
    assert returncode == 0 and not failed, "\n".join(f"{check} ({title}): {' '.join(where)}"
                                                     for check, (title, where) in sorted(failed.items()))


def test_every_failure_a_waiver_hides_is_on_an_object_its_waiver_names_with_a_reason(scan, rendered):
    """checkov can only waive a check everywhere; this holds each waiver to the objects its comment
    names. The waivers name the dev stack's objects; another stack may lack some (the local one has
    no Grafana)."""
    waivers, problems = read_waivers((ROOT / ".checkov.yaml").read_text())
    _, report = scan(rendered, with_config=False)
    lines, judged = judge(waivers, failures(report), names_may_be_absent=STACK_FILE.name != "Pulumi.dev.yaml")
    assert not problems + judged, "\n".join(problems + judged + ["checkov without waivers:", *lines])
