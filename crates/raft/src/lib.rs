//! A Raft server, following the paper (Ongaro & Ousterhout, "In Search of an Understandable
//! Consensus Algorithm", §5) and Ongaro's dissertation.
//!
//! - **Election (§5.2).** A follower that hears nothing from a leader for a randomized election
//!   timeout becomes a candidate: it increments its term, votes for itself and asks the others.
//!   A server grants at most one vote per term, and only to a candidate whose log is at least as
//!   up to date as its own (§5.4.1). A majority makes a leader.
//! - **Replication (§5.3).** The leader appends client commands to its log and sends them in
//!   batches with AppendEntries, which carries the index and term of the preceding entry; a
//!   follower accepts only if it has that entry, so logs that agree on one entry agree on all
//!   before it. On a mismatch the follower returns a conflict hint (the term it has there and the
//!   first index of that term) so the leader skips a whole term per round trip.
//! - **Commit (§5.4.2).** The leader counts replicas only for entries of its own term; entries of
//!   earlier terms commit indirectly. That is the lesson of Figure 8. With `noop_on_election` the
//!   new leader appends an empty entry at once so earlier entries commit without waiting.
//! - **Persistence (Figure 2).** Term, vote and log survive a crash; commit index, applied state,
//!   leader bookkeeping and timers do not: a restarted server re-applies the log as it learns the
//!   commit index again.
//! - **Clients (§8).** Commands carry a session and sequence number so a retry is applied once.
//!   Followers forward requests to the leader they know, or answer "not leader" with a hint.
//!
//! And what deployments add, each a switch: PreVote and CheckQuorum (`election.rs`), reads by
//! ReadIndex or lease instead of through the log (`quorum_service::reads`, `service.rs`), log compaction with
//! InstallSnapshot (`replication.rs`, `snapshot.rs`), and single-server membership change with
//! learners (`membership.rs`, `configuration.rs`).

mod configuration;
mod election;
mod log;
mod membership;
mod messages;
mod options;
mod replication;
mod service;
mod snapshot;
pub mod why;

use std::collections::{BTreeMap, BTreeSet};

pub use log::{Command, Entry, RaftLog};
pub use membership::{Membership, MembershipChange};
pub use messages::{
    AppendEntries, AppendEntriesReply, InstallSnapshot, RaftMsg, VoteReply, VoteRequest,
};
#[cfg(feature = "mutations")]
pub use options::Mutation;
pub use options::RaftOptions;
pub use quorum_service::reads::{PendingRead, ReadState};
pub use snapshot::Snapshot;

use std::sync::Arc;

use quorum_core::actor::{FeedEvent, Milestone};
use quorum_core::time::Time;
use quorum_core::{Addr, NodeId};
use quorum_service::kv::{ClientCommand, KvStore};
use quorum_service::{
    redirect_all, ClientRequest, PendingReplies, Protocol, ReadConsistency, Reconfigurable,
    Replica, ReplyOutcome, Role, ServerContext, ServerCtx, ServerWhy, ServiceWhy, TimerKind, Wire,
};

/// The context a Raft handler runs in: Raft's messages and switches.
pub type Ctx<'a> = ServerCtx<'a, RaftMsg, RaftOptions, why::RaftWhy>;

/// One Raft server.
#[derive(Clone, Debug)]
pub struct RaftNode {
    id: NodeId,
    // Persistent state (survives crashes).
    current_term: u64,
    voted_for: Option<NodeId>,
    log: RaftLog,
    /// The latest snapshot; the log starts where it ends.
    snapshot: Option<Arc<Snapshot>>,
    /// The configuration the cluster started with (before any configuration entry).
    initial: Membership,
    /// The configuration in force: the newest configuration entry in the log, else the
    /// snapshot's, else the initial one (derived from the persistent state).
    membership: Membership,
    // Volatile state.
    role: Role,
    leader: Option<NodeId>,
    commit_index: u64,
    last_applied: u64,
    kv: KvStore,
    votes: BTreeSet<NodeId>,
    /// Leader only: replication progress per peer.
    peers: BTreeMap<NodeId, Progress>,
    /// Leader only: clients owed an answer, by log index.
    pending: PendingReplies,
    /// When (own clock) this server last heard from a leader of its term.
    heard_from_leader_at: Option<Time>,
    /// When (own clock) this server became leader.
    leader_since: Time,
    /// Leader only: reads served outside the log.
    reads: ReadState,
    /// Leader only: the highest index of an earlier term already announced as waiting on a
    /// majority for an entry of this term (so the feed says it once).
    older_term_announced: u64,
    /// Leader only: removed servers still being told their removal is committed.
    departing: BTreeMap<NodeId, Departing>,
    /// Leader only: a membership change asked for before an entry of this term committed; it
    /// is proposed once one has (see `propose_membership`).
    deferred_change: Option<MembershipChange>,
}

