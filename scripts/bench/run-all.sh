#!/usr/bin/env bash
# `npm run bench`: every benchmark under scripts/bench/, each printing its figure as a ratio against a baseline from the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
for b in scripts/bench/*.ts; do
  echo "== $b"
  npx tsx "$b"
done
