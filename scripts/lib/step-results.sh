# shellcheck shell=bash
# Source me. The step bookkeeping of a check script that runs every step even after one failed
# (scripts/manifest-scan.sh, scripts/ci-check.sh):
#   record DESCRIPTION RC    after each step
#   print_summary NAME       the list of steps, then the plain "NAME: N passed, N failed" line that
#                            CI reads last; returns non-zero when any step failed
declare -a results=()
passed=0
failed=0

record() {
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
        results+=("ok    $1")
    else
        failed=$((failed + 1))
        results+=("FAIL  $1")
    fi
}

print_summary() {
    echo
    echo "$1 summary ($SECONDS s):"
    printf '  %s\n' "${results[@]}"
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
