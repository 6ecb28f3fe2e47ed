//! The tabbed control panels: chaos (partitions, loss, latency), timing (timeouts, no-op,
//! spread/align timers), client (issue put/get/delete/cas by hand) and cluster (size, workload).

use std::rc::Rc;

use yew::prelude::*;

use super::state::{Export, LabAction};
use crate::balancer::Strategy;
use crate::client::{HistoryOp, KeyDistribution, LoadMode, OpKind, Status, WorkloadConfig};
use crate::kv::KvOp;
use crate::sim::config::{NetworkConfig, RaftOptions, ReadMode, Timing};
use crate::sim::message::ReadConsistency;
use crate::sim::time::MS;
use crate::sim::view::{BalancerView, ClientView};
use crate::sim::{Action, ClusterConfig, NodeId};

/// Properties of [`Panels`].
#[derive(Properties, PartialEq)]
pub struct PanelsProps {
    /// The current leader, if any.
    pub leader: Option<NodeId>,
    /// Voters of the configuration in force.
    pub voters: Rc<Vec<NodeId>>,
    /// Learners of the configuration in force.
    pub learners: Rc<Vec<NodeId>>,
    /// The latest completed operations.
    pub recent: Rc<Vec<HistoryOp>>,
    /// The client actors.
    pub clients: Rc<Vec<ClientView>>,
    /// The load balancer, if clients go through one.
    pub balancer: Option<Rc<BalancerView>>,
    /// The generated load.
    pub workload: WorkloadConfig,
    /// The configuration in force.
    pub config: ClusterConfig,
    /// Whether the generated workload runs.
    pub workload_running: bool,
    /// Pause when an invariant breaks.
    pub pause_on_violation: bool,
    /// Where actions go.
    pub dispatch: Callback<LabAction>,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Chaos,
    Timing,
    Client,
    Balancer,
    Cluster,
}

fn value_of(e: &Event) -> String {
    e.target_dyn_into::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| {
            e.target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
        })
        .unwrap_or_default()
}

fn checked(e: &Event) -> bool {
    e.target_dyn_into::<web_sys::HtmlInputElement>()
        .map(|i| i.checked())
        .unwrap_or(false)
}

/// A number field that sends `make(value)` when changed; unparsable text is reported.
fn number_field<T: std::str::FromStr + std::fmt::Display + 'static>(
    label: &str,
    name: &str,
    value: T,
    dispatch: &Callback<LabAction>,
    make: impl Fn(T) -> Action + 'static,
) -> Html {
    let d = dispatch.clone();
    let what = label.to_string();
    let onchange = Callback::from(move |e: Event| {
        let text = value_of(&e);
        match text.trim().parse::<T>() {
            Ok(v) => d.emit(LabAction::Sim(make(v))),
            Err(_) => d.emit(LabAction::Notice(format!(
                "{what}: {text:?} is not a number"
            ))),
        }
    });
    html! {
        <label class="field">
            <span>{label.to_string()}</span>
            <input type="number" data-field={name.to_string()} value={value.to_string()} {onchange} />
        </label>
    }
}

fn action_button(label: &str, data: &str, d: &Callback<LabAction>, action: LabAction) -> Html {
    let d = d.clone();
    let onclick = Callback::from(move |_| d.emit(action.clone()));
    html! { <button class="btn" data-action={data.to_string()} {onclick}>{label.to_string()}</button> }
}

/// The panels.
#[component]
pub fn Panels(props: &PanelsProps) -> Html {
    let tab = use_state(|| Tab::Chaos);
    let tabs = [
        (Tab::Chaos, "Chaos"),
        (Tab::Timing, "Timing"),
        (Tab::Client, "Client"),
        (Tab::Balancer, "Balancer"),
        (Tab::Cluster, "Cluster"),
    ];
    let header = tabs.iter().map(|(t, label)| {
        let setter = tab.clone();
        let t = *t;
        let onclick = Callback::from(move |_| setter.set(t));
        html! {
            <button class={classes!("tab", (*tab == t).then_some("active"))} data-tab={label.to_lowercase()} {onclick}>
                {*label}
            </button>
        }
    });
    let body = match *tab {
        Tab::Chaos => chaos(props),
        Tab::Timing => timing(props),
        Tab::Client => {
            html! {
                <>
                { load_fields(props) }
                <ClientPanel recent={props.recent.clone()} clients={props.clients.clone()}
                             servers={props.config.servers} dispatch={props.dispatch.clone()} />
                </>
            }
        }
        Tab::Balancer => balancer(props),
        Tab::Cluster => cluster(props),
    };
    html! {
        <section class="panel panels" aria-label="Controls">
            <div class="tabs">{ for header }</div>
            <div class="tab-body">{body}</div>
        </section>
    }
}

