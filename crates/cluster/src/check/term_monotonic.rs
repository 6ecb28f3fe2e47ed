//! Terms never decrease: a server's current term is persistent and only ever grows
//! (Raft paper Figure 2, "currentTerm ... increases monotonically"; survives crashes).

use super::{CommittedPrefix, Invariant, Observed, PerNode};

#[derive(Clone, Debug, Default)]
pub(super) struct TermMonotonic {
    last: PerNode<u64>,
}

impl Invariant for TermMonotonic {
    fn name(&self) -> &'static str {
        "Terms never decrease"
    }
    fn source(&self) -> &'static str {
        "Raft paper, Figure 2 (currentTerm increases monotonically)"
    }
    fn check(&mut self, node: &Observed<'_>, _: &CommittedPrefix) -> Option<String> {
        let term = node.replica.term();
        let last = std::mem::replace(self.last.entry(node.id), term);
        (term < last).then(|| format!("{}'s term went back from {last} to {term}.", node.label()))
    }
}
