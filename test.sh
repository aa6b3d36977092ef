#!/usr/bin/env bash
# Runs the whole suite against a throwaway PostgreSQL:
#   1. start PostgreSQL in a temp folder on a free port and apply db/
#   2. build, then `dotnet test` the solution (ITEMPATH_TEST_PG points the tests at it)
#   3. run every executable tests/e2e/*.sh from the repo root (exit 0 = pass, 77 = skipped)
# and ends with one line: "N passed, N failed" (", N skipped" when any were skipped).
# Exits non-zero if the build or anything else failed.
#
# ITEMPATH_KEEP_TEST_DIR=1 keeps the temp folder (database, .trx results) for a look after.
# ITEMPATH_E2E_TIMEOUT: seconds allowed per e2e script (default 900).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

say() { echo "test.sh: $*" >&2; }

[[ -f ItemPathOrleans.sln ]] || { say "ItemPathOrleans.sln not found in $ROOT"; exit 1; }
command -v dotnet >/dev/null || { say "dotnet not found: install the .NET 10 SDK"; exit 1; }

TMP="$(mktemp -d /tmp/itempath-test.XXXXXX)"
PG_DATA="$TMP/pg"
RESULTS="$TMP/results"

cleanup() {
    trap '' INT TERM
    scripts/pg.sh stop "$PG_DATA" >/dev/null 2>&1 || true
    [[ "${ITEMPATH_KEEP_TEST_DIR:-0}" == "1" ]] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[[ "${ITEMPATH_KEEP_TEST_DIR:-0}" != "1" ]] || say "keeping the test folder $TMP"

# --- the independent JWT check needs Debian's PyJWT (and, for ES256, python3-cryptography) --
if ! /usr/bin/python3 -c 'import jwt, cryptography' 2>/dev/null; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "installing python3-jwt and python3-cryptography (Debian's PyJWT with EC support) for the independent token check"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-jwt python3-cryptography >/dev/null
    else
        say "PyJWT or cryptography is missing: run 'apt-get install python3-jwt python3-cryptography' (the interop tests will fail without them)"
    fi
fi

# --- the API reference check (tests/e2e/docs-screenshot.sh) renders /docs in headless Chromium ---
if ! command -v chromium >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "installing chromium (Debian's) for the API reference check"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
            || say "chromium could not be installed: the API reference check will be skipped"
    else
        say "chromium is missing: run 'apt-get install chromium' (the API reference check is skipped without it)"
    fi
fi

# --- the TLS check (tests/e2e/tls.sh) makes its certificates with openssl ------------------
if ! command -v openssl >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "installing openssl for the TLS check"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
    else
        say "openssl is missing: run 'apt-get install openssl' (the TLS check will fail without it)"
    fi
fi

# --- throwaway PostgreSQL ------------------------------------------------------------------
PG_PORT="$(scripts/pg.sh free-port)"
ITEMPATH_PG_FAST=1 scripts/pg.sh start "$PG_DATA" "$PG_PORT"
scripts/pg.sh apply "postgresql://postgres@127.0.0.1:$PG_PORT/itempath"
export ITEMPATH_TEST_PG="Host=127.0.0.1;Port=$PG_PORT;Database=itempath;Username=postgres"

passed=0 failed=0 skipped=0
failed_names=()

# --- build, then the .NET tests --------------------------------------------------------------
say "building (Release)"
if ! dotnet build ItemPathOrleans.sln -c Release -nologo -v q; then
    say "build failed"
    exit 1
fi

say "dotnet test"
test_status=0
dotnet test ItemPathOrleans.sln -c Release --no-build -nologo \
    --logger "trx;LogFileName=results.trx" --results-directory "$RESULTS" || test_status=$?

# Sum the counters of every .trx (one per test project run):
# <Counters total= executed= passed= failed= error= timeout= aborted= ...>
counter() {  # counter NAME FILE -> the attribute's value, 0 if absent
    local v
    v="$(grep -o "<Counters [^>]*" "$2" | grep -o " $1=\"[0-9]*\"" | head -n 1 | tr -dc '0-9')"
    echo "${v:-0}"
}
trx_count=0
while IFS= read -r -d '' trx; do
    trx_count=$((trx_count + 1))
    passed=$((passed + $(counter passed "$trx")))
    failed=$((failed + $(counter failed "$trx") + $(counter error "$trx") \
        + $(counter timeout "$trx") + $(counter aborted "$trx")))
    # Skipped tests are in total but not in executed (notExecuted stays 0 for them).
    skipped=$((skipped + $(counter total "$trx") - $(counter executed "$trx")))
    # <UnitTestResult ... testName="Namespace.Class.Method(args)" ... outcome="Failed" ...>
    while IFS= read -r name; do
        if [[ -n "$name" ]]; then failed_names+=("$name"); fi
    done < <(python3 - "$trx" <<'PY'
import html, re, sys
text = open(sys.argv[1], encoding="utf-8-sig").read()
for m in re.finditer(r"<UnitTestResult\b[^>]*>", text):
    tag = m.group(0)
    outcome = re.search(r'\boutcome="([^"]*)"', tag)
    name = re.search(r'\btestName="([^"]*)"', tag)
    if outcome and name and outcome.group(1) not in ("Passed", "NotExecuted"):
        print(html.unescape(name.group(1)))
PY
)
done < <(find "$RESULTS" -name '*.trx' -print0 2>/dev/null)

if [[ $test_status -ne 0 && $failed -eq 0 ]]; then
    # A crashed test host or a run that produced no results: count it as one failure.
    say "dotnet test exited with status $test_status ($trx_count result files)"
    failed=$((failed + 1))
fi

# --- end-to-end scripts ------------------------------------------------------------------------
e2e_timeout="${ITEMPATH_E2E_TIMEOUT:-900}"
shopt -s nullglob
for script in "$ROOT"/tests/e2e/*.sh; do
    [[ -x "$script" ]] || continue
    name="tests/e2e/$(basename "$script")"
    say "e2e: $name"
    status=0
    (cd "$ROOT" && timeout --kill-after=30 "$e2e_timeout" "$script" </dev/null) || status=$?
    case $status in
        0) passed=$((passed + 1)); say "e2e: $name passed" ;;
        77) skipped=$((skipped + 1)); say "e2e: $name skipped" ;;
        124) failed=$((failed + 1)); failed_names+=("$name (timed out after $e2e_timeout s)"); say "e2e: $name FAILED (timed out after $e2e_timeout s)" ;;
        *) failed=$((failed + 1)); failed_names+=("$name (exit $status)"); say "e2e: $name FAILED (exit $status)" ;;
    esac
done

if (( ${#failed_names[@]} > 0 )); then
    echo "failed:"
    printf '  %s\n' "${failed_names[@]}"
fi
summary="$passed passed, $failed failed"
(( skipped == 0 )) || summary="$summary, $skipped skipped"
echo "$summary"
(( failed == 0 ))
