//! The engine's user actions do what they say: dropped messages never arrive, duplicated ones
//! arrive twice, cut links stop messages mid-flight, crashed servers lose volatile state only.

#[path = "../../cluster/tests/common/mod.rs"]
mod common;

use common::*;
use quorum_cluster::action::{ClientEnd, NodeRef};
use quorum_cluster::message::{Addr, LossCause};
use quorum_cluster::Action;
use quorum_core::actor::FeedEvent;
use quorum_core::network::cut_point;
use quorum_core::time::MS;
use quorum_service::server::{Replica, Role};
use quorum_traffic::client::Status;

#[test]
fn a_dropped_message_never_reaches_its_receiver() {
    let mut sim = staged_cluster(3, true);
    sim.apply(Action::Timeout { node: 1 }).unwrap();
    // S1's vote requests are in flight; drop the one to S2.
    let id = sim
        .in_flight()
        .values()
        .find(|m| m.to == Addr::Server(2))
        .map(|m| m.id)
        .expect("a vote request to S2");
    sim.apply(Action::DropMessage { id }).unwrap();
    run_for(&mut sim, 100 * MS);
    assert!(!sim.in_flight().contains_key(&id));
    assert_eq!(raft(&sim, 2).voted_for(), None, "S2 never saw the request");
    assert_eq!(raft(&sim, 3).voted_for(), Some(1));
    assert_eq!(leaders(&sim), vec![1], "S3's vote was enough");
    assert_eq!(sim.stats().messages_lost, 1);
}

#[test]
fn a_duplicated_message_is_delivered_twice_and_handled_safely() {
    let mut sim = staged_cluster(3, true);
    sim.apply(Action::Timeout { node: 1 }).unwrap();
    let id = sim.in_flight().keys().next().copied().unwrap();
    let before = sim.in_flight().len();
    sim.apply(Action::DuplicateMessage { id }).unwrap();
    assert_eq!(sim.in_flight().len(), before + 1);
    let delivered_before = sim.stats().messages_delivered;
    run_for(&mut sim, 200 * MS);
    assert!(sim.stats().messages_delivered > delivered_before + before as u64);
    assert_eq!(leaders(&sim), vec![1]);
    assert_safe(&sim);
}

#[test]
fn cutting_a_link_stops_messages_at_the_cut() {
    let mut sim = staged_cluster(3, true);
    elect(&mut sim, 1);
    // Catch a heartbeat in flight from S1 to S2, then cut that direction.
    assert!(run_until(&mut sim, 200 * MS, |s| s
        .in_flight()
        .values()
        .any(|m| m.from == Addr::Server(1)
            && m.to == Addr::Server(2)
            && cut_point(m.sent_at, m.deliver_at) > s.now())));
    sim.apply(Action::CutLink { from: 1, to: 2 }).unwrap();
    let doomed: Vec<_> = sim
        .in_flight()
        .values()
        .filter(|m| m.from == Addr::Server(1) && m.to == Addr::Server(2))
        .map(|m| (m.id, m.doom))
        .collect();
    assert!(!doomed.is_empty());
    assert!(doomed.iter().any(|(_, d)| d.is_some()));
    for (_, doom) in &doomed {
        // Messages that already passed the middle of the link arrive; the rest die at the cut.
        assert!(
            matches!(doom, None | Some((_, LossCause::Cut))),
            "dies at the cut: {doom:?}"
        );
    }
    // The reverse direction still works; restoring the link brings S2 back in step.
    sim.apply(Action::RestoreLink { from: 1, to: 2 }).unwrap();
    run_for(&mut sim, 300 * MS);
    assert_eq!(sim.server(2).unwrap().node.leader(), Some(1));
}

#[test]
fn a_crash_keeps_term_vote_and_log_but_forgets_the_rest() {
    let mut sim = staged_cluster(3, true);
    elect(&mut sim, 1);
    put(&mut sim, 1, "x", 3);
    run_for(&mut sim, 300 * MS);
    let n = &sim.server(1).unwrap().node;
    let (term, last) = (n.term(), n.last_index());
    assert!(n.commit_index() > 0 && n.kv().get("x") == Some(3));
    sim.apply(Action::Crash { node: 1.into() }).unwrap();
    let slot = sim.server(1).unwrap();
    assert!(!slot.up && slot.timers.is_empty());
    assert_eq!((slot.node.term(), slot.node.last_index()), (term, last));
    assert_eq!(raft(&sim, 1).voted_for(), Some(1));
    assert_eq!(slot.node.commit_index(), 0);
    assert_eq!(slot.node.kv().get("x"), None);
    assert_eq!(slot.node.role(), Role::Follower);
}

