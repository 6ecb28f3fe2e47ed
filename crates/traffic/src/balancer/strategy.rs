//! Routing strategies and the balancer state they decide from.
//!
//! - **Round robin**: each healthy server in turn — even load, blind to slow servers.
//! - **Random**: uniform — even on average, lumpy in the short run.
//! - **Weighted round robin**: in proportion to per-server weights, interleaved smoothly (nginx's
//!   smooth weighted round robin).
//! - **Least outstanding**: the server with the fewest requests in flight; ties broken randomly.
//! - **Power of two choices**: two random servers, the less loaded of them — nearly as good as
//!   least outstanding without looking at everyone.
//! - **Peak EWMA**: the lowest expected latency × (requests in flight + 1), latency tracked as an
//!   exponentially weighted moving average that jumps up to a slow sample at once (Finagle).
//! - **Consistent hashing** on the key, with virtual nodes and an optional bounded-load factor
//!   (a server may take at most `factor` × the average load; extra requests go on around the ring).
//! - **Leader-aware**: writes go to the leader learned from redirects; reads are spread round robin.

use serde::{Deserialize, Serialize};

use super::hashring::HashRing;
use quorum_core::rng::Rng;
use quorum_core::time::Time;
use quorum_core::NodeId;

/// How the balancer picks a server.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Strategy {
    /// Each healthy server in turn.
    RoundRobin,
    /// A uniformly random healthy server.
    Random,
    /// In proportion to the servers' weights.
    WeightedRoundRobin,
    /// The server with the fewest requests in flight.
    LeastOutstanding,
    /// The less loaded of two random servers.
    PowerOfTwoChoices,
    /// The lowest peak-EWMA latency times load.
    PeakEwma,
    /// By the key's place on a hash ring.
    ConsistentHash {
        /// Points per server on the ring.
        vnodes: usize,
        /// At most this factor × the average load per server (e.g. 1.25); none: unbounded.
        bounded_load: Option<f64>,
    },
    /// Writes to the leader, reads spread.
    LeaderAware,
}

impl Strategy {
    /// One word for the strategy, short enough to print inside the balancer's box.
    pub fn short_label(&self) -> &'static str {
        match self {
            Strategy::RoundRobin => "rr",
            Strategy::Random => "random",
            Strategy::WeightedRoundRobin => "weight",
            Strategy::LeastOutstanding => "least",
            Strategy::PowerOfTwoChoices => "p2c",
            Strategy::PeakEwma => "ewma",
            Strategy::ConsistentHash { .. } => "hash",
            Strategy::LeaderAware => "leader",
        }
    }

    /// The name people see.
    pub fn label(&self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round robin",
            Strategy::Random => "random",
            Strategy::WeightedRoundRobin => "weighted round robin",
            Strategy::LeastOutstanding => "least outstanding",
            Strategy::PowerOfTwoChoices => "power of two choices",
            Strategy::PeakEwma => "peak EWMA latency",
            Strategy::ConsistentHash {
                bounded_load: Some(_),
                ..
            } => "consistent hashing, bounded load",
            Strategy::ConsistentHash { .. } => "consistent hashing",
            Strategy::LeaderAware => "leader-aware",
        }
    }
}

/// What the balancer knows about one server.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend {
    /// The server.
    pub id: NodeId,
    /// Relative share for weighted round robin.
    pub weight: u32,
    /// In rotation (health checks pass).
    pub healthy: bool,
    /// Requests sent and not yet answered.
    pub outstanding: u32,
    /// Requests sent in total.
    pub sent: u64,
    /// Peak EWMA of the reply latency, µs (0: no sample yet).
    pub ewma: f64,
    /// When the EWMA was last updated.
    pub sampled_at: Time,
    /// Smooth weighted round robin's running weight.
    current: i64,
}

/// How fast the latency average forgets, µs (Finagle's default decay is 10 s; simulated runs
/// are short, so one second).
const EWMA_DECAY: f64 = 1_000_000.0;

/// The balancer's state and its strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Balancer {
    /// The strategy in force.
    pub strategy: Strategy,
    backends: Vec<Backend>,
    cursor: usize,
    ring: HashRing,
    leader: Option<NodeId>,
}

