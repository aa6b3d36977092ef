#!/usr/bin/env bash
# What the gateway costs, side by side in one run on loopback:
#   upstream-direct   GET /api/stations/1 straight at the upstream (bench/Baselines serve-upstream)
#   gateway-proxy     the same request through an API node in proxy mode (token validated,
#                     revocation check from its cache, identity headers, forwarded by YARP)
#   verify            GET /api/auth/verify on that node (what an nginx auth_request costs)
#   me                GET /api/users/me on that node (a protected endpoint with a grain call)
#   gateway-full      the same through a second gateway node that validates every token in full
#                     (ValidatedTokens__Enabled=false: parse and signature on every request)
#   proxy-bare        the same route through the bare proxy (bench/Baselines serve-proxy: YARP
#                     configured as the gateway's, no token, no API middleware; bench.sh's row)
#   jwt-bare          GET /api/users/me on the bare JWT endpoint (bench/Baselines serve-jwt, the same
#                     JwtBearer rules, no revocation check; bench.sh's validate-bare)
# Interleaved rounds (2 by default), averaged; each virtual user has its own access token. The
# first round warms each process up for --first-warmup seconds (the JIT's tiers, see bench/README.md).
# CPU per 1,000 requests of the process that served each row (gateway node, bare proxy, bare JWT
# endpoint, upstream) is read around each measured window.
#
#   bench/gateway.sh [--users N (64)] [--seconds S (8)] [--warmup S (3)] [--rounds R (2)] [--first-warmup S (10)]
#
# Starts ./run.sh (PostgreSQL, a silo, an API node) in a throwaway folder on free ports, plus the
# upstream, the two gateway nodes, the bare proxy and the bare JWT endpoint, and stops them all at the
# end. Prints a table with the ratios and writes it to bench/results/gateway.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

USERS=64 MEASURED=8 WARMUP=3 ROUNDS=2 FIRST_WARMUP=10
while [[ $# -gt 0 ]]; do
    case "$1" in
        --users) USERS="$2"; shift 2 ;;
        --seconds) MEASURED="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --first-warmup) FIRST_WARMUP="$2"; shift 2 ;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "gateway.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for v in "$USERS" "$MEASURED" "$WARMUP" "$ROUNDS" "$FIRST_WARMUP"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "gateway.sh: options take whole numbers, not '$v'" >&2; exit 2; }
done
(( USERS >= 1 && USERS <= 1000 && MEASURED >= 1 && MEASURED <= 600 && WARMUP <= 600 && ROUNDS >= 1 && ROUNDS <= 20 && FIRST_WARMUP <= 600 )) \
    || { echo "gateway.sh: --users 1-1000, --seconds 1-600, --warmup and --first-warmup 0-600, --rounds 1-20" >&2; exit 2; }

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
UP_PORT=$(port) GW_PORT=$(port) FULL_PORT=$(port) PROXY_PORT=$(port) JWT_PORT=$(port)
ROUTE='/api/stations/{**rest}'
# The API nodes' .NET runtime settings (scripts/api-runtime.env, as ./run.sh gives them to its API
# node), for every API node started here and for the ceilings they are compared with.
mapfile -t API_RUNTIME_ENV < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' scripts/api-runtime.env)
NODE_ENV=("${API_RUNTIME_ENV[@]}" ConnectionStrings__ItemPath="$PG" Tokens__Issuer="$URL" Tokens__MasterKeys__0__Id=m1
    Tokens__MasterKeys__0__Secret="$(tr -d '\n' < "$TMP/data/master-key")"
    RateLimit__FailedLoginsPerMinute=0 Logging__LogLevel__Default=Warning)
