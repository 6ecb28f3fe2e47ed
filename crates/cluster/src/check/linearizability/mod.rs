//! Linearizability checking of a key-value history, partitioned per key since every operation
//! touches one key. Each key is decided by a just-in-time sweep (Lowe 2017; see `sweep`), whose
//! cost grows with the history however concurrent its operations; a key that fails is searched
//! again depth-first (Wing & Gong with Lowe's memoization, the algorithm Porcupine uses) for a
//! diagnosis.
//!
//! - `ok` operations must take effect at one instant between their call and return.
//! - `fail` operations took no effect. A failed cas still *observed* something — the key did not
//!   hold `from` — so it is checked as a read that asserts that; other failures are dropped.
//! - `info` operations may take effect at any instant after their call, or never: they have no
//!   return, and the search succeeds once every completed operation is placed. An `info` read
//!   observed nothing and is dropped.
//!
//! For a history that is not linearizable, the report gives the longest linearizable prefix the
//! depth-first search found (in linearization order) and the operation that could not be
//! placed after it.

use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};

use quorum_core::digest::Digester;
use quorum_core::time::Time;
use quorum_traffic::client::{HistoryOp, OpKind, Status};

use sweep::{Stop, Sweep, SweepOp};

mod bits;
mod incremental;
mod sweep;

pub use incremental::{IncrementalChecker, IncrementalReport};

/// The overall answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Some order of the operations explains every result.
    Linearizable,
    /// No order does.
    NotLinearizable,
    /// The search gave up (budget exhausted) before deciding.
    Unknown,
}

/// The answer for one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyReport {
    /// The key.
    pub key: String,
    /// Operations on it that were checked.
    pub operations: usize,
    /// The verdict for this key.
    pub verdict: Verdict,
    /// The longest linearizable prefix found, as indexes into the history, in linearization order.
    pub linearized: Vec<usize>,
    /// For a failure: the operation (history index) that could not be placed after that prefix.
    pub first_unplaceable: Option<usize>,
}

/// The answer for a whole history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinearizabilityReport {
    /// Linearizable only if every key is.
    pub verdict: Verdict,
    /// Per key, in key order.
    pub keys: Vec<KeyReport>,
    /// Search states visited over all keys (a measure of the work done).
    pub states_explored: u64,
}

/// The operations to show when explaining a failure: those on the failing key around the first
/// one that cannot be placed, the time span they cover and the clients that issued them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosisWindow<'a> {
    /// The failing key.
    pub key: &'a KeyReport,
    /// History index of the first operation that cannot be placed.
    pub culprit: usize,
    /// History indexes shown, in call order: up to [`DIAGNOSIS_BEFORE`] before the culprit and
    /// [`DIAGNOSIS_AFTER`] after it.
    pub operations: Vec<usize>,
    /// The first call among them.
    pub start: Time,
    /// The last return among them (a call that never returned counts one µs).
    pub end: Time,
    /// The clients that issued them, in id order (one lane each).
    pub clients: Vec<u64>,
}

/// Operations on the failing key shown before the culprit: enough to see the writes it missed.
pub const DIAGNOSIS_BEFORE: usize = 14;
/// Operations on the failing key shown after the culprit.
pub const DIAGNOSIS_AFTER: usize = 3;

