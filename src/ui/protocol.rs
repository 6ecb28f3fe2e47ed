//! The protocol switch in the top bar: Raft or Multi-Paxos on the same cluster, workload, faults
//! and seed (the run so far is replayed under the other protocol).

use yew::prelude::*;

use super::state::LabAction;
use quorum_cluster::config::ProtocolKind;

/// Properties of [`ProtocolSwitch`].
#[derive(Properties, PartialEq)]
pub struct ProtocolSwitchProps {
    /// The protocol running.
    pub protocol: ProtocolKind,
    /// Where the switch goes.
    pub dispatch: Callback<LabAction>,
}

/// Two buttons, the running protocol pressed.
#[component]
pub fn ProtocolSwitch(props: &ProtocolSwitchProps) -> Html {
    let option = |kind: ProtocolKind| {
        let d = props.dispatch.clone();
        let onclick = Callback::from(move |_| d.emit(LabAction::SwitchProtocol(kind)));
        let on = props.protocol == kind;
        let key = match kind {
            ProtocolKind::Raft => "raft",
            ProtocolKind::MultiPaxos => "multi_paxos",
        };
        html! {
            <button class={classes!("seg", on.then_some("on"))} aria-pressed={on.to_string()}
                    data-protocol={key} {onclick}
                    title="Replay this run — same servers, workload, faults and seed — under this protocol">
                {kind.label()}
            </button>
        }
    };
    html! {
        <div class="protocol-switch" role="group" aria-label="Protocol">
            { option(ProtocolKind::Raft) }
            { option(ProtocolKind::MultiPaxos) }
        </div>
    }
}
