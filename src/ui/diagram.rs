//! The cluster diagram: servers on a ring (term colour, term number, election-timer arc, vote
//! dots, crashed grey), links (cut ones drawn cut), messages moving along links at positions
//! interpolated from their send and delivery times, lost messages bursting where they died, and
//! the clients below the ring.

use std::rc::Rc;

use yew::prelude::*;

use super::state::{LabAction, MessageFilter, Selection};
use crate::layout::{
    balancer_position, client_position, drawn_progress, flight_progress, glyph_path, glyph_shape,
    lerp, message_color, ring_position, term_color, term_text_color, Point, SERVER_RADIUS,
};
use quorum_cluster::config::ProtocolKind;
use quorum_cluster::message::{Addr, MessageKind};
use quorum_cluster::view::{MemberStatus, MessageView, NodeView, View};
use quorum_core::time::{format_time, Time};
use quorum_service::server::{Role, TimerKind};

/// Properties of [`Diagram`].
#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    /// The picture to draw.
    pub view: Rc<View>,
    /// What is selected.
    pub selection: Selection,
    /// Virtual time a lost message's burst stays visible.
    pub burst: Time,
    /// Where clicks go.
    pub dispatch: Callback<LabAction>,
    /// Which messages to draw.
    #[prop_or(MessageFilter::All)]
    pub filter: MessageFilter,
    /// Messages step instead of gliding (the system asks for reduced motion).
    #[prop_or_else(reduced_motion)]
    pub reduced_motion: bool,
    /// The selected message once it has left the network (delivered or lost), drawn as a
    /// trail from its sender to where its journey ended.
    #[prop_or_default]
    pub departed: Option<Rc<Departed>>,
    /// Server labels and message kinds an open lesson step points at.
    #[prop_or_default]
    pub highlight: Rc<Vec<String>>,
}

/// A selected message no longer in flight, as the ring draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct Departed {
    /// The message as sent.
    pub message: MessageView,
    /// When its journey ended and how.
    pub end: Option<(Time, quorum_cluster::trace::Fate)>,
}

/// The trail of a selected message that has left the network: a dashed line from sender to
/// receiver (or to where it died, ending in ✕), labelled with what happened.
fn departed_trail(view: &View, d: &Departed) -> Html {
    use quorum_cluster::trace::Fate;
    let m = &d.message;
    let from = position(view, m.from);
    let to = position(view, m.to);
    let (end, fate) = match d.end {
        Some((at, Fate::Delivered)) => (to, format!("delivered at {}", format_time(at))),
        Some((at, Fate::Lost { cause })) => (
            lerp(from, to, flight_progress(m.sent_at, m.deliver_at, at)),
            format!("{} at {}", cause.describe(), format_time(at)),
        ),
        None => (to, "on its way".to_string()),
    };
    let lost = matches!(d.end, Some((_, Fate::Lost { .. })));
    let ((x0, y0), (x1, y1)) = (fmt(from), fmt(end));
    let (mx, my) = fmt(lerp(from, end, 0.5));
    let text = format!("#{} {} · {fate}", m.id, m.kind);
    html! {
        <g class="departed" data-departed={m.id.to_string()}>
            <title>{format!("{text}: {}", m.summary)}</title>
            <line x1={x0} y1={y0} x2={x1.clone()} y2={y1.clone()} stroke={message_color(m.kind)} />
            if lost {
                <path class="departed-lost" transform={format!("translate({x1},{y1})")} d="M-7,-7 L7,7 M-7,7 L7,-7" />
            } else {
                <circle cx={x1} cy={y1} r="5" fill={message_color(m.kind)} />
            }
            <text x={mx} y={my} dy="-8">{text}</text>
        </g>
    }
}

