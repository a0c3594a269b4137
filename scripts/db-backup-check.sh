#!/usr/bin/env bash
# Backups that restore, checked on a real PostgreSQL on this host (docs/operations.md, "How the
# backup is tested"):
#  1. the scripts the backup pods run, as the stack ships them (src/main/resources/backup/:
#     backup.sh in the postgres-backup CronJob, restore.sh in the Jobs of scripts/db-restore.sh),
#     as a non-root user with a clean environment and the password in a file, as in the pod:
#     dumps, retention, refusals, restores that give back byte-identical rows, and a failing
#     restore that changes nothing;
#  2. the refusals of scripts/db-backup.sh and scripts/db-restore.sh that need no cluster.
# In a cluster, scripts/stack-e2e.sh (step 12) runs all of it on the real node.
# Ends with "db-backup-check: N passed, M failed" after a "numbers:" line (sizes, times).
# Needs root for the postgres user (as scripts/app-test.sh). DB_BACKUP_CHECK_ROWS (default 2000)
# sets how many trips the database holds; DB_BACKUP_CHECK_KEEP=1 keeps the temp dir.
set -Euo pipefail
# shellcheck source=scripts/lib/app-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/app-common.sh"
# shellcheck source=scripts/lib/check-tally.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check-tally.sh"

# check DESCRIPTION EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/db-backup-check.XXXXXX")"
chmod 755 "$WORK"
cleanup() {
    app_pg_stop
    [ "${DB_BACKUP_CHECK_KEEP:-0}" = 1 ] && app_log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

app_install_system
app_pg_start "$WORK"
# As in the pods: TCP with a password (scram), never the trust that app_pg_start sets up.
sed -i 's/^\(host .*\)trust$/\1scram-sha-256/' "$APP_PG_DATA/pg_hba.conf"
_app_as_pg "$APP_PG_BIN/pg_ctl" -D "$APP_PG_DATA" reload >/dev/null
SCRIPTS="$APP_ROOT/src/main/resources/backup"
BACKUPS="$WORK/backups"
PASSWORD_FILE="$WORK/db_password"
mkdir -p "$BACKUPS"
printf '%s' "$DB_PASSWORD" >"$PASSWORD_FILE"
chmod 0400 "$PASSWORD_FILE"
if [ "$(id -u)" = 0 ]; then chown postgres "$BACKUPS" "$PASSWORD_FILE"; fi

# pod SCRIPT ARGS...: a pod's script, as the postgres user, with only the pod's environment
pod() {
    local script=$1; shift
    local as=()
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    "${as[@]}" env -i PATH="$APP_PG_BIN:/usr/bin:/bin" PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGDATABASE=travel \
        PGUSER=travel PGCONNECT_TIMEOUT=5 DB_PASSWORD_FILE="${POD_PASSWORD_FILE:-$PASSWORD_FILE}" BACKUP_DIR="${POD_DIR:-$BACKUPS}" \
        BACKUP_RETENTION="${POD_RETENTION:-3}" sh "$SCRIPTS/$script" "$@"
}
sql() { PGPASSWORD="$DB_PASSWORD" "$APP_PG_BIN/psql" -h "$DB_HOST" -p "$DB_PORT" -U travel -d "${SQL_DB:-travel}" -Atq -v ON_ERROR_STOP=1 "$@"; }
digest() { sql -c "COPY (SELECT * FROM trips ORDER BY id) TO STDOUT" | sha256sum | cut -c1-16; }
# Rows and schema (tables, sequences, constraints, views): what a half-done restore would change.
# pg_dump's \restrict lines carry a random key each time (since 15.14): left out.
state() {
    echo "$(digest) $(PGPASSWORD="$DB_PASSWORD" "$APP_PG_BIN/pg_dump" -h "$DB_HOST" -p "$DB_PORT" -U travel --schema-only travel |
        grep -v '^\\\(un\)\?restrict ' | sha256sum | cut -c1-16)"
}
backups() { find "$BACKUPS" -maxdepth 1 -name 'travel-*.dump' -printf '%f\n' | sort; }

app_log "=== backup.sh"
rows=${DB_BACKUP_CHECK_ROWS:-2000}
# Like the app's trips: a title, dates, a count and notes of up to a few hundred characters.
sql -v rows="$rows" <<'SQL'
CREATE TABLE trips (id serial PRIMARY KEY, title text NOT NULL, start_date date, end_date date, travellers int,
                    notes text, created timestamptz DEFAULT now());
