//! Replicas apply chosen slots in order, and only the chosen value: each application is the
//! next slot after the previous one, and its value is the one a majority voted for (Multi-Paxos
//! state machine replication, "Paxos Made Simple" §3; Paxos Made Moderately Complex, replica
//! invariants R1–R2). A restart starts applying again after the slots its snapshot covers.

use super::paxos_chosen::ChosenSlots;
use super::paxos_facts::PaxosFacts;
use super::{Observed, PaxosInvariant, PerNode};

#[derive(Clone, Debug, Default)]
pub(super) struct AppliedInOrder {
    last_applied: PerNode<u64>,
}

impl PaxosInvariant for AppliedInOrder {
    fn name(&self) -> &'static str {
        "Replicas apply chosen slots in order"
    }
    fn source(&self) -> &'static str {
        "Paxos Made Simple §3; Paxos Made Moderately Complex (replica invariants)"
    }
    fn check(
        &mut self,
        node: &Observed<'_>,
        facts: &PaxosFacts,
        chosen: &ChosenSlots,
    ) -> Option<String> {
        let last = self.last_applied.entry(node.id);
        if !node.up {
            // Its key-value store is gone; when it restarts it re-applies from its snapshot on.
            *last = 0;
            return None;
        }
        for &(slot, digest) in &facts.applied {
            // Restarted: the store came back from the snapshot, so the next slot follows it.
            let previous = if *last == 0 {
                node.replica.log_start()
            } else {
                *last
            };
            if slot != previous + 1 {
                return Some(format!(
                    "{} applied slot {slot} right after slot {previous}: out of order.",
                    node.label(),
                ));
            }
            *last = slot;
            match chosen.chosen(slot) {
                None => {
                    return Some(format!(
                        "{} applied slot {slot} before any value was chosen there.",
                        node.label()
                    ))
                }
                Some((_, d)) if d != digest => {
                    return Some(format!(
                        "{} applied a value in slot {slot} other than the one chosen.",
                        node.label()
                    ))
                }
                Some(_) => {}
            }
        }
        None
    }
}
