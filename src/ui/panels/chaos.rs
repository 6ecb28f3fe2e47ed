//! The chaos tab: crash and restart servers, cut links and partitions, loss and latency, and the
//! gray failures (`faults.rs`).

use super::*;

pub(super) fn chaos(props: &PanelsProps) -> Html {
    let d = &props.dispatch;
    let n = props.config.servers as NodeId;
    let leader = props.leader.unwrap_or(1);
    // Minority with the leader in it: the interesting split.
    let minority_size = ((n - 1) / 2).max(1);
    let mut minority: Vec<NodeId> = vec![leader];
    minority.extend(
        (1..=n)
            .filter(|&i| i != leader)
            .take(minority_size as usize - 1),
    );
    let majority: Vec<NodeId> = (1..=n).filter(|i| !minority.contains(i)).collect();
    // Two halves joined only through a bridge server.
    let bridge = n / 2 + 1;
    let left: Vec<NodeId> = (1..bridge).collect();
    let right: Vec<NodeId> = (bridge + 1..=n).collect();
    let bridge_cuts: Vec<Action> = left
        .iter()
        .flat_map(|&a| {
            right.iter().flat_map(move |&b| {
                [
                    Action::CutLink { from: a, to: b },
                    Action::CutLink { from: b, to: a },
                ]
            })
        })
        .collect();
    let bridge_click = {
        let d = d.clone();
        Callback::from(move |_| {
            for a in &bridge_cuts {
                d.emit(LabAction::Sim(a.clone()));
            }
        })
    };
    let net = props.config.network.clone();
    let max_delay = quorum_cluster::config::MAX_DELAY_MS as f64;
    let with = move |f: fn(&mut NetworkConfig, f64)| {
        let net = net.clone();
        move |v: f64| {
            let mut n = net.clone();
            f(&mut n, v);
            Action::SetNetwork { network: n }
        }
    };
    let fifo_change = {
        let d = d.clone();
        let net = props.config.network.clone();
        Callback::from(move |e: Event| {
            d.emit(LabAction::Sim(Action::SetNetwork {
                network: NetworkConfig {
                    fifo: checked(&e),
                    ..net.clone()
                },
            }))
        })
    };
    let c = &props.config.network;
    html! {
        <div class="chaos">
            <div class="button-row">
                { action_button("Isolate leader", "isolate-leader", d, LabAction::Sim(Action::IsolateLeader { label: None })) }
                { action_button(&format!("Split {}|{}", minority.len(), majority.len()), "split", d,
                    LabAction::Sim(Action::Partition { groups: vec![minority.clone(), majority.clone()], replace: false })) }
                <button class="btn" data-action="bridge" onclick={bridge_click}>{format!("Halves, S{bridge} bridges")}</button>
                { action_button("Heal all", "heal", d, LabAction::Sim(Action::Heal)) }
            </div>
            <div class="fields">
                { number(NumberRule::decimal("Loss %", 0.0, 100.0, "%"), "loss", c.loss * 100.0, d, with(|n, v| n.loss = v / 100.0)) }
                { number(NumberRule::decimal("Duplication %", 0.0, 100.0, "%"), "duplicate", c.duplicate * 100.0, d, with(|n, v| n.duplicate = v / 100.0)) }
                { number(NumberRule::whole("Latency min ms", 0.0, c.latency_max_ms as f64, "ms"), "latency-min", c.latency_min_ms as f64, d, with(|n, v| n.latency_min_ms = v as u64)) }
                { number(NumberRule::whole("Latency max ms", c.latency_min_ms as f64, max_delay, "ms"), "latency-max", c.latency_max_ms as f64, d, with(|n, v| n.latency_max_ms = v as u64)) }
                { number(NumberRule::whole("Jitter ms", 0.0, max_delay, "ms"), "jitter", c.jitter_ms as f64, d, with(|n, v| n.jitter_ms = v as u64)) }
                <label class="field check">
                    <input type="checkbox" checked={c.fifo} onchange={fifo_change} />
                    <span>{"FIFO links (no reordering)"}</span>
                </label>
            </div>
            <faults::GrayFaults protocol={props.config.protocol} servers={props.config.servers}
                network={props.config.network.clone()} faults={props.message_faults.clone()}
                clients={props.clients.clone()} has_balancer={props.balancer.is_some()}
                dispatch={d.clone()} />
        </div>
    }
}
