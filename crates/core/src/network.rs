//! The network model: how long a message takes, whether it is lost or duplicated, and which
//! directed links are cut. Cutting links one direction at a time is what makes asymmetric
//! partitions possible; a symmetric partition is just both directions cut.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::{Addr, NodeId};
use crate::rng::Rng;
use crate::time::{Time, MS};

/// How messages travel. Every message's one-way delay is drawn from
/// `[latency_min_ms, latency_max_ms]` plus up to `jitter_ms`; then it may be lost or duplicated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Shortest one-way delay, ms.
    pub latency_min_ms: u64,
    /// Longest one-way delay before jitter, ms.
    pub latency_max_ms: u64,
    /// Extra random delay up to this much, ms.
    pub jitter_ms: u64,
    /// Probability that a message is lost in flight, 0–1.
    pub loss: f64,
    /// Probability that a message is delivered twice, 0–1.
    pub duplicate: f64,
    /// Deliver messages on each directed link in the order they were sent (no reordering).
    pub fifo: bool,
    /// The shape of the delay: uniform over the range, or heavy-tailed.
    #[serde(skip_serializing_if = "LatencyDistribution::is_uniform")]
    pub distribution: LatencyDistribution,
    /// Rare long delays that reorder messages far beyond an election timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_delay: Option<LongDelay>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            latency_min_ms: 10,
            latency_max_ms: 20,
            jitter_ms: 0,
            loss: 0.0,
            duplicate: 0.0,
            fifo: false,
            distribution: LatencyDistribution::Uniform,
            long_delay: None,
        }
    }
}

/// The longest delay any latency setting may produce: ten minutes.
pub const MAX_DELAY_MS: u64 = 600_000;

/// How one-way delays are distributed. Real networks have long tails: most messages are quick,
/// a few take many times the median — enough to reorder them behind later ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LatencyDistribution {
    /// Uniform over `[latency_min_ms, latency_max_ms]`.
    #[default]
    Uniform,
    /// Log-normal with the range's midpoint as median and shape `sigma` (0.1–3; larger, longer
    /// tail), never below `latency_min_ms`, capped at `cap_ms`.
    LogNormal {
        /// Shape: the standard deviation of the delay's logarithm.
        sigma: f64,
        /// The longest delay, ms.
        cap_ms: u64,
    },
    /// Pareto from `latency_min_ms` with tail index `alpha` (1–5; smaller, heavier tail),
    /// capped at `cap_ms`.
    Pareto {
        /// Tail index.
        alpha: f64,
        /// The longest delay, ms.
        cap_ms: u64,
    },
}

impl LatencyDistribution {
    fn is_uniform(&self) -> bool {
        *self == LatencyDistribution::Uniform
    }
}

/// With `probability`, a message takes between `min_ms` and `max_ms` instead of its usual delay.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongDelay {
    /// Chance per message, 0–1.
    pub probability: f64,
    /// Shortest long delay, ms.
    pub min_ms: u64,
    /// Longest long delay, ms.
    pub max_ms: u64,
}

fn check_probability(value: f64, field: String) -> Result<(), FieldError> {
    if !(0.0..=1.0).contains(&value) {
        return Err(FieldError::new(
            field,
            "must be a probability between 0 and 1",
        ));
    }
    Ok(())
}

