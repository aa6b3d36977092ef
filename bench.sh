#!/usr/bin/env bash
# The benchmark: every hot path of the service against its physical ceiling and against a peer
# (an OpenIddict 7.8 server), side by side in one run on this machine.
#
#   ./bench.sh [--users N] [--login-users N] [--seconds S] [--warmup S] [--node-warmup S] [--memory-users N]
#              [--tenants N] [--scale-out 0|1]
#
#   --users N          virtual users for refresh and validation, and grains for the write ceiling (64)
#   --login-users N    virtual users for login and code-flow, and hash workers for the hash ceiling (32)
#   --seconds S        measured seconds per scenario (8)
#   --warmup S         warm-up seconds per scenario, not counted (3)
#   --node-warmup S    warm-up seconds of the first round of login and code-flow, and of the first row
#                      on each validation and gateway node (20): a node's first seconds under load
#                      run code the JIT has not optimised yet
#   --memory-users N   users made active for the silo's working set (100000; 0 skips it)
#   --scale-out 0|1    the two-silo, two-API-node rows at the end (1; 0 skips them)
#   --tenants N        the tenants phase: N tenants of 10 users each (bulk path), refresh and
#                      validate spread over all of them, validate over as many sessions in one
#                      tenant, memory per idle tenant (10000; 0 skips it;
#                      about 7 minutes at 10000 on a busy 2-core machine, most of it seeding users)
#
# It starts what it needs in a throwaway folder on free loopback ports and stops it after:
# PostgreSQL, a silo and an API node (./run.sh), three more API nodes (revocation check on, off, and
# on with metrics and tracing off),
# the bare JWT endpoint (bench/Baselines serve-jwt), the peer (bench/Peer, its own database on
# the same PostgreSQL), and for the gateway rows an upstream (serve-upstream), a fourth API node in
# proxy mode in front of it and the bare proxy (serve-proxy, the same YARP route without tokens).
# Rate limits are off for the run (the registered clients of client-credentials and code-flow have
# no per-client quota). Prints the table, the ratios against the targets and the CPU time per 1,000
# operations of the API node, the silo and PostgreSQL, and writes bench/results/latest.json.
# The tenants phase also needs dotnet-gcdump (a local tool: dotnet-tools.json, restored by the run).
# shellcheck disable=SC2317  # cleanup runs from a trap
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

USERS=64 LOGIN_USERS=32 MEASURED=8 WARMUP=3 NODE_WARMUP=20 MEMORY_USERS=100000 TENANTS=10000 SCALE_OUT=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --users) USERS="$2"; shift 2 ;;
        --login-users) LOGIN_USERS="$2"; shift 2 ;;
        --seconds) MEASURED="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --node-warmup) NODE_WARMUP="$2"; shift 2 ;;
        --memory-users) MEMORY_USERS="$2"; shift 2 ;;
        --tenants) TENANTS="$2"; shift 2 ;;
        --scale-out) SCALE_OUT="$2"; shift 2 ;;
        -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$SCALE_OUT" == [01] ]] || { echo "bench.sh: --scale-out takes 0 or 1, not '$SCALE_OUT'" >&2; exit 2; }
for v in "$USERS" "$LOGIN_USERS" "$MEASURED" "$WARMUP" "$NODE_WARMUP" "$MEMORY_USERS" "$TENANTS"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "bench.sh: options take whole numbers, not '$v'" >&2; exit 2; }
done
(( USERS >= 1 && USERS <= 1000 && LOGIN_USERS >= 1 && LOGIN_USERS <= 1000 && MEASURED >= 1 && MEASURED <= 600 && WARMUP <= 600 && NODE_WARMUP <= 600 && MEMORY_USERS <= 1000000 && TENANTS <= 100000 )) \
    || { echo "bench.sh: --users and --login-users 1-1000, --seconds 1-600, --warmup and --node-warmup 0-600, --memory-users 0-1000000, --tenants 0-100000" >&2; exit 2; }

STARTED=$(date +%s)
say() { echo "bench.sh [$(( $(date +%s) - STARTED )) s]: $*" >&2; }

