//! What a person (or a scenario) does to a running cluster: validating an action against the
//! current cluster, and carrying it out — faults, network changes, client requests, membership
//! changes. Kept apart from the event loop so each file has one job.

use super::*;
use crate::action::{check_label, ClientEnd, NodeRef, Subject};
use crate::config::ProtocolKind;
use crate::config::MAX_DELAY_MS;
use crate::message::MESSAGE_KINDS;
use crate::trace::Mark;
use quorum_core::network::MessageFault;
use quorum_raft::RaftNode;

/// The most client actors a run can have (generated ones and hand-driven ones).
pub const MAX_CLIENT_SLOTS: usize = 64 + MAX_MANUAL_CLIENTS;

/// The largest clock jump an action may ask for: one hour.
pub const MAX_CLOCK_JUMP_MS: u64 = 3_600_000;

/// What carrying out an action came to.
enum Acted {
    /// Done: the action's own line goes to the feed.
    Done,
    /// Nothing done, for this reason (noted in the feed).
    Refused(String),
    /// Done, and the outcome already said what there is to say.
    Finished(Result<(), FieldError>),
}

/// Why snapshots and membership changes are refused under Multi-Paxos.
const RAFT_ONLY: &str =
    "snapshots and membership changes are built for Raft; the Multi-Paxos servers keep a fixed membership and their whole log";

impl Sim {
    fn check_node(&self, node: NodeId, field: &str) -> Result<(), FieldError> {
        if self.server(node).is_none() {
            return Err(FieldError::new(
                field,
                format!(
                    "there is no server S{node} (the cluster has S1–S{})",
                    self.servers.len()
                ),
            ));
        }
        Ok(())
    }

    /// A server by number must exist; a label must be well formed (whether an earlier action
    /// gave it is known only when the action runs, or for a scenario when it is built).
    fn check_node_ref(&self, node: &NodeRef, field: &str) -> Result<(), FieldError> {
        match node {
            NodeRef::Id(id) => self.check_node(*id, field),
            NodeRef::Label(label) => check_label(label).map_err(|why| FieldError::new(field, why)),
        }
    }

    fn check_message_fault(&self, fault: &MessageFault, path: &str) -> Result<(), FieldError> {
        if !MESSAGE_KINDS.contains(&fault.kind.as_str()) {
            return Err(FieldError::new(
                format!("{path}.fault.kind"),
                format!(
                    "“{}” is not a message kind (one of {})",
                    fault.kind,
                    MESSAGE_KINDS.join(", ")
                ),
            ));
        }
        if let Some(n) = fault.from {
            self.check_node(n, &format!("{path}.fault.from"))?;
        }
        if let Some(n) = fault.to {
            self.check_node(n, &format!("{path}.fault.to"))?;
        }
        if !(0.0..=1.0).contains(&fault.drop) {
            return Err(FieldError::new(
                format!("{path}.fault.drop"),
                "must be a probability between 0 and 1",
            ));
        }
        if fault.delay_ms > MAX_DELAY_MS {
            return Err(FieldError::new(
                format!("{path}.fault.delay_ms"),
                format!("must be at most {MAX_DELAY_MS} ms (ten minutes)"),
            ));
        }
        Ok(())
    }

    /// The server a reference names now, or why none.
    fn resolve(&self, node: &NodeRef) -> Result<NodeId, String> {
        match node {
            NodeRef::Id(id) => Ok(*id),
            NodeRef::Label(label) => self
                .labels
                .get(label)
                .copied()
                .ok_or_else(|| format!("no server has been labelled “{label}”")),
        }
    }

    /// The server labels given so far.
    pub fn labels(&self) -> &std::collections::BTreeMap<String, NodeId> {
        &self.labels
    }

    /// The current leader, remembered under `label` if one is given.
    fn leader_labelled(&mut self, label: &Option<String>) -> Option<NodeId> {
        let leader = self.leader()?;
        if let Some(label) = label {
            self.labels.insert(label.clone(), leader);
        }
        Some(leader)
    }

    fn check_link(&self, from: NodeId, to: NodeId, path: &str) -> Result<(), FieldError> {
        self.check_node(from, &format!("{path}.from"))?;
        self.check_node(to, &format!("{path}.to"))?;
        if from == to {
            return Err(FieldError::new(
                format!("{path}.to"),
                "a link joins two different servers",
            ));
        }
        Ok(())
    }

