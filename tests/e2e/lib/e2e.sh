# Shared by the end-to-end scripts (sourced, not run): start ./run.sh on free ports with a
# throwaway data folder, stop it by its pid whatever happens, and count checks.
#
# The sourcing script sets E2E_NAME (its name in messages) and may set ADMIN_PASSWORD, E2E_SCHEME
# (https when run.sh is given a certificate) and E2E_CURL_ARGS (e.g. --cacert FILE), then calls
#   e2e_skip_without TOOL...  exit 77 (skipped) without node, npm, chromium (sets CHROMIUM) …
#   e2e_init        ports, folders, traps        -> URL, DATA, OUT, BODIES, HTTP_PORT, PG_PORT
#   e2e_start       ./run.sh in the background, waits for /health/ready (fatal if it never is)
#   e2e_stop        SIGTERM to run.sh, bounded wait (returns 1 if it had to be killed)
#   request / expect / field / pass / fail / fatal   checks on HTTP answers
#   e2e_verdict     prints the count and exits 0 only if every check passed
# ITEMPATH_E2E_READY_TIMEOUT: seconds to wait for run.sh to be ready (default 120).
# ITEMPATH_KEEP_TEST_DIR=1 keeps the data folder.
# shellcheck shell=bash disable=SC2317  # functions run from traps

READY_TIMEOUT="${ITEMPATH_E2E_READY_TIMEOUT:-120}"
STOP_TIMEOUT=90
ADMIN_PASSWORD="${ADMIN_PASSWORD:-E2e-Admin-Pass-2718}"
RUN_PID=""
E2E_SCHEME="${E2E_SCHEME:-http}"
[[ -n "${E2E_CURL_ARGS+set}" ]] || E2E_CURL_ARGS=()
checks=0
failures=0

