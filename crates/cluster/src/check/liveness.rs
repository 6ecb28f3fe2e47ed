//! Liveness, apart from safety (the idea of TigerBeetle's liveness mode): once the faults stop —
//! no cut or slowed link, no loss, no paused server, a majority of the voters up — the cluster
//! must settle on a leader and finish every client operation it was working on within a bound
//! derived from the timeouts (ten longest election timeouts). Safety says nothing bad happens;
//! this says something good does.
//!
//! The monitor is plain data driven by the engine: it is told when the faults stop and start
//! again, remembers the operations in progress when a calm window opens, and at the window's
//! deadline is shown what happened. A miss is a [`LivenessFailure`] naming what did not happen.
//! While the calm lasts, windows follow one another, so a cluster that elects a leader and then
//! loses it again without any fault is caught too.

use serde::{Deserialize, Serialize};

use quorum_core::time::Time;

/// How many of the longest election timeouts a calm cluster gets to elect a leader and finish
/// its operations.
pub const ELECTION_TIMEOUTS_ALLOWED: u64 = 10;

/// One client operation the cluster owes an answer, identified as the history identifies it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitedOp {
    /// The client actor (C1, C2…; its history id changes after an `info`, this does not).
    pub client: u32,
    /// When the client called it, µs.
    pub call: Time,
    /// The operation in words, e.g. `put x=5`.
    pub describe: String,
}

/// Something that should have happened in a calm window and did not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Missed {
    /// No server led at the deadline.
    NoLeader,
    /// An operation in progress when the window opened had no answer by its deadline.
    OperationUnanswered(AwaitedOp),
    /// Clients were waiting, yet no operation was answered in the whole window.
    NoProgress {
        /// Operations still waiting at the deadline.
        waiting: usize,
    },
}

impl Missed {
    /// What did not happen, in plain words.
    pub fn describe(&self) -> String {
        match self {
            Missed::NoLeader => "no server leads".into(),
            Missed::NoProgress { waiting } => {
                format!("no operation was answered while {waiting} waited")
            }
            Missed::OperationUnanswered(op) => format!(
                "C{}'s {} (called at {}) got no answer",
                op.client,
                op.describe,
                quorum_core::time::format_time(op.call)
            ),
        }
    }
}

/// A calm window whose deadline passed with something missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivenessFailure {
    /// The deadline, µs.
    pub at: Time,
    /// When the window opened (the faults had stopped by then), µs.
    pub calm_since: Time,
    /// What did not happen.
    pub missed: Vec<Missed>,
}

impl LivenessFailure {
    /// One line for the feed and the summary.
    pub fn explain(&self) -> String {
        let what: Vec<String> = self.missed.iter().map(Missed::describe).collect();
        format!(
            "faults had stopped at {} and by {}: {}",
            quorum_core::time::format_time(self.calm_since),
            quorum_core::time::format_time(self.at),
            what.join("; ")
        )
    }
}

/// The open calm window.
#[derive(Clone, Debug, PartialEq)]
struct Window {
    opened: Time,
    deadline: Time,
    awaited: Vec<AwaitedOp>,
    /// Length of the client history when the window opened.
    history_len: usize,
}

/// What happened in a window, as the engine saw it at the deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WindowOutcome {
    /// Some server leads.
    pub has_leader: bool,
    /// Operations answered (ok or fail) during the window.
    pub answered: usize,
    /// Operations still waiting for an answer at the deadline.
    pub waiting: usize,
}

/// Watches calm windows; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LivenessMonitor {
    window: Option<Window>,
    /// When the current calm began (the first window's start).
    calm_since: Option<Time>,
    failures: Vec<LivenessFailure>,
}

impl LivenessMonitor {
    /// The faults stopped (or are still stopped) at `now`: opens a window if none is open.
    /// `awaited` are the operations in progress that their clients will still wait for at the
    /// deadline.
    pub fn calm(&mut self, now: Time, bound: Time, history_len: usize, awaited: Vec<AwaitedOp>) {
        if self.window.is_some() {
            return;
        }
        self.calm_since.get_or_insert(now);
        let deadline = now + bound;
        self.window = Some(Window {
            opened: now,
            deadline,
            awaited,
            history_len,
        });
    }

    /// A fault is in force again: the open window, if any, is abandoned.
    pub fn faulty(&mut self) {
        self.window = None;
        self.calm_since = None;
    }

