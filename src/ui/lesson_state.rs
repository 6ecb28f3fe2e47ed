//! The page's side of a lesson: which lesson and step are open, the quiz answer given, whether
//! the open step's condition was met (the run pauses then, so the reader can read), and the
//! progress the browser remembers. The player itself ([`LessonPlayer`]) is the one the suite
//! walks headless.

use std::sync::Arc;

use quorum_core::time::{Time, MS};
use quorum_scenario::lesson::{BranchComparison, LessonPlayer, Wait};

use super::state::{LabInner, Selection};
use crate::lessons::{Anchor, Progress, PROGRESS_KEY};

/// How fast a lesson plays: slow enough to follow a message from server to server.
pub const LESSON_SPEED: f64 = 0.1;

/// The checker-based condition is evaluated at most this often (simulated time): it checks
/// the whole history.
const CHECKER_EVERY: Time = 200 * MS;

/// What a lesson button or key asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonAction {
    /// Open (or close) the list of lessons and misconceptions.
    ToggleList,
    /// Open a lesson at a step (counted from 0).
    Start {
        /// The lesson's id.
        lesson: String,
        /// The step.
        step: usize,
    },
    /// Go on to the next step (once the open one's condition holds).
    Next,
    /// Go back to the start of the previous step.
    Back,
    /// Do what the open step asks of the reader.
    Act,
    /// Run on until the open step's condition holds (for a reader who does not want to wait).
    SkipAhead,
    /// Replay the open step with its "what if" beside the run.
    CompareBranch,
    /// Answer the open step's quiz with this choice.
    Answer(usize),
    /// Leave the lesson (the run stays).
    Exit,
}

/// A lesson open on the page.
#[derive(Clone, Debug)]
pub struct OpenLesson {
    /// The player.
    pub player: LessonPlayer,
    /// The open step's condition holds (the run paused when it first did).
    pub met: bool,
    /// The choice given to the open step's quiz, if any.
    pub answer: Option<usize>,
    /// The open step's "what if", once asked for (or why it could not run).
    pub branch: Option<Result<BranchComparison, String>>,
    /// Simulated time of the last evaluation of a checker-based condition.
    checked_at: Option<Time>,
}

impl OpenLesson {
    fn new(player: LessonPlayer) -> Self {
        OpenLesson {
            player,
            met: false,
            answer: None,
            branch: None,
            checked_at: None,
        }
    }

    /// A step opened (by Next or Back): nothing of it is met, answered or compared yet.
    fn begin_step(&mut self) {
        self.met = false;
        self.answer = None;
        self.branch = None;
        self.checked_at = None;
    }

    /// The address of the open step.
    pub fn anchor(&self) -> Anchor {
        Anchor {
            lesson: self.player.lesson().id.clone(),
            step: self.player.step_index(),
        }
    }
}

/// Reads the progress this browser remembers, and what could not be read.
pub fn load_progress() -> (Progress, Vec<String>) {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .map(|text| Progress::decode(&text))
        .unwrap_or_default()
}

fn save_progress(progress: &Progress) -> Result<(), String> {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or("this browser keeps no local storage for the page, so lesson progress is not remembered")?;
    storage
        .set_item(PROGRESS_KEY, &progress.encode())
        .map_err(|_| "this browser would not remember the lesson progress".to_string())
}

impl LabInner {
    /// Opens lesson `lesson` at `step`, replacing the run with the lesson's own.
    pub fn open_lesson(&mut self, lesson: &str, step: usize) -> Result<(), String> {
        let found = crate::lessons::find(lesson)
            .ok_or_else(|| format!("Lesson not opened — there is no lesson called {lesson:?}."))?;
        let (player, timeline) = LessonPlayer::open_at(Arc::clone(&found), step)
            .map_err(|e| format!("Lesson not opened — {e}"))?;
        self.timeline = timeline;
        self.config = self.timeline.sim().config().clone();
        self.workload = self.timeline.sim().workload().clone();
        self.selection = Selection::None;
        self.violations_seen = self.timeline.sim().violations().len();
        self.branches.clear();
        self.check = None;
        self.speed = LESSON_SPEED;
        self.playing = true;
        self.lessons_open = false;
        self.welcome_open = false;
        self.lesson = Some(OpenLesson::new(player));
        self.remember_lesson_progress();
        Ok(())
    }

