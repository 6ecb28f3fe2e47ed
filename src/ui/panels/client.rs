//! The client tab: the generated load, and operations issued by hand with their results.

use super::*;

/// The generated load, changeable while the run goes on.
pub(super) fn load_fields(props: &PanelsProps) -> Html {
    let d = &props.dispatch;
    let w = props.workload.clone();
    let with = |f: fn(&mut WorkloadConfig, f64)| {
        let w = w.clone();
        move |v: f64| {
            let mut next = w.clone();
            f(&mut next, v);
            Action::SetWorkload { workload: next }
        }
    };
    let zipf = match w.keys_distribution {
        KeyDistribution::Zipf { exponent } => exponent,
        KeyDistribution::Uniform => 0.0,
    };
    let mode = {
        let d = d.clone();
        let w = w.clone();
        Callback::from(move |e: Event| {
            let mode = if value_of(&e) == "open" {
                LoadMode::Open
            } else {
                LoadMode::Closed
            };
            d.emit(LabAction::Sim(Action::SetWorkload {
                workload: WorkloadConfig { mode, ..w.clone() },
            }));
        })
    };
    html! {
        <details class="load" open=true>
            <summary>{"Generated load"}</summary>
            <div class="fields">
                { number(NumberRule::whole("Clients", 0.0, 64.0, ""), "clients", w.clients as f64, d, with(|w, v| w.clients = v as usize)) }
                { number(NumberRule::decimal("Ops per second", 0.1, 10_000.0, "ops/s"), "rate", w.rate, d, with(|w, v| w.rate = v)) }
                { number(NumberRule::whole("Keys", 1.0, 1000.0, ""), "keys", w.keys as f64, d, with(|w, v| w.keys = v as usize)) }
                { number(NumberRule::decimal("Zipf skew (0 = uniform)", 0.0, 5.0, ""), "zipf", zipf, d, with(|w, v| {
                    w.keys_distribution = if v > 0.0 { KeyDistribution::Zipf { exponent: v } } else { KeyDistribution::Uniform };
                })) }
                <label class="field">
                    <span>{"Arrivals"}</span>
                    <select data-field="mode" onchange={mode}>
                        <option value="closed" selected={w.mode == LoadMode::Closed}>{"closed loop"}</option>
                        <option value="open" selected={w.mode == LoadMode::Open}>{"open loop (sheds)"}</option>
                    </select>
                </label>
            </div>
        </details>
    }
}

/// Properties of [`ClientPanel`].
#[derive(Properties, PartialEq)]
pub(super) struct ClientPanelProps {
    /// The latest completed operations.
    pub(super) recent: Rc<Vec<HistoryOp>>,
    /// The client actors.
    pub(super) clients: Rc<Vec<ClientView>>,
    /// The members of the configuration in force (voters, then learners), for the target
    /// server choice: it follows membership changes.
    pub(super) members: Rc<Vec<NodeId>>,
    /// Whether requests go through the load balancer (else straight to a server).
    pub(super) through_balancer: bool,
    /// Where actions go.
    pub(super) dispatch: Callback<LabAction>,
}

