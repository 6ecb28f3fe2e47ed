//! The space-time diagram's geometry, pure: a lane per server (the balancer and clients on
//! request), time running left to right up to the instant shown, each message an arrow from
//! where it was sent to where it was received or died, leadership and terms shaded on the
//! lanes, crashes and pauses marked, and — when a message is selected — its causal past and
//! future picked out. The page draws what this computes; tests check it natively.

use quorum_cluster::message::{Addr, MessageKind};
use quorum_cluster::trace::{CausalCut, Fate, LaneMark, LaneState, Mark, Trace, TracedMessage};
use quorum_cluster::view::MessageView;
use quorum_core::time::Time;
use quorum_core::NodeId;
use quorum_service::Role;

use crate::layout::message_color;

/// The widest drawing, in SVG units; a narrower panel gets a drawing as wide as it is, so a
/// unit stays about a pixel and the words stay readable on a phone.
pub const MAX_WIDTH: f64 = 1000.0;
/// The narrowest drawing.
pub const MIN_WIDTH: f64 = 320.0;
/// Where the plot starts (lane labels sit to its left).
pub const PLOT_LEFT: f64 = 44.0;
/// Room right of the plot.
const PLOT_MARGIN: f64 = 12.0;
/// Height of the time axis above the lanes.
pub const AXIS_HEIGHT: f64 = 26.0;
/// Distance between lanes.
pub const LANE_HEIGHT: f64 = 46.0;

/// The zoom levels offered: how much simulated time the diagram spans.
pub const SPANS: [Time; 6] = [
    500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 30_000_000,
];

/// How one arrow relates to the selected message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Nothing is selected.
    Plain,
    /// The selected message itself.
    Selected,
    /// In the causal past of its sending.
    Past,
    /// In the causal future of its receipt.
    Future,
    /// Concurrent with it.
    Unrelated,
}

/// A message drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// The message.
    pub id: u64,
    /// Its kind.
    pub kind: MessageKind,
    /// A reply (drawn dashed, so colour is not the only code).
    pub reply: bool,
    /// Where it starts.
    pub from: (f64, f64),
    /// Where it ends (received, died, or — in flight — where it is now).
    pub to: (f64, f64),
    /// How its journey ended, if it has.
    pub end: Option<Fate>,
    /// Its colour.
    pub color: &'static str,
    /// Relation to the selection.
    pub relation: Relation,
    /// Its accessible name.
    pub label: String,
}

/// A stretch of a lane in one state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Which lane (index).
    pub lane: usize,
    /// From x.
    pub x0: f64,
    /// To x.
    pub x1: f64,
    /// The state.
    pub state: LaneState,
}

/// Something that happened to a server, drawn as a symbol on its lane: a crash, a restart, a
/// pause, a resume, a change in whom it can reach, a candidacy or an election won.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    /// What happened, when and to whom (the selection's identity).
    pub mark: LaneMark,
    /// Where it is drawn.
    pub at: (f64, f64),
    /// Its symbol (with its shape, so colour is not the only code).
    pub symbol: &'static str,
    /// Relation to the selection.
    pub relation: Relation,
    /// Its accessible name.
    pub label: String,
}

/// A lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// Who.
    pub addr: Addr,
    /// Its label.
    pub label: String,
    /// Its centre line's y.
    pub y: f64,
}

/// A tick on the time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Its x.
    pub x: f64,
    /// Its label.
    pub label: String,
}

/// Everything the diagram draws.
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceTime {
    /// The lanes, top to bottom.
    pub lanes: Vec<Lane>,
    /// Role, term, crash and pause stretches of the server lanes.
    pub bands: Vec<Band>,
    /// Messages, oldest first.
    pub arrows: Vec<Arrow>,
    /// Lane events, oldest first.
    pub glyphs: Vec<Glyph>,
    /// Time axis ticks.
    pub ticks: Vec<Tick>,
    /// The drawing's width.
    pub width: f64,
    /// Where the plot ends (the instant shown).
    pub plot_right: f64,
    /// The drawing's height.
    pub height: f64,
    /// The instant at the left edge.
    pub start: Time,
    /// The instant at the right edge (the one shown).
    pub now: Time,
}

