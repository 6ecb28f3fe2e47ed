//! The inspector: everything about the selected server, message or link, with the actions that
//! apply to it (crash, restart, time out, client request; drop, duplicate; cut, restore).

use std::rc::Rc;

use quorum_cluster::provenance::{Origin, TrackedField};

use yew::prelude::*;

use super::state::{LabAction, Selection};
use quorum_cluster::message::Addr;
use quorum_cluster::view::{MemberStatus, View};
use quorum_cluster::{Action, NodeId};
use quorum_core::time::format_time;
use quorum_service::kv::KvOp;

/// Properties of [`Inspector`].
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// The picture.
    pub view: Rc<View>,
    /// What is selected.
    pub selection: Selection,
    /// The selected message's journey, when the run is traced (it may have left the network).
    #[prop_or_default]
    pub journey: Option<Rc<crate::spacetime::Journey>>,
    /// What changed since the last step, skip or start of play, while paused.
    #[prop_or_default]
    pub diff: Option<Rc<crate::step_diff::StepDiff>>,
    /// For the selected server: what last changed each field it shows.
    #[prop_or_default]
    pub origins: Option<Rc<Vec<(TrackedField, Origin)>>>,
    /// For the selected server: the key whose "why?" is open and the command that wrote its
    /// value.
    #[prop_or_default]
    pub key_origin: Option<Rc<(String, quorum_cluster::provenance::KeyOrigin)>>,
    /// The lane event selected on the space-time diagram, explained.
    #[prop_or_default]
    pub event: Option<Rc<EventCard>>,
    /// Where actions go.
    pub dispatch: Callback<LabAction>,
}

/// A lane event as the inspector shows it: what happened, when, and what made it happen.
#[derive(Clone, Debug, PartialEq)]
pub struct EventCard {
    /// What happened ("S2 became leader of term 3").
    pub what: String,
    /// When.
    pub at: quorum_core::time::Time,
    /// What made it happen, in words.
    pub cause: String,
    /// The server it happened to.
    pub server: NodeId,
    /// The message whose handling made it happen, if one did.
    pub message: Option<u64>,
}

/// The selected lane event: what it was and why, with links to the message that caused it and
/// to the server.
fn event_card(card: &EventCard, dispatch: &Callback<LabAction>) -> Html {
    let link = |label: String, action: &'static str, target: Selection| {
        let d = dispatch.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            d.emit(LabAction::Select(target));
        });
        html! { <button class="btn small" data-action={action} {onclick}>{label}</button> }
    };
    html! {
        <div class="inspect-event" data-inspect="event">
            <h3>{card.what.clone()}</h3>
            <dl class="facts">{ fact("When", format_time(card.at)) }</dl>
            <section class="why-sent" aria-labelledby="why-event-heading">
                <h4 id="why-event-heading">{"Why it happened"}</h4>
                <p class="why-text">{card.cause.clone()}</p>
            </section>
            <div class="actions">
                if let Some(id) = card.message {
                    { link(format!("Select message #{id}"), "select-cause", Selection::Message(id)) }
                }
                { link(format!("Inspect S{}", card.server), "inspect-server", Selection::Node(card.server)) }
            </div>
        </div>
    }
}

/// Why a message was sent, as the inspector words it.
fn why_section(m: &quorum_cluster::view::MessageView) -> Html {
    let why = crate::explain::why_sent(m);
    html! {
        <section class="why-sent" aria-labelledby="why-sent-heading">
            <h4 id="why-sent-heading">{"Why it was sent"}</h4>
            <p class="why-rule" data-rule={why.rule}>{why.rule}</p>
            <p class="why-text">{why.text}</p>
        </section>
    }
}

