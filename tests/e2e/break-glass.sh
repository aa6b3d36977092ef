#!/usr/bin/env bash
# End-to-end: the break-glass reset. With the admin locked out by failed logins, `./run.sh admin
# reset-password --tenant default --user admin` beside the running service prints a new password
# once; it logs in at once (the lockout is lifted), the admin's earlier sessions are over, a
# security event records it, and the password appears in no log. The command refuses unknown
# tenants and users, users who are not admins, and bad arguments.
#
# Exit 0 only if every check passed. test.sh runs it from the repo root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

E2E_NAME=break-glass
# shellcheck source=tests/e2e/lib/e2e.sh
source tests/e2e/lib/e2e.sh
e2e_init
e2e_start

admin_cmd() { ITEMPATH_PG_PORT="$PG_PORT" ./run.sh admin "$@"; }
login_json() { printf '{"username": "%s", "password": "%s"}' "$1" "$2"; }

request admin-login 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "$(login_json admin "$ADMIN_PASSWORD")" || fatal "admin login"
OLD_ACCESS="$(field admin-login accessToken)"
OLD_REFRESH="$(field admin-login refreshToken)"
ADMIN_ID="$(field admin-login id)"
request create-clerk 201 -X POST "$URL/api/users" -H "Authorization: Bearer $OLD_ACCESS" -H 'Content-Type: application/json' \
    --data-raw '{"username": "clerk", "password": "Clerk-Pass-8642"}' || fatal "creating a user"

# Lock the admin out: the tenant's default threshold is 5 failures.
for i in 1 2 3 4 5 6; do
    curl -sS -o /dev/null --max-time 30 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
        --data-raw "$(login_json admin "wrong-password-$i")" || true
done
request locked 429 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "$(login_json admin "$ADMIN_PASSWORD")"

# --- refusals ----------------------------------------------------------------------------------
refused() {  # NAME EXPECTED_EXIT MESSAGE_PATTERN ARGS...
    local name="$1" code="$2" pattern="$3"; shift 3
    local status=0
    admin_cmd "$@" > "$DATA/$name.out" 2> "$DATA/$name.err" || status=$?
    if [[ "$status" == "$code" ]] && grep -qE "$pattern" "$DATA/$name.err" && [[ ! -s "$DATA/$name.out" ]]; then
        pass "$name: exit $status, $(tail -n 1 "$DATA/$name.err")"
    else
        fail "$name: exit $status (expected $code), stdout '$(cat "$DATA/$name.out")', stderr '$(tail -n 3 "$DATA/$name.err")'"
    fi
}
refused no-args 2 "usage: admin reset-password" reset-password
refused unknown-verb 2 "usage: admin reset-password" delete-everything --tenant default --user admin
refused unknown-tenant 1 "No tenant 'nowhere'" reset-password --tenant nowhere --user admin
refused unknown-user 1 "No user 'nobody'" reset-password --tenant default --user nobody
refused not-admin 1 "not an active admin" reset-password --tenant default --user clerk

# --- the reset ---------------------------------------------------------------------------------
if admin_cmd reset-password --tenant default --user admin > "$DATA/reset.out" 2> "$DATA/reset.err"; then
    pass "reset-password: $(head -n 1 "$DATA/reset.out")"
else
    fatal "reset-password failed: $(cat "$DATA/reset.out" "$DATA/reset.err")"
fi
NEW_PASSWORD="$(sed -n 's/^    \([A-Za-z0-9]\{24\}\)$/\1/p' "$DATA/reset.out")"
[[ -n "$NEW_PASSWORD" ]] || fatal "no 24-character password in the output: $(cat "$DATA/reset.out")"
grep -q "sessions and application tokens ended" "$DATA/reset.out" && pass "the output says the sessions ended" \
    || fail "the output does not say the sessions ended: $(cat "$DATA/reset.out")"

request new-login 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "$(login_json admin "$NEW_PASSWORD")" || fatal "login with the new password"
NEW_ACCESS="$(field new-login accessToken)"
request old-password 401 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "$(login_json admin "$ADMIN_PASSWORD")"
request old-refresh 401 -X POST "$URL/api/users/refresh" -H "Authorization: Bearer $OLD_REFRESH"

# The old access token stops within the revocation latency (5 s by default): poll up to 15 s.
deadline=$((SECONDS + 15)) status=""
while (( SECONDS < deadline )); do
    status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$URL/api/users/me" -H "Authorization: Bearer $OLD_ACCESS")" || true
    [[ "$status" == 401 ]] && break
    sleep 0.5
done
[[ "$status" == 401 ]] && pass "the old access token is refused (401)" || fail "the old access token still answers $status"

if request events 200 "$URL/api/users/$ADMIN_ID/events" -H "Authorization: Bearer $NEW_ACCESS"; then
    expect events 'any(e["name"] == "break_glass_password_reset" for e in d["events"])'
fi

if grep -rqF "$NEW_PASSWORD" "$DATA/logs" "$OUT"; then
    fail "the new password appears in a log"
else
    pass "the new password appears in no log"
fi

e2e_verdict
