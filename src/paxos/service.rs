//! Serving clients under Multi-Paxos. With a stable leader, requests go to it as under Raft
//! (forwarded, or the client is redirected); the leader proposes each command in the next free
//! slot and answers once that slot is applied. Reads go through the log like writes: a read is
//! linearizable because it is ordered among the writes by the same agreement, at the cost of one
//! round of phase 2 (no leases: a deposed leader cannot answer a read without a majority).
//! Without a stable leader every server proposes the requests it receives itself, running phase 1
//! first when it does not lead: the proposers duel.

use super::messages::SlotValue;
use super::node::{PaxosNode, PendingReply};
use crate::service::{self, SessionCheck};
use crate::sim::message::{ClientRequest, ReplyOutcome};
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
            reply_to, command, ..
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