INSERT INTO trips (title, start_date, end_date, travellers, notes)
SELECT 'Trip ' || g || ' — Zürich ✈', date '2027-01-01' + g % 365, date '2027-01-08' + g % 365, g % 20 + 1,
       repeat(E'a\tb\\c ''q'' ' || md5(g::text), g % 7)
FROM generate_series(1, :rows) g;
SQL
before=$(digest)
ms() { date +%s%3N; }
t0=$(ms)
pod backup.sh >"$WORK/backup-1.log" 2>&1
rc=$? backup_ms=$(($(ms) - t0))
check "backup.sh exits 0 and reports the dump's size and timings" "0 1" \
    "$rc $(grep -cE '^backup: travel-[0-9]{8}T[0-9]{6}Z\.dump: [0-9]+ bytes, 1 tables, pg_dump [0-9]+ s, read back [0-9]+ s$' "$WORK/backup-1.log")"
first=$(backups | head -n 1)
check "the dump is in pg_dump's custom format (pg_restore --list reads it)" "TABLE DATA public trips" \
    "$("$APP_PG_BIN/pg_restore" --list "$BACKUPS/$first" | grep -o 'TABLE DATA public trips')"
check "the dump is readable by its owner only (umask 077)" 600 "$(stat -c %a "$BACKUPS/$first")"
cp -p "$BACKUPS/$first" "$BACKUPS/travel-kept-by-hand.dump"
for run in 2 3 4; do sleep 1; pod backup.sh >"$WORK/backup-$run.log" 2>&1 || fail "backup.sh run $run failed"; done
sleep 1; POD_RETENTION=3 pod backup.sh >"$WORK/backup-5.log" 2>&1
check "retention 3 keeps the newest 3 of 5 backups and removes the oldest first" "3 no" \
    "$(backups | grep -c 'Z\.dump$') $(backups | grep -q "^$first\$" && echo yes || echo no)"
check "a dump copied in by hand is never counted or removed" yes "$([ -f "$BACKUPS/travel-kept-by-hand.dump" ] && echo yes)"
newest=$(backups | grep 'Z\.dump$' | tail -n 1)
printf 'wrong-password' >"$WORK/wrong_password"; chmod 0444 "$WORK/wrong_password"
if POD_PASSWORD_FILE="$WORK/wrong_password" pod backup.sh >"$WORK/backup-bad.log" 2>&1; then
    fail "backup.sh with a wrong password exited 0"
else
    check "a failed dump (wrong password) exits non-zero and leaves no partial file and the backups as they were" \
        "0 $newest" "$(find "$BACKUPS" -name '*.partial' | wc -l) $(backups | grep 'Z\.dump$' | tail -n 1)"
fi
POD_RETENTION=0 pod backup.sh >/dev/null 2>&1 && fail "backup.sh accepted BACKUP_RETENTION=0" || pass "backup.sh refuses BACKUP_RETENTION=0"

app_log "=== restore.sh"
pod restore.sh --list >"$WORK/list.log" 2>&1
check "--list: one BACKUP line per backup, oldest first, then LISTED" "3 $newest LISTED 3" \
    "$(grep -c '^BACKUP ' "$WORK/list.log") $(grep '^BACKUP ' "$WORK/list.log" | tail -n 1 | cut -d' ' -f2) $(tail -n 1 "$WORK/list.log" | cut -d' ' -f1-2)"
