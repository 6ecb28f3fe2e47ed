//! What travels on the simulated network: the one message type joining every protocol's wire and
//! the client traffic, and the envelope that carries a payload with its timing, so the view can place it anywhere between send and delivery.

use serde::{Deserialize, Serialize};

pub use quorum_core::ids::{Addr, ClientId, MsgId};
pub use quorum_core::network::LossCause;
pub use quorum_service::wire::command_bytes;
pub use quorum_service::{ClientReply, ClientRequest, ReadConsistency, ReplyOutcome};

use quorum_core::time::Time;
use quorum_paxos::PaxosMsg;
use quorum_raft::RaftMsg;
use quorum_service::{Traffic, Wire};

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

/// Every kind of message, as the page draws it and scenario files name it: Raft's eight, then
/// Multi-Paxos' ten, then the four both protocols share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MessageKind {
    /// `RequestVote`.
    RequestVote,
    /// `RequestVoteReply`.
    RequestVoteReply,
    /// `PreVote`.
    PreVote,
    /// `PreVoteReply`.
    PreVoteReply,
    /// `AppendEntries`.
    AppendEntries,
    /// `Heartbeat`.
    Heartbeat,
    /// `AppendEntriesReply`.
    AppendEntriesReply,
    /// `InstallSnapshot`.
    InstallSnapshot,
    /// `Prepare`.
    Prepare,
    /// `Promise`.
    Promise,
    /// `Accept`.
    Accept,
    /// `Accepted`.
    Accepted,
    /// `Nack`.
    Nack,
    /// `PaxosHeartbeat`.
    PaxosHeartbeat,
    /// `PaxosHeartbeatAck`.
    PaxosHeartbeatAck,
    /// `Learn`.
    Learn,
    /// `Probe`.
    Probe,
    /// `ProbeReply`.
    ProbeReply,
    /// `ClientRequest`.
    ClientRequest,
    /// `ClientReply`.
    ClientReply,
    /// `HealthCheck`.
    HealthCheck,
    /// `HealthReply`.
    HealthReply,
}

impl MessageKind {
    /// Every kind, in the order above.
    pub const ALL: [MessageKind; 22] = [
        MessageKind::RequestVote,
        MessageKind::RequestVoteReply,
        MessageKind::PreVote,
        MessageKind::PreVoteReply,
        MessageKind::AppendEntries,
        MessageKind::Heartbeat,
        MessageKind::AppendEntriesReply,
        MessageKind::InstallSnapshot,
        MessageKind::Prepare,
        MessageKind::Promise,
        MessageKind::Accept,
        MessageKind::Accepted,
        MessageKind::Nack,
        MessageKind::PaxosHeartbeat,
        MessageKind::PaxosHeartbeatAck,
        MessageKind::Learn,
        MessageKind::Probe,
        MessageKind::ProbeReply,
        MessageKind::ClientRequest,
        MessageKind::ClientReply,
        MessageKind::HealthCheck,
        MessageKind::HealthReply,
    ];

    /// The name people and scenario files use.
    pub const fn label(self) -> &'static str {
        match self {
            MessageKind::RequestVote => "RequestVote",
            MessageKind::RequestVoteReply => "RequestVoteReply",
            MessageKind::PreVote => "PreVote",
            MessageKind::PreVoteReply => "PreVoteReply",
            MessageKind::AppendEntries => "AppendEntries",
            MessageKind::Heartbeat => "Heartbeat",
            MessageKind::AppendEntriesReply => "AppendEntriesReply",
            MessageKind::InstallSnapshot => "InstallSnapshot",
            MessageKind::Prepare => "Prepare",
            MessageKind::Promise => "Promise",
            MessageKind::Accept => "Accept",
            MessageKind::Accepted => "Accepted",
            MessageKind::Nack => "Nack",
            MessageKind::PaxosHeartbeat => "PaxosHeartbeat",
            MessageKind::PaxosHeartbeatAck => "PaxosHeartbeatAck",
            MessageKind::Learn => "Learn",
            MessageKind::Probe => "Probe",
            MessageKind::ProbeReply => "ProbeReply",
            MessageKind::ClientRequest => "ClientRequest",
            MessageKind::ClientReply => "ClientReply",
            MessageKind::HealthCheck => "HealthCheck",
            MessageKind::HealthReply => "HealthReply",
        }
    }

    /// The kind a name stands for.
    pub fn of_label(label: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.label() == label)
    }
}

impl std::fmt::Display for MessageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Every message kind's name (see [`MessageKind`]).
pub const MESSAGE_KINDS: [&str; 22] = {
    let mut names = [""; 22];
    let mut i = 0;
    while i < names.len() {
        names[i] = MessageKind::ALL[i].label();
        i += 1;
    }
    names
};

/// Bytes every message carries before its body in the size model: sender, receiver, kind and
/// a term or ballot (8 + 8 + 1 + 8, rounded up).
pub const HEADER_BYTES: u64 = 32;

