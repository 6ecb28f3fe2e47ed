//! Raft's RPCs (paper Figure 2), with the conflict hint of §5.3 on AppendEntries replies.

use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::log::Entry;
use super::snapshot::Snapshot;

/// A message between Raft servers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RaftMsg {
    /// A candidate asks for a vote.
    RequestVote {
        /// Candidate's term.
        term: u64,
        /// Index of the candidate's last entry.
        last_log_index: u64,
        /// Term of the candidate's last entry.
        last_log_term: u64,
    },
    /// A would-be candidate asks whether a vote *would* be granted, without anyone changing
    /// their term (PreVote, dissertation §9.6).
    PreVote {
        /// The term the sender would campaign in (its term + 1).
        term: u64,
        /// Index of its last entry.
        last_log_index: u64,
        /// Term of its last entry.
        last_log_term: u64,
    },
    /// The answer to a PreVote.
    PreVoteReply {
        /// Receiver's current term.
        term: u64,
        /// Whether it would vote.
        granted: bool,
    },
    /// The answer to a vote request.
    RequestVoteReply {
        /// Voter's term.
        term: u64,
        /// Whether the vote was granted.
        granted: bool,
    },
    /// The leader replicates entries (none: a heartbeat).
    AppendEntries {
        /// Leader's term.
        term: u64,
        /// Index of the entry just before the new ones.
        prev_log_index: u64,
        /// Term of that entry.
        prev_log_term: u64,
        /// The entries to store (possibly none).
        entries: Vec<Entry>,
        /// Leader's commit index.
        leader_commit: u64,
        /// The leader's heartbeat round when sent; echoed back, it confirms leadership for reads.
        round: u64,
    },
    /// The leader sends its snapshot to a follower that needs entries it has discarded (§7).
    /// Answered with an AppendEntriesReply.
    InstallSnapshot {
        /// Leader's term.
        term: u64,
        /// The snapshot.
        snapshot: Arc<Snapshot>,
        /// The leader's heartbeat round when sent.
        round: u64,
    },
    /// The answer to AppendEntries.
    AppendEntriesReply {
        /// Follower's term.
        term: u64,
        /// Whether the entries were stored.
        success: bool,
        /// On success: the last index now known to match the leader's log.
        match_index: u64,
        /// On failure: where the leader should try next (fast backup hint).
        conflict_index: u64,
        /// On failure: the term of the follower's conflicting entry, if any.
        conflict_term: Option<u64>,
        /// The round of the AppendEntries answered.
        round: u64,
    },
}

impl RaftMsg {
    /// Body size in the message size model (the cluster adds the header).
    pub fn body_bytes(&self) -> u64 {
        let entry = |e: &Entry| {
            8 + match &e.command {
                super::log::Command::Noop => 1,
                super::log::Command::Kv(c) => 1 + quorum_service::wire::command_bytes(c),
                super::log::Command::Config(m) => {
                    1 + 2 * (m.voters.len() + m.learners.len()) as u64
                }
            }
        };
        match self {
            RaftMsg::RequestVote { .. } | RaftMsg::PreVote { .. } => 16,
            RaftMsg::PreVoteReply { .. } | RaftMsg::RequestVoteReply { .. } => 1,
            RaftMsg::AppendEntries { entries, .. } => 32 + entries.iter().map(entry).sum::<u64>(),
            RaftMsg::InstallSnapshot { snapshot, .. } => {
                32 + snapshot.kv.len() as u64 * 24 + 2 * snapshot.config.voters.len() as u64
            }
            RaftMsg::AppendEntriesReply { .. } => 1 + 32,
        }
    }

    /// The message type as people name it (an empty AppendEntries is a heartbeat).
    pub fn kind(&self) -> &'static str {
        match self {
            RaftMsg::RequestVote { .. } => "RequestVote",
            RaftMsg::PreVote { .. } => "PreVote",
            RaftMsg::PreVoteReply { .. } => "PreVoteReply",
            RaftMsg::RequestVoteReply { .. } => "RequestVoteReply",
            RaftMsg::AppendEntries { entries, .. } if entries.is_empty() => "Heartbeat",
            RaftMsg::AppendEntries { .. } => "AppendEntries",
            RaftMsg::InstallSnapshot { .. } => "InstallSnapshot",
            RaftMsg::AppendEntriesReply { .. } => "AppendEntriesReply",
        }
    }

    /// The sender's term.
    pub fn term(&self) -> u64 {
        match self {
            RaftMsg::RequestVote { term, .. }
            | RaftMsg::PreVote { term, .. }
            | RaftMsg::PreVoteReply { term, .. }
            | RaftMsg::RequestVoteReply { term, .. }
            | RaftMsg::AppendEntries { term, .. }
            | RaftMsg::InstallSnapshot { term, .. }
            | RaftMsg::AppendEntriesReply { term, .. } => *term,
        }
    }

    /// True for replies.
    pub fn is_reply(&self) -> bool {
        matches!(
            self,
            RaftMsg::RequestVoteReply { .. }
                | RaftMsg::PreVoteReply { .. }
                | RaftMsg::AppendEntriesReply { .. }
        )
    }

    /// For replies: granted / accepted.
    pub fn success(&self) -> Option<bool> {
        match self {
            RaftMsg::RequestVoteReply { granted, .. } | RaftMsg::PreVoteReply { granted, .. } => {
                Some(*granted)
            }
            RaftMsg::AppendEntriesReply { success, .. } => Some(*success),
            _ => None,
        }
    }

    /// A one-line summary of the fields.
    pub fn summary(&self) -> String {
        match self {
            RaftMsg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => format!("term {term}, last entry {last_log_index} of term {last_log_term}"),
            RaftMsg::PreVote {
                term,
                last_log_index,
                last_log_term,
            } => format!("would you vote in term {term}? last entry {last_log_index} of term {last_log_term}"),
            RaftMsg::PreVoteReply { term, granted } => format!(
                "term {term}, {}",
                if *granted { "would vote" } else { "would not vote" }
            ),
            RaftMsg::RequestVoteReply { term, granted } => {
                format!("term {term}, {}", if *granted { "vote granted" } else { "vote refused" })
            }
            RaftMsg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            } => format!(
                "term {term}, after {prev_log_index}/{prev_log_term}, {} entr{}, commit {leader_commit}",
                entries.len(),
                if entries.len() == 1 { "y" } else { "ies" }
            ),
            RaftMsg::InstallSnapshot { term, snapshot, .. } => format!(
                "term {term}, snapshot up to index {} of term {} ({} keys)",
                snapshot.index,
                snapshot.term,
                snapshot.kv.len()
            ),
            RaftMsg::AppendEntriesReply {
                term,
                success,
                match_index,
                conflict_index,
                conflict_term,
                ..
            } => {
                if *success {
                    format!("term {term}, ok up to {match_index}")
                } else {
                    format!(
                        "term {term}, rejected; retry from {conflict_index}{}",
                        conflict_term.map(|t| format!(" (conflict in term {t})")).unwrap_or_default()
                    )
                }
            }
        }
    }
}
