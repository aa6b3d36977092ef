#!/usr/bin/env bash
# Local PostgreSQL for run.sh and test.sh.
#
#   scripts/pg.sh start DATA_DIR PORT   create (first time) and start a server on 127.0.0.1:PORT,
#                                       with database "itempath"; succeeds if already running
#   scripts/pg.sh apply CONNINFO_URL    apply db/*.sql in name order (each file idempotent)
#   scripts/pg.sh template DIR          initdb into DIR and nothing more: with ITEMPATH_PG_TEMPLATE=DIR,
#                                       start copies DIR into a new data folder instead of initdb
#   scripts/pg.sh stop DATA_DIR         stop the server of DATA_DIR (fast shutdown)
#   scripts/pg.sh status DATA_DIR       exit 0 if the server of DATA_DIR is running, else 3
#   scripts/pg.sh free-port             print a free TCP port on 127.0.0.1
#   scripts/pg.sh tool NAME             print the path of a client tool (psql, pg_dump, pg_restore)
#                                       of the newest server found, else the one on PATH
#
# The server is for development and tests only: superuser "postgres", trust authentication,
# listening on 127.0.0.1 only, Unix socket in the parent folder of DATA_DIR.
# As root, initdb and pg_ctl refuse to run, so they run as the "postgres" OS user, which then
# owns DATA_DIR and its parent folder.
# ITEMPATH_PG_FAST=1 turns fsync and synchronous commit off (throwaway test databases).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_NAME=itempath
MIN_VERSION=15

die() { echo "pg.sh: $*" >&2; exit 1; }
log() { echo "pg.sh: $*" >&2; }

# Newest /usr/lib/postgresql/N/bin with N >= MIN_VERSION (the real binaries, not wrappers).
find_bin() {
    local dir best="" best_n=0 n
    for dir in /usr/lib/postgresql/*/bin; do
        n="$(basename "$(dirname "$dir")")"
        [[ "$n" =~ ^[0-9]+$ ]] || continue
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] || continue
        if (( n >= MIN_VERSION && n > best_n )); then best="$dir"; best_n=$n; fi
    done
    [[ -n "$best" ]] && echo "$best"
}

install_server() {
    if [[ "$(id -u)" -ne 0 ]]; then
        cat >&2 <<EOF
pg.sh: PostgreSQL $MIN_VERSION+ server binaries not found under /usr/lib/postgresql/*/bin.
Install them, then run this again:
    sudo apt-get update && sudo apt-get install -y postgresql
(any PostgreSQL $MIN_VERSION or newer from your distribution works).
EOF
        exit 1
    fi
    log "PostgreSQL $MIN_VERSION+ not found: installing the Debian package 'postgresql'"
    # Do not let the package create and start its own "main" cluster on port 5432.
    mkdir -p /etc/postgresql-common
    if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
        echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef \
        postgresql >&2
}

bin_dir() {
    local bin
    if ! bin="$(find_bin)"; then
        install_server
        bin="$(find_bin)" || die "PostgreSQL $MIN_VERSION+ still not found after installing 'postgresql'"
    fi
    echo "$bin"
}

# psql: the one beside the server if there is one, else any on PATH (apply needs no server).
psql_cmd() {
    local bin
    if bin="$(find_bin)"; then echo "$bin/psql"
    elif command -v psql >/dev/null; then command -v psql
    else bin_dir >/dev/null; echo "$(find_bin)/psql"
    fi
}

