//! The replicated key-value service, the part every protocol shares: the store and its commands
//! ([`kv`]), what clients and servers say ([`wire`]), the server contract ([`server`]), and
//! serving clients — where a request goes, stale reads, answers the session table settles, the
//! replies a leader owes. Raft and Multi-Paxos differ only in how a served request becomes agreed. Reads that skip the
//! log (ReadIndex, leases) keep their bookkeeping in [`reads`], also shared.

pub mod kv;
mod pending;
pub mod reads;
mod routing;
pub mod server;
pub mod why;
pub mod wire;

pub use pending::{redirect_all, PendingReplies, PendingReply};
pub use routing::{
    answer_stale_read, read_outside_log, route, settled_by_session, MAX_FORWARD_HOPS,
};
pub use server::{
    Protocol, ReadMode, Reconfigurable, Replica, Role, ServerConfig, ServerContext, ServerCtx,
    TimerKind, Timing,
};
pub use why::{ReadPath, ServerWhy, ServiceWhy};
pub use wire::{ClientReply, ClientRequest, ReadConsistency, ReplyOutcome, Traffic, Wire};

/// Votes (or acceptors) that make a majority of `members`: the quorum rule both protocols and
/// the checks use, written once.
pub fn majority(members: usize) -> usize {
    members / 2 + 1
}

/// The highest value at least `quorum` of `values` have reached — the `quorum`-th largest, or 0
/// when there are fewer values: the index a majority has replicated, the heartbeat round a
/// majority has acknowledged. Leaders ask on every reply, so it sorts on the stack (a cluster
/// has at most [`MAX_SERVERS`](quorum_core::ids::MAX_SERVERS) servers; any further values are
/// ignored) rather than collecting into a fresh vector.
pub fn reached_by(quorum: usize, values: impl IntoIterator<Item = u64>) -> u64 {
    let mut held = [0u64; quorum_core::ids::MAX_SERVERS];
    let mut count = 0;
    for (slot, v) in held.iter_mut().zip(values) {
        *slot = v;
        count += 1;
    }
    let held = &mut held[..count];
    held.sort_unstable_by(|a, b| b.cmp(a));
    quorum
        .checked_sub(1)
        .and_then(|i| held.get(i))
        .copied()
        .unwrap_or(0)
}

#[cfg(test)]
mod quorum_tests {
    use super::*;

    #[test]
    fn reached_by_is_the_quorum_th_largest_value() {
        // Raft Figure 2, Rules for Leaders: N is committed once a majority has matchIndex ≥ N.
        assert_eq!(reached_by(3, [7, 3, 9, 5, 1]), 5);
        assert_eq!(reached_by(1, [7, 3, 9]), 9);
        assert_eq!(reached_by(2, [4, 4]), 4);
        assert_eq!(
            reached_by(3, [4, 4]),
            0,
            "fewer values than the quorum reach nothing"
        );
        assert_eq!(reached_by(0, [4]), 0);
    }
}