impl LinearizabilityReport {
    /// The window of operations that explains the first failure, if there is one.
    pub fn diagnosis_window<'a>(&'a self, history: &[HistoryOp]) -> Option<DiagnosisWindow<'a>> {
        let key = self.first_failure()?;
        let culprit = key.first_unplaceable?;
        let mut on_key: Vec<usize> = (0..history.len())
            .filter(|&i| *history[i].key == *key.key)
            .collect();
        on_key.sort_by_key(|&i| history[i].call);
        let pos = on_key.iter().position(|&i| i == culprit)?;
        let operations = on_key
            [pos.saturating_sub(DIAGNOSIS_BEFORE)..(pos + 1 + DIAGNOSIS_AFTER).min(on_key.len())]
            .to_vec();
        let start = operations.iter().map(|&i| history[i].call).min()?;
        let end = operations
            .iter()
            .map(|&i| history[i].ret.unwrap_or(history[i].call + 1))
            .max()?
            .max(history[culprit].ret.unwrap_or(0));
        let mut clients: Vec<u64> = operations.iter().map(|&i| history[i].client).collect();
        clients.sort_unstable();
        clients.dedup();
        Some(DiagnosisWindow {
            key,
            culprit,
            operations,
            start,
            end,
            clients,
        })
    }

    /// The first key that failed, if any.
    pub fn first_failure(&self) -> Option<&KeyReport> {
        self.keys
            .iter()
            .find(|k| k.verdict == Verdict::NotLinearizable)
    }

    /// A plain-language summary.
    pub fn explain(&self, history: &[HistoryOp]) -> String {
        match self.verdict {
            Verdict::Linearizable => format!(
                "Linearizable: all {} operations on {} keys fit one sequential order.",
                self.keys.iter().map(|k| k.operations).sum::<usize>(),
                self.keys.len()
            ),
            Verdict::Unknown => "Undecided: the search ran out of budget.".to_string(),
            Verdict::NotLinearizable => {
                let Some(k) = self.first_failure() else {
                    return "Not linearizable.".to_string();
                };
                let op = k.first_unplaceable.and_then(|i| history.get(i));
                format!(
                    "Not linearizable on key {}: after {} operations placed in order, {} cannot be placed anywhere.",
                    k.key,
                    k.linearized.len(),
                    op.map_or_else(|| "an operation".to_string(), describe)
                )
            }
        }
    }
}

fn describe(op: &HistoryOp) -> String {
    let what = match op.op {
        OpKind::Read => format!(
            "read {} → {}",
            op.key,
            op.result
                .flatten()
                .map_or_else(|| "absent".to_string(), |v| v.to_string())
        ),
        OpKind::Write => format!("write {}={}", op.key, op.value.unwrap_or_default()),
        OpKind::Delete => format!("delete {}", op.key),
        OpKind::Cas => format!(
            "cas {} {}→{} ({})",
            op.key,
            op.from.unwrap_or_default(),
            op.to.unwrap_or_default(),
            if op.status == Status::Fail {
                "failed"
            } else {
                "succeeded"
            }
        ),
    };
    format!("client {}'s {what} (called at {} µs)", op.client, op.call)
}

/// The model's view of one operation.
#[derive(Clone, Copy, Debug)]
enum Step {
    Read(Option<i64>),
    Write(Option<i64>),
    Cas { from: i64, to: i64 },
    CasFailed { from: i64 },
}

impl Step {
    fn of(op: &HistoryOp) -> Option<Step> {
        match (op.op, op.status) {
            (OpKind::Read, Status::Ok) => Some(Step::Read(op.result.flatten())),
            (OpKind::Read, _) => None,
            (OpKind::Write, Status::Fail) | (OpKind::Delete, Status::Fail) => None,
            (OpKind::Write, _) => Some(Step::Write(op.value)),
            (OpKind::Delete, _) => Some(Step::Write(None)),
            (OpKind::Cas, Status::Fail) => Some(Step::CasFailed { from: op.from? }),
            (OpKind::Cas, _) => Some(Step::Cas {
                from: op.from?,
                to: op.to?,
            }),
        }
    }

    /// It observes the register without changing it.
    fn keeps_state(self) -> bool {
        matches!(self, Step::Read(_) | Step::CasFailed { .. })
    }

    /// Applies the step to `state`; `None` when the step is impossible in that state.
    fn apply(self, state: Option<i64>) -> Option<Option<i64>> {
        match self {
            Step::Read(v) => (state == v).then_some(state),
            Step::Write(v) => Some(v),
            Step::Cas { from, to } => (state == Some(from)).then_some(Some(to)),
            Step::CasFailed { from } => (state != Some(from)).then_some(state),
        }
    }
}

/// How much work the checker may do before answering [`Verdict::Unknown`]: configurations the
/// sweep visits for one return, and states the depth-first search visits per key.
pub const DEFAULT_BUDGET: u64 = 5_000_000;

