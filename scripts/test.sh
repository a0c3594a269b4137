#!/usr/bin/env bash
# Runs every test of the project, installing what each suite needs (idempotent):
#   stack        the Java Pulumi program's unit tests on Pulumi's mock engine (mvn test)
#   app          lint, backend pytest on a real PostgreSQL, frontend vitest, e2e in headless Chromium
#   monitoring   promtool checks and tests of the shipped Prometheus files, dashboards on live metrics
#   backup       the backup pods' scripts on a real PostgreSQL: dumps, retention, byte-identical restores
#   workflows    actionlint, shellcheck and the structure tests of .github/workflows
#   scan         every Kubernetes object the stack declares, rendered without a cluster, scanned by
#                checkov (waivers only in .checkov.yaml) and kubeconform (the pinned Kubernetes)
#   integration  JUnit integration tests (src/it/java, failsafe, Pulumi's Automation API, fabric8) on a
#                private local cluster with a real node: the cluster itself, then the stack from
#                preview through up, the app, policies, scaling, a rollout under load, self-healing,
#                backup and restore, bad config, to destroy (docs/testing.md)
# Every suite runs even when an earlier one failed; the exit code is non-zero if any failed.
# `integration` needs the Pulumi and Kubernetes binaries of offline/tools.sh and the node images of
# offline/images.sh. Cold, they take most of CI's 90 minutes (docs/benchmarks.md), so when they are
# not built that suite is reported as SKIPPED with the reason (never as passed), unless
# TRAVEL_APP_BUILD_TOOLS=1.
# Usage: scripts/test.sh [suite ...]     (default: all suites, in the order above)
set -Euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh
all_suites=(stack app monitoring backup workflows scan integration)
suites=("${@:-${all_suites[@]}}")

ensure_java() {
    command -v mvn >/dev/null && command -v javac >/dev/null && return
    log "installing OpenJDK 17 and Maven (Debian)"
    apt_install openjdk-17-jdk-headless maven
}

suite_stack() {
    ensure_java
    mvn -B -ntp test
}

suite_app() { python3 tests/run.py app; }
suite_monitoring() { python3 tests/run.py monitoring; }
suite_backup() { python3 tests/run.py backup; }
suite_workflows() { python3 tests/run.py workflows; }
suite_scan() {
    ensure_java
    python3 tests/run.py scan
}

needed_tools=(pulumi pulumi-language-java pulumi-resource-kubernetes pulumi-resource-random
    etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy coredns
    cilium-agent cilium-cni cilium-dbg)

# Marks the suite skipped (suite_skipped=1) unless every tool and the node images are built, or
# building them was asked for; then brings both up to date (a no-op when nothing changed).
require_tools() {
    local missing=() tool
    for tool in "${needed_tools[@]}"; do
        [ -x "$TOOLS_DIR/bin/$tool" ] || missing+=("bin/$tool")
    done
    [ -s "$TOOLS_DIR/images/images.txt" ] || missing+=("images (offline/images.sh)")
    if [ ${#missing[@]} -gt 0 ] && [ "${TRAVEL_APP_BUILD_TOOLS:-0}" != 1 ]; then
        echo "SKIPPED: not built in $TOOLS_DIR: ${missing[*]}."
        echo "A cold build of the toolchain and the node images takes most of CI's 90 min on 2 cores"
        echo "(docs/benchmarks.md); it is opt-in. Run 'offline/tools.sh && offline/images.sh build' once"
        echo "(or set TRAVEL_APP_BUILD_TOOLS=1), then 'scripts/test.sh $1'."
        suite_skipped=1
        return 1
    fi
    offline/tools.sh && offline/images.sh build
}

suite_integration() {
    require_tools integration || return 1
    ensure_java
    # The browser check drives Debian's Chromium with app/e2e's pinned playwright-core.
    command -v chromium >/dev/null || apt_install chromium
    [ -d app/e2e/node_modules/playwright-core ] || npm ci --prefix app/e2e --no-audit --no-fund
    # pulumi-env.sh puts the built CLI, language host and JVM shim on PATH and installs the providers.
    (source scripts/pulumi-env.sh && mvn -B -ntp verify -Pintegration)
}

declare -a results=()
passed=0 failed=0 skipped=0
for suite in "${suites[@]}"; do
    declare -F "suite_$suite" >/dev/null || die "unknown suite '$suite'; known: ${all_suites[*]}"
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
