//! The learner side: recording chosen values, applying them in slot order, and catching up a
//! replica that missed some ("Paxos Made Simple" §2.3 and §3). A replica learns a slot from the
//! leader's chosen prefix when its own acceptor holds a value of the leader's ballot there (the
//! leader proposes one value per slot and ballot, and only the chosen one once a value is
//! chosen), and otherwise from a Learn message with the chosen values themselves.

use super::ballot::Ballot;
use super::messages::{PaxosMsg, SlotEntry, SlotValue};
use super::node::{extend_digest, PaxosNode};
use crate::why::PaxosWhy;
use crate::Ctx;
use quorum_core::Addr;
use quorum_core::NodeId;
use quorum_service::{ReplyOutcome, ServerContext, ServerWhy, ServiceWhy, Wire};

/// The most chosen values one Learn message carries (one batch per heartbeat: 5,000 slots a
/// second at the default 50 ms).
const LEARN_BATCH: u64 = 256;

impl PaxosNode {
    /// Records that `value` is chosen in `slot` and extends the contiguous learned prefix.
    pub(super) fn learn(&mut self, slot: u64, value: SlotValue) {
        let i = slot.saturating_sub(1) as usize;
        if slot <= self.snapshot_slot() || self.learned.get(i).is_some_and(Option::is_some) {
            return;
        }
        while self.learned.len() <= i {
            self.learned.push(None);
        }
        self.learned.set(i, Some(value));
        self.log_changes = Some(self.log_changes.map_or(slot, |c| c.min(slot)));
        loop {
            let next = self.learned_digests.len();
            let Some(Some(v)) = self.learned.get(next) else {
                break;
            };
            let previous = self.learned_digests.last().copied().unwrap_or(0);
            let digest = extend_digest(previous, v);
            self.learned_digests.push(digest);
        }
    }

    /// Learns every slot up to the leader's chosen prefix for which this acceptor holds the
    /// leader's own proposal.
    pub(super) fn learn_prefix(&mut self, ctx: &mut Ctx<'_>, ballot: Ballot, chosen: u64) {
        let mut slot = self.chosen_prefix() + 1;
        while slot <= chosen {
            if self.chosen_at(slot).is_none() {
                match self.acceptor.accepted(slot) {
                    Some(a) if a.ballot == ballot => {
                        let value = a.value.clone();
                        self.learn(slot, value);
                    }
                    _ => break,
                }
            }
            slot += 1;
        }
        self.apply_chosen(ctx);
    }

    /// Applies chosen slots in order and answers the clients waiting for them.
    pub(super) fn apply_chosen(&mut self, ctx: &mut Ctx<'_>) {
        while self.applied < self.chosen_prefix() {
            let slot = self.applied + 1;
            let Some(value) = self.chosen_at(slot).cloned() else {
                break;
            };
            self.applied = slot;
            let result = match &value {
                SlotValue::Noop => None,
                SlotValue::Kv { command } => self
                    .kv
                    .apply(command)
                    .map(|r| (command.session, command.seq, r)),
            };
            self.after_apply(slot);
            let Some(waiting) = self.pending.remove(slot) else {
                continue;
            };
            let outcome = match result {
                Some((session, seq, result))
                    if (session, seq) == (waiting.session, waiting.seq) =>
                {
                    ReplyOutcome::Done { result }
                }
                // Another value took the slot: the client must try again.
                _ => match self.kv.cached_result(waiting.session, waiting.seq) {
                    Some(result) => ReplyOutcome::Done {
                        result: result.clone(),
                    },
                    None => ReplyOutcome::NotLeader {
                        leader_hint: self.leader(),
                    },
                },
            };
            let why = match &outcome {
                ReplyOutcome::Done { .. } => ServiceWhy::Applied { index: slot },
                ReplyOutcome::NotLeader { leader_hint } => {
                    ServiceWhy::NotLeader { hint: *leader_hint }
                }
            };
            ctx.reply_to_client(waiting.reply_to, waiting.session, waiting.seq, outcome, why);
        }
        // Reads waiting for the state machine may be ready now.
        self.serve_reads(ctx);
    }

    /// Sends a lagging replica that has `learned` up to there the chosen values after it (one
    /// batch).
    pub(super) fn send_catch_up(&mut self, ctx: &mut Ctx<'_>, to: NodeId, learned: u64) {
        let from = learned + 1;
        let upto = self.chosen_prefix().min(from + LEARN_BATCH - 1);
        let entries: Vec<SlotEntry> = (from..=upto)
            .filter_map(|slot| self.chosen_at(slot).map(|v| (slot, v.clone())))
            .collect();
        if entries.is_empty() {
            return;
        }
        let ballot = self.ballot;
        ctx.send_because(
            Addr::Server(to),
            Wire::Peer(PaxosMsg::Learn { ballot, entries }),
            ServerWhy::Protocol(PaxosWhy::CatchUp { learned }),
        );
    }

    /// Chosen values from the leader.
    pub(super) fn on_learn(&mut self, ctx: &mut Ctx<'_>, entries: Vec<SlotEntry>) {
        for (slot, value) in entries {
            self.learn(slot, value);
        }
        self.apply_chosen(ctx);
    }
}