#[test]
fn invalid_actions_are_refused_with_the_field_named() {
    let mut sim = cluster(3, 1);
    let e = sim.apply(Action::Crash { node: 4.into() }).unwrap_err();
    assert_eq!(e.field, "action.node");
    let e = sim.apply(Action::CutLink { from: 2, to: 2 }).unwrap_err();
    assert_eq!(e.field, "action.to");
    let mut bad = sim.config().network.clone();
    bad.loss = 2.0;
    let e = sim.apply(Action::SetNetwork { network: bad }).unwrap_err();
    assert_eq!(e.field, "action.network.loss");
}

#[test]
fn a_slow_link_delays_only_its_own_direction() {
    let mut sim = staged_cluster(3, true);
    let slow = quorum_cluster::config::NetworkConfig {
        latency_min_ms: 400,
        latency_max_ms: 400,
        ..Default::default()
    };
    sim.apply(Action::SetLink {
        from: 1,
        to: 2,
        network: Some(slow),
    })
    .unwrap();
    sim.apply(Action::Timeout { node: 1 }).unwrap();
    let to_2 = sim
        .in_flight()
        .values()
        .find(|m| m.to == Addr::Server(2))
        .unwrap();
    let to_3 = sim
        .in_flight()
        .values()
        .find(|m| m.to == Addr::Server(3))
        .unwrap();
    assert_eq!(to_2.deliver_at - to_2.sent_at, 400 * MS);
    assert!(to_3.deliver_at - to_3.sent_at <= 20 * MS);
    assert_eq!(sim.view().link_settings.len(), 1);
    let e = sim
        .apply(Action::SetLink {
            from: 1,
            to: 9,
            network: None,
        })
        .unwrap_err();
    assert_eq!(e.field, "action.to");
}

#[test]
fn a_label_given_when_the_leader_crashes_restarts_that_same_server() {
    let mut sim = staged_cluster(3, true);
    elect(&mut sim, 2);
    run_for(&mut sim, 200 * MS);
    sim.apply(Action::CrashLeader {
        label: Some("old".into()),
    })
    .unwrap();
    assert!(!sim.server(2).unwrap().up);
    assert_eq!(sim.labels().get("old"), Some(&2));
    elect(&mut sim, 1);
    sim.apply(Action::Restart {
        node: NodeRef::Label("old".into()),
    })
    .unwrap();
    assert!(sim.server(2).unwrap().up, "S2, labelled old, restarted");
    assert!(sim.server(1).unwrap().up, "the leader now is untouched");
    // The feed names the server hit, typed as a fault and its undoing.
    let line = |text: &str| sim.feed().iter().find(|f| f.text == text).map(|f| f.event);
    assert_eq!(
        line("S2 (leader, labelled “old”) crashed"),
        Some(FeedEvent::Fault)
    );
    assert_eq!(
        line("S2 (labelled “old”) restarted"),
        Some(FeedEvent::Repair)
    );
    // An unknown label does nothing and says why.
    sim.apply(Action::Crash {
        node: NodeRef::Label("nobody".into()),
    })
    .unwrap();
    assert!(sim.servers().iter().all(|s| s.up));
    assert!(sim
        .feed()
        .iter()
        .any(|f| f.text.contains("no server has been labelled “nobody”")));
}

#[test]
fn connect_undoes_isolate_and_partition_replace_heals_first() {
    let mut sim = staged_cluster(4, true);
    sim.apply(Action::Isolate { node: 3.into() }).unwrap();
    sim.apply(Action::CutLink { from: 1, to: 2 }).unwrap();
    sim.apply(Action::Connect { node: 3.into() }).unwrap();
    let cuts: Vec<_> = sim.network().cut_links().copied().collect();
    assert_eq!(
        cuts,
        vec![(Addr::Server(1), Addr::Server(2))],
        "only S3's links came back"
    );
    // A partition adds to the cuts in place…
    sim.apply(Action::Partition {
        groups: vec![vec![1, 2, 3], vec![4]],
        replace: false,
    })
    .unwrap();
    assert!(sim.network().is_cut(Addr::Server(1), Addr::Server(2)));
    // …unless it replaces them.
    sim.apply(Action::Partition {
        groups: vec![vec![1, 2, 3], vec![4]],
        replace: true,
    })
    .unwrap();
    assert!(!sim.network().is_cut(Addr::Server(1), Addr::Server(2)));
    assert!(sim.network().is_cut(Addr::Server(1), Addr::Server(4)));
    assert!(sim.network().is_cut(Addr::Server(4), Addr::Server(3)));
}