    /// Checks an action refers to things that exist; names the offending field.
    pub fn validate_action(&self, action: &Action, path: &str) -> Result<(), FieldError> {
        match action {
            Action::RemoveServer { node }
            | Action::Snapshot { node }
            | Action::Timeout { node } => self.check_node(*node, &format!("{path}.node")),
            Action::Crash { node }
            | Action::Restart { node }
            | Action::Isolate { node }
            | Action::Connect { node }
            | Action::Pause { node }
            | Action::Resume { node } => self.check_node_ref(node, &format!("{path}.node")),
            Action::JumpClock { node, by_ms } => {
                self.check_node_ref(node, &format!("{path}.node"))?;
                if by_ms.unsigned_abs() > MAX_CLOCK_JUMP_MS {
                    return Err(FieldError::new(
                        format!("{path}.by_ms"),
                        format!(
                            "must be between -{MAX_CLOCK_JUMP_MS} and {MAX_CLOCK_JUMP_MS} ms (one hour)"
                        ),
                    ));
                }
                Ok(())
            }
            Action::CrashLeader { label: Some(label) }
            | Action::IsolateLeader { label: Some(label) }
            | Action::PauseLeader { label: Some(label) } => {
                check_label(label).map_err(|why| FieldError::new(format!("{path}.label"), why))
            }
            Action::SetWorkload { workload } => workload.validate(&format!("{path}.workload")),
            Action::SetServerWeight { node, weight } => {
                self.check_node(*node, &format!("{path}.node"))?;
                if !(1..=100).contains(weight) {
                    return Err(FieldError::new(
                        format!("{path}.weight"),
                        "must be between 1 and 100",
                    ));
                }
                Ok(())
            }
            Action::SetBalancerStrategy { strategy } => quorum_traffic::balancer::BalancerConfig {
                strategy: *strategy,
                ..Default::default()
            }
            .validate(path),
            Action::SetClockRate { node, rate } => {
                self.check_node(*node, &format!("{path}.node"))?;
                crate::config::check_clock_rate(*rate, format!("{path}.rate"))
            }
            Action::SetLink { from, to, network } => {
                self.check_link(*from, *to, path)?;
                match network {
                    Some(n) => n.validate(&format!("{path}.network")),
                    None => Ok(()),
                }
            }
            Action::CutLink { from, to } | Action::RestoreLink { from, to } => {
                self.check_link(*from, *to, path)
            }
            Action::Partition { groups, .. } => {
                let mut seen = Vec::new();
                for (i, g) in groups.iter().enumerate() {
                    for (j, n) in g.iter().enumerate() {
                        self.check_node(*n, &format!("{path}.groups[{i}][{j}]"))?;
                        if seen.contains(n) {
                            return Err(FieldError::new(
                                format!("{path}.groups[{i}][{j}]"),
                                format!("S{n} is in more than one group"),
                            ));
                        }
                        seen.push(*n);
                    }
                }
                Ok(())
            }
            Action::ClientRequest { server, .. } => match server {
                Some(s) => self.check_node(*s, &format!("{path}.server")),
                None => Ok(()),
            },
            Action::SetNetwork { network } => network.validate(&format!("{path}.network")),
            Action::SetTiming { timing } => timing.validate(&format!("{path}.timing")),
            Action::SetRaftOptions { raft } => raft.validate(&format!("{path}.raft")),
            Action::SetPaxosOptions { .. } => Ok(()),
            Action::SetMessageFault { fault } => self.check_message_fault(fault, path),
            Action::CutClientLink { client, server }
            | Action::RestoreClientLink { client, server } => {
                self.check_node(*server, &format!("{path}.server"))?;
                match client {
                    ClientEnd::Client(c) if *c as usize > MAX_CLIENT_SLOTS => Err(FieldError::new(
                        format!("{path}.client"),
                        format!("there is no client C{c} (clients are C1–C{MAX_CLIENT_SLOTS})"),
                    )),
                    _ => Ok(()),
                }
            }
            Action::ClearMessageFaults
            | Action::DropMessage { .. }
            | Action::DuplicateMessage { .. }
            | Action::SpreadTimers
            | Action::AlignTimers
            | Action::AddServer
            | Action::SetStaleReads { .. }
            | Action::CrashLeader { label: None }
            | Action::RestartAll
            | Action::IsolateLeader { label: None }
            | Action::PauseLeader { label: None }
            | Action::Heal
            | Action::SetWorkloadRunning { .. } => Ok(()),
        }
    }

