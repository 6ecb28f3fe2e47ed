//! The space-time diagram panel: draws what [`crate::spacetime`] lays out, with its tools —
//! zoom, the balancer's and clients' lanes, export as SVG. Clicking an arrow selects the message
//! everywhere (inspector, ring); with one selected, its causal past and future stand out and
//! the rest fades. One tab stop; the arrow keys walk the messages in the order sent.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::state::{Export, LabAction, Selection};
use crate::spacetime::{
    band_label, Arrow, Glyph, Relation, SpaceTime, AXIS_HEIGHT, LANE_HEIGHT, PLOT_LEFT, SPANS,
};
use quorum_cluster::trace::Fate;
use quorum_core::time::Time;
use quorum_service::Role;

/// Properties of [`SpaceTimePanel`].
#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    /// The layout to draw.
    pub model: Rc<SpaceTime>,
    /// The span shown.
    pub span: Time,
    /// The balancer's and clients' lanes are drawn.
    pub clients: bool,
    /// What the inspector shows.
    pub selection: Selection,
    /// Sends the user's choices.
    pub dispatch: Callback<LabAction>,
}

/// The diagram's own style, inside the SVG so an exported file looks the same on its own
/// (the page's colours apply when they are defined, these otherwise).
const STYLE: &str = "
.st-axis text, .st-lane-label, .st-band-label { font: 14px system-ui, sans-serif; fill: var(--muted, #5b6778); }
.st-lane-label { font-size: 16px; font-weight: 600; fill: var(--text, #1b2330); }
.st-band-label { fill: var(--text, #1b2330); }
.st-lane { stroke: var(--border, #d5dbe3); stroke-width: 1; }
.st-tick { stroke: var(--border, #d5dbe3); stroke-dasharray: 2 4; }
.st-now { stroke: var(--accent, #2f6fde); stroke-width: 2; }
.st-band-fill.leader { opacity: 0.75; }
.st-band-fill.candidate { opacity: 0.35; }
.st-band-fill.down { fill: url(#st-hatch); }
.st-band-fill.paused { fill: url(#st-stripes); }
.st-band-fill.plain { fill: none; }
.st-cut { fill: none; stroke: #b2182b; stroke-width: 2; stroke-dasharray: 6 4; }
.st-arrow .shaft { stroke-width: 1.6; fill: none; }
.st-arrow.reply .shaft { stroke-dasharray: 4 3; }
.st-arrow .hit { stroke: transparent; stroke-width: 9; cursor: pointer; }
.st-arrow.selected .shaft { stroke-width: 3.5; }
.st-arrow .halo { stroke: none; }
.st-arrow.selected .halo { stroke: var(--accent, #2f6fde); stroke-width: 10; stroke-opacity: 0.35; stroke-linecap: round; }
.st-band-label, .st-lane-label { paint-order: stroke; stroke: var(--surface, #ffffff); stroke-width: 4px; stroke-linejoin: round; }
.st-arrow.past .shaft, .st-arrow.future .shaft { stroke-width: 2.4; }
.st-arrow.unrelated { opacity: 0.18; }
.st-arrow.kbd-focus .shaft { stroke-width: 3.5; }
.st-lost { stroke: #b2182b; stroke-width: 2; }
.st-glyph { cursor: pointer; }
.st-glyph circle { fill: var(--surface, #ffffff); stroke: var(--text, #1b2330); stroke-width: 1.5; }
.st-glyph text { font: 600 12px system-ui, sans-serif; fill: var(--text, #1b2330); }
.st-glyph.selected circle { stroke: var(--accent, #2f6fde); stroke-width: 3.5; }
.st-glyph.unrelated { opacity: 0.3; }
.st-glyph.kbd-focus circle { stroke-width: 3.5; }

";

/// The panel.
#[component]
pub fn SpaceTimePanel(props: &SpaceTimeProps) -> Html {
    let m = &props.model;
    // The keyboard walks messages and lane events in the order they happened.
    let mut walk: Vec<(f64, Selection, String)> = m
        .arrows
        .iter()
        .map(|a| (a.from.0, Selection::Message(a.id), format!("st-m{}", a.id)))
        .chain(
            m.glyphs
                .iter()
                .enumerate()
                .map(|(i, g)| (g.at.0, Selection::Event(g.mark), glyph_id(i))),
        )
        .collect();
    walk.sort_by(|a, b| a.0.total_cmp(&b.0));
    let position = walk.iter().position(|(_, s, _)| *s == props.selection);
    let onkeydown = {
        let (dispatch, items) = (
            props.dispatch.clone(),
            walk.iter().map(|(_, s, _)| *s).collect::<Vec<_>>(),
        );
        Callback::from(move |e: KeyboardEvent| {
            if items.is_empty() {
                return;
            }
            let last = items.len() - 1;
            let next = match (e.key().as_str(), position) {
                ("ArrowRight" | "ArrowDown", Some(p)) => (p + 1).min(last),
                ("ArrowLeft" | "ArrowUp", Some(p)) => p.saturating_sub(1),
                ("ArrowRight" | "ArrowDown" | "End", None) | ("End", _) => last,
                ("ArrowLeft" | "ArrowUp" | "Home", None) | ("Home", _) => 0,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            dispatch.emit(LabAction::Select(items[next]));
        })
    };
    let zoom = |towards: isize| {
        let i = SPANS.iter().position(|s| *s == props.span).unwrap_or(2) as isize;
        let j = (i + towards).clamp(0, SPANS.len() as isize - 1) as usize;
        let (d, span) = (props.dispatch.clone(), SPANS[j]);
        let enabled = j as isize != i;
        (
            enabled,
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                d.emit(LabAction::SetSpaceTimeSpan(span));
            }),
        )
    };
    let (can_in, zoom_in) = zoom(-1);
    let (can_out, zoom_out) = zoom(1);
    let clients = {
        let d = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let on = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .is_some_and(|i| i.checked());
            d.emit(LabAction::SetSpaceTimeClients(on));
        })
    };
    let export = {
        let d = props.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            d.emit(LabAction::Download(Export::SpaceTime));
        })
    };
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    let active = position.map(|p| walk[p].2.clone()).unwrap_or_default();
    html! {
        <div class="spacetime-panel" onclick={stop}>
            <div class="spacetime-tools" role="group" aria-label="Space-time diagram tools">
                <button class="btn small" data-action="zoom-in" disabled={!can_in} onclick={zoom_in}
                        aria-label="Zoom in: span less time">{"−"}</button>
                <span class="hint" data-field="span">{format!("{} shown", quorum_core::time::format_time(props.span))}</span>
                <button class="btn small" data-action="zoom-out" disabled={!can_out} onclick={zoom_out}
                        aria-label="Zoom out: span more time">{"+"}</button>
                <label class="field check">
                    <input type="checkbox" data-field="spacetime-clients" checked={props.clients} onchange={clients} />
                    <span>{"balancer and clients"}</span>
                </label>
                <button class="btn small" data-action="export-spacetime" onclick={export}>{"Export SVG"}</button>
            </div>
            <svg class="spacetime" xmlns="http://www.w3.org/2000/svg"
                 viewBox={format!("0 0 {:.0} {:.0}", m.width, m.height)} role="listbox" tabindex="0"
                 aria-label={format!("Space-time diagram from {} to {}: a lane per server, time running right, each message an arrow from sender to receiver. Arrow keys move between messages and server events in time order.",
                     quorum_core::time::format_time(m.start), quorum_core::time::format_time(m.now))}
                 aria-activedescendant={active} {onkeydown}>
                <style>{STYLE}</style>
                <defs>
                    <pattern id="st-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="6" height="6" fill="#d9dee6" />
                        <line x1="0" y1="0" x2="0" y2="6" stroke="#8a94a3" stroke-width="2" />
                    </pattern>
                    <pattern id="st-stripes" width="8" height="8" patternUnits="userSpaceOnUse">
                        <rect width="8" height="8" fill="#fff4d6" />
                        <line x1="0" y1="4" x2="8" y2="4" stroke="#d6a43a" stroke-width="2" />
                    </pattern>
                </defs>
                <g class="st-axis">
                    { for m.ticks.iter().map(|t| html! {
                        <g>
                            <line class="st-tick" x1={f(t.x)} x2={f(t.x)} y1={f(AXIS_HEIGHT - 6.0)} y2={f(m.height - 8.0)} />
                            <text x={f(t.x)} y="14" text-anchor="middle">{t.label.clone()}</text>
                        </g>
                    }) }
                </g>
                <g class="st-bands">{ for m.bands.iter().filter_map(|b| band(m, b)) }</g>
                <g class="st-lanes">
                    { for m.lanes.iter().map(|l| html! {
                        <g>
                            <line class="st-lane" x1={f(PLOT_LEFT)} x2={f(m.plot_right)} y1={f(l.y)} y2={f(l.y)} />
                            <text class="st-lane-label" x={f(PLOT_LEFT - 10.0)} y={f(l.y + 4.0)} text-anchor="end">{l.label.clone()}</text>
                        </g>
                    }) }
                </g>
                <g class="st-arrows">{ for m.arrows.iter().map(|a| arrow(a, props)) }</g>
                <g class="st-glyphs">{ for m.glyphs.iter().enumerate().map(|(i, g)| glyph(i, g, props)) }</g>
                <line class="st-now" x1={f(m.plot_right)} x2={f(m.plot_right)} y1={f(AXIS_HEIGHT - 8.0)} y2={f(m.height - 6.0)}>
                    <title>{"The instant shown (the time slider's)"}</title>
                </line>
            </svg>
            <p class="hint spacetime-key">
                {"Solid: requests · dashed: replies · ✕: lost · shaded: a leader's term · hatched: crashed · striped: paused · dashed frame: cut off (✂). Select a message: its causal past and future stay bright."}
            </p>
        </div>
    }
}

fn f(v: f64) -> String {
    format!("{v:.1}")
}

fn band(m: &SpaceTime, b: &crate::spacetime::Band) -> Option<Html> {
    let label = band_label(&b.state)?;
    let class = if b.state.down {
        "down"
    } else if b.state.paused {
        "paused"
    } else if b.state.role == Role::Leader {
        "leader"
    } else if b.state.role == Role::Candidate {
        "candidate"
    } else {
        "plain"
    };
    let cut = b.state.cut_off != 0;
    let y = m.lanes.get(b.lane)?.y;
    let fill = crate::layout::term_color(b.state.term);
    let height = LANE_HEIGHT * 0.62;
    Some(html! {
        <g class={classes!("st-band", class)} data-band={class}>
            if class != "plain" {
                <rect class={classes!("st-band-fill", class)} x={f(b.x0)} y={f(y - height / 2.0)} width={f(b.x1 - b.x0)}
                      height={f(height)} rx="4" fill={fill} />
            }
            if cut {
                <rect class="st-cut" data-cut="true" x={f(b.x0)} y={f(y - height / 2.0 - 3.0)} width={f(b.x1 - b.x0)}
                      height={f(height + 6.0)} rx="4" />
            }
            if b.x1 - b.x0 > 70.0 {
                <text class="st-band-label" x={f(b.x0 + 4.0)} y={f(y - height / 2.0 - 2.0)}>{label.clone()}</text>
            }
            <title>{label}</title>
        </g>
    })
}

/// The class an arrow or a lane event takes from its place in the selection's causal order.
fn relation_class(relation: Relation) -> Option<&'static str> {
    match relation {
        Relation::Plain => None,
        Relation::Selected => Some("selected"),
        Relation::Past => Some("past"),
        Relation::Future => Some("future"),
        Relation::Unrelated => Some("unrelated"),
    }
}

fn arrow(a: &Arrow, props: &SpaceTimeProps) -> Html {
    let id = a.id;
    let dispatch = props.dispatch.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        dispatch.emit(LabAction::Select(Selection::Message(id)));
    });
    let relation = relation_class(a.relation);
    let class = classes!("st-arrow", a.reply.then_some("reply"), relation);
    let (x0, y0) = a.from;
    let (x1, y1) = a.to;
    let head = match a.end {
        Some(Fate::Delivered) => {
            // A small head along the shaft's direction.
            let (dx, dy) = (x1 - x0, y1 - y0);
            let len = (dx * dx + dy * dy).sqrt().max(1e-6);
            let (ux, uy) = (dx / len, dy / len);
            let (bx, by) = (x1 - ux * 7.0, y1 - uy * 7.0);
            let (px, py) = (-uy * 3.5, ux * 3.5);
            html! {
                <polygon points={format!("{},{} {},{} {},{}", f(x1), f(y1), f(bx + px), f(by + py), f(bx - px), f(by - py))}
                         fill={a.color} />
            }
        }
        Some(Fate::Lost { .. }) => html! {
            <path class="st-lost" d={format!("M{},{} l8,8 m0,-8 l-8,8", f(x1 - 4.0), f(y1 - 4.0))} />
        },
        None => html! { <circle cx={f(x1)} cy={f(y1)} r="3" fill="none" stroke={a.color} /> },
    };
    let selected = props.selection == Selection::Message(id);
    let fate = match a.end {
        Some(Fate::Delivered) => "delivered",
        Some(Fate::Lost { .. }) => "lost",
        None => "in-flight",
    };
    html! {
        <g {class} id={format!("st-m{id}")} data-message={id.to_string()} data-kind={a.kind.label()} data-fate={fate}
           role="option" aria-selected={selected.to_string()} aria-label={a.label.clone()} {onclick}>
            <title>{a.label.clone()}</title>
            <line class="hit" x1={f(x0)} y1={f(y0)} x2={f(x1)} y2={f(y1)} />
            <line class="halo" x1={f(x0)} y1={f(y0)} x2={f(x1)} y2={f(y1)} />
            <line class="shaft" x1={f(x0)} y1={f(y0)} x2={f(x1)} y2={f(y1)} stroke={a.color} />
            {head}
        </g>
    }
}

/// A lane event's symbol: a disc with a sign (★ elected, ? candidacy, ↯ crash, ↻ restart,
/// ⏸ pause, ▶ resume, ✂ cut off); clicking it selects the event everywhere.
fn glyph(index: usize, g: &Glyph, props: &SpaceTimeProps) -> Html {
    let target = Selection::Event(g.mark);
    let dispatch = props.dispatch.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        dispatch.emit(LabAction::Select(target));
    });
    let relation = relation_class(g.relation);
    let selected = props.selection == target;
    let (x, y) = g.at;
    html! {
        <g class={classes!("st-glyph", relation)} id={glyph_id(index)} data-event={g.symbol}
           data-server={g.mark.server.to_string()} role="option" aria-selected={selected.to_string()}
           aria-label={g.label.clone()} {onclick}>
            <title>{g.label.clone()}</title>
            <circle cx={f(x)} cy={f(y)} r="9" />
            <text x={f(x)} y={f(y + 4.5)} text-anchor="middle">{g.symbol}</text>
        </g>
    }
}

/// A lane event's element id, for `aria-activedescendant`.
fn glyph_id(index: usize) -> String {
    format!("st-e{index}")
}

/// The diagram on the page as a standalone SVG file's text.
pub fn svg_text() -> Option<String> {
    let svg = web_sys::window()?
        .document()?
        .query_selector("svg.spacetime")
        .ok()??;
    let svg: web_sys::Element = svg.dyn_into().ok()?;
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        svg.outer_html()
    ))
}
