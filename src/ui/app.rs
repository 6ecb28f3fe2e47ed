//! The application shell: reads URL parameters, owns the state (`use_reducer`), runs the
//! animation loop, listens to the keyboard and to tab visibility, exposes `window.quorumLab`, and
//! lays out the diagram, controls and panels.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::check_worker::SharedCheckHost;
use super::chores;
use super::controls::Controls;
use super::diagram::Diagram;
use super::feed::Safety;
use super::help::Help;
use super::insights::Insights;
use super::inspector::Inspector;
use super::js_api;
use super::kv::KvTables;
use super::lesson::{LessonBar, LessonList, OpenLessonView};
use super::lesson_state::LessonAction;
use super::logs::LogMatrix;
use super::panels::Panels;
use super::probe::FrameProbe;
use super::protocol::ProtocolSwitch;
use super::spacetime::SpaceTimePanel;
use super::state::{now_ms, DiagramMode, Lab, LabAction, LabInner, MessageFilter};
use super::welcome::Welcome;
use crate::playback::{Throttled, TABLES_REDRAW_MS};
use quorum_cluster::view::{NodeView, ViewOptions};
use quorum_cluster::Action;
use quorum_core::actor::FeedEvent;
use quorum_core::time::MS;
use quorum_scenario::{parse_params, PageParams};
use quorum_service::kv::KvOp;

/// The latest feed line worth announcing: a new leader, a crash, a split vote, a broken safety
/// or liveness check.
fn announcement(view: &quorum_cluster::View) -> String {
    view.feed
        .iter()
        .rev()
        .find(|f| f.event != FeedEvent::Remark && f.event != FeedEvent::Repair)
        .map(|f| f.text.clone())
        .unwrap_or_default()
}

/// The line under the diagram: operations, messages, lost messages, new leaders, events —
/// counted in words that fit both protocols, with plurals.
fn run_statistics(view: &quorum_cluster::View) -> String {
    let count = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    [
        count(view.operations as u64, "op", "ops"),
        count(view.stats.messages_sent, "msg sent", "msgs sent"),
        format!("{} lost", view.stats.messages_lost),
        count(view.stats.leader_elections, "new leader", "new leaders"),
        count(view.stats.events, "event", "events"),
    ]
    .join(" · ")
}

/// Properties of [`App`].
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// Settings as a query string; by default the page's own URL is read.
    #[prop_or_default]
    pub query: Option<String>,
    /// Receives the page's dispatcher once mounted (the JavaScript API and tests use it).
    #[prop_or_default]
    pub on_ready: Option<Callback<Callback<LabAction>>>,
    /// A share link's fragment to open; by default the page's own address is read.
    #[prop_or_default]
    pub fragment: Option<String>,
    /// Leave the address bar alone instead of keeping the run in it (tests that mount several
    /// pages in one document).
    #[prop_or_default]
    pub static_address: bool,
    /// Show the first-visit overlay (by default: when this browser has not dismissed it).
    #[prop_or_default]
    pub welcome: Option<bool>,
}

