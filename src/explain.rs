//! Why a message was sent, in words: the page's rendering of the typed reason the sender gave
//! ([`Cause`]) together with the message's own fields. Each explanation names the rule — a line
//! of Raft's Figure 2, a section of the Raft papers, a phase of Paxos — and the values that
//! decided it. Pure, so it is tested natively.

use quorum_cluster::message::{Addr, MessageKind, Payload};
use quorum_cluster::provenance::{Origin, TrackedField, Trigger};
use quorum_cluster::trace::{LaneMark, Mark, StepKind, Trace};
use quorum_cluster::view::MessageView;
use quorum_cluster::why::Cause;
use quorum_core::NodeId;
use quorum_paxos::why::{PaxosWhy, PrepareTrigger, ProposeTrigger, RefusedIn};
use quorum_paxos::{PaxosMsg, SlotValue};
use quorum_raft::why::{
    AppendVerdict, LogPosition, RaftWhy, ReplicateTrigger, VoteDecision, VoteVerdict,
};
use quorum_raft::RaftMsg;
use quorum_service::{ReadPath, ServiceWhy};
use quorum_service::{Role, TimerKind};

/// A message's reason, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The rule that fired, as a reference a reader can look up (e.g. "Figure 2 · RequestVote
    /// receiver · §5.4.1").
    pub rule: &'static str,
    /// What happened and the values that decided it, in a sentence or two.
    pub text: String,
}

fn explained(rule: &'static str, text: String) -> Explanation {
    Explanation { rule, text }
}

fn position(p: LogPosition) -> String {
    if p.index == 0 {
        "empty log".to_string()
    } else {
        format!("last entry (term {}, index {})", p.term, p.index)
    }
}

/// Why `message` was sent.
pub fn why_sent(message: &MessageView) -> Explanation {
    let from = message.from.label();
    let to = message.to.label();
    match &message.why {
        Cause::Raft(why) => raft(why, &message.payload, &from, &to),
        Cause::Paxos(why) => paxos(why, &message.payload, &from, &to),
        Cause::Service(why) => service(why, &from),
        Cause::Client => explained(
            "Client workload",
            format!("{from} sends its next operation, or retries one after a timeout or a redirect."),
        ),
        Cause::Balancer => explained(
            "Load balancer",
            "The load balancer routes a client's request by its strategy, relays a reply, or checks a server's health.".to_string(),
        ),
    }
}

/// Why a message was sent when only its reason, ends and kind are known (a message long gone,
/// remembered as what last changed a field): the rule, and the words that need no field of it.
pub fn why_sent_without_fields(
    why: &Cause,
    from: Addr,
    to: Addr,
    kind: MessageKind,
) -> Explanation {
    why_sent(&MessageView {
        id: 0,
        from,
        to,
        kind,
        is_reply: false,
        success: None,
        summary: String::new(),
        payload: Payload::Ping,
        sent_at: 0,
        deliver_at: 0,
        dies_at: None,
        loss: None,
        duplicate: false,
        why: why.clone(),
    })
}

/// What last changed a field, in words: the event and, for a message, why it was sent.
pub fn origin_text(
    field: TrackedField,
    origin: &Origin,
    server: Addr,
) -> (String, Option<&'static str>) {
    let was = Origin::describe_value(field, origin.from);
    let when = quorum_core::time::format_time(origin.at);
    let who = server.label();
    match &origin.trigger {
        Trigger::Message { id, from, kind, why } => {
            let e = why_sent_without_fields(why, *from, server, *kind);
            (
                format!(
                    "Changed from {was} at {when}, when {who} handled {kind} #{id} from {}. It was sent because: {}",
                    from.label(),
                    e.text
                ),
                Some(e.rule),
            )
        }
        Trigger::Timer { timer } => (
            format!("Changed from {was} at {when}, when {who}'s {} timer fired.", timer_name(*timer)),
            None,
        ),
        Trigger::Boot => (format!("Changed from {was} at {when}, when {who} (re)started."), None),
        Trigger::Action => (
            format!("Changed from {was} at {when}, by an action on the page (a crash, a forced timeout, a request or a change of membership)."),
            None,
        ),
    }
}

