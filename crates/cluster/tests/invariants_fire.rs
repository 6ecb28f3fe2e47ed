//! Every invariant is seen to fire: for each one, a hand-built sequence of server states that
//! breaks it, shown to the checker, which must name it. A check never seen to fail proves
//! nothing. The states come from a stand-in replica (its log a list of (term, value) pairs), so
//! each test breaks exactly the property it is about — where two invariants always fire
//! together (a server that commits a different entry both disagrees with the cluster and
//! changes what it had committed), the test says so.

use quorum_cluster::check::PaxosFacts;
use quorum_cluster::check::{Checker, Observed, Violation};
use quorum_cluster::config::ProtocolKind;
use quorum_cluster::{ClusterConfig, NodeId};
use quorum_paxos::Ballot;
use quorum_service::server::{Reconfigurable, Replica, Role};

/// A server's state as the checker reads it, written by hand.
#[derive(Clone, Debug)]
struct Stand {
    term: u64,
    role: Role,
    commit: u64,
    applied: u64,
    /// The log: (term, value) per index from 1.
    log: Vec<(u64, u64)>,
    kv: u64,
    snapshot: Option<(u64, u64)>,
    pending_configs: usize,
}

impl Stand {
    fn follower(term: u64, log: &[(u64, u64)]) -> Stand {
        Stand {
            term,
            role: Role::Follower,
            commit: 0,
            applied: 0,
            log: log.to_vec(),
            kv: 0,
            snapshot: None,
            pending_configs: 0,
        }
    }

    fn leader(term: u64, log: &[(u64, u64)]) -> Stand {
        Stand {
            role: Role::Leader,
            ..Stand::follower(term, log)
        }
    }

    fn committed(mut self, commit: u64) -> Stand {
        self.commit = commit;
        self
    }

    fn applied(mut self, applied: u64, kv: u64) -> Stand {
        self.applied = applied;
        self.kv = kv;
        self
    }
}

impl Replica for Stand {
    fn term(&self) -> u64 {
        self.term
    }
    fn role(&self) -> Role {
        self.role
    }
    fn commit_index(&self) -> u64 {
        self.commit
    }
    fn applied_index(&self) -> u64 {
        self.applied
    }
    fn last_index(&self) -> u64 {
        self.log.len() as u64
    }
    fn entry_term(&self, index: u64) -> Option<u64> {
        index
            .checked_sub(1)
            .and_then(|i| self.log.get(i as usize))
            .map(|e| e.0)
    }
    fn prefix_digest(&self, index: u64) -> Option<u64> {
        if index as usize > self.log.len() {
            return None;
        }
        Some(self.log[..index as usize].iter().fold(17u64, |d, (t, v)| {
            d.wrapping_mul(1_000_003).wrapping_add(t * 7919 + v)
        }))
    }
    fn take_log_changes(&mut self) -> Option<u64> {
        Some(1)
    }
    fn kv_digest(&self) -> u64 {
        self.kv
    }
    fn log_start(&self) -> u64 {
        0
    }
}

impl Reconfigurable for Stand {
    fn snapshot_state(&self) -> Option<(u64, u64)> {
        self.snapshot
    }
    fn config_entries_after(&self, _: u64) -> usize {
        self.pending_configs
    }
}

fn checker(protocol: ProtocolKind) -> Checker {
    Checker::for_cluster(&ClusterConfig {
        servers: 5,
        protocol,
        ..Default::default()
    })
}

/// Shows `stand` as server `id` (its whole log changed, so every log check looks at it).
fn show(c: &mut Checker, id: NodeId, stand: &Stand) -> Vec<Violation> {
    show_with(c, id, stand, None)
}

fn show_with(
    c: &mut Checker,
    id: NodeId,
    stand: &Stand,
    facts: Option<&PaxosFacts>,
) -> Vec<Violation> {
    c.observe(
        0,
        Observed {
            id,
            up: true,
            changed_from: Some(1),
            replica: stand,
            paxos: facts,
            reconfigurable: Some(stand),
        },
    )
}

fn names(found: &[Violation]) -> Vec<&str> {
    found.iter().map(|v| v.invariant.as_str()).collect()
}

/// The last observation broke `invariant` and nothing else.
fn fires_alone(found: &[Violation], invariant: &str) {
    assert_eq!(names(found), vec![invariant], "{found:#?}");
    assert!(!found[0].explanation.is_empty() && !found[0].source.is_empty());
}

