//! Log compaction (Raft paper §7): a server replaces the prefix of its log it has applied with a
//! snapshot of its state machine — here the key-value store with its client sessions, so
//! exactly-once survives compaction — plus the index and term of the last entry it covers. A
//! follower that needs entries the leader has discarded receives the snapshot instead.

use serde::{Deserialize, Serialize};

use super::membership::Membership;
use quorum_service::kv::KvStore;

/// A snapshot of the replicated state machine at one log index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Snapshot {
    /// The last log index it covers.
    pub index: u64,
    /// The term of that entry.
    pub term: u64,
    /// Digest of the log prefix it covers (for the safety checks; a real system would not ship it).
    pub digest: u64,
    /// The key-value state after applying entries `1..=index`, sessions included.
    pub kv: KvStore,
    /// The configuration in force at `index`.
    pub config: Membership,
}
