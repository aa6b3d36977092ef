#!/usr/bin/env bash
# Sessions benchmark, side by side in one run on this machine:
#   - refresh with rotation off against refresh with rotation on (a durable write per refresh)
#   - GET /api/users/me with the revocation check against the same with the check off
# Starts its own service (./run.sh in a throwaway folder, free ports) plus a second API node on
# the same silo with Revocation__Enabled=false, runs the load generator against each, prints a
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
RUN_PID="" API2_PID=""
cleanup() {
    trap '' INT TERM
    if [[ -n "$API2_PID" ]] && kill -0 "$API2_PID" 2>/dev/null; then kill -TERM "$API2_PID"; wait "$API2_PID" 2>/dev/null || true; fi
    if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then kill -TERM "$RUN_PID"; wait "$RUN_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port() { scripts/pg.sh free-port; }
PG_PORT=$(port) HTTP=$(port) HTTP2=$(port)
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

# A second API node on the same cluster, with the revocation check off.
(cd api/ItemPathOrleans.Api/bin/Release/net10.0 && \
    ConnectionStrings__ItemPath="Host=127.0.0.1;Port=$PG_PORT;Database=itempath;Username=postgres" \
    Tokens__Issuer="$URL" Tokens__MasterKeys__0__Id=m1 Tokens__MasterKeys__0__Secret="$(tr -d '\n' < "$TMP/data/master-key")" \
    Revocation__Enabled=false exec dotnet ItemPathOrleans.Api.dll --urls "http://127.0.0.1:$HTTP2") > "$TMP/api2.log" 2>&1 &
API2_PID=$!
for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$HTTP2/health/ready" 2>/dev/null && break; sleep 0.5; done

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
run validate "$URL" validate
run validate-nocheck "http://127.0.0.1:$HTTP2" validate --admin-url "$URL"

mkdir -p bench/results
python3 - "$TMP" "$USERS" <<'PY'
import json, sys, os
tmp, users = sys.argv[1], sys.argv[2]
names = ["refresh-rotation-off", "refresh-rotation-on", "validate", "validate-nocheck"]
r = {n: json.load(open(os.path.join(tmp, n + ".json"))) for n in names}
ratios = {
    "refresh rotation on / off": r["refresh-rotation-on"]["opsPerSec"] / r["refresh-rotation-off"]["opsPerSec"],
    "validate with check / without": r["validate"]["opsPerSec"] / r["validate-nocheck"]["opsPerSec"],
}
print(f"{'scenario':24} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}   ({users} users)")
for n in names:
    x = r[n]
    print(f"{n:24} {x['opsPerSec']:9.0f} {x['p50Ms']:8.2f} {x['p99Ms']:8.2f} {x['errors']:7d}")
for k, v in ratios.items():
    print(f"ratio {k}: {v:.2f}")
json.dump({"scenarios": r, "ratios": ratios}, open("bench/results/sessions.json", "w"), indent=2)
PY
