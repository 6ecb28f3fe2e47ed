//! Raft's switches: the refinements people like to turn on and off and compare.

use serde::{Deserialize, Serialize};

use quorum_core::error::FieldError;
use quorum_service::ReadMode;

/// Switches for the Raft servers, each a choice people like to compare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RaftOptions {
    /// A new leader appends a no-op entry of its term at once, so entries of earlier terms commit
    /// without waiting for a client (dissertation §6.4). Safe either way.
    pub noop_on_election: bool,
    /// Followers forward client requests to the leader they know; otherwise they answer
    /// "not leader" with a hint and the client retries there.
    pub forward_to_leader: bool,
    /// The most entries one AppendEntries carries.
    pub max_batch: usize,
    /// Before an election, ask whether a majority would vote at all, without raising the term
    /// (dissertation §9.6): a server that was cut off rejoins without disrupting the leader.
    pub pre_vote: bool,
    /// A leader that has not heard from a majority within an election timeout steps down; and a
    /// server that has heard from a leader that recently ignores vote requests (dissertation
    /// §6.2, §4.2.3). Lease reads rely on it.
    pub check_quorum: bool,
    /// How reads are served.
    pub read_mode: ReadMode,
    /// Snapshot the state machine and discard the log prefix every this many applied entries
    /// (0: never compact).
    pub snapshot_every: u64,
    /// A deliberately broken variant, for the negative tests that show a check can fire; only
    /// with the `mutations` feature (tests turn it on, so their scenario files may name one),
    /// never on the page or in `quorum-run`.
    #[cfg(feature = "mutations")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutation: Option<Mutation>,
}

/// Deliberately broken Raft variants (see [`RaftOptions::mutation`]).
#[cfg(feature = "mutations")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mutation {
    /// A Raft leader deaf to its followers' AppendEntries replies: it never learns that
    /// anything is replicated, so nothing new commits and no client is answered — safe, and
    /// stuck. The liveness check must say so.
    LeaderIgnoresAcks,
    /// A candidate declares itself leader without waiting for votes: two servers that time out
    /// together both lead the same term, which Election Safety (§5.2) must catch.
    CandidateWinsAlone,
}

impl Default for RaftOptions {
    fn default() -> Self {
        RaftOptions {
            noop_on_election: true,
            forward_to_leader: true,
            max_batch: 16,
            pre_vote: true,
            check_quorum: true,
            read_mode: ReadMode::ReadIndex,
            snapshot_every: 64,
            #[cfg(feature = "mutations")]
            mutation: None,
        }
    }
}

impl RaftOptions {
    /// Checks the options make sense; names the offending field otherwise.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        if self.max_batch == 0 {
            return Err(FieldError::new(
                format!("{path}.max_batch"),
                "must be at least 1",
            ));
        }
        Ok(())
    }
}
