//! The state machine itself, with per-session deduplication and an incremental digest of its
//! contents so replicas can be compared in O(1) after every event.

use serde::{Deserialize, Serialize};

use super::command::{ClientCommand, KvOp, KvResult};
use quorum_core::digest::digest_of;
use quorum_core::small_map::SmallMap;

/// A key-value store with client sessions. Both maps are small (a workload's keys, a session per
/// client) and change with every command, so they are sorted vectors (see [`SmallMap`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KvStore {
    data: SmallMap<String, i64>,
    /// Per session: the last sequence number applied and its result.
    sessions: SmallMap<u64, (u64, KvResult)>,
    /// Sum of the digests of all (key, value) pairs: order-independent, updated in O(1).
    digest: u64,
}

impl KvStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a command once: a retry of the session's last command returns the remembered
    /// result without applying it again; an older one is ignored (`None`).
    pub fn apply(&mut self, command: &ClientCommand) -> Option<KvResult> {
        if let Some((last_seq, last_result)) = self.sessions.get(&command.session) {
            if command.seq == *last_seq {
                return Some(last_result.clone());
            }
            if command.seq < *last_seq {
                return None;
            }
        }
        let result = self.execute(&command.op);
        self.sessions
            .insert(command.session, (command.seq, result.clone()));
        Some(result)
    }

    /// The result already recorded for this exact request, if the session applied it.
    pub fn cached_result(&self, session: u64, seq: u64) -> Option<&KvResult> {
        self.sessions
            .get(&session)
            .filter(|(s, _)| *s == seq)
            .map(|(_, r)| r)
    }

    /// The last sequence number applied for a session.
    pub fn last_seq(&self, session: u64) -> Option<u64> {
        self.sessions.get(&session).map(|(s, _)| *s)
    }

    fn execute(&mut self, op: &KvOp) -> KvResult {
        match op {
            KvOp::Get { key } => KvResult::Value {
                value: self.get(key),
            },
            KvOp::Put { key, value } => {
                self.write(key, Some(*value));
                KvResult::Done
            }
            KvOp::Delete { key } => {
                self.write(key, None);
                KvResult::Done
            }
            KvOp::Cas { key, from, to } => {
                let current = self.get(key);
                if current == Some(*from) {
                    self.write(key, Some(*to));
                    KvResult::CasOk
                } else {
                    KvResult::CasFailed { current }
                }
            }
        }
    }

    fn write(&mut self, key: &str, value: Option<i64>) {
        let old = match value {
            Some(v) => self.data.insert_with(key, str::to_string, v),
            None => self.data.remove(key),
        };
        if let Some(old) = old {
            self.digest = self.digest.wrapping_sub(digest_of(&(key, old)));
        }
        if let Some(v) = value {
            self.digest = self.digest.wrapping_add(digest_of(&(key, v)));
        }
    }

    /// Reads a key without going through the log (for display only).
    pub fn get(&self, key: &str) -> Option<i64> {
        self.data.get(key).copied()
    }

    /// All keys and values, in key order.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = (&String, &i64)> {
        self.data.iter()
    }

    /// Number of keys present.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Order-independent digest of the contents: equal contents, equal digest.
    pub fn digest(&self) -> u64 {
        self.digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(session: u64, seq: u64, op: KvOp) -> ClientCommand {
        ClientCommand { session, seq, op }
    }

    fn put(key: &str, value: i64) -> KvOp {
        KvOp::Put {
            key: key.into(),
            value,
        }
    }

    #[test]
    fn get_put_delete_cas_behave_as_a_map() {
        let mut kv = KvStore::new();
        let get = |k: &str| KvOp::Get { key: k.into() };
        assert_eq!(
            kv.apply(&cmd(1, 1, get("x"))),
            Some(KvResult::Value { value: None })
        );
        assert_eq!(kv.apply(&cmd(1, 2, put("x", 5))), Some(KvResult::Done));
        assert_eq!(
            kv.apply(&cmd(1, 3, get("x"))),
            Some(KvResult::Value { value: Some(5) })
        );
        let cas = |from, to| KvOp::Cas {
            key: "x".into(),
            from,
            to,
        };
        assert_eq!(
            kv.apply(&cmd(1, 4, cas(4, 9))),
            Some(KvResult::CasFailed { current: Some(5) })
        );
        assert_eq!(kv.apply(&cmd(1, 5, cas(5, 9))), Some(KvResult::CasOk));
        assert_eq!(kv.get("x"), Some(9));
        assert_eq!(
            kv.apply(&cmd(1, 6, KvOp::Delete { key: "x".into() })),
            Some(KvResult::Done)
        );
        assert_eq!(kv.get("x"), None);
    }

    #[test]
    fn a_retried_request_is_applied_exactly_once() {
        let mut kv = KvStore::new();
        kv.apply(&cmd(1, 1, put("x", 1)));
        let cas = cmd(
            2,
            1,
            KvOp::Cas {
                key: "x".into(),
                from: 1,
                to: 2,
            },
        );
        assert_eq!(kv.apply(&cas), Some(KvResult::CasOk));
        kv.apply(&cmd(1, 2, put("x", 1)));
        // The retry returns the first answer and does not swap again.
        assert_eq!(kv.apply(&cas), Some(KvResult::CasOk));
        assert_eq!(kv.get("x"), Some(1));
        // An older request of a session is ignored.
        assert_eq!(kv.apply(&cmd(1, 1, put("x", 7))), None);
        assert_eq!(kv.get("x"), Some(1));
    }

    #[test]
    fn digest_depends_only_on_contents() {
        let mut a = KvStore::new();
        let mut b = KvStore::new();
        a.apply(&cmd(1, 1, put("x", 1)));
        a.apply(&cmd(1, 2, put("y", 2)));
        b.apply(&cmd(9, 1, put("y", 2)));
        b.apply(&cmd(9, 2, put("x", 3)));
        assert_ne!(a.digest(), b.digest());
        b.apply(&cmd(9, 3, put("x", 1)));
        assert_eq!(a.digest(), b.digest());
        a.apply(&cmd(1, 3, KvOp::Delete { key: "x".into() }));
        a.apply(&cmd(1, 4, KvOp::Delete { key: "y".into() }));
        assert_eq!(a.digest(), KvStore::new().digest());
    }
}
