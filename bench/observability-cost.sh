#!/usr/bin/env bash
# What metrics and tracing cost an API node: GET /api/users/me (the validate scenario) against two
# API nodes of one service, one with the defaults (metrics, tracing and the API reference on) and
# one with all three off, interleaved twice on the same machine; prints one line per run.
#
#   bench/observability-cost.sh [USERS] [SECONDS]     (default 64 users, 8 s after 3 s of warm-up)
#
# Starts its own service (./run.sh) in a throwaway folder on free loopback ports and stops it after.
# shellcheck disable=SC2317  # cleanup runs from the EXIT trap
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
USERS="${1:-64}" MEASURED="${2:-8}" WARMUP=3
say() { echo "observability-cost: $*" >&2; }
port() { scripts/pg.sh free-port; }

TMP="$(mktemp -d /tmp/itempath-obs-cost.XXXXXX)"
chmod 755 "$TMP"  # PostgreSQL runs as its own user under it
PIDS=()
cleanup() {
    trap '' INT TERM
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    scripts/pg.sh stop "$TMP/data/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet build bench/LoadGenerator -c Release -nologo -v q >/dev/null || { say "building bench/LoadGenerator failed"; exit 1; }
PG_PORT=$(port) HTTP=$(port)
export ITEMPATH_ADMIN_PASSWORD="Obs-Cost-Admin-$(head -c 9 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')-1"
URL="http://127.0.0.1:$HTTP"
ITEMPATH_DATA_DIR="$TMP/data" ITEMPATH_PG_PORT=$PG_PORT ITEMPATH_HTTP_PORT=$HTTP \
ITEMPATH_SILO_PORT=$(port) ITEMPATH_GATEWAY_PORT=$(port) Bootstrap__AdminPassword="$ITEMPATH_ADMIN_PASSWORD" \
RateLimit__FailedLoginsPerMinute=0 RateLimit__AuthRequestsPerMinute=0 \
    ./run.sh > "$TMP/run.out" 2>&1 < /dev/null &
PIDS+=("$!")
for _ in $(seq 1 360); do grep -qs "is running at" "$TMP/run.out" && break; sleep 0.5; done
grep -q "is running at" "$TMP/run.out" || { cat "$TMP/run.out" >&2; exit 1; }

# The API nodes' .NET runtime settings (scripts/api-runtime.env, as ./run.sh gives them to its API
# node), for both nodes started here.
mapfile -t API_RUNTIME_ENV < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' scripts/api-runtime.env)
NODE_ENV=("${API_RUNTIME_ENV[@]}" ConnectionStrings__ItemPath="Host=127.0.0.1;Port=$PG_PORT;Database=itempath;Username=postgres"
    Tokens__Issuer="$URL" Tokens__MasterKeys__0__Id=m1 Tokens__MasterKeys__0__Secret="$(tr -d '\n' < "$TMP/data/master-key")"
    RateLimit__FailedLoginsPerMinute=0 Logging__LogLevel__Default=Warning)
start_api() {  # start_api PORT OBSERVABILITY(true|false)
    (cd api/ItemPathOrleans.Api/bin/Release/net10.0 && exec env "${NODE_ENV[@]}" \
        Observability__Metrics__Enabled="$2" Observability__Tracing__Enabled="$2" Observability__ApiReference="$2" \
        dotnet ItemPathOrleans.Api.dll --urls "http://127.0.0.1:$1") > "$TMP/api-$1.log" 2>&1 &
    PIDS+=("$!")
}
ON=$(port) OFF=$(port)
start_api "$ON" true
start_api "$OFF" false
for p in "$ON" "$OFF"; do
    for _ in $(seq 1 180); do curl -fsS -o /dev/null "http://127.0.0.1:$p/health/ready" 2>/dev/null && break; sleep 0.5; done
done
curl -fsS -o /dev/null "http://127.0.0.1:$ON/metrics" || { say "the node with observability on serves no /metrics"; exit 1; }
[[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$OFF/metrics")" == 404 ]] || { say "the node with observability off serves /metrics"; exit 1; }

for round in 1 2; do
    for node in on off; do
        p=$ON; [[ $node == off ]] && p=$OFF
        dotnet bench/LoadGenerator/bin/Release/net10.0/LoadGenerator.dll --scenario validate --url "http://127.0.0.1:$p" \
            --admin-url "$URL" --users "$USERS" --duration "$MEASURED" --warmup "$WARMUP" --setup-parallelism 8 \
            > "$TMP/$node-$round.json" 2> "$TMP/$node-$round.log" || { cat "$TMP/$node-$round.log" >&2; exit 1; }
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("observability %-3s round %s: %9.1f ops/s  p50 %.2f ms  p99 %.2f ms  errors %s" % (sys.argv[2], sys.argv[3], d["opsPerSec"], d["p50Ms"], d["p99Ms"], d["errors"]))' \
            "$TMP/$node-$round.json" "$node" "$round"
    done
done