/// What to draw.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// How much time to span.
    pub span: Time,
    /// Draw the balancer's and the clients' lanes too.
    pub clients: bool,
    /// The selected message, if any.
    pub selected: Option<u64>,
    /// The selected lane event, if any.
    pub event: Option<LaneMark>,
    /// The panel's width in pixels (the drawing is no wider than [`MAX_WIDTH`]).
    pub width: f64,
}

impl SpaceTime {
    /// Lays out `trace` up to `now` for `servers` servers, `clients` clients and a balancer if
    /// `balancer`; `shown` keeps a message (the page's message filter).
    pub fn build(
        trace: &Trace,
        now: Time,
        (servers, clients, balancer): (usize, usize, bool),
        options: Options,
        shown: impl Fn(&MessageView) -> bool,
    ) -> SpaceTime {
        let start = now.saturating_sub(options.span);
        let width = options.width.clamp(MIN_WIDTH, MAX_WIDTH);
        let plot_right = width - PLOT_MARGIN;
        let mut addrs: Vec<Addr> = (1..=servers as NodeId).map(Addr::Server).collect();
        if options.clients {
            if balancer {
                addrs.push(Addr::Balancer);
            }
            addrs.extend((1..=clients as u32).map(Addr::Client));
        }
        let lanes: Vec<Lane> = addrs
            .iter()
            .enumerate()
            .map(|(i, a)| Lane {
                addr: *a,
                label: a.label(),
                y: AXIS_HEIGHT + LANE_HEIGHT * (i as f64 + 0.5),
            })
            .collect();
        // The instant shown sits at the right edge; earlier ones run left (before the run
        // began, nothing).
        let x = |t: Time| {
            let back = now.saturating_sub(t) as f64 / options.span.max(1) as f64;
            plot_right - back.min(1.0) * (plot_right - PLOT_LEFT)
        };
        let lane_y = |a: Addr| lanes.iter().find(|l| l.addr == a).map(|l| l.y);

        let bands = bands(trace, servers, start, now, &x);
        // The selection's causal past (before it was sent, or before the event's step) and
        // future (after it was received, or after the event's step).
        let cuts = match (options.selected, options.event) {
            (Some(id), _) => trace.message(id).map(|m| {
                (
                    m.sent_in.map(|s| trace.causal_past(s)).unwrap_or_default(),
                    m.received_in
                        .map(|r| trace.causal_future(r))
                        .unwrap_or_default(),
                )
            }),
            (None, Some(event)) => event
                .step
                .map(|s| (trace.causal_past(s), trace.causal_future(s))),
            (None, None) => None,
        };
        let focused = options.selected.is_some() || options.event.is_some();
        let arrows = trace
            .messages()
            .filter_map(|m| {
                let (y0, y1) = (lane_y(m.envelope.from)?, lane_y(m.envelope.to)?);
                arrow(m, (y0, y1), start, now, &x)
                    .filter(|_| shown(&MessageView::of(&m.envelope)))
                    .map(|mut a| {
                        a.relation = relation(trace, m, options.selected, cuts.as_ref());
                        a
                    })
            })
            .collect();
        let glyphs = trace
            .marks()
            .filter(|m| m.at >= start && m.at <= now)
            .filter_map(|m| {
                let y = lane_y(Addr::Server(m.server))?;
                let symbol = glyph_symbol(&m.mark)?;
                let relation = if options.event == Some(*m) {
                    Relation::Selected
                } else if !focused || cuts.is_none() {
                    Relation::Plain
                } else {
                    mark_relation(trace, m, cuts.as_ref())
                };
                Some(Glyph {
                    mark: *m,
                    at: (x(m.at), y),
                    symbol,
                    relation,
                    label: format!(
                        "{} at {}",
                        crate::explain::mark_text(m.server, &m.mark),
                        quorum_core::time::format_time(m.at)
                    ),
                })
            })
            .collect();
        SpaceTime {
            width,
            plot_right,
            height: AXIS_HEIGHT + LANE_HEIGHT * lanes.len() as f64 + 8.0,
            lanes,
            bands,
            arrows,
            glyphs,
            ticks: ticks(start, now, options.span, &x),
            start,
            now,
        }
    }
}

