//! Cluster configuration: how many servers, how their timers are set, how the network between
//! them behaves and each protocol's switches — the parts live with the crates they configure and
//! are joined here. Defaults follow the Raft paper (§5.2, §9.3): election timeouts of 150–300 ms
//! against one-way latencies around 10–20 ms and 50 ms heartbeats.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use quorum_core::error::FieldError;

pub use quorum_core::ids::{server_label, NodeId, MAX_SERVERS, MIN_SERVERS};
pub use quorum_core::network::{LatencyDistribution, LongDelay, NetworkConfig, MAX_DELAY_MS};
#[cfg(feature = "mutations")]
pub use quorum_paxos::Mutation as PaxosMutation;
pub use quorum_paxos::PaxosOptions;
#[cfg(feature = "mutations")]
pub use quorum_raft::Mutation;
pub use quorum_raft::RaftOptions;
pub use quorum_service::{ReadMode, Timing};

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
        // The names (and alias) the serde attributes above give, matched by hand: parsing
        // through a JSON value would put a second copy of the deserializer in the page.
        match name {
            "raft" => Ok(ProtocolKind::Raft),
            "multi_paxos" | "paxos" => Ok(ProtocolKind::MultiPaxos),
            _ => Err(FieldError::new(
                field,
                format!("{name:?} is not a protocol here (raft or multi_paxos)"),
            )),
        }
    }

    /// The name people see.
    pub fn label(&self) -> &'static str {
        match self {
            ProtocolKind::Raft => "Raft",
            ProtocolKind::MultiPaxos => "Multi-Paxos",
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

    /// Names typed by hand (URL, command line) mean what they mean in a scenario file.
    #[test]
    fn a_protocol_name_by_hand_reads_as_a_scenario_file_reads_it() {
        for name in ["raft", "multi_paxos", "paxos", "Raft", "multi-paxos", ""] {
            let by_hand = ProtocolKind::parse(name, "protocol").ok();
            let in_a_file = serde_json::from_str::<ProtocolKind>(&format!("\"{name}\"")).ok();
            assert_eq!(by_hand, in_a_file, "{name:?}");
        }
    }
}
