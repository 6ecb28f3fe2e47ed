//! Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends
//! new entries (Raft paper Figure 3, §5.3).

use super::{is_leader, CommittedPrefix, Invariant, Observed, PerNode};

/// What a leader's log looked like when last seen in its term.
#[derive(Clone, Copy, Debug)]
struct Seen {
    term: u64,
    last_index: u64,
    digest: u64,
}

#[derive(Clone, Debug, Default)]
pub(super) struct LeaderAppendOnly {
    seen: PerNode<Option<Seen>>,
}

impl Invariant for LeaderAppendOnly {
    fn name(&self) -> &'static str {
        "Leader Append-Only"
    }
    fn source(&self) -> &'static str {
        "Raft paper, Figure 3 and §5.3"
    }
    fn check(&mut self, node: &Observed<'_>, _: &CommittedPrefix) -> Option<String> {
        if !is_leader(node) {
            *self.seen.entry(node.id) = None;
            return None;
        }
        let r = node.replica;
        let term = r.term();
        let now = Seen {
            term,
            last_index: r.last_index(),
            digest: r.prefix_digest(r.last_index()).unwrap_or(0),
        };
        let problem = match *self.seen.entry(node.id) {
            Some(before) if before.term == term => {
                if now.last_index < before.last_index {
                    Some(format!(
                        "{}, leader of term {term}, shrank its log from {} to {} entries.",
                        node.label(),
                        before.last_index,
                        now.last_index
                    ))
                } else if before.last_index >= r.log_start()
                    && r.prefix_digest(before.last_index) != Some(before.digest)
                {
                    Some(format!(
                        "{}, leader of term {term}, changed entries at or before index {} instead of only appending.",
                        node.label(),
                        before.last_index
                    ))
                } else {
                    None
                }
            }
            _ => None,
        };
        *self.seen.entry(node.id) = Some(now);
        problem
    }
}