/// What a lane event was, in words ("S2 became leader of term 3").
pub fn mark_text(server: NodeId, mark: &Mark) -> String {
    match mark {
        Mark::Crashed => format!("S{server} crashed"),
        Mark::Restarted => format!("S{server} restarted"),
        Mark::Paused => format!("S{server}'s process was paused"),
        Mark::Resumed => format!("S{server}'s process resumed"),
        Mark::CutOff { servers } => match crate::spacetime::cut_off_text(*servers) {
            Some(cut) => format!("S{server} is {}", cut.trim_start_matches("✂ ")),
            None => format!("S{server} can reach every server again"),
        },
        Mark::Role { role, term } => match role {
            Role::Leader => format!("S{server} became leader of term {term}"),
            Role::Candidate => format!("S{server} stood for election in term {term}"),
            _ => format!(
                "S{server} became a {} in term {term}",
                role.label().to_lowercase()
            ),
        },
    }
}

/// The cause of a lane event no handler of its server made.
const BY_A_PERSON: &str = "A person's action on the page (or a scripted fault) did it.";

/// What made a lane event happen: the step it happened in — a message handled (and why that
/// message was sent), a timer, a restart — or a person's action on the page.
pub fn mark_cause(trace: &Trace, mark: &LaneMark) -> String {
    let who = format!("S{}", mark.server);
    let Some(step) = mark.step.and_then(|s| trace.step(s)) else {
        return BY_A_PERSON.to_string();
    };
    match step.kind {
        StepKind::Received { message } => match trace.message(message) {
            Some(m) => {
                let view = MessageView::of(&m.envelope);
                let e = why_sent(&view);
                format!(
                    "It happened while {who} handled {} #{} from {}: {} ({})",
                    view.kind,
                    view.id,
                    view.from.label(),
                    e.text,
                    e.rule
                )
            }
            None => format!("It happened while {who} handled message #{message}, since forgotten."),
        },
        StepKind::Timer { timer } => format!(
            "It happened when {who}'s {} timer fired.",
            timer_name(timer)
        ),
        StepKind::Boot => format!("It happened as {who} (re)started."),
        StepKind::Wake | StepKind::Action => BY_A_PERSON.to_string(),
    }
}

fn timer_name(timer: TimerKind) -> &'static str {
    match timer {
        TimerKind::Election => "election",
        TimerKind::Heartbeat => "heartbeat",
    }
}

