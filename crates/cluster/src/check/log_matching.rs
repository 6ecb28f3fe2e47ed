//! Log Matching: if two logs contain an entry with the same index and term, the logs are identical
//! in all entries up through that index (Raft paper Figure 3, §5.3; TLA+ `LogMatching`).
//!
//! For every (index, term) ever seen the checker remembers the digest of the prefix ending there;
//! each newly written entry is compared with that record.

use std::collections::BTreeMap;

use super::{CommittedPrefix, Invariant, Observed};
use quorum_core::pvec::PVec;

#[derive(Clone, Debug, Default)]
pub(super) struct LogMatching {
    /// At `index - 1`: the first (term, prefix digest) seen at that index (term 0: none yet).
    /// Sixteen bytes an index in shared structure: every index of an hour-long run is here.
    first: PVec<(u64, u64)>,
    /// Per index, the pairs of other terms seen there (entries a new leader overwrote): rare.
    others: BTreeMap<u64, Vec<(u64, u64)>>,
}

impl LogMatching {
    /// The digest recorded for (`index`, `term`), recording `digest` if there was none.
    fn recall_or_record(&mut self, index: u64, term: u64, digest: u64) -> Option<u64> {
        let slot = index as usize - 1;
        while self.first.len() <= slot {
            self.first.push((0, 0));
        }
        match self.first.get(slot).copied() {
            Some((0, _)) => {
                self.first.set(slot, (term, digest));
                return None;
            }
            Some((t, d)) if t == term => return Some(d),
            _ => {}
        }
        let others = self.others.entry(index).or_default();
        if let Some((_, d)) = others.iter().find(|(t, _)| *t == term) {
            return Some(*d);
        }
        others.push((term, digest));
        None
    }
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
            if let Some(known) = self.recall_or_record(index, term, digest) {
                if known != digest {
                    return Some(format!(
                        "{} holds an entry of term {term} at index {index}, like another server, \
                         but their logs differ before it.",
                        node.label()
                    ));
                }
            }
        }
        None
    }
}
