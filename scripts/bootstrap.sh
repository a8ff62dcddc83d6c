# Sourced (not run) by scripts/run.sh and .ci/run, from the repository root: installs what a fresh machine
# with only an older Node and npm lacks, and leaves Node 24 and pnpm 10 on the caller's PATH.
#   . scripts/bootstrap.sh              Node 22.12+ (else Node 24 from the npm registry), pnpm 10, the locked dependencies
#   . scripts/bootstrap.sh --chromium   the same, plus Debian's Chromium for the end-to-end suite
# Idempotent: what is already there (on PATH or in ~/.cache from an earlier run) is reused, not fetched again.

bootstrap_say() { echo "bootstrap: $*" >&2; }

# package.json's engines: Node 22.12+.
bootstrap_node_ok() {
  "${1:-node}" -e 'const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > 22 || (major === 22 && minor >= 12) ? 0 : 1)' 2>/dev/null
}

bootstrap_require_npm() {
  command -v npm >/dev/null 2>&1 && return
  bootstrap_say "npm is missing: install Node.js (any version) with npm, then run this again"
  return 1
}

bootstrap_node() {
  bootstrap_node_ok && return
  local prefix="$HOME/.cache/node24"
  local bin="$prefix/node_modules/node/bin"
  if ! bootstrap_node_ok "$bin/node"; then
    bootstrap_require_npm || return 1
    bootstrap_say "node $(node --version 2>/dev/null || echo '(none)') is older than 22.12: installing Node 24 from the npm registry into $prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error node@24 >/dev/null || return 1
  fi
  export PATH="$bin:$PATH"
}

bootstrap_pnpm() {
  pnpm --version 2>/dev/null | grep -q '^10\.' && return
  local prefix="$HOME/.cache/pnpm10"
  if ! "$prefix/bin/pnpm" --version 2>/dev/null | grep -q '^10\.'; then
    bootstrap_require_npm || return 1
    # The version package.json's packageManager names: pnpm would otherwise switch to it itself.
    # Through npm, not corepack: corepack's registry signature check fails behind some registries.
    local version
    version=$(node -p 'require("./package.json").packageManager.replace(/^pnpm@/, "")') || return 1
    bootstrap_say "installing pnpm $version from the npm registry into $prefix"
    npm install --global --prefix "$prefix" --no-audit --no-fund --loglevel=error "pnpm@$version" >/dev/null || return 1
  fi
  export PATH="$prefix/bin:$PATH"
}

# The end-to-end suite drives Debian's Chromium (packages/collector/e2e/harness/browser.ts: CHROMIUM_PATH,
# /usr/bin/chromium by default).
bootstrap_chromium() {
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$path" ] && return
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    bootstrap_say "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    bootstrap_say "no Chromium at $path and no apt-get: install Chromium and set CHROMIUM_PATH to its binary"
    return 1
  fi
  local sudo="" # root (as in CI) needs none; sudo asks for a password on the terminal, not stdin
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      bootstrap_say "no Chromium at $path: run 'apt-get install chromium' as root (sudo is missing)"
      return 1
    fi
    sudo=sudo
  fi
  bootstrap_say "installing Debian's chromium for the end-to-end suite"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null || return 1
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium </dev/null >/dev/null || return 1
}

bootstrap() {
  bootstrap_node || return 1
  bootstrap_pnpm || return 1
  if [ "${1:-}" = --chromium ]; then bootstrap_chromium || return 1; fi
  bootstrap_say "node $(node --version)" # pnpm install names its own version
  # The optimistic check answers "Already up to date" in under a second when nothing changed since the last
  # install (a full up-to-date check takes 15 s here); a fresh clone always gets the full install.
  pnpm install --frozen-lockfile --config.optimistic-repeat-install=true
}

bootstrap "$@"
