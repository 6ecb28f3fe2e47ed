//! The bottom-right panel: the event feed, live metrics (throughput and latency over time) and
//! the linearizability verdict on the current history, with a per-key timeline of the operations
//! around the first one that cannot be placed, faults marked on the same time axis.

use std::rc::Rc;

use yew::prelude::*;

use super::feed::Feed;
use super::state::LabAction;
use quorum_cluster::check::linearizability::{DiagnosisWindow, LinearizabilityReport, Verdict};
use quorum_cluster::engine::{FeedEntry, Stats};
use quorum_cluster::metrics::MetricPoint;
use quorum_cluster::NodeId;
use quorum_core::actor::FeedEvent;
use quorum_core::time::{format_time, Time};
use quorum_traffic::client::{HistoryOp, OpKind, Status};

/// Where a check ran, said on the page: a check on the main thread holds up the animation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckPlace {
    /// In a Web Worker, beside the page.
    Worker,
    /// On the page's thread (no worker could start here).
    MainThread,
}

impl CheckPlace {
    /// How the page names it.
    pub fn label(self) -> &'static str {
        match self {
            CheckPlace::Worker => "checked in the background",
            CheckPlace::MainThread => "checked on the page's thread (no background worker here)",
        }
    }
}

/// A linearizability check of the history at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// When it was run (virtual time).
    pub at: Time,
    /// How many completed operations it covers.
    pub len: usize,
    /// The run's digest of those operations: the verdict holds for a run whose history starts
    /// with them.
    pub digest: u64,
    /// Where it ran: in the background, or on the page's own thread.
    pub place: CheckPlace,
    /// The verdict and diagnosis.
    pub report: LinearizabilityReport,
    /// The history the report's indexes refer to: the whole history when it failed (for the
    /// diagnosis), empty when every key fit (nothing to point at, and an hour of history is
    /// tens of megabytes).
    pub history: Rc<Vec<HistoryOp>>,
}

/// Properties of [`Insights`].
#[derive(Properties, PartialEq)]
pub struct InsightsProps {
    /// Feed lines.
    pub feed: Rc<Vec<FeedEntry>>,
    /// Metric buckets.
    pub metrics: Rc<Vec<MetricPoint>>,
    /// Run totals (per-server load, losses, shed arrivals).
    pub stats: Rc<Stats>,
    /// The latest check, if any.
    pub check: Option<Rc<CheckResult>>,
    /// Whether the history is re-checked every two simulated seconds.
    pub auto_check: bool,
    /// The protocol, whose pseudocode the Pseudocode tab shows.
    pub protocol: quorum_cluster::config::ProtocolKind,
    /// The lines the selected message's sending ran, if a message is selected.
    #[prop_or_default]
    pub ran: Option<Rc<Vec<crate::pseudocode::Ran>>>,
    /// Where actions go.
    pub dispatch: Callback<LabAction>,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Events,
    Metrics,
    Linearizability,
    Pseudocode,
}

/// Events, metrics and linearizability, one at a time.
#[component]
pub fn Insights(props: &InsightsProps) -> Html {
    let tab = use_state(|| Tab::Events);
    let header = [
        (Tab::Events, "Events", "events"),
        (Tab::Metrics, "Metrics", "metrics"),
        (Tab::Linearizability, "Linearizability", "linearizability"),
        (Tab::Pseudocode, "Pseudocode", "pseudocode"),
    ]
    .into_iter()
    .map(|(t, label, id)| {
        let setter = tab.clone();
        let onclick = Callback::from(move |_| setter.set(t));
        html! {
            <button class={classes!("tab", (*tab == t).then_some("active"))} data-tab={id} {onclick}>{label}</button>
        }
    });
    let body = match *tab {
        Tab::Events => {
            html! { <Feed feed={props.feed.clone()} dispatch={props.dispatch.clone()} /> }
        }
        Tab::Metrics => {
            html! { <>{ metrics(&props.metrics) }{ load_table(&props.stats) }{ comparison(&props.metrics) }</> }
        }
        Tab::Linearizability => linearizability(props),
        Tab::Pseudocode => pseudocode(props),
    };
    html! {
        <section class="panel insights" aria-label="Events, metrics and linearizability">
            <div class="tabs">{ for header }</div>
            <div class="insight-body">{body}</div>
        </section>
    }
}

