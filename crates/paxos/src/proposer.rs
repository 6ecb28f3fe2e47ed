//! The proposer and acceptor sides of Multi-Paxos ("Paxos Made Simple" §2.2 and §3).
//!
//! - **Phase 1, once per leadership.** A server that hears no leader for an election timeout
//!   picks a ballot above every ballot it has seen and asks all acceptors to promise it for every
//!   slot from the first one it does not know chosen. Each promise carries the values the acceptor
//!   accepted from there on.
//! - **Taking over.** With a majority of promises the server leads. In every slot some acceptor
//!   reported, it must re-propose the value of the highest ballot (it may already be chosen); the
//!   gaps below the highest reported slot are filled with no-ops so later slots can be applied.
//! - **Phase 2, per slot.** The leader sends Accept(ballot, slot, value); a value is chosen once a
//!   majority accepted it in that ballot. Accepts carry the leader's chosen prefix so the others
//!   learn without extra messages.
//!
//! Staying leader (heartbeats, stepping down) is in `leadership.rs`, reads in `reads.rs`.

use super::acceptor::{AcceptReply, Accepted, PrepareReply};
use super::ballot::Ballot;
use super::messages::{PaxosMsg, ReportedValue, SlotValue};
use super::node::{PaxosNode, Proposal};
use super::recovery::merge_promises;
use super::tally::{SlotTally, TallyOutcome};
use crate::why::{PaxosWhy, PrepareTrigger, ProposeTrigger, RefusedIn};
use crate::Ctx;
use quorum_core::actor::{FeedEvent, Milestone};
use quorum_core::Addr;
use quorum_core::NodeId;
use quorum_service::reads::ReadState;
use quorum_service::{Role, ServerContext, ServerWhy, TimerKind, Wire};

/// Sends `msg` to server `to`, saying why.
pub(super) fn send(ctx: &mut Ctx<'_>, to: NodeId, msg: PaxosMsg, why: PaxosWhy) {
    ctx.send_because(Addr::Server(to), Wire::Peer(msg), ServerWhy::Protocol(why));
}

fn list(nodes: impl IntoIterator<Item = NodeId>) -> String {
    let names: Vec<String> = nodes.into_iter().map(|n| format!("S{n}")).collect();
    if names.is_empty() {
        "nobody else".to_string()
    } else {
        names.join(", ")
    }
}

impl PaxosNode {
    /// Phase 1a: a new ballot, promised to itself, asked of everyone else.
    pub(super) fn start_prepare(&mut self, ctx: &mut Ctx<'_>, trigger: PrepareTrigger) {
        let seen = self.highest_seen.max(self.acceptor.promised());
        let ballot = Ballot::above(seen, self.id);
        self.role = Role::Candidate;
        self.ballot = ballot;
        self.highest_seen = ballot;
        self.leader = None;
        self.promises.clear();
        ctx.cancel_timer(TimerKind::Heartbeat);
        let from_slot = self.chosen_prefix() + 1;
        ctx.note(format!(
            "S{} starts phase 1 with ballot {ballot} (slots from {from_slot})",
            self.id
        ));
        ctx.milestone(Milestone::ElectionStarted);
        if let PrepareReply::Promise { accepted, .. } = self.acceptor.on_prepare(ballot, from_slot)
        {
            self.promises.insert(self.id, reported(accepted));
        }
        let peers: Vec<NodeId> = ctx.peers().collect();
        for peer in peers {
            let why = PaxosWhy::Prepare { trigger };
            send(ctx, peer, PaxosMsg::Prepare { ballot, from_slot }, why);
        }
        // If phase 1 stalls (lost messages, a higher ballot elsewhere), try again later.
        ctx.restart_election_timer();
        self.maybe_lead(ctx);
    }

    /// Phase 1b: promise unless a higher ballot was promised already.
    pub(super) fn on_prepare(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        ballot: Ballot,
        from_slot: u64,
    ) {
        if self.sticks_to_leader(ctx, from) {
            // With leases, a server that heard from its leader less than an election timeout ago
            // promises no one else: the leader's lease relies on it. Silence, like a lost reply.
            return;
        }
        self.observe_ballot(ctx, ballot);
        let previously = self.acceptor.promised();
        match self.acceptor.on_prepare(ballot, from_slot) {
            PrepareReply::Promise { accepted, .. } => {
                if self.role == Role::Follower {
                    // Give the new proposer time to finish phase 1 before competing.
                    self.leader = None;
                    ctx.restart_election_timer();
                }
                let accepted = reported(accepted);
                let why = PaxosWhy::Promise { previously };
                send(ctx, from, PaxosMsg::Promise { ballot, accepted }, why);
            }
            PrepareReply::Reject { promised } => {
                let why = PaxosWhy::Refuse {
                    phase: RefusedIn::Prepare,
                };
                send(ctx, from, PaxosMsg::Nack { ballot, promised }, why)
            }
        }
    }

    pub(super) fn on_promise(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        ballot: Ballot,
        accepted: Vec<ReportedValue>,
    ) {
        if self.role != Role::Candidate || ballot != self.ballot {
            return;
        }
        self.promises.insert(from, accepted);
        self.maybe_lead(ctx);
    }

