//! Load balancing: how a request for a replicated store picks a server. The strategies here are
//! pure decision logic over the balancer's view of its backends (health, weights, requests in
//! flight, observed latency, the leader it has heard of), so they are tested on their own; the
//! simulation's balancer actor feeds them what it observes.

mod actor;
mod hashring;
mod strategy;

pub use actor::{BackendStats, BalancerActor, BalancerConfig, BalancerCtx};
pub use hashring::HashRing;
pub use strategy::{Backend, Balancer, Strategy};
