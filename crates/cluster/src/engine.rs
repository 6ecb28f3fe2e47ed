//! The engine: one seeded random stream, a queue of events ordered by (time, sequence number),
//! the servers, the clients, the network and the messages in flight. `advance_to` pops events in
//! order and hands each to its handler, carries out the effects the handler recorded, and runs the
//! safety checks on the server involved. Everything is deterministic: the same configuration,
//! seed and actions give the same run, which the trace hash makes checkable.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::action::Action;
use super::config::ClusterConfig;
use super::inflight::InFlight;
use super::message::{
    Addr, ClientId, Envelope, LossCause, MessageKind, MsgId, Payload, ReplyOutcome,
};
use super::metrics::MetricsRecorder;
use super::server::{Effect, HandlerEnv, Report, ServerEvent, ServerNode, Timer};
use crate::check::liveness::{
    AwaitedOp, LivenessFailure, LivenessMonitor, WindowOutcome, ELECTION_TIMEOUTS_ALLOWED,
};
use crate::check::{Checker, Observed, PaxosActivity, PaxosWatch, Violation};
use crate::config::MAX_SERVERS;
use crate::provenance::{Provenance, Trigger, Values};
use crate::trace::{Fate, StepKind, Trace, TraceSlot};
use crate::why::Cause;
use quorum_core::actor::{FeedEvent, Milestone};
use quorum_core::digest::{chain, digest_of};
use quorum_core::error::FieldError;
use quorum_core::network::{cut_point, Network};
use quorum_core::pvec::PVec;
use quorum_core::rng::Rng;
use quorum_core::small_map::SmallMap;
use quorum_core::time::{Time, MS};
use quorum_core::NodeId;
use quorum_raft::{Membership, MembershipChange};
use quorum_service::{Reconfigurable, Replica, Role, TimerKind};
use quorum_traffic::balancer::{BalancerActor, BalancerCtx};
use quorum_traffic::client::{
    ClientActor, ClientConfig, ClientCtx, HistoryLog, HistoryOp, WorkloadConfig,
};

mod actions;
mod timers;

pub use timers::{Clock, TimerState, Timers};

/// One server and the engine's bookkeeping about it.
#[derive(Clone, Debug)]
pub struct ServerSlot {
    /// The protocol state.
    pub node: ServerNode,
    /// False while crashed.
    pub up: bool,
    /// Running timers.
    pub timers: Timers,
    /// The server's own clock.
    pub clock: Clock,
    /// True while its process is stalled (see [`Action::Pause`]).
    pub paused: bool,
    /// What arrived or fired while paused, handled in order on resume.
    stalled: Vec<Stalled>,
    timer_generation: u64,
    /// What last changed each field the inspector shows.
    pub provenance: Provenance,
}

impl ServerSlot {
    /// Messages and timers waiting for it while it is paused.
    pub fn stalled_count(&self) -> usize {
        self.stalled.len()
    }
}

/// Work that waits for a paused server.
#[derive(Clone, Debug)]
enum Stalled {
    Message { from: Addr, payload: Payload },
    Timer(TimerKind),
}

#[derive(Clone, Debug, PartialEq)]
enum EventKind {
    /// A message reaches the end of its flight (arrives, or dies).
    Arrive(MsgId),
    /// A server's timer fires (ignored if the generation is stale).
    Timer {
        node: NodeId,
        kind: TimerKind,
        generation: u64,
    },
    /// A client's timer fires (ignored if the generation is stale).
    ClientWake { client: ClientId, generation: u64 },
    /// The load balancer's health-check timer fires.
    BalancerWake,
    /// An open-loop arrival (ignored if the generation is stale).
    Arrival { generation: u64 },
    /// A scheduled action.
    Scheduled(Box<Action>),
}

#[derive(Clone, Debug)]
struct Queued {
    at: Time,
    seq: u64,
    kind: EventKind,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Queued {}

impl Queued {
    /// Scheduled actions come after every other event of their instant, exactly as an action
    /// applied live after `advance_to(t)` does — so a recorded run replays identically.
    fn class(&self) -> u8 {
        u8::from(matches!(self.kind, EventKind::Scheduled(_)))
    }
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.class(), self.seq).cmp(&(other.at, other.class(), other.seq))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A line of the plain-language event feed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FeedEntry {
    /// When it happened.
    pub at: Time,
    /// What happened.
    pub text: String,
    /// What it is about.
    pub event: FeedEvent,
}

/// A message that died recently, kept briefly so the page can show where it died.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LostMessage {
    /// The message id.
    pub id: MsgId,
    /// Sender.
    pub from: Addr,
    /// Receiver.
    pub to: Addr,
    /// Message type.
    pub kind: MessageKind,
    /// When it was sent.
    pub sent_at: Time,
    /// When it would have arrived.
    pub deliver_at: Time,
    /// When it died.
    pub died_at: Time,
    /// Why.
    pub cause: LossCause,
}

/// How many recently lost messages the engine remembers for the view.
pub const RECENT_LOSSES: usize = 64;

/// Running totals, for summaries and the page's metrics.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Events processed.
    pub events: u64,
    /// Messages sent (including duplicates).
    pub messages_sent: u64,
    /// Messages delivered to a running receiver.
    pub messages_delivered: u64,
    /// Messages that never arrived (loss, cuts, drops, crashed receivers).
    pub messages_lost: u64,
    /// Times a server became leader.
    pub leader_elections: u64,
    /// Elections started.
    pub elections_started: u64,
    /// Open-loop arrivals that found every client busy.
    pub shed: u64,
    /// Per server: client requests it answered with a result.
    pub served: SmallMap<NodeId, u64>,
    /// Per server: client requests it forwarded to the leader.
    pub forwarded: SmallMap<NodeId, u64>,
    /// Per server: "not leader" answers it gave.
    pub redirected: SmallMap<NodeId, u64>,
    /// Every crash of a leader, with when the next leader took over (for recovery times).
    pub leader_crashes: Vec<LeaderCrash>,
    /// Messages sent and their bytes (size model: `Payload::size_bytes`), per message kind.
    pub by_kind: SmallMap<&'static str, KindTraffic>,
    /// Who led when: one span per leadership, in order.
    pub leader_timeline: Vec<LeaderSpan>,
}

