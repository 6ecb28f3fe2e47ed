//! The incremental linearizability checker gives the whole-history checker's verdict at every
//! check of a growing history — through crashes, partitions and stale reads (which break
//! linearizability, so both verdicts are seen) — and its diagnosis when a key fails.

use quorum_cluster::check::linearizability::{
    check_history, IncrementalChecker, LinearizabilityReport, Verdict,
};
use quorum_cluster::{Action, ClusterConfig, Sim};
use quorum_core::rng::Rng;
use quorum_core::time::SECOND;
use quorum_traffic::balancer::BalancerConfig;
use quorum_traffic::client::{LoadMode, Status, WorkloadConfig};

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
            let verdict = assert_agrees(&mut checker, &sim, &format!("seed {seed} at {second} s"));
            verdicts[verdict as usize] += 1;
        }
    }
    assert!(
        verdicts[0] > 100 && verdicts[1] > 5,
        "both verdicts seen: {verdicts:?}"
    );
}

/// The same on one hot key in an open loop, where operations overlap all the time (no instant
/// has nothing in flight, so the checker carries its just-in-time sweep across checks) and
/// clients that give up quickly leave operations of unknown outcome behind, which the sweep
/// carries open for good.
#[test]
fn the_incremental_check_agrees_on_one_hot_key_in_an_open_loop() {
    let mut verdicts = [0usize; 3];
    let mut unknown = 0;
    for seed in 1..=12 {
        let config = ClusterConfig {
            seed,
            servers: 5,
            ..Default::default()
        };
        let workload = WorkloadConfig {
            clients: 10,
            rate: 80.0,
            keys: 1,
            mode: LoadMode::Open,
            request_timeout_ms: 300,
            give_up_after_ms: 600,
            balancer: Some(BalancerConfig::default()),
            ..Default::default()
        };
        let mut sim = Sim::new(config, workload).expect("valid");
        let mut faults = Rng::new(seed * 11);
        let mut checker = IncrementalChecker::default();
        for second in 1..=10 {
            match faults.below(5) {
                0 => drop(sim.apply(Action::IsolateLeader { label: None })),
                1 => drop(sim.apply(Action::Heal)),
                2 => drop(sim.apply(Action::CrashLeader { label: None })),
                3 if seed % 4 == 0 => drop(sim.apply(Action::SetStaleReads { enabled: true })),
                _ => {}
            }
            sim.advance_to(second * SECOND);
            let verdict = assert_agrees(&mut checker, &sim, &format!("seed {seed} at {second} s"));
            verdicts[verdict as usize] += 1;
        }
        unknown += sim
            .history()
            .iter()
            .filter(|op| op.status == Status::Info)
            .count();
    }
    assert!(unknown > 20, "operations of unknown outcome: {unknown}");
    assert!(
        verdicts[0] > 40 && verdicts[1] > 3,
        "both verdicts seen: {verdicts:?}"
    );
}

/// Checks `sim`'s history with `checker` and with the whole-history checker: the same verdict,
/// the same counts when it fits, the same diagnosis when it does not. Returns the verdict.
fn assert_agrees(checker: &mut IncrementalChecker, sim: &Sim, when: &str) -> Verdict {
    let history = sim.final_history();
    let whole = check_history(&history);
    let step = checker.check(sim.history(), &sim.outstanding_operations());
    assert_eq!(step.report.verdict, whole.verdict, "{when}");
    if whole.verdict == Verdict::Linearizable {
        let counts = |r: &LinearizabilityReport| -> Vec<(String, usize)> {
            r.keys
                .iter()
                .map(|k| (k.key.clone(), k.operations))
                .collect()
        };
        assert_eq!(counts(&step.report), counts(&whole), "{when}");
        assert!(step.history.is_none());
    } else {
        assert_eq!(step.report.keys, whole.keys, "{when}: the same diagnosis");
        assert_eq!(step.history.as_ref(), Some(&history));
    }
    whole.verdict
}

/// A history that is not the one the proofs were made on (a seek back, another run) is checked
/// afresh, not against stale proofs.
#[test]
fn a_different_history_drops_the_proofs() {
    let mut checker = IncrementalChecker::default();
    let mut a = sim(5);
    a.advance_to(6 * SECOND);
    assert_eq!(
        checker
            .check(a.history(), &a.outstanding_operations())
            .report
            .verdict,
        Verdict::Linearizable
    );
    let mut b = sim(6);
    b.apply(Action::SetStaleReads { enabled: true }).unwrap();
    for second in 1..=10 {
        b.advance_to(second * SECOND);
        let history = b.final_history();
        assert_eq!(
            checker
                .check(b.history(), &b.outstanding_operations())
                .report
                .verdict,
            check_history(&history).verdict
        );
    }
}

/// Seeking back and acting there (a new branch) is noticed from the log's digest chain even
/// when the branch's history has grown past the one checked before: the checker starts over and keeps agreeing with the whole-history checker on the branch.
#[test]
fn a_new_branch_of_the_timeline_is_checked_afresh() {
    use quorum_cluster::timeline::Timeline;
    let mut timeline = Timeline::new(sim(12));
    let mut checker = IncrementalChecker::default();
    let mut check = |t: &Timeline| {
        let sim = t.sim();
        let step = checker.check(sim.history(), &sim.outstanding_operations());
        assert_eq!(
            step.report.verdict,
            check_history(&sim.final_history()).verdict,
            "at {} µs",
            sim.now()
        );
        step.report.verdict
    };
    for second in 1..=8 {
        timeline.advance_to(second * SECOND);
        assert_eq!(check(&timeline), Verdict::Linearizable);
    }
    timeline.seek(3 * SECOND);
    timeline
        .apply(Action::SetStaleReads { enabled: true })
        .unwrap();
    timeline.apply(Action::CrashLeader { label: None }).unwrap();
    // The first check on the branch comes when its history is already longer than the one
    // checked before: only the digests can tell them apart.
    let mut seen = Vec::new();
    for second in 12..=16 {
        timeline.advance_to(second * SECOND);
        seen.push(check(&timeline));
    }
    assert!(
        seen.contains(&Verdict::NotLinearizable),
        "the branch with stale reads fails somewhere: {seen:?}"
    );
}

/// The work of a check follows what is new, not the length of the run (the page checks every
/// two simulated seconds for as long as a run lasts): a check at two minutes explores about as
/// many states as one at twenty seconds.
#[test]
fn a_check_costs_what_is_new_not_what_is_recorded() {
    let mut sim = sim(3);
    let mut checker = IncrementalChecker::default();
    let mut explored_at = std::collections::BTreeMap::new();
    for second in (2..=120).step_by(2) {
        sim.advance_to(second * SECOND);
        let step = checker.check(sim.history(), &sim.outstanding_operations());
        assert_eq!(step.report.verdict, Verdict::Linearizable);
        explored_at.insert(second, step.report.states_explored);
    }
    let early: u64 = (12..=20).step_by(2).map(|s| explored_at[&s]).sum();
    let late: u64 = (112..=120).step_by(2).map(|s| explored_at[&s]).sum();
    // Checking the whole history each time would explore about six times as many states late
    // as early (the history is six times as long).
    assert!(
        late <= 2 * early.max(50),
        "five checks near 2 min explored {late} states, near 20 s {early}"
    );
}