TMP="$(mktemp -d /tmp/itempath-bench.XXXXXX)"
chmod 755 "$TMP"   # PostgreSQL's user must reach its data folder below
RUN_PID="" PIDS=()
cleanup() {
    trap '' INT TERM
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
    done
    if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then kill -TERM "$RUN_PID"; wait "$RUN_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port() { scripts/pg.sh free-port; }
PG_PORT=$(port) HTTP=$(port)
export ITEMPATH_ADMIN_PASSWORD="Bench-Admin-$(head -c 9 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')-1"
URL="http://127.0.0.1:$HTTP"
PG="Host=127.0.0.1;Port=$PG_PORT;Database=itempath;Username=postgres"

say "building the benchmark's programs"
for p in LoadGenerator Baselines Peer Seeder; do
    dotnet build "bench/$p" -c Release -nologo -v q >/dev/null || { say "building bench/$p failed"; exit 1; }
done
LG=(dotnet bench/LoadGenerator/bin/Release/net10.0/LoadGenerator.dll)
BASELINES=(dotnet bench/Baselines/bin/Release/net10.0/Baselines.dll)

say "starting the service (./run.sh builds it)"
ITEMPATH_DATA_DIR="$TMP/data" ITEMPATH_PG_PORT=$PG_PORT ITEMPATH_HTTP_PORT=$HTTP \
ITEMPATH_SILO_PORT=$(port) ITEMPATH_GATEWAY_PORT=$(port) Bootstrap__AdminPassword="$ITEMPATH_ADMIN_PASSWORD" \
RateLimit__FailedLoginsPerMinute=0 RateLimit__AuthRequestsPerMinute=0 \
    ./run.sh > "$TMP/run.out" 2>&1 < /dev/null &
RUN_PID=$!
for _ in $(seq 1 360); do
    grep -qs "is running at" "$TMP/run.out" && break
    kill -0 "$RUN_PID" 2>/dev/null || { cat "$TMP/run.out" >&2; exit 1; }
    sleep 0.5
done
grep -q "is running at" "$TMP/run.out" || { cat "$TMP/run.out" >&2; exit 1; }
SILO_PID="$(ps -o pid=,args= --ppid "$RUN_PID" | awk 'index($0, "ItemPathOrleans.Silo.dll") { print $1; exit }')"
[[ -n "$SILO_PID" ]] || { say "could not find the silo under run.sh (pid $RUN_PID)"; exit 1; }
API_PID="$(ps -o pid=,args= --ppid "$RUN_PID" | awk 'index($0, "ItemPathOrleans.Api.dll") { print $1; exit }')"
[[ -n "$API_PID" ]] || { say "could not find the API node under run.sh (pid $RUN_PID)"; exit 1; }
# PostgreSQL's postmaster (pg_ctl detaches it from run.sh): its process tree is the server.
PG_PID="$(head -n 1 "$TMP/data/pg/postmaster.pid" 2>/dev/null || true)"
[[ "$PG_PID" =~ ^[0-9]+$ ]] && kill -0 "$PG_PID" 2>/dev/null || { say "could not find PostgreSQL's postmaster ($TMP/data/pg/postmaster.pid)"; exit 1; }

wait_ready() {  # wait_ready URL NAME
    for _ in $(seq 1 180); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.5; done
    say "$2 did not become ready ($1)"; exit 1
}
# The API nodes' .NET runtime settings (scripts/api-runtime.env, as ./run.sh gives them to its API
# node), for every API node started here and for the ceilings they are compared with; not the silo.
mapfile -t API_RUNTIME_ENV < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' scripts/api-runtime.env)
# Nodes beside the service, configured like its API node (same cluster, same issuer and master key).
NODE_ENV=(ConnectionStrings__ItemPath="$PG" Tokens__Issuer="$URL" Tokens__MasterKeys__0__Id=m1
    Tokens__MasterKeys__0__Secret="$(tr -d '\n' < "$TMP/data/master-key")"
    RateLimit__FailedLoginsPerMinute=0 Logging__LogLevel__Default=Warning)
start_api() {  # start_api PORT CHECK_ENABLED [MORE_ENV...]
    (cd api/ItemPathOrleans.Api/bin/Release/net10.0 && \
        exec env "${NODE_ENV[@]}" "${API_RUNTIME_ENV[@]}" Revocation__Enabled="$2" "${@:3}" dotnet ItemPathOrleans.Api.dll --urls "http://127.0.0.1:$1") > "$TMP/api-$1.log" 2>&1 &
    PIDS+=("$!")
}
CHECK_PORT=$(port) NOCHECK_PORT=$(port) OBSOFF_PORT=$(port) BARE_PORT=$(port) PEER_PORT=$(port) UP_PORT=$(port) GW_PORT=$(port) PROXY_PORT=$(port)
start_api "$CHECK_PORT" true
CHECK_PID="${PIDS[-1]}"
start_api "$NOCHECK_PORT" false
# validate-obs-off: as the node with the check, with metrics and tracing off (both on by default).
start_api "$OBSOFF_PORT" true Observability__Metrics__Enabled=false Observability__Tracing__Enabled=false
OBSOFF_PID="${PIDS[-1]}"
# The gateway rows: one route to the upstream, through an API node in proxy mode (revocation check
# on) and through the bare proxy, which runs the server GC and the runtime settings like the API node.
ROUTE='/api/stations/{**rest}' PROXIED_PATH=/api/stations/1
(cd bench/Baselines/bin/Release/net10.0 && exec dotnet Baselines.dll serve-upstream --urls "http://127.0.0.1:$UP_PORT") > "$TMP/upstream.log" 2>&1 &
PIDS+=("$!")
start_api "$GW_PORT" true Gateway__Enabled=true Gateway__Upstream="http://127.0.0.1:$UP_PORT" Gateway__Routes__0="$ROUTE"
(cd bench/Baselines/bin/Release/net10.0 && exec env "${API_RUNTIME_ENV[@]}" DOTNET_gcServer=1 dotnet Baselines.dll serve-proxy --upstream "http://127.0.0.1:$UP_PORT" \
    --route "$ROUTE" --urls "http://127.0.0.1:$PROXY_PORT") > "$TMP/proxy.log" 2>&1 &
PIDS+=("$!")
(cd bench/Baselines/bin/Release/net10.0 && exec env "${NODE_ENV[@]}" "${API_RUNTIME_ENV[@]}" dotnet Baselines.dll serve-jwt --urls "http://127.0.0.1:$BARE_PORT" --tenant default) \
    > "$TMP/bare.log" 2>&1 &
PIDS+=("$!")
PEER_USERS=$(( USERS > LOGIN_USERS ? USERS : LOGIN_USERS ))
(cd bench/Peer/bin/Release/net10.0 && ConnectionStrings__Peer="Host=127.0.0.1;Port=$PG_PORT;Database=openiddict;Username=postgres" \
    Peer__SeedUsers=$PEER_USERS Peer__SeedClients=$USERS exec dotnet Peer.dll --urls "http://127.0.0.1:$PEER_PORT") > "$TMP/peer.log" 2>&1 &
PIDS+=("$!")
wait_ready "http://127.0.0.1:$CHECK_PORT/health/ready" "the API node with the revocation check"
wait_ready "http://127.0.0.1:$NOCHECK_PORT/health/ready" "the API node without the revocation check"
wait_ready "http://127.0.0.1:$OBSOFF_PORT/health/ready" "the API node with metrics and tracing off"
[[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$OBSOFF_PORT/metrics")" == 404 ]] \
    || { say "the API node with metrics and tracing off serves /metrics"; exit 1; }
wait_ready "http://127.0.0.1:$BARE_PORT/health/ready" "the bare JWT endpoint"
wait_ready "http://127.0.0.1:$PEER_PORT/health" "the OpenIddict peer"
wait_ready "http://127.0.0.1:$UP_PORT/health/ready" "the upstream"
wait_ready "http://127.0.0.1:$GW_PORT/health/ready" "the API node in proxy mode"
wait_ready "http://127.0.0.1:$PROXY_PORT/health/ready" "the bare proxy"

admin_token() {
    curl -fsS -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
        --data-raw "{\"username\":\"admin\",\"password\":\"$ITEMPATH_ADMIN_PASSWORD\"}" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}
rotation() {
    curl -fsS -o /dev/null -X PATCH "$URL/api/tenants/default" -H "Authorization: Bearer $(admin_token)" \
        -H 'Content-Type: application/json' --data-raw "{\"refreshTokenRotation\": $1}"
}
load() {  # [LOAD_WARMUP=S] load NAME URL SCENARIO USERS [OPTIONS...]
    local warmup="${LOAD_WARMUP:-$WARMUP}"
    say "measuring $1 ($4 users, $warmup s warm-up)"
    "${LG[@]}" --url "$2" --scenario "$3" --users "$4" "${@:5}" --duration "${MEASURED_OVERRIDE:-$MEASURED}" --warmup "$warmup" \
        --out "$TMP/$1.json" > /dev/null 2> "$TMP/$1.log" || { cat "$TMP/$1.log" >&2; exit 1; }
}
# CPU time read around each measured window: the API node that serves the row, the silo, PostgreSQL.
cpu() { echo "api=$1,silo=$SILO_PID,postgres=$PG_PID"; }
# The first round of login and code-flow, or on a validation or gateway node: a longer warm-up (see --node-warmup).
first() { if (( $1 == 1 )); then echo "$NODE_WARMUP"; else echo "$WARMUP"; fi; }
psql_value() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d itempath -At -c "$1"; }
# After a bulk seeding: PostgreSQL's autovacuum would otherwise work through the rows just written
# during the measured windows (in one run 49 ms of its CPU per 1,000 validations, which write
# nothing). Settled first, as a deployment's tables are between its users' creation and their traffic.
settle_db() { psql_value "VACUUM (ANALYZE)" > /dev/null && psql_value "CHECKPOINT" > /dev/null; }

