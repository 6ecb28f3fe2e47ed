#!/usr/bin/env bash
# Installs what Quorum Lab needs, skipping everything already present at the pinned version.
#   scripts/setup.sh serve   – what `trunk serve` needs (Rust toolchain + wasm target, trunk,
#                              wasm-bindgen-cli matching Cargo.lock, wasm-opt)
#   scripts/setup.sh test    – the above plus Chromium + chromedriver, Firefox ESR + geckodriver
# Safe to run again and again: a second run with everything installed takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${1:-test}"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
GECKODRIVER_VERSION="0.37.1"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# The wasm-bindgen CLI must match the library version exactly, so it is read from Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_rust() {
  if ! command -v rustup >/dev/null 2>&1; then
    echo "rustup is required (https://rustup.rs); install it, then run this again." >&2
    exit 1
  fi
  # rust-toolchain.toml pins the channel, the wasm target, rustfmt and clippy; this installs any missing.
  rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "apt: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ "$APT_UPDATED" -eq 0 ]; then
    $sudo apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_wasm_opt() {
  # Debian's binaryen is too old for what rustc 1.95 emits; only the npm build 132 will do.
  if dpkg -s binaryen >/dev/null 2>&1; then
    say "removing Debian's binaryen (too old for this rustc)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get remove -y -qq binaryen >/dev/null
  fi
  if wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION}\b"; then
    return 0
  fi
  say "npm: installing binaryen@${BINARYEN_VERSION} (wasm-opt)"
  npm install -g --no-fund --no-audit "binaryen@${BINARYEN_VERSION}" >/dev/null
}

ensure_cargo_tool() { # binary, version, install args…
  local bin="$1" version="$2"
  shift 2
  if "$bin" --version 2>/dev/null | grep -qE " ${version//./\\.}( |$)"; then
    return 0
  fi
  say "cargo: installing $bin $version (this takes several minutes once)"
  cargo install --quiet "$@"
}

ensure_rust
ensure_wasm_opt
ensure_cargo_tool trunk "$TRUNK_VERSION" trunk --version "$TRUNK_VERSION" --locked
WBG="$(wasm_bindgen_version)"
# No --locked: the CLI's own lock names a webpki-roots release the registry no longer has.
ensure_cargo_tool wasm-bindgen "$WBG" wasm-bindgen-cli --version "$WBG"

# axe-core audits the page for accessibility in the end-to-end check (an npm package; kept in
# the git-ignored .tools/ folder, installed once).
AXE_VERSION="4.10.3"
ensure_axe() {
  if [ -f .tools/node_modules/axe-core/axe.min.js ] \
    && grep -q "\"version\": \"${AXE_VERSION}\"" .tools/node_modules/axe-core/package.json; then
    return 0
  fi
  say "npm: installing axe-core@${AXE_VERSION} into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-fund --no-audit --no-save "axe-core@${AXE_VERSION}" >/dev/null
}

if [ "$MODE" = "test" ]; then
  ensure_axe
  apt_install chromium chromium-driver firefox-esr
  ensure_cargo_tool geckodriver "$GECKODRIVER_VERSION" geckodriver --version "$GECKODRIVER_VERSION"
fi
say "ready ($MODE): trunk $(trunk --version | awk '{print $2}'), wasm-bindgen $WBG, wasm-opt $BINARYEN_VERSION"
