# shellcheck shell=bash
# Source me after app-common.sh (for app_log). The PASS/FAIL tally of a check script that logs
# each check as it runs (scripts/app-e2e.sh, scripts/monitoring-check.sh,
# scripts/db-backup-check.sh); step-results.sh is the same for scripts that list their steps at
# the end instead.
#   pass TEXT / fail TEXT     count one check and log it as "PASS TEXT" / "FAIL TEXT"
#   count_result_lines FILE   add the PASS/FAIL lines a helper printed to FILE; a helper that
#                             printed neither counts as one failure
#   tally_summary NAME        the "NAME: N passed, M failed" line CI reads last; non-zero when
#                             any check failed
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); app_log "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); app_log "FAIL $*"; }

count_result_lines() {
    local p f
    p=$(grep -c '^PASS ' "$1" || true)
    f=$(grep -c '^FAIL ' "$1" || true)
    if [[ $p -eq 0 && $f -eq 0 ]]; then
        f=1
        echo "FAIL ${1##*/}: the check printed no result"
    fi
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
}

tally_summary() {
    echo "$1: $PASSED passed, $FAILED failed"
    [[ $FAILED -eq 0 ]]
}