/// The protocol's pseudocode; with a message selected, the lines its sending ran are marked
/// (▶) with the values their guards saw, and their blocks open.
fn pseudocode(props: &InsightsProps) -> Html {
    use crate::pseudocode::{PAXOS, RAFT};
    use quorum_cluster::config::ProtocolKind;
    let blocks = match props.protocol {
        ProtocolKind::Raft => RAFT,
        ProtocolKind::MultiPaxos => PAXOS,
    };
    let ran = props.ran.as_deref().map(Vec::as_slice).unwrap_or(&[]);
    let hint = if ran.is_empty() {
        "Select a message (in the ring or the space-time view) or an election on a space-time lane: the lines it ran are marked ▶, with the values they saw."
    } else {
        "▶ marks the lines the selection ran, with the values they saw."
    };
    html! {
        <div class="pseudocode" data-protocol={props.protocol.label()}>
            <p class="hint">{hint}</p>
            { for blocks.iter().map(|b| {
                let touched = ran.iter().any(|r| r.block == b.id);
                html! {
                    <details class={classes!("pc-block", touched.then_some("touched"))} open={touched} data-block={b.id}>
                        <summary><strong>{b.title}</strong>{" "}<span class="hint">{b.source}</span></summary>
                        <ol class="pc-lines">
                            { for b.lines.iter().map(|l| {
                                let hit = ran.iter().find(|r| r.block == b.id && r.line == l.id);
                                html! {
                                    <li class={classes!(hit.is_some().then_some("ran"))} data-line={l.id}>
                                        <span class="pc-mark" aria-hidden="true">{ if hit.is_some() { "▶" } else { "" } }</span>
                                        if hit.is_some() { <span class="sr-only">{"ran: "}</span> }
                                        {l.text}
                                        if let Some(saw) = hit.and_then(|h| h.saw.clone()) {
                                            <span class="pc-saw">{format!(" ⟵ {saw}")}</span>
                                        }
                                    </li>
                                }
                            }) }
                        </ol>
                    </details>
                }
            }) }
        </div>
    }
}

/// A polyline through `values` scaled into a `w`×`h` box (max at the top).
fn polyline(values: &[f64], w: f64, h: f64, max: f64, class: &str) -> Html {
    let n = values.len().max(2) as f64 - 1.0;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * w / n,
                h - (v / max.max(1e-9)).min(1.0) * h
            )
        })
        .collect();
    html! { <polyline class={class.to_string()} points={points.join(" ")} /> }
}

fn metrics(points: &[MetricPoint]) -> Html {
    if points.is_empty() {
        return html! { <p class="hint">{"Metrics appear after the first quarter second of load."}</p> };
    }
    let throughput: Vec<f64> = points.iter().map(|p| p.throughput()).collect();
    let p50: Vec<f64> = points.iter().map(|p| p.p50).collect();
    let p95: Vec<f64> = points.iter().map(|p| p.p95).collect();
    let p99: Vec<f64> = points.iter().map(|p| p.p99).collect();
    let max_tp = throughput.iter().copied().fold(1.0, f64::max);
    let max_lat = p99.iter().copied().fold(1.0, f64::max);
    let recent = &points[points.len().saturating_sub(8)..];
    let ops: u32 = recent.iter().map(|p| p.ok + p.fail).sum();
    let info: u32 = points.iter().map(|p| p.info).sum();
    let messages: u64 = recent.iter().map(|p| p.messages).sum();
    let last = points.last().cloned().unwrap_or_default();
    let (w, h) = (300.0, 60.0);
    html! {
        <div class="metrics" data-metrics="on">
            <div class="readout">
                <span>{format!("{:.0} ops/s", ops as f64 / (recent.len() as f64 * 0.25))}</span>
                <span>{format!("p50 {:.0} ms · p95 {:.0} ms · p99 {:.0} ms", last.p50, last.p95, last.p99)}</span>
                <span>{format!("{:.1} msgs/op", messages as f64 / ops.max(1) as f64)}</span>
                <span>{format!("{info} given up")}</span>
            </div>
            <svg class="chart" viewBox={format!("0 0 {w} {h}")} preserveAspectRatio="none" aria-label="throughput">
                { polyline(&throughput, w, h, max_tp, "tp") }
            </svg>
            <p class="chart-label">{format!("throughput, up to {max_tp:.0} ops/s (last {} s)", points.len() / 4)}</p>
            <svg class="chart" viewBox={format!("0 0 {w} {h}")} preserveAspectRatio="none" aria-label="latency">
                { polyline(&p99, w, h, max_lat, "p99") }
                { polyline(&p95, w, h, max_lat, "p95") }
                { polyline(&p50, w, h, max_lat, "p50") }
            </svg>
            <p class="chart-label">{format!("latency p50 / p95 / p99, up to {max_lat:.0} ms")}</p>
        </div>
    }
}

