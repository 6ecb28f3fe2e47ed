//! Everything a person (or a scenario) can do to a running cluster. Actions are plain data
//! (serde), appended to the action log, so a run is its configuration, its seed and its actions.

use serde::{Deserialize, Serialize};

use super::config::{NetworkConfig, PaxosOptions, RaftOptions, Timing};
use super::message::{Addr, ClientId, MsgId, ReadConsistency};
use quorum_core::actor::FeedEvent;
use quorum_core::network::MessageFault;
use quorum_core::NodeId;
use quorum_service::kv::KvOp;
use quorum_traffic::balancer::Strategy;
use quorum_traffic::client::WorkloadConfig;

/// A server named by its number, or by a label an earlier action gave it — so a schedule can
/// crash "the current leader" and later restart *that same* server, whichever it turned out to
/// be. In files: a number (`3`) or a string (`"old-leader"`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum NodeRef {
    /// Server S`n`.
    Id(NodeId),
    /// The server an earlier `crash_leader`, `isolate_leader` or `pause_leader` labelled so.
    Label(String),
}

impl From<NodeId> for NodeRef {
    fn from(id: NodeId) -> Self {
        NodeRef::Id(id)
    }
}

impl std::fmt::Display for NodeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeRef::Id(id) => write!(f, "S{id}"),
            NodeRef::Label(l) => write!(f, "the server labelled “{l}”"),
        }
    }
}

