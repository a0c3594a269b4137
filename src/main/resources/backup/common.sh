# shellcheck shell=sh
# What backup.sh and restore.sh share; they source it from their own directory (all three are the
# ConfigMap postgres-backup-scripts). Set SCRIPT, the log prefix, first.
# Env: PGDATABASE, BACKUP_DIR, DB_PASSWORD_FILE (the database password, a file of the app Secret;
# unset: libpq's own PGPASSWORD or nothing).

say() { echo "$SCRIPT: $*"; }
die() { echo "$SCRIPT: error: $*" >&2; exit 1; }

: "${PGDATABASE:?}" "${BACKUP_DIR:?}"
# libpq takes a password from the environment only: exported for this process and its children,
# never set on the pod, where every process would inherit it.
if [ -n "${DB_PASSWORD_FILE:-}" ]; then
    PGPASSWORD=$(cat "$DB_PASSWORD_FILE") || die "cannot read the database password from $DB_PASSWORD_FILE"
    export PGPASSWORD
fi

# The backups in the current directory, oldest first (fixed-width UTC stamps sort by time). Only
# names of exactly this shape are counted, listed, removed or restored: a file copied in by hand stays.
backups() {
    for f in "$PGDATABASE"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.dump; do
        [ -e "$f" ] && echo "$f"
    done
}

# wait_for_database SECONDS: a backup or restore started while PostgreSQL restarts waits for it.
wait_for_database() {
    waited=0
    until pg_isready --quiet; do
        [ "$waited" -lt "$1" ] || die "the database at ${PGHOST:-?}:${PGPORT:-5432} has not accepted connections for $1 s"
        sleep 2
        waited=$((waited + 2))
    done
}
