//! Raft's replicated log: entries with their terms, 1-based, plus a digest chain so that "these two
//! logs agree up to index i" is one comparison. The chain is computed by the log itself on every
//! append, never by protocol code, so the safety checks can rely on it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::membership::Membership;
use quorum_core::digest::{chain, digest_of};
use quorum_core::pvec::PVec;
use quorum_service::kv::ClientCommand;

/// What an entry asks the state machine to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Nothing: a new leader's first entry, so earlier entries can commit (dissertation §6.4).
    Noop,
    /// A client's key-value operation (shared: entries are copied into every AppendEntries).
    Kv(Arc<ClientCommand>),
    /// A new cluster configuration, in force as soon as it is appended (dissertation §4.1).
    Config(Arc<Membership>),
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    /// The term in which a leader created it.
    pub term: u64,
    /// What it does.
    pub command: Command,
}

/// A Raft log with 1-based indexes and a digest per prefix. After compaction the log starts at a
/// snapshot: entries up to `start` are gone, and only their term and prefix digest at `start`
/// remain.
#[derive(Clone, Debug, Default)]
pub struct RaftLog {
    /// Index of the last entry covered by the snapshot (0: no snapshot).
    start: u64,
    /// Term of the entry at `start`.
    start_term: u64,
    /// Digest of entries `1..=start`.
    start_digest: u64,
    /// Entries `start + 1 ..`.
    entries: PVec<Entry>,
    /// `chain[i]` is the digest of entries `1..=start + i + 1`.
    chain: PVec<u64>,
    /// Lowest index changed since the checks last looked.
    dirty_from: Option<u64>,
    /// Indexes of the configuration entries among the stored entries, in order.
    configs: Vec<u64>,
}

