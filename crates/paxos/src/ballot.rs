//! Ballot numbers. Two proposers must never use the same ballot, or two different values could
//! each gather a majority "for the same ballot"; pairing a round with the proposer's id makes every
//! ballot belong to exactly one node while keeping them totally ordered.

use std::fmt;

use serde::{Deserialize, Serialize};

use quorum_core::NodeId;

/// A ballot: ordered by `round` first, then by the proposing node's id to break ties.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Ballot {
    /// The round; a proposer that finds a higher ballot moves to a higher round.
    pub round: u64,
    /// The node that owns this ballot (0 only in [`Ballot::ZERO`]).
    pub node: NodeId,
}

impl Ballot {
    /// Below every real ballot: what an acceptor has promised before it hears any proposer.
    pub const ZERO: Ballot = Ballot { round: 0, node: 0 };

    /// A ballot of `node` in `round`.
    pub fn new(round: u64, node: NodeId) -> Ballot {
        Ballot { round, node }
    }

    /// The ballot `node` should try next after learning that `seen` is in use: the next round,
    /// so it is above `seen` whatever the two node ids are.
    pub fn above(seen: Ballot, node: NodeId) -> Ballot {
        Ballot {
            round: seen.round + 1,
            node,
        }
    }

    /// True for [`Ballot::ZERO`], which no proposer ever uses.
    pub fn is_zero(self) -> bool {
        self == Ballot::ZERO
    }
}

/// Written `round.node` ("3.2": round 3 of S2), the way the event feed names ballots.
impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_order_by_round_before_node() {
        assert!(Ballot::new(2, 1) > Ballot::new(1, 5));
        assert!(Ballot::new(1, 5) > Ballot::new(1, 2));
        assert!(Ballot::new(1, 1) > Ballot::ZERO);
    }

    #[test]
    fn a_ballot_above_another_is_greater_whatever_the_node_ids() {
        for seen_node in 1..=5 {
            for node in 1..=5 {
                let seen = Ballot::new(4, seen_node);
                let next = Ballot::above(seen, node);
                assert!(next > seen, "{next} should be above {seen}");
                assert_eq!(next.node, node);
            }
        }
    }

    #[test]
    fn ballots_of_different_nodes_in_one_round_differ() {
        assert_ne!(Ballot::new(3, 1), Ballot::new(3, 2));
    }

    #[test]
    fn ballots_display_as_round_dot_node() {
        assert_eq!(Ballot::new(3, 2).to_string(), "3.2");
        assert!(Ballot::ZERO.is_zero());
        assert!(!Ballot::new(0, 1).is_zero());
    }
}
