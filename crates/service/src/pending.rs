//! The clients a leader owes answers, by the log index (Raft) or slot (Multi-Paxos) their command
//! was placed in, and what happens to them when it stops leading.

use std::collections::BTreeMap;

use crate::server::{ServerContext, ServerCtx};
use crate::why::ServiceWhy;
use crate::wire::ReplyOutcome;
use quorum_core::{Addr, NodeId};

/// A client request the leader placed in its log and owes an answer for.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingReply {
    /// Where the answer goes.
    pub reply_to: Addr,
    /// The client session.
    pub session: u64,
    /// The request's sequence number.
    pub seq: u64,
}

/// Pending replies by index or slot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PendingReplies {
    by_index: BTreeMap<u64, PendingReply>,
}

impl PendingReplies {
    /// If the same request (session, seq) is placed already, answers its latest sender instead
    /// of the first and returns true (a retry must not be placed twice by the same leader).
    pub fn readdress(&mut self, session: u64, seq: u64, reply_to: Addr) -> bool {
        match self
            .by_index
            .values_mut()
            .find(|p| p.session == session && p.seq == seq)
        {
            Some(p) => {
                p.reply_to = reply_to;
                true
            }
            None => false,
        }
    }

    /// Records the client owed an answer for the command at `index`.
    pub fn insert(&mut self, index: u64, reply_to: Addr, session: u64, seq: u64) {
        let reply = PendingReply {
            reply_to,
            session,
            seq,
        };
        self.by_index.insert(index, reply);
    }

    /// The client owed an answer for `index`, no longer pending.
    pub fn remove(&mut self, index: u64) -> Option<PendingReply> {
        self.by_index.remove(&index)
    }

    /// Every pending reply, in index order, leaving none.
    pub fn take_all(&mut self) -> impl Iterator<Item = PendingReply> {
        std::mem::take(&mut self.by_index).into_values()
    }
}

/// Tells every waiting client (reply address, session, seq) that this server does not lead,
/// pointing to `hint`: it will hear nothing else from here.
pub fn redirect_all<P, O, W>(
    ctx: &mut ServerCtx<'_, P, O, W>,
    waiting: impl IntoIterator<Item = (Addr, u64, u64)>,
    hint: Option<NodeId>,
) {
    for (reply_to, session, seq) in waiting {
        let outcome = ReplyOutcome::NotLeader { leader_hint: hint };
        ctx.reply_to_client(
            reply_to,
            session,
            seq,
            outcome,
            ServiceWhy::NotLeader { hint },
        );
    }
}
