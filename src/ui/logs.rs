//! The replicated-log matrix: one row per server, one column per log index (the latest window),
//! cells coloured by term, committed solid, uncommitted dashed, no-ops marked, and under each
//! follower the leader's matchIndex (●) and nextIndex (▲). Under Multi-Paxos the same matrix shows
//! slots: each cell is what the server's acceptor accepted there, labelled with its ballot,
//! solid once the server knows the value chosen and dashed while it is only accepted.

use std::rc::Rc;

use yew::prelude::*;

use crate::layout::{term_color, term_text_color};
use quorum_cluster::view::NodeView;
use quorum_service::server::Role;

/// Columns shown.
pub const LOG_WINDOW: u64 = 20;

/// Properties of [`LogMatrix`].
#[derive(Properties, PartialEq)]
pub struct LogMatrixProps {
    /// The servers (without their fast-changing timers, so the matrix redraws only when a log,
    /// a commit index or replication progress changes).
    pub nodes: Rc<Vec<NodeView>>,
    /// What changed since the last step, skip or start of play, while paused.
    #[prop_or_default]
    pub diff: Option<Rc<crate::step_diff::StepDiff>>,
}

/// What a cell says: the term (ballot) it was written in, or the command it holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CellText {
    Term,
    Command,
}

/// A command short enough for a cell: `put x=12` shows as `x=12`, the rest as written, cut
/// with … past seven characters (the cell's title has it whole).
fn short_command(label: &str) -> String {
    let text = label.strip_prefix("put ").unwrap_or(label);
    if text.chars().count() <= 7 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(6).collect::<String>())
    }
}

/// The log matrix.
#[component]
pub fn LogMatrix(props: &LogMatrixProps) -> Html {
    let shown = use_state(|| CellText::Term);
    let commands = *shown == CellText::Command;
    let toggle = {
        let shown = shown.clone();
        Callback::from(move |_| {
            shown.set(if *shown == CellText::Term {
                CellText::Command
            } else {
                CellText::Term
            })
        })
    };
    let nodes = &props.nodes;
    let paxos = nodes.iter().any(|n| n.paxos.is_some());
    let last = nodes.iter().map(|n| n.last_index).max().unwrap_or(0);
    let first = last.saturating_sub(LOG_WINDOW - 1).max(1);
    let leader = nodes.iter().find(|n| n.up && n.role == Role::Leader);
    let header = (first..=last.max(first)).map(|i| html! { <th>{i}</th> });
    let rows = nodes.iter().map(|n| {
        let progress = leader.and_then(|l| l.peers.iter().find(|p| p.peer == n.id));
        let cell_changed = |i: u64| props.diff.as_ref().is_some_and(|d| d.cells.contains(&(n.id, i)));
        let commit_changed = props
            .diff
            .as_ref()
            .is_some_and(|d| d.field(n.id, crate::step_diff::Field::CommitIndex));
        let cells = (first..=last.max(first)).map(|i| {
            let entry = n.log.iter().find(|e| e.index == i);
            let marks = progress.map(|p| {
                format!(
                    "{}{}",
                    if p.match_index == i { "●" } else { "" },
                    if p.next_index == i { "▲" } else { "" }
                )
            });
            match entry {
                Some(e) if paxos => {
                    let ballot = e.ballot.clone().unwrap_or_else(|| "·".to_string());
                    html! {
                        <td class={classes!("cell", if e.committed { "committed" } else { "uncommitted" }, e.noop.then_some("noop"), cell_changed(i).then_some("changed"))}
                            data-slot={e.index.to_string()} data-ballot={e.ballot.clone()}
                            style={format!("background:{};color:{}", term_color(e.term), term_text_color(e.term))}
                            title={format!("slot {} · {} · {}{}", e.index, e.label,
                                e.ballot.as_ref().map_or_else(|| "learned, not accepted here".to_string(), |b| format!("accepted in ballot {b}")),
                                if e.committed { " · chosen" } else { " · not known chosen" })}>
                            { match (e.noop, commands) {
                                (true, _) => format!("∅{ballot}"),
                                (false, true) => short_command(&e.label),
                                (false, false) => ballot,
                            } }
                        </td>
                    }
                }
                Some(e) => html! {
                    <td class={classes!("cell", if e.committed { "committed" } else { "uncommitted" }, e.noop.then_some("noop"), cell_changed(i).then_some("changed"))}
                        style={format!("background:{};color:{}", term_color(e.term), term_text_color(e.term))}
                        title={format!("index {} · term {} · {}{}", e.index, e.term, e.label,
                            if e.committed { " · committed" } else { " · not committed yet" })}>
                        { match (e.noop, commands) {
                            (true, _) => "∅".to_string(),
                            (false, true) => short_command(&e.label),
                            (false, false) => e.term.to_string(),
                        } }
                        if let Some(m) = marks.filter(|m| !m.is_empty()) { <span class="mark">{m}</span> }
                    </td>
                },
                None if i <= n.snapshot_index => html! {
                    <td class="cell snapshot" title={if paxos {
                        format!("slot {i}: compacted into S{}'s snapshot (up to slot {}; every server had learned it)", n.id, n.snapshot_index)
                    } else {
                        format!("index {i}: compacted into S{}'s snapshot (up to {}, term {})", n.id, n.snapshot_index, n.snapshot_term)
                    }}>
                        { if i == n.snapshot_index { "▣" } else { "" } }
                    </td>
                },
                None => html! {
                    <td class="cell empty">
                        if let Some(m) = marks.filter(|m| !m.is_empty()) { <span class="mark">{m}</span> }
                    </td>
                },
            }
        });
        html! {
            <tr class={classes!((!n.up).then_some("down"))} data-log={n.label.clone()}>
                <th class="row-label">
                    {n.label.clone()}
                    if paxos {
                        <span class={classes!("commit", commit_changed.then_some("changed"))} title="chosen prefix: every slot up to here is known chosen">{format!(" ✓{}", n.commit_index)}</span>
                    } else {
                        <span class={classes!("commit", commit_changed.then_some("changed"))} title="commit index">{format!(" c{}", n.commit_index)}</span>
                    }
                </th>
                { for cells }
            </tr>
        }
    });
    let toggle_button = html! {
        <button class="btn small" data-action="log-cells" aria-pressed={commands.to_string()} onclick={toggle}
                title="Show each cell's command instead of its term (ballot)">
            { if commands { "Show terms" } else { "Show commands" } }
        </button>
    };
    html! {
        <section class={classes!("panel", "logs", commands.then_some("commands"))} aria-label="Replicated logs" data-matrix={if paxos { "slots" } else { "log" }}>
            if paxos {
                <h2>{"Slots"}{toggle_button}</h2>
                <details class="key"><summary>{"Key"}</summary>{"cell = accepted value, labelled with its ballot · solid = known chosen · dashed = accepted only · ∅ no-op"}</details>
            } else {
                <h2>{"Logs"}{toggle_button}</h2>
                <details class="key"><summary>{"Key"}</summary>{"solid ✓ = committed · dashed = not yet · ∅ no-op · ▣ snapshot · ● match · ▲ next"}</details>
            }
            <div class="log-scroll">
                <table class="log-matrix">
                    <tr><th><span class="sr-only">{"server"}</span></th>{ for header }</tr>
                    { for rows }
                </table>
            </div>
        </section>
    }
}
