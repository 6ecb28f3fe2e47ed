//! Cluster configuration: how many servers, how their timers are set and how the network between
//! them behaves. Defaults follow the Raft paper (§5.2, §9.3): election timeouts of 150–300 ms
//! against one-way latencies around 10–20 ms and 50 ms heartbeats.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::time::{Time, MS};
use crate::error::FieldError;

/// Identifies a server: `1..=servers`, shown to people as `S1`, `S2`, …
pub type NodeId = u32;

/// The fewest servers a cluster may have.
pub const MIN_SERVERS: usize = 1;
/// The most servers a cluster may have: a ring of nine is still readable on a projector.
pub const MAX_SERVERS: usize = 9;

/// The label people see for a server.
pub fn server_label(id: NodeId) -> String {
    format!("S{id}")
}

/// Timer settings shared by every server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timing {
    /// Shortest election timeout, ms.
    pub election_timeout_min_ms: u64,
    /// Longest election timeout, ms; each timeout is drawn uniformly from the range.
    pub election_timeout_max_ms: u64,
    /// How often a leader sends AppendEntries when it has nothing new, ms.
    pub heartbeat_interval_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            election_timeout_min_ms: 150,
            election_timeout_max_ms: 300,
            heartbeat_interval_ms: 50,
        }
    }
}

impl Timing {
    /// Shortest election timeout in virtual µs.
    pub fn election_min(&self) -> Time {
        self.election_timeout_min_ms * MS
    }

    /// Longest election timeout in virtual µs.
    pub fn election_max(&self) -> Time {
        self.election_timeout_max_ms * MS
    }

    /// Heartbeat interval in virtual µs.
    pub fn heartbeat(&self) -> Time {
        self.heartbeat_interval_ms * MS
    }

    /// Checks the ranges make sense; names the offending field otherwise.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        if self.election_timeout_min_ms == 0 {
            return Err(FieldError::new(
                format!("{path}.election_timeout_min_ms"),
                "must be greater than zero",
            ));
        }
        if self.election_timeout_max_ms < self.election_timeout_min_ms {
            return Err(FieldError::new(
                format!("{path}.election_timeout_max_ms"),
                "must not be below election_timeout_min_ms",
            ));
        }
        if self.heartbeat_interval_ms == 0 {
            return Err(FieldError::new(
                format!("{path}.heartbeat_interval_ms"),
                "must be greater than zero",
            ));
        }
        if self.heartbeat_interval_ms >= self.election_timeout_min_ms {
            return Err(FieldError::new(
                format!("{path}.heartbeat_interval_ms"),
                "must be shorter than election_timeout_min_ms, or followers time out between heartbeats",
            ));
        }
        Ok(())
    }
}

/// How messages travel. Every message's one-way delay is drawn from
/// `[latency_min_ms, latency_max_ms]` plus up to `jitter_ms`; then it may be lost or duplicated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Shortest one-way delay, ms.
    pub latency_min_ms: u64,
    /// Longest one-way delay before jitter, ms.
    pub latency_max_ms: u64,
    /// Extra random delay up to this much, ms.
    pub jitter_ms: u64,
    /// Probability that a message is lost in flight, 0–1.
    pub loss: f64,
    /// Probability that a message is delivered twice, 0–1.
    pub duplicate: f64,
    /// Deliver messages on each directed link in the order they were sent (no reordering).
    pub fifo: bool,
    /// The shape of the delay: uniform over the range, or heavy-tailed.
    #[serde(skip_serializing_if = "LatencyDistribution::is_uniform")]
    pub distribution: LatencyDistribution,
    /// Rare long delays that reorder messages far beyond an election timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_delay: Option<LongDelay>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            latency_min_ms: 10,
            latency_max_ms: 20,
            jitter_ms: 0,
            loss: 0.0,
            duplicate: 0.0,
            fifo: false,
            distribution: LatencyDistribution::Uniform,
            long_delay: None,
        }
    }
}

/// The longest delay any latency setting may produce: ten minutes.
pub const MAX_DELAY_MS: u64 = 600_000;

