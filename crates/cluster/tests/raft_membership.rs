//! Membership change, one server at a time (Ongaro's dissertation §4.1–4.2): grow and shrink a
//! cluster under load, remove the leader, crash a newcomer while it catches up; one change at a
//! time; learners first.

mod common;

use common::*;
use quorum_cluster::check::linearizability::{check_history, Verdict};
use quorum_cluster::{Action, ClusterConfig, NodeId, Sim};
use quorum_core::time::MS;
use quorum_raft::Command;
use quorum_service::server::{Reconfigurable, Replica};
use quorum_traffic::client::WorkloadConfig;

fn loaded_cluster(servers: usize, seed: u64) -> Sim {
    let config = ClusterConfig {
        servers,
        seed,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 3,
        rate: 30.0,
        keys: 3,
        ..Default::default()
    };
    Sim::new(config, workload).expect("valid config")
}

fn voters(sim: &Sim) -> Vec<NodeId> {
    sim.view().voters
}

fn wait_for_voters(sim: &mut Sim, expected: &[NodeId]) {
    let ok = run_until(sim, 5 * S, |s| {
        voters(s) == expected && leaders(s).len() == 1
    });
    assert!(
        ok,
        "voters {:?}, expected {expected:?}; feed: {:#?}",
        voters(sim),
        sim.view().feed
    );
    // A configuration is in force once appended; a leader accepts the next change only once
    // it has committed it (a new leader first commits an entry of its own term).
    let committed = run_until(sim, 5 * S, |s| {
        leaders(s).first().is_some_and(|&l| {
            let raft = s.server(l).and_then(|slot| slot.node.as_raft());
            raft.is_some_and(|n| n.config_entries_after(n.commit_index()) == 0)
        })
    });
    assert!(committed, "the configuration commits");
}

#[test]
fn grow_three_to_five_and_shrink_to_three_under_load_dissertation_4_1() {
    let mut sim = loaded_cluster(3, 71);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    run_for(&mut sim, S);

    sim.apply(Action::AddServer).unwrap();
    wait_for_voters(&mut sim, &[1, 2, 3, 4]);

    // The fifth server crashes while it catches up, then comes back and is promoted.
    sim.apply(Action::AddServer).unwrap();
    run_for(&mut sim, 5 * MS);
    sim.apply(Action::Crash { node: 5.into() }).unwrap();
    run_for(&mut sim, S);
    assert_eq!(
        voters(&sim),
        vec![1, 2, 3, 4],
        "a learner that is down is not promoted"
    );
    assert_eq!(sim.view().learners, vec![5]);
    sim.apply(Action::Restart { node: 5.into() }).unwrap();
    wait_for_voters(&mut sim, &[1, 2, 3, 4, 5]);
    run_for(&mut sim, S);

    // Remove the leader itself: it steps down once the change commits.
    let leader = leaders(&sim)[0];
    sim.apply(Action::RemoveServer { node: leader }).unwrap();
    let rest: Vec<NodeId> = (1..=5).filter(|&n| n != leader).collect();
    wait_for_voters(&mut sim, &rest);
    assert!(
        !leaders(&sim).contains(&leader),
        "the removed leader stepped down"
    );
    assert!(sim
        .feed()
        .iter()
        .any(|f| f.text.contains("without itself and steps down")));
    let victim = *rest.iter().find(|&&n| !leaders(&sim).contains(&n)).unwrap();
    sim.apply(Action::RemoveServer { node: victim }).unwrap();
    let three: Vec<NodeId> = rest.iter().copied().filter(|&n| n != victim).collect();
    wait_for_voters(&mut sim, &three);
    run_for(&mut sim, 2 * S);

    assert_safe(&sim);
    let history = sim.final_history();
    assert!(
        history.len() > 100,
        "the load ran throughout ({} operations)",
        history.len()
    );
    assert_eq!(
        check_history(&history).verdict,
        Verdict::Linearizable,
        "no write lost or reordered"
    );
    // Under load the followers trail the leader by a round trip: wait for a moment when every
    // member holds the whole log.
    let whole_log_everywhere = run_until(&mut sim, S, |s| {
        let l = leaders(s)[0];
        let lead = s.server(l).unwrap().node.last_index();
        three
            .iter()
            .all(|&n| s.server(n).unwrap().node.last_index() == lead)
    });
    assert!(whole_log_everywhere, "every member has the whole log");
}

#[test]
fn a_second_change_is_refused_while_the_first_is_uncommitted_dissertation_4_1() {
    let mut sim = loaded_cluster(3, 73);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    run_for(&mut sim, S); // the new leader's no-op commits, so changes are not held back
    let leader = leaders(&sim)[0];
    // Cut the leader off so its first change cannot commit.
    sim.apply(Action::Isolate {
        node: leader.into(),
    })
    .unwrap();
    sim.apply(Action::AddServer).unwrap();
    sim.apply(Action::RemoveServer { node: 2 }).unwrap();
    let refused = sim
        .feed()
        .iter()
        .any(|f| f.text.contains("was not removed") && f.text.contains("not committed yet"));
    assert!(
        refused,
        "the second change is refused with the reason: {:#?}",
        sim.view().feed
    );
    assert_safe(&sim);
}

#[test]
fn a_new_server_joins_as_a_learner_before_it_votes_dissertation_4_2_1() {
    let mut sim = loaded_cluster(3, 75);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    sim.apply(Action::AddServer).unwrap();
    wait_for_voters(&mut sim, &[1, 2, 3, 4]);
    let leader = leaders(&sim)[0];
    let configs: Vec<(Vec<NodeId>, Vec<NodeId>)> = raft(&sim, leader)
        .log()
        .iter()
        .filter_map(|e| match &e.command {
            Command::Config(m) => Some((
                m.voters.iter().copied().collect(),
                m.learners.iter().copied().collect(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        configs,
        vec![(vec![1, 2, 3], vec![4]), (vec![1, 2, 3, 4], vec![])],
        "first as a learner, then promoted"
    );
    assert_safe(&sim);
}
