//! The names of things on the simulated network: servers, clients, messages and the addresses
//! messages travel between. Every layer above speaks of them, so they live at the bottom.

use serde::{Deserialize, Serialize};

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

/// Identifies one message for the whole run.
pub type MsgId = u64;

/// Identifies a client actor (one drawn client; its history sessions change after an `info`).
pub type ClientId = u32;

/// An endpoint on the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Addr {
    /// A server, `S1`…
    Server(NodeId),
    /// A client actor, `C1`…
    Client(ClientId),
    /// The load balancer between the clients and the servers.
    Balancer,
}

impl Addr {
    /// The label people see: `S3` or `C1`.
    pub fn label(&self) -> String {
        match self {
            Addr::Server(n) => format!("S{n}"),
            Addr::Client(c) => format!("C{c}"),
            Addr::Balancer => "LB".to_string(),
        }
    }

    /// The server id, when this is a server.
    pub fn server(&self) -> Option<NodeId> {
        match self {
            Addr::Server(n) => Some(*n),
            Addr::Client(_) | Addr::Balancer => None,
        }
    }
}