# Run a server tool as the owner of the data (postgres when we are root).
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Absolute path of a folder that may not exist yet (its parent is created).
abs_path() { mkdir -p "$(dirname "$1")" && echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

# initdb DATA as its owner, with the include of itempath.conf that each start rewrites.
init_data() {  # BIN DATA
    local bin="$1" data="$2" locale=(--no-locale)
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=(--locale=C.UTF-8); fi
    log "initdb $data"
    as_owner "$bin/initdb" -D "$data" -U postgres -E UTF8 "${locale[@]}" \
        --auth=trust --no-sync >/dev/null
    # Settings that change between starts live in itempath.conf, rewritten each start.
    echo "include_if_exists = 'itempath.conf'" >> "$data/postgresql.conf"
}

# A data folder that was initialised and never started, for ITEMPATH_PG_TEMPLATE: start copies it
# instead of running initdb (test.sh makes one for all the servers of a test run).
cmd_template() {
    [[ $# -eq 1 ]] || die "usage: pg.sh template DIR"
    local data bin
    data="$(abs_path "$1")"
    [[ ! -e "$data" || -z "$(ls -A "$data")" ]] || die "$data is not empty"
    bin="$(bin_dir)"
    mkdir -p "$data"
    if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$data"; fi
    init_data "$bin" "$data"
}

cmd_start() {
    [[ $# -eq 2 ]] || die "usage: pg.sh start DATA_DIR PORT"
    local data port parent bin
    data="$(abs_path "$1")"; port="$2"
    [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number: $port"
    parent="$(dirname "$data")"
    # The parent becomes postgres-owned (socket folder): keep it a dedicated folder.
    case "$parent" in
        /|/tmp|/var/tmp|/root|/home|"${HOME:-/root}"|"$ROOT")
            die "DATA_DIR needs a dedicated parent folder (e.g. .data/pg or \$(mktemp -d)/pg), not $data" ;;
    esac
    bin="$(bin_dir)"
    mkdir -p "$data"

    if [[ "$(id -u)" -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "OS user 'postgres' missing (it comes with the postgresql package)"
        chown postgres: "$parent" "$data"
        runuser -u postgres -- test -w "$data" -a -w "$parent" \
            || die "user postgres cannot reach $data (a folder above it is not searchable)"
    fi

    # Already running on this data dir? postmaster.pid line 4 holds its port.
    if [[ -f "$data/postmaster.pid" ]] && as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
        local running_port
        running_port="$(sed -n 4p "$data/postmaster.pid")"
        [[ "$running_port" == "$port" ]] \
            || die "server of $data is already running on port $running_port, not $port (stop it first)"
        log "server of $data already running on 127.0.0.1:$port"
    else
        if [[ ! -f "$data/PG_VERSION" ]]; then
            [[ -z "$(ls -A "$data")" ]] || die "$data is neither empty nor a PostgreSQL data folder"
            local template="${ITEMPATH_PG_TEMPLATE:-}"
            if [[ -n "$template" && -f "$template/PG_VERSION" \
                    && "$(cat "$template/PG_VERSION")" == "$("$bin/postgres" -V | grep -oE '[0-9]+' | head -n 1)" ]]; then
                log "new data folder $data (a copy of $template)"
                cp -a "$template/." "$data/"
            else
                init_data "$bin" "$data"
            fi
        fi
        local fast="on"
        [[ "${ITEMPATH_PG_FAST:-0}" == "1" ]] && fast="off"
        cat > "$data/itempath.conf" <<EOF
# Written by scripts/pg.sh start on each start: edit that script, not this file.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$parent'
max_connections = 200
fsync = $fast
synchronous_commit = $fast
full_page_writes = $fast
EOF
        [[ "$(id -u)" -ne 0 ]] || chown postgres: "$data/itempath.conf"
        log "starting PostgreSQL ($bin) on 127.0.0.1:$port, log $data/postgres.log"
        if ! as_owner "$bin/pg_ctl" start -D "$data" -l "$data/postgres.log" -w -t 60 >/dev/null; then
            tail -n 20 "$data/postgres.log" >&2 || true
            die "PostgreSQL did not start (log above: $data/postgres.log)"
        fi
    fi

    # Create the application database if missing.
    local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
    if [[ "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]]; then
        "${psql[@]}" -d postgres -c "CREATE DATABASE $DB_NAME" >/dev/null
        log "created database $DB_NAME"
    fi
    log "ready: postgresql://postgres@127.0.0.1:$port/$DB_NAME"
}

cmd_apply() {
    [[ $# -eq 1 ]] || die "usage: pg.sh apply CONNINFO_URL"
    local url="$1" psql file n=0
    psql="$(psql_cmd)"
    shopt -s nullglob
    local files=("$ROOT"/db/*.sql)
    [[ ${#files[@]} -gt 0 ]] || die "no files in $ROOT/db"
    for file in "${files[@]}"; do   # glob order = name order
        # -1: each file in one transaction, so a failing file leaves nothing half-applied.
        "$psql" "$url" -X -q -1 -v ON_ERROR_STOP=1 -f "$file" >/dev/null \
            || die "applying $(basename "$file") failed"
        n=$((n + 1))
    done
    log "applied $n schema files from db/"
}

cmd_tool() {
    [[ $# -eq 1 && "$1" =~ ^(psql|pg_dump|pg_restore)$ ]] || die "usage: pg.sh tool psql|pg_dump|pg_restore"
    local bin
    if bin="$(find_bin)" && [[ -x "$bin/$1" ]]; then echo "$bin/$1"
    elif command -v "$1" >/dev/null; then command -v "$1"
    else bin="$(bin_dir)"; echo "$bin/$1"
    fi
}

cmd_stop() {
    [[ $# -eq 1 ]] || die "usage: pg.sh stop DATA_DIR"
    local data="$1" bin
    [[ -f "$data/PG_VERSION" ]] || { log "no data folder at $data, nothing to stop"; return 0; }
    bin="$(find_bin)" || die "PostgreSQL server binaries not found"
    if as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null
        log "stopped PostgreSQL of $data"
    else
        log "PostgreSQL of $data is not running"
    fi
}

cmd_status() {
    [[ $# -eq 1 ]] || die "usage: pg.sh status DATA_DIR"
    local data="$1" bin
    [[ -f "$data/PG_VERSION" ]] || return 3
    bin="$(find_bin)" || return 3
    as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1 || return 3
}

cmd_free_port() {
    [[ $# -eq 0 ]] || die "usage: pg.sh free-port"
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    # Fallback: a random high port nobody answers on.
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
    die "no free port found"
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    apply) shift; cmd_apply "$@" ;;
    template) shift; cmd_template "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    free-port) shift; cmd_free_port "$@" ;;
    tool) shift; cmd_tool "$@" ;;
    *) die "usage: pg.sh start DATA_DIR PORT | template DIR | apply CONNINFO_URL | stop DATA_DIR | status DATA_DIR | free-port | tool NAME" ;;
esac
