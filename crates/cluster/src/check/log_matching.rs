//! Log Matching: if two logs contain an entry with the same index and term, the logs are identical
//! in all entries up through that index (Raft paper Figure 3, §5.3; TLA+ `LogMatching`).
//!
//! For every (index, term) ever seen the checker remembers the digest of the prefix ending there;
//! each newly written entry is compared with that record.

use super::{CommittedPrefix, Invariant, Observed};
use quorum_core::pvec::PVec;

#[derive(Clone, Debug, Default)]
pub(super) struct LogMatching {
    /// At `index - 1`: every (term, prefix digest) seen at that index.
    seen: PVec<Vec<(u64, u64)>>,
}

impl Invariant for LogMatching {
    fn name(&self) -> &'static str {
        "Log Matching"
    }
    fn source(&self) -> &'static str {
        "Raft paper, Figure 3 and §5.3"
    }
    fn check(&mut self, node: &Observed<'_>, _: &CommittedPrefix) -> Option<String> {
        let from = node.changed_from?;
        let r = node.replica;
        for index in from.max(r.log_start()).max(1)..=r.last_index() {
            let (Some(term), Some(digest)) = (r.entry_term(index), r.prefix_digest(index)) else {
                break;
            };
            let slot = index as usize - 1;
            while self.seen.len() <= slot {
                self.seen.push(Vec::new());
            }
            let mut known = self.seen.get(slot).cloned().unwrap_or_default();
            match known.iter().find(|(t, _)| *t == term) {
                Some((_, d)) if *d != digest => {
                    return Some(format!(
                        "{} holds an entry of term {term} at index {index}, like another server, \
                         but their logs differ before it.",
                        node.label()
                    ));
                }
                Some(_) => {}
                None => {
                    known.push((term, digest));
                    self.seen.set(slot, known);
                }
            }
        }
        None
    }
}
