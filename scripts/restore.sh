#!/usr/bin/env bash
# Restores a backup of scripts/backup.sh, replacing what the database holds.
#
#   scripts/restore.sh [--url POSTGRES_URL] [--force] FILE
#
# Stop every silo and API node first: a running silo keeps state in memory and would fight the
# restored rows. The restore refuses while the membership table shows a silo alive in the last
# 2 minutes (--force skips that check, for a cluster known to be gone).
# In one transaction: pg_restore --clean (the backup's tables replace the current ones; nothing
# changes if it fails), then db/ is applied again (idempotent), which brings an older backup's
# schema up to this release. Then start the service with the same master keys as when the backup
# was taken: every user, session, application token and key version is back, and tokens issued
# before the backup validate again (those issued after it are unknown to the restored state).
#
# POSTGRES_URL default: $ITEMPATH_DATABASE_URL, else the database ./run.sh starts
# (postgresql://postgres@127.0.0.1:${ITEMPATH_PG_PORT:-5433}/itempath); it must exist.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "restore.sh: $*" >&2; }
usage() { say "usage: scripts/restore.sh [--url POSTGRES_URL] [--force] FILE"; exit 2; }

URL="${ITEMPATH_DATABASE_URL:-postgresql://postgres@127.0.0.1:${ITEMPATH_PG_PORT:-5433}/itempath}"
FILE=""
FORCE=""
while (( $# > 0 )); do
    case "$1" in
        --url) (( $# >= 2 )) || usage; URL="$2"; shift 2 ;;
        --url=*) URL="${1#*=}"; shift ;;
        --force) FORCE=1; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) say "unknown option: $1"; usage ;;
        *) [[ -z "$FILE" ]] || usage; FILE="$1"; shift ;;
    esac
done
[[ -n "$FILE" ]] || usage
[[ -f "$FILE" && -r "$FILE" ]] || { say "no readable backup at $FILE"; exit 2; }
where="$(sed -E 's#//[^@/]*@#//#' <<< "$URL")"

PSQL="$("$ROOT/scripts/pg.sh" tool psql)"
PG_RESTORE="$("$ROOT/scripts/pg.sh" tool pg_restore)"

# A backup of this service, readable by this pg_restore?
contents="$("$PG_RESTORE" --list "$FILE" 2>/dev/null)" \
    || { say "$FILE is not a pg_dump custom-format backup (or this pg_restore is older than the pg_dump that wrote it)"; exit 2; }
grep -qi 'TABLE DATA public orleansstorage ' <<< "$contents" \
    || { say "$FILE has no grain state (OrleansStorage): not a backup of this service"; exit 2; }

"$PSQL" "$URL" -X -q -tAc 'SELECT 1' >/dev/null 2>&1 || { say "cannot connect to $where"; exit 1; }

if [[ -z "$FORCE" ]]; then
    alive="$("$PSQL" "$URL" -X -q -tAc "SELECT count(*) FROM pg_tables WHERE tablename = 'orleansmembershiptable'")"
    if [[ "$alive" == "1" ]]; then
        alive="$("$PSQL" "$URL" -X -q -tAc \
            "SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3 AND IAmAliveTime > (now() AT TIME ZONE 'utc') - interval '2 minutes'")"
        if [[ "$alive" != "0" ]]; then
            say "$alive silo(s) of this database were alive in the last 2 minutes: stop the service first"
            say "(or, if those silos are gone for good, run again with --force)"
            exit 1
        fi
    fi
fi

say "restoring $FILE into $where (replacing its tables)"
"$PG_RESTORE" --dbname="$URL" --clean --if-exists --no-owner --no-privileges --single-transaction \
    --exit-on-error "$FILE" \
    || { say "pg_restore failed: the database is unchanged"; exit 1; }
"$ROOT/scripts/pg.sh" apply "$URL"
users="$("$PSQL" "$URL" -X -q -tAc 'SELECT count(*) FROM itempath_users')"
grains="$("$PSQL" "$URL" -X -q -tAc 'SELECT count(*) FROM OrleansStorage')"
say "restored: $grains grain state rows, $users users in the directory; start the service with the same master keys"
