//! State Machine Safety: if a server has applied a log entry at a given index, no other server
//! ever applies a different entry for that index (Raft paper Figure 3, §5.4.3).
//!
//! Checked through commit indexes: every server's committed prefix must equal the prefix the
//! cluster has committed, which also covers what it applied (applied ≤ committed).

use super::{CommittedPrefix, Invariant, Observed};

#[derive(Clone, Debug, Default)]
pub(super) struct StateMachineSafety;

impl Invariant for StateMachineSafety {
    fn name(&self) -> &'static str {
        "State Machine Safety"
    }
    fn source(&self) -> &'static str {
        "Raft paper, Figure 3 and §5.4.3"
    }
    fn check(&mut self, node: &Observed<'_>, committed: &CommittedPrefix) -> Option<String> {
        let r = node.replica;
        let upto = r.commit_index().min(committed.len());
        if upto == 0 {
            return None;
        }
        if committed.agrees(r, upto) == Some(false) {
            return Some(format!(
                "{} committed a different entry at or before index {upto} than the rest of the cluster.",
                node.label()
            ));
        }
        None
    }
}
