//! Time travel. A timeline owns the running simulation, checkpoints (clones) taken as it runs and
//! the log of actions with the exact point each was applied at. Seeking restores the nearest
//! earlier checkpoint and replays — events run deterministically, logged actions are re-applied
//! where they were — so any past instant is reconstructed exactly. Acting in the past forks: the
//! recorded future is discarded (RaftScope's and Runway's model).

use super::action::Action;
use super::engine::Sim;
use quorum_core::error::FieldError;
use quorum_core::time::{Time, MS, SECOND};

/// Virtual time between two checkpoints in the recent past: a seek there replays at most half a
/// simulated second (a few milliseconds at nine servers), and an hour-long run keeps sixty fewer
/// whole-simulation copies than at 200 ms.
pub const CHECKPOINT_EVERY: Time = 500 * MS;

/// How far back checkpoints stay [`CHECKPOINT_EVERY`] apart; older ones are thinned to
/// [`OLD_CHECKPOINT_SPACING`], so scrubbing near the present is instant and any seek replays at
/// most a couple of simulated seconds.
pub const RECENT_PAST: Time = 20 * SECOND;

/// Spacing of the checkpoints older than [`RECENT_PAST`] (until there are too many).
pub const OLD_CHECKPOINT_SPACING: Time = 2 * SECOND;

/// Checkpoints kept at most — an hour and a quarter at the old spacing. Beyond that the old
/// spacing doubles (seeks get slower, not wrong), which bounds memory however long a run lasts.
pub const MAX_CHECKPOINTS: usize = 2_400;

/// An action and the exact point it was applied at.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedAction {
    /// Virtual time of application.
    pub at: Time,
    /// Events processed before it (the position within equal-time events).
    pub after_events: u64,
    /// The action.
    pub action: Action,
}

/// A simulation with a recorded past.
#[derive(Clone, Debug)]
pub struct Timeline {
    sim: Sim,
    checkpoints: Vec<Sim>,
    actions: Vec<LoggedAction>,
    /// The furthest instant reached; beyond `sim.now()` when the user has scrubbed back.
    horizon: Time,
    /// Index of the next logged action to re-apply when moving forward in the past.
    replay_cursor: usize,
    /// Actions the run was built with (a scenario's schedule, already queued in the simulation).
    scheduled: Vec<(Time, Action)>,
    /// Spacing the checkpoints older than [`RECENT_PAST`] are thinned to.
    old_spacing: Time,
    /// Checkpoints before this instant have been thinned already.
    thinned_before: Time,
    /// While the run is traced (for the space-time diagram): how much time before the instant
    /// shown a seek must recreate.
    traced_span: Option<Time>,
}

impl Timeline {
    /// A timeline starting from a freshly built simulation.
    pub fn new(sim: Sim) -> Self {
        Self::with_schedule(sim, Vec::new())
    }

    /// A timeline for a simulation whose queue already holds `scheduled` actions (a scenario's
    /// schedule); they are remembered so the run can be exported again.
    pub fn with_schedule(sim: Sim, scheduled: Vec<(Time, Action)>) -> Self {
        let checkpoints = vec![sim.clone()];
        Timeline {
            horizon: sim.now(),
            sim,
            checkpoints,
            actions: Vec::new(),
            replay_cursor: 0,
            scheduled,
            old_spacing: OLD_CHECKPOINT_SPACING,
            thinned_before: 0,
            traced_span: None,
        }
    }

    /// The actions the run was built with.
    pub fn scheduled(&self) -> &[(Time, Action)] {
        &self.scheduled
    }

    /// The simulation as it started (configuration, workload and seed of the run).
    pub fn initial(&self) -> &Sim {
        &self.checkpoints[0]
    }

    /// The simulation at the current instant.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The current instant.
    pub fn now(&self) -> Time {
        self.sim.now()
    }

    /// The furthest instant recorded.
    pub fn horizon(&self) -> Time {
        self.horizon
    }

    /// True when looking at the past (moving forward replays; acting forks).
    pub fn in_past(&self) -> bool {
        self.sim.now() < self.horizon
    }

    /// The actions applied so far, in order.
    pub fn actions(&self) -> &[LoggedAction] {
        &self.actions
    }

    /// The actions the run shown has been through so far (the log up to the instant shown;
    /// actions recorded further ahead are not among them).
    pub fn applied_actions(&self) -> &[LoggedAction] {
        &self.actions[..self.replay_cursor.min(self.actions.len())]
    }

