//! One Multi-Paxos server at a time: messages and timer events in, the exact effects out. Each
//! test names the rule of "Paxos Made Simple" (or the refinement) it encodes.

use quorum_cluster::{ClusterConfig, NodeId};
use quorum_core::time::MS;
use quorum_paxos::{Ballot, PaxosMsg, PaxosNode};
use quorum_service::{Replica, Role, TimerKind, Wire};

mod node_harness;

use node_harness::{sent, EffectOf, One};

impl One<PaxosNode> {
    /// Server `id` of three, booted one second in.
    fn new(id: NodeId) -> Self {
        let config = ClusterConfig {
            servers: 3,
            protocol: quorum_cluster::config::ProtocolKind::MultiPaxos,
            ..Default::default()
        };
        One::booted(id, PaxosNode::new(id), config, 3, 1_000 * MS)
    }

    fn recv(&mut self, from: NodeId, msg: PaxosMsg) -> Vec<EffectOf<PaxosNode>> {
        self.deliver(from, Wire::Peer(msg))
    }
}

#[test]
fn an_acceptor_promises_a_higher_ballot_and_refuses_a_lower_one_paxos_made_simple_p1a() {
    let mut one = One::new(1);
    let high = Ballot::new(3, 2);
    let effects = one.recv(
        2,
        PaxosMsg::Prepare {
            ballot: high,
            from_slot: 1,
        },
    );
    assert!(matches!(
        sent(&effects).as_slice(),
        [(2, PaxosMsg::Promise { ballot, accepted })] if *ballot == high && accepted.is_empty()
    ));
    let low = Ballot::new(2, 3);
    let effects = one.recv(
        3,
        PaxosMsg::Prepare {
            ballot: low,
            from_slot: 1,
        },
    );
    assert!(matches!(
        sent(&effects).as_slice(),
        [(3, PaxosMsg::Nack { ballot, promised })] if *ballot == low && *promised == high
    ));
}

#[test]
fn a_quiet_leader_makes_a_server_probe_before_it_raises_its_ballot_raft_dissertation_9_6_for_paxos()
{
    let mut one = One::new(1);
    let effects = one.timer(TimerKind::Election);
    assert_eq!(
        one.node.role(),
        Role::PreCandidate,
        "probing, no ballot raised"
    );
    assert_eq!(one.node.term(), 0, "nothing promised to itself yet");
    let probes = sent(&effects);
    assert_eq!(probes.len(), 2);
    assert!(probes
        .iter()
        .all(|(_, m)| matches!(m, PaxosMsg::Probe { .. })));
    // A majority (itself and S2) hears no leader: phase 1 follows.
    let effects = one.recv(
        2,
        PaxosMsg::ProbeReply {
            ballot: Ballot::ZERO,
            granted: true,
        },
    );
    assert_eq!(one.node.role(), Role::Candidate);
    assert!(sent(&effects)
        .iter()
        .all(|(_, m)| matches!(m, PaxosMsg::Prepare { .. })));
}

#[test]
fn an_acceptor_that_hears_a_live_leader_refuses_probes_and_ignores_other_prepares_stickiness() {
    let mut one = One::new(3);
    let leader = Ballot::new(1, 1);
    one.recv(
        1,
        PaxosMsg::Heartbeat {
            ballot: leader,
            chosen: 0,
            stable: 0,
            round: 1,
        },
    );
    one.later(10 * MS);
    let effects = one.recv(2, PaxosMsg::Probe { ballot: leader });
    assert!(matches!(
        sent(&effects).as_slice(),
        [(2, PaxosMsg::ProbeReply { granted: false, .. })]
    ));
    let effects = one.recv(
        2,
        PaxosMsg::Prepare {
            ballot: Ballot::new(2, 2),
            from_slot: 1,
        },
    );
    assert!(sent(&effects).is_empty(), "silence, like a lost reply");
    assert_eq!(one.node.term(), 0, "ballot 2.2 was not promised");
}

