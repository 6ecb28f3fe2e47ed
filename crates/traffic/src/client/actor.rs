//! A client actor: issues one operation at a time, sends it to a server, retries on silence or on
//! "not leader" (following the hint), gives up after a deadline and records every operation in
//! the history. After giving up (`info`) it continues under a fresh session id, as the history
//! contract requires.

use std::collections::{BTreeMap, VecDeque};

use super::history::HistoryOp;
use super::workload::{LoadMode, WorkloadConfig};
use quorum_core::rng::Rng;
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

/// What a client handler asks the engine to do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientStep {
    /// A request to send.
    pub send: Option<(Addr, Traffic)>,
    /// When to wake the client next (replaces any earlier wake-up).
    pub wake_at: Option<Time>,
    /// A finished operation for the history.
    pub record: Option<HistoryOp>,
    /// A line for the event feed.
    pub note: Option<String>,
}

/// What a client handler may read and draw on: the clock, the cluster size, the workload, the
/// simulation's random stream and its session counter.
pub struct ClientEnv<'a> {
    /// Current virtual time.
    pub now: Time,
    /// Number of servers (targets are `S1..=Sservers`).
    pub servers: usize,
    /// The workload settings.
    pub workload: &'a WorkloadConfig,
    /// The simulation's seeded random stream.
    pub rng: &'a mut Rng,
    /// Whether generated clients should issue new operations now.
    pub generating: bool,
    /// The next unused session id.
    pub next_session: &'a mut u64,
    /// Send every request here (the load balancer) instead of picking a server.
    pub via: Option<Addr>,
}

impl ClientEnv<'_> {
    fn open_loop(&self) -> bool {
        self.workload.mode == LoadMode::Open
    }
}