/// What the keyboard can reach in the diagram, in the order the arrow keys visit it: servers,
/// then links, then messages in flight.
fn reachable(view: &View, filter: MessageFilter, selection: Selection) -> Vec<Selection> {
    let n = view.nodes.len() as u32;
    let servers = view.nodes.iter().map(|node| Selection::Node(node.id));
    let links = (1..=n).flat_map(|a| (a + 1..=n).map(move |b| Selection::Link(a, b)));
    let messages = view
        .messages
        .iter()
        .filter(|m| m.dies_at.is_none_or(|d| d > view.now))
        .filter(|m| shown(m, filter, selection))
        .map(|m| Selection::Message(m.id));
    servers.chain(links).chain(messages).collect()
}

/// Whether `filter` keeps message `m`, given what is selected.
pub fn shown(m: &MessageView, filter: MessageFilter, selection: Selection) -> bool {
    match (filter, selection) {
        (MessageFilter::All, _) => true,
        (MessageFilter::SelectedServer, selected) => selected
            .server()
            .is_none_or(|id| m.from == Addr::Server(id) || m.to == Addr::Server(id)),
        (MessageFilter::NoHeartbeats, _) => !matches!(
            m.kind,
            MessageKind::Heartbeat
                | MessageKind::PaxosHeartbeat
                | MessageKind::PaxosHeartbeatAck
                | MessageKind::HealthCheck
                | MessageKind::HealthReply
        ),
    }
}

/// The element id of a reachable thing, for `aria-activedescendant`.
fn item_id(target: Selection) -> String {
    match target {
        Selection::Node(id) => format!("dg-s{id}"),
        Selection::Link(a, b) => format!("dg-l{a}-{b}"),
        Selection::Message(id) => format!("dg-m{id}"),
        Selection::None | Selection::Event(_) => String::new(),
    }
}

/// A server's accessible name, e.g. "S3, leader, term 4, commit index 17".
fn server_name(node: &NodeView) -> String {
    let role = if node.up {
        node.role_label.as_str()
    } else {
        "crashed"
    };
    let mut name = match &node.paxos {
        Some(p) => format!(
            "{}, {role}, promised ballot {}, chosen up to slot {}",
            node.label, p.promised, node.commit_index
        ),
        None => format!(
            "{}, {role}, term {}, commit index {}",
            node.label, node.term, node.commit_index
        ),
    };
    if node.member != MemberStatus::Voter {
        name.push_str(&format!(", {}", node.member.label()));
    }
    if node.paused && node.up {
        name.push_str(", paused");
    }
    name
}

fn fmt(p: Point) -> (String, String) {
    (format!("{:.1}", p.x), format!("{:.1}", p.y))
}

/// Where an endpoint is drawn.
fn position(view: &View, addr: Addr) -> Point {
    match addr {
        Addr::Server(id) => ring_position(id.saturating_sub(1) as usize, view.nodes.len()),
        Addr::Client(c) => {
            let index = view
                .clients
                .iter()
                .position(|cl| cl.label == format!("C{c}"))
                .unwrap_or(0);
            client_position(index, view.clients.len())
        }
        Addr::Balancer => balancer_position(),
    }
}

/// The address of a client drawn as `C3`.
fn client_addr(label: &str) -> Option<Addr> {
    label
        .strip_prefix('C')
        .and_then(|n| n.parse().ok())
        .map(Addr::Client)
}

/// The servers a client (or the balancer) is cut off from, as `S2` labels.
fn cut_off_from(view: &View, end: Option<Addr>) -> Vec<String> {
    let Some(end) = end else {
        return Vec::new();
    };
    view.cut_links
        .iter()
        .filter_map(|(a, b)| match (*a, *b) {
            (a, Addr::Server(s)) if a == end => Some(format!("S{s}")),
            _ => None,
        })
        .collect()
}

fn cut_note(servers: &[String]) -> String {
    if servers.is_empty() {
        String::new()
    } else {
        format!("; cut off from {}", servers.join(", "))
    }
}

fn is_cut(view: &View, from: u32, to: u32) -> bool {
    view.cut_links
        .iter()
        .any(|(a, b)| *a == Addr::Server(from) && *b == Addr::Server(to))
}

