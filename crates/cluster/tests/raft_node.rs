//! One Raft server at a time, in the style of raft-rs's paper tests: each test drives a single
//! node with messages and timer events and asserts the exact effects it records — what it sends,
//! which timers it sets, what it becomes. Each names the rule of the paper's Figure 2 (or the
//! section of Ongaro's dissertation) it encodes.

use std::sync::Arc;

use quorum_cluster::config::ReadMode;
use quorum_cluster::{ClusterConfig, NodeId};
use quorum_core::time::MS;
use quorum_core::Addr;
use quorum_raft::{
    AppendEntries, AppendEntriesReply, Command, Entry, Membership, MembershipChange, RaftMsg,
    RaftNode, VoteReply, VoteRequest,
};
use quorum_service::kv::{ClientCommand, KvOp};
use quorum_service::{
    ClientRequest, Protocol, ReadConsistency, Replica, ReplyOutcome, Role, TimerKind, Wire,
};

mod node_harness;

use node_harness::{notes, sent, EffectOf, One};
use quorum_core::actor::{Effect, FeedEvent};

impl One<RaftNode> {
    /// Server `id` of a cluster of `servers`, running the paper's algorithm (no PreVote, no
    /// CheckQuorum, reads through the log), booted.
    fn paper(id: NodeId, servers: usize) -> Self {
        let mut config = ClusterConfig {
            servers,
            ..Default::default()
        };
        config.raft.pre_vote = false;
        config.raft.check_quorum = false;
        config.raft.read_mode = ReadMode::Log;
        config.raft.snapshot_every = 0;
        Self::with(id, config)
    }

    fn with(id: NodeId, config: ClusterConfig) -> Self {
        let members = Membership::of_voters(config.server_ids());
        One::booted(id, RaftNode::new(id, members), config, 7, 0)
    }

    fn recv(&mut self, from: NodeId, msg: RaftMsg) -> Vec<EffectOf<RaftNode>> {
        self.deliver(from, Wire::Peer(msg))
    }

    /// Wins an election in term 1 with one vote (three servers).
    fn elected(id: NodeId) -> Self {
        let mut one = One::paper(id, 3);
        one.timer(TimerKind::Election);
        let other = if id == 1 { 2 } else { 1 };
        one.recv(
            other,
            RaftMsg::RequestVoteReply(VoteReply {
                term: 1,
                granted: true,
            }),
        );
        assert_eq!(one.node.role(), Role::Leader);
        one
    }
}

/// A three-server cluster's configuration with PreVote and CheckQuorum as given.
fn three_servers(pre_vote: bool, check_quorum: bool) -> ClusterConfig {
    let mut config = ClusterConfig {
        servers: 3,
        ..Default::default()
    };
    config.raft.pre_vote = pre_vote;
    config.raft.check_quorum = check_quorum;
    config
}

fn sets_timer(effects: &[EffectOf<RaftNode>], kind: TimerKind) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, Effect::SetTimer { kind: k, .. } if *k == kind))
}

fn entry(term: u64, value: i64) -> Entry {
    Entry {
        term,
        command: Command::Kv(Arc::new(ClientCommand {
            session: 9,
            seq: value as u64,
            op: KvOp::Put {
                key: "x".into(),
                value,
            },
        })),
    }
}

fn append(term: u64, prev: (u64, u64), entries: Vec<Entry>, commit: u64) -> RaftMsg {
    RaftMsg::AppendEntries(AppendEntries {
        term,
        prev_log_index: prev.0,
        prev_log_term: prev.1,
        entries,
        leader_commit: commit,
        round: 0,
    })
}

fn vote(term: u64, last_index: u64, last_term: u64) -> RaftMsg {
    RaftMsg::RequestVote(VoteRequest {
        term,
        last_log_index: last_index,
        last_log_term: last_term,
    })
}

/// The single reply in `effects` to an AppendEntries: (term, success, match index).
fn append_reply(effects: &[EffectOf<RaftNode>]) -> (u64, bool, u64) {
    match sent(effects).as_slice() {
        [(
            _,
            RaftMsg::AppendEntriesReply(AppendEntriesReply {
                term,
                success,
                match_index,
                ..
            }),
        )] => (*term, *success, *match_index),
        other => panic!("expected one AppendEntriesReply, got {other:?}"),
    }
}

fn vote_reply(effects: &[EffectOf<RaftNode>]) -> (u64, bool) {
    match sent(effects).as_slice() {
        [(_, RaftMsg::RequestVoteReply(VoteReply { term, granted }))] => (*term, *granted),
        other => panic!("expected one RequestVoteReply, got {other:?}"),
    }
}

// ----- Rules for all servers -----

#[test]
fn any_rpc_with_a_higher_term_makes_a_leader_adopt_it_and_step_down_figure_2_all_servers() {
    let mut one = One::elected(1);
    one.recv(
        2,
        RaftMsg::AppendEntriesReply(AppendEntriesReply {
            term: 5,
            success: false,
            match_index: 0,
            conflict_index: 0,
            conflict_term: None,
            round: 0,
        }),
    );
    assert_eq!(one.node.term(), 5);
    assert_eq!(one.node.role(), Role::Follower);
    assert_eq!(one.node.voted_for(), None, "a new term has no vote yet");
}

