//! The load balancer as an actor of the simulation: clients send it their requests, it picks a
//! server with its strategy and forwards them, answers come back through it (so it can track
//! requests in flight and latency), and it learns the leader — from "not leader" answers (it
//! re-sends such a request there once or twice before giving up to the client) and from who
//! answers a write (only a leader does). Health checks every
//! interval take servers that stop answering out of rotation and bring them back when they do.

use std::convert::Infallible;

use serde::{Deserialize, Serialize};

use super::strategy::{Backend, Balancer, Strategy};
use crate::WakeUp;
use quorum_core::actor::Ctx;
use quorum_core::error::FieldError;
use quorum_core::small_map::SmallMap;
use quorum_core::time::{Time, MS};
use quorum_core::Addr;
use quorum_core::NodeId;
use quorum_service::kv::ClientCommand;
use quorum_service::{ClientReply, ClientRequest, ReadConsistency, ReplyOutcome, Traffic};

/// How many times the balancer re-sends a refused request (to the leader it was told about, or
/// to another server) before passing the refusal to the client.
const REDIRECTS: u8 = 3;

/// The latency a refusal counts as for latency-based strategies, µs.
const REFUSAL_PENALTY: Time = 1_000_000;

/// The balancer's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BalancerConfig {
    /// How to pick a server.
    pub strategy: Strategy,
    /// How often to health-check every server, ms.
    pub health_check_ms: u64,
    /// Missed health checks before a server leaves rotation.
    pub unhealthy_after: u32,
    /// Send reads as stale reads: any replica answers from its own state (fast, unsafe).
    pub stale_reads: bool,
}

impl Default for BalancerConfig {
    fn default() -> Self {
        BalancerConfig {
            strategy: Strategy::LeaderAware,
            health_check_ms: 100,
            unhealthy_after: 3,
            stale_reads: false,
        }
    }
}

impl BalancerConfig {
    /// Checks the settings; names the offending field.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        if self.health_check_ms == 0 {
            return Err(FieldError::new(
                format!("{path}.health_check_ms"),
                "must be greater than zero",
            ));
        }
        if self.unhealthy_after == 0 {
            return Err(FieldError::new(
                format!("{path}.unhealthy_after"),
                "must be at least 1",
            ));
        }
        if let Strategy::ConsistentHash {
            vnodes,
            bounded_load,
        } = self.strategy
        {
            if vnodes == 0 || vnodes > 1024 {
                return Err(FieldError::new(
                    format!("{path}.strategy.vnodes"),
                    "must be between 1 and 1024",
                ));
            }
            if bounded_load.is_some_and(|f| !(f.is_finite() && f >= 1.0)) {
                return Err(FieldError::new(
                    format!("{path}.strategy.bounded_load"),
                    "must be at least 1 (1.25 lets a server take 25% more than average)",
                ));
            }
        }
        Ok(())
    }
}

/// A request the balancer forwarded and owes the client an answer for.
#[derive(Clone, Debug, PartialEq)]
struct Forwarded {
    client: Addr,
    backend: NodeId,
    sent_at: Time,
    command: ClientCommand,
    redirects: u8,
    /// Servers that refused this request (not tried again for it).
    refused: Vec<NodeId>,
    /// The read consistency the client asked for.
    consistency: ReadConsistency,
}

/// Per-server counters for the metrics panel.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BackendStats {
    /// Requests routed to the server.
    pub routed: u64,
    /// "Not leader" answers it gave.
    pub redirected: u64,
    /// Answers it gave.
    pub answered: u64,
}

/// The context a balancer handler runs in: it forwards client traffic, sets its health-check
/// timer and writes to the feed; it has nothing to report and reads no shared configuration.
pub type BalancerCtx<'a> = Ctx<'a, Traffic, WakeUp, (), Infallible>;

/// The balancer actor.
#[derive(Clone, Debug, PartialEq)]
pub struct BalancerActor {
    /// Strategy state.
    balancer: Balancer,
    /// Settings.
    config: BalancerConfig,
    forwarded: SmallMap<(u64, u64), Forwarded>,
    last_seen: SmallMap<NodeId, Time>,
    /// Per-server counters.
    stats: SmallMap<NodeId, BackendStats>,
}

