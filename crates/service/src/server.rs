//! The contract between the cluster and a server protocol: the timers a server sets, the role it
//! plays, what the checks may read of any replica ([`Replica`]), the handlers the engine calls
//! ([`Protocol`]) and the context they get ([`ServerCtx`]), with the timing and the read modes
//! every leader-based protocol here shares.

use serde::{Deserialize, Serialize};

use crate::why::{ServerWhy, ServiceWhy};
use crate::wire::{ClientReply, ReplyOutcome, Wire};
use quorum_core::actor::{Ctx, Milestone};
use quorum_core::error::FieldError;
use quorum_core::time::{Time, MS};
use quorum_core::{Addr, NodeId};

/// Timer settings shared by every server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timing {
    /// Shortest election timeout, ms.
    pub election_timeout_min_ms: u64,
    /// Longest election timeout, ms; each timeout is drawn uniformly from the range.
    pub election_timeout_max_ms: u64,
    /// How often a leader sends AppendEntries when it has nothing new, ms.
    pub heartbeat_interval_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            election_timeout_min_ms: 150,
            election_timeout_max_ms: 300,
            heartbeat_interval_ms: 50,
        }
    }
}

impl Timing {
    /// Shortest election timeout in virtual µs.
    pub fn election_min(&self) -> Time {
        self.election_timeout_min_ms * MS
    }

    /// Longest election timeout in virtual µs.
    pub fn election_max(&self) -> Time {
        self.election_timeout_max_ms * MS
    }

    /// Heartbeat interval in virtual µs.
    pub fn heartbeat(&self) -> Time {
        self.heartbeat_interval_ms * MS
    }

    /// Checks the ranges make sense; names the offending field otherwise.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        if self.election_timeout_min_ms == 0 {
            return Err(FieldError::new(
                format!("{path}.election_timeout_min_ms"),
                "must be greater than zero",
            ));
        }
        if self.election_timeout_max_ms < self.election_timeout_min_ms {
            return Err(FieldError::new(
                format!("{path}.election_timeout_max_ms"),
                "must not be below election_timeout_min_ms",
            ));
        }
        if self.heartbeat_interval_ms == 0 {
            return Err(FieldError::new(
                format!("{path}.heartbeat_interval_ms"),
                "must be greater than zero",
            ));
        }
        if self.heartbeat_interval_ms >= self.election_timeout_min_ms {
            return Err(FieldError::new(
                format!("{path}.heartbeat_interval_ms"),
                "must be shorter than election_timeout_min_ms, or followers time out between heartbeats",
            ));
        }
        Ok(())
    }
}

/// How a leader serves reads (Raft dissertation §6.4; the same three ways under Multi-Paxos).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// Reads are log entries like writes: simple, slow, linearizable.
    Log,
    /// The leader notes its commit index, confirms it still leads with a heartbeat round, waits
    /// until that index is applied and answers from its state (§6.4).
    #[default]
    ReadIndex,
    /// The leader answers at once while its lease holds: a majority acknowledged it less than an
    /// election timeout ago *by its own clock* (§6.4.1). Correct only if clocks run at the same
    /// rate — give a server a drifting clock (`clock_rates`) to see a stale read.
    Lease,
}

impl ReadMode {
    /// The name people see.
    pub fn label(&self) -> &'static str {
        match self {
            ReadMode::Log => "through the log",
            ReadMode::ReadIndex => "ReadIndex",
            ReadMode::Lease => "lease",
        }
    }
}

/// The timers a server can set; setting one again replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// Follower/candidate: no word from a leader for too long, start an election.
    Election,
    /// Leader: time to tell every follower it still leads (and send what they miss).
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

/// What a server's handler may read of the cluster's configuration: the shared timing, the
/// number of servers the cluster started with and its protocol's own switches `O`.
#[derive(Debug)]
pub struct ServerConfig<'a, O> {
    /// Timer settings.
    pub timing: &'a Timing,
    /// Servers the cluster started with (`S1`…`Sn`).
    pub servers: usize,
    /// The protocol's switches.
    pub options: &'a O,
}

impl<O> Clone for ServerConfig<'_, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for ServerConfig<'_, O> {}

impl<O> ServerConfig<'_, O> {
    /// The ids of the servers the cluster started with, in order.
    pub fn server_ids(&self) -> impl Iterator<Item = NodeId> {
        1..=self.servers as NodeId
    }
}

