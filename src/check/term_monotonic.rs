//! Terms never decrease: a server's current term is persistent and only ever grows
//! (Raft paper Figure 2, "currentTerm ... increases monotonically"; survives crashes).

use std::collections::BTreeMap;

use super::{CommittedPrefix, Invariant, Observed};
use crate::sim::NodeId;

#[derive(Clone, Debug, Default)]
pub(super) struct TermMonotonic {
    last: BTreeMap<NodeId, u64>,
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
        let last = self.last.insert(node.id, term).unwrap_or(0);
        (term < last).then(|| format!("{}'s term went back from {last} to {term}.", node.label()))
    }
}
