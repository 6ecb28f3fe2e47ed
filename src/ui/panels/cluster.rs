//! The cluster tab: cluster size and options, membership changes, scenario files.

use super::*;
use crate::ui::state::Export;

pub(super) fn cluster(props: &PanelsProps) -> Html {
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
                crate::ui::files::read_chosen(&input, move |text| {
                    d.emit(LabAction::LoadScenario(text))
                });
            }
        })
    };
    let preset = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let id = value_of(&e);
            if let Some(p) = quorum_scenario::presets().iter().find(|p| p.id == id) {
                d.emit(LabAction::LoadScenario(p.json.to_string()));
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
            <p class="hint">{format!("Seed {} · the address holds this whole run: Copy link (top bar) to share it, exactly, at this instant.", props.config.seed)}</p>
            <div class="button-row">
                { action_button("Download history", "export-history", d, LabAction::Download(Export::History)) }
                { action_button("Download scenario", "export-scenario", d, LabAction::Download(Export::Scenario)) }
                <select class="btn" data-field="preset" onchange={preset} title="Load one of the scenarios that come with the page">
                    <option value="" selected=true>{"Preset scenario…"}</option>
                    { for preset_names().iter().map(|(id, name)| html! {
                        <option value={*id}>{name.clone()}</option>
                    }) }
                </select>
                <label class="btn file" title="Load a scenario file (the page's own exports or the presets in scenarios/)">
                    {"Load scenario…"}
                    <input type="file" accept=".json,application/json" data-field="load-scenario" onchange={load} />
                </label>
            </div>
        </div>
    }
}

/// Every preset's id and display name (its scenario name, else its file stem), parsed once.
fn preset_names() -> &'static [(&'static str, String)] {
    static NAMES: std::sync::OnceLock<Vec<(&'static str, String)>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        quorum_scenario::presets()
            .iter()
            .map(|p| {
                let name = quorum_scenario::parse_scenario(p.json)
                    .map(|s| s.name)
                    .ok()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| p.id.to_string());
                (p.id, name)
            })
            .collect()
    })
}
