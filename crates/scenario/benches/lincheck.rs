//! How linearizability checking grows with the history: open-loop histories of 60, 600 and 3,600
//! simulated seconds (100 operations a second through the load balancer, 5 Raft servers), on a
//! single hot key and Zipf-distributed over 10 keys. For each: the whole-history check (time,
//! states, peak memory) and what the page pays every 2 simulated seconds — one more incremental
//! check after the previous one (time, peak memory). Run with `cargo bench --bench lincheck`.

mod common;

use std::time::Instant;

use quorum_cluster::check::linearizability::{check_history, IncrementalChecker};
use quorum_cluster::time::{Time, SECOND};
use quorum_scenario::{run_scenario, standard_benchmark};
use quorum_traffic::client::{HistoryLog, HistoryOp, KeyDistribution, LoadMode, Status};

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

/// Runs `f`, returning its result, wall milliseconds and the peak extra heap in MB.
fn measure<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let base = common::in_use();
    common::reset_peak();
    let start = Instant::now();
    let out = f();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let peak = (common::peak() - base) as f64 / 1e6;
    (out, ms, peak)
}

/// The history as the page hands it to the checker at `t`: the log of operations completed by
/// then (in the order the history lists them) and those called by then that were still
/// outstanding, as `info`.
fn history_at(full: &[HistoryOp], t: Time) -> (HistoryLog, Vec<HistoryOp>) {
    let mut log = HistoryLog::new();
    for op in full.iter().filter(|op| op.ret.is_some_and(|r| r <= t)) {
        log.push(op);
    }
    let outstanding = full
        .iter()
        .filter(|op| op.call <= t && op.ret.is_none_or(|r| r > t))
        .map(|op| HistoryOp {
            ret: None,
            status: Status::Info,
            result: None,
            ..op.clone()
        })
        .collect();
    (log, outstanding)
}

fn main() {
    let shapes = [
        ("one hot key", 1, KeyDistribution::Uniform),
        (
            "Zipf over 10 keys",
            10,
            KeyDistribution::Zipf { exponent: 1.0 },
        ),
    ];
    for (shape, keys, distribution) in shapes {
        for seconds in [60u64, 600, 3_600] {
            let mut scenario = standard_benchmark(seconds * 1000);
            scenario.workload.keys = keys;
            scenario.workload.keys_distribution = distribution;
            scenario.workload.mode = LoadMode::Open;
            scenario.workload.balancer = Some(Default::default());
            let history = run_scenario(&scenario, None).expect("valid").history;
            let (report, whole_ms, whole_mb) = measure(|| check_history(&history));
            let end = seconds * SECOND;
            let (before, waiting) = history_at(&history, end - 2 * SECOND);
            let mut checker = IncrementalChecker::default();
            checker.check(&before, &waiting);
            let (now, waiting) = history_at(&history, end);
            let (again, step_ms, step_mb) = measure(|| checker.check(&now, &waiting));
            assert_eq!(again.report.verdict, report.verdict, "both checkers agree");
            println!(
                "lincheck, {shape}, {seconds:>4} s ({} operations): whole history {whole_ms:>8.1} ms, {:>9} states, peak {whole_mb:>6.1} MB; the page's check every 2 s {step_ms:>6.1} ms, peak {step_mb:>5.1} MB ({:?})",
                history.len(),
                report.states_explored,
                report.verdict,
            );
        }
    }
}
