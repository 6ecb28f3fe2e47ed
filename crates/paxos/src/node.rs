//! One Multi-Paxos server: acceptor, learner and (when it leads) proposer at once.
//!
//! Persistent (survives a crash): the acceptor's promise and accepted values, the chosen values
//! the server has learned and the snapshot that replaced the oldest of them — a real server
//! writes these to disk before answering. Volatile: its role and ballot as proposer, the
//! proposals in flight, the key-value store (rebuilt on restart from the snapshot and the learned
//! slots after it), the leader it knows and the clients it owes answers.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::acceptor::Acceptor;
use super::ballot::Ballot;
use super::compaction::Snapshot;
use super::messages::{PaxosMsg, ReportedValue, SlotValue};
use super::tally::SlotTally;
use crate::why::{PaxosWhy, PrepareTrigger};
use crate::{Ctx, PaxosOptions};
use quorum_core::digest::chain;
use quorum_core::time::Time;
use quorum_core::window::Window;
use quorum_core::Addr;
use quorum_core::NodeId;
use quorum_service::kv::KvStore;
use quorum_service::reads::ReadState;
use quorum_service::PendingReplies;
use quorum_service::{
    ClientRequest, Protocol, Replica, Role, ServerContext, ServerWhy, ServiceWhy, TimerKind, Wire,
};

/// A value the leader proposed in a slot and is counting accepts for.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Proposal {
    pub value: SlotValue,
    pub tally: SlotTally,
    /// When (own clock) the Accept was last sent, to re-send after silence.
    pub sent_at: Time,
}

/// One Multi-Paxos server.
#[derive(Clone, Debug)]
pub struct PaxosNode {
    pub(super) id: NodeId,
    // Persistent state.
    pub(super) acceptor: Acceptor<SlotValue>,
    /// At `slot - 1`: the value known chosen there (slots the snapshot covers discarded).
    pub(super) learned: Window<Option<SlotValue>>,
    /// At `i - 1`: the digest of chosen slots `1..=i`, for the contiguous learned prefix (kept
    /// from the snapshot's slot on).
    pub(super) learned_digests: Window<u64>,
    /// The key-value state after the slots every server has learned, which replaced them.
    pub(super) snapshot: Option<Arc<Snapshot>>,
    // Volatile state.
    /// Snapshots taken as slots were applied, waiting for every server to learn that far.
    pub(super) ready_snapshots: Vec<Arc<Snapshot>>,
    /// Leading: the learned prefix each peer last reported (a lower bound: it only grows).
    pub(super) peer_learned: BTreeMap<NodeId, u64>,
    pub(super) role: Role,
    /// Own ballot while preparing or leading.
    pub(super) ballot: Ballot,
    /// The highest ballot seen anywhere (promises, refusals, heartbeats).
    pub(super) highest_seen: Ballot,
    /// The leader this server follows (itself when leading).
    pub(super) leader: Option<NodeId>,
    /// Preparing: promises gathered, with what each acceptor reported.
    pub(super) promises: BTreeMap<NodeId, Vec<ReportedValue>>,
    /// Probing: servers that would promise a new ballot (itself included).
    pub(super) probes: std::collections::BTreeSet<NodeId>,
    /// Leading: the next free slot.
    pub(super) next_slot: u64,
    /// Leading: proposals not yet chosen.
    pub(super) proposals: BTreeMap<u64, Proposal>,
    /// Leading: clients to answer once their slot is applied.
    pub(super) pending: PendingReplies,
    /// Proposers without a stable leader: requests waiting for phase 1 to finish.
    pub(super) queued: Vec<ClientRequest>,
    /// Leading: when (own clock) each peer last answered.
    pub(super) acks: BTreeMap<NodeId, Time>,
    /// Leading: the highest heartbeat round each peer acknowledged (for reads).
    pub(super) acked_round: BTreeMap<NodeId, u64>,
    /// Leading: the highest slot re-proposed on taking over; reads wait until it is chosen.
    pub(super) takeover_top: u64,
    /// Leading: reads served outside the log (ReadIndex, lease).
    pub(super) reads: ReadState,
    /// When (own clock) this server last heard from the leader it follows.
    pub(super) heard_from_leader_at: Option<Time>,
    pub(super) applied: u64,
    pub(super) kv: KvStore,
    /// Lowest slot learned since the checker last asked (see `Replica::take_log_changes`).
    pub(super) log_changes: Option<u64>,
    /// The proposer that last preempted this one, to notice a duel (see `Duel`).
    pub(super) duel: Option<Duel>,
}

