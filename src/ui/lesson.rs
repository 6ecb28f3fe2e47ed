//! The lesson bar and the list of lessons. The bar shows the open step's caption — its
//! keywords (servers, message kinds, terms) marked, and marked on the diagram too — what the
//! step waits for, Back and Next, a button that does the step's action, the quiz, and in
//! presenter mode the speaker notes. The list offers every lesson with the progress this
//! browser remembers, and the common misconceptions, each opening the moment that shows why.

use yew::prelude::*;

use super::help::use_modal_card;
use super::lesson_state::{LessonAction, OpenLesson};
use super::state::LabAction;
use crate::lessons::{caption_spans, Keyword, Progress, MISCONCEPTIONS};
use quorum_scenario::lesson::{Allowed, BranchComparison, RunFacts, Wait};

/// Properties of [`LessonBar`].
#[derive(Properties, PartialEq)]
pub struct LessonBarProps {
    /// The lesson open.
    pub open: OpenLessonView,
    /// Presenter mode (large captions, speaker notes on request).
    pub presenting: bool,
    /// Where buttons go.
    pub dispatch: Callback<LabAction>,
}

/// What the bar shows of an open lesson (compared between renders).
#[derive(Clone, Debug, PartialEq)]
pub struct OpenLessonView {
    /// The lesson's title.
    pub title: String,
    /// The open step (from 0) and how many there are.
    pub step: usize,
    /// How many steps.
    pub steps: usize,
    /// The caption.
    pub caption: String,
    /// What the step waits for, in words.
    pub waiting_for: String,
    /// The step asks the reader to act, and what.
    pub act: Option<String>,
    /// The condition holds.
    pub met: bool,
    /// The quiz: question, choices, the right one, its explanation.
    pub quiz: Option<(String, Vec<String>, usize, String)>,
    /// The choice given.
    pub answer: Option<usize>,
    /// What the reader may do meanwhile.
    pub allowed: Vec<&'static str>,
    /// Speaker notes.
    pub notes: Option<String>,
    /// The step's "what if", if it has one: its label, and the comparison once run.
    pub branch: Option<(String, Option<Result<BranchComparison, String>>)>,
}

impl OpenLessonView {
    /// The view of `open`.
    pub fn of(open: &OpenLesson) -> Self {
        let player = &open.player;
        let step = player.step();
        OpenLessonView {
            title: player.lesson().title.clone(),
            step: player.step_index(),
            steps: player.lesson().steps.len(),
            caption: step.caption.clone(),
            waiting_for: waiting_for(&step.wait),
            act: match &step.wait {
                Wait::Act { action } => Some(action.describe()),
                _ => None,
            },
            met: open.met,
            quiz: step.quiz.as_ref().map(|q| {
                (
                    q.question.clone(),
                    q.choices.clone(),
                    q.answer,
                    q.explanation.clone(),
                )
            }),
            answer: open.answer,
            allowed: step.allow.iter().map(|a| allowed_text(*a)).collect(),
            notes: step.notes.clone(),
            branch: step
                .branch
                .as_ref()
                .map(|b| (b.label.clone(), open.branch.clone())),
        }
    }
}

/// A step's condition in words, for the status line.
fn waiting_for(wait: &Wait) -> String {
    match wait {
        Wait::LeaderElected => "a leader to be elected".into(),
        Wait::NewLeader => "a new leader".into(),
        Wait::Committed { index } => format!("entry {index} committed on a majority"),
        Wait::TermAtLeast { term } => format!("a server to reach term {term}"),
        Wait::Elapsed { ms } => format!("{ms} ms of simulated time"),
        Wait::Seen { event } => format!(
            "the feed to report: {}",
            super::feed::phenomenon(*event).map_or_else(|| format!("{event:?}"), String::from)
        ),
        Wait::CheckerRejects => "the linearizability checker to reject the history".into(),
        Wait::Act { action } => format!("you: {}", action.describe()),
    }
}

fn allowed_text(a: Allowed) -> &'static str {
    match a {
        Allowed::CrashRestart => "crash and restart servers",
        Allowed::Partition => "cut links and heal them",
        Allowed::Timeout => "force election timeouts",
        Allowed::Requests => "send client requests",
        Allowed::Settings => "change settings",
    }
}

/// The caption with its keywords marked.
fn caption(text: &str) -> Html {
    html! {
        <>
        { for caption_spans(text).into_iter().map(|s| match s.keyword {
            None => html! { {s.text} },
            Some(k) => {
                let kind = match k {
                    Keyword::Server(_) => "server",
                    Keyword::Message(_) => "message",
                    Keyword::Term(_) => "term",
                };
                html! { <mark class={classes!("kw", kind)} data-keyword={s.text.clone()}>{s.text}</mark> }
            }
        }) }
        </>
    }
}

