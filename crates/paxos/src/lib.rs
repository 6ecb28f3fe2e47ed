//! Multi-Paxos, after Lamport's "Paxos Made Simple": ballots ordered by (round, node), the
//! acceptor's promise/accept rules per slot, what a new proposer must re-propose, the tally that
//! decides when a value is chosen — each pure and tested on its own, and together in a randomized
//! duel of proposers (`tests/paxos_duel.rs`) — and the server built from them ([`PaxosNode`]):
//! a distinguished proposer that runs phase 1 once per leadership, phase 2 per slot, no-ops in
//! the gaps it finds, learning and catch-up, compaction of the slots every server has learned,
//! and clients served through the log.

mod acceptor;
mod ballot;
mod compaction;
mod leadership;
mod learner;
mod messages;
mod node;
mod options;
mod proposer;
mod reads;
mod recovery;
mod service;
mod tally;
pub mod why;

pub use acceptor::{AcceptReply, Accepted, Acceptor, PrepareReply};
pub use ballot::Ballot;
pub use compaction::{Snapshot, SNAPSHOT_EVERY};
pub use messages::{PaxosMsg, ReportedValue, SlotEntry, SlotValue};
pub use node::{PaxosNode, SlotState};
#[cfg(feature = "mutations")]
pub use options::Mutation;
pub use options::PaxosOptions;
pub use recovery::merge_promises;
pub use tally::{SlotTally, TallyOutcome};

/// The context a Multi-Paxos handler runs in: its messages and switches.
pub type Ctx<'a> = quorum_service::ServerCtx<'a, PaxosMsg, PaxosOptions, why::PaxosWhy>;
