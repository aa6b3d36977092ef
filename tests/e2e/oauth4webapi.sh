#!/usr/bin/env bash
# End-to-end: registered clients against the real service started by ./run.sh, with the npm
# package oauth4webapi (tests/e2e/oauth4webapi/clients.mjs): clients created through the API,
# then client_credentials, introspection and revocation with client_secret_basic,
# client_secret_post and private_key_jwt (an RSA key made by the script).
#
# The package is installed with `npm ci` from the committed lock into a throwaway copy of
# tests/e2e/oauth4webapi (nothing global). Exit 0 only if every check passed; 77 (skipped) only
# when node or npm is missing. See tests/e2e/lib/e2e.sh for the shared settings.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

E2E_NAME=oauth4webapi
ADMIN_PASSWORD="E2e-Admin-Pass-2718"
# shellcheck source=tests/e2e/lib/e2e.sh
source tests/e2e/lib/e2e.sh
e2e_skip_without node npm
e2e_init

PACKAGE="$DATA/oauth4webapi"
mkdir -p "$PACKAGE"
cp tests/e2e/oauth4webapi/package.json tests/e2e/oauth4webapi/package-lock.json tests/e2e/oauth4webapi/clients.mjs "$PACKAGE/"
if (cd "$PACKAGE" && npm ci --no-audit --no-fund --silent >"$DATA/npm.out" 2>&1); then
    pass "npm ci: oauth4webapi $(cd "$PACKAGE" && node -p 'require("./node_modules/oauth4webapi/package.json").version')"
else
    cat "$DATA/npm.out" >&2
    fatal "npm ci of oauth4webapi failed"
fi

e2e_start

if (cd "$PACKAGE" && ITEMPATH_URL="$URL" ITEMPATH_ADMIN_PASSWORD="$ADMIN_PASSWORD" node clients.mjs) >"$DATA/node.out" 2>&1; then
    pass "oauth4webapi: $(tail -n 1 "$DATA/node.out")"
else
    fail "oauth4webapi: the client checks failed"
fi
sed "s/^/$E2E_NAME: node: /" "$DATA/node.out" >&2

e2e_verdict
