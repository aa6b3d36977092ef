#!/usr/bin/env bash
# Sessions benchmark, side by side in one run on this machine:
#   - refresh with rotation off against refresh with rotation on (a durable write per refresh)
#   - GET /api/users/me with the revocation check against the same with the check off
#     (interleaved, twice each, averaged)
# Starts its own service (./run.sh in a throwaway folder, free ports) plus two more API nodes on
# the same silo, one with Revocation__Enabled=false, runs the load generator against each, prints a
# table with the ratios, writes bench/results/sessions.json, and stops everything it started.
#
#   bench/sessions.sh [USERS] [SECONDS]        (defaults: 64 users, 15 s after a 5 s warm-up)
# shellcheck disable=SC2317  # cleanup runs from a trap
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
USERS="${1:-64}"
SECONDS_MEASURED="${2:-15}"

say() { echo "sessions.sh: $*" >&2; }

TMP="$(mktemp -d /tmp/itempath-bench.XXXXXX)"
chmod 755 "$TMP"
RUN_PID="" API_PIDS=()
cleanup() {
    trap '' INT TERM
    for pid in "${API_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
    done
    if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then kill -TERM "$RUN_PID"; wait "$RUN_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port() { scripts/pg.sh free-port; }
PG_PORT=$(port) HTTP=$(port) HTTP2=$(port) HTTP3=$(port)
export ITEMPATH_ADMIN_PASSWORD="Bench-Admin-$(head -c 9 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')-1"
URL="http://127.0.0.1:$HTTP"

say "building"
dotnet build bench/LoadGenerator -c Release -nologo -v q >/dev/null
LG=(dotnet bench/LoadGenerator/bin/Release/net10.0/LoadGenerator.dll)

say "starting the service"
ITEMPATH_DATA_DIR="$TMP/data" ITEMPATH_PG_PORT=$PG_PORT ITEMPATH_HTTP_PORT=$HTTP \
ITEMPATH_SILO_PORT=$(port) ITEMPATH_GATEWAY_PORT=$(port) Bootstrap__AdminPassword="$ITEMPATH_ADMIN_PASSWORD" \
    ./run.sh > "$TMP/run.out" 2>&1 < /dev/null &
RUN_PID=$!
for _ in $(seq 1 240); do
    grep -q "is running at" "$TMP/run.out" && break
    kill -0 "$RUN_PID" 2>/dev/null || { cat "$TMP/run.out" >&2; exit 1; }
    sleep 0.5
done
grep -q "is running at" "$TMP/run.out" || { cat "$TMP/run.out" >&2; exit 1; }

# Two more API nodes on the same cluster, started alike, one with the revocation check and one
# without, so the comparison is between two equal processes.
start_api() {  # start_api PORT CHECK_ENABLED
    (cd api/ItemPathOrleans.Api/bin/Release/net10.0 && \
        ConnectionStrings__ItemPath="Host=127.0.0.1;Port=$PG_PORT;Database=itempath;Username=postgres" \
        Tokens__Issuer="$URL" Tokens__MasterKeys__0__Id=m1 Tokens__MasterKeys__0__Secret="$(tr -d '\n' < "$TMP/data/master-key")" \
        Revocation__Enabled="$2" exec dotnet ItemPathOrleans.Api.dll --urls "http://127.0.0.1:$1") > "$TMP/api-$1.log" 2>&1 &
    API_PIDS+=("$!")
    for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$1/health/ready" 2>/dev/null && return 0; sleep 0.5; done
    say "the API node on port $1 did not become ready"; exit 1
}
start_api "$HTTP2" true
start_api "$HTTP3" false

admin_token() {
    curl -fsS -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
        --data-raw "{\"username\":\"admin\",\"password\":\"$ITEMPATH_ADMIN_PASSWORD\"}" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}
rotation() {
    curl -fsS -o /dev/null -X PATCH "$URL/api/tenants/default" -H "Authorization: Bearer $(admin_token)" \
        -H 'Content-Type: application/json' --data-raw "{\"refreshTokenRotation\": $1}"
}
run() {  # run NAME URL SCENARIO [OPTIONS...]
    say "measuring $1"
    "${LG[@]}" --url "$2" --scenario "$3" "${@:4}" --users "$USERS" --duration "$SECONDS_MEASURED" --warmup 5 --out "$TMP/$1.json" >/dev/null
}

rotation false
run refresh-rotation-off "$URL" refresh
rotation true
run refresh-rotation-on "$URL" refresh
rotation false
# Interleaved twice: the two API nodes share two cores with the silo and the generator.
for round in 1 2; do
    run "validate-$round" "http://127.0.0.1:$HTTP2" validate
    run "validate-nocheck-$round" "http://127.0.0.1:$HTTP3" validate --admin-url "$URL"
done

mkdir -p bench/results
python3 - "$TMP" "$USERS" <<'PY'
import json, sys, os
tmp, users = sys.argv[1], sys.argv[2]
def load(n): return json.load(open(os.path.join(tmp, n + ".json")))
def mean(n):
    a, b = load(n + "-1"), load(n + "-2")
    return {k: (a[k] + b[k]) / 2 if isinstance(a[k], (int, float)) and k not in ("users", "durationSeconds") else a[k] for k in a}
names = ["refresh-rotation-off", "refresh-rotation-on", "validate", "validate-nocheck"]
r = {"refresh-rotation-off": load("refresh-rotation-off"), "refresh-rotation-on": load("refresh-rotation-on"),
     "validate": mean("validate"), "validate-nocheck": mean("validate-nocheck")}
ratios = {
    "refresh rotation on / off": r["refresh-rotation-on"]["opsPerSec"] / r["refresh-rotation-off"]["opsPerSec"],
    "validate with check / without": r["validate"]["opsPerSec"] / r["validate-nocheck"]["opsPerSec"],
}
print(f"{'scenario':24} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}   ({users} users)")
for n in names:
    x = r[n]
    print(f"{n:24} {x['opsPerSec']:9.0f} {x['p50Ms']:8.2f} {x['p99Ms']:8.2f} {int(x['errors']):7d}")
for k, v in ratios.items():
    print(f"ratio {k}: {v:.2f}")
json.dump({"scenarios": r, "ratios": ratios}, open("bench/results/sessions.json", "w"), indent=2)
PY
