//! The actor contract: a handler gets `&mut` its own state and a [`Ctx`]; it never sees the
//! network, other actors or the true clock except through it. It records what it wants done —
//! sends, timers, notes for the feed — in the context, and the engine carries that out after the
//! handler returns (effects as data, as in Stateright's `Out`). The contract is generic over the
//! messages an actor speaks, its timers and the configuration it reads, so servers of any
//! protocol, clients and the load balancer all follow it.

use serde::{Deserialize, Serialize};

use crate::ids::{Addr, NodeId};
use crate::rng::Rng;
use crate::time::Time;

/// Something a handler asked for, with messages of type `M`, timers of type `T`, reports of
/// type `R` (what the engine collects from this kind of actor: a server's turns in leadership, a
/// client's finished operations) and reasons of type `W` (why a message was sent: the rule that
/// fired and the values it decided on, for the page to explain; `()` for actors that do not say).
#[derive(Clone, Debug, PartialEq)]
pub enum Effect<M, T, R = Milestone, W = ()> {
    /// Send a message.
    Send {
        /// Receiver.
        to: Addr,
        /// Contents.
        payload: M,
        /// Why it is sent.
        why: W,
    },
    /// Start (or restart) a timer that fires after `after` µs of the actor's own clock.
    SetTimer {
        /// Which timer.
        kind: T,
        /// Delay.
        after: Time,
    },
    /// Stop a timer.
    CancelTimer(T),
    /// A line for the event feed, in plain language, with what it is about.
    Note(FeedEvent, String),
    /// Something for the engine to collect.
    Report(R),
}

impl<M, T, R, W> Effect<M, T, R, W> {
    /// The same effect in the engine's types: its message, timer, report and reason each turned
    /// by the function given — how every actor's typed effects join the one stream the engine
    /// carries out.
    pub fn map<N, U, S, X>(
        self,
        message: impl FnOnce(M) -> N,
        timer: impl FnOnce(T) -> U,
        report: impl FnOnce(R) -> S,
        why: impl FnOnce(W) -> X,
    ) -> Effect<N, U, S, X> {
        match self {
            Effect::Send {
                to,
                payload,
                why: reason,
            } => Effect::Send {
                to,
                payload: message(payload),
                why: why(reason),
            },
            Effect::SetTimer { kind, after } => Effect::SetTimer {
                kind: timer(kind),
                after,
            },
            Effect::CancelTimer(kind) => Effect::CancelTimer(timer(kind)),
            Effect::Note(event, text) => Effect::Note(event, text),
            Effect::Report(r) => Effect::Report(report(r)),
        }
    }
}

/// What a line of the event feed is about, so the page can pick lines out — announce them, mark
/// them on a timeline, colour them — without reading their words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedEvent {
    /// Anything else worth reading.
    Remark,
    /// A server became leader.
    LeaderElected,
    /// An election ended without a winner and starts again.
    SplitVote,
    /// A candidate gave up its election: it saw a higher term (or ballot) than its own.
    ElectionLost,
    /// A leader stepped down: a higher term or ballot, or too few followers heard (CheckQuorum).
    LeaderDeposed,
    /// A learner caught up and became a voter.
    LearnerPromoted,
    /// A follower too far behind installed the leader's snapshot.
    SnapshotInstalled,
    /// A leader holds entries of an earlier term on a majority that it may not commit by
    /// counting replicas: they commit with the first entry of its own term (Raft's Figure 8,
    /// §5.4.2).
    OlderTermWaits,
    /// Two proposers keep preempting each other's ballots, so neither gets a value chosen
    /// (Multi-Paxos without a stable leader; "Paxos Made Simple" §2.4's progress caveat).
    DuellingBallots,
    /// A leader's read lease ran out (no majority acknowledged it in time): lease reads wait
    /// for a heartbeat round (Raft dissertation §6.4).
    LeaseExpired,
    /// A fault was injected: a crash, a cut, a pause, a drifting clock, lost messages.
    Fault,
    /// A fault was undone: a restart, a healed link, a resumed process.
    Repair,
    /// A safety invariant broke.
    SafetyViolation,
    /// A calm cluster did not make progress in time.
    LivenessMissed,
}

