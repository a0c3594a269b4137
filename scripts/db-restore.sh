#!/usr/bin/env bash
# Restores the Travel App's PostgreSQL database from a backup on the backup volume (written by the
# postgres-backup CronJob or scripts/db-backup.sh). docs/operations.md, "Back up and restore".
set -Euo pipefail

DBJOB_SCRIPT=db-restore
# shellcheck source=scripts/lib/db-jobs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/db-jobs.sh"

usage() {
    cat <<'EOF'
Usage: scripts/db-restore.sh [--yes] [--namespace NS] [--context CTX] [--timeout SECONDS] [BACKUP]
       scripts/db-restore.sh --list [--namespace NS] [--context CTX]

Restores the stack's database from BACKUP, a name as --list prints it (e.g.
travel-20261124T020000Z.dump); without BACKUP, from the newest. It runs pg_restore in a Job made
from the postgres-backup CronJob's pod template (same image, same password file, backup volume
read-only) in ONE transaction: every table, sequence and index the backup holds is dropped and
recreated with the backed-up rows, or, if anything fails, nothing changes. Objects created after
the backup are left as they are. The backend keeps running; its requests wait while it runs.

  --list             list the backups (oldest first) and exit
  --yes              restore without asking (required when stdin is not a terminal)
  --namespace NS     the stack's namespace (default: `pulumi stack output namespace` of the
                     selected stack, run in this repository)
  --context CTX      the kube context (default: kubectl's current one)
  --timeout SECONDS  how long the restore may run (default 1800)
  -h, --help         this text

Exit status: 0 restored (or listed), 1 not restored, 2 bad usage. Refuses to run when there is
no backup. The database password is never read or printed by this script.
EOF
}
usage_error() { echo "db-restore: $*" >&2; echo "Try 'scripts/db-restore.sh --help'." >&2; exit 2; }

list=0 yes=0 backup=""
while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        --list) list=1; shift ;;
        -y | --yes) yes=1; shift ;;
        --namespace | --context | --timeout)
            dbjob_option "$1" "${2:-}" || usage_error "$1 needs a value${1/--timeout/ (whole seconds)}"
            shift 2 ;;
        -*) usage_error "unknown option '$1'" ;;
        *) [ -z "$backup" ] || usage_error "name one backup at most (got '$backup' and '$1')"
           backup=$1; shift ;;
    esac
done
[ "$list" = 0 ] || [ -z "$backup" ] || usage_error "--list takes no BACKUP"

dbjob_target
dbjob_wait_idle
log "listing the backups on the backup volume"
dbjob_run "$(dbjob_name postgres-backup-list)" backup-list --list >/dev/null ||
    die "could not list the backups (see the Job's log above)"
grep -q '^LISTED ' <<<"$DBJOB_LOG" || die "the listing Job's log could not be read: $(head -n 1 <<<"$DBJOB_LOG")"
mapfile -t backups < <(sed -n 's/^BACKUP //p' <<<"$DBJOB_LOG")
database=$(dbjob_env PGDATABASE)
volume=$(kc get cronjob "$DBJOB_CRONJOB" -o jsonpath='{.spec.jobTemplate.spec.template.spec.volumes[?(@.name=="backups")].persistentVolumeClaim.claimName}')
if [ ${#backups[@]} -eq 0 ]; then
    die "no backup of database $database on volume $volume: nothing to restore from." \
        "Take one with scripts/db-backup.sh, or wait for the schedule ($(kc get cronjob "$DBJOB_CRONJOB" -o jsonpath='{.spec.schedule}') UTC)."
fi
printf '  %-34s %12s  %s\n' BACKUP BYTES "WRITTEN (UTC)"
for line in "${backups[@]}"; do
    read -r name bytes written <<<"$line"
    printf '  %-34s %12s  %s\n' "$name" "$bytes" "$written"
done
[ "$list" = 0 ] || exit 0

chosen=${backups[-1]}
if [ -n "$backup" ]; then
    chosen=$(printf '%s\n' "${backups[@]}" | awk -v b="$backup" '$1 == b') ||:
    [ -n "$chosen" ] || die "no backup named '$backup' on volume $volume (the list above)"
fi
read -r name bytes written <<<"$chosen"

if [ "$yes" != 1 ]; then
    [ -t 0 ] || die "stdin is not a terminal: pass --yes to restore without asking"
    printf 'Restore %s (%s bytes, written %s) into database %s of namespace %s?\n' \
        "$name" "$bytes" "$written" "$database" "$DBJOB_NAMESPACE"
    printf 'Every object the backup holds goes back to its backed-up state. [y/N] '
    read -r answer
    case "$answer" in y | Y | yes) ;; *) die "not restored (answered '${answer}')" ;; esac
fi

log "restoring $name into database $database"
if dbjob_run "$(dbjob_name postgres-restore)" restore "$name"; then
    log "restored $name ($bytes bytes) into $database in ${DBJOB_SECONDS}s (Job included)"
else
    die "not restored: pg_restore runs in one transaction, so the database is as it was before"
fi