# --- login and code-flow against the hash ceiling, each at the same concurrency, interleaved twice -
# code-flow signs the same users in through the hosted page (one public client each, registered by
# its setup): authorize, the sign-in page, its form, the code redeemed, all in one operation.
# The CPU of one hash as the silo runs it, at most one per core at once (Passwords:MaxConcurrentHashes'
# default): the hash ceiling's 32 workers share the cores with more switching and cache misses per
# hash. login-hash-excluded subtracts this one.
HASH_THREADS=$(nproc)
say "measuring hash-cpu ($HASH_THREADS workers)"
"${BASELINES[@]}" hash --threads "$HASH_THREADS" --duration "$MEASURED" --warmup "$WARMUP" --out "$TMP/hash-cpu.json" > /dev/null 2> "$TMP/hash.log" \
    || { cat "$TMP/hash.log" >&2; exit 1; }
for round in 1 2; do
    say "measuring hash-ceiling-$round ($LOGIN_USERS workers)"
    "${BASELINES[@]}" hash --threads "$LOGIN_USERS" --duration "$MEASURED" --warmup "$WARMUP" --out "$TMP/hash-ceiling-$round.json" > /dev/null 2> "$TMP/hash.log" \
        || { cat "$TMP/hash.log" >&2; exit 1; }
    # Users of their own: each login opens a session, and the refresh users should not carry those.
    # The first round is the service's first load, on processes that have just started: it warms up
    # for --node-warmup like each validation node's first row (with 3 s, login's first round ran at
    # 0.47 to 0.91 of its second in the last five runs, its API node spending up to five times the CPU).
    LOAD_WARMUP=$(first $round) load "login-$round" "$URL" login "$LOGIN_USERS" --setup-parallelism 8 --user-prefix login --cpu "$(cpu "$API_PID")"
    LOAD_WARMUP=$(first $round) load "code-flow-$round" "$URL" code-flow "$LOGIN_USERS" --setup-parallelism 8 --user-prefix login
