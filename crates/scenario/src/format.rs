//! The scenario file format and its validation. Parse errors and invalid values both come back as
//! a [`FieldError`] naming the field by its path (`cluster.network.loss`, `schedule[2].action.node`).

use serde::{Deserialize, Serialize};

use quorum_cluster::action::NodeRef;
use quorum_cluster::{Action, ClusterConfig, Sim};
use quorum_core::error::FieldError;
use quorum_traffic::client::WorkloadConfig;

use crate::json_path::{field_at, offset_of};

/// The consensus protocol the servers run (`raft` or `multi_paxos`).
pub use quorum_cluster::config::ProtocolKind as Protocol;

/// An action at a virtual instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledAction {
    /// When, in virtual milliseconds from the start.
    #[serde(default)]
    pub at_ms: u64,
    /// When, in virtual microseconds (overrides `at_ms`; exported runs use it for exactness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_us: Option<u64>,
    /// What.
    pub action: Action,
}

impl ScheduledAction {
    /// The instant in virtual µs.
    pub fn at(&self) -> quorum_cluster::Time {
        self.at_us.unwrap_or(self.at_ms * quorum_core::time::MS)
    }
}

/// A complete experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name.
    #[serde(default)]
    pub name: String,
    /// What it shows, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// The protocol.
    #[serde(default)]
    pub protocol: Protocol,
    /// Seed of the run's random stream (overrides `cluster.seed`).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Servers, timing, network, Raft options.
    #[serde(default)]
    pub cluster: ClusterConfig,
    /// Generated client load.
    #[serde(default)]
    pub workload: WorkloadConfig,
    /// Timed actions and faults.
    #[serde(default)]
    pub schedule: Vec<ScheduledAction>,
    /// How long to run, virtual milliseconds.
    pub duration_ms: u64,
    /// The playback speed the page starts at when it loads this scenario (simulated seconds per
    /// real second, 0.001–1), so a preset's events come while someone is watching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
}

fn default_seed() -> u64 {
    1
}

/// The longest run a scenario may ask for: one virtual hour.
pub const MAX_DURATION_MS: u64 = 3_600_000;

impl Scenario {
    /// The cluster configuration with the scenario's seed in force.
    pub fn cluster_config(&self) -> ClusterConfig {
        ClusterConfig {
            seed: self.seed,
            protocol: self.protocol,
            ..self.cluster.clone()
        }
    }

    /// Builds a timeline for the page: the simulation with its schedule queued and remembered.
    pub fn timeline(&self) -> Result<quorum_cluster::timeline::Timeline, FieldError> {
        let sim = self.build()?;
        let schedule = self
            .schedule
            .iter()
            .map(|s| (s.at(), s.action.clone()))
            .collect();
        Ok(quorum_cluster::timeline::Timeline::with_schedule(
            sim, schedule,
        ))
    }

    /// Builds the simulation with every scheduled action queued; errors name the field.
    pub fn build(&self) -> Result<Sim, FieldError> {
        self.validate_shape()?;
        let mut sim = Sim::new(self.cluster_config(), self.workload.clone())?;
        for (i, s) in self.schedule.iter().enumerate() {
            sim.validate_action(&s.action, &format!("schedule[{i}].action"))?;
            sim.schedule(s.at(), s.action.clone())?;
        }
        self.check_labels_defined_first()?;
        Ok(sim)
    }

    /// A label must be given (by `crash_leader`, `isolate_leader` or `pause_leader`) before an
    /// action uses it; actions at the same instant run in file order.
    fn check_labels_defined_first(&self) -> Result<(), FieldError> {
        let mut order: Vec<usize> = (0..self.schedule.len()).collect();
        order.sort_by_key(|&i| self.schedule[i].at());
        let mut defined = std::collections::BTreeSet::new();
        for i in order {
            let action = &self.schedule[i].action;
            if let Some(NodeRef::Label(label)) = action.node_ref() {
                if !defined.contains(label.as_str()) {
                    return Err(FieldError::new(
                        format!("schedule[{i}].action.node"),
                        format!(
                            "no earlier action labels a server “{label}” (give the label with crash_leader, isolate_leader or pause_leader and its \"label\" field)"
                        ),
                    ));
                }
            }
            if let Some(label) = action.defines_label() {
                defined.insert(label);
            }
        }
        Ok(())
    }

