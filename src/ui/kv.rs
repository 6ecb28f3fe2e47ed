//! Per-server key-value tables: what each replica has applied. A value that differs from the
//! leader's is highlighted (normal while it catches up; the checks flag real divergence).

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use quorum_cluster::view::NodeView;
use quorum_service::server::Role;

/// Properties of [`KvTables`].
#[derive(Properties, PartialEq)]
pub struct KvTablesProps {
    /// The servers (without their fast-changing timers).
    pub nodes: Rc<Vec<NodeView>>,
    /// What changed since the last step, skip or start of play, while paused.
    #[prop_or_default]
    pub diff: Option<Rc<crate::step_diff::StepDiff>>,
}

/// One row per server, one column per key.
#[component]
pub fn KvTables(props: &KvTablesProps) -> Html {
    let nodes = &props.nodes;
    let keys: BTreeSet<&String> = nodes
        .iter()
        .flat_map(|n| n.kv.iter().map(|(k, _)| k))
        .collect();
    let leader = nodes.iter().find(|n| n.up && n.role == Role::Leader);
    let rows = nodes.iter().map(|n| {
        let cells = keys.iter().map(|k| {
            let v = n.kv.iter().find(|(key, _)| key == *k).map(|(_, v)| *v);
            let lv = leader.and_then(|l| l.kv.iter().find(|(key, _)| key == *k).map(|(_, v)| *v));
            let behind = leader.is_some() && v != lv;
            let changed = props.diff.as_ref().is_some_and(|d| d.kv.contains(&(n.id, (*k).clone())));
            html! {
                <td class={classes!(behind.then_some("behind"), changed.then_some("changed"))}>{ v.map_or("—".to_string(), |v| v.to_string()) }</td>
            }
        });
        html! {
            <tr class={classes!((!n.up).then_some("down"))} data-kv={n.label.clone()}>
                <th>{n.label.clone()}<span class="applied">{format!(" a{}", n.applied_index)}</span></th>
                { for cells }
            </tr>
        }
    });
    html! {
        <section class="panel kv" aria-label="Key-value state per server">
            <h2>{"Key-value state"}</h2>
            if keys.is_empty() {
                <p class="hint">{"No key written yet."}</p>
            } else {
                <table class="kv-table">
                    <tr><th><span class="sr-only">{"server"}</span></th>{ for keys.iter().map(|k| html! { <th>{(*k).clone()}</th> }) }</tr>
                    { for rows }
                </table>
            }
        </section>
    }
}
