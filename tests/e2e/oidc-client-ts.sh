#!/usr/bin/env bash
# End-to-end: a single-page app signs in with the npm package oidc-client-ts in headless Chromium
# (driven by playwright-core) against the real service started by ./run.sh, its CORS allowing the
# app's origin (tests/e2e/oidc-client-ts/spa.mjs):
#
#   a public client registered through the API, a user created -> the app on its own origin ->
#   Sign in -> the tenant's hosted sign-in page (title, heading, inputs; a screenshot) -> the
#   callback -> GET /api/users/me with the access token -> Refresh (the refresh token rotates) ->
#   Sign out (id_token_hint) -> back at the app -> the last refresh token is refused
#   (invalid_grant) and a new Sign in shows the sign-in page again.
#
# The packages are installed with `npm ci` from the committed lock into a throwaway copy of
# tests/e2e/oidc-client-ts (nothing global, no browser download: playwright-core launches
# Debian's chromium). Exit 0 only if every check passed; 77 (skipped) when node, npm or chromium
# is missing. The sign-in page's screenshot goes to ITEMPATH_E2E_ARTIFACTS (default /tmp) as
# itempath-sign-in-<time>.png and is kept. See tests/e2e/lib/e2e.sh for the shared settings.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

E2E_NAME=oidc-client-ts
ADMIN_PASSWORD="E2e-Admin-Pass-2718"
ARTIFACTS="${ITEMPATH_E2E_ARTIFACTS:-/tmp}"
# shellcheck source=tests/e2e/lib/e2e.sh
source tests/e2e/lib/e2e.sh
e2e_skip_without node npm chromium
e2e_init
mkdir -p "$ARTIFACTS"
SHOT="$ARTIFACTS/itempath-sign-in-$(date +%Y%m%d-%H%M%S)-$$.png"

# The app's own origin, on a port of its own: the service's CORS allows it.
SPA_PORT="$(scripts/pg.sh free-port)"
while [[ " $HTTP_PORT $PG_PORT $SILO_PORT $GATEWAY_PORT " == *" $SPA_PORT "* ]]; do SPA_PORT="$(scripts/pg.sh free-port)"; done
export Cors__AllowedOrigins__0="http://127.0.0.1:$SPA_PORT"

PACKAGE="$DATA/oidc-client-ts"
mkdir -p "$PACKAGE"
cp -r tests/e2e/oidc-client-ts/package.json tests/e2e/oidc-client-ts/package-lock.json \
    tests/e2e/oidc-client-ts/spa.mjs tests/e2e/oidc-client-ts/spa "$PACKAGE/"
if (cd "$PACKAGE" && npm ci --no-audit --no-fund --silent >"$DATA/npm.out" 2>&1); then
    pass "npm ci: oidc-client-ts $(cd "$PACKAGE" && node -p 'require("./node_modules/oidc-client-ts/package.json").version'), playwright-core $(cd "$PACKAGE" && node -p 'require("./node_modules/playwright-core/package.json").version')"
else
    cat "$DATA/npm.out" >&2
    fatal "npm ci of oidc-client-ts and playwright-core failed"
fi

e2e_start

if (cd "$PACKAGE" && ITEMPATH_URL="$URL" ITEMPATH_ADMIN_PASSWORD="$ADMIN_PASSWORD" SPA_PORT="$SPA_PORT" \
        CHROMIUM="$CHROMIUM" SHOT="$SHOT" timeout 300 node spa.mjs) >"$DATA/node.out" 2>&1; then
    pass "oidc-client-ts: $(tail -n 1 "$DATA/node.out")"
else
    fail "oidc-client-ts: the single-page app checks failed"
fi
sed "s/^/$E2E_NAME: node: /" "$DATA/node.out" >&2

if [[ -s "$SHOT" ]] && python3 -c 'import sys; sys.exit(0 if open(sys.argv[1], "rb").read(8) == b"\x89PNG\r\n\x1a\n" else 1)' "$SHOT"; then
    pass "screenshot of the sign-in page kept at $SHOT"
else
    fail "no screenshot at $SHOT"
fi

e2e_verdict
