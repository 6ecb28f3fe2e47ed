//! Clients: the workload generator, the client actors that send requests and retry them, and the
//! history they record in the format external linearizability checkers read (DESIGN.md).

mod actor;
mod history;
mod log;
mod workload;

pub use actor::{ClientActor, ClientConfig, ClientCtx, Outstanding};
pub use history::{parse_history, HistoryOp, OpKind, Status};
pub use log::{CompactOp, HistoryLog};
pub use workload::{KeyDistribution, LoadMode, OpMix, WorkloadConfig};