/// The traffic counters of `kind`. Kind names are string constants, so a kind met before is
/// found by its address, without comparing text (a lookup on every message sent).
fn kind_traffic<'a>(
    by_kind: &'a mut SmallMap<&'static str, KindTraffic>,
    kind: &'static str,
) -> &'a mut KindTraffic {
    by_kind.get_or_default_scanning(kind, |k| std::ptr::eq(*k, kind))
}

/// Traffic of one message kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct KindTraffic {
    /// Messages sent (duplicates included).
    pub messages: u64,
    /// Their bytes in the size model.
    pub bytes: u64,
}

/// One leadership: a server led this term from `from` until `to` (open while it still leads).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeaderSpan {
    /// The leader.
    pub leader: NodeId,
    /// Its term (Raft) or ballot round (Multi-Paxos).
    pub term: u64,
    /// When it became leader, µs.
    pub from: Time,
    /// When it stopped leading (stepped down or crashed), µs.
    pub to: Option<Time>,
}

/// A crash of the leader and when the cluster had a leader again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LeaderCrash {
    /// When the leader crashed.
    pub at: Time,
    /// When a server next became leader, if one did.
    pub next_leader_at: Option<Time>,
}

/// A client actor and its timer generation.
#[derive(Clone, Debug)]
struct ClientSlot {
    actor: ClientActor,
    generation: u64,
}

/// The whole simulated system. Cloning it is cheap (logs and histories share storage), which is
/// how time travel works: keep clones as checkpoints, restore one and replay.
#[derive(Clone, Debug)]
pub struct Sim {
    config: ClusterConfig,
    workload: WorkloadConfig,
    workload_running: bool,
    now: Time,
    seq: u64,
    /// Sequence numbers of scheduled actions, apart from the events' so that scheduling
    /// actions ahead (a scenario) numbers events exactly as applying them live does.
    sched_seq: u64,
    queue: BinaryHeap<Reverse<Queued>>,
    rng: Rng,
    servers: Vec<ServerSlot>,
    clients: Vec<ClientSlot>,
    network: Network,
    in_flight: InFlight,
    next_msg: MsgId,
    next_session: u64,
    /// The safety and liveness checks and what they need to watch.
    checks: Checks,
    /// What the run produced: history, feed, counters, metrics, the trace hash.
    record: RunRecord,
    /// Reused buffer for the effects a handler records.
    effects: Vec<Effect>,
    /// Reused buffers for the effects an actor records, before they become [`Effect`]s.
    actor_effects: crate::buffers::EffectBuffers,
    /// The load balancer between clients and servers, if the workload uses one.
    balancer: Option<BalancerActor>,
    /// Open-loop arrivals in force (older queued arrivals are ignored).
    arrival_generation: u64,
    /// Servers remembered under a label by an action (`crash_leader` with a `label`), so later
    /// actions can name the same server.
    labels: std::collections::BTreeMap<String, NodeId>,
    /// The recent run for the space-time diagram, when asked for (never cloned).
    trace: TraceSlot,
    /// The message being handed to its receiver, for the trace and the fields it changes.
    delivering: Option<Delivering>,
}

/// A message being handed to its receiver: which, and why it was sent (see [`Provenance`]).
#[derive(Clone, Debug)]
struct Delivering {
    id: MsgId,
    why: Cause,
}

/// What made a client or the balancer act: the message being delivered, or its own wake-up.
fn actor_step(delivering: Option<&Delivering>) -> StepKind {
    delivering.map_or(StepKind::Wake, |d| StepKind::Received { message: d.id })
}

/// The checks a run is watched by: every invariant after every event, the facts the Multi-Paxos
/// ones derive, and whether the cluster makes progress once the faults stop.
#[derive(Clone, Debug)]
struct Checks {
    checker: Checker,
    /// Derives what each Multi-Paxos server did in an event, for the checker.
    paxos_watch: PaxosWatch,
    /// The Paxos messages of the event being handled (see [`PaxosActivity`]).
    paxos_activity: PaxosActivity,
    /// Whether the cluster makes progress once the faults stop (apart from safety).
    liveness: LivenessMonitor,
}

/// Everything a run leaves behind for people and tools.
#[derive(Clone, Debug)]
struct RunRecord {
    /// Every client operation, in completion order.
    history: HistoryLog,
    /// The plain-language event feed.
    feed: PVec<FeedEntry>,
    /// Counters for the page and `quorum-run`.
    stats: Stats,
    /// Chained digest of everything that happened, to prove two runs identical.
    trace: u64,
    /// Throughput, latency and message counts per bucket of virtual time.
    metrics: MetricsRecorder,
    /// The latest messages that died, oldest first.
    recent_losses: std::collections::VecDeque<LostMessage>,
}

/// The most hand-driven clients: requests issued while all of them are busy wait in a queue.
pub const MAX_MANUAL_CLIENTS: usize = 8;

/// The item numbered `id` (from 1: S1, C1, …) of a list kept in id order. A free function, so
/// it borrows only the list while the engine's other fields stay free.
fn nth<T>(items: &[T], id: u32) -> Option<&T> {
    items.get(id.checked_sub(1)? as usize)
}

/// [`nth`], mutable.
fn nth_mut<T>(items: &mut [T], id: u32) -> Option<&mut T> {
    items.get_mut(id.checked_sub(1)? as usize)
}

