#!/usr/bin/env bash
# Starts the whole service on this machine: PostgreSQL, the silos, the API nodes.
#
#   ./run.sh                        one silo, one API node; then Ctrl-C to stop everything it started
#   ./run.sh --silos 2 --apis 2     a local cluster: two silos, two API nodes (each 1-16)
#   ./run.sh --help
#   ./run.sh admin reset-password --tenant T --user U
#                                   break-glass: a new password for an admin of the running service
#   ./run.sh admin grains           each silo's grain activations, per grain type
#
# Data lives in .data/ (git-ignored, kept across runs): PostgreSQL in .data/pg, logs in
# .data/logs, the token master key in .data/master-key.
# Environment:
#   ITEMPATH_DATA_DIR         data folder (default .data; tests use a throwaway one)
#   ITEMPATH_PG_PORT          PostgreSQL port on 127.0.0.1 (default 5433)
#   ITEMPATH_HTTP_PORT        API port on 127.0.0.1 (default 5080); API node j uses PORT+j-1
#   ITEMPATH_SILO_PORT        silo-to-silo port (default 11111); silo i uses PORT+i-1
#   ITEMPATH_GATEWAY_PORT     silo gateway port for API nodes (default 30000); silo i uses PORT+i-1
#   Tokens__Issuer            public base URL (default: the first API node's URL, printed below)
#   Bootstrap__AdminPassword  the first admin's password (default: generated at first start)
#   ITEMPATH_API_CERT, ITEMPATH_API_KEY   HTTPS: the API nodes' certificate (PEM, or .pfx) and PEM key
#   ITEMPATH_MASTER_KEY_ID    id of the master key in .data/master-key (default m1; a new id after a
#                             master key was lost, see docs/operations.md)
#   Dashboard__Enabled        true: each silo serves the Orleans dashboard on Dashboard__Host (default
#                             127.0.0.1), silo i on Dashboard__Port+i-1 (default 8080)
#   Observability__Metrics__Port  a Prometheus endpoint per silo, silo i on PORT+i-1 (default: none)
#   ITEMPATH_NO_BUILD         1: start the Release build that is there, without building first
#                             (./test.sh sets it for the end-to-end scripts after its own build)
# Once ready it prints the URL, the admin login, where the API reference (/docs, /openapi/v1.json),
# the metrics (/metrics) and the Orleans dashboard are, and one line per node. Every option the
# nodes read is in docs/configuration.md.
# shellcheck disable=SC2317  # stop_pids and cleanup run from traps
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

say() { echo "run.sh: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
    cat <<'USAGE'
Usage: ./run.sh [--silos N] [--apis M]
       ./run.sh admin reset-password --tenant TENANT --user USERNAME
       ./run.sh admin retire-master-key --master-key ID (--tenant TENANT | --all-tenants)
       ./run.sh admin grains

Starts PostgreSQL, N silos and M API nodes on 127.0.0.1 (N and M from 1 to 16, default 1),
waits until every API node is ready, prints the first node's URL, the admin login, where the
API reference, the metrics and (when enabled) the Orleans dashboard are, and one line per node,
and runs until Ctrl-C or SIGTERM, which stops everything it started.

Silo i listens on ITEMPATH_SILO_PORT+i-1 and ITEMPATH_GATEWAY_PORT+i-1, API node j on
ITEMPATH_HTTP_PORT+j-1. With one silo and one API node, either exiting stops everything; with
more, a node that exits is reported and the rest keep running while at least one silo and one
API node live.

Environment: ITEMPATH_DATA_DIR (.data), ITEMPATH_PG_PORT (5433), ITEMPATH_HTTP_PORT (5080),
ITEMPATH_SILO_PORT (11111), ITEMPATH_GATEWAY_PORT (30000), Tokens__Issuer (the first node's
URL), Bootstrap__AdminPassword (generated at first start), ITEMPATH_API_CERT and
ITEMPATH_API_KEY (HTTPS with that certificate and key; default plain HTTP on loopback),
Dashboard__Enabled=true (the Orleans dashboard on each silo: Dashboard__Host, default 127.0.0.1,
silo i on Dashboard__Port+i-1, default 8080), Observability__Metrics__Port (each silo's own
Prometheus endpoint, silo i on PORT+i-1; default none). Every option: docs/configuration.md.
USAGE
}
usage_error() { say "$*"; say "usage: ./run.sh [--silos N] [--apis M] (N, M from 1 to 16); ./run.sh --help"; exit 2; }
config_error() { say "$*"; exit 2; }

