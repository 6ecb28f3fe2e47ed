//! Reads that skip the log (Raft dissertation §6.4; Multi-Paxos leaders use the same two ways). A
//! leader may answer a read from its own state once it knows two things: that nothing committed
//! before the read arrived is missing from that state (Raft: it waits until it has applied its
//! commit index, taken after an entry of its own term committed; Multi-Paxos: its chosen prefix,
//! taken once every slot it re-proposed on taking over is chosen), and that it was still the
//! leader when the read arrived.
//!
//! - **ReadIndex** proves leadership afresh: the read starts a new heartbeat round, and once a
//!   majority has acknowledged that round (or a later one), no other leader can have existed.
//! - **Lease** reuses recent proof: followers do not vote for anyone for an election timeout after
//!   hearing from the leader, so for that long after a round it sent was acknowledged by a
//!   majority, the leader knows it still leads — as measured by *its own clock*. If that clock
//!   runs slow the lease outlives the followers' patience and a new leader can commit writes the
//!   old one does not see: a stale read, which the linearizability checker catches.

use std::collections::VecDeque;

use crate::kv::{KvResult, KvStore};
use crate::server::{ServerContext, ServerCtx};
use crate::why::{ReadPath, ServiceWhy};
use crate::wire::ReplyOutcome;
use quorum_core::actor::FeedEvent;
use quorum_core::{Addr, Time};

/// Heartbeat rounds whose send times are remembered (for leases).
const ROUNDS_REMEMBERED: usize = 256;

/// A read waiting for its proof of leadership or for the state machine to catch up.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingRead {
    /// Where the answer goes.
    pub reply_to: Addr,
    /// The client session.
    pub session: u64,
    /// The request's sequence number.
    pub seq: u64,
    /// The key read.
    pub key: crate::kv::Key,
    /// Commit index to wait for; `None` until the leader has committed an entry of its term.
    pub read_index: Option<u64>,
    /// The heartbeat round whose acknowledgement by a majority proves leadership.
    pub round: u64,
}

/// A leader's read bookkeeping (volatile).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadState {
    /// The current heartbeat round (grows with every heartbeat and every ReadIndex read).
    pub round: u64,
    /// Send time (leader's clock) of recent rounds.
    sent: VecDeque<(u64, Time)>,
    /// Reads in progress.
    pub pending: Vec<PendingRead>,
    /// The lease holds while the leader's clock is before this.
    pub lease_until: Time,
    /// The lapse of the lease last reported (its `lease_until`), so the feed says it once.
    lapse_reported: Time,
}

impl ReadState {
    /// Starts a new round sent at `local_now` and returns its number.
    pub fn next_round(&mut self, local_now: Time) -> u64 {
        self.round += 1;
        if self.sent.len() == ROUNDS_REMEMBERED {
            self.sent.pop_front();
        }
        self.sent.push_back((self.round, local_now));
        self.round
    }

    /// Records that a majority acknowledged `round`: extends the lease to its send time plus
    /// `lease` (the election timeout).
    pub fn confirmed(&mut self, round: u64, lease: Time) {
        if let Some(&(_, sent_at)) = self.sent.iter().rev().find(|(r, _)| *r == round) {
            self.lease_until = self.lease_until.max(sent_at + lease);
        }
        while self.sent.front().is_some_and(|(r, _)| *r < round) {
            self.sent.pop_front();
        }
    }

