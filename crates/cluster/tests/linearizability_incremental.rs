//! The incremental linearizability checker gives the whole-history checker's verdict at every
//! check of a growing history — through crashes, partitions and stale reads (which break
//! linearizability, so both verdicts are seen) — and its diagnosis when a key fails.

use quorum_cluster::check::linearizability::{check_history, IncrementalChecker, Verdict};
use quorum_cluster::{Action, ClusterConfig, Sim};
use quorum_core::rng::Rng;
use quorum_core::time::SECOND;
use quorum_traffic::balancer::BalancerConfig;
use quorum_traffic::client::WorkloadConfig;

fn sim(seed: u64) -> Sim {
    let config = ClusterConfig {
        seed,
        servers: 3,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 4,
        rate: 40.0,
        keys: 2,
        balancer: Some(BalancerConfig::default()),
        ..Default::default()
    };
    Sim::new(config, workload).expect("valid")
}

#[test]
fn the_incremental_check_agrees_with_the_whole_history_check_at_every_step() {
    let mut verdicts = [0usize; 3];
    for seed in 1..=40 {
        let mut sim = sim(seed);
        let mut faults = Rng::new(seed * 7);
        let mut checker = IncrementalChecker::default();
        for second in 1..=12 {
            match faults.below(6) {
                0 => drop(sim.apply(Action::CrashLeader { label: None })),
                1 => drop(sim.apply(Action::RestartAll)),
                // Reads from any replica: stale reads make some histories non-linearizable.
                2 if seed % 3 == 0 => drop(sim.apply(Action::SetStaleReads { enabled: true })),
                _ => {}
            }
            sim.advance_to(second * SECOND);
            let history = sim.final_history();
            let whole = check_history(&history);
            let step = checker.check(&history);
            assert_eq!(step.verdict, whole.verdict, "seed {seed} at {second} s");
            if whole.verdict != Verdict::Linearizable {
                assert_eq!(
                    step.keys, whole.keys,
                    "seed {seed} at {second} s: the same diagnosis"
                );
            }
            verdicts[match whole.verdict {
                Verdict::Linearizable => 0,
                Verdict::NotLinearizable => 1,
                Verdict::Unknown => 2,
            }] += 1;
        }
    }
    assert!(
        verdicts[0] > 100 && verdicts[1] > 5,
        "both verdicts seen: {verdicts:?}"
    );
}

/// A history that is not the one the proofs were made on (a seek back, another run) is checked
/// afresh, not against stale proofs.
#[test]
fn a_different_history_drops_the_proofs() {
    let mut checker = IncrementalChecker::default();
    let mut a = sim(5);
    a.advance_to(6 * SECOND);
    assert_eq!(
        checker.check(&a.final_history()).verdict,
        Verdict::Linearizable
    );
    let mut b = sim(6);
    b.apply(Action::SetStaleReads { enabled: true }).unwrap();
    for second in 1..=10 {
        b.advance_to(second * SECOND);
        let history = b.final_history();
        assert_eq!(
            checker.check(&history).verdict,
            check_history(&history).verdict
        );
    }
}