fn page_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's own URL fragment (`#run=…` for a shared run).
fn page_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Puts `fragment` in the address bar without a new history entry or a reload, so the address
/// always holds the run (copying it from the bar shares it too).
fn show_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let current = window.location().hash().unwrap_or_default();
    if current.strip_prefix('#') == Some(fragment) {
        return;
    }
    if let Ok(history) = window.history() {
        let url = format!("#{fragment}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The keys a presenter uses most, shown along the bottom in presentation mode.
const PRESENTER_KEYS: &[(&str, &str)] = &[
    ("space", "play / pause"),
    ("s", "step"),
    ("← →", "scrub"),
    ("r", "restart the leader"),
    ("a", "split vote"),
    ("t", "spread timers"),
    ("c", "write"),
];

/// The whole page.
#[component]
pub fn App(props: &AppProps) -> Html {
    let query = props.query.clone().unwrap_or_else(page_query);
    let fragment = props.fragment.clone().unwrap_or_else(page_fragment);
    let welcome = props.welcome;
    let lab = use_reducer(|| {
        let (params, problem) = match parse_params(&query) {
            Ok(p) => (p, None),
            Err(e) => (
                PageParams::default(),
                Some(format!("Ignored the link's settings — {e}")),
            ),
        };
        if let Some(anchor) = crate::lessons::Anchor::parse(&fragment) {
            let lab = Lab::new(&params, problem);
            {
                let mut inner = lab.inner.borrow_mut();
                match anchor {
                    Ok(a) => {
                        if let Err(e) = inner.open_lesson(&a.lesson, a.step) {
                            inner.notice = Some(e);
                        }
                    }
                    Err(e) => inner.notice = Some(format!("The lesson link was not opened — {e}")),
                }
            }
            return lab;
        }
        if fragment.trim_start_matches('#').is_empty() {
            let lab = Lab::new(&params, problem);
            lab.inner.borrow_mut().welcome_open =
                welcome.unwrap_or_else(super::welcome::first_visit);
            return lab;
        }
        match LabInner::from_link(&fragment) {
            Ok(inner) => Lab::from_inner(inner),
            Err(e) => Lab::new(
                &params,
                Some(format!(
                    "Started with defaults: the shared run was not opened — {e}"
                )),
            ),
        }
    });
    let probe = use_mut_ref(FrameProbe::default);
    // The address always holds the run: refreshed after every action, seek, pause or tab
    // change, and every two simulated seconds while it plays.
    {
        let inner = lab.inner.borrow();
        let now = inner.timeline.now();
        let lesson_at = inner.lesson.as_ref().map(|l| l.anchor());
        let key = (
            lesson_at,
            inner.timeline.actions().len(),
            inner.playing,
            inner.tab,
            inner.config.protocol,
            if inner.playing {
                now / (2 * quorum_core::time::SECOND)
            } else {
                now
            },
        );
        drop(inner);
        let lab_inner = lab.inner.clone();
        let track = !props.static_address;
        use_effect_with(key, move |_| {
            if track {
                if let Ok(inner) = lab_inner.try_borrow() {
                    // In a lesson the address names the step; otherwise it holds the run.
                    match &inner.lesson {
                        Some(open) => show_fragment(&open.anchor().fragment()),
                        None => show_fragment(&inner.share_link()),
                    }
                }
            }
        });
    }
    let render_start = now_ms();
    // One callback for the page's life: children compare their props to skip a render, and a
    // callback made anew each frame would never compare equal, so every panel would redraw on
    // every frame whether its data changed or not.
    let dispatch: Callback<LabAction> = {
        let d = lab.dispatcher();
        (*use_memo((), move |_| Callback::from(move |a| d.dispatch(a)))).clone()
    };

    // Animation loop: one Tick per frame, cancelled when the App goes away. The reducer runs
    // as the tick is dispatched, so timing the dispatch times the simulation.
    {
        let d = lab.dispatcher();
        let probe = probe.clone();
        use_effect_with((), move |_| {
            let handle = AnimationLoop::start(move |wall_ms| {
                let start = now_ms();
                d.dispatch(LabAction::Tick { wall_ms });
                probe.borrow_mut().simulated(now_ms() - start);
            });
            move || drop(handle)
        });
    }
    // Chores the reducer asked for: done after this render, reported back as actions.
    {
        let inner = lab.inner.clone();
        let dispatch = dispatch.clone();
        let started = use_mut_ref(|| 0u64);
        let checker: SharedCheckHost = use_mut_ref(Default::default);
        let latest = lab.inner.borrow().chores.last().map_or(0, |(id, _)| *id);
        use_effect_with(latest, move |_| {
            chores::start(&inner, &checker, &mut started.borrow_mut(), &dispatch);
        });
    }
    // Entering or leaving presentation mode hides the button that did it: its twin on the
    // other side takes the keyboard focus, so a keyboard user is not sent back to the top.
    {
        let presenting = lab.inner.borrow().presenting;
        let mounted = use_mut_ref(|| false);
        use_effect_with(presenting, move |&presenting| {
            // The effect runs when the page opens and on every change: only a change hides a
            // button.
            if std::mem::replace(&mut *mounted.borrow_mut(), true) {
                hand_over_presenting_focus(presenting);
            }
        });
    }
    // Keyboard shortcuts and auto-pause when the tab is hidden.
    {
        let d = lab.dispatcher();
        use_effect_with((), move |_| {
            let listeners = Listeners::install(d);
            move || drop(listeners)
        });
    }
    // The JavaScript API and the test hook.
    {
        let inner = lab.inner.clone();
        let on_ready = props.on_ready.clone();
        let dispatch = dispatch.clone();
        let probe = probe.clone();
        use_effect_with((), move |_| {
            // For the throttled first-render figure (`performance.getEntriesByName`).
            if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
                let _ = performance.mark("quorum-lab-first-render");
            }
            // The still picture shown while the wasm downloaded (scripts/prerender.mjs) has
            // stood in long enough.
            let document = web_sys::window().and_then(|w| w.document());
            if let Some(preview) = document
                .as_ref()
                .and_then(|d| d.get_element_by_id("preview"))
            {
                preview.remove();
            }
            // That picture is a dump of this page's markup, which keeps attributes but not the
            // values typed fields show: write them down once, as they first are.
            if let Some(fields) = document.and_then(|d| d.query_selector_all("input").ok()) {
                for i in 0..fields.length() {
                    if let Some(field) = fields
                        .item(i)
                        .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
                    {
                        let _ = field.set_attribute("value", &field.value());
                    }
                }
            }
            js_api::install(inner, probe, dispatch.clone());
            if let Some(cb) = on_ready {
                cb.emit(dispatch);
            }
        });
    }
    // Frame-time probe: the tick's simulation plus this render.
    {
        let probe = probe.clone();
        use_effect(move || probe.borrow_mut().drawn(now_ms() - render_start));
    }

    let tables = use_mut_ref(Throttled::<Rc<Vec<NodeView>>>::default);
    let inner = lab.inner.borrow();
    let sim = inner.timeline.sim();
    let view = Rc::new(sim.view_with(ViewOptions { log_tail: 24 }));
    // The panels get only what they show, so Yew skips redrawing those that did not change
    // (timers and leases change every frame; logs, tables and the feed mostly do not).
    // While the run plays they redraw at most every TABLES_REDRAW_MS (see there).
    let steady_nodes = tables
        .borrow_mut()
        .show(now_ms(), inner.playing, TABLES_REDRAW_MS, || {
            Rc::new(
                view.nodes
                    .iter()
                    .map(|n| NodeView {
                        timers: Vec::new(),
                        reads: None,
                        ..n.clone()
                    })
                    .collect(),
            )
        });
    let leader = sim.leader();
    // While paused: what changed since the last step, skip or start of play.
    let diff = inner.step_diff(&view).map(Rc::new);
    // The space-time diagram, when shown, laid out from the trace the run keeps meanwhile.
    let spacetime = (inner.diagram_mode == DiagramMode::SpaceTime)
        .then(|| sim.trace())
        .flatten()
        .map(|trace| {
            let filter = inner.message_filter;
            let selection = inner.selection;
            Rc::new(crate::spacetime::SpaceTime::build(
                trace,
                sim.now(),
                (
                    view.nodes.len(),
                    view.clients.len(),
                    view.balancer.is_some(),
                ),
                crate::spacetime::Options {
                    span: inner.spacetime_span,
                    clients: inner.spacetime_clients,
                    selected: match selection {
                        super::state::Selection::Message(id) => Some(id),
                        _ => None,
                    },
                    event: match selection {
                        super::state::Selection::Event(e) => Some(e),
                        _ => None,
                    },
                    // The panel is the window's width on a phone, about two thirds of it on a
                    // desktop; the drawing takes that width (at most 1000 units).
                    width: web_sys::window()
                        .and_then(|w| w.inner_width().ok())
                        .and_then(|w| w.as_f64())
                        .map_or(1000.0, |w| if w <= 1000.0 { w - 40.0 } else { w * 0.66 }),
                },
                |m| super::diagram::shown(m, filter, selection),
            ))
        });
    let origins = match inner.selection {
        super::state::Selection::Node(id) => sim.server(id).map(|s| {
            Rc::new(
                quorum_cluster::provenance::TrackedField::ALL
                    .iter()
                    .filter_map(|f| s.provenance.origin(*f).map(|o| (*f, o)))
                    .collect::<Vec<_>>(),
            )
        }),
        _ => None,
    };
    let ran = match inner.selection {
        super::state::Selection::Message(id) => view
            .messages
            .iter()
            .find(|m| m.id == id)
            .map(|m| crate::pseudocode::lines_ran(&m.why, &m.payload))
            .or_else(|| {
                let trace = sim.trace()?;
                let m = trace.message(id)?;
                Some(crate::pseudocode::lines_ran(
                    &m.envelope.why,
                    &m.envelope.payload,
                ))
            })
            .map(Rc::new),
        super::state::Selection::Event(e) => Some(Rc::new(crate::pseudocode::lines_for_mark(
            &e.mark,
            view.protocol == quorum_cluster::config::ProtocolKind::MultiPaxos,
        ))),
        _ => None,
    };
    // The open lesson step's keywords and highlights, marked on the ring.
    let highlight = Rc::new(
        inner
            .lesson
            .as_ref()
            .map(|l| {
                let step = l.player.step();
                super::lesson::highlighted(&step.caption, &step.highlight)
            })
            .unwrap_or_default(),
    );
    // A selected message that has left the network stays visible on the ring as a trail.
    let departed = match inner.selection {
        super::state::Selection::Message(id) if !view.messages.iter().any(|m| m.id == id) => {
            sim.trace().and_then(|t| t.message(id)).map(|m| {
                Rc::new(super::diagram::Departed {
                    message: quorum_cluster::view::MessageView::of(&m.envelope),
                    end: m.end,
                })
            })
        }
        _ => None,
    };
    // A lane event picked on the space-time diagram: what it was and what made it happen.
    let event = match inner.selection {
        super::state::Selection::Event(e) => sim.trace().map(|t| {
            Rc::new(super::inspector::EventCard {
                what: crate::explain::mark_text(e.server, &e.mark),
                at: e.at,
                cause: crate::explain::mark_cause(t, &e),
                server: e.server,
                message: e.step.and_then(|s| t.step(s)).and_then(|s| match s.kind {
                    quorum_cluster::trace::StepKind::Received { message } => Some(message),
                    _ => None,
                }),
            })
        }),
        _ => None,
    };
    // Only the key whose "why?" is open is traced back (a walk through the log, not for every
    // key on every frame).
    let key_origin = match (inner.selection, &inner.open_key_origin) {
        (super::state::Selection::Node(id), Some(key)) => sim.server(id).and_then(|s| {
            let value = s.node.kv().get(key)?;
            let origin = quorum_cluster::provenance::key_origin(&s.node, key, Some(value));
            Some(Rc::new((key.clone(), origin)))
        }),
        _ => None,
    };
    let journey = match inner.selection {
        super::state::Selection::Message(id) => sim
            .trace()
            .and_then(|t| crate::spacetime::journey(t, id))
            .map(Rc::new),
        _ => None,
    };
    // A lost message's burst stays about 0.6 s of real time on screen, whatever the speed.
    let burst = ((600.0 * inner.speed) as u64 * MS).max(MS);
    let dismiss_notice = {
        let d = dispatch.clone();
        Callback::from(move |_| d.emit(LabAction::Dismiss))
    };
    let branches = inner.branches.iter().enumerate().map(|(i, b)| {
        let d = dispatch.clone();
        let onclick = Callback::from(move |_| d.emit(LabAction::ReturnToBranch(i)));
        let label = format!(
            "⑂ parted at {} · went on to {}",
            quorum_core::time::format_time(b.parted_at),
            quorum_core::time::format_time(b.timeline.horizon())
        );
        html! {
            <button class="btn" data-action="branch-return" data-branch={i.to_string()} {onclick}
                    title="Go back to this run (the one you are on is kept as a branch)">{label}</button>
        }
    });
    let lesson_bar = match &inner.lesson {
        Some(open) => html! {
            <LessonBar open={OpenLessonView::of(open)} presenting={inner.presenting} dispatch={dispatch.clone()} />
        },
        None => Html::default(),
    };
    let background_click = {
        let d = dispatch.clone();
        Callback::from(move |_| d.emit(LabAction::Select(super::state::Selection::None)))
    };
    html! {
        <div class={classes!("app", inner.presenting.then_some("presenting"))}>
            <header class="topbar">
                <h1 class="brand">{"Quorum Lab"}</h1>
                <ProtocolSwitch protocol={view.protocol} dispatch={dispatch.clone()} />
                <Controls playing={inner.playing} speed={inner.speed} now={inner.timeline.now()}
                          horizon={inner.timeline.horizon()} dispatch={dispatch.clone()} />
                <button class="btn" data-action="lessons" aria-haspopup="dialog" onclick={
                    let d = dispatch.clone();
                    Callback::from(move |_| d.emit(LabAction::Lesson(LessonAction::ToggleList)))
                } title="Guided lessons and common misconceptions">{"Lessons"}</button>
            </header>
            // Presenting, the lesson spans the page above the diagram in large type; otherwise
            // it heads the side column, so the diagram keeps its room.
            if inner.presenting {
                { lesson_bar.clone() }
            }
            if !inner.branches.is_empty() {
                <nav class="branches" aria-label="Branches: futures left by acting in the past">
                    <span class="hint">{"Branches"}</span>
                    { for branches }
                </nav>
            }
            if let Some(n) = &inner.notice {
                <div class="notice" role="status">
                    <span>{n.clone()}</span>
                    <button class="btn icon" onclick={dismiss_notice}>{"×"}</button>
                </div>
            }
            <main class="workspace" aria-busy={(!inner.chores.is_empty()).to_string()}>
                <section class="canvas" aria-label="Cluster diagram" onclick={background_click}>
                    if let Some(model) = spacetime {
                        <SpaceTimePanel {model} span={inner.spacetime_span} clients={inner.spacetime_clients}
                                        selection={inner.selection} dispatch={dispatch.clone()} />
                    } else {
                        <Diagram view={view.clone()} selection={inner.selection} {burst} filter={inner.message_filter}
                                 dispatch={dispatch.clone()} {departed} {highlight} />
                    }
                    <div class="message-filter">
                        <div class="filter-row" role="group" aria-label="Diagram view">
                            <span class="hint">{"View:"}</span>
                            { for DiagramMode::ALL.iter().map(|m| pressable(
                                m.label(), ("data-view", m.label()), inner.diagram_mode == *m,
                                &dispatch, LabAction::ShowDiagram(*m))) }
                        </div>
                        <div class="filter-row" role="group" aria-label="Messages shown">
                            <span class="hint">{"Messages:"}</span>
                            { for MessageFilter::ALL.iter().map(|f| pressable(
                                f.label(), ("data-filter", f.label()), inner.message_filter == *f,
                                &dispatch, LabAction::FilterMessages(*f))) }
                        </div>
                    </div>
                    <div class="stats" aria-label="Run statistics">
                        if let Some(d) = &diff {
                            <span class="diff-summary" role="status" data-field="diff" title={d.summary()}>
                                <span aria-hidden="true">{d.counts()}</span>
                                <span class="sr-only">{d.summary()}</span>
                            </span>
                        }
                        {run_statistics(&view)}
                    </div>
                </section>
                if !inner.presenting {
                <aside class="side">
                    { lesson_bar }
                    <Safety violations={Rc::new(view.violations.clone())} protocol={view.protocol}
                            liveness={Rc::new(view.liveness.clone())} liveness_deadline={view.liveness_deadline} />
                    <Inspector view={view.clone()} selection={inner.selection} {journey} {origins} {key_origin} {event} diff={diff.clone()} dispatch={dispatch.clone()} />
                    <Panels {leader} voters={Rc::new(view.voters.clone())} learners={Rc::new(view.learners.clone())}
                            recent={Rc::new(view.recent_history.clone())} clients={Rc::new(view.clients.clone())}
                            balancer={view.balancer.clone().map(Rc::new)} workload={sim.workload().clone()}
                            config={sim.config().clone()} workload_running={sim.workload_running()}
                            pause_on_violation={inner.pause_on_violation} comparison={inner.comparison.clone()}
                            message_faults={Rc::new(view.message_faults.clone())}
                            tab={inner.tab} dispatch={dispatch.clone()} />
                </aside>
                }
                <div class="bottom">
                    <LogMatrix nodes={steady_nodes.clone()} diff={diff.clone()} />
                    <KvTables nodes={steady_nodes} diff={diff.clone()} />
                    <Insights feed={Rc::new(view.feed.clone())} metrics={Rc::new(view.metrics.clone())}
                              stats={Rc::new(view.stats.clone())}
                              check={inner.check.clone()} auto_check={inner.auto_check}
                              protocol={view.protocol} {ran} dispatch={dispatch.clone()} />
                </div>
            </main>
            if inner.presenting {
                <footer class="keys-strip" aria-label="Keys">
                    { for PRESENTER_KEYS.iter().map(|(k, what)| html! {
                        <span><kbd>{*k}</kbd>{" "}{*what}</span>
                    }) }
                    <button class="btn" data-action="present" onclick={
                        let d = dispatch.clone();
                        Callback::from(move |_| d.emit(LabAction::TogglePresenting))
                    }>{"Leave presentation (p)"}</button>
                </footer>
            }
            <footer class="footer">
                {format!("Quorum Lab v{}", crate::VERSION)}
                <span class="footer-sep">{"·"}</span>
                {"Raft and Multi-Paxos, simulated deterministically in this tab — works offline"}
            </footer>
            // Screen readers hear leader changes, crashes and broken checks as they happen.
            <div class="sr-only" aria-live="polite" data-field="announcement">{announcement(&view)}</div>
            if inner.welcome_open && !inner.help_open {
                <Welcome dispatch={dispatch.clone()} />
            }
            if inner.help_open {
                <Help dispatch={dispatch.clone()} />
            }
            if inner.lessons_open {
                <LessonList progress={inner.lesson_progress.clone()} dispatch={dispatch.clone()} />
            }
        </div>
    }
}

/// Moves the focus from the presentation button just hidden to the one shown: `Leave
/// presentation` in the keys strip while presenting, `Present` in the top bar after. Focus
/// elsewhere (a key pressed on another control) stays where it is, and the page does not scroll
/// to the button (on a phone the keys strip ends a long page).
fn hand_over_presenting_focus(presenting: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // The button hidden may still hold the focus, or the focus may have fallen to the page.
    let lost = match document.active_element() {
        None => true,
        Some(active) => {
            document.body().is_some_and(|body| *body == active)
                || active.get_attribute("data-action").as_deref() == Some("present")
        }
    };
    let shown = if presenting {
        ".keys-strip button[data-action=present]"
    } else {
        ".controls button[data-action=present]"
    };
    if let Some(button) = lost
        .then(|| document.query_selector(shown).ok().flatten())
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = button.focus_with_options(&options);
    }
}

