#!/usr/bin/env bash
# End-to-end: the browsable API reference at /docs, rendered by a real browser (headless
# Chromium) against the service started by ./run.sh on free ports with a throwaway data folder.
#
#   /openapi/v1.json answers -> Chromium renders /docs (Scalar draws the page in the browser, so
#   the DOM is read after the page's scripts ran) -> the page shows the API's title and its
#   endpoints -> a screenshot is kept, its path printed.
#
# Exit 0 if every check passed, 77 (skipped) when Chromium is not installed (./test.sh installs
# Debian's chromium when it runs as root). The screenshot goes to
# ITEMPATH_E2E_ARTIFACTS (default /tmp) as itempath-docs-<time>.png and is kept.
# shellcheck disable=SC2317  # cleanup runs from the EXIT trap
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

READY_TIMEOUT="${ITEMPATH_E2E_READY_TIMEOUT:-120}"
STOP_TIMEOUT=90
ARTIFACTS="${ITEMPATH_E2E_ARTIFACTS:-/tmp}"

say() { echo "docs-screenshot: $*" >&2; }

CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$CHROMIUM" ]]; then
    say "skipped: chromium is not installed (apt-get install chromium; ./test.sh does it as root)"
    exit 77
fi
command -v curl >/dev/null || { say "curl not found"; exit 1; }
command -v python3 >/dev/null || { say "python3 not found"; exit 1; }
mkdir -p "$ARTIFACTS"

DATA="$(mktemp -d /tmp/itempath-e2e-docs.XXXXXX)"
OUT="$DATA/run.out"
SHOT="$ARTIFACTS/itempath-docs-$(date +%Y%m%d-%H%M%S)-$$.png"
RUN_PID=""
checks=0
failures=0

ports=()
while (( ${#ports[@]} < 4 )); do
    p="$(scripts/pg.sh free-port)"
    [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
HTTP_PORT="${ports[0]}" PG_PORT="${ports[1]}" SILO_PORT="${ports[2]}" GATEWAY_PORT="${ports[3]}"
URL="http://127.0.0.1:$HTTP_PORT"

alive() { [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; }

cleanup() {
    local status=$?
    trap '' INT TERM
    trap - EXIT
    if alive "$RUN_PID"; then
        kill -TERM "$RUN_PID" 2>/dev/null || true
        local deadline=$((SECONDS + STOP_TIMEOUT))
        while alive "$RUN_PID" && (( SECONDS < deadline )); do sleep 0.2; done
        if alive "$RUN_PID"; then
            say "FAIL: run.sh did not stop within $STOP_TIMEOUT s of SIGTERM: killing it"
            kill -KILL "$RUN_PID" 2>/dev/null || true
            status=1
        fi
        wait "$RUN_PID" 2>/dev/null || true
    fi
    if (( status != 0 )) && [[ -f "$OUT" ]]; then
        say "run.sh output (last 40 lines):"; tail -n 40 "$OUT" >&2 || true
    fi
    scripts/pg.sh stop "$DATA/pg" >/dev/null 2>&1 || true
    rm -rf "$DATA"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass() { checks=$((checks + 1)); say "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); say "FAIL: $*"; }
fatal() { fail "$*"; exit 1; }

say "starting ./run.sh on $URL, data $DATA"
ITEMPATH_DATA_DIR="$DATA" ITEMPATH_HTTP_PORT="$HTTP_PORT" ITEMPATH_PG_PORT="$PG_PORT" \
    ITEMPATH_SILO_PORT="$SILO_PORT" ITEMPATH_GATEWAY_PORT="$GATEWAY_PORT" \
    Bootstrap__AdminPassword="E2e-Docs-Pass-5772" \
    ./run.sh > "$OUT" 2>&1 < /dev/null &
RUN_PID=$!
deadline=$((SECONDS + READY_TIMEOUT))
until grep -q "is running at $URL" "$OUT" 2>/dev/null \
        && curl -fsS -o /dev/null --max-time 2 "$URL/health/ready" 2>/dev/null; do
    alive "$RUN_PID" || { RUN_PID=""; fatal "run.sh exited before it was ready"; }
    (( SECONDS < deadline )) || fatal "run.sh was not ready within $READY_TIMEOUT s"
    sleep 0.5
done
pass "run.sh ready"

# The document the page reads: OpenAPI 3, JSON, with the contract's calls.
if curl -fsS --max-time 30 -o "$DATA/openapi.json" "$URL/openapi/v1.json" \
    && python3 - "$DATA/openapi.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["openapi"].startswith("3."), d["openapi"]
assert d["info"]["title"] == "ItemPathOrleans API"
for path in ("/api/users/login", "/api/users/refresh", "/api/users/me", "/api/tenants/{id}", "/metrics"):
    assert path in d["paths"], path
PY
then pass "/openapi/v1.json is OpenAPI 3 with the contract's paths"; else fail "/openapi/v1.json"; fi

# Scalar draws the page client-side: give the browser virtual time for its scripts and the document.
browse() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --hide-scrollbars --user-data-dir="$DATA/chromium" --window-size=1366,1600 \
        --virtual-time-budget=20000 "$@" "$URL/docs" 2>>"$DATA/chromium.log"
}
browse --dump-dom > "$DATA/docs.html" || fail "chromium --dump-dom failed (see its log below)"
python3 - "$DATA/docs.html" <<'PY' && pass "the rendered page shows the title and the endpoints" || fail "the rendered page lacks the title or the endpoints"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r"<[^>]+>", " ", html)
expected = ["ItemPathOrleans API",
            "Log in with a username and a password",          # POST /api/users/login
            "A new access token for a refresh token",         # POST /api/users/refresh
            "The current user",                               # GET /api/users/me
            "Create a user",                                  # POST /api/users
            "Create a tenant with its first admin",           # POST /api/tenants
            "Metrics in the Prometheus text format"]          # GET /metrics
missing = [e for e in expected if e not in text]
if missing:
    print("missing from the rendered page:", missing, file=sys.stderr)
    sys.exit(1)
PY

browse --screenshot="$SHOT" >/dev/null || fail "chromium --screenshot failed"
if [[ -s "$SHOT" ]] && python3 -c 'import sys; sys.exit(0 if open(sys.argv[1], "rb").read(8) == b"\x89PNG\r\n\x1a\n" else 1)' "$SHOT"; then
    pass "screenshot: $SHOT"
else
    fail "no screenshot at $SHOT"
fi

if (( failures > 0 )); then
    say "chromium log (last 20 lines):"; tail -n 20 "$DATA/chromium.log" >&2 || true
    say "$failures of $checks checks FAILED"
    exit 1
fi
say "all $checks checks passed; screenshot kept at $SHOT"
echo "$SHOT"
exit 0