    /// Applies an action now. Invalid actions are refused with an error naming the field.
    pub fn apply(&mut self, action: Action) -> Result<(), FieldError> {
        let disturbs = action.disturbs_cluster();
        let outcome = self.carry_out_action(action);
        self.trace_cuts();
        if disturbs && outcome.is_ok() {
            // Something disturbed the cluster: the calm window, if any, starts again from now.
            self.checks.liveness.faulty();
        }
        self.reassess_calm();
        outcome
    }

    fn carry_out_action(&mut self, action: Action) -> Result<(), FieldError> {
        self.validate_action(&action, "action")?;
        // The action enters the trace in its scenario-file encoding: documented and stable, so
        // renaming a Rust field or variant does not change every hash.
        let encoded = serde_json::to_string(&action).unwrap_or_default();
        self.record.trace = chain(self.record.trace, digest_of(&encoded));
        // The server the action names (labels resolved now), or the leader it is aimed at.
        let named = match action.node_ref().map(|r| self.resolve(r)) {
            Some(Ok(id)) => Some(id),
            Some(Err(why)) => return self.noted(&why),
            None => None,
        };
        let subject = match &action {
            Action::CrashLeader { label }
            | Action::IsolateLeader { label }
            | Action::PauseLeader { label } => match self.leader_labelled(label) {
                Some(leader) => Some(leader),
                None => return self.noted(&format!("there is no leader to {}", action.verb())),
            },
            _ => named,
        };
        let description = action.describe_done(subject.map(|server| {
            Subject {
                server,
                led: self
                    .server(server)
                    .is_some_and(|s| s.up && s.node.role() == Role::Leader),
            }
        }));
        let event = action.feed_event();
        let target = subject.unwrap_or(0);
        if let Action::Resume { .. } = action {
            // Noted before the work it handles, which follows from the resume.
            self.note_as(event, description);
            self.resume(target);
            return Ok(());
        }
        let acted = if action.is_about_servers() {
            self.act_on_servers(action, target)
        } else if action.is_about_network() {
            self.act_on_network(action)
        } else {
            self.act_on_settings(action)
        };
        match acted {
            Acted::Done => {
                self.note_as(event, description);
                Ok(())
            }
            Acted::Refused(why) => self.noted(&why),
            Acted::Finished(outcome) => outcome,
        }
    }

    /// Crashes, restarts, isolates, pauses, reconfigures or adjusts servers (`target` is the
    /// server the action hit).
    fn act_on_servers(&mut self, action: Action, target: NodeId) -> Acted {
        match action {
            Action::Crash { .. } | Action::CrashLeader { .. } => self.crash(target),
            Action::Restart { .. } => self.restart(target),
            Action::RestartAll => {
                for id in self.all_ids() {
                    if !self.server(id).is_some_and(|s| s.up) {
                        self.restart(id);
                    }
                }
            }
            Action::Timeout { node } => {
                if self.server(node).is_some_and(|s| s.up) {
                    if let Some(slot) = self.slot_mut(node) {
                        slot.timers.remove(&TimerKind::Election);
                    }
                    let _ = self.run_handler(node, ServerEvent::Timer(TimerKind::Election));
                }
            }
            Action::Isolate { .. } | Action::IsolateLeader { .. } => self.isolate(target),
            Action::Connect { .. } => {
                let all = self.all_ids();
                self.network.connect(target, &all);
            }
            Action::Pause { .. } | Action::PauseLeader { .. } => self.pause(target),
            Action::JumpClock { by_ms, .. } => {
                let now = self.now;
                if let Some(slot) = self.slot_mut(target) {
                    slot.clock.jump(now, by_ms * MS as i64);
                }
            }
            Action::Snapshot { node } => {
                if self.config.protocol != ProtocolKind::Raft {
                    return Acted::Refused(RAFT_ONLY.to_string());
                }
                if let Some(raft) = self
                    .slot_mut(node)
                    .filter(|s| s.up)
                    .and_then(|s| s.node.as_raft_mut())
                {
                    raft.take_snapshot();
                }
                self.check_server(node);
            }
            Action::SetClockRate { node, rate } => {
                let now = self.now;
                if let Some(slot) = self.slot_mut(node) {
                    slot.clock.set_rate(now, rate);
                }
                self.config.clock_rates.insert(node, rate);
            }
            // The leader's own note says what it proposes; only refusals are noted here.
            Action::AddServer => return Acted::Finished(self.add_server()),
            Action::RemoveServer { node } => {
                return match self.ask_leader(MembershipChange::Remove(node)) {
                    Ok(()) => Acted::Finished(Ok(())),
                    Err(why) => Acted::Refused(format!("S{node} was not removed: {why}")),
                };
            }
            // Actions of the other families are carried out by their own step.
            _ => return Acted::Refused("this action is not about servers".to_string()),
        }
        Acted::Done
    }