impl Sim {
    /// Builds a cluster; every server boots at time 0 with empty state.
    pub fn new(config: ClusterConfig, workload: WorkloadConfig) -> Result<Sim, FieldError> {
        config.validate()?;
        workload.validate("workload")?;
        let mut rng = Rng::new(config.seed);
        let checker = Checker::for_cluster(&config);
        let servers = config
            .server_ids()
            .map(|id| ServerSlot {
                node: ServerNode::new(config.protocol, id, config.server_ids()),
                up: true,
                timers: Timers::default(),
                clock: Clock::new(config.clock_rate(id)),
                paused: false,
                stalled: Vec::new(),
                timer_generation: 0,
                provenance: Provenance::default(),
            })
            .collect();
        let mut next_session = 1;
        let mut clients = Vec::new();
        for c in 0..=workload.clients {
            let generates = c < workload.clients;
            let first = rng.below(config.servers) as u64;
            clients.push(ClientSlot {
                actor: ClientActor::new(c as ClientId + 1, next_session, generates, first),
                generation: 0,
            });
            next_session += 1;
        }
        let balancer = workload
            .balancer
            .clone()
            .map(|b| BalancerActor::new(b, config.server_ids()));
        let mut sim = Sim {
            network: Network::new(config.network.clone()),
            config,
            workload,
            workload_running: true,
            now: 0,
            seq: 0,
            sched_seq: 0,
            queue: BinaryHeap::new(),
            rng,
            servers,
            clients,
            in_flight: InFlight::new(),
            next_msg: 1,
            next_session,
            checks: Checks {
                checker,
                paxos_watch: PaxosWatch::default(),
                paxos_activity: PaxosActivity::default(),
                liveness: LivenessMonitor::default(),
            },
            record: RunRecord {
                history: HistoryLog::new(),
                feed: PVec::new(),
                stats: Stats::default(),
                trace: 0,
                metrics: MetricsRecorder::default(),
                recent_losses: std::collections::VecDeque::new(),
            },
            effects: Vec::new(),
            actor_effects: Default::default(),
            balancer,
            arrival_generation: 0,
            labels: std::collections::BTreeMap::new(),
            trace: TraceSlot::default(),
            delivering: None,
        };
        for id in sim.config.server_ids() {
            let _ = sim.run_handler(id, ServerEvent::Boot);
        }
        if sim.balancer.is_some() {
            sim.push(0, EventKind::BalancerWake);
        }
        sim.start_load(sim.workload.start_ms * MS);
        sim.reassess_calm();
        Ok(sim)
    }

    // ----- queries -----

    /// Current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// The configuration in force.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The workload.
    pub fn workload(&self) -> &WorkloadConfig {
        &self.workload
    }

    /// Whether the generated workload is running.
    pub fn workload_running(&self) -> bool {
        self.workload_running
    }

    /// The servers.
    pub fn servers(&self) -> &[ServerSlot] {
        &self.servers
    }

    /// One server.
    pub fn server(&self, id: NodeId) -> Option<&ServerSlot> {
        nth(&self.servers, id)
    }

    /// The client actors (the last one is the hand-driven client).
    pub fn clients(&self) -> impl Iterator<Item = &ClientActor> {
        self.clients.iter().map(|c| &c.actor)
    }

    /// The messages in flight, by id.
    pub fn in_flight(&self) -> &InFlight {
        &self.in_flight
    }

    /// The network state.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The completed operations, in completion order.
    pub fn history(&self) -> &HistoryLog {
        &self.record.history
    }

    /// The history plus every operation still outstanding, recorded as `info` (outcome unknown):
    /// what to check or export at the end of a run.
    pub fn final_history(&self) -> Vec<HistoryOp> {
        let mut all: Vec<HistoryOp> = self.record.history.iter().collect();
        all.extend(self.outstanding_operations());
        all
    }

    /// The operations still waiting for an answer, recorded as `info` (outcome unknown): what
    /// [`Sim::final_history`] adds to the history.
    pub fn outstanding_operations(&self) -> Vec<HistoryOp> {
        self.clients
            .iter()
            .filter_map(|c| {
                let o = c.actor.outstanding.as_ref()?;
                Some(HistoryOp::called(c.actor.session, &o.op, o.call))
            })
            .collect()
    }

    /// Safety violations detected so far.
    pub fn violations(&self) -> &[Violation] {
        self.checks.checker.violations()
    }

    /// The checker (for its counters).
    pub fn checker(&self) -> &Checker {
        &self.checks.checker
    }

    /// The event feed.
    pub fn feed(&self) -> &PVec<FeedEntry> {
        &self.record.feed
    }

    /// Running totals.
    pub fn stats(&self) -> &Stats {
        &self.record.stats
    }

    /// A fingerprint of everything that has happened; equal runs have equal hashes.
    pub fn trace_hash(&self) -> u64 {
        self.record.trace
    }

