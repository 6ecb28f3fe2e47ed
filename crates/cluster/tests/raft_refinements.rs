//! The refinements real Raft deployments add to the paper, each shown to matter: PreVote
//! (dissertation §9.6), CheckQuorum (§6.2), ReadIndex and lease reads (§6.4, §6.4.1).

mod common;

use common::reads::lease_read_from_isolated_leader;
use common::*;
use quorum_cluster::check::linearizability::Verdict;
use quorum_cluster::config::{RaftOptions, ReadMode};
use quorum_cluster::{Action, ClusterConfig, NodeId, Sim};
use quorum_core::time::MS;
use quorum_service::kv::KvOp;
use quorum_service::server::Replica;
use quorum_traffic::client::{OpKind, Status, WorkloadConfig};

fn cluster_with(servers: usize, seed: u64, raft: RaftOptions) -> Sim {
    let config = ClusterConfig {
        servers,
        seed,
        raft,
        ..Default::default()
    };
    Sim::new(config, WorkloadConfig::default()).expect("valid config")
}

fn options(pre_vote: bool, check_quorum: bool, read_mode: ReadMode) -> RaftOptions {
    RaftOptions {
        pre_vote,
        check_quorum,
        read_mode,
        ..Default::default()
    }
}

fn a_follower(sim: &Sim) -> NodeId {
    let leader = leaders(sim)[0];
    (1..=sim.config().servers as NodeId)
        .find(|&n| n != leader)
        .unwrap()
}

/// Isolates a follower for many election timeouts, heals, and reports
/// (its term while isolated, the leader's term before, the leader and term after).
fn isolate_and_rejoin(pre_vote: bool) -> (u64, u64, NodeId, u64, NodeId, u64) {
    let mut sim = cluster_with(5, 21, options(pre_vote, true, ReadMode::ReadIndex));
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    run_for(&mut sim, 500 * MS);
    let leader = leaders(&sim)[0];
    let term_before = term(&sim, leader);
    let f = a_follower(&sim);
    sim.apply(Action::Isolate { node: f.into() }).unwrap();
    run_for(&mut sim, 3 * S); // ten or more election timeouts
    let isolated_term = term(&sim, f);
    sim.apply(Action::Heal).unwrap();
    run_for(&mut sim, 2 * S);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    assert_safe(&sim);
    let after = leaders(&sim)[0];
    (
        isolated_term,
        term_before,
        leader,
        term(&sim, after),
        after,
        sim.stats().leader_elections,
    )
}

#[test]
fn with_prevote_an_isolated_server_rejoins_without_disrupting_the_leader_dissertation_9_6() {
    let (isolated_term, before, leader, after_term, after, _) = isolate_and_rejoin(true);
    assert_eq!(
        isolated_term, before,
        "PreVote: the isolated server never raised its term"
    );
    assert_eq!(after, leader, "the same leader");
    assert_eq!(after_term, before, "the same term");
}

#[test]
fn without_prevote_the_rejoining_server_forces_a_new_election_dissertation_9_6() {
    let (isolated_term, before, _, after_term, _, _) = isolate_and_rejoin(false);
    assert!(
        isolated_term > before + 3,
        "it kept raising its term alone ({isolated_term})"
    );
    assert!(
        after_term > before,
        "its return deposed the leader: term {before} → {after_term}"
    );
}

/// Cuts the leader and one follower off from the other three; returns how long (true time) the
/// old leader kept believing it leads, capped at `limit`.
fn minority_leader_believes_for(check_quorum: bool, limit: u64) -> u64 {
    let mut sim = cluster_with(5, 33, options(true, check_quorum, ReadMode::ReadIndex));
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    run_for(&mut sim, 300 * MS);
    let leader = leaders(&sim)[0];
    let buddy = a_follower(&sim);
    let rest: Vec<NodeId> = (1..=5).filter(|&n| n != leader && n != buddy).collect();
    sim.apply(Action::Partition {
        groups: vec![vec![leader, buddy], rest],
        replace: false,
    })
    .unwrap();
    let start = sim.now();
    run_until(&mut sim, limit, |s| {
        !leaders(s).contains(&leader)
            && s.server(leader).unwrap().node.role() != quorum_service::server::Role::Leader
    });
    assert_safe(&sim);
    sim.now() - start
}