fn raft(why: &RaftWhy, payload: &Payload, from: &str, to: &str) -> Explanation {
    let message = match payload {
        Payload::Raft(m) => Some(m),
        _ => None,
    };
    match why {
        RaftWhy::PreVoteCampaign { next_term } => {
            let last = match message {
                Some(RaftMsg::PreVote(r)) => position(LogPosition {
                    term: r.last_log_term,
                    index: r.last_log_index,
                }),
                _ => "its log".to_string(),
            };
            explained(
                "PreVote · dissertation §9.6",
                format!(
                    "{from}'s election timer ran out without word from a leader. Before raising its term it asks whether it could win term {next_term}, offering its {last}; a server that still hears a leader will say no."
                ),
            )
        }
        RaftWhy::Campaign {
            term,
            after_pre_vote,
        } => {
            let because = if *after_pre_vote {
                "a majority granted its pre-vote"
            } else {
                "its election timer ran out without word from a leader"
            };
            let last = match message {
                Some(RaftMsg::RequestVote(r)) => position(LogPosition {
                    term: r.last_log_term,
                    index: r.last_log_index,
                }),
                _ => "its log".to_string(),
            };
            explained(
                "Figure 2 · Rules for servers, candidates · §5.2",
                format!(
                    "{from} starts an election for term {term} because {because}. It votes for itself and asks every server for its vote, offering its {last}."
                ),
            )
        }
        RaftWhy::VoteAnswer(d) => vote(d, false, from, to),
        RaftWhy::PreVoteAnswer(d) => vote(d, true, from, to),
        RaftWhy::Replicate {
            trigger,
            next_index,
        } => {
            let because = match trigger {
                ReplicateTrigger::Elected => {
                    format!("{from} has just won its election and asserts its leadership at once.")
                }
                ReplicateTrigger::HeartbeatTimer => format!(
                    "{from}'s heartbeat timer fired: followers must hear from their leader before their election timers run out."
                ),
                ReplicateTrigger::NewEntry => format!("A new entry joined {from}'s log."),
                ReplicateTrigger::ReadIndex => format!(
                    "A read by ReadIndex needs a round of heartbeats to confirm {from} still leads (§6.4)."
                ),
                ReplicateTrigger::MoreToSend => {
                    format!("{to} stored the last batch and more entries remain in {from}'s log.")
                }
                ReplicateTrigger::Backup => format!(
                    "{to}'s log did not match, so {from} backs up and retries from an earlier index (§5.3)."
                ),
            };
            let carries = match message {
                Some(RaftMsg::AppendEntries(a)) if a.entries.is_empty() => format!(
                    "{to}'s nextIndex is {next_index} and it has every entry, so this carries none (a heartbeat), with the entry before (index {}, term {}) to check and the commit index {}.",
                    a.prev_log_index, a.prev_log_term, a.leader_commit
                ),
                Some(RaftMsg::AppendEntries(a)) => {
                    let (first, last) = (a.prev_log_index + 1, a.prev_log_index + a.entries.len() as u64);
                    let entries = if first == last {
                        format!("entry {first}")
                    } else {
                        format!("entries {first}–{last}")
                    };
                    format!(
                        "{to}'s nextIndex is {next_index}: this carries {entries}, with the entry before (index {}, term {}) for {to} to check and the commit index {}.",
                        a.prev_log_index, a.prev_log_term, a.leader_commit
                    )
                }
                _ => format!("{to}'s nextIndex is {next_index}."),
            };
            explained(
                "Figure 2 · Rules for servers, leaders",
                format!("{because} {carries}"),
            )
        }
        RaftWhy::SendSnapshot { next_index } => explained(
            "InstallSnapshot · §7",
            format!(
                "{to} needs entries from index {next_index}, which {from} has compacted into a snapshot: it sends the snapshot instead."
            ),
        ),
        RaftWhy::AppendAnswer(verdict) => {
            let (term, matched) = match message {
                Some(RaftMsg::AppendEntriesReply(r)) => (r.term, r.match_index),
                _ => (0, 0),
            };
            match verdict {
                AppendVerdict::Stored => explained(
                    "Figure 2 · AppendEntries receiver, steps 3–5",
                    format!(
                        "{from}'s log now matches the leader's up to index {matched}: the entry before the new ones matched, so it stored them (dropping any conflicting entries after it)."
                    ),
                ),
                AppendVerdict::MissingPrevious { last_index } => explained(
                    "Figure 2 · AppendEntries receiver, step 2",
                    format!(
                        "{from} has no entry where the new ones would follow (its log ends at index {last_index}): it refuses, and the leader backs up."
                    ),
                ),
                AppendVerdict::TermMismatch {
                    index,
                    mine,
                    leaders,
                } => explained(
                    "Figure 2 · AppendEntries receiver, step 2 · §5.3",
                    format!(
                        "{from}'s entry at index {index} is from term {mine}, the leader's from term {leaders}: the logs diverge there. It refuses and points the leader to where term {mine} starts in its log, to skip the whole term."
                    ),
                ),
                AppendVerdict::Snapshot {
                    index,
                    installed: true,
                } => explained(
                    "§7 · InstallSnapshot receiver",
                    format!(
                        "{from} replaced its log and key-value state with the leader's snapshot up to index {index}: its log now matches the leader's that far."
                    ),
                ),
                AppendVerdict::Snapshot {
                    index,
                    installed: false,
                } => explained(
                    "§7 · InstallSnapshot receiver",
                    format!(
                        "{from} had already committed index {index}, so it kept its own log and ignored the snapshot; it tells the leader it holds everything up to there."
                    ),
                ),
                AppendVerdict::StaleLeader => explained(
                    "Figure 2 · AppendEntries receiver, step 1",
                    format!(
                        "The sender leads an older term than {from}'s term {term}: {from} refuses and tells it the newer term, which makes it step down."
                    ),
                ),
            }
        }
    }
}

