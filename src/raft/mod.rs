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
mod messages;

use std::collections::{BTreeMap, BTreeSet};

pub use log::{Command, Entry, RaftLog};
pub use messages::RaftMsg;

use crate::kv::{ClientCommand, KvStore};
use crate::sim::config::MAX_SERVERS;
use crate::sim::message::{Addr, ClientReply, ClientRequest, Payload, ReplyOutcome};
use crate::sim::node::{Ctx, Protocol, Replica, Role, TimerKind};
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
    /// A fresh server with an empty log.
    pub fn new(id: NodeId) -> Self {
        RaftNode {
            id,
            current_term: 0,
            voted_for: None,
            log: RaftLog::new(),
            role: Role::Follower,
            leader: None,
            commit_index: 0,
            last_applied: 0,
            kv: KvStore::new(),
            votes: BTreeSet::new(),
            peers: BTreeMap::new(),
            pending: BTreeMap::new(),
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

    fn majority(ctx: &Ctx<'_>) -> usize {
        ctx.config.servers / 2 + 1
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
        for (_, p) in std::mem::take(&mut self.pending) {
            ctx.send(
                p.reply_to,
                Payload::Reply(ClientReply {
                    session: p.session,
                    seq: p.seq,
                    outcome: ReplyOutcome::NotLeader { leader_hint: hint },
                }),
            );
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
            "S{} timed out and starts an election for term {}",
            self.id, self.current_term
        ));
        self.reset_election_timer(ctx);
        if self.votes.len() >= Self::majority(ctx) {
            self.become_leader(ctx);
            return;
        }
        let msg = RaftMsg::RequestVote {
            term: self.current_term,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        };
        let peers: Vec<NodeId> = ctx.peers().collect();
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
        let next = self.log.last_index() + 1;
        let peers: Vec<NodeId> = ctx.peers().collect();
        self.peers = peers
            .iter()
            .map(|&p| {
                let progress = Progress {
                    next,
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

    fn broadcast_append(&mut self, ctx: &mut Ctx<'_>) {
        let peers: Vec<NodeId> = ctx.peers().collect();
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
            }),
        );
    }

    fn on_request_vote(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        term: u64,
        last_index: u64,
        last_term: u64,
    ) {
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
        if self.votes.len() >= Self::majority(ctx) {
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
        if self.leader != Some(from) {
            self.leader = Some(from);
        }
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
    ) {
        self.observe_term(ctx, term);
        if self.role != Role::Leader || term != self.current_term {
            return;
        }
        let last_index = self.log.last_index();
        let Some(p) = self.peers.get_mut(&from) else {
            return;
        };
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
            self.advance_commit(ctx);
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
        }
    }

    /// Commits the highest index replicated on a majority whose entry is of the current term
    /// (§5.4.2: never by counting replicas of older-term entries). Terms never decrease along a
    /// log, so if the majority's highest index is of an older term, no lower index qualifies.
    fn advance_commit(&mut self, ctx: &mut Ctx<'_>) {
        let mut replicated = [0u64; MAX_SERVERS];
        let mut count = 0;
        for (slot, m) in replicated.iter_mut().zip(
            std::iter::once(self.log.last_index()).chain(self.peers.values().map(|p| p.matched)),
        ) {
            *slot = m;
            count += 1;
        }
        let replicated = &mut replicated[..count];
        replicated.sort_unstable_by(|a, b| b.cmp(a));
        let Some(&n) = replicated.get(Self::majority(ctx) - 1) else {
            return;
        };
        if n > self.commit_index && self.log.term_at(n) == Some(self.current_term) {
            self.commit_index = n;
            self.apply_committed(ctx);
        }
    }

    fn apply_committed(&mut self, ctx: &mut Ctx<'_>) {
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
        let peers: Vec<NodeId> = ctx.peers().collect();
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
}

impl Protocol for RaftNode {
    fn boot(&mut self, ctx: &mut Ctx<'_>) {
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
                RaftMsg::AppendEntries {
                    term,
                    prev_log_index,
                    prev_log_term,
                    entries,
                    leader_commit,
                } => self.on_append_entries(
                    ctx,
                    from,
                    term,
                    prev_log_index,
                    prev_log_term,
                    entries,
                    leader_commit,
                ),
                RaftMsg::AppendEntriesReply {
                    term,
                    success,
                    match_index,
                    conflict_index,
                    conflict_term,
                } => self.on_append_reply(
                    ctx,
                    from,
                    term,
                    success,
                    match_index,
                    conflict_index,
                    conflict_term,
                ),
            },
            // Servers ignore anything else (client replies are never addressed to them).
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerKind) {
        match (timer, self.role) {
            (TimerKind::Election, Role::Follower | Role::Candidate) => self.start_election(ctx),
            (TimerKind::Heartbeat, Role::Leader) => self.broadcast_append(ctx),
            _ => {}
        }
    }

    fn crash(&mut self) {
        let fresh = RaftNode::new(self.id);
        *self = RaftNode {
            current_term: self.current_term,
            voted_for: self.voted_for,
            log: std::mem::take(&mut self.log),
            ..fresh
        };
    }
}
