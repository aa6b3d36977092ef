#!/usr/bin/env bash
# End-to-end: a backup with scripts/backup.sh while the service runs, the database wiped (the
# whole PostgreSQL data folder deleted, as when its host is lost), scripts/restore.sh into a new
# server, the service started again with the same master key: every user, session, application
# token and key version is back and tokens issued before the backup still work; a user created
# after the backup is gone. restore.sh refuses while the service runs.
#
# Exit 0 only if every check passed. test.sh runs it from the repo root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

E2E_NAME=backup-restore
KEEPER_PASSWORD="Keeper-Pass-5813"
APP_PASSWORD="E2e-App-Pass-3141"
LATE_PASSWORD="Late-Pass-2134"
# shellcheck source=tests/e2e/lib/e2e.sh
source tests/e2e/lib/e2e.sh
e2e_init
e2e_start
BACKUP="$DATA/itempath.backup"

bearer() { echo "Authorization: Bearer $1"; }

# --- state before the backup ----------------------------------------------------------------
request admin-login 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"admin\", \"password\": \"$ADMIN_PASSWORD\"}" || fatal "admin login"
ADMIN_ACCESS_K1="$(field admin-login accessToken)"
ADMIN_REFRESH="$(field admin-login refreshToken)"

request create-keeper 201 -X POST "$URL/api/users" -H "$(bearer "$ADMIN_ACCESS_K1")" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"keeper\", \"password\": \"$KEEPER_PASSWORD\", \"email\": \"keeper@example.com\"}" || fatal "creating keeper"
KEEPER_ID="$(field create-keeper id)"
request keeper-login 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"keeper\", \"password\": \"$KEEPER_PASSWORD\"}" || fatal "keeper login"
KEEPER_REFRESH="$(field keeper-login refreshToken)"

request create-app 201 -X POST "$URL/api/users" -H "$(bearer "$ADMIN_ACCESS_K1")" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"exporter\", \"password\": \"$APP_PASSWORD\", \"type\": \"application\"}" || fatal "creating the application user"
request app-login 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"exporter\", \"password\": \"$APP_PASSWORD\"}" || fatal "application user login"
request app-token 200 -X POST "$URL/api/users/application-token" -H 'Content-Type: application/json' \
    -H "$(bearer "$(field app-login refreshToken)")" || fatal "application token"
APP_TOKEN="$(field app-token token)"

# A second key version, and a token signed with it.
request rotate 200 -X POST "$URL/api/tenants/default/keys/rotate" -H "$(bearer "$ADMIN_ACCESS_K1")" || fatal "key rotation"
NEW_KID="$(field rotate kid)"
request admin-login-k2 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"admin\", \"password\": \"$ADMIN_PASSWORD\"}" || fatal "admin login after the rotation"
ADMIN_ACCESS_K2="$(field admin-login-k2 accessToken)"
request keys-before 200 "$URL/api/tenants/default/keys" -H "$(bearer "$ADMIN_ACCESS_K2")" || fatal "key list"
request sessions-before 200 "$URL/api/users/me/sessions" -H "$(bearer "$ADMIN_ACCESS_K2")" || fatal "session list"
ADMIN_SESSIONS="$(python3 -c 'import json,sys; print(" ".join(sorted(s["id"] for s in json.load(open(sys.argv[1]))["sessions"])))' "$BODIES/sessions-before")"

# --- the backup, under a running service --------------------------------------------------------
if scripts/backup.sh --url "$PG_URL" "$BACKUP" 2> "$DATA/backup.err"; then
    pass "backup.sh: $(tail -n 1 "$DATA/backup.err")"
else
    fatal "backup.sh failed: $(cat "$DATA/backup.err")"
fi
[[ "$(stat -c %a "$BACKUP")" == 600 ]] && pass "the backup file is private (600)" || fail "backup file mode $(stat -c %a "$BACKUP")"