#[test]
fn with_check_quorum_a_leader_in_a_minority_steps_down_within_an_election_timeout_section_6_2() {
    let max_timeout = ClusterConfig::default().timing.election_max();
    let held = minority_leader_believes_for(true, 5 * S);
    assert!(
        held <= max_timeout,
        "stepped down after {held} µs (election timeout ≤ {max_timeout} µs)"
    );
}

#[test]
fn without_check_quorum_a_minority_leader_keeps_believing_it_leads_section_6_2() {
    let held = minority_leader_believes_for(false, 2 * S);
    assert!(
        held >= 2 * S,
        "without CheckQuorum nothing tells it otherwise ({held} µs)"
    );
}

/// Puts then reads `x` through one server and returns (log growth during the read, the value read).
fn put_then_get(read_mode: ReadMode) -> (u64, Option<i64>) {
    let mut sim = cluster_with(3, 41, options(true, true, read_mode));
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let leader = leaders(&sim)[0];
    put(&mut sim, leader, "x", 7);
    run_for(&mut sim, 300 * MS);
    let before = sim.server(leader).unwrap().node.last_index();
    sim.apply(Action::ClientRequest {
        op: KvOp::Get { key: "x".into() },
        server: Some(leader),
        read: Default::default(),
    })
    .unwrap();
    run_for(&mut sim, 300 * MS);
    let grown = sim.server(leader).unwrap().node.last_index() - before;
    let read = sim
        .history()
        .iter()
        .filter(|o| o.op == OpKind::Read)
        .last()
        .expect("read done");
    assert_eq!(read.status, Status::Ok);
    (grown, read.result.flatten())
}

#[test]
fn readindex_and_lease_reads_skip_the_log_but_log_reads_do_not_section_6_4() {
    assert_eq!(
        put_then_get(ReadMode::Log),
        (1, Some(7)),
        "a log read is an entry"
    );
    assert_eq!(
        put_then_get(ReadMode::ReadIndex),
        (0, Some(7)),
        "ReadIndex appends nothing"
    );
    assert_eq!(
        put_then_get(ReadMode::Lease),
        (0, Some(7)),
        "a lease read appends nothing"
    );
}

/// The danger of leases (§6.4.1), under Raft with PreVote and CheckQuorum: see
/// [`lease_read_from_isolated_leader`]; the others elect a new leader when their timers fire.
fn read_from_a_deposed_leader(leader_clock: f64) -> (Verdict, Option<Option<i64>>) {
    let mut sim = cluster_with(3, 51, options(true, true, ReadMode::Lease));
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let old = leaders(&sim)[0];
    lease_read_from_isolated_leader(&mut sim, old, leader_clock, false, 2 * S)
}

#[test]
fn lease_reads_are_linearizable_when_clocks_agree_section_6_4_1() {
    let (verdict, read) = read_from_a_deposed_leader(1.0);
    assert_eq!(verdict, Verdict::Linearizable);
    assert_eq!(
        read,
        Some(Some(2)),
        "the old leader's lease had run out; the read went to the new leader"
    );
}

#[test]
fn a_slow_leader_clock_makes_a_lease_read_stale_and_the_checker_catches_it_section_6_4_1() {
    let (verdict, read) = read_from_a_deposed_leader(0.25);
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
fn read_latency(read: quorum_cluster::message::ReadConsistency) -> u64 {
    let mut sim = cluster_with(3, 43, options(true, true, ReadMode::ReadIndex));
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let leader = leaders(&sim)[0];
    common::reads::read_latency(&mut sim, leader, read)
}

#[test]
fn a_lease_read_per_operation_skips_the_confirmation_round_section_6_4_1() {
    use quorum_cluster::message::ReadConsistency;
    let lease = read_latency(ReadConsistency::Lease);
    let read_index = read_latency(ReadConsistency::Linearizable);
    assert!(
        lease + 15 * MS < read_index,
        "lease {lease} µs vs ReadIndex {read_index} µs"
    );
}