    /// Length of the client history when the open window opened.
    pub fn window_history_len(&self) -> Option<usize> {
        self.window.as_ref().map(|w| w.history_len)
    }

    /// When the open window must be judged.
    pub fn deadline(&self) -> Option<Time> {
        self.window.as_ref().map(|w| w.deadline)
    }

    /// Judges the open window at its deadline from what happened (`outcome`) and
    /// `answered(client, call)` for the awaited operations. Returns the failure, if any (also
    /// kept). The window closes; the caller opens the next one if the calm goes on.
    pub fn judge(
        &mut self,
        outcome: WindowOutcome,
        answered: impl Fn(u32, Time) -> bool,
    ) -> Option<LivenessFailure> {
        let window = self.window.take()?;
        let mut missed = Vec::new();
        if !outcome.has_leader {
            missed.push(Missed::NoLeader);
        }
        if outcome.answered == 0 && outcome.waiting > 0 {
            missed.push(Missed::NoProgress {
                waiting: outcome.waiting,
            });
        }
        for op in window.awaited {
            if !answered(op.client, op.call) {
                missed.push(Missed::OperationUnanswered(op));
            }
        }
        if missed.is_empty() {
            return None;
        }
        let failure = LivenessFailure {
            at: window.deadline,
            calm_since: self.calm_since.unwrap_or(window.opened),
            missed,
        };
        self.failures.push(failure.clone());
        Some(failure)
    }

    /// Every failure so far.
    pub fn failures(&self) -> &[LivenessFailure] {
        &self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(client: u32, call: Time) -> AwaitedOp {
        AwaitedOp {
            client,
            call,
            describe: "put x=1".into(),
        }
    }

    #[test]
    fn a_calm_window_without_a_leader_or_an_answer_is_a_failure_naming_both() {
        let mut m = LivenessMonitor::default();
        m.calm(1_000, 3_000, 0, vec![op(2, 500)]);
        assert_eq!(m.deadline(), Some(4_000));
        let stuck = WindowOutcome {
            has_leader: false,
            answered: 0,
            waiting: 3,
        };
        let failure = m.judge(stuck, |_, _| false).expect("fires");
        assert_eq!(failure.calm_since, 1_000);
        assert_eq!(
            failure.missed,
            vec![
                Missed::NoLeader,
                Missed::NoProgress { waiting: 3 },
                Missed::OperationUnanswered(op(2, 500))
            ]
        );
        assert!(failure
            .explain()
            .contains("no operation was answered while 3 waited"));
        assert!(failure.explain().contains("no server leads"));
        assert!(failure.explain().contains("C2's put x=1"));
        assert_eq!(m.failures().len(), 1);
    }

    #[test]
    fn a_window_where_everything_happened_passes_and_a_fault_abandons_the_window() {
        let mut m = LivenessMonitor::default();
        let fine = WindowOutcome {
            has_leader: true,
            answered: 5,
            waiting: 1,
        };
        m.calm(0, 3_000, 0, vec![op(1, 0)]);
        assert!(m.judge(fine, |c, t| c == 1 && t == 0).is_none());
        m.calm(3_000, 3_000, 7, vec![op(1, 2_000)]);
        assert_eq!(m.window_history_len(), Some(7));
        m.faulty();
        assert_eq!(m.deadline(), None, "abandoned");
        assert!(
            m.judge(WindowOutcome::default(), |_, _| false).is_none(),
            "nothing to judge"
        );
        assert!(m.failures().is_empty());
    }

    #[test]
    fn calm_that_goes_on_keeps_its_start_across_windows() {
        let mut m = LivenessMonitor::default();
        let idle = WindowOutcome {
            has_leader: true,
            answered: 0,
            waiting: 0,
        };
        m.calm(100, 1_000, 0, Vec::new());
        m.calm(500, 1_000, 0, Vec::new());
        assert_eq!(m.deadline(), Some(1_100), "the open window stays");
        assert!(
            m.judge(idle, |_, _| true).is_none(),
            "idle clients are no failure"
        );
        m.calm(1_100, 1_000, 0, Vec::new());
        let leaderless = WindowOutcome {
            has_leader: false,
            ..idle
        };
        let f = m.judge(leaderless, |_, _| true).expect("no leader");
        assert_eq!(f.calm_since, 100);
        assert_eq!(f.at, 2_100);
    }
}