(cd bench/Baselines/bin/Release/net10.0 && exec dotnet Baselines.dll serve-upstream --urls "http://127.0.0.1:$UP_PORT") > "$TMP/upstream.log" 2>&1 &
PIDS+=("$!") UP_PID=$!
(cd api/ItemPathOrleans.Api/bin/Release/net10.0 && exec env "${NODE_ENV[@]}" \
    Gateway__Enabled=true Gateway__Upstream="http://127.0.0.1:$UP_PORT" Gateway__Routes__0="$ROUTE" \
    dotnet ItemPathOrleans.Api.dll --urls "http://127.0.0.1:$GW_PORT") > "$TMP/gateway.log" 2>&1 &
PIDS+=("$!") GW_PID=$!
(cd api/ItemPathOrleans.Api/bin/Release/net10.0 && exec env "${NODE_ENV[@]}" ValidatedTokens__Enabled=false \
    Gateway__Enabled=true Gateway__Upstream="http://127.0.0.1:$UP_PORT" Gateway__Routes__0="$ROUTE" \
    dotnet ItemPathOrleans.Api.dll --urls "http://127.0.0.1:$FULL_PORT") > "$TMP/gateway-full.log" 2>&1 &
PIDS+=("$!") FULL_PID=$!
# The bare proxy runs the server GC and the runtime settings like the API node (as in bench.sh).
(cd bench/Baselines/bin/Release/net10.0 && exec env "${API_RUNTIME_ENV[@]}" DOTNET_gcServer=1 dotnet Baselines.dll serve-proxy --upstream "http://127.0.0.1:$UP_PORT" \
    --route "$ROUTE" --urls "http://127.0.0.1:$PROXY_PORT") > "$TMP/proxy.log" 2>&1 &
PIDS+=("$!") PROXY_PID=$!
(cd bench/Baselines/bin/Release/net10.0 && exec env "${NODE_ENV[@]}" dotnet Baselines.dll serve-jwt --urls "http://127.0.0.1:$JWT_PORT" --tenant default) \
    > "$TMP/jwt.log" 2>&1 &
PIDS+=("$!") JWT_PID=$!
wait_ready "http://127.0.0.1:$UP_PORT/health/ready" "the upstream"
wait_ready "http://127.0.0.1:$GW_PORT/health/ready" "the gateway node"
wait_ready "http://127.0.0.1:$FULL_PORT/health/ready" "the gateway node that validates in full"
wait_ready "http://127.0.0.1:$PROXY_PORT/health/ready" "the bare proxy"
wait_ready "http://127.0.0.1:$JWT_PORT/health/ready" "the bare JWT endpoint"

load() {  # load NAME URL PATH SCENARIO PID ROUND
    local warmup=$WARMUP
    (( $6 == 1 )) && warmup=$FIRST_WARMUP
    say "measuring $1 ($USERS users, $warmup s warm-up)"
    "${LG[@]}" --url "$2" --path "$3" --admin-url "$URL" --scenario "$4" --users "$USERS" --setup-parallelism 8 \
        --duration "$MEASURED" --warmup "$warmup" --cpu "served=$5" --out "$TMP/$1.json" > /dev/null 2> "$TMP/$1.log" || { cat "$TMP/$1.log" >&2; exit 1; }
}
for round in $(seq 1 "$ROUNDS"); do
    load "gateway-proxy-$round" "http://127.0.0.1:$GW_PORT" /api/stations/1 validate "$GW_PID" "$round"
    load "gateway-full-$round" "http://127.0.0.1:$FULL_PORT" /api/stations/1 validate "$FULL_PID" "$round"
    load "proxy-bare-$round" "http://127.0.0.1:$PROXY_PORT" /api/stations/1 no-token "$PROXY_PID" "$round"
    load "verify-$round" "http://127.0.0.1:$GW_PORT" /api/auth/verify validate "$GW_PID" 2
    load "me-$round" "http://127.0.0.1:$GW_PORT" /api/users/me validate "$GW_PID" 2
    load "jwt-bare-$round" "http://127.0.0.1:$JWT_PORT" /api/users/me validate "$JWT_PID" "$round"
    load "upstream-direct-$round" "http://127.0.0.1:$UP_PORT" /api/stations/1 no-token "$UP_PID" "$round"