impl Balancer {
    /// A balancer over `servers`, all healthy with weight 1.
    pub fn new(strategy: Strategy, servers: impl IntoIterator<Item = NodeId>) -> Self {
        let backends: Vec<Backend> = servers
            .into_iter()
            .map(|id| Backend {
                id,
                weight: 1,
                healthy: true,
                outstanding: 0,
                sent: 0,
                ewma: 0.0,
                sampled_at: 0,
                current: 0,
            })
            .collect();
        let mut b = Balancer {
            strategy,
            backends,
            cursor: 0,
            ring: HashRing::default(),
            leader: None,
        };
        b.rebuild_ring();
        b
    }

    fn rebuild_ring(&mut self) {
        let vnodes = match self.strategy {
            Strategy::ConsistentHash { vnodes, .. } => vnodes,
            _ => 64,
        };
        self.ring = HashRing::new(self.backends.iter().map(|b| b.id), vnodes);
    }

    /// Switches strategy (keeping what is known about the servers).
    pub fn set_strategy(&mut self, strategy: Strategy) {
        self.strategy = strategy;
        self.rebuild_ring();
    }

    /// The servers as the balancer sees them.
    pub fn backends(&self) -> &[Backend] {
        &self.backends
    }

    /// The leader it has heard of.
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    fn backend_mut(&mut self, id: NodeId) -> Option<&mut Backend> {
        self.backends.iter_mut().find(|b| b.id == id)
    }

    /// Adds a server (e.g. after a membership change); no-op if known.
    pub fn add_backend(&mut self, id: NodeId) {
        if self.backends.iter().all(|b| b.id != id) {
            self.backends.push(Backend {
                id,
                weight: 1,
                healthy: true,
                outstanding: 0,
                sent: 0,
                ewma: 0.0,
                sampled_at: 0,
                current: 0,
            });
            self.rebuild_ring();
        }
    }

    /// Removes a server that left the cluster; no-op if unknown.
    pub fn remove_backend(&mut self, id: NodeId) {
        let before = self.backends.len();
        self.backends.retain(|b| b.id != id);
        if self.backends.len() != before {
            self.cursor = 0;
            if self.leader == Some(id) {
                self.leader = None;
            }
            self.rebuild_ring();
        }
    }

    /// Sets a server's weight (weighted round robin).
    pub fn set_weight(&mut self, id: NodeId, weight: u32) {
        if let Some(b) = self.backend_mut(id) {
            b.weight = weight;
        }
    }

    /// Takes a server out of rotation or brings it back.
    pub fn set_healthy(&mut self, id: NodeId, healthy: bool) {
        if let Some(b) = self.backend_mut(id) {
            b.healthy = healthy;
        }
    }

    /// Remembers the leader a server pointed to.
    pub fn learn_leader(&mut self, id: NodeId) {
        self.leader = Some(id);
    }

    /// Records a request sent to `id`.
    pub fn on_sent(&mut self, id: NodeId) {
        if let Some(b) = self.backend_mut(id) {
            b.outstanding += 1;
            b.sent += 1;
        }
    }

    /// Records an answer from `id` after `latency` µs.
    pub fn on_answer(&mut self, id: NodeId, latency: Time, now: Time) {
        if let Some(b) = self.backend_mut(id) {
            b.outstanding = b.outstanding.saturating_sub(1);
            let sample = latency as f64;
            if sample > b.ewma {
                b.ewma = sample; // peak: jump up at once
            } else {
                let w = (-(now.saturating_sub(b.sampled_at) as f64) / EWMA_DECAY).exp();
                b.ewma = b.ewma * w + sample * (1.0 - w);
            }
            b.sampled_at = now;
        }
    }

    /// Records that a request to `id` will get no answer (timed out).
    pub fn on_lost(&mut self, id: NodeId) {
        if let Some(b) = self.backend_mut(id) {
            b.outstanding = b.outstanding.saturating_sub(1);
        }
    }

    fn healthy(&self) -> Vec<usize> {
        (0..self.backends.len())
            .filter(|&i| self.backends[i].healthy)
            .collect()
    }

    /// Picks the server for a request on `key` (a write if `write`); `None` when no server is
    /// healthy.
    pub fn pick(&mut self, key: &str, write: bool, rng: &mut Rng) -> Option<NodeId> {
        self.pick_excluding(key, write, rng, &[])
    }