impl RaftLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Index of the last entry (0 when empty).
    pub fn last_index(&self) -> u64 {
        self.start + self.entries.len() as u64
    }

    /// Term of the last entry (0 when empty).
    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(self.start_term, |e| e.term)
    }

    /// The last index covered by a snapshot (0 when the log was never compacted).
    pub fn snapshot_index(&self) -> u64 {
        self.start
    }

    /// The term of the entry at [`RaftLog::snapshot_index`].
    pub fn snapshot_term(&self) -> u64 {
        self.start_term
    }

    /// The entry at `index`, if stored (not compacted, not past the end).
    pub fn get(&self, index: u64) -> Option<&Entry> {
        index
            .checked_sub(self.start + 1)
            .and_then(|i| self.entries.get(i as usize))
    }

    /// Term at `index`; index 0 (before the first entry) has term 0. `None` past the end and
    /// before the snapshot.
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == self.start {
            return Some(self.start_term);
        }
        self.get(index).map(|e| e.term)
    }

    /// Digest of entries `1..=index`; the empty prefix has digest 0. `None` past the end and
    /// before the snapshot.
    pub fn prefix_digest(&self, index: u64) -> Option<u64> {
        if index == self.start {
            return Some(self.start_digest);
        }
        index
            .checked_sub(self.start + 1)
            .and_then(|i| self.chain.get(i as usize))
            .copied()
    }

    /// Appends one entry at the end.
    pub fn append(&mut self, entry: Entry) {
        let previous = self.chain.last().copied().unwrap_or(self.start_digest);
        self.chain.push(chain(previous, digest_of(&entry)));
        let is_config = matches!(entry.command, Command::Config(_));
        self.entries.push(entry);
        if is_config {
            self.configs.push(self.last_index());
        }
        self.mark_dirty(self.last_index());
    }

    /// Removes the entry at `index` and everything after it (never snapshotted entries).
    pub fn truncate_from(&mut self, index: u64) {
        let index = index.max(self.start + 1);
        let keep = (index - self.start - 1) as usize;
        if keep < self.entries.len() {
            self.entries.truncate(keep);
            self.chain.truncate(keep);
            self.configs.retain(|&c| c < index);
            self.mark_dirty(index);
        }
    }

    /// Up to `max` entries starting at `from` (which must be past the snapshot).
    pub fn slice(&self, from: u64, max: usize) -> Vec<Entry> {
        let start = from.max(self.start + 1) - self.start - 1;
        self.entries
            .iter_from(start as usize)
            .take(max)
            .cloned()
            .collect()
    }

    /// Index of the first stored entry.
    pub fn first_stored(&self) -> u64 {
        self.start + 1
    }

    /// Stored entries from the 0-based position `start` on (position 0 is [`RaftLog::first_stored`]).
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &Entry> + '_ {
        self.entries.iter_from(start)
    }

    /// Number of stored entries.
    pub fn stored(&self) -> usize {
        self.entries.len()
    }

    /// All stored entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.entries.iter()
    }

    /// The first index holding `term`, searching back from `from` (for the conflict hint).
    pub fn first_index_of_term(&self, term: u64, from: u64) -> u64 {
        let mut i = from;
        while i > self.start + 1 && self.term_at(i - 1) == Some(term) {
            i -= 1;
        }
        i
    }

    /// The last index holding `term`, if the log has any entry of that term.
    pub fn last_index_of_term(&self, term: u64) -> Option<u64> {
        let mut i = self.last_index();
        while i >= self.start {
            match self.term_at(i) {
                Some(t) if t == term => return Some(i),
                Some(t) if t < term => return None,
                _ => {}
            }
            if i == 0 {
                break;
            }
            i -= 1;
        }
        None
    }

    /// Discards entries up to `index` (which must be stored or the snapshot point), keeping
    /// their term and prefix digest: the log now starts at a snapshot taken at `index`.
    pub fn compact_to(&mut self, index: u64) {
        if index <= self.start || index > self.last_index() {
            return;
        }
        let (Some(term), Some(digest)) = (self.term_at(index), self.prefix_digest(index)) else {
            return;
        };
        let drop = (index - self.start) as usize;
        self.entries = self.entries.iter_from(drop).cloned().collect();
        self.chain = self.chain.iter_from(drop).copied().collect();
        self.start = index;
        self.start_term = term;
        self.start_digest = digest;
        self.configs.retain(|&c| c > index);
        self.mark_dirty(index);
    }

    /// The newest configuration entry at or before `index` among the stored entries.
    pub fn config_at(&self, index: u64) -> Option<(u64, &Membership)> {
        self.configs
            .iter()
            .rev()
            .filter(|&&c| c <= index)
            .find_map(|&c| match self.get(c) {
                Some(Entry {
                    command: Command::Config(m),
                    ..
                }) => Some((c, &**m)),
                _ => None,
            })
    }

    /// Every configuration entry still in the log, oldest first.
    pub fn configs(&self) -> impl Iterator<Item = &Membership> + '_ {
        self.configs.iter().filter_map(|&c| match self.get(c) {
            Some(Entry {
                command: Command::Config(m),
                ..
            }) => Some(&**m),
            _ => None,
        })
    }

    /// How many configuration entries lie after `index`.
    pub fn configs_after(&self, index: u64) -> usize {
        self.configs.iter().filter(|&&c| c > index).count()
    }

    /// Installs a snapshot taken elsewhere at `index` of `term`: keeps the entries after it if the
    /// log agrees at `index`, otherwise discards the whole log (§7).
    pub fn install_snapshot(&mut self, index: u64, term: u64, digest: u64) {
        if self.term_at(index) == Some(term) && index >= self.start {
            self.compact_to(index);
            return;
        }
        self.entries = PVec::new();
        self.chain = PVec::new();
        self.configs.clear();
        self.start = index;
        self.start_term = term;
        self.start_digest = digest;
        self.mark_dirty(index);
    }

    fn mark_dirty(&mut self, index: u64) {
        self.dirty_from = Some(self.dirty_from.map_or(index, |d| d.min(index)));
    }

    /// Lowest index changed since the last call.
    pub fn take_changes(&mut self) -> Option<u64> {
        self.dirty_from.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(term: u64) -> Entry {
        Entry {
            term,
            command: Command::Noop,
        }
    }

    #[test]
    fn indexes_are_one_based_and_terms_known() {
        let mut log = RaftLog::new();
        assert_eq!((log.last_index(), log.last_term()), (0, 0));
        for t in [1, 1, 2, 3, 3] {
            log.append(e(t));
        }
        assert_eq!(log.last_index(), 5);
        assert_eq!(log.term_at(0), Some(0));
        assert_eq!(log.term_at(3), Some(2));
        assert_eq!(log.term_at(6), None);
        assert_eq!(log.first_index_of_term(3, 5), 4);
        assert_eq!(log.first_index_of_term(1, 2), 1);
        assert_eq!(log.last_index_of_term(1), Some(2));
        assert_eq!(log.last_index_of_term(4), None);
        assert_eq!(log.slice(4, 10).len(), 2);
        assert_eq!(
            log.slice(2, 2).iter().map(|e| e.term).collect::<Vec<_>>(),
            [1, 2]
        );
    }

    #[test]
    fn digests_agree_exactly_when_prefixes_agree() {
        let mut a = RaftLog::new();
        let mut b = RaftLog::new();
        for t in [1, 1, 2] {
            a.append(e(t));
            b.append(e(t));
        }
        assert_eq!(a.prefix_digest(3), b.prefix_digest(3));
        b.truncate_from(3);
        b.append(e(3));
        assert_eq!(a.prefix_digest(2), b.prefix_digest(2));
        assert_ne!(a.prefix_digest(3), b.prefix_digest(3));
    }

    #[test]
    fn compaction_keeps_terms_and_digests_at_the_snapshot_point() {
        let mut log = RaftLog::new();
        for t in [1, 1, 2, 2, 3] {
            log.append(e(t));
        }
        let digest3 = log.prefix_digest(3);
        let digest5 = log.prefix_digest(5);
        log.compact_to(3);
        assert_eq!((log.snapshot_index(), log.snapshot_term()), (3, 2));
        assert_eq!(log.last_index(), 5);
        assert_eq!(log.term_at(2), None, "compacted");
        assert_eq!(log.term_at(3), Some(2));
        assert_eq!(log.prefix_digest(3), digest3);
        assert_eq!(log.prefix_digest(5), digest5);
        assert_eq!(log.slice(4, 10).len(), 2);
        log.append(e(3));
        assert_eq!(log.last_index(), 6);
        assert_eq!(log.first_index_of_term(3, 6), 5);
        assert_eq!(log.last_index_of_term(2), Some(4));
    }

    #[test]
    fn installing_a_snapshot_keeps_a_matching_suffix_or_replaces_the_log() {
        let mut a = RaftLog::new();
        for t in [1, 1, 2, 2] {
            a.append(e(t));
        }
        let mut b = a.clone();
        let d2 = a.prefix_digest(2).unwrap();
        b.install_snapshot(2, 1, d2);
        assert_eq!(b.last_index(), 4, "the matching suffix stays");
        assert_eq!(b.prefix_digest(4), a.prefix_digest(4));
        let mut c = a.clone();
        c.install_snapshot(6, 3, 99);
        assert_eq!(
            (c.last_index(), c.last_term(), c.prefix_digest(6)),
            (6, 3, Some(99))
        );
        assert_eq!(c.stored(), 0);
    }

    #[test]
    fn changes_are_reported_from_the_lowest_index() {
        let mut log = RaftLog::new();
        log.append(e(1));
        log.append(e(1));
        assert_eq!(log.take_changes(), Some(1));
        assert_eq!(log.take_changes(), None);
        log.append(e(2));
        log.truncate_from(2);
        assert_eq!(log.take_changes(), Some(2));
        log.truncate_from(5);
        assert_eq!(log.take_changes(), None);
    }
}