fn vote(d: &VoteDecision, pre_vote: bool, voter: &str, candidate: &str) -> Explanation {
    let (vote, grants) = if pre_vote {
        ("pre-vote", "would vote")
    } else {
        ("vote", "grants its vote")
    };
    let theirs = position(d.candidate_last);
    let mine = position(d.voter_last);
    let term = d.candidate_term;
    match d.verdict {
        VoteVerdict::Granted => {
            let adopted = if !pre_vote && d.voter_term < term {
                format!(" It moved from term {} to term {term} first.", d.voter_term)
            } else {
                String::new()
            };
            explained(
                if pre_vote {
                    "PreVote · dissertation §9.6 · §5.4.1"
                } else {
                    "Figure 2 · RequestVote receiver, step 2 · §5.4.1"
                },
                format!(
                    "{voter} {grants} for {candidate} in term {term}: {candidate}'s {theirs} is at least as up to date as {voter}'s {mine}, and {voter} has not voted for anyone else in term {term}.{adopted}"
                ),
            )
        }
        VoteVerdict::StaleTerm => explained(
            if pre_vote {
                "PreVote · dissertation §9.6"
            } else {
                "Figure 2 · RequestVote receiver, step 1"
            },
            format!(
                "{voter} refuses the {vote}: {candidate} asks for term {term}, which is {} {voter}'s term {}.",
                if pre_vote { "not above" } else { "older than" },
                d.voter_term
            ),
        ),
        VoteVerdict::AlreadyVoted => explained(
            "Figure 2 · RequestVote receiver, step 2",
            format!(
                "{voter} refuses: it already voted for {} in term {term}, and a server votes once per term.",
                d.voted_for
                    .map_or("another candidate".to_string(), |v| format!("S{v}"))
            ),
        ),
        VoteVerdict::LogBehind => explained(
            "Election restriction · §5.4.1",
            format!(
                "{voter} refuses the {vote}: {candidate}'s {theirs} is less up to date than {voter}'s {mine} — a later last term wins, or the same term and a longer log. A leader must hold every committed entry."
            ),
        ),
        VoteVerdict::LeaderAlive => explained(
            if pre_vote {
                "PreVote · dissertation §9.6"
            } else {
                "CheckQuorum's disruption guard · dissertation §4.2.3"
            },
            format!(
                "{voter} refuses the {vote}: it heard from a live leader less than an election timeout ago, so it will not help replace it."
            ),
        ),
    }
}

