//! Multi-Paxos on the engine, one situation per test: a leader is established and serves writes;
//! the leader crashes and another takes over without losing chosen values; an acceptor crashes
//! and restarts keeping its promise and its accepted values; a minority partition makes no
//! progress and catches up after the heal; without a stable leader the proposers duel — ballots
//! keep rising — and still no slot is ever chosen twice; a replica that missed thousands of slots
//! catches up within a second. Every test also requires that no safety check fired.

#[path = "../../cluster/tests/common/mod.rs"]
mod common;

use common::{assert_safe, leaders, put, run_for, run_until, S};
use quorum_cluster::config::{PaxosOptions, ProtocolKind};
use quorum_cluster::message::Payload;
use quorum_cluster::{Action, ClusterConfig, NodeId, Sim};
use quorum_core::time::MS;
use quorum_paxos::{Ballot, PaxosMsg, PaxosNode, SlotValue};
use quorum_service::server::Replica;
use quorum_traffic::client::WorkloadConfig;

fn paxos_cluster(servers: usize, seed: u64, paxos: PaxosOptions, workload: WorkloadConfig) -> Sim {
    let config = ClusterConfig {
        servers,
        seed,
        protocol: ProtocolKind::MultiPaxos,
        paxos,
        ..Default::default()
    };
    Sim::new(config, workload).expect("valid config")
}

fn quiet(servers: usize, seed: u64) -> Sim {
    paxos_cluster(
        servers,
        seed,
        PaxosOptions::default(),
        WorkloadConfig::default(),
    )
}

fn paxos(sim: &Sim, id: NodeId) -> &PaxosNode {
    sim.server(id)
        .and_then(|s| s.node.as_paxos())
        .expect("a Multi-Paxos server")
}

fn one_leader(sim: &mut Sim) -> NodeId {
    assert!(
        run_until(sim, 3 * S, |s| leaders(s).len() == 1),
        "a leader is established; feed: {:#?}",
        sim.view().feed
    );
    leaders(sim)[0]
}

fn everyone_holds(sim: &Sim, key: &str, value: i64) -> bool {
    sim.servers()
        .iter()
        .filter(|s| s.up)
        .all(|s| s.node.kv().get(key) == Some(value))
}

#[test]
fn a_leader_is_established_and_serves_writes_on_every_replica() {
    let mut sim = quiet(5, 7);
    let leader = one_leader(&mut sim);
    let ballot = paxos(&sim, leader).ballot();
    assert_eq!(ballot.node, leader, "the leader leads its own ballot");
    for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
        put(&mut sim, leader, key, i as i64 + 1);
    }
    assert!(
        run_until(&mut sim, 2 * S, |s| everyone_holds(s, "a", 1)
            && everyone_holds(s, "b", 2)
            && everyone_holds(s, "c", 3)),
        "every replica applies the writes"
    );
    // Phase 1 ran once: the same leader, the same ballot, while it stays healthy.
    run_for(&mut sim, 2 * S);
    assert_eq!(leaders(&sim), vec![leader]);
    assert_eq!(paxos(&sim, leader).ballot(), ballot);
    // A write sent to a follower is forwarded to the leader.
    let follower = if leader == 1 { 2 } else { 1 };
    put(&mut sim, follower, "d", 4);
    assert!(run_until(&mut sim, 2 * S, |s| everyone_holds(s, "d", 4)));
    assert_safe(&sim);
}

