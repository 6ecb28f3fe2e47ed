//! Committed entries never change or disappear: once a server has known an entry as committed,
//! that entry stays in its log, even across crashes (Raft paper §5.4 and Figure 2: the log is
//! persistent; TLA+ committed-entries invariants).

use super::{CommittedPrefix, Invariant, Observed, PerNode};

#[derive(Clone, Debug, Default)]
pub(super) struct CommittedDurable {
    highest_known: PerNode<u64>,
}

impl Invariant for CommittedDurable {
    fn name(&self) -> &'static str {
        "Committed entries are durable"
    }
    fn source(&self) -> &'static str {
        "Raft paper, §5.4 and Figure 2 (persistent log)"
    }
    fn check(&mut self, node: &Observed<'_>, committed: &CommittedPrefix) -> Option<String> {
        let r = node.replica;
        let known = self.highest_known.entry(node.id);
        *known = (*known).max(r.commit_index().min(committed.len()));
        let k = *known;
        if k == 0 {
            return None;
        }
        if r.last_index() < k {
            return Some(format!(
                "{} lost committed entries: it knew {k} committed entries but its log now ends at {}.",
                node.label(),
                r.last_index()
            ));
        }
        if committed.agrees(r, k) == Some(false) {
            return Some(format!(
                "{} changed a committed entry at or before index {k}.",
                node.label()
            ));
        }
        None
    }
}