/// What a leader tracks about one follower (Figure 2's nextIndex and matchIndex, plus the end of
/// the latest AppendEntries still unanswered, so only its answer sends the next batch: without it
/// every heartbeat would start another chain of batches to the same follower).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Progress {
    next: u64,
    matched: u64,
    /// Last index of the newest AppendEntries with entries not yet acknowledged (0: none).
    outstanding: u64,
    /// Highest heartbeat round the peer acknowledged (for reads).
    acked_round: u64,
    /// When (leader's clock) the peer last answered (for CheckQuorum).
    last_ack: Time,
}

/// A server a configuration removed, as its leader tracks it until it knows.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Departing {
    /// Index of the configuration entry that removed it.
    removed_at: u64,
    /// The heartbeat round whose AppendEntries first carried a commit index covering it.
    told_in_round: Option<u64>,
}

/// Per-peer replication progress as the leader sees it (for the view).
#[derive(Clone, Debug, PartialEq)]
pub struct PeerProgress {
    /// The peer.
    pub peer: NodeId,
    /// Next index to send it.
    pub next_index: u64,
    /// Highest index known replicated on it.
    pub match_index: u64,
}

impl RaftNode {
    /// A fresh server with an empty log, in a cluster that starts with configuration `initial`
    /// (a server added later starts with an empty one and learns its configuration from the log).
    pub fn new(id: NodeId, initial: Membership) -> Self {
        RaftNode {
            id,
            membership: initial.clone(),
            initial,
            current_term: 0,
            voted_for: None,
            log: RaftLog::new(),
            snapshot: None,
            role: Role::Follower,
            leader: None,
            commit_index: 0,
            last_applied: 0,
            kv: KvStore::new(),
            votes: BTreeSet::new(),
            peers: BTreeMap::new(),
            pending: PendingReplies::default(),
            heard_from_leader_at: None,
            leader_since: 0,
            reads: ReadState::default(),
            older_term_announced: 0,
            deferred_change: None,
            departing: BTreeMap::new(),
        }
    }

    /// This server's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The vote cast in the current term.
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    /// The leader this server currently believes in.
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    /// Votes received as a candidate.
    pub fn votes(&self) -> &BTreeSet<NodeId> {
        &self.votes
    }

    /// The log.
    pub fn log(&self) -> &RaftLog {
        &self.log
    }

    /// The applied key-value state.
    pub fn kv(&self) -> &KvStore {
        &self.kv
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_deref()
    }

    /// Read bookkeeping, when leader.
    pub fn read_state(&self) -> Option<&ReadState> {
        (self.role == Role::Leader).then_some(&self.reads)
    }

    /// Replication progress per peer, when leader.
    pub fn progress(&self) -> Vec<PeerProgress> {
        if self.role != Role::Leader {
            return Vec::new();
        }
        self.peers
            .iter()
            .map(|(&peer, p)| PeerProgress {
                peer,
                next_index: p.next,
                match_index: p.matched,
            })
            .collect()
    }

    /// Adopts a newer term seen in any message (§5.1): become follower, forget the vote.
    fn observe_term(&mut self, ctx: &mut Ctx<'_>, term: u64) {
        if term > self.current_term {
            let (was, old_term) = (self.role, self.current_term);
            self.current_term = term;
            self.voted_for = None;
            self.leader = None;
            if self.role != Role::Follower {
                self.become_follower(ctx);
                match was {
                    Role::Leader => ctx.announce(
                        FeedEvent::LeaderDeposed,
                        format!("S{} saw term {term} and stepped down", self.id),
                    ),
                    Role::Candidate => ctx.announce(
                        FeedEvent::ElectionLost,
                        format!(
                            "S{} lost its election for term {old_term}: it saw term {term}",
                            self.id
                        ),
                    ),
                    Role::PreCandidate | Role::Follower => {}
                }
            }
        }
    }

    fn become_follower(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(change) = self.deferred_change.take() {
            ctx.note(format!(
                "S{} no longer leads; the change it was waiting to propose ({}) is dropped",
                self.id,
                change.describe()
            ));
        }
        self.role = Role::Follower;
        self.votes.clear();
        self.peers.clear();
        self.departing.clear();
        ctx.cancel_timer(TimerKind::Heartbeat);
        ctx.restart_election_timer();
        // Clients waiting on this server will hear nothing: tell them where to go instead.
        let waiting = self
            .pending
            .take_all()
            .map(|p| (p.reply_to, p.session, p.seq))
            .chain(
                std::mem::take(&mut self.reads.pending)
                    .into_iter()
                    .map(|r| (r.reply_to, r.session, r.seq)),
            );
        redirect_all(ctx, waiting, self.leader);
    }
}

