#!/usr/bin/env bash
# Validates the container deployment without a Docker engine (never builds or starts anything):
#   1. docker-compose.yml loads with deploy/.env.example plus placeholder secrets
#      (`docker-compose config`, Debian's docker-compose 1.29, installed when missing);
#   2. it refuses to load while a required secret is empty, and deploy/.env.example leaves them
#      empty;
#   3. the loaded configuration has the six services, the published port and the settings the
#      nodes must share;
#   4. with Compose v2 (`docker compose`) available too, the same first check with it.
#
#   scripts/compose-check.sh        exit 0 when everything holds, 1 otherwise
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { echo "compose-check: $*" >&2; }
die() { say "$*"; exit 1; }

COMPOSE_FILE_PATH=docker-compose.yml
ENV_EXAMPLE=deploy/.env.example
[[ -f "$COMPOSE_FILE_PATH" ]] || die "$COMPOSE_FILE_PATH not found in $ROOT"
[[ -f "$ENV_EXAMPLE" ]] || die "$ENV_EXAMPLE not found in $ROOT"

# --- docker-compose (v1, Debian package) ------------------------------------------------
if ! command -v docker-compose >/dev/null 2>&1; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "docker-compose not found: installing the Debian package 'docker-compose'"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q docker-compose >/dev/null 2>&1; then
            apt-get update -q >/dev/null
            apt-get install -y -q docker-compose >/dev/null || die "installing docker-compose failed"
        fi
    else
        cat >&2 <<'EOF'
compose-check: docker-compose not found. Install it, then run this again:
    sudo apt-get install -y docker-compose      (Debian/Ubuntu; or any Compose that provides
                                                 the docker-compose command)
EOF
        exit 1
    fi
fi
command -v docker-compose >/dev/null 2>&1 || die "docker-compose still not found after installing it"

# Only this file and the given env file count: no COMPOSE_* from the caller, no ./.env of an
# operator (--env-file replaces it), and the placeholders below override the env file.
unset COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PATH_SEPARATOR
for name in $(env | sed -n 's/^\(ITEMPATH_[A-Z0-9_]*\|POSTGRES_[A-Z0-9_]*\)=.*/\1/p'); do
    unset "$name"
done
PROJECT=itempath-compose-check

compose_v1() { docker-compose --project-name "$PROJECT" --env-file "$ENV_EXAMPLE" -f "$COMPOSE_FILE_PATH" "$@"; }

# Placeholders, for validation only: never a real secret.
with_placeholders() {
    POSTGRES_PASSWORD=placeholder-postgres-password \
    ITEMPATH_MASTER_KEY=cGxhY2Vob2xkZXItbWFzdGVyLWtleS0zMi1ieXRlcy0hIQ== \
    ITEMPATH_ADMIN_PASSWORD=placeholder-admin-password \
    "$@"
}

failures=0
fail() { say "FAIL: $*"; failures=$((failures + 1)); }

# 1. loads (the resolved configuration is kept for 3.)
if config="$(with_placeholders compose_v1 config)"; then
    say "ok: docker-compose config"
else
    config=""
    fail "docker-compose config rejected $COMPOSE_FILE_PATH (output above)"
fi

# 2. the required secrets are required
for name in POSTGRES_PASSWORD ITEMPATH_MASTER_KEY ITEMPATH_ADMIN_PASSWORD; do
    if out="$(with_placeholders env "$name=" docker-compose --project-name "$PROJECT" \
            --env-file "$ENV_EXAMPLE" -f "$COMPOSE_FILE_PATH" config -q 2>&1)"; then
        fail "$COMPOSE_FILE_PATH loads with $name empty: it must be required (\${$name:?...})"
    elif ! grep -q "$name" <<< "$out"; then
        fail "with $name empty, the error does not name it: $out"
    fi
    # The example must not ship a value someone could deploy unchanged.
    grep -qE "^$name=\$" "$ENV_EXAMPLE" || fail "$ENV_EXAMPLE must list $name with an empty value"
done
[[ $failures -ne 0 ]] || say "ok: POSTGRES_PASSWORD, ITEMPATH_MASTER_KEY, ITEMPATH_ADMIN_PASSWORD are required (empty in $ENV_EXAMPLE)"

# 3. the resolved configuration
if [[ -n "$config" ]]; then
    # The service names: the keys under the top-level "services:" of the resolved file.
    services="$(awk '/^[^ ]/ { inside = ($0 == "services:") } inside && /^  [^ ].*:$/ { sub(/^  /, ""); sub(/:$/, ""); print }' <<< "$config" \
        | sort | tr '\n' ' ')"
    [[ "$services" == "api1 api2 lb postgres silo1 silo2 " ]] \
        || fail "services are '$services', expected api1 api2 lb postgres silo1 silo2"
    expect() {  # expect DESCRIPTION PATTERN [COUNT]: the pattern occurs COUNT (default 1+) times
        local n
        n="$(grep -cE -- "$2" <<< "$config" || true)"
        if [[ -n "${3:-}" ]]; then [[ "$n" == "$3" ]] || fail "$1: '$2' found $n times, expected $3"
        else [[ "$n" -ge 1 ]] || fail "$1: '$2' not found"; fi
    }
    expect "lb publishes 8080 -> 80" 'published: 8080'
    expect "silos advertise their fixed addresses" 'Orleans__AdvertisedIPAddress: 172\.28\.73\.1[12]$' 2
    expect "API nodes trust the lb" 'Tenancy__TrustedProxies__0: 172\.28\.73\.10$' 2
    expect "lb has the trusted address" 'ipv4_address: 172\.28\.73\.10$' 1
    expect "one issuer for all four nodes" 'Tokens__Issuer: http://localhost:8080$' 4
    expect "one master key for all four nodes" 'Tokens__MasterKeys__0__Secret: cGxhY2Vob2xkZXIt' 4
    expect "four nodes on PostgreSQL" 'ConnectionStrings__ItemPath: Host=postgres;.*Database=itempath' 4
    expect "schema mounted read-only" '/db:/docker-entrypoint-initdb\.d:ro$' 1
    expect "nginx.conf mounted read-only" '/deploy/nginx\.conf:/etc/nginx/nginx\.conf:ro$' 1
    expect "health-gated start-up" 'condition: service_healthy' 8
    [[ $failures -ne 0 ]] || say "ok: services, port, shared settings, addresses, mounts, health-gated start-up"
else
    fail "no resolved configuration to check"
fi

# 4. Compose v2, when present (optional here)
if docker compose version >/dev/null 2>&1; then
    if with_placeholders docker compose --project-name "$PROJECT" --env-file "$ENV_EXAMPLE" \
            -f "$COMPOSE_FILE_PATH" config -q; then
        say "ok: docker compose (v2) config -q"
    else
        fail "docker compose (v2) config -q rejected $COMPOSE_FILE_PATH"
    fi
else
    say "Compose v2 (docker compose) not available: checked with docker-compose v1 only"
fi

if [[ $failures -ne 0 ]]; then
    say "$failures check(s) failed"
    exit 1
fi
say "all checks passed"
