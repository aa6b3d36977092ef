#!/usr/bin/env bash
# Sequential latency of the three ItemPath calls against a running service, one client, with curl:
#   bench/time-calls.sh [BASE_URL] [USERNAME] [PASSWORD]
# (defaults: http://127.0.0.1:5080, admin, $Bootstrap__AdminPassword). Prints median and p90
# of 30 logins, 100 refreshes and 100 GET /api/users/me. A first look, not the load benchmark.
set -euo pipefail
BASE="${1:-http://127.0.0.1:5080}"
USERNAME="${2:-admin}"
PASSWORD="${3:-${Bootstrap__AdminPassword:?pass the password as the third argument}}"

BODY="$(python3 -c 'import json,sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' "$USERNAME" "$PASSWORD")"
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
stats() { sort -n | awk '{a[NR]=$1} END {printf "n=%d median=%.1f ms p90=%.1f ms\n", NR, a[int((NR+1)/2)]*1000, a[int(NR*0.9)]*1000}'; }

LOGIN="$(curl -fsS -X POST "$BASE/api/users/login" -H 'Content-Type: application/json' --data-raw "$BODY")"
REFRESH="$(field refreshToken <<<"$LOGIN")"
ACCESS="$(field accessToken <<<"$LOGIN")"

printf 'login   '
for _ in $(seq 30); do
    curl -s -o /dev/null -w '%{time_total}\n' -X POST "$BASE/api/users/login" -H 'Content-Type: application/json' --data-raw "$BODY"
done | stats
printf 'refresh '
for _ in $(seq 100); do
    curl -s -o /dev/null -w '%{time_total}\n' -X POST "$BASE/api/users/refresh" -H "Authorization: Bearer $REFRESH"
done | stats
printf 'me      '
for _ in $(seq 100); do
    curl -s -o /dev/null -w '%{time_total}\n' "$BASE/api/users/me" -H "Authorization: Bearer $ACCESS"
done | stats
