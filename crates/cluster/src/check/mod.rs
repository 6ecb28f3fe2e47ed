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
pub mod liveness;
mod log_matching;
mod paxos_applied;
pub mod paxos_chosen;
pub mod paxos_facts;
mod paxos_one_value;
mod paxos_promise;
mod paxos_proposed;
mod replica_agreement;
mod snapshot_matches;
mod state_machine_safety;
mod term_monotonic;

use serde::{Deserialize, Serialize};

use crate::config::{ClusterConfig, ProtocolKind};
use paxos_chosen::ChosenSlots;
pub use paxos_facts::{PaxosActivity, PaxosFacts, PaxosWatch, SlotVote};
use quorum_core::pvec::PVec;
use quorum_core::time::Time;
use quorum_core::NodeId;
use quorum_service::server::{Reconfigurable, Replica, Role};

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
    /// Multi-Paxos: what the server did since the last look.
    pub paxos: Option<&'a PaxosFacts>,
    /// Raft: its snapshot and pending configuration entries.
    pub reconfigurable: Option<&'a dyn Reconfigurable>,
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
///
/// The digests are plain numbers (an `Option<u64>` takes sixteen bytes) with whether each is
/// known kept apart, a bit per index: the prefix grows with every committed entry for the whole
/// run, and checkpoints share it.
#[derive(Clone, Debug, Default)]
pub struct CommittedPrefix {
    /// At `i - 1`: the digest of entries `1..=i`, or 0 where it is unknown (see `known`).
    digests: PVec<u64>,
    /// Bit `(i - 1) % 64` of word `(i - 1) / 64`: whether the digest at `i - 1` is known.
    known: PVec<u64>,
    /// Per term of the server that first showed it: the end of the prefix known committed then.
    /// A leader of term T must hold what was committed in terms before T (Leader Completeness
    /// says nothing of entries committed later, which a leader elected late — on votes granted
    /// before a process stall, say — may lack).
    ends_by_term: std::collections::BTreeMap<u64, u64>,
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
        let at = index as usize - 1;
        let known = self
            .known
            .get(at / 64)
            .is_some_and(|word| word & (1 << (at % 64)) != 0);
        known.then(|| self.digests.get(at).copied()).flatten()
    }

    fn extend_from(&mut self, replica: &dyn Replica, upto: u64) {
        for i in self.len() + 1..=upto {
            let at = self.digests.len();
            if at.is_multiple_of(64) {
                self.known.push(0);
            }
            let digest = replica.prefix_digest(i);
            if digest.is_some() {
                if let Some(word) = self.known.get_mut(at / 64) {
                    *word |= 1 << (at % 64);
                }
            }
            self.digests.push(digest.unwrap_or(0));
        }
        let end = self.ends_by_term.entry(replica.term()).or_default();
        *end = (*end).max(upto);
    }

    /// Length of the prefix known committed in terms before `term`.
    pub fn len_before_term(&self, term: u64) -> u64 {
        self.ends_by_term
            .range(..term)
            .map(|(_, &end)| end)
            .max()
            .unwrap_or(0)
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

/// One Multi-Paxos safety property, checked against the chosen values the checker rebuilt.
trait PaxosInvariant {
    /// The property's name.
    fn name(&self) -> &'static str;
    /// Where it comes from.
    fn source(&self) -> &'static str;
    /// Looks at one server's activity; returns an explanation when the property is broken.
    fn check(
        &mut self,
        node: &Observed<'_>,
        facts: &PaxosFacts,
        chosen: &ChosenSlots,
    ) -> Option<String>;
}

/// All invariants plus the shared knowledge of the committed prefix.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    protocol: ProtocolKind,
    /// Acceptors that make a majority (Multi-Paxos).
    majority: usize,
    committed: CommittedPrefix,
    chosen: ChosenSlots,
    invariants: Invariants,
    violations: Vec<Violation>,
    checks_run: u64,
    /// What each server looked like when last checked, to skip re-checking an unchanged one.
    last_seen: PerNode<Option<Signature>>,
}

/// Every invariant's state, and which ones each protocol is held to (the lists are written once
/// here, for both checking and naming).
#[derive(Clone, Debug, Default)]
struct Invariants {
    one_value: paxos_one_value::OneValuePerSlot,
    promise_monotonic: paxos_promise::PromiseMonotonic,
    chosen_was_proposed: paxos_proposed::ChosenWasProposed,
    applied_in_order: paxos_applied::AppliedInOrder,
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
}

impl Invariants {
    /// Raft's: the paper's properties plus the key-value, snapshot and configuration checks.
    fn raft(&mut self) -> [&mut dyn Invariant; 11] {
        [
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
        ]
    }

    /// Multi-Paxos' own.
    fn paxos(&mut self) -> [&mut dyn PaxosInvariant; 4] {
        [
            &mut self.promise_monotonic,
            &mut self.one_value,
            &mut self.chosen_was_proposed,
            &mut self.applied_in_order,
        ]
    }

