#!/usr/bin/env bash
# `npm test`: installs what the tests need from the system (scripts/setup/*.sh, idempotent), checks format and lint (Biome),
# type-checks, runs vitest,
# and ends with one plain summary line ("N passed, N failed, N skipped") that any CI log reader can find.
set -euo pipefail
cd "$(dirname "$0")/.."
for s in scripts/setup/*.sh; do [ -e "$s" ] && bash "$s"; done
npx biome check . --diagnostic-level=error
npx tsc -p tsconfig.json --noEmit
mkdir -p .tmp
report=.tmp/vitest-report.json
rm -f "$report"
rc=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || rc=$?
if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$report"
fi
exit "$rc"