/// Two proposers preempting each other: the rival that preempted this one, its ballot, and how
/// many times in a row it came back over a ballot this server had raised above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Duel {
    pub(super) rival: NodeId,
    pub(super) rival_ballot: Ballot,
    pub(super) rounds: u32,
}

/// What the inspector shows about one slot of a server.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotState {
    /// The slot.
    pub slot: u64,
    /// What the acceptor accepted there, with the ballot.
    pub accepted: Option<(Ballot, SlotValue)>,
    /// The value this server knows chosen there.
    pub chosen: Option<SlotValue>,
}

impl PaxosNode {
    /// A fresh server that has promised nothing and learned nothing.
    pub fn new(id: NodeId) -> Self {
        PaxosNode {
            id,
            acceptor: Acceptor::default(),
            learned: Window::new(),
            learned_digests: Window::new(),
            snapshot: None,
            ready_snapshots: Vec::new(),
            peer_learned: BTreeMap::new(),
            role: Role::Follower,
            ballot: Ballot::ZERO,
            highest_seen: Ballot::ZERO,
            leader: None,
            promises: BTreeMap::new(),
            probes: std::collections::BTreeSet::new(),
            next_slot: 1,
            proposals: BTreeMap::new(),
            pending: PendingReplies::default(),
            queued: Vec::new(),
            acks: BTreeMap::new(),
            acked_round: BTreeMap::new(),
            takeover_top: 0,
            reads: ReadState::default(),
            heard_from_leader_at: None,
            applied: 0,
            kv: KvStore::new(),
            log_changes: None,
            duel: None,
        }
    }

    /// This server's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The acceptor's promise.
    pub fn promised(&self) -> Ballot {
        self.acceptor.promised()
    }

    /// Its own ballot while preparing or leading (zero otherwise).
    pub fn ballot(&self) -> Ballot {
        if self.role == Role::Follower {
            Ballot::ZERO
        } else {
            self.ballot
        }
    }

    /// The leader it knows (itself when leading).
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    /// Preparing: the servers that promised so far.
    pub fn promised_by(&self) -> Vec<NodeId> {
        if self.role == Role::Candidate {
            self.promises.keys().copied().collect()
        } else {
            Vec::new()
        }
    }

    /// The applied key-value state.
    pub fn kv(&self) -> &KvStore {
        &self.kv
    }

    /// The highest slot holding an accepted or chosen value.
    pub fn last_slot(&self) -> u64 {
        self.acceptor.last_slot().max(self.learned.len() as u64)
    }

    /// Slots `from..=to` as this server holds them.
    pub fn slots(&self, from: u64, to: u64) -> Vec<SlotState> {
        (from.max(1)..=to)
            .map(|slot| SlotState {
                slot,
                accepted: self
                    .acceptor
                    .accepted(slot)
                    .map(|a| (a.ballot, a.value.clone())),
                chosen: self.chosen_at(slot).cloned(),
            })
            .collect()
    }

    /// The value known chosen in `slot`.
    pub fn chosen_at(&self, slot: u64) -> Option<&SlotValue> {
        let i = slot.checked_sub(1)?;
        self.learned.get(i as usize).and_then(Option::as_ref)
    }

    /// Read bookkeeping, when leading.
    pub fn read_state(&self) -> Option<&ReadState> {
        (self.role == Role::Leader).then_some(&self.reads)
    }

    /// How many proposals the leader is still counting accepts for.
    pub fn proposals_in_flight(&self) -> usize {
        self.proposals.len()
    }

    /// The acceptor: its promise and its votes (durable).
    pub fn acceptor(&self) -> &Acceptor<SlotValue> {
        &self.acceptor
    }

    /// The highest slot applied to the key-value store (the applied prefix).
    pub fn applied_slot(&self) -> u64 {
        self.applied
    }

    /// The value this server knows chosen in `slot`.
    pub fn chosen_value(&self, slot: u64) -> Option<&SlotValue> {
        self.chosen_at(slot)
    }

    /// The length of the contiguous prefix of slots known chosen.
    pub(super) fn chosen_prefix(&self) -> u64 {
        self.learned_digests.len() as u64
    }

    pub(super) fn majority(ctx: &Ctx<'_>) -> usize {
        quorum_service::majority(ctx.config.servers)
    }

