//! Memory and seeks over an hour: the page's run at 9 servers, 10 clients and 100 operations per
//! second, recorded by a [`Timeline`] (checkpoints, history, feed) exactly as the page keeps it,
//! under Raft and under Multi-Paxos. Prints the heap in use after 1, 10, 30 and 60 simulated
//! minutes, the number of checkpoints and the widest gap between two of them, and the time of
//! seeks across the hour. Run with `cargo bench --bench memory`.
//!
//! The heap is counted by a wrapping global allocator, so the figures are the bytes the program
//! asked for (native, 64-bit: pointers are twice the size they are in wasm32, so the page needs
//! less than this).

mod common;

use std::time::Instant;

use quorum_cluster::config::ProtocolKind;
use quorum_cluster::time::SECOND;
use quorum_cluster::timeline::Timeline;
use quorum_cluster::Sim;
use quorum_scenario::PageParams;

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn main() {
    // `QUORUM_BENCH_PROTOCOL=raft|multi_paxos` measures one protocol only (for profilers).
    let only = std::env::var("QUORUM_BENCH_PROTOCOL").ok();
    for protocol in [ProtocolKind::Raft, ProtocolKind::MultiPaxos] {
        if only.as_deref().is_none_or(|name| {
            ProtocolKind::parse(name, "QUORUM_BENCH_PROTOCOL").ok() == Some(protocol)
        }) {
            hour(protocol);
        }
    }
}

fn hour(protocol: ProtocolKind) {
    let (config, workload) = PageParams::heaviest(protocol).start();
    let name = protocol.label();
    // `QUORUM_BENCH_MINUTES=N` stops after N simulated minutes (for profilers).
    let last: u64 = std::env::var("QUORUM_BENCH_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(60);
    // The run alone, without a timeline: what the live state holds.
    let before = common::in_use();
    let mut alone = Sim::new(config.clone(), workload.clone()).expect("the page's run is valid");
    alone.advance_to(last * 60 * SECOND);
    println!(
        "memory, {name}: the run alone (no checkpoints) holds {:.1} MB after {last} simulated min",
        mb(common::in_use() - before)
    );
    drop(alone);
    let before = common::in_use();
    common::reset_peak();
    let mut timeline = Timeline::new(Sim::new(config, workload).expect("the page's run is valid"));
    let start = Instant::now();
    for minutes in [1u64, 10, 30, 60].into_iter().filter(|m| *m <= last) {
        timeline.advance_to(minutes * 60 * SECOND);
        println!(
            "memory, {name}, 9 servers, 10 clients, 100 ops/s: after {minutes:>2} simulated min {:>6.1} MB in use (peak {:>6.1} MB), {} operations, {} feed lines, {} checkpoints, widest gap {:.1} s",
            mb(common::in_use() - before),
            mb(common::peak() - before),
            timeline.sim().history().len(),
            timeline.sim().feed().len(),
            timeline.checkpoint_count(),
            timeline.widest_checkpoint_gap() as f64 / SECOND as f64,
        );
    }
    let ran = start.elapsed().as_secs_f64();
    // What one more checkpoint costs at the end: a clone of the simulation, then 200 ms of
    // running, after which the clone holds only what the run has since changed.
    let mut probe = timeline.clone();
    let kept = probe.sim().clone();
    probe.advance_to(probe.now() + 200 * quorum_cluster::time::MS);
    let grown_with = common::in_use();
    drop(kept);
    let grown_without = common::in_use();
    drop(probe);
    println!(
        "memory, {name}: one checkpoint after {last} simulated min holds {:.1} KB of its own",
        (grown_with - grown_without) as f64 / 1e3
    );
    println!(
        "memory, {name}: {last} simulated min ran in {ran:.1} wall s ({:.0}x real time, checkpoints included)",
        (last * 60) as f64 / ran
    );
    // Seeks across the recorded hour, each from where the previous one left off.
    let end = timeline.horizon();
    // Targets 1.9 s past a checkpoint 2 s apart: the longest replay a seek can need.
    let late = 1_900 * quorum_cluster::time::MS;
    let targets = [
        ("live -> start", 0),
        ("start -> 30 min", 30 * 60 * SECOND + late),
        ("30 min -> live", end),
        ("live -> 10 min", 10 * 60 * SECOND + late),
        ("10 min -> 50 min", 50 * 60 * SECOND + late),
        ("50 min -> 49 min", 49 * 60 * SECOND + late),
    ];
    let mut worst: f64 = 0.0;
    let mut figures = Vec::new();
    for (what, t) in targets {
        let start = Instant::now();
        timeline.seek(t);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        worst = worst.max(ms);
        figures.push(format!("{what} {ms:.1} ms"));
    }
    println!(
        "seek, {name}, in the hour: {} (slowest {worst:.1} ms)",
        figures.join(", ")
    );
}
