//! Why a message is on the network: the typed reason its sender gave (a protocol's rule with
//! the values it decided on, a rule every server follows, a client's or the balancer's routine,
//! or a person acting on the page), kept with the message so the page can explain it.

use serde::Serialize;

use quorum_paxos::why::PaxosWhy;
use quorum_raft::why::RaftWhy;
use quorum_service::{ServerWhy, ServiceWhy};

/// Why a message was sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "by", content = "reason", rename_all = "snake_case")]
pub enum Cause {
    /// A Raft rule.
    Raft(RaftWhy),
    /// A Multi-Paxos rule.
    Paxos(PaxosWhy),
    /// A rule every server follows (answering clients and health checks, forwarding).
    Service(ServiceWhy),
    /// A client's workload: its next operation, or a retry after a timeout or a redirect.
    Client,
    /// The load balancer: a client request routed by its strategy, a reply relayed, a health
    /// check.
    Balancer,
}

impl From<ServerWhy<RaftWhy>> for Cause {
    fn from(why: ServerWhy<RaftWhy>) -> Self {
        match why {
            ServerWhy::Service(s) => Cause::Service(s),
            ServerWhy::Protocol(r) => Cause::Raft(r),
        }
    }
}

impl From<ServerWhy<PaxosWhy>> for Cause {
    fn from(why: ServerWhy<PaxosWhy>) -> Self {
        match why {
            ServerWhy::Service(s) => Cause::Service(s),
            ServerWhy::Protocol(p) => Cause::Paxos(p),
        }
    }
}
