#!/usr/bin/env bash
# Two builds of the service side by side in one run: the working tree and an earlier commit.
#
#   bench/compare.sh REF [--users N] [--login-users N] [--seconds S] [--warmup S] [--rounds R]
#
#   REF                a commit, tag or branch to compare the working tree with (e.g. HEAD~10)
#   --users N          virtual users for refresh and validation (64)
#   --login-users N    virtual users for login (16)
#   --seconds S        measured seconds per scenario and round (8)
#   --warmup S         warm-up seconds per scenario and round, not counted (3)
#   --rounds R         rounds; each measures every scenario on both builds, the order of the two
#                      builds alternating from round to round (2)
#
# Both services run at once (each ./run.sh with its own PostgreSQL, silo and API node, rate limits
# off) on free loopback ports; the one not being measured is idle. The same load generator (this
# tree's) drives both. Scenarios: login, refresh with rotation off and on, validate (/me with an
# access token), verify (/api/auth/verify) and validate-app. Prints ops/s, p50 and p99 per build,
# and the ratio after/before of the ops/s averaged over the rounds; writes bench/results/compare.json.
# shellcheck disable=SC2317  # cleanup runs from a trap
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

[[ $# -ge 1 && "$1" != -* ]] || { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
REF="$1"; shift
USERS=64 LOGIN_USERS=16 MEASURED=8 WARMUP=3 ROUNDS=2
while [[ $# -gt 0 ]]; do
    case "$1" in
        --users) USERS="$2"; shift 2 ;;
        --login-users) LOGIN_USERS="$2"; shift 2 ;;
        --seconds) MEASURED="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for v in "$USERS" "$LOGIN_USERS" "$MEASURED" "$WARMUP" "$ROUNDS"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "compare.sh: options take whole numbers, not '$v'" >&2; exit 2; }
done
(( USERS >= 1 && USERS <= 1000 && LOGIN_USERS >= 1 && LOGIN_USERS <= 1000 && MEASURED >= 1 && ROUNDS >= 1 && ROUNDS <= 10 )) \
    || { echo "compare.sh: --users and --login-users 1-1000, --seconds 1+, --rounds 1-10" >&2; exit 2; }
REV="$(git rev-parse --verify --quiet "$REF^{commit}")" || { echo "compare.sh: '$REF' is not a commit" >&2; exit 2; }

STARTED=$(date +%s)
say() { echo "compare.sh [$(( $(date +%s) - STARTED )) s]: $*" >&2; }

TMP="$(mktemp -d /tmp/itempath-compare.XXXXXX)"
chmod 755 "$TMP"   # PostgreSQL's user must reach the data folders below
PIDS=()
cleanup() {
    trap '' INT TERM
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
    done
    git worktree remove --force "$TMP/before" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port() { scripts/pg.sh free-port; }
export ITEMPATH_ADMIN_PASSWORD="Bench-Admin-$(head -c 9 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')-1"

say "checking out $REF ($REV) beside the working tree"
git worktree add --detach --quiet "$TMP/before" "$REV"
say "building the load generator"
dotnet build bench/LoadGenerator -c Release -nologo -v q >/dev/null || { say "building bench/LoadGenerator failed"; exit 1; }
LG=(dotnet bench/LoadGenerator/bin/Release/net10.0/LoadGenerator.dll)

declare -A URL
start() {  # start NAME DIR: that tree's ./run.sh (it builds the tree) on free ports
    local name="$1" dir="$2" http
    http=$(port)
    URL[$name]="http://127.0.0.1:$http"
    say "starting $name ($dir)"
    (cd "$dir" && ITEMPATH_DATA_DIR="$TMP/data-$name" ITEMPATH_PG_PORT=$(port) ITEMPATH_HTTP_PORT=$http \
        ITEMPATH_SILO_PORT=$(port) ITEMPATH_GATEWAY_PORT=$(port) Bootstrap__AdminPassword="$ITEMPATH_ADMIN_PASSWORD" \
        RateLimit__FailedLoginsPerMinute=0 RateLimit__AuthRequestsPerMinute=0 Logging__LogLevel__Default=Warning \
        exec ./run.sh) > "$TMP/run-$name.out" 2>&1 < /dev/null &
    PIDS+=("$!")
    local pid=$!
    for _ in $(seq 1 480); do
        grep -qs "is running at" "$TMP/run-$name.out" && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$TMP/run-$name.out" >&2; exit 1; }
        sleep 0.5
    done
    cat "$TMP/run-$name.out" >&2; exit 1
}
# One at a time: each builds its tree first.
start before "$TMP/before"
start after "$ROOT"

admin_token() {  # admin_token NAME
    curl -fsS -X POST "${URL[$1]}/api/users/login" -H 'Content-Type: application/json' \
        --data-raw "{\"username\":\"admin\",\"password\":\"$ITEMPATH_ADMIN_PASSWORD\"}" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}
rotation() {  # rotation NAME true|false
    curl -fsS -o /dev/null -X PATCH "${URL[$1]}/api/tenants/default" -H "Authorization: Bearer $(admin_token "$1")" \
        -H 'Content-Type: application/json' --data-raw "{\"refreshTokenRotation\": $2}"
}
measure() {  # measure NAME ROUND SCENARIO-LABEL LG-SCENARIO USERS [OPTIONS...]
    local name="$1" round="$2" label="$3" scenario="$4" users="$5"
    say "round $round: $label on $name ($users users)"
    "${LG[@]}" --url "${URL[$name]}" --scenario "$scenario" --users "$users" "${@:6}" --duration "$MEASURED" --warmup "$WARMUP" \
        --setup-parallelism 8 --out "$TMP/results/$label.$name.$round.json" > /dev/null 2> "$TMP/$label.$name.$round.log" \
        || { cat "$TMP/$label.$name.$round.log" >&2; exit 1; }
}
mkdir -p "$TMP/results"
for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 == 1 )); then order=(before after); else order=(after before); fi
    for name in "${order[@]}"; do measure "$name" "$round" login login "$LOGIN_USERS" --user-prefix login; done
    for name in "${order[@]}"; do rotation "$name" false; measure "$name" "$round" refresh-rotation-off refresh "$USERS"; done
    for name in "${order[@]}"; do rotation "$name" true; measure "$name" "$round" refresh-rotation-on refresh "$USERS" --user-prefix rot; rotation "$name" false; done
    for name in "${order[@]}"; do measure "$name" "$round" validate validate "$USERS"; done
    for name in "${order[@]}"; do measure "$name" "$round" verify validate "$USERS" --path /api/auth/verify; done
    for name in "${order[@]}"; do measure "$name" "$round" validate-app validate-app "$USERS"; done
