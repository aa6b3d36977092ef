#!/usr/bin/env bash
# Starts the whole service on this machine: PostgreSQL, one silo, one API node.
#
#   ./run.sh            then Ctrl-C to stop everything it started
#
# Data lives in .data/ (git-ignored, kept across runs): PostgreSQL in .data/pg, logs in
# .data/logs, the token master key in .data/master-key.
# Environment:
#   ITEMPATH_DATA_DIR         data folder (default .data; tests use a throwaway one)
#   ITEMPATH_PG_PORT          PostgreSQL port on 127.0.0.1 (default 5433)
#   ITEMPATH_HTTP_PORT        API port on 127.0.0.1 (default 5080)
#   ITEMPATH_SILO_PORT        silo-to-silo port (default 11111)
#   ITEMPATH_GATEWAY_PORT     silo gateway port for API nodes (default 30000)
#   Tokens__Issuer            public base URL (default: the URL printed below)
#   Bootstrap__AdminPassword  the first admin's password (default: generated at first start)
# shellcheck disable=SC2317  # stop_pid and cleanup run from traps
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

DATA="${ITEMPATH_DATA_DIR:-.data}"
mkdir -p "$DATA"
DATA="$(cd "$DATA" && pwd)"
PG_PORT="${ITEMPATH_PG_PORT:-5433}"
HTTP_PORT="${ITEMPATH_HTTP_PORT:-5080}"
SILO_PORT="${ITEMPATH_SILO_PORT:-11111}"
GATEWAY_PORT="${ITEMPATH_GATEWAY_PORT:-30000}"
URL="http://127.0.0.1:$HTTP_PORT"
LOGS="$DATA/logs"
READY_TIMEOUT=90

SILO_DLL="$ROOT/silo/ItemPathOrleans.Silo/bin/Release/net10.0/ItemPathOrleans.Silo.dll"
API_DLL="$ROOT/api/ItemPathOrleans.Api/bin/Release/net10.0/ItemPathOrleans.Api.dll"

say() { echo "run.sh: $*" >&2; }
die() { say "$*"; exit 1; }

[[ -f ItemPathOrleans.sln ]] || die "ItemPathOrleans.sln not found in $ROOT"
command -v dotnet >/dev/null || die "dotnet not found: install the .NET 10 SDK"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"
if curl -s -o /dev/null --max-time 2 "$URL/"; then
    die "something already answers on $URL: stop it or set ITEMPATH_HTTP_PORT"
fi

# --- stop what we started, and only that -----------------------------------------------
SILO_PID=""
API_PID=""
PG_STARTED=""

