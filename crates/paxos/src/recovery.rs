//! What a new proposer must re-propose. After phase 1 it may not propose freely in a slot where
//! some acceptor of its promise majority already accepted a value: it must propose the value
//! accepted in the highest ballot (P2c in "Paxos Made Simple"), because that value may already be
//! chosen. Slots no acceptor reported are free (a new leader fills gaps among them with no-ops).

use std::collections::BTreeMap;

use super::acceptor::Accepted;

/// Merges the `accepted` lists of a majority's promises: per slot, the value accepted in the
/// highest ballot. Equal ballots carry equal values (one proposer, one value per slot and ballot).
pub fn merge_promises<V: Clone>(
    promises: impl IntoIterator<Item = Vec<(u64, Accepted<V>)>>,
) -> BTreeMap<u64, Accepted<V>> {
    let mut merged: BTreeMap<u64, Accepted<V>> = BTreeMap::new();
    for (slot, accepted) in promises.into_iter().flatten() {
        match merged.get(&slot) {
            Some(kept) if kept.ballot >= accepted.ballot => {}
            _ => {
                merged.insert(slot, accepted);
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ballot;

    fn acc(round: u64, node: u32, value: &'static str) -> Accepted<&'static str> {
        Accepted {
            ballot: Ballot::new(round, node),
            value,
        }
    }

    #[test]
    fn the_value_of_the_highest_ballot_wins_each_slot() {
        let merged = merge_promises([
            vec![(1, acc(1, 1, "a")), (2, acc(3, 2, "c"))],
            vec![(1, acc(2, 3, "b")), (2, acc(1, 1, "x"))],
            vec![],
        ]);
        assert_eq!(merged.get(&1).map(|a| a.value), Some("b"));
        assert_eq!(merged.get(&2).map(|a| a.value), Some("c"));
        assert_eq!(merged.len(), 2);
    }

    #[test]
    fn slots_no_acceptor_reported_stay_free() {
        let merged = merge_promises([vec![(3, acc(1, 1, "z"))], vec![(5, acc(1, 1, "w"))]]);
        assert_eq!(merged.keys().copied().collect::<Vec<_>>(), vec![3, 5]);
        assert!(!merged.contains_key(&4));
    }
}
