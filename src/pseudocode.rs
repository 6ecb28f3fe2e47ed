//! The algorithms as short pseudocode, in the project's own words — Raft's Figure 2 with the
//! refinements the lab runs (PreVote, CheckQuorum's guard, ReadIndex, leases, snapshots), and
//! Multi-Paxos' probe, two phases and stable leader — and which lines a message's sending ran,
//! with the values its guards saw. Pure, so every rule's lines are checked natively.

use quorum_cluster::message::Payload;
use quorum_cluster::trace::Mark;
use quorum_cluster::why::Cause;
use quorum_paxos::why::{PaxosWhy, PrepareTrigger, ProposeTrigger, RefusedIn};
use quorum_paxos::PaxosMsg;
use quorum_raft::why::{AppendVerdict, RaftWhy, ReplicateTrigger, VoteDecision, VoteVerdict};
use quorum_raft::{Command, RaftMsg};
use quorum_service::{ReadPath, Role, ServiceWhy};

/// A line of pseudocode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// Its id, unique within its block.
    pub id: &'static str,
    /// What it says.
    pub text: &'static str,
}

/// A block: one receiver or one role's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// Its id.
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// Where it comes from.
    pub source: &'static str,
    /// Its lines, in order.
    pub lines: &'static [Line],
}

const fn line(id: &'static str, text: &'static str) -> Line {
    Line { id, text }
}

/// Raft as the lab runs it.
pub const RAFT: &[Block] = &[
    Block {
        id: "pv",
        title: "PreVote",
        source: "dissertation §9.6",
        lines: &[
            line("pv1", "election timer ran out, no word from a leader → ask every voter whether it would vote for me in term + 1, without raising my term"),
            line("pv2", "answering: yes only if the term asked is above mine, no live leader was heard within an election timeout, and the asker's log is at least as up to date as mine"),
            line("pv3", "a majority said yes → start the real election"),
        ],
    },
    Block {
        id: "cand",
        title: "Candidates",
        source: "Figure 2 · §5.2",
        lines: &[
            line("c1", "become candidate: term ← term + 1; vote for myself; restart the election timer"),
            line("c2", "send RequestVote(term, my last entry's term and index) to every other voter"),
            line("c3", "votes from a majority → become leader"),
            line("c4", "AppendEntries from a leader of my term or a newer one → become its follower"),
            line("c5", "election timer runs out → start a new election"),
        ],
    },
    Block {
        id: "rv",
        title: "RequestVote receiver",
        source: "Figure 2 · §5.4.1 · §4.2.3",
        lines: &[
            line("rv1", "candidate's term < my term → refuse"),
            line("rv2", "a live leader was heard less than an election timeout ago (CheckQuorum's guard) → refuse"),
            line("rv3", "candidate's term > my term → adopt it, forget my vote, become follower"),
            line("rv4", "already voted for another candidate in this term → refuse"),
            line("rv5", "candidate's last entry older than mine (lower term, or same term and shorter log) → refuse"),
            line("rv6", "otherwise grant: remember the vote, restart my election timer"),
        ],
    },
    Block {
        id: "lead",
        title: "Leaders",
        source: "Figure 2 · §5.3 · §5.4.2 · §7",
        lines: &[
            line("l1", "on election, and whenever the heartbeat timer fires: send AppendEntries to every follower"),
            line("l2", "a new command: append it to my log; send it to followers not waiting on a batch"),
            line("l3", "to a follower: entries from its nextIndex (none if it has them all), the entry before them (prevLogIndex, prevLogTerm), my commit index"),
            line("l4", "it stored them → matchIndex, nextIndex move on; more to send → send it"),
            line("l5", "it refused (logs differ) → move nextIndex back (past its conflicting term) and retry"),
            line("l6", "commit the highest index stored on a majority whose entry is of my term; earlier entries commit with it (Figure 8)"),
            line("l7", "the entries it needs were compacted → send my snapshot instead"),
        ],
    },
    Block {
        id: "ae",
        title: "AppendEntries receiver",
        source: "Figure 2",
        lines: &[
            line("ae1", "leader's term < my term → refuse, telling it my term"),
            line("ae2", "accept it as this term's leader; restart my election timer"),
            line("ae3", "no entry at prevLogIndex, or one of another term → refuse (the leader backs up)"),
            line("ae4", "drop any entry that conflicts with a new one, and all after it; append the new ones"),
            line("ae5", "leader's commit > mine → commit up to it (no further than my last new entry); apply"),
        ],
    },
    Block {
        id: "snap",
        title: "InstallSnapshot receiver",
        source: "§7",
        lines: &[
            line("is1", "leader's term < my term → refuse, telling it my term"),
            line("is2", "accept it as this term's leader; restart my election timer"),
            line("is3", "snapshot covers more than I have committed → replace my log and state with it"),
            line("is4", "otherwise keep my log (it already holds everything the snapshot does)"),
            line("is5", "answer: I hold everything up to the snapshot's last index"),
        ],
    },
    Block {
        id: "mem",
        title: "Membership change, one server at a time",
        source: "dissertation §4.1 · §4.2 · Ongaro 2015",
        lines: &[
            line("m1", "propose a change only once an entry of my own term is committed, and only one at a time"),
            line("m2", "a server added joins as a learner: it receives entries but does not vote"),
            line("m3", "a learner that has caught up is made a voter by the next configuration entry"),
            line("m4", "every server uses the newest configuration in its log, committed or not"),
            line("m5", "a removed server is told until it knows, and never disrupts the others"),
        ],
    },
    SERVICE,
];

