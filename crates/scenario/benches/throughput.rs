//! Simulation speed on the standard workload (5 servers, 100 client operations per second, safety
//! checks and history on), under Raft and under Multi-Paxos: simulated seconds per wall-clock
//! second, natively.
//! Run with `cargo bench --bench throughput`; the browser figure comes from `scripts/bench.sh`.

use std::time::Instant;

use quorum_cluster::check::linearizability::check_history;
use quorum_scenario::{run_scenario, standard_benchmark, Protocol};

const SIMULATED_S: u64 = 60;

fn main() {
    for protocol in [Protocol::Raft, Protocol::MultiPaxos] {
        bench(protocol);
    }
}

fn bench(protocol: Protocol) {
    let mut scenario = standard_benchmark(SIMULATED_S * 1000);
    scenario.protocol = protocol;
    let name = protocol.label();
    let mut best = f64::MAX;
    let mut events = 0;
    let mut ops = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let outcome = run_scenario(&scenario, None).expect("the benchmark scenario is valid");
        let wall = start.elapsed().as_secs_f64();
        best = best.min(wall);
        events = outcome.summary.events;
        ops = outcome.history.len();
        assert!(outcome.summary.passed());
    }
    println!(
        "native, {name}: {SIMULATED_S} simulated s in {:.3} wall s = {:.0}x real time (best of 5; {:.2} M events/s, {} operations, checks + linearizability verdict included)",
        best,
        SIMULATED_S as f64 / best,
        events as f64 / best / 1e6,
        ops
    );
    let outcome = run_scenario(&scenario, None).expect("valid");
    let start = Instant::now();
    let report = check_history(&outcome.history);
    println!(
        "native, {name}: linearizability check of {} operations: {:.1} ms ({} states)",
        outcome.history.len(),
        start.elapsed().as_secs_f64() * 1000.0,
        report.states_explored
    );
}