    /// Carries out a lesson action.
    pub fn lesson_action(&mut self, action: LessonAction) {
        match action {
            LessonAction::ToggleList => self.lessons_open = !self.lessons_open,
            LessonAction::Start { lesson, step } => {
                if let Err(e) = self.open_lesson(&lesson, step) {
                    self.notice = Some(e);
                }
            }
            // The run stays as it is, to explore on from there.
            LessonAction::Exit => self.lesson = None,
            LessonAction::Next => {
                let Some(open) = self.lesson.as_mut() else {
                    return;
                };
                if open.player.next(&self.timeline) {
                    open.begin_step();
                    self.playing = true;
                    self.remember_lesson_progress();
                }
            }
            LessonAction::Back => {
                let Some(open) = self.lesson.as_mut() else {
                    return;
                };
                open.player.back(&mut self.timeline);
                open.begin_step();
                self.selection = Selection::None;
                self.playing = true;
                self.violations_seen = self.timeline.sim().violations().len();
            }
            LessonAction::Act => {
                let Some(open) = self.lesson.as_ref() else {
                    return;
                };
                if let Err(e) = open.player.act(&mut self.timeline) {
                    self.notice = Some(format!("Not done: {e}"));
                }
                self.playing = true;
                self.watch_lesson();
            }
            LessonAction::SkipAhead => {
                let Some(open) = self.lesson.as_ref() else {
                    return;
                };
                if matches!(open.player.step().wait, Wait::Act { .. }) {
                    return;
                }
                if let Err(e) = open.player.finish_step(&mut self.timeline) {
                    self.notice = Some(format!(
                        "What this step waits for did not happen within a minute of simulated time ({e}). If you changed the run meanwhile, Back replays the step as the lesson scripts it."
                    ));
                }
                self.watch_lesson();
            }
            LessonAction::CompareBranch => {
                let Some(open) = self.lesson.as_mut() else {
                    return;
                };
                open.branch = open
                    .player
                    .compare_branch(&self.timeline)
                    .map(|r| r.map_err(|e| e.to_string()));
            }
            LessonAction::Answer(choice) => {
                if let Some(open) = self.lesson.as_mut() {
                    open.answer = Some(choice);
                }
            }
        }
    }

    /// After the run moved: when the open step's condition first holds, pause so the reader
    /// can read, and remember the progress.
    pub fn watch_lesson(&mut self) {
        let now = self.timeline.now();
        let Some(open) = self.lesson.as_mut() else {
            return;
        };
        if open.met {
            return;
        }
        // The checker's condition checks the whole history: not on every frame.
        if matches!(open.player.step().wait, Wait::CheckerRejects) {
            if open
                .checked_at
                .is_some_and(|t| now >= t && now < t + CHECKER_EVERY)
            {
                return;
            }
            open.checked_at = Some(now);
        }
        if open.player.is_met(&self.timeline) {
            open.met = true;
            self.playing = false;
            self.remember_lesson_progress();
            // The run may have jumped ahead (Skip ahead, Do it for me) with no frame to check
            // it on: the Linearizability panel catches up now.
            if self.auto_check {
                self.ask(super::state::Chore::CheckHistory);
            }
        }
    }

    fn remember_lesson_progress(&mut self) {
        let Some(open) = self.lesson.as_ref() else {
            return;
        };
        let done = open.met && open.player.at_last_step();
        self.lesson_progress
            .reached(&open.player.lesson().id, open.player.step_index(), done);
        if let Err(e) = save_progress(&self.lesson_progress) {
            // Said once: the lesson goes on without it.
            if !self.progress_unsaved {
                self.progress_unsaved = true;
                self.notice = Some(e);
            }
        }
    }
}
