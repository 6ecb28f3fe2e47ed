//! How far one animation frame moves simulated time. At the chosen speed a message's flight is
//! slow enough to follow; but while nothing is in flight there is nothing to follow, and at the
//! default speed the wait for the first election timeout would take half a minute of an empty
//! screen. So quiet stretches pass faster — up to the next event, never past it, so nothing
//! that would be drawn is skipped.

use quorum_core::time::{Time, MS};

/// How much faster time runs while no message is in flight.
pub const QUIET_SPEEDUP: f64 = 10.0;

/// The simulated instant a frame of `wall_ms` real milliseconds reaches from `now` at `speed`
/// (simulated seconds per real second). `quiet` says nothing worth following is in flight (health
/// checks do not count); `next_event` is when
/// the next thing happens, if anything is due.
pub fn frame_target(
    now: Time,
    wall_ms: f64,
    speed: f64,
    quiet: bool,
    next_event: Option<Time>,
) -> Time {
    let normal = ((wall_ms * speed * MS as f64) as Time).max(1);
    if !quiet {
        return now + normal;
    }
    let fast = (normal as f64 * QUIET_SPEEDUP) as Time;
    match next_event {
        // Up to the next event (which then starts at normal speed), at least the normal step.
        Some(next) => now + fast.min(next.saturating_sub(now)).max(normal),
        None => now + fast,
    }
}

/// How often the logs and the key-value tables redraw while the run plays, at most (wall ms).
/// At 100 operations/s the log matrix's window slides by an entry or two every frame and every
/// cell is rewritten; nobody reads a table that changes sixty times a second, while the diagram
/// keeps moving every frame. Measured at 9 servers, 1×: the log matrix's DOM writes per frame
/// fell from about 200 to 54.
pub const TABLES_REDRAW_MS: f64 = 100.0;

/// Something drawn from the run that may lag the run by up to a period while it plays, and is
/// always current when it does not (paused, stepped, scrubbed): the page then keeps handing the
/// same value to a panel, whose props compare equal, so the panel is not redrawn.
#[derive(Debug, Default)]
pub struct Throttled<T> {
    shown: Option<(f64, T)>,
}

impl<T: Clone> Throttled<T> {
    /// What to show at wall time `now_ms`: the value shown already, while `playing` and less than
    /// `period_ms` after it was made; otherwise a value made anew by `fresh` (only then called).
    pub fn show(
        &mut self,
        now_ms: f64,
        playing: bool,
        period_ms: f64,
        fresh: impl FnOnce() -> T,
    ) -> T {
        match &self.shown {
            Some((at, value)) if playing && now_ms - at < period_ms => value.clone(),
            _ => {
                let value = fresh();
                self.shown = Some((now_ms, value.clone()));
                value
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shows a throttled count at (wall ms, playing): each value made anew is the next number,
    /// so a value returned says how many were made.
    fn counted() -> impl FnMut(f64, bool) -> u32 {
        let mut shown = Throttled::default();
        let mut made = 0;
        move |now, playing| {
            shown.show(now, playing, 100.0, || {
                made += 1;
                made
            })
        }
    }

    #[test]
    fn a_throttled_value_lags_at_most_a_period_while_playing() {
        let mut show = counted();
        assert_eq!(show(0.0, true), 1, "the first is made");
        assert_eq!(show(16.0, true), 1, "kept within the period, not made");
        assert_eq!(show(99.0, true), 1);
        assert_eq!(show(100.0, true), 2, "made anew once the period is over");
        assert_eq!(show(116.0, true), 2);
    }

    #[test]
    fn a_throttled_value_is_current_whenever_the_run_is_not_playing() {
        let mut show = counted();
        assert_eq!(show(0.0, true), 1);
        assert_eq!(show(10.0, false), 2, "paused: current at once");
        assert_eq!(show(11.0, false), 3, "every step or scrub is shown");
        assert_eq!(show(12.0, true), 3, "playing again: lags from there");
    }

    #[test]
    fn with_messages_in_flight_time_runs_at_the_chosen_speed() {
        // 100 ms of wall time at 1/100×: one simulated millisecond.
        assert_eq!(frame_target(5_000, 100.0, 0.01, false, Some(5_500)), 6_000);
    }

    #[test]
    fn quiet_stretches_pass_ten_times_faster_but_stop_at_the_next_event() {
        assert_eq!(frame_target(0, 100.0, 0.01, true, Some(1_000_000)), 10_000);
        assert_eq!(
            frame_target(0, 100.0, 0.01, true, Some(4_000)),
            4_000,
            "stops at the next event"
        );
        assert_eq!(
            frame_target(0, 100.0, 0.01, true, Some(300)),
            1_000,
            "never slower than the chosen speed"
        );
        assert_eq!(frame_target(0, 100.0, 0.01, true, None), 10_000);
    }

    #[test]
    fn the_first_election_timeout_passes_within_a_few_seconds_at_the_default_speed() {
        // A 300 ms timeout (the longest default) with nothing in flight, at 1/100× and 60 fps.
        let (mut now, mut frames) = (0, 0);
        while now < 300 * MS {
            now = frame_target(now, 1000.0 / 60.0, 0.01, true, Some(300 * MS));
            frames += 1;
        }
        let seconds = frames as f64 / 60.0;
        assert!(seconds <= 3.1, "{seconds} s of wall time");
    }
}