/// Each server's stretches of role, term, crash and pause within `[start, now]`.
fn bands(
    trace: &Trace,
    servers: usize,
    start: Time,
    now: Time,
    x: &impl Fn(Time) -> f64,
) -> Vec<Band> {
    let mut out = Vec::new();
    for (lane, server) in (1..=servers as NodeId).enumerate() {
        let mut state = trace.baseline(server);
        let mut from = start;
        for m in trace.marks().filter(|m| m.server == server) {
            if m.at > from && m.at > start {
                out.push(Band {
                    lane,
                    x0: x(from.max(start)),
                    x1: x(m.at.min(now)),
                    state,
                });
                from = m.at;
            }
            state.apply(m.mark);
        }
        out.push(Band {
            lane,
            x0: x(from.max(start)),
            x1: x(now),
            state,
        });
    }
    out.retain(|b| b.x1 > b.x0);
    out
}

/// A message's arrow, if any of it falls within `[start, now]`.
fn arrow(
    m: &TracedMessage,
    (y0, y1): (f64, f64),
    start: Time,
    now: Time,
    x: &impl Fn(Time) -> f64,
) -> Option<Arrow> {
    let e = &m.envelope;
    let (end_at, fate) = match m.end {
        Some((at, fate)) => (at, Some(fate)),
        None => (now, None),
    };
    if end_at < start || e.sent_at > now {
        return None;
    }
    // Where along the link the message is at `t` (it dies, or is drawn now, part way).
    let along = |t: Time| {
        let total = e.deliver_at.saturating_sub(e.sent_at).max(1) as f64;
        (t.saturating_sub(e.sent_at) as f64 / total).min(1.0)
    };
    let point = |t: Time| (x(t), y0 + (y1 - y0) * along(t));
    let from = point(e.sent_at.max(start));
    let to = match fate {
        Some(Fate::Delivered) => (x(end_at), y1),
        _ => point(end_at),
    };
    let view = MessageView::of(e);
    let fate_text = match fate {
        Some(Fate::Delivered) => "delivered".to_string(),
        Some(Fate::Lost { cause }) => cause.describe().to_string(),
        None => "in flight".to_string(),
    };
    Some(Arrow {
        id: e.id,
        kind: view.kind,
        reply: view.is_reply,
        from,
        to,
        end: fate,
        color: message_color(view.kind),
        relation: Relation::Plain,
        label: format!(
            "message #{} {} from {} to {}, {}: {}",
            e.id,
            view.kind,
            e.from.label(),
            e.to.label(),
            fate_text,
            view.summary
        ),
    })
}

/// The symbol a lane event is drawn with, if it gets one (a step down or a new term is shown
/// by the lane's shading alone).
fn glyph_symbol(mark: &Mark) -> Option<&'static str> {
    Some(match mark {
        Mark::Crashed => "↯",
        Mark::Restarted => "↻",
        Mark::Paused => "⏸",
        Mark::Resumed => "▶",
        Mark::CutOff { .. } => "✂",
        Mark::Role {
            role: Role::Leader, ..
        } => "★",
        Mark::Role {
            role: Role::Candidate,
            ..
        } => "?",
        Mark::Role { .. } => return None,
    })
}

/// A lane event's place in the selection's causal order.
fn mark_relation(trace: &Trace, m: &LaneMark, cuts: Option<&(CausalCut, CausalCut)>) -> Relation {
    let (Some((past, future)), Some(step)) = (cuts, m.step.and_then(|s| trace.step(s))) else {
        return Relation::Unrelated;
    };
    if past.contains(step) {
        Relation::Past
    } else if future.contains(step) {
        Relation::Future
    } else {
        Relation::Unrelated
    }
}

fn relation(
    trace: &Trace,
    m: &TracedMessage,
    selected: Option<u64>,
    cuts: Option<&(CausalCut, CausalCut)>,
) -> Relation {
    if selected.is_none() && cuts.is_none() {
        return Relation::Plain;
    }
    if selected == Some(m.envelope.id) {
        return Relation::Selected;
    }
    let Some((past, future)) = cuts else {
        return Relation::Unrelated;
    };
    let step = |s: Option<u64>| s.and_then(|s| trace.step(s));
    // In the past: received (or at least sent, if never received) before the selection left.
    let in_past = match (step(m.received_in), step(m.sent_in)) {
        (Some(r), _) => past.contains(r),
        (None, Some(s)) => past.contains(s),
        _ => false,
    };
    if in_past {
        Relation::Past
    } else if step(m.sent_in).is_some_and(|s| future.contains(s)) {
        Relation::Future
    } else {
        Relation::Unrelated
    }
}

