//! The history as a run keeps it: compact records in shared structure. An hour at 100 operations
//! a second is 360,000 records, and the time-travel timeline holds thousands of clones of the
//! run; a [`HistoryOp`] with its own key string is ~190 bytes, a [`CompactOp`] 48, its key a
//! number into a table of the keys seen. Records come back out as [`HistoryOp`]s, exactly as
//! they went in.

use std::collections::BTreeMap;
use std::sync::Arc;

use quorum_core::digest::{chain, digest_of};
use quorum_core::pvec::PVec;
use quorum_core::time::Time;
use quorum_service::kv::Key;

use super::history::{HistoryOp, OpKind, Status};

/// One operation in 48 bytes: the two numbers an operation carries (a write's value; a cas's
/// expected and new values; a read's result), which of them are present, and the key's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CompactOp {
    call: Time,
    ret: Time,
    client: u64,
    first: i64,
    second: i64,
    key: u32,
    op: OpKind,
    status: Status,
    present: u8,
}

const HAS_RET: u8 = 1;
const HAS_FIRST: u8 = 2;
const HAS_SECOND: u8 = 4;
/// A read's result is known (`Some`); `HAS_FIRST` then says whether the key held a value.
const HAS_RESULT: u8 = 8;

/// The keys a history names, numbered in order of first appearance; shared between clones.
#[derive(Clone, Debug, Default)]
struct KeyTable {
    names: Arc<Vec<Key>>,
    numbers: Arc<BTreeMap<Key, u32>>,
}

impl KeyTable {
    fn number(&mut self, key: &Key) -> u32 {
        if let Some(n) = self.numbers.get(key) {
            return *n;
        }
        let n = self.names.len() as u32;
        Arc::make_mut(&mut self.names).push(key.clone());
        Arc::make_mut(&mut self.numbers).insert(key.clone(), n);
        n
    }

    /// The key numbered `n` (an empty one for a number never given out).
    fn name(&self, n: u32) -> Key {
        self.names
            .get(n as usize)
            .cloned()
            .unwrap_or_else(|| Key::from(""))
    }
}

/// The completed operations of a run, in completion order.
#[derive(Clone, Debug, Default)]
pub struct HistoryLog {
    ops: PVec<CompactOp>,
    /// After each operation, a digest of every operation up to it: two logs whose digests agree
    /// at a length hold the same operations up to there (a checker resumes on that).
    chain: PVec<u64>,
    keys: KeyTable,
}

impl HistoryLog {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of operations recorded.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True before the first operation completes.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Records an operation. The numbers an operation carries follow its type (as
    /// [`HistoryOp::called`] and [`HistoryOp::completed`] build them); a field its type does
    /// not carry is not kept.
    pub fn push(&mut self, op: &HistoryOp) {
        // Which of the numbers are there, as bits, and the numbers (0 where absent).
        let bits = |value: Option<i64>, bit: u8| value.map_or((0, 0), |v| (bit, v));
        let ((b1, first), (b2, second), read) = match op.op {
            OpKind::Write => (bits(op.value, HAS_FIRST), (0, 0), 0),
            OpKind::Cas => (bits(op.from, HAS_FIRST), bits(op.to, HAS_SECOND), 0),
            OpKind::Read => match op.result {
                Some(result) => (bits(result, HAS_FIRST), (0, 0), HAS_RESULT),
                None => ((0, 0), (0, 0), 0),
            },
            OpKind::Delete => ((0, 0), (0, 0), 0),
        };
        let mut present = b1 | b2 | read;
        if op.ret.is_some() {
            present |= HAS_RET;
        }
        let compact = CompactOp {
            call: op.call,
            ret: op.ret.unwrap_or(0),
            client: op.client,
            first,
            second,
            key: self.keys.number(&op.key),
            op: op.op,
            status: op.status,
            present,
        };
        let previous = self.chain.last().copied().unwrap_or(0);
        self.chain.push(chain(previous, digest_of(&compact)));
        self.ops.push(compact);
        debug_assert_eq!(
            self.last().as_ref(),
            Some(op),
            "a record the log cannot keep"
        );
    }

    /// A digest of the first `len` operations (0 for none): equal digests, equal operations.
    pub fn prefix_digest(&self, len: usize) -> u64 {
        len.checked_sub(1)
            .and_then(|i| self.chain.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// How many leading operations this log and `other` share: the longest prefix on which
    /// their digests agree (one agreeing length implies every shorter one does, so a binary
    /// search finds it). What a second copy of the history needs to catch up starts there.
    pub fn common_prefix(&self, other: &HistoryLog) -> usize {
        let (mut agree, mut differ) = (0, self.len().min(other.len()) + 1);
        while differ - agree > 1 {
            let mid = agree + (differ - agree) / 2;
            if self.prefix_digest(mid) == other.prefix_digest(mid) {
                agree = mid;
            } else {
                differ = mid;
            }
        }
        agree
    }

    /// The operation at `i`, if any.
    pub fn get(&self, i: usize) -> Option<HistoryOp> {
        self.ops.get(i).map(|c| self.expand(c))
    }

    /// The latest operation, if any.
    pub fn last(&self) -> Option<HistoryOp> {
        self.ops.last().map(|c| self.expand(c))
    }

    /// The operations from `start` on.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = HistoryOp> + '_ {
        self.ops.iter_from(start).map(|c| self.expand(c))
    }

    /// Every operation, in completion order.
    pub fn iter(&self) -> impl Iterator<Item = HistoryOp> + '_ {
        self.iter_from(0)
    }

    /// The status of the operations from `start` on, without building them (cheap counts).
    pub fn statuses_from(&self, start: usize) -> impl Iterator<Item = Status> + '_ {
        self.ops.iter_from(start).map(|c| c.status)
    }

