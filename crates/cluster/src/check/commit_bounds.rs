//! Commit bounds: a server's commit index never exceeds its last log index, and it never applies
//! past its commit index (Raft paper Figure 2, `commitIndex`, `lastApplied`).

use super::{CommittedPrefix, Invariant, Observed};

#[derive(Clone, Debug, Default)]
pub(super) struct CommitBounds;

impl Invariant for CommitBounds {
    fn name(&self) -> &'static str {
        "Commit index within log"
    }
    fn source(&self) -> &'static str {
        "Raft paper, Figure 2 (commitIndex, lastApplied)"
    }
    fn check(&mut self, node: &Observed<'_>, _: &CommittedPrefix) -> Option<String> {
        let r = node.replica;
        if r.commit_index() > r.last_index() {
            return Some(format!(
                "{} claims index {} is committed but its log ends at {}.",
                node.label(),
                r.commit_index(),
                r.last_index()
            ));
        }
        if r.applied_index() > r.commit_index() {
            return Some(format!(
                "{} applied up to index {} beyond its commit index {}.",
                node.label(),
                r.applied_index(),
                r.commit_index()
            ));
        }
        None
    }
}
