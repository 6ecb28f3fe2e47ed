//! The recent run as a space-time diagram sees it: every handler run on every lane (a server, a
//! client, the balancer) and every message from the step that sent it to the step that received
//! it (or to where it died), with crashes, restarts, pauses and changes of role and term marked
//! on the lanes. From it, the causal past and future of any step (Lamport's happens-before: a
//! lane's own order plus sends before receipts).
//!
//! Recording is off unless asked for ([`crate::Sim::set_tracing`]), keeps only the last
//! [`TRACE_WINDOW`] of simulated time, and never travels with a clone of the simulation, so the
//! timeline's checkpoints do not carry it.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::message::{Addr, Envelope, LossCause, MsgId};
use quorum_core::time::{Time, SECOND};
use quorum_core::NodeId;
use quorum_service::{Role, TimerKind};

/// How much simulated time the trace keeps.
pub const TRACE_WINDOW: Time = 30 * SECOND;

/// A step's number, unique within a trace.
pub type StepId = u64;

/// What made a lane act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    /// A message arrived.
    Received {
        /// Which.
        message: MsgId,
    },
    /// A server's timer fired.
    Timer {
        /// Which.
        timer: TimerKind,
    },
    /// A server booted (at the start or after a restart).
    Boot,
    /// A client or the balancer woke up (its next operation, a retry, a health check).
    Wake,
    /// A person acted on the lane through the page (a timeout forced, a request sent).
    Action,
}

/// One handler run on one lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Its number (increasing in the order steps happened).
    pub id: StepId,
    /// When.
    pub at: Time,
    /// Where.
    pub lane: Addr,
    /// What made it happen.
    pub kind: StepKind,
}

/// How a message's journey ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum Fate {
    /// It reached its receiver's handler (or the paused receiver's inbox).
    Delivered,
    /// It died on the way or at a receiver that was down.
    Lost {
        /// Why.
        cause: LossCause,
    },
}

/// A message as the trace keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TracedMessage {
    /// The message as it was sent (payload and reason included).
    pub envelope: Envelope,
    /// The step that sent it (none when a person injected or duplicated it).
    pub sent_in: Option<StepId>,
    /// When and how its journey ended, once it has.
    pub end: Option<(Time, Fate)>,
    /// The step that handled it, once one has.
    pub received_in: Option<StepId>,
}

/// Something that happened to a server, marked on its lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "mark", rename_all = "snake_case")]
pub enum Mark {
    /// It crashed.
    Crashed,
    /// It restarted.
    Restarted,
    /// Its process was paused.
    Paused,
    /// Its process was resumed.
    Resumed,
    /// The servers it cannot reach or hear from changed (a cut link, a partition, an isolation,
    /// a heal): bit `n - 1` set for server `n`.
    CutOff {
        /// Who it is cut off from.
        servers: u32,
    },
    /// Its role or term (ballot round) changed to these.
    Role {
        /// The new role.
        role: Role,
        /// The new term.
        term: u64,
    },
}

/// What a server's lane shows at an instant: its role and term, and whether it is down or
/// paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LaneState {
    /// Its role.
    pub role: Role,
    /// Its term (ballot round).
    pub term: u64,
    /// Crashed.
    pub down: bool,
    /// Its process is paused.
    pub paused: bool,
    /// The servers it is cut off from (bit `n - 1` for server `n`).
    pub cut_off: u32,
}

impl Default for LaneState {
    fn default() -> Self {
        LaneState {
            role: Role::Follower,
            term: 0,
            down: false,
            paused: false,
            cut_off: 0,
        }
    }
}

impl LaneState {
    /// The state after `mark`.
    pub fn apply(&mut self, mark: Mark) {
        match mark {
            Mark::Crashed => {
                self.down = true;
                self.paused = false;
            }
            Mark::Restarted => self.down = false,
            Mark::Paused => self.paused = true,
            Mark::Resumed => self.paused = false,
            Mark::CutOff { servers } => self.cut_off = servers,
            Mark::Role { role, term } => {
                self.role = role;
                self.term = term;
            }
        }
    }
}

/// A mark on a server's lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LaneMark {
    /// When.
    pub at: Time,
    /// Which server.
    pub server: NodeId,
    /// What.
    pub mark: Mark,
    /// The step during which it happened (none for a person's action, such as a crash).
    pub step: Option<StepId>,
}

