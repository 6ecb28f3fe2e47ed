//! Lessons: guided tours as data. A lesson starts from a preset scenario and walks through
//! steps; each step has a caption, the things to highlight, what to wait for — a state of the
//! cluster ("a leader is elected", "entry 3 is committed on a majority") or an action of the
//! reader ("crash the leader") — the actions allowed meanwhile, and optionally a quiz. Files are
//! validated like scenarios: every problem names its field (`steps[2].quiz.answer`) and the
//! allowed range. [`run_lesson`] walks a lesson headless along its scripted path and fails when
//! a wait is never met, so a lesson whose claim stops being true fails the suite.
//!
//! The format (JSON):
//!
//! ```json
//! { "id": "raft-election", "title": "…", "summary": "…", "scenario": "steady-state",
//!   "steps": [ { "caption": "…", "highlight": ["S1", "RequestVote"],
//!                "wait": { "until": "leader_elected" },
//!                "allow": ["crash", "restart"],
//!                "quiz": { "question": "…", "choices": ["…", "…"], "answer": 1,
//!                          "explanation": "…" } } ] }
//! ```

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use quorum_cluster::timeline::Timeline;
use quorum_cluster::{Action, NodeId, Sim};
use quorum_core::actor::FeedEvent;
use quorum_core::error::FieldError;
use quorum_core::time::{Time, MS};
use quorum_service::Replica;

use crate::presets::preset;

/// How long a step may wait for its condition, simulated milliseconds.
pub const MAX_WAIT_MS: u64 = 60_000;

/// What a step waits for before Next is offered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "until", rename_all = "snake_case", deny_unknown_fields)]
pub enum Wait {
    /// One server leads.
    LeaderElected,
    /// A server other than the one leading when the step began leads.
    NewLeader,
    /// The entry at `index` is committed on a majority of the servers.
    Committed {
        /// The log index (or slot).
        index: u64,
    },
    /// Some server's term (ballot round) has reached `term`.
    TermAtLeast {
        /// The term.
        term: u64,
    },
    /// This much simulated time passes.
    Elapsed {
        /// Milliseconds.
        ms: u64,
    },
    /// The feed names this phenomenon (a split vote, a snapshot installed, a lease expired,
    /// a safety violation, …) after the step began.
    Seen {
        /// The phenomenon, as the feed tags it (`split_vote`, `snapshot_installed`, …).
        event: FeedEvent,
    },
    /// The linearizability checker rejects the history recorded so far (a stale read was
    /// served, say).
    CheckerRejects,
    /// The reader does this (headless, it is done for them).
    Act {
        /// The action.
        action: Action,
    },
}

/// Actions a reader may take while a step waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Allowed {
    /// Crash or restart servers.
    CrashRestart,
    /// Cut links, partition, heal.
    Partition,
    /// Force a timeout.
    Timeout,
    /// Send client requests.
    Requests,
    /// Change timing, loss and latency.
    Settings,
}

/// A question with an explained answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    /// The question.
    pub question: String,
    /// The choices offered.
    pub choices: Vec<String>,
    /// Which choice is right (0-based).
    pub answer: usize,
    /// Why it is right (and the others are not).
    pub explanation: String,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonStep {
    /// What to read: short text whose keywords (server names, message kinds, terms) the page
    /// highlights.
    pub caption: String,
    /// Things to highlight on the diagram: server names (`S2`), message kinds
    /// (`RequestVote`).
    #[serde(default)]
    pub highlight: Vec<String>,
    /// What to wait for.
    pub wait: Wait,
    /// What the reader may do meanwhile.
    #[serde(default)]
    pub allow: Vec<Allowed>,
    /// A question, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiz: Option<Quiz>,
    /// What a presenter might say at this step (shown only in presenter mode, on request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// A "what if": the step replayed from its start with other settings, beside the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<LessonBranch>,
}

/// A step replayed from its start with `actions` applied first (say, PreVote turned off), to
/// set beside the run as the lesson scripts it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonBranch {
    /// What the branch changes, as a reader sees it ("with PreVote off").
    pub label: String,
    /// The actions applied at the step's start.
    pub actions: Vec<Action>,
    /// How long both runs go on from the step's start, simulated milliseconds.
    pub ms: u64,
}