/// The message kinds the servers of `protocol` exchange, with the client and health-check kinds
/// both protocols share (for faults on one kind).
pub fn kinds_of(protocol: crate::config::ProtocolKind) -> Vec<&'static str> {
    // MESSAGE_KINDS lists Raft's eight first, then Multi-Paxos' ten, then the shared four.
    let (raft, rest) = MESSAGE_KINDS.split_at(8);
    let (paxos, shared) = rest.split_at(10);
    let own = match protocol {
        crate::config::ProtocolKind::Raft => raft,
        crate::config::ProtocolKind::MultiPaxos => paxos,
    };
    own.iter().chain(shared).copied().collect()
}

impl From<Traffic> for Payload {
    fn from(traffic: Traffic) -> Self {
        // Client traffic is a wire without peer messages.
        from_wire(
            Wire::<std::convert::Infallible>::from(traffic),
            |never| match never {},
        )
    }
}

/// Joins a server's wire into the network's messages, its peer messages wrapped by `peer`.
fn from_wire<P>(wire: Wire<P>, peer: impl FnOnce(P) -> Payload) -> Payload {
    match wire {
        Wire::Peer(m) => peer(m),
        Wire::Request(r) => Payload::Request(r),
        Wire::Reply(r) => Payload::Reply(r),
        Wire::Ping => Payload::Ping,
        Wire::Pong => Payload::Pong,
    }
}

impl From<Wire<RaftMsg>> for Payload {
    fn from(wire: Wire<RaftMsg>) -> Self {
        from_wire(wire, Payload::Raft)
    }
}

impl From<Wire<PaxosMsg>> for Payload {
    fn from(wire: Wire<PaxosMsg>) -> Self {
        from_wire(wire, Payload::Paxos)
    }
}

impl Payload {
    /// The message as a server whose peers speak `P` receives it; `None` for another protocol's
    /// peer message (which a server of this protocol ignores). `peer` picks out this protocol's.
    pub fn into_wire<P>(self, peer: impl FnOnce(Payload) -> Option<P>) -> Option<Wire<P>> {
        match self {
            Payload::Request(r) => Some(Wire::Request(r)),
            Payload::Reply(r) => Some(Wire::Reply(r)),
            Payload::Ping => Some(Wire::Ping),
            Payload::Pong => Some(Wire::Pong),
            other => peer(other).map(Wire::Peer),
        }
    }
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

    /// The message type as a [`MessageKind`]: a plain match, so the engine can fingerprint every
    /// delivery by it without hashing or comparing a name.
    pub fn message_kind(&self) -> MessageKind {
        let kind = match self {
            Payload::Raft(m) => match m {
                RaftMsg::RequestVote(_) => MessageKind::RequestVote,
                RaftMsg::PreVote(_) => MessageKind::PreVote,
                RaftMsg::PreVoteReply(_) => MessageKind::PreVoteReply,
                RaftMsg::RequestVoteReply(_) => MessageKind::RequestVoteReply,
                RaftMsg::AppendEntries(a) if a.entries.is_empty() => MessageKind::Heartbeat,
                RaftMsg::AppendEntries(_) => MessageKind::AppendEntries,
                RaftMsg::InstallSnapshot(_) => MessageKind::InstallSnapshot,
                RaftMsg::AppendEntriesReply(_) => MessageKind::AppendEntriesReply,
            },
            Payload::Paxos(m) => match m {
                PaxosMsg::Prepare { .. } => MessageKind::Prepare,
                PaxosMsg::Promise { .. } => MessageKind::Promise,
                PaxosMsg::Accept { .. } => MessageKind::Accept,
                PaxosMsg::Accepted { .. } => MessageKind::Accepted,
                PaxosMsg::Nack { .. } => MessageKind::Nack,
                PaxosMsg::Heartbeat { .. } => MessageKind::PaxosHeartbeat,
                PaxosMsg::HeartbeatAck { .. } => MessageKind::PaxosHeartbeatAck,
                PaxosMsg::Learn { .. } => MessageKind::Learn,
                PaxosMsg::Probe { .. } => MessageKind::Probe,
                PaxosMsg::ProbeReply { .. } => MessageKind::ProbeReply,
            },
            Payload::Request(_) => MessageKind::ClientRequest,
            Payload::Reply(_) => MessageKind::ClientReply,
            Payload::Ping => MessageKind::HealthCheck,
            Payload::Pong => MessageKind::HealthReply,
        };
        debug_assert_eq!(kind.label(), self.kind(), "the kind's label is its name");
        kind
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

/// A message with its route, timing and reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    /// Why its sender sent it (held inline: a shared pointer cost an allocation per message,
    /// and a cause is a few words).
    pub why: crate::why::Cause,
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
    use crate::config::ProtocolKind;

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
