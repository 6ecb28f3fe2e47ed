//! Plays a scenario headless and summarises it: operations by outcome, latency percentiles,
//! elections, message counts, safety checks and the linearizability verdict of the history.

use serde::Serialize;

use super::compare::{recovery_of, Recovery};
use super::format::Scenario;
use quorum_cluster::check::linearizability::{check_history, Verdict};
use quorum_cluster::check::liveness::LivenessFailure;
use quorum_cluster::check::Violation;
use quorum_cluster::config::ProtocolKind;
use quorum_cluster::engine::{KindTraffic, LeaderSpan};
use quorum_cluster::metrics::percentile;
use quorum_cluster::server::ServerNode;
use quorum_cluster::view::paxos_role_label;
use quorum_cluster::Sim;
use quorum_core::error::FieldError;
use quorum_core::time::MS;
use quorum_service::server::Replica;
use quorum_traffic::client::{HistoryOp, Status};
use std::collections::BTreeMap;

/// Counts of operations by outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OperationCounts {
    /// All operations, including those still outstanding at the end (as info).
    pub total: usize,
    /// Succeeded.
    pub ok: usize,
    /// Definitely did not take effect.
    pub fail: usize,
    /// Outcome unknown.
    pub info: usize,
}

/// Latency percentiles of completed operations, virtual milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

/// Message counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MessageCounts {
    /// Sent (including duplicates).
    pub sent: u64,
    /// Delivered to a running receiver.
    pub delivered: u64,
    /// Never arrived.
    pub lost: u64,
}

/// Safety check results.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CheckResults {
    /// True when no invariant was broken.
    pub passed: bool,
    /// How many server observations were checked.
    pub observations: u64,
    /// The violations found.
    pub violations: Vec<Violation>,
}

/// The linearizability verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinearizabilityResult {
    /// The verdict.
    pub verdict: Verdict,
    /// A plain-language explanation.
    pub explanation: String,
    /// Search states explored.
    pub states_explored: u64,
}

/// Everything the runner prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// The protocol the servers ran.
    pub protocol: ProtocolKind,
    /// Seed used.
    pub seed: u64,
    /// Virtual duration, ms.
    pub duration_ms: u64,
    /// Operations by outcome.
    pub operations: OperationCounts,
    /// Latency of completed operations.
    pub latency_ms: Latency,
    /// Times a server became leader.
    pub leader_changes: u64,
    /// Elections started.
    pub elections_started: u64,
    /// Messages.
    pub messages: MessageCounts,
    /// Messages sent per completed operation (all traffic: consensus, heartbeats, clients).
    pub messages_per_op: f64,
    /// Recovery after leader crashes.
    pub recovery: Recovery,
    /// Safety checks.
    pub checks: CheckResults,
    /// Linearizability of the history.
    pub linearizability: LinearizabilityResult,
    /// Liveness once the faults stopped (apart from safety).
    pub liveness: LivenessResult,
    /// Every server at the end of the run.
    pub servers: Vec<ServerEnd>,
    /// Who led when.
    pub leader_timeline: Vec<LeaderSpan>,
    /// Messages and bytes per message kind (header + payload size model).
    pub traffic: BTreeMap<&'static str, KindTraffic>,
    /// Events processed.
    pub events: u64,
    /// Fingerprint of the run (equal for equal runs).
    pub trace_hash: String,
}

/// The liveness check's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LivenessResult {
    /// No calm window missed a leader or an answer.
    pub passed: bool,
    /// What did not happen, per failed window.
    pub failures: Vec<String>,
}

/// One server as the run left it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerEnd {
    /// The server, e.g. `S3`.
    pub server: String,
    /// Running or crashed.
    pub up: bool,
    /// `leader`, `follower`, `candidate`, … (as the page says it).
    pub role: String,
    /// Raft term, or Multi-Paxos promised ballot round.
    pub term: u64,
    /// Highest index (slot) known committed (chosen).
    pub commit_index: u64,
    /// Highest index (slot) applied to its key-value store.
    pub applied_index: u64,
    /// Digest of its log (slot) prefix up to the commit index, hex: equal digests, equal
    /// committed histories.
    pub committed_digest: Option<String>,
}

