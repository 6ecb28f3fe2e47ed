//! Why a Multi-Paxos server sent a message: the phase and rule that fired, with the values it
//! decided on that the message itself does not carry. The page puts them in words; the tests
//! check one per rule.

use serde::Serialize;

use crate::ballot::Ballot;
use quorum_core::NodeId;

/// What made a server start phase 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrepareTrigger {
    /// Its election timer ran out without a leader heard (or its own phase 1 stalled).
    TimerExpired,
    /// A majority answered its probe: they lost the leader too.
    ProbeMajority,
    /// Without a stable leader every server proposes for itself: a client request waits.
    ClientWaiting,
}

/// What made a leader propose a value for a slot (phase 2a).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposeTrigger {
    /// A client's command.
    NewCommand,
    /// Phase 1 found the slot's value accepted in an earlier ballot: the new leader must
    /// propose that value, not its own (the heart of Paxos' safety).
    Recovered,
    /// Phase 1 found nothing accepted in a slot below the highest one reported: a no-op fills
    /// the gap so later slots can apply.
    GapFilled,
    /// Some acceptors had not answered within a heartbeat interval: asked again.
    Resend,
}

/// In which phase a refusal came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusedIn {
    /// A prepare (phase 1a).
    Prepare,
    /// An accept (phase 2a).
    Accept,
    /// A heartbeat.
    Heartbeat,
}

/// Why a Multi-Paxos server sent a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PaxosWhy {
    /// It heard no leader for an election timeout and asks whether a majority lost it too
    /// before raising a ballot (the counterpart of Raft's PreVote).
    Probe,
    /// Its answer to a probe: granted unless it still hears a live leader.
    ProbeAnswer {
        /// The leader it still hears, if any.
        leader: Option<NodeId>,
    },
    /// Phase 1a with a ballot above every ballot it has seen.
    Prepare {
        /// What started it.
        trigger: PrepareTrigger,
    },
    /// Phase 1b: the ballot is at least the acceptor's promise, so it promises it and reports
    /// what it accepted.
    Promise {
        /// The promise it held before.
        previously: Ballot,
    },
    /// A refusal: the ballot is below the acceptor's promise (in the message) — the proposer
    /// was preempted.
    Refuse {
        /// To what.
        phase: RefusedIn,
    },
    /// Phase 2a for a slot.
    Accept {
        /// Why this value in this slot.
        trigger: ProposeTrigger,
    },
    /// Phase 2b: the ballot is at least the acceptor's promise, so it accepts the value.
    Accepted {
        /// The promise it held before.
        previously: Ballot,
    },
    /// The leader's heartbeat: it still leads, and this is what is chosen.
    Heartbeat,
    /// A follower acknowledges the leader's heartbeat with how far it has learned.
    HeartbeatAck,
    /// The replica acknowledged less than is chosen: the leader sends it the chosen values it
    /// lacks.
    CatchUp {
        /// How far the replica had learned.
        learned: u64,
    },
}
