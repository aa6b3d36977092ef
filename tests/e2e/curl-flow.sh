#!/usr/bin/env bash
# End-to-end: the ItemPath Authentication documentation's curl flow against the real service
# started by ./run.sh (PostgreSQL + silo + API), on free ports with a throwaway data folder.
#
#   login -> GET /api/users/me -> POST /api/users/refresh -> create an application user ->
#   its login -> POST /api/users/application-token (JSON content type, no body) -> /me with it
# -> the standard OAuth 2.0 endpoints (metadata, password and refresh_token grants,
#   introspection with the application token, revocation seen by both front doors)
#
# Exit 0 only if every check passed. Run from anywhere; test.sh runs it from the repo root.
# ITEMPATH_E2E_READY_TIMEOUT: seconds to wait for run.sh to be ready (default 120; the build
# run.sh does first counts, so a cold machine may need more).
# shellcheck disable=SC2317  # children and cleanup run from the EXIT trap
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

READY_TIMEOUT="${ITEMPATH_E2E_READY_TIMEOUT:-120}"
STOP_TIMEOUT=90
ADMIN_PASSWORD="E2e-Admin-Pass-2718"
APP_USER="e2e-app-$(date +%s)-$$"
APP_PASSWORD="E2e-App-Pass-3141"

say() { echo "curl-flow: $*" >&2; }

command -v curl >/dev/null || { say "curl not found"; exit 1; }
command -v python3 >/dev/null || { say "python3 not found"; exit 1; }

DATA="$(mktemp -d /tmp/itempath-e2e.XXXXXX)"
OUT="$DATA/run.out"      # run.sh's own output
BODIES="$DATA/bodies"    # one file per answer
mkdir -p "$BODIES"
RUN_PID=""
checks=0
failures=0

