#!/usr/bin/env bash
# End-to-end: the runbook for a lost master key. Two tenants sign with versions derived from
# master key m1; m1 is lost (its file deleted, the service restarted with a new master key m2):
# tokens signed with m1's versions are refused (401) and logins answer 503 with Retry-After,
# never 500. `./run.sh admin retire-master-key --master-key m1 --all-tenants` gives each tenant a
# version derived from m2 and retires m1's: logins work again, old tokens stay refused.
# Through the outage the tenants' key sets are still published (200).
#
# Exit 0 only if every check passed. test.sh runs it from the repo root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

E2E_NAME=master-key-loss
ACME_PASSWORD="Acme-Admin-Pass-7071"
# shellcheck source=tests/e2e/lib/e2e.sh
source tests/e2e/lib/e2e.sh
e2e_init
e2e_start

login() {  # NAME EXPECTED TENANT USERNAME PASSWORD
    request "$1" "$2" -X POST "$URL/api/users/login" -H 'Content-Type: application/json' -H "X-Tenant: $3" \
        --data-raw "{\"username\": \"$4\", \"password\": \"$5\"}"
}

login admin-login 200 default admin "$ADMIN_PASSWORD" || fatal "admin login"
OLD_ACCESS="$(field admin-login accessToken)"
OLD_REFRESH="$(field admin-login refreshToken)"
request create-acme 201 -X POST "$URL/api/tenants" -H "Authorization: Bearer $OLD_ACCESS" -H 'Content-Type: application/json' \
    --data-raw "{\"id\": \"acme\", \"name\": \"Acme\", \"adminUsername\": \"boss\", \"adminPassword\": \"$ACME_PASSWORD\"}" || fatal "creating tenant acme"
login acme-login 200 acme boss "$ACME_PASSWORD" || fatal "acme admin login"
ACME_OLD_ACCESS="$(field acme-login accessToken)"

# --- m1 is lost: a new master key m2 in its place -------------------------------------------------
e2e_stop || fatal "run.sh did not stop"
rm -f "$DATA/master-key"
mv "$OUT" "$OUT.before"
export ITEMPATH_MASTER_KEY_ID=m2
e2e_start
grep -q "generated a token master key" "$OUT" && pass "run.sh generated the new master key m2" || fail "run.sh did not generate a new master key"

request old-access 401 "$URL/api/users/me" -H "Authorization: Bearer $OLD_ACCESS"
request acme-old-access 401 "$URL/api/users/me" -H "X-Tenant: acme" -H "Authorization: Bearer $ACME_OLD_ACCESS"
# The key set is still published (its ID token key, which needs the lost key, comes later): never a 500 or 503.
request acme-jwks-without-key 200 "$URL/acme/.well-known/jwks.json"
if login login-without-key 503 default admin "$ADMIN_PASSWORD"; then
    grep -qi '^retry-after:' "$BODIES/login-without-key.headers" && pass "the 503 carries Retry-After" || fail "the 503 has no Retry-After"
fi

# --- the recovery ----------------------------------------------------------------------------------
if ITEMPATH_PG_PORT="$PG_PORT" ./run.sh admin retire-master-key --master-key m1 --all-tenants > "$DATA/retire.out" 2> "$DATA/retire.err"; then
    pass "retire-master-key: $(tr '\n' ' ' < "$DATA/retire.out")"
else
    fatal "retire-master-key failed: $(cat "$DATA/retire.out" "$DATA/retire.err")"
fi
grep -q '^acme: rotated to k2 (master key m2); retired k1$' "$DATA/retire.out" && grep -q '^default: rotated to k2 (master key m2); retired k1$' "$DATA/retire.out" \
    && pass "both tenants rotated to a version of m2 and retired k1" || fail "unexpected output: $(cat "$DATA/retire.out")"

login admin-login-again 200 default admin "$ADMIN_PASSWORD" || fatal "admin login after the recovery"
NEW_ACCESS="$(field admin-login-again accessToken)"
request me-again 200 "$URL/api/users/me" -H "Authorization: Bearer $NEW_ACCESS"
login acme-login-again 200 acme boss "$ACME_PASSWORD"
request old-access-after 401 "$URL/api/users/me" -H "Authorization: Bearer $OLD_ACCESS"
request old-refresh-after 401 -X POST "$URL/api/users/refresh" -H "Authorization: Bearer $OLD_REFRESH"
if request keys 200 "$URL/api/tenants/default/keys" -H "Authorization: Bearer $NEW_ACCESS"; then
    expect keys '[(k["kid"], k["masterKeyId"], k["retiredAt"] is not None, k["current"]) for k in d["keys"]] == [("k1", "m1", True, False), ("k2", "m2", False, True)]'
fi
# Running it again changes nothing.
ITEMPATH_PG_PORT="$PG_PORT" ./run.sh admin retire-master-key --master-key m1 --tenant acme > "$DATA/again.out" 2>&1 \
    && grep -q '^acme: nothing to retire$' "$DATA/again.out" && pass "a second run has nothing to do" || fail "second run: $(cat "$DATA/again.out")"

e2e_verdict
