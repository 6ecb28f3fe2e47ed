//! The protocol a server runs, as the engine holds it: Raft or Multi-Paxos behind one type, so
//! the engine, the checks and the view drive either without knowing which (a closed enum rather
//! than a trait object: cheap to clone for checkpoints, and exhaustive where the two differ).

use super::message::{Addr, Payload};
use super::node::{Ctx, Protocol, Replica, Role, TimerKind};
use super::NodeId;
use crate::kv::KvStore;
use crate::paxos::{PaxosFacts, PaxosNode};
use crate::raft::{Membership, RaftNode};
use crate::sim::config::ProtocolKind;

/// One server's protocol state.
#[derive(Clone, Debug)]
pub enum ServerNode {
    /// A Raft server.
    Raft(RaftNode),
    /// A Multi-Paxos server.
    Paxos(PaxosNode),
}

/// Runs the same expression on whichever protocol the server runs.
macro_rules! each {
    ($node:expr, $n:ident => $body:expr) => {
        match $node {
            ServerNode::Raft($n) => $body,
            ServerNode::Paxos($n) => $body,
        }
    };
}

impl ServerNode {
    /// A fresh server of `protocol` in a cluster that starts with `voters`.
    pub fn new(protocol: ProtocolKind, id: NodeId, voters: impl Iterator<Item = NodeId>) -> Self {
        match protocol {
            ProtocolKind::Raft => {
                ServerNode::Raft(RaftNode::new(id, Membership::of_voters(voters)))
            }
            ProtocolKind::MultiPaxos => ServerNode::Paxos(PaxosNode::new(id)),
        }
    }

    /// This server's id.
    pub fn id(&self) -> NodeId {
        each!(self, n => n.id())
    }

    /// The leader this server believes in (itself when it leads).
    pub fn leader(&self) -> Option<NodeId> {
        each!(self, n => n.leader())
    }

    /// The applied key-value state.
    pub fn kv(&self) -> &KvStore {
        each!(self, n => n.kv())
    }

    /// The Raft server, when this is one.
    pub fn as_raft(&self) -> Option<&RaftNode> {
        match self {
            ServerNode::Raft(n) => Some(n),
            ServerNode::Paxos(_) => None,
        }
    }

    /// The Raft server, mutably, when this is one.
    pub fn as_raft_mut(&mut self) -> Option<&mut RaftNode> {
        match self {
            ServerNode::Raft(n) => Some(n),
            ServerNode::Paxos(_) => None,
        }
    }

    /// The Multi-Paxos server, when this is one.
    pub fn as_paxos(&self) -> Option<&PaxosNode> {
        match self {
            ServerNode::Paxos(n) => Some(n),
            ServerNode::Raft(_) => None,
        }
    }

    /// Paxos activity since the last call, for the checks (None for Raft).
    pub fn take_paxos_facts(&mut self) -> Option<PaxosFacts> {
        match self {
            ServerNode::Paxos(n) => Some(n.take_facts()),
            ServerNode::Raft(_) => None,
        }
    }
}

impl Replica for ServerNode {
    fn term(&self) -> u64 {
        each!(self, n => n.term())
    }
    fn role(&self) -> Role {
        each!(self, n => n.role())
    }
    fn commit_index(&self) -> u64 {
        each!(self, n => n.commit_index())
    }
    fn applied_index(&self) -> u64 {
        each!(self, n => n.applied_index())
    }
    fn last_index(&self) -> u64 {
        each!(self, n => n.last_index())
    }
    fn entry_term(&self, index: u64) -> Option<u64> {
        each!(self, n => n.entry_term(index))
    }
    fn prefix_digest(&self, index: u64) -> Option<u64> {
        each!(self, n => n.prefix_digest(index))
    }
    fn take_log_changes(&mut self) -> Option<u64> {
        each!(self, n => n.take_log_changes())
    }
    fn kv_digest(&self) -> u64 {
        each!(self, n => n.kv_digest())
    }
    fn log_start(&self) -> u64 {
        each!(self, n => n.log_start())
    }
    fn snapshot_state(&self) -> Option<(u64, u64)> {
        each!(self, n => n.snapshot_state())
    }
    fn config_entries_after(&self, index: u64) -> usize {
        each!(self, n => n.config_entries_after(index))
    }
}

impl Protocol for ServerNode {
    fn boot(&mut self, ctx: &mut Ctx<'_>) {
        each!(self, n => n.boot(ctx))
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_>, from: Addr, payload: Payload) {
        each!(self, n => n.on_message(ctx, from, payload))
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerKind) {
        each!(self, n => n.on_timer(ctx, timer))
    }
    fn crash(&mut self) {
        each!(self, n => n.crash())
    }
}