/// Issue operations by hand and see their results.
#[component]
pub(super) fn ClientPanel(props: &ClientPanelProps) -> Html {
    let op = use_state(|| "put".to_string());
    let key = use_state(|| "x".to_string());
    let value = use_state(|| "1".to_string());
    let from = use_state(|| "1".to_string());
    let server = use_state(|| "auto".to_string());
    let consistency = use_state(|| "linearizable".to_string());
    let error = use_state(|| None::<String>);
    let bind = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: Event| h.set(value_of(&e)))
    };
    // Text fields keep every keystroke (the page re-renders each frame).
    let typed = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                h.set(input.value());
            }
        })
    };
    let send = {
        let (op, key, value, from, server, error) = (
            op.clone(),
            key.clone(),
            value.clone(),
            from.clone(),
            server.clone(),
            error.clone(),
        );
        let consistency = consistency.clone();
        let d = props.dispatch.clone();
        Callback::from(move |_| {
            let k = quorum_service::kv::Key::from(key.trim());
            if k.is_empty() {
                error.set(Some("key: must not be empty".into()));
                return;
            }
            let num = |name: &str, s: &str| {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("{name}: {s:?} is not a whole number"))
            };
            let built = match op.as_str() {
                "get" => Ok(KvOp::Get { key: k }),
                "delete" => Ok(KvOp::Delete { key: k }),
                "cas" => num("from", &from).and_then(|f| {
                    num("to", &value).map(|t| KvOp::Cas {
                        key: k,
                        from: f,
                        to: t,
                    })
                }),
                "put" => num("value", &value).map(|v| KvOp::Put { key: k, value: v }),
                other => Err(format!(
                    "operation: {other:?} is not one of put, get, delete, cas"
                )),
            };
            match built {
                Ok(kv) => {
                    error.set(None);
                    let target = server.parse::<NodeId>().ok();
                    let read = match consistency.as_str() {
                        "stale" => ReadConsistency::Stale,
                        "lease" => ReadConsistency::Lease,
                        _ => ReadConsistency::Linearizable,
                    };
                    d.emit(LabAction::Client {
                        op: kv,
                        server: target,
                        read,
                    });
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let recent = props.recent.iter().rev().take(8).map(|h| {
        let what = match h.op {
            OpKind::Read => format!("get {} → {}", h.key, h.result.flatten().map_or("absent".into(), |v| v.to_string())),
            OpKind::Write => format!("put {}={}", h.key, h.value.unwrap_or_default()),
            OpKind::Delete => format!("delete {}", h.key),
            OpKind::Cas => format!("cas {} {}→{}", h.key, h.from.unwrap_or_default(), h.to.unwrap_or_default()),
        };
        let status = match h.status {
            Status::Ok => "ok",
            Status::Fail => "fail",
            Status::Info => "unknown",
        };
        let latency = h.ret.map(|r| format!("{:.0} ms", (r - h.call) as f64 / MS as f64)).unwrap_or_default();
        html! {
            <tr class={format!("op-{status}")}>
                <td>{format!("client {}", h.client)}</td><td>{what}</td><td>{status}</td><td>{latency}</td>
            </tr>
        }
    });
    let pending: Vec<String> = props
        .clients
        .iter()
        .filter(|c| c.manual)
        .filter_map(|c| c.outstanding.as_ref().map(|o| format!("{}: {o}…", c.label)))
        .collect();
    html! {
        <div class="client-panel">
            <div class="fields inline">
                <select data-field="op" onchange={bind(&op)}>
                    { for ["put", "get", "delete", "cas"].iter().map(|o| html! {
                        <option value={*o} selected={*op == *o}>{*o}</option>
                    }) }
                </select>
                <input data-field="key" value={(*key).clone()} oninput={typed(&key)} size="4" aria-label="key" />
                if *op == "cas" {
                    <input data-field="from" value={(*from).clone()} oninput={typed(&from)} size="3" aria-label="expected value" />
                }
                if *op == "get" {
                    <select data-field="consistency" onchange={bind(&consistency)} aria-label="read consistency"
                            title="linearizable: as the cluster serves reads; lease: the leader answers while its lease holds; stale: any replica answers from its own state">
                        <option value="linearizable" selected={*consistency == "linearizable"}>{"linearizable"}</option>
                        <option value="lease" selected={*consistency == "lease"}>{"lease read"}</option>
                        <option value="stale" selected={*consistency == "stale"}>{"stale (unsafe)"}</option>
                    </select>
                }
                if *op == "put" || *op == "cas" {
                    <input data-field="value" value={(*value).clone()} oninput={typed(&value)} size="3" aria-label="value" />
                }
                <select data-field="server" onchange={bind(&server)} aria-label="server">
                    <option value="auto">{ if props.through_balancer { "any server, through the load balancer" } else { "the leader the client knows" } }</option>
                    { for props.members.iter().map(|n| html! { <option value={n.to_string()}>{format!("S{n} directly")}</option> }) }
                </select>
                <button class="btn primary" data-action="send" onclick={send}>{"Send"}</button>
            </div>
            if let Some(e) = &*error {
                <p class="error">{e.clone()}</p>
            }
            { for pending.iter().map(|p| html! { <p class="pending">{p.clone()}</p> }) }
            <table class="mini ops">{ for recent }</table>
        </div>
    }
}