say() { echo "$E2E_NAME: $*" >&2; }
alive() { [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; }

e2e_init() {
    command -v curl >/dev/null || { say "curl not found"; exit 1; }
    command -v python3 >/dev/null || { say "python3 not found"; exit 1; }
    DATA="$(mktemp -d "/tmp/itempath-$E2E_NAME.XXXXXX")"
    OUT="$DATA/run.out"      # run.sh's own output
    BODIES="$DATA/bodies"    # one file per answer
    mkdir -p "$BODIES"
    local ports=() p
    while (( ${#ports[@]} < 4 )); do
        p="$(scripts/pg.sh free-port)"
        [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
    done
    HTTP_PORT="${ports[0]}" PG_PORT="${ports[1]}" SILO_PORT="${ports[2]}" GATEWAY_PORT="${ports[3]}"
    URL="$E2E_SCHEME://127.0.0.1:$HTTP_PORT"
    PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/itempath"
    trap e2e_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# The silo and API pids run.sh printed, if they still run the project's dlls.
e2e_children() {
    local pid
    while read -r pid; do
        if alive "$pid" && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'ItemPathOrleans\.\(Silo\|Api\)\.dll'; then
            echo "$pid"
        fi
    done < <({ grep -oE '(silo|api) started \(pid [0-9]+\)' "$OUT" 2>/dev/null | grep -oE '[0-9]+';
               sed -nE 's/^ *(silo|api) [0-9]+: .*pid ([0-9]+)[,)].*/\2/p' "$OUT" 2>/dev/null; } | sort -u)
}

e2e_start() {
    say "starting ./run.sh on $URL (PostgreSQL $PG_PORT, silo $SILO_PORT, gateway $GATEWAY_PORT), data $DATA"
    ITEMPATH_DATA_DIR="$DATA" ITEMPATH_HTTP_PORT="$HTTP_PORT" ITEMPATH_PG_PORT="$PG_PORT" \
        ITEMPATH_SILO_PORT="$SILO_PORT" ITEMPATH_GATEWAY_PORT="$GATEWAY_PORT" \
        Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
        ./run.sh "$@" >> "$OUT" 2>&1 < /dev/null &
    RUN_PID=$!
    local started=$SECONDS deadline=$((SECONDS + READY_TIMEOUT))
    until grep -q "is running at $URL" "$OUT" 2>/dev/null \
            && curl -fsS "${E2E_CURL_ARGS[@]}" -o /dev/null --max-time 2 "$URL/health/ready" 2>/dev/null; do
        if ! alive "$RUN_PID"; then
            RUN_PID=""
            fatal "run.sh exited before it was ready"
        fi
        (( SECONDS < deadline )) || fatal "run.sh was not ready within $READY_TIMEOUT s"
        sleep 0.5
    done
    pass "run.sh ready after $((SECONDS - started)) s"
}

e2e_stop() {
    alive "$RUN_PID" || return 0
    say "stopping run.sh (pid $RUN_PID)"
    kill -TERM "$RUN_PID" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while alive "$RUN_PID" && (( SECONDS < deadline )); do sleep 0.2; done
    if alive "$RUN_PID"; then
        say "FAIL: run.sh did not stop within $STOP_TIMEOUT s of SIGTERM: killing it"
        kill -KILL "$RUN_PID" 2>/dev/null || true
        wait "$RUN_PID" 2>/dev/null || true
        RUN_PID=""
        return 1
    fi
    wait "$RUN_PID" 2>/dev/null || true
    RUN_PID=""
}

e2e_cleanup() {
    local status=$?
    trap '' INT TERM
    trap - EXIT
    e2e_stop || status=1
    local leftover
    leftover="$(e2e_children)"
    if [[ -n "$leftover" ]]; then
        say "FAIL: run.sh left processes running after it stopped: $(echo "$leftover" | tr '\n' ' ')- killing them"
        # shellcheck disable=SC2086
        kill -KILL $leftover 2>/dev/null || true
        status=1
    fi
    if (( status != 0 )) && [[ -f "$OUT" ]]; then
        say "run.sh output (last 40 lines):"; tail -n 40 "$OUT" >&2 || true
        local log
        for log in "$DATA"/logs/*.log; do
            [[ -f "$log" ]] || continue
            say "$log (last 30 lines):"; tail -n 30 "$log" >&2 || true
        done
    fi
    # run.sh stops the PostgreSQL it started; this is only for a run.sh that died first, or a
    # server the script started itself.
    scripts/pg.sh stop "$DATA/pg" >/dev/null 2>&1 || true
    if [[ "${ITEMPATH_KEEP_TEST_DIR:-0}" == "1" ]]; then say "kept $DATA"; else rm -rf "$DATA"; fi
    exit "$status"
}

# e2e_skip_without TOOL...: exits 77 (skipped) when a tool is missing. "chromium" also takes
# chromium-browser and sets CHROMIUM to the one found; any other name is looked up on PATH.
e2e_skip_without() {
    local tool
    for tool in "$@"; do
        if [[ "$tool" == chromium ]]; then
            CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
            [[ -n "$CHROMIUM" ]] && continue
            say "skipped: chromium is not installed (apt-get install chromium; ./test.sh does it as root)"
        else
            command -v "$tool" >/dev/null && continue
            say "skipped: $tool is not installed (Node 20 or later with npm runs this check)"
        fi
        exit 77
    done
}

pass() { checks=$((checks + 1)); say "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); say "FAIL: $*"; }
fatal() { fail "$*"; say "cannot go on without it"; exit 1; }

# request NAME EXPECTED_STATUS CURL_ARGS...: runs curl, keeps the body in $BODIES/NAME,
# returns 1 (after reporting) if the status differs.
request() {
    local name="$1" expected="$2"; shift 2
    local status
    status="$(curl -sS "${E2E_CURL_ARGS[@]}" -o "$BODIES/$name" -D "$BODIES/$name.headers" -w '%{http_code}' --max-time 30 "$@")" \
        || { fail "$name: curl failed (status $status)"; return 1; }
    if [[ "$status" != "$expected" ]]; then
        fail "$name: HTTP $status, expected $expected: $(head -c 600 "$BODIES/$name")"
        return 1
    fi
    pass "$name: HTTP $status"
}

# expect NAME PYTHON_EXPRESSION: the expression over d (the JSON body of NAME) must be true.
expect() {
    local name="$1" expr="$2"
    if python3 - "$BODIES/$name" "$expr" <<'PY'
import json, re, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
jwt = lambda t: isinstance(t, str) and re.fullmatch(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", t) is not None
date = lambda t: isinstance(t, str) and re.fullmatch(r"\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d", t) is not None
sys.exit(0 if eval(sys.argv[2], {"d": d, "jwt": jwt, "date": date, "re": re}) else 1)
PY
    then
        pass "$name: $expr"
    else
        fail "$name: expected $expr, got: $(head -c 600 "$BODIES/$name")"
    fi
}

# field NAME KEY: prints the body's top-level KEY (empty if absent).
field() {
    python3 - "$BODIES/$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    v = json.load(f).get(sys.argv[2])
print("" if v is None else v)
PY
}

e2e_verdict() {
    if (( failures > 0 )); then
        say "$failures of $checks checks FAILED"
        exit 1
    fi
    say "all $checks checks passed"
    exit 0
}