/// Per-server load and what got lost.
fn load_table(stats: &Stats) -> Html {
    let mut ids: Vec<NodeId> = stats
        .served
        .keys()
        .chain(stats.forwarded.keys())
        .chain(stats.redirected.keys())
        .copied()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let get = |m: &quorum_core::small_map::SmallMap<NodeId, u64>, id: NodeId| {
        m.get(&id).copied().unwrap_or(0)
    };
    html! {
        <>
            <p class="chart-label">{format!("{} messages lost · {} arrivals shed (open loop)", stats.messages_lost, stats.shed)}</p>
            <table class="mini load-table">
                <tr><th>{"server"}</th><th>{"served"}</th><th>{"forwarded"}</th><th>{"redirected"}</th></tr>
                { for ids.iter().map(|&id| html! {
                    <tr><td>{format!("S{id}")}</td><td>{get(&stats.served, id)}</td>
                        <td>{get(&stats.forwarded, id)}</td><td>{get(&stats.redirected, id)}</td></tr>
                }) }
            </table>
        </>
    }
}

/// Throughput, tail latency and messages per operation for each balancer strategy used.
fn comparison(points: &[MetricPoint]) -> Html {
    let mut rows: Vec<(String, usize, u32, f64, u64)> = Vec::new();
    for p in points.iter().filter(|p| p.ok + p.fail > 0) {
        let name = p.strategy.clone().unwrap_or_else(|| "direct".into());
        match rows.iter_mut().find(|r| r.0 == name) {
            Some(r) => {
                r.1 += 1;
                r.2 += p.ok + p.fail;
                r.3 += p.p95;
                r.4 += p.messages;
            }
            None => rows.push((name, 1, p.ok + p.fail, p.p95, p.messages)),
        }
    }
    if rows.len() < 2 {
        return html! { <p class="hint">{"Switch the balancer's strategy to compare strategies here."}</p> };
    }
    html! {
        <table class="mini comparison">
            <tr><th>{"strategy"}</th><th>{"ops/s"}</th><th>{"p95 ms"}</th><th>{"msgs/op"}</th></tr>
            { for rows.iter().map(|(name, buckets, ops, p95, msgs)| html! {
                <tr>
                    <td>{name.clone()}</td>
                    <td>{format!("{:.0}", *ops as f64 / (*buckets as f64 * 0.25))}</td>
                    <td>{format!("{:.0}", p95 / *buckets as f64)}</td>
                    <td>{format!("{:.1}", *msgs as f64 / (*ops).max(1) as f64)}</td>
                </tr>
            }) }
        </table>
    }
}

fn short(op: &HistoryOp) -> String {
    match op.op {
        OpKind::Read => format!(
            "r {}",
            op.result.flatten().map_or("∅".into(), |v| v.to_string())
        ),
        OpKind::Write => format!("w {}", op.value.unwrap_or_default()),
        OpKind::Delete => "del".into(),
        OpKind::Cas => format!(
            "cas {}→{}",
            op.from.unwrap_or_default(),
            op.to.unwrap_or_default()
        ),
    }
}

