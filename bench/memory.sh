#!/usr/bin/env bash
# Memory under hostile input ("bounded memory under hostile input"): starts its own service
# (./run.sh in a throwaway folder, free ports, loopback only), then
#   1. N logins with random usernames (each one unknown: every one costs a name-grain activation,
#      a lockout counter and a decoy hash),
#   2. N GET /api/users/me with random JWT-shaped bearer tokens (random headers, kids and claims),
# from many concurrent keep-alive connections, and prints the resident memory (VmRSS, and the
# peak VmHWM) of the silo and the API before, between and after, with the throughput of each phase.
# Stops everything it started.
#
#   bench/memory.sh [N] [CONNECTIONS]        (defaults: 100000 requests per phase, 64 connections)
#
# The per-address failed-login limit is turned off (RateLimit__FailedLoginsPerMinute=0), or the
# logins would be 429s after the first 100. Argon2id runs with cheap parameters for this
# measurement (Passwords__MemoryKib=8192, Passwords__Iterations=1): with the defaults (19 MiB, 2
# passes, ~66 ms a hash on 2 cores) 100,000 logins take most of an hour; with these, minutes.
# The hash pool's memory is bounded by Passwords__MaxConcurrentHashes either way.
# shellcheck disable=SC2317  # cleanup runs from a trap
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${1:-100000}"
CONNECTIONS="${2:-64}"
[[ "$N" =~ ^[0-9]+$ && "$N" -ge 1 ]] || { echo "usage: bench/memory.sh [N] [CONNECTIONS]" >&2; exit 2; }
[[ "$CONNECTIONS" =~ ^[0-9]+$ && "$CONNECTIONS" -ge 1 && "$CONNECTIONS" -le 512 ]] || { echo "CONNECTIONS must be 1..512" >&2; exit 2; }

say() { echo "memory.sh: $*" >&2; }
command -v python3 >/dev/null || { say "python3 is needed for the load (standard library only)"; exit 1; }

TMP="$(mktemp -d /tmp/itempath-memory.XXXXXX)"
chmod 755 "$TMP"   # PostgreSQL's user must reach the data folder
RUN_PID=""
cleanup() {
    trap '' INT TERM
    if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then
        kill -TERM "$RUN_PID"   # run.sh stops the API, the silo and PostgreSQL it started
        wait "$RUN_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port() { scripts/pg.sh free-port; }
HTTP=$(port)
URL="http://127.0.0.1:$HTTP"
ADMIN_PASSWORD="Bench-Admin-$(head -c 9 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')-1"

say "starting the service (build included)"
: > "$TMP/run.out"
ITEMPATH_DATA_DIR="$TMP/data" ITEMPATH_PG_PORT=$(port) ITEMPATH_HTTP_PORT=$HTTP \
ITEMPATH_SILO_PORT=$(port) ITEMPATH_GATEWAY_PORT=$(port) Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
RateLimit__FailedLoginsPerMinute=0 Passwords__MemoryKib=8192 Passwords__Iterations=1 \
    ./run.sh > "$TMP/run.out" 2>&1 < /dev/null &
RUN_PID=$!
for _ in $(seq 1 480); do
    grep -q "is running at" "$TMP/run.out" && break
    kill -0 "$RUN_PID" 2>/dev/null || { cat "$TMP/run.out" >&2; exit 1; }
    sleep 0.5
done
grep -q "is running at" "$TMP/run.out" || { cat "$TMP/run.out" >&2; exit 1; }

# run.sh's children, by their command lines (each runs as `exec dotnet …dll`).
child_pid() {
    ps -o pid=,args= --ppid "$RUN_PID" | awk -v dll="$1" 'index($0, dll) { print $1; exit }'
}
SILO_PID="$(child_pid ItemPathOrleans.Silo.dll)"
API_PID="$(child_pid ItemPathOrleans.Api.dll)"
[[ -n "$SILO_PID" && -n "$API_PID" ]] || { say "could not find the silo and API processes under run.sh (pid $RUN_PID)"; ps -ef >&2; exit 1; }
say "silo pid $SILO_PID, api pid $API_PID, $URL"

kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }   # kib PID VmRSS
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

cat > "$TMP/load.py" <<'PY'
"""Closed-loop load from many keep-alive connections (standard library only), loopback only."""
import base64, http.client, json, os, sys, threading, time

host, port, phase, total, connections = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
assert host == "127.0.0.1"

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def rand(n):
    return os.urandom(n).hex()[:n]

