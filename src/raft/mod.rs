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
//!   Reads go through the log, so they are linearizable.

mod log;
mod membership;
mod messages;
mod reads;
mod snapshot;

use std::collections::{BTreeMap, BTreeSet};

pub use log::{Command, Entry, RaftLog};
pub use membership::{Membership, MembershipChange};
pub use messages::RaftMsg;
pub use reads::{PendingRead, ReadState};
pub use snapshot::Snapshot;

use std::sync::Arc;

use crate::kv::{ClientCommand, KvOp, KvResult, KvStore};
use crate::sim::config::ReadMode;
use crate::sim::config::MAX_SERVERS;
use crate::sim::message::{Addr, ClientReply, ClientRequest, Payload, ReplyOutcome};
use crate::sim::node::{Ctx, Protocol, Replica, Role, TimerKind};
use crate::sim::time::Time;
use crate::sim::NodeId;

/// How many times a request may be forwarded between servers before it is bounced to the client.
const MAX_FORWARD_HOPS: u8 = 2;

/// A client request the leader appended and owes an answer for.
#[derive(Clone, Debug, PartialEq)]
struct PendingReply {
    reply_to: Addr,
    session: u64,
    seq: u64,
}

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
    pending: BTreeMap<u64, PendingReply>,
    /// When (own clock) this server last heard from a leader of its term.
    heard_from_leader_at: Option<Time>,
    /// When (own clock) this server became leader.
    leader_since: Time,
    /// Leader only: reads served outside the log.
    reads: ReadState,
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
            pending: BTreeMap::new(),
            heard_from_leader_at: None,
            leader_since: 0,
            reads: ReadState::default(),
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

    /// Votes needed to win, or replicas to commit: a majority of the voters in force.
    fn majority(&self) -> usize {
        self.membership.majority()
    }

    /// Everyone else who should receive the log (voters and learners).
    fn others(&self) -> Vec<NodeId> {
        self.membership
            .members()
            .filter(|&n| n != self.id)
            .collect()
    }

    /// The other voters (whom to ask for votes).
    fn other_voters(&self) -> Vec<NodeId> {
        self.membership
            .voters
            .iter()
            .copied()
            .filter(|&n| n != self.id)
            .collect()
    }

    /// Votes received from voters (a vote from a server that is not a voter does not count).
    fn vote_count(&self) -> usize {
        self.votes
            .iter()
            .filter(|v| self.membership.voters.contains(v))
            .count()
    }

    /// The configuration in force and the index of the entry that set it (0: initial/snapshot).
    fn membership_index(&self) -> u64 {
        self.log
            .config_at(u64::MAX)
            .map(|(i, _)| i)
            .unwrap_or_else(|| self.log.snapshot_index())
    }

    /// Re-derives the configuration in force from the log, the snapshot and the initial one;
    /// a leader starts or stops replicating to servers that joined or left.
    fn refresh_membership(&mut self) {
        let next = match self.log.config_at(u64::MAX) {
            Some((_, m)) => m.clone(),
            None => self
                .snapshot
                .as_ref()
                .map(|s| s.config.clone())
                .unwrap_or_else(|| self.initial.clone()),
        };
        if next == self.membership {
            return;
        }
        self.membership = next;
        if self.role == Role::Leader {
            let next_index = self.log.last_index() + 1;
            let since = self.leader_since;
            let members: Vec<NodeId> = self.others();
            self.peers.retain(|p, _| members.contains(p));
            for m in members {
                self.peers.entry(m).or_insert(Progress {
                    next: next_index,
                    last_ack: since,
                    ..Progress::default()
                });
            }
        }
    }

    /// The configuration in force.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// Asks this server, as leader, to change the configuration by one server. Refused (with
    /// the reason) when it is not the leader or another change is not committed yet.
    pub fn propose_membership(
        &mut self,
        ctx: &mut Ctx<'_>,
        change: MembershipChange,
    ) -> Result<(), String> {
        if self.role != Role::Leader {
            return Err(format!("S{} is not the leader", self.id));
        }
        let pending = self.membership_index();
        if pending > self.commit_index {
            return Err(format!(
                "a configuration change (entry {pending}) is not committed yet; one change at a time"
            ));
        }
        let next = self.membership.apply(change)?;
        ctx.note(format!(
            "S{} proposes the configuration {}",
            self.id,
            next.describe()
        ));
        self.append_config(ctx, next);
        Ok(())
    }

    fn append_config(&mut self, ctx: &mut Ctx<'_>, next: Membership) {
        self.log.append(Entry {
            term: self.current_term,
            command: Command::Config(Arc::new(next)),
        });
        self.refresh_membership();
        self.advance_commit(ctx);
        for peer in self.others() {
            if self.peers.get(&peer).is_some_and(|p| p.outstanding == 0) {
                self.send_append(ctx, peer);
            }
        }
    }

    fn reset_election_timer(&self, ctx: &mut Ctx<'_>) {
        let t = &ctx.config.timing;
        let (lo, hi) = (t.election_min(), t.election_max());
        let after = ctx.random_between(lo, hi);
        ctx.set_timer(TimerKind::Election, after);
    }

    /// Adopts a newer term seen in any message (§5.1): become follower, forget the vote.
    fn observe_term(&mut self, ctx: &mut Ctx<'_>, term: u64) {
        if term > self.current_term {
            let was_leader = self.role == Role::Leader;
            self.current_term = term;
            self.voted_for = None;
            self.leader = None;
            if self.role != Role::Follower {
                self.become_follower(ctx);
                if was_leader {
                    ctx.note(format!("S{} saw term {term} and stepped down", self.id));
                }
            }
        }
    }

    fn become_follower(&mut self, ctx: &mut Ctx<'_>) {
        self.role = Role::Follower;
        self.votes.clear();
        self.peers.clear();
        ctx.cancel_timer(TimerKind::Heartbeat);
        self.reset_election_timer(ctx);
        // Clients waiting on this server will hear nothing: tell them where to go instead.
        let hint = self.leader;
        let waiting: Vec<(Addr, u64, u64)> = std::mem::take(&mut self.pending)
            .into_values()
            .map(|p| (p.reply_to, p.session, p.seq))
            .chain(
                std::mem::take(&mut self.reads.pending)
                    .into_iter()
                    .map(|r| (r.reply_to, r.session, r.seq)),
            )
            .collect();
        for (reply_to, session, seq) in waiting {
            ctx.send(
                reply_to,
                Payload::Reply(ClientReply {
                    session,
                    seq,
                    outcome: ReplyOutcome::NotLeader { leader_hint: hint },
                }),
            );
        }
    }

    /// True when this server heard from a leader less than a minimum election timeout ago: then
    /// it believes a leader is alive and refuses to help replace it (§4.2.3, §9.6).
    fn leader_recently_heard(&self, ctx: &Ctx<'_>) -> bool {
        self.role == Role::Leader
            || self.heard_from_leader_at.is_some_and(|t| {
                ctx.local_now().saturating_sub(t) < ctx.config.timing.election_min()
            })
    }

    /// PreVote (§9.6): ask whether a majority would vote for us in the next term, without
    /// raising our own term; only then start the real election.
    fn start_pre_vote(&mut self, ctx: &mut Ctx<'_>) {
        self.role = Role::PreCandidate;
        self.leader = None;
        self.votes.clear();
        self.votes.insert(self.id);
        ctx.note(format!(
            "S{} timed out and asks whether it could win term {} (PreVote)",
            self.id,
            self.current_term + 1
        ));
        self.reset_election_timer(ctx);
        if self.vote_count() >= self.majority() {
            self.start_election(ctx);
            return;
        }
        let msg = RaftMsg::PreVote {
            term: self.current_term + 1,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        };
        let peers: Vec<NodeId> = self.other_voters();
        for peer in peers {
            ctx.send(Addr::Server(peer), Payload::Raft(msg.clone()));
        }
    }

    fn on_pre_vote(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        term: u64,
        last_index: u64,
        last_term: u64,
    ) {
        let up_to_date = (last_term, last_index) >= (self.log.last_term(), self.log.last_index());
        let granted = term > self.current_term && up_to_date && !self.leader_recently_heard(ctx);
        ctx.send(
            Addr::Server(from),
            Payload::Raft(RaftMsg::PreVoteReply {
                term: self.current_term,
                granted,
            }),
        );
    }

    fn on_pre_vote_reply(&mut self, ctx: &mut Ctx<'_>, from: NodeId, term: u64, granted: bool) {
        if !granted {
            self.observe_term(ctx, term);
            return;
        }
        if self.role != Role::PreCandidate {
            return;
        }
        self.votes.insert(from);
        if self.vote_count() >= self.majority() {
            self.start_election(ctx);
        }
    }

    fn start_election(&mut self, ctx: &mut Ctx<'_>) {
        self.current_term += 1;
        self.role = Role::Candidate;
        self.voted_for = Some(self.id);
        self.leader = None;
        self.votes.clear();
        self.votes.insert(self.id);
        ctx.note(format!(
            "S{} starts an election for term {}",
            self.id, self.current_term
        ));
        self.reset_election_timer(ctx);
        if self.vote_count() >= self.majority() {
            self.become_leader(ctx);
            return;
        }
        let msg = RaftMsg::RequestVote {
            term: self.current_term,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        };
        let peers: Vec<NodeId> = self.other_voters();
        for peer in peers {
            ctx.send(Addr::Server(peer), Payload::Raft(msg.clone()));
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx<'_>) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        let voters: Vec<String> = self
            .votes
            .iter()
            .filter(|v| **v != self.id)
            .map(|v| format!("S{v}"))
            .collect();
        ctx.note(format!(
            "S{} became leader of term {}{}",
            self.id,
            self.current_term,
            if voters.is_empty() {
                String::new()
            } else {
                format!(" with votes from {}", voters.join(", "))
            }
        ));
        ctx.cancel_timer(TimerKind::Election);
        self.leader_since = ctx.local_now();
        self.reads = ReadState::default();
        let next = self.log.last_index() + 1;
        let peers: Vec<NodeId> = self.others();
        self.peers = peers
            .iter()
            .map(|&p| {
                let progress = Progress {
                    next,
                    last_ack: self.leader_since,
                    ..Progress::default()
                };
                (p, progress)
            })
            .collect();
        if ctx.config.raft.noop_on_election {
            self.log.append(Entry {
                term: self.current_term,
                command: Command::Noop,
            });
        }
        self.advance_commit(ctx);
        self.broadcast_append(ctx);
    }

    /// Sends a heartbeat round to every follower (with entries where they lag).
    fn broadcast_append(&mut self, ctx: &mut Ctx<'_>) {
        self.reads.next_round(ctx.local_now());
        let peers: Vec<NodeId> = self.others();
        for peer in peers {
            self.send_append(ctx, peer);
        }
        ctx.set_timer(TimerKind::Heartbeat, ctx.config.timing.heartbeat());
    }

    fn send_append(&mut self, ctx: &mut Ctx<'_>, peer: NodeId) {
        let Some(progress) = self.peers.get_mut(&peer) else {
            return;
        };
        let next = progress.next.max(1);
        if next <= self.log.snapshot_index() {
            // The entries it needs are compacted away: send the snapshot (§7).
            if let Some(snap) = self.snapshot.clone() {
                progress.outstanding = snap.index;
                ctx.send(
                    Addr::Server(peer),
                    Payload::Raft(RaftMsg::InstallSnapshot {
                        term: self.current_term,
                        snapshot: snap,
                        round: self.reads.round,
                    }),
                );
                return;
            }
        }
        let prev_log_index = next - 1;
        let prev_log_term = self.log.term_at(prev_log_index).unwrap_or(0);
        let entries = self.log.slice(next, ctx.config.raft.max_batch);
        if !entries.is_empty() {
            progress.outstanding = prev_log_index + entries.len() as u64;
        }
        ctx.send(
            Addr::Server(peer),
            Payload::Raft(RaftMsg::AppendEntries {
                term: self.current_term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit: self.commit_index,
                round: self.reads.round,
            }),
        );
    }

    /// CheckQuorum (§6.2): a leader that has not heard from a majority within a minimum election
    /// timeout steps down, so a leader cut off in a minority stops serving.
    fn check_quorum(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let now = ctx.local_now();
        let window = ctx.config.timing.election_min();
        if now.saturating_sub(self.leader_since) < window {
            return true;
        }
        let own = usize::from(self.membership.voters.contains(&self.id));
        let active = own
            + self
                .peers
                .iter()
                .filter(|(id, p)| {
                    self.membership.voters.contains(id) && now.saturating_sub(p.last_ack) < window
                })
                .count();
        if active >= self.majority() {
            return true;
        }
        ctx.note(format!(
            "S{} heard from only {active} of {} servers within an election timeout and stepped down (CheckQuorum)",
            self.id,
            self.membership.voters.len()
        ));
        self.leader = None;
        self.become_follower(ctx);
        false
    }

    fn on_request_vote(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        term: u64,
        last_index: u64,
        last_term: u64,
    ) {
        if ctx.config.raft.check_quorum
            && term > self.current_term
            && self.leader_recently_heard(ctx)
        {
            // A leader is alive: do not let a disruptive candidate depose it (§4.2.3).
            ctx.send(
                Addr::Server(from),
                Payload::Raft(RaftMsg::RequestVoteReply {
                    term: self.current_term,
                    granted: false,
                }),
            );
            return;
        }
        self.observe_term(ctx, term);
        let up_to_date = (last_term, last_index) >= (self.log.last_term(), self.log.last_index());
        let granted =
            term == self.current_term && self.voted_for.is_none_or(|v| v == from) && up_to_date;
        if granted {
            self.voted_for = Some(from);
            self.reset_election_timer(ctx);
        }
        ctx.send(
            Addr::Server(from),
            Payload::Raft(RaftMsg::RequestVoteReply {
                term: self.current_term,
                granted,
            }),
        );
    }

    fn on_vote_reply(&mut self, ctx: &mut Ctx<'_>, from: NodeId, term: u64, granted: bool) {
        self.observe_term(ctx, term);
        if self.role != Role::Candidate || term != self.current_term || !granted {
            return;
        }
        self.votes.insert(from);
        if self.vote_count() >= self.majority() {
            self.become_leader(ctx);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append_entries(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        term: u64,
        prev_log_index: u64,
        prev_log_term: u64,
        entries: Vec<Entry>,
        leader_commit: u64,
        round: u64,
    ) {
        self.observe_term(ctx, term);
        let reply =
            |ctx: &mut Ctx<'_>, term, success, match_index, conflict_index, conflict_term| {
                ctx.send(
                    Addr::Server(from),
                    Payload::Raft(RaftMsg::AppendEntriesReply {
                        term,
                        success,
                        match_index,
                        conflict_index,
                        conflict_term,
                        round,
                    }),
                );
            };
        if term < self.current_term {
            reply(ctx, self.current_term, false, 0, 0, None);
            return;
        }
        // A current leader exists: candidates give up, everyone restarts the election timer.
        if self.role != Role::Follower {
            self.become_follower(ctx);
        } else {
            self.reset_election_timer(ctx);
        }
        self.leader = Some(from);
        self.heard_from_leader_at = Some(ctx.local_now());
        let (prev_log_index, prev_log_term, entries) = if prev_log_index < self.log.snapshot_index()
        {
            // Entries up to our snapshot are committed, so they match the leader's: skip them.
            let skip = (self.log.snapshot_index() - prev_log_index) as usize;
            let rest: Vec<Entry> = entries.into_iter().skip(skip).collect();
            (self.log.snapshot_index(), self.log.snapshot_term(), rest)
        } else {
            (prev_log_index, prev_log_term, entries)
        };
        match self.log.term_at(prev_log_index) {
            None => {
                let next = self.log.last_index() + 1;
                reply(ctx, self.current_term, false, 0, next, None);
                return;
            }
            Some(t) if t != prev_log_term => {
                let first = self.log.first_index_of_term(t, prev_log_index);
                reply(ctx, self.current_term, false, 0, first, Some(t));
                return;
            }
            Some(_) => {}
        }
        let mut index = prev_log_index;
        for entry in entries {
            index += 1;
            match self.log.term_at(index) {
                Some(t) if t == entry.term => continue,
                Some(_) => {
                    // A conflicting entry and everything after it go (§5.3 step 3); committed
                    // entries never conflict, which the safety checks verify.
                    self.log.truncate_from(index);
                    self.log.append(entry);
                }
                None => self.log.append(entry),
            }
        }
        let last_new = index;
        self.refresh_membership();
        if leader_commit > self.commit_index {
            self.commit_index = leader_commit.min(last_new).max(self.commit_index);
            self.apply_committed(ctx);
        }
        reply(ctx, self.current_term, true, last_new, 0, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append_reply(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        term: u64,
        success: bool,
        match_index: u64,
        conflict_index: u64,
        conflict_term: Option<u64>,
        round: u64,
    ) {
        self.observe_term(ctx, term);
        if self.role != Role::Leader || term != self.current_term {
            return;
        }
        let last_index = self.log.last_index();
        let local_now = ctx.local_now();
        let Some(p) = self.peers.get_mut(&from) else {
            return;
        };
        // Any answer in our term shows the follower still accepts us as leader.
        p.acked_round = p.acked_round.max(round);
        p.last_ack = local_now;
        if success {
            p.matched = p.matched.max(match_index);
            p.next = p.next.max(p.matched + 1);
            // Only the answer to the newest batch sends the next one; answers to older batches
            // (or to heartbeats) just record progress.
            let acknowledged = p.matched >= p.outstanding;
            if acknowledged {
                p.outstanding = 0;
            }
            let more = acknowledged && p.next <= last_index;
            let caught_up = p.matched >= self.commit_index;
            self.advance_commit(ctx);
            self.serve_reads(ctx);
            if caught_up
                && self.role == Role::Leader
                && self.membership.learners.contains(&from)
                && self.membership_index() <= self.commit_index
            {
                // The learner has caught up: make it a voter (§4.2.1).
                let next = self.membership.promote(from);
                ctx.note(format!(
                    "S{from} has caught up; S{} promotes it to voter",
                    self.id
                ));
                self.append_config(ctx, next);
            }
            if more {
                self.send_append(ctx, from);
            }
        } else {
            // Fast backup (§5.3): skip the follower's whole conflicting term, or jump to its end.
            let next = match conflict_term.and_then(|t| self.log.last_index_of_term(t)) {
                Some(last_of_term) => last_of_term + 1,
                None => conflict_index,
            };
            p.next = next.max(p.matched + 1).max(1);
            p.outstanding = 0;
            self.send_append(ctx, from);
            self.serve_reads(ctx);
        }
    }

    /// True once the leader has committed an entry of its own term: only then does its commit
    /// index cover everything committed before it took over (§6.4 step 1).
    fn term_committed(&self) -> bool {
        self.log.term_at(self.commit_index) == Some(self.current_term)
    }

    /// The highest heartbeat round a majority (counting the leader) has acknowledged.
    fn confirmed_round(&self) -> u64 {
        self.quorum_value(self.reads.round, |p| p.acked_round)
    }

    /// Starts a read that skips the log (ReadIndex or lease, §6.4).
    fn start_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        reply_to: Addr,
        command: ClientCommand,
        key: String,
    ) {
        if self.log.last_term() != self.current_term {
            // The read must wait for an entry of this term to commit; with no-ops on election
            // off there may be none coming, so append one now (§6.4).
            self.log.append(Entry {
                term: self.current_term,
                command: Command::Noop,
            });
            self.advance_commit(ctx);
        }
        let lease = ctx.config.raft.read_mode == ReadMode::Lease
            && self.reads.lease_holds(ctx.local_now())
            && self.term_committed();
        let round = if lease {
            // The lease stands for a confirmed round: no new proof needed.
            0
        } else {
            let r = self.reads.next_round(ctx.local_now());
            let peers: Vec<NodeId> = self.others();
            for peer in peers {
                self.send_append(ctx, peer);
            }
            r
        };
        self.reads.pending.push(PendingRead {
            reply_to,
            session: command.session,
            seq: command.seq,
            key,
            read_index: self.term_committed().then_some(self.commit_index),
            round,
        });
        self.serve_reads(ctx);
    }

    /// Answers every read whose leadership proof is in and whose index has been applied.
    fn serve_reads(&mut self, ctx: &mut Ctx<'_>) {
        if self.role != Role::Leader {
            return;
        }
        let confirmed = self.confirmed_round();
        self.reads
            .confirmed(confirmed, ctx.config.timing.election_min());
        if self.reads.pending.is_empty() {
            return;
        }
        let term_committed = self.term_committed();
        let (commit, applied) = (self.commit_index, self.last_applied);
        let mut ready = Vec::new();
        self.reads.pending.retain_mut(|r| {
            if r.read_index.is_none() && term_committed {
                r.read_index = Some(commit);
            }
            let done = r.round <= confirmed && r.read_index.is_some_and(|i| applied >= i);
            if done {
                ready.push(r.clone());
            }
            !done
        });
        for r in ready {
            let value = self.kv.get(&r.key);
            ctx.send(
                r.reply_to,
                Payload::Reply(ClientReply {
                    session: r.session,
                    seq: r.seq,
                    outcome: ReplyOutcome::Done {
                        result: KvResult::Value { value },
                    },
                }),
            );
        }
    }

    /// Commits the highest index replicated on a majority whose entry is of the current term
    /// (§5.4.2: never by counting replicas of older-term entries). Terms never decrease along a
    /// log, so if the majority's highest index is of an older term, no lower index qualifies.
    fn advance_commit(&mut self, ctx: &mut Ctx<'_>) {
        let n = self.quorum_value(self.log.last_index(), |p| p.matched);
        if n > self.commit_index && self.log.term_at(n) == Some(self.current_term) {
            self.commit_index = n;
            self.apply_committed(ctx);
            self.leave_if_removed(ctx);
        }
    }

    /// The largest value a majority of voters has reached: the leader counts with `own` if it
    /// is a voter, each voting follower with `of(progress)`.
    fn quorum_value(&self, own: u64, of: impl Fn(&Progress) -> u64) -> u64 {
        let mut values = [0u64; MAX_SERVERS];
        let mut count = 0;
        let own = self.membership.voters.contains(&self.id).then_some(own);
        let voting = self
            .peers
            .iter()
            .filter(|(id, _)| self.membership.voters.contains(id))
            .map(|(_, p)| of(p));
        for (slot, v) in values.iter_mut().zip(own.into_iter().chain(voting)) {
            *slot = v;
            count += 1;
        }
        let values = &mut values[..count];
        values.sort_unstable_by(|a, b| b.cmp(a));
        values.get(self.majority() - 1).copied().unwrap_or(0)
    }

    /// A leader that removed itself leads until that configuration commits, then steps down
    /// (dissertation §4.2.2).
    fn leave_if_removed(&mut self, ctx: &mut Ctx<'_>) {
        if self.role == Role::Leader
            && !self.membership.voters.contains(&self.id)
            && self.membership_index() <= self.commit_index
        {
            ctx.note(format!(
                "S{} committed a configuration without itself and steps down",
                self.id
            ));
            self.leader = None;
            self.become_follower(ctx);
        }
    }

    fn apply_committed(&mut self, ctx: &mut Ctx<'_>) {
        self.apply_entries(ctx);
        self.maybe_snapshot(ctx);
        self.serve_reads(ctx);
    }

    /// Takes a snapshot and compacts the log once `snapshot_every` entries were applied since
    /// the last one (§7).
    fn maybe_snapshot(&mut self, ctx: &Ctx<'_>) {
        let every = ctx.config.raft.snapshot_every;
        if every == 0 || self.last_applied < self.log.snapshot_index() + every {
            return;
        }
        self.take_snapshot();
    }

    /// Snapshots the state machine at the applied index and discards the log up to it.
    pub fn take_snapshot(&mut self) {
        let index = self.last_applied;
        if index <= self.log.snapshot_index() {
            return;
        }
        let (Some(term), Some(digest)) = (self.log.term_at(index), self.log.prefix_digest(index))
        else {
            return;
        };
        let config = match self.log.config_at(index) {
            Some((_, m)) => m.clone(),
            None => self
                .snapshot
                .as_ref()
                .map(|s| s.config.clone())
                .unwrap_or_else(|| self.initial.clone()),
        };
        self.snapshot = Some(Arc::new(Snapshot {
            index,
            term,
            digest,
            kv: self.kv.clone(),
            config,
        }));
        self.log.compact_to(index);
    }

    fn on_install_snapshot(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        term: u64,
        snap: Arc<Snapshot>,
        round: u64,
    ) {
        self.observe_term(ctx, term);
        let reply = |ctx: &mut Ctx<'_>, term, success, match_index| {
            ctx.send(
                Addr::Server(from),
                Payload::Raft(RaftMsg::AppendEntriesReply {
                    term,
                    success,
                    match_index,
                    conflict_index: 0,
                    conflict_term: None,
                    round,
                }),
            );
        };
        if term < self.current_term {
            reply(ctx, self.current_term, false, 0);
            return;
        }
        if self.role != Role::Follower {
            self.become_follower(ctx);
        } else {
            self.reset_election_timer(ctx);
        }
        self.leader = Some(from);
        self.heard_from_leader_at = Some(ctx.local_now());
        if snap.index > self.commit_index {
            ctx.note(format!(
                "S{} installed S{from}'s snapshot up to index {} (term {})",
                self.id, snap.index, snap.term
            ));
            self.log
                .install_snapshot(snap.index, snap.term, snap.digest);
            self.kv = snap.kv.clone();
            self.last_applied = snap.index;
            self.commit_index = snap.index;
            self.snapshot = Some(snap.clone());
            self.refresh_membership();
        }
        reply(ctx, self.current_term, true, snap.index);
    }

    fn apply_entries(&mut self, ctx: &mut Ctx<'_>) {
        while self.last_applied < self.commit_index {
            self.last_applied += 1;
            let index = self.last_applied;
            let Some(entry) = self.log.get(index) else {
                break;
            };
            let Command::Kv(cmd) = &entry.command else {
                self.pending.remove(&index);
                continue;
            };
            let cmd = cmd.clone();
            let result = self.kv.apply(&cmd);
            if let Some(p) = self.pending.remove(&index) {
                if let (Some(result), true) = (result, p.session == cmd.session && p.seq == cmd.seq)
                {
                    ctx.send(
                        p.reply_to,
                        Payload::Reply(ClientReply {
                            session: p.session,
                            seq: p.seq,
                            outcome: ReplyOutcome::Done { result },
                        }),
                    );
                }
            }
        }
    }

    fn on_client_request(&mut self, ctx: &mut Ctx<'_>, request: ClientRequest) {
        let ClientRequest {
            reply_to,
            command,
            hops,
        } = request;
        if self.role == Role::Leader {
            self.lead_request(ctx, reply_to, command);
            return;
        }
        match self.leader {
            Some(leader)
                if ctx.config.raft.forward_to_leader
                    && hops < MAX_FORWARD_HOPS
                    && leader != self.id =>
            {
                ctx.send(
                    Addr::Server(leader),
                    Payload::Request(ClientRequest {
                        reply_to,
                        command,
                        hops: hops + 1,
                    }),
                );
            }
            hint => ctx.send(
                reply_to,
                Payload::Reply(ClientReply {
                    session: command.session,
                    seq: command.seq,
                    outcome: ReplyOutcome::NotLeader { leader_hint: hint },
                }),
            ),
        }
    }

    fn lead_request(&mut self, ctx: &mut Ctx<'_>, reply_to: Addr, command: ClientCommand) {
        if let Some(result) = self.kv.cached_result(command.session, command.seq) {
            // Already applied (a retry after a lost reply): answer from the session table.
            ctx.send(
                reply_to,
                Payload::Reply(ClientReply {
                    session: command.session,
                    seq: command.seq,
                    outcome: ReplyOutcome::Done {
                        result: result.clone(),
                    },
                }),
            );
            return;
        }
        if self
            .kv
            .last_seq(command.session)
            .is_some_and(|s| s > command.seq)
        {
            return; // a stale retry of an operation the client has moved past
        }
        if ctx.config.raft.read_mode != ReadMode::Log {
            if let KvOp::Get { key } = &command.op {
                let key = key.clone();
                self.start_read(ctx, reply_to, command, key);
                return;
            }
        }
        let already_pending = self
            .pending
            .iter()
            .find(|(_, p)| p.session == command.session && p.seq == command.seq)
            .map(|(i, _)| *i);
        if let Some(index) = already_pending {
            // The same request is in the log already; answer the latest copy's sender.
            if let Some(p) = self.pending.get_mut(&index) {
                p.reply_to = reply_to;
            }
            return;
        }
        let (session, seq) = (command.session, command.seq);
        self.log.append(Entry {
            term: self.current_term,
            command: Command::Kv(std::sync::Arc::new(command)),
        });
        let index = self.log.last_index();
        self.pending.insert(
            index,
            PendingReply {
                reply_to,
                session,
                seq,
            },
        );
        self.advance_commit(ctx);
        let peers: Vec<NodeId> = self.others();
        for peer in peers {
            // Idle peers get the new entry now; the others get it with the batch that follows
            // the answer they owe.
            if self.peers.get(&peer).is_some_and(|p| p.outstanding == 0) {
                self.send_append(ctx, peer);
            }
        }
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
    fn config_entries_after(&self, index: u64) -> usize {
        self.log.configs_after(index)
    }
    fn snapshot_state(&self) -> Option<(u64, u64)> {
        self.snapshot.as_ref().map(|s| (s.index, s.kv.digest()))
    }
}

impl Protocol for RaftNode {
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
        self.reset_election_timer(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_>, from: Addr, payload: Payload) {
        match (from, payload) {
            (_, Payload::Request(request)) => self.on_client_request(ctx, request),
            (Addr::Server(from), Payload::Raft(msg)) => match msg {
                RaftMsg::RequestVote {
                    term,
                    last_log_index,
                    last_log_term,
                } => self.on_request_vote(ctx, from, term, last_log_index, last_log_term),
                RaftMsg::RequestVoteReply { term, granted } => {
                    self.on_vote_reply(ctx, from, term, granted)
                }
                RaftMsg::PreVote {
                    term,
                    last_log_index,
                    last_log_term,
                } => self.on_pre_vote(ctx, from, term, last_log_index, last_log_term),
                RaftMsg::PreVoteReply { term, granted } => {
                    self.on_pre_vote_reply(ctx, from, term, granted)
                }
                RaftMsg::InstallSnapshot {
                    term,
                    snapshot,
                    round,
                } => self.on_install_snapshot(ctx, from, term, snapshot, round),
                RaftMsg::AppendEntries {
                    term,
                    prev_log_index,
                    prev_log_term,
                    entries,
                    leader_commit,
                    round,
                } => self.on_append_entries(
                    ctx,
                    from,
                    term,
                    prev_log_index,
                    prev_log_term,
                    entries,
                    leader_commit,
                    round,
                ),
                RaftMsg::AppendEntriesReply {
                    term,
                    success,
                    match_index,
                    conflict_index,
                    conflict_term,
                    round,
                } => self.on_append_reply(
                    ctx,
                    from,
                    term,
                    success,
                    match_index,
                    conflict_index,
                    conflict_term,
                    round,
                ),
            },
            // Servers ignore anything else (client replies are never addressed to them).
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerKind) {
        match (timer, self.role) {
            (TimerKind::Election, Role::Follower | Role::Candidate | Role::PreCandidate)
                if !self.membership.voters.contains(&self.id) =>
            {
                // Learners and removed servers never campaign; they just keep listening.
                self.role = Role::Follower;
                self.reset_election_timer(ctx);
            }
            (TimerKind::Election, Role::Follower | Role::Candidate | Role::PreCandidate) => {
                if ctx.config.raft.pre_vote {
                    self.start_pre_vote(ctx);
                } else {
                    self.start_election(ctx);
                }
            }
            (TimerKind::Heartbeat, Role::Leader)
                if !ctx.config.raft.check_quorum || self.check_quorum(ctx) =>
            {
                self.broadcast_append(ctx);
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