    /// Changes the network: partitions, cut links, message faults, single messages, link settings.
    fn act_on_network(&mut self, action: Action) -> Acted {
        match action {
            Action::Partition { groups, replace } => {
                if replace {
                    self.network.heal();
                }
                let all = self.all_ids();
                self.network.partition(&groups, &all);
                self.doom_crossing_cuts();
            }
            Action::Heal => self.network.heal(),
            Action::CutLink { from, to } => {
                self.network.cut(Addr::Server(from), Addr::Server(to));
                self.doom_crossing_cuts();
            }
            Action::RestoreLink { from, to } => {
                self.network.restore(Addr::Server(from), Addr::Server(to))
            }
            Action::SetMessageFault { fault } => self.network.set_message_fault(fault),
            Action::ClearMessageFaults => self.network.clear_message_faults(),
            Action::CutClientLink { client, server } => {
                if client == ClientEnd::Balancer && self.balancer.is_none() {
                    return Acted::Refused(
                        "the clients do not go through a load balancer".to_string(),
                    );
                }
                let (c, s) = (client.addr(), Addr::Server(server));
                self.network.cut(c, s);
                self.network.cut(s, c);
                self.doom_crossing_cuts();
            }
            Action::RestoreClientLink { client, server } => {
                let (c, s) = (client.addr(), Addr::Server(server));
                self.network.restore(c, s);
                self.network.restore(s, c);
            }
            Action::DropMessage { id } => {
                let now = self.now;
                match self.in_flight.get_mut(&id) {
                    Some(m) if m.doom.is_none() => {
                        m.doom = Some((now, LossCause::Dropped));
                        self.push(now, EventKind::Arrive(id));
                    }
                    Some(_) => return Acted::Refused(format!("message #{id} is already doomed")),
                    None => return Acted::Refused(format!("message #{id} is no longer in flight")),
                }
            }
            Action::DuplicateMessage { id } => {
                let Some(original) = self.in_flight.get(&id).cloned() else {
                    return Acted::Refused(format!("message #{id} is no longer in flight"));
                };
                let copy_id = self.next_msg;
                self.next_msg += 1;
                self.record.stats.messages_sent += 1;
                let extra = self
                    .rng
                    .range_inclusive(MS, self.config.network.latency_min_ms.max(2) * MS);
                let copy = Envelope {
                    id: copy_id,
                    deliver_at: original.deliver_at.max(self.now) + extra,
                    duplicate: true,
                    ..original
                };
                self.push(copy.ends_at(), EventKind::Arrive(copy_id));
                self.in_flight.insert(copy_id, copy);
            }
            Action::SetNetwork { network } => {
                self.config.network = network.clone();
                self.network.config = network;
            }
            Action::SetLink { from, to, network } => {
                self.network
                    .set_link(Addr::Server(from), Addr::Server(to), network)
            }
            // Actions of the other families are carried out by their own step.
            _ => return Acted::Refused("this action is not about network".to_string()),
        }
        Acted::Done
    }

