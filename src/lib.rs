//! Quorum Lab: a whole distributed system — Raft or Multi-Paxos servers, a replicated key-value
//! store and the clients that use it — simulated deterministically so that it can be watched,
//! broken and replayed in a browser tab.
//!
//! This package is the page. The simulation lives in the crates under `crates/` (see
//! ARCHITECTURE.md), all pure Rust: no wall clock, no unseeded randomness, no browser crates.
//! Here, [`form`], [`layout`] and [`playback`] hold the page's own pure rules (tested natively)
//! and [`ui`] — compiled for the browser only — renders what the cluster reports and dispatches
//! what the user does.

pub mod check_service;
pub mod explain;
pub mod form;
pub mod layout;
pub mod lessons;
pub mod playback;
pub mod pseudocode;
pub mod spacetime;
pub mod step_diff;
#[cfg(test)]
mod test_runs;

#[cfg(target_arch = "wasm32")]
pub mod ui;

/// The crate version, shown in the page footer and in bug reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
