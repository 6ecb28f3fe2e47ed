//! One server of either protocol and the world it sees — a configuration, a random stream, a
//! clock — for tests that drive a single node with messages and timers and read the effects it
//! records (the raft-rs paper-test style).
#![allow(dead_code)]

use quorum_lab::sim::message::{Addr, Payload};
use quorum_lab::sim::node::{Ctx, Effect, Protocol, TimerKind};
use quorum_lab::sim::rng::Rng;
use quorum_lab::sim::time::Time;
use quorum_lab::sim::{ClusterConfig, NodeId};

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

impl<N: Protocol> One<N> {
    /// Server `id` with state `node`, booted at `now`.
    pub fn booted(id: NodeId, node: N, config: ClusterConfig, seed: u64, now: Time) -> Self {
        let mut one = One {
            id,
            node,
            config,
            rng: Rng::new(seed),
            now,
        };
        one.run(|n, ctx| n.boot(ctx));
        one
    }

    /// Runs `f` as a handler and returns the effects it recorded.
    pub fn run(&mut self, f: impl FnOnce(&mut N, &mut Ctx<'_>)) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut ctx = Ctx::new(
            self.now,
            self.id,
            self.now,
            &self.config,
            &mut self.rng,
            &mut effects,
        );
        f(&mut self.node, &mut ctx);
        effects
    }

    /// Delivers `payload` from server `from`.
    pub fn deliver(&mut self, from: NodeId, payload: Payload) -> Vec<Effect> {
        self.run(|n, ctx| n.on_message(ctx, Addr::Server(from), payload))
    }

    /// Fires a timer.
    pub fn timer(&mut self, kind: TimerKind) -> Vec<Effect> {
        self.run(|n, ctx| n.on_timer(ctx, kind))
    }

    /// Lets `d` of time pass.
    pub fn later(&mut self, d: Time) {
        self.now += d;
    }
}