#[test]
fn a_follower_starts_with_an_election_timer_figure_2_followers() {
    let mut one = One::paper(1, 3);
    let effects = one.run(|n, ctx| n.boot(ctx));
    assert!(sets_timer(&effects, TimerKind::Election));
    assert_eq!(one.node.role(), Role::Follower);
    assert_eq!(one.node.term(), 0);
}

// ----- Followers and candidates (§5.2) -----

#[test]
fn an_election_timeout_makes_a_follower_a_candidate_that_votes_for_itself_and_asks_everyone_section_5_2(
) {
    let mut one = One::paper(2, 5);
    let effects = one.timer(TimerKind::Election);
    assert_eq!(one.node.role(), Role::Candidate);
    assert_eq!(one.node.term(), 1, "term incremented");
    assert_eq!(one.node.voted_for(), Some(2), "votes for itself");
    assert!(
        sets_timer(&effects, TimerKind::Election),
        "election timer reset"
    );
    let asked: Vec<NodeId> = sent(&effects).iter().map(|(to, _)| *to).collect();
    assert_eq!(asked, vec![1, 3, 4, 5]);
    assert!(sent(&effects).iter().all(|(_, m)| *m == vote(1, 0, 0)));
}

#[test]
fn a_candidate_with_a_majority_of_votes_becomes_leader_and_sends_appends_at_once_section_5_2() {
    let mut one = One::paper(1, 5);
    one.timer(TimerKind::Election);
    let reply = RaftMsg::RequestVoteReply(VoteReply {
        term: 1,
        granted: true,
    });
    assert!(sent(&one.recv(2, reply.clone())).is_empty(), "two of five");
    assert_eq!(one.node.role(), Role::Candidate);
    let effects = one.recv(3, reply);
    assert_eq!(one.node.role(), Role::Leader, "three of five");
    let appends: Vec<NodeId> = sent(&effects)
        .iter()
        .filter(|(_, m)| matches!(m, RaftMsg::AppendEntries(AppendEntries { .. })))
        .map(|(to, _)| *to)
        .collect();
    assert_eq!(appends, vec![2, 3, 4, 5], "heartbeats assert leadership");
    assert!(sets_timer(&effects, TimerKind::Heartbeat));
    assert!(
        effects.iter().any(|e| matches!(e,
            Effect::Note(FeedEvent::LeaderElected, t) if t.starts_with("S1 became leader of term 1"))),
        "the feed line is typed as a new leader"
    );
}

#[test]
fn a_candidate_whose_election_times_out_reports_a_split_vote_and_tries_a_new_term_section_5_2() {
    let mut one = One::paper(1, 5);
    one.timer(TimerKind::Election);
    let effects = one.timer(TimerKind::Election);
    assert_eq!(one.node.term(), 2, "a new term");
    assert!(effects.iter().any(|e| matches!(e,
        Effect::Note(FeedEvent::SplitVote, t) if t.starts_with("split vote in term 1"))));
}

#[test]
fn a_refused_vote_does_not_count_section_5_2() {
    let mut one = One::paper(1, 3);
    one.timer(TimerKind::Election);
    one.recv(
        2,
        RaftMsg::RequestVoteReply(VoteReply {
            term: 1,
            granted: false,
        }),
    );
    assert_eq!(one.node.role(), Role::Candidate);
}

#[test]
fn a_candidate_that_hears_a_leader_of_its_term_becomes_follower_section_5_2() {
    let mut one = One::paper(1, 3);
    one.timer(TimerKind::Election);
    let effects = one.recv(2, append(1, (0, 0), vec![], 0));
    assert_eq!(one.node.role(), Role::Follower);
    assert_eq!(one.node.leader(), Some(2));
    assert_eq!(append_reply(&effects), (1, true, 0));
}

#[test]
fn a_candidate_that_sees_a_higher_term_in_a_vote_reply_steps_down_figure_2_all_servers() {
    let mut one = One::paper(1, 3);
    one.timer(TimerKind::Election);
    one.recv(
        2,
        RaftMsg::RequestVoteReply(VoteReply {
            term: 4,
            granted: false,
        }),
    );
    assert_eq!(one.node.role(), Role::Follower);
    assert_eq!(one.node.term(), 4);
}

// ----- RequestVote receiver (Figure 2) -----

#[test]
fn a_vote_request_of_an_older_term_is_refused_figure_2_request_vote_1() {
    let mut one = One::paper(1, 3);
    one.recv(2, append(3, (0, 0), vec![], 0));
    let effects = one.recv(3, vote(2, 5, 2));
    assert_eq!(vote_reply(&effects), (3, false));
}