done

mkdir -p bench/results
python3 - "$TMP" "$USERS" "$MEASURED" "$ROUNDS" > bench/results/gateway.json <<'PY'
import json, sys
tmp, users, seconds, nrounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
names = ["gateway-proxy", "gateway-full", "proxy-bare", "verify", "me", "jwt-bare", "upstream-direct"]
out = {"users": users, "measuredSeconds": seconds, "rounds": nrounds, "scenarios": {}}
for n in names:
    rounds = [json.load(open(f"{tmp}/{n}-{r}.json")) for r in range(1, nrounds + 1)]
    out["scenarios"][n] = {k: sum(r[k] for r in rounds) / nrounds for k in ("opsPerSec", "p50Ms", "p99Ms", "errors", "requests")}
    out["scenarios"][n]["rounds"] = [r["opsPerSec"] for r in rounds]
    ok = sum(r["requests"] - r["errors"] for r in rounds)
    # CPU of the process that served the row, per 1,000 successful requests, all rounds together.
    out["scenarios"][n]["cpuMsPer1000"] = 1000 * sum(r["cpuMs"]["served"] for r in rounds) / ok if ok else None
    out["scenarios"][n]["cpuMsPer1000Rounds"] = [1000 * r["cpuMs"]["served"] / (r["requests"] - r["errors"]) if r["requests"] > r["errors"] else None for r in rounds]
s = out["scenarios"]
def ratio(a, b): return s[a]["opsPerSec"] / s[b]["opsPerSec"]
out["ratios"] = {
    "gateway-proxy / proxy-bare": ratio("gateway-proxy", "proxy-bare"),
    "gateway-full / proxy-bare": ratio("gateway-full", "proxy-bare"),
    "me / jwt-bare": ratio("me", "jwt-bare"),
    "verify / jwt-bare": ratio("verify", "jwt-bare"),
    "gateway-proxy / upstream-direct": ratio("gateway-proxy", "upstream-direct"),
    "verify / upstream-direct": ratio("verify", "upstream-direct"),
    "gateway-proxy / verify": ratio("gateway-proxy", "verify"),
    "verify / me": ratio("verify", "me"),
}
# Per round too: the machine is shared, and a ratio of one round's side-by-side rows is the steadier figure.
out["roundRatios"] = {
    "gateway-proxy / proxy-bare": [a / b for a, b in zip(s["gateway-proxy"]["rounds"], s["proxy-bare"]["rounds"])],
    "gateway-full / proxy-bare": [a / b for a, b in zip(s["gateway-full"]["rounds"], s["proxy-bare"]["rounds"])],
    "me / jwt-bare": [a / b for a, b in zip(s["me"]["rounds"], s["jwt-bare"]["rounds"])],
    "verify / jwt-bare": [a / b for a, b in zip(s["verify"]["rounds"], s["jwt-bare"]["rounds"])],
}
print(json.dumps(out, indent=2))
print(f"{'scenario':16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'cpu ms/1k':>9}   rounds", file=sys.stderr)
for n in names:
    x = s[n]
    cpu = f"{x['cpuMsPer1000']:9.1f}" if x["cpuMsPer1000"] is not None else f"{'-':>9}"
    per = ', '.join('-' if v is None else f'{v:.0f}' for v in x['cpuMsPer1000Rounds'])
    print(f"{n:16} {x['opsPerSec']:9.1f} {x['p50Ms']:8.2f} {x['p99Ms']:8.2f} {int(x['errors']):6d} {cpu}   {', '.join(f'{v:.0f}' for v in x['rounds'])}   (cpu {per})", file=sys.stderr)
for k, v in out["ratios"].items():
    per = out["roundRatios"].get(k)
    print(f"{k:34} {v:6.2f}" + (f"   rounds {', '.join(f'{x:.2f}' for x in per)}" if per else ""), file=sys.stderr)
PY
say "done: bench/results/gateway.json"
