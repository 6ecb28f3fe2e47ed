//! Multi-Paxos building blocks, after Lamport's "Paxos Made Simple": ballots ordered by
//! (round, node), the acceptor's promise/accept rules per slot, what a new proposer must
//! re-propose, and the tally that decides when a value is chosen. Each piece is pure and tested on
//! its own, and together in a randomized duel of proposers (`tests/paxos_duel.rs`).

mod acceptor;
mod ballot;
mod recovery;
mod tally;

pub use acceptor::{AcceptReply, Accepted, Acceptor, PrepareReply};
pub use ballot::Ballot;
pub use recovery::merge_promises;
pub use tally::{SlotTally, TallyOutcome};
