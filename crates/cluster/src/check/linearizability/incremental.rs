//! Checking a growing history as it grows, at a cost that follows what is new rather than
//! everything recorded: the page checks every two simulated seconds for as long as a run lasts.
//!
//! Per key the checker carries a just-in-time sweep (see `sweep`) over every call and return
//! before an instant: its configurations are the proof up to there, whatever was in flight.
//! The instant is the latest one at which every operation called before it is known — the
//! earliest call still waiting for an answer on the key, or the last event the history shows —
//! so nothing that comes later can land before it. Each check takes only the operations
//! completed since the last one (the log's digest chain proves the rest is unchanged; anything
//! else — a seek back, another branch, another run — starts over), carries the sweep forward,
//! then finishes a copy of it over the rest, the waiting operations as `info`, for the verdict.
//!
//! A key whose operations fit no order (or exhaust the search budget) sends the whole history
//! to the whole-history checker, so a failing verdict and its diagnosis are exactly that
//! checker's.

use std::collections::BTreeMap;

use quorum_traffic::client::{HistoryLog, HistoryOp};

use super::sweep::{Sweep, SweepOp};
use super::{
    check_history_with_budget, sweep_op, KeyReport, LinearizabilityReport, Verdict, DEFAULT_BUDGET,
};
use quorum_core::time::Time;

/// One key's progress.
#[derive(Clone, Debug)]
struct KeyProgress {
    /// Completed operations on the key that can take effect, counted.
    operations: usize,
    /// Completed operations not yet in the sweep (called at or after `swept_to`).
    unswept: Vec<SweepOp>,
    /// Every call and return before `swept_to`.
    sweep: Sweep,
    swept_to: Time,
}

impl Default for KeyProgress {
    fn default() -> Self {
        KeyProgress {
            operations: 0,
            unswept: Vec::new(),
            sweep: Sweep::new(None, false),
            swept_to: 0,
        }
    }
}

/// What a check found.
#[derive(Clone, Debug)]
pub struct IncrementalReport {
    /// The verdict and one report per key. When every key fits, the per-key reports carry the
    /// counts and verdicts only (no linearization order: building it would cost the whole
    /// history); otherwise the report is the whole-history checker's, diagnosis included.
    pub report: LinearizabilityReport,
    /// The whole history the report's indexes refer to, when some key did not fit.
    pub history: Option<Vec<HistoryOp>>,
}

/// A linearizability checker for a growing history (see the module's documentation).
#[derive(Clone, Debug, Default)]
pub struct IncrementalChecker {
    /// Operations of the log taken in so far.
    consumed: usize,
    /// The log's digest of them, to notice a log that is not the one they came from.
    consumed_digest: u64,
    /// The latest call or return among them.
    latest: Time,
    keys: BTreeMap<quorum_service::kv::Key, KeyProgress>,
}

impl IncrementalChecker {
    /// Checks the run's completed operations `log` and those still `outstanding` (recorded as
    /// `info`, outcome unknown), resuming from what earlier checks proved.
    pub fn check(&mut self, log: &HistoryLog, outstanding: &[HistoryOp]) -> IncrementalReport {
        self.check_with_budget(log, outstanding, DEFAULT_BUDGET)
    }

    /// [`IncrementalChecker::check`] with a search budget per forced return.
    pub fn check_with_budget(
        &mut self,
        log: &HistoryLog,
        outstanding: &[HistoryOp],
        budget: u64,
    ) -> IncrementalReport {
        if log.len() < self.consumed
            || log.prefix_digest(self.consumed) != self.consumed_digest
            || !self.take_in(log, outstanding)
        {
            // Not the history the sweeps were of: start over on this one.
            *self = IncrementalChecker::default();
            let consistent = self.take_in(log, outstanding);
            debug_assert!(consistent, "a fresh checker takes in any history");
        }
        let now = outstanding
            .iter()
            .map(|op| op.call)
            .fold(self.latest, Time::max);
        // Per key: the operations waiting for an answer that may take effect, and the earliest
        // call of any waiting operation (a read too: once answered it must be swept).
        let mut waiting_by_key: BTreeMap<&quorum_service::kv::Key, (Vec<SweepOp>, Time)> =
            BTreeMap::new();
        for op in outstanding {
            let (waiting, earliest) = waiting_by_key.entry(&op.key).or_insert((Vec::new(), now));
            *earliest = (*earliest).min(op.call);
            waiting.extend(sweep_op(op, 0));
        }
        for &key in waiting_by_key.keys() {
            self.keys.entry(key.clone()).or_default();
        }
        let mut keys = Vec::new();
        let mut explored = 0;
        for (key, progress) in &mut self.keys {
            let (waiting, until) = waiting_by_key
                .get(key)
                .map_or((&[][..], now), |(ops, earliest)| {
                    (ops.as_slice(), *earliest)
                });
            if progress
                .advance(waiting, until, budget, &mut explored)
                .is_err()
            {
                let history: Vec<HistoryOp> =
                    log.iter().chain(outstanding.iter().cloned()).collect();
                let mut report = check_history_with_budget(&history, budget);
                report.states_explored += explored;
                return IncrementalReport {
                    report,
                    history: Some(history),
                };
            }
            let operations = progress.operations + waiting.len();
            if operations > 0 {
                keys.push(KeyReport {
                    key: key.to_string(),
                    operations,
                    verdict: Verdict::Linearizable,
                    linearized: Vec::new(),
                    first_unplaceable: None,
                });
            }
        }
        IncrementalReport {
            report: LinearizabilityReport {
                verdict: Verdict::Linearizable,
                keys,
                states_explored: explored,
            },
            history: None,
        }
    }