/// What every server does for clients, whatever its protocol.
const SERVICE: Block = Block {
    id: "svc",
    title: "Serving clients",
    source: "§5.3 · §6.4 · §8",
    lines: &[
        line("s1", "apply agreed commands in order; answer the client waiting for each"),
        line("s2", "ReadIndex: note the commit index; confirm leadership with a heartbeat round; answer once applied that far"),
        line("s3", "lease: while a majority acknowledged me within an election timeout (by my clock), answer reads at once"),
        line("s4", "not the leader → forward to the leader I know, or tell the client whom to try"),
        line("s5", "a retry of an applied command → answer from the session table"),
        line("s6", "stale read (unsafe, outside the algorithm): answer from my own state"),
    ],
};

/// Multi-Paxos as the lab runs it.
pub const PAXOS: &[Block] = &[
    Block {
        id: "probe",
        title: "Probe",
        source: "the counterpart of Raft's PreVote",
        lines: &[
            line("pr1", "no word from a leader for an election timeout → ask everyone whether they lost it too"),
            line("pr2", "answering: yes unless I still hear a live leader"),
            line("pr3", "a majority said yes → start phase 1"),
        ],
    },
    Block {
        id: "p1",
        title: "Phase 1 (prepare, promise)",
        source: "Paxos Made Simple §2.2 · §3",
        lines: &[
            line("p1a", "pick a ballot above every ballot seen; promise it myself; send Prepare(ballot, first slot not known chosen)"),
            line("p1b", "acceptor: ballot ≥ my promise → promise it and report what I accepted from that slot on; else refuse, naming my promise"),
            line("p1c", "promises from a majority → lead: in each slot propose the value accepted in the highest ballot reported; fill holes with no-ops"),
            line("p1d", "a refusal, or a higher ballot seen → I was preempted: step down"),
        ],
    },
    Block {
        id: "p2",
        title: "Phase 2 (accept, accepted)",
        source: "Paxos Made Simple §2.2 · §3",
        lines: &[
            line("p2a", "leader: send Accept(ballot, slot, value, how far values are chosen)"),
            line("p2b", "acceptor: ballot ≥ my promise → accept the value, answer Accepted; else refuse"),
            line("p2c", "accepted by a majority in one ballot → chosen; apply in slot order, answer the client"),
            line("p2d", "not all answered within a heartbeat interval → send the Accept again"),
        ],
    },
    Block {
        id: "pl",
        title: "Stable leader",
        source: "Multi-Paxos",
        lines: &[
            line("pl1", "heartbeat: tell every follower I lead, how far values are chosen, and how far every server has learned"),
            line("pl2", "follower: follow a leader whose ballot is not below my promise; acknowledge how far I have learned (else refuse)"),
            line("pl3", "a follower learned less than is chosen → send it the chosen values it lacks"),
            line("pl4", "every server has learned past my latest snapshot of the store → discard the slots it covers"),
        ],
    },
    SERVICE,
];