    /// Like [`Balancer::pick`], avoiding the servers in `exclude` (when others are healthy).
    pub fn pick_excluding(
        &mut self,
        key: &str,
        write: bool,
        rng: &mut Rng,
        exclude: &[NodeId],
    ) -> Option<NodeId> {
        let mut healthy = self.healthy();
        let others: Vec<usize> = healthy
            .iter()
            .copied()
            .filter(|&i| !exclude.contains(&self.backends[i].id))
            .collect();
        if !others.is_empty() {
            healthy = others;
        }
        if healthy.is_empty() {
            return None;
        }
        let index = match self.strategy {
            Strategy::RoundRobin => self.round_robin(&healthy),
            Strategy::Random => healthy[rng.below(healthy.len())],
            Strategy::WeightedRoundRobin => self.smooth_weighted(&healthy),
            Strategy::LeastOutstanding => self.least_by(&healthy, rng, |b| b.outstanding as f64),
            Strategy::PowerOfTwoChoices => {
                let a = healthy[rng.below(healthy.len())];
                let mut b = healthy[rng.below(healthy.len())];
                if healthy.len() > 1 {
                    while b == a {
                        b = healthy[rng.below(healthy.len())];
                    }
                }
                if self.backends[b].outstanding < self.backends[a].outstanding {
                    b
                } else {
                    a
                }
            }
            Strategy::PeakEwma => {
                self.least_by(&healthy, rng, |b| b.ewma * (b.outstanding as f64 + 1.0))
            }
            Strategy::ConsistentHash { bounded_load, .. } => {
                self.by_hash(key, bounded_load, &healthy)
            }
            Strategy::LeaderAware => {
                let leader = self
                    .leader
                    .and_then(|l| healthy.iter().copied().find(|&i| self.backends[i].id == l));
                match (write, leader) {
                    (true, Some(i)) => i,
                    _ => self.round_robin(&healthy),
                }
            }
        };
        Some(self.backends[index].id)
    }

    fn round_robin(&mut self, healthy: &[usize]) -> usize {
        let n = self.backends.len();
        for step in 0..n {
            let i = (self.cursor + step) % n;
            if healthy.contains(&i) {
                self.cursor = i + 1;
                return i;
            }
        }
        healthy[0]
    }

    /// nginx's smooth weighted round robin: add each weight, take the largest, subtract the total.
    fn smooth_weighted(&mut self, healthy: &[usize]) -> usize {
        let total: i64 = healthy
            .iter()
            .map(|&i| self.backends[i].weight as i64)
            .sum();
        let mut best = healthy[0];
        for &i in healthy {
            let w = self.backends[i].weight as i64;
            self.backends[i].current += w;
            if self.backends[i].current > self.backends[best].current {
                best = i;
            }
        }
        self.backends[best].current -= total;
        best
    }

    fn least_by(&self, healthy: &[usize], rng: &mut Rng, cost: impl Fn(&Backend) -> f64) -> usize {
        let min = healthy
            .iter()
            .map(|&i| cost(&self.backends[i]))
            .fold(f64::INFINITY, f64::min);
        let ties: Vec<usize> = healthy
            .iter()
            .copied()
            .filter(|&i| cost(&self.backends[i]) <= min)
            .collect();
        ties[rng.below(ties.len())]
    }