/// The cluster as an SVG picture.
#[component]
pub fn Diagram(props: &DiagramProps) -> Html {
    let view = &props.view;
    let focus = use_state(|| Selection::None);
    let n = view.nodes.len();
    let mut links = Vec::new();
    for a in 1..=n as u32 {
        for b in a + 1..=n as u32 {
            links.push(link(view, a, b, props, *focus));
        }
    }
    let clients = view.clients.iter().enumerate().map(|(i, c)| {
        let (x, y) = fmt(client_position(i, view.clients.len()));
        let class = classes!("client", c.manual.then_some("manual"), c.outstanding.as_ref().map(|_| "busy"));
        let cut_from = cut_off_from(view, client_addr(&c.label));
        let class = classes!(class, (!cut_from.is_empty()).then_some("cut-off"));
        html! {
            <g class={class} transform={format!("translate({x},{y})")} data-client={c.label.clone()}>
                <title>{format!("{} (client {}){}{}", c.label, c.session,
                    c.outstanding.as_ref().map(|o| format!(": waiting on {o}")).unwrap_or_default(),
                    cut_note(&cut_from))}</title>
                <rect x="-21" y="-15" width="42" height="30" rx="6" />
                <text y="6">{c.label.clone()}</text>
                if !cut_from.is_empty() {
                    <text class="cut-note" y="36">{format!("✂ {}", cut_from.join(" "))}</text>
                }
            </g>
        }
    });
    // A message whose death time has come is gone, even before the engine removes it.
    let messages = view
        .messages
        .iter()
        .filter(|m| m.dies_at.is_none_or(|d| d > view.now))
        .filter(|m| shown(m, props.filter, props.selection))
        .map(|m| message(view, m, props, *focus));
    let bursts = view
        .losses
        .iter()
        .filter(|l| view.now >= l.died_at && view.now - l.died_at < props.burst)
        .map(|l| {
            let from = position(view, l.from);
            let to = position(view, l.to);
            let at = lerp(from, to, flight_progress(l.sent_at, l.deliver_at, l.died_at));
            let (x, y) = fmt(at);
            let fade = 1.0 - (view.now - l.died_at) as f64 / props.burst.max(1) as f64;
            html! {
                <g class="burst" transform={format!("translate({x},{y})")} opacity={format!("{fade:.2}")}>
                    <title>{format!("{} {} here", l.kind, l.cause.describe())}</title>
                    <path d="M-7,-7 L7,7 M-7,7 L7,-7" />
                    <circle r="11" />
                </g>
            }
        });
    // One tab stop: the diagram itself; arrow keys move among servers, links and messages
    // (`aria-activedescendant`), Enter or Space inspects the one reached.
    let targets = reachable(view, props.filter, props.selection);
    let current = targets
        .iter()
        .position(|t| *t == *focus)
        .or_else(|| targets.iter().position(|t| *t == props.selection))
        .unwrap_or(0);
    let onkeydown = {
        let (focus, targets, dispatch) = (focus.clone(), targets.clone(), props.dispatch.clone());
        Callback::from(move |e: KeyboardEvent| {
            if targets.is_empty() {
                return;
            }
            let last = targets.len() - 1;
            let next = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => (current + 1).min(last),
                "ArrowLeft" | "ArrowUp" => current.saturating_sub(1),
                "Home" => 0,
                "End" => last,
                "Enter" | " " => {
                    e.prevent_default();
                    e.stop_propagation();
                    dispatch.emit(LabAction::Select(targets[current]));
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            focus.set(targets[next]);
        })
    };
    let active = targets.get(current).copied().unwrap_or(Selection::None);
    let servers = view
        .nodes
        .iter()
        .map(|node| server(view, node, props, active));
    html! {
        <>
        <svg class="cluster" viewBox="-190 -10 800 630" role="listbox" tabindex="0"
             aria-label={format!("Cluster diagram: {n} servers on a ring, their links and the messages in flight. Arrow keys move, Enter inspects.")}
             aria-activedescendant={item_id(active)} {onkeydown}>
            <g class="links">{ for links }</g>
            // Messages pass under the servers, so a glyph never hides a term or ballot number.
            <g class="messages">{ for messages }</g>
            if let Some(d) = &props.departed {
                { departed_trail(view, d) }
            }
            <g class="servers">{ for servers }</g>
            <g class="clients">{ for clients }</g>
            { balancer(view) }
            <g class="bursts">{ for bursts }</g>
        </svg>
        <Legend protocol={view.protocol} />
        </>
    }
}

fn link(view: &View, a: u32, b: u32, props: &DiagramProps, focus: Selection) -> Html {
    let pa = ring_position(a as usize - 1, view.nodes.len());
    let pb = ring_position(b as usize - 1, view.nodes.len());
    let (ab, ba) = (is_cut(view, a, b), is_cut(view, b, a));
    let selected = props.selection == Selection::Link(a, b);
    let class = classes!(
        "link",
        (ab && ba).then_some("cut"),
        (ab != ba).then_some("half-cut"),
        selected.then_some("selected")
    );
    let (x1, y1) = fmt(pa);
    let (x2, y2) = fmt(pb);
    let dispatch = props.dispatch.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        dispatch.emit(LabAction::Select(Selection::Link(a, b)));
        // Click cuts or restores both directions; shift: only a→b; alt: only b→a.
        let toggle = |from, to, cut: bool| {
            if cut {
                quorum_cluster::Action::RestoreLink { from, to }
            } else {
                quorum_cluster::Action::CutLink { from, to }
            }
        };
        if e.shift_key() {
            dispatch.emit(LabAction::Sim(toggle(a, b, ab)));
        } else if e.alt_key() {
            dispatch.emit(LabAction::Sim(toggle(b, a, ba)));
        } else {
            let cut_now = ab && ba;
            dispatch.emit(LabAction::Sim(toggle(a, b, cut_now)));
            dispatch.emit(LabAction::Sim(toggle(b, a, cut_now)));
        }
    });
    // Each cut direction is marked on its own, nearer its receiver: an arrowhead pointing at a
    // bar, "messages to S{to} stop here" — a one-way cut reads as one-way, and the mark is
    // unlike the ✕ of a lost message.
    let marks = [(ab, a, b), (ba, b, a)]
        .into_iter()
        .filter(|(cut, _, _)| *cut)
        .map(|(_, from, to)| {
            let pf = ring_position(from as usize - 1, view.nodes.len());
            let pt = ring_position(to as usize - 1, view.nodes.len());
            let (x, y) = fmt(lerp(pf, pt, 0.62));
            let angle = (pt.y - pf.y).atan2(pt.x - pf.x).to_degrees();
            html! {
                <g class="cut-mark" data-cut={format!("S{from}-S{to}")}
                   transform={format!("translate({x},{y}) rotate({angle:.1})")}>
                    <title>{format!("S{from} → S{to} is cut: messages to S{to} stop here")}</title>
                    <path d="M-12,-6 L-3,0 L-12,6 M3,-8 L3,8" />
                </g>
            }
        });
    html! {
        <g class={classes!(class, (focus == Selection::Link(a, b)).then_some("kbd-focus"))}
           data-link={format!("S{a}-S{b}")} {onclick} id={item_id(Selection::Link(a, b))} role="option"
           aria-selected={selected.to_string()}
           aria-label={format!("link S{a} – S{b}: {}", match (ab, ba) {
               (true, true) => "cut both ways".to_string(),
               (true, false) => format!("S{a} → S{b} cut"),
               (false, true) => format!("S{b} → S{a} cut"),
               (false, false) => "up".to_string(),
           })}>
            <title>{format!("link S{a} – S{b}: click to cut or restore (shift: S{a}→S{b} only, alt: S{b}→S{a} only)")}</title>
            <line class="link-hit" x1={x1.clone()} y1={y1.clone()} x2={x2.clone()} y2={y2.clone()} />
            <line class="link-line" {x1} {y1} {x2} {y2} />
            { for marks }
        </g>
    }
}

