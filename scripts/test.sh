#!/usr/bin/env bash
# The whole test suite, from a fresh clone: provision, lint, typecheck, build (+ publint), tests.
# Ends with one summary line "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bootstrap.sh
source scripts/bootstrap.sh || exit 1

step() { printf '\n== %s\n' "$*"; }
step "lint (biome)"
pnpm -s lint --colors=off || { echo "lint failed (see above; 'pnpm format' fixes formatting-only findings)"; exit 1; }
step "typecheck (tsc)"
pnpm -s typecheck || exit 1
step "build + publint (turbo)"
pnpm -s build --output-logs=errors-only || exit 1
step "browser (chromium)"; bash scripts/ensure-chromium.sh || exit 1
step "tests (vitest)"
rm -f .vitest-report.json
CI=1 pnpm -s vitest run "$@"
rc=$?
node -e '
  const fs = require("node:fs");
  let r;
  try { r = JSON.parse(fs.readFileSync(".vitest-report.json", "utf8")); }
  catch { console.log("tests: 0 passed, 1 failed"); process.exit(0); }
  // a file that fails to load has no failed test in it, yet it is a failure
  const broken = r.success === false && r.numFailedTests === 0 ? Math.max(1, r.numFailedTestSuites) : 0;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests + broken} failed`);
'
exit $rc
