//! Election Safety: at most one leader can be elected in a given term
//! (Raft paper Figure 3, §5.2; TLA+ `ElectionSafety`).

use std::collections::BTreeMap;

use super::{is_leader, CommittedPrefix, Invariant, Observed};
use quorum_core::NodeId;

#[derive(Clone, Debug, Default)]
pub(super) struct ElectionSafety {
    leader_of_term: BTreeMap<u64, NodeId>,
}

impl Invariant for ElectionSafety {
    fn name(&self) -> &'static str {
        "Election Safety"
    }
    fn source(&self) -> &'static str {
        "Raft paper, Figure 3 and §5.2"
    }
    fn check(&mut self, node: &Observed<'_>, _: &CommittedPrefix) -> Option<String> {
        if !is_leader(node) {
            return None;
        }
        let term = node.replica.term();
        match self.leader_of_term.get(&term) {
            Some(&other) if other != node.id => Some(format!(
                "{} and S{other} were both leader of term {term}; a term may have only one leader.",
                node.label()
            )),
            Some(_) => None,
            None => {
                self.leader_of_term.insert(term, node.id);
                None
            }
        }
    }
}