#[test]
fn terms_never_decrease_fires_when_a_term_goes_back_figure_2() {
    let mut c = checker(ProtocolKind::Raft);
    assert!(show(&mut c, 1, &Stand::follower(3, &[])).is_empty());
    fires_alone(
        &show(&mut c, 1, &Stand::follower(2, &[])),
        "Terms never decrease",
    );
}

#[test]
fn election_safety_fires_for_two_leaders_of_one_term_section_5_2() {
    let mut c = checker(ProtocolKind::Raft);
    assert!(show(&mut c, 1, &Stand::leader(2, &[])).is_empty());
    fires_alone(&show(&mut c, 2, &Stand::leader(2, &[])), "Election Safety");
}

#[test]
fn leader_append_only_fires_when_a_leader_shrinks_its_log_section_5_3() {
    let mut c = checker(ProtocolKind::Raft);
    assert!(show(&mut c, 1, &Stand::leader(2, &[(1, 10), (2, 20)])).is_empty());
    fires_alone(
        &show(&mut c, 1, &Stand::leader(2, &[(1, 10)])),
        "Leader Append-Only",
    );
}

#[test]
fn log_matching_fires_for_equal_terms_at_an_index_over_different_prefixes_section_5_3() {
    let mut c = checker(ProtocolKind::Raft);
    assert!(show(&mut c, 1, &Stand::follower(1, &[(1, 10), (1, 20)])).is_empty());
    fires_alone(
        &show(&mut c, 2, &Stand::follower(1, &[(1, 99), (1, 20)])),
        "Log Matching",
    );
}

#[test]
fn commit_bounds_fire_for_a_commit_index_past_the_log_and_applying_past_it_figure_2() {
    let mut c = checker(ProtocolKind::Raft);
    fires_alone(
        &show(&mut c, 1, &Stand::follower(1, &[(1, 10)]).committed(3)),
        "Commit index within log",
    );
    fires_alone(
        &show(
            &mut c,
            2,
            &Stand::follower(1, &[(1, 10), (1, 20)])
                .committed(1)
                .applied(2, 5),
        ),
        "Commit index within log",
    );
}

#[test]
fn leader_completeness_fires_for_a_leader_missing_entries_committed_in_earlier_terms_section_5_4() {
    let mut c = checker(ProtocolKind::Raft);
    let log = [(1, 10), (1, 20), (1, 30)];
    assert!(show(&mut c, 1, &Stand::follower(1, &log).committed(3)).is_empty());
    fires_alone(
        &show(&mut c, 2, &Stand::leader(2, &log[..2])),
        "Leader Completeness",
    );
}

#[test]
fn leader_completeness_does_not_ask_a_late_leader_of_an_older_term_for_later_commits() {
    // Entries committed in term 3 need not be on a leader of term 2 elected late (votes granted
    // before a stall): the paper asks only for what earlier terms committed.
    let mut c = checker(ProtocolKind::Raft);
    let log = [(1, 10), (3, 20)];
    assert!(show(&mut c, 1, &Stand::leader(3, &log).committed(2)).is_empty());
    assert!(show(&mut c, 2, &Stand::leader(2, &log[..1])).is_empty());
}

#[test]
fn state_machine_safety_fires_when_a_server_commits_a_different_entry_section_5_4_3() {
    let mut c = checker(ProtocolKind::Raft);
    assert!(show(
        &mut c,
        1,
        &Stand::follower(1, &[(1, 10), (1, 20)]).committed(2)
    )
    .is_empty());
    // A different term at index 2, so Log Matching has nothing to say; committing it both breaks
    // State Machine Safety and changes what S2 now counts as committed.
    let found = show(
        &mut c,
        2,
        &Stand::follower(2, &[(1, 10), (2, 77)]).committed(2),
    );
    assert_eq!(
        names(&found),
        vec!["State Machine Safety", "Committed entries are durable"],
        "{found:#?}"
    );
}

#[test]
fn committed_entries_are_durable_fires_when_a_server_rewrites_what_it_committed_section_5_4() {
    let mut c = checker(ProtocolKind::Raft);
    let before = Stand::follower(1, &[(1, 10), (1, 20)]).committed(2);
    assert!(show(&mut c, 1, &before).is_empty());
    // Seen again once the cluster knows entries 1–2 committed: S1 is known to hold them.
    assert!(show(&mut c, 1, &before).is_empty());
    // S1 now claims only index 1 committed, and its entry 2 is another one: it lost a committed
    // entry (State Machine Safety compares only up to the commit index it claims now).
    fires_alone(
        &show(
            &mut c,
            1,
            &Stand::follower(2, &[(1, 10), (2, 77)]).committed(1),
        ),
        "Committed entries are durable",
    );
}