/// A message that left the network: what it was, why it was sent, how it ended and what its
/// receiver sent while handling it (each a link to that message).
fn journey(j: &crate::spacetime::Journey, dispatch: &Callback<LabAction>) -> Html {
    use quorum_cluster::trace::Fate;
    let m = &j.message;
    let fate = match j.end {
        Some((t, Fate::Delivered)) => format!("delivered at {}", format_time(t)),
        Some((t, Fate::Lost { cause })) => format!("{} at {}", cause.describe(), format_time(t)),
        None => "in flight".into(),
    };
    let caused = j.caused.iter().map(|c| {
        let d = dispatch.clone();
        let id = c.id;
        let onclick = Callback::from(move |_| d.emit(LabAction::Select(Selection::Message(id))));
        let rule = crate::explain::why_sent(c).rule;
        html! {
            <li>
                <button class="link-button" data-action="select-caused" data-message={id.to_string()} {onclick}>
                    {format!("#{id} {} → {}", c.kind, c.to.label())}
                </button>
                <span class="hint">{format!(" ({rule})")}</span>
            </li>
        }
    });
    html! {
        <div class="inspect-message" data-inspect={format!("#{}", m.id)}>
            <h3>{format!("#{} {}", m.id, m.kind)}</h3>
            { why_section(m) }
            <dl class="facts">
                { fact("From → to", format!("{} → {}", m.from.label(), m.to.label())) }
                { fact("Sent", format_time(m.sent_at)) }
                { fact("Fate", fate) }
                { fact("Summary", m.summary.clone()) }
            </dl>
            if matches!(j.end, Some((_, Fate::Delivered))) {
                <section class="caused" aria-label="What it caused">
                    <h4>{"What it caused"}</h4>
                    if j.caused.is_empty() {
                        <p class="hint">{format!("{} sent nothing while handling it.", m.to.label())}</p>
                    } else {
                        <p class="hint">{format!("While handling it, {} sent:", m.to.label())}</p>
                        <ul class="caused-list">{ for caused }</ul>
                    }
                </section>
            }
        </div>
    }
}

fn button(label: &str, data: &str, dispatch: &Callback<LabAction>, action: LabAction) -> Html {
    let d = dispatch.clone();
    let onclick = Callback::from(move |_| d.emit(action.clone()));
    html! { <button class="btn" data-action={data.to_string()} {onclick}>{label.to_string()}</button> }
}

fn fact(k: &str, v: String) -> Html {
    html! { <><dt>{k.to_string()}</dt><dd>{v}</dd></> }
}

/// A server's field: marked when it changed since the last step, skip or start of play (in
/// words too, for screen readers), with a "why?" that opens what last changed it.
struct FieldRow<'a> {
    label: &'a str,
    value: String,
    field: TrackedField,
}

/// What the field rows of one server share.
struct FieldContext<'a> {
    server: NodeId,
    diff: Option<&'a crate::step_diff::StepDiff>,
    origins: Option<&'a [(TrackedField, Origin)]>,
    open: &'a UseStateHandle<Option<TrackedField>>,
}

impl FieldContext<'_> {
    fn row(&self, row: FieldRow<'_>) -> Html {
        let changed = self
            .diff
            .is_some_and(|d| d.field(self.server, diff_field(row.field)));
        let origin = self
            .origins
            .and_then(|o| o.iter().find(|(f, _)| *f == row.field))
            .map(|(_, o)| o);
        let is_open = **self.open == Some(row.field);
        let toggle = {
            let open = self.open.clone();
            let field = row.field;
            Callback::from(move |_| open.set(if is_open { None } else { Some(field) }))
        };
        let why = origin.map(|o| {
            crate::explain::origin_text(
                row.field,
                o,
                quorum_cluster::message::Addr::Server(self.server),
            )
        });
        html! {
            <>
                <dt class={classes!(changed.then_some("changed"))}>{row.label.to_string()}</dt>
                <dd class={classes!(changed.then_some("changed"))} data-changed={changed.to_string()}>
                    {row.value}
                    if changed { <span class="sr-only">{" (changed)"}</span> }
                    if origin.is_some() {
                        <button class="why-button" data-why={format!("{:?}", row.field)} aria-expanded={is_open.to_string()}
                                onclick={toggle} aria-label={format!("Why is {} this value?", row.label.to_lowercase())}>{"why?"}</button>
                    }
                </dd>
                if let (true, Some((text, rule))) = (is_open, why) {
                    <dd class="origin" data-origin={format!("{:?}", row.field)}>
                        if let Some(rule) = rule { <strong>{rule}</strong>{" — "} }
                        {text}
                    </dd>
                }
            </>
        }
    }
}