fn linearizability(props: &InsightsProps) -> Html {
    let d = props.dispatch.clone();
    let check_now = Callback::from(move |_| d.emit(LabAction::CheckLinearizability));
    let d = props.dispatch.clone();
    let auto = Callback::from(move |e: Event| {
        let on = e
            .target_dyn_into::<web_sys::HtmlInputElement>()
            .is_some_and(|i| i.checked());
        d.emit(LabAction::SetAutoCheck(on));
    });
    let verdict = match &props.check {
        None => html! { <p class="hint">{"Not checked yet."}</p> },
        Some(c) => {
            let class = match c.report.verdict {
                Verdict::Linearizable => "ok",
                Verdict::NotLinearizable => "bad",
                Verdict::Unknown => "unknown",
            };
            html! {
                <>
                    <p class={classes!("lin-verdict", class)} data-verdict={class}>
                        {format!("At {}: {}", format_time(c.at), c.report.explain(&c.history))}
                    </p>
                    <p class="hint" data-check-place={format!("{:?}", c.place)}>
                        {format!("{} operations, {}.", c.len, c.place.label())}
                    </p>
                    { timeline(c, &props.feed) }
                </>
            }
        }
    };
    html! {
        <div class="linearizability">
            <div class="button-row">
                <button class="btn primary" data-action="check" onclick={check_now}>{"Check history now"}</button>
                <label class="field check">
                    <input type="checkbox" checked={props.auto_check} onchange={auto} />
                    <span>{"every 2 simulated s"}</span>
                </label>
            </div>
            {verdict}
        </div>
    }
}

/// The failing key's operations around the first one that cannot be placed: one lane per client,
/// a bar from call to return, placed operations green, the culprit red, faults as dashed lines.
fn timeline(check: &CheckResult, feed: &[FeedEntry]) -> Html {
    let Some(window) = check.report.diagnosis_window(&check.history) else {
        return html! {};
    };
    let DiagnosisWindow {
        key,
        culprit,
        operations: shown,
        start,
        end,
        clients: lanes,
    } = window;
    let history = &check.history;
    let (w, lane_h) = (320.0, 16.0);
    let h = lanes.len() as f64 * lane_h + 14.0;
    let x = |t: Time| (t.saturating_sub(start)) as f64 / (end - start).max(1) as f64 * w;
    let bars = shown.iter().map(|&i| {
        let op = &history[i];
        let lane = lanes.iter().position(|&c| c == op.client).unwrap_or(0) as f64;
        let x0 = x(op.call);
        let x1 = op.ret.map_or(w, x).max(x0 + 2.0);
        let class = if i == culprit {
            "culprit"
        } else if key.linearized.contains(&i) {
            "placed"
        } else if op.status == Status::Info {
            "unknown"
        } else {
            "other"
        };
        html! {
            <g class={classes!("op", class)}>
                <title>{format!("client {}: {} called {}, {}", op.client, short(op),
                    format_time(op.call), op.ret.map_or("no answer (info)".to_string(), |r| format!("returned {}", format_time(r))))}</title>
                <rect x={format!("{x0:.1}")} y={format!("{:.1}", lane * lane_h + 2.0)}
                      width={format!("{:.1}", x1 - x0)} height={format!("{:.1}", lane_h - 4.0)} rx="2" />
                <text x={format!("{:.1}", x0 + 2.0)} y={format!("{:.1}", lane * lane_h + lane_h - 5.0)}>{short(op)}</text>
            </g>
        }
    });
    let faults = feed
        .iter()
        .filter(|f| f.at >= start && f.at <= end)
        .filter(|f| matches!(f.event, FeedEvent::Fault | FeedEvent::LeaderElected))
        .map(|f| {
            let fx = x(f.at);
            html! {
                <g class="fault">
                    <title>{format!("{}: {}", format_time(f.at), f.text)}</title>
                    <line x1={format!("{fx:.1}")} x2={format!("{fx:.1}")} y1="0" y2={format!("{h:.0}")} />
                </g>
            }
        });
    html! {
        <div class="lin-timeline">
            <p class="hint">{format!("Key {} — green: placed in order; red: cannot be placed; dashed lines: faults", key.key)}</p>
            <svg viewBox={format!("0 0 {w} {h}")} class="timeline" data-key={key.key.clone()}>
                { for bars }
                { for faults }
            </svg>
        </div>
    }
}