#[test]
fn replica_agreement_fires_for_equal_applied_indexes_and_different_states_section_2() {
    let mut c = checker(ProtocolKind::Raft);
    let log = [(1, 10), (1, 20)];
    assert!(show(
        &mut c,
        1,
        &Stand::follower(1, &log).committed(2).applied(2, 100)
    )
    .is_empty());
    fires_alone(
        &show(
            &mut c,
            2,
            &Stand::follower(1, &log).committed(2).applied(2, 200),
        ),
        "Equal applied index, equal state",
    );
}

#[test]
fn snapshot_matches_fires_for_a_snapshot_unlike_the_state_it_replaces_section_7() {
    let mut c = checker(ProtocolKind::Raft);
    let log = [(1, 10), (1, 20)];
    assert!(show(
        &mut c,
        1,
        &Stand::follower(1, &log).committed(2).applied(2, 100)
    )
    .is_empty());
    let mut odd = Stand::follower(1, &log);
    odd.snapshot = Some((2, 999));
    fires_alone(
        &show(&mut c, 2, &odd),
        "Snapshots equal the state they replace",
    );
}

#[test]
fn one_configuration_change_at_a_time_fires_for_two_uncommitted_changes_dissertation_4_1() {
    let mut c = checker(ProtocolKind::Raft);
    let mut busy = Stand::leader(1, &[(1, 10), (1, 20)]);
    busy.pending_configs = 2;
    fires_alone(
        &show(&mut c, 1, &busy),
        "One configuration change at a time",
    );
}

#[test]
fn every_raft_invariant_has_a_test_above() {
    // The names the checker lists for Raft are exactly the eleven the tests above break.
    let listed: Vec<&str> = Checker::invariant_names(ProtocolKind::Raft)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        listed,
        vec![
            "Terms never decrease",
            "Election Safety",
            "Leader Append-Only",
            "Log Matching",
            "Commit index within log",
            "Leader Completeness",
            "State Machine Safety",
            "Committed entries are durable",
            "Equal applied index, equal state",
            "Snapshots equal the state they replace",
            "One configuration change at a time",
        ]
    );
}

// ----- Multi-Paxos -----

fn acceptor() -> Stand {
    Stand::follower(1, &[])
}

fn facts(promised: Ballot) -> PaxosFacts {
    PaxosFacts {
        promised,
        ..Default::default()
    }
}

#[test]
fn promises_never_decrease_fires_when_a_promise_goes_back_paxos_tla_phase_1b() {
    let mut c = checker(ProtocolKind::MultiPaxos);
    let a = acceptor();
    assert!(show_with(&mut c, 1, &a, Some(&facts(Ballot::new(2, 1)))).is_empty());
    fires_alone(
        &show_with(&mut c, 1, &a, Some(&facts(Ballot::new(1, 1)))),
        "Promises never decrease; no accept below the promise",
    );
}

#[test]
fn promises_never_decrease_fires_for_an_accept_below_the_promise_paxos_made_simple_p1a() {
    let mut c = checker(ProtocolKind::MultiPaxos);
    let a = acceptor();
    let high = Ballot::new(3, 2);
    assert!(show_with(&mut c, 1, &a, Some(&facts(high))).is_empty());
    let mut f = facts(high);
    f.accepted.push((1, Ballot::new(1, 1), 42));
    fires_alone(
        &show_with(&mut c, 1, &a, Some(&f)),
        "Promises never decrease; no accept below the promise",
    );
}

/// Acceptors `ids` accept `digest` in `slot` and `ballot` (having promised it).
fn accept_all(
    c: &mut Checker,
    ids: &[NodeId],
    slot: u64,
    ballot: Ballot,
    digest: u64,
) -> Vec<Violation> {
    let mut found = Vec::new();
    for &id in ids {
        let mut f = facts(ballot);
        f.accepted.push((slot, ballot, digest));
        found.extend(show_with(c, id, &acceptor(), Some(&f)));
    }
    found
}

fn propose(c: &mut Checker, leader: NodeId, slot: u64, ballot: Ballot, digest: u64) {
    let mut f = facts(ballot);
    f.proposed.push((slot, ballot, digest));
    assert!(show_with(c, leader, &acceptor(), Some(&f)).is_empty());
}

