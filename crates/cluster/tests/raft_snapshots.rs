//! Log compaction (Raft paper §7): servers snapshot their state machine and discard the log it
//! covers; a follower that needs discarded entries gets the snapshot; a restarted server
//! recovers from snapshot plus log.

mod common;

use common::*;
use quorum_cluster::config::RaftOptions;
use quorum_cluster::{Action, ClusterConfig, NodeId, Sim};
use quorum_core::time::MS;
use quorum_service::server::Replica;
use quorum_traffic::client::WorkloadConfig;

fn compacting_cluster(every: u64) -> Sim {
    let config = ClusterConfig {
        servers: 3,
        seed: 61,
        raft: RaftOptions {
            snapshot_every: every,
            ..Default::default()
        },
        ..Default::default()
    };
    Sim::new(config, WorkloadConfig::default()).expect("valid config")
}

fn put_many(sim: &mut Sim, leader: NodeId, n: i64) {
    for v in 0..n {
        put(sim, leader, &format!("k{}", v % 4), v);
        run_for(sim, 40 * MS);
    }
    run_for(sim, 300 * MS);
}

#[test]
fn a_follower_that_missed_compacted_entries_catches_up_by_install_snapshot_section_7() {
    let mut sim = compacting_cluster(10);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let leader = leaders(&sim)[0];
    let follower = (1..=3).find(|&n| n != leader).unwrap();
    sim.apply(Action::Crash {
        node: follower.into(),
    })
    .unwrap();
    put_many(&mut sim, leader, 40);
    let snap = raft(&sim, leader).log().snapshot_index();
    assert!(
        snap >= 30,
        "the leader compacted its log (snapshot at {snap})"
    );
    assert!(
        sim.server(follower).unwrap().node.last_index() < snap,
        "the follower lacks compacted entries"
    );
    sim.apply(Action::Restart {
        node: follower.into(),
    })
    .unwrap();
    run_for(&mut sim, S);
    let f = raft(&sim, follower);
    let l = &sim.server(leader).unwrap().node;
    assert!(
        f.log().snapshot_index() >= snap,
        "the follower installed the leader's snapshot"
    );
    assert!(sim
        .feed()
        .iter()
        .any(|e| e.text.contains(&format!("S{follower} installed"))));
    assert_eq!(f.last_index(), l.last_index());
    assert_eq!(f.kv_digest(), l.kv_digest(), "same key-value state");
    assert_safe(&sim);
}

#[test]
fn every_server_restarted_from_snapshot_and_log_reaches_the_same_state_section_7() {
    let mut sim = compacting_cluster(8);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let leader = leaders(&sim)[0];
    put_many(&mut sim, leader, 30);
    let before = sim.server(leader).unwrap().node.kv_digest();
    for n in 1..=3 {
        assert!(raft(&sim, n).log().snapshot_index() > 0, "S{n} compacted");
        sim.apply(Action::Crash { node: n.into() }).unwrap();
    }
    sim.apply(Action::RestartAll).unwrap();
    // Right after the restart each server already holds its snapshot's state.
    for n in 1..=3 {
        let node = raft(&sim, n);
        assert_eq!(node.applied_index(), node.log().snapshot_index());
    }
    assert!(run_until(&mut sim, 5 * S, |s| leaders(s).len() == 1));
    let leader = leaders(&sim)[0];
    put(&mut sim, leader, "after", 1);
    run_for(&mut sim, 500 * MS);
    let digests: Vec<u64> = (1..=3)
        .map(|n| sim.server(n).unwrap().node.kv_digest())
        .collect();
    assert!(
        digests.iter().all(|d| *d == digests[0]),
        "all replicas agree"
    );
    assert_eq!(sim.server(leader).unwrap().node.kv().get("after"), Some(1));
    assert_ne!(
        before, digests[0],
        "and the new write is on top of the recovered state"
    );
    assert_safe(&sim);
}

#[test]
fn a_snapshot_taken_by_hand_discards_the_log_it_covers() {
    let mut sim = compacting_cluster(0);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let leader = leaders(&sim)[0];
    put_many(&mut sim, leader, 5);
    let applied = sim.server(leader).unwrap().node.applied_index();
    assert_eq!(
        raft(&sim, leader).log().snapshot_index(),
        0,
        "no automatic snapshots"
    );
    sim.apply(Action::Snapshot { node: leader }).unwrap();
    let node = raft(&sim, leader);
    assert_eq!(node.log().snapshot_index(), applied);
    assert_eq!(
        node.snapshot().map(|s| s.kv.digest()),
        Some(node.kv_digest())
    );
    assert_safe(&sim);
}
