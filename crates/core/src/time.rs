//! Virtual time. The simulation never reads a wall clock: every instant is a count of virtual
//! microseconds since the run began, so a run is exactly reproducible.

/// An instant or a duration in virtual microseconds.
pub type Time = u64;

/// Microseconds in one virtual millisecond, for readable timing constants.
pub const MS: Time = 1_000;

/// Microseconds in one virtual second.
pub const SECOND: Time = 1_000_000;

/// Formats a virtual instant as seconds with millisecond precision, e.g. `1.250 s`.
pub fn format_time(t: Time) -> String {
    format!("{}.{:03} s", t / SECOND, (t % SECOND) / MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_time_shows_seconds_and_milliseconds() {
        assert_eq!(format_time(1_250_000), "1.250 s");
        assert_eq!(format_time(999), "0.000 s");
        assert_eq!(format_time(60 * SECOND + 7 * MS), "60.007 s");
    }
}