KIDS = ["k1", "k2", "../k1", "k1' OR 1=1 --", "", "x" * 40]
ALGS = ["HS256", "HS512", "none", "RS256"]

def random_jwt():
    r = os.urandom(4)
    header = {"typ": "JWT", "alg": ALGS[r[0] % 4], "kid": KIDS[r[1] % len(KIDS)] if r[1] % 7 else rand(16)}
    now = int(time.time())
    claims = {"fresh": False, "iat": now, "jti": rand(32), "type": "access", "identity": rand(10), "nbf": now,
              "exp": now + 900, "tid": "default", "uid": str(r[2] * 1000 + r[3]), "sid": rand(32),
              "iss": "http://127.0.0.1/default", "aud": "itempath-api"}
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{b64(os.urandom(32))}"

statuses, errors, lock = {}, [0], threading.Lock()
counter = iter(range(total))

def next_index():
    with lock:
        return next(counter, None)

def worker():
    conn = None
    local = {}
    while next_index() is not None:
        if phase == "login":
            body = json.dumps({"username": "atk-" + rand(16), "password": rand(20)})
            method, path, headers = "POST", "/api/users/login", {"Content-Type": "application/json"}
        else:
            body = None
            method, path, headers = "GET", "/api/users/me", {"Authorization": "Bearer " + random_jwt()}
        for attempt in range(3):
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=60)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                local[response.status] = local.get(response.status, 0) + 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close(); conn = None
                break
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                if attempt == 2:
                    with lock:
                        errors[0] += 1
    if conn is not None:
        conn.close()
    with lock:
        for k, v in local.items():
            statuses[k] = statuses.get(k, 0) + v

start = time.monotonic()
threads = [threading.Thread(target=worker) for _ in range(connections)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"seconds": round(time.monotonic() - start, 1), "statuses": {str(k): v for k, v in sorted(statuses.items())}, "errors": errors[0]}))
PY

ROWS=()
record() {  # record PHASE REQUESTS SECONDS ANSWERS
    local silo api silo_peak api_peak
    silo=$(kib "$SILO_PID" VmRSS) api=$(kib "$API_PID" VmRSS)
    silo_peak=$(kib "$SILO_PID" VmHWM) api_peak=$(kib "$API_PID" VmHWM)
    ROWS+=("$(printf '%-24s %9s %8s %9s %10s %10s %10s %10s   %s' "$1" "$2" "$3" "$4" "$(mib "$silo")" "$(mib "$silo_peak")" "$(mib "$api")" "$(mib "$api_peak")" "$5")")
}
load() {  # load PHASE
    python3 "$TMP/load.py" 127.0.0.1 "$HTTP" "$1" "$N" "$CONNECTIONS"
}
field() {  # field JSON NAME: a number, or the answers as "status:count ..."
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
if sys.argv[2] != "statuses":
    print(d[sys.argv[2]])
else:
    answers = " ".join(f"{k}:{v}" for k, v in d["statuses"].items())
    print(answers + (" errors:%d" % d["errors"] if d["errors"] else ""))
PY
}

sleep 2
record "idle, after start" - - - ""

say "phase 1: $N logins with random usernames ($CONNECTIONS connections)"
result=$(load login)
secs=$(field "$result" seconds)
record "after $N logins" "$N" "$secs" "$(awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" "$(field "$result" statuses)"

say "phase 2: $N GET /api/users/me with random JWT-shaped tokens ($CONNECTIONS connections)"
result=$(load me)
secs=$(field "$result" seconds)
record "after $N random tokens" "$N" "$secs" "$(awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" "$(field "$result" statuses)"

sleep 10
record "10 s later, idle" - - - ""

# Still serving: the admin logs in.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}")

echo
echo "Memory under hostile input: $N requests per phase, $CONNECTIONS connections, everything on this machine"
echo "(Argon2id lowered for the measurement: Passwords__MemoryKib=8192, Passwords__Iterations=1;"
echo " per-address failed-login limit off: RateLimit__FailedLoginsPerMinute=0; RSS and peak RSS in MiB)"
printf '%-24s %9s %8s %9s %10s %10s %10s %10s   %s\n' phase requests seconds "req/s" "silo RSS" "silo peak" "API RSS" "API peak" answers
for row in "${ROWS[@]}"; do echo "$row"; done
echo "admin login afterwards: HTTP $code"
