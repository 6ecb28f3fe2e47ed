//! The space-time trace: what it records, that recording changes nothing, that it survives the
//! timeline's seeks exactly, and that its happens-before (Lamport 1978: a lane's order plus
//! sends before receipts) agrees with vector clocks.

use std::collections::BTreeMap;

use quorum_cluster::message::{Addr, MessageKind};
use quorum_cluster::timeline::Timeline;
use quorum_cluster::trace::{Fate, Step, StepKind, Trace, TRACE_WINDOW};
use quorum_cluster::{Action, ClusterConfig, Sim};
use quorum_core::time::{MS, SECOND};
use quorum_traffic::balancer::BalancerConfig;
use quorum_traffic::client::WorkloadConfig;

fn sim(seed: u64) -> Sim {
    let config = ClusterConfig {
        seed,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 3,
        rate: 30.0,
        balancer: Some(BalancerConfig::default()),
        ..Default::default()
    };
    Sim::new(config, workload).expect("valid")
}

fn faulty_run(sim: &mut Sim, until: u64) {
    for step in 1..=until {
        if step % 40 == 0 {
            drop(sim.apply(Action::CrashLeader { label: None }));
        }
        if step % 40 == 15 {
            drop(sim.apply(Action::RestartAll));
        }
        sim.advance_to(step * 100 * MS);
    }
}

/// Vector clocks per step: a lane's own count, merged with the sender's clock on a receipt.
fn vector_clocks(trace: &Trace) -> BTreeMap<u64, BTreeMap<Addr, u64>> {
    let mut lane_clock: BTreeMap<Addr, BTreeMap<Addr, u64>> = BTreeMap::new();
    let mut at_step: BTreeMap<u64, BTreeMap<Addr, u64>> = BTreeMap::new();
    for step in trace.steps() {
        let mut clock = lane_clock.get(&step.lane).cloned().unwrap_or_default();
        if let StepKind::Received { message } = step.kind {
            let sender = trace.message(message).and_then(|m| m.sent_in);
            if let Some(theirs) = sender.and_then(|s| at_step.get(&s)) {
                for (lane, n) in theirs {
                    let mine = clock.entry(*lane).or_default();
                    *mine = (*mine).max(*n);
                }
            }
        }
        *clock.entry(step.lane).or_default() += 1;
        lane_clock.insert(step.lane, clock.clone());
        at_step.insert(step.id, clock);
    }
    at_step
}

fn before_or_equal(a: &BTreeMap<Addr, u64>, b: &BTreeMap<Addr, u64>) -> bool {
    a.iter()
        .all(|(lane, n)| b.get(lane).copied().unwrap_or(0) >= *n)
}

/// Happens-before from the trace's cuts is exactly the vector-clock order, both ways, over a
/// faulty run (crashes and restarts of leaders, client traffic through the balancer).
#[test]
fn causal_past_and_future_agree_with_vector_clocks_lamport_1978() {
    let mut s = sim(4);
    s.set_tracing(true);
    faulty_run(&mut s, 120);
    let trace = s.trace().expect("recording");
    let clocks = vector_clocks(trace);
    let steps: Vec<&Step> = trace.steps().collect();
    assert!(steps.len() > 500, "{} steps", steps.len());
    let (mut related, mut concurrent) = (0, 0);
    for (i, a) in steps.iter().enumerate().step_by(97) {
        let future = trace.causal_future(a.id);
        let past = trace.causal_past(a.id);
        for b in steps.iter().skip(i % 13).step_by(29) {
            let a_before_b = before_or_equal(&clocks[&a.id], &clocks[&b.id]);
            let b_before_a = before_or_equal(&clocks[&b.id], &clocks[&a.id]);
            assert_eq!(future.contains(b), a_before_b, "{a:?} → {b:?}");
            assert_eq!(past.contains(b), b_before_a, "{b:?} → {a:?}");
            if a_before_b || b_before_a {
                related += 1;
            } else {
                concurrent += 1;
            }
        }
    }
    assert!(
        related > 100 && concurrent > 20,
        "{related} related, {concurrent} concurrent"
    );
}

