//! Quorum Lab: a whole distributed system — Raft or Multi-Paxos servers, a replicated key-value
//! store and the clients that use it — simulated deterministically so that it can be watched,
//! broken and replayed in a browser tab.
//!
//! Everything outside [`ui`] is pure Rust: no wall clock, no unseeded randomness, no browser
//! crates. It compiles and is tested natively; the page only renders what the core reports and
//! dispatches what the user does.

pub mod balancer;
pub mod check;
pub mod client;
pub mod error;
pub mod form;
pub mod kv;
pub mod layout;
pub mod paxos;
pub mod playback;
pub mod raft;
pub mod scenario;
pub mod service;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;

/// The crate version, shown in the page footer and in bug reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
