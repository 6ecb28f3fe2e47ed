//! The same scenario under Raft and under Multi-Paxos, side by side: what each costs in messages
//! per operation, how fast operations complete, and how long the cluster is without a leader and
//! without service after the leader crashes. Both runs share everything but the protocol —
//! cluster size, network, workload, faults and seed.

use serde::Serialize;

use super::export::scenario_of;
use super::format::{Scenario, ScheduledAction};
use super::runner::{run_scenario, Latency, RunOutcome};
use quorum_cluster::check::linearizability::Verdict;
use quorum_cluster::config::ProtocolKind;
use quorum_cluster::timeline::Timeline;
use quorum_cluster::{Action, Sim};
use quorum_core::error::FieldError;
use quorum_core::time::{Time, MS};
use quorum_traffic::client::{HistoryOp, Status};

/// Recovery after leader crashes, averaged over the crashes of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Recovery {
    /// How many times the leader crashed.
    pub leader_crashes: usize,
    /// Mean time from the crash until another server led, ms (none: no crash, or no leader).
    pub to_new_leader_ms: Option<f64>,
    /// Mean time from the crash until the first client operation succeeded under the new
    /// leader, ms (answers already on their way at the crash do not count).
    pub to_service_ms: Option<f64>,
}

/// One protocol's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProtocolFigures {
    /// The protocol.
    pub protocol: ProtocolKind,
    /// The column heading: the protocol, and for the extra Multi-Paxos run which leader
    /// stability switches it flipped.
    pub label: String,
    /// Times a server became leader, per simulated minute.
    pub leader_changes_per_min: f64,
    /// The liveness check held (a leader and answers within ten election timeouts of calm).
    pub live: bool,
    /// Operations that completed (ok or a definite failure).
    pub completed: usize,
    /// Messages sent per completed operation (all traffic: consensus, heartbeats, clients).
    pub messages_per_op: f64,
    /// Latency of completed operations.
    pub latency_ms: Latency,
    /// Recovery after leader crashes.
    pub recovery: Recovery,
    /// Safety checks held and the history is linearizable.
    pub passed: bool,
}

/// Both protocols on one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Scenario name.
    pub scenario: String,
    /// Seed used by both runs.
    pub seed: u64,
    /// Raft first, then Multi-Paxos.
    pub runs: Vec<ProtocolFigures>,
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn ms(t: Time) -> f64 {
    t as f64 / MS as f64
}

/// Recovery figures of a finished run.
pub fn recovery_of(sim: &Sim, history: &[HistoryOp]) -> Recovery {
    let crashes = &sim.stats().leader_crashes;
    let to_leader: Vec<f64> = crashes
        .iter()
        .filter_map(|c| c.next_leader_at.map(|t| ms(t - c.at)))
        .collect();
    let to_service: Vec<f64> = crashes
        .iter()
        .filter_map(|c| {
            let led_at = c.next_leader_at?;
            history
                .iter()
                .filter(|op| op.status == Status::Ok)
                .filter_map(|op| op.ret)
                .filter(|&ret| ret > led_at)
                .min()
                .map(|ret| ms(ret - c.at))
        })
        .collect();
    Recovery {
        leader_crashes: crashes.len(),
        to_new_leader_ms: mean(&to_leader),
        to_service_ms: mean(&to_service),
    }
}

fn figures(outcome: &RunOutcome, protocol: ProtocolKind, label: String) -> ProtocolFigures {
    let s = &outcome.summary;
    let minutes = (s.duration_ms as f64 / 60_000.0).max(1e-9);
    ProtocolFigures {
        protocol,
        label,
        leader_changes_per_min: s.leader_changes as f64 / minutes,
        live: s.liveness.passed,
        completed: s.operations.ok + s.operations.fail,
        messages_per_op: s.messages_per_op,
        latency_ms: s.latency_ms.clone(),
        recovery: s.recovery.clone(),
        passed: s.checks.passed && s.linearizability.verdict == Verdict::Linearizable,
    }
}

/// The shortest run a comparison covers, virtual ms: long enough for several elections and
/// thousands of operations.
pub const COMPARE_MS: u64 = 20_000;

/// The run recorded in `timeline` as the scenario the Compare tab runs: lengthened to at least
/// [`COMPARE_MS`], and with `crash_leader`, the leader crashed every 5 s and every crashed server
/// restarted 2 s later.
pub fn comparison_scenario(timeline: &Timeline, crash_leader: bool) -> Scenario {
    let mut scenario = scenario_of(timeline, "This run");
    scenario.duration_ms = scenario.duration_ms.max(COMPARE_MS);
    if crash_leader {
        for at in (5_000..scenario.duration_ms).step_by(5_000) {
            for (at_ms, action) in [
                (at, Action::CrashLeader { label: None }),
                (at + 2_000, Action::RestartAll),
            ] {
                scenario.schedule.push(ScheduledAction {
                    at_ms,
                    at_us: None,
                    action,
                });
            }
        }
        let end = scenario.duration_ms * MS;
        scenario.schedule.retain(|s| s.at() <= end);
    }
    scenario
}

