//! Every field the inspector shows knows what last changed it: the message handled and the
//! reason its sender gave, or the timer, restart or action (Raft §5.2 elections, §5.3 commits).

use quorum_cluster::message::{Addr, MessageKind};
use quorum_cluster::provenance::{Origin, TrackedField, Trigger};
use quorum_cluster::why::Cause;
use quorum_cluster::{Action, ClusterConfig, Sim};
use quorum_core::time::SECOND;
use quorum_raft::why::{RaftWhy, VoteVerdict};
use quorum_service::{Replica, Role};
use quorum_traffic::client::WorkloadConfig;

fn elected(seed: u64) -> (Sim, u32) {
    let config = ClusterConfig {
        seed,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 2,
        rate: 20.0,
        balancer: Some(Default::default()),
        ..Default::default()
    };
    let mut sim = Sim::new(config, workload).expect("valid");
    sim.advance_to(3 * SECOND);
    let leader = sim.leader().expect("elected");
    (sim, leader)
}

fn origin(sim: &Sim, server: u32, field: TrackedField) -> Origin {
    sim.server(server)
        .expect("exists")
        .provenance
        .origin(field)
        .unwrap_or_else(|| panic!("S{server}'s {field:?} has an origin"))
}

/// The leader became leader on a granted vote; a voter's vote came from the candidate's
/// request, sent because it started an election.
#[test]
fn a_leaders_role_comes_from_a_granted_vote_and_a_voters_vote_from_the_campaign_section_5_2() {
    let (sim, leader) = elected(3);
    let role = origin(&sim, leader, TrackedField::Role);
    assert_eq!(
        Origin::describe_value(TrackedField::Role, role.from),
        "candidate"
    );
    match &role.trigger {
        Trigger::Message { kind, why, .. } => {
            assert_eq!(*kind, MessageKind::RequestVoteReply);
            assert!(
                matches!(why, Cause::Raft(RaftWhy::VoteAnswer(d)) if d.verdict == VoteVerdict::Granted),
                "{why:?}"
            );
        }
        other => panic!("won by a vote, not {other:?}"),
    }
    let voter = (1..=5)
        .find(|&n| {
            n != leader
                && sim
                    .server(n)
                    .unwrap()
                    .node
                    .as_raft()
                    .and_then(|r| r.voted_for())
                    == Some(leader)
        })
        .expect("someone voted for the leader");
    let vote = origin(&sim, voter, TrackedField::VotedFor);
    match &vote.trigger {
        Trigger::Message {
            kind, from, why, ..
        } => {
            assert_eq!(*kind, MessageKind::RequestVote);
            assert_eq!(*from, Addr::Server(leader));
            assert!(
                matches!(why, Cause::Raft(RaftWhy::Campaign { term: 1, .. })),
                "{why:?}"
            );
        }
        other => panic!("a vote is cast on a request, not {other:?}"),
    }
}