/// The keywords of a caption and a step's highlight list, as the diagram matches them: server
/// labels (`S2`), message kinds (`RequestVote`) and terms (`term 3`: the servers in it).
pub fn highlighted(caption_text: &str, highlight: &[String]) -> Vec<String> {
    let mut out: Vec<String> = caption_spans(caption_text)
        .into_iter()
        .filter(|s| s.keyword.is_some())
        .map(|s| s.text)
        .collect();
    out.extend(highlight.iter().cloned());
    out.sort();
    out.dedup();
    out
}

/// The lesson bar.
#[component]
pub fn LessonBar(props: &LessonBarProps) -> Html {
    let o = &props.open;
    let send = |a: LessonAction| {
        let d = props.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            d.emit(LabAction::Lesson(a.clone()))
        })
    };
    let last = o.step + 1 == o.steps;
    let status = if o.met {
        if last {
            "✓ Done — the lesson is complete.".to_string()
        } else {
            "✓ Done — press Next.".to_string()
        }
    } else {
        format!("Waiting for {}…", o.waiting_for)
    };
    let quiz = o.quiz.as_ref().map(|(question, choices, right, explanation)| {
        let answered = o.answer;
        html! {
            <fieldset class="quiz" data-quiz="open">
                <legend>{question.clone()}</legend>
                { for choices.iter().enumerate().map(|(i, c)| {
                    let picked = answered == Some(i);
                    let class = classes!("btn", "choice",
                        (answered.is_some() && i == *right).then_some("right"),
                        (picked && i != *right).then_some("wrong"));
                    html! {
                        <button {class} data-choice={i.to_string()} aria-pressed={picked.to_string()}
                                onclick={send(LessonAction::Answer(i))}>
                            if answered.is_some() && i == *right { <span aria-hidden="true">{"✓ "}</span> }
                            if picked && i != *right { <span aria-hidden="true">{"✗ "}</span> }
                            {c.clone()}
                        </button>
                    }
                }) }
                if let Some(a) = answered {
                    <p class="quiz-verdict" role="status" data-verdict={if a == *right { "right" } else { "wrong" }}>
                        <strong>{ if a == *right { "Right. " } else { "Not quite. " } }</strong>
                        {explanation.clone()}
                    </p>
                }
            </fieldset>
        }
    });
    html! {
        <section class="lesson-bar panel" aria-label={format!("Lesson: {}", o.title)} data-step={(o.step + 1).to_string()}>
            <div class="lesson-head">
                <h2><span class="lesson-title">{o.title.clone()}</span></h2>
                <span class="lesson-count" data-field="lesson-step">{format!("Step {} of {}", o.step + 1, o.steps)}</span>
                <div class="lesson-nav" role="group" aria-label="Lesson steps">
                    <button class="btn" data-action="lesson-back" onclick={send(LessonAction::Back)}
                            title="Back to the start of the previous step (PageUp)">{"◀ Back"}</button>
                    <button class="btn primary" data-action="lesson-next" disabled={!o.met || last}
                            onclick={send(LessonAction::Next)} title="Next step (PageDown)">{"Next ▶"}</button>
                    <button class="btn" data-action="lesson-exit" onclick={send(LessonAction::Exit)}
                            title="Leave the lesson; the run stays">{"Exit"}</button>
                </div>
            </div>
            <p class="lesson-caption" aria-live="polite">{caption(&o.caption)}</p>
            <div class="lesson-status">
                <span class={classes!("lesson-state", o.met.then_some("met"))} data-field="lesson-status">{status}</span>
                if let Some(what) = &o.act {
                    if !o.met {
                        <button class="btn primary" data-action="lesson-act" onclick={send(LessonAction::Act)}
                                aria-label={format!("Do it for me: {what}")}>{"Do it for me"}</button>
                    }
                } else if !o.met {
                    <button class="btn" data-action="lesson-skip" onclick={send(LessonAction::SkipAhead)}
                            title="Run on until it happens">{"Skip ahead ▶▶"}</button>
                }
                if !o.allowed.is_empty() {
                    <span class="hint">{format!("Meanwhile you may {}.", o.allowed.join(", "))}</span>
                }
            </div>
            if let Some((label, result)) = &o.branch {
                { branch_view(label, result.as_ref(), send(LessonAction::CompareBranch)) }
            }
            { for quiz }
            if props.presenting {
                if let Some(notes) = &o.notes {
                    <details class="speaker-notes">
                        <summary>{"Speaker notes"}</summary>
                        <p>{notes.clone()}</p>
                    </details>
                }
            }
        </section>
    }
}