    /// Takes in the log's operations completed since the last check. False when the history
    /// cannot be the one swept so far: an operation (completed or waiting) called before the
    /// instant its key was swept to, which the sweep would have had to see.
    fn take_in(&mut self, log: &HistoryLog, outstanding: &[HistoryOp]) -> bool {
        for op in log.iter_from(self.consumed) {
            self.latest = self.latest.max(op.ret.unwrap_or(op.call));
            let Some(swept) = sweep_op(&op, 0) else {
                continue;
            };
            let progress = self.keys.entry(op.key.clone()).or_default();
            if op.call < progress.swept_to {
                return false;
            }
            progress.operations += 1;
            progress.unswept.push(swept);
        }
        self.consumed = log.len();
        self.consumed_digest = log.prefix_digest(self.consumed);
        outstanding.iter().all(|op| {
            self.keys
                .get(&op.key)
                .is_none_or(|progress| op.call >= progress.swept_to)
        })
    }
}

/// Why a key's operations did not check out: no order fits, or the budget ran out.
struct Unsettled;

impl KeyProgress {
    /// Carries the sweep up to `until` — the latest instant before which every call on the key
    /// is known and answered: now, or the earliest call still waiting for an answer — then
    /// finishes a copy of it over the rest, the `waiting` operations as unknown outcomes.
    fn advance(
        &mut self,
        waiting: &[SweepOp],
        until: Time,
        budget: u64,
        explored: &mut u64,
    ) -> Result<(), Unsettled> {
        self.unswept.sort_by_key(|op| op.call);
        let before = self.sweep.explored;
        if until > self.swept_to {
            let taken = self.unswept.partition_point(|op| op.call < until);
            let carried = self
                .sweep
                .advance(&self.unswept[..taken], Some(until), budget);
            *explored += self.sweep.explored - before;
            carried.map_err(|_| Unsettled)?;
            self.unswept.drain(..taken);
            self.swept_to = until;
        }
        if self.unswept.is_empty() && waiting.is_empty() && self.sweep.returns_pending() == 0 {
            return Ok(());
        }
        let mut rest: Vec<SweepOp> = self.unswept.iter().chain(waiting).copied().collect();
        rest.sort_by_key(|op| op.call);
        let mut finish = self.sweep.clone();
        let start = finish.explored;
        let finished = finish.advance(&rest, None, budget);
        *explored += finish.explored - start;
        finished.map_err(|_| Unsettled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_traffic::client::parse_history;

    fn log(text: &str) -> HistoryLog {
        let mut log = HistoryLog::new();
        for op in parse_history(text).expect("valid history") {
            log.push(&op);
        }
        log
    }

    /// A log that agrees in length but not in content with the one checked before (another
    /// branch of the run) is checked from the start: its early stale read is caught although
    /// the checker had already taken in that many operations.
    #[test]
    fn a_different_log_of_the_same_length_is_checked_from_the_start() {
        let good = log(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":1,"op":"read","key":"x","call":20,"return":30,"status":"ok","result":1}"#,
        );
        let stale_then_more = log(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":1,"op":"read","key":"x","call":20,"return":30,"status":"ok","result":null}
{"client":1,"op":"write","key":"x","value":2,"call":40,"return":50,"status":"ok"}"#,
        );
        let mut checker = IncrementalChecker::default();
        assert_eq!(
            checker.check(&good, &[]).report.verdict,
            Verdict::Linearizable
        );
        let second = checker.check(&stale_then_more, &[]);
        assert_eq!(second.report.verdict, Verdict::NotLinearizable);
        assert_eq!(second.report.keys[0].first_unplaceable, Some(1));
    }

    /// A history that cannot be the one swept before — an operation completed now that was
    /// called before the instant its key was swept to, yet was not waiting then — is swept
    /// again from the start. Carried on from the old sweep, the read below (which may take
    /// effect before the second write) would have found the register already at 2.
    #[test]
    fn an_operation_the_sweep_never_saw_waiting_starts_the_sweep_over() {
        let first = log(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":1,"op":"write","key":"x","value":2,"call":20,"return":30,"status":"ok"}
{"client":1,"op":"read","key":"x","call":50,"return":60,"status":"ok","result":2}"#,
        );
        let mut checker = IncrementalChecker::default();
        assert_eq!(
            checker.check(&first, &[]).report.verdict,
            Verdict::Linearizable
        );
        let with_late_read = log(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":1,"op":"write","key":"x","value":2,"call":20,"return":30,"status":"ok"}
{"client":1,"op":"read","key":"x","call":50,"return":60,"status":"ok","result":2}
{"client":2,"op":"read","key":"x","call":25,"return":70,"status":"ok","result":1}"#,
        );
        let second = checker.check(&with_late_read, &[]);
        assert_eq!(second.report.verdict, Verdict::Linearizable);
        assert!(
            second.history.is_none(),
            "decided by the sweep, not by falling back to the whole-history check"
        );
    }

    /// Operations still outstanding are checked as `info` without being kept: once they
    /// complete they come in from the log like any other.
    #[test]
    fn outstanding_operations_count_until_they_complete() {
        let done = log(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}"#,
        );
        let waiting = parse_history(
            r#"{"client":2,"op":"write","key":"y","value":5,"call":15,"status":"info"}"#,
        )
        .expect("valid");
        let mut checker = IncrementalChecker::default();
        let first = checker.check(&done, &waiting).report;
        let counts: Vec<(String, usize)> = first
            .keys
            .iter()
            .map(|k| (k.key.clone(), k.operations))
            .collect();
        assert_eq!(counts, vec![("x".into(), 1), ("y".into(), 1)]);
        let second = checker.check(&done, &[]).report;
        assert_eq!(
            second.keys.len(),
            1,
            "nothing kept of the outstanding write"
        );
    }
}
