//! One server of either protocol and the world it sees — a configuration, a random stream, a
//! clock — for tests that drive a single node with messages and timers and read the effects it
//! records (the raft-rs paper-test style).
#![allow(dead_code)]

use quorum_cluster::ClusterConfig;
use quorum_core::actor::Milestone;
use quorum_core::rng::Rng;
use quorum_core::time::Time;
use quorum_core::{Addr, NodeId};
use quorum_paxos::PaxosNode;
use quorum_raft::RaftNode;
use quorum_service::{Protocol, ServerConfig, ServerCtx, ServerWhy, TimerKind, Wire};

/// What a handler of protocol `N` records.
pub type EffectOf<N> = quorum_core::actor::Effect<
    Wire<<N as Protocol>::Peer>,
    TimerKind,
    Milestone,
    ServerWhy<<N as Protocol>::Why>,
>;

/// A protocol whose switches a cluster configuration holds.
pub trait Configured: Protocol {
    /// This protocol's switches in `config`.
    fn options(config: &ClusterConfig) -> &Self::Options;
}

impl Configured for RaftNode {
    fn options(config: &ClusterConfig) -> &Self::Options {
        &config.raft
    }
}

impl Configured for PaxosNode {
    fn options(config: &ClusterConfig) -> &Self::Options {
        &config.paxos
    }
}

/// One server, driven by hand.
pub struct One<N> {
    /// The server.
    pub id: NodeId,
    /// Its state.
    pub node: N,
    /// The cluster's configuration it reads.
    pub config: ClusterConfig,
    /// The random stream its context draws from.
    pub rng: Rng,
    /// The current instant (its clock runs at true time).
    pub now: Time,
}

impl<N: Configured> One<N> {
    /// Server `id` with state `node`, booted at `now`.
    pub fn booted(id: NodeId, node: N, config: ClusterConfig, seed: u64, now: Time) -> Self {
        let mut one = Self::new_unbooted(id, node, config, seed);
        one.now = now;
        one.run(|n, ctx| n.boot(ctx));
        one
    }

    /// Server `id` with state `node`, not started yet (the caller boots it and keeps what the
    /// boot asked for).
    pub fn new_unbooted(id: NodeId, node: N, config: ClusterConfig, seed: u64) -> Self {
        One {
            id,
            node,
            config,
            rng: Rng::new(seed),
            now: 0,
        }
    }

    /// Runs `f` as a handler and returns the effects it recorded.
    pub fn run(
        &mut self,
        f: impl FnOnce(&mut N, &mut ServerCtx<'_, N::Peer, N::Options, N::Why>),
    ) -> Vec<EffectOf<N>> {
        let mut effects = Vec::new();
        let config = ServerConfig {
            timing: &self.config.timing,
            servers: self.config.servers,
            options: N::options(&self.config),
        };
        let mut ctx = ServerCtx::new(
            self.now,
            self.id,
            self.now,
            config,
            &mut self.rng,
            &mut effects,
        );
        f(&mut self.node, &mut ctx);
        effects
    }

    /// Delivers `payload` from server `from`.
    pub fn deliver(&mut self, from: NodeId, payload: Wire<N::Peer>) -> Vec<EffectOf<N>> {
        self.run(|n, ctx| n.on_message(ctx, Addr::Server(from), payload))
    }

    /// Fires a timer.
    pub fn timer(&mut self, kind: TimerKind) -> Vec<EffectOf<N>> {
        self.run(|n, ctx| n.on_timer(ctx, kind))
    }

    /// Lets `d` of time pass.
    pub fn later(&mut self, d: Time) {
        self.now += d;
    }
}

/// The peer messages among `effects`, with the servers they go to.
pub fn sent<P: Clone, W: Clone>(
    effects: &[quorum_core::actor::Effect<Wire<P>, TimerKind, Milestone, W>],
) -> Vec<(NodeId, P)> {
    sent_because(effects)
        .into_iter()
        .map(|(n, m, _)| (n, m))
        .collect()
}

/// The peer messages among `effects`, with the servers they go to and why they were sent.
pub fn sent_because<P: Clone, W: Clone>(
    effects: &[quorum_core::actor::Effect<Wire<P>, TimerKind, Milestone, W>],
) -> Vec<(NodeId, P, W)> {
    effects
        .iter()
        .filter_map(|e| match e {
            quorum_core::actor::Effect::Send {
                to: Addr::Server(n),
                payload: Wire::Peer(m),
                why,
            } => Some((*n, m.clone(), why.clone())),
            _ => None,
        })
        .collect()
}

/// The texts of the feed lines of kind `event` among `effects`, in order.
pub fn notes<P, W>(
    effects: &[quorum_core::actor::Effect<Wire<P>, TimerKind, Milestone, W>],
    event: quorum_core::actor::FeedEvent,
) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            quorum_core::actor::Effect::Note(ev, text) if *ev == event => Some(text.clone()),
            _ => None,
        })
        .collect()
}
