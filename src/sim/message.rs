//! What travels on the simulated network: addresses, payloads and the envelope that carries a
//! payload with its timing, so the view can place it anywhere between send and delivery.

use serde::{Deserialize, Serialize};

use super::time::Time;
use super::NodeId;
use crate::kv::{ClientCommand, KvResult};
use crate::paxos::PaxosMsg;
use crate::raft::RaftMsg;

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

/// Everything a message can carry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Payload {
    /// Raft's RPCs between servers.
    Raft(RaftMsg),
    /// Multi-Paxos messages between servers.
    Paxos(PaxosMsg),
    /// A client request (or one forwarded between servers).
    Request(ClientRequest),
    /// A server's answer to a client.
    Reply(ClientReply),
    /// The balancer's health check.
    Ping,
    /// A server's answer to a health check.
    Pong,
}

/// Every message kind as the page and scenario files name it (see [`Payload::kind`]).
pub const MESSAGE_KINDS: [&str; 22] = [
    "RequestVote",
    "RequestVoteReply",
    "PreVote",
    "PreVoteReply",
    "AppendEntries",
    "Heartbeat",
    "AppendEntriesReply",
    "InstallSnapshot",
    "Prepare",
    "Promise",
    "Accept",
    "Accepted",
    "Nack",
    "PaxosHeartbeat",
    "PaxosHeartbeatAck",
    "Learn",
    "Probe",
    "ProbeReply",
    "ClientRequest",
    "ClientReply",
    "HealthCheck",
    "HealthReply",
];

/// Bytes every message carries before its body in the size model: sender, receiver, kind and
/// a term or ballot (8 + 8 + 1 + 8, rounded up).
pub const HEADER_BYTES: u64 = 32;

/// Size of a client command on the wire: session, sequence number and the operation.
pub fn command_bytes(c: &crate::kv::ClientCommand) -> u64 {
    16 + c.op.wire_bytes()
}

/// The message kinds the servers of `protocol` exchange, with the client and health-check kinds
/// both protocols share (for faults on one kind).
pub fn kinds_of(protocol: crate::sim::config::ProtocolKind) -> Vec<&'static str> {
    // MESSAGE_KINDS lists Raft's eight first, then Multi-Paxos' ten, then the shared four.
    let (raft, rest) = MESSAGE_KINDS.split_at(8);
    let (paxos, shared) = rest.split_at(10);
    let own = match protocol {
        crate::sim::config::ProtocolKind::Raft => raft,
        crate::sim::config::ProtocolKind::MultiPaxos => paxos,
    };
    own.iter().chain(shared).copied().collect()
}

impl Payload {
    /// Its size in the simple model used for "bytes per kind": [`HEADER_BYTES`] plus 8 bytes per
    /// number field and the commands, values or snapshot it carries.
    pub fn size_bytes(&self) -> u64 {
        HEADER_BYTES
            + match self {
                Payload::Raft(m) => m.body_bytes(),
                Payload::Paxos(m) => m.body_bytes(),
                Payload::Request(r) => 2 + command_bytes(&r.command),
                Payload::Reply(_) => 16 + 9,
                Payload::Ping | Payload::Pong => 0,
            }
    }

    /// The message type as people name it, e.g. `AppendEntries`, `Heartbeat`, `ClientRequest`.
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Raft(m) => m.kind(),
            Payload::Paxos(m) => m.kind(),
            Payload::Request(_) => "ClientRequest",
            Payload::Reply(_) => "ClientReply",
            Payload::Ping => "HealthCheck",
            Payload::Pong => "HealthReply",
        }
    }

    /// True for answers (drawn hollow).
    pub fn is_reply(&self) -> bool {
        match self {
            Payload::Raft(m) => m.is_reply(),
            Payload::Paxos(m) => m.is_reply(),
            Payload::Request(_) | Payload::Ping => false,
            Payload::Reply(_) | Payload::Pong => true,
        }
    }

    /// For replies: whether the answer is positive (vote granted, entries accepted, done).
    pub fn success(&self) -> Option<bool> {
        match self {
            Payload::Raft(m) => m.success(),
            Payload::Paxos(m) => m.success(),
            Payload::Request(_) | Payload::Ping => None,
            Payload::Reply(r) => Some(matches!(r.outcome, ReplyOutcome::Done { .. })),
            Payload::Pong => Some(true),
        }
    }

    /// A one-line summary of the fields, for tooltips and the event feed.
    pub fn summary(&self) -> String {
        match self {
            Payload::Raft(m) => m.summary(),
            Payload::Paxos(m) => m.summary(),
            Payload::Request(r) => format!(
                "{} (client {} #{}, reply to {})",
                r.command.op.describe(),
                r.command.session,
                r.command.seq,
                r.reply_to.label()
            ),
            Payload::Ping => "are you alive?".to_string(),
            Payload::Pong => "alive".to_string(),
            Payload::Reply(r) => match &r.outcome {
                ReplyOutcome::Done { result } => {
                    format!("client {} #{}: {}", r.session, r.seq, result.describe())
                }
                ReplyOutcome::NotLeader { leader_hint } => format!(
                    "client {} #{}: not leader{}",
                    r.session,
                    r.seq,
                    leader_hint
                        .map(|l| format!(", try S{l}"))
                        .unwrap_or_default()
                ),
            },
        }
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossCause {
    /// Random loss on the link.
    Loss,
    /// The link was cut.
    Cut,
    /// A person dropped it.
    Dropped,
    /// It arrived at a crashed node.
    ReceiverDown,
}

impl LossCause {
    /// Plain words for the feed.
    pub fn describe(&self) -> &'static str {
        match self {
            LossCause::Loss => "lost in the network",
            LossCause::Cut => "stopped at a cut link",
            LossCause::Dropped => "dropped by hand",
            LossCause::ReceiverDown => "arrived at a crashed server",
        }
    }
}

/// A message with its route and timing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique id.
    pub id: MsgId,
    /// Sender.
    pub from: Addr,
    /// Receiver.
    pub to: Addr,
    /// Contents.
    pub payload: Payload,
    /// When it left the sender.
    pub sent_at: Time,
    /// When it reaches (or would have reached) the receiver.
    pub deliver_at: Time,
    /// If it is doomed: when and why it dies (it dies at `dies_at`, somewhere along the link).
    pub doom: Option<(Time, LossCause)>,
    /// Set on the extra copy made by duplication.
    pub duplicate: bool,
}

impl Envelope {
    /// The instant this message leaves the network, delivered or not.
    pub fn ends_at(&self) -> Time {
        self.doom.map_or(self.deliver_at, |(t, _)| t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::ProtocolKind;

    #[test]
    fn each_protocol_has_its_own_kinds_and_the_shared_ones() {
        let raft = kinds_of(ProtocolKind::Raft);
        let paxos = kinds_of(ProtocolKind::MultiPaxos);
        assert!(raft.contains(&"AppendEntriesReply") && !raft.contains(&"Prepare"));
        assert!(paxos.contains(&"ProbeReply") && !paxos.contains(&"Heartbeat"));
        for shared in ["ClientRequest", "ClientReply", "HealthCheck", "HealthReply"] {
            assert!(raft.contains(&shared) && paxos.contains(&shared));
        }
        assert_eq!(raft.len() + paxos.len() - 4, MESSAGE_KINDS.len());
    }
}
