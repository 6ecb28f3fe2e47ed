//! The preset scenarios shipped in `scenarios/`, compiled in so the page and the tests have them
//! without touching the file system.

use super::format::{parse_scenario, Scenario};
use quorum_core::error::FieldError;

/// A named preset.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// File stem, e.g. `leader-crash`.
    pub id: &'static str,
    /// The JSON text.
    pub json: &'static str,
}

const PRESETS: &[Preset] = &[
    Preset {
        id: "steady-state",
        json: include_str!("../../../scenarios/steady-state.json"),
    },
    Preset {
        id: "leader-crash",
        json: include_str!("../../../scenarios/leader-crash.json"),
    },
    Preset {
        id: "minority-partition",
        json: include_str!("../../../scenarios/minority-partition.json"),
    },
    Preset {
        id: "asymmetric-partition",
        json: include_str!("../../../scenarios/asymmetric-partition.json"),
    },
    Preset {
        id: "lossy-network",
        json: include_str!("../../../scenarios/lossy-network.json"),
    },
    Preset {
        id: "rolling-restarts",
        json: include_str!("../../../scenarios/rolling-restarts.json"),
    },
    Preset {
        id: "split-vote",
        json: include_str!("../../../scenarios/split-vote.json"),
    },
    Preset {
        id: "membership-change",
        json: include_str!("../../../scenarios/membership-change.json"),
    },
    Preset {
        id: "rejoin-with-prevote",
        json: include_str!("../../../scenarios/rejoin-with-prevote.json"),
    },
    Preset {
        id: "gray-failures",
        json: include_str!("../../../scenarios/gray-failures.json"),
    },
    Preset {
        id: "ring-of-majorities",
        json: include_str!("../../../scenarios/ring-of-majorities.json"),
    },
    Preset {
        id: "paxos-leader-crash",
        json: include_str!("../../../scenarios/paxos-leader-crash.json"),
    },
    Preset {
        id: "paxos-dueling-proposers",
        json: include_str!("../../../scenarios/paxos-dueling-proposers.json"),
    },
];

/// Every preset.
pub fn presets() -> &'static [Preset] {
    PRESETS
}

/// One preset, parsed.
pub fn preset(id: &str) -> Result<Scenario, FieldError> {
    let p = PRESETS
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| FieldError::new("preset", format!("there is no preset called {id:?}")))?;
    parse_scenario(p.json)
}

/// The standard benchmark workload: 5 servers (Raft unless the caller switches the protocol), 10
/// clients issuing 100 operations per second over 5 keys, checks and history on, for
/// `duration_ms` of virtual time.
pub fn standard_benchmark(duration_ms: u64) -> Scenario {
    Scenario {
        name: "standard benchmark".into(),
        description: "5 Raft servers, 100 client operations per second".into(),
        protocol: Default::default(),
        seed: 1,
        cluster: quorum_cluster::ClusterConfig::default(),
        workload: quorum_traffic::client::WorkloadConfig::standard(),
        schedule: Vec::new(),
        duration_ms,
        speed: None,
    }
}
