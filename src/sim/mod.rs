//! The simulation engine and its building blocks: virtual clock, seeded randomness, the network
//! model, the node contract (handlers record effects in a context), actions and the view model.

pub mod action;
pub mod config;
pub mod digest;
pub mod engine;
pub mod inflight;
pub mod message;
pub mod metrics;
pub mod network;
pub mod node;
pub mod pvec;
pub mod rng;
pub mod server;
pub mod time;
pub mod timeline;
pub mod view;

pub use action::Action;
pub use config::{server_label, ClusterConfig, NodeId};
pub use engine::Sim;
pub use time::Time;
pub use view::View;
