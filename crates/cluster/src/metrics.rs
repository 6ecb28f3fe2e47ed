//! Live metrics of a run, in fixed buckets of virtual time: operations completed (by outcome),
//! latency percentiles of the operations completed in each bucket, and messages sent. The page
//! plots them; summaries and comparisons read them.

use serde::Serialize;

use quorum_core::pvec::PVec;
use quorum_core::time::{Time, MS};
use quorum_traffic::client::{HistoryOp, Status};

/// Width of one bucket.
pub const BUCKET: Time = 250 * MS;

/// One bucket of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MetricPoint {
    /// Start of the bucket.
    pub start: Time,
    /// Operations that completed ok.
    pub ok: u32,
    /// Operations that definitely failed (a cas that did not match).
    pub fail: u32,
    /// Operations given up on (outcome unknown).
    pub info: u32,
    /// Latency percentiles of operations answered in the bucket, ms (0 when none).
    pub p50: f64,
    /// 95th percentile, ms.
    pub p95: f64,
    /// 99th percentile, ms.
    pub p99: f64,
    /// Messages sent during the bucket.
    pub messages: u64,
    /// The balancer strategy in force at the end of the bucket (none: clients went direct).
    pub strategy: Option<String>,
}

impl MetricPoint {
    /// Completed operations per virtual second.
    pub fn throughput(&self) -> f64 {
        (self.ok + self.fail) as f64 * (1_000_000.0 / BUCKET as f64)
    }
}

/// Collects the buckets as the run goes.
#[derive(Clone, Debug, Default)]
pub struct MetricsRecorder {
    current: MetricPoint,
    latencies: Vec<u32>,
    messages_at_start: u64,
    done: PVec<MetricPoint>,
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `fraction`
/// (0–1) of them at or below it; `None` for no values. The one definition the metrics, the run
/// summaries and the page's frame statistics share.
pub fn percentile<T: Copy>(sorted: &[T], fraction: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((fraction * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// A latency percentile in milliseconds from sorted microsecond values (0 when there are none).
fn latency_ms(sorted: &[u32], fraction: f64) -> f64 {
    percentile(sorted, fraction).map_or(0.0, |us| us as f64 / 1000.0)
}

impl MetricsRecorder {
    /// Closes every bucket that ended before `now` (`messages` = messages sent so far).
    pub fn roll(&mut self, now: Time, messages: u64, strategy: Option<&str>) {
        while now >= self.current.start + BUCKET {
            self.latencies.sort_unstable();
            let mut point = std::mem::take(&mut self.current);
            point.p50 = latency_ms(&self.latencies, 0.50);
            point.p95 = latency_ms(&self.latencies, 0.95);
            point.p99 = latency_ms(&self.latencies, 0.99);
            point.messages = messages - self.messages_at_start;
            point.strategy = strategy.map(str::to_string);
            self.messages_at_start = messages;
            self.latencies.clear();
            self.current.start = point.start + BUCKET;
            self.done.push(point);
        }
    }

    /// Counts a completed operation.
    pub fn record(&mut self, op: &HistoryOp) {
        match op.status {
            Status::Ok => self.current.ok += 1,
            Status::Fail => self.current.fail += 1,
            Status::Info => self.current.info += 1,
        }
        if let Some(ret) = op.ret {
            self.latencies
                .push(ret.saturating_sub(op.call).min(u32::MAX as u64) as u32);
        }
    }

    /// The closed buckets, oldest first.
    pub fn points(&self) -> &PVec<MetricPoint> {
        &self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_service::kv::{KvOp, KvResult};

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(|x| x as f64).collect();
        assert_eq!(percentile(&v, 0.5), Some(50.0));
        assert_eq!(percentile(&v, 0.99), Some(99.0));
        assert_eq!(percentile::<f64>(&[], 0.5), None);
        assert_eq!(percentile(&[7.0], 0.95), Some(7.0));
    }

    #[test]
    fn buckets_count_outcomes_and_latency_percentiles() {
        let mut m = MetricsRecorder::default();
        for i in 0..100u64 {
            let op = HistoryOp::called(1, &KvOp::Get { key: "x".into() }, i * 1000)
                .completed(&KvResult::Value { value: None }, i * 1000 + (i + 1) * MS);
            m.record(&op);
        }
        m.record(&HistoryOp::called(
            2,
            &KvOp::Put {
                key: "x".into(),
                value: 1,
            },
            5,
        ));
        m.roll(BUCKET - 1, 40, None);
        assert!(m.points().is_empty(), "the first bucket is still open");
        m.roll(2 * BUCKET + 1, 90, Some("round robin"));
        assert_eq!(m.points().len(), 2, "one full, one empty bucket closed");
        let p = m.points().get(0).unwrap();
        assert_eq!((p.ok, p.info, p.messages), (100, 1, 90));
        assert_eq!((p.p50, p.p95, p.p99), (50.0, 95.0, 99.0));
        assert_eq!(p.throughput(), 400.0);
        assert_eq!(p.strategy.as_deref(), Some("round robin"));
        assert_eq!(m.points().get(1).unwrap().ok, 0);
    }
}