#[test]
fn a_vote_is_granted_once_per_term_and_remembered_figure_2_request_vote_2() {
    let mut one = One::paper(1, 3);
    let effects = one.recv(2, vote(1, 0, 0));
    assert_eq!(vote_reply(&effects), (1, true));
    assert_eq!(one.node.voted_for(), Some(2));
    assert!(
        sets_timer(&effects, TimerKind::Election),
        "granting resets the timer"
    );
    assert_eq!(
        vote_reply(&one.recv(3, vote(1, 0, 0))),
        (1, false),
        "one vote per term"
    );
    assert_eq!(
        vote_reply(&one.recv(2, vote(1, 0, 0))),
        (1, true),
        "the same candidate asking again gets the same answer"
    );
}

#[test]
fn a_candidate_whose_last_entry_has_an_older_term_is_refused_section_5_4_1() {
    let mut one = One::paper(1, 3);
    one.recv(2, append(2, (0, 0), vec![entry(2, 1)], 0));
    let effects = one.recv(3, vote(3, 5, 1));
    assert_eq!(
        vote_reply(&effects),
        (3, false),
        "a longer log of an older term"
    );
}

#[test]
fn a_candidate_with_the_same_last_term_but_a_shorter_log_is_refused_section_5_4_1() {
    let mut one = One::paper(1, 3);
    one.recv(2, append(1, (0, 0), vec![entry(1, 1), entry(1, 2)], 0));
    assert_eq!(vote_reply(&one.recv(3, vote(2, 1, 1))), (2, false));
    assert_eq!(
        vote_reply(&one.recv(3, vote(3, 2, 1))),
        (3, true),
        "as long: as up to date"
    );
}

// ----- AppendEntries receiver (Figure 2) -----

#[test]
fn an_append_of_an_older_term_is_refused_figure_2_append_entries_1() {
    let mut one = One::paper(1, 3);
    one.recv(2, append(3, (0, 0), vec![], 0));
    let effects = one.recv(3, append(2, (0, 0), vec![entry(2, 1)], 0));
    assert_eq!(append_reply(&effects), (3, false, 0));
    assert_eq!(one.node.last_index(), 0, "nothing stored");
}

