//! What clients, the load balancer and servers say to each other about the key-value service,
//! and the envelope type a server of any protocol speaks: its peer messages or that client
//! traffic. The cluster joins every protocol's wire into one message type for the network.

use serde::{Deserialize, Serialize};

use crate::kv::{ClientCommand, KvResult};
use quorum_core::{Addr, NodeId};

/// A client's request, sent to a server (and possibly forwarded to the leader).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientRequest {
    /// Where the answer must go.
    pub reply_to: Addr,
    /// The idempotent command.
    pub command: ClientCommand,
    /// How many times servers have forwarded it (bounded so it cannot loop).
    pub hops: u8,
    /// For a read: how consistent the answer must be.
    #[serde(default)]
    pub consistency: ReadConsistency,
}

/// How consistent a read must be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadConsistency {
    /// Linearizable, as the cluster serves reads (through the log, ReadIndex or lease).
    #[default]
    Linearizable,
    /// A lease read: the leader answers at once while its lease holds (safe only while clocks
    /// agree).
    Lease,
    /// Any replica answers from its own state: fast, and not linearizable.
    Stale,
}

/// How a server answers a client.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReplyOutcome {
    /// The command was committed and applied; here is its result.
    Done {
        /// The store's answer.
        result: KvResult,
    },
    /// This server cannot serve the request; try the hinted leader (or another server).
    NotLeader {
        /// The leader this server believes in, if any.
        leader_hint: Option<NodeId>,
    },
}

/// A server's answer to a client request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientReply {
    /// The session of the request answered.
    pub session: u64,
    /// The sequence number of the request answered.
    pub seq: u64,
    /// The answer.
    pub outcome: ReplyOutcome,
}

/// Client-side traffic: what clients and the balancer send and receive. Servers speak it too,
/// inside their [`Wire`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Traffic {
    /// A client request (or one forwarded by the balancer).
    Request(ClientRequest),
    /// A server's answer to a client.
    Reply(ClientReply),
    /// The balancer's health check.
    Ping,
    /// A server's answer to a health check.
    Pong,
}

/// What a server whose peers exchange `P` sends and receives: a peer message or client traffic.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Wire<P> {
    /// A message between servers of the protocol.
    Peer(P),
    /// A client request (or one forwarded between servers).
    Request(ClientRequest),
    /// A server's answer to a client.
    Reply(ClientReply),
    /// The balancer's health check.
    Ping,
    /// A server's answer to a health check.
    Pong,
}

impl<P> From<Traffic> for Wire<P> {
    fn from(traffic: Traffic) -> Self {
        match traffic {
            Traffic::Request(r) => Wire::Request(r),
            Traffic::Reply(r) => Wire::Reply(r),
            Traffic::Ping => Wire::Ping,
            Traffic::Pong => Wire::Pong,
        }
    }
}

/// Size of a client command on the wire: session, sequence number and the operation.
pub fn command_bytes(c: &ClientCommand) -> u64 {
    16 + c.op.wire_bytes()
}