#[test]
fn after_the_leader_crashes_another_takes_over_keeping_every_chosen_value() {
    let mut sim = quiet(5, 3);
    let old = one_leader(&mut sim);
    for v in 1..=5 {
        put(&mut sim, old, &format!("k{v}"), v);
    }
    assert!(run_until(&mut sim, 2 * S, |s| (1..=5)
        .all(|v| everyone_holds(s, &format!("k{v}"), v))));
    let chosen = sim.server(old).unwrap().node.commit_index();
    let digest = sim.server(old).unwrap().node.prefix_digest(chosen);
    let old_ballot = paxos(&sim, old).ballot();
    sim.apply(Action::Crash { node: old.into() }).unwrap();
    let new = one_leader(&mut sim);
    assert_ne!(new, old);
    assert!(paxos(&sim, new).ballot() > old_ballot, "a higher ballot");
    put(&mut sim, new, "after", 9);
    assert!(run_until(&mut sim, 2 * S, |s| everyone_holds(
        s, "after", 9
    )));
    for s in sim.servers().iter().filter(|s| s.up) {
        assert!(s.node.commit_index() > chosen);
        assert_eq!(s.node.prefix_digest(chosen), digest, "chosen slots kept");
        for v in 1..=5 {
            assert_eq!(s.node.kv().get(&format!("k{v}")), Some(v));
        }
    }
    // The old leader restarts, learns what it missed and agrees.
    sim.apply(Action::Restart { node: old.into() }).unwrap();
    assert!(run_until(&mut sim, 2 * S, |s| everyone_holds(
        s, "after", 9
    )));
    assert_safe(&sim);
}

#[test]
fn an_acceptor_keeps_its_promise_and_accepted_values_across_a_crash() {
    let mut sim = quiet(5, 11);
    let leader = one_leader(&mut sim);
    put(&mut sim, leader, "x", 1);
    assert!(run_until(&mut sim, 2 * S, |s| everyone_holds(s, "x", 1)));
    let acceptor = if leader == 5 { 4 } else { 5 };
    let promised = paxos(&sim, acceptor).promised();
    let accepted_before: Vec<Option<(Ballot, SlotValue)>> = paxos(&sim, acceptor)
        .slots(1, 3)
        .into_iter()
        .map(|s| s.accepted)
        .collect();
    assert!(promised > Ballot::ZERO);
    sim.apply(Action::Crash {
        node: acceptor.into(),
    })
    .unwrap();
    run_for(&mut sim, 500 * MS);
    sim.apply(Action::Restart {
        node: acceptor.into(),
    })
    .unwrap();
    let after = paxos(&sim, acceptor);
    assert_eq!(after.promised(), promised, "the promise survives the crash");
    let accepted_after: Vec<Option<(Ballot, SlotValue)>> =
        after.slots(1, 3).into_iter().map(|s| s.accepted).collect();
    assert_eq!(accepted_after, accepted_before, "so do accepted values");
    assert_eq!(after.kv().get("x"), Some(1), "rebuilt from the learned log");
    assert_safe(&sim);
}

#[test]
fn a_minority_partition_makes_no_progress_and_catches_up_after_the_heal() {
    let workload = WorkloadConfig {
        clients: 4,
        rate: 40.0,
        keys: 3,
        ..Default::default()
    };
    let mut sim = paxos_cluster(5, 5, PaxosOptions::default(), workload);
    let leader = one_leader(&mut sim);
    run_for(&mut sim, S);
    // The leader and one follower on one side, three servers on the other.
    let partner = if leader == 1 { 2 } else { 1 };
    let minority = vec![leader, partner];
    let majority: Vec<NodeId> = (1..=5).filter(|n| !minority.contains(n)).collect();
    sim.apply(Action::Partition {
        groups: vec![minority.clone(), majority.clone()],
        replace: false,
    })
    .unwrap();
    // Messages already past the cut still arrive; let them.
    run_for(&mut sim, 200 * MS);
    let stuck_at: Vec<u64> = minority
        .iter()
        .map(|&n| sim.server(n).unwrap().node.commit_index())
        .collect();
    run_for(&mut sim, 3 * S);
    for (&n, &before) in minority.iter().zip(&stuck_at) {
        let now = sim.server(n).unwrap().node.commit_index();
        assert_eq!(now, before, "S{n} learned nothing new on the minority side");
    }
    let majority_commit = majority
        .iter()
        .map(|&n| sim.server(n).unwrap().node.commit_index())
        .max()
        .unwrap();
    assert!(
        majority_commit > stuck_at[0] + 20,
        "the majority elects a leader and goes on ({majority_commit} vs {})",
        stuck_at[0]
    );
    sim.apply(Action::Heal).unwrap();
    run_for(&mut sim, 2 * S);
    let target = majority_commit;
    assert!(
        run_until(&mut sim, 3 * S, |s| minority.iter().all(|&n| s
            .server(n)
            .unwrap()
            .node
            .commit_index()
            >= target)),
        "the minority catches up"
    );
    assert_safe(&sim);
}