/// Checks a whole history with the default budget.
pub fn check_history(history: &[HistoryOp]) -> LinearizabilityReport {
    check_history_with_budget(history, DEFAULT_BUDGET)
}

/// Checks a whole history within `budget` (see [`DEFAULT_BUDGET`]).
pub fn check_history_with_budget(history: &[HistoryOp], budget: u64) -> LinearizabilityReport {
    check_each_key(history, |key, indexes| {
        check_key(key, history, indexes, budget)
    })
}

/// Groups the history's operations by key (those that can take effect), checks each key with
/// `check` (its report and the states it explored) and joins the verdicts: one failing key
/// fails the history, one unanswered key leaves it unknown.
fn check_each_key(
    history: &[HistoryOp],
    mut check: impl FnMut(&str, &[usize]) -> (KeyReport, u64),
) -> LinearizabilityReport {
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in history.iter().enumerate() {
        if Step::of(op).is_some() {
            by_key.entry(&*op.key).or_default().push(i);
        }
    }
    let mut keys = Vec::new();
    let mut states = 0;
    for (key, indexes) in by_key {
        let (report, explored) = check(key, &indexes);
        states += explored;
        keys.push(report);
    }
    let verdict = if keys.iter().any(|k| k.verdict == Verdict::NotLinearizable) {
        Verdict::NotLinearizable
    } else if keys.iter().any(|k| k.verdict == Verdict::Unknown) {
        Verdict::Unknown
    } else {
        Verdict::Linearizable
    };
    LinearizabilityReport {
        verdict,
        keys,
        states_explored: states,
    }
}

/// One call or return in the time-ordered event list.
#[derive(Clone, Copy, Debug)]
struct Event {
    op: usize,
    is_call: bool,
    /// For a call: the position of its return event, if the operation completed.
    partner: Option<usize>,
}

/// A doubly linked list over the events, so entries can be lifted out and put back in O(1).
struct Events {
    events: Vec<Event>,
    prev: Vec<Option<usize>>,
    next: Vec<Option<usize>>,
    head: Option<usize>,
}

impl Events {
    fn new(events: Vec<Event>) -> Self {
        let n = events.len();
        Events {
            events,
            prev: (0..n).map(|i| i.checked_sub(1)).collect(),
            next: (0..n).map(|i| (i + 1 < n).then_some(i + 1)).collect(),
            head: (n > 0).then_some(0),
        }
    }

    fn unlink(&mut self, i: usize) {
        let (p, n) = (self.prev[i], self.next[i]);
        match p {
            Some(p) => self.next[p] = n,
            None => self.head = n,
        }
        if let Some(n) = n {
            self.prev[n] = p;
        }
    }

    fn relink(&mut self, i: usize) {
        let (p, n) = (self.prev[i], self.next[i]);
        match p {
            Some(p) => self.next[p] = Some(i),
            None => self.head = Some(i),
        }
        if let Some(n) = n {
            self.prev[n] = Some(i);
        }
    }

    fn lift(&mut self, call: usize) {
        self.unlink(call);
        if let Some(ret) = self.events[call].partner {
            self.unlink(ret);
        }
    }

    fn unlift(&mut self, call: usize) {
        if let Some(ret) = self.events[call].partner {
            self.relink(ret);
        }
        self.relink(call);
    }
}

/// Configurations already explored: the placed set, written as the number of leading all-placed
/// words and the words from there to the last one with a placed operation, and the register's
/// state. Placements follow calls, so the placed set is almost always a prefix plus a window as
/// wide as the concurrency: a key is a few words however long the history, where the whole
/// bitset made each explored state cost (and hash) a bit per operation of the history.
type Seen = HashSet<(u32, Vec<u64>, Option<i64>), BuildHasherDefault<Digester>>;

