//! The plain-language event feed and the safety panel (green while every invariant holds; red with
//! the explanation as soon as one breaks).

use std::rc::Rc;

use yew::prelude::*;

use crate::check::{Checker, Violation};
use crate::sim::config::ProtocolKind;
use crate::sim::engine::FeedEntry;
use crate::sim::time::format_time;

/// Properties of [`Feed`].
#[derive(Properties, PartialEq)]
pub struct FeedProps {
    /// The latest feed lines, oldest first.
    pub feed: Rc<Vec<FeedEntry>>,
}

/// Properties of [`Safety`].
#[derive(Properties, PartialEq)]
pub struct SafetyProps {
    /// The violations so far.
    pub violations: Rc<Vec<Violation>>,
    /// The protocol, whose invariants are listed.
    pub protocol: ProtocolKind,
}

/// What happened, newest first.
#[component]
pub fn Feed(props: &FeedProps) -> Html {
    html! {
        <section class="feed" aria-label="Event feed">
            <ol class="feed-list">
                { for props.feed.iter().rev().take(40).map(|f| html! {
                    <li class={classes!(f.text.starts_with("SAFETY").then_some("bad"))}>
                        <span class="at">{format_time(f.at)}</span>{" "}{f.text.clone()}
                    </li>
                }) }
            </ol>
        </section>
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
            </section>
        }
    }
}