    fn expand(&self, c: &CompactOp) -> HistoryOp {
        let has = |bit: u8| c.present & bit != 0;
        let first = has(HAS_FIRST).then_some(c.first);
        let second = has(HAS_SECOND).then_some(c.second);
        let (value, from, to, result) = match c.op {
            OpKind::Write => (first, None, None, None),
            OpKind::Cas => (None, first, second, None),
            OpKind::Read => (None, None, None, has(HAS_RESULT).then_some(first)),
            OpKind::Delete => (None, None, None, None),
        };
        HistoryOp {
            client: c.client,
            op: c.op,
            key: self.keys.name(c.key),
            value,
            from,
            to,
            call: c.call,
            ret: has(HAS_RET).then_some(c.ret),
            status: c.status,
            result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_service::kv::{KvOp, KvResult};

    /// Every shape of record the clients produce comes back out exactly as it went in.
    #[test]
    fn records_come_back_exactly_as_they_went_in() {
        let key = quorum_service::kv::Key::from;
        let put = KvOp::Put {
            key: key("a"),
            value: -3,
        };
        let get = KvOp::Get { key: key("b") };
        let delete = KvOp::Delete { key: key("a") };
        let cas = KvOp::Cas {
            key: key("c"),
            from: 1,
            to: 2,
        };
        // Each operation with every answer a store gives it, and with none (`info`).
        let answers = [
            (put, vec![KvResult::Done]),
            (
                get,
                vec![
                    KvResult::Value { value: None },
                    KvResult::Value { value: Some(9) },
                ],
            ),
            (delete, vec![KvResult::Done]),
            (
                cas,
                vec![KvResult::CasOk, KvResult::CasFailed { current: Some(4) }],
            ),
        ];
        let mut log = HistoryLog::new();
        let mut plain = Vec::new();
        for (i, (op, results)) in answers.iter().enumerate() {
            let unanswered = std::iter::once(None);
            for (j, result) in unanswered.chain(results.iter().map(Some)).enumerate() {
                let called = HistoryOp::called(i as u64 * 10 + j as u64, op, 100 + j as u64);
                let record = match result {
                    Some(r) => called.completed(r, 500),
                    None => called,
                };
                log.push(&record);
                plain.push(record);
            }
        }
        assert_eq!(log.len(), plain.len());
        assert!(log.iter().eq(plain.iter().cloned()));
        assert_eq!(log.get(7), plain.get(7).cloned());
        assert_eq!(log.last(), plain.last().cloned());
        assert!(log.iter_from(5).eq(plain[5..].iter().cloned()));
        assert_eq!(std::mem::size_of::<CompactOp>(), 48);
        // Equal prefixes, equal digests; the first difference shows from there on.
        let mut other = HistoryLog::new();
        for op in &plain[..6] {
            other.push(op);
        }
        assert_eq!(other.prefix_digest(6), log.prefix_digest(6));
        let mut changed = plain[6].clone();
        changed.call += 1;
        other.push(&changed);
        assert_ne!(other.prefix_digest(7), log.prefix_digest(7));
        assert_eq!(log.prefix_digest(0), 0);
        assert_eq!(log.common_prefix(&other), 6);
        assert_eq!(other.common_prefix(&log), 6);
        assert_eq!(log.common_prefix(&log.clone()), log.len());
        assert_eq!(log.common_prefix(&HistoryLog::new()), 0);
    }
}