/// The call and return events of the operations `indexes` name, in time order: calls before
/// returns at equal times (intervals are closed, so touching operations overlap). Operations
/// whose outcome is unknown have no return.
fn events_of(history: &[HistoryOp], indexes: &[usize]) -> Vec<Event> {
    let mut raw: Vec<(u64, u8, usize)> = Vec::new();
    for (local, &i) in indexes.iter().enumerate() {
        let op = &history[i];
        raw.push((op.call, 0, local));
        if let (Some(ret), true) = (op.ret, op.status != Status::Info) {
            raw.push((ret, 1, local));
        }
    }
    raw.sort();
    let mut return_pos = vec![None; indexes.len()];
    for (pos, &(_, kind, local)) in raw.iter().enumerate() {
        if kind == 1 {
            return_pos[local] = Some(pos);
        }
    }
    raw.iter()
        .map(|&(_, kind, local)| Event {
            op: local,
            is_call: kind == 0,
            partner: if kind == 0 { return_pos[local] } else { None },
        })
        .collect()
}

/// The longest prefix of a sequential order found while searching, and the operation that
/// returned before it could be placed after it.
#[derive(Clone, Debug, Default)]
struct Furthest {
    /// Operations placed, in order (local indexes).
    placed: Vec<usize>,
    /// The operation that could not be placed next.
    stuck_at: Option<usize>,
}

/// How a search for one key ended.
enum Outcome {
    /// Every operation fits this sequential order (local indexes).
    Linearizable(Vec<usize>),
    /// No order fits; the furthest the search got.
    NotLinearizable(Furthest),
    /// The budget ran out; the furthest the search got.
    Unknown(Furthest),
}

/// The depth-first search of Wing & Gong, with Lowe's memo of (placed set, state) pairs: take
/// the earliest call whose operation can go next, place it and start over from the first event;
/// when a return comes up whose operation is not placed, undo the last placement.
struct Search<'a> {
    steps: &'a [Step],
    list: Events,
    returns_left: usize,
    /// Bit per operation: placed so far.
    placed: Vec<u64>,
    /// Every word of `placed` before this one is full.
    full_below: usize,
    /// Every word of `placed` from this one on is empty.
    empty_from: usize,
    state: Option<i64>,
    seen: Seen,
    /// Placements, with the state before each (to undo them).
    stack: Vec<(usize, Option<i64>)>,
    furthest: Furthest,
    explored: u64,
}

impl<'a> Search<'a> {
    fn new(steps: &'a [Step], events: Vec<Event>, operations: usize) -> Self {
        Search {
            steps,
            returns_left: events.iter().filter(|e| !e.is_call).count(),
            list: Events::new(events),
            placed: vec![0u64; operations.div_ceil(64).max(1)],
            full_below: 0,
            empty_from: 0,
            state: None,
            seen: HashSet::default(),
            stack: Vec::new(),
            furthest: Furthest::default(),
            explored: 0,
        }
    }

    /// The operations placed so far, in order.
    fn order(&self) -> Vec<usize> {
        self.stack
            .iter()
            .map(|&(call, _)| self.list.events[call].op)
            .collect()
    }

    fn flip(&mut self, op: usize) {
        let w = op / 64;
        self.placed[w] ^= 1u64 << (op % 64);
        if self.placed[w] == u64::MAX {
            while self.placed.get(self.full_below) == Some(&u64::MAX) {
                self.full_below += 1;
            }
        } else {
            self.full_below = self.full_below.min(w);
        }
        if self.placed[w] != 0 {
            self.empty_from = self.empty_from.max(w + 1);
        } else {
            while self.empty_from > 0 && self.placed[self.empty_from - 1] == 0 {
                self.empty_from -= 1;
            }
        }
    }

    /// The placed set as [`Seen`] keys it.
    fn placed_key(&self) -> (u32, Vec<u64>) {
        let window = self.full_below..self.empty_from.max(self.full_below);
        (self.full_below as u32, self.placed[window].to_vec())
    }