/// Ids of the Accept messages in flight for `slot`.
fn accepts_for(sim: &Sim, slot: u64) -> Vec<u64> {
    sim.in_flight()
        .values()
        .filter(|m| m.doom.is_none())
        .filter(|m| matches!(&m.payload, Payload::Paxos(PaxosMsg::Accept { slot: s, .. }) if *s == slot))
        .map(|m| m.id)
        .collect()
}

fn acceptors_holding(sim: &Sim, slot: u64) -> usize {
    (1..=5)
        .filter(|&n| sim.server(n).is_some_and(|s| s.up))
        .filter(|&n| paxos(sim, n).slots(slot, slot)[0].accepted.is_some())
        .count()
}

#[test]
fn a_new_leader_fills_a_gap_with_a_no_op_and_keeps_the_slot_after_it() {
    let mut sim = quiet(5, 21);
    let old = one_leader(&mut sim);
    put(&mut sim, old, "first", 1);
    assert!(run_until(&mut sim, 2 * S, |s| everyone_holds(
        s, "first", 1
    )));
    let gap = paxos(&sim, old).last_slot() + 1;
    // Two writes at once: they take slots `gap` and `gap + 1` (in the order they arrive).
    put(&mut sim, old, "a", 2);
    put(&mut sim, old, "b", 3);
    // Every Accept for the first of them is dropped in flight; the second reaches a majority.
    let mut dropped = 0;
    for _ in 0..10_000 {
        for id in accepts_for(&sim, gap) {
            sim.apply(Action::DropMessage { id }).unwrap();
            dropped += 1;
        }
        if acceptors_holding(&sim, gap + 1) >= 3 {
            break;
        }
        sim.step();
    }
    assert_eq!(dropped, 4, "the four Accepts for slot {gap} were dropped");
    assert_eq!(
        acceptors_holding(&sim, gap),
        1,
        "only the leader accepted slot {gap}"
    );
    let kept = paxos(&sim, old).slots(gap + 1, gap + 1)[0]
        .accepted
        .clone()
        .map(|(_, v)| v);
    // The leader crashes before it re-sends: slot `gap` is a hole below an accepted slot.
    sim.apply(Action::Crash { node: old.into() }).unwrap();
    let new = one_leader(&mut sim);
    assert!(
        sim.feed()
            .iter()
            .any(|f| f.text.contains(&format!("S{new} became leader"))
                && f.text.contains("1 gap filled with no-ops")),
        "the new leader reports the gap it filled"
    );
    // The write in the slot after the gap survives; the other one's client retries it.
    assert!(run_until(&mut sim, 2 * S, |s| everyone_holds(s, "a", 2)
        && everyone_holds(s, "b", 3)));
    for n in (1..=5).filter(|&n| n != old) {
        let p = paxos(&sim, n);
        assert_eq!(
            p.slots(gap, gap)[0].chosen,
            Some(SlotValue::Noop),
            "S{n}: slot {gap} is a no-op"
        );
        assert_eq!(
            p.slots(gap + 1, gap + 1)[0].chosen,
            kept,
            "S{n}: the value accepted after the gap is the one chosen there"
        );
    }
    assert_safe(&sim);
}

