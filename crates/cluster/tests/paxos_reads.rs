//! How a Multi-Paxos leader serves reads: through the log (a slot each), by ReadIndex (a heartbeat
//! round confirms the leadership) or by lease (acceptors that heard from their leader recently
//! promise no one else, so the leader may answer at once for an election timeout after a
//! confirmed round — by its own clock). Each must return what the last completed write wrote;
//! a leader whose clock runs slow breaks the lease, and the linearizability checker must say so.

mod common;

use common::reads::lease_read_from_isolated_leader;
use common::{assert_safe, get, leaders, put, run_for, run_until, S};
use quorum_cluster::check::linearizability::Verdict;
use quorum_cluster::config::{PaxosOptions, ProtocolKind, ReadMode, Timing};
use quorum_cluster::message::ReadConsistency;
use quorum_cluster::{ClusterConfig, NodeId, Sim};
use quorum_core::time::MS;
use quorum_traffic::client::{OpKind, Status, WorkloadConfig};

fn cluster(seed: u64, read_mode: ReadMode, timing: Timing) -> Sim {
    let config = ClusterConfig {
        servers: 3,
        seed,
        protocol: ProtocolKind::MultiPaxos,
        paxos: PaxosOptions {
            read_mode,
            ..Default::default()
        },
        timing,
        ..Default::default()
    };
    Sim::new(config, WorkloadConfig::default()).expect("valid config")
}

fn one_leader(sim: &mut Sim) -> NodeId {
    assert!(run_until(sim, 5 * S, |s| leaders(s).len() == 1));
    leaders(sim)[0]
}

fn last_read(sim: &Sim) -> Option<quorum_traffic::client::HistoryOp> {
    sim.history()
        .iter()
        .filter(|o| o.op == OpKind::Read && o.status == Status::Ok)
        .last()
}

/// Slots the leader used for one read after a write, and what the read returned.
fn put_then_get(read_mode: ReadMode) -> (u64, Option<i64>) {
    let mut sim = cluster(5, read_mode, Timing::default());
    let leader = one_leader(&mut sim);
    put(&mut sim, leader, "x", 7);
    run_for(&mut sim, 300 * MS);
    let slots_before = sim
        .server(leader)
        .and_then(|s| s.node.as_paxos())
        .unwrap()
        .last_slot();
    get(&mut sim, leader, "x", ReadConsistency::Linearizable);
    assert!(run_until(&mut sim, S, |s| last_read(s).is_some()));
    let slots_after = sim
        .server(leader)
        .and_then(|s| s.node.as_paxos())
        .unwrap()
        .last_slot();
    assert_safe(&sim);
    let read = last_read(&sim).and_then(|o| o.result).flatten();
    (slots_after - slots_before, read)
}

#[test]
fn a_log_read_takes_a_slot_and_readindex_and_lease_reads_do_not() {
    assert_eq!(
        put_then_get(ReadMode::Log),
        (1, Some(7)),
        "a log read is a slot"
    );
    assert_eq!(
        put_then_get(ReadMode::ReadIndex),
        (0, Some(7)),
        "ReadIndex proposes nothing"
    );
    assert_eq!(
        put_then_get(ReadMode::Lease),
        (0, Some(7)),
        "a lease read proposes nothing"
    );
}

/// The danger of leases: see [`lease_read_from_isolated_leader`]. Another server runs phase 1 at
/// once; long election timeouts make the lease long, so without acceptors sticking to their
/// leader the new leader would be in place well inside the old one's lease.
fn read_from_an_isolated_leader(leader_clock: f64) -> (Verdict, Option<Option<i64>>) {
    let timing = Timing {
        election_timeout_min_ms: 600,
        election_timeout_max_ms: 1200,
        heartbeat_interval_ms: 50,
    };
    let mut sim = cluster(51, ReadMode::Lease, timing);
    let old = one_leader(&mut sim);
    lease_read_from_isolated_leader(&mut sim, old, leader_clock, true, 5 * S)
}

#[test]
fn a_lease_read_from_an_isolated_leader_is_not_stale_when_clocks_agree() {
    let (verdict, read) = read_from_an_isolated_leader(1.0);
    assert_eq!(verdict, Verdict::Linearizable);
    assert_eq!(
        read,
        Some(Some(2)),
        "the acceptors held the new proposer off until the old lease ran out"
    );
}

#[test]
fn a_slow_leader_clock_makes_a_paxos_lease_read_stale_and_the_checker_catches_it() {
    let (verdict, read) = read_from_an_isolated_leader(0.25);
    assert_eq!(
        read,
        Some(Some(1)),
        "the deposed leader answered from its outdated state"
    );
    assert_eq!(
        verdict,
        Verdict::NotLinearizable,
        "the stale read is caught"
    );
}

/// Latency of one read sent straight to the leader with the given consistency, µs.
fn read_latency(read: ReadConsistency) -> u64 {
    let mut sim = cluster(43, ReadMode::ReadIndex, Timing::default());
    let leader = one_leader(&mut sim);
    common::reads::read_latency(&mut sim, leader, read)
}

#[test]
fn a_lease_read_skips_the_confirmation_round() {
    let lease = read_latency(ReadConsistency::Lease);
    let read_index = read_latency(ReadConsistency::Linearizable);
    assert!(
        lease + 15 * MS < read_index,
        "lease {lease} µs vs ReadIndex {read_index} µs"
    );
}