impl<'de> Deserialize<'de> for NodeRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = NodeRef;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a server number (1–9) or a label given by an earlier action")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<NodeRef, E> {
                NodeId::try_from(v)
                    .map(NodeRef::Id)
                    .map_err(|_| E::custom(format!("there is no server S{v}")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<NodeRef, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(format!(
                        "{v} is not a server number (servers are numbered from 1)"
                    ))),
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NodeRef, E> {
                Ok(NodeRef::Label(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The client side of a client link: the load balancer, or one client (C1, C2…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum ClientEnd {
    /// Client C`n`.
    Client(ClientId),
    /// The load balancer (written `"balancer"`).
    #[serde(serialize_with = "balancer_name")]
    Balancer,
}

fn balancer_name<S: serde::Serializer>(s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("balancer")
}

impl ClientEnd {
    /// Its address on the network.
    pub fn addr(self) -> Addr {
        match self {
            ClientEnd::Client(c) => Addr::Client(c),
            ClientEnd::Balancer => Addr::Balancer,
        }
    }
}

impl std::fmt::Display for ClientEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientEnd::Client(c) => write!(f, "C{c}"),
            ClientEnd::Balancer => f.write_str("the load balancer"),
        }
    }
}

impl<'de> Deserialize<'de> for ClientEnd {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ClientEnd;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a client number (1 for C1, …) or \"balancer\"")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ClientEnd, E> {
                ClientId::try_from(v)
                    .ok()
                    .filter(|&c| c >= 1)
                    .map(ClientEnd::Client)
                    .ok_or_else(|| E::custom(format!("there is no client C{v}")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ClientEnd, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(format!("{v} is not a client number")))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ClientEnd, E> {
                if v == "balancer" {
                    Ok(ClientEnd::Balancer)
                } else {
                    Err(E::custom(format!(
                        "“{v}” is neither a client number nor \"balancer\""
                    )))
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 32;

/// Checks a label's shape: 1–32 letters, digits, `-` or `_`.
pub fn check_label(label: &str) -> Result<(), String> {
    let ok = !label.is_empty()
        && label.chars().count() <= MAX_LABEL_CHARS
        && label
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "a label is 1–{MAX_LABEL_CHARS} letters, digits, '-' or '_' (got {label:?})"
        ))
    }
}

/// The server an action hit, as its feed line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The server.
    pub server: NodeId,
    /// It led when the action hit it.
    pub led: bool,
}

/// One user action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Crash a server: volatile state and timers are lost, persistent state kept.
    Crash {
        /// The server.
        node: NodeRef,
    },
    /// Crash whichever server currently leads (nothing happens when there is none).
    CrashLeader {
        /// Remember that server under this label, for later actions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Restart a crashed server: it recovers from its persistent state.
    Restart {
        /// The server.
        node: NodeRef,
    },
    /// Restart every crashed server.
    RestartAll,
    /// Fire a server's election timer now.
    Timeout {
        /// The server.
        node: NodeId,
    },
    /// Issue an operation from the hand-driven client, optionally to a chosen server.
    ClientRequest {
        /// The operation.
        op: KvOp,
        /// The server to send it to first (default: the leader the client knows, or S1).
        #[serde(default)]
        server: Option<NodeId>,
        /// For a read: how consistent it must be (`linearizable`, `lease` or `stale`).
        #[serde(default)]
        read: ReadConsistency,
    },
    /// Cut the links between groups of servers (both directions); servers in no group are
    /// isolated. Adds to the cuts already in place, unless `replace` heals them first.
    Partition {
        /// The groups that can still talk among themselves.
        groups: Vec<Vec<NodeId>>,
        /// Restore every link first, so this partition is the only one.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        replace: bool,
    },
    /// Cut every link of one server.
    Isolate {
        /// The server.
        node: NodeRef,
    },
    /// Cut every link of the current leader.
    IsolateLeader {
        /// Remember that server under this label, for later actions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Restore every link of one server, both directions (undoes `isolate`).
    Connect {
        /// The server.
        node: NodeRef,
    },
    /// Stall a server's process (a long GC pause, a stopped VM): no timer fires and no message
    /// is handled while it is paused; they queue, and on resume it acts on them with the
    /// beliefs it had — the failure that breaks leases.
    Pause {
        /// The server.
        node: NodeRef,
    },
    /// Pause whichever server currently leads.
    PauseLeader {
        /// Remember that server under this label, for later actions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Let a paused server run again: it handles what queued up, in order.
    Resume {
        /// The server.
        node: NodeRef,
    },
    /// Step a server's clock forward or back (an NTP correction, a VM migration). Its timers
    /// keep their true deadlines; what it compares against its clock (leases, when it last
    /// heard a leader) sees the jump.
    JumpClock {
        /// The server.
        node: NodeRef,
        /// How far, in milliseconds (negative: back).
        by_ms: i64,
    },
    /// Restore every link.
    Heal,
    /// Cut one direction of one link.
    CutLink {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// Restore one direction of one link.
    RestoreLink {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// Drop or delay one kind of message only (e.g. every AppendEntries reply, or heartbeats on
    /// one link); replaces a fault on the same kind and links, and a fault with no drop and no
    /// delay removes it.
    SetMessageFault {
        /// The fault.
        fault: MessageFault,
    },
    /// Remove every fault on message kinds.
    ClearMessageFaults,
    /// Cut a client (or the load balancer) off from one server, both directions: "a client
    /// stuck with the minority".
    CutClientLink {
        /// The client side.
        client: ClientEnd,
        /// The server.
        server: NodeId,
    },
    /// Restore a link cut by `cut_client_link`.
    RestoreClientLink {
        /// The client side.
        client: ClientEnd,
        /// The server.
        server: NodeId,
    },
    /// Drop one message in flight.
    DropMessage {
        /// The message.
        id: MsgId,
    },
    /// Deliver one message in flight a second time.
    DuplicateMessage {
        /// The message.
        id: MsgId,
    },
    /// Change latency, jitter, loss, duplication or ordering.
    SetNetwork {
        /// The new settings.
        network: NetworkConfig,
    },
    /// Give one direction of one link its own latency, loss and duplication (`null`: back to
    /// the network-wide settings).
    SetLink {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
        /// The link's settings.
        network: Option<NetworkConfig>,
    },
    /// Change the election timeout range or heartbeat interval (applies to timers set from now on).
    SetTiming {
        /// The new settings.
        timing: Timing,
    },
    /// Change the Raft switches.
    SetRaftOptions {
        /// The new settings.
        raft: RaftOptions,
    },
    /// Change the Multi-Paxos switches (e.g. turn the stable leader off to make proposers duel).
    SetPaxosOptions {
        /// The new settings.
        paxos: PaxosOptions,
    },
    /// Start a new server and ask the leader to add it: it joins as a learner and becomes a
    /// voter once it has caught up (dissertation §4.1).
    #[serde(alias = "add_node")]
    AddServer,
    /// Ask the leader to remove a server from the configuration (the leader itself included).
    #[serde(alias = "remove_node")]
    RemoveServer {
        /// The server.
        node: NodeId,
    },
    /// Change the generated load while the run goes on: clients, rate, keys, mix, mode,
    /// timeouts (the balancer keeps its own settings).
    SetWorkload {
        /// The new load.
        workload: WorkloadConfig,
    },
    /// Switch the load balancer's strategy.
    SetBalancerStrategy {
        /// The new strategy.
        strategy: Strategy,
    },
    /// Give a server a weight for weighted round robin.
    SetServerWeight {
        /// The server.
        node: NodeId,
        /// Its relative share (1–100).
        weight: u32,
    },
    /// Let the balancer send reads as stale reads, answered by any replica (unsafe), or not.
    SetStaleReads {
        /// Stale reads on or off.
        enabled: bool,
    },
    /// Make a server snapshot its state machine now and discard the log it covers (§7).
    Snapshot {
        /// The server.
        node: NodeId,
    },
    /// Make one server's clock run fast or slow (1 = true time). Servers time elections and
    /// leases with their own clocks, so a slow leader clock makes lease reads go stale.
    SetClockRate {
        /// The server.
        node: NodeId,
        /// Local seconds per true second.
        rate: f64,
    },
    /// Set the election timers of every server without a leader role far apart, so the first to
    /// fire wins alone (RaftScope's "spread timers").
    SpreadTimers,
    /// Set the election timers of every server without a leader role to fire together,
    /// provoking a split vote (RaftScope's "align timers").
    AlignTimers,
    /// Start or stop the generated workload.
    SetWorkloadRunning {
        /// Whether clients generate operations.
        running: bool,
    },
}

impl Action {
    /// Whether the action disturbs the servers or the network (a fault, a repair, a change of
    /// settings or membership): the liveness check then starts its calm window afresh. Client
    /// traffic and the balancer's settings do not.
    pub fn disturbs_cluster(&self) -> bool {
        !matches!(
            self,
            Action::ClientRequest { .. }
                | Action::SetWorkload { .. }
                | Action::SetWorkloadRunning { .. }
                | Action::SetBalancerStrategy { .. }
                | Action::SetServerWeight { .. }
                | Action::SetStaleReads { .. }
        )
    }

    /// The one server this action names, if it names one (by number or label).
    pub fn node_ref(&self) -> Option<&NodeRef> {
        match self {
            Action::Crash { node }
            | Action::Restart { node }
            | Action::Isolate { node }
            | Action::Connect { node }
            | Action::Pause { node }
            | Action::Resume { node }
            | Action::JumpClock { node, .. } => Some(node),
            _ => None,
        }
    }

    /// The label this action gives the server it acts on, if any.
    pub fn defines_label(&self) -> Option<&str> {
        match self {
            Action::CrashLeader { label }
            | Action::IsolateLeader { label }
            | Action::PauseLeader { label } => label.as_deref(),
            _ => None,
        }
    }
    /// What the feed line for this action is about: a fault injected, a fault undone, or
    /// anything else (settings, requests, the workload).
    pub fn feed_event(&self) -> FeedEvent {
        match self {
            Action::Crash { .. }
            | Action::CrashLeader { .. }
            | Action::Timeout { .. }
            | Action::Partition { .. }
            | Action::Isolate { .. }
            | Action::IsolateLeader { .. }
            | Action::Pause { .. }
            | Action::PauseLeader { .. }
            | Action::JumpClock { .. }
            | Action::CutLink { .. }
            | Action::SetMessageFault { .. }
            | Action::CutClientLink { .. }
            | Action::DropMessage { .. }
            | Action::DuplicateMessage { .. }
            | Action::SetClockRate { .. } => FeedEvent::Fault,
            Action::Restart { .. }
            | Action::RestartAll
            | Action::Connect { .. }
            | Action::Resume { .. }
            | Action::Heal
            | Action::RestoreLink { .. }
            | Action::ClearMessageFaults
            | Action::RestoreClientLink { .. } => FeedEvent::Repair,
            _ => FeedEvent::Remark,
        }
    }

    /// True for actions on servers: crashes and restarts, isolation, pauses, clocks, snapshots,
    /// membership.
    pub fn is_about_servers(&self) -> bool {
        matches!(
            self,
            Action::Crash { .. }
                | Action::CrashLeader { .. }
                | Action::Restart { .. }
                | Action::RestartAll
                | Action::Timeout { .. }
                | Action::Isolate { .. }
                | Action::IsolateLeader { .. }
                | Action::Connect { .. }
                | Action::Pause { .. }
                | Action::PauseLeader { .. }
                | Action::Resume { .. }
                | Action::JumpClock { .. }
                | Action::Snapshot { .. }
                | Action::SetClockRate { .. }
                | Action::AddServer
                | Action::RemoveServer { .. }
        )
    }

    /// True for actions on the network: partitions, links, message faults, single messages.
    pub fn is_about_network(&self) -> bool {
        matches!(
            self,
            Action::Partition { .. }
                | Action::Heal
                | Action::CutLink { .. }
                | Action::RestoreLink { .. }
                | Action::SetMessageFault { .. }
                | Action::ClearMessageFaults
                | Action::CutClientLink { .. }
                | Action::RestoreClientLink { .. }
                | Action::DropMessage { .. }
                | Action::DuplicateMessage { .. }
                | Action::SetNetwork { .. }
                | Action::SetLink { .. }
        )
    }

    /// What the action does to its server, for "there is no leader to …".
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Crash { .. } | Action::CrashLeader { .. } => "crash",
            Action::Isolate { .. } | Action::IsolateLeader { .. } => "isolate",
            Action::Pause { .. } | Action::PauseLeader { .. } => "pause",
            Action::Restart { .. } => "restart",
            Action::Connect { .. } => "reconnect",
            Action::Resume { .. } => "resume",
            Action::JumpClock { .. } => "change the clock of",
            _ => "act on",
        }
    }

    /// The feed line for this action once carried out: the server it hit is named by number
    /// even when the action named it by a label or as "the leader", and marked when it led.
    pub fn describe_done(&self, subject: Option<Subject>) -> String {
        let Some(Subject { server, led }) = subject else {
            return self.describe();
        };
        let label = match self {
            Action::CrashLeader { label }
            | Action::IsolateLeader { label }
            | Action::PauseLeader { label } => label.clone(),
            _ => match self.node_ref() {
                Some(NodeRef::Label(l)) => Some(l.clone()),
                _ => None,
            },
        };
        let notes: Vec<String> = led
            .then(|| "leader".to_string())
            .into_iter()
            .chain(label.map(|l| format!("labelled “{l}”")))
            .collect();
        let who = if notes.is_empty() {
            format!("S{server}")
        } else {
            format!("S{server} ({})", notes.join(", "))
        };
        match self {
            Action::Crash { .. } | Action::CrashLeader { .. } => format!("{who} crashed"),
            Action::Isolate { .. } | Action::IsolateLeader { .. } => format!("{who} was isolated"),
            Action::Pause { .. } | Action::PauseLeader { .. } => {
                format!("{who} was paused: its process stalls")
            }
            Action::Restart { .. } => format!("{who} restarted"),
            Action::Connect { .. } => format!("every link of {who} was restored"),
            Action::Resume { .. } => format!("{who} resumed"),
            Action::JumpClock { by_ms, .. } => format!(
                "{who}'s clock jumped {} by {} ms",
                if *by_ms < 0 { "back" } else { "forward" },
                by_ms.unsigned_abs()
            ),
            _ => self.describe(),
        }
    }

    /// A short description for the event feed.
    pub fn describe(&self) -> String {
        match self {
            Action::Crash { node } => format!("{node} crashed"),
            Action::CrashLeader { .. } => "the leader was crashed".into(),
            Action::Restart { node } => format!("{node} restarted"),
            Action::RestartAll => "every crashed server restarted".into(),
            Action::Timeout { node } => format!("S{node}'s election timer was fired by hand"),
            Action::ClientRequest { op, server, read } => format!(
                "a client request: {}{}{}",
                op.describe(),
                match (read, op.is_read()) {
                    (ReadConsistency::Stale, true) => " (stale read)",
                    (ReadConsistency::Lease, true) => " (lease read)",
                    _ => "",
                },
                server.map(|s| format!(" to S{s}")).unwrap_or_default()
            ),
            Action::Partition { groups, replace } => format!(
                "the network was {}partitioned into {}",
                if *replace { "healed and " } else { "" },
                groups
                    .iter()
                    .map(|g| format!(
                        "{{{}}}",
                        g.iter()
                            .map(|n| format!("S{n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Action::Isolate { node } => format!("{node} was isolated"),
            Action::IsolateLeader { .. } => "the leader was isolated".into(),
            Action::Connect { node } => format!("every link of {node} was restored"),
            Action::Pause { node } => format!("{node} was paused: its process stalls"),
            Action::PauseLeader { .. } => "the leader was paused: its process stalls".into(),
            Action::Resume { node } => format!("{node} resumed"),
            Action::JumpClock { node, by_ms } => format!(
                "{node}'s clock jumped {} by {} ms",
                if *by_ms < 0 { "back" } else { "forward" },
                by_ms.unsigned_abs()
            ),
            Action::Heal => "every link was restored".into(),
            Action::CutLink { from, to } => format!("the link S{from} → S{to} was cut"),
            Action::RestoreLink { from, to } => format!("the link S{from} → S{to} was restored"),
            Action::SetMessageFault { fault } => {
                if fault.is_noop() {
                    format!("{} messages are no longer singled out", fault.kind)
                } else {
                    fault.describe()
                }
            }
            Action::ClearMessageFaults => "every fault on message kinds was removed".into(),
            Action::CutClientLink { client, server } => {
                format!("{client} was cut off from S{server}")
            }
            Action::RestoreClientLink { client, server } => {
                format!("{client} can reach S{server} again")
            }
            Action::DropMessage { id } => format!("message #{id} was dropped"),
            Action::DuplicateMessage { id } => format!("message #{id} was duplicated"),
            Action::SetNetwork { network } => format!(
                "network set to {}–{} ms latency, {:.0}% loss, {:.0}% duplication{}",
                network.latency_min_ms,
                network.latency_max_ms,
                network.loss * 100.0,
                network.duplicate * 100.0,
                if network.fifo { ", FIFO links" } else { "" }
            ),
            Action::SetLink { from, to, network } => match network {
                Some(n) => format!(
                    "the link S{from} → S{to} set to {}–{} ms latency, {:.0}% loss",
                    n.latency_min_ms,
                    n.latency_max_ms,
                    n.loss * 100.0
                ),
                None => format!("the link S{from} → S{to} follows the network settings again"),
            },
            Action::SetTiming { timing } => format!(
                "election timeout set to {}–{} ms, heartbeat {} ms",
                timing.election_timeout_min_ms,
                timing.election_timeout_max_ms,
                timing.heartbeat_interval_ms
            ),
            Action::SetRaftOptions { .. } => "Raft options changed".into(),
            Action::SetPaxosOptions { paxos } => format!(
                "Multi-Paxos options changed: {}",
                if paxos.stable_leader {
                    "a stable leader"
                } else {
                    "no stable leader, every server proposes"
                }
            ),
            Action::SetBalancerStrategy { strategy } => {
                format!("the load balancer now routes by {}", strategy.label())
            }
            Action::SetWorkload { workload } => format!(
                "the load is now {} clients at {} ops/s ({}), {} keys",
                workload.clients,
                workload.rate,
                match workload.mode {
                    quorum_traffic::client::LoadMode::Closed => "closed loop",
                    quorum_traffic::client::LoadMode::Open => "open loop",
                },
                workload.keys
            ),
            Action::SetServerWeight { node, weight } => format!("S{node}'s weight set to {weight}"),
            Action::SetStaleReads { enabled } => {
                if *enabled {
                    "reads now go to any replica (stale reads: unsafe)".into()
                } else {
                    "reads are linearizable again".into()
                }
            }
            Action::AddServer => "a new server was started and the leader asked to add it".into(),
            Action::RemoveServer { node } => format!("the leader was asked to remove S{node}"),
            Action::Snapshot { node } => format!("S{node} was told to take a snapshot"),
            Action::SetClockRate { node, rate } => {
                format!("S{node}'s clock now runs at {rate}× true time")
            }
            Action::SpreadTimers => "election timers were spread apart".into(),
            Action::AlignTimers => "election timers were aligned (expect a split vote)".into(),
            Action::SetWorkloadRunning { running } => {
                if *running {
                    "the workload was started".into()
                } else {
                    "the workload was stopped".into()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_and_their_undoing_are_told_apart_so_a_restart_is_never_drawn_as_a_crash() {
        let s1 = || NodeRef::Id(1);
        for fault in [
            Action::Crash { node: s1() },
            Action::CrashLeader { label: None },
            Action::Isolate { node: s1() },
            Action::Partition {
                groups: vec![vec![1], vec![2, 3]],
                replace: false,
            },
            Action::CutLink { from: 1, to: 2 },
            Action::Pause { node: s1() },
        ] {
            assert_eq!(fault.feed_event(), FeedEvent::Fault, "{fault:?}");
        }
        for repair in [
            Action::RestartAll,
            Action::Restart { node: s1() },
            Action::Heal,
            Action::RestoreLink { from: 1, to: 2 },
            Action::Resume { node: s1() },
        ] {
            assert_eq!(repair.feed_event(), FeedEvent::Repair, "{repair:?}");
        }
        assert_eq!(Action::SpreadTimers.feed_event(), FeedEvent::Remark);
    }

    #[test]
    fn a_line_names_the_server_an_action_hit_and_whether_it_led() {
        let hit = |server, led| Some(Subject { server, led });
        let crash = Action::CrashLeader { label: None };
        assert_eq!(crash.describe_done(hit(3, true)), "S3 (leader) crashed");
        let isolate = Action::Isolate {
            node: NodeRef::Label("old".into()),
        };
        assert_eq!(
            isolate.describe_done(hit(2, false)),
            "S2 (labelled “old”) was isolated"
        );
        assert_eq!(crash.describe_done(None), crash.describe());
    }
}