/// A line a message's sending ran, with what its guard saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ran {
    /// The block.
    pub block: &'static str,
    /// The line.
    pub line: &'static str,
    /// The values the line's guard saw, if it has one.
    pub saw: Option<String>,
}

fn ran(block: &'static str, line: &'static str) -> Ran {
    Ran {
        block,
        line,
        saw: None,
    }
}

fn saw(block: &'static str, line: &'static str, what: String) -> Ran {
    Ran {
        block,
        line,
        saw: Some(what),
    }
}

/// The lines sending a message with reason `why` (and contents `payload`) ran.
pub fn lines_ran(why: &Cause, payload: &Payload) -> Vec<Ran> {
    match why {
        Cause::Raft(r) => raft(r, payload),
        Cause::Paxos(p) => paxos(p, payload),
        Cause::Service(s) => service(s),
        Cause::Client | Cause::Balancer => Vec::new(),
    }
}

/// The lines a lane event ran: winning an election or standing for one (a crash, a pause or
/// a cut link is the world's doing, not a rule's).
pub fn lines_for_mark(mark: &Mark, paxos: bool) -> Vec<Ran> {
    let Mark::Role { role, term } = mark else {
        return Vec::new();
    };
    match (role, paxos) {
        (Role::Leader, false) => vec![saw("cand", "c3", format!("leads term {term}"))],
        (Role::Candidate, false) => vec![saw("cand", "c1", format!("term becomes {term}"))],
        (Role::Leader, true) => vec![saw("p1", "p1c", format!("leads ballot round {term}"))],
        (Role::Candidate, true) => vec![saw("p1", "p1a", format!("ballot round {term}"))],
        _ => Vec::new(),
    }
}

fn vote(d: &VoteDecision) -> Vec<Ran> {
    let terms = format!(
        "candidate's term {} vs mine {}",
        d.candidate_term, d.voter_term
    );
    let logs = format!(
        "candidate's last entry (term {}, index {}) vs mine (term {}, index {})",
        d.candidate_last.term, d.candidate_last.index, d.voter_last.term, d.voter_last.index
    );
    let voted = format!(
        "voted for: {}",
        d.voted_for
            .map_or("nobody".to_string(), |v| format!("S{v}"))
    );
    let mut out = vec![saw("rv", "rv1", terms)];
    if d.verdict == VoteVerdict::StaleTerm {
        return out;
    }
    out.push(ran("rv", "rv2"));
    if d.verdict == VoteVerdict::LeaderAlive {
        return out;
    }
    if d.candidate_term > d.voter_term {
        out.push(ran("rv", "rv3"));
    }
    out.push(saw("rv", "rv4", voted));
    if d.verdict == VoteVerdict::AlreadyVoted {
        return out;
    }
    out.push(saw("rv", "rv5", logs));
    if d.verdict == VoteVerdict::Granted {
        out.push(ran("rv", "rv6"));
    }
    out
}

