#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (packages/*/src/*.browser.test.ts drive it through playwright-core; `playwright install`
# cannot download browsers on these machines). Idempotent: does nothing when it is there.
#
#   bash scripts/ensure-chromium.sh      exit 0 when /usr/bin/chromium is usable
#   CHROMIUM=/path/to/chromium           check another binary instead (no install attempted)
set -uo pipefail

chromium="${CHROMIUM:-/usr/bin/chromium}"
say() { printf 'ensure-chromium: %s\n' "$*" >&2; }
fail() {
  say "error: $1"
  [ -n "${2:-}" ] && say "fix: $2"
  exit 1
}

if [ -x "$chromium" ]; then
  exit 0
fi
if [ -n "${CHROMIUM:-}" ]; then
  fail "CHROMIUM=$chromium is not an executable file" "point CHROMIUM at a Chromium binary, or unset it to use Debian's /usr/bin/chromium"
fi

if ! command -v apt-get >/dev/null 2>&1; then
  fail "$chromium is missing and apt-get is not available" "install Chromium with your system's package manager so that $chromium exists"
fi
if [ "$(id -u)" -ne 0 ]; then
  fail "$chromium is missing (the browser tests need it)" "sudo apt-get update && sudo apt-get install -y chromium"
fi

say "$chromium is missing; installing Debian's chromium: apt-get update -qq && apt-get install -y -qq chromium"
log="$(mktemp)"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  rm -f "$log"
  fail "apt-get could not install chromium (output above)" "check that a Debian mirror is reachable, then run: apt-get update && apt-get install -y chromium"
fi
rm -f "$log"
[ -x "$chromium" ] || fail "apt-get finished but $chromium is still missing" "install a package that provides $chromium"
say "installed: $("$chromium" --version 2>/dev/null || echo "$chromium")"