    /// Changes settings, the balancer and the workload, or sends a request by hand.
    fn act_on_settings(&mut self, action: Action) -> Acted {
        match action {
            Action::ClientRequest { op, server, read } => {
                let manual = self.idle_manual_client();
                self.client_event(manual, |actor, ctx| {
                    if let Some(s) = server {
                        actor.prefer_server(s);
                    }
                    actor.queued.push_back((op, read));
                    actor.start_next(ctx);
                });
            }
            Action::SetTiming { timing } => self.config.timing = timing,
            Action::SetRaftOptions { raft } => self.config.raft = raft,
            Action::SetPaxosOptions { paxos } => self.config.paxos = paxos,
            Action::SetBalancerStrategy { strategy } => match self.balancer.as_mut() {
                Some(lb) => lb.set_strategy(strategy),
                None => {
                    return Acted::Refused(
                        "the clients do not go through a load balancer".to_string(),
                    )
                }
            },
            Action::SetServerWeight { node, weight } => match self.balancer.as_mut() {
                Some(lb) => lb.set_weight(node, weight),
                None => {
                    return Acted::Refused(
                        "the clients do not go through a load balancer".to_string(),
                    )
                }
            },
            Action::SetWorkload { workload } => self.set_workload(workload),
            Action::SetStaleReads { enabled } => match self.balancer.as_mut() {
                Some(lb) => lb.set_stale_reads(enabled),
                None => {
                    return Acted::Refused(
                        "the clients do not go through a load balancer".to_string(),
                    )
                }
            },
            Action::SpreadTimers => self.plan_election_timers(true),
            Action::AlignTimers => self.plan_election_timers(false),
            Action::SetWorkloadRunning { running } => {
                self.workload_running = running;
                if running {
                    for c in 0..self.workload.clients {
                        let id = c as ClientId + 1;
                        if self
                            .client_slot(id)
                            .is_some_and(|s| s.actor.outstanding.is_none())
                        {
                            self.wake_client(id, self.now);
                        }
                    }
                }
            }

            // Actions of the other families are carried out by their own step.
            _ => return Acted::Refused("this action is not about settings".to_string()),
        }
        Acted::Done
    }

    /// A hand-driven client with nothing in progress: an existing one, or a new one (so requests
    /// issued in quick succession run concurrently, like several people at keyboards).
    fn idle_manual_client(&mut self) -> ClientId {
        let manual: Vec<&ClientSlot> = self.clients.iter().filter(|c| !c.actor.generates).collect();
        if let Some(idle) = manual.iter().find(|c| c.actor.is_idle()) {
            return idle.actor.id;
        }
        if manual.len() >= MAX_MANUAL_CLIENTS {
            return manual[0].actor.id;
        }
        let id = self.clients.len() as ClientId + 1;
        let session = self.next_session;
        self.next_session += 1;
        let first = self.rng.below(self.servers.len()) as u64;
        self.clients.push(ClientSlot {
            actor: ClientActor::new(id, session, false, first),
            generation: 0,
        });
        id
    }

    /// Restarts the election timer of every running non-leader: evenly spread over the timeout
    /// range (one clear winner), or all at the shortest timeout (a split vote).
    fn plan_election_timers(&mut self, spread: bool) {
        let waiting: Vec<NodeId> = self
            .servers
            .iter()
            .filter(|s| s.up && s.node.role() != Role::Leader)
            .map(|s| s.node.id())
            .collect();
        let t = &self.config.timing;
        let (lo, hi) = (t.election_min(), t.election_max());
        let n = waiting.len().max(1) as u64;
        for (i, id) in waiting.into_iter().enumerate() {
            let after = if spread {
                lo + (hi - lo) * i as u64 / n
            } else {
                lo
            };
            self.set_server_timer(id, TimerKind::Election, after);
        }
    }

    /// Every server slot's id, including servers added since the start.
    fn all_ids(&self) -> Vec<NodeId> {
        (1..=self.servers.len() as NodeId).collect()
    }

    /// Asks the leader for a configuration change; returns the leader's refusal, if any.
    fn ask_leader(&mut self, change: MembershipChange) -> Result<(), String> {
        let Some(leader) = self.leader() else {
            return Err("there is no leader to ask".into());
        };
        if self.config.protocol != ProtocolKind::Raft {
            return Err(RAFT_ONLY.into());
        }
        self.run_handler(leader, ServerEvent::ProposeMembership(change))
    }

    fn add_server(&mut self) -> Result<(), FieldError> {
        if self.servers.len() >= MAX_SERVERS {
            return self.noted(&format!("the cluster already has {MAX_SERVERS} servers"));
        }
        let id = self.servers.len() as NodeId + 1;
        if let Err(why) = self.ask_leader(MembershipChange::Add(id)) {
            return self.noted(&format!("S{id} was not added: {why}"));
        }
        // The new server knows no configuration: it learns it from the leader's log, as a learner.
        self.servers.push(ServerSlot {
            node: ServerNode::Raft(RaftNode::new(id, Membership::default())),
            up: true,
            timers: Timers::default(),
            clock: Clock::new(self.config.clock_rate(id)),
            paused: false,
            stalled: Vec::new(),
            timer_generation: 0,
            provenance: crate::provenance::Provenance::default(),
        });
        self.note(format!("S{id} started, empty, to join the cluster"));
        let now = self.now;
        if let Some(lb) = self.balancer.as_mut() {
            lb.add_backend(id, now);
        }
        let _ = self.run_handler(id, ServerEvent::Boot);
        Ok(())
    }

