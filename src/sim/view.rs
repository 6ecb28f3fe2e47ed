//! The view model: plain data describing the cluster at one instant, for the page to draw and for
//! tests and the JavaScript API to inspect. Built on demand from the engine; holds no references.

use serde::Serialize;

use super::config::NetworkConfig;
use super::engine::ServerSlot;
use super::engine::{FeedEntry, LostMessage, Sim, Stats};
use super::message::{Addr, LossCause, MsgId, Payload};
use super::metrics::MetricPoint;
use super::node::{Replica, Role};
use super::server::ServerNode;
use super::time::Time;
use super::NodeId;
use crate::check::Violation;
use crate::client::HistoryOp;
use crate::paxos::{Ballot, PaxosNode};
use crate::raft::{Command, Membership, RaftNode};
use crate::sim::config::ProtocolKind;

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
    /// `election` or `heartbeat`.
    pub kind: String,
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
    /// Votes received (as candidate).
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
    /// Its place in the cluster's configuration: `voter`, `learner` or `removed`.
    pub member: String,
    /// Multi-Paxos state (None under Raft).
    pub paxos: Option<PaxosNodeView>,
}

/// What a Multi-Paxos server shows beyond the common fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PaxosNodeView {
    /// The acceptor's promise, e.g. `3.2`.
    pub promised: String,
    /// Its own ballot while preparing or leading.
    pub ballot: Option<String>,
    /// Preparing: servers that promised its ballot so far.
    pub promised_by: Vec<NodeId>,
    /// Leading: proposals still waiting for a majority.
    pub proposals_in_flight: usize,
}

/// The load balancer as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalancerView {
    /// Its strategy, in words.
    pub strategy: String,
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
    pub kind: String,
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
                match &slot.node {
                    ServerNode::Raft(n) => {
                        fill_raft(&mut view, n, &config, options);
                        view.reads = n.read_state().map(|r| ReadView {
                            round: r.round,
                            pending: r.pending.len(),
                            lease_left: r.lease_until.saturating_sub(slot.clock.read(self.now())),
                        });
                    }
                    ServerNode::Paxos(n) => fill_paxos(&mut view, n, options),
                }
                view
            })
            .collect();
        let messages = self
            .in_flight()
            .values()
            .map(|m| MessageView {
                id: m.id,
                from: m.from,
                to: m.to,
                kind: m.payload.kind().to_string(),
                is_reply: m.payload.is_reply(),
                success: m.payload.success(),
                summary: m.payload.summary(),
                payload: m.payload.clone(),
                sent_at: m.sent_at,
                deliver_at: m.deliver_at,
                dies_at: m.doom.map(|(t, _)| t),
                loss: m.doom.map(|(_, c)| c),
                duplicate: m.duplicate,
            })
            .collect();
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
                strategy: lb.config.strategy.label().to_string(),
                leader: lb.balancer.leader(),
                stale_reads: lb.config.stale_reads,
                in_flight: lb.in_flight(),
                backends: lb
                    .balancer
                    .backends()
                    .iter()
                    .map(|b| {
                        let stats = lb.stats.get(&b.id).cloned().unwrap_or_default();
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
                .cloned()
                .collect(),
        }
    }
}

impl Sim {
    /// The configuration in force: the leader's, else the one the most advanced running server
    /// knows. Multi-Paxos servers keep the starting membership.
    fn configuration(&self) -> Membership {
        if self.config().protocol == ProtocolKind::MultiPaxos {
            return Membership::of_voters(self.config().server_ids());
        }
        self.servers()
            .iter()
            .filter(|s| s.up)
            .max_by_key(|s| {
                (
                    s.node.role() == Role::Leader,
                    s.node.term(),
                    s.node.commit_index(),
                )
            })
            .or_else(|| self.servers().first())
            .and_then(|s| s.node.as_raft())
            .map(|n| n.membership().clone())
            .unwrap_or_default()
    }
}

