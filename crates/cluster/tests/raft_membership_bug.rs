//! The single-server membership bug Ongaro reported on raft-dev in 2015 (and corrected in his
//! dissertation's errata to §4.1): a leader that appends a configuration entry before an entry
//! of its own term is committed can have that configuration overruled by an older, uncommitted
//! one — and an acknowledged write is lost. The fix: a leader appends a configuration entry only
//! once an entry of its current term is committed (with no-op on election off, a change asked for
//! appends a no-op first and waits for it).

mod common;

use common::*;
use quorum_cluster::check::linearizability::{check_history, Verdict};
use quorum_cluster::message::ReadConsistency;
use quorum_cluster::{Action, Sim};
use quorum_core::time::MS;
use quorum_traffic::client::{OpKind, Status};

/// Stages the interleaving on four servers and returns the run once the old leader has had every
/// chance to overwrite the committed entries.
fn stage_the_2015_interleaving(noop_on_election: bool) -> Sim {
    let mut sim = staged_cluster(4, noop_on_election);
    // 1. S1 leads {S1..S4} and commits something of its term.
    elect(&mut sim, 1);
    put(&mut sim, 1, "x", 1);
    assert!(run_until(&mut sim, 2 * S, |s| ok_writes(s) == 1));
    run_for(&mut sim, 200 * MS);
    // S1 appends "remove S3" but the entry reaches nobody; then S1 crashes.
    cut_both(&mut sim, 1, &[2, 3, 4]);
    sim.apply(Action::RemoveServer { node: 3 }).unwrap();
    run_for(&mut sim, 5 * MS);
    sim.apply(Action::Crash { node: 1.into() }).unwrap();
    sim.apply(Action::Heal).unwrap();

    // 2. S2 wins the next term with votes from S3 and S4 …
    elect(&mut sim, 2);
    // … S4 hears nothing more from it (the cut dooms what is in flight) …
    sim.apply(Action::CutLink { from: 2, to: 4 }).unwrap();
    // … S2 is asked to remove S4 at once, and a client writes through S2.
    sim.apply(Action::RemoveServer { node: 4 }).unwrap();
    run_for(&mut sim, 300 * MS);
    put(&mut sim, 2, "x", 2);
    run_until(&mut sim, 2 * S, |s| ok_writes(s) == 2);
    run_for(&mut sim, 200 * MS);

    // 3. S2 crashes; S1 restarts and campaigns with its own uncommitted configuration.
    sim.apply(Action::Crash { node: 2.into() }).unwrap();
    run_for(&mut sim, 100 * MS); // what S2 sent dies at its crashed destination or arrives
    sim.apply(Action::Restart { node: 1.into() }).unwrap();
    sim.apply(Action::Heal).unwrap();
    for _ in 0..5 {
        sim.apply(Action::Timeout { node: 1 }).unwrap();
        if run_until(&mut sim, 300 * MS, |s| leaders(s).contains(&1)) {
            break;
        }
    }
    // Whoever leads now, give it time to replicate and commit.
    run_for(&mut sim, 2 * S);
    sim
}

fn ok_writes(sim: &Sim) -> usize {
    sim.history()
        .iter()
        .filter(|op| op.status == Status::Ok && op.value.is_some())
        .count()
}

/// No invariant fired, a read through the new leader returns the last acknowledged write, and
/// the whole history is linearizable.
fn assert_no_write_lost(sim: &mut Sim) {
    let leader = leaders(sim);
    assert_eq!(leader.len(), 1, "a leader serves again");
    let last_acknowledged = sim
        .history()
        .iter()
        .filter(|op| op.status == Status::Ok && op.value.is_some())
        .max_by_key(|op| op.ret)
        .and_then(|op| op.value);
    get(sim, leader[0], "x", ReadConsistency::Linearizable);
    let read = |s: &Sim| {
        s.history()
            .iter()
            .find(|op| op.op == OpKind::Read && op.status == Status::Ok)
            .and_then(|op| op.result)
    };
    assert!(run_until(sim, 2 * S, |s| read(s).is_some()));
    assert_eq!(
        read(sim),
        Some(last_acknowledged),
        "the read returns the last acknowledged write"
    );
    assert_safe(sim);
    let history = sim.final_history();
    assert_eq!(
        check_history(&history).verdict,
        Verdict::Linearizable,
        "history: {history:#?}"
    );
}

/// S2 did not append its configuration before its term had a committed entry: it said so.
fn assert_change_waited(sim: &Sim) {
    assert_change_waited_for(sim, 2, "voters S1, S2, S3");
}

#[test]
fn a_configuration_from_a_failed_leader_cannot_overrule_a_committed_one_with_noop_dissertation_4_1_errata(
) {
    let mut sim = stage_the_2015_interleaving(true);
    assert_no_write_lost(&mut sim);
    assert_change_waited(&sim);
}

#[test]
fn a_configuration_from_a_failed_leader_cannot_overrule_a_committed_one_without_noop_dissertation_4_1_errata(
) {
    let mut sim = stage_the_2015_interleaving(false);
    assert_no_write_lost(&mut sim);
    assert_change_waited(&sim);
}

/// The waiting change is not lost: once the leader's own entry commits, it is proposed and
/// committed. With no-op on election off, asking for the change is what appends the no-op.
fn a_waiting_change_goes_ahead_once_the_term_has_a_committed_entry(noop_on_election: bool) {
    let mut sim = staged_cluster(4, noop_on_election);
    elect(&mut sim, 2);
    // S3 and S4 hear nothing from the new leader, so nothing of its term can commit (3 of 4).
    sim.apply(Action::CutLink { from: 2, to: 3 }).unwrap();
    sim.apply(Action::CutLink { from: 2, to: 4 }).unwrap();
    sim.apply(Action::RemoveServer { node: 4 }).unwrap();
    assert_change_waited_for(&sim, 2, "voters S1, S2, S3");
    if !noop_on_election {
        assert_eq!(
            raft(&sim, 2).log().last_term(),
            term(&sim, 2),
            "asking for the change appended a no-op of the leader's term"
        );
    }
    run_for(&mut sim, S);
    assert_eq!(sim.view().voters, vec![1, 2, 3, 4], "nothing changed yet");
    // The links come back: the leader's entry commits, then the change goes ahead.
    sim.apply(Action::Heal).unwrap();
    assert!(
        run_until(&mut sim, 3 * S, |s| raft(s, 2).membership().voters.len()
            == 3
            && commit(s, 2) >= raft(s, 2).log().last_index()),
        "the change is proposed and committed: {:#?}",
        sim.view().feed
    );
    assert_safe(&sim);
}

fn assert_change_waited_for(sim: &Sim, leader: quorum_cluster::NodeId, config: &str) {
    let expected = format!("S{leader} will propose the configuration {config}");
    assert!(
        sim.feed().iter().any(|f| f.text.contains(&expected)),
        "expected {expected:?}: {:#?}",
        sim.view().feed
    );
}

#[test]
fn a_waiting_change_goes_ahead_with_noop_dissertation_4_1_errata() {
    a_waiting_change_goes_ahead_once_the_term_has_a_committed_entry(true);
}

#[test]
fn a_waiting_change_goes_ahead_without_noop_dissertation_4_1_errata() {
    a_waiting_change_goes_ahead_once_the_term_has_a_committed_entry(false);
}