fn chaos(props: &PanelsProps) -> Html {
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
                { action_button("Isolate leader", "isolate-leader", d, LabAction::Sim(Action::IsolateLeader)) }
                { action_button(&format!("Split {}|{}", minority.len(), majority.len()), "split", d,
                    LabAction::Sim(Action::Partition { groups: vec![minority.clone(), majority.clone()] })) }
                <button class="btn" data-action="bridge" onclick={bridge_click}>{format!("Halves, S{bridge} bridges")}</button>
                { action_button("Heal all", "heal", d, LabAction::Sim(Action::Heal)) }
            </div>
            <div class="fields">
                { number_field("Loss %", "loss", (c.loss * 100.0).round(), d, with(|n, v| n.loss = v / 100.0)) }
                { number_field("Duplication %", "duplicate", (c.duplicate * 100.0).round(), d, with(|n, v| n.duplicate = v / 100.0)) }
                { number_field("Latency min ms", "latency-min", c.latency_min_ms as f64, d, with(|n, v| n.latency_min_ms = v.max(0.0) as u64)) }
                { number_field("Latency max ms", "latency-max", c.latency_max_ms as f64, d, with(|n, v| n.latency_max_ms = v.max(0.0) as u64)) }
                { number_field("Jitter ms", "jitter", c.jitter_ms as f64, d, with(|n, v| n.jitter_ms = v.max(0.0) as u64)) }
                <label class="field check">
                    <input type="checkbox" checked={c.fifo} onchange={fifo_change} />
                    <span>{"FIFO links (no reordering)"}</span>
                </label>
            </div>
        </div>
    }
}

fn timing(props: &PanelsProps) -> Html {
    let d = &props.dispatch;
    let t = props.config.timing.clone();
    let set = move |f: fn(&mut Timing, u64)| {
        let t = t.clone();
        move |v: u64| {
            let mut t = t.clone();
            f(&mut t, v);
            Action::SetTiming { timing: t }
        }
    };
    let raft = props.config.raft.clone();
    let toggle = |f: fn(&mut RaftOptions, bool)| {
        let d = d.clone();
        let raft = raft.clone();
        Callback::from(move |e: Event| {
            let mut r = raft.clone();
            f(&mut r, checked(&e));
            d.emit(LabAction::Sim(Action::SetRaftOptions { raft: r }));
        })
    };
    let read_mode = {
        let d = d.clone();
        let raft = raft.clone();
        Callback::from(move |e: Event| {
            let mode = match value_of(&e).as_str() {
                "Log" => ReadMode::Log,
                "Lease" => ReadMode::Lease,
                _ => ReadMode::ReadIndex,
            };
            d.emit(LabAction::Sim(Action::SetRaftOptions {
                raft: RaftOptions {
                    read_mode: mode,
                    ..raft.clone()
                },
            }));
        })
    };
    let c = &props.config.timing;
    html! {
        <div class="timing">
            <div class="fields">
                { number_field("Election min ms", "election-min", c.election_timeout_min_ms, d, set(|t, v| t.election_timeout_min_ms = v)) }
                { number_field("Election max ms", "election-max", c.election_timeout_max_ms, d, set(|t, v| t.election_timeout_max_ms = v)) }
                { number_field("Heartbeat ms", "heartbeat", c.heartbeat_interval_ms, d, set(|t, v| t.heartbeat_interval_ms = v)) }
                { number_field("Snapshot every (0 = never)", "snapshot-every", props.config.raft.snapshot_every, d, {
                    let raft = props.config.raft.clone();
                    move |v: u64| Action::SetRaftOptions { raft: RaftOptions { snapshot_every: v, ..raft.clone() } }
                }) }
                <label class="field check">
                    <input type="checkbox" data-field="noop" checked={props.config.raft.noop_on_election}
                           onchange={toggle(|r, v| r.noop_on_election = v)} />
                    <span>{"No-op entry on election"}</span>
                </label>
                <label class="field check">
                    <input type="checkbox" data-field="forward" checked={props.config.raft.forward_to_leader}
                           onchange={toggle(|r, v| r.forward_to_leader = v)} />
                    <span>{"Followers forward requests"}</span>
                </label>
                <label class="field check" title="Ask whether an election could be won before raising the term (§9.6)">
                    <input type="checkbox" data-field="pre-vote" checked={props.config.raft.pre_vote}
                           onchange={toggle(|r, v| r.pre_vote = v)} />
                    <span>{"PreVote"}</span>
                </label>
                <label class="field check" title="A leader that cannot reach a majority steps down (§6.2)">
                    <input type="checkbox" data-field="check-quorum" checked={props.config.raft.check_quorum}
                           onchange={toggle(|r, v| r.check_quorum = v)} />
                    <span>{"CheckQuorum"}</span>
                </label>
                <label class="field" title="How reads are served (§6.4)">
                    <span>{"Reads"}</span>
                    <select data-field="read-mode" onchange={read_mode}>
                        { for [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease].iter().map(|m| html! {
                            <option value={format!("{m:?}")} selected={*m == props.config.raft.read_mode}>{m.label()}</option>
                        }) }
                    </select>
                </label>
            </div>
            <div class="button-row">
                { action_button("Spread timers (t)", "spread", d, LabAction::Sim(Action::SpreadTimers)) }
                { action_button("Align timers (a)", "align", d, LabAction::Sim(Action::AlignTimers)) }
            </div>
        </div>
    }
}