/// Runs `scenario` under both protocols (with `seed` replacing its seed if given), and once
/// more under Multi-Paxos with its leader-stability switches (probing before a new ballot,
/// leader stickiness) flipped, so their effect shows beside the rest.
pub fn compare(scenario: &Scenario, seed: Option<u64>) -> Result<Comparison, FieldError> {
    let mut runs = Vec::new();
    for protocol in [ProtocolKind::Raft, ProtocolKind::MultiPaxos] {
        let one = Scenario {
            protocol,
            ..scenario.clone()
        };
        let outcome = run_scenario(&one, seed)?;
        runs.push(figures(&outcome, protocol, protocol.label().to_string()));
    }
    let mut flipped = Scenario {
        protocol: ProtocolKind::MultiPaxos,
        ..scenario.clone()
    };
    let paxos = &mut flipped.cluster.paxos;
    let stabilised = paxos.probe_before_prepare || paxos.sticky_leader;
    paxos.probe_before_prepare = !stabilised;
    paxos.sticky_leader = !stabilised;
    let label = if stabilised {
        "Multi-Paxos without probing or stickiness"
    } else {
        "Multi-Paxos with probing and stickiness"
    };
    let outcome = run_scenario(&flipped, seed)?;
    runs.push(figures(
        &outcome,
        ProtocolKind::MultiPaxos,
        label.to_string(),
    ));
    Ok(Comparison {
        scenario: scenario.name.clone(),
        seed: seed.unwrap_or(scenario.seed),
        runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset;

    #[test]
    fn the_comparison_lasts_twenty_seconds_and_crashes_the_leader_every_five() {
        let sim = Sim::new(Default::default(), Default::default()).unwrap();
        let timeline = Timeline::new(sim);
        let calm = comparison_scenario(&timeline, false);
        assert_eq!(calm.duration_ms, COMPARE_MS);
        assert!(calm.schedule.is_empty());
        let crashes = comparison_scenario(&timeline, true);
        let at: Vec<u64> = crashes.schedule.iter().map(|s| s.at_ms).collect();
        assert_eq!(at, vec![5_000, 7_000, 10_000, 12_000, 15_000, 17_000]);
        assert!(matches!(
            crashes.schedule[0].action,
            Action::CrashLeader { label: None }
        ));
        assert!(matches!(crashes.schedule[1].action, Action::RestartAll));
    }

    #[test]
    fn both_protocols_recover_from_the_leader_crashes_of_the_same_scenario() {
        let c = compare(&preset("leader-crash").unwrap(), None).unwrap();
        assert_eq!(c.runs.len(), 3);
        for run in &c.runs {
            assert!(run.passed, "{:?} passed its checks", run.protocol);
            assert_eq!(run.recovery.leader_crashes, 2, "{:?}", run.protocol);
            let leader = run.recovery.to_new_leader_ms.expect("a new leader");
            let service = run.recovery.to_service_ms.expect("service again");
            // At least one election timeout passes before anyone notices the crash.
            assert!(leader >= 150.0, "{:?}: {leader} ms", run.protocol);
            assert!(service > leader, "{:?}", run.protocol);
            assert!(run.messages_per_op > 1.0 && run.messages_per_op < 100.0);
        }
        assert_ne!(c.runs[0].protocol, c.runs[1].protocol);
    }

    /// The Paxos counterpart of PreVote and leader stickiness: on a ring of overlapping
    /// majorities, without them the leader changes hundreds of times a minute; with them about
    /// as rarely as Raft's (dissertation §9.6 and §4.2.3, carried over).
    #[test]
    fn probing_and_stickiness_keep_a_multi_paxos_leader_on_a_ring_of_overlapping_majorities() {
        let ring = preset("ring-of-majorities").unwrap();
        let c = compare(&ring, None).unwrap();
        let (raft, paxos, flipped) = (&c.runs[0], &c.runs[1], &c.runs[2]);
        assert_eq!(flipped.label, "Multi-Paxos without probing or stickiness");
        assert!(raft.leader_changes_per_min <= 3.0, "{raft:?}");
        assert!(
            paxos.leader_changes_per_min <= 3.0 * raft.leader_changes_per_min.max(1.0),
            "within a small factor of Raft: {paxos:?}"
        );
        assert!(
            flipped.leader_changes_per_min > 20.0 * paxos.leader_changes_per_min,
            "the switches make the difference: {flipped:?}"
        );
        assert!(raft.passed && paxos.passed && flipped.passed);
    }
}
