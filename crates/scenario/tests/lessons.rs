//! Every lesson file in `lessons/` validates and runs headless from start to end along its
//! scripted path, every condition met (a lesson whose claim stops being true fails here); a
//! malformed lesson names the field at fault and the allowed range.

use quorum_scenario::{parse_lesson, run_lesson};

fn lesson_files() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../lessons");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("the lessons directory")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            (name, std::fs::read_to_string(e.path()).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_lesson_validates_and_runs_to_its_end_with_every_condition_met() {
    let files = lesson_files();
    assert!(files.len() >= 2, "{} lessons", files.len());
    for (name, text) in files {
        let lesson = parse_lesson(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            format!("{}.json", lesson.id),
            name,
            "a lesson's file is named after its id"
        );
        let run = run_lesson(&lesson).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(run.starts.len(), lesson.steps.len() + 1);
        assert!(
            run.starts.windows(2).all(|w| w[0] <= w[1]),
            "{name}: steps in order"
        );
    }
}

/// Running a lesson twice gives the same step instants: Back replays to exactly there.
#[test]
fn a_lesson_runs_the_same_every_time_so_back_replays_exactly() {
    for (name, text) in lesson_files() {
        let lesson = parse_lesson(&text).expect("valid");
        assert_eq!(run_lesson(&lesson).ok(), run_lesson(&lesson).ok(), "{name}");
    }
}

#[test]
fn a_malformed_lesson_names_the_field_and_the_allowed_range() {
    let base = |steps: &str| {
        format!(
            r#"{{"id": "x", "title": "T", "summary": "S", "scenario": "steady-state", "steps": [{steps}]}}"#
        )
    };
    let cases = [
        (
            base(r#"{"caption": "c", "wait": {"until": "elapsed", "ms": 0}}"#),
            "steps[0].wait.ms: must be between 1 and 60000 ms (got 0)",
        ),
        (
            base(r#"{"caption": "c", "wait": {"until": "committed", "index": 0}}"#),
            "steps[0].wait.index",
        ),
        (
            base(
                r#"{"caption": "c", "wait": {"until": "leader_elected"}, "quiz": {"question": "q", "choices": ["a", "b"], "answer": 2, "explanation": "e"}}"#,
            ),
            "steps[0].quiz.answer: must be between 0 and 1",
        ),
        (base(""), "steps: a lesson needs at least one step"),
        (
            base(r#"{"caption": "c", "wait": {"until": "soon"}}"#),
            "steps[0].wait",
        ),
        (
            base(r#"{"caption": "c", "wait": {"until": "leader_elected"}, "colour": 1}"#),
            "steps[0]",
        ),
    ];
    for (text, expected) in cases {
        let err = parse_lesson(&text).expect_err("refused").to_string();
        assert!(err.contains(expected), "{err} (expected {expected})");
    }
    let no_preset = r#"{"id": "x", "title": "T", "summary": "S", "scenario": "nowhere", "steps": [{"caption": "c", "wait": {"until": "leader_elected"}}]}"#;
    assert!(parse_lesson(no_preset)
        .expect_err("refused")
        .to_string()
        .contains("scenario"));
}

/// A lesson whose claim is false fails: a committed index no run reaches within the limit.
#[test]
fn a_lesson_whose_claim_never_comes_true_fails_naming_the_step() {
    let text = r#"{"id": "x", "title": "T", "summary": "S", "scenario": "steady-state", "steps": [
        {"caption": "c", "wait": {"until": "leader_elected"}},
        {"caption": "never", "wait": {"until": "term_at_least", "term": 1000}}]}"#;
    let lesson = parse_lesson(text).expect("valid");
    let err = run_lesson(&lesson).expect_err("never met").to_string();
    assert!(err.starts_with("steps[1].wait"), "{err}");
}
