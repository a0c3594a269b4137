#!/bin/sh
# Entrypoint of localhost/travel-app/postgres: the contract of the official postgres image's
# docker-entrypoint.sh that the stack relies on (Database.java), for a non-root user.
#  - first start (no $PGDATA/PG_VERSION): creates $PGDATA (mode 0700, under a volume root that
#    may be root-owned 0777), initdb with $POSTGRES_USER as superuser and $POSTGRES_PASSWORD (or
#    the contents of the file $POSTGRES_PASSWORD_FILE names, as upstream's file_env: not both),
#    UTF-8, scram-sha-256 for every TCP connection (trust on the local socket only), listens on
#    '*'; creates $POSTGRES_DB owned by $POSTGRES_USER; runs /docker-entrypoint-initdb.d/*.sql
#    and *.sh; all through a temporary server on the Unix socket only.
#  - every start: exec postgres (PID 1; SIGINT = fast shutdown, the image's STOPSIGNAL).
set -eu

log() { echo "postgres-entrypoint: $*"; }
die() { echo "postgres-entrypoint: error: $*" >&2; exit 1; }

# `docker run IMAGE -c foo=bar` means postgres with those options.
if [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"
fi

if [ "$1" = "postgres" ]; then
    [ "$(id -u)" != 0 ] || die "run as a non-root user (the image's USER is 70:70)"
    : "${PGDATA:=/var/lib/postgresql/data}"
    : "${POSTGRES_USER:=postgres}"
    : "${POSTGRES_DB:=$POSTGRES_USER}"
    export PGDATA POSTGRES_USER POSTGRES_DB

    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
            [ -z "${POSTGRES_PASSWORD:-}" ] || die "both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set (but are exclusive)"
            [ -r "$POSTGRES_PASSWORD_FILE" ] || die "POSTGRES_PASSWORD_FILE=$POSTGRES_PASSWORD_FILE cannot be read"
            # $(...) drops trailing newlines, as upstream's $(< file).
            POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
        fi
        [ -n "${POSTGRES_PASSWORD:-}" ] || die "the database is uninitialised and neither POSTGRES_PASSWORD nor POSTGRES_PASSWORD_FILE is set"
        mkdir -p "$PGDATA"
        chmod 0700 "$PGDATA" || die "cannot chmod 0700 $PGDATA (owner $(stat -c %u "$PGDATA"), running as $(id -u))"
        pwfile=$(mktemp /tmp/pgpass.XXXXXX)
        trap 'rm -f "$pwfile"' EXIT
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
        log "initialising $PGDATA (superuser $POSTGRES_USER)"
        # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as upstream.
        initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
            --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
            ${POSTGRES_INITDB_ARGS:-} >/dev/null
        rm -f "$pwfile"
        trap - EXIT
        printf "\n# localhost/travel-app/postgres\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
        # pg_hba.conf from initdb: local trust; host 127.0.0.1/32 and ::1/128 scram-sha-256. Any
        # other client too:
        printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"

        pg_ctl --pgdata="$PGDATA" --wait --silent \
            --options="-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" start
        psql_() { psql --no-psqlrc --quiet --set ON_ERROR_STOP=1 --host=/var/run/postgresql --username="$POSTGRES_USER" "$@"; }
        if [ "$POSTGRES_DB" != "postgres" ]; then
            log "creating database $POSTGRES_DB owned by $POSTGRES_USER"
            psql_ --dbname=postgres --set db="$POSTGRES_DB" --set owner="$POSTGRES_USER" \
                <<'SQL'
CREATE DATABASE :"db" OWNER :"owner";
SQL
        fi
        for f in /docker-entrypoint-initdb.d/*; do
            case "$f" in
                *.sh) log "running $f"; sh "$f" ;;
                *.sql) log "running $f"; psql_ --dbname="$POSTGRES_DB" -f "$f" ;;
                *) [ ! -e "$f" ] || log "ignoring $f" ;;
            esac
        done
        pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop
        log "initialisation complete"
    else
        log "$PGDATA holds a PostgreSQL $(cat "$PGDATA/PG_VERSION") cluster: starting it"
    fi
fi

exec "$@"