# --- free, distinct ports ------------------------------------------------------------------
ports=()
while (( ${#ports[@]} < 4 )); do
    p="$(scripts/pg.sh free-port)"
    [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
HTTP_PORT="${ports[0]}" PG_PORT="${ports[1]}" SILO_PORT="${ports[2]}" GATEWAY_PORT="${ports[3]}"
URL="http://127.0.0.1:$HTTP_PORT"

# --- stop run.sh (by its pid) and clean up, whatever happens ---------------------------------
alive() { [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; }

# The silo and API pids run.sh reported, if they still run the project's dlls.
children() {
    local pid
    while read -r pid; do
        if alive "$pid" && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'ItemPathOrleans\.\(Silo\|Api\)\.dll'; then
            echo "$pid"
        fi
    done < <(grep -oE '(silo|api) started \(pid [0-9]+\)' "$OUT" 2>/dev/null | grep -oE '[0-9]+')
}

cleanup() {
    local status=$?
    trap '' INT TERM
    trap - EXIT
    if alive "$RUN_PID"; then
        say "stopping run.sh (pid $RUN_PID)"
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
    local leftover
    leftover="$(children)"
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
    # run.sh stops the PostgreSQL it started; this is only for a run.sh that died first.
    scripts/pg.sh stop "$DATA/pg" >/dev/null 2>&1 || true
    rm -rf "$DATA"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- checks ---------------------------------------------------------------------------------
pass() { checks=$((checks + 1)); say "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); say "FAIL: $*"; }
fatal() { fail "$*"; say "cannot go on without it"; exit 1; }

# request NAME EXPECTED_STATUS CURL_ARGS...: runs curl, keeps the body in $BODIES/NAME,
# returns 1 (after reporting) if the status differs.
request() {
    local name="$1" expected="$2"; shift 2
    local status
    status="$(curl -sS -o "$BODIES/$name" -D "$BODIES/$name.headers" -w '%{http_code}' --max-time 30 "$@")" \
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

# --- start the service ------------------------------------------------------------------------
say "starting ./run.sh on $URL (PostgreSQL $PG_PORT, silo $SILO_PORT, gateway $GATEWAY_PORT), data $DATA"
ITEMPATH_DATA_DIR="$DATA" ITEMPATH_HTTP_PORT="$HTTP_PORT" ITEMPATH_PG_PORT="$PG_PORT" \
    ITEMPATH_SILO_PORT="$SILO_PORT" ITEMPATH_GATEWAY_PORT="$GATEWAY_PORT" \
    Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
    ./run.sh > "$OUT" 2>&1 < /dev/null &
RUN_PID=$!

started=$SECONDS
deadline=$((SECONDS + READY_TIMEOUT))
until grep -q "is running at $URL" "$OUT" 2>/dev/null \
        && curl -fsS -o /dev/null --max-time 2 "$URL/health/ready" 2>/dev/null; do
    if ! alive "$RUN_PID"; then
        RUN_PID=""
        fatal "run.sh exited before it was ready"
    fi
    (( SECONDS < deadline )) || fatal "run.sh was not ready within $READY_TIMEOUT s"
    sleep 0.5
done
pass "run.sh ready after $((SECONDS - started)) s"

# --- the documented flow -----------------------------------------------------------------------
# 1. login
request login 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{ \"username\": \"admin\", \"password\": \"$ADMIN_PASSWORD\"}" || fatal "admin login"
expect login 'd["login"] is True'
expect login 'jwt(d["accessToken"]) and jwt(d["refreshToken"])'
expect login 'date(d["accessExpiryDate"]) and date(d["refreshExpiryDate"])'
expect login 'd["username"] == "admin" and d["isAdmin"] is True and d["type"] == "user" and isinstance(d["id"], int)'
ACCESS="$(field login accessToken)"
REFRESH="$(field login refreshToken)"
[[ -n "$ACCESS" && -n "$REFRESH" ]] || fatal "login gave no tokens"

# 2. the current user, with the access token
if request me 200 "$URL/api/users/me" -H "Authorization: Bearer $ACCESS"; then
    expect me 'd["username"] == "admin" and d["isAdmin"] is True and d["status"] == 1 and d["type"] == "user"'
    expect me 'not any(k in d for k in ("password", "passwordHash", "hash"))'
fi

# 3. refresh, with the refresh token and no body
request refresh 200 -X POST "$URL/api/users/refresh" -H "Authorization: Bearer $REFRESH" || fatal "refresh"
expect refresh 'jwt(d["accessToken"]) and date(d["accessExpiryDate"])'
REFRESHED="$(field refresh accessToken)"
if [[ "$REFRESHED" != "$ACCESS" ]]; then pass "refresh: a new access token"; else fail "refresh: the same access token came back"; fi
if request me-refreshed 200 "$URL/api/users/me" -H "Authorization: Bearer $REFRESHED"; then
    expect me-refreshed 'd["username"] == "admin"'
fi

# 4. an application user, created by the admin
request create-app-user 201 -X POST "$URL/api/users" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $REFRESHED" \
    --data-raw "{ \"username\": \"$APP_USER\", \"password\": \"$APP_PASSWORD\", \"type\": \"application\"}" \
    || fatal "creating the application user"
expect create-app-user "d[\"username\"] == \"$APP_USER\" and d[\"type\"] == \"application\" and d[\"status\"] == 3"

# 5. its login
request app-login 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{ \"username\": \"$APP_USER\", \"password\": \"$APP_PASSWORD\"}" || fatal "application user login"
expect app-login 'd["login"] is True and d["type"] == "application" and jwt(d["refreshToken"])'
APP_REFRESH="$(field app-login refreshToken)"

# 6. an application token: JSON content type, no body at all
request app-token 200 -X POST "$URL/api/users/application-token" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $APP_REFRESH" || fatal "application token"
expect app-token 'jwt(d["token"]) and isinstance(d["id"], str) and d["id"] != ""'
APP_TOKEN="$(field app-token token)"

# 7. the application token works where an access token does
if request app-me 200 "$URL/api/users/me" -H "Authorization: Bearer $APP_TOKEN"; then
    expect app-me "d[\"username\"] == \"$APP_USER\" and d[\"type\"] == \"application\" and d[\"status\"] == 3"
fi

# --- standard OAuth 2.0: the same sessions through the RFC endpoints ---------------------------
ISSUER="$URL/default"
if request oauth-metadata 200 "$URL/.well-known/oauth-authorization-server/default"; then
    expect oauth-metadata "d[\"issuer\"] == \"$ISSUER\" and d[\"token_endpoint\"] == \"$ISSUER/oauth/token\""
    expect oauth-metadata 'sorted(d["grant_types_supported"]) == ["password", "refresh_token"]'
fi
request oauth-password 200 "$ISSUER/oauth/token" -d grant_type=password -d client_id=curl-flow \
    --data-urlencode username=admin --data-urlencode "password=$ADMIN_PASSWORD" || fatal "OAuth password grant"
expect oauth-password 'jwt(d["access_token"]) and jwt(d["refresh_token"]) and d["token_type"] == "Bearer" and 0 < d["expires_in"] <= 900'
if grep -qi '^cache-control: no-store' "$BODIES/oauth-password.headers"; then pass "oauth-password: Cache-Control: no-store"; else fail "oauth-password: no Cache-Control: no-store"; fi
OAUTH_ACCESS="$(field oauth-password access_token)"
OAUTH_REFRESH="$(field oauth-password refresh_token)"
if request oauth-introspect 200 "$ISSUER/oauth/introspect" -H "Authorization: Bearer $APP_TOKEN" -d "token=$OAUTH_ACCESS"; then
    expect oauth-introspect 'd["active"] is True and d["username"] == "admin" and d["token_use"] == "access_token" and d["client_id"] == "curl-flow"'
fi
if request oauth-refresh 200 "$ISSUER/oauth/token" -d grant_type=refresh_token -d "refresh_token=$OAUTH_REFRESH"; then
    expect oauth-refresh 'jwt(d["access_token"]) and "refresh_token" not in d'
fi
request oauth-revoke 200 "$ISSUER/oauth/revoke" -d "token=$OAUTH_REFRESH"
if request oauth-revoked 400 "$ISSUER/oauth/token" -d grant_type=refresh_token -d "refresh_token=$OAUTH_REFRESH"; then
    expect oauth-revoked 'd["error"] == "invalid_grant" and d["error_description"] == "Token has been revoked"'
fi
if request oauth-revoked-itempath 401 -X POST "$URL/api/users/refresh" -H "Authorization: Bearer $OAUTH_REFRESH"; then
    expect oauth-revoked-itempath 'd["msg"] == "Token has been revoked"'
fi

# --- two refusals of the contract ----------------------------------------------------------
if request me-anonymous 401 "$URL/api/users/me"; then
    expect me-anonymous 'd["msg"] == "Missing Authorization Header"'
fi
if request admin-app-token 403 -X POST "$URL/api/users/application-token" -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $REFRESH"; then
    expect admin-app-token 'd["msg"] == "Only application users can create application tokens"'
fi

# --- verdict ------------------------------------------------------------------------------------
if (( failures > 0 )); then
    say "$failures of $checks checks FAILED"
    exit 1
fi
say "all $checks checks passed"
exit 0