#[test]
fn a_paused_leader_handles_nothing_until_it_resumes_then_acts_on_stale_beliefs() {
    let mut sim = staged_cluster(3, true);
    elect(&mut sim, 1);
    run_for(&mut sim, 100 * MS);
    sim.apply(Action::PauseLeader {
        label: Some("stalled".into()),
    })
    .unwrap();
    let handled = raft(&sim, 1).log().last_index();
    // While paused: no heartbeat goes out and nothing it receives is handled.
    run_for(&mut sim, 300 * MS);
    assert!(
        !sim.in_flight().values().any(|m| m.from == Addr::Server(1)),
        "a paused server sends nothing"
    );
    put(&mut sim, 1, "x", 7);
    run_for(&mut sim, 100 * MS);
    assert_eq!(
        raft(&sim, 1).log().last_index(),
        handled,
        "the request waits"
    );
    // Another server takes over meanwhile.
    elect(&mut sim, 2);
    assert_eq!(
        raft(&sim, 1).role(),
        Role::Leader,
        "S1 still believes it leads"
    );
    sim.apply(Action::Resume {
        node: NodeRef::Label("stalled".into()),
    })
    .unwrap();
    // On resume it handles what queued: the request arrives at a deposed leader that learns
    // the new term from the messages waiting behind it.
    run_for(&mut sim, 300 * MS);
    assert_eq!(leaders(&sim), vec![2]);
    assert_safe(&sim);
}

#[test]
fn a_clock_jump_moves_the_servers_own_clock_only() {
    let mut sim = staged_cluster(3, true);
    run_for(&mut sim, 100 * MS);
    let before = sim.server(2).unwrap().clock.read(sim.now());
    sim.apply(Action::JumpClock {
        node: 2.into(),
        by_ms: 500,
    })
    .unwrap();
    assert_eq!(
        sim.server(2).unwrap().clock.read(sim.now()),
        before + 500 * MS
    );
    sim.apply(Action::JumpClock {
        node: 2.into(),
        by_ms: -10_000,
    })
    .unwrap();
    assert_eq!(
        sim.server(2).unwrap().clock.read(sim.now()),
        0,
        "never before zero"
    );
    assert_eq!(sim.server(1).unwrap().clock.read(sim.now()), sim.now());
    let too_far = sim.apply(Action::JumpClock {
        node: 2.into(),
        by_ms: 4_000_000,
    });
    assert_eq!(too_far.unwrap_err().field, "action.by_ms");
}

/// A client cut off from every server of the majority side waits for as long as the partition
/// lasts — "a client stuck with the minority never completes" — and finishes once it can reach
/// the majority again.
#[test]
fn a_client_stuck_with_the_minority_completes_nothing_until_its_links_return() {
    let config = quorum_cluster::ClusterConfig {
        servers: 5,
        seed: 11,
        ..Default::default()
    };
    let mut sim = quorum_cluster::Sim::new(config, Default::default()).unwrap();
    assert!(run_until(&mut sim, 2 * S, |s| leaders(s).len() == 1));
    run_for(&mut sim, 300 * MS);
    let leader = leaders(&sim)[0];
    let buddy = leader % 5 + 1;
    let majority: Vec<_> = (1..=5).filter(|&n| n != leader && n != buddy).collect();
    sim.apply(Action::Partition {
        groups: vec![vec![leader, buddy], majority.clone()],
        replace: false,
    })
    .unwrap();
    // The hand-driven client can reach only the old leader and one other: the minority.
    for &server in &majority {
        sim.apply(Action::CutClientLink {
            client: ClientEnd::Client(1),
            server,
        })
        .unwrap();
    }
    put(&mut sim, leader, "x", 1);
    run_for(&mut sim, 3 * S);
    assert!(
        sim.history().iter().all(|op| op.status != Status::Ok),
        "nothing completes from the minority side"
    );
    assert!(sim
        .network()
        .is_cut(Addr::Client(1), Addr::Server(majority[0])));
    for &server in &majority {
        sim.apply(Action::RestoreClientLink {
            client: ClientEnd::Client(1),
            server,
        })
        .unwrap();
    }
    assert!(
        run_until(&mut sim, 5 * S, |s| s
            .history()
            .iter()
            .any(|op| op.status == Status::Ok)),
        "the write completes once the client reaches the majority"
    );
    assert_safe(&sim);
}

/// The feed names what happened: a split vote as such (§5.2: candidates time out and try again),
/// and a crashed leader as the leader.
#[test]
fn the_feed_names_split_votes_and_crashed_leaders() {
    let outcome =
        quorum_scenario::run_scenario(&quorum_scenario::preset("split-vote").unwrap(), None)
            .unwrap();
    let split = outcome
        .sim
        .feed()
        .iter()
        .find(|f| f.text.starts_with("split vote in term"))
        .map(|f| f.text.clone())
        .expect("a split vote is named");
    assert!(
        split.contains("of the 3 votes it needs and times out again"),
        "{split}"
    );

    let mut sim = staged_cluster(3, true);
    elect(&mut sim, 2);
    sim.apply(Action::Crash { node: 2.into() }).unwrap();
    assert!(sim.feed().iter().any(|f| f.text == "S2 (leader) crashed"));
    sim.apply(Action::Crash { node: 3.into() }).unwrap();
    assert!(sim.feed().iter().any(|f| f.text == "S3 crashed"));
}
