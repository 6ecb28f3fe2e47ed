//! Safety checks, always on. After every event the engine shows the checker the server that
//! handled it; each invariant (one file each, citing where it comes from) keeps just enough state
//! to check incrementally, so the cost per event stays bounded and the checks can run in the
//! browser. A broken invariant becomes a [`Violation`] with a plain-language explanation.
//!
//! Log comparisons use the digest chain the log maintains: two logs agree up to index `i` exactly
//! when their prefix digests at `i` are equal, so no check ever walks a whole log.

mod commit_bounds;
mod committed_durable;
mod config_serial;
mod election_safety;
mod leader_append_only;
mod leader_completeness;
pub mod linearizability;
mod log_matching;
mod replica_agreement;
mod snapshot_matches;
mod state_machine_safety;
mod term_monotonic;

use serde::{Deserialize, Serialize};

use crate::sim::node::{Replica, Role};
use crate::sim::pvec::PVec;
use crate::sim::time::Time;
use crate::sim::NodeId;

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// When it was detected.
    pub at: Time,
    /// The invariant's name, e.g. "Election Safety".
    pub invariant: String,
    /// Where the invariant comes from (paper section or TLA+ name).
    pub source: String,
    /// What happened, in plain words.
    pub explanation: String,
}

/// The server the checker is looking at, with the facts every invariant needs.
pub struct Observed<'a> {
    /// Its id.
    pub id: NodeId,
    /// Whether it is running.
    pub up: bool,
    /// Lowest log index changed since the last look.
    pub changed_from: Option<u64>,
    /// The replica itself, for digests.
    pub replica: &'a dyn Replica,
}

impl Observed<'_> {
    fn label(&self) -> String {
        format!("S{}", self.id)
    }
}

/// The committed prefix as the checker has learned it: at `i - 1`, the digest of entries `1..=i`
/// if known. An entry can be committed and compacted into a snapshot within one event, so some
/// digests may never be seen; comparisons then use the highest index both sides know, whose
/// prefix digest still covers everything before it.
#[derive(Clone, Debug, Default)]
pub struct CommittedPrefix {
    digests: PVec<Option<u64>>,
}

impl CommittedPrefix {
    /// Length of the known committed prefix.
    pub fn len(&self) -> u64 {
        self.digests.len() as u64
    }

    /// True when nothing is known committed.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// Digest of committed entries `1..=index`, if known (index 0: the empty prefix).
    pub fn digest(&self, index: u64) -> Option<u64> {
        if index == 0 {
            return Some(0);
        }
        self.digests.get(index as usize - 1).copied().flatten()
    }

    fn extend_from(&mut self, replica: &dyn Replica, upto: u64) {
        for i in self.len() + 1..=upto {
            self.digests.push(replica.prefix_digest(i));
        }
    }

    /// Whether `replica`'s log agrees with the committed prefix up to `upto`: compared at the
    /// highest index at most `upto` that both know (`None` when there is none to compare).
    pub fn agrees(&self, replica: &dyn Replica, upto: u64) -> Option<bool> {
        let floor = replica.log_start();
        let mut i = upto.min(self.len());
        loop {
            if i < floor {
                return None;
            }
            if let (Some(c), Some(r)) = (self.digest(i), replica.prefix_digest(i)) {
                return Some(c == r);
            }
            if i == 0 {
                return None;
            }
            i -= 1;
        }
    }
}

/// One safety property checked incrementally.
trait Invariant {
    /// The property's name.
    fn name(&self) -> &'static str;
    /// Where it comes from.
    fn source(&self) -> &'static str;
    /// Looks at one server after an event; returns an explanation when the property is broken.
    fn check(&mut self, node: &Observed<'_>, committed: &CommittedPrefix) -> Option<String>;
}

/// All invariants plus the shared knowledge of the committed prefix.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    committed: CommittedPrefix,
    election_safety: election_safety::ElectionSafety,
    leader_append_only: leader_append_only::LeaderAppendOnly,
    log_matching: log_matching::LogMatching,
    leader_completeness: leader_completeness::LeaderCompleteness,
    state_machine_safety: state_machine_safety::StateMachineSafety,
    term_monotonic: term_monotonic::TermMonotonic,
    commit_bounds: commit_bounds::CommitBounds,
    committed_durable: committed_durable::CommittedDurable,
    replica_agreement: replica_agreement::ReplicaAgreement,
    snapshot_matches: snapshot_matches::SnapshotMatches,
    config_serial: config_serial::ConfigSerial,
    violations: Vec<Violation>,
    checks_run: u64,
    /// What each server looked like when last checked, to skip re-checking an unchanged one.
    last_seen: PerNode<Option<Signature>>,
}