    /// Runs until a verdict or until `budget` states are explored.
    fn run(&mut self, budget: u64) -> Outcome {
        let mut cursor = self.list.head;
        loop {
            if self.returns_left == 0 {
                return Outcome::Linearizable(self.order());
            }
            self.explored += 1;
            if self.explored > budget {
                return Outcome::Unknown(self.furthest.clone());
            }
            // Past the end only calls of operations without a return remain: nothing to place.
            let Some(at) = cursor else {
                return Outcome::Linearizable(self.order());
            };
            let event = self.list.events[at];
            cursor = if event.is_call {
                self.try_place(at, event)
            } else {
                match self.undo(event.op) {
                    Some(next) => next,
                    None => return Outcome::NotLinearizable(self.furthest.clone()),
                }
            };
        }
    }

    /// Places the call at `at` if its operation can go next from this state and the result is
    /// new; returns where the search goes on.
    fn try_place(&mut self, at: usize, event: Event) -> Option<usize> {
        if let Some(next_state) = self.steps[event.op].apply(self.state) {
            self.flip(event.op);
            let (full, window) = self.placed_key();
            if self.seen.insert((full, window, next_state)) {
                self.stack.push((at, self.state));
                self.state = next_state;
                self.list.lift(at);
                if event.partner.is_some() {
                    self.returns_left -= 1;
                }
                return self.list.head;
            }
            self.flip(event.op);
        }
        self.list.next[at]
    }

    /// Operation `stuck` returned before it could be placed: remembers how far the search got
    /// and undoes the last placement. Returns where the search goes on, or `None` when nothing
    /// is left to undo.
    fn undo(&mut self, stuck: usize) -> Option<Option<usize>> {
        if self.furthest.stuck_at.is_none() || self.stack.len() > self.furthest.placed.len() {
            self.furthest = Furthest {
                placed: self.order(),
                stuck_at: Some(stuck),
            };
        }
        let (call, previous) = self.stack.pop()?;
        self.flip(self.list.events[call].op);
        self.state = previous;
        self.list.unlift(call);
        if self.list.events[call].partner.is_some() {
            self.returns_left += 1;
        }
        Some(self.list.next[call])
    }
}

/// `op` as the sweep takes it, numbered `id`; `None` when it cannot take effect. An `info`
/// operation never returns.
fn sweep_op(op: &HistoryOp, id: usize) -> Option<SweepOp> {
    Some(SweepOp {
        id,
        call: op.call,
        ret: op.ret.filter(|_| op.status != Status::Info),
        step: Step::of(op)?,
    })
}

/// The operations `indexes` names, as the sweep takes them (`id`: position in `indexes`), in
/// call order.
fn sweep_ops(history: &[HistoryOp], indexes: &[usize]) -> Vec<SweepOp> {
    let mut ops: Vec<SweepOp> = indexes
        .iter()
        .enumerate()
        .filter_map(|(local, &i)| sweep_op(&history[i], local))
        .collect();
    ops.sort_by_key(|op| op.call);
    ops
}

/// Depth-first states per operation the first, quick search may visit. Most histories (closed
/// loops, keys spread out) are decided in one or two per operation; the sweep's constant is
/// larger, so it takes over only from searches that would go on.
const QUICK_SEARCH_STATES_PER_OPERATION: u64 = 2;

/// Keys with more operations than this skip the quick search: its memo of states grows with the
/// history and each state costs more the longer it is (Zipf over 10 keys: 0.2 µs an operation
/// for a minute, 1 µs for an hour), while the sweep stays near 0.7 µs.
const QUICK_SEARCH_MAX_OPERATIONS: usize = 20_000;