    /// With promises from a majority: lead, re-proposing what must be re-proposed.
    fn maybe_lead(&mut self, ctx: &mut Ctx<'_>) {
        if self.role != Role::Candidate || self.promises.len() < Self::majority(ctx) {
            return;
        }
        let ballot = self.ballot;
        let promisers: Vec<NodeId> = self.promises.keys().copied().collect();
        let merged = merge_promises(std::mem::take(&mut self.promises).into_values().map(|v| {
            v.into_iter()
                .map(|(slot, ballot, value)| (slot, Accepted { ballot, value }))
                .collect()
        }));
        self.role = Role::Leader;
        self.duel = None;
        self.leader = Some(self.id);
        ctx.milestone(Milestone::BecameLeader);
        ctx.cancel_timer(TimerKind::Election);
        let now = ctx.local_now();
        self.acks = ctx.peers().map(|p| (p, now)).collect();
        self.acked_round = ctx.peers().map(|p| (p, 0)).collect();
        self.reads = ReadState::default();
        ctx.note(format!(
            "S{}'s ballot {ballot} was promised by {}",
            self.id,
            list(promisers.into_iter().filter(|&n| n != self.id))
        ));
        let start = self.chosen_prefix() + 1;
        let top = merged
            .keys()
            .next_back()
            .copied()
            .unwrap_or(0)
            .max(start - 1);
        let (mut again, mut gaps) = (0, 0);
        for slot in start..=top {
            if self.chosen_at(slot).is_some() {
                continue;
            }
            let (value, trigger) = match merged.get(&slot) {
                Some(a) => {
                    again += 1;
                    (a.value.clone(), ProposeTrigger::Recovered)
                }
                None => {
                    gaps += 1;
                    (SlotValue::Noop, ProposeTrigger::GapFilled)
                }
            };
            self.propose(ctx, slot, value, trigger);
        }
        self.next_slot = top + 1;
        self.takeover_top = top;
        ctx.announce(FeedEvent::LeaderElected, format!(
            "S{} became leader with ballot {ballot}: {again} value{} re-proposed, {gaps} gap{} filled with no-ops",
            self.id,
            if again == 1 { "" } else { "s" },
            if gaps == 1 { "" } else { "s" }
        ));
        self.heartbeat(ctx);
        for request in std::mem::take(&mut self.queued) {
            self.on_client_request(ctx, request);
        }
    }

    /// Phase 2a for one slot: accept it here, ask everyone else.
    pub(super) fn propose(
        &mut self,
        ctx: &mut Ctx<'_>,
        slot: u64,
        value: SlotValue,
        trigger: ProposeTrigger,
    ) {
        let ballot = self.ballot;
        let voters: Vec<NodeId> = ctx.servers().collect();
        let mut tally = SlotTally::new(ballot, &voters);
        if let AcceptReply::Accepted { .. } = self.acceptor.on_accept(ballot, slot, value.clone()) {
            tally.record(self.id, ballot);
        }
        let peers: Vec<NodeId> = ctx.peers().collect();
        self.send_accepts(ctx, peers, slot, &value, trigger);
        if tally.is_chosen() {
            // A cluster of one: its own accept is a majority.
            self.learn(slot, value);
            self.apply_chosen(ctx);
            return;
        }
        let sent_at = ctx.local_now();
        self.proposals.insert(
            slot,
            Proposal {
                value,
                tally,
                sent_at,
            },
        );
    }

    /// Phase 2a messages for `slot` to `peers`, in the own ballot, with the chosen prefix.
    pub(super) fn send_accepts(
        &self,
        ctx: &mut Ctx<'_>,
        peers: Vec<NodeId>,
        slot: u64,
        value: &SlotValue,
        trigger: ProposeTrigger,
    ) {
        let (ballot, chosen) = (self.ballot, self.chosen_prefix());
        for peer in peers {
            let msg = PaxosMsg::Accept {
                ballot,
                slot,
                value: value.clone(),
                chosen,
            };
            send(ctx, peer, msg, PaxosWhy::Accept { trigger });
        }
    }

    /// Phase 2b: accept unless a higher ballot was promised; the sender leads.
    pub(super) fn on_accept(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        ballot: Ballot,
        slot: u64,
        value: SlotValue,
        chosen: u64,
    ) {
        self.observe_ballot(ctx, ballot);
        #[cfg(feature = "mutations")]
        if ctx.config.options.mutation == Some(crate::Mutation::AcceptorIgnoresPromise) {
            self.acceptor.accept_regardless(ballot, slot, value.clone());
        }
        let previously = self.acceptor.promised();
        match self.acceptor.on_accept(ballot, slot, value) {
            AcceptReply::Accepted { .. } => {
                self.follow(ctx, from);
                let why = PaxosWhy::Accepted { previously };
                send(ctx, from, PaxosMsg::Accepted { ballot, slot }, why);
                self.learn_prefix(ctx, ballot, chosen);
            }
            AcceptReply::Reject { promised } => {
                let why = PaxosWhy::Refuse {
                    phase: RefusedIn::Accept,
                };
                send(ctx, from, PaxosMsg::Nack { ballot, promised }, why)
            }
            // A late copy for a slot every server has learned: nobody waits for the answer.
            AcceptReply::Settled => {}
        }
    }

    pub(super) fn on_accepted(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        ballot: Ballot,
        slot: u64,
    ) {
        if self.role != Role::Leader || ballot != self.ballot {
            return;
        }
        self.acks.insert(from, ctx.local_now());
        let Some(p) = self.proposals.get_mut(&slot) else {
            return;
        };
        if p.tally.record(from, ballot) == TallyOutcome::Chosen {
            if let Some(p) = self.proposals.remove(&slot) {
                self.learn(slot, p.value);
                self.apply_chosen(ctx);
            }
        }
    }

    pub(super) fn on_nack(&mut self, ctx: &mut Ctx<'_>, ballot: Ballot, promised: Ballot) {
        if ballot == self.ballot {
            self.observe_ballot(ctx, promised);
        } else {
            self.highest_seen = self.highest_seen.max(promised);
        }
    }
}

fn reported(accepted: Vec<(u64, Accepted<SlotValue>)>) -> Vec<ReportedValue> {
    accepted
        .into_iter()
        .map(|(slot, a)| (slot, a.ballot, a.value))
        .collect()
}