    /// The server that leads the highest term among running servers, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.servers
            .iter()
            .filter(|s| s.up && s.node.role() == Role::Leader)
            .max_by_key(|s| s.node.term())
            .map(|s| s.node.id())
    }

    /// Time of the next pending event, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek().map(|Reverse(q)| q.at)
    }

    // ----- running -----

    /// Processes every event up to and including `t`, then sets the clock to `t`.
    pub fn advance_to(&mut self, t: Time) {
        while let Some(Reverse(q)) = self.queue.peek() {
            if q.at > t {
                break;
            }
            self.step();
        }
        self.judge_liveness_until(t);
        self.now = self.now.max(t);
    }

    /// Processes exactly one event (the earliest). Returns false when nothing is queued.
    pub fn step(&mut self) -> bool {
        let Some(Reverse(q)) = self.queue.pop() else {
            return false;
        };
        // Calm windows that closed before this event are judged on the state they closed with.
        self.judge_liveness_until(q.at.saturating_sub(1));
        self.now = self.now.max(q.at);
        let strategy = self.balancer.as_ref().map(|b| b.config().strategy.label());
        self.record
            .metrics
            .roll(self.now, self.record.stats.messages_sent, strategy);
        // A scheduled action is not an event of the system: it counts and hashes exactly as the
        // same action applied live (see `apply`).
        if !matches!(q.kind, EventKind::Scheduled(_)) {
            self.record.stats.events += 1;
            self.record.trace = chain(self.record.trace, digest_of(&(q.at, q.seq)));
        }
        match q.kind {
            EventKind::Arrive(id) => self.arrive(id),
            EventKind::Timer {
                node,
                kind,
                generation,
            } => {
                let timer = self.server(node).and_then(|s| {
                    s.timers
                        .get(&kind)
                        .filter(|t| s.up && t.generation == generation)
                        .copied()
                });
                if let Some(t) = timer.filter(|t| t.deadline > q.at) {
                    // Restarted since it was queued: wait for the new deadline.
                    if let Some(slot) = self.slot_mut(node) {
                        if let Some(state) = slot.timers.get_mut(&kind) {
                            state.queued_at = t.deadline;
                        }
                    }
                    self.push(
                        t.deadline,
                        EventKind::Timer {
                            node,
                            kind,
                            generation,
                        },
                    );
                } else if timer.is_some() {
                    if let Some(slot) = self.slot_mut(node) {
                        slot.timers.remove(&kind);
                    }
                    self.record.trace = chain(self.record.trace, digest_of(&(node, kind)));
                    match self.slot_mut(node) {
                        Some(slot) if slot.paused => slot.stalled.push(Stalled::Timer(kind)),
                        _ => {
                            let _ = self.run_handler(node, ServerEvent::Timer(kind));
                        }
                    }
                }
            }
            EventKind::ClientWake { client, generation } => {
                let live = self
                    .client_slot(client)
                    .is_some_and(|c| c.generation == generation);
                if live {
                    self.client_wake(client);
                }
            }
            EventKind::Arrival { generation } => {
                if generation == self.arrival_generation {
                    self.arrival();
                }
            }
            EventKind::BalancerWake => self.balancer_event(|lb, ctx| lb.on_tick(ctx)),
            EventKind::Scheduled(action) => {
                // Scheduled actions were validated when scheduled; a failure here is reported.
                if let Err(e) = self.apply(*action) {
                    self.note(format!("a scheduled action failed: {e}"));
                }
            }
        }
        true
    }

    /// Schedules an action to be applied at virtual time `at` (for scenario schedules).
    pub fn schedule(&mut self, at: Time, action: Action) -> Result<(), FieldError> {
        self.validate_action(&action, "action")?;
        self.push(at.max(self.now), EventKind::Scheduled(Box::new(action)));
        Ok(())
    }

    fn push(&mut self, at: Time, kind: EventKind) {
        let seq = if matches!(kind, EventKind::Scheduled(_)) {
            self.sched_seq += 1;
            self.sched_seq
        } else {
            self.seq += 1;
            self.seq
        };
        self.queue.push(Reverse(Queued { at, seq, kind }));
    }

    // ----- liveness -----

    /// Failures of the liveness check so far (apart from safety violations).
    pub fn liveness_failures(&self) -> &[LivenessFailure] {
        self.checks.liveness.failures()
    }

    /// When the liveness check next judges the cluster (None while faults are in force).
    pub fn liveness_deadline(&self) -> Option<Time> {
        self.checks.liveness.deadline()
    }

    /// How long a calm cluster has to elect a leader and answer its clients.
    pub fn liveness_bound(&self) -> Time {
        ELECTION_TIMEOUTS_ALLOWED * self.config.timing.election_max()
    }

    /// A fault in force: a cut or slowed link, loss, a paused server, or fewer than a majority
    /// of the voters up.
    fn faults_in_force(&self) -> bool {
        if self.network.cut_links().next().is_some()
            || self.network.link_overrides().next().is_some()
            || !self.network.message_faults().is_empty()
            || self.network.config.loss > 0.0
            || self.servers.iter().any(|s| s.paused)
        {
            return true;
        }
        let config = self.configuration();
        let up = config
            .voters
            .iter()
            .filter(|&&v| self.server(v).is_some_and(|s| s.up))
            .count();
        up < config.majority()
    }

    /// Opens a calm window when the faults have stopped, abandons it when one is back.
    pub(super) fn reassess_calm(&mut self) {
        if self.faults_in_force() {
            self.checks.liveness.faulty();
            return;
        }
        if self.checks.liveness.deadline().is_some() {
            return;
        }
        let (now, bound) = (self.now, self.liveness_bound());
        let awaited: Vec<AwaitedOp> = self
            .clients
            .iter()
            .filter_map(|c| {
                let o = c.actor.outstanding.as_ref()?;
                // An operation its client gives up on before the deadline is not awaited.
                (o.give_up_at > now + bound).then(|| AwaitedOp {
                    client: c.actor.id,
                    call: o.call,
                    describe: o.op.describe(),
                })
            })
            .collect();
        let history_len = self.record.history.len();
        self.checks.liveness.calm(now, bound, history_len, awaited);
    }

    /// Judges every calm window whose deadline is at or before `t`.
    fn judge_liveness_until(&mut self, t: Time) {
        while let Some(deadline) = self.checks.liveness.deadline().filter(|&d| d <= t) {
            // The window is judged, and the next one opened, at its deadline.
            let at = self.now;
            self.now = deadline.max(at);
            let since = self.checks.liveness.window_history_len().unwrap_or(0);
            let outcome = WindowOutcome {
                // Multi-Paxos without a stable leader has no leader by design: only answers count.
                has_leader: self.leader().is_some()
                    || (self.config.protocol == crate::config::ProtocolKind::MultiPaxos
                        && !self.config.paxos.stable_leader),
                answered: self
                    .record
                    .history
                    .statuses_from(since)
                    .filter(|status| *status != quorum_traffic::client::Status::Info)
                    .count(),
                waiting: self
                    .clients
                    .iter()
                    .filter(|c| c.actor.outstanding.is_some())
                    .count(),
            };
            let clients = &self.clients;
            let answered = |client: ClientId, call: Time| {
                clients.iter().any(|c| {
                    c.actor.id == client
                        && c.actor.outstanding.as_ref().is_none_or(|o| o.call != call)
                })
            };
            if let Some(failure) = self.checks.liveness.judge(outcome, answered) {
                self.note_as(
                    FeedEvent::LivenessMissed,
                    format!("LIVENESS: {}", failure.explain()),
                );
            }
            // The calm goes on: the next window opens at this deadline.
            self.reassess_calm();
            self.now = at;
        }
    }

    fn note(&mut self, text: String) {
        self.note_as(FeedEvent::Remark, text);
    }

    fn note_as(&mut self, event: FeedEvent, text: String) {
        self.record.feed.push(FeedEntry {
            at: self.now,
            text,
            event,
        });
    }

    fn slot_mut(&mut self, id: NodeId) -> Option<&mut ServerSlot> {
        nth_mut(&mut self.servers, id)
    }

    fn client_slot(&self, id: ClientId) -> Option<&ClientSlot> {
        nth(&self.clients, id)
    }

    /// Hands an event to a server's protocol, then carries out the effects it recorded and
    /// checks the server. The answer is a membership proposal's outcome; a server missing or
    /// down does not answer.
    fn run_handler(&mut self, id: NodeId, event: ServerEvent) -> Result<(), String> {
        let mut effects = std::mem::take(&mut self.effects);
        let (outcome, before) = {
            let Some(slot) = nth_mut(&mut self.servers, id) else {
                return Err(format!("S{id} did not answer"));
            };
            if !slot.up {
                return Err(format!("S{id} did not answer"));
            }
            // What made this step: the trace's lane and the fields it changes both say so.
            let step = match (&event, &self.delivering) {
                (ServerEvent::Message { .. }, Some(d)) => StepKind::Received { message: d.id },
                (ServerEvent::Timer(timer), _) => StepKind::Timer { timer: *timer },
                (ServerEvent::Boot, _) => StepKind::Boot,
                _ => StepKind::Action,
            };
            if let Some(trace) = self.trace.0.as_mut() {
                trace.begin_step(self.now, Addr::Server(id), step);
            }
            let sender = match &event {
                ServerEvent::Message { from, payload } => Some((*from, payload.message_kind())),
                _ => None,
            };
            let before = (Values::of(&slot.node), step, sender);
            let env = HandlerEnv {
                now: self.now,
                local_now: slot.clock.read(self.now),
                config: &self.config,
                rng: &mut self.rng,
                buffers: &mut self.actor_effects,
            };
            if let ServerEvent::Message {
                payload: Payload::Paxos(m),
                ..
            } = &event
            {
                self.checks.paxos_activity.saw(m, false);
            }
            (slot.node.handle(env, event, &mut effects), before)
        };
        for effect in &effects {
            if let Effect::Send {
                payload: Payload::Paxos(m),
                ..
            } = effect
            {
                self.checks.paxos_activity.saw(m, true);
            }
        }
        for effect in effects.drain(..) {
            self.carry_out(Addr::Server(id), effect);
        }
        // Handing the buffer back keeps its capacity: no allocation per event.
        self.effects = effects;
        if let Some(slot) = nth_mut(&mut self.servers, id) {
            let (values, step, sender) = before;
            let delivering = &self.delivering;
            slot.provenance
                .record(values, Values::of(&slot.node), self.now, || {
                    match (step, sender, delivering) {
                        (StepKind::Received { message }, Some((from, kind)), Some(d)) => {
                            Trigger::Message {
                                id: message,
                                from,
                                kind,
                                why: d.why.clone(),
                            }
                        }
                        (StepKind::Timer { timer }, _, _) => Trigger::Timer { timer },
                        (StepKind::Boot, _, _) => Trigger::Boot,
                        _ => Trigger::Action,
                    }
                });
        }
        if let Some(trace) = self.trace.0.as_mut() {
            // A change of role or term is marked as the step's own doing.
            if let Some(slot) = nth(&self.servers, id) {
                trace.role(self.now, id, slot.node.role(), slot.node.term());
            }
            trace.end_step();
        }
        self.check_server(id);
        outcome
    }

    /// Carries out one effect an actor recorded: the one path for servers, clients and the
    /// balancer alike.
    fn carry_out(&mut self, actor: Addr, effect: Effect) {
        match (actor, effect) {
            (_, Effect::Send { to, payload, why }) => self.send(actor, to, payload, why),
            (_, Effect::Note(event, text)) => self.note_as(event, text),
            (
                Addr::Server(id),
                Effect::SetTimer {
                    kind: Timer::Server(kind),
                    after,
                },
            ) => self.set_server_timer(id, kind, after),
            (Addr::Server(id), Effect::CancelTimer(Timer::Server(kind))) => {
                if let Some(slot) = self.slot_mut(id) {
                    slot.timers.remove(&kind);
                }
            }
            (Addr::Server(id), Effect::Report(Report::Milestone(milestone))) => {
                self.milestone(id, milestone)
            }
            (
                Addr::Client(client),
                Effect::SetTimer {
                    kind: Timer::Wake,
                    after,
                },
            ) => self.wake_client(client, self.now + after),
            (
                Addr::Balancer,
                Effect::SetTimer {
                    kind: Timer::Wake,
                    after,
                },
            ) => self.push(self.now + after, EventKind::BalancerWake),
            (_, Effect::Report(Report::Operation(record))) => {
                self.record.trace = chain(self.record.trace, digest_of(&record));
                self.record.metrics.record(&record);
                self.record.history.push(&record);
            }
            // No actor asks for anything else (a server's timers are its own kinds, the others
            // only wake up).
            _ => {}
        }
    }

    /// Starts (or restarts) one of a server's timers, `after` µs of its own clock from now.
    fn set_server_timer(&mut self, id: NodeId, kind: TimerKind, after: Time) {
        let now = self.now;
        // Handlers speak in their own clock; a slow clock makes its timers late.
        let rate = self.server(id).map_or(1.0, |s| s.clock.rate);
        let after = (after as f64 / rate) as Time;
        let Some(slot) = self.slot_mut(id) else {
            return;
        };
        let deadline = now + after;
        if let Some(t) = slot.timers.get_mut(&kind) {
            if t.queued_at <= deadline {
                // The queued event will pop first and re-queue itself for the deadline.
                t.set_at = now;
                t.deadline = deadline;
                return;
            }
        }
        slot.timer_generation += 1;
        let generation = slot.timer_generation;
        slot.timers.insert(
            kind,
            TimerState {
                set_at: now,
                deadline,
                generation,
                queued_at: deadline,
            },
        );
        self.push(
            now + after,
            EventKind::Timer {
                node: id,
                kind,
                generation,
            },
        );
    }

    /// Counts a server's turn in leadership.
    fn milestone(&mut self, id: NodeId, milestone: Milestone) {
        match milestone {
            Milestone::ElectionStarted => self.record.stats.elections_started += 1,
            Milestone::ConfigurationCommitted => self.balancer_follows(id),
            Milestone::BecameLeader => {
                let (now, term) = (self.now, self.server(id).map_or(0, |s| s.node.term()));
                self.record.stats.leader_timeline.push(LeaderSpan {
                    leader: id,
                    term,
                    from: now,
                    to: None,
                });
                self.record.stats.leader_elections += 1;
                let now = self.now;
                if let Some(c) = self.record.stats.leader_crashes.last_mut() {
                    c.next_leader_at.get_or_insert(now);
                }
            }
        }
    }

    /// The load balancer sends only to members of the configuration `leader` committed: servers
    /// it removed leave rotation (they would only answer "not leader"), members join it.
    fn balancer_follows(&mut self, leader: NodeId) {
        let Some(members) = self
            .server(leader)
            .and_then(|s| s.node.as_raft())
            .map(|r| r.membership().members().collect::<Vec<NodeId>>())
        else {
            return;
        };
        let now = self.now;
        let Some(lb) = self.balancer.as_mut() else {
            return;
        };
        let notes = lb.follow_membership(&members, now);
        for n in notes {
            self.note(n);
        }
    }

    /// Closes the open leadership spans of `id` once it no longer leads (or is down).
    fn close_leader_spans(&mut self, id: NodeId) {
        let leads = self
            .server(id)
            .is_some_and(|s| s.up && s.node.role() == Role::Leader);
        if leads {
            return;
        }
        let now = self.now;
        for span in self
            .record
            .stats
            .leader_timeline
            .iter_mut()
            .rev()
            .take(MAX_SERVERS * 2)
        {
            if span.leader == id && span.to.is_none() {
                span.to = Some(now);
            }
        }
    }

    fn check_server(&mut self, id: NodeId) {
        self.close_leader_spans(id);
        let now = self.now;
        let Some(slot) = nth_mut(&mut self.servers, id) else {
            return;
        };
        let changed_from = slot.node.take_log_changes();
        // The event's Paxos messages are this server's to account for, and no later server's.
        let activity = &mut self.checks.paxos_activity;
        let facts = match &slot.node {
            ServerNode::Paxos(node) => Some(self.checks.paxos_watch.facts(id, node, activity)),
            ServerNode::Raft(_) => None,
        };
        activity.clear();
        let observed = Observed {
            id,
            up: slot.up,
            changed_from,
            replica: &slot.node,
            paxos: facts,
            reconfigurable: slot.node.as_raft().map(|n| n as &dyn Reconfigurable),
        };
        let found = self.checks.checker.observe(now, observed);
        for v in found {
            self.note_as(
                FeedEvent::SafetyViolation,
                format!("SAFETY VIOLATION — {}: {}", v.invariant, v.explanation),
            );
        }
    }

    fn send(&mut self, from: Addr, to: Addr, payload: Payload, why: Cause) {
        if let Addr::Server(n) = from {
            let counter = match (&payload, to) {
                (Payload::Request(_), Addr::Server(_)) => Some(&mut self.record.stats.forwarded),
                (Payload::Reply(r), _) => Some(match r.outcome {
                    ReplyOutcome::Done { .. } => &mut self.record.stats.served,
                    ReplyOutcome::NotLeader { .. } => &mut self.record.stats.redirected,
                }),
                _ => None,
            };
            if let Some(c) = counter {
                *c.get_or_default(n) += 1;
            }
        }
        let route = self
            .network
            .route(&mut self.rng, from, to, self.now, payload.kind());
        let id = self.next_msg;
        self.next_msg += 1;
        self.record.stats.messages_sent += 1;
        let traffic = kind_traffic(&mut self.record.stats.by_kind, payload.kind());
        let copies = 1 + u64::from(route.duplicate_at.is_some());
        traffic.messages += copies;
        traffic.bytes += copies * payload.size_bytes();
        let envelope = Envelope {
            id,
            from,
            to,
            payload,
            sent_at: self.now,
            deliver_at: route.deliver_at,
            doom: route.doom,
            duplicate: false,
            why,
        };
        self.push(envelope.ends_at(), EventKind::Arrive(id));
        if let Some(trace) = self.trace.0.as_mut() {
            trace.sent(&envelope);
        }
        if let Some(dup_at) = route.duplicate_at {
            let copy_id = self.next_msg;
            self.next_msg += 1;
            self.record.stats.messages_sent += 1;
            let copy = Envelope {
                id: copy_id,
                deliver_at: dup_at,
                duplicate: true,
                ..envelope.clone()
            };
            self.push(dup_at, EventKind::Arrive(copy_id));
            if let Some(trace) = self.trace.0.as_mut() {
                trace.sent(&copy);
            }
            self.in_flight.insert(copy_id, copy);
        }
        self.in_flight.insert(id, envelope);
    }

    fn arrive(&mut self, id: MsgId) {
        let Some(envelope) = self.in_flight.get(&id) else {
            return; // already gone (dropped by hand)
        };
        if envelope.ends_at() > self.now {
            return; // rescheduled (doomed earlier or later); a later event handles it
        }
        let Some(envelope) = self.in_flight.remove(&id) else {
            return;
        };
        // Route, timing and type identify a delivery; hashing whole batches of entries here would
        // dominate the cost of a run, and any divergence in contents changes later timing anyway.
        // The type is hashed as its typed kind (one word), not its name.
        let fingerprint = (
            id,
            envelope.from,
            envelope.to,
            envelope.deliver_at,
            envelope.payload.message_kind() as u8,
        );
        self.record.trace = chain(self.record.trace, digest_of(&fingerprint));
        if let Some((died_at, cause)) = envelope.doom {
            self.record_loss(&envelope, died_at, cause);
            return;
        }
        // The reason moves to `delivering`, where the receiver's step reads it; delivering
        // reads everything else of the message but that.
        let mut envelope = envelope;
        let why = std::mem::replace(&mut envelope.why, Cause::Client);
        self.delivering = Some(Delivering { id, why });
        self.deliver(envelope);
        self.delivering = None;
    }

    fn trace_delivered(&mut self, id: MsgId) {
        if let Some(trace) = self.trace.0.as_mut() {
            trace.ended(id, self.now, Fate::Delivered);
        }
    }

    /// Hands an arrived message to its receiver.
    fn deliver(&mut self, envelope: Envelope) {
        match envelope.to {
            Addr::Server(n) => {
                if !self.server(n).is_some_and(|s| s.up) {
                    self.record_loss(&envelope, envelope.deliver_at, LossCause::ReceiverDown);
                    return;
                }
                self.record.stats.messages_delivered += 1;
                self.trace_delivered(envelope.id);
                let from = envelope.from;
                let payload = envelope.payload;
                match self.slot_mut(n) {
                    Some(slot) if slot.paused => {
                        slot.stalled.push(Stalled::Message { from, payload })
                    }
                    _ => {
                        let _ = self.run_handler(n, ServerEvent::Message { from, payload });
                    }
                }
            }
            Addr::Client(c) => {
                self.record.stats.messages_delivered += 1;
                self.trace_delivered(envelope.id);
                if let Payload::Reply(reply) = envelope.payload {
                    self.client_event(c, |actor, ctx| actor.on_reply(ctx, &reply));
                }
            }
            Addr::Balancer => {
                self.record.stats.messages_delivered += 1;
                self.trace_delivered(envelope.id);
                match (envelope.from, envelope.payload) {
                    (_, Payload::Request(r)) => {
                        self.balancer_event(|lb, ctx| lb.on_request(ctx, r))
                    }
                    (Addr::Server(n), Payload::Reply(r)) => {
                        self.balancer_event(|lb, ctx| lb.on_reply(ctx, n, r))
                    }
                    (Addr::Server(n), Payload::Pong) => {
                        self.balancer_event(|lb, ctx| lb.on_pong(ctx, n))
                    }
                    _ => {}
                }
            }
        }
    }

    fn record_loss(&mut self, envelope: &Envelope, died_at: Time, cause: LossCause) {
        self.record.stats.messages_lost += 1;
        if let Some(trace) = self.trace.0.as_mut() {
            trace.ended(envelope.id, died_at, Fate::Lost { cause });
        }
        if self.record.recent_losses.len() == RECENT_LOSSES {
            self.record.recent_losses.pop_front();
        }
        self.record.recent_losses.push_back(LostMessage {
            id: envelope.id,
            from: envelope.from,
            to: envelope.to,
            kind: envelope.payload.message_kind(),
            sent_at: envelope.sent_at,
            deliver_at: envelope.deliver_at,
            died_at,
            cause,
        });
    }

    /// Starts (or stops) recording the recent run for the space-time diagram (see
    /// [`crate::trace`]); starting afresh when already on keeps what was recorded.
    pub fn set_tracing(&mut self, on: bool) {
        match (on, self.trace.0.is_some()) {
            (true, false) => {
                // The lanes start from every server's state now.
                let mut trace = Box::<Trace>::default();
                for slot in &self.servers {
                    let id = slot.node.id();
                    trace.role(self.now, id, slot.node.role(), slot.node.term());
                    if !slot.up {
                        trace.mark(self.now, id, crate::trace::Mark::Crashed);
                    } else if slot.paused {
                        trace.mark(self.now, id, crate::trace::Mark::Paused);
                    }
                }
                self.trace.0 = Some(trace);
                self.trace_cuts();
            }
            (false, true) => self.trace.0 = None,
            _ => {}
        }
    }

    /// The recent run, when recording (see [`Sim::set_tracing`]).
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.0.as_deref()
    }

    /// Marks `mark` on server `node`'s lane of the trace, when recording.
    pub(crate) fn trace_mark(&mut self, node: NodeId, mark: crate::trace::Mark) {
        if let Some(trace) = self.trace.0.as_mut() {
            trace.mark(self.now, node, mark);
        }
    }

    /// The latest messages that died (at most [`RECENT_LOSSES`]), oldest first.
    pub fn recent_losses(&self) -> impl Iterator<Item = &LostMessage> {
        self.record.recent_losses.iter()
    }

    /// Moves the clock forward to `t` without processing anything: replaying an action log uses
    /// it to stand exactly where the original run stood when it applied an action.
    pub fn set_clock(&mut self, t: Time) {
        self.now = self.now.max(t);
    }

    /// Runs a load-balancer handler and carries out what it asks.
    fn balancer_event(&mut self, f: impl FnOnce(&mut BalancerActor, &mut BalancerCtx<'_>)) {
        let Some(lb) = self.balancer.as_mut() else {
            return;
        };
        let mut effects = std::mem::take(&mut self.actor_effects.balancer);
        if let Some(trace) = self.trace.0.as_mut() {
            trace.begin_step(
                self.now,
                Addr::Balancer,
                actor_step(self.delivering.as_ref()),
            );
        }
        let mut ctx = BalancerCtx::new(self.now, 0, self.now, (), &mut self.rng, &mut effects);
        f(lb, &mut ctx);
        for effect in effects.drain(..) {
            let effect = effect.map(
                Payload::from,
                |_| Timer::Wake,
                |never| match never {},
                |()| Cause::Balancer,
            );
            self.carry_out(Addr::Balancer, effect);
        }
        self.actor_effects.balancer = effects;
        if let Some(trace) = self.trace.0.as_mut() {
            trace.end_step();
        }
    }

    /// Throughput, latency and messages per bucket of virtual time.
    pub fn metrics(&self) -> &MetricsRecorder {
        &self.record.metrics
    }

    /// The load balancer, when clients go through one.
    pub fn balancer(&self) -> Option<&BalancerActor> {
        self.balancer.as_ref()
    }

    /// Sets the generated load going from `at`: open-loop arrivals, or each idle client's
    /// next operation.
    fn start_load(&mut self, at: Time) {
        self.arrival_generation += 1;
        if self.workload.mode == quorum_traffic::client::LoadMode::Open {
            let generation = self.arrival_generation;
            self.push(at.max(self.now), EventKind::Arrival { generation });
        } else {
            let idle: Vec<ClientId> = self
                .clients
                .iter()
                .filter(|c| c.actor.generates && c.actor.outstanding.is_none())
                .map(|c| c.actor.id)
                .collect();
            for id in idle {
                self.wake_client(id, at);
            }
        }
    }

    /// An open-loop arrival: an idle generating client takes it, or it is shed.
    fn arrival(&mut self) {
        if self.generating() {
            let idle = self
                .clients
                .iter()
                .find(|c| {
                    c.actor.generates && c.actor.outstanding.is_none() && c.actor.queued.is_empty()
                })
                .map(|c| c.actor.id);
            match idle {
                Some(id) => self.client_event(id, |actor, ctx| actor.start_arrival(ctx)),
                None => self.record.stats.shed += 1,
            }
        }
        let mean = 1_000_000.0 / self.workload.rate;
        let gap = (self.rng.exponential(mean) as Time).max(1);
        let generation = self.arrival_generation;
        self.push(self.now + gap, EventKind::Arrival { generation });
    }

    /// Replaces the generated load (the balancer keeps its own settings): more clients start,
    /// fewer stop after their current operation.
    fn set_workload(&mut self, mut workload: WorkloadConfig) {
        workload.balancer = self.workload.balancer.clone();
        let generating: Vec<usize> = (0..self.clients.len())
            .filter(|&i| self.clients[i].actor.generates)
            .collect();
        for &i in generating.iter().skip(workload.clients) {
            self.clients[i].actor.generates = false;
        }
        for _ in generating.len()..workload.clients {
            let id = self.clients.len() as ClientId + 1;
            let session = self.next_session;
            self.next_session += 1;
            let first = self.rng.below(self.servers.len()) as u64;
            self.clients.push(ClientSlot {
                actor: ClientActor::new(id, session, true, first),
                generation: 0,
            });
        }
        self.workload = workload;
        self.start_load(self.now);
    }

    fn generating(&self) -> bool {
        self.workload_running && self.workload.stop_ms.is_none_or(|s| self.now < s * MS)
    }

    /// Runs a client handler and carries out what it asks.
    fn client_event(
        &mut self,
        client: ClientId,
        f: impl FnOnce(&mut ClientActor, &mut ClientCtx<'_>),
    ) {
        let generating = self.generating();
        let Some(slot) = nth_mut(&mut self.clients, client) else {
            return;
        };
        if let Some(trace) = self.trace.0.as_mut() {
            trace.begin_step(
                self.now,
                Addr::Client(client),
                actor_step(self.delivering.as_ref()),
            );
        }
        let config = ClientConfig {
            servers: self.servers.len(),
            workload: &self.workload,
            generating,
            via: self.balancer.as_ref().map(|_| Addr::Balancer),
            sessions: std::cell::Cell::from_mut(&mut self.next_session),
        };
        let mut effects = std::mem::take(&mut self.actor_effects.client);
        let mut ctx = ClientCtx::new(
            self.now,
            client,
            self.now,
            config,
            &mut self.rng,
            &mut effects,
        );
        f(&mut slot.actor, &mut ctx);
        for effect in effects.drain(..) {
            let effect = effect.map(
                Payload::from,
                |_| Timer::Wake,
                Report::Operation,
                |()| Cause::Client,
            );
            self.carry_out(Addr::Client(client), effect);
        }
        // Handed back with its capacity for the next client's call.
        self.actor_effects.client = effects;
        if let Some(trace) = self.trace.0.as_mut() {
            trace.end_step();
        }
    }

    fn wake_client(&mut self, client: ClientId, at: Time) {
        let Some(slot) = nth_mut(&mut self.clients, client) else {
            return;
        };
        slot.generation += 1;
        let generation = slot.generation;
        self.push(
            at.max(self.now),
            EventKind::ClientWake { client, generation },
        );
    }

    fn client_wake(&mut self, client: ClientId) {
        self.client_event(client, |actor, ctx| actor.on_wake(ctx));
    }
}