/// What one run came to, for the side-by-side comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFacts {
    /// Who leads at the end.
    pub leader: Option<NodeId>,
    /// The highest term (ballot round) of any server.
    pub highest_term: u64,
    /// Elections (phase 1 runs) started meanwhile.
    pub elections: usize,
    /// Leaders that stepped down meanwhile.
    pub deposed: usize,
    /// The highest commit index a majority reached.
    pub committed: u64,
    /// Messages sent meanwhile.
    pub messages: u64,
}

impl RunFacts {
    fn of(sim: &Sim, since: Time, before: &quorum_cluster::engine::Stats) -> Self {
        let mut commits: Vec<u64> = sim
            .servers()
            .iter()
            .map(|s| s.node.commit_index())
            .collect();
        commits.sort_unstable_by(|a, b| b.cmp(a));
        let majority = quorum_service::majority(commits.len());
        RunFacts {
            leader: sim.leader(),
            highest_term: sim
                .servers()
                .iter()
                .map(|s| s.node.term())
                .max()
                .unwrap_or(0),
            elections: (sim.stats().elections_started - before.elections_started) as usize,
            deposed: sim
                .feed()
                .iter()
                .filter(|e| e.at >= since && e.event == FeedEvent::LeaderDeposed)
                .count(),
            committed: commits
                .get(majority.saturating_sub(1))
                .copied()
                .unwrap_or(0),
            messages: sim.stats().messages_sent - before.messages_sent,
        }
    }
}

/// The run and its "what if", side by side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchComparison {
    /// What the branch changed.
    pub label: String,
    /// How long both ran, from the step's start.
    pub ms: u64,
    /// The first instant (within 1 ms) the two runs differ, if they do.
    pub diverged_at: Option<Time>,
    /// The run as the lesson scripts it.
    pub run: RunFacts,
    /// The branch.
    pub branch: RunFacts,
}

/// A guided tour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Its id (the page's address names it).
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it teaches, in a sentence.
    pub summary: String,
    /// The preset scenario it starts from (`steady-state`, `leader-crash`, …).
    pub scenario: String,
    /// Actions applied as the lesson opens, before its first step (turn snapshots on, make
    /// reads use leases, give a server a slow clock).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<Action>,
    /// Its steps.
    pub steps: Vec<LessonStep>,
}

/// Parses and validates a lesson file.
pub fn parse_lesson(text: &str) -> Result<Lesson, FieldError> {
    let lesson: Lesson = crate::format::read_json(text, "lesson")?;
    lesson.validate()?;
    Ok(lesson)
}