    /// The replicated-log and key-value checks Multi-Paxos shares with Raft.
    fn paxos_shared(&mut self) -> [&mut dyn Invariant; 4] {
        [
            &mut self.commit_bounds,
            &mut self.state_machine_safety,
            &mut self.committed_durable,
            &mut self.replica_agreement,
        ]
    }
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
    /// Multi-Paxos: the acceptor's promise (a promise can change without the round changing).
    promise: Option<quorum_paxos::Ballot>,
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
            promise: node.paxos.map(|f| f.promised),
        }
    }
}

/// The most violations kept; after a first failure the rest is mostly echo.
const MAX_VIOLATIONS: usize = 100;

impl Checker {
    /// A checker for the cluster's protocol, with its majority.
    pub fn for_cluster(config: &ClusterConfig) -> Self {
        Checker {
            protocol: config.protocol,
            majority: quorum_service::majority(config.servers),
            ..Self::default()
        }
    }

    /// Checks one server after an event that involved it. Returns the new violations.
    pub fn observe(&mut self, at: Time, node: Observed<'_>) -> Vec<Violation> {
        let signature = Signature::of(&node);
        let last = self.last_seen.entry(node.id);
        let quiet = node.paxos.is_none_or(PaxosFacts::is_quiet);
        if node.changed_from.is_none() && quiet && *last == Some(signature) {
            return Vec::new();
        }
        *last = Some(signature);
        self.checks_run += 1;
        let mut found = Vec::new();
        let mut report = |name: &str, source: &str, explanation: Option<String>| {
            if let Some(explanation) = explanation {
                found.push(Violation {
                    at,
                    invariant: name.to_string(),
                    source: source.to_string(),
                    explanation,
                });
            }
        };
        let committed = &self.committed;
        match (self.protocol, node.paxos) {
            (ProtocolKind::MultiPaxos, Some(facts)) => {
                self.chosen.absorb(node.id, facts, self.majority);
                for inv in self.invariants.paxos() {
                    let found = inv.check(&node, facts, &self.chosen);
                    report(inv.name(), inv.source(), found);
                }
                for inv in self.invariants.paxos_shared() {
                    report(inv.name(), inv.source(), inv.check(&node, committed));
                }
            }
            _ => {
                for inv in self.invariants.raft() {
                    report(inv.name(), inv.source(), inv.check(&node, committed));
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

    /// Names and sources of every invariant checked under `protocol`, for the safety panel.
    pub fn invariant_names(protocol: ProtocolKind) -> Vec<(&'static str, &'static str)> {
        let mut all = Invariants::default();
        match protocol {
            ProtocolKind::Raft => all.raft().iter().map(|i| (i.name(), i.source())).collect(),
            ProtocolKind::MultiPaxos => {
                let own: Vec<_> = all.paxos().iter().map(|i| (i.name(), i.source())).collect();
                let shared = all.paxos_shared().map(|i| (i.name(), i.source()));
                own.into_iter().chain(shared).collect()
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A replica whose log prefix digests are known only where `known` says (an entry committed
    /// and compacted into a snapshot within one event leaves its digest unseen).
    struct Prefixes {
        known: fn(u64) -> bool,
    }

    impl Replica for Prefixes {
        fn term(&self) -> u64 {
            1
        }
        fn role(&self) -> Role {
            Role::Follower
        }
        fn commit_index(&self) -> u64 {
            0
        }
        fn applied_index(&self) -> u64 {
            0
        }
        fn last_index(&self) -> u64 {
            0
        }
        fn entry_term(&self, _: u64) -> Option<u64> {
            None
        }
        fn prefix_digest(&self, index: u64) -> Option<u64> {
            // A digest of 0 is a value like any other, not "unknown".
            (self.known)(index).then_some(index % 3)
        }
        fn take_log_changes(&mut self) -> Option<u64> {
            None
        }
        fn kv_digest(&self) -> u64 {
            0
        }
        fn log_start(&self) -> u64 {
            0
        }
    }

    #[test]
    fn the_committed_prefix_tells_unseen_digests_from_digests_of_zero_across_words() {
        let replica = Prefixes {
            known: |i| i % 7 != 0,
        };
        let mut prefix = CommittedPrefix::default();
        prefix.extend_from(&replica, 100);
        prefix.extend_from(&replica, 200);
        assert_eq!(prefix.len(), 200);
        assert_eq!(prefix.digest(0), Some(0), "the empty prefix");
        for i in 1..=200 {
            let expected = (i % 7 != 0).then_some(i % 3);
            assert_eq!(prefix.digest(i), expected, "index {i}");
        }
        assert_eq!(prefix.digest(201), None, "beyond what is known committed");
    }
}