    /// Answers every read that is ready — the leader's round `confirmed` covers it and its read
    /// index is applied — from `kv`, and keeps the rest waiting. Both protocols serve reads this
    /// way; they differ only in `safe_index`: the index a new read may wait for, once the leader
    /// knows it holds everything committed before it (Raft: its commit index after an entry of
    /// its own term committed; Multi-Paxos: its chosen prefix once its takeover is chosen),
    /// `None` before that.
    pub fn serve<P, O, W>(
        &mut self,
        ctx: &mut ServerCtx<'_, P, O, W>,
        kv: &KvStore,
        confirmed: u64,
        safe_index: Option<u64>,
        applied: u64,
    ) {
        self.confirmed(confirmed, ctx.config.timing.election_min());
        // Taken out as they are answered, in arrival order, without copying them.
        let ready = self.pending.extract_if(.., |r| {
            if r.read_index.is_none() {
                r.read_index = safe_index;
            }
            r.round <= confirmed && r.read_index.is_some_and(|i| applied >= i)
        });
        for r in ready {
            let result = KvResult::Value {
                value: kv.get(&r.key),
            };
            // A lease read waits for no round (round 0): the lease stands for a confirmed one.
            let path = if r.round == 0 {
                ReadPath::Lease
            } else {
                ReadPath::ReadIndex
            };
            let why = ServiceWhy::ReadServed {
                path,
                read_index: r.read_index.unwrap_or_default(),
                round: r.round,
            };
            let outcome = ReplyOutcome::Done { result };
            ctx.reply_to_client(r.reply_to, r.session, r.seq, outcome, why);
        }
    }

    /// True while the lease holds at the leader's clock time `local_now`.
    pub fn lease_holds(&self, local_now: Time) -> bool {
        local_now < self.lease_until
    }

    /// Called when a lease read arrives: if the lease the leader had ran out (no majority
    /// acknowledged a round in time), the feed says so — once per lapse — since the read now
    /// waits for a heartbeat round. Both protocols' leaders share it.
    pub fn announce_lease_lapse<P, O, W>(&mut self, ctx: &mut ServerCtx<'_, P, O, W>) {
        if let Some(ago) = self.lease_lapse_to_report(ctx.local_now()) {
            ctx.announce(
                FeedEvent::LeaseExpired,
                format!(
                    "S{}'s read lease ran out {} ms ago by its clock — no majority acknowledged a heartbeat in time — so lease reads wait for a heartbeat round (§6.4)",
                    ctx.me,
                    ago / 1_000
                ),
            );
        }
    }

    /// How long ago (leader's clock) the lease ran out, if it did and this lapse was not
    /// reported yet; marks it reported.
    fn lease_lapse_to_report(&mut self, local_now: Time) -> Option<Time> {
        if self.lease_until == 0
            || self.lease_holds(local_now)
            || self.lapse_reported == self.lease_until
        {
            return None;
        }
        self.lapse_reported = self.lease_until;
        Some(local_now - self.lease_until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmed_round_extends_the_lease_from_its_send_time() {
        let mut r = ReadState::default();
        let first = r.next_round(1_000);
        let second = r.next_round(5_000);
        assert!(!r.lease_holds(1_000));
        r.confirmed(first, 150_000);
        assert!(r.lease_holds(150_999));
        assert!(!r.lease_holds(151_000));
        r.confirmed(second, 150_000);
        assert!(r.lease_holds(154_999));
        // Confirming an old round never shortens the lease.
        r.confirmed(first, 150_000);
        assert!(r.lease_holds(154_999));
    }

    /// A lease that ran out is reported once per lapse, and never before there was a lease.
    #[test]
    fn a_lapsed_lease_is_reported_once_per_lapse() {
        let mut r = ReadState::default();
        assert_eq!(r.lease_lapse_to_report(10), None, "no lease yet");
        let first = r.next_round(1_000);
        r.confirmed(first, 100_000);
        assert_eq!(r.lease_lapse_to_report(50_000), None, "it holds");
        assert_eq!(r.lease_lapse_to_report(101_500), Some(500));
        assert_eq!(r.lease_lapse_to_report(102_000), None, "said once");
        let second = r.next_round(150_000);
        r.confirmed(second, 100_000);
        assert_eq!(
            r.lease_lapse_to_report(260_000),
            Some(10_000),
            "a new lapse"
        );
    }
}