/// The step's "what if": a button, then both runs side by side and where they part.
fn branch_view(
    label: &str,
    result: Option<&Result<BranchComparison, String>>,
    run: Callback<MouseEvent>,
) -> Html {
    let rows = |c: &BranchComparison| {
        let row = |what: &str, f: &dyn Fn(&RunFacts) -> String| {
            let (a, b) = (f(&c.run), f(&c.branch));
            let differs = a != b;
            html! {
                <tr class={classes!(differs.then_some("differs"))}>
                    <th scope="row">{what.to_string()}</th><td>{a}</td><td>{b}</td>
                    <td class="sr-only">{ if differs { "differs" } else { "same" } }</td>
                </tr>
            }
        };
        html! {
            <>
            { row("leader at the end", &|r| r.leader.map_or("none".into(), |l| format!("S{l}"))) }
            { row("highest term", &|r| r.highest_term.to_string()) }
            { row("elections started", &|r| r.elections.to_string()) }
            { row("leaders stepped down", &|r| r.deposed.to_string()) }
            { row("committed up to", &|r| r.committed.to_string()) }
            { row("messages sent", &|r| r.messages.to_string()) }
            </>
        }
    };
    html! {
        <div class="lesson-branch" data-branch={label.to_string()}>
            <button class="btn" data-action="lesson-branch" onclick={run}>{format!("What if: {label}?")}</button>
            { match result {
                None => Html::default(),
                Some(Err(e)) => html! { <p class="hint">{format!("The branch did not run — {e}")}</p> },
                Some(Ok(c)) => html! {
                    <>
                    <p class="hint" data-field="diverged">{ match c.diverged_at {
                        Some(t) => format!("Both replayed from this step's start for {} ms; they part at {}.",
                            c.ms, quorum_core::time::format_time(t)),
                        None => format!("Both replayed from this step's start for {} ms: they never part.", c.ms),
                    } }</p>
                    <table class="mini branch-table">
                        <tr><th scope="col">{"after the step"}</th><th scope="col">{"as run"}</th><th scope="col">{label.to_string()}</th></tr>
                        { rows(c) }
                    </table>
                    </>
                },
            } }
        </div>
    }
}

/// Properties of [`LessonList`].
#[derive(Properties, PartialEq)]
pub struct LessonListProps {
    /// What this browser remembers.
    pub progress: Progress,
    /// Where buttons go.
    pub dispatch: Callback<LabAction>,
}

/// The list of lessons and misconceptions: a modal dialog.
#[component]
pub fn LessonList(props: &LessonListProps) -> Html {
    let (card, trap) = use_modal_card();
    let start = |lesson: &str, step: usize| {
        let d = props.dispatch.clone();
        let lesson = lesson.to_string();
        Callback::from(move |_| {
            d.emit(LabAction::Lesson(LessonAction::Start {
                lesson: lesson.clone(),
                step,
            }))
        })
    };
    let close = {
        let d = props.dispatch.clone();
        Callback::from(move |_| d.emit(LabAction::Lesson(LessonAction::ToggleList)))
    };
    let lessons = crate::lessons::bundled();
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="lessons-title" onkeydown={trap}>
            <div class="overlay-card lessons" ref={card}>
                <div class="lessons-head">
                    <h2 id="lessons-title">{"Lessons"}</h2>
                    <button class="btn" data-action="lessons-close" onclick={close}>{"Close"}</button>
                </div>
                <p class="hint">{"Guided tours: each step says what to watch and waits for it; Back replays the previous step exactly. Keys: PageDown next, PageUp back."}</p>
                <ol class="lesson-list">
                    { for lessons.iter().map(|l| {
                        let reached = props.progress.0.get(&l.id).copied();
                        let state = match reached {
                            Some(r) if r.done => "✓ done".to_string(),
                            Some(r) => format!("reached step {} of {}", r.step + 1, l.steps.len()),
                            None => format!("{} steps", l.steps.len()),
                        };
                        html! {
                            <li data-lesson={l.id.clone()}>
                                <div class="lesson-entry">
                                    <strong>{l.title.clone()}</strong>
                                    <span class="hint">{state}</span>
                                </div>
                                <p class="hint">{l.summary.clone()}</p>
                                <div class="button-row">
                                    <button class="btn primary" data-action="lesson-start" onclick={start(&l.id, 0)}
                                            aria-label={format!("Start {}", l.title)}>{"Start"}</button>
                                    if let Some(r) = reached.filter(|r| r.step > 0 && !r.done) {
                                        <button class="btn" data-action="lesson-continue" onclick={start(&l.id, r.step)}
                                                aria-label={format!("Continue {} at step {}", l.title, r.step + 1)}>
                                            {format!("Continue at step {}", r.step + 1)}</button>
                                    }
                                </div>
                            </li>
                        }
                    }) }
                </ol>
                <h2 id="misconceptions-title">{"Common misconceptions"}</h2>
                <ul class="misconceptions" aria-labelledby="misconceptions-title">
                    { for MISCONCEPTIONS.iter().map(|m| html! {
                        <li>
                            <p class="claim"><span class="sr-only">{"Misconception: "}</span>{format!("“{}”", m.claim)}</p>
                            <p>{m.why_wrong}</p>
                            <button class="btn" data-action="misconception-demo" onclick={start(m.lesson, m.step)}
                                    aria-label={format!("Show me why “{}” is wrong", m.claim)}>{"Show me"}</button>
                        </li>
                    }) }
                </ul>
            </div>
        </div>
    }
}