impl NodeView {
    /// The fields every protocol fills the same way.
    fn common(slot: &ServerSlot) -> NodeView {
        let n = &slot.node;
        NodeView {
            id: n.id(),
            label: format!("S{}", n.id()),
            up: slot.up,
            role: n.role(),
            role_label: n.role().label().to_string(),
            term: n.term(),
            voted_for: None,
            leader: n.leader(),
            votes: Vec::new(),
            commit_index: n.commit_index(),
            applied_index: n.applied_index(),
            log: Vec::new(),
            last_index: n.last_index(),
            snapshot_index: 0,
            snapshot_term: 0,
            timers: slot
                .timers
                .iter()
                .map(|(k, t)| TimerView {
                    kind: k.label().to_string(),
                    set_at: t.set_at,
                    deadline: t.deadline,
                })
                .collect(),
            peers: Vec::new(),
            kv: n.kv().entries().map(|(k, v)| (k.clone(), *v)).collect(),
            clock_rate: slot.clock.rate,
            reads: None,
            member: "voter".to_string(),
            paxos: None,
        }
    }
}

/// The first log index a view shows, given the last one and where storage begins.
fn first_shown(last_index: u64, first_stored: u64, options: ViewOptions) -> u64 {
    last_index
        .saturating_sub(options.log_tail as u64)
        .max(first_stored.max(1) - 1)
        + 1
}

fn fill_raft(view: &mut NodeView, n: &RaftNode, config: &Membership, options: ViewOptions) {
    let commit = n.commit_index();
    let first_stored = n.log().first_stored();
    let first = first_shown(n.log().last_index(), first_stored, options);
    view.log = n
        .log()
        .iter_from((first - first_stored) as usize)
        .enumerate()
        .map(|(i, e)| {
            let index = first + i as u64;
            let (label, noop, config) = match &e.command {
                Command::Noop => ("no-op".to_string(), true, false),
                Command::Kv(c) => (c.op.describe(), false, false),
                Command::Config(m) => (format!("configuration: {}", m.describe()), false, true),
            };
            EntryView {
                index,
                term: e.term,
                label,
                noop,
                config,
                committed: index <= commit,
                ballot: None,
            }
        })
        .collect();
    view.voted_for = n.voted_for();
    view.votes = n.votes().iter().copied().collect();
    view.snapshot_index = n.log().snapshot_index();
    view.snapshot_term = n.log().snapshot_term();
    view.peers = n
        .progress()
        .into_iter()
        .map(|p| PeerView {
            peer: p.peer,
            next_index: p.next_index,
            match_index: p.match_index,
        })
        .collect();
    view.member = if config.voters.contains(&n.id()) {
        "voter"
    } else if config.learners.contains(&n.id()) {
        "learner"
    } else {
        "removed"
    }
    .to_string();
}

fn fill_paxos(view: &mut NodeView, n: &PaxosNode, options: ViewOptions) {
    let last = n.last_slot();
    let first = first_shown(last, 1, options);
    view.log = n
        .slots(first, last)
        .into_iter()
        .filter(|s| s.accepted.is_some() || s.chosen.is_some())
        .map(|s| {
            let value = s.chosen.as_ref().or(s.accepted.as_ref().map(|(_, v)| v));
            let ballot = s.accepted.as_ref().map(|(b, _)| *b);
            EntryView {
                index: s.slot,
                term: ballot.map_or(0, |b| b.round),
                label: value.map(|v| v.describe()).unwrap_or_default(),
                noop: matches!(value, Some(crate::paxos::SlotValue::Noop)),
                config: false,
                committed: s.chosen.is_some(),
                ballot: ballot.map(|b| b.to_string()),
            }
        })
        .collect();
    let own = n.ballot();
    view.role_label = paxos_role_label(n.role()).to_string();
    view.votes = n.promised_by();
    view.paxos = Some(PaxosNodeView {
        promised: if n.promised().is_zero() {
            "—".to_string()
        } else {
            n.promised().to_string()
        },
        ballot: (own != Ballot::ZERO).then(|| own.to_string()),
        promised_by: n.promised_by(),
        proposals_in_flight: n.proposals_in_flight(),
    });
}

/// What Multi-Paxos calls each role: every server is an acceptor; one running phase 1 is
/// preparing; one that won phase 1 leads (the distinguished proposer).
pub fn paxos_role_label(role: Role) -> &'static str {
    match role {
        Role::Leader => "leader",
        Role::Candidate | Role::PreCandidate => "preparing",
        Role::Follower => "acceptor",
    }
}
