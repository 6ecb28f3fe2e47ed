//! Counting phase 2b answers. A value is chosen in a slot when a majority of the voters accepted it
//! in one and the same ballot ("Paxos Made Simple", §2.2); answers for any other ballot say nothing
//! about this proposal and are not counted, nor are answers from nodes that are not voters.

use std::collections::BTreeSet;

use super::ballot::Ballot;
use quorum_core::NodeId;

/// What recording one answer did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TallyOutcome {
    /// Counted; no majority yet, or the value was already chosen.
    Counted,
    /// This answer completed the majority: the value is chosen now.
    Chosen,
    /// Not counted: another ballot, or not a voter.
    Ignored,
}

/// The accepts gathered for one slot's proposal in one ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotTally {
    ballot: Ballot,
    voters: BTreeSet<NodeId>,
    accepted_by: BTreeSet<NodeId>,
    chosen: bool,
}

impl SlotTally {
    /// An empty tally for a proposal in `ballot` among `voters`.
    pub fn new(ballot: Ballot, voters: &[NodeId]) -> SlotTally {
        SlotTally {
            ballot,
            voters: voters.iter().copied().collect(),
            accepted_by: BTreeSet::new(),
            chosen: false,
        }
    }

    /// Records that `from` accepted in `ballot`; duplicates count once.
    pub fn record(&mut self, from: NodeId, ballot: Ballot) -> TallyOutcome {
        if ballot != self.ballot || !self.voters.contains(&from) {
            return TallyOutcome::Ignored;
        }
        self.accepted_by.insert(from);
        if !self.chosen && self.accepted_by.len() > self.voters.len() / 2 {
            self.chosen = true;
            return TallyOutcome::Chosen;
        }
        TallyOutcome::Counted
    }

    /// True once a majority accepted.
    pub fn is_chosen(&self) -> bool {
        self.chosen
    }

    /// The ballot being counted.
    pub fn ballot(&self) -> Ballot {
        self.ballot
    }

    /// The voters that accepted so far, in id order (drawn as the slot's accept marks).
    pub fn accepted_by(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.accepted_by.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: [NodeId; 5] = [1, 2, 3, 4, 5];

    #[test]
    fn a_value_is_chosen_on_the_third_accept_of_five() {
        let ballot = Ballot::new(1, 1);
        let mut t = SlotTally::new(ballot, &FIVE);
        assert_eq!(t.record(1, ballot), TallyOutcome::Counted);
        assert_eq!(t.record(2, ballot), TallyOutcome::Counted);
        assert!(!t.is_chosen());
        assert_eq!(t.record(4, ballot), TallyOutcome::Chosen);
        assert!(t.is_chosen());
        assert_eq!(t.record(5, ballot), TallyOutcome::Counted);
        assert_eq!(t.accepted_by().collect::<Vec<_>>(), vec![1, 2, 4, 5]);
    }

    #[test]
    fn duplicate_accepts_from_one_node_count_once() {
        let ballot = Ballot::new(2, 3);
        let mut t = SlotTally::new(ballot, &FIVE);
        for _ in 0..4 {
            t.record(3, ballot);
        }
        t.record(1, ballot);
        assert!(!t.is_chosen());
    }

    #[test]
    fn accepts_in_another_ballot_or_from_non_voters_are_ignored() {
        let ballot = Ballot::new(2, 1);
        let mut t = SlotTally::new(ballot, &[1, 2, 3]);
        assert_eq!(t.record(2, Ballot::new(1, 1)), TallyOutcome::Ignored);
        assert_eq!(t.record(2, Ballot::new(3, 2)), TallyOutcome::Ignored);
        assert_eq!(t.record(9, ballot), TallyOutcome::Ignored);
        assert_eq!(t.record(1, ballot), TallyOutcome::Counted);
        assert_eq!(t.record(3, ballot), TallyOutcome::Chosen);
        assert_eq!(t.ballot(), ballot);
    }

    #[test]
    fn an_even_cluster_needs_more_than_half() {
        let ballot = Ballot::new(1, 1);
        let mut t = SlotTally::new(ballot, &[1, 2, 3, 4]);
        t.record(1, ballot);
        assert_eq!(t.record(2, ballot), TallyOutcome::Counted);
        assert_eq!(t.record(3, ballot), TallyOutcome::Chosen);
    }
}
