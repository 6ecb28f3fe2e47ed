//! Multi-Paxos' switches: leader stability and how reads are served, each one people compare.

use serde::{Deserialize, Serialize};

use quorum_service::ReadMode;

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
    /// A deliberately broken variant, for the negative tests that show a check can fire; only
    /// with the `mutations` feature, never on the page or in `quorum-run`.
    #[cfg(feature = "mutations")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutation: Option<Mutation>,
}

/// Deliberately broken Multi-Paxos variants (see [`PaxosOptions::mutation`]).
#[cfg(feature = "mutations")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mutation {
    /// An acceptor that accepts whatever its promise (and so lowers it): "Paxos Made Simple"
    /// P1a broken, which the promise check must catch from the votes the checker derives.
    AcceptorIgnoresPromise,
    /// A leader that announces its own learned prefix as stable, ignoring servers behind it:
    /// they lose slots nobody can send them again, which the compaction tests must notice.
    CompactsPastLaggards,
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
            #[cfg(feature = "mutations")]
            mutation: None,
        }
    }
}