sql -c "DELETE FROM trips WHERE id > 1000; UPDATE trips SET title = 'changed'; INSERT INTO trips (title) VALUES ('new'); CREATE TABLE added_later (x int)"
pod restore.sh latest >"$WORK/restore-1.log" 2>&1 || fail "restore.sh latest failed: $(tail -n 3 "$WORK/restore-1.log")"
check "restore.sh latest over newer data gives back the backed-up rows byte for byte" "$before" "$(digest)"
check "objects created after the backup are left alone" 1 "$(sql -c "SELECT count(*) FROM pg_tables WHERE tablename = 'added_later'")"
check "the sequence is restored too: the next trip gets id $((rows + 1))" $((rows + 1)) "$(sql -c "INSERT INTO trips (title) VALUES ('next') RETURNING id")"
sql -c "DROP TABLE added_later" && SQL_DB=postgres sql -c "DROP DATABASE travel" -c "CREATE DATABASE travel OWNER travel"
t0=$(ms)
pod restore.sh "$newest" >"$WORK/restore-2.log" 2>&1 || fail "restore.sh $newest failed: $(tail -n 3 "$WORK/restore-2.log")"
restore_ms=$(($(ms) - t0))
check "restore.sh NAME into a new, empty database gives back the same rows byte for byte" "$before" "$(digest)"
sql -c "CREATE VIEW depends_on_trips AS SELECT id FROM trips" -c "UPDATE trips SET title = 'after' WHERE id = 1"
after=$(state)
if pod restore.sh latest >"$WORK/restore-bad.log" 2>&1; then
    fail "a restore that cannot drop a table (a view depends on it) exited 0"
else
    check "a restore that fails halfway (a view depends on a table) changes no row and no schema: one transaction" "$after" "$(state)"
fi
sql -c "DROP VIEW depends_on_trips"
after=$(state)
head -c 2000 "$BACKUPS/$newest" >"$BACKUPS/travel-20000101T000000Z.dump"
pod restore.sh travel-20000101T000000Z.dump >"$WORK/restore-corrupt.log" 2>&1 && fail "restore.sh accepted a truncated dump" ||
    check "a truncated dump is refused and nothing changes" "$after" "$(state)"
rm -f "$BACKUPS/travel-20000101T000000Z.dump"
for bad in "../db_password" "no-such.dump" "travel-kept-by-hand.dump" ""; do
    pod restore.sh "$bad" >/dev/null 2>&1 && fail "restore.sh '$bad' exited 0" || pass "restore.sh refuses '$bad'"
done
mkdir -p "$WORK/empty"; [ "$(id -u)" = 0 ] && chown postgres "$WORK/empty"
POD_DIR="$WORK/empty" pod restore.sh latest >"$WORK/restore-none.log" 2>&1 && fail "restore.sh latest with no backup exited 0" ||
    check "restore.sh refuses to run without a backup" 1 "$(grep -c 'nothing to restore from' "$WORK/restore-none.log")"
grep -lF -- "$DB_PASSWORD" "$WORK"/*.log >/dev/null && fail "the password appears in the scripts' output" ||
    pass "the password appears in none of the scripts' output"

app_log "=== scripts/db-backup.sh and scripts/db-restore.sh without a cluster"
user_script() { env -i PATH="$PATH" HOME="$WORK" KUBECONFIG="$WORK/kubeconfig" "$APP_ROOT/scripts/$1" "${@:2}" >"$WORK/user.log" 2>&1; echo $?; }
check "db-restore.sh --help exits 0 with its usage" "0 1" "$(user_script db-restore.sh --help) $(grep -c '^Usage: scripts/db-restore.sh' "$WORK/user.log")"
check "db-restore.sh refuses an unknown option with exit 2" 2 "$(user_script db-restore.sh --force)"
check "db-restore.sh refuses --timeout without whole seconds with exit 2" 2 "$(user_script db-restore.sh --timeout 5m)"
check "db-restore.sh refuses --list with a BACKUP with exit 2" 2 "$(user_script db-restore.sh --list travel-x.dump)"
check "db-backup.sh refuses an argument with exit 2" 2 "$(user_script db-backup.sh travel)"
printf 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: c, context: {cluster: c}}]\ncurrent-context: c\n' >"$WORK/kubeconfig"
check "db-restore.sh says the cluster does not answer, exit 1" "1 1" \
    "$(user_script db-restore.sh --namespace travel-app --yes) $(grep -c 'does not answer' "$WORK/user.log")"
check "db-backup.sh without --namespace and without a stack says to pass --namespace, exit 1" "1 1" \
    "$(PATH="/usr/bin:/bin" user_script db-backup.sh) $(grep -c 'pass --namespace' "$WORK/user.log")"

app_log "numbers: $rows trips, database $(sql -c "SELECT pg_size_pretty(pg_database_size('travel'))"), dump" \
    "$(stat -c %s "$BACKUPS/$newest") bytes; backup.sh ${backup_ms} ms (pg_dump and read-back), restore.sh into an empty" \
    "database ${restore_ms} ms; PostgreSQL $("$APP_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1, $(nproc) cores"
tally_summary db-backup-check
