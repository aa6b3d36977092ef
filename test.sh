#!/usr/bin/env bash
# ./test.sh          the whole suite (what CI runs)
# ./test.sh --fast   the unit tests alone (tests/ItemPathOrleans.UnitTests: no cluster, no
#                    server, no database; well under a minute after the build)
#
# The whole suite runs against a throwaway PostgreSQL:
#   1. start PostgreSQL in a temp folder on a free port and apply db/
#   2. build, then `dotnet test` the solution (ITEMPATH_TEST_PG points the tests at it)
#   3. run every executable tests/e2e/*.sh from the repo root (exit 0 = pass, 77 = skipped)
# and ends with one line: "N passed, N failed" (", N skipped" when any were skipped).
# Exits non-zero if the build or anything else failed.
#
# ITEMPATH_KEEP_TEST_DIR=1 keeps the temp folder (database, .trx results) for a look after.
# ITEMPATH_E2E_TIMEOUT: seconds allowed per e2e script (default 900).
# ITEMPATH_E2E_JOBS: e2e scripts run at once, beside the .NET tests (default 1);
# ITEMPATH_E2E_JOBS_AFTER: at once after the .NET tests are done (default 2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

say() { echo "test.sh: $*" >&2; }

# CPU accounting, so a report says where the machine's time went, not only how long each part took.
# busy_seconds: CPU-seconds the whole machine has spent busy since boot (/proc/stat, all cores).
busy_seconds() { awk '/^cpu /{ printf "%.0f", ($2 + $3 + $4 + $7 + $8) / 100; exit }' /proc/stat 2>/dev/null || echo 0; }
# children_cpu FILE: CPU-seconds (user + system) of the finished children of the calling (sub)shell
# (`times` must run in that shell itself, not in a pipe's subshell: hence the file).
children_cpu() {
    times >"$1"
    awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); n += p[1] * 60 + p[2] } printf "%.0f", n }' "$1"
}

FAST=0
for arg in "$@"; do
    case "$arg" in
        --fast) FAST=1 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) say "unknown option $arg (./test.sh or ./test.sh --fast)"; exit 2 ;;
    esac
done

[[ -f ItemPathOrleans.sln ]] || { say "ItemPathOrleans.sln not found in $ROOT"; exit 1; }
command -v dotnet >/dev/null || { say "dotnet not found: install the .NET 10 SDK"; exit 1; }

TMP="$(mktemp -d /tmp/itempath-test.XXXXXX)"
PG_DATA="$TMP/pg"
RESULTS="$TMP/results"