/// A small toggle button of a group (one of them pressed) that sends `action`; `data` names it
/// for scripts and tests.
fn pressable(
    label: &'static str,
    data: (&'static str, &'static str),
    pressed: bool,
    dispatch: &Callback<LabAction>,
    action: LabAction,
) -> Html {
    let d = dispatch.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        d.emit(action.clone())
    });
    let mut button = html! {
        <button class={classes!("btn", "small", pressed.then_some("active"))}
                aria-pressed={pressed.to_string()} {onclick}>{label}</button>
    };
    if let Html::VTag(tag) = &mut button {
        Rc::make_mut(tag).add_attribute(data.0, data.1);
    }
    button
}

/// A requestAnimationFrame loop that stops when dropped.
struct AnimationLoop {
    state: Rc<std::cell::RefCell<LoopState>>,
}

struct LoopState {
    running: bool,
    frame_id: Option<i32>,
    last: Option<f64>,
    callback: Option<Closure<dyn FnMut(f64)>>,
}

impl AnimationLoop {
    fn start(mut on_frame: impl FnMut(f64) + 'static) -> Self {
        let state = Rc::new(std::cell::RefCell::new(LoopState {
            running: true,
            frame_id: None,
            last: None,
            callback: None,
        }));
        let weak = Rc::downgrade(&state);
        let closure = Closure::<dyn FnMut(f64)>::new(move |timestamp: f64| {
            let Some(state) = weak.upgrade() else { return };
            let wall_ms = {
                let mut s = state.borrow_mut();
                if !s.running {
                    return;
                }
                let dt = s.last.map_or(0.0, |l| timestamp - l);
                s.last = Some(timestamp);
                dt
            };
            on_frame(wall_ms);
            let s = &mut *state.borrow_mut();
            if s.running {
                s.frame_id = s.callback.as_ref().and_then(|cb| {
                    web_sys::window()?
                        .request_animation_frame(cb.as_ref().unchecked_ref())
                        .ok()
                });
            }
        });
        {
            let s = &mut *state.borrow_mut();
            s.frame_id = web_sys::window().and_then(|w| {
                w.request_animation_frame(closure.as_ref().unchecked_ref())
                    .ok()
            });
            s.callback = Some(closure);
        }
        AnimationLoop { state }
    }
}

