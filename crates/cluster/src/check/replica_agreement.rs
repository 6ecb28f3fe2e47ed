//! Replicas agree: two servers that have applied the same number of entries hold the same
//! key-value state (the state-machine approach, Raft paper §2 and §5.4.3).

use super::{CommittedPrefix, Invariant, Observed};
use quorum_core::pvec::PVec;

#[derive(Clone, Debug, Default)]
pub(super) struct ReplicaAgreement {
    /// At `applied_index`: the key-value digest the first server to get there had.
    digest_at: PVec<Option<u64>>,
}

impl Invariant for ReplicaAgreement {
    fn name(&self) -> &'static str {
        "Equal applied index, equal state"
    }
    fn source(&self) -> &'static str {
        "Raft paper, §2 (replicated state machines) and §5.4.3"
    }
    fn check(&mut self, node: &Observed<'_>, _: &CommittedPrefix) -> Option<String> {
        let r = node.replica;
        let applied = r.applied_index() as usize;
        if applied == 0 {
            return None;
        }
        while self.digest_at.len() <= applied {
            self.digest_at.push(None);
        }
        let digest = r.kv_digest();
        match self.digest_at.get(applied).copied().flatten() {
            Some(d) if d != digest => Some(format!(
                "{} has applied {applied} entries like another server, but its key-value state differs.",
                node.label()
            )),
            Some(_) => None,
            None => {
                self.digest_at.set(applied, Some(digest));
                None
            }
        }
    }
}
