#!/usr/bin/env bash
# The real OpenClaw CLI (npm openclaw@2026.9.6) runs `cron status` and `cron list` against this
# checkout's gateway (docs/automation.md). Everything runs in a network namespace with loopback
# only (`unshare -rn`), because the real CLI phones home otherwise.
#   OPENCLAW_REAL_CLI=<path to openclaw.mjs> scripts/real-openclaw-cron.sh
# Without OPENCLAW_REAL_CLI, openclaw@$OPENCLAW_REAL_VERSION is installed once into
# $OPENCLAW_REAL_DIR (default $TMPDIR/openclaw-real-check, shared with real-openclaw-check.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x "$here/node_modules/.bin/tsx" ]; then OPENCLAW_BOOTSTRAP_QUIET=1 source "$here/scripts/bootstrap.sh"; fi
export PATH="$here/.toolchain/node/node_modules/node/bin:$here/.toolchain/bin:$PATH"
cli="${OPENCLAW_REAL_CLI:-}"
if [ -z "$cli" ]; then
  version="${OPENCLAW_REAL_VERSION:-2026.9.6}"
  dir="${OPENCLAW_REAL_DIR:-${TMPDIR:-/tmp}/openclaw-real-check}"
  mkdir -p "$dir"
  if [ ! -f "$dir/node_modules/openclaw/package.json" ]; then
    (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund --ignore-scripts "openclaw@$version" >&2)
  fi
  cli="$dir/node_modules/openclaw/openclaw.mjs"
fi
cd "$here"
exec unshare -rn bash -c 'ip link set lo up && exec node_modules/.bin/tsx --conditions=@openclaw/source scripts/real-openclaw-cron.ts "$0"' "$cli"
