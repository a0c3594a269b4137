#!/bin/sh
# One database backup, run by the postgres-backup CronJob (backup/DatabaseBackup.java) in the
# database's own image: pg_dump is then the server's version, never older (pg_dump refuses a
# newer server). Writes $BACKUP_DIR/<database>-<UTC time>.dump in pg_dump's custom format
# (compressed; pg_restore can restore all of it or single tables), reads it back in full before
# keeping it, then keeps only the newest $BACKUP_RETENTION. A failure leaves no .dump behind and
# exits non-zero: the Job fails and keeps its pod's log.
# Env: PGHOST PGPORT PGDATABASE PGUSER (libpq), DB_PASSWORD_FILE, BACKUP_DIR (common.sh),
# BACKUP_RETENTION.
set -eu
umask 077  # a dump holds every row: readable by the backup pods' user only
SCRIPT=backup
# shellcheck source=src/main/resources/backup/common.sh
. "$(dirname "$0")/common.sh"

: "${BACKUP_RETENTION:?}"
case "$BACKUP_RETENTION" in '' | *[!0-9]* | 0) die "BACKUP_RETENTION='$BACKUP_RETENTION' is not a count from 1" ;; esac
if ! { [ -d "$BACKUP_DIR" ] && [ -w "$BACKUP_DIR" ]; }; then die "$BACKUP_DIR is not a writable directory"; fi
cd "$BACKUP_DIR"
rm -f ./*.dump.partial  # what an interrupted run left
wait_for_database 60

name="$PGDATABASE-$(date -u +%Y%m%dT%H%M%SZ).dump"
start=$(date +%s)
# A lock that a long transaction holds makes pg_dump wait; past 10 minutes it gives up instead
# of blocking the next scheduled run (concurrencyPolicy Forbid).
pg_dump --format=custom --lock-wait-timeout=10min --file="$name.partial" ||
    { rm -f "$name.partial"; die "pg_dump of $PGDATABASE failed"; }
dumped=$(date +%s)
# Decompresses and reads every entry: a dump that cannot be read back is not a backup.
pg_restore --file=/dev/null "$name.partial" ||
    { rm -f "$name.partial"; die "the new dump does not read back with pg_restore"; }
mv "$name.partial" "$name"
tables=$(pg_restore --list "$name" | grep -c ' TABLE DATA ' || true)
say "$name: $(wc -c <"$name" | tr -d ' ') bytes, $tables tables, pg_dump $((dumped - start)) s," \
    "read back $(($(date +%s) - dumped)) s"

count=$(backups | wc -l)
removed=0
if [ "$count" -gt "$BACKUP_RETENTION" ]; then
    removed=$((count - BACKUP_RETENTION))
    backups | head -n "$removed" | while read -r old; do rm -f "$old" && say "removed $old (retention $BACKUP_RETENTION)"; done
fi
say "keeping $((count - removed)) backup(s), newest $name; volume $(df -Pk . | awk 'NR == 2 {printf "%d MiB used of %d MiB", $3 / 1024, $2 / 1024}')"
