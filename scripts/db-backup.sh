#!/usr/bin/env bash
# Takes a backup of the Travel App's PostgreSQL database now, exactly as the schedule would.
# docs/operations.md, "Back up and restore".
set -Euo pipefail

DBJOB_SCRIPT=db-backup
# shellcheck source=scripts/lib/db-jobs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/db-jobs.sh"

usage() {
    cat <<'EOF'
Usage: scripts/db-backup.sh [--namespace NS] [--context CTX] [--timeout SECONDS]

Runs one backup now, as a Job made from the postgres-backup CronJob's pod template: pg_dump in
custom format onto the backup volume, read back before it is kept, then only the newest
backupRetention backups are kept (so a manual backup counts towards them). Before a risky change,
or to see that backups work. Prints the new backup's name, size and timings.

  --namespace NS     the stack's namespace (default: `pulumi stack output namespace` of the
                     selected stack, run in this repository)
  --context CTX      the kube context (default: kubectl's current one)
  --timeout SECONDS  how long the backup may run (default 1800)
  -h, --help         this text

Exit status: 0 backed up, 1 not backed up, 2 bad usage.
EOF
}
usage_error() { echo "db-backup: $*" >&2; echo "Try 'scripts/db-backup.sh --help'." >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        --namespace | --context | --timeout)
            dbjob_option "$1" "${2:-}" || usage_error "$1 needs a value${1/--timeout/ (whole seconds)}"
            shift 2 ;;
        *) usage_error "unknown argument '$1'" ;;
    esac
done

dbjob_target
dbjob_wait_idle
log "backing up database $(dbjob_env PGDATABASE)"
dbjob_run "$(dbjob_name postgres-backup-manual)" backup ||
    die "no backup taken (see the Job's log above); the backups already on the volume are untouched"
written=$(sed -n 's/^backup: \([^:]*\.dump\): .*/\1/p' <<<"$DBJOB_LOG")
[ -n "$written" ] || die "the Job succeeded but its log could not be read; scripts/db-restore.sh --list shows the backups"
log "backed up to $written in ${DBJOB_SECONDS}s (Job included)"
