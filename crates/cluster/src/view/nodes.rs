//! The servers as drawn: the fields every protocol fills the same way, then Raft's log, votes,
//! snapshot and replication progress, or Multi-Paxos' slots, ballots and promises.

use super::{EntryView, MemberStatus, NodeView, PaxosNodeView, PeerView, TimerView, ViewOptions};
use crate::config::ProtocolKind;
use crate::engine::{ServerSlot, Sim};
use quorum_paxos::{Ballot, PaxosNode, SlotValue};
use quorum_raft::{Command, Membership, RaftNode};
use quorum_service::server::{Replica, Role};

impl Sim {
    /// The configuration in force: the leader's, else the one the most advanced running server
    /// knows. Multi-Paxos servers keep the starting membership.
    pub(crate) fn configuration(&self) -> Membership {
        if self.config().protocol == ProtocolKind::MultiPaxos {
            return Membership::of_voters(self.config().server_ids());
        }
        self.servers()
            .iter()
            .filter(|s| s.up)
            .max_by_key(|s| {
                (
                    s.node.role() == Role::Leader,
                    s.node.term(),
                    s.node.commit_index(),
                )
            })
            .or_else(|| self.servers().first())
            .and_then(|s| s.node.as_raft())
            .map(|n| n.membership().clone())
            .unwrap_or_default()
    }
}

impl NodeView {
    /// The fields every protocol fills the same way.
    pub(super) fn common(slot: &ServerSlot) -> NodeView {
        let n = &slot.node;
        NodeView {
            id: n.id(),
            label: format!("S{}", n.id()),
            up: slot.up,
            paused: slot.paused,
            stalled: slot.stalled_count(),
            labels: Vec::new(),
            role: n.role(),
            role_label: n.role().label().to_string(),
            term: n.term(),
            voted_for: None,
            leader: n.leader(),
            votes: Vec::new(),
            commit_index: n.commit_index(),
            applied_index: n.applied_index(),
            log: Vec::new(),
            last_index: n.last_index(),
            snapshot_index: 0,
            snapshot_term: 0,
            timers: slot
                .timers
                .iter()
                .map(|(k, t)| TimerView {
                    kind: k,
                    set_at: t.set_at,
                    deadline: t.deadline,
                })
                .collect(),
            peers: Vec::new(),
            kv: n.kv().entries().map(|(k, v)| (k.clone(), *v)).collect(),
            clock_rate: slot.clock.rate,
            reads: None,
            member: MemberStatus::Voter,
            paxos: None,
        }
    }
}

/// The first log index a view shows, given the last one and where storage begins.
fn first_shown(last_index: u64, first_stored: u64, options: ViewOptions) -> u64 {
    last_index
        .saturating_sub(options.log_tail as u64)
        .max(first_stored.max(1) - 1)
        + 1
}

pub(super) fn fill_raft(
    view: &mut NodeView,
    n: &RaftNode,
    config: &Membership,
    options: ViewOptions,
) {
    let commit = n.commit_index();
    let first_stored = n.log().first_stored();
    let first = first_shown(n.log().last_index(), first_stored, options);
    view.log = n
        .log()
        .iter_from((first - first_stored) as usize)
        .enumerate()
        .map(|(i, e)| {
            let index = first + i as u64;
            let (label, noop, config) = match &e.command {
                Command::Noop => ("no-op".to_string(), true, false),
                Command::Kv(c) => (c.op.describe(), false, false),
                Command::Config(m) => (format!("configuration: {}", m.describe()), false, true),
            };
            EntryView {
                index,
                term: e.term,
                label,
                noop,
                config,
                committed: index <= commit,
                ballot: None,
            }
        })
        .collect();
    view.voted_for = n.voted_for();
    view.votes = n.votes().iter().copied().collect();
    view.snapshot_index = n.log().snapshot_index();
    view.snapshot_term = n.log().snapshot_term();
    view.peers = n
        .progress()
        .into_iter()
        .map(|p| PeerView {
            peer: p.peer,
            next_index: p.next_index,
            match_index: p.match_index,
        })
        .collect();
    view.member = if config.voters.contains(&n.id()) {
        MemberStatus::Voter
    } else if config.learners.contains(&n.id()) {
        MemberStatus::Learner
    } else {
        MemberStatus::Removed
    };
}

pub(super) fn fill_paxos(view: &mut NodeView, n: &PaxosNode, options: ViewOptions) {
    let last = n.last_slot();
    let first = first_shown(last, n.snapshot_slot() + 1, options);
    view.log = n
        .slots(first, last)
        .into_iter()
        .filter(|s| s.accepted.is_some() || s.chosen.is_some())
        .map(|s| {
            let value = s.chosen.as_ref().or(s.accepted.as_ref().map(|(_, v)| v));
            let ballot = s.accepted.as_ref().map(|(b, _)| *b);
            EntryView {
                index: s.slot,
                term: ballot.map_or(0, |b| b.round),
                label: value.map(|v| v.describe()).unwrap_or_default(),
                noop: matches!(value, Some(SlotValue::Noop)),
                config: false,
                committed: s.chosen.is_some(),
                ballot: ballot.map(|b| b.to_string()),
            }
        })
        .collect();
    let own = n.ballot();
    view.snapshot_index = n.snapshot_slot();
    view.role_label = paxos_role_label(n.role()).to_string();
    view.votes = n.promised_by();
    view.paxos = Some(PaxosNodeView {
        promised: if n.promised().is_zero() {
            "—".to_string()
        } else {
            n.promised().to_string()
        },
        ballot: (own != Ballot::ZERO).then(|| own.to_string()),
        proposals_in_flight: n.proposals_in_flight(),
    });
}

/// What Multi-Paxos calls each role: every server is an acceptor; one running phase 1 is
/// preparing; one that won phase 1 leads (the distinguished proposer).
pub fn paxos_role_label(role: Role) -> &'static str {
    match role {
        Role::Leader => "leader",
        Role::Candidate => "preparing",
        Role::PreCandidate => "probing",
        Role::Follower => "acceptor",
    }
}
