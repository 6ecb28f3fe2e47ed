//! The view model: plain data describing the cluster at one instant, for the page to draw and for
//! tests and the JavaScript API to inspect. Built on demand from the engine; holds no references.

use serde::Serialize;

use crate::check::liveness::LivenessFailure;
use quorum_core::network::MessageFault;

use super::config::NetworkConfig;
use super::engine::{FeedEntry, LostMessage, Sim, Stats};
use super::message::{Addr, LossCause, MessageKind, MsgId, Payload};
use super::metrics::MetricPoint;
use super::server::ServerNode;
use crate::check::Violation;
use crate::config::ProtocolKind;
use quorum_core::time::Time;
use quorum_core::NodeId;
use quorum_service::server::{Role, TimerKind};
use quorum_traffic::balancer::Strategy;
use quorum_traffic::client::HistoryOp;

mod nodes;

pub use nodes::paxos_role_label;
use nodes::{fill_paxos, fill_raft};

/// One log entry as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryView {
    /// 1-based index.
    pub index: u64,
    /// Its term.
    pub term: u64,
    /// Short text: `no-op` or the operation.
    pub label: String,
    /// True for a leader's no-op entry.
    pub noop: bool,
    /// True for a configuration entry.
    pub config: bool,
    /// True when this server knows it is committed (Paxos: known chosen).
    pub committed: bool,
    /// Multi-Paxos: the ballot this server accepted the value in, e.g. `3.2` (none when it
    /// learned the value without accepting it).
    pub ballot: Option<String>,
}

/// A timer as drawn (the arc around a server).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimerView {
    /// Which timer.
    pub kind: TimerKind,
    /// When it was set.
    pub set_at: Time,
    /// When it fires.
    pub deadline: Time,
}

/// A leader's view of one follower's replication.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeerView {
    /// The follower.
    pub peer: NodeId,
    /// Next index the leader will send.
    pub next_index: u64,
    /// Highest index known replicated there.
    pub match_index: u64,
}

/// One server as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeView {
    /// Its id.
    pub id: NodeId,
    /// `S1`…
    pub label: String,
    /// Running or crashed.
    pub up: bool,
    /// Follower, candidate or leader.
    pub role: Role,
    /// The role as the protocol names it: Raft's `follower` / `candidate` / `leader`, Multi-Paxos'
    /// `acceptor` / `preparing` (phase 1) / `leader`.
    pub role_label: String,
    /// Current term.
    pub term: u64,
    /// Vote cast in the current term.
    pub voted_for: Option<NodeId>,
    /// Leader it believes in.
    pub leader: Option<NodeId>,
    /// Votes received as a Raft candidate; promises received while preparing under Multi-Paxos.
    pub votes: Vec<NodeId>,
    /// Commit index.
    pub commit_index: u64,
    /// Applied index.
    pub applied_index: u64,
    /// The log (or its last entries, see [`ViewOptions::log_tail`]).
    pub log: Vec<EntryView>,
    /// Index of the last entry (the log may be longer than the entries shown).
    pub last_index: u64,
    /// Last index covered by the server's snapshot (entries up to it are compacted away).
    pub snapshot_index: u64,
    /// Term of the entry at the snapshot index.
    pub snapshot_term: u64,
    /// Running timers.
    pub timers: Vec<TimerView>,
    /// Replication progress (leaders only).
    pub peers: Vec<PeerView>,
    /// The applied key-value contents.
    pub kv: Vec<(String, i64)>,
    /// How fast the server's clock runs (1 = true time).
    pub clock_rate: f64,
    /// Leader only: reads served outside the log.
    pub reads: Option<ReadView>,
    /// Its place in the cluster's configuration.
    pub member: MemberStatus,
    /// Multi-Paxos state (None under Raft).
    pub paxos: Option<PaxosNodeView>,
    /// Its process is stalled (paused): it handles nothing until resumed.
    pub paused: bool,
    /// Messages and timers waiting for it while paused.
    pub stalled: usize,
    /// Labels earlier actions gave it (`crash_leader` with a `label`).
    pub labels: Vec<String>,
}

/// A server's place in the cluster's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Votes and counts towards majorities.
    Voter,
    /// Receives the log but does not vote yet (catching up before it joins).
    Learner,
    /// No longer in the configuration.
    Removed,
}

impl MemberStatus {
    /// The name people see.
    pub fn label(self) -> &'static str {
        match self {
            MemberStatus::Voter => "voter",
            MemberStatus::Learner => "learner",
            MemberStatus::Removed => "removed",
        }
    }
}