fn paxos(why: &PaxosWhy, payload: &Payload, from: &str, to: &str) -> Explanation {
    let message = match payload {
        Payload::Paxos(m) => Some(m),
        _ => None,
    };
    match why {
        PaxosWhy::Probe => explained(
            "Probe (Multi-Paxos' PreVote)",
            format!(
                "{from} has not heard from a leader for an election timeout. Before raising a ballot it asks whether a majority lost the leader too."
            ),
        ),
        PaxosWhy::ProbeAnswer { leader } => match leader {
            None => explained(
                "Probe (Multi-Paxos' PreVote)",
                format!("{from} hears no live leader either: it agrees {to} may try."),
            ),
            Some(l) => explained(
                "Probe (Multi-Paxos' PreVote)",
                format!(
                    "{from} still hears its leader S{l}: it refuses, so a live leader is not replaced."
                ),
            ),
        },
        PaxosWhy::Prepare { trigger } => {
            let because = match trigger {
                PrepareTrigger::TimerExpired => format!(
                    "{from}'s election timer ran out without word from a leader (or its last phase 1 stalled)"
                ),
                PrepareTrigger::ProbeMajority => {
                    "a majority answered its probe: they lost the leader too".to_string()
                }
                PrepareTrigger::ClientWaiting => format!(
                    "without a stable leader every server proposes for itself, and a client request waits at {from}"
                ),
            };
            let what = match message {
                Some(PaxosMsg::Prepare { ballot, from_slot }) => format!(
                    " with ballot {ballot}, above every ballot it has seen, asking each acceptor to promise it and report what it accepted from slot {from_slot} on"
                ),
                _ => String::new(),
            };
            explained(
                "Paxos phase 1a (prepare)",
                format!("{from} starts phase 1{what}, because {because}."),
            )
        }
        PaxosWhy::Promise { previously } => {
            let (ballot, reported) = match message {
                Some(PaxosMsg::Promise { ballot, accepted }) => {
                    (ballot.to_string(), accepted.len())
                }
                _ => (String::new(), 0),
            };
            explained(
                "Paxos phase 1b (promise)",
                format!(
                    "Ballot {ballot} is not below the promise {from} held ({previously}), so {from} promises it — nothing below {ballot} will be accepted here again — and reports the {reported} value{} it accepted.",
                    if reported == 1 { "" } else { "s" }
                ),
            )
        }
        PaxosWhy::Refuse { phase } => {
            let what = match phase {
                RefusedIn::Prepare => "prepare",
                RefusedIn::Accept => "accept",
                RefusedIn::Heartbeat => "heartbeat",
            };
            let (ballot, promised) = match message {
                Some(PaxosMsg::Nack { ballot, promised }) => {
                    (ballot.to_string(), promised.to_string())
                }
                _ => (String::new(), String::new()),
            };
            explained(
                match phase {
                    RefusedIn::Accept => "Paxos phase 2b (refusal)",
                    _ => "Paxos phase 1b (refusal)",
                },
                format!(
                    "{from} has promised ballot {promised}, above {ballot}: it refuses the {what}, and {to} learns it was preempted. Proposers that keep preempting each other duel and choose nothing."
                ),
            )
        }
        PaxosWhy::Accept { trigger } => {
            let (ballot, slot, value) = match message {
                Some(PaxosMsg::Accept {
                    ballot,
                    slot,
                    value,
                    ..
                }) => (ballot.to_string(), *slot, describe(value)),
                _ => (String::new(), 0, String::new()),
            };
            let because = match trigger {
                ProposeTrigger::NewCommand => "it is a client's command".to_string(),
                ProposeTrigger::Recovered => "phase 1 found this value accepted in an earlier ballot, so the new leader must propose it rather than a value of its own".to_string(),
                ProposeTrigger::GapFilled => "phase 1 found nothing accepted in this slot below a higher one, so a no-op fills the gap and later slots can apply".to_string(),
                ProposeTrigger::Resend => "not every acceptor answered within a heartbeat interval, so it asks again".to_string(),
            };
            explained(
                "Paxos phase 2a (accept)",
                format!(
                    "{from} leads with ballot {ballot} and asks the acceptors to accept {value} in slot {slot}: {because}."
                ),
            )
        }
        PaxosWhy::Accepted { previously } => {
            let (ballot, slot) = match message {
                Some(PaxosMsg::Accepted { ballot, slot }) => (ballot.to_string(), *slot),
                _ => (String::new(), 0),
            };
            explained(
                "Paxos phase 2b (accepted)",
                format!(
                    "Ballot {ballot} is not below the promise {from} held ({previously}), so {from} accepts the value in slot {slot} and tells {to}."
                ),
            )
        }
        PaxosWhy::Heartbeat => {
            let (ballot, chosen, stable) = match message {
                Some(PaxosMsg::Heartbeat {
                    ballot,
                    chosen,
                    stable,
                    ..
                }) => (ballot.to_string(), *chosen, *stable),
                _ => (String::new(), 0, 0),
            };
            explained(
                "Stable leader · heartbeat",
                format!(
                    "{from} still leads with ballot {ballot}: the heartbeat keeps followers from starting phase 1 and tells them every slot up to {chosen} is chosen. Every server has reported learning up to slot {stable}, so no one will ask for those slots again: each server may replace them with a snapshot of its key-value store."
                ),
            )
        }
        PaxosWhy::HeartbeatAck => {
            let learned = match message {
                Some(PaxosMsg::HeartbeatAck { learned, .. }) => *learned,
                _ => 0,
            };
            explained(
                "Stable leader · heartbeat",
                format!("{from} follows {to} and has learned every chosen slot up to {learned}."),
            )
        }
        PaxosWhy::CatchUp { learned } => explained(
            "Learning · catch-up",
            format!(
                "{to} had learned only up to slot {learned}: {from} sends it the chosen values it lacks."
            ),
        ),
    }
}

fn describe(value: &SlotValue) -> String {
    match value {
        SlotValue::Noop => "a no-op".to_string(),
        other => format!("“{}”", other.describe()),
    }
}

