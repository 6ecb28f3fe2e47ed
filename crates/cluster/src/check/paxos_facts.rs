//! What a Multi-Paxos server did during one event, as the safety checks need it: its promise and
//! the accepts, proposals and applications since the checker last looked. The checks rebuild
//! "chosen" from these the way Paxos.tla defines it (a majority of acceptors accepted one value in
//! one ballot), independently of what any server believes it learned.
//!
//! The servers keep nothing for the checks: [`PaxosWatch`] derives the facts from what the event
//! carried (an accept request received, accept requests sent — the proposals) and from the
//! server's durable state (its acceptor's votes in the slots the event touched, its applied
//! prefix).

use std::collections::BTreeMap;

use quorum_core::digest::digest_of;
use quorum_core::window::Window;
use quorum_core::NodeId;
use quorum_paxos::{Ballot, PaxosMsg, PaxosNode};

/// One acceptor vote or proposal: (slot, ballot, digest of the value).
pub type SlotVote = (u64, Ballot, u64);

/// A server's Paxos activity since the last look.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PaxosFacts {
    /// The acceptor's promise now.
    pub promised: Ballot,
    /// Values this acceptor accepted, in order.
    pub accepted: Vec<SlotVote>,
    /// Values this server proposed as leader (phase 2a), in order.
    pub proposed: Vec<SlotVote>,
    /// Slots this replica applied to its key-value store, in order: (slot, value digest).
    pub applied: Vec<(u64, u64)>,
}

impl PaxosFacts {
    /// True when nothing happened but possibly a promise.
    pub fn is_quiet(&self) -> bool {
        self.accepted.is_empty() && self.proposed.is_empty() && self.applied.is_empty()
    }
}

/// The Paxos messages of one event, as far as the checks care: the slot of an accept request
/// received and the accept requests sent (each a proposal: slot, ballot, value digest).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PaxosActivity {
    /// The slot an accept request received named.
    pub accept_received: Option<u64>,
    /// The accept requests sent.
    pub proposals: Vec<SlotVote>,
}

impl PaxosActivity {
    /// Forgets the event's messages, keeping the buffer for the next event's.
    pub fn clear(&mut self) {
        self.accept_received = None;
        self.proposals.clear();
    }

    /// Notes one message the server received or sent.
    pub fn saw(&mut self, message: &PaxosMsg, sent: bool) {
        if let PaxosMsg::Accept {
            ballot,
            slot,
            value,
            ..
        } = message
        {
            if sent {
                self.proposals.push((*slot, *ballot, value.digest()));
            } else {
                self.accept_received = Some(*slot);
            }
        }
    }
}

/// A vote as 64 bits, never 0 (0 stands for no vote): two different votes share one with
/// probability 2⁻⁶⁴.
fn vote_fingerprint(ballot: Ballot, digest: u64) -> u64 {
    digest_of(&(ballot.round, ballot.node, digest)).max(1)
}

/// Derives each server's [`PaxosFacts`] after an event, remembering per server the votes it has
/// reported, the slots its acceptor held and the prefix it had applied.
#[derive(Clone, Debug, Default)]
pub struct PaxosWatch {
    /// A fingerprint of the last vote reported per server and slot (index `slot - 1`; 0: none),
    /// so a vote is reported once, when it appears or changes. Eight bytes a slot in shared
    /// structure, kept only above the slots the server compacted (where votes can change).
    votes: BTreeMap<NodeId, Window<u64>>,
    /// Slots each acceptor held at the last look.
    top: BTreeMap<NodeId, u64>,
    /// The applied prefix of each server at the last look.
    applied: BTreeMap<NodeId, u64>,
    /// The slots the event touched, and the facts last derived: kept between events so that
    /// deriving them allocates nothing (every Multi-Paxos event asks).
    slots: Vec<u64>,
    facts: PaxosFacts,
}

impl PaxosWatch {
    /// What `node` did in the event just handled, which carried `activity`.
    pub fn facts(&mut self, id: NodeId, node: &PaxosNode, activity: &PaxosActivity) -> &PaxosFacts {
        let acceptor = node.acceptor();
        let top = acceptor.top_slot();
        let before = self.top.insert(id, top).unwrap_or(0);
        // A vote can change only in a slot the event named or in a slot new to this acceptor.
        let slots = &mut self.slots;
        slots.clear();
        slots.extend(
            activity
                .accept_received
                .into_iter()
                .chain(activity.proposals.iter().map(|(slot, _, _)| *slot))
                .chain(before + 1..=top),
        );
        slots.sort_unstable();
        slots.dedup();
        let facts = &mut self.facts;
        facts.promised = acceptor.promised();
        facts.accepted.clear();
        let votes = self.votes.entry(id).or_default();
        votes.discard_below(acceptor.compacted() as usize);
        for &slot in slots.iter() {
            let Some(vote) = acceptor.accepted(slot) else {
                continue;
            };
            let Some(index) = slot.checked_sub(1).map(|i| i as usize) else {
                continue;
            };
            let digest = vote.value.digest();
            let seen = vote_fingerprint(vote.ballot, digest);
            while votes.len() <= index {
                votes.push(0);
            }
            if votes.get(index) != Some(&seen) {
                votes.set(index, seen);
                facts.accepted.push((slot, vote.ballot, digest));
            }
        }
        // A value this server accepted in its own ballot it proposed (a cluster of one sends
        // no accept requests).
        let own = facts
            .accepted
            .iter()
            .filter(|(_, ballot, _)| ballot.node == id);
        facts.proposed.clear();
        facts
            .proposed
            .extend(activity.proposals.iter().chain(own).copied());
        let now_applied = node.applied_slot();
        let was = self.applied.insert(id, now_applied).unwrap_or(0);
        // After a restart the server applies its chosen slots again from its snapshot on.
        let from = if now_applied < was {
            node.snapshot_slot()
        } else {
            was
        };
        facts.applied.clear();
        facts.applied.extend(
            (from + 1..=now_applied)
                .filter_map(|slot| node.chosen_value(slot).map(|v| (slot, v.digest()))),
        );
        facts
    }
}
