//! The gray failures of the chaos tab: faults on one message kind, the shape of the delay
//! (heavy tails, rare very long delays) and links between a client (or the load balancer) and
//! one server.

use super::*;
use quorum_cluster::action::ClientEnd;
use quorum_cluster::config::{LatencyDistribution, LongDelay};
use quorum_cluster::message::kinds_of;
use quorum_core::network::MessageFault;

/// Properties of [`GrayFaults`].
#[derive(Properties, PartialEq)]
pub(super) struct GrayFaultsProps {
    /// The protocol (which message kinds it sends).
    pub protocol: ProtocolKind,
    /// How many servers.
    pub servers: usize,
    /// The network-wide settings in force.
    pub network: NetworkConfig,
    /// The faults on message kinds in force.
    pub faults: Rc<Vec<MessageFault>>,
    /// The client actors (for client links).
    pub clients: Rc<Vec<ClientView>>,
    /// Whether clients go through a load balancer.
    pub has_balancer: bool,
    /// Where actions go.
    pub dispatch: Callback<LabAction>,
}

fn input_text(e: &InputEvent) -> String {
    e.target_dyn_into::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// `None` for "any server", else the server a select's value names.
fn server_of(value: &str) -> Option<NodeId> {
    value.strip_prefix('S').and_then(|n| n.parse().ok())
}

/// The gray-failure controls.
#[component]
pub(super) fn GrayFaults(props: &GrayFaultsProps) -> Html {
    let d = &props.dispatch;
    let kinds = kinds_of(props.protocol);
    let kind = use_state(|| kinds.first().copied().unwrap_or("Heartbeat").to_string());
    let from = use_state(String::new);
    let to = use_state(String::new);
    let drop = use_state(|| "100".to_string());
    let delay = use_state(|| "0".to_string());
    let error = use_state(|| None::<String>);
    let end = use_state(|| "balancer".to_string());
    let server = use_state(|| "S1".to_string());

    let select = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: Event| state.set(value_of(&e)))
    };
    let typed = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(input_text(&e)))
    };
    let apply = {
        let (d, kind, from, to, drop, delay, error) = (
            d.clone(),
            kind.clone(),
            from.clone(),
            to.clone(),
            drop.clone(),
            delay.clone(),
            error.clone(),
        );
        Callback::from(move |_| {
            let drop_pct = match drop.trim().parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => v,
                _ => {
                    return error.set(Some(format!(
                        "Drop % must be between 0 and 100 (got {:?})",
                        *drop
                    )))
                }
            };
            let delay_ms = match delay.trim().parse::<u64>() {
                Ok(v) if v <= quorum_cluster::config::MAX_DELAY_MS => v,
                _ => {
                    return error.set(Some(format!(
                        "Extra delay ms must be a whole number from 0 to {} (got {:?})",
                        quorum_cluster::config::MAX_DELAY_MS,
                        *delay
                    )))
                }
            };
            error.set(None);
            let fault = MessageFault {
                kind: (*kind).clone(),
                from: server_of(&from),
                to: server_of(&to),
                drop: drop_pct / 100.0,
                delay_ms,
            };
            d.emit(LabAction::Sim(Action::SetMessageFault { fault }));
        })
    };
    let servers: Vec<String> = (1..=props.servers).map(|n| format!("S{n}")).collect();
    let any_or = |state: &UseStateHandle<String>, name: &str, label: &str| {
        html! {
            <label class="field">
                <span>{label.to_string()}</span>
                <select data-field={name.to_string()} onchange={select(state)}>
                    <option value="" selected={state.is_empty()}>{"any server"}</option>
                    { for servers.iter().map(|s| html! { <option value={s.clone()} selected={**state == *s}>{s.clone()}</option> }) }
                </select>
            </label>
        }
    };
    let active = props.faults.iter().map(|f| {
        let clear = MessageFault {
            drop: 0.0,
            delay_ms: 0,
            ..f.clone()
        };
        html! {
            <li data-fault={f.kind.clone()}>
                {f.describe()}{" "}
                { action_button("Remove", "remove-fault", d, LabAction::Sim(Action::SetMessageFault { fault: clear })) }
            </li>
        }
    });

    // The delay's shape.
    let net = props.network.clone();
    let shape = match net.distribution {
        LatencyDistribution::Uniform => "uniform",
        LatencyDistribution::LogNormal { .. } => "log-normal",
        LatencyDistribution::Pareto { .. } => "pareto",
    };
    let cap = (net.latency_max_ms * 20).clamp(500, quorum_cluster::config::MAX_DELAY_MS);
    let shape_change = {
        let (d, net) = (d.clone(), net.clone());
        Callback::from(move |e: Event| {
            let distribution = match value_of(&e).as_str() {
                "log-normal" => LatencyDistribution::LogNormal {
                    sigma: 0.8,
                    cap_ms: cap,
                },
                "pareto" => LatencyDistribution::Pareto {
                    alpha: 1.5,
                    cap_ms: cap,
                },
                _ => LatencyDistribution::Uniform,
            };
            d.emit(LabAction::Sim(Action::SetNetwork {
                network: NetworkConfig {
                    distribution,
                    ..net.clone()
                },
            }))
        })
    };
    let long_change = {
        let (d, net) = (d.clone(), net.clone());
        Callback::from(move |e: Event| {
            let long_delay = checked(&e).then_some(LongDelay {
                probability: 0.01,
                min_ms: 500,
                max_ms: 3_000,
            });
            d.emit(LabAction::Sim(Action::SetNetwork {
                network: NetworkConfig {
                    long_delay,
                    ..net.clone()
                },
            }))
        })
    };

    // Client links.
    let ends: Vec<(String, String)> = props
        .has_balancer
        .then(|| ("balancer".to_string(), "the load balancer".to_string()))
        .into_iter()
        .chain(
            props
                .clients
                .iter()
                .map(|c| (c.label.trim_start_matches('C').to_string(), c.label.clone())),
        )
        .collect();
    let client_link = |cut: bool| {
        let (d, end, server) = (d.clone(), end.clone(), server.clone());
        Callback::from(move |_| {
            let client = match end.as_str() {
                "balancer" => ClientEnd::Balancer,
                n => match n.parse() {
                    Ok(c) => ClientEnd::Client(c),
                    Err(_) => return,
                },
            };
            let Some(server) = server_of(&server) else {
                return;
            };
            let action = if cut {
                Action::CutClientLink { client, server }
            } else {
                Action::RestoreClientLink { client, server }
            };
            d.emit(LabAction::Sim(action));
        })
    };

    html! {
        <div class="gray-faults">
            <h3>{"One kind of message"}</h3>
            <div class="fields">
                <label class="field wide">
                    <span>{"Kind"}</span>
                    <select data-field="fault-kind" onchange={select(&kind)}>
                        { for kinds.iter().map(|k| html! { <option value={k.to_string()} selected={*kind == *k}>{k.to_string()}</option> }) }
                    </select>
                </label>
                { any_or(&from, "fault-from", "From") }
                { any_or(&to, "fault-to", "To") }
                <label class="field">
                    <span>{"Drop %"}</span>
                    <input type="text" inputmode="decimal" data-field="fault-drop" value={(*drop).clone()} oninput={typed(&drop)} />
                </label>
                <label class="field">
                    <span>{"Extra delay ms"}</span>
                    <input type="text" inputmode="numeric" data-field="fault-delay" value={(*delay).clone()} oninput={typed(&delay)} />
                </label>
            </div>
            if let Some(e) = &*error {
                <p class="error" role="alert">{e.clone()}</p>
            }
            <div class="button-row">
                <button class="btn" data-action="set-fault" onclick={apply}>{"Apply to this kind"}</button>
                if !props.faults.is_empty() {
                    { action_button("Clear all", "clear-faults", d, LabAction::Sim(Action::ClearMessageFaults)) }
                }
            </div>
            if !props.faults.is_empty() {
                <ul class="fault-list">{ for active }</ul>
            }
            <h3>{"Delay shape"}</h3>
            <div class="fields">
                <label class="field wide" title="Heavy tails: most messages quick, a few many times slower">
                    <span>{"Latency"}</span>
                    <select data-field="latency-shape" onchange={shape_change}>
                        <option value="uniform" selected={shape == "uniform"}>{"uniform over the range"}</option>
                        <option value="log-normal" selected={shape == "log-normal"}>{"log-normal (long tail)"}</option>
                        <option value="pareto" selected={shape == "pareto"}>{"Pareto (heavy tail)"}</option>
                    </select>
                </label>
                <label class="field check" title="1 % of messages take 0.5–3 s: they arrive after newer ones, long past an election timeout">
                    <input type="checkbox" data-field="long-delays" checked={net.long_delay.is_some()} onchange={long_change} />
                    <span>{"Rare long delays (1 %, 0.5–3 s)"}</span>
                </label>
            </div>
            <h3>{"Client links"}</h3>
            <div class="fields">
                <label class="field">
                    <span>{"Client side"}</span>
                    <select data-field="client-end" onchange={select(&end)}>
                        { for ends.iter().map(|(v, label)| html! { <option value={v.clone()} selected={*end == *v}>{label.clone()}</option> }) }
                    </select>
                </label>
                <label class="field">
                    <span>{"Server"}</span>
                    <select data-field="client-server" onchange={select(&server)}>
                        { for servers.iter().map(|s| html! { <option value={s.clone()} selected={*server == *s}>{s.clone()}</option> }) }
                    </select>
                </label>
            </div>
            <div class="button-row">
                <button class="btn" data-action="cut-client-link" onclick={client_link(true)}>{"Cut"}</button>
                <button class="btn" data-action="restore-client-link" onclick={client_link(false)}>{"Restore"}</button>
            </div>
        </div>
    }
}
