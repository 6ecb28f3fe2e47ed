//! What Multi-Paxos servers say to each other, and the values they agree on.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ballot::Ballot;
use quorum_core::digest::digest_of;
use quorum_service::kv::ClientCommand;

/// The value of one slot of the replicated log.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SlotValue {
    /// Fills a gap a new leader found: a slot nobody reported a value for.
    Noop,
    /// A client's command.
    Kv {
        /// The command, shared between copies.
        command: Arc<ClientCommand>,
    },
}

impl SlotValue {
    /// Short text for the slot matrix and the feed.
    pub fn describe(&self) -> String {
        match self {
            SlotValue::Noop => "no-op".to_string(),
            SlotValue::Kv { command } => command.op.describe(),
        }
    }

    /// A digest of the value, for the checks (equal values, equal digests).
    pub fn digest(&self) -> u64 {
        digest_of(self)
    }
}

/// One slot's value as carried in a message: (slot, value).
pub type SlotEntry = (u64, SlotValue);

/// A value an acceptor reports in its promise: (slot, ballot it was accepted in, value).
pub type ReportedValue = (u64, Ballot, SlotValue);

/// Multi-Paxos messages ("Paxos Made Simple" §2.2 for phases 1 and 2, §3 for the rest).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PaxosMsg {
    /// Phase 1a: "promise me `ballot` for every slot from `from_slot` on".
    Prepare {
        /// The proposer's ballot.
        ballot: Ballot,
        /// The first slot the proposer does not know chosen.
        from_slot: u64,
    },
    /// Phase 1b: the promise, with every value accepted from `from_slot` on.
    Promise {
        /// The ballot promised.
        ballot: Ballot,
        /// Values accepted at or after the prepare's first slot.
        accepted: Vec<ReportedValue>,
    },
    /// Phase 2a: "accept `value` in `slot` in `ballot`"; also tells how far the leader knows the
    /// log chosen, so acceptors learn.
    Accept {
        /// The leader's ballot.
        ballot: Ballot,
        /// The slot.
        slot: u64,
        /// The proposed value.
        value: SlotValue,
        /// Every slot up to this one is chosen (the leader's learned prefix).
        chosen: u64,
    },
    /// Phase 2b: the value was accepted.
    Accepted {
        /// The ballot accepted in.
        ballot: Ballot,
        /// The slot.
        slot: u64,
    },
    /// The answer to a prepare, accept or heartbeat below the acceptor's promise.
    Nack {
        /// The ballot refused.
        ballot: Ballot,
        /// The acceptor's promise, for the proposer to go above.
        promised: Ballot,
    },
    /// The leader is alive; every slot up to `chosen` is chosen, and every server has learned
    /// up to `stable`, so slots up to there may be compacted.
    Heartbeat {
        /// The leader's ballot.
        ballot: Ballot,
        /// The leader's learned prefix.
        chosen: u64,
        /// The lowest learned prefix of all servers, as far as the leader knows.
        stable: u64,
        /// The heartbeat round, acknowledged back to prove leadership for reads.
        round: u64,
    },
    /// A server's answer to a heartbeat: how far it has learned, so the leader can catch it up.
    HeartbeatAck {
        /// The leader's ballot being answered.
        ballot: Ballot,
        /// The server's learned prefix.
        learned: u64,
        /// The chosen prefix the heartbeat announced: a server below it is missing values it
        /// cannot learn from its own acceptor (slots announced since are on their way anyway).
        announced: u64,
        /// The heartbeat round answered.
        round: u64,
    },
    /// Before raising its ballot: "have you lost the leader too?" (Raft's PreVote, for Paxos).
    Probe {
        /// The highest ballot the prober has seen (it would prepare above it).
        ballot: Ballot,
    },
    /// The answer to a probe: whether this server would promise a new ballot now.
    ProbeReply {
        /// The probe's ballot, echoed.
        ballot: Ballot,
        /// True when this server hears no live leader either.
        granted: bool,
    },
    /// Catch-up: chosen values a replica missed.
    Learn {
        /// The sender's ballot (leader), for the receiver's bookkeeping.
        ballot: Ballot,
        /// Chosen slots and their values, in slot order.
        entries: Vec<SlotEntry>,
    },
}

impl PaxosMsg {
    /// Body size in the message size model (the cluster adds the header).
    pub fn body_bytes(&self) -> u64 {
        let value = |v: &SlotValue| match v {
            SlotValue::Noop => 1,
            SlotValue::Kv { command } => 1 + quorum_service::wire::command_bytes(command),
        };
        match self {
            PaxosMsg::Prepare { .. } => 8,
            PaxosMsg::Promise { accepted, .. } => {
                8 + accepted.iter().map(|(_, _, v)| 16 + value(v)).sum::<u64>()
            }
            PaxosMsg::Accept { value: v, .. } => 16 + value(v),
            PaxosMsg::Accepted { .. } => 8,
            PaxosMsg::Nack { .. } => 8,
            PaxosMsg::Heartbeat { .. } => 24,
            PaxosMsg::HeartbeatAck { .. } => 24,
            PaxosMsg::Learn { entries, .. } => entries.iter().map(|(_, v)| 8 + value(v)).sum(),
            PaxosMsg::Probe { .. } => 8,
            PaxosMsg::ProbeReply { .. } => 9,
        }
    }

