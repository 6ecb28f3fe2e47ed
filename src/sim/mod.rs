//! The simulation engine: virtual clock, seeded randomness, configuration and (in later modules)
//! the event queue, the network model and the node slots.

pub mod config;
pub mod rng;
pub mod time;

pub use config::{server_label, ClusterConfig, NodeId};
pub use time::Time;