/// The checker's view of an acceptor is derived, not kept by the node: a vote shows up once
/// when an accept request is accepted, a retransmission adds nothing, and a refused request
/// (below the promise, "Paxos Made Simple" P1a) adds no vote.
#[test]
fn the_checks_derive_an_acceptors_votes_from_the_accepts_it_handled_paxos_made_simple_p2b() {
    use quorum_cluster::check::{PaxosActivity, PaxosWatch};
    use quorum_paxos::SlotValue;

    let mut one = One::new(1);
    let mut watch = PaxosWatch::default();
    let ballot = Ballot::new(2, 2);
    let accept = |ballot| PaxosMsg::Accept {
        ballot,
        slot: 1,
        value: SlotValue::Noop,
        chosen: 0,
    };
    let mut look = |one: &mut One<PaxosNode>, msg: PaxosMsg| {
        let mut activity = PaxosActivity::default();
        activity.saw(&msg, false);
        one.recv(2, msg);
        watch.facts(1, &one.node, &activity).clone()
    };
    let first = look(&mut one, accept(ballot));
    assert_eq!(first.accepted, vec![(1, ballot, SlotValue::Noop.digest())]);
    assert_eq!(first.promised, ballot);
    assert!(
        first.proposed.is_empty(),
        "S1 did not propose in S2's ballot"
    );
    let again = look(&mut one, accept(ballot));
    assert!(again.accepted.is_empty(), "a retransmission is no new vote");
    let higher = Ballot::new(5, 3);
    look(
        &mut one,
        PaxosMsg::Prepare {
            ballot: higher,
            from_slot: 1,
        },
    );
    let refused = look(&mut one, accept(Ballot::new(4, 2)));
    assert!(refused.accepted.is_empty(), "below the promise: refused");
    assert_eq!(refused.promised, higher);
}

// ----- Why each message was sent: one typed reason per rule -----

use quorum_paxos::why::{PaxosWhy, PrepareTrigger, ProposeTrigger, RefusedIn};
use quorum_service::ServerWhy;

/// The reasons given for every peer message in `effects`, in order.
fn reasons(effects: &[EffectOf<PaxosNode>]) -> Vec<PaxosWhy> {
    node_harness::sent_because(effects)
        .into_iter()
        .map(|(_, _, why)| match why {
            ServerWhy::Protocol(p) => p,
            ServerWhy::Service(s) => panic!("a peer message for a service reason: {s:?}"),
        })
        .collect()
}

impl One<PaxosNode> {
    /// Server `id` of three with the probe off: a timeout goes straight to phase 1.
    fn without_probe(id: NodeId) -> Self {
        let mut config = ClusterConfig {
            servers: 3,
            protocol: quorum_cluster::config::ProtocolKind::MultiPaxos,
            ..Default::default()
        };
        config.paxos.probe_before_prepare = false;
        One::booted(id, PaxosNode::new(id), config, 3, 1_000 * MS)
    }
}

#[test]
fn a_timeout_probes_and_a_probe_majority_prepares_each_saying_so_phase_1a() {
    let mut one = One::new(1);
    assert_eq!(
        reasons(&one.timer(TimerKind::Election)),
        vec![PaxosWhy::Probe, PaxosWhy::Probe]
    );
    let reply = PaxosMsg::ProbeReply {
        ballot: Ballot::ZERO,
        granted: true,
    };
    let prepare = PaxosWhy::Prepare {
        trigger: PrepareTrigger::ProbeMajority,
    };
    assert_eq!(reasons(&one.recv(2, reply)), vec![prepare.clone(), prepare]);
    let mut plain = One::without_probe(1);
    let prepare = PaxosWhy::Prepare {
        trigger: PrepareTrigger::TimerExpired,
    };
    assert_eq!(
        reasons(&plain.timer(TimerKind::Election)),
        vec![prepare.clone(), prepare]
    );
}

