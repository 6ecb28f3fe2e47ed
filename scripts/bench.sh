#!/usr/bin/env bash
# Prints the performance figures in one run — benchmarks, never asserted:
#   native simulation speed and linearizability-check growth (60/600/3,600 s histories; in
#   headless Chrome, the page's check every 2 s over an hour of one hot key),
#   memory, checkpoint spacing and seek times over an hour (native and in headless Chrome),
#   simulation speed in headless Chrome, the release page's wasm size, frame times (the first
#   minute, and at 1× after running ahead to an hour, with wasm memory on the way), and the
#   first render under DevTools' "Fast 3G" throttling.
# Say how loaded the machine was when quoting them (two cores here).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
cargo bench -p quorum-scenario --bench throughput
cargo bench -p quorum-scenario --bench lincheck
cargo bench -p quorum-scenario --bench memory
# In the browser (release wasm): speed, the hour under each protocol in a page of its own
# (wasm memory never shrinks, so one protocol's peak would hide the other's), then the page's
# periodic linearizability check over an hour of one hot key.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=/usr/bin/chromedriver
for test in speed hour_raft hour_multi_paxos lincheck_hot_key; do
  cargo test --release --target wasm32-unknown-unknown --test bench_browser -- "$test" --exact --nocapture 2>&1 \
    | grep -E "^wasm|test result: FAILED"
done
# The release page: its wasm (raw and gzip), then frame times at 9 servers, 100 operations/s.
trunk build --release --offline --skip-version-check >/dev/null 2>&1
node scripts/prerender.mjs dist >/dev/null
wasm=$(ls dist/*.wasm)
echo "page wasm: $(stat -c %s "$wasm") B raw, $(gzip -9 -c "$wasm" | wc -c) B gzip"
node scripts/e2e.mjs --dist dist --probe | grep "frame probe"
node scripts/e2e.mjs --dist dist --hour | grep "hour probe"
node scripts/e2e.mjs --dist dist --throttled | grep "first render"
