//! Carries out the reducer's chores (see [`Chore`]) after a render, and reports each back with
//! [`LabAction::ChoreDone`]: the reducer stays pure while the page checks histories, runs
//! comparisons and saves files. Long chores wait for a zero-delay timer (gloo-timers) so the
//! frame that asked for them is drawn first.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::Callback;

use super::check_worker::{CheckHost, PageHandles, SharedCheckHost};
use super::state::{Chore, ChoreOutcome, Export, LabAction, LabInner};

/// Starts every chore numbered above `started` and moves `started` past them.
pub fn start(
    inner: &Rc<RefCell<LabInner>>,
    checker: &SharedCheckHost,
    started: &mut u64,
    dispatch: &Callback<LabAction>,
) {
    let Ok(lab) = inner.try_borrow() else {
        return;
    };
    let new: Vec<(u64, Chore)> = lab
        .chores
        .iter()
        .filter(|(id, _)| *id > *started)
        .cloned()
        .collect();
    drop(lab);
    for (id, chore) in new {
        *started = id;
        let inner = inner.clone();
        let checker = checker.clone();
        let dispatch = dispatch.clone();
        Timeout::new(0, move || {
            let Ok(lab) = inner.try_borrow() else {
                return;
            };
            let page = PageHandles {
                inner: inner.clone(),
                dispatch: dispatch.clone(),
            };
            let done = carry_out(&lab, id, chore, &checker, &page);
            drop(lab);
            for (id, outcome) in done {
                dispatch.emit(LabAction::ChoreDone { id, outcome });
            }
        })
        .forget();
    }
}

/// Puts the page's address with `fragment` on the clipboard; returns its length.
fn copy_to_clipboard(fragment: &str) -> Result<usize, String> {
    let window = web_sys::window().ok_or("no window to copy from")?;
    let location = window.location();
    let base = location.href().unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default();
    let url = format!("{base}#{fragment}");
    // The Clipboard API exists only in secure contexts (https, localhost); elsewhere the address
    // bar holds the same link.
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined());
    if clipboard.is_none() {
        return Err(
            "This browser does not let the page use the clipboard here; copy the address from the address bar instead — it holds the same link."
                .into(),
        );
    }
    let _ = window.navigator().clipboard().write_text(&url);
    Ok(url.len())
}

/// Does one chore with read-only access to the page's state; the chores done now come back
/// (a check in the worker comes back later, through `page`).
fn carry_out(
    lab: &LabInner,
    id: u64,
    chore: Chore,
    checker: &SharedCheckHost,
    page: &PageHandles,
) -> Vec<(u64, ChoreOutcome)> {
    let outcome = match chore {
        // Answered now when checked here, later (through the page's dispatch) when a worker
        // checks.
        Chore::CheckHistory => return CheckHost::check(checker, lab, id, page),
        Chore::Compare { crash_leader } => {
            ChoreOutcome::Compared(lab.compare(crash_leader).map(Rc::new))
        }
        Chore::Download(what) => {
            let (name, mime, text) = match what {
                Export::History => (
                    "quorum-lab-history.jsonl",
                    "application/x-ndjson",
                    lab.history_text(),
                ),
                Export::Scenario => (
                    "quorum-lab-scenario.json",
                    "application/json",
                    lab.scenario_text(),
                ),
                Export::SpaceTime => (
                    "quorum-lab-space-time.svg",
                    "image/svg+xml",
                    super::spacetime::svg_text().unwrap_or_default(),
                ),
            };
            ChoreOutcome::Saved(super::files::save(name, mime, &text))
        }
        Chore::CopyLink => ChoreOutcome::Copied(copy_to_clipboard(&lab.share_link())),
        Chore::RememberWelcomed => ChoreOutcome::Saved(super::welcome::remember_welcomed()),
    };
    vec![(id, outcome)]
}