    fn dispatch(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: PaxosMsg) {
        match msg {
            PaxosMsg::Prepare { ballot, from_slot } => {
                self.on_prepare(ctx, from, ballot, from_slot)
            }
            PaxosMsg::Promise { ballot, accepted } => self.on_promise(ctx, from, ballot, accepted),
            PaxosMsg::Accept {
                ballot,
                slot,
                value,
                chosen,
            } => self.on_accept(ctx, from, ballot, slot, value, chosen),
            PaxosMsg::Accepted { ballot, slot } => self.on_accepted(ctx, from, ballot, slot),
            PaxosMsg::Nack { ballot, promised } => self.on_nack(ctx, ballot, promised),
            PaxosMsg::Heartbeat {
                ballot,
                chosen,
                stable,
                round,
            } => self.on_heartbeat(ctx, from, ballot, (chosen, stable), round),
            PaxosMsg::HeartbeatAck {
                ballot,
                learned,
                announced,
                round,
            } => self.on_heartbeat_ack(ctx, from, ballot, learned, announced, round),
            PaxosMsg::Learn { entries, .. } => self.on_learn(ctx, entries),
            PaxosMsg::Probe { ballot } => self.on_probe(ctx, from, ballot),
            PaxosMsg::ProbeReply { granted, .. } => self.on_probe_reply(ctx, from, granted),
        }
    }
}

impl Replica for PaxosNode {
    fn term(&self) -> u64 {
        self.acceptor.promised().round
    }
    fn role(&self) -> Role {
        self.role
    }
    fn commit_index(&self) -> u64 {
        self.chosen_prefix()
    }
    fn applied_index(&self) -> u64 {
        self.applied
    }
    fn last_index(&self) -> u64 {
        self.last_slot()
    }
    fn entry_term(&self, index: u64) -> Option<u64> {
        self.acceptor.accepted(index).map(|a| a.ballot.round)
    }
    fn prefix_digest(&self, index: u64) -> Option<u64> {
        match index {
            0 => Some(0),
            i => self.learned_digests.get(i as usize - 1).copied(),
        }
    }
    fn take_log_changes(&mut self) -> Option<u64> {
        self.log_changes.take()
    }
    fn kv_digest(&self) -> u64 {
        self.kv.digest()
    }
    fn log_start(&self) -> u64 {
        self.snapshot_slot()
    }
}

impl Protocol for PaxosNode {
    type Peer = PaxosMsg;
    type Options = PaxosOptions;
    type Why = PaxosWhy;

    fn boot(&mut self, ctx: &mut Ctx<'_>) {
        // A leader may be alive that this server has forgotten: behave as if just heard from
        // it, so no promise it gives now cuts a leader's lease short.
        self.heard_from_leader_at = Some(ctx.local_now());
        // Recovery: the key-value store is rebuilt from the snapshot and the learned slots after
        // it (both persistent).
        self.apply_chosen(ctx);
        ctx.restart_election_timer();
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_>, from: Addr, payload: Wire<PaxosMsg>) {
        match (from, payload) {
            (_, Wire::Request(request)) => self.on_client_request(ctx, request),
            (from, Wire::Ping) => ctx.send_because(
                from,
                Wire::Pong,
                ServerWhy::Service(ServiceWhy::HealthCheck),
            ),
            (Addr::Server(from), Wire::Peer(msg)) => self.dispatch(ctx, from, msg),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerKind) {
        match (timer, self.role) {
            (TimerKind::Election, Role::Follower | Role::PreCandidate)
                if ctx.config.options.probe_before_prepare && ctx.config.options.stable_leader =>
            {
                self.start_probe(ctx)
            }
            (TimerKind::Election, Role::Follower | Role::Candidate | Role::PreCandidate) => {
                self.start_prepare(ctx, PrepareTrigger::TimerExpired)
            }
            (TimerKind::Heartbeat, Role::Leader) => self.heartbeat(ctx),
            _ => {}
        }
    }

    fn crash(&mut self) {
        let fresh = PaxosNode::new(self.id);
        // The key-value store restarts from the snapshot; boot applies the slots after it.
        let (applied, kv) = match &self.snapshot {
            Some(s) => (s.slot, s.kv.clone()),
            None => (0, KvStore::new()),
        };
        *self = PaxosNode {
            acceptor: std::mem::take(&mut self.acceptor),
            learned: std::mem::take(&mut self.learned),
            learned_digests: std::mem::take(&mut self.learned_digests),
            snapshot: self.snapshot.take(),
            applied,
            kv,
            log_changes: self.log_changes,
            ..fresh
        };
    }
}

/// Chains one more chosen value onto a prefix digest.
pub(super) fn extend_digest(previous: u64, value: &SlotValue) -> u64 {
    chain(previous, value.digest())
}