/// Round ticks across the span (about six).
fn ticks(start: Time, now: Time, span: Time, x: &impl Fn(Time) -> f64) -> Vec<Tick> {
    let steps: [Time; 8] = [
        50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000,
    ];
    let step = steps
        .iter()
        .copied()
        .find(|s| span / s <= 6)
        .unwrap_or(10_000_000);
    let first = start.div_ceil(step) * step;
    (0..)
        .map(|i| first + i * step)
        .take_while(|t| *t <= now)
        .map(|t| Tick {
            x: x(t),
            label: quorum_core::time::format_time(t),
        })
        .collect()
}

/// A message's whole journey, for the inspector once it has left the network: what it was,
/// how it ended, and what its receiver sent while handling it.
#[derive(Clone, Debug, PartialEq)]
pub struct Journey {
    /// The message as sent.
    pub message: MessageView,
    /// When and how it ended.
    pub end: Option<(Time, Fate)>,
    /// What its receiver sent in the step that handled it.
    pub caused: Vec<MessageView>,
}

/// The journey of message `id`, if the trace holds it.
pub fn journey(trace: &Trace, id: u64) -> Option<Journey> {
    let m = trace.message(id)?;
    let caused = m
        .received_in
        .map(|step| {
            trace
                .messages()
                .filter(|c| c.sent_in == Some(step))
                .map(|c| MessageView::of(&c.envelope))
                .collect()
        })
        .unwrap_or_default();
    Some(Journey {
        message: MessageView::of(&m.envelope),
        end: m.end,
        caused,
    })
}

/// The state a band shows, as words (colour is not the only code).
pub fn band_label(state: &LaneState) -> Option<String> {
    let role = if state.down {
        Some("crashed".to_string())
    } else if state.paused {
        Some("paused".to_string())
    } else {
        match state.role {
            Role::Leader => Some(format!("leader · term {}", state.term)),
            Role::Candidate => Some(format!("candidate · term {}", state.term)),
            _ => None,
        }
    };
    let cut = cut_off_text(state.cut_off);
    match (role, cut) {
        (Some(r), Some(c)) => Some(format!("{r} · {c}")),
        (r, c) => r.or(c),
    }
}

/// Whom a server is cut off from, in words, if anyone.
pub fn cut_off_text(mask: u32) -> Option<String> {
    if mask == 0 {
        return None;
    }
    let servers: Vec<String> = (1..=32u32)
        .filter(|n| mask & (1 << (n - 1)) != 0)
        .map(|n| format!("S{n}"))
        .collect();
    Some(format!("✂ cut off from {}", servers.join(", ")))
}

