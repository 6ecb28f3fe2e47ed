//! Raft behaviour from the paper (Ongaro & Ousterhout 2014), one test per situation, each citing
//! its section. Elections are staged by hand where a figure needs an exact sequence.

mod common;

use common::*;
use quorum_cluster::check::linearizability::{check_history, Verdict};
use quorum_cluster::message::{Addr, Payload};
use quorum_cluster::{Action, NodeId};
use quorum_core::time::MS;
use quorum_service::kv::KvOp;
use quorum_service::server::Replica;
use quorum_traffic::client::Status;

/// §5.2: from a cold start, randomized timeouts elect exactly one leader, and every other server
/// follows it in the same term.
fn one_leader_is_elected(servers: usize) {
    for seed in 1..=5 {
        let mut sim = cluster(servers, seed);
        assert!(
            run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1),
            "n={servers} seed={seed}"
        );
        run_for(&mut sim, 500 * MS);
        let l = leaders(&sim);
        assert_eq!(l.len(), 1, "n={servers} seed={seed}");
        let t = term(&sim, l[0]);
        for s in sim.servers() {
            assert_eq!(s.node.term(), t, "everyone adopts the leader's term");
            assert_eq!(s.node.leader(), Some(l[0]), "everyone knows the leader");
        }
        assert_safe(&sim);
    }
}

#[test]
fn election_in_three_servers_section_5_2() {
    one_leader_is_elected(3);
}

#[test]
fn election_in_five_servers_section_5_2() {
    one_leader_is_elected(5);
}

#[test]
fn election_in_seven_servers_section_5_2() {
    one_leader_is_elected(7);
}

#[test]
fn a_crashed_leader_is_replaced_in_a_higher_term_section_5_2() {
    let mut sim = cluster(5, 11);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let old = leaders(&sim)[0];
    let old_term = term(&sim, old);
    sim.apply(Action::Crash { node: old.into() }).unwrap();
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let new = leaders(&sim)[0];
    assert_ne!(new, old);
    assert!(term(&sim, new) > old_term);
    // The old leader restarts as a follower and adopts the new term.
    sim.apply(Action::Restart { node: old.into() }).unwrap();
    run_for(&mut sim, S);
    assert_eq!(leaders(&sim), vec![new]);
    assert_eq!(term(&sim, old), term(&sim, new));
    assert_safe(&sim);
}

#[test]
fn a_minority_partition_makes_no_progress_and_catches_up_after_heal_section_5_3() {
    let mut sim = staged_cluster(5, true);
    elect(&mut sim, 1);
    put(&mut sim, 1, "x", 1);
    run_for(&mut sim, 300 * MS);
    assert!(sim
        .servers()
        .iter()
        .all(|s| s.node.kv().get("x") == Some(1)));

    // S1 (the leader) and S2 are cut off from S3–S5.
    sim.apply(Action::Partition {
        groups: vec![vec![1, 2], vec![3, 4, 5]],
        replace: false,
    })
    .unwrap();
    let commit_before = commit(&sim, 1);
    put(&mut sim, 1, "x", 2); // to the stranded leader: it cannot commit
    run_for(&mut sim, 500 * MS);
    assert_eq!(
        commit(&sim, 1),
        commit_before,
        "the minority leader commits nothing"
    );
    assert_eq!(sim.server(1).unwrap().node.kv().get("x"), Some(1));

    // The majority elects its own leader and makes progress.
    elect(&mut sim, 3);
    run_for(&mut sim, 300 * MS);
    assert!(
        commit(&sim, 3) > commit_before,
        "the majority commits its leader's no-op"
    );

    sim.apply(Action::Heal).unwrap();
    run_for(&mut sim, S);
    assert_eq!(
        leaders(&sim),
        vec![3],
        "the old leader stepped down on seeing the new term"
    );
    let last = sim.server(3).unwrap().node.last_index();
    for s in sim.servers() {
        assert_eq!(s.node.last_index(), last, "S{} caught up", s.node.id());
        assert_eq!(s.node.commit_index(), commit(&sim, 3));
        assert_eq!(s.node.kv_digest(), sim.server(3).unwrap().node.kv_digest());
    }
    assert_safe(&sim);
}

