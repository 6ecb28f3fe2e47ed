//! A client actor: issues one operation at a time, sends it to a server, retries on silence or on
//! "not leader" (following the hint), gives up after a deadline and records every operation in
//! the history. After giving up (`info`) it continues under a fresh session id, as the history
//! contract requires.

use std::cell::Cell;
use std::collections::VecDeque;

use super::history::HistoryOp;
use super::workload::{LoadMode, WorkloadConfig};
use crate::WakeUp;
use quorum_core::actor::Ctx;
use quorum_core::small_map::SmallMap;
use quorum_core::time::Time;
use quorum_core::NodeId;
use quorum_core::{Addr, ClientId};
use quorum_service::kv::{ClientCommand, KvOp, KvResult};
use quorum_service::{ClientReply, ClientRequest, ReadConsistency, ReplyOutcome, Traffic};

/// The operation a client is waiting on.
#[derive(Clone, Debug, PartialEq)]
pub struct Outstanding {
    /// The operation.
    pub op: KvOp,
    /// Its sequence number in the session.
    pub seq: u64,
    /// When the first attempt left.
    pub call: Time,
    /// When the client stops retrying and records `info`.
    pub give_up_at: Time,
    /// The server the latest attempt went to.
    pub target: NodeId,
    /// How many attempts were sent.
    pub attempts: u32,
    /// For a read: how consistent the answer must be.
    pub consistency: ReadConsistency,
}

/// Why a client's timer fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    /// Time to issue the next operation.
    Issue,
    /// Time to send the outstanding operation again (after a "not leader").
    Resend,
    /// The current attempt has gone unanswered too long.
    AttemptTimeout,
}

/// What a client handler may read: the cluster size, the workload, whether generated clients
/// should issue operations now, where requests go and the simulation's session counter.
#[derive(Clone, Copy, Debug)]
pub struct ClientConfig<'a> {
    /// Number of servers (targets are `S1..=Sservers`).
    pub servers: usize,
    /// The workload settings.
    pub workload: &'a WorkloadConfig,
    /// Whether generated clients should issue new operations now.
    pub generating: bool,
    /// Send every request here (the load balancer) instead of picking a server.
    pub via: Option<Addr>,
    /// The next unused session id, shared by every client.
    pub sessions: &'a Cell<u64>,
}

/// The context a client handler runs in: it sends client traffic, sets its one wake-up timer
/// and reports finished operations for the history.
pub type ClientCtx<'a> = Ctx<'a, Traffic, WakeUp, ClientConfig<'a>, HistoryOp>;

/// Draws a fresh session id.
fn fresh_session(ctx: &ClientCtx<'_>) -> u64 {
    let s = ctx.config.sessions.get();
    ctx.config.sessions.set(s + 1);
    s
}

/// Wakes the client at `at` (replacing any earlier wake-up).
fn wake_at(ctx: &mut ClientCtx<'_>, at: Time) {
    let after = at.saturating_sub(ctx.now);
    ctx.set_timer(WakeUp, after);
}

/// One client actor.
#[derive(Clone, Debug)]
pub struct ClientActor {
    /// The actor's id (`C1`…); stays the same for the whole run.
    pub id: ClientId,
    /// Current session (the history's client id).
    pub session: u64,
    next_seq: u64,
    /// The operation in progress, if any.
    pub outstanding: Option<Outstanding>,
    leader_guess: Option<NodeId>,
    /// Next server to try when no leader is known.
    rotate: u64,
    /// True for clients driven by the workload; false for the hand-driven client.
    pub generates: bool,
    /// Operations queued by hand (and whether a read may be stale), sent one at a time.
    pub queued: VecDeque<(KvOp, ReadConsistency)>,
    wake: Option<Wake>,
    last_seen: SmallMap<String, i64>,
    next_issue_at: Time,
}

impl ClientActor {
    /// A client that starts under `session`; `first_target` spreads clients over servers.
    pub fn new(id: ClientId, session: u64, generates: bool, first_target: u64) -> Self {
        ClientActor {
            id,
            session,
            next_seq: 1,
            outstanding: None,
            leader_guess: None,
            rotate: first_target,
            generates,
            queued: VecDeque::new(),
            wake: None,
            last_seen: SmallMap::new(),
            next_issue_at: 0,
        }
    }

    /// The address replies come to.
    pub fn addr(&self) -> Addr {
        Addr::Client(self.id)
    }

    /// The server this client would send to now.
    pub fn target(&self, servers: usize) -> NodeId {
        self.leader_guess
            .unwrap_or_else(|| (self.rotate % servers.max(1) as u64) as NodeId + 1)
    }

    fn request(&self, o: &Outstanding) -> Traffic {
        Traffic::Request(ClientRequest {
            reply_to: self.addr(),
            command: ClientCommand {
                session: self.session,
                seq: o.seq,
                op: o.op.clone(),
            },
            hops: 0,
            consistency: if o.op.is_read() {
                o.consistency
            } else {
                ReadConsistency::Linearizable
            },
        })
    }

    fn send_attempt(&mut self, ctx: &mut ClientCtx<'_>) {
        let (now, servers, workload) = (ctx.now, ctx.config.servers, ctx.config.workload);
        let target = self.target(servers);
        let Some(o) = self.outstanding.as_mut() else {
            return;
        };
        o.target = target;
        o.attempts += 1;
        let give_up_at = o.give_up_at;
        let Some(request) = self.outstanding.as_ref().map(|o| self.request(o)) else {
            return;
        };
        let to = ctx.config.via.unwrap_or(Addr::Server(target));
        ctx.send(to, request);
        self.wake = Some(Wake::AttemptTimeout);
        wake_at(
            ctx,
            (now + workload.request_timeout()).min(give_up_at.max(now + 1)),
        );
    }

