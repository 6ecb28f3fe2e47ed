//! Why a Raft server sent a message: the rule of the paper's Figure 2 (or of a refinement) that
//! fired, with the values it decided on that the message itself does not carry. The page puts
//! them in words; the tests check one per rule.

use serde::Serialize;

use quorum_core::NodeId;

/// A log's last entry, as the election restriction compares logs (§5.4.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct LogPosition {
    /// Its term (0 for an empty log).
    pub term: u64,
    /// Its index (0 for an empty log).
    pub index: u64,
}

/// What a server decided about a vote or a pre-vote, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteVerdict {
    /// Every condition held.
    Granted,
    /// The candidate's term is older than the voter's (for a pre-vote: not newer).
    StaleTerm,
    /// The voter already voted for another candidate in this term.
    AlreadyVoted,
    /// The candidate's log is less up to date than the voter's (§5.4.1).
    LogBehind,
    /// The voter heard from a live leader less than an election timeout ago and will not help
    /// replace it (PreVote §9.6, CheckQuorum's disruption guard §4.2.3).
    LeaderAlive,
}

/// A vote or pre-vote decision with the values it was made on (Figure 2, RequestVote receiver).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct VoteDecision {
    /// The verdict.
    pub verdict: VoteVerdict,
    /// The term the candidate asked for.
    pub candidate_term: u64,
    /// The voter's term when the request arrived.
    pub voter_term: u64,
    /// The candidate's last entry.
    pub candidate_last: LogPosition,
    /// The voter's last entry.
    pub voter_last: LogPosition,
    /// Whom the voter had voted for in the candidate's term before this request, if anyone.
    pub voted_for: Option<NodeId>,
}

/// What made a leader send AppendEntries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicateTrigger {
    /// It just won its election: the first heartbeat asserts its leadership.
    Elected,
    /// Its heartbeat timer fired: idle followers must hear from it before they time out.
    HeartbeatTimer,
    /// A new entry (a client's command or a configuration change) joined its log.
    NewEntry,
    /// A read by ReadIndex needs a heartbeat round to confirm the leadership (§6.4).
    ReadIndex,
    /// The follower acknowledged a batch and more entries remain.
    MoreToSend,
    /// The follower's log did not match: retry from an earlier index (§5.3, with the fast
    /// backup by conflicting term).
    Backup,
}

/// How a follower answered AppendEntries or InstallSnapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum AppendVerdict {
    /// Its log now holds the leader's entries up to the reply's match index.
    Stored,
    /// It has no entry at the leader's prevLogIndex (its log ends at `last_index`).
    MissingPrevious {
        /// The follower's last index.
        last_index: u64,
    },
    /// Its entry at prevLogIndex is of another term than the leader's (Log Matching, §5.3).
    TermMismatch {
        /// prevLogIndex.
        index: u64,
        /// The follower's entry's term there.
        mine: u64,
        /// The leader's prevLogTerm.
        leaders: u64,
    },
    /// The sender leads an older term than the follower's: it is told the newer term.
    StaleLeader,
    /// It received the leader's snapshot up to `index` (§7, InstallSnapshot receiver):
    /// `installed` when the snapshot replaced its state, or not when its own committed log
    /// already reached that far (the snapshot is then ignored).
    Snapshot {
        /// The snapshot's last index.
        index: u64,
        /// It replaced the follower's state.
        installed: bool,
    },
}

/// Why a Raft server sent a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum RaftWhy {
    /// Its election timer ran out without a leader heard: with PreVote on, it first asks
    /// whether it could win `next_term` without raising its own term (§9.6).
    PreVoteCampaign {
        /// The term it would run for.
        next_term: u64,
    },
    /// It starts an election for `term` (Figure 2, Candidates): its election timer ran out, or
    /// a majority granted its pre-vote.
    Campaign {
        /// The new term.
        term: u64,
        /// A majority granted the pre-vote first.
        after_pre_vote: bool,
    },
    /// Its answer to a pre-vote (§9.6).
    PreVoteAnswer(Box<VoteDecision>),
    /// Its answer to a vote request (Figure 2, RequestVote receiver; §5.4.1).
    VoteAnswer(Box<VoteDecision>),
    /// A leader replicating (Figure 2, Leaders): entries from `next_index` on, or none (a
    /// heartbeat) when the follower has them all.
    Replicate {
        /// What made it send.
        trigger: ReplicateTrigger,
        /// The follower's nextIndex.
        next_index: u64,
    },
    /// The follower needs entries the leader has compacted away: it gets the snapshot (§7).
    SendSnapshot {
        /// The follower's nextIndex.
        next_index: u64,
    },
    /// A follower's answer to AppendEntries or InstallSnapshot (Figure 2, AppendEntries
    /// receiver).
    AppendAnswer(AppendVerdict),
}