    fn by_hash(&self, key: &str, bounded_load: Option<f64>, healthy: &[usize]) -> usize {
        let index_of = |id: NodeId| self.backends.iter().position(|b| b.id == id);
        let order: Vec<usize> = self
            .ring
            .walk(key)
            .into_iter()
            .filter_map(index_of)
            .filter(|i| healthy.contains(i))
            .collect();
        let Some(&first) = order.first() else {
            return healthy[0];
        };
        let Some(factor) = bounded_load else {
            return first;
        };
        let total: u32 = healthy.iter().map(|&i| self.backends[i].outstanding).sum();
        let cap = (factor * (total + 1) as f64 / healthy.len() as f64).ceil() as u32;
        order
            .into_iter()
            .find(|&i| self.backends[i].outstanding < cap)
            .unwrap_or(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(
        b: &mut Balancer,
        n: usize,
        key: impl Fn(usize) -> String,
        write: bool,
    ) -> Vec<usize> {
        let mut rng = Rng::new(1);
        let mut c = vec![0; b.backends().len() + 1];
        for i in 0..n {
            let s = b.pick(&key(i), write, &mut rng).unwrap();
            c[s as usize] += 1;
        }
        c
    }

    #[test]
    fn round_robin_is_even_and_skips_unhealthy_servers() {
        let mut b = Balancer::new(Strategy::RoundRobin, 1..=3);
        assert_eq!(
            counts(&mut b, 300, |_| "x".into(), true),
            vec![0, 100, 100, 100]
        );
        b.set_healthy(2, false);
        assert_eq!(
            counts(&mut b, 300, |_| "x".into(), true),
            vec![0, 150, 0, 150]
        );
    }

    #[test]
    fn weighted_round_robin_follows_the_weights_smoothly() {
        let mut b = Balancer::new(Strategy::WeightedRoundRobin, 1..=3);
        b.set_weight(1, 5);
        b.set_weight(2, 1);
        b.set_weight(3, 2);
        let mut rng = Rng::new(1);
        let first8: Vec<NodeId> = (0..8)
            .map(|_| b.pick("x", true, &mut rng).unwrap())
            .collect();
        assert_eq!(first8.iter().filter(|&&s| s == 1).count(), 5);
        assert_eq!(first8.iter().filter(|&&s| s == 3).count(), 2);
        assert_ne!(first8[0..3], [1, 1, 1], "interleaved, not in bursts");
        assert_eq!(
            counts(&mut b, 800, |_| "x".into(), true),
            vec![0, 500, 100, 200]
        );
    }

    #[test]
    fn random_is_roughly_even() {
        let mut b = Balancer::new(Strategy::Random, 1..=4);
        for c in &counts(&mut b, 4000, |_| "x".into(), true)[1..] {
            assert!((850..=1150).contains(c), "{c}");
        }
    }

    #[test]
    fn least_outstanding_and_two_choices_avoid_the_busy_server() {
        for strategy in [Strategy::LeastOutstanding, Strategy::PowerOfTwoChoices] {
            let mut b = Balancer::new(strategy, 1..=2);
            for _ in 0..5 {
                b.on_sent(1);
            }
            let mut rng = Rng::new(3);
            assert_eq!(b.pick("x", true, &mut rng), Some(2), "{strategy:?}");
        }
    }

    #[test]
    fn peak_ewma_prefers_the_fast_server_and_reacts_to_a_slow_sample_at_once() {
        let mut b = Balancer::new(Strategy::PeakEwma, 1..=2);
        let mut rng = Rng::new(5);
        b.on_sent(1);
        b.on_answer(1, 10_000, 100_000);
        b.on_sent(2);
        b.on_answer(2, 80_000, 100_000);
        assert_eq!(b.pick("x", true, &mut rng), Some(1));
        b.on_sent(1);
        b.on_answer(1, 200_000, 200_000); // one slow answer: the peak takes over
        assert_eq!(b.pick("x", true, &mut rng), Some(2));
    }

    #[test]
    fn consistent_hashing_is_stable_per_key_and_bounded_load_spills_over() {
        let mut b = Balancer::new(
            Strategy::ConsistentHash {
                vnodes: 64,
                bounded_load: None,
            },
            1..=5,
        );
        let mut rng = Rng::new(1);
        let owner = b.pick("user-42", false, &mut rng).unwrap();
        for _ in 0..10 {
            assert_eq!(b.pick("user-42", false, &mut rng), Some(owner));
        }
        // With a bound, a hot owner passes the excess along the ring.
        b.set_strategy(Strategy::ConsistentHash {
            vnodes: 64,
            bounded_load: Some(1.25),
        });
        for _ in 0..4 {
            b.on_sent(owner);
        }
        assert_ne!(b.pick("user-42", false, &mut rng), Some(owner));
        // A failed owner hands its keys to the next server on the ring only.
        b.set_healthy(owner, false);
        let next = b.pick("user-42", false, &mut rng).unwrap();
        assert_ne!(next, owner);
    }

    #[test]
    fn leader_aware_sends_writes_to_the_leader_and_spreads_reads() {
        let mut b = Balancer::new(Strategy::LeaderAware, 1..=3);
        b.learn_leader(2);
        let writes = counts(&mut b, 30, |_| "x".into(), true);
        assert_eq!(writes, vec![0, 0, 30, 0]);
        let reads = counts(&mut b, 30, |_| "x".into(), false);
        assert_eq!(reads, vec![0, 10, 10, 10]);
        b.set_healthy(2, false);
        let writes = counts(&mut b, 30, |_| "x".into(), true);
        assert_eq!(writes[2], 0, "an unhealthy leader gets nothing");
    }

    #[test]
    fn nothing_is_picked_when_every_server_is_down() {
        let mut b = Balancer::new(Strategy::RoundRobin, 1..=2);
        b.set_healthy(1, false);
        b.set_healthy(2, false);
        assert_eq!(b.pick("x", true, &mut Rng::new(1)), None);
    }
}