/// Where a key's value came from, in words.
fn key_origin_text(
    key: &str,
    value: i64,
    origin: &quorum_cluster::provenance::KeyOrigin,
) -> String {
    use quorum_cluster::provenance::KeyOrigin;
    match origin {
        KeyOrigin::Written { index, term, command } => format!(
            "{key} = {value}: written by client session {}'s “{}” (its operation #{}), agreed at {} {index}{} and applied here in order.",
            command.session,
            command.op.describe(),
            command.seq,
            if term.is_some() { "index" } else { "slot" },
            term.map(|t| format!(" in term {t}")).unwrap_or_default()
        ),
        KeyOrigin::Earlier { before } => format!(
            "{key} = {value}: written before index {before} — compacted into a snapshot, or further back than the inspector looks."
        ),
    }
}

/// The step-diff field a tracked field is.
fn diff_field(field: TrackedField) -> crate::step_diff::Field {
    use crate::step_diff::Field;
    match field {
        TrackedField::Term => Field::Term,
        TrackedField::Role => Field::Role,
        TrackedField::VotedFor => Field::VotedFor,
        TrackedField::Leader => Field::Leader,
        TrackedField::CommitIndex => Field::CommitIndex,
        TrackedField::AppliedIndex => Field::AppliedIndex,
        TrackedField::Promised => Field::Promised,
    }
}

fn opt_node(n: Option<NodeId>) -> String {
    n.map_or_else(|| "—".to_string(), |n| format!("S{n}"))
}