done
load peer-login "http://127.0.0.1:$PEER_PORT" peer-login "$LOGIN_USERS"

# --- refresh against the write ceiling and the peer ------------------------------------------------
rotation false
load refresh-rotation-off "$URL" refresh "$USERS" --setup-parallelism 8 --cpu "$(cpu "$API_PID")"
rotation true
load refresh-rotation-on "$URL" refresh "$USERS" --setup-parallelism 8 --cpu "$(cpu "$API_PID")"
rotation false
# The ceiling's state is the size of the bench users' own stored state at this point.
STATE_BYTES=$(psql_value "SELECT COALESCE(round(avg(octet_length(s.payloadbinary))), 600) FROM orleansstorage s
    JOIN itempath_users u ON s.grainidextensionstring = u.tenant || '/' || u.id
    WHERE s.graintypestring = 'user' AND s.serviceid = 'itempath' AND u.username LIKE 'bench-____'")
say "measuring pg-write-ceiling ($USERS grains, $STATE_BYTES bytes of state)"
"${BASELINES[@]}" pg-writes --connection "$PG" --grains "$USERS" --state-bytes "$STATE_BYTES" --duration "$MEASURED" --warmup "$WARMUP" \
    --out "$TMP/pg-write-ceiling.json" > /dev/null 2> "$TMP/pg-writes.log" || { cat "$TMP/pg-writes.log" >&2; exit 1; }
load peer-refresh "http://127.0.0.1:$PEER_PORT" peer-refresh "$USERS"

# --- client_credentials against the peer, interleaved twice ----------------------------------------
# One registered client per virtual user on each side (client_secret_basic, scope bench:read). The
# ItemPath clients have no rateLimitPerMinute (none: no per-client quota) and the node's
# RateLimit__AuthRequestsPerMinute is 0 (off), so nothing throttles the run.
for round in 1 2; do
    load "client-credentials-$round" "$URL" client-credentials "$USERS" --setup-parallelism 8
    load "peer-client-credentials-$round" "http://127.0.0.1:$PEER_PORT" peer-client-credentials "$USERS" --setup-parallelism 8
done

# --- validation: with the check, /api/auth/verify, observability off, without the check, bare; -----
# interleaved four times (they share two cores; their targets are within a few percent of each
# other, and on this machine one node's CPU per request swings by up to 40% between two 8 s windows
# of the same load). Each node's first row warms up for --node-warmup (verify runs on the node
# validate has just warmed).
for round in 1 2 3 4; do
    LOAD_WARMUP=$(first $round) load "validate-$round" "http://127.0.0.1:$CHECK_PORT" validate "$USERS" --admin-url "$URL" --cpu "$(cpu "$CHECK_PID")"
    load "verify-$round" "http://127.0.0.1:$CHECK_PORT" validate "$USERS" --admin-url "$URL" --path /api/auth/verify --cpu "$(cpu "$CHECK_PID")"
    LOAD_WARMUP=$(first $round) load "validate-obs-off-$round" "http://127.0.0.1:$OBSOFF_PORT" validate "$USERS" --admin-url "$URL" --cpu "$(cpu "$OBSOFF_PID")"
    LOAD_WARMUP=$(first $round) load "validate-nocheck-$round" "http://127.0.0.1:$NOCHECK_PORT" validate "$USERS" --admin-url "$URL"
    LOAD_WARMUP=$(first $round) load "validate-bare-$round" "http://127.0.0.1:$BARE_PORT" validate "$USERS" --admin-url "$URL"
done
load validate-app "http://127.0.0.1:$CHECK_PORT" validate-app "$USERS" --admin-url "$URL" --setup-parallelism 8

# --- the gateway: through the API node in proxy mode and through the bare proxy; interleaved twice -
# proxied: each virtual user's own access token, validated and checked before YARP forwards it;
# proxy-bare: the same request without a token through the same YARP route. The upstream alone last.
for round in 1 2; do
    LOAD_WARMUP=$(first $round) load "proxied-$round" "http://127.0.0.1:$GW_PORT" validate "$USERS" --admin-url "$URL" --path "$PROXIED_PATH" --setup-parallelism 8
    LOAD_WARMUP=$(first $round) load "proxy-bare-$round" "http://127.0.0.1:$PROXY_PORT" no-token "$USERS" --path "$PROXIED_PATH"
done
load upstream-direct "http://127.0.0.1:$UP_PORT" no-token "$USERS" --path "$PROXIED_PATH"

# --- memory ---------------------------------------------------------------------------------------
SEEDER=(dotnet bench/Seeder/bin/Release/net10.0/Seeder.dll --connection "$PG")
say "measuring stored state per user (100 users with 10 sessions each, tenant 'mem')"
curl -fsS -o /dev/null -X POST "$URL/api/tenants" -H "Authorization: Bearer $(admin_token)" -H 'Content-Type: application/json' \
    --data-raw "{\"id\":\"mem\",\"name\":\"Memory\",\"adminUsername\":\"boss\",\"adminPassword\":\"$ITEMPATH_ADMIN_PASSWORD\"}"
"${SEEDER[@]}" --tenant mem --users 100 --sessions 10 --prefix ten > /dev/null 2> "$TMP/seed-mem.log" || { cat "$TMP/seed-mem.log" >&2; exit 1; }
# One user: its user grain row (profile, hash, sessions), its username grain row, its directory row.
psql_value "SELECT json_build_object(
    'users', (SELECT count(*) FROM orleansstorage WHERE graintypestring = 'user' AND grainidextensionstring LIKE 'mem/%' AND grainidextensionstring <> 'mem/1'),
    'userStateBytes', (SELECT round(avg(octet_length(payloadbinary))) FROM orleansstorage WHERE graintypestring = 'user' AND grainidextensionstring LIKE 'mem/%' AND grainidextensionstring <> 'mem/1'),
    'userRowBytes', (SELECT round(avg(pg_column_size(s.*))) FROM orleansstorage s WHERE graintypestring = 'user' AND grainidextensionstring LIKE 'mem/%' AND grainidextensionstring <> 'mem/1'),
    'nameRowBytes', (SELECT round(avg(pg_column_size(s.*))) FROM orleansstorage s WHERE graintypestring = 'name' AND grainidextensionstring LIKE 'mem/%'),
    'directoryRowBytes', (SELECT round(avg(pg_column_size(d.*))) FROM itempath_users d WHERE tenant = 'mem'))" > "$TMP/memory-state.json"

