//! Reads that skip the log, as a Multi-Paxos leader serves them (the same two ways as Raft's,
//! dissertation §6.4; bookkeeping shared in `quorum_service::reads`).
//!
//! A leader may answer from its own key-value state once (1) that state holds every value chosen
//! before the read arrived — true once every slot it re-proposed on taking over is chosen and it
//! has applied its chosen prefix as of the read's arrival — and (2) it still led when the read
//! arrived:
//!
//! - **ReadIndex**: the read starts a heartbeat round; once a majority acknowledged it, no higher
//!   ballot can have completed phase 1 before (any two majorities share an acceptor, and an
//!   acceptor that promised a higher ballot refuses the heartbeat).
//! - **Lease**: acceptors that heard from their leader less than an election timeout ago promise
//!   no one else, so for that long after a round a majority acknowledged, measured by the
//!   leader's own clock, no other leader can exist. A leader whose clock runs slow overestimates
//!   it, and the linearizability checker catches the stale read.

use super::node::PaxosNode;
use crate::Ctx;
use quorum_core::Addr;
use quorum_service::kv::ClientCommand;
use quorum_service::reads::PendingRead;
use quorum_service::{Role, ServerContext};

impl PaxosNode {
    /// True once every slot re-proposed on taking over is chosen: the chosen prefix then covers
    /// everything chosen under earlier ballots.
    fn recovered(&self) -> bool {
        self.chosen_prefix() >= self.takeover_top
    }

    /// The highest heartbeat round a majority (counting the leader) has acknowledged.
    fn confirmed_round(&self, ctx: &Ctx<'_>) -> u64 {
        let peers = ctx
            .peers()
            .map(|p| self.acked_round.get(&p).copied().unwrap_or(0));
        quorum_service::reached_by(
            Self::majority(ctx),
            std::iter::once(self.reads.round).chain(peers),
        )
    }

    /// Starts a read of `key` that skips the log; with `lease`, answered at once if the lease
    /// holds.
    pub(super) fn start_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        reply_to: Addr,
        command: &ClientCommand,
        key: quorum_service::kv::Key,
        lease: bool,
    ) {
        if lease {
            self.reads.announce_lease_lapse(ctx);
        }
        let lease = lease && self.recovered() && self.reads.lease_holds(ctx.local_now());
        let round = if lease { 0 } else { self.send_round(ctx) };
        self.reads.pending.push(PendingRead {
            reply_to,
            session: command.session,
            seq: command.seq,
            key,
            read_index: self.recovered().then_some(self.chosen_prefix()),
            round,
        });
        self.serve_reads(ctx);
    }

    /// Answers every read whose proof of leadership is in and whose index has been applied.
    pub(super) fn serve_reads(&mut self, ctx: &mut Ctx<'_>) {
        if self.role != Role::Leader {
            return;
        }
        let confirmed = self.confirmed_round(ctx);
        let safe_index = self.recovered().then(|| self.chosen_prefix());
        let applied = self.applied;
        self.reads
            .serve(ctx, &self.kv, confirmed, safe_index, applied);
    }
}