impl Drop for AnimationLoop {
    fn drop(&mut self) {
        let mut s = self.state.borrow_mut();
        s.running = false;
        if let (Some(id), Some(w)) = (s.frame_id, web_sys::window()) {
            let _ = w.cancel_animation_frame(id);
        }
    }
}

/// Document listeners for the keyboard and tab visibility, removed when dropped.
struct Listeners {
    keydown: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
    visibility: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listeners {
    fn install(d: UseReducerDispatcher<Lab>) -> Self {
        let keys = d.clone();
        let keydown =
            Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                // Typing in a form field is not a shortcut.
                let in_field = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
                    .unwrap_or(false);
                // A widget that used the key (the diagram's arrow keys) already said so.
                if in_field || e.ctrl_key() || e.meta_key() || e.default_prevented() {
                    return;
                }
                if let Some(action) = shortcut(&e.key()) {
                    e.prevent_default();
                    keys.dispatch(action);
                }
            });
        let vis = d;
        let visibility = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .map(|doc| doc.hidden())
                .unwrap_or(false);
            vis.dispatch(LabAction::Visibility { hidden });
        });
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ =
                doc.add_event_listener_with_callback("keydown", keydown.as_ref().unchecked_ref());
            let _ = doc.add_event_listener_with_callback(
                "visibilitychange",
                visibility.as_ref().unchecked_ref(),
            );
        }
        Listeners {
            keydown,
            visibility,
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.remove_event_listener_with_callback(
                "keydown",
                self.keydown.as_ref().unchecked_ref(),
            );
            let _ = doc.remove_event_listener_with_callback(
                "visibilitychange",
                self.visibility.as_ref().unchecked_ref(),
            );
        }
    }
}

/// The action a key stands for (see the help overlay).
pub fn shortcut(key: &str) -> Option<LabAction> {
    Some(match key {
        " " | "." => LabAction::TogglePlay,
        "s" => LabAction::Step,
        "c" => LabAction::Client {
            op: KvOp::Put {
                key: "x".into(),
                value: (now_ms() as i64).rem_euclid(90) + 10,
            },
            server: None,
            read: Default::default(),
        },
        "r" => LabAction::RestartLeader,
        "t" => LabAction::Sim(Action::SpreadTimers),
        "a" => LabAction::Sim(Action::AlignTimers),
        "ArrowLeft" => LabAction::ScrubBy(-1),
        "ArrowRight" => LabAction::ScrubBy(1),
        "?" => LabAction::ToggleHelp,
        "Escape" => LabAction::Dismiss,
        "p" => LabAction::TogglePresenting,
        "PageDown" => LabAction::Lesson(LessonAction::Next),
        "PageUp" => LabAction::Lesson(LessonAction::Back),
        _ => return None,
    })
}
