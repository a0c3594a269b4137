#!/usr/bin/env bash
# The `scan` suite: every Kubernetes object the stack declares, rendered without a cluster by the
# kubernetes provider itself (scripts/lib/stack-render.sh: a throw-away `pulumi up` with
# renderYamlToDirectory, Secrets redacted), then checked by two scanners:
#   1. kubeconform -strict, against the JSON schemas of the Kubernetes release the project pins
#      (offline/tools/kubernetes/go.mod), generated from that release's own OpenAPI document
#      (tests/scan/k8s_schemas.py): every object is one the API server we run accepts, with no
#      unknown field, no removed API version, no value of the wrong type;
#   2. checkov with the repository's .checkov.yaml: no failed check. checkov can only waive a
#      check everywhere, so tests/scan/waivers.py also runs it without the waivers and fails
#      unless every failure is on an object that its waiver's comment names (and every waiver
#      still matches something).
# Before either is trusted, both must catch problems planted in an object of our own making, and
# the waiver gate's unit tests (tests/scan/test_waivers.py) must pass.
#
# Installs what it needs, pinned, and caches it in tests/scan/.venv (git-ignored): checkov and
# its dependencies (tests/scan/requirements.txt), kubeconform (Go module proxy), the schemas
# (from the k8s.io/kubernetes module); the Pulumi CLI, Java host and providers of
# offline/tools.sh; target/travel-app.jar (mvn package). docs/security.md has the numbers.
# Prints "manifest-scan: N passed, N failed" last and exits non-zero if any step failed.
#
# Usage: scripts/manifest-scan.sh   STACK_FILE=Pulumi.local.yaml scans another stack's objects;
# MANIFEST_SCAN_KEEP=DIR keeps the rendered (redacted) manifests in DIR.
set -Euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
venv=tests/scan/.venv
stack_file=${STACK_FILE:-Pulumi.dev.yaml}
kubeconform_version=v0.8.0
k8s_version=$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' offline/tools/kubernetes/go.mod)
schemas="$repo/$venv/schemas/$k8s_version"
work=$(mktemp -d "${TMPDIR:-/tmp}/manifest-scan.XXXXXX")
manifests="$work/manifests"
trap 'rm -rf "$work"' EXIT

