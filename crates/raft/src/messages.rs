//! Raft's RPCs (paper Figure 2), with the conflict hint of §5.3 on AppendEntries replies.

use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::log::Entry;
use super::snapshot::Snapshot;

/// A candidate's request for a vote, or a would-be candidate's PreVote (Figure 2, RequestVote
/// arguments).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VoteRequest {
    /// The candidate's term (for a PreVote: the term it would campaign in, its term + 1).
    pub term: u64,
    /// Index of the candidate's last entry.
    pub last_log_index: u64,
    /// Term of the candidate's last entry.
    pub last_log_term: u64,
}

/// The answer to a vote request or a PreVote (Figure 2, RequestVote results).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VoteReply {
    /// The voter's current term.
    pub term: u64,
    /// Whether the vote was (or would be) granted.
    pub granted: bool,
}

/// The leader replicates entries, none for a heartbeat (Figure 2, AppendEntries arguments).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AppendEntries {
    /// Leader's term.
    pub term: u64,
    /// Index of the entry just before the new ones.
    pub prev_log_index: u64,
    /// Term of that entry.
    pub prev_log_term: u64,
    /// The entries to store (possibly none).
    pub entries: Vec<Entry>,
    /// Leader's commit index.
    pub leader_commit: u64,
    /// The leader's heartbeat round when sent; echoed back, it confirms leadership for reads.
    pub round: u64,
}

/// The leader sends its snapshot to a follower that needs entries it has discarded (§7).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InstallSnapshot {
    /// Leader's term.
    pub term: u64,
    /// The snapshot.
    pub snapshot: Arc<Snapshot>,
    /// The leader's heartbeat round when sent.
    pub round: u64,
}

/// The answer to AppendEntries or InstallSnapshot (Figure 2, AppendEntries results, with the
/// conflict hint of §5.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AppendEntriesReply {
    /// Follower's term.
    pub term: u64,
    /// Whether the entries were stored.
    pub success: bool,
    /// On success: the last index now known to match the leader's log.
    pub match_index: u64,
    /// On failure: where the leader should try next (fast backup hint).
    pub conflict_index: u64,
    /// On failure: the term of the follower's conflicting entry, if any.
    pub conflict_term: Option<u64>,
    /// The round of the AppendEntries answered.
    pub round: u64,
}

/// A message between Raft servers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RaftMsg {
    /// A candidate asks for a vote.
    RequestVote(VoteRequest),
    /// A would-be candidate asks whether a vote *would* be granted, without anyone changing
    /// their term (PreVote, dissertation §9.6).
    PreVote(VoteRequest),
    /// The answer to a PreVote.
    PreVoteReply(VoteReply),
    /// The answer to a vote request.
    RequestVoteReply(VoteReply),
    /// The leader replicates entries (none: a heartbeat).
    AppendEntries(AppendEntries),
    /// The leader sends its snapshot to a follower that needs entries it has discarded (§7).
    /// Answered with an AppendEntriesReply.
    InstallSnapshot(InstallSnapshot),
    /// The answer to AppendEntries.
    AppendEntriesReply(AppendEntriesReply),
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
            RaftMsg::RequestVote(_) | RaftMsg::PreVote(_) => 16,
            RaftMsg::PreVoteReply(_) | RaftMsg::RequestVoteReply(_) => 1,
            RaftMsg::AppendEntries(AppendEntries { entries, .. }) => {
                32 + entries.iter().map(entry).sum::<u64>()
            }
            RaftMsg::InstallSnapshot(InstallSnapshot { snapshot, .. }) => {
                32 + snapshot.kv.len() as u64 * 24 + 2 * snapshot.config.voters.len() as u64
            }
            RaftMsg::AppendEntriesReply(_) => 1 + 32,
        }
    }

    /// The message type as people name it (an empty AppendEntries is a heartbeat).
    pub fn kind(&self) -> &'static str {
        match self {
            RaftMsg::RequestVote(_) => "RequestVote",
            RaftMsg::PreVote(_) => "PreVote",
            RaftMsg::PreVoteReply(_) => "PreVoteReply",
            RaftMsg::RequestVoteReply(_) => "RequestVoteReply",
            RaftMsg::AppendEntries(AppendEntries { entries, .. }) if entries.is_empty() => {
                "Heartbeat"
            }
            RaftMsg::AppendEntries(_) => "AppendEntries",
            RaftMsg::InstallSnapshot(_) => "InstallSnapshot",
            RaftMsg::AppendEntriesReply(_) => "AppendEntriesReply",
        }
    }

    /// The sender's term.
    pub fn term(&self) -> u64 {
        match self {
            RaftMsg::RequestVote(VoteRequest { term, .. })
            | RaftMsg::PreVote(VoteRequest { term, .. })
            | RaftMsg::PreVoteReply(VoteReply { term, .. })
            | RaftMsg::RequestVoteReply(VoteReply { term, .. })
            | RaftMsg::AppendEntries(AppendEntries { term, .. })
            | RaftMsg::InstallSnapshot(InstallSnapshot { term, .. })
            | RaftMsg::AppendEntriesReply(AppendEntriesReply { term, .. }) => *term,
        }
    }

    /// True for replies.
    pub fn is_reply(&self) -> bool {
        matches!(
            self,
            RaftMsg::RequestVoteReply(_)
                | RaftMsg::PreVoteReply(_)
                | RaftMsg::AppendEntriesReply(_)
        )
    }

    /// For replies: granted / accepted.
    pub fn success(&self) -> Option<bool> {
        match self {
            RaftMsg::RequestVoteReply(VoteReply { granted, .. })
            | RaftMsg::PreVoteReply(VoteReply { granted, .. }) => Some(*granted),
            RaftMsg::AppendEntriesReply(AppendEntriesReply { success, .. }) => Some(*success),
            _ => None,
        }
    }

    /// A one-line summary of the fields.
    pub fn summary(&self) -> String {
        match self {
            RaftMsg::RequestVote(VoteRequest {
                term,
                last_log_index,
                last_log_term,
            }) => format!("term {term}, last entry {last_log_index} of term {last_log_term}"),
            RaftMsg::PreVote(VoteRequest {
                term,
                last_log_index,
                last_log_term,
            }) => format!("would you vote in term {term}? last entry {last_log_index} of term {last_log_term}"),
            RaftMsg::PreVoteReply(VoteReply { term, granted }) => format!(
                "term {term}, {}",
                if *granted { "would vote" } else { "would not vote" }
            ),
            RaftMsg::RequestVoteReply(VoteReply { term, granted }) => {
                format!("term {term}, {}", if *granted { "vote granted" } else { "vote refused" })
            }
            RaftMsg::AppendEntries(AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            }) => format!(
                "term {term}, after {prev_log_index}/{prev_log_term}, {} entr{}, commit {leader_commit}",
                entries.len(),
                if entries.len() == 1 { "y" } else { "ies" }
            ),
            RaftMsg::InstallSnapshot(InstallSnapshot { term, snapshot, .. }) => format!(
                "term {term}, snapshot up to index {} of term {} ({} keys)",
                snapshot.index,
                snapshot.term,
                snapshot.kv.len()
            ),
            RaftMsg::AppendEntriesReply(AppendEntriesReply {
                term,
                success,
                match_index,
                conflict_index,
                conflict_term,
                ..
            }) => {
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
