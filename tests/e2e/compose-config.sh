#!/usr/bin/env bash
# docker-compose.yml validates (docker-compose config, no engine needed); see scripts/compose-check.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec scripts/compose-check.sh