fn server(view: &View, node: &NodeView, props: &DiagramProps, active: Selection) -> Html {
    let p = ring_position(node.id as usize - 1, view.nodes.len());
    let (x, y) = fmt(p);
    let id = node.id;
    let dispatch = props.dispatch.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        dispatch.emit(LabAction::Select(Selection::Node(id)));
    });
    let fill = if node.up {
        term_color(node.term)
    } else {
        "#9aa3ad"
    };
    let text_fill = if node.up {
        term_text_color(node.term)
    } else {
        "#ffffff"
    };
    let role = if !node.up {
        "crashed".to_string()
    } else {
        node.role_label.clone()
    };
    // Raft shows the term in the middle; Multi-Paxos the ballot the acceptor promised.
    let (center, center_class) = match &node.paxos {
        Some(p) => (p.promised.clone(), "server-term ballot"),
        None => (node.term.to_string(), "server-term"),
    };
    let ballot = node.paxos.as_ref().map(|p| p.promised.clone());
    let class = classes!(
        "server",
        format!("role-{role}"),
        format!("member-{}", node.member.label()),
        (node.paused && node.up).then_some("paused"),
        (props.selection.server() == Some(id)).then_some("selected"),
        (props.highlight.contains(&node.label)
            || props.highlight.contains(&format!("term {}", node.term)))
        .then_some("lesson-mark"),
        (active == Selection::Node(id)).then_some("kbd-focus")
    );
    let paused_note = if node.paused && node.up {
        format!("; paused, {} waiting", node.stalled)
    } else {
        String::new()
    };
    let labels_note = if node.labels.is_empty() {
        String::new()
    } else {
        format!("; labelled {}", node.labels.join(", "))
    };
    // The election timer drains around the server (RaftScope's arc).
    let timer = node
        .timers
        .iter()
        .find(|t| t.kind == TimerKind::Election)
        .map(|t| {
            let total = t.deadline.saturating_sub(t.set_at).max(1) as f64;
            let left = (t.deadline.saturating_sub(view.now) as f64 / total).clamp(0.0, 1.0);
            html! {
                <circle class="timer-arc" r={(SERVER_RADIUS + 7.0).to_string()} pathLength="1"
                        stroke-dasharray={format!("{left:.3} 1")} transform="rotate(-90)" />
            }
        });
    let votes = (matches!(node.role, Role::Candidate | Role::PreCandidate) && node.up).then(|| {
        let peers: Vec<u32> = view.nodes.iter().map(|n| n.id).filter(|&i| i != id).collect();
        let count = peers.len().max(1) as f64;
        html! {
            <g class="votes">
                { for peers.iter().enumerate().map(|(i, peer)| {
                    let angle = std::f64::consts::PI * (0.15 + 0.7 * i as f64 / (count - 1.0).max(1.0));
                    let (dx, dy) = (18.0 * angle.cos() - 0.0, 18.0 * angle.sin() + 8.0);
                    let granted = node.votes.contains(peer);
                    let what = if node.paxos.is_some() { "promise" } else { "vote" };
                    html! {
                        <circle class={classes!("vote", granted.then_some("granted"))}
                                cx={format!("{dx:.1}")} cy={format!("{dy:.1}")} r="4">
                            <title>{format!("{what} from S{peer}: {}", if granted { "granted" } else { "not yet" })}</title>
                        </circle>
                    }
                }) }
            </g>
        }
    });
    let label_y = -(SERVER_RADIUS + 14.0);
    html! {
        <g {class} data-server={node.label.clone()} data-role={role.clone()} data-member={node.member.label()}

           data-term={node.term.to_string()} data-ballot={ballot}
           transform={format!("translate({x},{y})")} {onclick}>
            <title>{ match &node.paxos {
                Some(p) => format!("{}: {role}, promised ballot {}{}, chosen up to slot {}, {} slots{paused_note}{labels_note}",
                    node.label, p.promised,
                    p.ballot.as_ref().map(|b| format!(", own ballot {b}")).unwrap_or_default(),
                    node.commit_index, node.last_index),
                None => format!("{}: {role}, term {}, commit {}, log {}{paused_note}{labels_note}", node.label, node.term, node.commit_index, node.last_index),
            } }</title>
            <circle class="timer-track" r={(SERVER_RADIUS + 7.0).to_string()} />
            { for timer }
            // The diagram's keyboard stop reaches the server through its body, which carries
            // the name (the drawn texts beside it stay out of the name: they are its picture).
            <circle class="server-body" r={SERVER_RADIUS.to_string()} fill={fill}
                    id={item_id(Selection::Node(id))} role="option" aria-label={server_name(node)}
                    aria-selected={(props.selection == Selection::Node(id)).to_string()} />
            <text class={center_class} y="9" fill={text_fill} aria-hidden="true">{center}</text>
            <text class="server-label" y={format!("{label_y:.0}")} aria-hidden="true">{node.label.clone()}</text>
            <text class="server-role" y={format!("{:.0}", SERVER_RADIUS + 22.0)} aria-hidden="true">
                { match (node.member == MemberStatus::Voter, node.paused && node.up) {
                    (true, false) => role.to_string(),
                    (true, true) => format!("{role} · paused"),
                    (false, false) => format!("{role} · {}", node.member.label()),
                    (false, true) => format!("{role} · {} · paused", node.member.label()),
                } }
            </text>
            { for votes }
            if node.paused && node.up {
                <g class="paused-badge" transform={format!("translate({:.0},{:.0})", SERVER_RADIUS * 0.8, -SERVER_RADIUS * 0.8)}>
                    <circle r="12" />
                    // Two bars, drawn: the pause sign is missing from many fonts.
                    <rect x="-5" y="-6" width="3.5" height="12" />
                    <rect x="1.5" y="-6" width="3.5" height="12" />
                </g>
            }
        </g>
    }
}

