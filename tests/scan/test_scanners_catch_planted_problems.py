"""Before either scanner is trusted with the stack's objects, it must catch problems planted in
objects of our own making: a scanner that silently checks nothing fails here. The planted objects
are written at run time, never committed (the repository's own config scans would flag them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from waivers import failures

PLANTED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: planted, namespace: planted}
spec:
  selector: {matchLabels: {app: planted}}
  template:
    metadata: {labels: {app: planted}}
    spec:
      containers:
        - name: planted
          image: planted:1.0.0
          imagePullPolicie: Always
          securityContext: {privileged: true}
          env:
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: planted, key: password}}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: planted, namespace: planted}
spec: {minAvailable: 1}
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("planted")
    (directory / "planted.yaml").write_text(PLANTED)
    return directory


@pytest.fixture(scope="module")
def checkov_on_planted(scan, planted):
    """checkov WITH the repository's .checkov.yaml: its waivers must not hide these."""
    returncode, report = scan(planted, with_config=True)
    assert returncode != 0, "checkov passed the planted Deployment"
    return failures(report)


@pytest.fixture(scope="module")
def kubeconform_on_planted(validate, planted) -> dict:
    report = validate(planted)
    return {resource["kind"]: resource for resource in report["resources"]}


def test_checkov_catches_a_planted_privileged_container(checkov_on_planted):
    assert "Deployment.planted.planted" in checkov_on_planted.get("CKV_K8S_16", ("", []))[1], checkov_on_planted


def test_checkov_catches_a_planted_secret_taken_from_an_environment_variable(checkov_on_planted):
    assert "Deployment.planted.planted" in checkov_on_planted.get("CKV_K8S_35", ("", []))[1], checkov_on_planted


def test_kubeconform_strict_catches_a_planted_misspelled_field(kubeconform_on_planted):
    deployment = kubeconform_on_planted["Deployment"]
    assert deployment["status"] == "statusInvalid", deployment
    assert "additional properties 'imagePullPolicie' not allowed" in deployment["msg"], deployment


def test_kubeconform_catches_an_api_version_kubernetes_removed_policy_v1beta1(kubeconform_on_planted):
    budget = kubeconform_on_planted["PodDisruptionBudget"]
    assert budget["status"] == "statusError", budget
    assert "could not find schema for PodDisruptionBudget" in budget["msg"], budget