#[test]
fn an_append_whose_previous_entry_is_missing_is_refused_with_a_hint_figure_2_append_entries_2() {
    let mut one = One::paper(1, 3);
    let effects = one.recv(2, append(1, (3, 1), vec![entry(1, 4)], 0));
    match sent(&effects).as_slice() {
        [(
            2,
            RaftMsg::AppendEntriesReply(AppendEntriesReply {
                success: false,
                conflict_index,
                ..
            }),
        )] => assert_eq!(
            *conflict_index, 1,
            "the log ends before index 3: retry from 1"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_conflicting_entry_and_all_after_it_are_replaced_figure_2_append_entries_3_and_4() {
    let mut one = One::paper(1, 3);
    one.recv(
        2,
        append(1, (0, 0), vec![entry(1, 1), entry(1, 2), entry(1, 3)], 0),
    );
    let effects = one.recv(3, append(2, (1, 1), vec![entry(2, 9)], 0));
    assert_eq!(append_reply(&effects), (2, true, 2));
    assert_eq!(
        one.node.last_index(),
        2,
        "entry 3 went with the conflict at 2"
    );
    assert_eq!(one.node.entry_term(2), Some(2));
}

#[test]
fn an_old_append_does_not_truncate_entries_that_already_match_figure_2_append_entries_3() {
    let mut one = One::paper(1, 3);
    one.recv(
        2,
        append(1, (0, 0), vec![entry(1, 1), entry(1, 2), entry(1, 3)], 0),
    );
    // A delayed copy of the first batch's beginning arrives late.
    let effects = one.recv(2, append(1, (0, 0), vec![entry(1, 1)], 0));
    assert_eq!(append_reply(&effects), (1, true, 1));
    assert_eq!(one.node.last_index(), 3, "entries 2–3 match and stay");
}

#[test]
fn the_commit_index_follows_the_leaders_up_to_the_last_new_entry_figure_2_append_entries_5() {
    let mut one = One::paper(1, 3);
    one.recv(2, append(1, (0, 0), vec![entry(1, 1), entry(1, 2)], 1));
    assert_eq!(one.node.commit_index(), 1);
    one.recv(2, append(1, (2, 1), vec![], 7));
    assert_eq!(
        one.node.commit_index(),
        2,
        "min(leaderCommit, index of last new entry)"
    );
    assert_eq!(one.node.applied_index(), 2, "committed entries are applied");
    assert_eq!(one.node.kv().get("x"), Some(2));
}

#[test]
fn an_append_from_the_leader_resets_the_election_timer_figure_2_followers() {
    let mut one = One::paper(1, 3);
    let effects = one.recv(2, append(1, (0, 0), vec![], 0));
    assert!(sets_timer(&effects, TimerKind::Election));
    assert_eq!(one.node.leader(), Some(2));
}

// ----- Leaders (§5.3, §5.4.2) -----

#[test]
fn a_leader_appends_a_client_command_and_sends_it_to_every_follower_section_5_3() {
    let mut one = One::elected(1);
    // Followers caught up with the no-op.
    for p in [2, 3] {
        one.recv(p, append_ok(1, 1));
    }
    let request = ClientRequest {
        reply_to: Addr::Client(1),
        command: ClientCommand {
            session: 1,
            seq: 1,
            op: KvOp::Put {
                key: "x".into(),
                value: 5,
            },
        },
        hops: 0,
        consistency: ReadConsistency::Linearizable,
    };
    let effects = one.run(|n, ctx| n.on_message(ctx, Addr::Client(1), Wire::Request(request)));
    assert_eq!(one.node.last_index(), 2);
    let sends = sent(&effects);
    assert_eq!(sends.len(), 2);
    for (_, m) in sends {
        match m {
            RaftMsg::AppendEntries(AppendEntries {
                prev_log_index,
                entries,
                ..
            }) => {
                assert_eq!(prev_log_index, 1);
                assert_eq!(entries.len(), 1);
            }
            other => panic!("{other:?}"),
        }
    }
}

fn append_ok(term: u64, match_index: u64) -> RaftMsg {
    RaftMsg::AppendEntriesReply(AppendEntriesReply {
        term,
        success: true,
        match_index,
        conflict_index: 0,
        conflict_term: None,
        round: 0,
    })
}

#[test]
fn an_entry_of_the_current_term_commits_once_a_majority_stores_it_and_its_client_is_answered_section_5_3(
) {
    let mut one = One::elected(1);
    one.recv(2, append_ok(1, 1));
    assert_eq!(
        one.node.commit_index(),
        1,
        "leader + S2: a majority of three"
    );
    let request = ClientRequest {
        reply_to: Addr::Client(4),
        command: ClientCommand {
            session: 4,
            seq: 1,
            op: KvOp::Put {
                key: "y".into(),
                value: 3,
            },
        },
        hops: 0,
        consistency: ReadConsistency::Linearizable,
    };
    one.run(|n, ctx| n.on_message(ctx, Addr::Client(4), Wire::Request(request)));
    let effects = one.recv(3, append_ok(1, 2));
    assert_eq!(one.node.commit_index(), 2);
    let answered = effects.iter().any(|e| {
        matches!(e, Effect::Send { to: Addr::Client(4), payload: Wire::Reply(r), .. }
            if matches!(r.outcome, ReplyOutcome::Done { .. }))
    });
    assert!(answered, "the client hears once its entry is applied");
}

#[test]
fn a_leader_never_commits_an_older_terms_entry_by_counting_replicas_section_5_4_2() {
    let mut config = three_servers(false, false);
    config.raft.noop_on_election = false;
    let mut one = One::with(1, config);
    // An entry of term 1 from an earlier leader, then S1 leads term 2 (no no-op).
    one.recv(2, append(1, (0, 0), vec![entry(1, 1)], 0));
    one.timer(TimerKind::Election);
    one.recv(
        3,
        RaftMsg::RequestVoteReply(VoteReply {
            term: 2,
            granted: true,
        }),
    );
    assert_eq!(one.node.role(), Role::Leader);
    let effects = one.recv(3, append_ok(2, 1));
    assert_eq!(
        one.node.commit_index(),
        0,
        "stored on a majority, but of term 1: Figure 8"
    );
    // The feed names the rule, once.
    let waits = |effects: &[EffectOf<RaftNode>]| notes(effects, FeedEvent::OlderTermWaits);
    assert_eq!(
        waits(&effects),
        vec!["S1 leads term 2: entry 1 is stored on a majority yet not committed — entry 1 is of term 1, and a leader commits by counting copies only entries of its own term (Figure 8, §5.4.2)".to_string()]
    );
    assert!(waits(&one.recv(3, append_ok(2, 1))).is_empty(), "said once");
}

#[test]
fn a_refused_append_moves_next_index_back_and_retries_section_5_3() {
    let mut one = One::elected(1);
    let effects = one.recv(
        2,
        RaftMsg::AppendEntriesReply(AppendEntriesReply {
            term: 1,
            success: false,
            match_index: 0,
            conflict_index: 1,
            conflict_term: None,
            round: 0,
        }),
    );
    match sent(&effects).as_slice() {
        [(
            2,
            RaftMsg::AppendEntries(AppendEntries {
                prev_log_index,
                entries,
                ..
            }),
        )] => {
            assert_eq!(*prev_log_index, 0);
            assert_eq!(entries.len(), 1, "the no-op again, from the start");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_heartbeat_timer_sends_appends_to_every_follower_section_5_2() {
    let mut one = One::elected(1);
    let effects = one.timer(TimerKind::Heartbeat);
    let to: Vec<NodeId> = sent(&effects).iter().map(|(n, _)| *n).collect();
    assert_eq!(to, vec![2, 3]);
    assert!(sets_timer(&effects, TimerKind::Heartbeat));
}

#[test]
fn a_follower_forwards_a_client_request_to_the_leader_it_knows_section_8() {
    let mut one = One::paper(3, 3);
    one.recv(1, append(1, (0, 0), vec![], 0));
    let request = ClientRequest {
        reply_to: Addr::Client(2),
        command: ClientCommand {
            session: 2,
            seq: 1,
            op: KvOp::Get { key: "x".into() },
        },
        hops: 0,
        consistency: ReadConsistency::Linearizable,
    };
    let effects = one.run(|n, ctx| n.on_message(ctx, Addr::Client(2), Wire::Request(request)));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Send { to: Addr::Server(1), payload: Wire::Request(r), .. }] if r.hops == 1
    ));
}

// ----- Persistence (Figure 2) -----

#[test]
fn a_crash_keeps_term_vote_and_log_and_forgets_commit_and_role_figure_2_persistent_state() {
    let mut one = One::paper(1, 3);
    one.recv(2, append(2, (0, 0), vec![entry(2, 1), entry(2, 2)], 2));
    one.recv(3, vote(3, 2, 2));
    assert_eq!((one.node.term(), one.node.voted_for()), (3, Some(3)));
    one.node.crash();
    assert_eq!(one.node.term(), 3);
    assert_eq!(one.node.voted_for(), Some(3));
    assert_eq!(one.node.last_index(), 2);
    assert_eq!(one.node.commit_index(), 0, "volatile");
    assert_eq!(
        one.node.kv().get("x"),
        None,
        "re-applied once the commit index is known again"
    );
}

// ----- Refinements (dissertation) -----

#[test]
fn with_pre_vote_a_timeout_asks_for_the_next_term_without_raising_its_own_dissertation_9_6() {
    let mut config = ClusterConfig {
        servers: 3,
        ..Default::default()
    };
    config.raft.pre_vote = true;
    let mut one = One::with(1, config);
    let effects = one.timer(TimerKind::Election);
    assert_eq!(one.node.term(), 0, "its own term stays");
    assert_eq!(one.node.role(), Role::PreCandidate);
    assert!(sent(&effects)
        .iter()
        .all(|(_, m)| matches!(m, RaftMsg::PreVote(VoteRequest { term: 1, .. }))));
}

#[test]
fn a_server_that_hears_its_leader_refuses_pre_votes_dissertation_9_6() {
    let mut config = ClusterConfig {
        servers: 3,
        ..Default::default()
    };
    config.raft.pre_vote = true;
    let mut one = One::with(1, config);
    one.later(1_000 * MS);
    one.recv(2, append(1, (0, 0), vec![], 0));
    one.later(10 * MS);
    let effects = one.recv(
        3,
        RaftMsg::PreVote(VoteRequest {
            term: 2,
            last_log_index: 0,
            last_log_term: 0,
        }),
    );
    assert!(matches!(
        sent(&effects).as_slice(),
        [(3, RaftMsg::PreVoteReply(VoteReply { granted: false, .. }))]
    ));
}

#[test]
fn with_check_quorum_a_leader_that_hears_no_majority_steps_down_dissertation_6_2() {
    let config = three_servers(false, true);
    let mut one = One::with(1, config);
    one.timer(TimerKind::Election);
    one.recv(
        2,
        RaftMsg::RequestVoteReply(VoteReply {
            term: 1,
            granted: true,
        }),
    );
    assert_eq!(one.node.role(), Role::Leader);
    one.later(1_000 * MS);
    one.timer(TimerKind::Heartbeat);
    assert_eq!(
        one.node.role(),
        Role::Follower,
        "nobody answered for a second"
    );
}

#[test]
fn a_leader_waits_for_an_entry_of_its_term_before_a_configuration_change_dissertation_4_1_errata() {
    let mut one = One::elected(1);
    // The no-op of term 1 is not committed yet.
    let effects = one.run(|n, ctx| {
        n.propose_membership(ctx, MembershipChange::Remove(3))
            .expect("accepted, to wait")
    });
    assert!(
        one.node
            .log()
            .iter()
            .all(|e| !matches!(e.command, Command::Config(_))),
        "nothing appended yet"
    );
    assert!(effects.iter().any(
        |e| matches!(e, Effect::Note(_, t) if t.contains("once an entry of its term 1 is committed"))
    ));
    one.recv(2, append_ok(1, 1));
    assert!(
        one.node
            .log()
            .iter()
            .any(|e| matches!(e.command, Command::Config(_))),
        "proposed once the no-op committed"
    );
}

#[test]
fn a_learner_never_campaigns_dissertation_4_2_1() {
    let config = ClusterConfig {
        servers: 3,
        ..Default::default()
    };
    // S4 joins with an empty configuration and learns it is a learner from the log.
    let mut learner = One::booted(4, RaftNode::new(4, Membership::default()), config, 1, 0);
    let mut m = Membership::of_voters([1, 2, 3]);
    m = m.apply(MembershipChange::Add(4)).unwrap();
    learner.recv(
        1,
        append(
            1,
            (0, 0),
            vec![Entry {
                term: 1,
                command: Command::Config(Arc::new(m)),
            }],
            0,
        ),
    );
    let effects = learner.timer(TimerKind::Election);
    assert!(sent(&effects).is_empty(), "no vote requests: {effects:?}");
    assert_eq!(learner.node.role(), Role::Follower);
}

/// §5.1: a server that sees a higher term becomes a follower; the feed says which turn that is —
/// a deposed leader, or a candidate that lost its election.
#[test]
fn a_higher_term_deposes_a_leader_and_ends_a_candidacy_and_the_feed_names_which_section_5_1() {
    let noted =
        |effects: &[EffectOf<RaftNode>], event: FeedEvent| notes(effects, event).into_iter().next();
    let reply = |term| {
        RaftMsg::RequestVoteReply(VoteReply {
            term,
            granted: false,
        })
    };
    let mut leader = One::elected(1);
    let effects = leader.recv(2, reply(5));
    assert_eq!(leader.node.role(), Role::Follower);
    assert_eq!(
        noted(&effects, FeedEvent::LeaderDeposed).as_deref(),
        Some("S1 saw term 5 and stepped down")
    );
    let mut candidate = One::paper(1, 3);
    candidate.timer(TimerKind::Election);
    let effects = candidate.recv(2, reply(4));
    assert_eq!(candidate.node.role(), Role::Follower);
    assert_eq!(
        noted(&effects, FeedEvent::ElectionLost).as_deref(),
        Some("S1 lost its election for term 1: it saw term 4")
    );
}

/// Dissertation §6.4: a leader's lease lasts an election timeout past the send time of the
/// last heartbeat round a majority acknowledged. A lease read after it ran out waits for a new
/// round, and the feed says the lease lapsed — once.
#[test]
fn a_lease_read_after_the_lease_ran_out_waits_for_a_round_and_the_feed_says_so_dissertation_6_4() {
    let mut config = three_servers(false, false);
    config.raft.read_mode = ReadMode::Lease;
    let mut one = One::with(1, config);
    one.timer(TimerKind::Election);
    let effects = one.recv(
        2,
        RaftMsg::RequestVoteReply(VoteReply {
            term: 1,
            granted: true,
        }),
    );
    assert_eq!(one.node.role(), Role::Leader);
    // The first appends carry the no-op and a heartbeat round; S2 stores and acknowledges it.
    let (round, last) = sent(&effects)
        .into_iter()
        .find_map(|(_, m)| match m {
            RaftMsg::AppendEntries(a) => Some((a.round, a.prev_log_index + a.entries.len() as u64)),
            _ => None,
        })
        .expect("appends at once");
    one.recv(
        2,
        RaftMsg::AppendEntriesReply(AppendEntriesReply {
            term: 1,
            success: true,
            match_index: last,
            conflict_index: 0,
            conflict_term: None,
            round,
        }),
    );
    let read = |seq| ClientRequest {
        reply_to: Addr::Client(4),
        command: ClientCommand {
            session: 4,
            seq,
            op: KvOp::Get { key: "x".into() },
        },
        hops: 0,
        consistency: ReadConsistency::Linearizable,
    };
    let lapses = |effects: &[EffectOf<RaftNode>]| notes(effects, FeedEvent::LeaseExpired).len();
    let answered = |effects: &[EffectOf<RaftNode>]| {
        effects.iter().any(|e| {
            matches!(
                e,
                Effect::Send {
                    to: Addr::Client(4),
                    ..
                }
            )
        })
    };
    // Within the lease: answered at once, nothing to say.
    let effects = one.run(|n, ctx| n.on_message(ctx, Addr::Client(4), Wire::Request(read(1))));
    assert!(answered(&effects));
    assert_eq!(lapses(&effects), 0);
    // Ten seconds later no round was acknowledged: the read waits, and the lapse is named once.
    one.later(10 * quorum_core::time::SECOND);
    let effects = one.run(|n, ctx| n.on_message(ctx, Addr::Client(4), Wire::Request(read(2))));
    assert!(!answered(&effects), "waits for a heartbeat round");
    assert_eq!(lapses(&effects), 1);
    let effects = one.run(|n, ctx| n.on_message(ctx, Addr::Client(4), Wire::Request(read(3))));
    assert_eq!(lapses(&effects), 0, "said once per lapse");
}

// ----- Why each message was sent: one typed reason per rule -----

use quorum_cluster::why::Cause;
use quorum_raft::why::{AppendVerdict, LogPosition, RaftWhy, ReplicateTrigger, VoteVerdict};
use quorum_service::{ReadPath, ServerWhy, ServiceWhy};

/// The reasons given for every peer message in `effects`, in order.
fn reasons(effects: &[EffectOf<RaftNode>]) -> Vec<RaftWhy> {
    node_harness::sent_because(effects)
        .into_iter()
        .map(|(_, _, why)| match why {
            ServerWhy::Protocol(r) => r,
            ServerWhy::Service(s) => panic!("a peer message for a service reason: {s:?}"),
        })
        .collect()
}

/// The reason given for the single reply to a client in `effects`.
fn client_reason(effects: &[EffectOf<RaftNode>]) -> ServiceWhy {
    let found: Vec<ServiceWhy> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send {
                to: Addr::Client(_),
                why: ServerWhy::Service(s),
                ..
            } => Some(s.clone()),
            _ => None,
        })
        .collect();
    match found.as_slice() {
        [one] => one.clone(),
        other => panic!("expected one client reply, got {other:?}"),
    }
}

/// The decision behind a single vote (or pre-vote) reply in `effects`.
fn decision(effects: &[EffectOf<RaftNode>]) -> quorum_raft::why::VoteDecision {
    match reasons(effects).as_slice() {
        [RaftWhy::VoteAnswer(d) | RaftWhy::PreVoteAnswer(d)] => **d,
        other => panic!("expected one vote answer, got {other:?}"),
    }
}

fn put(session: u64, key: &str) -> ClientRequest {
    ClientRequest {
        reply_to: Addr::Client(session as quorum_core::ids::ClientId),
        command: ClientCommand {
            session,
            seq: 1,
            op: KvOp::Put {
                key: key.into(),
                value: 1,
            },
        },
        hops: 0,
        consistency: ReadConsistency::Linearizable,
    }
}

#[test]
fn an_election_timeout_sends_vote_requests_because_the_timer_ran_out_figure_2_followers() {
    let mut one = One::paper(1, 3);
    let why = reasons(&one.timer(TimerKind::Election));
    let campaign = RaftWhy::Campaign {
        term: 1,
        after_pre_vote: false,
    };
    assert_eq!(why, vec![campaign.clone(), campaign]);
}

#[test]
fn with_prevote_the_timeout_asks_first_and_a_majority_of_pre_votes_starts_the_election_section_9_6()
{
    let config = three_servers(true, false);
    let mut one = One::with(1, config);
    one.later(10_000 * MS);
    let asked = reasons(&one.timer(TimerKind::Election));
    assert_eq!(asked[0], RaftWhy::PreVoteCampaign { next_term: 1 });
    let granted = VoteReply {
        term: 0,
        granted: true,
    };
    let effects = one.recv(2, RaftMsg::PreVoteReply(granted));
    assert_eq!(
        reasons(&effects)[0],
        RaftWhy::Campaign {
            term: 1,
            after_pre_vote: true
        }
    );
}

#[test]
fn a_granted_vote_names_both_logs_and_the_empty_vote_figure_2_request_vote_2() {
    let mut one = One::paper(2, 3);
    one.recv(1, append(1, (0, 0), vec![entry(1, 1)], 0));
    let d = decision(&one.recv(3, vote(2, 1, 1)));
    assert_eq!(d.verdict, VoteVerdict::Granted);
    assert_eq!((d.candidate_term, d.voter_term), (2, 1));
    assert_eq!(d.candidate_last, LogPosition { term: 1, index: 1 });
    assert_eq!(d.voter_last, LogPosition { term: 1, index: 1 });
    assert_eq!(d.voted_for, None);
}

#[test]
fn a_second_candidate_in_the_same_term_is_refused_because_the_vote_is_taken_figure_2_request_vote_2(
) {
    let mut one = One::paper(2, 3);
    one.recv(1, vote(1, 0, 0));
    let d = decision(&one.recv(3, vote(1, 0, 0)));
    assert_eq!(d.verdict, VoteVerdict::AlreadyVoted);
    assert_eq!(d.voted_for, Some(1));
}

#[test]
fn a_candidate_with_a_shorter_log_is_refused_because_its_log_is_behind_section_5_4_1() {
    let mut one = One::paper(2, 3);
    one.recv(1, append(1, (0, 0), vec![entry(1, 1), entry(1, 2)], 0));
    let d = decision(&one.recv(3, vote(2, 1, 1)));
    assert_eq!(d.verdict, VoteVerdict::LogBehind);
    assert_eq!(d.candidate_last, LogPosition { term: 1, index: 1 });
    assert_eq!(d.voter_last, LogPosition { term: 1, index: 2 });
}

#[test]
fn a_candidate_of_an_older_term_is_refused_because_its_term_is_stale_figure_2_request_vote_1() {
    let mut one = One::paper(2, 3);
    one.recv(1, vote(3, 0, 0));
    let d = decision(&one.recv(3, vote(2, 0, 0)));
    assert_eq!(d.verdict, VoteVerdict::StaleTerm);
    assert_eq!((d.candidate_term, d.voter_term), (2, 3));
}

#[test]
fn with_checkquorum_a_follower_that_hears_its_leader_refuses_because_a_leader_is_alive_section_4_2_3(
) {
    let config = three_servers(false, true);
    let mut one = One::with(2, config);
    one.recv(1, append(1, (0, 0), vec![], 0));
    let d = decision(&one.recv(3, vote(2, 0, 0)));
    assert_eq!(d.verdict, VoteVerdict::LeaderAlive);
    assert_eq!(one.node.term(), 1, "the disruptive term is not adopted");
}

#[test]
fn a_new_leader_heartbeats_because_it_was_elected_then_on_its_timer_figure_2_leaders() {
    let mut one = One::paper(1, 3);
    one.timer(TimerKind::Election);
    let granted = VoteReply {
        term: 1,
        granted: true,
    };
    let elected = reasons(&one.recv(2, RaftMsg::RequestVoteReply(granted)));
    assert!(!elected.is_empty());
    assert!(elected.iter().all(|w| *w
        == RaftWhy::Replicate {
            trigger: ReplicateTrigger::Elected,
            next_index: 1
        }));
    let beat = reasons(&one.timer(TimerKind::Heartbeat));
    assert!(beat.iter().all(|w| matches!(
        w,
        RaftWhy::Replicate {
            trigger: ReplicateTrigger::HeartbeatTimer,
            ..
        }
    )));
}

#[test]
fn a_client_command_is_sent_because_a_new_entry_joined_the_log_and_answered_once_applied_section_5_3(
) {
    let mut one = One::elected(1);
    one.recv(2, append_ok(1, 1));
    let effects = one.run(|n, ctx| n.on_message(ctx, Addr::Client(4), Wire::Request(put(4, "y"))));
    assert!(reasons(&effects).contains(&RaftWhy::Replicate {
        trigger: ReplicateTrigger::NewEntry,
        next_index: 2
    }));
    let applied = one.recv(3, append_ok(1, 2));
    assert_eq!(client_reason(&applied), ServiceWhy::Applied { index: 2 });
}

#[test]
fn a_follower_says_why_it_took_or_refused_entries_figure_2_append_entries() {
    let mut one = One::paper(2, 3);
    let stored = reasons(&one.recv(1, append(1, (0, 0), vec![entry(1, 1)], 0)));
    assert_eq!(stored, vec![RaftWhy::AppendAnswer(AppendVerdict::Stored)]);
    let missing = reasons(&one.recv(1, append(1, (5, 1), vec![entry(1, 6)], 0)));
    assert_eq!(
        missing,
        vec![RaftWhy::AppendAnswer(AppendVerdict::MissingPrevious {
            last_index: 1
        })]
    );
    let mismatch = reasons(&one.recv(1, append(1, (1, 3), vec![], 0)));
    assert_eq!(
        mismatch,
        vec![RaftWhy::AppendAnswer(AppendVerdict::TermMismatch {
            index: 1,
            mine: 1,
            leaders: 3
        })]
    );
    one.recv(3, vote(4, 9, 9));
    let stale = reasons(&one.recv(1, append(1, (1, 1), vec![], 0)));
    assert_eq!(
        stale,
        vec![RaftWhy::AppendAnswer(AppendVerdict::StaleLeader)]
    );
}

#[test]
fn a_refused_append_is_retried_from_earlier_because_the_logs_did_not_match_section_5_3() {
    let mut one = One::elected(1);
    let conflict = RaftMsg::AppendEntriesReply(AppendEntriesReply {
        term: 1,
        success: false,
        match_index: 0,
        conflict_index: 1,
        conflict_term: None,
        round: 0,
    });
    let why = reasons(&one.recv(2, conflict));
    assert!(why.contains(&RaftWhy::Replicate {
        trigger: ReplicateTrigger::Backup,
        next_index: 1
    }));
}

#[test]
fn a_follower_redirects_a_client_and_answers_health_checks_for_service_reasons() {
    let mut config = three_servers(false, false);
    config.raft.forward_to_leader = false;
    let mut one = One::with(2, config);
    one.recv(1, append(1, (0, 0), vec![], 0));
    let bounced = one.run(|n, ctx| n.on_message(ctx, Addr::Client(5), Wire::Request(put(5, "k"))));
    assert_eq!(
        client_reason(&bounced),
        ServiceWhy::NotLeader { hint: Some(1) }
    );
    let pong = one.run(|n, ctx| n.on_message(ctx, Addr::Balancer, Wire::Ping));
    assert!(matches!(
        pong.as_slice(),
        [Effect::Send {
            why: ServerWhy::Service(ServiceWhy::HealthCheck),
            ..
        }]
    ));
    // The engine keeps each reason with its message, in the cluster's one type.
    let cause = Cause::from(ServerWhy::<RaftWhy>::Service(ServiceWhy::ReadServed {
        path: ReadPath::Lease,
        read_index: 3,
        round: 0,
    }));
    assert!(matches!(
        cause,
        Cause::Service(ServiceWhy::ReadServed { .. })
    ));
}

/// A follower answering InstallSnapshot says whether the snapshot replaced its state (it was
/// behind) or was ignored (its committed log already reached that far) (§7).
#[test]
fn a_follower_says_whether_it_installed_a_snapshot_section_7() {
    use quorum_raft::{InstallSnapshot, Membership, Snapshot};
    let snapshot = |index| {
        RaftMsg::InstallSnapshot(InstallSnapshot {
            term: 1,
            snapshot: std::sync::Arc::new(Snapshot {
                index,
                term: 1,
                digest: 0,
                kv: Default::default(),
                config: Membership::of_voters([1, 2, 3]),
            }),
            round: 1,
        })
    };
    let mut one = One::paper(2, 3);
    assert_eq!(
        reasons(&one.recv(1, snapshot(5))),
        vec![RaftWhy::AppendAnswer(AppendVerdict::Snapshot {
            index: 5,
            installed: true
        })]
    );
    assert_eq!(
        reasons(&one.recv(1, snapshot(3))),
        vec![RaftWhy::AppendAnswer(AppendVerdict::Snapshot {
            index: 3,
            installed: false
        })]
    );
}
