//! What clients ask of the store and what it answers.

use serde::{Deserialize, Serialize};

use super::Key;

/// One key-value operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum KvOp {
    /// Read a key.
    Get {
        /// The key.
        key: Key,
    },
    /// Write a key.
    Put {
        /// The key.
        key: Key,
        /// The new value.
        value: i64,
    },
    /// Remove a key.
    Delete {
        /// The key.
        key: Key,
    },
    /// Set `key` to `to` only if it currently holds `from`.
    Cas {
        /// The key.
        key: Key,
        /// The value the key must hold.
        from: i64,
        /// The value to store when it does.
        to: i64,
    },
}

impl KvOp {
    /// Its size on the wire in the message size model: op tag, length-prefixed key, values.
    pub fn wire_bytes(&self) -> u64 {
        // op tag + key (length-prefixed) + the values it carries
        let values = match self {
            KvOp::Get { .. } | KvOp::Delete { .. } => 0,
            KvOp::Put { .. } => 8,
            KvOp::Cas { .. } => 16,
        };
        1 + 2 + self.key().len() as u64 + values
    }

    /// The key the operation touches (every operation touches exactly one).
    pub fn key(&self) -> &Key {
        match self {
            KvOp::Get { key }
            | KvOp::Put { key, .. }
            | KvOp::Delete { key }
            | KvOp::Cas { key, .. } => key,
        }
    }

    /// True for operations that cannot change the state.
    pub fn is_read(&self) -> bool {
        matches!(self, KvOp::Get { .. })
    }

    /// A short human description, e.g. `put x=5`.
    pub fn describe(&self) -> String {
        match self {
            KvOp::Get { key } => format!("get {key}"),
            KvOp::Put { key, value } => format!("put {key}={value}"),
            KvOp::Delete { key } => format!("delete {key}"),
            KvOp::Cas { key, from, to } => format!("cas {key} {from}→{to}"),
        }
    }
}

/// The store's answer to one operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum KvResult {
    /// A get's answer: the value, or `None` when the key is absent.
    Value {
        /// What the key held.
        value: Option<i64>,
    },
    /// A put or delete took effect.
    Done,
    /// A cas took effect.
    CasOk,
    /// A cas did not take effect: the key held something else.
    CasFailed {
        /// What the key held instead.
        current: Option<i64>,
    },
}

impl KvResult {
    /// A short human description, e.g. `= 5`, `ok`, `failed (was 3)`.
    pub fn describe(&self) -> String {
        fn show(v: &Option<i64>) -> String {
            v.map_or_else(|| "absent".to_string(), |v| v.to_string())
        }
        match self {
            KvResult::Value { value } => format!("= {}", show(value)),
            KvResult::Done | KvResult::CasOk => "ok".to_string(),
            KvResult::CasFailed { current } => format!("failed (was {})", show(current)),
        }
    }
}

/// An operation tagged with the client session and sequence number that make it idempotent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientCommand {
    /// The client session (the history's client id).
    pub session: u64,
    /// The session's sequence number for this operation; retries reuse it.
    pub seq: u64,
    /// What to do.
    pub op: KvOp,
}