stop_pid() {  # SIGTERM, wait up to 20 s, then SIGKILL
    local pid="$1" name="$2"
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then return 0; fi
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name did not stop in 20 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    trap '' INT TERM   # let the (bounded) shutdown finish
    trap - EXIT
    stop_pid "$API_PID" api
    stop_pid "$SILO_PID" silo
    if [[ -n "$PG_STARTED" ]]; then
        scripts/pg.sh stop "$DATA/pg" || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- PostgreSQL and schema -----------------------------------------------------------------
# Stop PostgreSQL on exit only if this run started it.
scripts/pg.sh status "$DATA/pg" || PG_STARTED=1
scripts/pg.sh start "$DATA/pg" "$PG_PORT"
DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/itempath"
scripts/pg.sh apply "$DB_URL"

# A database without grain state is a first start: the admin password is generated here,
# handed to the silo, and shown once on this terminal (never written to a file or a log).
FIRST_START=""
[[ "$(psql "$DB_URL" -tAc 'select count(*) from OrleansStorage')" != "0" ]] || FIRST_START=1
if [[ -n "$FIRST_START" && -z "${Bootstrap__AdminPassword:-}" ]]; then
    Bootstrap__AdminPassword="$(head -c 512 /dev/urandom | LC_ALL=C tr -dc 'A-HJ-NP-Za-km-z2-9')"
    Bootstrap__AdminPassword="${Bootstrap__AdminPassword:0:20}"
    export Bootstrap__AdminPassword
fi

# --- configuration shared by silo and API ----------------------------------------------
if [[ ! -s "$DATA/master-key" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 > "$DATA/master-key")
    say "generated a token master key in $DATA/master-key (keep it: tokens depend on it)"
fi
export ConnectionStrings__ItemPath="Host=127.0.0.1;Port=$PG_PORT;Database=itempath;Username=postgres"
export Tokens__MasterKeys__0__Id=m1
Tokens__MasterKeys__0__Secret="$(tr -d '\n' < "$DATA/master-key")"
export Tokens__MasterKeys__0__Secret
export Tokens__Issuer="${Tokens__Issuer:-$URL}"
export Orleans__SiloPort="$SILO_PORT" Orleans__GatewayPort="$GATEWAY_PORT"
# Bootstrap__AdminPassword, when set, is inherited as it is.

# --- build once, then start both processes -------------------------------------------------
say "building (Release)"
dotnet build ItemPathOrleans.sln -c Release -nologo -v q || die "build failed"
[[ -f "$SILO_DLL" ]] || die "silo not built: $SILO_DLL missing"
[[ -f "$API_DLL" ]] || die "api not built: $API_DLL missing"

mkdir -p "$LOGS"
stamp="=== run.sh start $(date -u +%Y-%m-%dT%H:%M:%SZ) ==="
echo "$stamp" >> "$LOGS/silo.log"
echo "$stamp" >> "$LOGS/api.log"

# Each process runs in its output folder, so it finds its appsettings.json there.
(cd "$(dirname "$SILO_DLL")" && exec dotnet "$SILO_DLL") >> "$LOGS/silo.log" 2>&1 &
SILO_PID=$!
say "silo started (pid $SILO_PID), log $LOGS/silo.log"
(cd "$(dirname "$API_DLL")" && exec dotnet "$API_DLL" --urls "$URL") >> "$LOGS/api.log" 2>&1 &
API_PID=$!
say "api started (pid $API_PID), log $LOGS/api.log"

# --- wait until ready ----------------------------------------------------------------------
show_logs() {
    say "last lines of $LOGS/silo.log:"; tail -n 30 "$LOGS/silo.log" >&2 || true
    say "last lines of $LOGS/api.log:"; tail -n 30 "$LOGS/api.log" >&2 || true
}
deadline=$((SECONDS + READY_TIMEOUT))
until curl -fsS -o /dev/null --max-time 2 "$URL/health/ready" 2>/dev/null; do
    if ! kill -0 "$SILO_PID" 2>/dev/null; then show_logs; die "the silo exited during start"; fi
    if ! kill -0 "$API_PID" 2>/dev/null; then show_logs; die "the api exited during start"; fi
    if (( SECONDS >= deadline )); then
        show_logs; die "$URL/health/ready did not answer 200 within $READY_TIMEOUT s"
    fi
    sleep 0.5
done

# The login JSON, quoted for a POSIX shell.
login_body() {
    local json sq="'" esc="'\\''"
    json="$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
    json="{\"username\": \"admin\", \"password\": \"$json\"}"
    printf "'%s'" "${json//$sq/$esc}"
}

# --- tell the user -------------------------------------------------------------------------
if [[ -n "${Bootstrap__AdminPassword:-}" ]]; then
    password="$Bootstrap__AdminPassword"
    [[ -n "$FIRST_START" ]] || say "Bootstrap__AdminPassword only applies at first start; the admin keeps the password it had"
else
    password="$(grep -h 'Generated admin password:' "$LOGS/silo.log" | tail -n 1 \
        | sed 's/.*Generated admin password:[[:space:]]*//' | tr -d '\r')" || true
fi
echo
echo "ItemPath (Orleans) is running at $URL"
if [[ -n "$password" ]]; then
    echo "  admin login: admin / $password"
    echo "  try: curl -X POST $URL/api/users/login -H 'Content-Type: application/json' --data-raw $(login_body "$password")"
else
    echo "  admin login: admin (its password was shown at first start; set Bootstrap__AdminPassword"
    echo "  before a first start to choose it)"
    echo "  try: curl -X POST $URL/api/users/login -H 'Content-Type: application/json' --data-raw '{\"username\": \"admin\", \"password\": \"...\"}'"
fi
echo "  logs: $LOGS   stop: Ctrl-C"
echo

# --- run until Ctrl-C / SIGTERM or until a process dies -----------------------------------
set +e
wait -n "$SILO_PID" "$API_PID"
status=$?
set -e
say "a process exited (status $status): stopping the rest"
show_logs
exit 1