fn raft(why: &RaftWhy, payload: &Payload) -> Vec<Ran> {
    let message = match payload {
        Payload::Raft(m) => Some(m),
        _ => None,
    };
    match why {
        RaftWhy::PreVoteCampaign { next_term } => {
            vec![saw("pv", "pv1", format!("asks about term {next_term}"))]
        }
        RaftWhy::Campaign {
            term,
            after_pre_vote,
        } => {
            let mut out = Vec::new();
            if *after_pre_vote {
                out.push(ran("pv", "pv3"));
            }
            out.push(saw("cand", "c1", format!("term becomes {term}")));
            out.push(ran("cand", "c2"));
            out
        }
        RaftWhy::PreVoteAnswer(d) => vec![saw(
            "pv",
            "pv2",
            format!(
                "term {} vs mine {}; {}",
                d.candidate_term,
                d.voter_term,
                match d.verdict {
                    VoteVerdict::Granted => "yes",
                    VoteVerdict::StaleTerm => "no: term not above mine",
                    VoteVerdict::LeaderAlive => "no: a leader is alive",
                    VoteVerdict::LogBehind => "no: its log is behind",
                    VoteVerdict::AlreadyVoted => "no",
                }
            ),
        )],
        RaftWhy::VoteAnswer(d) => vote(d),
        RaftWhy::Replicate {
            trigger,
            next_index,
        } => {
            let mut out = match trigger {
                ReplicateTrigger::Elected | ReplicateTrigger::HeartbeatTimer => {
                    vec![ran("lead", "l1")]
                }
                ReplicateTrigger::NewEntry => vec![ran("lead", "l2")],
                ReplicateTrigger::ReadIndex => vec![ran("svc", "s2")],
                ReplicateTrigger::MoreToSend => vec![ran("lead", "l4")],
                ReplicateTrigger::Backup => vec![ran("lead", "l5")],
            };
            let detail = match message {
                Some(RaftMsg::AppendEntries(a)) => format!(
                    "nextIndex {next_index}; {} entr{}; prev (index {}, term {}); commit {}",
                    a.entries.len(),
                    if a.entries.len() == 1 { "y" } else { "ies" },
                    a.prev_log_index,
                    a.prev_log_term,
                    a.leader_commit
                ),
                _ => format!("nextIndex {next_index}"),
            };
            out.push(saw("lead", "l3", detail));
            out.extend(membership_lines(trigger, message));
            out
        }
        RaftWhy::SendSnapshot { next_index } => {
            vec![saw(
                "lead",
                "l7",
                format!("nextIndex {next_index} is compacted"),
            )]
        }
        RaftWhy::AppendAnswer(verdict) => match verdict {
            AppendVerdict::StaleLeader => vec![ran("ae", "ae1")],
            AppendVerdict::MissingPrevious { last_index } => vec![
                ran("ae", "ae1"),
                ran("ae", "ae2"),
                saw("ae", "ae3", format!("my log ends at {last_index}")),
            ],
            AppendVerdict::TermMismatch {
                index,
                mine,
                leaders,
            } => vec![
                ran("ae", "ae1"),
                ran("ae", "ae2"),
                saw(
                    "ae",
                    "ae3",
                    format!("at {index}: mine is term {mine}, the leader's term {leaders}"),
                ),
            ],
            AppendVerdict::Snapshot { index, installed } => vec![
                ran("snap", "is1"),
                ran("snap", "is2"),
                if *installed {
                    saw(
                        "snap",
                        "is3",
                        format!("snapshot up to {index}, beyond my commit"),
                    )
                } else {
                    saw(
                        "snap",
                        "is4",
                        format!("already committed up to {index} or further"),
                    )
                },
                ran("snap", "is5"),
            ],
            AppendVerdict::Stored => vec![
                ran("ae", "ae1"),
                ran("ae", "ae2"),
                ran("ae", "ae3"),
                ran("ae", "ae4"),
                ran("ae", "ae5"),
            ],
        },
    }
}

/// The membership rules an AppendEntries carrying a configuration entry ran: the leader
/// proposed it (only once its own term had a committed entry), and every server adopts it on
/// appending it.
fn membership_lines(trigger: &ReplicateTrigger, message: Option<&RaftMsg>) -> Vec<Ran> {
    let Some(RaftMsg::AppendEntries(a)) = message else {
        return Vec::new();
    };
    let configs: Vec<String> = a
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.command {
            Command::Config(m) => Some(format!(
                "entry {}: {}",
                a.prev_log_index + 1 + i as u64,
                m.describe()
            )),
            _ => None,
        })
        .collect();
    if configs.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if *trigger == ReplicateTrigger::NewEntry {
        out.push(ran("mem", "m1"));
    }
    out.push(saw("mem", "m4", configs.join("; ")));
    out
}