E2E_PID=""
PG_SETUP_PID=""
descendants() { local child; for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$child"; descendants "$child"; done; }
stop_e2e() {  # on an early exit: each running script gets TERM through its timeout, and cleans up
    [[ -n "$E2E_PID" ]] && kill -0 "$E2E_PID" 2>/dev/null || return 0
    local pid
    for pid in $(descendants "$E2E_PID"); do
        [[ "$(ps -o comm= -p "$pid" 2>/dev/null)" == timeout ]] && kill -TERM "$pid" 2>/dev/null
    done
    wait "$E2E_PID" 2>/dev/null || true
}
cleanup() {
    trap '' INT TERM
    stop_e2e
    # A PostgreSQL still being set up (a stop during the build) is stopped once it has started.
    [[ -z "${PG_SETUP_PID:-}" ]] || wait "$PG_SETUP_PID" 2>/dev/null || true
    scripts/pg.sh stop "$PG_DATA" >/dev/null 2>&1 || true
    [[ "${ITEMPATH_KEEP_TEST_DIR:-0}" == "1" ]] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[[ "${ITEMPATH_KEEP_TEST_DIR:-0}" != "1" ]] || say "keeping the test folder $TMP"

# --- counting: the .trx files of dotnet test, then one summary line ---------------------------
passed=0 failed=0 skipped=0
failed_names=()
test_status=0

# The names of the tests a .trx file records as not passed, one per line:
# <UnitTestResult ... testName="Namespace.Class.Method(args)" ... outcome="Failed" ...>
FAILED_TESTS_PY='
import html, re, sys
text = open(sys.argv[1], encoding="utf-8-sig").read()
for m in re.finditer(r"<UnitTestResult\b[^>]*>", text):
    tag = m.group(0)
    outcome = re.search(r"\boutcome=\"([^\"]*)\"", tag)
    name = re.search(r"\btestName=\"([^\"]*)\"", tag)
    if outcome and name and outcome.group(1) not in ("Passed", "NotExecuted"):
        print(html.unescape(name.group(1)))
'

count_results() {
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
        while IFS= read -r name; do
            if [[ -n "$name" ]]; then failed_names+=("$name"); fi
        done < <(python3 -c "$FAILED_TESTS_PY" "$trx")
    done < <(find "$RESULTS" -name '*.trx' -print0 2>/dev/null)

    if [[ $test_status -ne 0 && $failed -eq 0 ]]; then
        # A crashed test host or a run that produced no results: count it as one failure.
        say "dotnet test exited with status $test_status ($trx_count result files)"
        failed=$((failed + 1))
    fi
}

report() {
    if (( ${#failed_names[@]} > 0 )); then
        echo "failed:"
        printf '  %s\n' "${failed_names[@]}"
    fi
    summary="$passed passed, $failed failed"
    (( skipped == 0 )) || summary="$summary, $skipped skipped"
    echo "$summary"
    if (( failed == 0 )); then exit 0; else exit 1; fi
}

# --- ./test.sh --fast: the unit tests alone ---------------------------------------------------
if (( FAST )); then
    say "building the unit tests (Release)"
    dotnet build tests/ItemPathOrleans.UnitTests -c Release -nologo -v q || { say "build failed"; exit 1; }
    say "dotnet test: the unit tests"
    dotnet test tests/ItemPathOrleans.UnitTests -c Release --no-build -nologo \
        --logger "trx;LogFileName=results.trx" --results-directory "$RESULTS" || test_status=$?
    count_results
    report
fi

# --- python3 without a version manager's shims ----------------------------------------------
# A pyenv shim starts a chain of bash scripts for every python3 (0.3-0.8 s each on this 2-core
# machine, where the e2e scripts call it a hundred times): put the interpreter's own folder first.
if python_exe="$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)" && [[ -x "$python_exe" ]]; then
    PATH="$(dirname "$python_exe"):$PATH"
    export PATH
fi

# --- .NET for a test run: less work per process start ---------------------------------------
# Every e2e script starts silos and API nodes, and the test host starts dozens of clusters: on 2
# cores the run is CPU-bound. Profile-guided re-JIT pays off only in long runs; so does compiling a
# method again, optimized, after its 30th call (1,000 here: a silo or API node starts on about a
# quarter less CPU, the test host runs on about a tenth less); and the API's server GC keeps a
# heap and GC threads per core in every process. None changes what a test observes. (./run.sh
# and production keep the defaults.)
export DOTNET_TieredPGO="${DOTNET_TieredPGO:-0}"
export DOTNET_TC_CallCountThreshold="${DOTNET_TC_CallCountThreshold:-1000}"
# Idle thread-pool threads block at once instead of spinning first: on a machine the suite keeps
# busy, a spinning thread only takes the CPU from one with work to do.
export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit="${DOTNET_ThreadPool_UnfairSemaphoreSpinLimit:-0}"
export DOTNET_gcServer="${DOTNET_gcServer:-0}"
# Every database of a test run (this one's and each e2e script's run.sh) is thrown away: no fsync.
export ITEMPATH_PG_FAST="${ITEMPATH_PG_FAST:-1}"

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

# --- throwaway PostgreSQL, set up while the build runs ---------------------------------------
# Every server of the run (this one, each e2e script's run.sh, the tests' private ones) starts
# from a copy of one initdb'd template folder instead of running initdb itself.
chmod 755 "$TMP"   # the postgres OS user (when we are root) reaches the folders below
export ITEMPATH_PG_TEMPLATE="$TMP/pg-template/data"
PG_PORT="$(scripts/pg.sh free-port)"
pg_setup() {
    scripts/pg.sh template "$ITEMPATH_PG_TEMPLATE" \
        && scripts/pg.sh start "$PG_DATA" "$PG_PORT" \
        && scripts/pg.sh apply "postgresql://postgres@127.0.0.1:$PG_PORT/itempath"
}
pg_setup >"$TMP/pg-setup.log" 2>&1 &
PG_SETUP_PID=$!
export ITEMPATH_TEST_PG="Host=127.0.0.1;Port=$PG_PORT;Database=itempath;Username=postgres"

# --- build, then the .NET tests --------------------------------------------------------------
say "building (Release)"
build_status=0
build_began=$SECONDS busy_began=$(busy_seconds)
dotnet build ItemPathOrleans.sln -c Release -nologo -v q || build_status=$?
build_took=$((SECONDS - build_began)) build_busy=$(( $(busy_seconds) - busy_began ))
pg_status=0
wait "$PG_SETUP_PID" || pg_status=$?
sed 's/^/  /' "$TMP/pg-setup.log" >&2
(( pg_status == 0 )) || { say "PostgreSQL could not be set up (output above)"; exit 1; }
(( build_status == 0 )) || { say "build failed"; exit 1; }

# The end-to-end scripts start ./run.sh on their own ports and folders: they run beside the .NET
# tests (ITEMPATH_E2E_JOBS at a time), each into its own log, on the build just made.
export ITEMPATH_NO_BUILD=1
e2e_timeout="${ITEMPATH_E2E_TIMEOUT:-900}"
e2e_jobs="${ITEMPATH_E2E_JOBS:-1}"
e2e_jobs_after="${ITEMPATH_E2E_JOBS_AFTER:-2}"
e2e_nice="${ITEMPATH_E2E_NICE:-10}"
for jobs_setting in ITEMPATH_E2E_JOBS:$e2e_jobs ITEMPATH_E2E_JOBS_AFTER:$e2e_jobs_after; do
    [[ "${jobs_setting#*:}" =~ ^[1-9][0-9]*$ ]] || { say "${jobs_setting%%:*} must be a whole number from 1"; exit 2; }
done
E2E="$TMP/e2e"
mkdir -p "$E2E"
# The console's screenshots go beside the logs, so a suite run leaves docs/images as it was
# (tests/e2e/console.sh run by hand writes them there).
export ITEMPATH_CONSOLE_SCREENSHOTS="${ITEMPATH_CONSOLE_SCREENSHOTS:-$E2E/console-screenshots}"
DOTNET_TEST_DONE="$E2E/.dotnet-test-done"   # from then on, ITEMPATH_E2E_JOBS_AFTER scripts at once

run_e2e() {  # run_e2e SCRIPT: its output to $E2E/NAME.log, "STATUS SECONDS" to $E2E/NAME.status
    local script="$1" name status=0 began
    name="$(basename "$script" .sh)"
    began=$SECONDS
    # Niced: the .NET tests are the longer path, and the scripts fill the CPU they leave.
    (cd "$ROOT" && nice -n "$e2e_nice" timeout --kill-after=30 "$e2e_timeout" "$script" </dev/null) >"$E2E/$name.log" 2>&1 || status=$?
    # This job's children are the one script and what it waited for (its run.sh, silo and API).
    children_cpu "$E2E/$name.times" >"$E2E/$name.cpu"
    echo "$status $((SECONDS - began)) $(<"$E2E/$name.cpu")" >"$E2E/$name.status"
}

e2e_limit() { if [[ -e "$DOTNET_TEST_DONE" ]]; then echo "$e2e_jobs_after"; else echo "$e2e_jobs"; fi; }

# The longest scripts first, so the ones still running when the .NET tests end are short and run
# side by side (ITEMPATH_E2E_JOBS_AFTER); the rest in name order.
E2E_FIRST=(multi-node console backup-restore master-key-loss docs-screenshot break-glass)

e2e_scripts() {
    local name script
    shopt -s nullglob
    for name in "${E2E_FIRST[@]}"; do [[ -x "$ROOT/tests/e2e/$name.sh" ]] && echo "$ROOT/tests/e2e/$name.sh"; done
    for script in "$ROOT"/tests/e2e/*.sh; do
        [[ " ${E2E_FIRST[*]} " == *" $(basename "$script" .sh) "* ]] || echo "$script"
    done
}

run_all_e2e() {
    local script
    while IFS= read -r script; do
        [[ -x "$script" ]] || continue
        # A free slot: polled, since the limit grows when the .NET tests end.
        while (( $(jobs -rp | wc -l) >= $(e2e_limit) )); do sleep 0.2; done
        run_e2e "$script" &
    done < <(e2e_scripts)
    wait
}

began=$SECONDS
say "dotnet test, and the end-to-end scripts beside it ($e2e_jobs at a time, then $e2e_jobs_after)"
busy_began=$(busy_seconds)
run_all_e2e &
E2E_PID=$!
dotnet test ItemPathOrleans.sln -c Release --no-build -nologo \
    --logger "trx;LogFilePrefix=results" --results-directory "$RESULTS" || test_status=$?
touch "$DOTNET_TEST_DONE"
say "dotnet test done after $((SECONDS - began)) s"
count_results

wait "$E2E_PID" || true
E2E_PID=""
tests_took=$((SECONDS - began)) tests_busy=$(( $(busy_seconds) - busy_began ))
say "end-to-end scripts done after $tests_took s"
e2e_cpu=0
for status_file in "$E2E"/*.status; do
    name="tests/e2e/$(basename "$status_file" .status).sh"
    log="${status_file%.status}.log"
    read -r status took cpu <"$status_file"
    e2e_cpu=$((e2e_cpu + ${cpu:-0}))
    case $status in
        0) passed=$((passed + 1)); say "e2e: $name passed ($took s, ${cpu:-?} CPU-s)" ;;
        77) skipped=$((skipped + 1)); say "e2e: $name skipped ($took s): $(tail -n 1 "$log")" ;;
        *)
            failed=$((failed + 1))
            if [[ $status == 124 ]]; then why="timed out after $e2e_timeout s"; else why="exit $status"; fi
            failed_names+=("$name ($why)")
            say "e2e: $name FAILED ($why, $took s); its failed checks, then the end of its output:"
            # The checks first: a script that fails prints the service's logs after them.
            grep -E '(^|: )FAIL: |cannot go on|checks FAILED' "$log" | head -n 40 | sed 's/^/    /' >&2 || true
            tail -n 40 "$log" | sed 's/^/    /' >&2
            ;;
    esac
done
cores=$(nproc 2>/dev/null || echo 1)
# (The test hosts are not children dotnet test waits for, so their share is what the scripts leave.)
say "CPU: the build ${build_busy} CPU-s in ${build_took} s; then the machine was busy ${tests_busy} of $((tests_took * cores)) CPU-s" \
    "($cores cores for $tests_took s): the e2e scripts ${e2e_cpu}, the rest (the .NET test hosts, PostgreSQL) $((tests_busy - e2e_cpu))"

report
