//! Helpers shared by the integration tests: build a quiet cluster, drive it by hand, wait for
//! conditions in virtual time.
#![allow(dead_code)]

use quorum_cluster::config::Timing;
use quorum_cluster::message::ReadConsistency;
use quorum_cluster::{Action, ClusterConfig, NodeId, Sim};
use quorum_core::time::{Time, MS, SECOND};
use quorum_service::kv::KvOp;
use quorum_service::server::{Replica, Role};
use quorum_traffic::client::WorkloadConfig;

/// A cluster with no generated load.
pub fn cluster(servers: usize, seed: u64) -> Sim {
    let config = ClusterConfig {
        servers,
        seed,
        ..Default::default()
    };
    Sim::new(config, WorkloadConfig::default()).expect("valid config")
}

/// A cluster whose election timers are so long that only hand-fired timeouts start elections,
/// so a test can stage exactly the situation a paper figure shows.
pub fn staged_cluster(servers: usize, noop_on_election: bool) -> Sim {
    let mut config = ClusterConfig {
        servers,
        seed: 42,
        timing: Timing {
            election_timeout_min_ms: 60_000,
            election_timeout_max_ms: 120_000,
            heartbeat_interval_ms: 50,
        },
        ..Default::default()
    };
    config.raft.noop_on_election = noop_on_election;
    // The paper's algorithm, without the later refinements (they have their own tests).
    config.raft.pre_vote = false;
    config.raft.check_quorum = false;
    config.raft.read_mode = quorum_cluster::config::ReadMode::Log;
    config.raft.snapshot_every = 0;
    // Clients wait rather than retry, so no retried request adds entries the figure lacks.
    let patient = WorkloadConfig {
        request_timeout_ms: 60_000,
        give_up_after_ms: 60_000,
        ..Default::default()
    };
    Sim::new(config, patient).expect("valid config")
}

/// Advances in small steps until `pred` holds or `limit` of virtual time passes.
pub fn run_until(sim: &mut Sim, limit: Time, mut pred: impl FnMut(&Sim) -> bool) -> bool {
    let end = sim.now() + limit;
    while sim.now() < end {
        if pred(sim) {
            return true;
        }
        let t = sim.now() + MS;
        sim.advance_to(t);
    }
    pred(sim)
}

/// Advances by `d`.
pub fn run_for(sim: &mut Sim, d: Time) {
    let t = sim.now() + d;
    sim.advance_to(t);
}

/// The running leaders (normally zero or one).
pub fn leaders(sim: &Sim) -> Vec<NodeId> {
    sim.servers()
        .iter()
        .filter(|s| s.up && s.node.role() == Role::Leader)
        .map(|s| s.node.id())
        .collect()
}

/// The Raft server `id` (the tests that use it build Raft clusters).
pub fn raft(sim: &Sim, id: NodeId) -> &quorum_raft::RaftNode {
    sim.server(id)
        .and_then(|s| s.node.as_raft())
        .expect("a Raft server")
}

/// Term of a server.
pub fn term(sim: &Sim, id: NodeId) -> u64 {
    sim.server(id).expect("server").node.term()
}

/// Commit index of a server.
pub fn commit(sim: &Sim, id: NodeId) -> u64 {
    sim.server(id).expect("server").node.commit_index()
}

/// Term of the entry at `index` on a server.
pub fn entry_term(sim: &Sim, id: NodeId, index: u64) -> Option<u64> {
    sim.server(id).expect("server").node.entry_term(index)
}

/// Fires `node`'s election timeout by hand until it leads (at most a few tries).
pub fn elect(sim: &mut Sim, node: NodeId) {
    for _ in 0..5 {
        sim.apply(Action::Timeout { node }).expect("valid node");
        if run_until(sim, 300 * MS, |s| leaders(s).contains(&node)) {
            return;
        }
    }
    panic!("S{node} could not be elected; feed: {:#?}", sim.view().feed);
}

/// Sends a put from the hand-driven client to `server`.
pub fn put(sim: &mut Sim, server: NodeId, key: &str, value: i64) {
    let op = KvOp::Put {
        key: key.into(),
        value,
    };
    sim.apply(Action::ClientRequest {
        op,
        server: Some(server),
        read: Default::default(),
    })
    .expect("valid request");
}

/// Sends a read of `key` from the hand-driven client to `server`, with `read` consistency.
pub fn get(sim: &mut Sim, server: NodeId, key: &str, read: ReadConsistency) {
    sim.apply(Action::ClientRequest {
        op: KvOp::Get { key: key.into() },
        server: Some(server),
        read,
    })
    .expect("valid request");
}

/// Cuts both directions between `a` and each of `others`.
pub fn cut_both(sim: &mut Sim, a: NodeId, others: &[NodeId]) {
    for &b in others {
        sim.apply(Action::CutLink { from: a, to: b })
            .expect("valid link");
        sim.apply(Action::CutLink { from: b, to: a })
            .expect("valid link");
    }
}

/// Asserts no safety check failed.
pub fn assert_safe(sim: &Sim) {
    assert!(
        sim.violations().is_empty(),
        "safety violations: {:#?}",
        sim.violations()
    );
}

pub mod reads;

/// One second of virtual time.
pub const S: Time = SECOND;