#[test]
fn figure_7_divergent_follower_logs_are_repaired_section_5_3() {
    // Followers that miss entries (Figure 7 a, b, e) and followers with extra entries of an old
    // term (c, d, f): a new leader makes every log match its own.
    let mut sim = staged_cluster(7, false);
    elect(&mut sim, 1);
    for v in 0..3 {
        put(&mut sim, 1, "a", v);
        run_for(&mut sim, 100 * MS);
    }
    assert!(sim.servers().iter().all(|s| s.node.commit_index() == 3));
    // S1 and S2 are cut off; S1 keeps appending entries only S2 receives (never committed).
    sim.apply(Action::Partition {
        groups: vec![vec![1, 2], vec![3, 4, 5, 6, 7]],
        replace: false,
    })
    .unwrap();
    for v in 10..15 {
        put(&mut sim, 1, "b", v);
        run_for(&mut sim, 50 * MS);
    }
    // S7 crashes and misses everything the majority does next.
    sim.apply(Action::Crash { node: 7.into() }).unwrap();
    elect(&mut sim, 3);
    for v in 20..30 {
        put(&mut sim, 3, "c", v);
        run_for(&mut sim, 50 * MS);
    }
    run_for(&mut sim, 200 * MS);
    let leader_last = sim.server(3).unwrap().node.last_index();
    assert!(
        sim.server(7).unwrap().node.last_index() < leader_last,
        "S7 is missing entries"
    );
    assert_eq!(
        entry_term(&sim, 2, 4),
        Some(term(&sim, 1)),
        "S2 has extra old-term entries"
    );
    // Heal and restart: the leader repairs every log to match its own.
    sim.apply(Action::Heal).unwrap();
    sim.apply(Action::Restart { node: 7.into() }).unwrap();
    assert!(run_until(&mut sim, 3 * S, |s| {
        let l = s.server(3).unwrap();
        s.servers().iter().all(|f| {
            f.node.commit_index() == l.node.commit_index()
                && f.node.prefix_digest(f.node.last_index())
                    == l.node.prefix_digest(l.node.last_index())
        })
    }));
    assert_eq!(
        entry_term(&sim, 2, 4),
        entry_term(&sim, 3, 4),
        "S2's extras were overwritten"
    );
    assert_eq!(leaders(&sim), vec![3]);
    assert_safe(&sim);
}

/// Stages Figure 8 (a)–(c): an entry of an old term ends up on a majority under a later leader.
/// Returns (the old-term index, the leader S1 of the current term).
fn stage_figure_8(sim: &mut quorum_cluster::Sim) -> u64 {
    // (a) S1 leads; everyone has the first entry; the second reaches only S2.
    elect(sim, 1);
    put(sim, 1, "x", 1);
    run_for(sim, 300 * MS);
    assert_eq!(commit(sim, 1), 1);
    cut_both(sim, 1, &[3, 4, 5]);
    put(sim, 1, "x", 2);
    run_for(sim, 300 * MS);
    let old_term = term(sim, 1);
    assert_eq!(entry_term(sim, 2, 2), Some(old_term));
    assert_eq!(entry_term(sim, 3, 2), None);
    // (b) S1 crashes; S5 wins the next term with S3 and S4 and takes a different entry at index 2,
    // which it cannot replicate before crashing.
    sim.apply(Action::Crash { node: 1.into() }).unwrap();
    sim.apply(Action::Heal).unwrap();
    elect(sim, 5);
    cut_both(sim, 5, &[1, 2, 3, 4]);
    put(sim, 5, "x", 3);
    run_for(sim, 100 * MS);
    assert_eq!(entry_term(sim, 5, 2), Some(term(sim, 5)));
    sim.apply(Action::Crash { node: 5.into() }).unwrap();
    sim.apply(Action::Heal).unwrap();
    // (c) S1 restarts, wins a later term and copies its old-term entry to a majority.
    sim.apply(Action::Restart { node: 1.into() }).unwrap();
    elect(sim, 1);
    run_for(sim, 300 * MS);
    let replicas = (1..=4)
        .filter(|&n: &NodeId| entry_term(sim, n, 2) == Some(old_term))
        .count();
    assert!(replicas >= 3, "the old-term entry is on a majority");
    2
}

#[test]
fn figure_8_an_old_term_entry_on_a_majority_is_not_committed_section_5_4_2() {
    let mut sim = staged_cluster(5, false);
    let index = stage_figure_8(&mut sim);
    // Replicated on a majority, but of an earlier term: the leader must not count it.
    // (After its restart S1 does not even know index 1 is committed: it learns that only through
    // an entry of its own term.)
    assert!(
        commit(&sim, 1) < index,
        "§5.4.2: never commit an old-term entry by counting replicas"
    );
    // (d) And indeed it could still be replaced: S1 crashes, S5 returns and wins.
    sim.apply(Action::Crash { node: 1.into() }).unwrap();
    sim.apply(Action::Restart { node: 5.into() }).unwrap();
    elect(&mut sim, 5);
    run_for(&mut sim, 300 * MS);
    let t5 = entry_term(&sim, 5, index);
    for n in 2..=4 {
        assert_eq!(
            entry_term(&sim, n, index),
            t5,
            "S{n}'s uncommitted entry was overwritten"
        );
    }
    assert_safe(&sim);
}

#[test]
fn figure_8_a_current_term_entry_commits_the_older_one_with_it_section_5_4_2() {
    let mut sim = staged_cluster(5, false);
    let index = stage_figure_8(&mut sim);
    // (e) S1 replicates an entry of its own term on a majority: both commit.
    put(&mut sim, 1, "x", 4);
    run_for(&mut sim, 300 * MS);
    assert!(
        commit(&sim, 1) > index,
        "the current-term entry commits, and the old one with it"
    );
    let committed_term = entry_term(&sim, 1, index);
    // Now S5 cannot win: a majority has a more up-to-date log (§5.4.1).
    sim.apply(Action::Crash { node: 1.into() }).unwrap();
    sim.apply(Action::Restart { node: 5.into() }).unwrap();
    for _ in 0..5 {
        sim.apply(Action::Timeout { node: 5 }).unwrap();
        run_for(&mut sim, 200 * MS);
        assert!(!leaders(&sim).contains(&5), "S5's log is behind a majority");
    }
    for n in 2..=4 {
        assert_eq!(
            entry_term(&sim, n, index),
            committed_term,
            "committed entries stay"
        );
    }
    assert_safe(&sim);
}