/// True when the person asked their system for less motion.
fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|q| q.matches())
}

fn message(view: &View, m: &MessageView, props: &DiagramProps, focus: Selection) -> Html {
    let from = position(view, m.from);
    let to = position(view, m.to);
    let progress = drawn_progress(
        flight_progress(m.sent_at, m.deliver_at, view.now),
        props.reduced_motion,
    );
    let (x, y) = fmt(lerp(from, to, progress));
    let id = m.id;
    let dispatch = props.dispatch.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        dispatch.emit(LabAction::Select(Selection::Message(id)));
    });
    let color = message_color(m.kind);
    let r = match m.kind {
        MessageKind::Heartbeat | MessageKind::PaxosHeartbeat | MessageKind::PaxosHeartbeatAck => {
            5.0
        }
        MessageKind::InstallSnapshot => 10.0,
        MessageKind::HealthCheck | MessageKind::HealthReply => 3.5,
        _ => 7.5,
    };
    let class = classes!(
        "message",
        m.is_reply.then_some("reply"),
        m.dies_at.is_some().then_some("doomed"),
        (props.selection == Selection::Message(id)).then_some("selected"),
        (focus == Selection::Message(id)).then_some("kbd-focus"),
        props
            .highlight
            .iter()
            .any(|h| h == m.kind.label())
            .then_some("lesson-mark")
    );
    let sign = match m.success {
        Some(true) => "+",
        Some(false) => "−",
        None => "",
    };
    let (fill, stroke) = if m.is_reply {
        ("var(--surface)", color)
    } else {
        (color, color)
    };
    html! {
        <g {class} data-message={id.to_string()} data-kind={m.kind.label()}
           transform={format!("translate({x},{y})")} {onclick}
           id={item_id(Selection::Message(id))} role="option"
           aria-selected={(props.selection == Selection::Message(id)).to_string()}
           aria-label={format!("message #{id}, {} from {} to {}: {}", m.kind, m.from.label(), m.to.label(), m.summary)}>
            <title>{format!("#{id} {} {} → {}: {}", m.kind, m.from.label(), m.to.label(), m.summary)}</title>
            { match glyph_path(glyph_shape(m.kind), r) {
                Some(d) => html! { <path {d} fill={fill} stroke={stroke} /> },
                None => html! { <circle r={r.to_string()} fill={fill} stroke={stroke} /> },
            } }
            if !sign.is_empty() {
                <text class="message-sign" y="4" fill={color}>{sign}</text>
            }
        </g>
    }
}

