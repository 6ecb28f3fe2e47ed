//! The balancer tab: routing strategy, per-server weights and stale reads.

use super::*;

/// The strategies offered, in the order shown.
const STRATEGIES: [(&str, Strategy); 9] = [
    ("round-robin", Strategy::RoundRobin),
    ("random", Strategy::Random),
    ("weighted", Strategy::WeightedRoundRobin),
    ("least-outstanding", Strategy::LeastOutstanding),
    ("two-choices", Strategy::PowerOfTwoChoices),
    ("peak-ewma", Strategy::PeakEwma),
    (
        "consistent-hash",
        Strategy::ConsistentHash {
            vnodes: 64,
            bounded_load: None,
        },
    ),
    (
        "consistent-hash-bounded",
        Strategy::ConsistentHash {
            vnodes: 64,
            bounded_load: Some(1.25),
        },
    ),
    ("leader-aware", Strategy::LeaderAware),
];

pub(super) fn balancer(props: &PanelsProps) -> Html {
    let d = &props.dispatch;
    let Some(lb) = &props.balancer else {
        return html! { <p class="hint">{"The clients talk to servers directly in this run."}</p> };
    };
    let choose = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let value = value_of(&e);
            if let Some((_, s)) = STRATEGIES.iter().find(|(id, _)| *id == value) {
                d.emit(LabAction::Sim(Action::SetBalancerStrategy { strategy: *s }));
            }
        })
    };
    let stale = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            d.emit(LabAction::Sim(Action::SetStaleReads {
                enabled: checked(&e),
            }))
        })
    };
    let rows = lb.backends.iter().map(|b| {
        let node = b.id;
        let weight = number(
            NumberRule::whole(&format!("S{node} weight"), 1.0, 100.0, ""),
            &format!("weight-{node}"),
            b.weight as f64,
            d,
            move |w: f64| Action::SetServerWeight {
                node,
                weight: w as u32,
            },
        );
        html! {
            <tr class={classes!((!b.healthy).then_some("down"))}>
                <td>{format!("S{node}")}</td>
                <td>{ if b.healthy { "in" } else { "out" } }</td>
                <td>{b.routed}</td>
                <td>{b.outstanding}</td>
                <td>{b.redirected}</td>
                <td>{format!("{:.0}", b.latency_ms)}</td>
                <td class="weight">{weight}</td>
            </tr>
        }
    });
    html! {
        <div class="balancer-panel">
            <div class="fields">
                <label class="field wide">
                    <span>{"Strategy"}</span>
                    <select data-field="strategy" onchange={choose}>
                        { for STRATEGIES.iter().map(|(id, s)| html! {
                            <option value={*id} selected={s.label() == lb.strategy.label()}>{s.label()}</option>
                        }) }
                    </select>
                </label>
                <label class="field check" title="Reads go to any replica and are answered from its own state: fast and unsafe">
                    <input type="checkbox" data-field="stale-reads" checked={lb.stale_reads} onchange={stale} />
                    <span>{"Stale reads (unsafe)"}</span>
                </label>
            </div>
            <p class="hint">{format!("Leader known to the balancer: {} · {} requests in flight",
                lb.leader.map_or("none".to_string(), |l| format!("S{l}")), lb.in_flight)}</p>
            <table class="mini backends">
                <tr><th title="server">{"srv"}</th><th title="in rotation (health checks pass)">{"rot."}</th>
                    <th title="requests routed to it">{"sent"}</th><th title="requests in flight">{"now"}</th>
                    <th title="'not leader' answers">{"redir."}</th><th title="peak-EWMA latency, ms">{"ms"}</th>
                    <th title="weight (weighted round robin)">{"w"}</th></tr>
                { for rows }
            </table>
        </div>
    }
}
