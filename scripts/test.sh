#!/usr/bin/env bash
# `npm test`: installs what the tests need from the system (scripts/setup/*.sh, idempotent), type-checks, runs vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
for s in scripts/setup/*.sh; do [ -e "$s" ] && bash "$s"; done
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
