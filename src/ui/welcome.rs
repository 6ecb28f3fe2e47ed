//! The first-visit overlay: what is on the screen and three things to try, shown once (the
//! browser remembers it was dismissed) — a newcomer's first minute should not be a puzzle.

use yew::prelude::*;

use super::help::use_modal_card;
use super::lesson_state::LessonAction;
use super::state::LabAction;
use quorum_cluster::Action;
use quorum_service::kv::KvOp;

/// The key under which the browser remembers the overlay was dismissed.
pub const WELCOMED_KEY: &str = "quorum-lab.welcomed";

/// True when this browser has not dismissed the overlay yet (or cannot say: no storage).
pub fn first_visit() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some_and(|s| s.get_item(WELCOMED_KEY).ok().flatten().is_none())
}

/// Remembers that the overlay was dismissed.
pub fn remember_welcomed() -> Result<(), String> {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or("this browser keeps no local storage for the page")?;
    storage
        .set_item(WELCOMED_KEY, "1")
        .map_err(|_| "this browser would not remember the welcome was read".to_string())
}

/// Properties of [`Welcome`].
#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    /// Where the buttons go.
    pub dispatch: Callback<LabAction>,
}

/// The overlay: a modal dialog (WAI-ARIA dialog pattern) whose buttons each close it, three of
/// them doing something first.
#[component]
pub fn Welcome(props: &WelcomeProps) -> Html {
    let (card, trap) = use_modal_card();
    let button = |label: &str, data: &str, then: Option<LabAction>| {
        let d = props.dispatch.clone();
        let onclick = Callback::from(move |_| {
            d.emit(LabAction::CloseWelcome {
                then: then.clone().map(Box::new),
            })
        });
        html! { <button class="btn" data-action={data.to_string()} {onclick}>{label.to_string()}</button> }
    };
    let write = LabAction::Client {
        op: KvOp::Put {
            key: "x".into(),
            value: 42,
        },
        server: None,
        read: Default::default(),
    };
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="welcome-title" onkeydown={trap}>
            <div class="overlay-card welcome" ref={card}>
                <h2 id="welcome-title">{"Welcome to Quorum Lab"}</h2>
                <p>{"Five servers on the ring run Raft. They elect a leader (the thick border) and copy every client write into their logs before they answer. A server's colour and number are its term; the arc around it is its election timer running down. Dots travelling on the links are messages."}</p>
                <p>{"Below the ring: each server's log (solid cells are committed), the key-value state and a feed that says what happened. The safety panel stays green while every invariant holds."}</p>
                <h3>{"Three things to try"}</h3>
                <div class="button-row">
                    { button("Crash the leader", "welcome-crash", Some(LabAction::Sim(Action::CrashLeader { label: None }))) }
                    { button("Cut the leader off", "welcome-cut", Some(LabAction::Sim(Action::IsolateLeader { label: None }))) }
                    { button("Send a write (x = 42)", "welcome-write", Some(write)) }
                </div>
                <h3>{"New to consensus?"}</h3>
                <div class="button-row">
                    { button("Take the first lesson", "welcome-lesson", Some(LabAction::Lesson(LessonAction::Start {
                        lesson: "raft-replicated-state-machine".into(),
                        step: 0,
                    }))) }
                    { button("See all lessons", "welcome-lessons", Some(LabAction::Lesson(LessonAction::ToggleList))) }
                </div>
                <p class="hint">{"Press ? for the keys; the switch in the top bar runs the same cluster under Multi-Paxos."}</p>
                <button class="btn primary" data-action="welcome-close" onclick={
                    let d = props.dispatch.clone();
                    Callback::from(move |_| d.emit(LabAction::CloseWelcome { then: None }))
                }>{"Start exploring"}</button>
            </div>
        </div>
    }
}
