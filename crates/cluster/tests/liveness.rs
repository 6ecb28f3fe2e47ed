//! The liveness check (TigerBeetle's liveness mode): once the faults stop, a calm cluster elects
//! a leader and answers its clients within ten election timeouts — and when it does not, the
//! check says so, apart from safety.

mod common;

use common::*;
use quorum_cluster::check::liveness::Missed;
use quorum_cluster::config::Mutation;
use quorum_cluster::{Action, ClusterConfig, Sim};
use quorum_traffic::client::WorkloadConfig;

fn loaded(mutation: Option<Mutation>) -> Sim {
    let mut config = ClusterConfig {
        servers: 5,
        seed: 3,
        ..Default::default()
    };
    config.raft.mutation = mutation;
    let workload = WorkloadConfig {
        clients: 3,
        rate: 30.0,
        keys: 3,
        ..Default::default()
    };
    Sim::new(config, workload).expect("valid config")
}

#[test]
fn a_healthy_cluster_passes_the_liveness_check_after_a_leader_crash() {
    let mut sim = loaded(None);
    run_for(&mut sim, 2 * S);
    sim.apply(Action::CrashLeader { label: None }).unwrap();
    run_for(&mut sim, 10 * S);
    assert!(
        sim.liveness_failures().is_empty(),
        "{:#?}",
        sim.liveness_failures()
    );
}

/// The negative test: a Raft leader deaf to AppendEntries replies never commits anything new.
/// No safety invariant fires — nothing wrong is ever committed — but the liveness check must.
#[test]
fn a_leader_that_ignores_acknowledgements_is_caught_by_the_liveness_check_not_by_safety() {
    let mut sim = loaded(Some(Mutation::LeaderIgnoresAcks));
    run_for(&mut sim, 8 * S);
    assert_safe(&sim);
    let failure = sim
        .liveness_failures()
        .first()
        .expect("the liveness check fires");
    assert_eq!(failure.at, failure.calm_since + sim.liveness_bound());
    let unanswered = sim
        .liveness_failures()
        .iter()
        .flat_map(|f| &f.missed)
        .any(|m| matches!(m, Missed::NoProgress { waiting } if *waiting > 0));
    assert!(
        unanswered,
        "the windows say no operation was answered while clients waited: {:#?}",
        sim.liveness_failures()
    );
    assert!(sim
        .feed()
        .iter()
        .any(|f| f.text.starts_with("LIVENESS: faults had stopped at")));
}

#[test]
fn faults_in_force_suspend_the_check_and_it_resumes_when_they_stop() {
    let mut sim = loaded(None);
    run_for(&mut sim, S);
    // A minority partition of the leader: the majority side elects and serves; but while links
    // are cut the check waits, so a client stuck with the old leader is not (yet) a failure.
    sim.apply(Action::IsolateLeader {
        label: Some("old".into()),
    })
    .unwrap();
    run_for(&mut sim, 10 * S);
    assert!(sim.liveness_failures().is_empty());
    sim.apply(Action::Connect {
        node: quorum_cluster::action::NodeRef::Label("old".into()),
    })
    .unwrap();
    run_for(&mut sim, 10 * S);
    assert!(
        sim.liveness_failures().is_empty(),
        "{:#?}",
        sim.liveness_failures()
    );
}