/// How one-way delays are distributed. Real networks have long tails: most messages are quick,
/// a few take many times the median — enough to reorder them behind later ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LatencyDistribution {
    /// Uniform over `[latency_min_ms, latency_max_ms]`.
    #[default]
    Uniform,
    /// Log-normal with the range's midpoint as median and shape `sigma` (0.1–3; larger, longer
    /// tail), never below `latency_min_ms`, capped at `cap_ms`.
    LogNormal {
        /// Shape: the standard deviation of the delay's logarithm.
        sigma: f64,
        /// The longest delay, ms.
        cap_ms: u64,
    },
    /// Pareto from `latency_min_ms` with tail index `alpha` (1–5; smaller, heavier tail),
    /// capped at `cap_ms`.
    Pareto {
        /// Tail index.
        alpha: f64,
        /// The longest delay, ms.
        cap_ms: u64,
    },
}

impl LatencyDistribution {
    fn is_uniform(&self) -> bool {
        *self == LatencyDistribution::Uniform
    }
}

/// With `probability`, a message takes between `min_ms` and `max_ms` instead of its usual delay.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongDelay {
    /// Chance per message, 0–1.
    pub probability: f64,
    /// Shortest long delay, ms.
    pub min_ms: u64,
    /// Longest long delay, ms.
    pub max_ms: u64,
}

fn check_probability(value: f64, field: String) -> Result<(), FieldError> {
    if !(0.0..=1.0).contains(&value) {
        return Err(FieldError::new(
            field,
            "must be a probability between 0 and 1",
        ));
    }
    Ok(())
}

