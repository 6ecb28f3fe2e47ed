//! A snapshot equals the state machine at its index: compacting the log must not change what a
//! replica would have had after applying those entries (Raft paper §7; the state-machine
//! approach of §2). Compared with the key-value state every replica reported when it had applied
//! exactly that many entries.

use super::{CommittedPrefix, Invariant, Observed};
use quorum_core::pvec::PVec;

#[derive(Clone, Debug, Default)]
pub(super) struct SnapshotMatches {
    /// At `applied_index`: the key-value digest a replica had there.
    state_at: PVec<Option<u64>>,
}

impl SnapshotMatches {
    fn learn(&mut self, index: u64, digest: u64) -> Option<u64> {
        let i = index as usize;
        while self.state_at.len() <= i {
            self.state_at.push(None);
        }
        match self.state_at.get(i).copied().flatten() {
            Some(known) => Some(known),
            None => {
                self.state_at.set(i, Some(digest));
                None
            }
        }
    }
}

impl Invariant for SnapshotMatches {
    fn name(&self) -> &'static str {
        "Snapshots equal the state they replace"
    }
    fn source(&self) -> &'static str {
        "Raft paper, §7 (log compaction)"
    }
    fn check(&mut self, node: &Observed<'_>, _: &CommittedPrefix) -> Option<String> {
        let r = node.replica;
        if r.applied_index() > 0 {
            self.learn(r.applied_index(), r.kv_digest());
        }
        let (index, digest) = node.reconfigurable?.snapshot_state()?;
        if index == 0 {
            return None;
        }
        match self.learn(index, digest) {
            Some(known) if known != digest => Some(format!(
                "{}'s snapshot at index {index} holds a different key-value state than replicas had after applying {index} entries.",
                node.label()
            )),
            _ => None,
        }
    }
}
