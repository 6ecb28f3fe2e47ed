//! The tabbed control panels: chaos (partitions, loss, latency), timing (timeouts, no-op,
//! spread/align timers), client (the generated load; put/get/delete/cas by hand), balancer
//! (strategy, weights), cluster (size, membership, scenario files) and compare (Raft against
//! Multi-Paxos on the same run). One file per tab; this one
//! holds the tab strip and the small field helpers the tabs share.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::state::{LabAction, Tab};
use crate::form::NumberRule;
use quorum_cluster::config::{
    NetworkConfig, PaxosOptions, ProtocolKind, RaftOptions, ReadMode, Timing,
};
use quorum_cluster::message::ReadConsistency;
use quorum_cluster::view::{BalancerView, ClientView};
use quorum_cluster::{Action, ClusterConfig, NodeId};
use quorum_core::time::MS;
use quorum_service::kv::KvOp;
use quorum_traffic::balancer::Strategy;
use quorum_traffic::client::{
    HistoryOp, KeyDistribution, LoadMode, OpKind, Status, WorkloadConfig,
};

mod balancer;
mod chaos;
mod client;
mod cluster;
mod compare;
mod faults;
mod field;
mod timing;

use balancer::balancer;
use chaos::chaos;
use client::{load_fields, ClientPanel};
use cluster::cluster;
use compare::compare;
use timing::timing;

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
    /// The latest side-by-side run of both protocols.
    pub comparison: Option<Rc<quorum_scenario::Comparison>>,
    /// Faults on one message kind in force.
    pub message_faults: Rc<Vec<quorum_core::network::MessageFault>>,
    /// The tab open.
    pub tab: Tab,
    /// Where actions go.
    pub dispatch: Callback<LabAction>,
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

/// A number field people can type into (see [`field::NumberField`]) that sends `make(value)`
/// once a value passes `rule`.
fn number(
    rule: NumberRule,
    name: &str,
    value: f64,
    dispatch: &Callback<LabAction>,
    make: impl Fn(f64) -> Action + 'static,
) -> Html {
    let d = dispatch.clone();
    let on_value = Callback::from(move |v: f64| d.emit(LabAction::Sim(make(v))));
    html! { <field::NumberField {rule} name={name.to_string()} {value} {on_value} /> }
}

fn action_button(label: &str, data: &str, d: &Callback<LabAction>, action: LabAction) -> Html {
    let d = d.clone();
    let onclick = Callback::from(move |_| d.emit(action.clone()));
    html! { <button class="btn" data-action={data.to_string()} {onclick}>{label.to_string()}</button> }
}

/// The panels.
#[component]
pub fn Panels(props: &PanelsProps) -> Html {
    let tab = props.tab;
    let tabs = Tab::ALL.map(|t| (t, t.label()));
    // A tablist (WAI-ARIA tabs pattern): one tab stop, arrow keys, Home and End move between
    // tabs and select them, focus following.
    let position = tabs.iter().position(|(t, _)| *t == tab).unwrap_or(0);
    let onkeydown = {
        let d = props.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let last = tabs.len() - 1;
            let next = match e.key().as_str() {
                "ArrowRight" => (position + 1) % tabs.len(),
                "ArrowLeft" => (position + last) % tabs.len(),
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            e.prevent_default();
            d.emit(LabAction::SelectTab(tabs[next].0));
            let id = format!("tab-{}", tabs[next].1.to_lowercase());
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&id))
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        })
    };
    let header = tabs.iter().map(|(t, label)| {
        let d = props.dispatch.clone();
        let t = *t;
        let onclick = Callback::from(move |_| d.emit(LabAction::SelectTab(t)));
        let selected = tab == t;
        let name = label.to_lowercase();
        html! {
            <button class={classes!("tab", selected.then_some("active"))} data-tab={name.clone()}
                    id={format!("tab-{name}")} role="tab" aria-selected={selected.to_string()}
                    aria-controls="tab-panel" tabindex={if selected { "0" } else { "-1" }} {onclick}>
                {*label}
            </button>
        }
    });
    let current = tabs[position].1.to_lowercase();
    let body = match tab {
        Tab::Chaos => chaos(props),
        Tab::Timing => timing(props),
        Tab::Client => {
            html! {
                <>
                { load_fields(props) }
                <ClientPanel recent={props.recent.clone()} clients={props.clients.clone()}
                             members={Rc::new(props.voters.iter().chain(props.learners.iter()).copied().collect::<Vec<_>>())}
                             through_balancer={props.balancer.is_some()} dispatch={props.dispatch.clone()} />
                </>
            }
        }
        Tab::Balancer => balancer(props),
        Tab::Cluster => cluster(props),
        Tab::Compare => compare(props),
    };
    html! {
        <section class="panel panels" aria-label="Controls">
            <div class="tabs" role="tablist" aria-label="Control tabs" {onkeydown}>{ for header }</div>
            <div class="tab-body" role="tabpanel" id="tab-panel" aria-labelledby={format!("tab-{current}")}
                 tabindex="0">{body}</div>
        </section>
    }
}
