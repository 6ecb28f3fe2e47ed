//! The workload: how many clients, how often they issue operations, over which keys, in what mix,
//! and how patient they are.

use serde::{Deserialize, Serialize};

use crate::balancer::BalancerConfig;
use quorum_core::error::FieldError;
use quorum_core::rng::Rng;
use quorum_core::small_map::SmallMap;
use quorum_core::time::{Time, MS};
use quorum_service::kv::{Key, KvOp};

/// Relative weights of the four operations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpMix {
    /// Weight of reads.
    pub get: u32,
    /// Weight of writes.
    pub put: u32,
    /// Weight of deletes.
    pub delete: u32,
    /// Weight of compare-and-sets.
    pub cas: u32,
}

impl Default for OpMix {
    fn default() -> Self {
        OpMix {
            get: 4,
            put: 4,
            delete: 1,
            cas: 1,
        }
    }
}

/// How keys are chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyDistribution {
    /// Every key equally often.
    #[default]
    Uniform,
    /// Key `k(i)` with probability ∝ 1 / i^exponent: a few hot keys, a long tail.
    Zipf {
        /// Skew; 1 is classic Zipf, larger is hotter.
        exponent: f64,
    },
}

/// How operations arrive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadMode {
    /// Each client issues its next operation a think time after starting the previous one,
    /// but never before it finished: load adapts to the cluster's speed.
    #[default]
    Closed,
    /// Operations arrive at `rate` whatever happens; each goes to an idle client, and arrivals
    /// that find every client busy are shed (counted, not sent).
    Open,
}

/// The generated client load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkloadConfig {
    /// Number of client actors generating load (each has at most one operation outstanding).
    pub clients: usize,
    /// Target operations per virtual second, over all clients.
    pub rate: f64,
    /// Number of distinct keys (`k1`, `k2`, …).
    pub keys: usize,
    /// Operation mix.
    pub mix: OpMix,
    /// How long a client waits for one attempt before retrying elsewhere, ms.
    pub request_timeout_ms: u64,
    /// How long a client keeps retrying one operation before recording it as `info`, ms.
    pub give_up_after_ms: u64,
    /// Clients start issuing operations at this time, ms.
    pub start_ms: u64,
    /// Clients stop issuing new operations at this time, ms (`None`: never).
    pub stop_ms: Option<u64>,
    /// Route every request through a load balancer with these settings (`None`: clients pick
    /// servers themselves).
    pub balancer: Option<BalancerConfig>,
    /// How keys are chosen.
    pub keys_distribution: KeyDistribution,
    /// Closed or open loop.
    pub mode: LoadMode,
    /// First retry delay after a refusal or a timeout, ms; doubles per attempt, with jitter.
    pub backoff_ms: u64,
    /// Longest retry delay, ms.
    pub backoff_max_ms: u64,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            clients: 0,
            rate: 10.0,
            keys: 3,
            mix: OpMix::default(),
            request_timeout_ms: 500,
            give_up_after_ms: 4_000,
            start_ms: 500,
            stop_ms: None,
            balancer: None,
            keys_distribution: KeyDistribution::Uniform,
            mode: LoadMode::Closed,
            backoff_ms: 20,
            backoff_max_ms: 400,
        }
    }
}

impl WorkloadConfig {
    /// The standard benchmark workload: 10 clients, 100 operations per second over 5 keys.
    pub fn standard() -> Self {
        WorkloadConfig {
            clients: 10,
            rate: 100.0,
            keys: 5,
            ..Default::default()
        }
    }