/// The load balancer, with its strategy and the requests it has in flight.
fn balancer(view: &View) -> Html {
    let Some(lb) = &view.balancer else {
        return html! {};
    };
    let (x, y) = fmt(balancer_position());
    let down: Vec<String> = lb
        .backends
        .iter()
        .filter(|b| !b.healthy)
        .map(|b| format!("S{}", b.id))
        .collect();
    let cut_from = cut_off_from(view, Some(Addr::Balancer));
    html! {
        <g class={classes!("balancer", lb.stale_reads.then_some("stale"), (!cut_from.is_empty()).then_some("cut-off"))}
           transform={format!("translate({x},{y})")} data-strategy={lb.strategy.label()}>
            <title>{format!("load balancer: {}{}; {} requests in flight{}{}", lb.strategy.label(),
                if lb.stale_reads { ", stale reads" } else { "" }, lb.in_flight,
                if down.is_empty() { String::new() } else { format!("; out of rotation: {}", down.join(", ")) },
                cut_note(&cut_from))}</title>
            <rect x="-44" y="-46" width="88" height="92" rx="8" />
            <text class="lb-name" y="-20">{"LB"}</text>
            <text class="lb-strategy" y="6">{lb.strategy.short_label()}</text>
            <text class="lb-load" y="32">{format!("{} req", lb.in_flight)}</text>
            if !cut_from.is_empty() {
                <text class="cut-note" y="66" data-field="balancer-cut">{format!("✂ {}", cut_from.join(" "))}</text>
            }
        </g>
    }
}

