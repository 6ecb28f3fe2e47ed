//! The vectors every actor's handler records its effects in, in that actor's own types, before
//! the engine turns them into its [`Effect`](crate::server::Effect)s and carries them out. The
//! engine keeps them between handler calls, so recording effects allocates nothing: a fresh
//! vector per call was a tenth of a run's allocations, and in the browser every allocation
//! costs. Each is emptied after every call, so a copy of the engine starts with empty ones.

use std::convert::Infallible;

use quorum_core::actor::{Effect, Milestone};
use quorum_paxos::PaxosNode;
use quorum_raft::RaftNode;
use quorum_service::{Protocol, ServerWhy, TimerKind, Traffic, Wire};
use quorum_traffic::client::HistoryOp;
use quorum_traffic::WakeUp;

/// A protocol's own effects, before they are turned into the engine's.
pub(crate) type ProtocolEffect<N> =
    Effect<Wire<<N as Protocol>::Peer>, TimerKind, Milestone, ServerWhy<<N as Protocol>::Why>>;

/// One buffer per kind of actor.
#[derive(Debug, Default)]
pub struct EffectBuffers {
    /// A Raft server's.
    pub(crate) raft: Vec<ProtocolEffect<RaftNode>>,
    /// A Multi-Paxos server's.
    pub(crate) paxos: Vec<ProtocolEffect<PaxosNode>>,
    /// A client's.
    pub(crate) client: Vec<Effect<Traffic, WakeUp, HistoryOp>>,
    /// The load balancer's.
    pub(crate) balancer: Vec<Effect<Traffic, WakeUp, Infallible>>,
}

impl Clone for EffectBuffers {
    /// Always empty between calls: a copy (a checkpoint of the engine) needs only its own.
    fn clone(&self) -> Self {
        Self::default()
    }
}
