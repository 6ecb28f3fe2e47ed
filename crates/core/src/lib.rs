//! The floor every other crate stands on: virtual time, the seeded random stream, digests,
//! persistent vectors, the names of servers, clients and messages, the network model and the
//! actor contract. Nothing here knows a protocol, a key-value store or a page; that is what lets
//! Raft, Multi-Paxos, the clients and the balancer be written against it independently.

pub mod actor;
pub mod digest;
pub mod error;
pub mod ids;
pub mod network;
pub mod pvec;
pub mod rng;
pub mod small_map;
pub mod time;
pub mod window;

pub use error::FieldError;
pub use ids::{server_label, Addr, ClientId, MsgId, NodeId};
pub use time::Time;
