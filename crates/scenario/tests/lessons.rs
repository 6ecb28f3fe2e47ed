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
    assert!(files.len() >= 12, "{} lessons", files.len());
    let mut failures = Vec::new();
    for (name, text) in files {
        let lesson = match parse_lesson(&text) {
            Ok(l) => l,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        assert_eq!(
            format!("{}.json", lesson.id),
            name,
            "a lesson's file is named after its id"
        );
        let run = match run_lesson(&lesson) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        assert_eq!(run.starts.len(), lesson.steps.len() + 1);
        assert!(
            run.starts.windows(2).all(|w| w[0] <= w[1]),
            "{name}: steps in order"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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

fn election() -> std::sync::Arc<quorum_scenario::Lesson> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lessons/raft-election.json"
    ))
    .expect("readable");
    std::sync::Arc::new(parse_lesson(&text).expect("valid"))
}

/// The election lesson's first step that asks the reader to act (crash the leader).
fn first_act_step(lesson: &quorum_scenario::Lesson) -> usize {
    lesson
        .steps
        .iter()
        .position(|s| matches!(s.wait, quorum_scenario::Wait::Act { .. }))
        .expect("the lesson asks the reader to crash the leader")
}

/// Back returns to exactly where a step began — before the reader's action at that instant —
/// and walking on from there again gives the same run (a reader can rewatch any step).
#[test]
fn back_returns_to_the_exact_start_of_a_step_before_the_readers_action() {
    use quorum_scenario::LessonPlayer;
    let lesson = election();
    let act = first_act_step(&lesson);
    let (mut player, mut timeline) = LessonPlayer::open_at(lesson.clone(), act).expect("walks");
    let leader = timeline.sim().leader().expect("a leader to crash");
    let at_start = (timeline.now(), timeline.sim().stats().events);
    assert!(!player.is_met(&timeline), "not done until the reader acts");
    player.act(&mut timeline).expect("crash the leader");
    assert!(player.is_met(&timeline));
    assert!(player.next(&timeline));
    player.finish_step(&mut timeline).expect("a new leader");
    let after = (timeline.now(), timeline.sim().leader());
    player.back(&mut timeline);
    assert_eq!(player.step_index(), act);
    assert_eq!((timeline.now(), timeline.sim().stats().events), at_start);
    assert_eq!(
        timeline.sim().leader(),
        Some(leader),
        "the crash lies ahead again"
    );
    assert!(!player.is_met(&timeline));
    // Playing on, the recorded crash replays where the reader did it, and the same server
    // takes over.
    while !player.is_met(&timeline) {
        timeline.advance_to(timeline.now() + quorum_core::time::MS);
    }
    assert!(player.next(&timeline));
    player
        .finish_step(&mut timeline)
        .expect("a new leader again");
    timeline.advance_to(after.0.max(timeline.now()));
    assert_eq!(timeline.sim().leader(), after.1);
}

/// A reader who crashes the leader by naming it (not through the lesson's button) has done
/// what the step asked; crashing another server has not.
#[test]
fn crashing_the_leader_by_name_meets_a_crash_the_leader_step() {
    use quorum_cluster::action::NodeRef;
    use quorum_cluster::Action;
    use quorum_scenario::LessonPlayer;
    let lesson = election();
    let act = first_act_step(&lesson);
    let (player, mut timeline) = LessonPlayer::open_at(lesson, act).expect("walks");
    let leader = timeline.sim().leader().expect("leader");
    let other = if leader == 1 { 2 } else { 1 };
    timeline
        .apply(Action::Crash {
            node: NodeRef::Id(other),
        })
        .expect("valid");
    assert!(!player.is_met(&timeline));
    timeline
        .apply(Action::Crash {
            node: NodeRef::Id(leader),
        })
        .expect("valid");
    assert!(player.is_met(&timeline));
}

/// A link to a step past the lesson's end names the step and the range.
#[test]
fn opening_a_step_past_the_end_names_the_range() {
    let lesson = election();
    let n = lesson.steps.len();
    let e = quorum_scenario::LessonPlayer::open_at(lesson, n).expect_err("past the end");
    assert_eq!(e.field, "step");
    assert!(e.to_string().contains(&format!("between 1 and {n}")), "{e}");
}

/// "What if PreVote were off?": replayed from the step where the cut-off leader steps down,
/// the branch without PreVote raises its term with every election timeout, while the run with
/// it keeps the term; the two runs part when the setting first matters (dissertation §9.6).
#[test]
fn the_prevote_branch_shows_the_cut_off_server_inflating_its_term_section_9_6() {
    use quorum_scenario::{LessonPlayer, Wait};
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lessons/raft-partitions.json"
    ))
    .expect("readable");
    let lesson = std::sync::Arc::new(parse_lesson(&text).expect("valid"));
    let at = lesson
        .steps
        .iter()
        .position(|s| s.branch.is_some())
        .expect("a step with a branch");
    assert!(matches!(lesson.steps[at].wait, Wait::Seen { .. }));
    let (player, timeline) = LessonPlayer::open_at(lesson, at).expect("walks");
    let c = player
        .compare_branch(&timeline)
        .expect("the step has a branch")
        .expect("both runs ran");
    assert_eq!(c.label, "with PreVote off");
    assert!(c.diverged_at.is_some(), "the setting matters");
    assert!(
        c.branch.highest_term > c.run.highest_term,
        "without PreVote the term climbs: {c:?}"
    );
    assert!(c.branch.elections > c.run.elections, "{c:?}");
    // The comparison is about the script, not the reader: the same every time.
    assert_eq!(player.compare_branch(&timeline), Some(Ok(c)));
}