/// The generated load, changeable while the run goes on.
fn load_fields(props: &PanelsProps) -> Html {
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
                { number_field("Clients", "clients", w.clients as f64, d, with(|w, v| w.clients = v.clamp(0.0, 64.0) as usize)) }
                { number_field("Ops per second", "rate", w.rate, d, with(|w, v| w.rate = v)) }
                { number_field("Keys", "keys", w.keys as f64, d, with(|w, v| w.keys = v.clamp(1.0, 1000.0) as usize)) }
                { number_field("Zipf skew (0 = uniform)", "zipf", zipf, d, with(|w, v| {
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

fn balancer(props: &PanelsProps) -> Html {
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
        let weight = number_field("", &format!("weight-{node}"), b.weight, d, move |w: u32| {
            Action::SetServerWeight { node, weight: w }
        });
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
                <label class="field">
                    <span>{"Strategy"}</span>
                    <select data-field="strategy" onchange={choose}>
                        { for STRATEGIES.iter().map(|(id, s)| html! {
                            <option value={*id} selected={s.label() == lb.strategy}>{s.label()}</option>
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

fn cluster(props: &PanelsProps) -> Html {
    let d = &props.dispatch;
    let resize = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Ok(n) = value_of(&e).parse::<usize>() {
                d.emit(LabAction::Resize(n));
            }
        })
    };
    let workload = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            d.emit(LabAction::Sim(Action::SetWorkloadRunning {
                running: checked(&e),
            }))
        })
    };
    let load = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let d = d.clone();
                super::files::read_chosen(&input, move |text| {
                    d.emit(LabAction::LoadScenario(text))
                });
            }
        })
    };
    let pause = {
        let d = d.clone();
        Callback::from(move |e: Event| d.emit(LabAction::SetPauseOnViolation(checked(&e))))
    };
    html! {
        <div class="cluster-panel">
            <div class="fields">
                <label class="field">
                    <span>{"Servers (starts over)"}</span>
                    <select data-field="servers" onchange={resize}>
                        { for (3..=9).map(|n| html! {
                            <option value={n.to_string()} selected={n == props.config.servers}>{n}</option>
                        }) }
                    </select>
                </label>
                <label class="field check">
                    <input type="checkbox" data-field="workload" checked={props.workload_running} onchange={workload} />
                    <span>{"Generated client load"}</span>
                </label>
                <label class="field check">
                    <input type="checkbox" data-field="pause-on-violation" checked={props.pause_on_violation} onchange={pause} />
                    <span>{"Pause when an invariant breaks"}</span>
                </label>
            </div>
            <p class="hint">{format!("Configuration: voters {}{}",
                props.voters.iter().map(|v| format!("S{v}")).collect::<Vec<_>>().join(", "),
                if props.learners.is_empty() { String::new() } else {
                    format!("; learners {}", props.learners.iter().map(|v| format!("S{v}")).collect::<Vec<_>>().join(", "))
                })}</p>
            <div class="button-row">
                { action_button("Add a server", "add-server", d, LabAction::Sim(Action::AddServer)) }
            </div>
            <p class="hint">{"New servers join as learners and vote once caught up; remove one from its inspector. One change at a time."}</p>
            <p class="hint">{format!("Seed {} · reproduce with ?seed={}&servers={}", props.config.seed, props.config.seed, props.config.servers)}</p>
            <div class="button-row">
                { action_button("Download history", "export-history", d, LabAction::Download(Export::History)) }
                { action_button("Download scenario", "export-scenario", d, LabAction::Download(Export::Scenario)) }
                <label class="btn file" title="Load a scenario file (the page's own exports or the presets in scenarios/)">
                    {"Load scenario…"}
                    <input type="file" accept=".json,application/json" data-field="load-scenario" onchange={load} />
                </label>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ClientPanelProps {
    recent: Rc<Vec<HistoryOp>>,
    clients: Rc<Vec<ClientView>>,
    servers: usize,
    dispatch: Callback<LabAction>,
}

/// Issue operations by hand and see their results.
#[component]
fn ClientPanel(props: &ClientPanelProps) -> Html {
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
            let k = key.trim().to_string();
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
                _ => num("value", &value).map(|v| KvOp::Put { key: k, value: v }),
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
                <input data-field="key" value={(*key).clone()} onchange={bind(&key)} size="4" aria-label="key" />
                if *op == "cas" {
                    <input data-field="from" value={(*from).clone()} onchange={bind(&from)} size="3" aria-label="expected value" />
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
                    <input data-field="value" value={(*value).clone()} onchange={bind(&value)} size="3" aria-label="value" />
                }
                <select data-field="server" onchange={bind(&server)} aria-label="server">
                    <option value="auto">{"any server"}</option>
                    { for (1..=props.servers).map(|n| html! { <option value={n.to_string()}>{format!("S{n}")}</option> }) }
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
