//! Scenarios: a whole experiment in one JSON file — protocol, cluster, seed, workload, a schedule
//! of timed actions and faults, and a duration — plus the runner that plays one headless and
//! summarises it. The format is documented in `docs/scenario-format.md`; presets live in
//! `scenarios/` and are built into the page.

mod compare;
mod export;
mod format;
mod json_path;
pub mod lesson;
mod params;
mod presets;
mod runner;
mod share;

pub use compare::{
    compare, comparison_scenario, Comparison, ProtocolFigures, Recovery, COMPARE_MS,
};
pub use export::scenario_of;
pub use format::{parse_action, parse_scenario, Protocol, Scenario, ScheduledAction};
pub use lesson::{
    parse_lesson, run_lesson, BranchComparison, Lesson, LessonBranch, LessonPlayer, LessonRun,
    LessonStep, Quiz, RunFacts, StepStart, Wait,
};
pub use params::{parse_params, PageParams, SPEEDS};
pub use presets::{preset, presets, standard_benchmark, Preset};
pub use runner::{run_scenario, Latency, RunOutcome, Summary};
pub use share::{decode_link, encode_link, SharedRun, SHARE_KEY, SHARE_VERSION};