#[test]
fn no_op_on_election_commits_earlier_entries_without_a_client_dissertation_6_4() {
    for noop in [false, true] {
        let mut sim = staged_cluster(5, noop);
        elect(&mut sim, 1);
        // An entry reaches only S2, then S1 crashes and comes back to lead a later term.
        cut_both(&mut sim, 1, &[3, 4, 5]);
        put(&mut sim, 1, "x", 1);
        run_for(&mut sim, 200 * MS);
        let old_entry = sim.server(1).unwrap().node.last_index();
        sim.apply(Action::Crash { node: 1.into() }).unwrap();
        sim.apply(Action::Heal).unwrap();
        sim.apply(Action::Restart { node: 1.into() }).unwrap();
        elect(&mut sim, 1);
        run_for(&mut sim, 500 * MS);
        if noop {
            assert!(
                commit(&sim, 1) > old_entry,
                "the no-op commits the earlier entry at once"
            );
            assert!(sim
                .servers()
                .iter()
                .all(|s| s.node.kv().get("x") == Some(1)));
        } else {
            assert!(
                commit(&sim, 1) < old_entry,
                "without a new-term entry nothing commits"
            );
        }
        assert_safe(&sim);
    }
}

#[test]
fn restarting_every_server_keeps_all_committed_data_figure_2_persistence() {
    let mut sim = cluster(5, 21);
    assert!(run_until(&mut sim, 3 * S, |s| leaders(s).len() == 1));
    let leader = leaders(&sim)[0];
    for (i, key) in ["a", "b", "c"].iter().enumerate() {
        put(&mut sim, leader, key, i as i64 + 1);
        run_for(&mut sim, 200 * MS);
    }
    let committed = commit(&sim, leader);
    for n in 1..=5 {
        sim.apply(Action::Crash { node: n.into() }).unwrap();
    }
    for s in sim.servers() {
        assert!(s.node.last_index() >= committed, "the log is persistent");
        assert_eq!(s.node.commit_index(), 0, "the commit index is volatile");
    }
    sim.apply(Action::RestartAll).unwrap();
    assert!(run_until(&mut sim, 5 * S, |s| leaders(s).len() == 1));
    // Reads go through the log and see every committed write.
    let leader = leaders(&sim)[0];
    sim.apply(Action::ClientRequest {
        op: KvOp::Get { key: "c".into() },
        server: Some(leader),
        read: Default::default(),
    })
    .unwrap();
    run_for(&mut sim, 500 * MS);
    for s in sim.servers() {
        assert_eq!(s.node.kv().get("a"), Some(1));
        assert_eq!(s.node.kv().get("b"), Some(2));
        assert_eq!(s.node.kv().get("c"), Some(3));
    }
    let last_read = sim.history().iter().last().expect("the read completed");
    assert_eq!(last_read.result, Some(Some(3)));
    assert_safe(&sim);
}

#[test]
fn a_follower_forwards_a_client_request_to_the_leader_section_8() {
    let mut sim = staged_cluster(3, true);
    elect(&mut sim, 1);
    put(&mut sim, 2, "k", 7); // sent to a follower
    let forwarded = run_until(&mut sim, 200 * MS, |s| {
        s.in_flight().values().any(|m| {
            m.from == Addr::Server(2)
                && m.to == Addr::Server(1)
                && matches!(m.payload, Payload::Request(_))
        })
    });
    assert!(forwarded, "S2 forwards the request to the leader S1");
    run_for(&mut sim, 300 * MS);
    let op = sim.history().iter().last().expect("completed");
    assert_eq!(op.status, Status::Ok);
    assert!(sim
        .servers()
        .iter()
        .all(|s| s.node.kv().get("k") == Some(7)));
    assert_eq!(
        check_history(&sim.final_history()).verdict,
        Verdict::Linearizable
    );
}

#[test]
fn without_forwarding_a_follower_redirects_the_client_section_8() {
    let mut sim = staged_cluster(3, true);
    let mut opts = sim.config().raft.clone();
    opts.forward_to_leader = false;
    sim.apply(Action::SetRaftOptions { raft: opts }).unwrap();
    elect(&mut sim, 1);
    put(&mut sim, 3, "k", 9);
    let redirected = run_until(&mut sim, 200 * MS, |s| {
        s.in_flight()
            .values()
            .any(|m| m.from == Addr::Server(3) && m.payload.kind() == "ClientReply")
    });
    assert!(redirected, "S3 answers 'not leader' with a hint");
    run_for(&mut sim, 300 * MS);
    assert_eq!(
        sim.history().iter().last().map(|o| o.status),
        Some(Status::Ok)
    );
}
