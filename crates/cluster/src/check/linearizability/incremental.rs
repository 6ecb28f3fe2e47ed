//! Checking a growing history as it grows, at a cost that follows what is new rather than
//! everything recorded: the page checks every two simulated seconds for as long as a run lasts.
//!
//! Per key the checker keeps a proof up to the last quiescent point — every operation that
//! started before it had returned by then — as the states the register can hold there, and the
//! completed operations after it. Operations before a quiescent point precede those after it in
//! real time, so an order for the whole key is an order for the part before followed by one for
//! the part after, starting from a state the first can end in: remembering those states is
//! enough. Each check takes only the operations completed since the last one (the log's digest
//! chain proves the rest is unchanged; anything else — a seek back, another branch, another run
//! — starts over) and searches only past each key's proof.
//!
//! A key whose operations after its proof fit no order (or exhaust the search budget) sends the
//! whole history to the whole-history checker, so a failing verdict and its diagnosis are
//! exactly that checker's.

use std::collections::BTreeMap;

use quorum_traffic::client::{HistoryLog, HistoryOp, Status};

use super::{
    check_history_with_budget, events_of, KeyReport, LinearizabilityReport, Search, Step, Verdict,
    DEFAULT_BUDGET,
};
use quorum_core::time::Time;

/// What is proven about one key: before `cut` (a quiescent point) the operations fit an order
/// after which the register can hold any of `states`.
#[derive(Clone, Debug, PartialEq)]
struct Proven {
    cut: Time,
    states: Vec<Option<i64>>,
}

impl Default for Proven {
    fn default() -> Self {
        Proven {
            cut: 0,
            states: vec![None],
        }
    }
}

/// One key's progress.
#[derive(Clone, Debug, Default)]
struct KeyProgress {
    /// Completed operations on the key that can take effect, counted.
    operations: usize,
    /// Those that started at or after the proof's cut, in history order.
    open: Vec<HistoryOp>,
    proven: Proven,
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
    keys: BTreeMap<quorum_service::kv::Key, KeyProgress>,
}

/// How the operations after a key's proof went.
enum Resumed {
    /// They fit an order; what is proven now.
    Fit(Proven),
    /// They fit none, or the budget ran out.
    Unsettled,
}

impl IncrementalChecker {
    /// Checks the run's completed operations `log` and those still `outstanding` (recorded as
    /// `info`, outcome unknown), resuming from what earlier checks proved.
    pub fn check(&mut self, log: &HistoryLog, outstanding: &[HistoryOp]) -> IncrementalReport {
        self.check_with_budget(log, outstanding, DEFAULT_BUDGET)
    }

    /// [`IncrementalChecker::check`] with a search budget per key and search.
    pub fn check_with_budget(
        &mut self,
        log: &HistoryLog,
        outstanding: &[HistoryOp],
        budget: u64,
    ) -> IncrementalReport {
        if log.len() < self.consumed || log.prefix_digest(self.consumed) != self.consumed_digest {
            *self = IncrementalChecker::default();
        }
        for op in log.iter_from(self.consumed) {
            if Step::of(&op).is_some() {
                let progress = self.keys.entry(op.key.clone()).or_default();
                progress.operations += 1;
                progress.open.push(op);
            }
        }
        self.consumed = log.len();
        self.consumed_digest = log.prefix_digest(self.consumed);

        let mut pending: BTreeMap<&quorum_service::kv::Key, Vec<&HistoryOp>> = BTreeMap::new();
        for op in outstanding.iter().filter(|op| Step::of(op).is_some()) {
            pending.entry(&op.key).or_default().push(op);
        }
        for &key in pending.keys() {
            self.keys.entry(key.clone()).or_default();
        }
        let mut keys = Vec::new();
        let mut explored = 0;
        for (key, progress) in &mut self.keys {
            let waiting = pending.get(key).map_or(&[][..], Vec::as_slice);
            let operations = progress.operations + waiting.len();
            // With nothing past the proof, the proof still holds: no search.
            if !(progress.open.is_empty() && waiting.is_empty()) {
                let local: Vec<HistoryOp> = progress
                    .open
                    .iter()
                    .cloned()
                    .chain(waiting.iter().map(|op| (*op).clone()))
                    .collect();
                match resume(&local, &progress.proven, budget, &mut explored) {
                    Resumed::Fit(proven) => {
                        progress.open.retain(|op| op.call >= proven.cut);
                        progress.proven = proven;
                    }
                    Resumed::Unsettled => {
                        let history: Vec<HistoryOp> =
                            log.iter().chain(outstanding.iter().cloned()).collect();
                        let mut report = check_history_with_budget(&history, budget);
                        report.states_explored += explored;
                        return IncrementalReport {
                            report,
                            history: Some(history),
                        };
                    }
                }
            }
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
}

/// Searches the operations `local` (one key's, all starting at or after `proven.cut`, each able
/// to take effect) from the states `proven` allows, and moves the proof to the latest quiescent
/// point among them.
fn resume(local: &[HistoryOp], proven: &Proven, budget: u64, explored: &mut u64) -> Resumed {
    let mut open: Vec<usize> = (0..local.len()).collect();
    open.sort_by_key(|&i| local[i].call);
    // The latest quiescent point: every operation that starts before it has returned. An
    // operation without an answer may still take effect, so no point after its call is one.
    let mut latest_return = 0;
    let mut next_cut = None;
    for (k, &i) in open.iter().enumerate() {
        let op = &local[i];
        if k > 0 && latest_return < op.call {
            next_cut = Some(k);
        }
        match op.ret {
            Some(ret) if op.status != Status::Info => latest_return = latest_return.max(ret),
            _ => break,
        }
    }
    let mut states = proven.states.clone();
    let mut rest: &[usize] = &open;
    if let Some(k) = next_cut {
        // Settle the operations before the new quiescent point: every state they can end in.
        let (settled, after) = open.split_at(k);
        let Some(next_states) = end_states(local, settled, &states, budget, explored) else {
            return Resumed::Unsettled;
        };
        states = next_states;
        rest = after;
    }
    // The operations after it must fit from one of those states.
    let steps: Vec<Step> = rest.iter().filter_map(|&i| Step::of(&local[i])).collect();
    let events = events_of(local, rest);
    let fits = states.iter().any(|&start| {
        let mut search = Search::from_state(&steps, events.clone(), rest.len(), start);
        let outcome = search.run(budget);
        *explored += search.explored;
        matches!(outcome, super::Outcome::Linearizable(_))
    });
    if !fits {
        return Resumed::Unsettled;
    }
    let cut = rest
        .first()
        .map_or(proven.cut.max(latest_return + 1), |&i| local[i].call);
    Resumed::Fit(Proven { cut, states })
}

/// Every state the register can hold after the operations `settled` (all returned), starting
/// from any of `starts`; `None` when they fit no order or the budget runs out.
fn end_states(
    local: &[HistoryOp],
    settled: &[usize],
    starts: &[Option<i64>],
    budget: u64,
    explored: &mut u64,
) -> Option<Vec<Option<i64>>> {
    let steps: Vec<Step> = settled
        .iter()
        .filter_map(|&i| Step::of(&local[i]))
        .collect();
    let events = events_of(local, settled);
    let mut states = Vec::new();
    for &start in starts {
        let mut search = Search::from_state(&steps, events.clone(), settled.len(), start);
        let ends = search.end_states(budget);
        *explored += search.explored;
        for state in ends?.states {
            if !states.contains(&state) {
                states.push(state);
            }
        }
    }
    (!states.is_empty()).then_some(states)
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
