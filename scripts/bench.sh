#!/usr/bin/env bash
# Prints performance figures: native and in-browser (headless Chrome, release wasm) simulation
# speed on the standard workload. Not part of the test suite: figures are printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
cargo bench -p quorum-scenario --bench throughput
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --release --target wasm32-unknown-unknown --test bench_browser -- --nocapture 2>&1 \
  | grep -E "wasm:|test result"
# Frame-time probe of the release page: 9 servers, 100 client operations per second.
trunk build --release --offline --skip-version-check >/dev/null 2>&1
node scripts/e2e.mjs --dist dist --probe | grep "frame probe"
