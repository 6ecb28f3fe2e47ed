//! Per-server timers and clocks. A timer table with one slot per kind, and a clock that can run
//! fast or slow (clock drift) without ever jumping.

use quorum_core::time::Time;
use quorum_service::server::TimerKind;

/// A timer a server has running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerState {
    /// When it was set.
    pub set_at: Time,
    /// When it fires.
    pub deadline: Time,
    pub(super) generation: u64,
    /// When its queued event pops. Restarting a timer to a later deadline (a follower does on
    /// every heartbeat) only moves `deadline`; the queued event re-queues itself when it pops
    /// early, so the queue holds one event per running timer instead of one per restart.
    pub(super) queued_at: Time,
}

/// A server's running timers: one slot per kind (a fixed table, as timers are set on every
/// heartbeat and a map would dominate the cost).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timers {
    slots: [Option<TimerState>; TimerKind::ALL.len()],
}

impl Timers {
    /// The running timer of a kind.
    pub fn get(&self, kind: &TimerKind) -> Option<&TimerState> {
        self.slots[kind.index()].as_ref()
    }

    pub(super) fn get_mut(&mut self, kind: &TimerKind) -> Option<&mut TimerState> {
        self.slots[kind.index()].as_mut()
    }

    pub(super) fn insert(&mut self, kind: TimerKind, state: TimerState) {
        self.slots[kind.index()] = Some(state);
    }

    pub(super) fn remove(&mut self, kind: &TimerKind) {
        self.slots[kind.index()] = None;
    }

    pub(super) fn clear(&mut self) {
        self.slots = Default::default();
    }

    /// True when no timer runs.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }

    /// The running timers with their kinds.
    pub fn iter(&self) -> impl Iterator<Item = (TimerKind, &TimerState)> {
        TimerKind::ALL
            .iter()
            .zip(self.slots.iter())
            .filter_map(|(k, t)| t.as_ref().map(|t| (*k, t)))
    }
}

/// A server's clock: it reads `local` at true time `since` and advances `rate` times as fast
/// as true time. Changing the rate starts a new segment, so the clock never jumps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    since: Time,
    local: Time,
    /// Local µs per true µs.
    pub rate: f64,
}

impl Clock {
    pub(super) fn new(rate: f64) -> Self {
        Clock {
            since: 0,
            local: 0,
            rate,
        }
    }

    /// The reading at true time `now`.
    pub fn read(&self, now: Time) -> Time {
        self.local + (now.saturating_sub(self.since) as f64 * self.rate) as Time
    }

    /// Steps the reading by `by` µs (negative: back, never below zero) from true time `now`.
    pub(super) fn jump(&mut self, now: Time, by: i64) {
        let reading = self.read(now) as i64 + by;
        self.local = reading.max(0) as Time;
        self.since = now;
    }

    pub(super) fn set_rate(&mut self, now: Time, rate: f64) {
        self.local = self.read(now);
        self.since = now;
        self.rate = rate;
    }
}
