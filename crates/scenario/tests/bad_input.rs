//! Bad input gets a clear error naming the field, never a panic: malformed and invalid scenario
//! files, mutated at random, and histories with broken lines.

use quorum_core::rng::Rng;
use quorum_scenario::{parse_scenario, presets};
use quorum_traffic::client::parse_history;

/// Values that are wrong in interesting ways for almost any field.
const NASTY: &[&str] = &[
    "null",
    "-1",
    "0",
    "1e309",
    "1.5",
    "18446744073709551616",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "true",
    "[[1,2],[2,3]]",
    "99999999999",
];

/// Replaces the value after a random `"key":` in the text with a nasty one.
fn mutate_value(text: &str, rng: &mut Rng) -> String {
    let colons: Vec<usize> = text.match_indices("\":").map(|(i, _)| i + 2).collect();
    if colons.is_empty() {
        return text.to_string();
    }
    let at = colons[rng.below(colons.len())];
    let rest = &text[at..];
    let end = rest
        .find([',', '}', '\n'])
        .map(|e| at + e)
        .unwrap_or(text.len());
    let nasty = NASTY[rng.below(NASTY.len())];
    format!("{} {}{}", &text[..at], nasty, &text[end..])
}

/// Flips, deletes or duplicates a random byte range.
fn mutate_bytes(text: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.is_empty() {
        return String::new();
    }
    let i = rng.below(bytes.len());
    match rng.below(3) {
        0 => {
            bytes.remove(i);
        }
        1 => bytes.insert(i, b"{}[]\",:0"[rng.below(8)]),
        _ => bytes.truncate(i),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn randomly_mutated_scenarios_give_field_errors_never_panics() {
    let mut rng = Rng::new(2024);
    let mut errors = 0;
    let mut cases = 0;
    for p in presets() {
        for _ in 0..300 {
            let mutated = if rng.chance(0.5) {
                mutate_value(p.json, &mut rng)
            } else {
                mutate_bytes(p.json, &mut rng)
            };
            cases += 1;
            let outcome = std::panic::catch_unwind(|| parse_scenario(&mutated));
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    errors += 1;
                    assert!(!e.field.is_empty(), "an error names a field: {e}");
                    assert!(!e.problem.is_empty(), "an error says what is wrong: {e}");
                }
                Err(_) => panic!("parse_scenario panicked on:\n{mutated}"),
            }
        }
    }
    assert!(
        errors > cases / 2,
        "most mutations are invalid ({errors} of {cases})"
    );
}

#[test]
fn value_mutations_name_the_field_that_was_changed() {
    // A wrong type in a known place is reported at that place.
    let text = r#"{"duration_ms": 1000, "workload": {"clients": 2, "keys": "many"}}"#;
    let e = parse_scenario(text).unwrap_err();
    assert_eq!(e.field, "workload.keys");
    let text = r#"{"duration_ms": 1000, "schedule": [{"at_ms": 5, "action": {"type": "partition", "groups": [[1, 2], [2, 3]]}}]}"#;
    let e = parse_scenario(text).unwrap_err();
    assert_eq!(e.field, "schedule[0].action.groups[1][0]");
    assert!(e.problem.contains("more than one group"));
}