impl Replica for RaftNode {
    fn term(&self) -> u64 {
        self.current_term
    }
    fn role(&self) -> Role {
        self.role
    }
    fn commit_index(&self) -> u64 {
        self.commit_index
    }
    fn applied_index(&self) -> u64 {
        self.last_applied
    }
    fn last_index(&self) -> u64 {
        self.log.last_index()
    }
    fn entry_term(&self, index: u64) -> Option<u64> {
        self.log.term_at(index)
    }
    fn prefix_digest(&self, index: u64) -> Option<u64> {
        self.log.prefix_digest(index)
    }
    fn take_log_changes(&mut self) -> Option<u64> {
        self.log.take_changes()
    }
    fn kv_digest(&self) -> u64 {
        self.kv.digest()
    }
    fn log_start(&self) -> u64 {
        self.log.snapshot_index()
    }
}

impl Reconfigurable for RaftNode {
    fn config_entries_after(&self, index: u64) -> usize {
        self.log.configs_after(index)
    }
    fn snapshot_state(&self) -> Option<(u64, u64)> {
        self.snapshot.as_ref().map(|s| (s.index, s.kv.digest()))
    }
}

impl Protocol for RaftNode {
    type Peer = RaftMsg;
    type Options = RaftOptions;
    type Why = why::RaftWhy;

    fn boot(&mut self, ctx: &mut Ctx<'_>) {
        // After a (re)start a leader may be alive that this server has forgotten about: behave
        // as if just heard from it, so no vote it grants now can cut a leader's lease short.
        self.heard_from_leader_at = Some(ctx.local_now());
        // Recovery: the state machine starts from the snapshot; the log after it is re-applied
        // as the commit index becomes known again.
        if let Some(snap) = &self.snapshot {
            self.kv = snap.kv.clone();
            self.last_applied = snap.index;
            self.commit_index = self.commit_index.max(snap.index);
        }
        self.refresh_membership();
        ctx.restart_election_timer();
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_>, from: Addr, payload: Wire<RaftMsg>) {
        match (from, payload) {
            (_, Wire::Request(request)) => self.on_client_request(ctx, request),
            (from, Wire::Ping) => ctx.send_because(
                from,
                Wire::Pong,
                ServerWhy::Service(ServiceWhy::HealthCheck),
            ),
            (Addr::Server(from), Wire::Peer(msg)) => match msg {
                RaftMsg::RequestVote(request) => self.on_request_vote(ctx, from, request),
                RaftMsg::RequestVoteReply(reply) => self.on_vote_reply(ctx, from, reply),
                RaftMsg::PreVote(request) => self.on_pre_vote(ctx, from, request),
                RaftMsg::PreVoteReply(reply) => self.on_pre_vote_reply(ctx, from, reply),
                RaftMsg::InstallSnapshot(install) => self.on_install_snapshot(ctx, from, install),
                RaftMsg::AppendEntries(append) => self.on_append_entries(ctx, from, append),
                RaftMsg::AppendEntriesReply(reply) => self.on_append_reply(ctx, from, reply),
            },
            // Servers ignore anything else (client replies are never addressed to them).
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerKind) {
        match (timer, self.role) {
            (TimerKind::Election, Role::Follower | Role::Candidate | Role::PreCandidate)
                if !self.may_campaign() =>
            {
                // Learners, and servers whose removal is committed, never campaign. Silence for
                // a whole timeout means the leader it knew is gone (or it left the cluster):
                // stop sending clients there.
                self.role = Role::Follower;
                self.leader = None;
                ctx.restart_election_timer();
            }
            (TimerKind::Election, Role::Follower | Role::Candidate | Role::PreCandidate) => {
                if self.role == Role::Candidate {
                    // Its election ran out of time without a majority: the votes split (or
                    // were lost), and it tries again with a new term.
                    ctx.announce(FeedEvent::SplitVote, format!(
                        "split vote in term {}: S{} got {} of the {} votes it needs and times out again",
                        self.current_term,
                        self.id,
                        self.vote_count(),
                        self.majority()
                    ));
                }
                if ctx.config.options.pre_vote {
                    self.start_pre_vote(ctx);
                } else {
                    self.start_election(ctx);
                }
            }
            (TimerKind::Heartbeat, Role::Leader)
                if !ctx.config.options.check_quorum || self.check_quorum(ctx) =>
            {
                self.broadcast_append(ctx, why::ReplicateTrigger::HeartbeatTimer);
            }
            _ => {}
        }
    }

    fn crash(&mut self) {
        let fresh = RaftNode::new(self.id, self.initial.clone());
        *self = RaftNode {
            current_term: self.current_term,
            voted_for: self.voted_for,
            log: std::mem::take(&mut self.log),
            snapshot: self.snapshot.take(),
            ..fresh
        };
    }
}