fn paxos(why: &PaxosWhy, payload: &Payload) -> Vec<Ran> {
    let message = match payload {
        Payload::Paxos(m) => Some(m),
        _ => None,
    };
    match why {
        PaxosWhy::Probe => vec![ran("probe", "pr1")],
        PaxosWhy::ProbeAnswer { leader } => vec![saw(
            "probe",
            "pr2",
            leader.map_or("no live leader heard: yes".to_string(), |l| {
                format!("still hears S{l}: no")
            }),
        )],
        PaxosWhy::Prepare { trigger } => {
            let mut out = Vec::new();
            if *trigger == PrepareTrigger::ProbeMajority {
                out.push(ran("probe", "pr3"));
            }
            let detail = match message {
                Some(PaxosMsg::Prepare { ballot, from_slot }) => {
                    format!("ballot {ballot}, from slot {from_slot}")
                }
                _ => String::new(),
            };
            out.push(saw("p1", "p1a", detail));
            out
        }
        PaxosWhy::Promise { previously } => {
            let ballot = match message {
                Some(PaxosMsg::Promise { ballot, .. }) => ballot.to_string(),
                _ => String::new(),
            };
            vec![saw(
                "p1",
                "p1b",
                format!("ballot {ballot} ≥ promise {previously}: promise"),
            )]
        }
        PaxosWhy::Refuse { phase } => {
            let detail = match message {
                Some(PaxosMsg::Nack { ballot, promised }) => {
                    format!("ballot {ballot} < promise {promised}: refuse")
                }
                _ => String::new(),
            };
            let line = match phase {
                RefusedIn::Prepare => ("p1", "p1b"),
                RefusedIn::Accept => ("p2", "p2b"),
                RefusedIn::Heartbeat => ("pl", "pl2"),
            };
            vec![saw(line.0, line.1, detail)]
        }
        PaxosWhy::Accept { trigger } => {
            let detail = match message {
                Some(PaxosMsg::Accept { ballot, slot, .. }) => {
                    format!("ballot {ballot}, slot {slot}")
                }
                _ => String::new(),
            };
            match trigger {
                ProposeTrigger::NewCommand => vec![saw("p2", "p2a", detail)],
                ProposeTrigger::Recovered | ProposeTrigger::GapFilled => {
                    vec![ran("p1", "p1c"), saw("p2", "p2a", detail)]
                }
                ProposeTrigger::Resend => vec![saw("p2", "p2d", detail)],
            }
        }
        PaxosWhy::Accepted { previously } => {
            let ballot = match message {
                Some(PaxosMsg::Accepted { ballot, .. }) => ballot.to_string(),
                _ => String::new(),
            };
            vec![saw(
                "p2",
                "p2b",
                format!("ballot {ballot} ≥ promise {previously}: accept"),
            )]
        }
        PaxosWhy::Heartbeat => vec![ran("pl", "pl1")],
        PaxosWhy::HeartbeatAck => vec![ran("pl", "pl2")],
        PaxosWhy::CatchUp { learned } => {
            vec![saw("pl", "pl3", format!("it learned up to slot {learned}"))]
        }
    }
}

