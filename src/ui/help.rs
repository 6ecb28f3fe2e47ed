//! The help overlay: every keyboard shortcut and what the pictures mean.

use wasm_bindgen::JsCast;
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
    ("p", "presentation mode (for a projector)"),
    (
        "PageDown / PageUp",
        "in a lesson: next step / back (a presenter's clicker)",
    ),
    ("?", "this help"),
    (
        "tab, then ← → ↑ ↓",
        "in the diagram: move among servers, links and messages; enter inspects",
    ),
    ("esc", "close help and the inspector"),
];

/// A modal dialog's card, its first button focused as it opens (WAI-ARIA dialog pattern), and
/// the Tab handler that keeps focus inside it.
#[hook]
pub fn use_modal_card() -> (NodeRef, Callback<KeyboardEvent>) {
    let card = use_node_ref();
    {
        let card = card.clone();
        use_effect_with((), move |_| {
            let first = card
                .cast::<web_sys::Element>()
                .and_then(|c| c.query_selector("button").ok().flatten())
                .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(button) = first {
                let _ = button.focus();
            }
        });
    }
    let trap = keep_focus_inside(card.clone());
    (card, trap)
}

/// A modal dialog's Tab handler (WAI-ARIA dialog pattern): Tab and Shift+Tab cycle through the
/// buttons inside `card` and never leave it.
pub fn keep_focus_inside(card: NodeRef) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        if e.key() != "Tab" {
            return;
        }
        let Some(card) = card.cast::<web_sys::Element>() else {
            return;
        };
        let Ok(list) = card.query_selector_all("button") else {
            return;
        };
        let buttons: Vec<web_sys::HtmlElement> = (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
            .collect();
        if buttons.is_empty() {
            return;
        }
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let at = buttons
            .iter()
            .position(|b| active.as_ref().is_some_and(|a| a.is_same_node(Some(b))));
        let n = buttons.len();
        let next = match (at, e.shift_key()) {
            (Some(i), false) => (i + 1) % n,
            (Some(i), true) => (i + n - 1) % n,
            (None, _) => 0,
        };
        e.prevent_default();
        let _ = buttons[next].focus();
    })
}

/// Properties of [`Help`].
#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// Where the close button goes.
    pub dispatch: Callback<LabAction>,
}

/// The overlay: a modal dialog that takes focus when it opens, keeps Tab inside it, and gives
/// focus back to where it was when it closes (WAI-ARIA dialog pattern).
#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = {
        let d = props.dispatch.clone();
        Callback::from(move |_| d.emit(LabAction::ToggleHelp))
    };
    let close_button = use_node_ref();
    {
        let close_button = close_button.clone();
        use_effect_with((), move |_| {
            let before = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(button) = close_button.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
            move || {
                if let Some(el) = before {
                    let _ = el.focus();
                }
            }
        });
    }
    // The only control is Close: Tab stays on it.
    let card = use_node_ref();
    let trap = keep_focus_inside(card.clone());
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" onkeydown={trap}>
            <div class="overlay-card" ref={card}>
                <h2 id="help-title">{"Keyboard"}</h2>
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
                    <li>{"In the log, solid cells with a ✓ are committed, dashed ones not yet; ∅ is a leader's no-op entry."}</li>
                    <li>{"Multi-Paxos (switch in the top bar): the number inside a server is the ballot it promised, round.server. Prepare and promise are diamonds, accept and accepted squares, a red diamond refuses a lower ballot, an orange triangle carries chosen values to a replica that missed them. Dots under a preparing server are promises. The slot matrix labels each accepted value with its ballot; solid once known chosen."}</li>
                </ul>
                <button class="btn primary" data-action="close-help" ref={close_button} onclick={close}>{"Close"}</button>
            </div>
        </div>
    }
}
