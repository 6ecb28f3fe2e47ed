//! The application shell: header, the cluster canvas, the side panel and the footer.

use yew::prelude::*;

use super::cluster::ClusterDiagram;
use crate::sim::{server_label, ClusterConfig};

/// The whole page.
#[component]
pub fn App() -> Html {
    let config = use_state(ClusterConfig::default);
    html! {
        <div class="app">
            <header class="topbar">
                <h1 class="brand">{"Quorum Lab"}</h1>
                <p class="tagline">{"See and break distributed consensus, live in your browser."}</p>
            </header>
            <main class="workspace">
                <section class="canvas" aria-label="Cluster diagram">
                    <ClusterDiagram servers={config.servers} />
                </section>
                <aside class="side-panel" aria-label="Cluster settings">
                    <ConfigSummary config={(*config).clone()} />
                </aside>
            </main>
            <footer class="footer">
                {format!("Quorum Lab v{}", crate::VERSION)}
                <span class="footer-sep">{"·"}</span>
                {"runs entirely in this tab, works offline"}
            </footer>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ConfigSummaryProps {
    config: ClusterConfig,
}

/// The configuration the diagram was built from, in plain words.
#[component]
fn ConfigSummary(props: &ConfigSummaryProps) -> Html {
    let c = &props.config;
    let names: Vec<String> = c.server_ids().map(server_label).collect();
    let rows = [
        ("Protocol", "Raft".to_string()),
        ("Servers", format!("{} ({})", c.servers, names.join(", "))),
        ("Seed", c.seed.to_string()),
        (
            "Election timeout",
            format!(
                "{}–{} ms",
                c.timing.election_timeout_min_ms, c.timing.election_timeout_max_ms
            ),
        ),
        (
            "Heartbeat",
            format!("every {} ms", c.timing.heartbeat_interval_ms),
        ),
        (
            "Latency",
            format!(
                "{}–{} ms one way",
                c.network.latency_min_ms, c.network.latency_max_ms
            ),
        ),
        ("Loss", format!("{:.0} %", c.network.loss * 100.0)),
    ];
    html! {
        <section class="panel">
            <h2>{"Cluster"}</h2>
            <dl class="facts">
                { for rows.into_iter().map(|(k, v)| html! {
                    <>
                        <dt>{k}</dt>
                        <dd>{v}</dd>
                    </>
                }) }
            </dl>
        </section>
    }
}