impl NetworkConfig {
    /// Checks the ranges make sense; names the offending field otherwise.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        if self.latency_max_ms < self.latency_min_ms {
            return Err(FieldError::new(
                format!("{path}.latency_max_ms"),
                "must not be below latency_min_ms",
            ));
        }
        check_probability(self.loss, format!("{path}.loss"))?;
        check_probability(self.duplicate, format!("{path}.duplicate"))?;
        for (value, name) in [
            (self.latency_max_ms, "latency_max_ms"),
            (self.jitter_ms, "jitter_ms"),
        ] {
            if value > MAX_DELAY_MS {
                return Err(FieldError::new(
                    format!("{path}.{name}"),
                    format!("must be at most {MAX_DELAY_MS} ms (ten minutes)"),
                ));
            }
        }
        let cap = |cap_ms: u64| {
            if cap_ms < self.latency_max_ms || cap_ms > MAX_DELAY_MS {
                Err(FieldError::new(
                    format!("{path}.distribution.cap_ms"),
                    format!(
                        "must be between latency_max_ms ({} ms) and {MAX_DELAY_MS} ms",
                        self.latency_max_ms
                    ),
                ))
            } else {
                Ok(())
            }
        };
        match self.distribution {
            LatencyDistribution::Uniform => {}
            LatencyDistribution::LogNormal { sigma, cap_ms } => {
                if !(0.1..=3.0).contains(&sigma) {
                    return Err(FieldError::new(
                        format!("{path}.distribution.sigma"),
                        "must be between 0.1 and 3",
                    ));
                }
                cap(cap_ms)?;
            }
            LatencyDistribution::Pareto { alpha, cap_ms } => {
                if !(1.0..=5.0).contains(&alpha) {
                    return Err(FieldError::new(
                        format!("{path}.distribution.alpha"),
                        "must be between 1 and 5",
                    ));
                }
                cap(cap_ms)?;
            }
        }
        if let Some(long) = &self.long_delay {
            check_probability(long.probability, format!("{path}.long_delay.probability"))?;
            if long.max_ms < long.min_ms || long.max_ms > MAX_DELAY_MS {
                return Err(FieldError::new(
                    format!("{path}.long_delay.max_ms"),
                    format!(
                        "must be between min_ms ({} ms) and {MAX_DELAY_MS} ms",
                        long.min_ms
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossCause {
    /// Random loss on the link.
    Loss,
    /// The link was cut.
    Cut,
    /// A person dropped it.
    Dropped,
    /// It arrived at a crashed node.
    ReceiverDown,
}

impl LossCause {
    /// Plain words for the feed.
    pub fn describe(&self) -> &'static str {
        match self {
            LossCause::Loss => "lost in the network",
            LossCause::Cut => "stopped at a cut link",
            LossCause::Dropped => "dropped by hand",
            LossCause::ReceiverDown => "arrived at a crashed server",
        }
    }
}

/// A fault that hits one kind of message only — e.g. every AppendEntries reply, or the
/// heartbeats from S1 to S3 — dropping it with a probability and/or delaying it. Network-wide
/// when `from` and `to` are absent, else on the links they name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageFault {
    /// The message kind, as the page names it (`AppendEntriesReply`, `Heartbeat`, …).
    pub kind: String,
    /// Only messages from this server (any sender when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NodeId>,
    /// Only messages to this server (any receiver when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NodeId>,
    /// Chance that such a message is lost, 0–1.
    #[serde(default)]
    pub drop: f64,
    /// Extra delay for such a message, ms.
    #[serde(default)]
    pub delay_ms: u64,
}

impl MessageFault {
    fn hits(&self, from: Addr, to: Addr, kind: &str) -> bool {
        self.kind == kind
            && self.from.is_none_or(|f| from == Addr::Server(f))
            && self.to.is_none_or(|t| to == Addr::Server(t))
    }

    /// True when it does nothing (setting such a fault removes the one it replaces).
    pub fn is_noop(&self) -> bool {
        self.drop <= 0.0 && self.delay_ms == 0
    }

    /// "AppendEntriesReply from S1 to any server: 100% dropped, delayed 0 ms".
    pub fn describe(&self) -> String {
        let end = |n: Option<NodeId>| n.map_or("any server".to_string(), |n| format!("S{n}"));
        format!(
            "{} messages from {} to {}: {:.0}% dropped, delayed {} ms",
            self.kind,
            end(self.from),
            end(self.to),
            self.drop * 100.0,
            self.delay_ms
        )
    }
}

/// The fate the network decides for one message when it is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// When it would arrive.
    pub deliver_at: Time,
    /// When and why it dies instead, if it does.
    pub doom: Option<(Time, LossCause)>,
    /// Arrival time of a duplicate copy, if the network duplicates it.
    pub duplicate_at: Option<Time>,
}

/// Network state: its settings plus the cut links.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Latency, loss, duplication and ordering settings.
    pub config: NetworkConfig,
    cut: BTreeSet<(Addr, Addr)>,
    /// Settings for particular directed links, replacing `config` on them (FIFO stays global).
    links: BTreeMap<(Addr, Addr), NetworkConfig>,
    /// Latest arrival scheduled per directed link, used to keep links FIFO when asked.
    last_arrival: BTreeMap<(Addr, Addr), Time>,
    /// Faults on one kind of message.
    #[serde(default)]
    message_faults: Vec<MessageFault>,
}

/// The point along a link where a message stopped by a cut dies: the middle, where the cut is drawn.
pub fn cut_point(sent_at: Time, deliver_at: Time) -> Time {
    sent_at + (deliver_at.saturating_sub(sent_at)) / 2
}

impl Network {
    /// A network with these settings and no cuts.
    pub fn new(config: NetworkConfig) -> Self {
        Network {
            config,
            ..Default::default()
        }
    }

    /// The settings in force on one directed link.
    pub fn link_config(&self, from: Addr, to: Addr) -> &NetworkConfig {
        self.links.get(&(from, to)).unwrap_or(&self.config)
    }

    /// Gives one directed link its own latency, jitter, loss and duplication (`None`: back to
    /// the network-wide settings).
    pub fn set_link(&mut self, from: Addr, to: Addr, config: Option<NetworkConfig>) {
        match config {
            Some(c) => {
                self.links.insert((from, to), c);
            }
            None => {
                self.links.remove(&(from, to));
            }
        }
    }

    /// Links with settings of their own.
    pub fn link_overrides(&self) -> impl Iterator<Item = (&(Addr, Addr), &NetworkConfig)> {
        self.links.iter()
    }

    fn latency(config: &NetworkConfig, rng: &mut Rng) -> Time {
        let (lo, hi) = (config.latency_min_ms * MS, config.latency_max_ms * MS);
        let base = match config.distribution {
            LatencyDistribution::Uniform => rng.range_inclusive(lo, hi),
            LatencyDistribution::LogNormal { sigma, cap_ms } => {
                let median = (lo + hi) as f64 / 2.0;
                let d = median * (sigma * rng.normal()).exp();
                (d as Time).clamp(lo, cap_ms * MS)
            }
            LatencyDistribution::Pareto { alpha, cap_ms } => {
                let u = 1.0 - rng.unit(); // (0, 1]
                let d = lo.max(MS) as f64 / u.powf(1.0 / alpha);
                (d.min((cap_ms * MS) as f64) as Time).max(lo)
            }
        };
        let base = match &config.long_delay {
            Some(long) if rng.chance(long.probability) => {
                rng.range_inclusive(long.min_ms * MS, long.max_ms * MS)
            }
            _ => base,
        };
        let jitter = if config.jitter_ms > 0 {
            rng.range_inclusive(0, config.jitter_ms * MS)
        } else {
            0
        };
        (base + jitter).max(1)
    }

    /// Sets a fault on one kind of message, replacing one for the same kind and links (a fault
    /// that does nothing removes it).
    pub fn set_message_fault(&mut self, fault: MessageFault) {
        self.message_faults
            .retain(|f| (&f.kind, f.from, f.to) != (&fault.kind, fault.from, fault.to));
        if !fault.is_noop() {
            self.message_faults.push(fault);
        }
    }

    /// Removes every fault on message kinds.
    pub fn clear_message_faults(&mut self) {
        self.message_faults.clear();
    }

    /// The faults on message kinds in force.
    pub fn message_faults(&self) -> &[MessageFault] {
        &self.message_faults
    }

    /// Decides when a message of `kind` sent now arrives, and whether it is lost or duplicated.
    pub fn route(&mut self, rng: &mut Rng, from: Addr, to: Addr, now: Time, kind: &str) -> Route {
        let link = self.link_config(from, to).clone();
        let mut extra_delay = 0;
        let mut kind_loss = 0.0f64;
        for f in self
            .message_faults
            .iter()
            .filter(|f| f.hits(from, to, kind))
        {
            extra_delay += f.delay_ms * MS;
            kind_loss = kind_loss.max(f.drop);
        }
        let mut deliver_at = now + Self::latency(&link, rng) + extra_delay;
        if self.config.fifo {
            let last = self.last_arrival.entry((from, to)).or_insert(0);
            deliver_at = deliver_at.max(*last);
            *last = deliver_at;
        }
        let doom = if self.is_cut(from, to) {
            Some((cut_point(now, deliver_at), LossCause::Cut))
        } else if rng.chance(link.loss) || rng.chance(kind_loss) {
            // Lost somewhere in the middle stretch of the link, so people see it die.
            let span = deliver_at - now;
            let at = now + span * rng.range_inclusive(30, 80) / 100;
            Some((at, LossCause::Loss))
        } else {
            None
        };
        let duplicate_at = if doom.is_none() && rng.chance(link.duplicate) {
            Some(now + Self::latency(&link, rng))
        } else {
            None
        };
        Route {
            deliver_at,
            doom,
            duplicate_at,
        }
    }

    /// True when messages from `from` to `to` are stopped.
    pub fn is_cut(&self, from: Addr, to: Addr) -> bool {
        self.cut.contains(&(from, to))
    }

    /// Cuts one direction of a link.
    pub fn cut(&mut self, from: Addr, to: Addr) {
        self.cut.insert((from, to));
    }

    /// Restores one direction of a link.
    pub fn restore(&mut self, from: Addr, to: Addr) {
        self.cut.remove(&(from, to));
    }

    /// Restores every link.
    pub fn heal(&mut self) {
        self.cut.clear();
    }

    /// Every cut directed link.
    pub fn cut_links(&self) -> impl Iterator<Item = &(Addr, Addr)> {
        self.cut.iter()
    }

    /// Cuts both directions between servers in different groups; servers in no group are
    /// cut off from everyone. Existing cuts stay.
    pub fn partition(&mut self, groups: &[Vec<NodeId>], servers: &[NodeId]) {
        let group_of = |n: NodeId| groups.iter().position(|g| g.contains(&n));
        for &a in servers {
            for &b in servers {
                if a == b {
                    continue;
                }
                let (ga, gb) = (group_of(a), group_of(b));
                if ga.is_none() || ga != gb {
                    self.cut(Addr::Server(a), Addr::Server(b));
                }
            }
        }
    }

    /// Restores every server link of one server, both directions (undoes `isolate`).
    pub fn connect(&mut self, node: NodeId, servers: &[NodeId]) {
        for &other in servers {
            self.restore(Addr::Server(node), Addr::Server(other));
            self.restore(Addr::Server(other), Addr::Server(node));
        }
    }

    /// Cuts every server link of one server, both directions.
    pub fn isolate(&mut self, node: NodeId, servers: &[NodeId]) {
        for &other in servers {
            if other != node {
                self.cut(Addr::Server(node), Addr::Server(other));
                self.cut(Addr::Server(other), Addr::Server(node));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_stays_in_the_configured_range() {
        let mut net = Network::new(NetworkConfig::default());
        let mut rng = Rng::new(1);
        for _ in 0..200 {
            let r = net.route(
                &mut rng,
                Addr::Server(1),
                Addr::Server(2),
                1000,
                "Heartbeat",
            );
            assert!((1000 + 10 * MS..=1000 + 20 * MS).contains(&r.deliver_at));
            assert!(r.doom.is_none() && r.duplicate_at.is_none());
        }
    }

    #[test]
    fn a_cut_direction_dooms_messages_at_the_middle_and_only_that_direction() {
        let mut net = Network::new(NetworkConfig::default());
        let mut rng = Rng::new(2);
        net.cut(Addr::Server(1), Addr::Server(2));
        let r = net.route(&mut rng, Addr::Server(1), Addr::Server(2), 0, "Heartbeat");
        assert_eq!(r.doom, Some((r.deliver_at / 2, LossCause::Cut)));
        let back = net.route(&mut rng, Addr::Server(2), Addr::Server(1), 0, "Heartbeat");
        assert!(back.doom.is_none());
    }

    #[test]
    fn a_link_with_its_own_settings_uses_them_in_that_direction_only() {
        let mut net = Network::new(NetworkConfig::default());
        let slow = NetworkConfig {
            latency_min_ms: 500,
            latency_max_ms: 500,
            ..Default::default()
        };
        net.set_link(Addr::Server(1), Addr::Server(2), Some(slow));
        let mut rng = Rng::new(8);
        let r = net.route(&mut rng, Addr::Server(1), Addr::Server(2), 0, "Heartbeat");
        assert_eq!(r.deliver_at, 500 * MS);
        let back = net.route(&mut rng, Addr::Server(2), Addr::Server(1), 0, "Heartbeat");
        assert!(back.deliver_at <= 20 * MS);
        net.set_link(Addr::Server(1), Addr::Server(2), None);
        let r = net.route(&mut rng, Addr::Server(1), Addr::Server(2), 0, "Heartbeat");
        assert!(r.deliver_at <= 20 * MS);
    }

    #[test]
    fn heavy_tailed_latencies_stay_between_the_floor_and_the_cap_with_a_long_tail() {
        for distribution in [
            LatencyDistribution::LogNormal {
                sigma: 1.0,
                cap_ms: 2_000,
            },
            LatencyDistribution::Pareto {
                alpha: 1.2,
                cap_ms: 2_000,
            },
        ] {
            let mut net = Network::new(NetworkConfig {
                distribution,
                ..Default::default()
            });
            let mut rng = Rng::new(9);
            let delays: Vec<Time> = (0..5_000)
                .map(|_| {
                    net.route(&mut rng, Addr::Server(1), Addr::Server(2), 0, "Heartbeat")
                        .deliver_at
                })
                .collect();
            assert!(delays.iter().all(|&d| (10 * MS..=2_000 * MS).contains(&d)));
            let beyond_uniform = delays.iter().filter(|&&d| d > 100 * MS).count();
            assert!(
                beyond_uniform > 25,
                "{distribution:?}: {beyond_uniform} of 5000 took over 5× the uniform maximum"
            );
            let mut sorted = delays.clone();
            sorted.sort_unstable();
            assert!(sorted[2_500] < 40 * MS, "most messages stay quick");
        }
    }

    #[test]
    fn rare_long_delays_reorder_messages_far_beyond_an_election_timeout() {
        let mut net = Network::new(NetworkConfig {
            long_delay: Some(LongDelay {
                probability: 0.05,
                min_ms: 1_000,
                max_ms: 3_000,
            }),
            ..Default::default()
        });
        let mut rng = Rng::new(5);
        let delays: Vec<Time> = (0..2_000)
            .map(|i| {
                net.route(
                    &mut rng,
                    Addr::Server(1),
                    Addr::Server(2),
                    i * MS,
                    "Heartbeat",
                )
                .deliver_at
                    - i * MS
            })
            .collect();
        let long = delays.iter().filter(|&&d| d >= 1_000 * MS).count();
        assert!((50..=150).contains(&long), "{long} of 2000 delayed long");
        assert!(delays.iter().all(|&d| d <= 3_000 * MS));
    }

    #[test]
    fn a_message_fault_hits_only_its_kind_and_links() {
        let mut net = Network::default();
        net.set_message_fault(MessageFault {
            kind: "AppendEntriesReply".into(),
            from: Some(2),
            to: None,
            drop: 1.0,
            delay_ms: 0,
        });
        net.set_message_fault(MessageFault {
            kind: "Heartbeat".into(),
            from: None,
            to: None,
            drop: 0.0,
            delay_ms: 500,
        });
        let mut rng = Rng::new(3);
        let s = Addr::Server;
        assert!(net
            .route(&mut rng, s(2), s(1), 0, "AppendEntriesReply")
            .doom
            .is_some());
        assert!(net
            .route(&mut rng, s(3), s(1), 0, "AppendEntriesReply")
            .doom
            .is_none());
        assert!(net
            .route(&mut rng, s(2), s(1), 0, "AppendEntries")
            .doom
            .is_none());
        let hb = net.route(&mut rng, s(1), s(3), 0, "Heartbeat");
        assert!((510 * MS..=520 * MS).contains(&hb.deliver_at));
        // Setting the same fault with no effect removes it.
        net.set_message_fault(MessageFault {
            kind: "Heartbeat".into(),
            from: None,
            to: None,
            drop: 0.0,
            delay_ms: 0,
        });
        assert_eq!(net.message_faults().len(), 1);
        assert!(net.route(&mut rng, s(1), s(3), 0, "Heartbeat").deliver_at <= 20 * MS);
    }

    #[test]
    fn fifo_links_never_reorder() {
        let config = NetworkConfig {
            fifo: true,
            latency_min_ms: 1,
            latency_max_ms: 50,
            ..Default::default()
        };
        let mut net = Network::new(config);
        let mut rng = Rng::new(3);
        let mut last = 0;
        for t in 0..100 {
            let r = net.route(
                &mut rng,
                Addr::Server(1),
                Addr::Server(2),
                t * 100,
                "Heartbeat",
            );
            assert!(r.deliver_at >= last);
            last = r.deliver_at;
        }
    }

    #[test]
    fn partition_cuts_across_groups_only() {
        let mut net = Network::default();
        net.partition(&[vec![1, 2], vec![3, 4, 5]], &[1, 2, 3, 4, 5]);
        assert!(!net.is_cut(Addr::Server(1), Addr::Server(2)));
        assert!(net.is_cut(Addr::Server(1), Addr::Server(3)));
        assert!(net.is_cut(Addr::Server(5), Addr::Server(2)));
        assert!(!net.is_cut(Addr::Server(4), Addr::Server(5)));
        net.heal();
        assert_eq!(net.cut_links().count(), 0);
    }

    #[test]
    fn loss_of_one_loses_everything_mid_flight() {
        let config = NetworkConfig {
            loss: 1.0,
            ..Default::default()
        };
        let mut net = Network::new(config);
        let mut rng = Rng::new(4);
        let r = net.route(&mut rng, Addr::Server(1), Addr::Client(1), 0, "Heartbeat");
        let (at, cause) = r.doom.expect("doomed");
        assert_eq!(cause, LossCause::Loss);
        assert!(at > 0 && at < r.deliver_at);
    }
}
