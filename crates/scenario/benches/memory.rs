//! Memory and seeks over an hour: the page's run at 9 servers, 10 clients and 100 operations per
//! second, recorded by a [`Timeline`] (checkpoints, history, feed) exactly as the page keeps it,
//! under Raft and under Multi-Paxos. Prints the heap in use after 1, 10, 30 and 60 simulated
//! minutes, the number of checkpoints and the widest gap between two of them, and the time of
//! seeks across the hour. Run with `cargo bench --bench memory`.
//!
//! The heap is counted by a wrapping global allocator, so the figures are the bytes the program
//! asked for (native, 64-bit: pointers are twice the size they are in wasm32, so the page needs
//! less than this).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use quorum_cluster::config::ProtocolKind;
use quorum_cluster::time::SECOND;
use quorum_cluster::timeline::Timeline;
use quorum_cluster::Sim;
use quorum_scenario::PageParams;

/// The system allocator, counting the bytes in use and the most ever in use.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

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
    let params = PageParams {
        servers: Some(9),
        clients: Some(10),
        rate: Some(100.0),
        protocol: Some(protocol),
        ..Default::default()
    };
    let (config, workload) = params.start();
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let mut timeline = Timeline::new(Sim::new(config, workload).expect("the page's run is valid"));
    let name = protocol.label();
    let start = Instant::now();
    // `QUORUM_BENCH_MINUTES=N` stops after N simulated minutes (for profilers).
    let last: u64 = std::env::var("QUORUM_BENCH_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(60);
    for minutes in [1u64, 10, 30, 60].into_iter().filter(|m| *m <= last) {
        timeline.advance_to(minutes * 60 * SECOND);
        println!(
            "memory, {name}, 9 servers, 10 clients, 100 ops/s: after {minutes:>2} simulated min {:>6.1} MB in use (peak {:>6.1} MB), {} operations, {} feed lines, {} checkpoints, widest gap {:.1} s",
            mb(IN_USE.load(Ordering::Relaxed) - before),
            mb(PEAK.load(Ordering::Relaxed) - before),
            timeline.sim().history().len(),
            timeline.sim().feed().len(),
            timeline.checkpoint_count(),
            timeline.widest_checkpoint_gap() as f64 / SECOND as f64,
        );
    }
    let ran = start.elapsed().as_secs_f64();
    // What one more checkpoint costs at the hour: a clone of the simulation, then 200 ms of
    // running, after which the clone holds only what the run has since changed.
    let mut probe = timeline.clone();
    let live_before = IN_USE.load(Ordering::Relaxed);
    let kept = probe.sim().clone();
    probe.advance_to(probe.now() + 200 * quorum_cluster::time::MS);
    let grown_with = IN_USE.load(Ordering::Relaxed);
    drop(kept);
    let grown_without = IN_USE.load(Ordering::Relaxed);
    drop(probe);
    println!(
        "memory, {name}: one checkpoint at the hour holds {:.1} KB of its own",
        (grown_with - grown_without) as f64 / 1e3
    );
    let _ = live_before;
    println!(
        "memory, {name}: the hour ran in {ran:.1} wall s ({:.0}x real time, checkpoints included)",
        3600.0 / ran
    );
    // Seeks across the recorded hour, each from where the previous one left off.
    let end = timeline.horizon();
    let targets = [
        ("live -> start", 0),
        ("start -> 30 min", end / 2),
        ("30 min -> live", end),
        ("live -> 10 min", 10 * 60 * SECOND + 123),
        ("10 min -> 50 min", 50 * 60 * SECOND + 456),
        ("50 min -> 49 min", 49 * 60 * SECOND + 789),
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