log() { printf '[manifest-scan %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
go_() { GOTOOLCHAIN=local GOFLAGS=-mod=mod "$(command -v go || echo /usr/local/go/bin/go)" "$@"; }

# shellcheck source=scripts/lib/step-results.sh
source scripts/lib/step-results.sh
finish() {
    print_summary manifest-scan
    exit
}

install_checkov() {
    local want
    want="$(sha256sum tests/scan/requirements.txt | cut -c1-16) $(python3 --version 2>&1)"
    if [ -x "$venv/bin/checkov" ] && [ "$(cat "$venv/.installed" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    log "creating $venv: checkov and its pinned dependencies (tests/scan/requirements.txt)"
    rm -rf "$venv"
    python3 -m venv "$venv" &&
        "$venv/bin/pip" install -q --disable-pip-version-check --no-input -r tests/scan/requirements.txt &&
        echo "$want" >"$venv/.installed"
}

install_kubeconform() {
    if [ -x "$venv/bin/kubeconform" ] &&
        go_ version -m "$venv/bin/kubeconform" | grep -q "github.com/yannh/kubeconform[[:space:]]*$kubeconform_version"; then
        return 0
    fi
    log "building kubeconform $kubeconform_version (Go module proxy)"
    GOBIN="$repo/$venv/bin" go_ install "github.com/yannh/kubeconform/cmd/kubeconform@$kubeconform_version"
}

# The schemas of the pinned release, from the OpenAPI document in its module (no other download).
build_schemas() {
    local want module
    want="$k8s_version $(sha256sum tests/scan/k8s_schemas.py | cut -c1-16)"
    [ "$(cat "$schemas/.built" 2>/dev/null)" = "$want" ] && return 0
    module=$(go_ mod download -json "k8s.io/kubernetes@$k8s_version" | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])') ||
        return 1
    rm -rf "$schemas"
    "$venv/bin/python" tests/scan/k8s_schemas.py "$module/api/openapi-spec/swagger.json" "$schemas" &&
        echo "$want" >"$schemas/.built"
}

install_all() {
    install_checkov && install_kubeconform && build_schemas || return 1
    if ! offline/tools.sh pulumi pulumi-java kubernetes-provider random-provider >"$work/tools.log" 2>&1; then
        tail -n 20 "$work/tools.log"
        return 1
    fi
    log "target/travel-app.jar (mvn package)"
    if ! mvn -q -B -ntp package -DskipTests >"$work/mvn.log" 2>&1; then
        tail -n 30 "$work/mvn.log"
        return 1
    fi
}

# checkov in a directory of its own, so that it does not read the repository's .checkov.yaml.
checkov_unwaived() { (cd "$work" && "$repo/$venv/bin/checkov" --framework kubernetes --skip-download "$@"); }
kubeconform_() { "$venv/bin/kubeconform" -strict -schema-location "$schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$@"; }

# The scanners must find what is planted: a privileged container taking a secret from its
# environment (checkov CKV_K8S_16, CKV_K8S_35, with .checkov.yaml) and a misspelled field and a
# removed API version (kubeconform). A scanner that silently checks nothing fails here.
self_test() {
    local planted="$work/planted" out rc=0
    mkdir -p "$planted"
    cat >"$planted/planted.yaml" <<'YAML'
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
YAML
    # expect WHAT PATTERN OUTPUT: OUTPUT must contain PATTERN
    expect() {
        if grep -qF "$2" <<<"$3"; then
            echo "catches $1"
        else
            printf 'MISSED %s; its output:\n%s\n' "$1" "$3"
            rc=1
        fi
    }
    if out=$("$venv/bin/checkov" --config-file .checkov.yaml -d "$planted" --quiet 2>&1); then
        echo "checkov passed the planted Deployment"
        rc=1
    fi
    expect "checkov: a privileged container (CKV_K8S_16)" CKV_K8S_16 "$out"
    expect "checkov: a secret in an env var (CKV_K8S_35)" CKV_K8S_35 "$out"
    if out=$(kubeconform_ "$planted" 2>&1); then
        echo "kubeconform passed the planted objects"
        rc=1
    fi
    expect "kubeconform: a misspelled field" "additional properties 'imagePullPolicie' not allowed" "$out"
    expect "kubeconform: policy/v1beta1, removed in Kubernetes 1.25" "could not find schema for PodDisruptionBudget" "$out"
    return $rc
}

schema_check() {
    local report count
    count=$(find "$manifests" -name '*.yaml' | wc -l)
    report=$(kubeconform_ -summary -output json "$manifests")
    echo "$report" | "$venv/bin/python" -c '
import json, sys
report, count = json.load(sys.stdin), int(sys.argv[1])
for resource in report["resources"]:
    status, kind, name, path, msg = (resource.get(k, "") for k in ("status", "kind", "name", "filename", "msg"))
    print(f"  {status}: {kind} {name} ({path}): {msg}")
valid, invalid, errors, skipped = (report["summary"][k] for k in ("valid", "invalid", "errors", "skipped"))
print(f"kubeconform -strict (Kubernetes {sys.argv[2]}): {valid} valid, {invalid} invalid, {errors} errors,"
      f" {skipped} skipped, of {count} objects rendered")
sys.exit(0 if valid == count and invalid + errors + skipped == 0 else 1)' "$count" "$k8s_version"
}

log "installing the scanners (cached in $venv) and the tools"
rc=0
install_all || rc=$?
record "install (checkov, kubeconform $kubeconform_version, Kubernetes $k8s_version schemas, pulumi, jar)" "$rc"
[ "$rc" -eq 0 ] || finish

log "the waiver gate's own tests (tests/scan/test_waivers.py)"
rc=0
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m unittest discover -s tests/scan -p 'test_*.py' || rc=$?
record "the waiver gate fails where it should (unittest)" "$rc"

log "rendering every Kubernetes object of $stack_file (scripts/lib/stack-render.sh)"
# shellcheck source=scripts/lib/stack-render.sh
source scripts/lib/stack-render.sh
rc=0
PATH="$repo/$venv/bin:$PATH" render_stack "$stack_file" "$manifests" "$work/render" || rc=$?
record "render $stack_file (renderYamlToDirectory, Secrets redacted)" "$rc"
[ "$rc" -eq 0 ] || finish
[ -z "${MANIFEST_SCAN_KEEP:-}" ] || { mkdir -p "$MANIFEST_SCAN_KEEP" && cp "$manifests"/*.yaml "$MANIFEST_SCAN_KEEP/"; }

log "self-test: both scanners catch planted problems"
rc=0
self_test || rc=$?
record "self-test: the scanners catch planted problems" "$rc"

log "kubeconform -strict against the Kubernetes $k8s_version schemas"
rc=0
schema_check || rc=$?
record "kubeconform: every object valid for Kubernetes $k8s_version" "$rc"

log "checkov --config-file .checkov.yaml"
rc=0
"$venv/bin/checkov" --config-file .checkov.yaml -d "$manifests" --quiet || rc=$?
record "checkov with .checkov.yaml: no failed check" "$rc"

log "checkov without waivers: is every failure on an object its waiver names?"
rc=0
checkov_unwaived -d "$manifests" -o json >"$work/unwaived.json" || true
# The waivers name the dev stack's objects; another stack may lack some (the local one has no Grafana).
names=(); [ "$stack_file" = Pulumi.dev.yaml ] || names=(--names-may-be-absent)
"$venv/bin/python" tests/scan/waivers.py "${names[@]}" .checkov.yaml "$work/unwaived.json" || rc=$?
record "every waived failure is on an object .checkov.yaml names, with a reason" "$rc"

finish
