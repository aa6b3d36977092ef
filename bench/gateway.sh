#!/usr/bin/env bash
# What the gateway costs, side by side in one run on loopback:
#   upstream-direct   GET /api/stations/1 straight at the upstream (bench/Baselines serve-upstream)
#   gateway-proxy     the same request through an API node in proxy mode (token validated,
#                     revocation check from its cache, identity headers, forwarded by YARP)
#   verify            GET /api/auth/verify on that node (what an nginx auth_request costs)
#   me                GET /api/users/me on that node (a protected endpoint with a grain call)
# Two interleaved rounds of each, averaged; each virtual user has its own access token.
#
#   bench/gateway.sh [--users N (64)] [--seconds S (8)] [--warmup S (3)]
#
# Starts ./run.sh (PostgreSQL, a silo, an API node) in a throwaway folder on free ports, plus the
# upstream and the gateway node, and stops them all at the end. Prints a table with the ratios
# and writes it to bench/results/gateway.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

USERS=64 MEASURED=8 WARMUP=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --users) USERS="$2"; shift 2 ;;
        --seconds) MEASURED="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "gateway.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for v in "$USERS" "$MEASURED" "$WARMUP"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "gateway.sh: options take whole numbers, not '$v'" >&2; exit 2; }
done
(( USERS >= 1 && USERS <= 1000 && MEASURED >= 1 && MEASURED <= 600 && WARMUP <= 600 )) \
    || { echo "gateway.sh: --users 1-1000, --seconds 1-600, --warmup 0-600" >&2; exit 2; }

STARTED=$(date +%s)
say() { echo "gateway.sh [$(( $(date +%s) - STARTED )) s]: $*" >&2; }

TMP="$(mktemp -d /tmp/itempath-gateway-bench.XXXXXX)"
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
for p in LoadGenerator Baselines; do
    dotnet build "bench/$p" -c Release -nologo -v q >/dev/null || { say "building bench/$p failed"; exit 1; }
done
LG=(dotnet bench/LoadGenerator/bin/Release/net10.0/LoadGenerator.dll)

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

wait_ready() {  # wait_ready URL NAME
    for _ in $(seq 1 180); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.5; done
    say "$2 did not become ready ($1)"; exit 1
}
UP_PORT=$(port) GW_PORT=$(port)
(cd bench/Baselines/bin/Release/net10.0 && exec dotnet Baselines.dll serve-upstream --urls "http://127.0.0.1:$UP_PORT") > "$TMP/upstream.log" 2>&1 &
PIDS+=("$!")
(cd api/ItemPathOrleans.Api/bin/Release/net10.0 && exec env ConnectionStrings__ItemPath="$PG" Tokens__Issuer="$URL" \
    Tokens__MasterKeys__0__Id=m1 Tokens__MasterKeys__0__Secret="$(tr -d '\n' < "$TMP/data/master-key")" \
    RateLimit__FailedLoginsPerMinute=0 Logging__LogLevel__Default=Warning \
    Gateway__Enabled=true Gateway__Upstream="http://127.0.0.1:$UP_PORT" Gateway__Routes__0='/api/stations/{**rest}' \
    dotnet ItemPathOrleans.Api.dll --urls "http://127.0.0.1:$GW_PORT") > "$TMP/gateway.log" 2>&1 &
PIDS+=("$!")
wait_ready "http://127.0.0.1:$UP_PORT/health/ready" "the upstream"
wait_ready "http://127.0.0.1:$GW_PORT/health/ready" "the gateway node"

load() {  # load NAME URL PATH
    say "measuring $1 ($USERS users)"
    "${LG[@]}" --url "$2" --path "$3" --admin-url "$URL" --scenario validate --users "$USERS" --setup-parallelism 8 \
        --duration "$MEASURED" --warmup "$WARMUP" --out "$TMP/$1.json" > /dev/null 2> "$TMP/$1.log" || { cat "$TMP/$1.log" >&2; exit 1; }
}
for round in 1 2; do
    load "upstream-direct-$round" "http://127.0.0.1:$UP_PORT" /api/stations/1
    load "gateway-proxy-$round" "http://127.0.0.1:$GW_PORT" /api/stations/1
    load "verify-$round" "http://127.0.0.1:$GW_PORT" /api/auth/verify
    load "me-$round" "http://127.0.0.1:$GW_PORT" /api/users/me
done

mkdir -p bench/results
python3 - "$TMP" "$USERS" "$MEASURED" > bench/results/gateway.json <<'PY'
import json, sys
tmp, users, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = ["upstream-direct", "gateway-proxy", "verify", "me"]
out = {"users": users, "measuredSeconds": seconds, "scenarios": {}}
for n in names:
    rounds = [json.load(open(f"{tmp}/{n}-{r}.json")) for r in (1, 2)]
    out["scenarios"][n] = {k: sum(r[k] for r in rounds) / 2 for k in ("opsPerSec", "p50Ms", "p99Ms", "errors", "requests")}
    out["scenarios"][n]["rounds"] = [r["opsPerSec"] for r in rounds]
s = out["scenarios"]
out["ratios"] = {
    "gateway-proxy / upstream-direct": s["gateway-proxy"]["opsPerSec"] / s["upstream-direct"]["opsPerSec"],
    "verify / upstream-direct": s["verify"]["opsPerSec"] / s["upstream-direct"]["opsPerSec"],
    "gateway-proxy / verify": s["gateway-proxy"]["opsPerSec"] / s["verify"]["opsPerSec"],
    "verify / me": s["verify"]["opsPerSec"] / s["me"]["opsPerSec"],
}
print(json.dumps(out, indent=2))
print(f"{'scenario':16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}   rounds", file=sys.stderr)
for n in names:
    x = s[n]
    print(f"{n:16} {x['opsPerSec']:9.1f} {x['p50Ms']:8.2f} {x['p99Ms']:8.2f} {int(x['errors']):6d}   {', '.join(f'{v:.0f}' for v in x['rounds'])}", file=sys.stderr)
for k, v in out["ratios"].items():
    print(f"{k:34} {v:6.2f}", file=sys.stderr)
PY
say "done: bench/results/gateway.json"
