//! What Multi-Paxos has chosen, rebuilt by the checker from the acceptors' votes the way
//! Paxos.tla defines it: a value is chosen in a slot when a majority of acceptors voted for it
//! (sent phase 2b) in one and the same ballot. No server's belief enters, so the checks built on
//! it test the servers rather than repeat them.

use super::paxos_facts::PaxosFacts;
use quorum_core::pvec::PVec;
use quorum_core::NodeId;
use quorum_paxos::Ballot;

/// One value offered in a slot in one ballot: whether it was proposed (phase 2a) and which
/// acceptors voted for it (phase 2b), a bit each.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Candidate {
    ballot: Ballot,
    digest: u64,
    voters: u16,
    proposed: bool,
}

/// Votes, proposals and the verdict for one slot. Almost every slot sees one value in one
/// ballot, so that one sits inline and any others (a slot a new leader re-proposed, duelling
/// proposers) in a box: an hour of Multi-Paxos has hundreds of thousands of slots.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlotRecord {
    /// The first (ballot, value) offered here.
    first: Option<Candidate>,
    /// Any others, in the order they appeared.
    others: Option<Box<[Candidate]>>,
    /// Which candidate was first seen chosen: 1 for `first`, 2 and up for `others` (0: none).
    chosen: u32,
}

impl SlotRecord {
    fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.first
            .iter()
            .chain(self.others.iter().flat_map(|o| o.iter()))
    }

    fn nth(&self, n: usize) -> Option<&Candidate> {
        self.candidates().nth(n)
    }

    /// The candidate for (`ballot`, `digest`) and its place, made if it is new.
    fn candidate_mut(&mut self, ballot: Ballot, digest: u64) -> (usize, &mut Candidate) {
        let fresh = Candidate {
            ballot,
            digest,
            voters: 0,
            proposed: false,
        };
        let same = |c: &Candidate| c.ballot == ballot && c.digest == digest;
        let first = self.first.get_or_insert(fresh);
        if same(first) {
            return (0, first);
        }
        // Rare, so the others are kept as an exact-size slice (turning it into a vector and
        // back moves no elements unless one is added).
        let mut others = self.others.take().map(Vec::from).unwrap_or_default();
        let at = match others.iter().position(same) {
            Some(at) => at,
            None => {
                others.push(fresh);
                others.len() - 1
            }
        };
        let others = self.others.insert(others.into_boxed_slice());
        (at + 1, &mut others[at])
    }

    /// The value first seen chosen here, with its ballot.
    fn chosen(&self) -> Option<(Ballot, u64)> {
        let n = (self.chosen as usize).checked_sub(1)?;
        self.nth(n).map(|c| (c.ballot, c.digest))
    }
}

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
        self.slots.get(i).and_then(SlotRecord::chosen)
    }

    /// Whether `digest` was proposed in `slot` in `ballot`.
    pub fn was_proposed(&self, slot: u64, ballot: Ballot, digest: u64) -> bool {
        let Some(i) = slot.checked_sub(1) else {
            return false;
        };
        self.slots.get(i as usize).is_some_and(|r| {
            r.candidates()
                .any(|c| c.proposed && c.ballot == ballot && c.digest == digest)
        })
    }

    /// Takes in one server's proposals and votes; `majority` acceptors make a value chosen.
    pub fn absorb(&mut self, acceptor: NodeId, facts: &PaxosFacts, majority: usize) {
        self.fresh.clear();
        for &(slot, ballot, digest) in &facts.proposed {
            if let Some(r) = self.record_mut(slot) {
                r.candidate_mut(ballot, digest).1.proposed = true;
            }
        }
        let bit = 1u16 << (acceptor.min(15));
        for &(slot, ballot, digest) in &facts.accepted {
            let Some(r) = self.record_mut(slot) else {
                continue;
            };
            let (at, candidate) = r.candidate_mut(ballot, digest);
            let before = candidate.voters.count_ones() as usize;
            candidate.voters |= bit;
            let count = candidate.voters.count_ones() as usize;
            if before >= majority || count < majority {
                continue;
            }
            let earlier = r.chosen();
            if earlier.is_none() {
                r.chosen = u32::try_from(at + 1).unwrap_or(u32::MAX);
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

    /// A slot a new leader re-proposed holds two values; the second, kept apart from the first,
    /// is the one chosen, and each is known proposed only in its own ballot (Paxos.tla's
    /// `chosen` and the "chosen was proposed" check).
    #[test]
    fn a_re_proposed_slot_keeps_each_value_with_its_ballot() {
        let (b1, b2) = (Ballot::new(1, 1), Ballot::new(2, 2));
        let proposed = |slot, ballot, digest| PaxosFacts {
            proposed: vec![(slot, ballot, digest)],
            ..Default::default()
        };
        let mut c = ChosenSlots::default();
        c.absorb(1, &proposed(7, b1, 10), 3);
        c.absorb(1, &votes(&[(7, b1, 10)]), 3);
        c.absorb(2, &proposed(7, b2, 20), 3);
        for a in 2..=4 {
            c.absorb(a, &votes(&[(7, b2, 20)]), 3);
        }
        assert_eq!(c.chosen(7), Some((b2, 20)));
        assert!(c.was_proposed(7, b1, 10) && c.was_proposed(7, b2, 20));
        assert!(!c.was_proposed(7, b2, 10) && !c.was_proposed(7, b1, 20));
        assert!(!c.was_proposed(6, b1, 10), "another slot");
    }
}