    /// Checkpoints held (for benchmarks and tests of the spacing).
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// The longest stretch of recorded time without a checkpoint — what the slowest seek replays.
    pub fn widest_checkpoint_gap(&self) -> Time {
        let mut widest = 0;
        let mut previous = self.checkpoints[0].now();
        for c in self.checkpoints.iter().skip(1) {
            widest = widest.max(c.now() - previous);
            previous = c.now();
        }
        widest.max(self.horizon - previous)
    }

    /// Runs forward to `t`, re-applying logged actions on the way when in the past and taking
    /// checkpoints when breaking new ground.
    pub fn advance_to(&mut self, t: Time) {
        while self.sim.now() < t || self.pending_action_due(t) {
            // Next stop: a logged action, a checkpoint boundary, or t.
            let next_checkpoint = (self.sim.now() / CHECKPOINT_EVERY + 1) * CHECKPOINT_EVERY;
            if let Some(a) = self
                .actions
                .get(self.replay_cursor)
                .filter(|a| a.at <= t)
                .cloned()
            {
                let LoggedAction {
                    at,
                    after_events,
                    action,
                } = a;
                self.run_events_until(after_events, at);
                self.sim.set_clock(at);
                // It was valid when first applied and the state is identical, so it is valid now.
                let _ = self.sim.apply(action);
                self.replay_cursor += 1;
                continue;
            }
            let stop = t.min(next_checkpoint);
            self.sim.advance_to(stop);
            if stop == next_checkpoint && stop > self.horizon {
                self.checkpoint();
            }
            if self.sim.now() >= t {
                break;
            }
        }
        self.horizon = self.horizon.max(self.sim.now());
    }

    fn pending_action_due(&self, t: Time) -> bool {
        self.actions
            .get(self.replay_cursor)
            .is_some_and(|a| a.at <= t)
    }

    /// Processes events until `count` have been processed (never past time `limit`).
    fn run_events_until(&mut self, count: u64, limit: Time) {
        while self.sim.stats().events < count {
            match self.sim.next_event_time() {
                Some(at) if at <= limit => {
                    self.sim.step();
                }
                _ => break,
            }
        }
    }

    /// Processes exactly one more event (for single-stepping). In the past this replays.
    pub fn step(&mut self) -> bool {
        let Some(at) = self.sim.next_event_time() else {
            return false;
        };
        if self.pending_action_due(at) {
            // A logged action comes first: apply it (advance_to does, at its exact position).
            let a_at = self.actions[self.replay_cursor].at;
            self.advance_to(a_at);
            return true;
        }
        let stepped = self.sim.step();
        self.horizon = self.horizon.max(self.sim.now());
        stepped
    }