/// A follower's commit index moves when the leader's AppendEntries tells it the commit index.
#[test]
fn a_followers_commit_index_comes_from_the_leaders_append_entries_section_5_3() {
    let (mut sim, leader) = elected(4);
    sim.advance_to(6 * SECOND);
    let follower = (1..=5).find(|&n| n != leader).expect("a follower");
    assert!(sim.server(follower).unwrap().node.commit_index() > 0);
    let commit = origin(&sim, follower, TrackedField::CommitIndex);
    match &commit.trigger {
        Trigger::Message {
            kind, from, why, ..
        } => {
            // An AppendEntries with entries or without (a heartbeat) carries the commit index.
            assert!(
                matches!(kind, MessageKind::AppendEntries | MessageKind::Heartbeat),
                "{kind:?}"
            );
            assert_eq!(*from, Addr::Server(leader));
            assert!(
                matches!(why, Cause::Raft(RaftWhy::Replicate { .. })),
                "{why:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(commit.at <= sim.now());
}

/// A crash is a person's action; the restart's boot and the timer that followed come next.
#[test]
fn a_crash_is_an_action_and_a_timeout_a_timer() {
    let (mut sim, leader) = elected(5);
    sim.apply(Action::Crash {
        node: leader.into(),
    })
    .expect("valid");
    let role = origin(&sim, leader, TrackedField::Role);
    assert_eq!(role.trigger, Trigger::Action);
    assert_eq!(
        Origin::describe_value(TrackedField::Role, role.from),
        "leader"
    );
    sim.advance_to(8 * SECOND);
    let next = sim.leader().expect("a new leader");
    assert_ne!(next, leader);
    assert_eq!(sim.server(next).unwrap().node.role(), Role::Leader);
    // Someone's term moved on its own election timer (PreVote first, then the real one).
    let by_timer = (1..=5).any(|n| {
        sim.server(n)
            .and_then(|s| s.provenance.origin(TrackedField::Term))
            .is_some_and(|o| matches!(o.trigger, Trigger::Timer { .. } | Trigger::Message { .. }))
    });
    assert!(by_timer);
}

/// Every key's value on every server traces back to the applied command that wrote it, under
/// both protocols (a write whose value it holds; a failed compare-and-set is passed over).
#[test]
fn every_keys_value_comes_from_the_applied_write_that_holds_it_under_both_protocols() {
    use quorum_cluster::config::ProtocolKind;
    use quorum_cluster::provenance::{key_origin, KeyOrigin};
    use quorum_service::kv::KvOp;
    for protocol in [ProtocolKind::Raft, ProtocolKind::MultiPaxos] {
        let config = ClusterConfig {
            seed: 6,
            protocol,
            ..Default::default()
        };
        let workload = WorkloadConfig {
            clients: 3,
            rate: 40.0,
            keys: 3,
            balancer: Some(Default::default()),
            ..Default::default()
        };
        let mut sim = Sim::new(config, workload).expect("valid");
        sim.advance_to(8 * SECOND);
        let mut traced = 0;
        for n in 1..=5 {
            let node = &sim.server(n).expect("exists").node;
            for (key, value) in node.kv().entries() {
                match key_origin(node, key, Some(*value)) {
                    KeyOrigin::Written { index, command, .. } => {
                        assert!(index <= node.applied_index());
                        let holds = match &command.op {
                            KvOp::Put { key: k, value: v } => **k == **key && v == value,
                            KvOp::Cas { key: k, to, .. } => **k == **key && to == value,
                            other => panic!("{other:?} cannot write {key} = {value}"),
                        };
                        assert!(holds, "{protocol:?} S{n}: {command:?} for {key} = {value}");
                        traced += 1;
                    }
                    KeyOrigin::Earlier { .. } => {
                        panic!("{protocol:?}: {key} written within the run")
                    }
                }
            }
        }
        assert!(traced >= 10, "{protocol:?}: {traced} values traced");
    }
}

/// An acceptor's promise comes from the prepare that asked for it ("Paxos Made Simple" P1b).
#[test]
fn an_acceptors_promise_comes_from_the_prepare_that_asked_for_it_paxos_phase_1b() {
    use quorum_paxos::why::PaxosWhy;
    let config = ClusterConfig {
        seed: 3,
        protocol: quorum_cluster::config::ProtocolKind::MultiPaxos,
        ..Default::default()
    };
    let mut sim = Sim::new(config, WorkloadConfig::default()).expect("valid");
    sim.advance_to(3 * SECOND);
    let leader = sim.leader().expect("a leader");
    let follower = (1..=5).find(|&n| n != leader).expect("a follower");
    let promise = origin(&sim, follower, TrackedField::Promised);
    assert_eq!(
        Origin::describe_value(TrackedField::Promised, promise.from),
        "0.0"
    );
    match &promise.trigger {
        Trigger::Message {
            kind, from, why, ..
        } => {
            assert_eq!(*kind, MessageKind::Prepare);
            assert_eq!(*from, Addr::Server(leader));
            assert!(
                matches!(why, Cause::Paxos(PaxosWhy::Prepare { .. })),
                "{why:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}