    fn validate_shape(&self) -> Result<(), FieldError> {
        if self.duration_ms == 0 || self.duration_ms > MAX_DURATION_MS {
            return Err(FieldError::new(
                "duration_ms",
                format!("must be between 1 and {MAX_DURATION_MS} (one hour)"),
            ));
        }
        if let Some(speed) = self.speed {
            let (lo, hi) = super::params::SPEEDS;
            if !(speed.is_finite() && (lo..=hi).contains(&speed)) {
                return Err(FieldError::new(
                    "speed",
                    format!("must be between {lo} and {hi} (simulated seconds per real second)"),
                ));
            }
        }
        self.cluster_config().validate()?;
        self.workload.validate("workload")?;
        for (i, s) in self.schedule.iter().enumerate() {
            if s.at() > self.duration_ms * quorum_core::time::MS {
                let field = if s.at_us.is_some() { "at_us" } else { "at_ms" };
                return Err(FieldError::new(
                    format!("schedule[{i}].{field}"),
                    format!(
                        "{} is after the end of the run ({} ms)",
                        quorum_core::time::format_time(s.at()),
                        self.duration_ms
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Parses and validates a scenario from JSON text.
pub fn parse_scenario(text: &str) -> Result<Scenario, FieldError> {
    let scenario: Scenario = read_json(text, "scenario")?;
    scenario.validate_shape()?;
    // Building checks that every scheduled action names servers that exist.
    scenario.build()?;
    Ok(scenario)
}

/// Reads a value of `T` from JSON text, the error naming the field at fault (its path, or `root`
/// for the whole text) in the parser's plain words. Every file, link and script the page reads
/// goes through this one reader, so the page carries one copy of each type's parsing code.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    text: &str,
    root: &str,
) -> Result<T, FieldError> {
    serde_json::from_str(text).map_err(|e| {
        // Where the parser stopped names the field; the end of the text, or a spot between
        // members, is the whole text.
        let field = match e.classify() {
            serde_json::error::Category::Eof => None,
            _ => field_at(text, offset_of(text, e.line(), e.column())),
        };
        FieldError::new(
            field.unwrap_or_else(|| root.to_string()),
            plain_serde_message(&e),
        )
    })
}

/// An action for a running cluster, from JSON text (a script's `quorumLab.apply`): the error
/// names the field as `action.<path>`.
pub fn parse_action(text: &str) -> Result<Action, String> {
    read_json(text, "action").map_err(|e| {
        if e.field == "action" {
            e.to_string()
        } else {
            format!("action.{e}")
        }
    })
}

/// serde_json's messages end with "at line L column C"; keep that, it helps people find the spot.
/// The parser's complaint in plain words, with where it is: a file cut short says so instead of
/// "EOF while parsing a value"; a JSON syntax slip is named as such; a wrong value keeps the
/// parser's own message, which already names the expected type or variants.
fn plain_serde_message(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Eof => format!(
            "the text ends too soon ({at}): a brace, bracket or quote is not closed, or the file is empty"
        ),
        Category::Syntax => {
            let full = e.to_string();
            let what = full.split(" at line ").next().unwrap_or(&full).to_string();
            format!("is not valid JSON at {at}: {what}")
        }
        Category::Data | Category::Io => {
            let msg = e.to_string();
            if msg.is_empty() {
                "is not valid".to_string()
            } else {
                msg
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_scenario_parses_with_defaults() {
        let s = parse_scenario(r#"{"duration_ms": 1000}"#).unwrap();
        assert_eq!(s.cluster.servers, 5);
        assert_eq!(s.protocol, Protocol::Raft);
        assert!(s.schedule.is_empty());
    }

    #[test]
    fn errors_name_the_field_path() {
        let cases = [
            (
                r#"{"duration_ms": 1000, "cluster": {"network": {"loss": "lots"}}}"#,
                "cluster.network.loss",
            ),
            (
                r#"{"duration_ms": 1000, "cluster": {"servers": 40}}"#,
                "cluster.servers",
            ),
            (
                r#"{"duration_ms": 1000, "cluster": {"colour": 1}}"#,
                "cluster.colour",
            ),
            (r#"{"duration_ms": 0}"#, "duration_ms"),
            (r#"{"duration_ms": 1000, "protocol": "zab"}"#, "protocol"),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "crash", "node": 9}}]}"#,
                "schedule[0].action.node",
            ),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 5000, "action": {"type": "heal"}}]}"#,
                "schedule[0].at_ms",
            ),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 1, "action": {"type": "explode"}}]}"#,
                "schedule[0].action.type",
            ),
            (
                r#"{"duration_ms": 1000, "workload": {"clients": 2, "rate": -1}}"#,
                "workload.rate",
            ),
            (r#"{"duration_ms": 1000, "speed": 5}"#, "speed"),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "restart", "node": "old"}}]}"#,
                "schedule[0].action.node",
            ),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "restart", "node": "old"}}, {"at_ms": 20, "action": {"type": "crash_leader", "label": "old"}}]}"#,
                "schedule[0].action.node",
            ),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "crash_leader", "label": "two words"}}]}"#,
                "schedule[0].action.label",
            ),
            (
                // Inside a tagged action the field is named as far as the action; the message
                // names the value at fault.
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "pause", "node": -2}}]}"#,
                "schedule[0].action",
            ),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "connect", "node": 12}}]}"#,
                "schedule[0].action.node",
            ),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "jump_clock", "node": 1, "by_ms": 99999999}}]}"#,
                "schedule[0].action.by_ms",
            ),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "jump_clock", "node": 1}}]}"#,
                "schedule[0].action",
            ),
            (
                r#"{"duration_ms": 1000, "schedule": [{"at_ms": 10, "action": {"type": "partition", "groups": [[1]], "replace": "yes"}}]}"#,
                "schedule[0].action",
            ),
        ];
        for (text, field) in cases {
            let err = parse_scenario(text).unwrap_err();
            assert_eq!(err.field, field, "for {text}: {err}");
            assert!(!err.problem.is_empty());
        }
    }

    #[test]
    fn membership_actions_accept_both_names() {
        for name in ["add_server", "add_node"] {
            let text = format!(
                r#"{{"duration_ms": 1000, "schedule": [{{"at_ms": 5, "action": {{"type": "{name}"}}}}]}}"#
            );
            assert!(parse_scenario(&text).is_ok(), "{name}");
        }
        let text = r#"{"duration_ms": 1000, "schedule": [{"at_ms": 5, "action": {"type": "remove_node", "node": 2}}]}"#;
        assert!(parse_scenario(text).is_ok());
    }

    #[test]
    fn a_label_given_by_crash_leader_names_that_server_later() {
        let text = r#"{"duration_ms": 1000, "schedule": [
            {"at_ms": 20, "action": {"type": "crash_leader", "label": "old"}},
            {"at_ms": 20, "action": {"type": "restart", "node": "old"}},
            {"at_ms": 30, "action": {"type": "isolate_leader", "label": "b"}},
            {"at_ms": 40, "action": {"type": "connect", "node": "b"}},
            {"at_ms": 50, "action": {"type": "pause_leader", "label": "c"}},
            {"at_ms": 60, "action": {"type": "jump_clock", "node": "c", "by_ms": -300}},
            {"at_ms": 70, "action": {"type": "resume", "node": "c"}}
        ]}"#;
        let s = parse_scenario(text).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(parse_scenario(&json).unwrap(), s, "round trip");
    }

    #[test]
    fn not_json_at_all_is_an_error_not_a_panic() {
        assert!(parse_scenario("").is_err());
        assert!(parse_scenario("[1,2").is_err());
        assert_eq!(parse_scenario("{}").unwrap_err().field, "scenario");
    }

    #[test]
    fn parse_errors_are_said_in_plain_words_with_where_they_are() {
        for cut_short in [
            "",
            "{\"duration_ms\": 10,",
            "{\"schedule\": [",
            "{\"name\": \"a",
        ] {
            let e = parse_scenario(cut_short).unwrap_err();
            assert!(
                e.problem.starts_with("the text ends too soon (line "),
                "{cut_short:?}: {e}"
            );
            assert!(!e.problem.contains("EOF"), "{e}");
        }
        let e = parse_scenario("{\"duration_ms\": 10,, }").unwrap_err();
        assert!(
            e.problem.starts_with("is not valid JSON at line 1, column"),
            "{e}"
        );
    }

    /// A script's action reads as a scenario file's does; a bad one says what was expected
    /// there, and text after the action is refused rather than ignored.
    #[test]
    fn an_action_from_a_script_names_its_bad_field_and_refuses_trailing_text() {
        assert_eq!(
            parse_action(r#"{"type": "crash", "node": 2}"#),
            Ok(Action::Crash {
                node: NodeRef::Id(2)
            })
        );
        let bad = parse_action(r#"{"type": "crash", "node": true}"#).unwrap_err();
        assert!(
            bad.starts_with("action") && bad.contains("expected a server number"),
            "{bad}"
        );
        let trailing = parse_action(r#"{"type": "crash", "node": 2} x"#).unwrap_err();
        assert!(
            trailing.starts_with("action: is not valid JSON"),
            "{trailing}"
        );
        let cut = parse_action(r#"{"type": "crash""#).unwrap_err();
        assert!(cut.starts_with("action: the text ends too soon"), "{cut}");
    }
}