impl NetworkConfig {
    /// Checks the ranges make sense; names the offending field otherwise.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        if self.latency_max_ms < self.latency_min_ms {
            return Err(FieldError::new(
                format!("{path}.latency_max_ms"),
                "must not be below latency_min_ms",
            ));
        }
        check_probability(self.loss, format!("{path}.loss"))?;
        check_probability(self.duplicate, format!("{path}.duplicate"))?;
        for (value, name) in [
            (self.latency_max_ms, "latency_max_ms"),
            (self.jitter_ms, "jitter_ms"),
        ] {
            if value > MAX_DELAY_MS {
                return Err(FieldError::new(
                    format!("{path}.{name}"),
                    format!("must be at most {MAX_DELAY_MS} ms (ten minutes)"),
                ));
            }
        }
        let cap = |cap_ms: u64| {
            if cap_ms < self.latency_max_ms || cap_ms > MAX_DELAY_MS {
                Err(FieldError::new(
                    format!("{path}.distribution.cap_ms"),
                    format!(
                        "must be between latency_max_ms ({} ms) and {MAX_DELAY_MS} ms",
                        self.latency_max_ms
                    ),
                ))
            } else {
                Ok(())
            }
        };
        match self.distribution {
            LatencyDistribution::Uniform => {}
            LatencyDistribution::LogNormal { sigma, cap_ms } => {
                if !(0.1..=3.0).contains(&sigma) {
                    return Err(FieldError::new(
                        format!("{path}.distribution.sigma"),
                        "must be between 0.1 and 3",
                    ));
                }
                cap(cap_ms)?;
            }
            LatencyDistribution::Pareto { alpha, cap_ms } => {
                if !(1.0..=5.0).contains(&alpha) {
                    return Err(FieldError::new(
                        format!("{path}.distribution.alpha"),
                        "must be between 1 and 5",
                    ));
                }
                cap(cap_ms)?;
            }
        }
        if let Some(long) = &self.long_delay {
            check_probability(long.probability, format!("{path}.long_delay.probability"))?;
            if long.max_ms < long.min_ms || long.max_ms > MAX_DELAY_MS {
                return Err(FieldError::new(
                    format!("{path}.long_delay.max_ms"),
                    format!(
                        "must be between min_ms ({} ms) and {MAX_DELAY_MS} ms",
                        long.min_ms
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Switches for the Raft servers, each a choice people like to compare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RaftOptions {
    /// A new leader appends a no-op entry of its term at once, so entries of earlier terms commit
    /// without waiting for a client (dissertation §6.4). Safe either way.
    pub noop_on_election: bool,
    /// Followers forward client requests to the leader they know; otherwise they answer
    /// "not leader" with a hint and the client retries there.
    pub forward_to_leader: bool,
    /// The most entries one AppendEntries carries.
    pub max_batch: usize,
    /// Before an election, ask whether a majority would vote at all, without raising the term
    /// (dissertation §9.6): a server that was cut off rejoins without disrupting the leader.
    pub pre_vote: bool,
    /// A leader that has not heard from a majority within an election timeout steps down; and a
    /// server that has heard from a leader that recently ignores vote requests (dissertation
    /// §6.2, §4.2.3). Lease reads rely on it.
    pub check_quorum: bool,
    /// How reads are served.
    pub read_mode: ReadMode,
    /// Snapshot the state machine and discard the log prefix every this many applied entries
    /// (0: never compact).
    pub snapshot_every: u64,
}

/// How a leader serves reads (Raft dissertation §6.4; the same three ways under Multi-Paxos).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// Reads are log entries like writes: simple, slow, linearizable.
    Log,
    /// The leader notes its commit index, confirms it still leads with a heartbeat round, waits
    /// until that index is applied and answers from its state (§6.4).
    #[default]
    ReadIndex,
    /// The leader answers at once while its lease holds: a majority acknowledged it less than an
    /// election timeout ago *by its own clock* (§6.4.1). Correct only if clocks run at the same
    /// rate — give a server a drifting clock (`clock_rates`) to see a stale read.
    Lease,
}

impl ReadMode {
    /// The name people see.
    pub fn label(&self) -> &'static str {
        match self {
            ReadMode::Log => "through the log",
            ReadMode::ReadIndex => "ReadIndex",
            ReadMode::Lease => "lease",
        }
    }
}

impl Default for RaftOptions {
    fn default() -> Self {
        RaftOptions {
            noop_on_election: true,
            forward_to_leader: true,
            max_batch: 16,
            pre_vote: true,
            check_quorum: true,
            read_mode: ReadMode::ReadIndex,
            snapshot_every: 64,
        }
    }
}

impl RaftOptions {
    /// Checks the options make sense; names the offending field otherwise.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        if self.max_batch == 0 {
            return Err(FieldError::new(
                format!("{path}.max_batch"),
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// Which consensus protocol the servers run. Everything else — cluster size, network, clients,
/// faults, seed — is shared, so one scenario can be run under both and compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolKind {
    /// Raft (Ongaro & Ousterhout).
    #[default]
    Raft,
    /// Multi-Paxos with a distinguished proposer (Lamport, "Paxos Made Simple" §3).
    #[serde(alias = "paxos")]
    MultiPaxos,
}

impl ProtocolKind {
    /// The protocol a name given by hand (URL parameter, command line, script) stands for: the
    /// same names scenario files use. The error names `field`.
    pub fn parse(name: &str, field: &str) -> Result<ProtocolKind, FieldError> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| {
            FieldError::new(
                field,
                format!("{name:?} is not a protocol here (raft or multi_paxos)"),
            )
        })
    }

    /// The name people see.
    pub fn label(&self) -> &'static str {
        match self {
            ProtocolKind::Raft => "Raft",
            ProtocolKind::MultiPaxos => "Multi-Paxos",
        }
    }
}

/// Switches for the Multi-Paxos servers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaxosOptions {
    /// A distinguished proposer: one server runs phase 1 once and then leads, sending heartbeats;
    /// the others forward or redirect clients to it. Off, every server that receives a request
    /// proposes it itself, running phase 1 with a higher ballot: the proposers duel.
    pub stable_leader: bool,
    /// Servers that are not the leader forward client requests to the one they know; otherwise
    /// they answer "not leader" with a hint.
    pub forward_to_leader: bool,
    /// A leader that has not heard from a majority within an election timeout steps down.
    pub check_quorum: bool,
    /// How the leader serves reads: as slots of the log; after confirming with a heartbeat round
    /// that a majority still follows it (ReadIndex); or at once while its lease holds — a majority
    /// acknowledged it less than an election timeout ago by its own clock, and acceptors that
    /// heard from a leader that recently promise no one else.
    pub read_mode: ReadMode,
    /// The counterpart of Raft's PreVote: before raising its ballot, a server whose leader went
    /// quiet probes whether a majority has lost the leader too; only then does it run phase 1.
    /// A server that was cut off returns without deposing a healthy leader.
    pub probe_before_prepare: bool,
    /// Leader stickiness: an acceptor that heard from a live leader less than an election
    /// timeout ago ignores other servers' prepares (with leases it always does).
    pub sticky_leader: bool,
}

impl Default for PaxosOptions {
    fn default() -> Self {
        PaxosOptions {
            stable_leader: true,
            forward_to_leader: true,
            check_quorum: true,
            read_mode: ReadMode::ReadIndex,
            probe_before_prepare: true,
            sticky_leader: true,
        }
    }
}

/// Everything needed to build a cluster; together with the seed and the action log it determines
/// a run completely.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// Number of servers, [`MIN_SERVERS`]..=[`MAX_SERVERS`].
    pub servers: usize,
    /// Seed of the simulation's random stream.
    pub seed: u64,
    /// Timer settings.
    pub timing: Timing,
    /// Network behaviour.
    pub network: NetworkConfig,
    /// The consensus protocol. A scenario names it at its top level (`protocol`), next to the
    /// seed, so it is not repeated here.
    #[serde(skip)]
    pub protocol: ProtocolKind,
    /// Raft switches.
    pub raft: RaftOptions,
    /// Multi-Paxos switches.
    pub paxos: PaxosOptions,
    /// Clock rate per server (1 = true time, 0.5 = runs at half speed). Servers measure timeouts
    /// and leases with their own clock; missing servers run at rate 1.
    pub clock_rates: BTreeMap<NodeId, f64>,
    /// A deliberately broken variant of the protocol, for the negative tests that show a check
    /// can fire; only with the `mutations` feature, never on the page or in `quorum-run`.
    #[cfg(feature = "mutations")]
    #[serde(skip)]
    pub mutation: Option<Mutation>,
}