fn service(why: &ServiceWhy, from: &str) -> Explanation {
    match why {
        ServiceWhy::Applied { index } => explained(
            "Replicated state machine · §5.3",
            format!("The command was agreed at {index} and applied to {from}'s store: this is its result."),
        ),
        ServiceWhy::ReadServed {
            path: ReadPath::ReadIndex,
            read_index,
            round,
        } => explained(
            "ReadIndex · dissertation §6.4",
            format!(
                "Heartbeat round {round} confirmed {from} still leads, and its store had applied index {read_index}, the commit index when the read arrived: the read is answered without a log entry."
            ),
        ),
        ServiceWhy::ReadServed {
            path: ReadPath::Lease, ..
        } => explained(
            "Lease read · dissertation §6.4.1",
            format!(
                "A majority acknowledged {from} recently enough that, by {from}'s own clock, no other leader can exist yet: the read is answered at once. A slow clock breaks this."
            ),
        ),
        ServiceWhy::SessionCached => explained(
            "Exactly once · §8",
            format!("A retry of an operation already applied: {from} answers from its session table instead of applying it twice."),
        ),
        ServiceWhy::StaleRead => explained(
            "Stale read (unsafe)",
            format!("{from} answers from its own store without asking anyone: fast, and it may miss committed writes."),
        ),
        ServiceWhy::Forwarded { leader } => explained(
            "Client interaction · §8",
            format!("{from} does not lead; it forwards the request to S{leader}, the leader it knows."),
        ),
        ServiceWhy::NotLeader { hint } => explained(
            "Client interaction · §8",
            match hint {
                Some(l) => format!("{from} does not lead (or lost the request's place in the log): it tells the client to try S{l}."),
                None => format!("{from} does not lead and knows no leader to point to: the client must try elsewhere."),
            },
        ),
        ServiceWhy::HealthCheck => explained(
            "Health check",
            format!("{from} answers the balancer's health check: it is up."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_cluster::config::ProtocolKind;
    use quorum_cluster::message::{Addr, MessageKind};
    use quorum_core::time::SECOND;
    use quorum_paxos::Ballot;
    use quorum_raft::{VoteReply, VoteRequest};
    use std::collections::BTreeSet;

    fn message(from: u32, to: u32, payload: Payload, why: Cause) -> MessageView {
        MessageView {
            id: 1,
            from: Addr::Server(from),
            to: Addr::Server(to),
            kind: MessageKind::RequestVoteReply,
            is_reply: true,
            success: None,
            summary: String::new(),
            payload,
            sent_at: 0,
            deliver_at: 1,
            dies_at: None,
            loss: None,
            duplicate: false,
            why,
        }
    }

    /// S2's answer to S1's request for term 4 (S2 was in term 3, had not voted), with the
    /// candidate's and the voter's last entries as (term, index), explained.
    fn vote_answer(verdict: VoteVerdict, candidate: (u64, u64), voter: (u64, u64)) -> Explanation {
        let decision = VoteDecision {
            verdict,
            candidate_term: 4,
            voter_term: 3,
            candidate_last: LogPosition {
                term: candidate.0,
                index: candidate.1,
            },
            voter_last: LogPosition {
                term: voter.0,
                index: voter.1,
            },
            voted_for: None,
        };
        let reply = Payload::Raft(RaftMsg::RequestVoteReply(VoteReply {
            term: 4,
            granted: verdict == VoteVerdict::Granted,
        }));
        let why = Cause::Raft(RaftWhy::VoteAnswer(Box::new(decision)));
        why_sent(&message(2, 1, reply, why))
    }

    /// A refused vote names the rule (the election restriction) and both logs' last entries.
    #[test]
    fn a_vote_refused_for_a_shorter_log_names_both_last_entries_section_5_4_1() {
        let e = vote_answer(VoteVerdict::LogBehind, (3, 6), (3, 7));
        assert!(e.rule.contains("§5.4.1"), "{e:?}");
        assert!(
            e.text.contains("S1's last entry (term 3, index 6)")
                && e.text.contains("S2's last entry (term 3, index 7)"),
            "{e:?}"
        );
    }

    /// A granted vote says every condition that held, with the values.
    #[test]
    fn a_granted_vote_names_the_terms_and_logs_figure_2_request_vote() {
        let e = vote_answer(VoteVerdict::Granted, (3, 7), (3, 6));
        assert_eq!(e.rule, "Figure 2 · RequestVote receiver, step 2 · §5.4.1");
        assert!(e.text.contains("has not voted for anyone else in term 4"));
        assert!(e.text.contains("moved from term 3 to term 4"));
    }

    /// A Paxos refusal names the promise that preempted the ballot.
    #[test]
    fn a_refusal_names_the_promised_ballot_that_preempted_the_proposer_paxos_phase_1b() {
        let nack = Payload::Paxos(PaxosMsg::Nack {
            ballot: Ballot::new(3, 2),
            promised: Ballot::new(4, 1),
        });
        let why = Cause::Paxos(PaxosWhy::Refuse {
            phase: RefusedIn::Prepare,
        });
        let e = why_sent(&message(4, 2, nack, why));
        assert!(
            e.text.contains("S4 has promised ballot 4.1, above 3.2")
                && e.text.contains("preempted"),
            "{e:?}"
        );
    }

    /// A heartbeat says how far values are chosen and how far every server has learned, which
    /// is what lets each one compact ("Paxos Made Live" §5.5).
    #[test]
    fn a_paxos_heartbeat_names_the_chosen_and_the_stable_prefix() {
        let heartbeat = Payload::Paxos(PaxosMsg::Heartbeat {
            ballot: Ballot::new(2, 3),
            chosen: 80,
            stable: 64,
            round: 9,
        });
        let e = why_sent(&message(3, 1, heartbeat, Cause::Paxos(PaxosWhy::Heartbeat)));
        assert!(
            e.text.contains("every slot up to 80 is chosen")
                && e.text.contains("learning up to slot 64")
                && e.text.contains("snapshot"),
            "{e:?}"
        );
    }

    /// The campaign names what started it and the log it offers.
    #[test]
    fn a_vote_request_says_the_timer_ran_out_and_offers_the_last_entry_section_5_2() {
        let request = Payload::Raft(RaftMsg::RequestVote(VoteRequest {
            term: 2,
            last_log_index: 5,
            last_log_term: 1,
        }));
        let why = Cause::Raft(RaftWhy::Campaign {
            term: 2,
            after_pre_vote: false,
        });
        let e = why_sent(&message(3, 1, request, why));
        assert!(e.text.contains("election timer ran out"));
        assert!(e.text.contains("last entry (term 1, index 5)"));
    }

    /// What last changed a field names the message, its sender and the rule that sent it; a
    /// timer and an action are named as such.
    #[test]
    fn a_fields_origin_names_the_message_its_sender_and_the_rule_section_5_2() {
        let why = Cause::Raft(RaftWhy::Campaign {
            term: 2,
            after_pre_vote: true,
        });
        let origin = Origin {
            at: 1_500_000,
            from: 1,
            trigger: Trigger::Message {
                id: 42,
                from: Addr::Server(3),
                kind: MessageKind::RequestVote,
                why,
            },
        };
        let (text, rule) = origin_text(TrackedField::Term, &origin, Addr::Server(2));
        assert!(
            text.starts_with("Changed from 1 at 1.500 s, when S2 handled RequestVote #42 from S3."),
            "{text}"
        );
        assert!(text.contains("a majority granted its pre-vote"), "{text}");
        assert_eq!(
            rule,
            Some("Figure 2 · Rules for servers, candidates · §5.2")
        );
        let timer = Origin {
            at: 2_000_000,
            from: 0,
            trigger: Trigger::Timer {
                timer: TimerKind::Election,
            },
        };
        let (text, rule) = origin_text(TrackedField::Role, &timer, Addr::Server(2));
        assert_eq!(
            text,
            "Changed from follower at 2.000 s, when S2's election timer fired."
        );
        assert_eq!(rule, None);
    }

    /// Every message of real runs under both protocols, with crashes, is explained by its
    /// sender's rule, and the runs reach most of the rules.
    #[test]
    fn every_message_of_a_faulty_run_is_explained_under_both_protocols() {
        for protocol in [ProtocolKind::Raft, ProtocolKind::MultiPaxos] {
            let mut rules = BTreeSet::new();
            let reached = crate::test_runs::faulty_run_messages(protocol, 5, |m| {
                let e = why_sent(m);
                assert!(!e.rule.is_empty() && !e.text.is_empty());
                if let Addr::Server(_) = m.from {
                    assert!(
                        e.text.contains(&m.from.label()) || e.text.starts_with("The "),
                        "{protocol:?}: {e:?}"
                    );
                }
                rules.insert(e.rule);
            });
            assert!(reached >= 20 * SECOND);
            assert!(
                rules.len() >= 8,
                "{protocol:?}: only {} rules seen: {rules:?}",
                rules.len()
            );
        }
    }
}
