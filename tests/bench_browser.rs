//! Simulation speed in the browser (run by `scripts/bench.sh` in release mode; not part of the
//! test suite): the standard workload's simulated seconds per wall second in headless Chrome,
//! under Raft and under Multi-Paxos.
#![cfg(target_arch = "wasm32")]

use quorum_scenario::{run_scenario, standard_benchmark, Protocol};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn standard_workload_speed_in_the_browser() {
    for protocol in [Protocol::Raft, Protocol::MultiPaxos] {
        bench(protocol);
    }
}

fn bench(protocol: Protocol) {
    const SIMULATED_S: u64 = 60;
    let mut scenario = standard_benchmark(SIMULATED_S * 1000);
    scenario.protocol = protocol;
    let mut wall = f64::MAX;
    let mut outcome = None;
    for _ in 0..3 {
        let start = js_sys::Date::now();
        let run = run_scenario(&scenario, None).expect("valid");
        wall = wall.min((js_sys::Date::now() - start) / 1000.0);
        outcome = Some(run);
    }
    let outcome = outcome.expect("ran three times");
    web_sys::console::log_1(
        &format!(
            "wasm, {}: {SIMULATED_S} simulated s in {wall:.3} wall s = {:.0}x real time (best of 3; {} events, {} operations)",
            protocol.label(),
            SIMULATED_S as f64 / wall,
            outcome.summary.events,
            outcome.history.len()
        )
        .into(),
    );
    assert!(outcome.summary.passed());
}
