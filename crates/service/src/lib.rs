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
