//! The read experiments both protocols run: the danger of leases, and what a lease saves.

use quorum_cluster::check::linearizability::{check_history, Verdict};
use quorum_cluster::message::ReadConsistency;
use quorum_cluster::{Action, NodeId, Sim};
use quorum_core::time::{Time, MS};
use quorum_traffic::client::{OpKind, Status};

use super::{assert_safe, get, leaders, put, run_for, run_until, S};

/// The danger of leases (Raft dissertation §6.4.1): the leader `old` of a three-server cluster
/// that reads by lease is cut off from the other servers (clients can still reach it), with its
/// clock at `leader_clock`; the others get a new leader within `elect_within` (with `provoke`,
/// one of them starts an election or phase 1 at once instead of waiting for its timer) and
/// complete a write, then a client reads from the old leader. Returns whether the history is
/// linearizable and what the read returned.
pub fn lease_read_from_isolated_leader(
    sim: &mut Sim,
    old: NodeId,
    leader_clock: f64,
    provoke: bool,
    elect_within: Time,
) -> (Verdict, Option<Option<i64>>) {
    sim.apply(Action::SetClockRate {
        node: old,
        rate: leader_clock,
    })
    .unwrap();
    put(sim, old, "x", 1);
    run_for(sim, 300 * MS);
    sim.apply(Action::Isolate { node: old.into() }).unwrap();
    let others: Vec<NodeId> = (1..=3).filter(|&n| n != old).collect();
    if provoke {
        sim.apply(Action::Timeout { node: others[0] }).unwrap();
    }
    assert!(run_until(sim, elect_within, |s| others
        .iter()
        .any(|&n| leaders(s).contains(&n))));
    let new = *others.iter().find(|&&n| leaders(sim).contains(&n)).unwrap();
    put(sim, new, "x", 2);
    assert!(run_until(sim, S, |s| s
        .history()
        .iter()
        .any(|o| o.value == Some(2) && o.status == Status::Ok)));
    get(sim, old, "x", ReadConsistency::Linearizable);
    run_for(sim, 5 * S);
    assert_safe(sim);
    let history = sim.final_history();
    let read = history
        .iter()
        .find(|o| o.op == OpKind::Read)
        .map(|o| o.result.flatten());
    (check_history(&history).verdict, read)
}

/// Latency of one read sent straight to `leader` with the given consistency, after a write of 7,
/// µs.
pub fn read_latency(sim: &mut Sim, leader: NodeId, read: ReadConsistency) -> u64 {
    put(sim, leader, "x", 7);
    run_for(sim, 300 * MS);
    get(sim, leader, "x", read);
    run_for(sim, 300 * MS);
    let r = sim
        .history()
        .iter()
        .filter(|o| o.op == OpKind::Read)
        .last()
        .expect("read done");
    assert_eq!(r.result, Some(Some(7)));
    r.ret.unwrap() - r.call
}
