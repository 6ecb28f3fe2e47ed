//! Why a server sent what it sent: typed reasons the page renders in words. Each protocol has
//! its own rules ([`ServerWhy::Protocol`]); the answers every server gives to clients and the
//! balancer the same way, whatever its protocol, are here ([`ServiceWhy`]).

use serde::Serialize;

use quorum_core::NodeId;

/// How a read was answered outside the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadPath {
    /// ReadIndex: a heartbeat round confirmed the leadership after the read arrived, and the
    /// state machine had applied the commit index known then (Raft dissertation §6.4).
    ReadIndex,
    /// Lease: a majority acknowledged the leader recently enough that no other leader can
    /// exist yet, by the leader's own clock (§6.4.1).
    Lease,
}

/// Why a server answered a client or the balancer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ServiceWhy {
    /// The client's command was agreed at `index` and applied: the answer is its result.
    Applied {
        /// Where it was agreed (log index or slot).
        index: u64,
    },
    /// A read answered outside the log once it was safe to.
    ReadServed {
        /// How it was made safe.
        path: ReadPath,
        /// The commit index the read had to wait for (its read index).
        read_index: u64,
        /// The heartbeat round that confirmed the leadership.
        round: u64,
    },
    /// A retry of an operation already applied: the session table's recorded result
    /// (exactly-once semantics, Raft paper §8).
    SessionCached,
    /// Answered from this server's own state without asking anyone: a stale read, fast and
    /// unsafe (it may miss committed writes).
    StaleRead,
    /// Not the leader: the request goes on to the server believed to lead.
    Forwarded {
        /// Where to.
        leader: NodeId,
    },
    /// Not the leader (or no longer, or its slot went to another value): the client is told
    /// where to go, if this server knows.
    NotLeader {
        /// The leader it knows of.
        hint: Option<NodeId>,
    },
    /// Answer to the balancer's health check.
    HealthCheck,
}

/// Why a server of a protocol whose own reasons are `W` sent a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerWhy<W> {
    /// A rule every server follows the same way.
    Service(ServiceWhy),
    /// One of the protocol's rules.
    Protocol(W),
}