/// Every scenario field the fault model added is refused by name, with the allowed range.
#[test]
fn every_fault_field_is_refused_with_its_name_when_malformed() {
    let action = |a: &str| {
        format!(r#"{{"duration_ms": 1000, "schedule": [{{"at_ms": 5, "action": {a}}}]}}"#)
    };
    let network = |n: &str| format!(r#"{{"duration_ms": 1000, "cluster": {{"network": {n}}}}}"#);
    let cases = [
        (
            network(r#"{"distribution": {"type": "log_normal", "sigma": 9, "cap_ms": 100}}"#),
            "cluster.network.distribution.sigma",
            "between 0.1 and 3",
        ),
        (
            network(r#"{"distribution": {"type": "pareto", "alpha": 1.5, "cap_ms": 5}}"#),
            "cluster.network.distribution.cap_ms",
            "between latency_max_ms",
        ),
        (
            network(r#"{"distribution": {"type": "pareto", "alpha": 0.2, "cap_ms": 500}}"#),
            "cluster.network.distribution.alpha",
            "between 1 and 5",
        ),
        (
            network(r#"{"distribution": {"type": "zipf"}}"#),
            "cluster.network.distribution.type",
            "zipf",
        ),
        (
            network(r#"{"long_delay": {"probability": 2, "min_ms": 1, "max_ms": 2}}"#),
            "cluster.network.long_delay.probability",
            "between 0 and 1",
        ),
        (
            network(r#"{"long_delay": {"probability": 0.1, "min_ms": 10, "max_ms": 2}}"#),
            "cluster.network.long_delay.max_ms",
            "between min_ms",
        ),
        (
            network(r#"{"latency_max_ms": 99999999}"#),
            "cluster.network.latency_max_ms",
            "at most 600000 ms",
        ),
        (
            action(r#"{"type": "set_message_fault", "fault": {"kind": "Gossip", "drop": 1}}"#),
            "schedule[0].action.fault.kind",
            "not a message kind",
        ),
        (
            action(r#"{"type": "set_message_fault", "fault": {"kind": "Heartbeat", "drop": 3}}"#),
            "schedule[0].action.fault.drop",
            "between 0 and 1",
        ),
        (
            action(r#"{"type": "set_message_fault", "fault": {"kind": "Heartbeat", "from": 8}}"#),
            "schedule[0].action.fault.from",
            "no server S8",
        ),
        (
            action(
                r#"{"type": "set_message_fault", "fault": {"kind": "Heartbeat", "delay_ms": 9999999}}"#,
            ),
            "schedule[0].action.fault.delay_ms",
            "at most 600000 ms",
        ),
        (
            action(r#"{"type": "cut_client_link", "client": 1, "server": 9}"#),
            "schedule[0].action.server",
            "no server S9",
        ),
        (
            action(r#"{"type": "cut_client_link", "client": 500, "server": 1}"#),
            "schedule[0].action.client",
            "no client C500",
        ),
        (
            action(r#"{"type": "jump_clock", "node": 2, "by_ms": -7200000}"#),
            "schedule[0].action.by_ms",
            "between -3600000 and 3600000 ms",
        ),
        (
            action(r#"{"type": "pause", "node": "never-given"}"#),
            "schedule[0].action.node",
            "no earlier action labels",
        ),
        (
            action(r#"{"type": "pause_leader", "label": "has space"}"#),
            "schedule[0].action.label",
            "1–32 letters",
        ),
        (
            r#"{"duration_ms": 1000, "cluster": {"paxos": {"sticky_leader": "yes"}}}"#.to_string(),
            "cluster.paxos.sticky_leader",
            "boolean",
        ),
    ];
    for (text, field, problem) in cases {
        let e = parse_scenario(&text).unwrap_err();
        assert_eq!(e.field, field, "{text}: {e}");
        assert!(e.problem.contains(problem), "{text}: {e}");
    }
}

#[test]
fn broken_history_lines_are_reported_by_line_number() {
    let mut rng = Rng::new(7);
    let good =
        r#"{"client":3,"op":"write","key":"x","value":5,"call":120,"return":180,"status":"ok"}"#;
    for _ in 0..500 {
        let bad = mutate_bytes(good, &mut rng);
        let text = format!("{good}\n{bad}\n");
        match std::panic::catch_unwind(|| parse_history(&text)) {
            Ok(Ok(ops)) => assert_eq!(ops.len(), if bad.trim().is_empty() { 1 } else { 2 }),
            Ok(Err(e)) => assert_eq!(e.field, "line 2", "{e}"),
            Err(_) => panic!("parse_history panicked on {bad:?}"),
        }
    }
}
