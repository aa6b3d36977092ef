#!/usr/bin/env bash
# End-to-end: the ItemPath Authentication documentation's curl flow against the real service
# started by ./run.sh (PostgreSQL + silo + API), on free ports with a throwaway data folder.
#
#   login -> GET /api/users/me -> POST /api/users/refresh -> create an application user ->
#   its login -> POST /api/users/application-token (JSON content type, no body) -> /me with it
# -> the standard OAuth 2.0 endpoints (metadata, password and refresh_token grants,
#   introspection with the application token, revocation seen by both front doors)
# Before the flow: what run.sh printed names the API reference, the OpenAPI document and the
# metrics, and each of those addresses answers.
#
# Exit 0 only if every check passed. Run from anywhere; test.sh runs it from the repo root.
# ITEMPATH_E2E_READY_TIMEOUT: seconds to wait for run.sh to be ready (default 120; the build
# run.sh does first counts, so a cold machine may need more). See tests/e2e/lib/e2e.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

E2E_NAME=curl-flow
ADMIN_PASSWORD="E2e-Admin-Pass-2718"
APP_USER="e2e-app-$(date +%s)-$$"
APP_PASSWORD="E2e-App-Pass-3141"
# shellcheck source=tests/e2e/lib/e2e.sh
source tests/e2e/lib/e2e.sh
e2e_init
e2e_start

# --- the front door: where run.sh says to look -------------------------------------------------
# The node lines and "stop: Ctrl-C" end the banner; it is complete once that line is there.
deadline=$((SECONDS + 10))
until grep -q "stop: Ctrl-C" "$OUT" || (( SECONDS >= deadline )); do sleep 0.2; done
banner_names() {  # WHAT TEXT: the banner holds TEXT
    if grep -qF -- "$2" "$OUT"; then pass "the banner names $1"; else fail "the banner lacks \"$2\""; fi
}
banner_names "the API reference" "API reference: $URL/docs (OpenAPI document: $URL/openapi/v1.json)"
banner_names "the metrics and who may read them" "metrics: $URL/metrics (Prometheus text; loopback only"
banner_names "the dashboard, off by default" "Orleans dashboard: off (Dashboard__Enabled=true"
banner_names "the console" "console: $URL/default/console (sign in as admin)"
request banner-console 200 "$URL/default/console" || true
request banner-docs 200 -L "$URL/docs" || true
request banner-openapi 200 "$URL/openapi/v1.json" && expect banner-openapi 'd["openapi"].startswith("3.")'
if request banner-metrics 200 "$URL/metrics" && grep -q '^# TYPE ' "$BODIES/banner-metrics"; then
    pass "banner-metrics: Prometheus text"
else
    fail "banner-metrics: no Prometheus text"
fi

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
    expect oauth-metadata 'sorted(d["grant_types_supported"]) == ["authorization_code", "client_credentials", "password", "refresh_token"]'
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

e2e_verdict