/// Everything the invariants read about one server. When it is unchanged and the log was not
/// touched, every invariant gives the same answer as last time: the committed prefix only grows,
/// and after a check it always reaches at least that server's commit index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Signature {
    up: bool,
    term: u64,
    role: Role,
    commit: u64,
    applied: u64,
    last_index: u64,
    log_start: u64,
    kv: u64,
}

impl Signature {
    fn of(node: &Observed<'_>) -> Self {
        let r = node.replica;
        Signature {
            up: node.up,
            term: r.term(),
            role: r.role(),
            commit: r.commit_index(),
            applied: r.applied_index(),
            last_index: r.last_index(),
            log_start: r.log_start(),
            kv: r.kv_digest(),
        }
    }
}

/// The most violations kept; after a first failure the rest is mostly echo.
const MAX_VIOLATIONS: usize = 100;

impl Checker {
    /// A checker that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks one server after an event that involved it. Returns the new violations.
    pub fn observe(&mut self, at: Time, node: Observed<'_>) -> Vec<Violation> {
        let signature = Signature::of(&node);
        let last = self.last_seen.entry(node.id);
        if node.changed_from.is_none() && *last == Some(signature) {
            return Vec::new();
        }
        *last = Some(signature);
        self.checks_run += 1;
        let mut found = Vec::new();
        {
            let committed = &self.committed;
            let invariants: [&mut dyn Invariant; 11] = [
                &mut self.term_monotonic,
                &mut self.election_safety,
                &mut self.leader_append_only,
                &mut self.log_matching,
                &mut self.commit_bounds,
                &mut self.leader_completeness,
                &mut self.state_machine_safety,
                &mut self.committed_durable,
                &mut self.replica_agreement,
                &mut self.snapshot_matches,
                &mut self.config_serial,
            ];
            for inv in invariants {
                if let Some(explanation) = inv.check(&node, committed) {
                    found.push(Violation {
                        at,
                        invariant: inv.name().to_string(),
                        source: inv.source().to_string(),
                        explanation,
                    });
                }
            }
        }
        // Learn newly committed entries only from a server that passed the checks above.
        if found.is_empty() {
            let commit = node.replica.commit_index();
            if commit > self.committed.len() {
                self.committed.extend_from(node.replica, commit);
            }
        }
        for v in &found {
            if self.violations.len() < MAX_VIOLATIONS {
                self.violations.push(v.clone());
            }
        }
        found
    }

    /// Records a violation found outside the per-server invariants (e.g. by a test hook).
    pub fn record(&mut self, violation: Violation) {
        if self.violations.len() < MAX_VIOLATIONS {
            self.violations.push(violation);
        }
    }

    /// Every violation so far (at most 100).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How many server observations were checked (unchanged servers are not re-checked).
    pub fn checks_run(&self) -> u64 {
        self.checks_run
    }

    /// Length of the prefix known committed.
    pub fn committed_len(&self) -> u64 {
        self.committed.len()
    }

    /// Names and sources of every invariant checked, for the page's safety panel.
    pub fn invariant_names() -> Vec<(&'static str, &'static str)> {
        let c = Checker::default();
        let all: [&dyn Invariant; 11] = [
            &c.term_monotonic,
            &c.election_safety,
            &c.leader_append_only,
            &c.log_matching,
            &c.commit_bounds,
            &c.leader_completeness,
            &c.state_machine_safety,
            &c.committed_durable,
            &c.replica_agreement,
            &c.snapshot_matches,
            &c.config_serial,
        ];
        all.iter().map(|i| (i.name(), i.source())).collect()
    }
}

/// Per-server state of an invariant, indexed by server id (servers are numbered from 1); a
/// vector rather than a map because it is touched after every event.
#[derive(Clone, Debug, Default)]
struct PerNode<T> {
    slots: Vec<T>,
}

impl<T: Default + Clone> PerNode<T> {
    fn entry(&mut self, id: NodeId) -> &mut T {
        let i = id.saturating_sub(1) as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, T::default());
        }
        &mut self.slots[i]
    }
}

/// Helper for invariants: is this server a leader?
fn is_leader(node: &Observed<'_>) -> bool {
    node.up && node.replica.role() == Role::Leader
}