    /// Starts the next operation if one is due: a queued one, or a generated one. Returns
    /// whether it set the wake-up timer.
    pub fn start_next(&mut self, ctx: &mut ClientCtx<'_>) -> bool {
        let (now, servers, generating) = (ctx.now, ctx.config.servers, ctx.config.generating);
        let workload = ctx.config.workload;
        if self.outstanding.is_some() {
            return false;
        }
        let (op, consistency) = if let Some(queued) = self.queued.pop_front() {
            queued
        } else if self.generates && generating && workload.mode != LoadMode::Open {
            if now < self.next_issue_at {
                self.wake = Some(Wake::Issue);
                wake_at(ctx, self.next_issue_at);
                return true;
            }
            (
                workload.next_op(ctx.rng(), &self.last_seen),
                ReadConsistency::Linearizable,
            )
        } else {
            return false;
        };
        if self.generates {
            let gap = ctx.rng().exponential(workload.mean_interval()) as Time;
            self.next_issue_at = now + gap.max(1);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.outstanding = Some(Outstanding {
            op,
            seq,
            call: now,
            give_up_at: now + workload.give_up_after(),
            target: self.target(servers),
            attempts: 0,
            consistency,
        });
        self.send_attempt(ctx);
        true
    }

    /// The client's timer fired.
    pub fn on_wake(&mut self, ctx: &mut ClientCtx<'_>) {
        let (now, generating) = (ctx.now, ctx.config.generating);
        match self.wake.take() {
            Some(Wake::Issue) | None => {
                self.start_next(ctx);
            }
            Some(Wake::Resend) => self.send_attempt(ctx),
            Some(Wake::AttemptTimeout) => {
                let Some(o) = self.outstanding.clone() else {
                    self.start_next(ctx);
                    return;
                };
                self.leader_guess = None;
                self.rotate = self.rotate.wrapping_add(1);
                if now >= o.give_up_at {
                    // Outcome unknown: record `info` and continue as a new client.
                    ctx.report(HistoryOp::called(self.session, &o.op, o.call));
                    let old = self.session;
                    self.session = fresh_session(ctx);
                    self.next_seq = 1;
                    self.outstanding = None;
                    ctx.note(format!(
                        "C{} gave up on {} after {} attempts (outcome unknown); continues as client {} (was {old})",
                        self.id,
                        o.op.describe(),
                        o.attempts,
                        self.session
                    ));
                    let woken = self.start_next(ctx);
                    if !woken && self.generates && generating {
                        self.wake = Some(Wake::Issue);
                        wake_at(ctx, self.next_issue_at.max(now + 1));
                    }
                } else {
                    // Retry after a backoff, so a struggling cluster is not hammered.
                    self.wake = Some(Wake::Resend);
                    let delay = ctx.config.workload.backoff(o.attempts, ctx.rng());
                    wake_at(ctx, (now + delay).min(o.give_up_at.max(now + 1)));
                }
            }
        }
    }

    /// Starts a generated operation now (an open-loop arrival) unless the client is busy.
    pub fn start_arrival(&mut self, ctx: &mut ClientCtx<'_>) {
        if self.outstanding.is_some() || !self.queued.is_empty() {
            return;
        }
        let op = ctx.config.workload.next_op(ctx.rng(), &self.last_seen);
        self.queued.push_back((op, ReadConsistency::Linearizable));
        self.start_next(ctx);
    }

    /// A reply arrived from a server.
    pub fn on_reply(&mut self, ctx: &mut ClientCtx<'_>, reply: &ClientReply) {
        let now = ctx.now;
        let matches = self
            .outstanding
            .as_ref()
            .is_some_and(|o| reply.session == self.session && reply.seq == o.seq);
        if !matches {
            return; // a late answer to an earlier attempt
        }
        match &reply.outcome {
            ReplyOutcome::Done { result } => {
                let Some(o) = self.outstanding.take() else {
                    return;
                };
                self.remember(&o.op, result);
                ctx.report(HistoryOp::called(self.session, &o.op, o.call).completed(result, now));
                self.wake = None;
                self.start_next(ctx);
            }
            ReplyOutcome::NotLeader { leader_hint } => match leader_hint {
                Some(l) if Some(*l) != self.leader_guess => {
                    self.leader_guess = Some(*l);
                    self.send_attempt(ctx);
                }
                _ => {
                    self.leader_guess = None;
                    self.rotate = self.rotate.wrapping_add(1);
                    self.wake = Some(Wake::Resend);
                    let attempts = self.outstanding.as_ref().map_or(1, |o| o.attempts);
                    let delay = ctx.config.workload.backoff(attempts, ctx.rng());
                    wake_at(ctx, now + delay);
                }
            },
        }
    }

    fn remember(&mut self, op: &KvOp, result: &KvResult) {
        let key: &str = op.key();
        let seen = match (op, result) {
            (_, KvResult::Value { value: Some(v) })
            | (_, KvResult::CasFailed { current: Some(v) }) => Some(*v),
            (KvOp::Put { value, .. }, KvResult::Done) => Some(*value),
            (KvOp::Cas { to, .. }, KvResult::CasOk) => Some(*to),
            _ => None,
        };
        match seen {
            Some(v) => {
                self.last_seen.insert_with(key, str::to_string, v);
            }
            None => {
                self.last_seen.remove(key);
            }
        }
    }

    /// Sends the next attempts to this server (until it answers "not leader" or times out).
    pub fn prefer_server(&mut self, server: NodeId) {
        self.leader_guess = Some(server);
    }

    /// True when the client has nothing in progress and nothing queued.
    pub fn is_idle(&self) -> bool {
        self.outstanding.is_none() && self.queued.is_empty()
    }
}
