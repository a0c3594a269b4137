#!/usr/bin/env bash
# Runs every test of the project, installing what each suite needs (idempotent):
#   stack   the Java Pulumi program's unit tests on Pulumi's mock engine (mvn test)
#   app         lint, backend pytest on a real PostgreSQL, frontend vitest, e2e in headless Chromium
#   monitoring  promtool checks and tests of the shipped Prometheus files, dashboards on live metrics
#   backup      the backup pods' scripts on a real PostgreSQL: dumps, retention, byte-identical restores
#   workflows   actionlint and the structure tests of .github/workflows
#   scan        every Kubernetes object the stack declares, rendered without a cluster, scanned by
#               checkov (waivers only in .checkov.yaml) and kubeconform (the pinned Kubernetes)
#   cluster     the local cluster's real node behaves like a real cluster   (needs tools + images)
#   e2e         real pulumi preview/up/app/scale/roll/self-heal/destroy on the real node (same)
# Every suite runs even when an earlier one failed; the exit code is non-zero if any failed.
# The last two need the Pulumi and Kubernetes binaries of offline/tools.sh and the node images of
# offline/images.sh. Cold, they take most of CI's 90 minutes (docs/benchmarks.md), so when they are
# not built those suites are reported as SKIPPED with the reason (never as passed), unless
# TRAVEL_APP_BUILD_TOOLS=1.
# Usage: scripts/test.sh [suite ...]     (default: all suites, in the order above)
set -Euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
all_suites=(stack app monitoring backup workflows scan cluster e2e)
suites=("${@:-${all_suites[@]}}")

log() { printf '\n[test %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

ensure_java() {
    if command -v mvn >/dev/null && command -v javac >/dev/null; then
        return
    fi
    log "installing OpenJDK 17 and Maven (Debian)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
}

suite_stack() {
    ensure_java
    mvn -B -ntp test
}

suite_app() {
    bash scripts/app-test.sh
}

suite_monitoring() {
    bash scripts/monitoring-check.sh
}

suite_backup() {
    bash scripts/db-backup-check.sh
}

suite_workflows() {
    bash scripts/ci-check.sh
}

suite_scan() {
    ensure_java
    bash scripts/manifest-scan.sh
}

# shellcheck source=scripts/lib/tools-dir.sh
source scripts/lib/tools-dir.sh
tools_dir=$TOOLS_DIR
needed_tools=(pulumi pulumi-language-java pulumi-resource-kubernetes pulumi-resource-random
    etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy coredns
    cilium-agent cilium-cni cilium-dbg)

# Marks the suite skipped (suite_skipped=1) unless every tool and the node images are built, or
# building them was asked for; then brings both up to date (a no-op when nothing changed).
require_tools() {
    local missing=()
    for tool in "${needed_tools[@]}"; do
        [ -x "$tools_dir/bin/$tool" ] || missing+=("bin/$tool")
    done
    [ -s "$tools_dir/images/images.txt" ] || missing+=("images (offline/images.sh)")
    if [ ${#missing[@]} -gt 0 ] && [ "${TRAVEL_APP_BUILD_TOOLS:-0}" != 1 ]; then
        echo "SKIPPED: not built in $tools_dir: ${missing[*]}."
        echo "A cold build of the toolchain and the node images takes most of CI's 90 min on 2 cores"
        echo "(docs/benchmarks.md); it is opt-in. Run 'offline/tools.sh && offline/images.sh build' once"
        echo "(or set TRAVEL_APP_BUILD_TOOLS=1), then 'scripts/test.sh $1'."
        suite_skipped=1
        return 1
    fi
    offline/tools.sh && offline/images.sh build
}

suite_cluster() {
    require_tools cluster || return 1
    bash scripts/cluster-test.sh
}

suite_e2e() {
    require_tools e2e || return 1
    bash scripts/stack-e2e.sh
}

declare -a results=()
passed=0
failed=0
skipped=0
for suite in "${suites[@]}"; do
    if ! declare -F "suite_$suite" >/dev/null; then
        echo "test.sh: unknown suite '$suite'; known: ${all_suites[*]}" >&2
        exit 2
    fi
    log "suite $suite: starting"
    started=$SECONDS
    suite_skipped=0
    "suite_$suite"
    status=$?
    if [ "$suite_skipped" -eq 1 ]; then
        skipped=$((skipped + 1))
        results+=("SKIPPED  $suite (tools not built; see above)")
    elif [ "$status" -eq 0 ]; then
        passed=$((passed + 1))
        results+=("ok       $suite ($((SECONDS - started))s)")
    else
        failed=$((failed + 1))
        results+=("FAIL     $suite ($((SECONDS - started))s)")
    fi
done

log "summary"
printf '  %s\n' "${results[@]}"
echo "suites: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
