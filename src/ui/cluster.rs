//! The cluster diagram: servers on a ring with the links between them, drawn in SVG.

use yew::prelude::*;

use crate::layout::{ring_position, SERVER_RADIUS, VIEW_SIZE};
use crate::sim::{server_label, NodeId};

/// Properties of [`ClusterDiagram`].
#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    /// How many servers to draw.
    pub servers: usize,
}

/// Servers on a ring, S1 at the top, with a link between every pair.
#[component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let n = props.servers;
    let positions: Vec<_> = (0..n).map(|i| ring_position(i, n)).collect();
    let mut links = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            let (p, q) = (positions[a], positions[b]);
            links.push(html! {
                <line class="link" x1={p.x.to_string()} y1={p.y.to_string()}
                      x2={q.x.to_string()} y2={q.y.to_string()} />
            });
        }
    }
    let servers = positions.iter().enumerate().map(|(i, p)| {
        let label = server_label(i as NodeId + 1);
        html! {
            <g class="server" data-server={label.clone()}
               transform={format!("translate({:.2},{:.2})", p.x, p.y)}>
                <circle class="server-body" r={SERVER_RADIUS.to_string()} />
                <text class="server-label" y="5">{label}</text>
            </g>
        }
    });
    html! {
        <svg class="cluster" viewBox={format!("0 0 {VIEW_SIZE} {VIEW_SIZE}")}
             role="img" aria-label={format!("{n} servers on a ring")}>
            <g class="links">{ for links }</g>
            <g class="servers">{ for servers }</g>
        </svg>
    }
}
