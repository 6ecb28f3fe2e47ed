//! The help overlay: every keyboard shortcut and what the pictures mean.

use yew::prelude::*;

use super::state::LabAction;

/// Keyboard shortcuts: key, what it does.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("space or .", "play / pause"),
    ("s", "step: process the next event"),
    ("← →", "scrub back / forward through the run"),
    ("c", "client request: put a random value"),
    ("r", "restart the leader"),
    ("t", "spread election timers (one clear winner)"),
    ("a", "align election timers (provoke a split vote)"),
    ("?", "this help"),
    ("esc", "close help and the inspector"),
];

/// Properties of [`Help`].
#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// Where the close button goes.
    pub dispatch: Callback<LabAction>,
}

/// The overlay.
#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = {
        let d = props.dispatch.clone();
        Callback::from(move |_| d.emit(LabAction::ToggleHelp))
    };
    html! {
        <div class="overlay" role="dialog" aria-label="Help">
            <div class="overlay-card">
                <h2>{"Keyboard"}</h2>
                <table class="keys">
                    { for SHORTCUTS.iter().map(|(k, what)| html! {
                        <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr>
                    }) }
                </table>
                <h2>{"Reading the picture"}</h2>
                <ul class="help-notes">
                    <li>{"A server's colour is its term; the number inside is the term. The arc around it is its election timer draining."}</li>
                    <li>{"Small dots under a candidate are votes: filled once granted."}</li>
                    <li>{"Messages travel along links; replies are hollow, + for success and − for refusal. A red ✕ marks where a message was lost."}</li>
                    <li>{"Click a server, a message or a link to inspect it and act on it. Click a link to cut it; shift-click or alt-click cuts one direction."}</li>
                    <li>{"In the log, solid cells are committed, dashed ones not yet; ∅ is a leader's no-op entry."}</li>
                    <li>{"Multi-Paxos (switch in the top bar): the number inside a server is the ballot it promised, round.server. Prepare and promise are diamonds, accept and accepted squares, a red diamond refuses a lower ballot, an orange triangle carries chosen values to a replica that missed them. Dots under a preparing server are promises. The slot matrix labels each accepted value with its ballot; solid once known chosen."}</li>
                </ul>
                <button class="btn primary" onclick={close}>{"Close"}</button>
            </div>
        </div>
    }
}
