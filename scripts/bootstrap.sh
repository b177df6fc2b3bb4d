#!/usr/bin/env bash
# Provision the toolchain this repo needs (Node >= 22.13, pnpm), install dependencies and build,
# doing only what is out of date. Sourced by ./openclaw and scripts/test.sh; safe to run alone.
#
#   scripts/bootstrap.sh            provision + install + build (quiet when nothing to do)
#   OPENCLAW_BOOTSTRAP_QUIET=1      print nothing unless something is done or fails
#
# Users who already have Node >= 22.13 and pnpm on PATH get those used as they are.
# When sourced, it exports PATH so that `node` and `pnpm` are the provisioned ones.

_oc_main() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local tc="$root/.toolchain"
  local node_version="24.21.0"
  local pnpm_version
  pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")"
  [ -n "$pnpm_version" ] || pnpm_version="10.34.9"

  _oc_say() { [ -n "${OPENCLAW_BOOTSTRAP_QUIET:-}" ] || printf 'bootstrap: %s\n' "$*" >&2; }
  _oc_do() { printf 'bootstrap: %s\n' "$*" >&2; }
  _oc_fail() {
    printf 'bootstrap: error: %s\n' "$1" >&2
    [ -n "${2:-}" ] && printf 'bootstrap: fix: %s\n' "$2" >&2
    return 1
  }

  # version_ge A B: true when dotted version A >= B
  _oc_version_ge() {
    local IFS=.
    local -a a=($1) b=($2)
    local i
    for i in 0 1 2; do
      local x="${a[$i]:-0}" y="${b[$i]:-0}"
      x="${x%%[^0-9]*}"; y="${y%%[^0-9]*}"
      if ((10#${x:-0} > 10#${y:-0})); then return 0; fi
      if ((10#${x:-0} < 10#${y:-0})); then return 1; fi
    done
    return 0
  }

  # npm_install_into DIR SPEC WHAT: install a registry package into DIR atomically (temp + rename)
  _oc_npm_install_into() {
    local dir="$1" spec="$2" what="$3"
    local tmp="$dir.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    local log="$tmp.log"
    _oc_do "installing $what ($spec) from the npm registry into ${dir#"$root"/}"
    if ! npm install --prefix "$tmp" --no-audit --no-fund --no-save --loglevel=error "$spec" >"$log" 2>&1; then
      local reason
      reason="$(grep -E 'ERR!|error' "$log" | grep -vE 'Unknown user config' | head -n 3 | sed 's/^/  /')"
      rm -rf "$tmp" "$log"
      _oc_fail "could not install $what from the npm registry ($(npm config get registry 2>/dev/null)).
$reason" "check the network connection or the npm proxy/registry settings (npm config get registry), then run the command again; nothing was changed"
      return 1
    fi
    rm -f "$log"
    rm -rf "$dir"
    mv "$tmp" "$dir"
  }

  # ---- Node -------------------------------------------------------------------------------------
  local sys_node_ok=""
  if [ -z "${OPENCLAW_FORCE_TOOLCHAIN:-}" ] && command -v node >/dev/null 2>&1; then
    local v
    v="$(node -p 'process.versions.node' 2>/dev/null || true)"
    if [ -n "$v" ] && _oc_version_ge "$v" "22.13.0"; then sys_node_ok=1; fi
  fi
  if [ -z "$sys_node_ok" ]; then
    local node_dir="$tc/node"
    local node_bin="$node_dir/node_modules/node/bin/node"
    local have=""
    if [ -e "$node_dir" ]; then
      have="$("$node_bin" -p 'process.versions.node' 2>/dev/null || true)"
      if [ "$have" != "$node_version" ]; then
        if [ -z "$have" ]; then
          _oc_do "the toolchain folder ${node_dir#"$root"/} is damaged (its node binary does not run); reinstalling it"
        else
          _oc_do "the toolchain folder has Node $have, this repo wants $node_version; reinstalling it"
        fi
        have=""
      fi
    fi
    if [ -z "$have" ]; then
      command -v npm >/dev/null 2>&1 || {
        _oc_fail "Node $(node --version 2>/dev/null || echo '(none)') is older than 22.13 and npm is not available to fetch a newer one" "install Node >= 22.13 (https://nodejs.org) or npm, then run the command again"
        return 1
      }
      mkdir -p "$tc"
      _oc_npm_install_into "$node_dir" "node@$node_version" "Node $node_version" || return 1
      if ! "$node_bin" -p 1 >/dev/null 2>&1; then
        rm -rf "$node_dir"
        _oc_fail "the Node $node_version package installed but its binary does not run on this machine" "install Node >= 22.13 yourself and put it first on PATH"
        return 1
      fi
    fi
    export PATH="$node_dir/node_modules/node/bin:$PATH"
  fi

  # ---- pnpm -------------------------------------------------------------------------------------
  local pnpm_ok=""
  if [ -z "${OPENCLAW_FORCE_TOOLCHAIN:-}" ] && command -v pnpm >/dev/null 2>&1; then
    local pv
    pv="$(pnpm --version 2>/dev/null || true)"
    if [ -n "$pv" ] && _oc_version_ge "$pv" "10.0.0"; then pnpm_ok=1; fi
  fi
  if [ -z "$pnpm_ok" ]; then
    local pnpm_dir="$tc/pnpm"
    local pnpm_entry="$pnpm_dir/node_modules/pnpm/bin/pnpm.cjs"
    local havep=""
    if [ -e "$pnpm_dir" ]; then
      # reading the manifest is ~100x faster than starting pnpm; a missing entry file means damage
      [ -f "$pnpm_entry" ] && havep="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pnpm_dir/node_modules/pnpm/package.json" 2>/dev/null | head -n 1)"
      if [ "$havep" != "$pnpm_version" ]; then
        _oc_do "the toolchain folder ${pnpm_dir#"$root"/} is damaged or outdated (pnpm ${havep:-does not run}); reinstalling it"
        havep=""
      fi
    fi
    if [ -z "$havep" ]; then
      mkdir -p "$tc"
      _oc_npm_install_into "$pnpm_dir" "pnpm@$pnpm_version" "pnpm $pnpm_version" || return 1
    fi
    mkdir -p "$tc/bin"
    if [ ! -x "$tc/bin/pnpm" ]; then
      printf '#!/usr/bin/env bash\nexec node "%s" "$@"\n' "$pnpm_entry" >"$tc/bin/pnpm"
      chmod +x "$tc/bin/pnpm"
    fi
    export PATH="$tc/bin:$PATH"
  fi

  # ---- dependencies -----------------------------------------------------------------------------
  mkdir -p "$tc"
  local lock_sum
  lock_sum="$(cat "$root/pnpm-lock.yaml" "$root/package.json" "$root"/packages/*/package.json "$root"/apps/*/package.json 2>/dev/null | cksum | cut -d' ' -f1)-$(node -p process.versions.node)"
  local stamp="$root/node_modules/.openclaw-install-stamp"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
    _oc_do "installing dependencies (pnpm install --frozen-lockfile)"
    if ! (cd "$root" && pnpm install --frozen-lockfile --reporter=append-only >"$tc/install.log" 2>&1); then
      tail -n 15 "$tc/install.log" | sed 's/^/  /' >&2
      if grep -qiE 'ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network' "$tc/install.log"; then
        _oc_fail "pnpm could not reach the npm registry" "check the network connection or npm proxy settings, then run the command again"
      else
        _oc_fail "pnpm install failed (full log: .toolchain/install.log)" "if package.json changed, run 'pnpm install' to update pnpm-lock.yaml"
      fi
      return 1
    fi
    printf '%s' "$lock_sum" >"$stamp"
    rm -f "$tc/build.stamp"
  fi

  # ---- build ------------------------------------------------------------------------------------
  local build_stamp="$tc/build.stamp"
  local changed=""
  if [ ! -f "$build_stamp" ]; then
    changed=1
  else
    changed="$(find "$root/packages" "$root/apps" \( -name node_modules -o -name dist -o -name .turbo \) -prune -o \
      -type f -newer "$build_stamp" -print -quit 2>/dev/null)"
  fi
  if [ -n "$changed" ] && [ -z "${OPENCLAW_SKIP_BUILD:-}" ]; then
    _oc_do "building packages (pnpm build)"
    if ! (cd "$root" && pnpm -s build >"$tc/build.log" 2>&1); then
      tail -n 30 "$tc/build.log" | sed 's/^/  /' >&2
      _oc_fail "the build failed (full log: .toolchain/build.log)" "fix the error above, then run the command again"
      return 1
    fi
    touch "$build_stamp"
  fi
  _oc_say "toolchain ready: node $(node --version)"
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  _oc_main "$@"
  exit $?
else
  _oc_main "$@"
fi