# --- operator commands beside the running service ------------------------------------------
# ./run.sh admin VERB ...: the silo program joins the running cluster as a client (through the
# membership table of the PostgreSQL run.sh started) and runs VERB; see AdminCommand.cs.
if [[ "${1:-}" == admin ]]; then
    shift
    ADMIN_DLL="$ROOT/silo/ItemPathOrleans.Silo/bin/Release/net10.0/ItemPathOrleans.Silo.dll"
    if [[ ! -f "$ADMIN_DLL" ]]; then
        dotnet build silo/ItemPathOrleans.Silo -c Release -nologo -v q >&2 || die "build failed"
    fi
    export ConnectionStrings__ItemPath="${ConnectionStrings__ItemPath:-Host=127.0.0.1;Port=${ITEMPATH_PG_PORT:-5433};Database=itempath;Username=postgres}"
    cd "$(dirname "$ADMIN_DLL")"
    exec dotnet "$ADMIN_DLL" admin "$@"
fi

# --- arguments -----------------------------------------------------------------------------
SILOS=1
APIS=1
while (( $# > 0 )); do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --silos|--apis)
            (( $# >= 2 )) || usage_error "$1 needs a number"
            if [[ "$1" == --silos ]]; then SILOS="$2"; else APIS="$2"; fi
            shift 2 ;;
        --silos=*) SILOS="${1#*=}"; shift ;;
        --apis=*) APIS="${1#*=}"; shift ;;
        *) usage_error "unknown argument: $1" ;;
    esac
done
count_ok() { [[ "$1" =~ ^[0-9]{1,2}$ ]] && (( 10#$1 >= 1 && 10#$1 <= 16 )); }
count_ok "$SILOS" || usage_error "--silos must be a whole number from 1 to 16, not '$SILOS'"
count_ok "$APIS" || usage_error "--apis must be a whole number from 1 to 16, not '$APIS'"
SILOS=$((10#$SILOS))
APIS=$((10#$APIS))
# One silo and one API node: either exiting stops everything. Several: fail-over is allowed.
MULTI=""
(( SILOS == 1 && APIS == 1 )) || MULTI=1
if [[ -n "$MULTI" ]] && (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501 )); then
    say "several nodes need bash 5.1 or newer (wait -p); this is bash $BASH_VERSION"; exit 1
fi

DATA="${ITEMPATH_DATA_DIR:-.data}"
PG_PORT="${ITEMPATH_PG_PORT:-5433}"
HTTP_PORT="${ITEMPATH_HTTP_PORT:-5080}"
SILO_PORT="${ITEMPATH_SILO_PORT:-11111}"
GATEWAY_PORT="${ITEMPATH_GATEWAY_PORT:-30000}"

# Each base port must be a number whose whole range (base .. base+count-1) fits in 1-65535.
check_base() {  # VARIABLE VALUE COUNT
    if ! [[ "$2" =~ ^[0-9]{1,5}$ ]] || (( 10#$2 < 1 || 10#$2 + $3 - 1 > 65535 )); then
        config_error "$1 must be a port number, with room for $3 consecutive ports up to 65535, not '$2'"
    fi
}
check_base ITEMPATH_PG_PORT "$PG_PORT" 1
check_base ITEMPATH_HTTP_PORT "$HTTP_PORT" "$APIS"
check_base ITEMPATH_SILO_PORT "$SILO_PORT" "$SILOS"
check_base ITEMPATH_GATEWAY_PORT "$GATEWAY_PORT" "$SILOS"
PG_PORT=$((10#$PG_PORT)) HTTP_PORT=$((10#$HTTP_PORT))
SILO_PORT=$((10#$SILO_PORT)) GATEWAY_PORT=$((10#$GATEWAY_PORT))

# The silos' own HTTP endpoints, off unless configured: the Orleans dashboard and a Prometheus
# endpoint. One port each is not enough for several silos: silo i gets base+i-1, like its others.
DASHBOARD=""
DASHBOARD_HOST="${Dashboard__Host:-127.0.0.1}"
DASHBOARD_PORT="${Dashboard__Port:-8080}"
if [[ "${Dashboard__Enabled:-}" == [Tt][Rr][Uu][Ee] ]]; then
    DASHBOARD=1
    check_base Dashboard__Port "$DASHBOARD_PORT" "$SILOS"
    DASHBOARD_PORT=$((10#$DASHBOARD_PORT))
fi
SILO_METRICS_HOST="${Observability__Metrics__Host:-127.0.0.1}"
SILO_METRICS_PORT="${Observability__Metrics__Port:-0}"
if [[ "$SILO_METRICS_PORT" =~ ^0*$ ]]; then
    SILO_METRICS_PORT=0
else
    check_base Observability__Metrics__Port "$SILO_METRICS_PORT" "$SILOS"
    SILO_METRICS_PORT=$((10#$SILO_METRICS_PORT))
fi
# The API nodes' reference and metrics, on unless turned off (the API's defaults).
API_REFERENCE=1
[[ "${Observability__ApiReference:-}" != [Ff][Aa][Ll][Ss][Ee] ]] || API_REFERENCE=""
API_METRICS=1
[[ "${Observability__Metrics__Enabled:-}" != [Ff][Aa][Ll][Ss][Ee] ]] || API_METRICS=""

mkdir -p "$DATA"
DATA="$(cd "$DATA" && pwd)"
# HTTPS when a certificate is given (PEM certificate and key, or a .pfx with
# Kestrel__Certificates__Default__Password): Kestrel serves every API node with it.
SCHEME=http
CURL_TLS=()
if [[ -n "${ITEMPATH_API_CERT:-}" ]]; then
    [[ -r "$ITEMPATH_API_CERT" ]] || config_error "ITEMPATH_API_CERT: no readable file at $ITEMPATH_API_CERT"
    [[ -z "${ITEMPATH_API_KEY:-}" || -r "$ITEMPATH_API_KEY" ]] || config_error "ITEMPATH_API_KEY: no readable file at $ITEMPATH_API_KEY"
    SCHEME=https
    export Kestrel__Certificates__Default__Path="$(cd "$(dirname "$ITEMPATH_API_CERT")" && pwd)/$(basename "$ITEMPATH_API_CERT")"
    if [[ -n "${ITEMPATH_API_KEY:-}" ]]; then
        export Kestrel__Certificates__Default__KeyPath="$(cd "$(dirname "$ITEMPATH_API_KEY")" && pwd)/$(basename "$ITEMPATH_API_KEY")"
    fi
    # The readiness probe of run.sh's own nodes on loopback: the certificate names the public host.
    CURL_TLS=(--insecure)
fi
URL="$SCHEME://127.0.0.1:$HTTP_PORT"
LOGS="$DATA/logs"
READY_TIMEOUT=$((90 + 15 * (SILOS + APIS - 2)))

SILO_DLL="$ROOT/silo/ItemPathOrleans.Silo/bin/Release/net10.0/ItemPathOrleans.Silo.dll"
API_DLL="$ROOT/api/ItemPathOrleans.Api/bin/Release/net10.0/ItemPathOrleans.Api.dll"

[[ -f ItemPathOrleans.sln ]] || die "ItemPathOrleans.sln not found in $ROOT"
command -v dotnet >/dev/null || die "dotnet not found: install the .NET 10 SDK"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"

# --- nodes: names, ports, logs (index 1..N) ------------------------------------------------
declare -a SILO_NAME SILO_LOG SILO_PORTS GATEWAY_PORTS SILO_PID=()
declare -a API_NAME API_LOG API_URL API_PID=()
for ((i = 1; i <= SILOS; i++)); do
    SILO_PORTS[i]=$((SILO_PORT + i - 1))
    GATEWAY_PORTS[i]=$((GATEWAY_PORT + i - 1))
    if (( SILOS == 1 )); then SILO_NAME[i]="silo"; SILO_LOG[i]="$LOGS/silo.log"
    else SILO_NAME[i]="silo $i"; SILO_LOG[i]="$LOGS/silo-$i.log"; fi
done
for ((j = 1; j <= APIS; j++)); do
    API_URL[j]="$SCHEME://127.0.0.1:$((HTTP_PORT + j - 1))"
    if (( APIS == 1 )); then API_NAME[j]="api"; API_LOG[j]="$LOGS/api.log"
    else API_NAME[j]="api $j"; API_LOG[j]="$LOGS/api-$j.log"; fi
done

# --- every port free, and no two the same ---------------------------------------------------
# Something accepting a connection on 127.0.0.1 (or on every address) holds the port.
# shellcheck disable=SC2016  # $1 belongs to the inner shell
port_busy() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }
# shellcheck disable=SC2016
port_busy_at() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }
# A silo endpoint's address as a URL host, and as this script reaches it (a wildcard: loopback).
url_host() { if [[ "$1" == *:* ]]; then echo "[$1]"; else echo "$1"; fi; }
reach_host() { case "$1" in 0.0.0.0) echo 127.0.0.1 ;; ::|'[::]') echo ::1 ;; *) echo "$1" ;; esac; }
declare -A PORT_OWNER=()
claim_port() {  # PORT VARIABLE WHAT
    local port="$1" var="$2" what="$3"
    if [[ -n "${PORT_OWNER[$port]:-}" ]]; then
        config_error "port $port would serve both ${PORT_OWNER[$port]} and $what: set $var so the ranges do not overlap"
    fi
    PORT_OWNER[$port]="$what"
    if port_busy "$port"; then
        die "port $port, $what, is already in use on 127.0.0.1: stop what holds it or set $var"
    fi
}
# A PostgreSQL of this data folder that already runs holds its own port: that is fine.
PG_RUNNING=""
if scripts/pg.sh status "$DATA/pg"; then
    PG_RUNNING=1
else
    claim_port "$PG_PORT" ITEMPATH_PG_PORT "PostgreSQL"
fi
for ((j = 1; j <= APIS; j++)); do
    claim_port "$((HTTP_PORT + j - 1))" ITEMPATH_HTTP_PORT "${API_NAME[j]} (HTTP)"
done
for ((i = 1; i <= SILOS; i++)); do
    claim_port "${SILO_PORTS[i]}" ITEMPATH_SILO_PORT "${SILO_NAME[i]} (silo port)"
    claim_port "${GATEWAY_PORTS[i]}" ITEMPATH_GATEWAY_PORT "${SILO_NAME[i]} (gateway)"
    [[ -z "$DASHBOARD" ]] || claim_port "$((DASHBOARD_PORT + i - 1))" Dashboard__Port "${SILO_NAME[i]} (dashboard)"
    (( SILO_METRICS_PORT == 0 )) || claim_port "$((SILO_METRICS_PORT + i - 1))" Observability__Metrics__Port "${SILO_NAME[i]} (metrics)"
done

# --- stop what we started, and only that -----------------------------------------------
PG_STARTED=""

stop_pids() {  # NAME PID [NAME PID]...: SIGTERM to all, wait up to 20 s, then SIGKILL the rest
    local -a names=() pids=()
    local k any
    while (( $# >= 2 )); do
        if [[ -n "$2" ]] && kill -0 "$2" 2>/dev/null; then
            say "stopping $1 (pid $2)"
            kill -TERM "$2" 2>/dev/null || true
            names+=("$1"); pids+=("$2")
        fi
        shift 2
    done
    (( ${#pids[@]} > 0 )) || return 0
    for _ in $(seq 1 200); do
        any=""
        for k in "${!pids[@]}"; do kill -0 "${pids[k]}" 2>/dev/null && { any=1; break; }; done
        [[ -n "$any" ]] || break
        sleep 0.1
    done
    for k in "${!pids[@]}"; do
        if kill -0 "${pids[k]}" 2>/dev/null; then
            say "${names[k]} did not stop in 20 s: killing it"
            kill -KILL "${pids[k]}" 2>/dev/null || true
        fi
    done
    for k in "${!pids[@]}"; do wait "${pids[k]}" 2>/dev/null || true; done
}

# Every API node, then every silo, as "NAME PID" pairs.
stop_nodes() {
    local -a args=()
    local k
    for k in "${!API_PID[@]}"; do args+=("${API_NAME[k]}" "${API_PID[k]}"); done
    (( ${#args[@]} == 0 )) || stop_pids "${args[@]}"
    args=()
    for k in "${!SILO_PID[@]}"; do args+=("${SILO_NAME[k]}" "${SILO_PID[k]}"); done
    (( ${#args[@]} == 0 )) || stop_pids "${args[@]}"
}

cleanup() {
    trap '' INT TERM   # let the (bounded) shutdown finish
    trap - EXIT
    stop_nodes
    if [[ -n "$PG_STARTED" ]]; then
        scripts/pg.sh stop "$DATA/pg" || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- PostgreSQL and schema -----------------------------------------------------------------
# Stop PostgreSQL on exit only if this run started it.
[[ -n "$PG_RUNNING" ]] || PG_STARTED=1
scripts/pg.sh start "$DATA/pg" "$PG_PORT"
DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/itempath"
scripts/pg.sh apply "$DB_URL"

# A database without grain state is a first start: the admin password is generated here,
# handed to the silos, and shown once on this terminal (never written to a file or a log).
FIRST_START=""
[[ "$(psql "$DB_URL" -tAc 'select count(*) from OrleansStorage')" != "0" ]] || FIRST_START=1
if [[ -n "$FIRST_START" && -z "${Bootstrap__AdminPassword:-}" ]]; then
    Bootstrap__AdminPassword="$(head -c 512 /dev/urandom | LC_ALL=C tr -dc 'A-HJ-NP-Za-km-z2-9')"
    Bootstrap__AdminPassword="${Bootstrap__AdminPassword:0:20}"
    export Bootstrap__AdminPassword
fi

# --- configuration shared by silos and API nodes -------------------------------------------
if [[ ! -s "$DATA/master-key" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 > "$DATA/master-key")
    say "generated a token master key in $DATA/master-key (keep it: tokens depend on it)"
fi
export ConnectionStrings__ItemPath="Host=127.0.0.1;Port=$PG_PORT;Database=itempath;Username=postgres"
export Tokens__MasterKeys__0__Id="${ITEMPATH_MASTER_KEY_ID:-m1}"
Tokens__MasterKeys__0__Secret="$(tr -d '\n' < "$DATA/master-key")"
export Tokens__MasterKeys__0__Secret
# One issuer for every node, so a token from one node validates on all of them.
export Tokens__Issuer="${Tokens__Issuer:-$URL}"
# Each silo gets its own ports below; API nodes find the gateways in PostgreSQL.
export Orleans__SiloPort="$SILO_PORT" Orleans__GatewayPort="$GATEWAY_PORT"
# Bootstrap__AdminPassword, when set, is inherited as it is.

# --- build once, then start every process --------------------------------------------------
if [[ "${ITEMPATH_NO_BUILD:-0}" == 1 ]]; then
    say "not building (ITEMPATH_NO_BUILD=1): starting the Release build that is there"
else
    say "building (Release)"
    dotnet build ItemPathOrleans.sln -c Release -nologo -v q || die "build failed"
fi
[[ -f "$SILO_DLL" ]] || die "silo not built: $SILO_DLL missing"
[[ -f "$API_DLL" ]] || die "api not built: $API_DLL missing"

mkdir -p "$LOGS"
stamp="=== run.sh start $(date -u +%Y-%m-%dT%H:%M:%SZ) ==="
for ((i = 1; i <= SILOS; i++)); do echo "$stamp" >> "${SILO_LOG[i]}"; done
for ((j = 1; j <= APIS; j++)); do echo "$stamp" >> "${API_LOG[j]}"; done

# The API nodes' .NET runtime settings (scripts/api-runtime.env: the GC's gen-0 budget); a value
# the environment sets wins.
api_env=()
while IFS='=' read -r name value; do
    if [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then api_env+=("$name=${!name:-$value}"); fi
done < "$ROOT/scripts/api-runtime.env"

# Each process runs in its output folder, so it finds its appsettings.json there.
for ((i = 1; i <= SILOS; i++)); do
    silo_env=(Orleans__SiloPort="${SILO_PORTS[i]}" Orleans__GatewayPort="${GATEWAY_PORTS[i]}")
    [[ -z "$DASHBOARD" ]] || silo_env+=(Dashboard__Port="$((DASHBOARD_PORT + i - 1))")
    (( SILO_METRICS_PORT == 0 )) || silo_env+=(Observability__Metrics__Port="$((SILO_METRICS_PORT + i - 1))")
    (cd "$(dirname "$SILO_DLL")" && exec env "${silo_env[@]}" dotnet "$SILO_DLL") >> "${SILO_LOG[i]}" 2>&1 &
    SILO_PID[i]=$!
    say "${SILO_NAME[i]} started (pid ${SILO_PID[i]}), log ${SILO_LOG[i]}"
done
for ((j = 1; j <= APIS; j++)); do
    (cd "$(dirname "$API_DLL")" && exec env "${api_env[@]}" dotnet "$API_DLL" --urls "${API_URL[j]}") >> "${API_LOG[j]}" 2>&1 &
    API_PID[j]=$!
    say "${API_NAME[j]} started (pid ${API_PID[j]}), log ${API_LOG[j]}"
done

# --- wait until ready ----------------------------------------------------------------------
show_logs() {
    local log lines=30
    (( SILOS + APIS <= 4 )) || lines=15
    for log in "${SILO_LOG[@]}" "${API_LOG[@]}"; do
        say "last lines of $log:"; tail -n "$lines" "$log" >&2 || true
    done
}
# A silo is up once its gateway accepts connections (Orleans opens it when the silo is active),
# and its dashboard and metrics endpoints too when they are on.
silo_up() {  # INDEX
    port_busy "${GATEWAY_PORTS[$1]}" || { echo "gateway ${GATEWAY_PORTS[$1]}"; return 1; }
    if [[ -n "$DASHBOARD" ]] && ! port_busy_at "$(reach_host "$DASHBOARD_HOST")" "$((DASHBOARD_PORT + $1 - 1))"; then
        echo "dashboard $((DASHBOARD_PORT + $1 - 1))"; return 1
    fi
    if (( SILO_METRICS_PORT > 0 )) && ! port_busy_at "$(reach_host "$SILO_METRICS_HOST")" "$((SILO_METRICS_PORT + $1 - 1))"; then
        echo "metrics $((SILO_METRICS_PORT + $1 - 1))"; return 1
    fi
}
declare -A READY=()
deadline=$((SECONDS + READY_TIMEOUT))
while :; do
    waiting=""
    for ((i = 1; i <= SILOS; i++)); do
        kill -0 "${SILO_PID[i]}" 2>/dev/null || { show_logs; die "${SILO_NAME[i]} exited during start"; }
        [[ -n "${READY[silo$i]:-}" ]] && continue
        if part="$(silo_up "$i")"; then READY[silo$i]=1; else waiting="${SILO_NAME[i]} ($part)"; fi
    done
    for ((j = 1; j <= APIS; j++)); do
        kill -0 "${API_PID[j]}" 2>/dev/null || { show_logs; die "${API_NAME[j]} exited during start"; }
        [[ -n "${READY[api$j]:-}" ]] && continue
        if curl -fsS "${CURL_TLS[@]}" -o /dev/null --max-time 2 "${API_URL[j]}/health/ready" 2>/dev/null; then
            READY[api$j]=1
        else
            waiting="${API_URL[j]}/health/ready"
        fi
    done
    [[ -n "$waiting" ]] || break
    if (( SECONDS >= deadline )); then
        show_logs; die "$waiting did not answer within $READY_TIMEOUT s"
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
    password="$(cat "$LOGS"/silo*.log 2>/dev/null | grep -h 'Generated admin password:' | tail -n 1 \
        | sed 's/.*Generated admin password:[[:space:]]*//' | tr -d '\r')" || true
fi
echo
echo "ItemPath (Orleans) is running at $URL"
# The console of the default tenant (every tenant has one at {issuer}/console; $URL/console sends
# the request's tenant to its own).
echo "  console: ${Tokens__Issuer%/}/default/console (sign in as admin)"
if [[ -n "$password" ]]; then
    echo "  admin login: admin / $password"
    echo "  try: curl -X POST $URL/api/users/login -H 'Content-Type: application/json' --data-raw $(login_body "$password")"
else
    echo "  admin login: admin (its password was shown at first start; set Bootstrap__AdminPassword"
    echo "  before a first start to choose it)"
    echo "  try: curl -X POST $URL/api/users/login -H 'Content-Type: application/json' --data-raw '{\"username\": \"admin\", \"password\": \"...\"}'"
fi
# Where to look next: the reference, the metrics, the dashboard (each API node serves the first two).
every_api=""
(( APIS == 1 )) || every_api="; on every API node"
if [[ -n "$API_REFERENCE" ]]; then
    echo "  API reference: $URL/docs (OpenAPI document: $URL/openapi/v1.json$every_api)"
else
    echo "  API reference: off (Observability__ApiReference=false)"
fi
if [[ -n "$API_METRICS" ]]; then
    # Served to loopback and Observability__Metrics__AllowedAddresses__N only (403 to others).
    metrics_to="loopback only, more with Observability__Metrics__AllowedAddresses"
    extra=""
    for v in $(compgen -e); do
        [[ "$v" != Observability__Metrics__AllowedAddresses__* ]] || extra+="${!v} "
    done
    [[ -z "$extra" ]] || metrics_to="loopback and ${extra% } only"
    echo "  metrics: $URL/metrics (Prometheus text; $metrics_to$every_api)"
else
    echo "  metrics: off (Observability__Metrics__Enabled=false)"
fi
if (( SILO_METRICS_PORT > 0 )); then
    echo "  silo metrics: http://$(url_host "$SILO_METRICS_HOST"):$SILO_METRICS_PORT/metrics$( (( SILOS == 1 )) || echo " (silo 1; silo i on port $SILO_METRICS_PORT+i-1)")"
fi
if [[ -n "$DASHBOARD" ]]; then
    echo "  Orleans dashboard: http://$(url_host "$DASHBOARD_HOST"):$DASHBOARD_PORT/ (no sign-in of its own: keep it on loopback$( (( SILOS == 1 )) || echo "; silo i on port $DASHBOARD_PORT+i-1"))"
else
    echo "  Orleans dashboard: off (Dashboard__Enabled=true serves it on $(url_host "$DASHBOARD_HOST"):$DASHBOARD_PORT)"
fi
for ((i = 1; i <= SILOS; i++)); do
    echo "  silo $i: pid ${SILO_PID[i]}, silo port ${SILO_PORTS[i]}, gateway ${GATEWAY_PORTS[i]}, log ${SILO_LOG[i]}"
done
for ((j = 1; j <= APIS; j++)); do
    echo "  api $j: ${API_URL[j]} (pid ${API_PID[j]}), log ${API_LOG[j]}"
done
echo "  logs: $LOGS   stop: Ctrl-C"
echo

# --- run until Ctrl-C / SIGTERM or until the service is gone -------------------------------
set +e
if [[ -z "$MULTI" ]]; then
    # One silo, one API node: either exiting stops everything.
    wait -n "${SILO_PID[1]}" "${API_PID[1]}"
    status=$?
    set -e
    say "a process exited (status $status): stopping the rest"
    show_logs
    exit 1
fi
# Several nodes: report each one that exits; go on while a silo and an API node live.
while :; do
    live=()
    for k in "${!SILO_PID[@]}"; do live+=("${SILO_PID[k]}"); done
    silos_left=${#live[@]}
    for k in "${!API_PID[@]}"; do live+=("${API_PID[k]}"); done
    apis_left=$(( ${#live[@]} - silos_left ))
    (( silos_left > 0 && apis_left > 0 )) || break
    done_pid=""
    wait -n -p done_pid "${live[@]}" 2>/dev/null   # (bash's own "Killed" notice: reported below)
    status=$?
    if [[ -z "$done_pid" ]]; then
        # No pid from wait (should not happen): find the dead by looking, without spinning.
        sleep 1
        status="unknown"
    fi
    for k in "${!SILO_PID[@]}"; do
        if [[ "${SILO_PID[k]}" == "$done_pid" ]] || { [[ -z "$done_pid" ]] && ! kill -0 "${SILO_PID[k]}" 2>/dev/null; }; then
            say "${SILO_NAME[k]} (pid ${SILO_PID[k]}) exited with status $status, log ${SILO_LOG[k]}"
            unset 'SILO_PID[k]'
        fi
    done
    for k in "${!API_PID[@]}"; do
        if [[ "${API_PID[k]}" == "$done_pid" ]] || { [[ -z "$done_pid" ]] && ! kill -0 "${API_PID[k]}" 2>/dev/null; }; then
            say "${API_NAME[k]} (pid ${API_PID[k]}) exited with status $status, log ${API_LOG[k]}"
            unset 'API_PID[k]'
        fi
    done
done
set -e
if (( silos_left == 0 )); then say "no silo is left: stopping the rest"; else say "no API node is left: stopping the rest"; fi
show_logs
exit 1