#[test]
fn an_acceptor_names_the_promise_it_held_when_it_promises_accepts_or_refuses_phases_1b_and_2b() {
    let mut one = One::new(1);
    let b3 = Ballot::new(3, 2);
    let prepare = |ballot| PaxosMsg::Prepare {
        ballot,
        from_slot: 1,
    };
    assert_eq!(
        reasons(&one.recv(2, prepare(b3))),
        vec![PaxosWhy::Promise {
            previously: Ballot::ZERO
        }]
    );
    assert_eq!(
        reasons(&one.recv(3, prepare(Ballot::new(2, 3)))),
        vec![PaxosWhy::Refuse {
            phase: RefusedIn::Prepare
        }]
    );
    let accept = |ballot| PaxosMsg::Accept {
        ballot,
        slot: 1,
        value: quorum_paxos::SlotValue::Noop,
        chosen: 0,
    };
    assert_eq!(
        reasons(&one.recv(2, accept(b3))),
        vec![PaxosWhy::Accepted { previously: b3 }]
    );
    assert_eq!(
        reasons(&one.recv(3, accept(Ballot::new(1, 3)))),
        vec![PaxosWhy::Refuse {
            phase: RefusedIn::Accept
        }]
    );
    let heartbeat = |ballot| PaxosMsg::Heartbeat {
        ballot,
        chosen: 0,
        stable: 0,
        round: 1,
    };
    assert_eq!(
        reasons(&one.recv(3, heartbeat(Ballot::new(1, 3)))),
        vec![PaxosWhy::Refuse {
            phase: RefusedIn::Heartbeat
        }]
    );
    assert_eq!(
        reasons(&one.recv(2, heartbeat(b3))),
        vec![PaxosWhy::HeartbeatAck]
    );
    one.later(10 * MS);
    assert_eq!(
        reasons(&one.recv(3, PaxosMsg::Probe { ballot: b3 })),
        vec![PaxosWhy::ProbeAnswer { leader: Some(2) }]
    );
}

#[test]
fn a_new_leader_proposes_a_value_phase_1_found_and_fills_the_gap_below_it_with_a_noop_paxos_made_simple_3(
) {
    use quorum_paxos::SlotValue;
    let mut one = One::without_probe(1);
    one.timer(TimerKind::Election);
    let ballot = one.node.ballot();
    let found = SlotValue::Kv {
        command: std::sync::Arc::new(quorum_service::kv::ClientCommand {
            session: 7,
            seq: 1,
            op: quorum_service::kv::KvOp::Put {
                key: "x".into(),
                value: 4,
            },
        }),
    };
    let promise = PaxosMsg::Promise {
        ballot,
        accepted: vec![(2, Ballot::new(1, 3), found)],
    };
    let sent_now = node_harness::sent_because(&one.recv(2, promise));
    let trigger_for = |slot: u64| -> Vec<PaxosWhy> {
        sent_now
            .iter()
            .filter(|(_, m, _)| matches!(m, PaxosMsg::Accept { slot: s, .. } if *s == slot))
            .map(|(_, _, why)| match why {
                ServerWhy::Protocol(p) => p.clone(),
                ServerWhy::Service(s) => panic!("{s:?}"),
            })
            .collect()
    };
    let gap = PaxosWhy::Accept {
        trigger: ProposeTrigger::GapFilled,
    };
    let recovered = PaxosWhy::Accept {
        trigger: ProposeTrigger::Recovered,
    };
    assert_eq!(trigger_for(1), vec![gap.clone(), gap]);
    assert_eq!(trigger_for(2), vec![recovered.clone(), recovered]);
    assert!(reasons(&one.timer(TimerKind::Heartbeat)).contains(&PaxosWhy::Heartbeat));
}

/// Preempted by the same rival twice, over a ballot it had raised above the rival's first,
/// a proposer names the duel; preempted once, or by another server, it does not.
#[test]
fn a_proposer_preempted_again_by_the_same_rival_names_the_duel_paxos_made_simple_2_4() {
    use quorum_core::actor::FeedEvent;
    let duel =
        |effects: &[EffectOf<PaxosNode>]| node_harness::notes(effects, FeedEvent::DuellingBallots);
    let prepare = |ballot| PaxosMsg::Prepare {
        ballot,
        from_slot: 1,
    };
    let mut one = One::without_probe(1);
    one.timer(TimerKind::Election);
    let first = one.node.ballot();
    let rival = Ballot::new(first.round + 1, 2);
    assert!(
        duel(&one.recv(2, prepare(rival))).is_empty(),
        "preempted once"
    );
    one.timer(TimerKind::Election);
    assert!(
        one.node.ballot() > rival,
        "it raised its ballot above the rival's"
    );
    let again = Ballot::new(one.node.ballot().round + 1, 2);
    let said = duel(&one.recv(2, prepare(again)));
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("S1 and S2 are duelling"), "{}", said[0]);
    // Another server preempting it is not the same duel.
    one.timer(TimerKind::Election);
    let third = Ballot::new(one.node.ballot().round + 1, 3);
    assert!(duel(&one.recv(3, prepare(third))).is_empty());
}