    /// Checks every field; the error names the first one that is wrong.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        if self.clients > 64 {
            return Err(FieldError::new(
                format!("{path}.clients"),
                "must be at most 64",
            ));
        }
        if !(self.rate.is_finite() && self.rate > 0.0 && self.rate <= 10_000.0) {
            return Err(FieldError::new(
                format!("{path}.rate"),
                "must be a number of operations per second above 0 and at most 10000",
            ));
        }
        if self.keys == 0 || self.keys > 1000 {
            return Err(FieldError::new(
                format!("{path}.keys"),
                "must be between 1 and 1000",
            ));
        }
        let m = &self.mix;
        if m.get as u64 + m.put as u64 + m.delete as u64 + m.cas as u64 == 0 {
            return Err(FieldError::new(
                format!("{path}.mix"),
                "at least one weight must be positive",
            ));
        }
        if self.request_timeout_ms == 0 {
            return Err(FieldError::new(
                format!("{path}.request_timeout_ms"),
                "must be greater than zero",
            ));
        }
        if self.give_up_after_ms < self.request_timeout_ms {
            return Err(FieldError::new(
                format!("{path}.give_up_after_ms"),
                "must be at least request_timeout_ms",
            ));
        }
        if let KeyDistribution::Zipf { exponent } = self.keys_distribution {
            if !(exponent.is_finite() && (0.0..=5.0).contains(&exponent)) {
                return Err(FieldError::new(
                    format!("{path}.keys_distribution.exponent"),
                    "must be between 0 and 5",
                ));
            }
        }
        if self.backoff_max_ms < self.backoff_ms {
            return Err(FieldError::new(
                format!("{path}.backoff_max_ms"),
                "must not be below backoff_ms",
            ));
        }
        if let Some(b) = &self.balancer {
            b.validate(&format!("{path}.balancer"))?;
        }
        if let Some(stop) = self.stop_ms {
            if stop < self.start_ms {
                return Err(FieldError::new(
                    format!("{path}.stop_ms"),
                    "must not be before start_ms",
                ));
            }
        }
        Ok(())
    }

    /// Mean time between two operations of one client, µs.
    pub fn mean_interval(&self) -> f64 {
        self.clients.max(1) as f64 / self.rate * 1_000_000.0
    }

    /// Per-attempt timeout, µs.
    pub fn request_timeout(&self) -> Time {
        self.request_timeout_ms * MS
    }

    /// Give-up deadline after the first attempt, µs.
    pub fn give_up_after(&self) -> Time {
        self.give_up_after_ms * MS
    }

    /// Draws a key number (1-based) from the key distribution.
    pub fn next_key(&self, rng: &mut Rng) -> usize {
        match self.keys_distribution {
            KeyDistribution::Uniform => rng.below(self.keys) + 1,
            KeyDistribution::Zipf { exponent } => {
                let weight = |i: usize| 1.0 / (i as f64).powf(exponent);
                let total: f64 = (1..=self.keys).map(weight).sum();
                let mut target = rng.unit() * total;
                for i in 1..=self.keys {
                    target -= weight(i);
                    if target <= 0.0 {
                        return i;
                    }
                }
                self.keys
            }
        }
    }

    /// The delay before retry number `attempt` (1 for the first retry): exponential backoff
    /// capped at `backoff_max_ms`, with "equal jitter" (half fixed, half random) so clients
    /// that failed together do not retry together.
    pub fn backoff(&self, attempt: u32, rng: &mut Rng) -> Time {
        let base = self.backoff_ms * MS;
        let cap = self.backoff_max_ms * MS;
        let exp = base
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(20))
            .min(cap);
        exp / 2 + rng.range_inclusive(0, exp / 2)
    }

    /// Draws the next operation. Compare-and-sets expect the value this client last saw for the
    /// key, so many of them succeed.
    pub fn next_op(&self, rng: &mut Rng, last_seen: &SmallMap<String, i64>) -> KvOp {
        let key: Key = format!("k{}", self.next_key(rng)).into();
        let m = &self.mix;
        let total = (m.get + m.put + m.delete + m.cas) as u64;
        let pick = rng.range_inclusive(0, total - 1);
        let value = rng.range_inclusive(1, 99) as i64;
        if pick < m.get as u64 {
            KvOp::Get { key }
        } else if pick < (m.get + m.put) as u64 {
            KvOp::Put { key, value }
        } else if pick < (m.get + m.put + m.delete) as u64 {
            KvOp::Delete { key }
        } else {
            let from = last_seen.get(&*key).copied().unwrap_or(value);
            KvOp::Cas {
                key,
                from,
                to: value,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ops_follow_the_mix_and_key_range() {
        let w = WorkloadConfig {
            keys: 2,
            mix: OpMix {
                get: 1,
                put: 0,
                delete: 0,
                cas: 1,
            },
            ..Default::default()
        };
        let mut rng = Rng::new(5);
        let seen: SmallMap<String, i64> = [("k1".to_string(), 42)].into_iter().collect();
        let mut kinds = (0, 0);
        for _ in 0..200 {
            match w.next_op(&mut rng, &seen) {
                KvOp::Get { key } => {
                    assert!(key == "k1" || key == "k2");
                    kinds.0 += 1;
                }
                KvOp::Cas { key, from, .. } => {
                    if key == "k1" {
                        assert_eq!(from, 42);
                    }
                    kinds.1 += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(kinds.0 > 50 && kinds.1 > 50);
    }

    #[test]
    fn invalid_workloads_name_the_field() {
        let bad = WorkloadConfig {
            rate: 0.0,
            ..Default::default()
        };
        assert_eq!(bad.validate("workload").unwrap_err().field, "workload.rate");
        let bad = WorkloadConfig {
            mix: OpMix {
                get: 0,
                put: 0,
                delete: 0,
                cas: 0,
            },
            ..Default::default()
        };
        assert_eq!(bad.validate("workload").unwrap_err().field, "workload.mix");
    }
}
