//! Everything in front of the servers: the clients (their workloads, their retries and the
//! history the linearizability checker reads) and the load balancer that spreads their requests
//! over the servers. Written against the client-facing service only, so it serves Raft and
//! Multi-Paxos alike.

pub mod balancer;
pub mod client;

/// The one timer clients and the balancer set: wake me then (setting it again replaces it).
/// What to do on waking is the actor's own state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WakeUp;