/// Properties of [`Legend`].
#[derive(Properties, PartialEq)]
struct LegendProps {
    protocol: ProtocolKind,
}

/// What the glyphs mean, for the protocol running.
#[component]
fn Legend(props: &LegendProps) -> Html {
    let items: &[(MessageKind, &str)] = match props.protocol {
        ProtocolKind::Raft => &[
            (MessageKind::PreVote, "pre-vote"),
            (MessageKind::RequestVote, "vote request"),
            (MessageKind::AppendEntries, "append entries"),
            (MessageKind::Heartbeat, "heartbeat"),
            (MessageKind::InstallSnapshot, "snapshot"),
            (MessageKind::ClientRequest, "client traffic"),
            (MessageKind::HealthCheck, "health check (balancer)"),
        ],
        ProtocolKind::MultiPaxos => &[
            (MessageKind::Prepare, "prepare / promise (phase 1)"),
            (MessageKind::Accept, "accept / accepted (phase 2)"),
            (MessageKind::Nack, "refused: higher ballot"),
            (MessageKind::Probe, "probe: is the leader gone?"),
            (MessageKind::PaxosHeartbeat, "heartbeat"),
            (MessageKind::Learn, "chosen values (catch-up)"),
            (MessageKind::ClientRequest, "client traffic"),
            (MessageKind::HealthCheck, "health check (balancer)"),
        ],
    };
    html! {
        <ul class="legend" data-legend={props.protocol.label()} aria-label="What the message glyphs mean">
            { for items.iter().map(|(kind, label)| html! {
                <li>
                    <svg class="glyph" viewBox="-6 -6 12 12" aria-hidden="true">
                        { match glyph_path(glyph_shape(*kind), 5.0) {
                            Some(d) => html! { <path {d} fill={message_color(*kind)} /> },
                            None => html! { <circle r="5" fill={message_color(*kind)} /> },
                        } }
                    </svg>
                    {*label}
                </li>
            }) }
            <li>
                <svg class="glyph" viewBox="-6 -6 12 12" aria-hidden="true">
                    <circle r="5" fill="none" stroke="#888" />
                </svg>
                {"reply (+ ok, − refused)"}
            </li>
        </ul>
    }
}