impl Summary {
    /// True when every safety check passed and the history is linearizable.
    pub fn passed(&self) -> bool {
        self.checks.passed && self.linearizability.verdict == Verdict::Linearizable
    }
}

/// A finished run: the simulation at its end, its final history and the summary.
pub struct RunOutcome {
    /// The simulation as it ended.
    pub sim: Sim,
    /// The history, outstanding operations recorded as `info`.
    pub history: Vec<HistoryOp>,
    /// The summary.
    pub summary: Summary,
}

/// Runs a scenario to its end (with `seed` replacing the scenario's seed if given).
pub fn run_scenario(scenario: &Scenario, seed: Option<u64>) -> Result<RunOutcome, FieldError> {
    let mut scenario = scenario.clone();
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let mut sim = scenario.build()?;
    sim.advance_to(scenario.duration_ms * MS);
    let history = sim.final_history();
    let summary = summarise(&scenario, &sim, &history);
    Ok(RunOutcome {
        sim,
        history,
        summary,
    })
}

fn summarise(scenario: &Scenario, sim: &Sim, history: &[HistoryOp]) -> Summary {
    let mut counts = OperationCounts {
        total: history.len(),
        ..Default::default()
    };
    let mut latencies = Vec::new();
    for op in history {
        match op.status {
            Status::Ok => counts.ok += 1,
            Status::Fail => counts.fail += 1,
            Status::Info => counts.info += 1,
        }
        if let Some(ret) = op.ret {
            latencies.push((ret - op.call) as f64 / MS as f64);
        }
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let report = check_history(history);
    let stats = sim.stats();
    let completed = counts.ok + counts.fail;
    Summary {
        scenario: scenario.name.clone(),
        protocol: scenario.protocol,
        seed: scenario.seed,
        duration_ms: scenario.duration_ms,
        operations: counts,
        latency_ms: Latency {
            p50: percentile(&latencies, 0.5).unwrap_or(0.0),
            p95: percentile(&latencies, 0.95).unwrap_or(0.0),
            p99: percentile(&latencies, 0.99).unwrap_or(0.0),
            max: latencies.last().copied().unwrap_or(0.0),
        },
        leader_changes: stats.leader_elections,
        elections_started: stats.elections_started,
        messages: MessageCounts {
            sent: stats.messages_sent,
            delivered: stats.messages_delivered,
            lost: stats.messages_lost,
        },
        messages_per_op: stats.messages_sent as f64 / completed.max(1) as f64,
        recovery: recovery_of(sim, history),
        checks: CheckResults {
            passed: sim.violations().is_empty(),
            observations: sim.checker().checks_run(),
            violations: sim.violations().to_vec(),
        },
        linearizability: LinearizabilityResult {
            verdict: report.verdict,
            explanation: report.explain(history),
            states_explored: report.states_explored,
        },
        liveness: LivenessResult {
            passed: sim.liveness_failures().is_empty(),
            failures: sim
                .liveness_failures()
                .iter()
                .map(LivenessFailure::explain)
                .collect(),
        },
        servers: sim
            .servers()
            .iter()
            .map(|slot| {
                let n = &slot.node;
                ServerEnd {
                    server: format!("S{}", n.id()),
                    up: slot.up,
                    role: match n {
                        ServerNode::Paxos(_) => paxos_role_label(n.role()),
                        ServerNode::Raft(_) => n.role().label(),
                    }
                    .to_string(),
                    term: n.term(),
                    commit_index: n.commit_index(),
                    applied_index: n.applied_index(),
                    committed_digest: n
                        .prefix_digest(n.commit_index())
                        .map(|d| format!("{d:016x}")),
                }
            })
            .collect(),
        leader_timeline: stats.leader_timeline.clone(),
        traffic: stats.by_kind.iter().map(|(k, v)| (*k, *v)).collect(),
        events: stats.events,
        trace_hash: format!("{:016x}", sim.trace_hash()),
    }
}
