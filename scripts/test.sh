#!/usr/bin/env bash
# Sets up what is missing, then runs every check Quorum Lab has:
#   1. native tests of every crate (the core, protocols, scenarios, randomized fault schedules)
#      in an optimised profile, and the crate graph checked to point only down
#   2. clippy (native and wasm32, warnings are errors) and rustfmt
#   3. the wasm-bindgen-test browser suite in headless Chrome, then in headless Firefox
#   4. the release page built by trunk (and as one self-contained file), loaded end to end in
#      headless Chromium from the host's root, from a sub-path and from disk
# and prints the release wasm size. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "native tests"
cargo test --workspace --profile fast-test

step "crate graph: every dependency points down a layer"
scripts/crate-graph.sh

step "clippy (native + wasm32) and rustfmt"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo fmt --all -- --check

BROWSER_TESTS=()
for f in tests/browser_*.rs; do BROWSER_TESTS+=(--test "$(basename "$f" .rs)"); done

step "browser tests in headless Chrome"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --target wasm32-unknown-unknown "${BROWSER_TESTS[@]}"

step "browser tests in headless Firefox"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
GECKODRIVER="$HOME/.cargo/bin/geckodriver" \
  cargo test --target wasm32-unknown-unknown "${BROWSER_TESTS[@]}"

step "release page end to end in headless Chromium"
trunk build --release --offline --skip-version-check
node scripts/prerender.mjs dist
node scripts/single-file.mjs dist
node scripts/e2e.mjs --dist dist --axe .tools/node_modules/axe-core/axe.min.js

step "release size"
WASM="$(ls dist/*.wasm | head -n 1)"
RAW=$(stat -c %s "$WASM")
GZ=$(gzip -9 -c "$WASM" | wc -c)
awk -v f="$(basename "$WASM")" -v r="$RAW" -v g="$GZ" \
  'BEGIN { printf "release wasm %s: %d bytes raw (%.1f KiB), %d bytes gzip (%.1f KiB)\n", f, r, r / 1024, g, g / 1024 }'
echo "all checks passed"