/// Deliberately broken protocol variants (see [`ClusterConfig::mutation`]).
#[cfg(feature = "mutations")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// A Raft leader deaf to its followers' AppendEntries replies: it never learns that
    /// anything is replicated, so nothing new commits and no client is answered — safe, and
    /// stuck. The liveness check must say so.
    LeaderIgnoresAcks,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            servers: 5,
            seed: 1,
            timing: Timing::default(),
            network: NetworkConfig::default(),
            protocol: ProtocolKind::Raft,
            raft: RaftOptions::default(),
            paxos: PaxosOptions::default(),
            clock_rates: BTreeMap::new(),
            #[cfg(feature = "mutations")]
            mutation: None,
        }
    }
}

/// Slowest and fastest clock rates a server may have.
pub const CLOCK_RATES: (f64, f64) = (0.1, 10.0);

/// Checks a clock rate is within [`CLOCK_RATES`].
pub fn check_clock_rate(rate: f64, field: String) -> Result<(), FieldError> {
    if !(rate.is_finite() && (CLOCK_RATES.0..=CLOCK_RATES.1).contains(&rate)) {
        return Err(FieldError::new(
            field,
            format!(
                "a clock rate must be between {} and {}",
                CLOCK_RATES.0, CLOCK_RATES.1
            ),
        ));
    }
    Ok(())
}

impl ClusterConfig {
    /// The clock rate of a server (1 unless set).
    pub fn clock_rate(&self, node: NodeId) -> f64 {
        self.clock_rates.get(&node).copied().unwrap_or(1.0)
    }

    /// Checks every field; the error names the first one that is wrong.
    pub fn validate(&self) -> Result<(), FieldError> {
        if !(MIN_SERVERS..=MAX_SERVERS).contains(&self.servers) {
            return Err(FieldError::new(
                "cluster.servers",
                format!(
                    "must be between {MIN_SERVERS} and {MAX_SERVERS}, got {}",
                    self.servers
                ),
            ));
        }
        self.timing.validate("cluster.timing")?;
        self.network.validate("cluster.network")?;
        self.raft.validate("cluster.raft")?;
        for (node, rate) in &self.clock_rates {
            if !(1..=self.servers as NodeId).contains(node) {
                return Err(FieldError::new(
                    format!("cluster.clock_rates.{node}"),
                    format!("there is no server S{node}"),
                ));
            }
            check_clock_rate(*rate, format!("cluster.clock_rates.{node}"))?;
        }
        Ok(())
    }

    /// The ids of all servers, in order.
    pub fn server_ids(&self) -> impl Iterator<Item = NodeId> {
        1..=self.servers as NodeId
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_five_servers() {
        let c = ClusterConfig::default();
        assert_eq!(c.servers, 5);
        assert!(c.validate().is_ok());
        assert_eq!(
            c.server_ids().map(server_label).collect::<Vec<_>>(),
            ["S1", "S2", "S3", "S4", "S5"]
        );
    }

    #[test]
    fn invalid_fields_are_named() {
        let mut c = ClusterConfig {
            servers: 12,
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "cluster.servers");
        c.servers = 3;
        c.network.loss = 1.5;
        assert_eq!(c.validate().unwrap_err().field, "cluster.network.loss");
        c.network.loss = 0.1;
        c.timing.heartbeat_interval_ms = c.timing.election_timeout_min_ms;
        assert_eq!(
            c.validate().unwrap_err().field,
            "cluster.timing.heartbeat_interval_ms"
        );
    }
}
