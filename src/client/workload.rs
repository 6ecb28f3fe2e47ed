//! The workload: how many clients, how often they issue operations, over which keys, in what mix,
//! and how patient they are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::balancer::BalancerConfig;
use crate::error::FieldError;
use crate::kv::KvOp;
use crate::sim::rng::Rng;
use crate::sim::time::{Time, MS};

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

    /// Draws the next operation. Compare-and-sets expect the value this client last saw for the
    /// key, so many of them succeed.
    pub fn next_op(&self, rng: &mut Rng, last_seen: &BTreeMap<String, i64>) -> KvOp {
        let key = format!("k{}", rng.below(self.keys) + 1);
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
            let from = last_seen.get(&key).copied().unwrap_or(value);
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
        let seen = BTreeMap::from([("k1".to_string(), 42)]);
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
