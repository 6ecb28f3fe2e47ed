//! Serving clients (Raft paper §8): forwarding, exactly-once writes through the log, and reads
//! through the log, by ReadIndex or by lease (dissertation §6.4).

use super::why::ReplicateTrigger;
use super::*;

impl RaftNode {
    /// True once the leader has committed an entry of its own term: only then does its commit
    /// index cover everything committed before it took over (§6.4 step 1).
    pub(super) fn term_committed(&self) -> bool {
        self.log.term_at(self.commit_index) == Some(self.current_term)
    }

    /// Appends a no-op of the current term when the log holds no entry of it: reads (§6.4) and
    /// configuration changes (§4.1) wait for an entry of the leader's term to commit, and with
    /// no-op on election off none may be coming.
    pub(super) fn ensure_entry_of_term(&mut self, ctx: &mut Ctx<'_>) {
        if self.log.last_term() != self.current_term {
            self.log.append(Entry {
                term: self.current_term,
                command: Command::Noop,
            });
            self.advance_commit(ctx);
        }
    }

    /// The highest heartbeat round a majority (counting the leader) has acknowledged.
    pub(super) fn confirmed_round(&self) -> u64 {
        self.quorum_value(self.reads.round, |p| p.acked_round)
    }

    /// Starts a read that skips the log (ReadIndex or lease, §6.4).
    pub(super) fn start_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        reply_to: Addr,
        command: ClientCommand,
        key: quorum_service::kv::Key,
        lease: bool,
    ) {
        // The read must wait for an entry of this term to commit (§6.4).
        self.ensure_entry_of_term(ctx);
        if lease {
            self.reads.announce_lease_lapse(ctx);
        }
        let lease = lease && self.reads.lease_holds(ctx.local_now()) && self.term_committed();
        let round = if lease {
            // The lease stands for a confirmed round: no new proof needed.
            0
        } else {
            let r = self.reads.next_round(ctx.local_now());
            let peers: Vec<NodeId> = self.others();
            for peer in peers {
                self.send_append(ctx, peer, ReplicateTrigger::ReadIndex);
            }
            r
        };
        self.reads.pending.push(PendingRead {
            reply_to,
            session: command.session,
            seq: command.seq,
            key,
            read_index: self.term_committed().then_some(self.commit_index),
            round,
        });
        self.serve_reads(ctx);
    }

    /// Answers every read whose leadership proof is in and whose index has been applied.
    pub(super) fn serve_reads(&mut self, ctx: &mut Ctx<'_>) {
        if self.role != Role::Leader {
            return;
        }
        let confirmed = self.confirmed_round();
        let safe_index = self.term_committed().then_some(self.commit_index);
        let applied = self.last_applied;
        self.reads
            .serve(ctx, &self.kv, confirmed, safe_index, applied);
    }

    pub(super) fn on_client_request(&mut self, ctx: &mut Ctx<'_>, request: ClientRequest) {
        if quorum_service::answer_stale_read(ctx, &self.kv, &request) {
            return;
        }
        let leads = self.role == Role::Leader;
        let forward = ctx.config.options.forward_to_leader;
        if let Some(request) = quorum_service::route(ctx, request, leads, self.leader, forward) {
            self.lead_request(ctx, request.reply_to, request.command, request.consistency);
        }
    }

    pub(super) fn lead_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        reply_to: Addr,
        command: ClientCommand,
        consistency: ReadConsistency,
    ) {
        if quorum_service::settled_by_session(ctx, &self.kv, reply_to, &command) {
            return;
        }
        let read_mode = ctx.config.options.read_mode;
        if let Some((key, lease)) =
            quorum_service::read_outside_log(read_mode, consistency, &command.op)
        {
            self.start_read(ctx, reply_to, command, key, lease);
            return;
        }
        let (session, seq) = (command.session, command.seq);
        if self.pending.readdress(session, seq, reply_to) {
            return; // in the log already
        }
        self.log.append(Entry {
            term: self.current_term,
            command: Command::Kv(std::sync::Arc::new(command)),
        });
        let index = self.log.last_index();
        self.pending.insert(index, reply_to, session, seq);
        self.advance_commit(ctx);
        let peers: Vec<NodeId> = self.others();
        for peer in peers {
            // Idle peers get the new entry now; the others get it with the batch that follows
            // the answer they owe.
            if self.peers.get(&peer).is_some_and(|p| p.outstanding == 0) {
                self.send_append(ctx, peer, ReplicateTrigger::NewEntry);
            }
        }
    }
}
