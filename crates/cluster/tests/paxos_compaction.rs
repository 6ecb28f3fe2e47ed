//! Multi-Paxos log compaction ("Paxos Made Live" §5.5, snapshots): servers replace the slots
//! every server has learned with a snapshot of the key-value store, never compact past a server
//! that is behind (it could not be caught up again: no snapshot is ever sent), and a restarted
//! server rebuilds its store from its snapshot and the slots after it.

mod common;

use common::{assert_safe, leaders, run_for, run_until, S};
use quorum_cluster::config::ProtocolKind;
use quorum_cluster::{Action, ClusterConfig, NodeId, Sim};
use quorum_core::time::MS;
use quorum_paxos::{Mutation, PaxosNode, SNAPSHOT_EVERY};
use quorum_service::server::Replica;
use quorum_traffic::client::WorkloadConfig;

const SERVERS: usize = 5;

fn busy_paxos(seed: u64) -> Sim {
    busy_paxos_with(seed, None)
}

fn busy_paxos_with(seed: u64, mutation: Option<Mutation>) -> Sim {
    let mut config = ClusterConfig {
        servers: SERVERS,
        seed,
        protocol: ProtocolKind::MultiPaxos,
        ..Default::default()
    };
    config.paxos.mutation = mutation;
    let workload = WorkloadConfig {
        clients: 4,
        rate: 50.0,
        ..Default::default()
    };
    Sim::new(config, workload).expect("valid config")
}

fn paxos(sim: &Sim, id: NodeId) -> &PaxosNode {
    sim.server(id)
        .and_then(|s| s.node.as_paxos())
        .expect("a Multi-Paxos server")
}

fn ids() -> impl Iterator<Item = NodeId> {
    1..=SERVERS as NodeId
}

/// The rule compaction must keep: no server has discarded a slot that some server has not
/// learned. Returns the offending pair, if any.
fn compacted_past_a_laggard(sim: &Sim) -> Option<(NodeId, u64, NodeId, u64)> {
    let (laggard, learned) = ids()
        .map(|id| (id, paxos(sim, id).commit_index()))
        .min_by_key(|&(_, learned)| learned)?;
    ids()
        .map(|id| (id, paxos(sim, id).snapshot_slot()))
        .find(|&(_, snapshot)| snapshot > learned)
        .map(|(id, snapshot)| (id, snapshot, laggard, learned))
}

/// Runs `d` in 10 ms steps, checking the rule after each.
fn run_checking(sim: &mut Sim, d: quorum_core::time::Time) {
    let end = sim.now() + d;
    while sim.now() < end {
        run_for(sim, 10 * MS);
        assert_eq!(compacted_past_a_laggard(sim), None, "at {} ms", sim.now());
    }
}

#[test]
fn every_server_compacts_the_slots_all_have_learned_and_keeps_a_bounded_tail() {
    let mut sim = busy_paxos(7);
    run_checking(&mut sim, 20 * S);
    for id in ids() {
        let node = paxos(&sim, id);
        let snapshot = node.snapshot_slot();
        assert!(
            snapshot >= 4 * SNAPSHOT_EVERY,
            "S{id} compacted to {snapshot}"
        );
        assert_eq!(snapshot % SNAPSHOT_EVERY, 0);
        assert_eq!(node.acceptor().compacted(), snapshot);
        assert!(node.acceptor().accepted(snapshot).is_none());
        assert!(node.chosen_value(snapshot).is_none());
        assert_eq!(node.log_start(), snapshot);
        let held = node.last_slot() - snapshot;
        assert!(
            held <= 4 * SNAPSHOT_EVERY,
            "S{id} holds {held} slots after its snapshot"
        );
    }
    // The slot matrix marks the snapshot (▣) and draws only the slots still held.
    for node in sim.view().nodes {
        let snapshot = paxos(&sim, node.id).snapshot_slot();
        assert_eq!(node.snapshot_index, snapshot, "{}", node.label);
        assert!(
            node.log.iter().all(|e| e.index > snapshot),
            "{}",
            node.label
        );
        assert!(!node.log.is_empty(), "{}", node.label);
    }
    assert_safe(&sim);
}

