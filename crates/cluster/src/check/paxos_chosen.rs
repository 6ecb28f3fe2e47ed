//! What Multi-Paxos has chosen, rebuilt by the checker from the acceptors' votes the way
//! Paxos.tla defines it: a value is chosen in a slot when a majority of acceptors voted for it
//! (sent phase 2b) in one and the same ballot. No server's belief enters, so the checks built on
//! it test the servers rather than repeat them.

use super::paxos_facts::PaxosFacts;
use quorum_core::pvec::PVec;
use quorum_core::NodeId;
use quorum_paxos::Ballot;

/// Votes, proposals and the verdict for one slot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlotRecord {
    /// Per ballot: the value's digest and a bit per acceptor that voted for it.
    votes: Vec<(Ballot, u64, u16)>,
    /// Values proposed (phase 2a) in the slot: (ballot, digest).
    proposed: Vec<(Ballot, u64)>,
    /// The first value seen chosen, with its ballot.
    chosen: Option<(Ballot, u64)>,
}

/// A slot that reached a majority for some ballot during the latest observation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewlyChosen {
    /// The slot.
    pub slot: u64,
    /// The ballot whose votes made the majority.
    pub ballot: Ballot,
    /// The value's digest.
    pub digest: u64,
    /// What the slot had been chosen as before, if anything (must be the same value).
    pub earlier: Option<(Ballot, u64)>,
}

/// Everything chosen so far, per slot.
#[derive(Clone, Debug, Default)]
pub struct ChosenSlots {
    slots: PVec<SlotRecord>,
    /// Slots that reached a majority during the latest [`ChosenSlots::absorb`].
    pub fresh: Vec<NewlyChosen>,
}

impl ChosenSlots {
    fn record_mut(&mut self, slot: u64) -> Option<&mut SlotRecord> {
        let i = slot.checked_sub(1)? as usize;
        while self.slots.len() <= i {
            self.slots.push(SlotRecord::default());
        }
        self.slots.get_mut(i)
    }

    /// The value chosen in `slot` (ballot, digest), if any.
    pub fn chosen(&self, slot: u64) -> Option<(Ballot, u64)> {
        let i = slot.checked_sub(1)? as usize;
        self.slots.get(i).and_then(|r| r.chosen)
    }

    /// Whether `digest` was proposed in `slot` in `ballot`.
    pub fn was_proposed(&self, slot: u64, ballot: Ballot, digest: u64) -> bool {
        let Some(i) = slot.checked_sub(1) else {
            return false;
        };
        self.slots
            .get(i as usize)
            .is_some_and(|r| r.proposed.contains(&(ballot, digest)))
    }

    /// Takes in one server's proposals and votes; `majority` acceptors make a value chosen.
    pub fn absorb(&mut self, acceptor: NodeId, facts: &PaxosFacts, majority: usize) {
        self.fresh.clear();
        for &(slot, ballot, digest) in &facts.proposed {
            if let Some(r) = self.record_mut(slot) {
                if !r.proposed.contains(&(ballot, digest)) {
                    r.proposed.push((ballot, digest));
                }
            }
        }
        let bit = 1u16 << (acceptor.min(15));
        for &(slot, ballot, digest) in &facts.accepted {
            let Some(r) = self.record_mut(slot) else {
                continue;
            };
            let at = match r
                .votes
                .iter()
                .position(|(b, d, _)| *b == ballot && *d == digest)
            {
                Some(at) => at,
                None => {
                    r.votes.push((ballot, digest, 0));
                    r.votes.len() - 1
                }
            };
            let before = r.votes[at].2;
            r.votes[at].2 |= bit;
            let count = r.votes[at].2.count_ones() as usize;
            if before.count_ones() as usize >= majority || count < majority {
                continue;
            }
            let earlier = r.chosen;
            if earlier.is_none() {
                r.chosen = Some((ballot, digest));
            }
            self.fresh.push(NewlyChosen {
                slot,
                ballot,
                digest,
                earlier,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes(accepted: &[(u64, Ballot, u64)]) -> PaxosFacts {
        PaxosFacts {
            accepted: accepted.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn a_value_is_chosen_when_a_majority_voted_for_it_in_one_ballot() {
        let (b1, b2) = (Ballot::new(1, 1), Ballot::new(2, 2));
        let mut c = ChosenSlots::default();
        c.absorb(1, &votes(&[(1, b1, 10)]), 3);
        c.absorb(2, &votes(&[(1, b2, 10)]), 3);
        c.absorb(3, &votes(&[(1, b1, 10)]), 3);
        assert_eq!(
            c.chosen(1),
            None,
            "two votes in 1.1 and one in 2.2: no majority"
        );
        c.absorb(3, &votes(&[(1, b1, 10)]), 3);
        assert_eq!(c.chosen(1), None, "a repeated vote counts once");
        c.absorb(4, &votes(&[(1, b1, 10)]), 3);
        assert_eq!(c.chosen(1), Some((b1, 10)));
        assert_eq!(c.fresh.len(), 1);
        c.absorb(5, &votes(&[(1, b1, 10)]), 3);
        assert!(c.fresh.is_empty(), "chosen once, reported once");
    }

    #[test]
    fn a_second_value_reaching_a_majority_is_reported_with_the_first() {
        let (b1, b2) = (Ballot::new(1, 1), Ballot::new(2, 2));
        let mut c = ChosenSlots::default();
        for a in 1..=2 {
            c.absorb(a, &votes(&[(4, b1, 10)]), 2);
        }
        for a in 2..=3 {
            c.absorb(a, &votes(&[(4, b2, 20)]), 2);
        }
        assert_eq!(
            c.fresh,
            vec![NewlyChosen {
                slot: 4,
                ballot: b2,
                digest: 20,
                earlier: Some((b1, 10)),
            }]
        );
        assert_eq!(c.chosen(4), Some((b1, 10)), "the first verdict stands");
    }

    #[test]
    fn proposals_are_remembered_per_slot_and_ballot() {
        let b = Ballot::new(3, 1);
        let mut c = ChosenSlots::default();
        let facts = PaxosFacts {
            proposed: vec![(2, b, 7)],
            ..Default::default()
        };
        c.absorb(1, &facts, 3);
        assert!(c.was_proposed(2, b, 7));
        assert!(!c.was_proposed(2, b, 8));
        assert!(!c.was_proposed(2, Ballot::new(4, 1), 7));
        assert!(!c.was_proposed(0, b, 7));
    }
}
