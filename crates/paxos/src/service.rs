//! Serving clients under Multi-Paxos. With a stable leader, requests go to it as under Raft
//! (forwarded, or the client is redirected); the leader proposes each command in the next free
//! slot and answers once that slot is applied. Reads go as `cluster.paxos.read_mode` says:
//! through the log like writes (ordered among them by the same agreement, one round of phase 2
//! each), by ReadIndex (a heartbeat round confirms the leadership) or by lease (`reads.rs`).
//! Without a stable leader every server proposes the requests it receives itself, running phase 1
//! first when it does not lead: the proposers duel.

use super::messages::SlotValue;
use super::node::PaxosNode;

use crate::why::{PrepareTrigger, ProposeTrigger};
use crate::Ctx;
use quorum_service::{ClientRequest, Role};

impl PaxosNode {
    pub(super) fn on_client_request(&mut self, ctx: &mut Ctx<'_>, request: ClientRequest) {
        if quorum_service::answer_stale_read(ctx, &self.kv, &request) {
            return;
        }
        let leads = self.role == Role::Leader;
        if !ctx.config.options.stable_leader && !leads {
            // A proposer of its own: win phase 1, then propose.
            self.queued.push(request);
            if self.role == Role::Follower {
                self.start_prepare(ctx, PrepareTrigger::ClientWaiting);
            }
            return;
        }
        let forward = ctx.config.options.forward_to_leader;
        if let Some(request) = quorum_service::route(ctx, request, leads, self.leader(), forward) {
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
        if quorum_service::settled_by_session(ctx, &self.kv, reply_to, &command) {
            return;
        }
        let read_mode = ctx.config.options.read_mode;
        if let Some((key, lease)) =
            quorum_service::read_outside_log(read_mode, consistency, &command.op)
        {
            self.start_read(ctx, reply_to, &command, key, lease);
            return;
        }
        let (session, seq) = (command.session, command.seq);
        if self.pending.readdress(session, seq, reply_to) {
            return; // proposed already
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        self.pending.insert(slot, reply_to, session, seq);
        let value = SlotValue::Kv {
            command: std::sync::Arc::new(command),
        };
        self.propose(ctx, slot, value, ProposeTrigger::NewCommand);
    }
}
