//! The simulated cluster: the engine that runs servers of either protocol, the clients and the
//! load balancer on the network model, the actions a person or a scenario takes, the timeline
//! that replays them, the view model the page draws, and every safety and liveness check run
//! after every event. It wires the crates below it together and adds no protocol of its own.

pub mod action;
pub mod buffers;
pub mod check;
pub mod config;
pub mod engine;
pub mod inflight;
pub mod message;
pub mod metrics;
pub mod provenance;
pub mod server;
pub mod timeline;
pub mod trace;
pub mod view;
pub mod why;

pub use action::Action;
pub use config::{server_label, ClusterConfig, NodeId};
pub use engine::Sim;
pub use quorum_core::time::{self, Time};
pub use view::View;