/// What a Multi-Paxos server shows beyond the common fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PaxosNodeView {
    /// The acceptor's promise, e.g. `3.2`.
    pub promised: String,
    /// Its own ballot while preparing or leading.
    pub ballot: Option<String>,
    /// Leading: proposals still waiting for a majority.
    pub proposals_in_flight: usize,
}

/// The load balancer as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalancerView {
    /// Its strategy.
    pub strategy: Strategy,
    /// The leader it has learned of.
    pub leader: Option<NodeId>,
    /// Whether reads go to any replica (unsafe).
    pub stale_reads: bool,
    /// Requests forwarded and not yet answered.
    pub in_flight: usize,
    /// Per server.
    pub backends: Vec<BackendView>,
}

/// One server as the load balancer sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackendView {
    /// The server.
    pub id: NodeId,
    /// In rotation.
    pub healthy: bool,
    /// Weight (weighted round robin).
    pub weight: u32,
    /// Requests in flight to it.
    pub outstanding: u32,
    /// Requests routed to it.
    pub routed: u64,
    /// "Not leader" answers it gave.
    pub redirected: u64,
    /// Peak-EWMA latency, ms.
    pub latency_ms: f64,
}

/// A leader's read bookkeeping as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReadView {
    /// Current heartbeat round.
    pub round: u64,
    /// Reads waiting for proof of leadership or for the state machine.
    pub pending: usize,
    /// How much longer the lease holds by the leader's own clock, µs (0: expired).
    pub lease_left: Time,
}

/// A message in flight as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MessageView {
    /// Its id (for drop / duplicate).
    pub id: MsgId,
    /// Sender.
    pub from: Addr,
    /// Receiver.
    pub to: Addr,
    /// Type, e.g. `AppendEntries`.
    pub kind: MessageKind,
    /// Drawn hollow.
    pub is_reply: bool,
    /// For replies: positive or negative.
    pub success: Option<bool>,
    /// One-line field summary.
    pub summary: String,
    /// Every field, for the inspector.
    pub payload: Payload,
    /// When sent.
    pub sent_at: Time,
    /// When due.
    pub deliver_at: Time,
    /// If doomed: when it dies and why.
    pub dies_at: Option<Time>,
    /// Why it dies.
    pub loss: Option<LossCause>,
    /// A duplicate copy.
    pub duplicate: bool,
    /// Why its sender sent it.
    pub why: crate::why::Cause,
}

impl MessageView {
    /// The view of a message on its way (or, from a trace, of one that was).
    pub fn of(m: &crate::message::Envelope) -> MessageView {
        MessageView {
            id: m.id,
            from: m.from,
            to: m.to,
            kind: m.payload.message_kind(),
            is_reply: m.payload.is_reply(),
            success: m.payload.success(),
            summary: m.payload.summary(),
            payload: m.payload.clone(),
            sent_at: m.sent_at,
            deliver_at: m.deliver_at,
            dies_at: m.doom.map(|(t, _)| t),
            loss: m.doom.map(|(_, c)| c),
            duplicate: m.duplicate,
            why: m.why.clone(),
        }
    }
}

/// A client actor as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClientView {
    /// `C1`…
    pub label: String,
    /// Current session id.
    pub session: u64,
    /// True for the hand-driven client.
    pub manual: bool,
    /// The operation in progress.
    pub outstanding: Option<String>,
    /// Server the current attempt went to.
    pub target: Option<NodeId>,
}

/// The whole picture at one instant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct View {
    /// The instant.
    pub now: Time,
    /// The protocol the servers run.
    pub protocol: ProtocolKind,
    /// Servers.
    pub nodes: Vec<NodeView>,
    /// Messages in flight.
    pub messages: Vec<MessageView>,
    /// The load balancer, when clients go through one.
    pub balancer: Option<BalancerView>,
    /// The configuration in force (the leader's, else the most recent a running server knows).
    pub voters: Vec<NodeId>,
    /// Servers catching up before they vote.
    pub learners: Vec<NodeId>,
    /// Cut directed links (from, to).
    pub cut_links: Vec<(Addr, Addr)>,
    /// Directed links with settings of their own.
    pub link_settings: Vec<(Addr, Addr, NetworkConfig)>,
    /// Clients.
    pub clients: Vec<ClientView>,
    /// The latest feed lines, oldest first.
    pub feed: Vec<FeedEntry>,
    /// Messages that died recently (for the "lost here" burst), oldest first.
    pub losses: Vec<LostMessage>,
    /// Safety violations.
    pub violations: Vec<Violation>,
    /// Totals.
    pub stats: Stats,
    /// Operations completed so far.
    pub operations: usize,
    /// The latest completed operations, oldest first.
    pub recent_history: Vec<HistoryOp>,
    /// The latest metric buckets, oldest first.
    pub metrics: Vec<MetricPoint>,
    /// Faults on one message kind in force.
    pub message_faults: Vec<MessageFault>,
    /// Liveness failures so far (safety is in `violations`).
    pub liveness: Vec<LivenessFailure>,
    /// When the liveness check will next judge the cluster (None while faults are in force).
    pub liveness_deadline: Option<Time>,
}