/// The context a server of a protocol with peer messages `P`, switches `O` and reasons for
/// sending `W` handles an event in.
pub type ServerCtx<'a, P, O, W> =
    Ctx<'a, Wire<P>, TimerKind, ServerConfig<'a, O>, Milestone, ServerWhy<W>>;

/// What every server does the same way, whatever its protocol: answer a client, restart its
/// election timer, list its peers.
pub trait ServerContext {
    /// Every server the cluster started with, in id order.
    fn servers(&self) -> impl Iterator<Item = NodeId>;
    /// Every server the cluster started with except this one.
    fn peers(&self) -> impl Iterator<Item = NodeId>;
    /// Answers the client request named by `session` and `seq` (every protocol answers clients
    /// the same way, so the reply is built here once).
    fn reply_to_client(
        &mut self,
        to: Addr,
        session: u64,
        seq: u64,
        outcome: ReplyOutcome,
        why: ServiceWhy,
    );
    /// (Re)starts the election timer with a random timeout from the configured range (§5.2's
    /// randomized timeouts; both protocols use the same rule).
    fn restart_election_timer(&mut self);
}

impl<P, O, W> ServerContext for ServerCtx<'_, P, O, W> {
    fn servers(&self) -> impl Iterator<Item = NodeId> {
        self.config.server_ids()
    }

    fn peers(&self) -> impl Iterator<Item = NodeId> {
        let me = self.me;
        self.config.server_ids().filter(move |n| *n != me)
    }

    fn reply_to_client(
        &mut self,
        to: Addr,
        session: u64,
        seq: u64,
        outcome: ReplyOutcome,
        why: ServiceWhy,
    ) {
        self.send_because(
            to,
            Wire::Reply(ClientReply {
                session,
                seq,
                outcome,
            }),
            ServerWhy::Service(why),
        );
    }

    fn restart_election_timer(&mut self) {
        let t = self.config.timing;
        let (lo, hi) = (t.election_min(), t.election_max());
        let after = self.random_between(lo, hi);
        self.set_timer(TimerKind::Election, after);
    }
}

/// The stage of leadership a server is in, as the view and the checks see it. Every
/// leader-based protocol passes through the same four; each names them in its own words
/// ([`Role::label`] gives Raft's, the cluster's view gives Multi-Paxos' "probing" and "preparing").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Follows a leader (or waits for one).
    Follower,
    /// Asks whether it could take over, before raising its term or ballot (Raft's PreVote,
    /// Multi-Paxos' probe).
    PreCandidate,
    /// Tries to take over: asks for votes (Raft) or runs phase 1 (Multi-Paxos' prepare).
    Candidate,
    /// Leads its term or ballot.
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
}

/// What a replica that takes snapshots and changes its membership through its log (Raft)
/// exposes beyond [`Replica`], for the checks of those two features.
pub trait Reconfigurable {
    /// The latest snapshot, as (index, digest of its key-value state).
    fn snapshot_state(&self) -> Option<(u64, u64)>;
    /// How many configuration entries the log holds after `index`.
    fn config_entries_after(&self, index: u64) -> usize;
}

/// A server protocol the engine can run. Raft and Multi-Paxos implement it.
pub trait Protocol: Replica {
    /// What the servers of this protocol say to each other.
    type Peer;
    /// The protocol's switches, read through the context.
    type Options;
    /// The protocol's reasons for sending (see [`ServerWhy`]).
    type Why;
    /// Called when the server starts, and again when it restarts after a crash (its volatile
    /// state already reset by [`Protocol::crash`]): set the first timers here.
    fn boot(&mut self, ctx: &mut ServerCtx<'_, Self::Peer, Self::Options, Self::Why>);
    /// A message arrived.
    fn on_message(
        &mut self,
        ctx: &mut ServerCtx<'_, Self::Peer, Self::Options, Self::Why>,
        from: Addr,
        payload: Wire<Self::Peer>,
    );
    /// A timer fired.
    fn on_timer(
        &mut self,
        ctx: &mut ServerCtx<'_, Self::Peer, Self::Options, Self::Why>,
        timer: TimerKind,
    );
    /// The server crashed: forget everything that is not persistent.
    fn crash(&mut self);
}