    /// The message type as people name it.
    pub fn kind(&self) -> &'static str {
        match self {
            PaxosMsg::Prepare { .. } => "Prepare",
            PaxosMsg::Promise { .. } => "Promise",
            PaxosMsg::Accept { .. } => "Accept",
            PaxosMsg::Accepted { .. } => "Accepted",
            PaxosMsg::Nack { .. } => "Nack",
            PaxosMsg::Heartbeat { .. } => "PaxosHeartbeat",
            PaxosMsg::HeartbeatAck { .. } => "PaxosHeartbeatAck",
            PaxosMsg::Learn { .. } => "Learn",
            PaxosMsg::Probe { .. } => "Probe",
            PaxosMsg::ProbeReply { .. } => "ProbeReply",
        }
    }

    /// The ballot the message is about.
    pub fn ballot(&self) -> Ballot {
        match self {
            PaxosMsg::Prepare { ballot, .. }
            | PaxosMsg::Promise { ballot, .. }
            | PaxosMsg::Accept { ballot, .. }
            | PaxosMsg::Accepted { ballot, .. }
            | PaxosMsg::Nack { ballot, .. }
            | PaxosMsg::Heartbeat { ballot, .. }
            | PaxosMsg::HeartbeatAck { ballot, .. }
            | PaxosMsg::Learn { ballot, .. }
            | PaxosMsg::Probe { ballot }
            | PaxosMsg::ProbeReply { ballot, .. } => *ballot,
        }
    }

    /// True for replies (drawn hollow).
    pub fn is_reply(&self) -> bool {
        matches!(
            self,
            PaxosMsg::Promise { .. }
                | PaxosMsg::Accepted { .. }
                | PaxosMsg::Nack { .. }
                | PaxosMsg::HeartbeatAck { .. }
                | PaxosMsg::ProbeReply { .. }
        )
    }

    /// For replies: positive or negative.
    pub fn success(&self) -> Option<bool> {
        match self {
            PaxosMsg::Promise { .. }
            | PaxosMsg::Accepted { .. }
            | PaxosMsg::HeartbeatAck { .. } => Some(true),
            PaxosMsg::Nack { .. } => Some(false),
            PaxosMsg::ProbeReply { granted, .. } => Some(*granted),
            _ => None,
        }
    }

    /// A one-line summary of the fields.
    pub fn summary(&self) -> String {
        match self {
            PaxosMsg::Prepare { ballot, from_slot } => {
                format!("ballot {ballot}, promise me every slot from {from_slot}")
            }
            PaxosMsg::Promise { ballot, accepted } => format!(
                "promise {ballot}; {} accepted value{} reported",
                accepted.len(),
                if accepted.len() == 1 { "" } else { "s" }
            ),
            PaxosMsg::Accept {
                ballot,
                slot,
                value,
                chosen,
            } => format!(
                "ballot {ballot}, slot {slot} ← {}, chosen up to {chosen}",
                value.describe()
            ),
            PaxosMsg::Accepted { ballot, slot } => format!("accepted slot {slot} in {ballot}"),
            PaxosMsg::Nack { ballot, promised } => {
                format!("refused {ballot}: already promised {promised}")
            }
            PaxosMsg::Heartbeat {
                ballot,
                chosen,
                stable,
                round,
            } => format!(
                "leader {ballot} alive (round {round}), chosen up to {chosen}, learned by all up to {stable}"
            ),
            PaxosMsg::HeartbeatAck {
                ballot,
                learned,
                announced,
                ..
            } => {
                if learned < announced {
                    format!("to {ballot}: learned up to {learned}, missing up to {announced}")
                } else {
                    format!("to {ballot}: learned up to {learned}")
                }
            }
            PaxosMsg::Probe { ballot } => {
                format!("could a ballot above {ballot} win? (no promise asked yet)")
            }
            PaxosMsg::ProbeReply { granted, .. } => {
                if *granted {
                    "yes: I hear no leader either".to_string()
                } else {
                    "no: my leader is alive".to_string()
                }
            }
            PaxosMsg::Learn { entries, .. } => match (entries.first(), entries.last()) {
                (Some((first, _)), Some((last, _))) => {
                    format!("chosen values of slots {first}–{last}")
                }
                _ => "no chosen values".to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_has_a_verdict_and_requests_have_none() {
        let b = Ballot::new(3, 2);
        let replies = [
            PaxosMsg::Promise {
                ballot: b,
                accepted: vec![],
            },
            PaxosMsg::Accepted { ballot: b, slot: 1 },
            PaxosMsg::Nack {
                ballot: b,
                promised: b,
            },
        ];
        assert!(replies
            .iter()
            .all(|m| m.is_reply() && m.success().is_some()));
        let prepare = PaxosMsg::Prepare {
            ballot: b,
            from_slot: 4,
        };
        assert!(!prepare.is_reply() && prepare.success().is_none());
        assert_eq!(
            prepare.summary(),
            "ballot 3.2, promise me every slot from 4"
        );
    }
}