/// How many metric buckets a view carries (30 s at 250 ms).
pub const METRIC_POINTS: usize = 120;

/// How many completed operations a view carries.
pub const RECENT_HISTORY: usize = 20;

/// How many feed lines a view carries.
pub const FEED_LINES: usize = 60;

/// How much of each log a view carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewOptions {
    /// Only the last this many entries of each log (`usize::MAX`: all). The page draws a window
    /// of the log, so it need not copy a long log every frame.
    pub log_tail: usize,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            log_tail: usize::MAX,
        }
    }
}

impl Sim {
    /// The picture at the current instant, with whole logs.
    pub fn view(&self) -> View {
        self.view_with(ViewOptions::default())
    }

    /// The picture at the current instant.
    pub fn view_with(&self, options: ViewOptions) -> View {
        let config = self.configuration();
        let nodes = self
            .servers()
            .iter()
            .map(|slot| {
                let mut view = NodeView::common(slot);
                let reads = match &slot.node {
                    ServerNode::Raft(n) => {
                        fill_raft(&mut view, n, &config, options);
                        n.read_state()
                    }
                    ServerNode::Paxos(n) => {
                        fill_paxos(&mut view, n, options);
                        n.read_state()
                    }
                };
                let local_now = slot.clock.read(self.now());
                view.reads = reads.map(|r| ReadView {
                    round: r.round,
                    pending: r.pending.len(),
                    lease_left: r.lease_until.saturating_sub(local_now),
                });
                view.labels = self
                    .labels()
                    .iter()
                    .filter(|(_, &id)| id == view.id)
                    .map(|(label, _)| label.clone())
                    .collect();
                view
            })
            .collect();
        let messages = self.in_flight().values().map(MessageView::of).collect();
        let clients = self
            .clients()
            .map(|c| ClientView {
                label: format!("C{}", c.id),
                session: c.session,
                manual: !c.generates,
                outstanding: c.outstanding.as_ref().map(|o| o.op.describe()),
                target: c.outstanding.as_ref().map(|o| o.target),
            })
            .collect();
        let feed_len = self.feed().len();
        View {
            now: self.now(),
            protocol: self.config().protocol,
            nodes,
            messages,
            balancer: self.balancer().map(|lb| BalancerView {
                strategy: lb.config().strategy,
                leader: lb.leader(),
                stale_reads: lb.config().stale_reads,
                in_flight: lb.in_flight(),
                backends: lb
                    .backends()
                    .iter()
                    .map(|b| {
                        let stats = lb.stats_of(b.id);
                        BackendView {
                            id: b.id,
                            healthy: b.healthy,
                            weight: b.weight,
                            outstanding: b.outstanding,
                            routed: stats.routed,
                            redirected: stats.redirected,
                            latency_ms: b.ewma / 1000.0,
                        }
                    })
                    .collect(),
            }),
            voters: config.voters.iter().copied().collect(),
            learners: config.learners.iter().copied().collect(),
            cut_links: self.network().cut_links().copied().collect(),
            link_settings: self
                .network()
                .link_overrides()
                .map(|((a, b), c)| (*a, *b, c.clone()))
                .collect(),
            clients,
            feed: self
                .feed()
                .iter_from(feed_len.saturating_sub(FEED_LINES))
                .cloned()
                .collect(),
            losses: self.recent_losses().cloned().collect(),
            violations: self.violations().to_vec(),
            stats: self.stats().clone(),
            operations: self.history().len(),
            metrics: self
                .metrics()
                .points()
                .iter_from(self.metrics().points().len().saturating_sub(METRIC_POINTS))
                .cloned()
                .collect(),
            recent_history: self
                .history()
                .iter_from(self.history().len().saturating_sub(RECENT_HISTORY))
                .collect(),
            message_faults: self.network().message_faults().to_vec(),
            liveness: self.liveness_failures().to_vec(),
            liveness_deadline: self.liveness_deadline(),
        }
    }
}