impl ClientEnv<'_> {
    fn fresh_session(&mut self) -> u64 {
        let s = *self.next_session;
        *self.next_session += 1;
        s
    }
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
    last_seen: BTreeMap<String, i64>,
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
            last_seen: BTreeMap::new(),
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

    fn send_attempt(&mut self, env: &ClientEnv<'_>, step: &mut ClientStep) {
        let (now, servers, workload) = (env.now, env.servers, env.workload);
        let target = self.target(servers);
        let Some(o) = self.outstanding.as_mut() else {
            return;
        };
        o.target = target;
        o.attempts += 1;
        let o = o.clone();
        let to = env.via.unwrap_or(Addr::Server(target));
        step.send = Some((to, self.request(&o)));
        self.wake = Some(Wake::AttemptTimeout);
        step.wake_at = Some((now + workload.request_timeout()).min(o.give_up_at.max(now + 1)));
    }

    /// Starts the next operation if one is due: a queued one, or a generated one.
    pub fn start_next(&mut self, env: &mut ClientEnv<'_>) -> ClientStep {
        let (now, servers, generating) = (env.now, env.servers, env.generating);
        let mut step = ClientStep::default();
        if self.outstanding.is_some() {
            return step;
        }
        let (op, consistency) = if let Some(queued) = self.queued.pop_front() {
            queued
        } else if self.generates && generating && !env.open_loop() {
            if now < self.next_issue_at {
                self.wake = Some(Wake::Issue);
                step.wake_at = Some(self.next_issue_at);
                return step;
            }
            (
                env.workload.next_op(env.rng, &self.last_seen),
                ReadConsistency::Linearizable,
            )
        } else {
            return step;
        };
        if self.generates {
            let gap = env.rng.exponential(env.workload.mean_interval()) as Time;
            self.next_issue_at = now + gap.max(1);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.outstanding = Some(Outstanding {
            op,
            seq,
            call: now,
            give_up_at: now + env.workload.give_up_after(),
            target: self.target(servers),
            attempts: 0,
            consistency,
        });
        self.send_attempt(env, &mut step);
        step
    }

    /// The client's timer fired.
    pub fn on_wake(&mut self, env: &mut ClientEnv<'_>) -> ClientStep {
        let (now, generating) = (env.now, env.generating);
        match self.wake.take() {
            Some(Wake::Issue) | None => self.start_next(env),
            Some(Wake::Resend) => {
                let mut step = ClientStep::default();
                self.send_attempt(env, &mut step);
                step
            }
            Some(Wake::AttemptTimeout) => {
                let Some(o) = self.outstanding.clone() else {
                    return self.start_next(env);
                };
                self.leader_guess = None;
                self.rotate = self.rotate.wrapping_add(1);
                if now >= o.give_up_at {
                    // Outcome unknown: record `info` and continue as a new client.
                    let record = HistoryOp::called(self.session, &o.op, o.call);
                    let old = self.session;
                    self.session = env.fresh_session();
                    self.next_seq = 1;
                    self.outstanding = None;
                    let mut step = self.start_next(env);
                    step.record = Some(record);
                    step.note = Some(format!(
                        "C{} gave up on {} after {} attempts (outcome unknown); continues as client {} (was {old})",
                        self.id,
                        o.op.describe(),
                        o.attempts,
                        self.session
                    ));
                    if step.wake_at.is_none() && self.generates && generating {
                        self.wake = Some(Wake::Issue);
                        step.wake_at = Some(self.next_issue_at.max(now + 1));
                    }
                    step
                } else {
                    // Retry after a backoff, so a struggling cluster is not hammered.
                    let mut step = ClientStep::default();
                    self.wake = Some(Wake::Resend);
                    let delay = env.workload.backoff(o.attempts, env.rng);
                    step.wake_at = Some((now + delay).min(o.give_up_at.max(now + 1)));
                    step
                }
            }
        }
    }

    /// Starts a generated operation now (an open-loop arrival); false if the client is busy.
    pub fn start_arrival(&mut self, env: &mut ClientEnv<'_>) -> Option<ClientStep> {
        if self.outstanding.is_some() || !self.queued.is_empty() {
            return None;
        }
        let op = env.workload.next_op(env.rng, &self.last_seen);
        self.queued.push_back((op, ReadConsistency::Linearizable));
        Some(self.start_next(env))
    }

    /// A reply arrived from a server.
    pub fn on_reply(&mut self, env: &mut ClientEnv<'_>, reply: &ClientReply) -> ClientStep {
        let now = env.now;
        let matches = self
            .outstanding
            .as_ref()
            .is_some_and(|o| reply.session == self.session && reply.seq == o.seq);
        if !matches {
            return ClientStep::default(); // a late answer to an earlier attempt
        }
        match &reply.outcome {
            ReplyOutcome::Done { result } => {
                let Some(o) = self.outstanding.take() else {
                    return ClientStep::default();
                };
                self.remember(&o.op, result);
                let record = HistoryOp::called(self.session, &o.op, o.call).completed(result, now);
                self.wake = None;
                let mut step = self.start_next(env);
                step.record = Some(record);
                step
            }
            ReplyOutcome::NotLeader { leader_hint } => {
                let mut step = ClientStep::default();
                match leader_hint {
                    Some(l) if Some(*l) != self.leader_guess => {
                        self.leader_guess = Some(*l);
                        self.send_attempt(env, &mut step);
                    }
                    _ => {
                        self.leader_guess = None;
                        self.rotate = self.rotate.wrapping_add(1);
                        self.wake = Some(Wake::Resend);
                        let attempts = self.outstanding.as_ref().map_or(1, |o| o.attempts);
                        step.wake_at = Some(now + env.workload.backoff(attempts, env.rng));
                    }
                }
                step
            }
        }
    }

    fn remember(&mut self, op: &KvOp, result: &KvResult) {
        let key = op.key().to_string();
        match (op, result) {
            (_, KvResult::Value { value: Some(v) })
            | (_, KvResult::CasFailed { current: Some(v) }) => {
                self.last_seen.insert(key, *v);
            }
            (KvOp::Put { value, .. }, KvResult::Done) => {
                self.last_seen.insert(key, *value);
            }
            (KvOp::Cas { to, .. }, KvResult::CasOk) => {
                self.last_seen.insert(key, *to);
            }
            _ => {
                self.last_seen.remove(&key);
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
