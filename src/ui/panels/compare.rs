//! The compare tab: the run so far (at least 20 s, optionally with the leader crashing every
//! 5 s) under Raft and under Multi-Paxos, side by side — messages per operation, latency
//! percentiles, time to a new leader and to service after a leader crash, and the checks.

use super::*;
use quorum_scenario::{Comparison, ProtocolFigures};

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.0} ms"))
}

fn row(
    label: &str,
    key: &str,
    runs: &[ProtocolFigures],
    cell: impl Fn(&ProtocolFigures) -> String,
) -> Html {
    html! {
        <tr data-compare={key.to_string()}>
            <th>{label.to_string()}</th>
            { for runs.iter().map(|r| html! { <td>{cell(r)}</td> }) }
        </tr>
    }
}

fn table(c: &Comparison) -> Html {
    let runs = &c.runs;
    html! {
        <table class="mini compare-table" data-field="comparison">
            <tr><th></th>{ for runs.iter().map(|r| html! { <th>{r.label.clone()}</th> }) }</tr>
            { row("Operations completed", "completed", runs, |r| r.completed.to_string()) }
            { row("Messages per operation", "messages-per-op", runs, |r| format!("{:.1}", r.messages_per_op)) }
            { row("Latency p50", "p50", runs, |r| format!("{:.0} ms", r.latency_ms.p50)) }
            { row("Latency p95", "p95", runs, |r| format!("{:.0} ms", r.latency_ms.p95)) }
            { row("Latency p99", "p99", runs, |r| format!("{:.0} ms", r.latency_ms.p99)) }
            { row("Leader changes per minute", "leader-changes", runs, |r| format!("{:.1}", r.leader_changes_per_min)) }
            { row("Leader crashes", "crashes", runs, |r| r.recovery.leader_crashes.to_string()) }
            { row("Crash → new leader", "to-leader", runs, |r| ms(r.recovery.to_new_leader_ms)) }
            { row("Crash → service again", "to-service", runs, |r| ms(r.recovery.to_service_ms)) }
            { row("Checks and linearizability", "passed", runs, |r| if r.passed { "✓ held".into() } else { "✗ failed".into() }) }
            { row("Liveness after the faults", "live", runs, |r| if r.live { "✓ held".into() } else { "⚠ stuck".into() }) }
        </table>
    }
}

pub(super) fn compare(props: &PanelsProps) -> Html {
    let d = &props.dispatch;
    html! {
        <div class="compare">
            <p class="hint">{"Runs this cluster, workload, seed and every fault so far (at least 20 s) under both protocols — and Multi-Paxos once more with its leader-stability switches flipped — headless, and lines them up."}</p>
            <div class="button-row">
                { action_button("Compare this run", "compare", d, LabAction::Compare { crash_leader: false }) }
                { action_button("…with a leader crash every 5 s", "compare-crashes", d, LabAction::Compare { crash_leader: true }) }
            </div>
            if let Some(c) = &props.comparison {
                <p class="hint">{format!("{} · seed {}", c.scenario, c.seed)}</p>
                { table(c) }
            }
        </div>
    }
}
