//! Where a client request goes — serve it as leader, forward it to the leader, or redirect the
//! client — and the answers a server can give without agreement: stale reads from its own state
//! and retries the session table already settles (exactly-once, Raft paper §8).

use crate::kv::{ClientCommand, Key, KvOp, KvResult, KvStore};
use crate::server::{ReadMode, ServerContext, ServerCtx};
use crate::why::{ServerWhy, ServiceWhy};
use crate::wire::{ClientRequest, ReadConsistency, ReplyOutcome, Wire};
use quorum_core::{Addr, NodeId};

/// How many times a request may be forwarded between servers before it is bounced to the client.
pub const MAX_FORWARD_HOPS: u8 = 2;

/// Answers a stale read from this replica's own state, whatever its role. Returns false when the
/// request is not a stale read. Fast, and unsafe: it may miss committed writes, which the
/// linearizability checker shows.
pub fn answer_stale_read<P, O, W>(
    ctx: &mut ServerCtx<'_, P, O, W>,
    kv: &KvStore,
    request: &ClientRequest,
) -> bool {
    let (ReadConsistency::Stale, KvOp::Get { key }) = (request.consistency, &request.command.op)
    else {
        return false;
    };
    let outcome = ReplyOutcome::Done {
        result: KvResult::Value { value: kv.get(key) },
    };
    let c = &request.command;
    let why = ServiceWhy::StaleRead;
    ctx.reply_to_client(request.reply_to, c.session, c.seq, outcome, why);
    true
}

/// Routes a request: handed back when this server leads (it must serve it), else forwarded to
/// the known leader (when `forward` is on and the hop limit allows) or bounced with a hint.
pub fn route<P, O, W>(
    ctx: &mut ServerCtx<'_, P, O, W>,
    request: ClientRequest,
    leads: bool,
    leader: Option<NodeId>,
    forward: bool,
) -> Option<ClientRequest> {
    if leads {
        return Some(request);
    }
    match leader {
        Some(l) if forward && request.hops < MAX_FORWARD_HOPS && l != ctx.me => {
            let hops = request.hops + 1;
            ctx.send_because(
                Addr::Server(l),
                Wire::Request(ClientRequest { hops, ..request }),
                ServerWhy::Service(ServiceWhy::Forwarded { leader: l }),
            );
            None
        }
        hint => {
            let c = &request.command;
            let outcome = ReplyOutcome::NotLeader { leader_hint: hint };
            let why = ServiceWhy::NotLeader { hint };
            ctx.reply_to_client(request.reply_to, c.session, c.seq, outcome, why);
            None
        }
    }
}

/// Whether a leader serving with `read_mode` answers this operation outside the log: for a read
/// that may skip the log, its key and whether a lease may answer it at once (the cluster reads by
/// lease, or the client asked for a lease read).
pub fn read_outside_log(
    read_mode: ReadMode,
    consistency: ReadConsistency,
    op: &KvOp,
) -> Option<(Key, bool)> {
    let lease = read_mode == ReadMode::Lease || consistency == ReadConsistency::Lease;
    match op {
        KvOp::Get { key } if read_mode != ReadMode::Log || lease => Some((key.clone(), lease)),
        _ => None,
    }
}

/// Answers a request the session table already settles, before a leader places it: a retry of
/// an applied operation (its reply was lost) gets the recorded result, an older retry of an
/// operation the client has moved past gets nothing. Returns true when nothing more is owed.
pub fn settled_by_session<P, O, W>(
    ctx: &mut ServerCtx<'_, P, O, W>,
    kv: &KvStore,
    reply_to: Addr,
    command: &ClientCommand,
) -> bool {
    if let Some(result) = kv.cached_result(command.session, command.seq) {
        let outcome = ReplyOutcome::Done {
            result: result.clone(),
        };
        let why = ServiceWhy::SessionCached;
        ctx.reply_to_client(reply_to, command.session, command.seq, outcome, why);
        return true;
    }
    kv.last_seq(command.session)
        .is_some_and(|s| s > command.seq)
}