MEMORY_SECONDS=0
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
SILO_IDLE_KIB=$(kib "$SILO_PID" VmRSS)
if (( MEMORY_USERS > 0 )); then
    say "measuring the silo's working set with $MEMORY_USERS users active (one session each)"
    T0=$(date +%s)
    # Seeding is setup, not measurement: commits need not wait for the disk meanwhile.
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d itempath -Aqt -c "ALTER SYSTEM SET synchronous_commit = off" -c "SELECT pg_reload_conf()" > /dev/null
    "${SEEDER[@]}" --tenant default --users "$MEMORY_USERS" --sessions 1 --prefix act --parallelism 64 > "$TMP/seed-active.json" 2> "$TMP/seed-active.log" \
        || { cat "$TMP/seed-active.log" >&2; exit 1; }
    MEMORY_SECONDS=$(( $(date +%s) - T0 ))
fi
printf '{"activeUsers":%s,"siloIdleKib":%s,"siloRssKib":%s,"siloPeakKib":%s,"seedSeconds":%s}\n' \
    "$MEMORY_USERS" "$SILO_IDLE_KIB" "$(kib "$SILO_PID" VmRSS)" "$(kib "$SILO_PID" VmHWM)" "$MEMORY_SECONDS" > "$TMP/memory-active.json"

