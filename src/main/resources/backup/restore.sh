#!/bin/sh
# Lists or restores the backups of backup.sh. Runs in a Job that scripts/db-restore.sh makes from
# the postgres-backup CronJob's own pod template: the same image (pg_restore of the server's
# version), the same database password from the app Secret (never printed), the same network
# policy, the backup volume mounted read-only.
# Usage: restore.sh --list            one line per backup, oldest first: BACKUP <name> <bytes> <UTC time>,
#                                     then LISTED <count> ...
#        restore.sh latest|<name>     restores that backup into $PGDATABASE, in one transaction
# Env: PGHOST PGPORT PGDATABASE PGUSER (libpq), DB_PASSWORD_FILE, BACKUP_DIR (common.sh).
set -eu
SCRIPT=restore
# shellcheck source=src/main/resources/backup/common.sh
. "$(dirname "$0")/common.sh"
cd "$BACKUP_DIR" || die "no backup directory $BACKUP_DIR"

case "${1:-}" in
    --list)
        backups | while read -r f; do
            echo "BACKUP $f $(wc -c <"$f" | tr -d ' ') $(date -u -r "$f" +%Y-%m-%dT%H:%M:%SZ)"
        done
        # The last line says the listing is complete, so that none is told from an unread log.
        echo "LISTED $(backups | wc -l | tr -d ' ') backup(s) of $PGDATABASE in $BACKUP_DIR"
        exit 0 ;;
    latest)
        file=$(backups | tail -n 1)
        [ -n "$file" ] || die "no backup of $PGDATABASE in $BACKUP_DIR: nothing to restore from" ;;
    '' | */* | .*)
        die "name a backup as --list prints it, or 'latest'" ;;
    *)
        file=$1
        backups | grep -qxF -- "$file" || die "no backup named '$file' in $BACKUP_DIR" ;;
esac

size=$(wc -c <"$file" | tr -d ' ')
toc=$(pg_restore --list "$file") || die "$file is not a pg_dump archive"
tables=$(echo "$toc" | grep -c ' TABLE DATA ' || true)
wait_for_database 120

say "restoring $file ($size bytes, $tables tables) into database $PGDATABASE at ${PGHOST:-?}"
start=$(date +%s)
# --clean --if-exists: drops each object of the backup before recreating it, so this works on a
# new, empty database and on one holding newer data alike; objects the backup does not hold are
# left alone. One transaction: if anything fails, nothing changed.
pg_restore --dbname="$PGDATABASE" --clean --if-exists --no-owner --no-privileges --single-transaction \
    --exit-on-error "$file" || die "pg_restore of $file failed; the database is as it was before"
say "restored $file into $PGDATABASE in $(($(date +%s) - start)) s"