/// The inspector panel.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let open_origin = use_state(|| None::<TrackedField>);
    let view = &props.view;
    let d = &props.dispatch;
    let body = match props.selection {
        Selection::None => html! {
            <p class="hint">{"Click a server, a message or a link to inspect it. Press ? for keys."}</p>
        },
        Selection::Node(id) => match view.nodes.iter().find(|n| n.id == id) {
            None => html! { <p class="hint">{"That server no longer exists."}</p> },
            Some(n) => {
                let timers = n
                    .timers
                    .iter()
                    .map(|t| {
                        format!(
                            "{} in {}",
                            t.kind.label(),
                            format_time(t.deadline.saturating_sub(view.now))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let key = format!("k{}", (view.now / 1000 % 3) + 1);
                let value = (view.now / 1000 % 90) as i64 + 10;
                let fields = FieldContext {
                    server: n.id,
                    diff: props.diff.as_deref(),
                    origins: props.origins.as_deref().map(Vec::as_slice),
                    open: &open_origin,
                };
                let row = |label, value, field| {
                    fields.row(FieldRow {
                        label,
                        value,
                        field,
                    })
                };
                html! {
                    <div class="inspect-node" data-inspect={n.label.clone()}>
                        <h3>{format!("{} · {} · {}", n.label, if n.up { n.role_label.as_str() } else { "crashed" }, n.member.label())}</h3>
                        <dl class="facts">
                            if let Some(p) = &n.paxos {
                                { row("Promised", p.promised.clone(), TrackedField::Promised) }
                                { fact("Own ballot", p.ballot.clone().unwrap_or_else(|| "— (not proposing)".into())) }
                                { row("Leader known", opt_node(n.leader), TrackedField::Leader) }
                                if !n.votes.is_empty() {
                                    { fact("Promised by", n.votes.iter().map(|s| format!("S{s}")).collect::<Vec<_>>().join(", ")) }
                                }
                                { row("Chosen up to slot", n.commit_index.to_string(), TrackedField::CommitIndex) }
                                { row("Applied up to slot", n.applied_index.to_string(), TrackedField::AppliedIndex) }
                                { fact("Highest slot", n.last_index.to_string()) }
                                { fact("Snapshot", if n.snapshot_index == 0 { "none".into() } else {
                                    format!("up to slot {} (learned by every server)", n.snapshot_index) }) }
                                if n.role == quorum_service::server::Role::Leader {
                                    { fact("Proposals in flight", p.proposals_in_flight.to_string()) }
                                }
                            } else {
                                { row("Role", n.role_label.clone(), TrackedField::Role) }
                                { row("Term", n.term.to_string(), TrackedField::Term) }
                                { row("Voted for", opt_node(n.voted_for), TrackedField::VotedFor) }
                                { row("Leader known", opt_node(n.leader), TrackedField::Leader) }
                                { row("Commit index", n.commit_index.to_string(), TrackedField::CommitIndex) }
                                { row("Applied index", n.applied_index.to_string(), TrackedField::AppliedIndex) }
                                { fact("Log length", n.last_index.to_string()) }
                                { fact("Snapshot", if n.snapshot_index == 0 { "none".into() } else {
                                    format!("up to index {} (term {})", n.snapshot_index, n.snapshot_term) }) }
                            }
                            { fact("Timers", if timers.is_empty() { "none".into() } else { timers }) }
                            { fact("Clock", format!("{}× true time", n.clock_rate)) }
                            if n.up {
                                { fact("Process", if n.paused { format!("paused — {} message(s) and timer(s) waiting", n.stalled) } else { "running".into() }) }
                            }
                            if !n.labels.is_empty() {
                                { fact("Labelled", n.labels.join(", ")) }
                            }
                            if let Some(r) = &n.reads {
                                { fact("Reads", format!("round {}, {} waiting, lease {}", r.round, r.pending,
                                    if r.lease_left > 0 { format!("{} left", format_time(r.lease_left)) } else { "expired".into() })) }
                            }
                        </dl>
                        if !n.peers.is_empty() {
                            <table class="mini">
                                <tr><th>{"peer"}</th><th>{"next"}</th><th>{"match"}</th></tr>
                                { for n.peers.iter().map(|p| html! {
                                    <tr><td>{format!("S{}", p.peer)}</td><td>{p.next_index}</td><td>{p.match_index}</td></tr>
                                }) }
                            </table>
                        }
                        if n.paxos.is_some() {
                            <h4>{"Accepted per slot (latest)"}</h4>
                            <table class="mini" data-field="accepted-slots">
                                <tr><th>{"slot"}</th><th>{"ballot"}</th><th>{"value"}</th><th>{"chosen"}</th></tr>
                                { for n.log.iter().rev().take(8).map(|e| html! {
                                    <tr>
                                        <td>{e.index}</td>
                                        <td>{e.ballot.clone().unwrap_or_else(|| "—".into())}</td>
                                        <td>{e.label.clone()}</td>
                                        <td>{ if e.committed { "✓" } else { "" } }</td>
                                    </tr>
                                }) }
                            </table>
                        }
                        <h4>{"Key-value state"}</h4>
                        if n.kv.is_empty() {
                            <p class="hint">{"empty"}</p>
                        } else {
                            <table class="mini">
                                { for n.kv.iter().map(|(k, v)| {
                                    let origin = props.key_origin.as_ref()
                                        .filter(|o| o.0 == *k).map(|o| o.1.clone());
                                    let is_open = origin.is_some();
                                    let toggle = {
                                        let (d, key) = (d.clone(), k.clone());
                                        Callback::from(move |_| d.emit(LabAction::ShowKeyOrigin((!is_open).then(|| key.clone()))))
                                    };
                                    html! {
                                        <>
                                            <tr>
                                                <td>{k.clone()}</td><td>{*v}</td>
                                                <td>
                                                    <button class="why-button" data-why-key={k.clone()} aria-expanded={is_open.to_string()}
                                                            onclick={toggle} aria-label={format!("Why is {k} {v}?")}>{"why?"}</button>
                                                </td>
                                            </tr>
                                            if let Some(o) = origin {
                                                <tr><td colspan="3" class="origin" data-key-origin={k.clone()}>{key_origin_text(k, *v, &o)}</td></tr>
                                            }
                                        </>
                                    }
                                }) }
                            </table>
                        }
                        <div class="actions">
                            if n.up {
                                { button("Crash", "crash", d, LabAction::Sim(Action::Crash { node: id.into() })) }
                                { button("Time out", "timeout", d, LabAction::Sim(Action::Timeout { node: id })) }
                            } else {
                                { button("Restart", "restart", d, LabAction::Sim(Action::Restart { node: id.into() })) }
                            }
                            { button(&format!("Put {key}={value} here"), "request", d, LabAction::Client {
                                op: KvOp::Put { key: key.into(), value }, server: Some(id), read: Default::default() }) }
                            if n.up {
                                if n.paused {
                                    { button("Resume", "resume", d, LabAction::Sim(Action::Resume { node: id.into() })) }
                                } else {
                                    { button("Pause", "pause", d, LabAction::Sim(Action::Pause { node: id.into() })) }
                                }
                            }
                            { button("Isolate", "isolate", d, LabAction::Sim(Action::Isolate { node: id.into() })) }
                            { button("Reconnect", "connect", d, LabAction::Sim(Action::Connect { node: id.into() })) }
                            if n.paxos.is_none() {
                                { button("Snapshot now", "snapshot", d, LabAction::Sim(Action::Snapshot { node: id })) }
                            }
                            if n.member != MemberStatus::Removed && n.paxos.is_none() {
                                { button("Remove from cluster", "remove", d, LabAction::Sim(Action::RemoveServer { node: id })) }
                            }
                        </div>
                        <div class="actions clock-rates" title="A server times elections and leases with its own clock">
                            <span class="hint">{"Clock:"}</span>
                            { for [0.25, 0.5, 1.0, 2.0].iter().map(|&rate| {
                                let label = if rate == n.clock_rate { format!("[{rate}×]") } else { format!("{rate}×") };
                                button(&label, &format!("clock-{rate}"), d, LabAction::Sim(Action::SetClockRate { node: id, rate }))
                            }) }
                            <span class="hint">{"Jump:"}</span>
                            { for [-500i64, 500].iter().map(|&by_ms| {
                                let label = if by_ms < 0 { "−0.5 s".to_string() } else { "+0.5 s".to_string() };
                                button(&label, &format!("clock-jump{by_ms}"), d, LabAction::Sim(Action::JumpClock { node: id.into(), by_ms }))
                            }) }
                        </div>
                    </div>
                }
            }
        },
        Selection::Message(id) => match view.messages.iter().find(|m| m.id == id) {
            None => match &props.journey {
                Some(j) => journey(j, d),
                None => html! {
                    <p class="hint">{format!("Message #{id} is no longer in flight (the space-time view keeps the recent ones).")}</p>
                },
            },
            Some(m) => {
                let fields = serde_json::to_string_pretty(&m.payload).unwrap_or_default();
                html! {
                    <div class="inspect-message" data-inspect={format!("#{id}")}>
                        <h3>{format!("#{id} {}", m.kind)}</h3>
                        { why_section(m) }
                        <dl class="facts">
                            { fact("From → to", format!("{} → {}", m.from.label(), m.to.label())) }
                            { fact("Sent", format_time(m.sent_at)) }
                            { fact("Due", format_time(m.deliver_at)) }
                            { fact("Fate", match (m.dies_at, m.loss) {
                                (Some(t), Some(c)) => format!("{} at {}", c.describe(), format_time(t)),
                                _ => "will arrive".into(),
                            }) }
                            { fact("Summary", m.summary.clone()) }
                        </dl>
                        <pre class="fields">{fields}</pre>
                        <div class="actions">
                            { button("Drop", "drop", d, LabAction::Sim(Action::DropMessage { id })) }
                            { button("Duplicate", "duplicate", d, LabAction::Sim(Action::DuplicateMessage { id })) }
                        </div>
                    </div>
                }
            }
        },
        Selection::Event(_) => match &props.event {
            Some(card) => event_card(card, d),
            None => {
                html! { <p class="hint">{"That event is no longer in the recorded window."}</p> }
            }
        },
        Selection::Link(a, b) => {
            let cut =
                |f: NodeId, t: NodeId| view.cut_links.contains(&(Addr::Server(f), Addr::Server(t)));
            let row = |f: NodeId, t: NodeId| {
                let is_cut = cut(f, t);
                let action = if is_cut {
                    Action::RestoreLink { from: f, to: t }
                } else {
                    Action::CutLink { from: f, to: t }
                };
                html! {
                    <tr>
                        <td>{format!("S{f} → S{t}")}</td>
                        <td>{ if is_cut { "cut" } else { "up" } }</td>
                        <td>{ button(if is_cut { "Restore" } else { "Cut" }, &format!("link-{f}-{t}"), d, LabAction::Sim(action)) }</td>
                    </tr>
                }
            };
            html! {
                <div class="inspect-link">
                    <h3>{format!("Link S{a} – S{b}")}</h3>
                    <table class="mini">{ row(a, b) }{ row(b, a) }</table>
                </div>
            }
        }
    };
    html! { <section class="panel inspector" aria-label="Inspector"><h2>{"Inspector"}</h2>{body}</section> }
}