/// A vote reply is in the causal future of the vote request it answers; a heartbeat the
/// balancer sent before the election began is not, and the request is in the reply's past.
#[test]
fn a_vote_reply_follows_its_request_and_an_earlier_unrelated_health_check_does_not_section_5_2() {
    let mut s = sim(2);
    s.set_tracing(true);
    s.advance_to(3 * SECOND);
    let trace = s.trace().expect("recording");
    let request = trace
        .messages()
        .find(|m| {
            m.envelope.payload.message_kind() == MessageKind::RequestVote && m.received_in.is_some()
        })
        .expect("a delivered vote request");
    let asked = request.sent_in.expect("sent by the candidate's timeout");
    let answered_in = request.received_in.expect("delivered");
    let reply = trace
        .messages()
        .find(|m| {
            m.sent_in == Some(answered_in)
                && m.envelope.payload.message_kind() == MessageKind::RequestVoteReply
        })
        .expect("the voter answered");
    let future = trace.causal_future(asked);
    assert!(future.holds(trace, reply) || reply.received_in.is_none());
    let reply_sent = trace.step(answered_in).expect("kept");
    assert!(future.contains(reply_sent));
    assert!(trace
        .causal_past(answered_in)
        .contains(trace.step(asked).expect("kept")));
    let health = trace
        .messages()
        .find(|m| {
            m.envelope.payload.message_kind() == MessageKind::HealthCheck
                && m.envelope.sent_at < request.envelope.sent_at
        })
        .expect("an earlier health check");
    let health_sent = trace
        .step(health.sent_in.expect("the balancer's wake"))
        .expect("kept");
    assert!(!future.contains(health_sent));
    assert!(!future.holds(trace, health));
}

/// Recording changes nothing in the run; every message it keeps ends delivered or lost; and
/// it keeps only the last window of time.
#[test]
fn tracing_changes_nothing_and_keeps_a_bounded_window() {
    let (mut plain, mut traced) = (sim(9), sim(9));
    traced.set_tracing(true);
    faulty_run(&mut plain, 450);
    faulty_run(&mut traced, 450);
    assert_eq!(plain.trace_hash(), traced.trace_hash());
    assert!(plain.trace().is_none());
    let trace = traced.trace().expect("recording");
    let now = traced.now();
    assert!(trace.steps().all(|s| s.at + TRACE_WINDOW + SECOND >= now));
    assert!(trace.steps().count() > 1000);
    let ended: Vec<_> = trace.messages().filter(|m| m.end.is_some()).collect();
    assert!(ended
        .iter()
        .any(|m| matches!(m.end, Some((_, Fate::Lost { .. })))));
    assert!(ended
        .iter()
        .any(|m| matches!(m.end, Some((_, Fate::Delivered)))));
    assert!(
        trace.marks().count() > 3,
        "crashes, restarts and roles marked"
    );
}

/// After seeks back and forth the trace over the span the diagram shows is the one a run
/// straight to that instant records.
#[test]
fn a_seek_recreates_the_span_the_diagram_shows_exactly() {
    let span = 5 * SECOND;
    let mut timeline = Timeline::new(sim(6));
    timeline.set_tracing(Some(span));
    timeline.advance_to(40 * SECOND);
    for t in [31 * SECOND + 300 * MS, 12 * SECOND, 38 * SECOND + 50 * MS] {
        timeline.seek(t);
        let mut straight = sim(6);
        straight.set_tracing(true);
        straight.advance_to(t);
        let window = |trace: &Trace| -> Vec<(u64, u64, Option<u64>)> {
            trace
                .messages()
                .filter(|m| m.envelope.sent_at + span >= t)
                .map(|m| (m.envelope.id, m.envelope.sent_at, m.end.map(|(at, _)| at)))
                .collect()
        };
        let seen = window(timeline.sim().trace().expect("recording"));
        assert!(!seen.is_empty());
        assert_eq!(
            seen,
            window(straight.trace().expect("recording")),
            "at {t} µs"
        );
    }
}

/// Turning tracing on part way through an instant — a person stepping event by event — keeps
/// the run exactly where it was: the same instant, the same events handled, the same messages
/// in flight; the trace is rebuilt behind it.
#[test]
fn tracing_turned_on_mid_step_keeps_the_run_where_it_was() {
    let mut timeline = Timeline::new(sim(6));
    timeline.advance_to(3 * SECOND);
    // Step until two events in a row share an instant, and stop between them.
    let mut stepped = 0;
    loop {
        assert!(timeline.step());
        stepped += 1;
        let now = timeline.sim().now();
        if timeline.sim().next_event_time() == Some(now) || stepped > 5_000 {
            break;
        }
    }
    assert!(
        timeline.sim().next_event_time() == Some(timeline.sim().now()),
        "mid-instant"
    );
    let events = timeline.sim().stats().events;
    let in_flight: Vec<u64> = timeline.sim().in_flight().keys().copied().collect();
    timeline.set_tracing(Some(2 * SECOND));
    assert_eq!(timeline.sim().stats().events, events);
    assert_eq!(
        timeline
            .sim()
            .in_flight()
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        in_flight
    );
    assert!(timeline
        .sim()
        .trace()
        .is_some_and(|t| t.messages().count() > 0));
}