fn service(why: &ServiceWhy) -> Vec<Ran> {
    match why {
        ServiceWhy::Applied { index } => vec![saw("svc", "s1", format!("agreed at {index}"))],
        ServiceWhy::ReadServed {
            path: ReadPath::ReadIndex,
            read_index,
            round,
        } => vec![saw(
            "svc",
            "s2",
            format!("read index {read_index}, confirmed by round {round}"),
        )],
        ServiceWhy::ReadServed {
            path: ReadPath::Lease,
            ..
        } => vec![ran("svc", "s3")],
        ServiceWhy::Forwarded { leader } => {
            vec![saw("svc", "s4", format!("forwarded to S{leader}"))]
        }
        ServiceWhy::NotLeader { hint } => vec![saw(
            "svc",
            "s4",
            hint.map_or("no leader known".to_string(), |l| format!("try S{l}")),
        )],
        ServiceWhy::SessionCached => vec![ran("svc", "s5")],
        ServiceWhy::StaleRead => vec![ran("svc", "s6")],
        ServiceWhy::HealthCheck => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_cluster::config::ProtocolKind;
    use quorum_raft::why::LogPosition;
    use std::collections::BTreeSet;

    fn exists(blocks: &[Block], r: &Ran) -> bool {
        blocks
            .iter()
            .any(|b| b.id == r.block && b.lines.iter().any(|l| l.id == r.line))
    }

    /// Block and line ids are unique, so a highlight names one line.
    #[test]
    fn every_line_has_a_unique_id() {
        for blocks in [RAFT, PAXOS] {
            let ids: Vec<&str> = blocks
                .iter()
                .flat_map(|b| b.lines.iter().map(|l| l.id))
                .collect();
            let unique: BTreeSet<&str> = ids.iter().copied().collect();
            assert_eq!(ids.len(), unique.len());
        }
    }

    /// A vote refused for a shorter log ran the term checks, the vote check and stopped at the
    /// log comparison, whose values it shows (Figure 2, RequestVote receiver; §5.4.1).
    #[test]
    fn a_vote_refused_for_its_log_stops_at_the_log_comparison_with_both_entries_section_5_4_1() {
        let d = VoteDecision {
            verdict: VoteVerdict::LogBehind,
            candidate_term: 4,
            voter_term: 3,
            candidate_last: LogPosition { term: 3, index: 6 },
            voter_last: LogPosition { term: 3, index: 7 },
            voted_for: None,
        };
        let lines = lines_ran(
            &Cause::Raft(RaftWhy::VoteAnswer(Box::new(d))),
            &Payload::Ping,
        );
        let ids: Vec<&str> = lines.iter().map(|r| r.line).collect();
        assert_eq!(ids, ["rv1", "rv2", "rv3", "rv4", "rv5"]);
        let last = lines.last().and_then(|r| r.saw.clone()).unwrap_or_default();
        assert!(
            last.contains("(term 3, index 6) vs mine (term 3, index 7)"),
            "{last}"
        );
    }

    /// Every message of faulty runs under both protocols maps to lines its protocol's
    /// pseudocode has, and the runs reach most of the lines.
    #[test]
    fn every_message_of_a_faulty_run_runs_lines_that_exist_under_both_protocols() {
        for (protocol, blocks) in [
            (ProtocolKind::Raft, RAFT),
            (ProtocolKind::MultiPaxos, PAXOS),
        ] {
            let mut seen = BTreeSet::new();
            crate::test_runs::faulty_run_messages(protocol, 11, |m| {
                for r in lines_ran(&m.why, &m.payload) {
                    assert!(exists(blocks, &r), "{protocol:?}: {r:?} for {:?}", m.why);
                    seen.insert(r.line);
                }
            });
            assert!(seen.len() >= 10, "{protocol:?}: only {seen:?}");
        }
    }
    /// A follower that installed a snapshot ran the InstallSnapshot receiver's install line
    /// with the snapshot's index; one already past it ran the keep-my-log line (§7).
    #[test]
    fn a_snapshot_answer_runs_the_install_snapshot_receiver_section_7() {
        let answer = |installed| {
            lines_ran(
                &Cause::Raft(RaftWhy::AppendAnswer(AppendVerdict::Snapshot {
                    index: 40,
                    installed,
                })),
                &Payload::Ping,
            )
        };
        let installed = answer(true);
        assert!(installed
            .iter()
            .all(|r| r.block == "snap" && exists(RAFT, r)));
        assert!(installed
            .iter()
            .any(|r| r.line == "is3" && r.saw.as_deref().is_some_and(|s| s.contains("40"))));
        assert!(answer(false).iter().any(|r| r.line == "is4"));
        assert!(!answer(false).iter().any(|r| r.line == "is3"));
    }

    /// An AppendEntries carrying a configuration entry runs the membership rules: a new one
    /// was proposed under the one-change-at-a-time rule, and every server adopts it on
    /// appending (dissertation §4.1); a plain batch runs none of them.
    #[test]
    fn a_configuration_entry_in_flight_runs_the_membership_rules_dissertation_4_1() {
        use quorum_raft::{AppendEntries, Entry, Membership};
        let append = |command| {
            Payload::Raft(RaftMsg::AppendEntries(AppendEntries {
                term: 2,
                prev_log_index: 6,
                prev_log_term: 2,
                entries: vec![Entry { term: 2, command }],
                leader_commit: 6,
                round: 1,
            }))
        };
        let why = Cause::Raft(RaftWhy::Replicate {
            trigger: ReplicateTrigger::NewEntry,
            next_index: 7,
        });
        let config = Command::Config(std::sync::Arc::new(Membership::of_voters([1, 2, 3, 4])));
        let lines = lines_ran(&why, &append(config));
        assert!(lines.iter().any(|r| r.line == "m1"));
        let adopt = lines.iter().find(|r| r.line == "m4").expect("m4 ran");
        assert_eq!(adopt.saw.as_deref(), Some("entry 7: voters S1, S2, S3, S4"));
        let plain = lines_ran(&why, &append(Command::Noop));
        assert!(!plain.iter().any(|r| r.block == "mem"));
    }
}
