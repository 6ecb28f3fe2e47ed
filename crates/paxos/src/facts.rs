//! What a Multi-Paxos server did during one event, as the safety checks need it: its promise and
//! the accepts, proposals and applications since the checker last looked. The checks rebuild
//! "chosen" from these the way Paxos.tla defines it (a majority of acceptors accepted one value in
//! one ballot), independently of what any server believes it learned.

use super::ballot::Ballot;

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