/// Marks worth a glyph on a lane (crash, restart, pause, resume).
pub fn is_event_mark(mark: &Mark) -> bool {
    !matches!(mark, Mark::Role { .. })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_cluster::{Action, ClusterConfig, Sim};
    use quorum_core::time::{MS, SECOND};

    fn traced(seed: u64) -> Sim {
        let config = ClusterConfig {
            seed,
            ..Default::default()
        };
        let mut sim = Sim::new(config, Default::default()).expect("valid");
        sim.set_tracing(true);
        sim
    }

    /// A traced run where S2 crashes at 2 s, shown `after` that.
    fn s2_crashed_at_two_seconds(seed: u64, after: Time) -> Sim {
        let mut sim = traced(seed);
        sim.advance_to(2 * SECOND);
        sim.apply(Action::Crash {
            node: quorum_cluster::action::NodeRef::Id(2),
        })
        .expect("valid");
        sim.advance_to(2 * SECOND + after);
        sim
    }

    fn options(span: Time, selected: Option<u64>) -> Options {
        Options {
            span,
            clients: false,
            selected,
            event: None,
            width: 800.0,
        }
    }

    /// Arrows run left to right from their sender's lane to their receiver's, inside the plot;
    /// a leader's lane is shaded with its term from its election on.
    #[test]
    fn arrows_run_from_sender_to_receiver_and_the_leader_lane_is_shaded_section_5_2() {
        let mut sim = traced(3);
        sim.advance_to(3 * SECOND);
        let d = SpaceTime::build(
            sim.trace().expect("on"),
            sim.now(),
            (5, 0, false),
            options(2 * SECOND, None),
            |_| true,
        );
        assert_eq!(d.lanes.len(), 5);
        assert!(!d.arrows.is_empty());
        for a in &d.arrows {
            assert!(a.from.0 <= a.to.0 + 1e-9, "{a:?}");
            assert!(a.from.0 >= PLOT_LEFT && a.to.0 <= d.plot_right);
        }
        let delivered = d
            .arrows
            .iter()
            .find(|a| a.end == Some(Fate::Delivered) && a.from.0 > PLOT_LEFT)
            .expect("a delivered message sent within the span");
        let lane_ys: Vec<f64> = d.lanes.iter().map(|l| l.y).collect();
        assert!(lane_ys.contains(&delivered.from.1) && lane_ys.contains(&delivered.to.1));
        let leader = sim.leader().expect("elected");
        let band = d
            .bands
            .iter()
            .find(|b| b.state.role == Role::Leader)
            .expect("a leader's stretch");
        assert_eq!(band.lane + 1, leader as usize);
        assert_eq!(band_label(&band.state).as_deref(), Some("leader · term 1"));
    }

    /// With a message selected, arrows before its sending are its past, those after its
    /// receipt its future, and it is itself picked out.
    #[test]
    fn a_selected_message_splits_the_others_into_past_future_and_concurrent() {
        let mut sim = traced(5);
        sim.advance_to(4 * SECOND);
        let trace = sim.trace().expect("on");
        let chosen = trace
            .messages()
            .filter(|m| m.received_in.is_some() && m.envelope.sent_at > 3 * SECOND)
            .nth(3)
            .expect("a delivered message");
        let d = SpaceTime::build(
            trace,
            sim.now(),
            (5, 0, false),
            options(2 * SECOND, Some(chosen.envelope.id)),
            |_| true,
        );
        let count = |r: Relation| d.arrows.iter().filter(|a| a.relation == r).count();
        assert_eq!(count(Relation::Selected), 1);
        assert!(count(Relation::Past) > 0 && count(Relation::Future) > 0);
        let sent = chosen.envelope.sent_at;
        for a in d.arrows.iter().filter(|a| a.relation == Relation::Past) {
            let m = trace.message(a.id).expect("kept");
            assert!(m.envelope.sent_at <= sent, "the past was sent before");
        }
    }

    /// A delivered vote request's journey lists the vote answer its receiver sent.
    #[test]
    fn a_delivered_vote_request_caused_the_answer_its_receiver_sent_section_5_2() {
        let mut sim = traced(2);
        sim.advance_to(3 * SECOND);
        let trace = sim.trace().expect("on");
        let request = trace
            .messages()
            .find(|m| {
                m.envelope.payload.message_kind() == MessageKind::RequestVote
                    && m.received_in.is_some()
            })
            .expect("a delivered vote request");
        let j = journey(trace, request.envelope.id).expect("kept");
        assert!(matches!(j.end, Some((_, Fate::Delivered))));
        assert!(j
            .caused
            .iter()
            .any(|c| c.kind == MessageKind::RequestVoteReply && c.to == request.envelope.from));
    }

    /// A partition shows on the lanes of the servers it cuts off, in words, until it heals.
    #[test]
    fn an_isolated_server_is_marked_cut_off_from_the_others_until_healed() {
        let mut sim = traced(8);
        sim.advance_to(2 * SECOND);
        sim.apply(Action::Isolate {
            node: quorum_cluster::action::NodeRef::Id(4),
        })
        .expect("valid");
        sim.advance_to(2 * SECOND + 300 * MS);
        sim.apply(Action::Heal).expect("valid");
        sim.advance_to(2 * SECOND + 600 * MS);
        let d = SpaceTime::build(
            sim.trace().expect("on"),
            sim.now(),
            (5, 0, false),
            options(SECOND, None),
            |_| true,
        );
        let cut: Vec<&crate::spacetime::Band> =
            d.bands.iter().filter(|b| b.state.cut_off != 0).collect();
        assert!(cut.iter().any(|b| b.lane == 3
            && band_label(&b.state).is_some_and(|l| l.contains("cut off from S1, S2, S3, S5"))));
        assert!(cut
            .iter()
            .any(|b| b.lane == 0
                && band_label(&b.state).is_some_and(|l| l.contains("cut off from S4"))));
        let last = d.bands.iter().rfind(|b| b.lane == 3).expect("a band");
        assert_eq!(last.state.cut_off, 0, "healed");
    }

    /// A crash shows as a stretch of the lane marked crashed; the filter hides what it hides.
    #[test]
    fn a_crash_is_a_marked_stretch_and_the_filter_hides_heartbeats() {
        let sim = s2_crashed_at_two_seconds(7, 600 * MS);
        let trace = sim.trace().expect("on");
        let all = SpaceTime::build(
            trace,
            sim.now(),
            (5, 0, false),
            options(SECOND, None),
            |_| true,
        );
        assert!(all.bands.iter().any(|b| b.lane == 1
            && b.state.down
            && band_label(&b.state).as_deref() == Some("crashed")));
        let quiet = SpaceTime::build(
            trace,
            sim.now(),
            (5, 0, false),
            options(SECOND, None),
            |m| m.kind != MessageKind::Heartbeat,
        );
        assert!(quiet.arrows.len() < all.arrows.len());
        assert!(quiet
            .arrows
            .iter()
            .all(|a| a.kind != MessageKind::Heartbeat));
    }
    /// Winning an election is drawn as a ★ on the winner's lane; selected, the votes it
    /// counted are in its causal past and the first heartbeats it sent in its future, and the
    /// inspector's words name the vote that tipped it (Figure 2, Candidates; Lamport's
    /// happens-before).
    #[test]
    fn an_election_won_is_an_event_whose_past_holds_the_votes_section_5_2() {
        let mut sim = traced(3);
        sim.advance_to(3 * SECOND);
        let trace = sim.trace().expect("on");
        let plain = SpaceTime::build(
            trace,
            sim.now(),
            (5, 0, false),
            options(3 * SECOND, None),
            |_| true,
        );
        let won = plain
            .glyphs
            .iter()
            .find(|g| g.symbol == "★")
            .expect("an election is won within 3 s");
        assert!(won.label.contains("became leader of term"), "{}", won.label);
        assert!(plain.glyphs.iter().all(|g| g.relation == Relation::Plain));
        let d = SpaceTime::build(
            trace,
            sim.now(),
            (5, 0, false),
            Options {
                event: Some(won.mark),
                ..options(3 * SECOND, None)
            },
            |_| true,
        );
        let leader = Addr::Server(won.mark.server);
        let arrow_of = |a: &Arrow| trace.message(a.id).expect("kept");
        assert!(d.arrows.iter().any(|a| {
            let m = arrow_of(a);
            a.kind == MessageKind::RequestVoteReply
                && m.envelope.to == leader
                && a.relation == Relation::Past
        }));
        assert!(d.arrows.iter().any(|a| {
            let m = arrow_of(a);
            m.envelope.from == leader
                && m.envelope.sent_at >= won.mark.at
                && a.relation == Relation::Future
        }));
        let selected: Vec<_> = d
            .glyphs
            .iter()
            .filter(|g| g.relation == Relation::Selected)
            .collect();
        assert_eq!(selected.len(), 1);
        let cause = crate::explain::mark_cause(trace, &won.mark);
        assert!(cause.contains("RequestVoteReply"), "{cause}");
    }

    /// A crash is a person's doing, not a step's: its event has no causal order to show, and
    /// its cause says so.
    #[test]
    fn a_crash_is_an_event_without_a_step() {
        let sim = s2_crashed_at_two_seconds(3, 100 * MS);
        let trace = sim.trace().expect("on");
        let d = SpaceTime::build(
            trace,
            sim.now(),
            (5, 0, false),
            options(SECOND, None),
            |_| true,
        );
        let crash = d.glyphs.iter().find(|g| g.symbol == "↯").expect("drawn");
        assert_eq!(crash.mark.server, 2);
        assert_eq!(crash.mark.step, None);
        assert!(crate::explain::mark_cause(trace, &crash.mark).contains("action"));
    }
}
