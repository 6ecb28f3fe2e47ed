//! Bad input gets a clear error naming the field, never a panic: malformed and invalid scenario
//! files, mutated at random, and histories with broken lines.

use quorum_lab::client::parse_history;
use quorum_lab::scenario::{parse_scenario, presets};
use quorum_lab::sim::rng::Rng;

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