done

mkdir -p bench/results
python3 - "$TMP/results" bench/results/compare.json "$REF" "$REV" "$(git rev-parse HEAD)" "$(git status --porcelain | wc -l)" \
    "$USERS" "$LOGIN_USERS" "$MEASURED" "$WARMUP" "$ROUNDS" "$(( $(date +%s) - STARTED ))" <<'EOF'
import glob, json, os, sys
folder, out, ref, rev, head, dirty, users, login_users, seconds, warmup, rounds, elapsed = sys.argv[1:]
runs = {}
for path in glob.glob(os.path.join(folder, "*.json")):
    label, name, _ = os.path.basename(path)[:-5].rsplit(".", 2)
    runs.setdefault(label, {}).setdefault(name, []).append(json.load(open(path)))
def mean(xs): return sum(xs) / len(xs)
order = ["login", "refresh-rotation-off", "refresh-rotation-on", "validate", "verify", "validate-app"]
rows = []
print(f"\nbefore = {ref} ({rev[:10]}), after = the working tree ({head[:10]}{', with uncommitted changes' if dirty != '0' else ''})")
print(f"{'scenario':<22}{'before ops/s':>14}{'after ops/s':>14}{'after/before':>14}{'p99 before':>12}{'p99 after':>11}{'errors':>8}")
for label in order:
    b, a = runs[label]["before"], runs[label]["after"]
    ob, oa = mean([r["opsPerSec"] for r in b]), mean([r["opsPerSec"] for r in a])
    pb, pa = mean([r["p99Ms"] for r in b]), mean([r["p99Ms"] for r in a])
    errors = sum(r["errors"] for r in b + a)
    rows.append({"scenario": label, "before": {"opsPerSec": round(ob, 1), "p99Ms": round(pb, 2), "rounds": [r["opsPerSec"] for r in b]},
                 "after": {"opsPerSec": round(oa, 1), "p99Ms": round(pa, 2), "rounds": [r["opsPerSec"] for r in a]},
                 "ratio": round(oa / ob, 3), "errors": errors})
    print(f"{label:<22}{ob:>14,.1f}{oa:>14,.1f}{oa / ob:>14.2f}{pb:>12.2f}{pa:>11.2f}{errors:>8}")
json.dump({"before": {"ref": ref, "commit": rev}, "after": {"commit": head, "uncommittedChanges": dirty != "0"},
           "users": int(users), "loginUsers": int(login_users), "seconds": int(seconds), "warmup": int(warmup),
           "rounds": int(rounds), "elapsedSeconds": int(elapsed), "scenarios": rows}, open(out, "w"), indent=2)
print(f"\nwritten to {out}")
EOF
