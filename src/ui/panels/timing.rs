//! The timing tab: election and heartbeat timeouts, the protocol's switches (Raft's no-op,
//! forwarding, PreVote, CheckQuorum, reads, snapshots; Multi-Paxos' stable leader, forwarding,
//! CheckQuorum), spread or aligned timers.

use super::*;

/// The longest election timeout the page offers: one minute.
const MAX_TIMEOUT_MS: u64 = 60_000;

pub(super) fn timing(props: &PanelsProps) -> Html {
    let d = &props.dispatch;
    let t = props.config.timing.clone();
    let set = move |f: fn(&mut Timing, u64)| {
        let t = t.clone();
        move |v: f64| {
            let mut t = t.clone();
            f(&mut t, v as u64);
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
            let mode = read_mode_of(&value_of(&e));
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
                { number(NumberRule::whole("Election min ms", (c.heartbeat_interval_ms + 1) as f64, c.election_timeout_max_ms as f64, "ms"),
                    "election-min", c.election_timeout_min_ms as f64, d, set(|t, v| t.election_timeout_min_ms = v)) }
                { number(NumberRule::whole("Election max ms", c.election_timeout_min_ms as f64, MAX_TIMEOUT_MS as f64, "ms"),
                    "election-max", c.election_timeout_max_ms as f64, d, set(|t, v| t.election_timeout_max_ms = v)) }
                { number(NumberRule::whole("Heartbeat ms", 1.0, (c.election_timeout_min_ms.max(2) - 1) as f64, "ms"),
                    "heartbeat", c.heartbeat_interval_ms as f64, d, set(|t, v| t.heartbeat_interval_ms = v)) }
            </div>
            if props.config.protocol == ProtocolKind::MultiPaxos {
                { paxos_options(props) }
            } else {
            <div class="fields">
                { number(NumberRule::whole("Snapshot every (0 = never)", 0.0, 100_000.0, "entries"), "snapshot-every",
                    props.config.raft.snapshot_every as f64, d, {
                    let raft = props.config.raft.clone();
                    move |v: f64| Action::SetRaftOptions { raft: RaftOptions { snapshot_every: v as u64, ..raft.clone() } }
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
            }
            <div class="button-row">
                { action_button("Spread timers (t)", "spread", d, LabAction::Sim(Action::SpreadTimers)) }
                { action_button("Align timers (a)", "align", d, LabAction::Sim(Action::AlignTimers)) }
            </div>
        </div>
    }
}

/// Multi-Paxos' switches.
fn paxos_options(props: &PanelsProps) -> Html {
    let d = &props.dispatch;
    let paxos = props.config.paxos.clone();
    let toggle = |f: fn(&mut PaxosOptions, bool)| {
        let d = d.clone();
        let paxos = paxos.clone();
        Callback::from(move |e: Event| {
            let mut p = paxos.clone();
            f(&mut p, checked(&e));
            d.emit(LabAction::Sim(Action::SetPaxosOptions { paxos: p }));
        })
    };
    let read_mode = {
        let d = d.clone();
        let paxos = paxos.clone();
        Callback::from(move |e: Event| {
            let read_mode = read_mode_of(&value_of(&e));
            let paxos = PaxosOptions {
                read_mode,
                ..paxos.clone()
            };
            d.emit(LabAction::Sim(Action::SetPaxosOptions { paxos }));
        })
    };
    html! {
        <div class="fields">
            <label class="field check" title="One distinguished proposer runs phase 1 once and leads; off, every server proposes the requests it receives and the proposers duel">
                <input type="checkbox" data-field="stable-leader" checked={paxos.stable_leader}
                       onchange={toggle(|p, v| p.stable_leader = v)} />
                <span>{"Stable leader (off: dueling proposers)"}</span>
            </label>
            <label class="field check">
                <input type="checkbox" data-field="paxos-forward" checked={paxos.forward_to_leader}
                       onchange={toggle(|p, v| p.forward_to_leader = v)} />
                <span>{"Servers forward requests"}</span>
            </label>
            <label class="field check" title="A leader that cannot reach a majority stops leading">
                <input type="checkbox" data-field="paxos-check-quorum" checked={paxos.check_quorum}
                       onchange={toggle(|p, v| p.check_quorum = v)} />
                <span>{"CheckQuorum"}</span>
            </label>
            <label class="field check" title="Before raising its ballot, a server whose leader went quiet asks whether a majority lost the leader too (Raft's PreVote, for Paxos)">
                <input type="checkbox" data-field="paxos-probe" checked={paxos.probe_before_prepare}
                       onchange={toggle(|p, v| p.probe_before_prepare = v)} />
                <span>{"Probe before a new ballot"}</span>
            </label>
            <label class="field check" title="An acceptor that heard from a live leader less than an election timeout ago ignores other servers' prepares">
                <input type="checkbox" data-field="paxos-sticky" checked={paxos.sticky_leader}
                       onchange={toggle(|p, v| p.sticky_leader = v)} />
                <span>{"Leader stickiness"}</span>
            </label>
            <label class="field" title="How the leader serves reads: as slots, after a confirming heartbeat round, or at once while its lease holds">
                <span>{"Reads"}</span>
                <select data-field="paxos-read-mode" onchange={read_mode}>
                    { for [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease].iter().map(|m| html! {
                        <option value={format!("{m:?}")} selected={*m == paxos.read_mode}>{m.label()}</option>
                    }) }
                </select>
            </label>
        </div>
    }
}

/// The read mode a select's value names.
fn read_mode_of(value: &str) -> ReadMode {
    match value {
        "Log" => ReadMode::Log,
        "Lease" => ReadMode::Lease,
        _ => ReadMode::ReadIndex,
    }
}