#[test]
fn without_a_stable_leader_proposers_duel_and_no_slot_is_chosen_twice() {
    let duel = PaxosOptions {
        stable_leader: false,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 6,
        rate: 60.0,
        keys: 3,
        ..Default::default()
    };
    let mut sim = paxos_cluster(5, 9, duel, workload);
    run_for(&mut sim, 2 * S);
    let highest = |s: &Sim| (1..=5).map(|n| paxos(s, n).promised().round).max().unwrap();
    let early = highest(&sim);
    run_for(&mut sim, 6 * S);
    let late = highest(&sim);
    assert!(
        late > early + 10,
        "ballots keep rising: round {early} at 2 s, {late} at 8 s"
    );
    let preempted = sim
        .feed()
        .iter()
        .filter(|f| f.text.contains("was preempted by"))
        .count();
    assert!(preempted > 10, "proposers preempt each other ({preempted})");
    let duels = sim
        .feed()
        .iter()
        .filter(|f| f.event == quorum_core::actor::FeedEvent::DuellingBallots)
        .count();
    assert!(duels > 0, "the feed names the duel");
    let chosen = (1..=5)
        .map(|n| sim.server(n).unwrap().node.commit_index())
        .max()
        .unwrap();
    assert!(chosen > 10, "values are still chosen ({chosen} slots)");
    assert_safe(&sim);
}

#[test]
fn the_same_workload_runs_under_both_protocols_with_the_same_outcome_shape() {
    let steady = include_str!("../../../scenarios/steady-state.json");
    let mut scenario = quorum_scenario::parse_scenario(steady).unwrap();
    scenario.duration_ms = 5_000;
    for protocol in [ProtocolKind::Raft, ProtocolKind::MultiPaxos] {
        scenario.protocol = protocol;
        let outcome = quorum_scenario::run_scenario(&scenario, None).unwrap();
        assert!(
            outcome.summary.passed(),
            "{protocol:?}: {:?}",
            outcome.summary
        );
        assert!(
            outcome.summary.operations.ok > 200,
            "{protocol:?} served the load"
        );
        assert_eq!(
            outcome.sim.config().protocol,
            protocol,
            "the scenario's protocol is the one that ran"
        );
    }
}

#[test]
fn a_replica_down_for_thousands_of_slots_catches_up_within_a_second() {
    let workload = WorkloadConfig {
        clients: 10,
        rate: 100.0,
        keys: 5,
        ..Default::default()
    };
    let mut sim = paxos_cluster(5, 13, PaxosOptions::default(), workload);
    let leader = one_leader(&mut sim);
    run_for(&mut sim, S);
    let lagging = if leader == 5 { 4 } else { 5 };
    sim.apply(Action::Crash {
        node: lagging.into(),
    })
    .unwrap();
    run_for(&mut sim, 60 * S);
    sim.apply(Action::Restart {
        node: lagging.into(),
    })
    .unwrap();
    let target = (1..=5)
        .map(|n| sim.server(n).unwrap().node.commit_index())
        .max()
        .unwrap();
    let behind = target - sim.server(lagging).unwrap().node.commit_index();
    assert!(behind > 2500, "it missed {behind} slots");
    assert!(
        run_until(&mut sim, S, |s| s
            .server(lagging)
            .unwrap()
            .node
            .commit_index()
            >= target),
        "caught up on {behind} slots within 1 s"
    );
    assert_safe(&sim);
}

/// Probing before a new ballot (Raft's PreVote, dissertation §9.6, carried over): a server cut
/// off for three seconds returns without deposing the leader; without probing and stickiness
/// its higher ballot takes the leadership away.
#[test]
fn a_server_that_was_cut_off_returns_without_deposing_the_leader_when_servers_probe_first() {
    let run = |stabilised: bool| {
        let mut s = quorum_scenario::preset("rejoin-with-prevote").unwrap();
        s.protocol = quorum_cluster::config::ProtocolKind::MultiPaxos;
        s.cluster.paxos.probe_before_prepare = stabilised;
        s.cluster.paxos.sticky_leader = stabilised;
        quorum_scenario::run_scenario(&s, None).unwrap()
    };
    let with = run(true);
    let without = run(false);
    assert_eq!(with.summary.leader_changes, 1, "one leader throughout");
    assert!(
        without.summary.leader_changes >= 2,
        "the returning server deposes the leader: {} leader changes",
        without.summary.leader_changes
    );
    assert!(with.summary.passed() && without.summary.passed());
    assert!(with.sim.feed().iter().any(|f| f
        .text
        .contains("hears no leader and asks whether a ballot above")));
}
