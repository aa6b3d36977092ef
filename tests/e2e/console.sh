#!/usr/bin/env bash
# End-to-end: the web console (/console) in headless Chromium (driven by playwright-core) against
# the real service started by ./run.sh (tests/e2e/console/console.mjs):
#
#   GET /console redirects to {issuer}/console, whose CSP runs only the service's own scripts ->
#   the admin signs in through the hosted page -> creates a user (a weak password is refused at
#   the field) -> finds it by email prefix -> the user signs in in another browser and sees only
#   their own pages -> the admin sets the user's password (confirmed) and sees password_changed
#   -> the user's console ends cleanly, the user signs in again -> the admin revokes the user's
#   sessions -> the user's console ends again -> deleting the last admin is refused in words ->
#   a client is registered and its secret shown once -> on its page a second secret is added
#   (shown once) and the first deleted -> an empty JWK Set is refused at its field, other fields
#   are changed and saved -> the client is disabled, then deleted -> a signing key is rotated,
#   the old one retired -> a setting out of range is refused at its field, a good one saved ->
#   the operator creates a tenant -> sign-out returns to the console's signed-out page. axe-core (from npm, run in the same
#   browser) finds nothing serious or critical on each page checked.
#
# The packages are installed with `npm ci` from the committed lock into a throwaway copy of
# tests/e2e/console (nothing global, no browser download: playwright-core launches Debian's
# chromium). Screenshots of the main pages go to ITEMPATH_CONSOLE_SCREENSHOTS (default
# docs/images, as console-*.png, the pictures docs/console.md shows; ./test.sh sets its own folder). Exit 0 only if every
# check passed; 77 (skipped) when node, npm or chromium is missing. See tests/e2e/lib/e2e.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

E2E_NAME=console
ADMIN_PASSWORD="E2e-Admin-Pass-2718"
SHOTS="${ITEMPATH_CONSOLE_SCREENSHOTS:-$ROOT/docs/images}"
# shellcheck source=tests/e2e/lib/e2e.sh
source tests/e2e/lib/e2e.sh
e2e_skip_without node npm chromium
e2e_init
mkdir -p "$SHOTS"
SHOTS="$(cd "$SHOTS" && pwd)"

PACKAGE="$DATA/console"
mkdir -p "$PACKAGE"
cp tests/e2e/console/package.json tests/e2e/console/package-lock.json tests/e2e/console/console.mjs "$PACKAGE/"
if (cd "$PACKAGE" && npm ci --no-audit --no-fund --silent >"$DATA/npm.out" 2>&1); then
    pass "npm ci: playwright-core $(cd "$PACKAGE" && node -p 'require("./node_modules/playwright-core/package.json").version'), axe-core $(cd "$PACKAGE" && node -p 'require("./node_modules/axe-core/package.json").version')"
else
    cat "$DATA/npm.out" >&2
    fatal "npm ci of playwright-core and axe-core failed"
fi

e2e_start

if (cd "$PACKAGE" && ITEMPATH_URL="$URL" ITEMPATH_ADMIN_PASSWORD="$ADMIN_PASSWORD" CHROMIUM="$CHROMIUM" SHOTS="$SHOTS" \
        timeout 600 node console.mjs) >"$DATA/node.out" 2>&1; then
    pass "console: $(tail -n 1 "$DATA/node.out")"
else
    fail "console: the browser checks failed"
fi
sed "s/^/$E2E_NAME: node: /" "$DATA/node.out" >&2

for name in profile users create-user user non-admin client-secret client keys settings tenants signed-out; do
    shot="$SHOTS/console-$name.png"
    # Written by this run (the folder may hold the pictures of an earlier one).
    if [[ -s "$shot" && "$shot" -nt "$DATA/npm.out" ]] && python3 -c 'import sys; sys.exit(0 if open(sys.argv[1], "rb").read(8) == b"\x89PNG\r\n\x1a\n" else 1)' "$shot"; then
        pass "screenshot $shot"
    else
        fail "no screenshot at $shot"
    fi
done

e2e_verdict
