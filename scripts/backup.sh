#!/usr/bin/env bash
# Backs up the service's PostgreSQL database into one file, while the service runs.
#
#   scripts/backup.sh [--url POSTGRES_URL] FILE
#
# pg_dump in its custom format (compressed; pg_dump reads one consistent snapshot, so a backup
# taken under load is a single point in time): grain state (users, password hashes, sessions,
# application tokens, tenants and their key rings), the user directory, security events, the
# schema and itempath_schema_migrations. Cluster membership rows are left out: a restored
# database starts a new cluster.
#
# The file holds password hashes and key salts: it is written with mode 600. The master keys
# (Tokens__MasterKeys__*, .data/master-key for ./run.sh) are NOT in it: keep them apart, safely;
# without them the restored signing keys cannot be derived and every token must be re-issued.
#
# POSTGRES_URL default: $ITEMPATH_DATABASE_URL, else the database ./run.sh starts
# (postgresql://postgres@127.0.0.1:${ITEMPATH_PG_PORT:-5433}/itempath).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "backup.sh: $*" >&2; }
usage() { say "usage: scripts/backup.sh [--url POSTGRES_URL] FILE"; exit 2; }

URL="${ITEMPATH_DATABASE_URL:-postgresql://postgres@127.0.0.1:${ITEMPATH_PG_PORT:-5433}/itempath}"
FILE=""
while (( $# > 0 )); do
    case "$1" in
        --url) (( $# >= 2 )) || usage; URL="$2"; shift 2 ;;
        --url=*) URL="${1#*=}"; shift ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) say "unknown option: $1"; usage ;;
        *) [[ -z "$FILE" ]] || usage; FILE="$1"; shift ;;
    esac
done
[[ -n "$FILE" ]] || usage
[[ ! -d "$FILE" ]] || { say "$FILE is a folder: give a file name"; exit 2; }
# The URL may carry a password: never print it.
where="$(sed -E 's#//[^@/]*@#//#' <<< "$URL")"

PG_DUMP="$("$ROOT/scripts/pg.sh" tool pg_dump)"
PARTIAL="$FILE.partial"
umask 077
rm -f "$PARTIAL"
trap 'rm -f "$PARTIAL"' EXIT

say "backing up $where"
"$PG_DUMP" --dbname="$URL" --format=custom --compress=6 --no-owner --no-privileges \
    --exclude-table-data='orleansmembershiptable' --exclude-table-data='orleansmembershipversiontable' \
    --file="$PARTIAL" \
    || { say "pg_dump failed: nothing written to $FILE"; exit 1; }
mv -f "$PARTIAL" "$FILE"
trap - EXIT
say "wrote $FILE ($(stat -c %s "$FILE") bytes); keep the master keys apart from it"
