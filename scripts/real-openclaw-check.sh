#!/usr/bin/env bash
# Run the real OpenClaw CLI (npm openclaw@2026.9.6) and the community clients
# (@openclaw/gateway-client, openclaw-node) against this checkout's gateway, and print one
# PASS/FAIL line per command (docs/compat.md). Everything runs in a network namespace that has
# only loopback, because the real CLI phones home otherwise; that needs root and `ip`.
#   scripts/real-openclaw-check.sh [--only <text>] [--json]
# OPENCLAW_REAL_DIR: where the npm packages are installed (default: $TMPDIR/openclaw-real-check).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# runs from sources (tsx), so no build: provision only when dependencies are missing
if [ ! -x "$here/node_modules/.bin/tsx" ]; then OPENCLAW_BOOTSTRAP_QUIET=1 source "$here/scripts/bootstrap.sh"; fi
export PATH="$here/.toolchain/node/node_modules/node/bin:$here/.toolchain/bin:$PATH"
version="${OPENCLAW_REAL_VERSION:-2026.9.6}"
dir="${OPENCLAW_REAL_DIR:-${TMPDIR:-/tmp}/openclaw-real-check}"
mkdir -p "$dir"
if [ ! -f "$dir/node_modules/openclaw/package.json" ] ||
  ! grep -q "\"version\": \"$version\"" "$dir/node_modules/openclaw/package.json"; then
  echo "installing openclaw@$version and the community clients into $dir (once)" >&2
  (cd "$dir" && [ -f package.json ] || (cd "$dir" && npm init -y >/dev/null))
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts \
    "openclaw@$version" @openclaw/gateway-client@2026.9.1 openclaw-node@0.14.0 >&2)
fi
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
  echo "real-openclaw-check: needs root and iproute2 to run the real CLI without network access" >&2
  exit 2
fi
ns="openclaw-check-$$"
ip netns add "$ns"
trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" ip link set lo up
cd "$here"
ip netns exec "$ns" node_modules/.bin/tsx --conditions=@openclaw/source scripts/real-openclaw-check.ts \
  "$dir/node_modules/openclaw/openclaw.mjs" --clients "$dir/node_modules" "$@"
