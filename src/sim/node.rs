//! The contract between the engine and a protocol. A server's handlers get `&mut` their own state
//! and a [`Ctx`]; they never see the network, other servers or the clock except through it. They
//! record what they want done — sends, timers, notes for the feed — and the engine carries it out
//! after the handler returns (effects as data, as in Stateright's `Out`).

use serde::{Deserialize, Serialize};

use super::config::ClusterConfig;
use super::message::{Addr, ClientReply, Payload, ReplyOutcome};
use super::rng::Rng;
use super::time::Time;
use super::NodeId;

/// The timers a server can set; setting one again replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// Follower/candidate: no word from a leader for too long, start an election.
    Election,
    /// Leader: time to send AppendEntries to everyone.
    Heartbeat,
}

impl TimerKind {
    /// Every kind, in order.
    pub const ALL: [TimerKind; 2] = [TimerKind::Election, TimerKind::Heartbeat];

    /// Position in [`TimerKind::ALL`], for fixed-size per-kind tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name people see.
    pub fn label(&self) -> &'static str {
        match self {
            TimerKind::Election => "election",
            TimerKind::Heartbeat => "heartbeat",
        }
    }
}

/// Something a handler asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Send a message.
    Send {
        /// Receiver.
        to: Addr,
        /// Contents.
        payload: Payload,
    },
    /// Start (or restart) a timer that fires after `after` µs of the server's own clock.
    SetTimer {
        /// Which timer.
        kind: TimerKind,
        /// Delay.
        after: Time,
    },
    /// Stop a timer.
    CancelTimer(TimerKind),
    /// A line for the event feed, in plain language.
    Note(String),
    /// A turn in leadership, counted by the engine.
    Milestone(Milestone),
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

/// A handler's window on the world.
pub struct Ctx<'a> {
    /// The current virtual time.
    pub now: Time,
    /// The server running the handler.
    pub me: NodeId,
    /// The server's own clock reading, µs (see [`Ctx::local_now`]).
    local_now: Time,
    /// The cluster's configuration (timing, options).
    pub config: &'a ClusterConfig,
    rng: &'a mut Rng,
    effects: &'a mut Vec<Effect>,
}

impl<'a> Ctx<'a> {
    /// A context for one handler invocation.
    pub fn new(
        now: Time,
        me: NodeId,
        local_now: Time,
        config: &'a ClusterConfig,
        rng: &'a mut Rng,
        effects: &'a mut Vec<Effect>,
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

    /// Every server of the cluster, in id order.
    pub fn servers(&self) -> impl Iterator<Item = NodeId> {
        self.config.server_ids()
    }

    /// Every server except this one.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + '_ {
        let me = self.me;
        self.config.server_ids().filter(move |n| *n != me)
    }

    /// Sends a message (the network decides its fate).
    pub fn send(&mut self, to: Addr, payload: Payload) {
        self.effects.push(Effect::Send { to, payload });
    }

    /// Answers the client request named by `session` and `seq` (every protocol answers clients
    /// the same way, so the reply is built here once).
    pub fn reply_to_client(&mut self, to: Addr, session: u64, seq: u64, outcome: ReplyOutcome) {
        self.send(
            to,
            Payload::Reply(ClientReply {
                session,
                seq,
                outcome,
            }),
        );
    }

    /// Starts or restarts a timer.
    pub fn set_timer(&mut self, kind: TimerKind, after: Time) {
        self.effects.push(Effect::SetTimer { kind, after });
    }

    /// Stops a timer.
    pub fn cancel_timer(&mut self, kind: TimerKind) {
        self.effects.push(Effect::CancelTimer(kind));
    }

    /// Adds a plain-language line to the event feed.
    pub fn note(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Note(text.into()));
    }

    /// Tells the engine about a turn in leadership.
    pub fn milestone(&mut self, milestone: Milestone) {
        self.effects.push(Effect::Milestone(milestone));
    }

    /// This server's own clock, µs: true time scaled by its clock rate. Servers measure timeouts
    /// and leases with it; a drifting clock makes lease reads unsafe.
    pub fn local_now(&self) -> Time {
        self.local_now
    }

    /// (Re)starts the election timer with a random timeout from the configured range (§5.2's
    /// randomized timeouts; both protocols use the same rule).
    pub fn restart_election_timer(&mut self) {
        let t = &self.config.timing;
        let (lo, hi) = (t.election_min(), t.election_max());
        let after = self.random_between(lo, hi);
        self.set_timer(TimerKind::Election, after);
    }

    /// A uniform random duration in `[lo, hi]`, from the simulation's seeded stream.
    pub fn random_between(&mut self, lo: Time, hi: Time) -> Time {
        self.rng.range_inclusive(lo, hi)
    }
}

/// The role a server plays, as the view and the checks see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Follows a leader (or waits for one).
    Follower,
    /// Asking whether it could win an election, before raising its term (PreVote).
    PreCandidate,
    /// Asking for votes.
    Candidate,
    /// Leads its term.
    Leader,
}

impl Role {
    /// The name people see.
    pub fn label(&self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// What every replica exposes so the safety checks can watch it without knowing the protocol.
/// Log indexes are 1-based; index 0 is the empty prefix.
pub trait Replica {
    /// Current term (or ballot round).
    fn term(&self) -> u64;
    /// Current role.
    fn role(&self) -> Role;
    /// Highest index known committed.
    fn commit_index(&self) -> u64;
    /// Highest index applied to the key-value store.
    fn applied_index(&self) -> u64;
    /// Index of the last log entry.
    fn last_index(&self) -> u64;
    /// Term of the entry at `index`, if present.
    fn entry_term(&self, index: u64) -> Option<u64>;
    /// Digest of the log prefix ending at `index` (entries 1..=index), if present.
    fn prefix_digest(&self, index: u64) -> Option<u64>;
    /// Lowest log index changed since the last call (appended, overwritten or removed), if any.
    fn take_log_changes(&mut self) -> Option<u64>;
    /// Digest of the key-value contents.
    fn kv_digest(&self) -> u64;
    /// Last index covered by a snapshot: entries up to it are compacted, only their prefix
    /// digest at this index remains (0: never compacted).
    fn log_start(&self) -> u64;
    /// The latest snapshot, as (index, digest of its key-value state).
    fn snapshot_state(&self) -> Option<(u64, u64)>;
    /// How many configuration entries the log holds after `index`.
    fn config_entries_after(&self, index: u64) -> usize;
}

/// A server protocol the engine can run. Raft (and later Multi-Paxos) implement it.
pub trait Protocol: Replica {
    /// Called when the server starts, and again when it restarts after a crash (its volatile
    /// state already reset by [`Protocol::crash`]): set the first timers here.
    fn boot(&mut self, ctx: &mut Ctx<'_>);
    /// A message arrived.
    fn on_message(&mut self, ctx: &mut Ctx<'_>, from: Addr, payload: Payload);
    /// A timer fired.
    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerKind);
    /// The server crashed: forget everything that is not persistent.
    fn crash(&mut self);
}