# After the backup: a user the restore must not bring back.
request create-late 201 -X POST "$URL/api/users" -H "$(bearer "$ADMIN_ACCESS_K2")" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"late\", \"password\": \"$LATE_PASSWORD\"}" || fatal "creating late"

if scripts/restore.sh --url "$PG_URL" "$BACKUP" 2> "$DATA/refused.err"; then
    fail "restore.sh ran while the service was running"
else
    grep -q "stop the service first" "$DATA/refused.err" && pass "restore.sh refuses while a silo is alive" \
        || fail "restore.sh failed for another reason: $(cat "$DATA/refused.err")"
fi

# --- wipe: stop everything, delete the database server's data folder ---------------------------
e2e_stop || fatal "run.sh did not stop"
scripts/pg.sh stop "$DATA/pg" >/dev/null 2>&1 || true
rm -rf "$DATA/pg"
ITEMPATH_PG_FAST=1 scripts/pg.sh start "$DATA/pg" "$PG_PORT" 2> "$DATA/pg-start.err" || fatal "a new PostgreSQL: $(cat "$DATA/pg-start.err")"
users_now="$("$(scripts/pg.sh tool psql)" "$PG_URL" -X -q -tAc "SELECT count(*) FROM pg_tables WHERE tablename = 'orleansstorage'")"
[[ "$users_now" == 0 ]] && pass "the new database is empty" || fail "the new database already has grain storage"

if scripts/restore.sh --url "$PG_URL" "$BACKUP" 2> "$DATA/restore.err"; then
    pass "restore.sh: $(tail -n 1 "$DATA/restore.err")"
else
    fatal "restore.sh failed: $(cat "$DATA/restore.err")"
fi
scripts/pg.sh stop "$DATA/pg" >/dev/null 2>&1 || true

# --- the service again, same data folder (same master key) --------------------------------------
mv "$OUT" "$OUT.before-restore"
e2e_start

if request me-k1 200 "$URL/api/users/me" -H "$(bearer "$ADMIN_ACCESS_K1")"; then
    expect me-k1 'd["username"] == "admin"'
fi
request me-k2 200 "$URL/api/users/me" -H "$(bearer "$ADMIN_ACCESS_K2")"
request app-me 200 "$URL/api/users/me" -H "$(bearer "$APP_TOKEN")" && expect app-me 'd["username"] == "exporter" and d["type"] == "application"'
request admin-refresh 200 -X POST "$URL/api/users/refresh" -H "$(bearer "$ADMIN_REFRESH")"
request keeper-refresh 200 -X POST "$URL/api/users/refresh" -H "$(bearer "$KEEPER_REFRESH")"
request keeper-login-again 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"keeper\", \"password\": \"$KEEPER_PASSWORD\"}" \
    && expect keeper-login-again "d[\"id\"] == $KEEPER_ID"
request late-login 401 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"late\", \"password\": \"$LATE_PASSWORD\"}"

if request keys-after 200 "$URL/api/tenants/default/keys" -H "$(bearer "$ADMIN_ACCESS_K2")"; then
    if cmp -s "$BODIES/keys-before" "$BODIES/keys-after"; then pass "key ring identical ($NEW_KID current)"; else fail "key ring changed: $(cat "$BODIES/keys-before") vs $(cat "$BODIES/keys-after")"; fi
fi
if request users-after 200 "$URL/api/users?limit=100" -H "$(bearer "$ADMIN_ACCESS_K2")"; then
    expect users-after 'sorted(u["username"] for u in d["users"]) == ["admin", "exporter", "keeper"]'
    expect users-after 'any(u["username"] == "keeper" and u["email"] == "keeper@example.com" for u in d["users"])'
fi
if request sessions-after 200 "$URL/api/users/me/sessions" -H "$(bearer "$ADMIN_ACCESS_K2")"; then
    expect sessions-after "set(\"$ADMIN_SESSIONS\".split()) == set(s[\"id\"] for s in d[\"sessions\"])"
fi

e2e_verdict
