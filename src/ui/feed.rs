//! The plain-language event feed and the safety panel (green while every invariant holds; red with
//! the explanation as soon as one breaks; amber, apart, when the cluster got stuck after the
//! faults stopped — a liveness failure, not a safety one).

use std::rc::Rc;

use yew::prelude::*;

use quorum_cluster::check::liveness::LivenessFailure;
use quorum_cluster::check::{Checker, Violation};
use quorum_cluster::config::ProtocolKind;
use quorum_cluster::engine::FeedEntry;
use quorum_core::actor::FeedEvent;
use quorum_core::time::{format_time, Time};

use super::state::LabAction;

/// Properties of [`Feed`].
#[derive(Properties, PartialEq)]
pub struct FeedProps {
    /// The latest feed lines, oldest first.
    pub feed: Rc<Vec<FeedEntry>>,
    /// Where a line's "go to" is sent.
    pub dispatch: Callback<LabAction>,
}

/// Properties of [`Safety`].
#[derive(Properties, PartialEq)]
pub struct SafetyProps {
    /// The violations so far.
    pub violations: Rc<Vec<Violation>>,
    /// The protocol, whose invariants are listed.
    pub protocol: ProtocolKind,
    /// Liveness failures so far.
    pub liveness: Rc<Vec<LivenessFailure>>,
    /// When the liveness check next judges (None while faults are in force).
    pub liveness_deadline: Option<Time>,
}

/// The name of the phenomenon a feed line is about, shown as a tag (colour is not the only
/// code, and a reader can look the name up in the help).
pub fn phenomenon(event: FeedEvent) -> Option<&'static str> {
    match event {
        FeedEvent::SplitVote => Some("split vote"),
        FeedEvent::ElectionLost => Some("election lost"),
        FeedEvent::LeaderDeposed => Some("deposed"),
        FeedEvent::LearnerPromoted => Some("learner promoted"),
        FeedEvent::SnapshotInstalled => Some("snapshot installed"),
        FeedEvent::OlderTermWaits => Some("Figure 8"),
        FeedEvent::LeaseExpired => Some("lease expired"),
        FeedEvent::DuellingBallots => Some("duelling ballots"),
        _ => None,
    }
}

/// What happened, newest first; each line's time goes to that instant of the run (paused), where
/// the diagram, the space-time view and the inspector show it.
#[component]
pub fn Feed(props: &FeedProps) -> Html {
    html! {
        <section class="feed" aria-label="Event feed">
            <ol class="feed-list">
                { for props.feed.iter().rev().take(40).map(|f| {
                    let d = props.dispatch.clone();
                    let at = f.at;
                    let onclick = Callback::from(move |_| {
                        d.emit(LabAction::SetPlaying(false));
                        d.emit(LabAction::Seek(at));
                    });
                    html! {
                        <li class={classes!((f.event == FeedEvent::SafetyViolation).then_some("bad"), (f.event == FeedEvent::LivenessMissed).then_some("warn"))}>
                            <button class="at" data-action="feed-seek" data-at={at.to_string()} {onclick}
                                    aria-label={format!("Go to {} (pauses)", format_time(f.at))}>{format_time(f.at)}</button>
                            if let Some(name) = phenomenon(f.event) {
                                {" "}<span class="phenomenon" data-phenomenon={name}>{name}</span>
                            }
                            {" "}{f.text.clone()}
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// Whether the cluster got going again once the faults stopped: amber when it did not.
fn liveness(props: &SafetyProps) -> Html {
    match (props.liveness.last(), props.liveness_deadline) {
        (Some(f), _) => html! {
            <div class="liveness stuck" data-liveness="stuck" role="status">
                <p class="verdict">{format!("⚠ Liveness: stuck at {} ({} time{})", format_time(f.at),
                    props.liveness.len(), if props.liveness.len() == 1 { "" } else { "s" })}</p>
                <ul>{ for f.missed.iter().map(|m| html! { <li>{m.describe()}</li> }) }</ul>
                <p class="hint">{"Safety is not at stake: nothing wrong was decided, but nothing got done within ten election timeouts of calm."}</p>
            </div>
        },
        (None, Some(deadline)) => html! {
            <p class="liveness ok hint" data-liveness="watching">
                {format!("Liveness: no faults in force — a leader and answers are due by {}", format_time(deadline))}
            </p>
        },
        (None, None) => html! {
            <p class="liveness hint" data-liveness="waiting">{"Liveness: checked once the faults stop"}</p>
        },
    }
}

/// Whether every invariant holds.
#[component]
pub fn Safety(props: &SafetyProps) -> Html {
    let violations = &props.violations;
    let names = Checker::invariant_names(props.protocol);
    if violations.is_empty() {
        html! {
            <section class="panel safety ok" data-safety="ok" aria-label="Safety">
                <h2>{"Safety"}</h2>
                <p class="verdict">{format!("✓ All {} invariants hold", names.len())}</p>
                <p class="hint" title={names.iter().map(|(n, s)| format!("{n} — {s}")).collect::<Vec<_>>().join("\n")}>
                    {names.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" · ")}
                </p>
                { liveness(props) }
            </section>
        }
    } else {
        html! {
            <section class="panel safety bad" data-safety="violated" aria-label="Safety" role="alert">
                <h2>{"Safety"}</h2>
                { for violations.iter().take(3).map(|v| html! {
                    <div class="violation">
                        <p class="verdict">{format!("✗ {} broken at {}", v.invariant, format_time(v.at))}</p>
                        <p>{v.explanation.clone()}</p>
                        <p class="hint">{v.source.clone()}</p>
                    </div>
                }) }
                { liveness(props) }
            </section>
        }
    }
}
