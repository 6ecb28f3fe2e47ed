//! The protocol a server runs, as the engine holds it: Raft or Multi-Paxos behind one type, so
//! the engine, the checks and the view drive either without knowing which (a closed enum rather
//! than a trait object: cheap to clone for checkpoints, and exhaustive where the two differ).

use super::message::{Addr, Payload};
use crate::config::{ClusterConfig, ProtocolKind};
use crate::why::Cause;
use quorum_core::actor::Milestone;
use quorum_core::rng::Rng;
use quorum_core::{NodeId, Time};
use quorum_paxos::PaxosNode;
use quorum_raft::{Membership, MembershipChange, RaftNode};
use quorum_service::kv::KvStore;
use quorum_service::{Protocol, Replica, Role, ServerConfig, ServerCtx, ServerWhy, TimerKind};
use quorum_traffic::client::HistoryOp;

/// The timers any actor sets, as the engine keeps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A server's election or heartbeat timer.
    Server(TimerKind),
    /// A client's or the balancer's wake-up.
    Wake,
}

/// What actors hand the engine to collect.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// A server's turn in leadership.
    Milestone(Milestone),
    /// A client's finished (or abandoned) operation, for the history.
    Operation(HistoryOp),
}

/// What any actor's handler asked for, in the engine's types: every actor — server, client,
/// balancer — follows the one contract of `quorum_core::actor`, and its effects are turned into
/// these and carried out by one path.
pub type Effect = quorum_core::actor::Effect<Payload, Timer, Report, Cause>;

/// Something that happens to a server, handed to its protocol.
#[derive(Clone, Debug)]
pub enum ServerEvent {
    /// It starts, or restarts after a crash.
    Boot,
    /// A message arrived.
    Message {
        /// Sender.
        from: Addr,
        /// Contents.
        payload: Payload,
    },
    /// One of its timers fired.
    Timer(TimerKind),
    /// An operator asks this (Raft) leader to change the membership.
    ProposeMembership(MembershipChange),
}

/// The world around one handler call: the instant, the server's own clock, the configuration
/// and the seeded random stream.
pub struct HandlerEnv<'a> {
    /// The current virtual time.
    pub now: Time,
    /// The server's own clock reading.
    pub local_now: Time,
    /// The cluster's configuration.
    pub config: &'a ClusterConfig,
    /// The simulation's random stream.
    pub rng: &'a mut Rng,
    /// Where the protocol records its effects, kept by the engine between calls.
    pub buffers: &'a mut crate::buffers::EffectBuffers,
}

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
}

impl ServerNode {
    /// Hands `event` to the server's protocol with a context of its own types and appends what
    /// it asked for to `out`, its messages joined into the network's type. The answer is a
    /// membership proposal's outcome (Ok for every other event).
    pub fn handle(
        &mut self,
        env: HandlerEnv<'_>,
        event: ServerEvent,
        out: &mut Vec<Effect>,
    ) -> Result<(), String> {
        let HandlerEnv {
            now,
            local_now,
            config,
            rng,
            buffers,
        } = env;
        let clock = (now, local_now);
        match self {
            ServerNode::Raft(node) => {
                let options = &config.raft;
                let effects = &mut buffers.raft;
                let mut ctx = server_ctx(node.id(), clock, config, options, effects, rng);
                let outcome = match event {
                    ServerEvent::ProposeMembership(change) => {
                        node.propose_membership(&mut ctx, change)
                    }
                    other => {
                        deliver(node, &mut ctx, other, |p| match p {
                            Payload::Raft(m) => Some(m),
                            _ => None,
                        });
                        Ok(())
                    }
                };
                out.extend(effects.drain(..).map(joined));
                outcome
            }
            ServerNode::Paxos(node) => {
                let options = &config.paxos;
                let effects = &mut buffers.paxos;
                let mut ctx = server_ctx(node.id(), clock, config, options, effects, rng);
                deliver(node, &mut ctx, event, |p| match p {
                    Payload::Paxos(m) => Some(m),
                    _ => None,
                });
                out.extend(effects.drain(..).map(joined));
                Ok(())
            }
        }
    }

    /// Forgets everything that is not persistent: the server crashed.
    pub fn crash(&mut self) {
        each!(self, n => n.crash())
    }
}

/// A protocol's effect in the engine's types.
fn joined<P, W>(
    effect: quorum_core::actor::Effect<quorum_service::Wire<P>, TimerKind, Milestone, ServerWhy<W>>,
) -> Effect
where
    Payload: From<quorum_service::Wire<P>>,
    Cause: From<ServerWhy<W>>,
{
    effect.map(Payload::from, Timer::Server, Report::Milestone, Cause::from)
}

/// A protocol's context for one handler call.
fn server_ctx<'a, P, O, W>(
    me: NodeId,
    (now, local_now): (Time, Time),
    cluster: &'a ClusterConfig,
    options: &'a O,
    effects: &'a mut Vec<
        quorum_core::actor::Effect<quorum_service::Wire<P>, TimerKind, Milestone, ServerWhy<W>>,
    >,
    rng: &'a mut Rng,
) -> ServerCtx<'a, P, O, W> {
    let config = ServerConfig {
        timing: &cluster.timing,
        servers: cluster.servers,
        options,
    };
    ServerCtx::new(now, me, local_now, config, rng, effects)
}

/// Runs a boot, a message (of this protocol; another protocol's is ignored) or a timer.
fn deliver<N: Protocol>(
    node: &mut N,
    ctx: &mut ServerCtx<'_, N::Peer, N::Options, N::Why>,
    event: ServerEvent,
    peer: impl FnOnce(Payload) -> Option<N::Peer>,
) {
    match event {
        ServerEvent::Boot => node.boot(ctx),
        ServerEvent::Message { from, payload } => {
            if let Some(wire) = payload.into_wire(peer) {
                node.on_message(ctx, from, wire);
            }
        }
        ServerEvent::Timer(kind) => node.on_timer(ctx, kind),
        ServerEvent::ProposeMembership(_) => {}
    }
}