/// Checks the operations on one key; returns the report and the states explored.
///
/// A depth-first search with a budget in proportion to the operations decides most keys at
/// once. The rest go to the just-in-time sweep, whose cost grows with the history rather than
/// with the orders it allows. When no order fits, the depth-first search runs again with the
/// whole budget, for its diagnosis: the longest prefix it could place and the operation that
/// could not follow.
fn check_key(key: &str, history: &[HistoryOp], indexes: &[usize], budget: u64) -> (KeyReport, u64) {
    let global = |locals: &[usize]| locals.iter().map(|&l| indexes[l]).collect();
    let report = |verdict, linearized, first_unplaceable| KeyReport {
        key: key.to_string(),
        operations: indexes.len(),
        verdict,
        linearized,
        first_unplaceable,
    };
    // Built per search: a key the sweep settles alone never needs them.
    let search = |limit: u64| {
        let steps: Vec<Step> = indexes
            .iter()
            .filter_map(|&i| Step::of(&history[i]))
            .collect();
        let mut search = Search::new(&steps, events_of(history, indexes), indexes.len());
        let outcome = search.run(limit);
        (outcome, search.explored)
    };
    let quick = if indexes.len() <= QUICK_SEARCH_MAX_OPERATIONS {
        (QUICK_SEARCH_STATES_PER_OPERATION * indexes.len() as u64 + 1_000).min(budget)
    } else {
        0
    };
    let (mut outcome, mut explored) = if quick > 0 {
        search(quick)
    } else {
        (Outcome::Unknown(Furthest::default()), 0)
    };
    if matches!(outcome, Outcome::Unknown(_)) {
        let mut sweep = Sweep::new(None, true);
        let swept = sweep.advance(&sweep_ops(history, indexes), None, budget);
        explored += sweep.explored;
        if swept.is_ok() {
            let order = sweep.witness().unwrap_or_default();
            return (
                report(Verdict::Linearizable, global(&order), None),
                explored,
            );
        }
        if quick < budget {
            let (full, more) = search(budget);
            outcome = full;
            explored += more;
        }
        // The search gave up, but the sweep decided: no order fits. The first operation that
        // could not be placed is the one whose return found no configuration, after the order
        // a configuration had reached.
        if let (Outcome::Unknown(_), Err(Stop::Unplaceable(stuck))) = (&outcome, swept) {
            outcome = Outcome::NotLinearizable(Furthest {
                placed: sweep.witness().unwrap_or_default(),
                stuck_at: Some(stuck),
            });
        }
    }
    let keys = match outcome {
        Outcome::Linearizable(order) => report(Verdict::Linearizable, global(&order), None),
        Outcome::NotLinearizable(f) => report(
            Verdict::NotLinearizable,
            global(&f.placed),
            f.stuck_at.map(|l| indexes[l]),
        ),
        Outcome::Unknown(f) => report(Verdict::Unknown, global(&f.placed), None),
    };
    (keys, explored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_traffic::client::parse_history;

    fn check(text: &str) -> (LinearizabilityReport, Vec<HistoryOp>) {
        let h = parse_history(text).unwrap();
        (check_history(&h), h)
    }

    #[test]
    fn empty_history_is_linearizable() {
        assert_eq!(check_history(&[]).verdict, Verdict::Linearizable);
    }

    #[test]
    fn sequential_consistent_history_is_linearizable() {
        let (r, _) = check(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":1,"op":"read","key":"x","call":20,"return":30,"status":"ok","result":1}
{"client":2,"op":"cas","key":"x","from":1,"to":2,"call":40,"return":50,"status":"ok"}
{"client":2,"op":"read","key":"x","call":60,"return":70,"status":"ok","result":2}
{"client":1,"op":"delete","key":"x","call":80,"return":90,"status":"ok"}
{"client":1,"op":"read","key":"x","call":100,"return":110,"status":"ok","result":null}"#,
        );
        assert_eq!(r.verdict, Verdict::Linearizable);
        assert_eq!(r.keys[0].linearized, vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn stale_read_after_a_completed_write_is_caught() {
        let (r, h) = check(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":1,"op":"write","key":"x","value":2,"call":20,"return":30,"status":"ok"}
{"client":2,"op":"read","key":"x","call":40,"return":50,"status":"ok","result":1}"#,
        );
        assert_eq!(r.verdict, Verdict::NotLinearizable);
        let k = r.first_failure().unwrap();
        assert_eq!(k.first_unplaceable, Some(2));
        assert_eq!(k.linearized, vec![0, 1]);
        let window = r.diagnosis_window(&h).expect("a failure to explain");
        assert_eq!(window.culprit, 2);
        assert_eq!(window.operations, vec![0, 1, 2]);
        assert_eq!((window.start, window.end), (0, 50));
        assert_eq!(window.clients, vec![1, 2]);
        assert!(r.explain(&h).contains("read x → 1"));
    }

    #[test]
    fn concurrent_operations_may_take_effect_in_either_order() {
        // The read overlaps both writes, so it may see either value.
        let (r, _) = check(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":100,"status":"ok"}
{"client":2,"op":"write","key":"x","value":2,"call":10,"return":90,"status":"ok"}
{"client":3,"op":"read","key":"x","call":20,"return":80,"status":"ok","result":1}
{"client":3,"op":"read","key":"x","call":95,"return":99,"status":"ok","result":1}"#,
        );
        assert_eq!(r.verdict, Verdict::Linearizable);
    }

    #[test]
    fn reads_must_agree_on_one_order_of_concurrent_writes() {
        // Two readers see the writes in opposite orders after both writes finished: impossible.
        let (r, _) = check(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":2,"op":"write","key":"x","value":2,"call":0,"return":10,"status":"ok"}
{"client":3,"op":"read","key":"x","call":20,"return":30,"status":"ok","result":1}
{"client":4,"op":"read","key":"x","call":40,"return":50,"status":"ok","result":2}"#,
        );
        assert_eq!(r.verdict, Verdict::NotLinearizable);
    }

    #[test]
    fn touching_intervals_count_as_concurrent() {
        // The read returns at 10, exactly when the write is called: closed intervals overlap.
        let (r, _) = check(
            r#"{"client":1,"op":"read","key":"x","call":0,"return":10,"status":"ok","result":5}
{"client":2,"op":"write","key":"x","value":5,"call":10,"return":20,"status":"ok"}"#,
        );
        assert_eq!(r.verdict, Verdict::Linearizable);
    }

    #[test]
    fn info_write_may_take_effect_late_or_never() {
        let late = r#"{"client":1,"op":"write","key":"x","value":7,"call":0,"status":"info"}
{"client":2,"op":"read","key":"x","call":100,"return":110,"status":"ok","result":null}
{"client":2,"op":"read","key":"x","call":200,"return":210,"status":"ok","result":7}"#;
        assert_eq!(check(late).0.verdict, Verdict::Linearizable);
        let never = r#"{"client":1,"op":"write","key":"x","value":7,"call":0,"status":"info"}
{"client":2,"op":"read","key":"x","call":100,"return":110,"status":"ok","result":null}"#;
        assert_eq!(check(never).0.verdict, Verdict::Linearizable);
        // But it cannot take effect before it was called.
        let early = r#"{"client":2,"op":"read","key":"x","call":0,"return":10,"status":"ok","result":7}
{"client":1,"op":"write","key":"x","value":7,"call":50,"status":"info"}"#;
        assert_eq!(check(early).0.verdict, Verdict::NotLinearizable);
        // Nor take effect twice: after it is overwritten it cannot reappear.
        let twice = r#"{"client":1,"op":"write","key":"x","value":7,"call":0,"status":"info"}
{"client":2,"op":"read","key":"x","call":100,"return":110,"status":"ok","result":7}
{"client":2,"op":"write","key":"x","value":8,"call":120,"return":130,"status":"ok"}
{"client":2,"op":"read","key":"x","call":140,"return":150,"status":"ok","result":7}"#;
        assert_eq!(check(twice).0.verdict, Verdict::NotLinearizable);
    }

    #[test]
    fn failed_cas_asserts_the_value_differed() {
        let ok = r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":2,"op":"cas","key":"x","from":5,"to":6,"call":20,"return":30,"status":"fail"}"#;
        assert_eq!(check(ok).0.verdict, Verdict::Linearizable);
        let wrong = r#"{"client":1,"op":"write","key":"x","value":5,"call":0,"return":10,"status":"ok"}
{"client":2,"op":"cas","key":"x","from":5,"to":6,"call":20,"return":30,"status":"fail"}"#;
        assert_eq!(check(wrong).0.verdict, Verdict::NotLinearizable);
        let lost_cas = r#"{"client":1,"op":"write","key":"x","value":5,"call":0,"return":10,"status":"ok"}
{"client":2,"op":"cas","key":"x","from":5,"to":6,"call":20,"return":30,"status":"ok"}
{"client":2,"op":"read","key":"x","call":40,"return":50,"status":"ok","result":5}"#;
        assert_eq!(check(lost_cas).0.verdict, Verdict::NotLinearizable);
    }

    #[test]
    fn keys_are_checked_independently() {
        let (r, _) = check(
            r#"{"client":1,"op":"write","key":"x","value":1,"call":0,"return":10,"status":"ok"}
{"client":1,"op":"write","key":"y","value":2,"call":20,"return":30,"status":"ok"}
{"client":2,"op":"read","key":"y","call":40,"return":50,"status":"ok","result":null}"#,
        );
        assert_eq!(r.verdict, Verdict::NotLinearizable);
        assert_eq!(r.keys.len(), 2);
        assert_eq!(r.keys[0].verdict, Verdict::Linearizable);
        assert_eq!(r.first_failure().unwrap().key, "y");
    }

    #[test]
    fn thousands_of_concurrent_operations_check_quickly() {
        // Five clients, 4000 operations on one register, each overlapping its neighbours; every
        // read sees the latest write, so it is linearizable — and the search must not explode.
        let mut ops = Vec::new();
        let mut value = 0i64;
        for i in 0..4000u64 {
            let client = i % 5;
            let call = i * 10;
            let ret = call + 35;
            let op = if i % 2 == 0 {
                value = i as i64;
                HistoryOp::called(
                    client,
                    &quorum_service::kv::KvOp::Put {
                        key: "x".into(),
                        value,
                    },
                    call,
                )
                .completed(&quorum_service::kv::KvResult::Done, ret)
            } else {
                HistoryOp::called(
                    client,
                    &quorum_service::kv::KvOp::Get { key: "x".into() },
                    call,
                )
                .completed(
                    &quorum_service::kv::KvResult::Value { value: Some(value) },
                    ret,
                )
            };
            ops.push(op);
        }
        let r = check_history(&ops);
        assert_eq!(r.verdict, Verdict::Linearizable);
        assert!(
            r.states_explored < 1_000_000,
            "explored {}",
            r.states_explored
        );

        // With a budget too small for the depth-first search to place them all, the sweep
        // still decides, and its order places every operation (Lowe 2017, §5).
        let indexes: Vec<usize> = (0..ops.len()).collect();
        let steps: Vec<Step> = ops.iter().filter_map(Step::of).collect();
        let mut search = Search::new(&steps, events_of(&ops, &indexes), ops.len());
        assert!(
            matches!(search.run(2_000), Outcome::Unknown(_)),
            "the search alone gives up"
        );
        let r = check_history_with_budget(&ops, 2_000);
        assert_eq!(r.verdict, Verdict::Linearizable);
        let mut order = r.keys[0].linearized.clone();
        order.sort_unstable();
        assert_eq!(order, (0..ops.len()).collect::<Vec<_>>());

        // A stale read at the end: the search still gives up, the sweep finds it, and the
        // diagnosis names it, after an order that has the writes it missed.
        let last_write = ops.len() - 2;
        let stale = HistoryOp::called(
            9,
            &quorum_service::kv::KvOp::Get { key: "x".into() },
            40_100,
        )
        .completed(
            &quorum_service::kv::KvResult::Value {
                // Overwritten by a write that started after it returned.
                value: Some(ops[last_write].value.unwrap_or_default() - 8),
            },
            40_110,
        );
        ops.push(stale);
        let r = check_history_with_budget(&ops, 2_000);
        assert_eq!(r.verdict, Verdict::NotLinearizable);
        let key = &r.keys[0];
        assert_eq!(key.first_unplaceable, Some(ops.len() - 1));
        assert!(key.linearized.contains(&last_write), "{:?}", key.linearized);
        assert!(r.diagnosis_window(&ops).is_some());
    }
}