/// The turns in leadership the engine counts (elections started and won, recovery after a
/// leader crash), whatever the protocol calls them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Milestone {
    /// The server started an election (Raft) or phase 1 (Multi-Paxos).
    ElectionStarted,
    /// The server became leader.
    BecameLeader,
    /// The leader committed a configuration entry: who is in the cluster changed for good, so
    /// the operator's tools (the load balancer) follow it.
    ConfigurationCommitted,
}

/// A handler's window on the world: messages of type `M`, timers of type `T`, configuration `C`
/// (a small value of references, copied into each context), reports of type `R` and reasons for
/// sending of type `W`.
pub struct Ctx<'a, M, T, C, R = Milestone, W = ()> {
    /// The current virtual time.
    pub now: Time,
    /// The server running the handler.
    pub me: NodeId,
    /// The actor's own clock reading, µs (see [`Ctx::local_now`]).
    local_now: Time,
    /// What the actor may read of the configuration.
    pub config: C,
    rng: &'a mut Rng,
    effects: &'a mut Vec<Effect<M, T, R, W>>,
}

impl<'a, M, T, C, R, W> Ctx<'a, M, T, C, R, W> {
    /// A context for one handler invocation.
    pub fn new(
        now: Time,
        me: NodeId,
        local_now: Time,
        config: C,
        rng: &'a mut Rng,
        effects: &'a mut Vec<Effect<M, T, R, W>>,
    ) -> Self {
        Ctx {
            now,
            me,
            local_now,
            config,
            rng,
            effects,
        }
    }

    /// Sends a message (the network decides its fate), saying why.
    pub fn send_because(&mut self, to: Addr, payload: M, why: W) {
        self.effects.push(Effect::Send { to, payload, why });
    }

    /// Starts or restarts a timer.
    pub fn set_timer(&mut self, kind: T, after: Time) {
        self.effects.push(Effect::SetTimer { kind, after });
    }

    /// Stops a timer.
    pub fn cancel_timer(&mut self, kind: T) {
        self.effects.push(Effect::CancelTimer(kind));
    }

    /// Adds a plain-language line to the event feed.
    pub fn note(&mut self, text: impl Into<String>) {
        self.effects
            .push(Effect::Note(FeedEvent::Remark, text.into()));
    }

    /// Adds a line to the event feed that the page may pick out by what it is about.
    pub fn announce(&mut self, event: FeedEvent, text: impl Into<String>) {
        self.effects.push(Effect::Note(event, text.into()));
    }

    /// Hands the engine something to collect.
    pub fn report(&mut self, report: R) {
        self.effects.push(Effect::Report(report));
    }

    /// This actor's own clock, µs: true time scaled by its clock rate. Servers measure timeouts
    /// and leases with it; a drifting clock makes lease reads unsafe.
    pub fn local_now(&self) -> Time {
        self.local_now
    }

    /// A uniform random duration in `[lo, hi]`, from the simulation's seeded stream.
    pub fn random_between(&mut self, lo: Time, hi: Time) -> Time {
        self.rng.range_inclusive(lo, hi)
    }

    /// The simulation's seeded random stream, for draws other than durations.
    pub fn rng(&mut self) -> &mut Rng {
        self.rng
    }
}

impl<M, T, C, R> Ctx<'_, M, T, C, R, ()> {
    /// Sends a message (the network decides its fate), for an actor that gives no reasons.
    pub fn send(&mut self, to: Addr, payload: M) {
        self.send_because(to, payload, ());
    }
}

impl<M, T, C, W> Ctx<'_, M, T, C, Milestone, W> {
    /// Tells the engine about a turn in leadership.
    pub fn milestone(&mut self, milestone: Milestone) {
        self.report(milestone);
    }
}