    fn checkpoint(&mut self) {
        self.checkpoints.push(self.sim.clone());
        // Checkpoints leaving the recent past keep only the old spacing.
        let cutoff = self.sim.now().saturating_sub(RECENT_PAST);
        if cutoff > self.thinned_before {
            self.thin(self.thinned_before, cutoff);
            self.thinned_before = cutoff;
        }
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            self.old_spacing *= 2;
            self.thin(0, cutoff);
        }
    }

    /// Drops the checkpoints taken in `from..to` that are not on the old spacing; the first
    /// checkpoint is the run's start and always stays.
    fn thin(&mut self, from: Time, to: Time) {
        let start = self.checkpoints.partition_point(|c| c.now() < from).max(1);
        let end = self
            .checkpoints
            .partition_point(|c| c.now() < to)
            .max(start);
        let spacing = self.old_spacing;
        let kept: Vec<Sim> = self
            .checkpoints
            .drain(start..end)
            .filter(|c| c.now().is_multiple_of(spacing))
            .collect();
        self.checkpoints.splice(start..start, kept);
    }

    /// Records the recent run for the space-time diagram (see [`crate::trace`]), `span` before
    /// the instant shown at least: a seek then replays from a checkpoint that far back, so the
    /// diagram never shows a hole. `None` stops recording.
    pub fn set_tracing(&mut self, span: Option<Time>) {
        let was = self.traced_span;
        self.traced_span = span.map(|s| s.min(crate::trace::TRACE_WINDOW));
        match (was, self.traced_span) {
            // Newly on, or asked to show more: recreate the span before the instant shown.
            (None, Some(_)) => self.replay_here(),
            (Some(before), Some(now)) if now > before => self.replay_here(),
            (_, None) => self.sim.set_tracing(false),
            _ => {}
        }
    }

    /// The span traced before the instant shown, while tracing.
    pub fn traced_span(&self) -> Option<Time> {
        self.traced_span
    }

    /// Shows the instant `t` (clamped to the recorded range), after everything that happened at
    /// `t`: restores the nearest checkpoint at or before `t` — behind the current instant or
    /// ahead of it — and replays from there, so a seek never replays more than one checkpoint
    /// interval plus whatever lies past the last checkpoint.
    pub fn seek(&mut self, t: Time) {
        let t = t.min(self.horizon);
        let idx = self.replay_start(t);
        let nearest = self.checkpoints[idx].now();
        if t >= self.sim.now() && nearest <= self.sim.now() {
            // No checkpoint between here and `t`: running forward is the shortest way.
            self.advance_to(t);
            return;
        }
        self.restore(idx, t);
    }

    /// Replays from the checkpoint a seek would use back to exactly where the run is — the same
    /// instant and the same number of events, even part way through an instant a person is
    /// stepping through — to rebuild what the checkpoints do not carry: the trace.
    fn replay_here(&mut self) {
        let (t, events) = (self.sim.now(), self.sim.stats().events);
        self.seek_exact(t, events, self.replay_cursor);
    }

    /// Shows instant `t` with exactly `events` events handled and the first `actions` logged
    /// actions applied — part way through an instant, between two actions of the same instant
    /// — by replaying from a checkpoint. A guided step that began there (just after one of the
    /// reader's actions, just before the next) is shown as it began.
    pub fn seek_exact(&mut self, t: Time, events: u64, actions: usize) {
        let t = t.min(self.horizon);
        let before = t.saturating_sub(1);
        self.restore(self.replay_start(before), before);
        while let Some(a) = self
            .actions
            .get(self.replay_cursor)
            .filter(|_| self.replay_cursor < actions)
            .cloned()
        {
            self.run_events_until(a.after_events, a.at);
            self.sim.set_clock(a.at);
            // It was valid when first applied and the state is identical, so it is valid now.
            let _ = self.sim.apply(a.action);
            self.replay_cursor += 1;
        }
        self.run_events_until(events, t);
        if self.sim.now() < t {
            self.sim.set_clock(t);
        }
    }

    /// The checkpoint a replay to `t` starts from: the latest at or before `t` — traced, early
    /// enough to recreate the span the diagram shows.
    fn replay_start(&self, t: Time) -> usize {
        let from = t.saturating_sub(self.traced_span.unwrap_or(0));
        self.checkpoints
            .partition_point(|c| c.now() <= from)
            .saturating_sub(1)
    }

    /// Restores checkpoint `idx` and replays from it to `t`.
    fn restore(&mut self, idx: usize, t: Time) {
        self.sim = self.checkpoints[idx].clone();
        self.sim.set_tracing(self.traced_span.is_some());
        let base_events = self.sim.stats().events;
        let base_now = self.sim.now();
        // Actions applied at the checkpoint instant but after its events still lie ahead.
        self.replay_cursor = self
            .actions
            .partition_point(|a| (a.at, a.after_events) < (base_now, base_events));
        let horizon = self.horizon;
        self.advance_to(t);
        self.horizon = horizon;
    }

    /// Applies an action now. In the past this forks: the recorded future is dropped first.
    pub fn apply(&mut self, action: Action) -> Result<(), FieldError> {
        self.sim.validate_action(&action, "action")?;
        if self.in_past() || self.replay_cursor < self.actions.len() {
            self.fork();
        }
        let logged = LoggedAction {
            at: self.sim.now(),
            after_events: self.sim.stats().events,
            action: action.clone(),
        };
        self.sim.apply(action)?;
        self.actions.push(logged);
        self.replay_cursor = self.actions.len();
        Ok(())
    }

    /// Forgets the recorded future: the run goes on from the instant shown as if nothing had
    /// been recorded after it (a "what if" replays from here without what was done later).
    pub fn truncate_future(&mut self) {
        self.fork();
    }

    /// Discards everything recorded after the current instant.
    fn fork(&mut self) {
        let now = self.sim.now();
        self.actions.truncate(self.replay_cursor);
        self.checkpoints.retain(|c| c.now() <= now);
        // The recent past after the fork is recent again (re-thinning kept ones is harmless).
        self.thinned_before = self.thinned_before.min(now.saturating_sub(RECENT_PAST));
        self.horizon = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClusterConfig;
    use quorum_core::time::SECOND;
    use quorum_traffic::client::WorkloadConfig;

    fn lab() -> Timeline {
        let workload = WorkloadConfig {
            clients: 3,
            rate: 30.0,
            ..Default::default()
        };
        Timeline::new(Sim::new(ClusterConfig::default(), workload).unwrap())
    }

    #[test]
    fn seeking_back_reconstructs_the_past_exactly() {
        let mut t = lab();
        t.advance_to(SECOND + 123);
        let then = t.sim().view();
        let hash_then = t.sim().trace_hash();
        t.advance_to(SECOND + 500);
        t.apply(Action::CrashLeader { label: None }).unwrap();
        t.advance_to(3 * SECOND);
        let later = t.sim().view();
        t.seek(SECOND + 123);
        assert!(t.in_past());
        assert_eq!(t.sim().view(), then);
        assert_eq!(t.sim().trace_hash(), hash_then);
        // Moving forward again replays the logged crash at its exact place.
        t.advance_to(3 * SECOND);
        assert_eq!(t.sim().view(), later);
        assert!(!t.in_past());
    }

    #[test]
    fn acting_in_the_past_forks_the_future() {
        let mut t = lab();
        t.advance_to(SECOND);
        t.apply(Action::Crash { node: 1.into() }).unwrap();
        t.advance_to(2 * SECOND);
        t.seek(SECOND / 2);
        t.apply(Action::Crash { node: 2.into() }).unwrap();
        assert_eq!(t.horizon(), SECOND / 2);
        assert_eq!(t.actions().len(), 1, "the later crash of S1 is forgotten");
        t.advance_to(2 * SECOND);
        assert!(
            t.sim().server(1).unwrap().up,
            "S1 was never crashed in this branch"
        );
        assert!(!t.sim().server(2).unwrap().up);
    }

    #[test]
    fn stepping_matches_running() {
        let mut a = lab();
        let mut b = lab();
        a.advance_to(SECOND);
        while b.sim().next_event_time().is_some_and(|t| t <= SECOND) {
            b.step();
        }
        b.advance_to(SECOND);
        assert_eq!(a.sim().trace_hash(), b.sim().trace_hash());
        // An action applied after single steps replays at exactly that point.
        b.step();
        b.step();
        b.apply(Action::Timeout { node: 3 }).unwrap();
        b.advance_to(2 * SECOND);
        let direct = b.sim().trace_hash();
        b.seek(0);
        b.advance_to(2 * SECOND);
        assert_eq!(b.sim().trace_hash(), direct);
    }

    /// A forward seek jumps to the nearest checkpoint at or before its target instead of
    /// replaying from where it stands, and still lands on exactly the same state — through a
    /// logged action on the way.
    #[test]
    fn seeking_forward_starts_from_the_nearest_checkpoint_and_lands_exactly() {
        let mut t = lab();
        t.advance_to(SECOND);
        t.apply(Action::Crash { node: 2.into() }).unwrap();
        t.advance_to(4 * SECOND);
        let target = 3 * SECOND + 77;
        t.seek(target);
        let direct_view = t.sim().view();
        let direct_hash = t.sim().trace_hash();
        t.seek(0);
        assert_eq!(t.now(), 0);
        t.seek(target);
        let resumed_from = t.sim().now();
        assert_eq!(resumed_from, target);
        assert_eq!(t.sim().view(), direct_view);
        assert_eq!(t.sim().trace_hash(), direct_hash);
        // The jump started at the checkpoint before the target (3 s), not at 0: the events
        // before it were not processed again, so the clone's event count came from there.
        let checkpoint_before = t
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.now() <= target)
            .map(|c| c.now());
        assert_eq!(checkpoint_before, Some(3 * SECOND));
    }

    /// Checkpoints stay at most two simulated seconds apart through the first hour, 500 ms apart
    /// in the recent past, and their number stays bounded after that (the old spacing doubles).
    #[test]
    fn checkpoints_stay_close_for_an_hour_and_bounded_after() {
        let mut t =
            Timeline::new(Sim::new(ClusterConfig::default(), WorkloadConfig::default()).unwrap());
        t.advance_to(60 * 60 * SECOND);
        assert!(t.widest_checkpoint_gap() <= OLD_CHECKPOINT_SPACING);
        let recent = t
            .checkpoints
            .iter()
            .filter(|c| c.now() >= t.now() - RECENT_PAST)
            .count() as u64;
        assert_eq!(recent, RECENT_PAST / CHECKPOINT_EVERY + 1);
        t.advance_to(100 * 60 * SECOND);
        assert!(t.checkpoint_count() <= MAX_CHECKPOINTS);
        assert!(t.widest_checkpoint_gap() <= 2 * OLD_CHECKPOINT_SPACING);
        // Seeking into the thinned past still lands exactly (compared with a fresh run).
        let target = 37 * 60 * SECOND + 333;
        t.seek(target);
        let mut fresh =
            Timeline::new(Sim::new(ClusterConfig::default(), WorkloadConfig::default()).unwrap());
        fresh.advance_to(target);
        assert_eq!(t.sim().trace_hash(), fresh.sim().trace_hash());
    }
}