    /// Marks on the trace's lanes whom each server is now cut off from (either way), when
    /// recording.
    pub(crate) fn trace_cuts(&mut self) {
        if self.trace().is_none() {
            return;
        }
        let ids = self.all_ids();
        let now = self.now;
        let masks: Vec<(NodeId, u32)> = ids
            .iter()
            .map(|&a| {
                let mask = ids
                    .iter()
                    .filter(|&&b| {
                        b != a
                            && (self.network.is_cut(Addr::Server(a), Addr::Server(b))
                                || self.network.is_cut(Addr::Server(b), Addr::Server(a)))
                    })
                    .fold(0u32, |m, &b| m | (1 << (b - 1)));
                (a, mask)
            })
            .collect();
        if let Some(trace) = self.trace.0.as_mut() {
            for (server, mask) in masks {
                trace.cut_off(now, server, mask);
            }
        }
    }

    fn noted(&mut self, text: &str) -> Result<(), FieldError> {
        self.note(format!("nothing done: {text}"));
        Ok(())
    }

    fn crash(&mut self, node: NodeId) {
        let now = self.now;
        let Some(slot) = self.slot_mut(node) else {
            return;
        };
        if !slot.up {
            return;
        }
        let was_leader = slot.node.role() == Role::Leader;
        slot.up = false;
        // A crashed process is no longer stalled: what waited for it is lost with it.
        slot.paused = false;
        slot.stalled.clear();
        let before = crate::provenance::Values::of(&slot.node);
        slot.node.crash();
        let after = crate::provenance::Values::of(&slot.node);
        slot.provenance
            .record(before, after, now, || crate::provenance::Trigger::Action);
        slot.timers.clear();
        slot.timer_generation += 1;
        self.trace_mark(node, Mark::Crashed);
        // Only the crash of the one leader the cluster follows takes service away.
        if was_leader && self.leader().is_none() {
            let at = self.now;
            self.record.stats.leader_crashes.push(LeaderCrash {
                at,
                next_leader_at: None,
            });
        }
        self.check_server(node);
    }

    fn pause(&mut self, node: NodeId) {
        if let Some(slot) = self.slot_mut(node) {
            slot.paused = true;
            self.trace_mark(node, Mark::Paused);
        }
    }

    /// Lets a paused server run: it handles what queued up while it stalled, in order.
    fn resume(&mut self, node: NodeId) {
        let Some(slot) = self.slot_mut(node) else {
            return;
        };
        if !slot.paused {
            return;
        }
        slot.paused = false;
        let work = std::mem::take(&mut slot.stalled);
        self.trace_mark(node, Mark::Resumed);
        for item in work {
            if !self.server(node).is_some_and(|s| s.up && !s.paused) {
                break;
            }
            let event = match item {
                Stalled::Message { from, payload } => ServerEvent::Message { from, payload },
                Stalled::Timer(kind) => ServerEvent::Timer(kind),
            };
            let _ = self.run_handler(node, event);
        }
    }

    fn restart(&mut self, node: NodeId) {
        let Some(slot) = self.slot_mut(node) else {
            return;
        };
        if slot.up {
            return;
        }
        slot.up = true;
        self.trace_mark(node, Mark::Restarted);
        let _ = self.run_handler(node, ServerEvent::Boot);
    }

    fn isolate(&mut self, node: NodeId) {
        let all = self.all_ids();
        self.network.isolate(node, &all);
        self.doom_crossing_cuts();
    }

    /// Messages on a link that has just been cut die at the cut, unless they already passed it.
    fn doom_crossing_cuts(&mut self) {
        let now = self.now;
        let mut reschedule = Vec::new();
        for m in self.in_flight.values_mut() {
            if m.doom.is_some() || !self.network.is_cut(m.from, m.to) {
                continue;
            }
            let at = cut_point(m.sent_at, m.deliver_at);
            if at >= now {
                m.doom = Some((at, LossCause::Cut));
                reschedule.push((at, m.id));
            }
        }
        for (at, id) in reschedule {
            self.push(at, EventKind::Arrive(id));
        }
    }
}