/// The recent run (see the module's documentation).
#[derive(Debug, Default, PartialEq)]
pub struct Trace {
    steps: VecDeque<Step>,
    /// In the order sent (increasing ids).
    messages: VecDeque<TracedMessage>,
    marks: VecDeque<LaneMark>,
    /// Each server's role and term as last marked.
    roles: BTreeMap<NodeId, (Role, u64)>,
    /// Whom each server is cut off from, as last marked.
    cuts: BTreeMap<NodeId, u32>,
    /// Each server's state as it was at the oldest instant kept (marks before it are gone).
    baseline: BTreeMap<NodeId, LaneState>,
    next_step: StepId,
    /// The step running now, if a handler is running.
    current: Option<StepId>,
}

impl Trace {
    /// Every step kept, oldest first.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter()
    }

    /// Every message kept, in the order sent.
    pub fn messages(&self) -> impl Iterator<Item = &TracedMessage> {
        self.messages.iter()
    }

    /// Every lane mark kept, oldest first.
    pub fn marks(&self) -> impl Iterator<Item = &LaneMark> {
        self.marks.iter()
    }

    /// Server `server`'s state at the oldest instant the trace keeps, before its first mark.
    pub fn baseline(&self, server: NodeId) -> LaneState {
        self.baseline.get(&server).copied().unwrap_or_default()
    }

    /// The message `id`, if the trace still holds it.
    pub fn message(&self, id: MsgId) -> Option<&TracedMessage> {
        let i = self.messages.partition_point(|m| m.envelope.id < id);
        self.messages.get(i).filter(|m| m.envelope.id == id)
    }

    fn message_mut(&mut self, id: MsgId) -> Option<&mut TracedMessage> {
        let i = self.messages.partition_point(|m| m.envelope.id < id);
        self.messages.get_mut(i).filter(|m| m.envelope.id == id)
    }

    /// The step `id`, if the trace still holds it.
    pub fn step(&self, id: StepId) -> Option<&Step> {
        let i = self.steps.partition_point(|s| s.id < id);
        self.steps.get(i).filter(|s| s.id == id)
    }

    /// A handler starts running on `lane` at `at`; sends until [`Trace::end_step`] belong to
    /// it.
    pub(crate) fn begin_step(&mut self, at: Time, lane: Addr, kind: StepKind) {
        let id = self.next_step;
        self.next_step += 1;
        self.steps.push_back(Step { id, at, lane, kind });
        self.current = Some(id);
        if let StepKind::Received { message } = kind {
            if let Some(m) = self.message_mut(message) {
                m.received_in = Some(id);
            }
        }
        self.forget_before(at.saturating_sub(TRACE_WINDOW));
    }

    /// The running handler returned.
    pub(crate) fn end_step(&mut self) {
        self.current = None;
    }

    /// A message left its sender (inside the running step, if any).
    pub(crate) fn sent(&mut self, envelope: &Envelope) {
        self.messages.push_back(TracedMessage {
            envelope: envelope.clone(),
            sent_in: self.current,
            end: None,
            received_in: None,
        });
    }

    /// A message's journey ended.
    pub(crate) fn ended(&mut self, id: MsgId, at: Time, fate: Fate) {
        if let Some(m) = self.message_mut(id) {
            m.end = Some((at, fate));
        }
    }

    /// Marks `mark` on server `server`'s lane.
    pub(crate) fn mark(&mut self, at: Time, server: NodeId, mark: Mark) {
        let step = self.current;
        self.marks.push_back(LaneMark {
            at,
            server,
            mark,
            step,
        });
    }

    /// Marks a change in whom a server is cut off from, if it is one.
    pub(crate) fn cut_off(&mut self, at: Time, server: NodeId, servers: u32) {
        if self.cuts.get(&server).copied().unwrap_or(0) != servers {
            self.cuts.insert(server, servers);
            self.mark(at, server, Mark::CutOff { servers });
        }
    }

    /// Marks a change of role or term, if it is one.
    pub(crate) fn role(&mut self, at: Time, server: NodeId, role: Role, term: u64) {
        if self.roles.get(&server) != Some(&(role, term)) {
            self.roles.insert(server, (role, term));
            self.mark(at, server, Mark::Role { role, term });
        }
    }

    fn forget_before(&mut self, t: Time) {
        while self.steps.front().is_some_and(|s| s.at < t) {
            self.steps.pop_front();
        }
        while let Some(m) = self.marks.front().filter(|m| m.at < t).copied() {
            self.baseline.entry(m.server).or_default().apply(m.mark);
            self.marks.pop_front();
        }
        while self
            .messages
            .front()
            .is_some_and(|m| m.end.is_some_and(|(end, _)| end < t))
        {
            self.messages.pop_front();
        }
    }

    /// The steps that happened before step `of` (Lamport's happens-before, `of` included):
    /// earlier steps on its lane and, through every message received in one of them, the steps
    /// before its sending — as the latest included step per lane.
    pub fn causal_past(&self, of: StepId) -> CausalCut {
        let mut cut: BTreeMap<Addr, StepId> = BTreeMap::new();
        let Some(start) = self.step(of) else {
            return CausalCut::default();
        };
        let mut work = vec![(start.lane, of)];
        while let Some((lane, upto)) = work.pop() {
            let previous = cut.get(&lane).copied();
            if previous.is_some_and(|p| p >= upto) {
                continue;
            }
            cut.insert(lane, upto);
            let from = previous.map_or(0, |p| p + 1);
            for step in self.lane_steps(lane, from, upto) {
                if let StepKind::Received { message } = step.kind {
                    let sender = self
                        .message(message)
                        .and_then(|m| m.sent_in.and_then(|s| self.step(s)).map(|s| (s.lane, s.id)));
                    if let Some(sender) = sender {
                        work.push(sender);
                    }
                }
            }
        }
        CausalCut {
            latest: cut,
            earliest: BTreeMap::new(),
        }
    }

    /// The steps that happened after step `of` (`of` included): later steps on its lane and,
    /// through every message sent in one of them, the steps from its receipt on — as the
    /// earliest included step per lane.
    pub fn causal_future(&self, of: StepId) -> CausalCut {
        let mut cut: BTreeMap<Addr, StepId> = BTreeMap::new();
        let Some(start) = self.step(of) else {
            return CausalCut::default();
        };
        // Where what each step sent was received.
        let mut receipts: BTreeMap<StepId, Vec<(Addr, StepId)>> = BTreeMap::new();
        for m in &self.messages {
            if let (Some(sent), Some(received)) =
                (m.sent_in, m.received_in.and_then(|r| self.step(r)))
            {
                receipts
                    .entry(sent)
                    .or_default()
                    .push((received.lane, received.id));
            }
        }
        let mut work = vec![(start.lane, of)];
        while let Some((lane, from)) = work.pop() {
            let previous = cut.get(&lane).copied();
            if previous.is_some_and(|p| p <= from) {
                continue;
            }
            cut.insert(lane, from);
            let upto = previous.map_or(StepId::MAX, |p| p - 1);
            for step in self.lane_steps(lane, from, upto) {
                if let Some(r) = receipts.get(&step.id) {
                    work.extend(r.iter().copied());
                }
            }
        }
        CausalCut {
            latest: BTreeMap::new(),
            earliest: cut,
        }
    }

    fn lane_steps(&self, lane: Addr, from: StepId, upto: StepId) -> impl Iterator<Item = &Step> {
        let start = self.steps.partition_point(|s| s.id < from);
        self.steps
            .range(start..)
            .take_while(move |s| s.id <= upto)
            .filter(move |s| s.lane == lane)
    }
}

/// A set of steps closed under a lane's order: everything up to (a causal past) or from (a
/// causal future) one step per lane.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CausalCut {
    latest: BTreeMap<Addr, StepId>,
    earliest: BTreeMap<Addr, StepId>,
}

impl CausalCut {
    /// Whether `step` is in the set.
    pub fn contains(&self, step: &Step) -> bool {
        self.latest.get(&step.lane).is_some_and(|&l| step.id <= l)
            || self.earliest.get(&step.lane).is_some_and(|&e| step.id >= e)
    }

    /// Whether the message runs inside the set: sent in one of its steps and received in one.
    pub fn holds(&self, trace: &Trace, message: &TracedMessage) -> bool {
        let inside = |s: Option<StepId>| {
            s.and_then(|s| trace.step(s))
                .is_some_and(|s| self.contains(s))
        };
        inside(message.sent_in) && inside(message.received_in)
    }
}

/// Where a simulation keeps its trace: never cloned (a checkpoint starts without one).
#[derive(Debug, Default)]
pub struct TraceSlot(pub Option<Box<Trace>>);

impl Clone for TraceSlot {
    fn clone(&self) -> Self {
        TraceSlot(None)
    }
}