#[test]
fn a_crashed_server_holds_compaction_back_until_it_has_caught_up_again() {
    let mut sim = busy_paxos(11);
    assert!(run_until(&mut sim, 5 * S, |s| leaders(s).len() == 1));
    run_checking(&mut sim, 5 * S);
    let leader = leaders(&sim)[0];
    let down = ids().find(|&id| id != leader).expect("a follower");
    sim.apply(Action::Crash { node: down.into() }).unwrap();
    let learned = paxos(&sim, down).commit_index();
    run_checking(&mut sim, 10 * S);
    for id in ids() {
        assert!(
            paxos(&sim, id).snapshot_slot() <= learned,
            "S{id} compacted past what the crashed S{down} had learned ({learned})"
        );
    }
    assert!(
        paxos(&sim, leader).commit_index() > learned + 2 * SNAPSHOT_EVERY,
        "the others went on choosing values"
    );
    for id in ids().filter(|&id| id != down) {
        let waiting = paxos(&sim, id).waiting_snapshots();
        assert!(waiting <= 8, "S{id} keeps {waiting} snapshots waiting");
    }
    sim.apply(Action::Restart { node: down.into() }).unwrap();
    run_checking(&mut sim, 10 * S);
    let caught_up = paxos(&sim, down);
    assert!(
        caught_up.snapshot_slot() > learned,
        "compaction resumed once S{down} caught up"
    );
    assert!(caught_up.commit_index() + 2 * SNAPSHOT_EVERY > paxos(&sim, leader).commit_index());
    assert_safe(&sim);
}

#[test]
fn a_restarted_server_rebuilds_its_store_from_its_snapshot_and_the_slots_after_it() {
    let mut sim = busy_paxos(3);
    run_for(&mut sim, 10 * S);
    let leader = leaders(&sim)[0];
    let id = ids().find(|&id| id != leader).expect("a follower");
    let snapshot = paxos(&sim, id).snapshot_slot();
    assert!(snapshot > 0, "compacted before the crash");
    sim.apply(Action::Crash { node: id.into() }).unwrap();
    sim.apply(Action::Restart { node: id.into() }).unwrap();
    let node = paxos(&sim, id);
    assert!(
        node.applied_slot() >= snapshot,
        "restarted from its snapshot (applied {})",
        node.applied_slot()
    );
    // Run with no new load: every store converges to the same state.
    run_for(&mut sim, 2 * S);
    let (applied, kv) = (paxos(&sim, id).applied_slot(), paxos(&sim, id).kv_digest());
    for other in ids() {
        let o = paxos(&sim, other);
        if o.applied_slot() == applied {
            assert_eq!(o.kv_digest(), kv, "S{other} and S{id} at slot {applied}");
        }
    }
    assert_safe(&sim);
}

/// The rule the tests above hold compaction to can fail: with a leader that ignores servers
/// behind it, compaction passes the crashed server, which is reported — and once restarted
/// that server cannot learn the discarded slots from anyone.
#[test]
fn compacting_past_a_laggard_is_reported_and_strands_it() {
    let mut sim = busy_paxos_with(5, Some(Mutation::CompactsPastLaggards));
    assert!(run_until(&mut sim, 5 * S, |s| leaders(s).len() == 1));
    let leader = leaders(&sim)[0];
    let down = ids().find(|&id| id != leader).expect("a follower");
    sim.apply(Action::Crash { node: down.into() }).unwrap();
    let learned = paxos(&sim, down).commit_index();
    run_for(&mut sim, 5 * S);
    assert_eq!(
        compacted_past_a_laggard(&sim).map(|(_, _, laggard, _)| laggard),
        Some(down)
    );
    sim.apply(Action::Restart { node: down.into() }).unwrap();
    run_for(&mut sim, 5 * S);
    assert!(
        paxos(&sim, down).commit_index() < learned + SNAPSHOT_EVERY,
        "S{down} stays stranded below the slots discarded without it"
    );
}