impl BalancerActor {
    /// A balancer in front of `servers`.
    pub fn new(config: BalancerConfig, servers: impl IntoIterator<Item = NodeId>) -> Self {
        let servers: Vec<NodeId> = servers.into_iter().collect();
        BalancerActor {
            balancer: Balancer::new(config.strategy, servers.iter().copied()),
            config,
            forwarded: SmallMap::new(),
            last_seen: servers.iter().map(|&s| (s, 0)).collect(),
            stats: servers
                .iter()
                .map(|&s| (s, BackendStats::default()))
                .collect(),
        }
    }

    /// Its settings.
    pub fn config(&self) -> &BalancerConfig {
        &self.config
    }

    /// The leader it believes in (leader-aware routing), if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.balancer.leader()
    }

    /// The servers it sends to, with their health, weight and load, in id order.
    pub fn backends(&self) -> &[Backend] {
        self.balancer.backends()
    }

    /// The counters of one server.
    pub fn stats_of(&self, id: NodeId) -> BackendStats {
        self.stats.get(&id).cloned().unwrap_or_default()
    }

    /// Gives a server a weight for weighted round robin.
    pub fn set_weight(&mut self, id: NodeId, weight: u32) {
        self.balancer.set_weight(id, weight);
    }

    /// Lets stale reads go to any replica (or not).
    pub fn set_stale_reads(&mut self, enabled: bool) {
        self.config.stale_reads = enabled;
    }

    /// Starts sending to a server that joined the cluster.
    pub fn add_backend(&mut self, id: NodeId, now: Time) {
        self.balancer.add_backend(id);
        self.last_seen.get_or_insert_with(id, || now);
        self.stats.get_or_default(id);
    }

    /// Follows a committed configuration: servers it no longer lists leave rotation for good
    /// (they would only answer "not leader"), members not yet known join. Returns notes for
    /// the feed.
    pub fn follow_membership(&mut self, members: &[NodeId], now: Time) -> Vec<String> {
        let mut notes = Vec::new();
        let known: Vec<NodeId> = self.balancer.backends().iter().map(|b| b.id).collect();
        for id in known.iter().copied().filter(|id| !members.contains(id)) {
            self.balancer.remove_backend(id);
            notes.push(format!(
                "the load balancer no longer sends to S{id}: it left the cluster"
            ));
        }
        for &id in members.iter().filter(|id| !known.contains(id)) {
            self.add_backend(id, now);
            notes.push(format!("the load balancer now also sends to S{id}"));
        }
        notes
    }

    /// Changes the strategy.
    pub fn set_strategy(&mut self, strategy: Strategy) {
        self.config.strategy = strategy;
        self.balancer.set_strategy(strategy);
    }

    fn forward(&mut self, ctx: &mut BalancerCtx<'_>, backend: NodeId, entry: Forwarded) {
        let now = ctx.now;
        let consistency = if self.config.stale_reads && entry.command.op.is_read() {
            ReadConsistency::Stale
        } else {
            entry.consistency
        };
        self.balancer.on_sent(backend);
        self.stats.get_or_default(backend).routed += 1;
        ctx.send(
            Addr::Server(backend),
            Traffic::Request(ClientRequest {
                reply_to: Addr::Balancer,
                command: entry.command.clone(),
                hops: 0,
                consistency,
            }),
        );
        let key = (entry.command.session, entry.command.seq);
        self.forwarded.insert(
            key,
            Forwarded {
                backend,
                sent_at: now,
                ..entry
            },
        );
    }

    /// A client's request arrived.
    pub fn on_request(&mut self, ctx: &mut BalancerCtx<'_>, request: ClientRequest) {
        let now = ctx.now;
        let key = (request.command.session, request.command.seq);
        if let Some(old) = self.forwarded.remove(&key) {
            // The client retried: the earlier attempt will not be waited for.
            self.balancer.on_lost(old.backend);
        }
        let op = &request.command.op;
        match self.balancer.pick(op.key(), !op.is_read(), ctx.rng()) {
            Some(backend) => {
                let entry = Forwarded {
                    client: request.reply_to,
                    backend,
                    sent_at: now,
                    command: request.command,
                    redirects: 0,
                    refused: Vec::new(),
                    consistency: request.consistency,
                };
                self.forward(ctx, backend, entry);
            }
            None => ctx.send(
                request.reply_to,
                Traffic::Reply(ClientReply {
                    session: request.command.session,
                    seq: request.command.seq,
                    outcome: ReplyOutcome::NotLeader { leader_hint: None },
                }),
            ),
        }
    }

    /// A server answered a forwarded request.
    pub fn on_reply(&mut self, ctx: &mut BalancerCtx<'_>, from: NodeId, reply: ClientReply) {
        let now = ctx.now;
        self.seen(ctx, from);
        let Some(entry) = self.forwarded.remove(&(reply.session, reply.seq)) else {
            return; // an answer to an attempt already given up on
        };
        self.balancer
            .on_answer(entry.backend, now.saturating_sub(entry.sent_at), now);
        if matches!(reply.outcome, ReplyOutcome::Done { .. }) && !entry.command.op.is_read() {
            // Only the leader answers a write (followers forward it): that is who leads.
            self.balancer.learn_leader(from);
        }
        let stats = self.stats.get_or_default(from);
        stats.answered += 1;
        if let ReplyOutcome::NotLeader { leader_hint } = &reply.outcome {
            stats.redirected += 1;
            // A server that cannot serve is no fast server: count the refusal as a slow answer,
            // or latency-based strategies would keep choosing the quickest refuser. The refusal
            // may come from the server the backend forwarded to: the backend chosen is the one
            // that failed to get the request served, so it is penalised and avoided too.
            self.balancer.on_sent(entry.backend);
            self.balancer.on_answer(entry.backend, REFUSAL_PENALTY, now);
            if entry.redirects < REDIRECTS {
                let mut refused = entry.refused.clone();
                refused.push(from);
                if entry.backend != from {
                    refused.push(entry.backend);
                }
                let target = match *leader_hint {
                    Some(leader) if !refused.contains(&leader) => {
                        self.balancer.learn_leader(leader);
                        Some(leader)
                    }
                    _ => {
                        // No useful hint: try a server that has not refused yet.
                        let op = &entry.command.op;
                        self.balancer
                            .pick_excluding(op.key(), !op.is_read(), ctx.rng(), &refused)
                    }
                };
                if let Some(target) = target.filter(|t| !refused.contains(t)) {
                    let retry = Forwarded {
                        redirects: entry.redirects + 1,
                        refused,
                        ..entry
                    };
                    self.forward(ctx, target, retry);
                    return;
                }
            }
        }
        ctx.send(entry.client, Traffic::Reply(reply));
    }

    fn seen(&mut self, ctx: &mut BalancerCtx<'_>, id: NodeId) {
        self.last_seen.insert(id, ctx.now);
        let back = self
            .balancer
            .backends()
            .iter()
            .any(|b| b.id == id && !b.healthy);
        if back {
            self.balancer.set_healthy(id, true);
            ctx.note(format!("the load balancer put S{id} back into rotation"));
        }
    }

    /// A server answered a health check.
    pub fn on_pong(&mut self, ctx: &mut BalancerCtx<'_>, from: NodeId) {
        self.seen(ctx, from);
    }

    /// Time for health checks: take silent servers out of rotation and ping everyone.
    pub fn on_tick(&mut self, ctx: &mut BalancerCtx<'_>) {
        let now = ctx.now;
        let interval = self.config.health_check_ms * MS;
        let limit = interval * self.config.unhealthy_after as u64;
        let ids: Vec<(NodeId, bool)> = self
            .balancer
            .backends()
            .iter()
            .map(|b| (b.id, b.healthy))
            .collect();
        for (id, healthy) in ids {
            let silent = now.saturating_sub(self.last_seen.get(&id).copied().unwrap_or(0));
            if healthy && silent > limit {
                self.balancer.set_healthy(id, false);
                ctx.note(format!(
                    "the load balancer took S{id} out of rotation: no answer for {} ms",
                    silent / MS
                ));
            }
            ctx.send(Addr::Server(id), Traffic::Ping);
        }
        ctx.set_timer(WakeUp, interval);
    }

    /// Requests forwarded and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.forwarded.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_service::kv::{KvOp, KvResult};

    use quorum_core::actor::Effect;
    use quorum_core::rng::Rng;

    /// What one handler call sent and wrote to the feed.
    #[derive(Default)]
    struct Step {
        sends: Vec<(Addr, Traffic)>,
        notes: Vec<String>,
    }

    /// Runs a handler at `now` and sorts what it recorded.
    fn step(now: Time, rng: &mut Rng, f: impl FnOnce(&mut BalancerCtx<'_>)) -> Step {
        let mut effects = Vec::new();
        f(&mut BalancerCtx::new(now, 0, now, (), rng, &mut effects));
        let mut out = Step::default();
        for e in effects {
            match e {
                Effect::Send { to, payload, .. } => out.sends.push((to, payload)),
                Effect::Note(_, text) => out.notes.push(text),
                _ => {}
            }
        }
        out
    }

    fn request(session: u64, seq: u64, op: KvOp) -> ClientRequest {
        ClientRequest {
            reply_to: Addr::Client(1),
            command: ClientCommand { session, seq, op },
            hops: 0,
            consistency: ReadConsistency::Linearizable,
        }
    }

    #[test]
    fn a_not_leader_answer_teaches_the_leader_and_the_request_is_resent_there() {
        let mut lb = BalancerActor::new(
            BalancerConfig {
                strategy: Strategy::RoundRobin,
                ..Default::default()
            },
            1..=3,
        );
        let mut rng = Rng::new(1);
        let put = request(
            7,
            1,
            KvOp::Put {
                key: "x".into(),
                value: 1,
            },
        );
        let step = step(0, &mut rng, |ctx| lb.on_request(ctx, put));
        let (to, _) = &step.sends[0];
        let first = to.server().unwrap();
        let leader = if first == 3 { 1 } else { 3 };
        let reply = ClientReply {
            session: 7,
            seq: 1,
            outcome: ReplyOutcome::NotLeader {
                leader_hint: Some(leader),
            },
        };
        let step = super::tests::step(10, &mut rng, |ctx| lb.on_reply(ctx, first, reply));
        assert_eq!(
            step.sends[0].0,
            Addr::Server(leader),
            "re-sent to the leader"
        );
        assert_eq!(lb.balancer.leader(), Some(leader));
        let done = ClientReply {
            session: 7,
            seq: 1,
            outcome: ReplyOutcome::Done {
                result: KvResult::Done,
            },
        };
        let step = super::tests::step(20, &mut rng, |ctx| lb.on_reply(ctx, leader, done));
        assert_eq!(
            step.sends[0].0,
            Addr::Client(1),
            "the answer goes back to the client"
        );
        assert_eq!(lb.in_flight(), 0);
    }

    #[test]
    fn silent_servers_leave_rotation_and_return_when_they_answer() {
        let mut lb = BalancerActor::new(BalancerConfig::default(), 1..=2);
        let mut rng = Rng::new(1);
        step(250_000, &mut rng, |ctx| lb.on_pong(ctx, 1));
        let tick = step(400_000, &mut rng, |ctx| lb.on_tick(ctx));
        let step = tick;
        assert!(step.notes.iter().any(|n| n.contains("S2 out of rotation")));
        assert!(!lb.balancer.backends()[1].healthy);
        assert!(lb.balancer.backends()[0].healthy);
        let step = super::tests::step(410_000, &mut rng, |ctx| lb.on_pong(ctx, 2));
        assert!(step.notes.iter().any(|n| n.contains("S2 back")));
        assert!(lb.balancer.backends()[1].healthy);
    }

    #[test]
    fn stale_reads_are_marked_for_the_server() {
        let mut lb = BalancerActor::new(
            BalancerConfig {
                stale_reads: true,
                ..Default::default()
            },
            1..=2,
        );
        let get = request(1, 1, KvOp::Get { key: "x".into() });
        let step = step(0, &mut Rng::new(2), |ctx| lb.on_request(ctx, get));
        assert!(
            matches!(&step.sends[0].1, Traffic::Request(r) if r.consistency == ReadConsistency::Stale)
        );
        let put = request(
            1,
            2,
            KvOp::Put {
                key: "x".into(),
                value: 3,
            },
        );
        let step = super::tests::step(0, &mut Rng::new(2), |ctx| lb.on_request(ctx, put));
        assert!(
            matches!(&step.sends[0].1, Traffic::Request(r) if r.consistency != ReadConsistency::Stale),
            "writes never are"
        );
    }
}