# --- many tenants ---------------------------------------------------------------------------------
# --tenants tenants with TENANT_USERS users each through the bulk path (bench/Seeder --tenants), then
# refresh (rotation off, the tenants' default) and validate spread over all of them, each virtual
# user on its own slice of the sessions the seeder opened (one per tenant), each request in its
# session's tenant; on the same nodes as refresh-rotation-off and validate. Memory per idle tenant:
# the managed heap of the silo and of the validate node after a full collection (dotnet-gcdump,
# which induces one), before and after the tenants were created and each resolved once by the node.
TENANT_USERS=10
if (( TENANTS > 0 )); then
    T0=$(date +%s)
    dotnet tool restore > /dev/null || { say "dotnet tool restore (dotnet-gcdump) failed"; exit 1; }
    # heap PID: the bytes of live objects on the managed heap, after the full collection gcdump induces.
    heap() {
        local bytes
        bytes=$(dotnet dotnet-gcdump report -p "$1" 2> /dev/null | awk '/GC Heap bytes/ { gsub(/[^0-9]/, "", $1); print $1; exit }')
        echo "${bytes:-null}"
    }
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d itempath -Aqt -c "ALTER SYSTEM SET synchronous_commit = off" -c "SELECT pg_reload_conf()" > /dev/null
    SILO_HEAP0=$(heap "$SILO_PID") API_HEAP0=$(heap "$CHECK_PID") SILO_RSS0=$(kib "$SILO_PID" VmRSS) API_RSS0=$(kib "$CHECK_PID" VmRSS)
    say "seeding $TENANTS tenants (bulk path, each with its admin)"
    "${SEEDER[@]}" --tenants "$TENANTS" --users-per-tenant 1 --tenant-sessions 0 --parallelism 64 > "$TMP/seed-tenants.json" 2> "$TMP/seed-tenants.log" \
        || { cat "$TMP/seed-tenants.log" >&2; exit 1; }
    # Each tenant resolved once by the validate node: GET /api/users/me without a token (the tenant
    # is resolved, no user is touched; 401).
    cat > "$TMP/touch.py" <<'PY'
import http.client, sys, threading
port, prefix, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
statuses, lock, ids = {}, threading.Lock(), iter(range(1, count + 1))
def worker():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while True:
        with lock:
            n = next(ids, None)
        if n is None:
            break
        conn.request("GET", "/api/users/me", headers={"X-Tenant": f"{prefix}-{n:05d}"})
        r = conn.getresponse(); r.read()
        with lock:
            statuses[r.status] = statuses.get(r.status, 0) + 1
