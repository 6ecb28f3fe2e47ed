//! The replicated key-value store: the state machine every server applies the agreed log to.
//! Keys are strings, values integers; operations are get, put, delete and compare-and-set.
//! Client sessions (client id + sequence number) make a retried request take effect exactly once.

mod command;
mod key;
mod store;

pub use command::{ClientCommand, KvOp, KvResult};
pub use key::Key;
pub use store::KvStore;