#[test]
fn one_value_per_slot_fires_when_a_majority_chooses_a_second_value_paxos_tla_consistency() {
    let mut c = checker(ProtocolKind::MultiPaxos);
    let (first, second) = (Ballot::new(1, 1), Ballot::new(2, 2));
    propose(&mut c, 1, 1, first, 111);
    assert!(accept_all(&mut c, &[1, 2, 3], 1, first, 111).is_empty());
    propose(&mut c, 2, 1, second, 222);
    let found = accept_all(&mut c, &[3, 4, 5], 1, second, 222);
    fires_alone(&found, "At most one value chosen per slot");
}

#[test]
fn chosen_was_proposed_fires_for_a_value_no_proposer_sent_paxos_made_simple_2_1() {
    let mut c = checker(ProtocolKind::MultiPaxos);
    let found = accept_all(&mut c, &[1, 2, 3], 1, Ballot::new(1, 1), 555);
    fires_alone(&found, "Chosen values were proposed");
}

#[test]
fn applied_in_order_fires_for_a_gap_and_for_an_unchosen_value_paxos_made_simple_3() {
    let mut c = checker(ProtocolKind::MultiPaxos);
    let b = Ballot::new(1, 1);
    propose(&mut c, 1, 1, b, 111);
    assert!(accept_all(&mut c, &[1, 2, 3], 1, b, 111).is_empty());
    // S4 applies slot 2 first: out of order.
    let mut gap = facts(b);
    gap.applied.push((2, 111));
    fires_alone(
        &show_with(&mut c, 4, &acceptor(), Some(&gap)),
        "Replicas apply chosen slots in order",
    );
    // S5 applies slot 1 with a value other than the chosen one.
    let mut wrong = facts(b);
    wrong.applied.push((1, 999));
    fires_alone(
        &show_with(&mut c, 5, &acceptor(), Some(&wrong)),
        "Replicas apply chosen slots in order",
    );
}

/// The same alarm from a whole running cluster: with a deliberately broken Raft whose
/// candidates lead without votes, servers whose election timers were aligned all lead term 1,
/// and Election Safety (§5.2: at most one leader per term) names it.
#[test]
fn candidates_that_lead_without_votes_trip_election_safety_in_a_running_cluster_5_2() {
    use quorum_cluster::config::Mutation;
    use quorum_cluster::{Action, Sim};
    use quorum_core::time::SECOND;
    use quorum_traffic::client::WorkloadConfig;

    let run = |mutation: Option<Mutation>| {
        let mut config = ClusterConfig::default();
        config.raft.mutation = mutation;
        let workload = WorkloadConfig {
            clients: 0,
            ..Default::default()
        };
        let mut sim = Sim::new(config, workload).expect("valid config");
        sim.apply(Action::AlignTimers).expect("align");
        sim.advance_to(SECOND);
        sim.violations()
            .iter()
            .map(|v| v.invariant.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(None),
        Vec::<String>::new(),
        "the real Raft is safe here"
    );
    let found = run(Some(Mutation::CandidateWinsAlone));
    assert!(
        found.iter().any(|i| i == "Election Safety"),
        "Election Safety must fire: {found:?}"
    );
}

/// The Paxos checks fire from the facts the checker derives on its own (no node keeps any for
/// it): with acceptors that accept below their promise, proposers that duel make some acceptor's
/// promise fall, and the promise check ("Paxos Made Simple" P1a) names it.
#[test]
fn acceptors_that_ignore_their_promise_trip_the_promise_check_in_a_running_cluster_p1a() {
    use quorum_cluster::config::PaxosMutation;
    use quorum_cluster::Sim;
    use quorum_core::time::SECOND;
    use quorum_traffic::client::WorkloadConfig;

    let run = |mutation: Option<PaxosMutation>| {
        let mut config = ClusterConfig {
            protocol: ProtocolKind::MultiPaxos,
            ..Default::default()
        };
        // Every server proposes what it receives: the proposers duel.
        config.paxos.stable_leader = false;
        config.paxos.mutation = mutation;
        let workload = WorkloadConfig {
            clients: 4,
            rate: 40.0,
            keys: 2,
            ..Default::default()
        };
        let mut sim = Sim::new(config, workload).expect("valid config");
        sim.advance_to(10 * SECOND);
        sim.violations()
            .iter()
            .map(|v| v.invariant.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(None),
        Vec::<String>::new(),
        "the real acceptors are safe"
    );
    let found = run(Some(PaxosMutation::AcceptorIgnoresPromise));
    assert!(
        found
            .iter()
            .any(|i| i == "Promises never decrease; no accept below the promise"),
        "the promise check must fire: {found:?}"
    );
}