threads = [threading.Thread(target=worker) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(" ".join(f"{k}:{v}" for k, v in sorted(statuses.items())))
PY
    TOUCHED=$(python3 "$TMP/touch.py" "$CHECK_PORT" ten "$TENANTS")
    [[ "$TOUCHED" == "401:$TENANTS" ]] || { say "resolving each tenant once answered $TOUCHED, not 401:$TENANTS"; exit 1; }
    SILO_HEAP1=$(heap "$SILO_PID") API_HEAP1=$(heap "$CHECK_PID") SILO_RSS1=$(kib "$SILO_PID" VmRSS) API_RSS1=$(kib "$CHECK_PID" VmRSS)
    # The tenant list as the console reads it (20 a page): the first page and the last, at this many
    # tenants; the median of 30 requests each, after 5 unmeasured ones, by the operator's admin.
    cat > "$TMP/list.py" <<'PY'
import http.client, json, statistics, sys, time
from urllib.parse import urlsplit
url, token, count = urlsplit(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
def median_ms(page):
    times = []
    for i in range(35):
        t0 = time.perf_counter()
        conn.request("GET", f"/api/tenants?limit=20&page={page}", headers={"Authorization": f"Bearer {token}"})
        r = conn.getresponse(); body = r.read()
        if r.status != 200 or json.loads(body)["total"] < count: raise SystemExit(f"GET /api/tenants page {page}: {r.status} {body[:200]!r}")
        if i >= 5: times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)
total = json.loads((conn.request("GET", "/api/tenants?limit=1", headers={"Authorization": f"Bearer {token}"}), conn.getresponse().read())[1])["total"]
print(json.dumps({"tenants": total, "firstPageMs": median_ms(0), "lastPageMs": median_ms((total - 1) // 20)}))
PY
    python3 "$TMP/list.py" "$URL" "$(admin_token)" "$TENANTS" > "$TMP/tenant-list.json" || { say "timing the tenant list failed"; exit 1; }
    say "seeding $(( TENANT_USERS - 1 )) more users in each tenant, one session per tenant"
    "${SEEDER[@]}" --tenants "$TENANTS" --users-per-tenant "$TENANT_USERS" --tenant-sessions 1 --parallelism 64 --tokens "$TMP/tenant-tokens.tsv" \
        > "$TMP/seed-tenant-users.json" 2> "$TMP/seed-tenant-users.log" || { cat "$TMP/seed-tenant-users.log" >&2; exit 1; }
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d itempath -Aqt -c "ALTER SYSTEM RESET synchronous_commit" -c "SELECT pg_reload_conf()" > /dev/null
    SEED_SECONDS=$(( $(date +%s) - T0 ))
    # What a tenant stores besides its users: its tenant grain's row, and the catalog's one row (all tenants).
    psql_value "SELECT json_build_object(
        'tenantRowBytes', (SELECT round(avg(pg_column_size(s.*))) FROM orleansstorage s WHERE graintypestring = 'tenant' AND grainidextensionstring LIKE 'ten-%'),
        'catalogRowBytes', (SELECT max(pg_column_size(s.*)) FROM orleansstorage s WHERE graintypestring = 'catalog'),
        'userRowBytes', (SELECT round(avg(pg_column_size(s.*))) FROM orleansstorage s WHERE graintypestring = 'user' AND grainidextensionstring LIKE 'ten-%'),
        'rows', (SELECT count(*) FROM orleansstorage WHERE grainidextensionstring LIKE 'ten-%') + (SELECT count(*) FROM itempath_users WHERE tenant LIKE 'ten-%'))" \
        > "$TMP/tenant-rows.json"
    # The seeding has just written some 400,000 rows.
    settle_db
    # At least 10 s of warm-up: a node's first request in each tenant loads the tenant's copy, and
    # each session's first refresh or check is a grain call; the window measures what follows.
    TENANT_WARMUP=$(( WARMUP > 10 ? WARMUP : 10 ))
    # Each row over all the tenants side by side with the same load on the single-tenant rows' bench
    # users (refresh-rotation-off's and validate's, on the same nodes), interleaved twice: the
    # targets compare them, not rows measured a quarter of an hour earlier on a machine whose
    # rates drift by a factor of two between such windows.
    for round in 1 2; do
        LOAD_WARMUP=$TENANT_WARMUP load "tenants-refresh-$round" "$URL" refresh "$USERS" --tokens "$TMP/tenant-tokens.tsv" --cpu "$(cpu "$API_PID")"
        load "refresh-one-tenant-$round" "$URL" refresh "$USERS" --setup-parallelism 8 --cpu "$(cpu "$API_PID")"
        LOAD_WARMUP=$TENANT_WARMUP load "tenants-validate-$round" "http://127.0.0.1:$CHECK_PORT" validate "$USERS" --tokens "$TMP/tenant-tokens.tsv" --cpu "$(cpu "$CHECK_PID")"
        load "validate-one-tenant-$round" "http://127.0.0.1:$CHECK_PORT" validate "$USERS" --admin-url "$URL" --cpu "$(cpu "$CHECK_PID")"
    done
    # The sessions apart from the tenants: as many sessions as tenants, all in the default tenant
    # (one user each, seeded like the tenants' users), the same load on the same node right after.
    say "seeding $TENANTS users in the default tenant, one session each"
    "${SEEDER[@]}" --tenant default --users "$TENANTS" --sessions 1 --prefix spread --parallelism 64 --tokens "$TMP/spread-tokens.tsv" \
        > "$TMP/seed-spread.json" 2> "$TMP/seed-spread.log" || { cat "$TMP/seed-spread.log" >&2; exit 1; }
    settle_db
    LOAD_WARMUP=$TENANT_WARMUP load validate-spread "http://127.0.0.1:$CHECK_PORT" validate "$USERS" --tokens "$TMP/spread-tokens.tsv" --cpu "$(cpu "$CHECK_PID")"
    printf '{"tenants":%s,"usersPerTenant":%s,"seedSeconds":%s,"phaseSeconds":%s,"siloHeap":[%s,%s],"apiHeap":[%s,%s],"siloRssKib":[%s,%s],"apiRssKib":[%s,%s],"tenantSeed":%s,"userSeed":%s,"stored":%s,"list":%s}\n' \
        "$TENANTS" "$TENANT_USERS" "$SEED_SECONDS" $(( $(date +%s) - T0 )) "$SILO_HEAP0" "$SILO_HEAP1" "$API_HEAP0" "$API_HEAP1" \
        "$SILO_RSS0" "$SILO_RSS1" "$API_RSS0" "$API_RSS1" "$(cat "$TMP/seed-tenants.json")" "$(cat "$TMP/seed-tenant-users.json")" "$(cat "$TMP/tenant-rows.json")" \
        "$(cat "$TMP/tenant-list.json")" > "$TMP/tenants.json"
fi

# --- scale-out: refresh and validate on one silo and one API node, then on two of each -------------
# Last, so no earlier row or memory figure shares a silo. First the rows on the service as it is
# (./run.sh's silo, and the API node of validate, configured as the two below), with users of their
# own. Then a silo is added as to a running service: half of the next rows' users are already active
# (on the first silo), a second silo joins, two new API nodes start (they find both silos' gateways
# when they connect), and the same rows run over both nodes (virtual user i on node i mod 2); the
# other half's grains are placed when first called (Orleans' resource-optimised placement: the new,
# idle silo takes them). On one machine's two cores no gain is expected: the point is that nothing
# gets worse and that the load spreads. Where the grains are: `./run.sh admin grains`.
if (( SCALE_OUT == 1 )); then
    one_node() {  # one_node ROUND: the one-node rows, before the second silo joins and after it left
        LOAD_WARMUP=$NODE_WARMUP load "refresh-one-node-$1" "http://127.0.0.1:$CHECK_PORT" refresh "$USERS" --admin-url "$URL" \
            --setup-parallelism 8 --user-prefix sone --cpu "$(cpu "$CHECK_PID")"
        load "validate-one-node-$1" "http://127.0.0.1:$CHECK_PORT" validate "$USERS" --admin-url "$URL" --user-prefix sone --cpu "$(cpu "$CHECK_PID")"
    }
    one_node 1
    # The first half of the two-node rows' users are active before the second silo joins (their
    # grains on the first silo), as a running service's users are when a silo is added.
    LOAD_WARMUP=0 MEASURED_OVERRIDE=1 load scale-out-setup "http://127.0.0.1:$CHECK_PORT" validate "$(( (USERS + 1) / 2 ))" --admin-url "$URL" --user-prefix stwo
    say "a second silo joins the cluster"
    SILO2_PORT=$(port) SILO2_GATEWAY=$(port)
    (cd silo/ItemPathOrleans.Silo/bin/Release/net10.0 && exec env "${NODE_ENV[@]}" Orleans__SiloPort="$SILO2_PORT" \
        Orleans__GatewayPort="$SILO2_GATEWAY" dotnet ItemPathOrleans.Silo.dll) > "$TMP/silo-2.log" 2>&1 &
    PIDS+=("$!")
    SILO2_PID="${PIDS[-1]}"
    grains() { (cd silo/ItemPathOrleans.Silo/bin/Release/net10.0 && ConnectionStrings__ItemPath="$PG" dotnet ItemPathOrleans.Silo.dll admin grains); }
    for _ in $(seq 1 120); do
        (( $(grains 2>/dev/null | awk -F '\t' '$2 == "total"' | wc -l) == 2 )) && break
        kill -0 "$SILO2_PID" 2>/dev/null || { cat "$TMP/silo-2.log" >&2; exit 1; }
        sleep 1
    done
    (( $(grains | awk -F '\t' '$2 == "total"' | wc -l) == 2 )) || { say "the second silo did not join"; tail -n 30 "$TMP/silo-2.log" >&2; exit 1; }
    grains > "$TMP/grains-before.tsv"
    TWO_A=$(port) TWO_B=$(port)
    start_api "$TWO_A" true
    TWO_A_PID="${PIDS[-1]}"
    start_api "$TWO_B" true
    TWO_B_PID="${PIDS[-1]}"
    wait_ready "http://127.0.0.1:$TWO_A/health/ready" "the first API node of two"
    wait_ready "http://127.0.0.1:$TWO_B/health/ready" "the second API node of two"
    TWO_CPU="api=$TWO_A_PID,api2=$TWO_B_PID,silo=$SILO_PID,silo2=$SILO2_PID,postgres=$PG_PID"
    # Three processes just started compile their hot paths at once on the same cores: one unmeasured
    # pass of the load over both nodes first (the first measured refresh over them, after 20 s of
    # warm-up alone, ran at 0.60 of one node where warmed processes ran at 0.93).
    LOAD_WARMUP=$NODE_WARMUP MEASURED_OVERRIDE=1 load scale-out-warmup "http://127.0.0.1:$TWO_A" refresh "$USERS" \
        --also-url "http://127.0.0.1:$TWO_B" --admin-url "$URL" --setup-parallelism 8 --user-prefix stwo
    # Two rounds of the two-node rows, as the one-node rows have one on either side: each side of
    # the comparison is the mean of two windows (one window alone moved the ratio by up to 0.2).
    two_nodes() {  # two_nodes ROUND
        LOAD_WARMUP=$(first "$1") load "refresh-two-nodes-$1" "http://127.0.0.1:$TWO_A" refresh "$USERS" --also-url "http://127.0.0.1:$TWO_B" \
            --admin-url "$URL" --setup-parallelism 8 --user-prefix stwo --cpu "$TWO_CPU"
        load "validate-two-nodes-$1" "http://127.0.0.1:$TWO_A" validate "$USERS" --also-url "http://127.0.0.1:$TWO_B" \
            --admin-url "$URL" --user-prefix stwo --cpu "$TWO_CPU"
    }
    two_nodes 1
    two_nodes 2
    grains > "$TMP/grains-after.tsv"
    # The one-node rows once more when the second silo and the two API nodes have stopped (the silo
    # leaves the cluster as in a scale-in): the two-node rows are compared with the mean of the
    # one-node rows on either side of them, not with a window minutes earlier alone.
    say "the second silo and the two API nodes stop"
    for pid in "$TWO_A_PID" "$TWO_B_PID" "$SILO2_PID"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    for _ in $(seq 1 120); do
        (( $(grains 2>/dev/null | awk -F '\t' '$2 == "total"' | wc -l) == 1 )) && break
        sleep 1
    done
    (( $(grains | awk -F '\t' '$2 == "total"' | wc -l) == 1 )) || { say "the second silo did not leave the cluster"; exit 1; }
    one_node 2
fi

# --- the table, the ratios, latest.json -----------------------------------------------------------
mkdir -p bench/results
python3 bench/report.py "$TMP" bench/results/latest.json \
    --users "$USERS" --login-users "$LOGIN_USERS" --seconds "$MEASURED" --warmup "$WARMUP" --node-warmup "$NODE_WARMUP" --scale-out "$SCALE_OUT" --elapsed $(( $(date +%s) - STARTED ))