impl Lesson {
    fn validate(&self) -> Result<(), FieldError> {
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(FieldError::new(
                "id",
                "must be lowercase letters, digits and dashes (it becomes part of the page's address)",
            ));
        }
        if self.title.trim().is_empty() {
            return Err(FieldError::new("title", "must not be empty"));
        }
        preset(&self.scenario).map_err(|_| {
            FieldError::new(
                "scenario",
                format!("there is no preset called {:?}", self.scenario),
            )
        })?;
        if self.steps.is_empty() {
            return Err(FieldError::new("steps", "a lesson needs at least one step"));
        }
        for (i, step) in self.steps.iter().enumerate() {
            let at = |field: &str| format!("steps[{i}].{field}");
            if step.caption.trim().is_empty() {
                return Err(FieldError::new(at("caption"), "must not be empty"));
            }
            match &step.wait {
                Wait::Committed { index } if *index == 0 => {
                    return Err(FieldError::new(
                        at("wait.index"),
                        "must be at least 1 (log indexes start at 1)",
                    ));
                }
                Wait::TermAtLeast { term } if *term == 0 => {
                    return Err(FieldError::new(at("wait.term"), "must be at least 1"));
                }
                Wait::Elapsed { ms } if *ms == 0 || *ms > MAX_WAIT_MS => {
                    return Err(FieldError::new(
                        at("wait.ms"),
                        format!("must be between 1 and {MAX_WAIT_MS} ms (got {ms})"),
                    ));
                }
                _ => {}
            }
            if let Some(b) = &step.branch {
                if b.label.trim().is_empty() {
                    return Err(FieldError::new(at("branch.label"), "must not be empty"));
                }
                if b.actions.is_empty() {
                    return Err(FieldError::new(
                        at("branch.actions"),
                        "a branch needs at least one action (what it changes)",
                    ));
                }
                if b.ms == 0 || b.ms > MAX_WAIT_MS {
                    return Err(FieldError::new(
                        at("branch.ms"),
                        format!("must be between 1 and {MAX_WAIT_MS} ms (got {})", b.ms),
                    ));
                }
            }
            if let Some(q) = &step.quiz {
                if q.choices.len() < 2 {
                    return Err(FieldError::new(
                        at("quiz.choices"),
                        "a quiz needs at least two choices",
                    ));
                }
                if q.answer >= q.choices.len() {
                    return Err(FieldError::new(
                        at("quiz.answer"),
                        format!(
                            "must be between 0 and {} (the choices, counted from 0; got {})",
                            q.choices.len() - 1,
                            q.answer
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The lesson's starting point: its preset scenario's timeline.
    pub fn timeline(&self) -> Result<Timeline, FieldError> {
        let mut timeline = preset(&self.scenario)?.timeline()?;
        for (i, action) in self.setup.iter().enumerate() {
            timeline
                .apply(action.clone())
                .map_err(|e| FieldError::new(format!("setup[{i}]"), e.to_string()))?;
        }
        Ok(timeline)
    }
}

/// Whether `wait` is met in `sim`, for a step that began with `leader_at_start` leading.
pub fn met(wait: &Wait, sim: &Sim, began: Time, leader_at_start: Option<NodeId>) -> bool {
    let up = || sim.servers().iter().filter(|s| s.up);
    match wait {
        Wait::LeaderElected => sim.leader().is_some(),
        Wait::NewLeader => sim.leader().is_some_and(|l| Some(l) != leader_at_start),
        Wait::Committed { index } => {
            let holding = up().filter(|s| s.node.commit_index() >= *index).count();
            holding >= quorum_service::majority(sim.servers().len())
        }
        Wait::TermAtLeast { term } => up().any(|s| s.node.term() >= *term),
        Wait::Elapsed { ms } => sim.now() >= began + ms * MS,
        Wait::CheckerRejects => {
            let history: Vec<_> = sim.history().iter().collect();
            quorum_cluster::check::linearizability::check_history(&history).verdict
                == quorum_cluster::check::linearizability::Verdict::NotLinearizable
        }
        Wait::Seen { event } => sim
            .feed()
            .iter()
            .any(|e| e.at >= began && e.event == *event),
        Wait::Act { .. } => true,
    }
}

/// Where a step began: the instant and the number of events handled by then, so going back
/// lands before anything the reader did at that same instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepStart {
    /// The instant.
    pub at: Time,
    /// Events handled by then.
    pub events: u64,
    /// Logged actions applied by then.
    pub actions: usize,
}

impl StepStart {
    fn of(timeline: &Timeline) -> Self {
        StepStart {
            at: timeline.now(),
            events: timeline.sim().stats().events,
            actions: timeline.applied_actions().len(),
        }
    }
}

/// A reader's way through a lesson on a live run: which step is open, where each step so far
/// began (Back returns exactly there), and whether the open step's condition is met. The page
/// and the headless walker both drive it, so what the suite checks is what a reader sees.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonPlayer {
    lesson: Arc<Lesson>,
    step: usize,
    starts: Vec<StepStart>,
    leader_at_start: Option<NodeId>,
}

impl LessonPlayer {
    /// Opens `lesson` at its first step, with the run its scenario starts.
    pub fn start(lesson: Arc<Lesson>) -> Result<(LessonPlayer, Timeline), FieldError> {
        let timeline = lesson.timeline()?;
        let player = LessonPlayer {
            leader_at_start: timeline.sim().leader(),
            starts: vec![StepStart::of(&timeline)],
            lesson,
            step: 0,
        };
        Ok((player, timeline))
    }

    /// Opens `lesson` at step `step` (0-based) along its scripted path — every earlier step's
    /// action done, every condition waited for — as a link to that step does.
    pub fn open_at(
        lesson: Arc<Lesson>,
        step: usize,
    ) -> Result<(LessonPlayer, Timeline), FieldError> {
        if step >= lesson.steps.len() {
            return Err(FieldError::new(
                "step",
                format!(
                    "must be between 1 and {} (the lesson's steps; got {})",
                    lesson.steps.len(),
                    step + 1
                ),
            ));
        }
        let (mut player, mut timeline) = LessonPlayer::start(lesson)?;
        while player.step < step {
            player.finish_step(&mut timeline)?;
            player.next(&timeline);
        }
        Ok((player, timeline))
    }

    /// The lesson.
    pub fn lesson(&self) -> &Arc<Lesson> {
        &self.lesson
    }

    /// The open step, counted from 0.
    pub fn step_index(&self) -> usize {
        self.step
    }

    /// The open step.
    pub fn step(&self) -> &LessonStep {
        &self.lesson.steps[self.step]
    }

    /// The last step is open.
    pub fn at_last_step(&self) -> bool {
        self.step + 1 == self.lesson.steps.len()
    }

    /// Where the open step began.
    pub fn began(&self) -> StepStart {
        self.starts[self.step]
    }

    /// Whether the open step's condition holds: a state of the run, or — for a step that asks
    /// the reader to act — the action (or one with the same effect) done since the step began.
    pub fn is_met(&self, timeline: &Timeline) -> bool {
        let began = self.began();
        match &self.step().wait {
            Wait::Act { action } => timeline
                .applied_actions()
                .iter()
                .skip(began.actions)
                .any(|a| same_effect(&a.action, action, self.leader_at_start)),
            wait => met(wait, timeline.sim(), began.at, self.leader_at_start),
        }
    }

    /// Does the open step's action for the reader (the lesson's "do it" button), if it asks
    /// for one and it is not done yet.
    pub fn act(&self, timeline: &mut Timeline) -> Result<(), FieldError> {
        if let Wait::Act { action } = &self.step().wait {
            if !self.is_met(timeline) {
                timeline.apply(action.clone()).map_err(|e| {
                    FieldError::new(format!("steps[{}].wait.action", self.step), e.to_string())
                })?;
            }
        }
        Ok(())
    }

    /// Runs the open step along the scripted path until its condition holds (its action done
    /// for the reader); the error names the step whose claim did not come true within
    /// [`MAX_WAIT_MS`].
    pub fn finish_step(&self, timeline: &mut Timeline) -> Result<(), FieldError> {
        self.act(timeline)?;
        let deadline = self.began().at + MAX_WAIT_MS * MS;
        while !self.is_met(timeline) {
            if timeline.now() >= deadline {
                return Err(FieldError::new(
                    format!("steps[{}].wait", self.step),
                    format!(
                        "not met within {MAX_WAIT_MS} ms of the step's start: {:?}",
                        self.step().wait
                    ),
                ));
            }
            timeline.advance_to(timeline.now() + 10 * MS);
        }
        Ok(())
    }

    /// Moves to the next step once the open one's condition holds; false when it does not
    /// yet, or this is the last step.
    pub fn next(&mut self, timeline: &Timeline) -> bool {
        if self.at_last_step() || !self.is_met(timeline) {
            return false;
        }
        self.step += 1;
        self.starts.truncate(self.step);
        self.starts.push(StepStart::of(timeline));
        self.leader_at_start = timeline.sim().leader();
        true
    }

    /// Goes back to the start of the previous step — or of the open one, when it is the first
    /// — replaying the run to exactly where that step began.
    pub fn back(&mut self, timeline: &mut Timeline) {
        self.step = self.step.saturating_sub(1);
        let began = self.starts[self.step];
        self.starts.truncate(self.step + 1);
        timeline.seek_exact(began.at, began.events, began.actions);
        self.leader_at_start = timeline.sim().leader();
    }

    /// Replays the open step from its start twice along the lesson's script — as it is, and
    /// with its branch's actions applied first — for the branch's time, and compares them.
    /// `None` when the step has no branch.
    pub fn compare_branch(
        &self,
        timeline: &Timeline,
    ) -> Option<Result<BranchComparison, FieldError>> {
        let branch = self.step().branch.as_ref()?;
        Some(self.run_branch(timeline, branch))
    }

    fn run_branch(
        &self,
        timeline: &Timeline,
        branch: &LessonBranch,
    ) -> Result<BranchComparison, FieldError> {
        let began = self.began();
        let mut run = timeline.clone();
        run.seek_exact(began.at, began.events, began.actions);
        // Neither run replays what the reader did later: both follow the script.
        run.truncate_future();
        let mut other = run.clone();
        for (i, action) in branch.actions.iter().enumerate() {
            other.apply(action.clone()).map_err(|e| {
                FieldError::new(
                    format!("steps[{}].branch.actions[{i}]", self.step),
                    e.to_string(),
                )
            })?;
        }
        if let Wait::Act { action } = &self.step().wait {
            for t in [&mut run, &mut other] {
                t.apply(action.clone()).map_err(|e| {
                    FieldError::new(format!("steps[{}].wait.action", self.step), e.to_string())
                })?;
            }
        }
        // From here both runs only go forward and are then dropped: plain simulations, not
        // timelines that would take a checkpoint every half simulated second for nothing.
        let (mut run, mut other) = (run.sim().clone(), other.sim().clone());
        let before = run.stats().clone();
        let end = began.at + branch.ms * MS;
        let mut diverged_at = None;
        let mut t = began.at;
        while t < end {
            t = (t + MS).min(end);
            run.advance_to(t);
            other.advance_to(t);
            if diverged_at.is_none() && run.trace_hash() != other.trace_hash() {
                diverged_at = Some(t);
            }
        }
        Ok(BranchComparison {
            label: branch.label.clone(),
            ms: branch.ms,
            diverged_at,
            run: RunFacts::of(&run, began.at, &before),
            branch: RunFacts::of(&other, began.at, &before),
        })
    }

    /// Where each step reached so far began.
    pub fn starts(&self) -> &[StepStart] {
        &self.starts
    }
}

/// Whether a reader's `done` has the effect a step asked for with `wanted`: the same action,
/// or the same thing done by naming the server that led when the step began.
fn same_effect(done: &Action, wanted: &Action, leader: Option<NodeId>) -> bool {
    let names_leader = |node: &quorum_cluster::action::NodeRef| matches!(node, quorum_cluster::action::NodeRef::Id(id) if Some(*id) == leader);
    match (wanted, done) {
        (Action::CrashLeader { .. }, Action::CrashLeader { .. }) => true,
        (Action::CrashLeader { .. }, Action::Crash { node }) => names_leader(node),
        (Action::IsolateLeader { .. }, Action::IsolateLeader { .. }) => true,
        (Action::IsolateLeader { .. }, Action::Isolate { node }) => names_leader(node),
        (Action::PauseLeader { .. }, Action::PauseLeader { .. }) => true,
        (Action::PauseLeader { .. }, Action::Pause { node }) => names_leader(node),
        (Action::ClientRequest { op, read, .. }, Action::ClientRequest { op: o, read: r, .. }) => {
            op == o && read == r
        }
        _ => done == wanted,
    }
}

/// Where each step of a lesson began, along its scripted path: stepping back replays to there.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonRun {
    /// The instant each step began, in order, and the instant the last one ended.
    pub starts: Vec<Time>,
}

/// Walks `lesson` headless: each step's action is done for the reader, and each condition must
/// be met within [`MAX_WAIT_MS`]; the error names the step whose claim did not come true.
pub fn run_lesson(lesson: &Lesson) -> Result<LessonRun, FieldError> {
    let (mut player, mut timeline) = LessonPlayer::start(Arc::new(lesson.clone()))?;
    loop {
        player.finish_step(&mut timeline)?;
        if !player.next(&timeline) {
            break;
        }
    }
    let mut starts: Vec<Time> = player.starts().iter().map(|s| s.at).collect();
    starts.push(timeline.now());
    Ok(LessonRun { starts })
}
