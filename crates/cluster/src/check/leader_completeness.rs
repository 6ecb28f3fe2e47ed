//! Leader Completeness: if an entry is committed in a term, it is present in the logs of the
//! leaders of all higher terms (Raft paper Figure 3, §5.4; TLA+ `LeaderCompleteness`).
//!
//! Checked when a server is first seen leading a term: its log must contain the whole prefix
//! known committed in earlier terms. (What a later term committed need not be there: a leader of
//! an older term can still be elected late, on votes granted before a process stall; Election
//! Safety and the later terms' leaders keep it harmless.)

use super::{is_leader, CommittedPrefix, Invariant, Observed, PerNode};

#[derive(Clone, Debug, Default)]
pub(super) struct LeaderCompleteness {
    checked_term: PerNode<u64>,
}

impl Invariant for LeaderCompleteness {
    fn name(&self) -> &'static str {
        "Leader Completeness"
    }
    fn source(&self) -> &'static str {
        "Raft paper, Figure 3 and §5.4"
    }
    fn check(&mut self, node: &Observed<'_>, committed: &CommittedPrefix) -> Option<String> {
        if !is_leader(node) {
            return None;
        }
        let term = node.replica.term();
        let checked = self.checked_term.entry(node.id);
        if *checked == term {
            return None;
        }
        *checked = term;
        let len = committed.len_before_term(term);
        if len == 0 {
            return None;
        }
        if node.replica.last_index() < len || committed.agrees(node.replica, len) == Some(false) {
            return Some(format!(
                "{} became leader of term {term} without every committed entry: the first {len} \
                 entries are committed but its log {}.",
                node.label(),
                if node.replica.last_index() < len {
                    format!("ends at {}", node.replica.last_index())
                } else {
                    "differs from them".to_string()
                }
            ));
        }
        None
    }
}
