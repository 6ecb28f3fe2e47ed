//! Serving clients under Multi-Paxos. With a stable leader, requests go to it as under Raft
//! (forwarded, or the client is redirected); the leader proposes each command in the next free
//! slot and answers once that slot is applied. Reads go as `cluster.paxos.read_mode` says:
//! through the log like writes (ordered among them by the same agreement, one round of phase 2
//! each), by ReadIndex (a heartbeat round confirms the leadership) or by lease (`reads.rs`).
//! Without a stable leader every server proposes the requests it receives itself, running phase 1
//! first when it does not lead: the proposers duel.

use super::messages::SlotValue;
use super::node::{PaxosNode, PendingReply};
use crate::kv::KvOp;
use crate::service::{self, SessionCheck};
use crate::sim::config::ReadMode;
use crate::sim::message::{ClientRequest, ReadConsistency, ReplyOutcome};
use crate::sim::node::{Ctx, Role};

impl PaxosNode {
    pub(super) fn on_client_request(&mut self, ctx: &mut Ctx<'_>, request: ClientRequest) {
        if service::answer_stale_read(ctx, &self.kv, &request) {
            return;
        }
        let leads = self.role == Role::Leader;
        if !ctx.config.paxos.stable_leader && !leads {
            // A proposer of its own: win phase 1, then propose.
            self.queued.push(request);
            if self.role == Role::Follower {
                self.start_prepare(ctx);
            }
            return;
        }
        let forward = ctx.config.paxos.forward_to_leader;
        if let Some(request) = service::route(ctx, request, leads, self.leader(), forward) {
            self.lead_request(ctx, request);
        }
    }

    fn lead_request(&mut self, ctx: &mut Ctx<'_>, request: ClientRequest) {
        let ClientRequest {
            reply_to,
            command,
            consistency,
            ..
        } = request;
        let (session, seq) = (command.session, command.seq);
        match service::check_session(&self.kv, &command) {
            SessionCheck::Applied(result) => {
                ctx.reply_to_client(reply_to, session, seq, ReplyOutcome::Done { result });
                return;
            }
            SessionCheck::Stale => return,
            SessionCheck::New => {}
        }
        let lease =
            ctx.config.paxos.read_mode == ReadMode::Lease || consistency == ReadConsistency::Lease;
        if ctx.config.paxos.read_mode != ReadMode::Log || lease {
            if let KvOp::Get { key } = &command.op {
                let key = key.clone();
                self.start_read(ctx, reply_to, &command, key, lease);
                return;
            }
        }
        if let Some(p) = self
            .pending
            .values_mut()
            .find(|p| p.session == session && p.seq == seq)
        {
            // Proposed already: answer the latest copy's sender.
            p.reply_to = reply_to;
            return;
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        self.pending.insert(
            slot,
            PendingReply {
                reply_to,
                session,
                seq,
            },
        );
        let value = SlotValue::Kv {
            command: std::sync::Arc::new(command),
        };
        self.propose(ctx, slot, value);
    }
}
