#!/usr/bin/env bash
# Runs every test of the project, installing what each suite needs (idempotent):
#   stack   the Java Pulumi program's unit tests on Pulumi's mock engine (mvn test)
#   app     lint, backend pytest on a real PostgreSQL, frontend vitest, e2e in headless Chromium
# Every suite runs even when an earlier one failed; the exit code is non-zero if any failed.
# Usage: scripts/test.sh [suite ...]     (default: all suites, in the order above)
set -Euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
all_suites=(stack app)
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

declare -a results=()
passed=0
failed=0
for suite in "${suites[@]}"; do
    if ! declare -F "suite_$suite" >/dev/null; then
        echo "test.sh: unknown suite '$suite'; known: ${all_suites[*]}" >&2
        exit 2
    fi
    log "suite $suite: starting"
    started=$SECONDS
    if "suite_$suite"; then
        passed=$((passed + 1))
        results+=("ok    $suite ($((SECONDS - started))s)")
    else
        failed=$((failed + 1))
        results+=("FAIL  $suite ($((SECONDS - started))s)")
    fi
done

log "summary"
printf '  %s\n' "${results[@]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
