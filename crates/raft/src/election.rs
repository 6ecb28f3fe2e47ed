//! Leader election (Raft paper §5.2) with PreVote (dissertation §9.6), CheckQuorum and
//! leader stickiness (§6.2, §4.2.3): who may campaign, who grants votes, when a leader steps down.

use super::why::{LogPosition, RaftWhy, ReplicateTrigger, VoteDecision, VoteVerdict};
use super::*;

impl RaftNode {
    /// True when this server heard from a leader less than a minimum election timeout ago: then
    /// it believes a leader is alive and refuses to help replace it (§4.2.3, §9.6).
    pub(super) fn leader_recently_heard(&self, ctx: &Ctx<'_>) -> bool {
        self.role == Role::Leader
            || self.heard_from_leader_at.is_some_and(|t| {
                ctx.local_now().saturating_sub(t) < ctx.config.timing.election_min()
            })
    }

    /// PreVote (§9.6): ask whether a majority would vote for us in the next term, without
    /// raising our own term; only then start the real election.
    pub(super) fn start_pre_vote(&mut self, ctx: &mut Ctx<'_>) {
        self.role = Role::PreCandidate;
        self.leader = None;
        self.votes.clear();
        self.votes.insert(self.id);
        ctx.note(format!(
            "S{} timed out and asks whether it could win term {} (PreVote)",
            self.id,
            self.current_term + 1
        ));
        ctx.restart_election_timer();
        if self.vote_count() >= self.majority() {
            self.start_election(ctx);
            return;
        }
        let msg = RaftMsg::PreVote(VoteRequest {
            term: self.current_term + 1,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        });
        let why = RaftWhy::PreVoteCampaign {
            next_term: self.current_term + 1,
        };
        self.send_to_voters(ctx, &msg, &why);
    }

    /// Sends `msg` to every other voter, for the same reason.
    fn send_to_voters(&mut self, ctx: &mut Ctx<'_>, msg: &RaftMsg, why: &RaftWhy) {
        let peers: Vec<NodeId> = self.other_voters();
        for peer in peers {
            ctx.send_because(
                Addr::Server(peer),
                Wire::Peer(msg.clone()),
                ServerWhy::Protocol(why.clone()),
            );
        }
    }

    /// The values a vote or pre-vote for `request` is decided on, with `verdict`.
    fn vote_decision(
        &self,
        request: &VoteRequest,
        voter_term: u64,
        verdict: VoteVerdict,
    ) -> Box<VoteDecision> {
        Box::new(VoteDecision {
            verdict,
            candidate_term: request.term,
            voter_term,
            candidate_last: LogPosition {
                term: request.last_log_term,
                index: request.last_log_index,
            },
            voter_last: LogPosition {
                term: self.log.last_term(),
                index: self.log.last_index(),
            },
            voted_for: self.voted_for.filter(|_| self.current_term == request.term),
        })
    }

    /// The election restriction (§5.4.1): a candidate whose last entry is `(last_term,
    /// last_index)` has a log at least as up to date as ours — a later last term, or the same
    /// term and at least as long. Votes and pre-votes both require it.
    fn candidate_log_up_to_date(&self, request: &VoteRequest) -> bool {
        (request.last_log_term, request.last_log_index)
            >= (self.log.last_term(), self.log.last_index())
    }

    /// Dissertation §9.6: a PreVote is granted as a vote would be, without changing any term.
    pub(super) fn on_pre_vote(&mut self, ctx: &mut Ctx<'_>, from: NodeId, request: VoteRequest) {
        let verdict = if request.term <= self.current_term {
            VoteVerdict::StaleTerm
        } else if self.leader_recently_heard(ctx) {
            VoteVerdict::LeaderAlive
        } else if !self.candidate_log_up_to_date(&request) {
            VoteVerdict::LogBehind
        } else {
            VoteVerdict::Granted
        };
        let why = RaftWhy::PreVoteAnswer(self.vote_decision(&request, self.current_term, verdict));
        ctx.send_because(
            Addr::Server(from),
            Wire::Peer(RaftMsg::PreVoteReply(VoteReply {
                term: self.current_term,
                granted: verdict == VoteVerdict::Granted,
            })),
            ServerWhy::Protocol(why),
        );
    }

    pub(super) fn on_pre_vote_reply(&mut self, ctx: &mut Ctx<'_>, from: NodeId, reply: VoteReply) {
        let VoteReply { term, granted } = reply;
        if !granted {
            self.observe_term(ctx, term);
            return;
        }
        if self.role != Role::PreCandidate {
            return;
        }
        self.votes.insert(from);
        if self.vote_count() >= self.majority() {
            self.start_election(ctx);
        }
    }

    pub(super) fn start_election(&mut self, ctx: &mut Ctx<'_>) {
        let after_pre_vote = self.role == Role::PreCandidate;
        self.current_term += 1;
        self.role = Role::Candidate;
        self.voted_for = Some(self.id);
        self.leader = None;
        self.votes.clear();
        self.votes.insert(self.id);
        ctx.note(format!(
            "S{} starts an election for term {}",
            self.id, self.current_term
        ));
        ctx.milestone(Milestone::ElectionStarted);
        ctx.restart_election_timer();
        #[cfg(feature = "mutations")]
        let wins_alone = ctx.config.options.mutation == Some(crate::Mutation::CandidateWinsAlone);
        #[cfg(not(feature = "mutations"))]
        let wins_alone = false;
        if wins_alone || self.vote_count() >= self.majority() {
            self.become_leader(ctx);
            return;
        }
        let msg = RaftMsg::RequestVote(VoteRequest {
            term: self.current_term,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        });
        let why = RaftWhy::Campaign {
            term: self.current_term,
            after_pre_vote,
        };
        self.send_to_voters(ctx, &msg, &why);
    }

    pub(super) fn become_leader(&mut self, ctx: &mut Ctx<'_>) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        ctx.milestone(Milestone::BecameLeader);
        let voters: Vec<String> = self
            .votes
            .iter()
            .filter(|v| **v != self.id)
            .map(|v| format!("S{v}"))
            .collect();
        ctx.announce(
            FeedEvent::LeaderElected,
            format!(
                "S{} became leader of term {}{}",
                self.id,
                self.current_term,
                if voters.is_empty() {
                    String::new()
                } else {
                    format!(" with votes from {}", voters.join(", "))
                },
            ),
        );
        ctx.cancel_timer(TimerKind::Election);
        self.leader_since = ctx.local_now();
        self.older_term_announced = 0;
        self.reads = ReadState::default();
        let next = self.log.last_index() + 1;
        let peers: Vec<NodeId> = self.others();
        self.peers = peers
            .iter()
            .map(|&p| {
                let progress = Progress {
                    next,
                    last_ack: self.leader_since,
                    ..Progress::default()
                };
                (p, progress)
            })
            .collect();
        self.departing.clear();
        self.track_former_members();
        if ctx.config.options.noop_on_election {
            self.log.append(Entry {
                term: self.current_term,
                command: Command::Noop,
            });
        }
        self.advance_commit(ctx);
        self.broadcast_append(ctx, ReplicateTrigger::Elected);
    }

    /// CheckQuorum (§6.2): a leader that has not heard from a majority within a minimum election
    /// timeout steps down, so a leader cut off in a minority stops serving.
    pub(super) fn check_quorum(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let now = ctx.local_now();
        let window = ctx.config.timing.election_min();
        if now.saturating_sub(self.leader_since) < window {
            return true;
        }
        let own = usize::from(self.membership.voters.contains(&self.id));
        let active = own
            + self
                .peers
                .iter()
                .filter(|(id, p)| {
                    self.membership.voters.contains(id) && now.saturating_sub(p.last_ack) < window
                })
                .count();
        if active >= self.majority() {
            return true;
        }
        ctx.announce(
            FeedEvent::LeaderDeposed,
            format!(
                "S{} heard from only {active} of {} servers within an election timeout and stepped down (CheckQuorum)",
                self.id,
                self.membership.voters.len()
            ),
        );
        self.leader = None;
        self.become_follower(ctx);
        false
    }

    /// Figure 2, RequestVote receiver implementation (with §4.2.3's disruption guard).
    pub(super) fn on_request_vote(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        request: VoteRequest,
    ) {
        let term = request.term;
        let voter_term = self.current_term;
        // A leader is alive: do not let a disruptive candidate depose it (§4.2.3) — with
        // CheckQuorum any candidate, always one outside the configuration (a removed server
        // that was never told).
        let disruptive = (ctx.config.options.check_quorum || self.is_outsider(from))
            && term > self.current_term
            && self.leader_recently_heard(ctx);
        let verdict = if disruptive {
            VoteVerdict::LeaderAlive
        } else {
            self.observe_term(ctx, term);
            if term != self.current_term {
                VoteVerdict::StaleTerm
            } else if self.voted_for.is_some_and(|v| v != from) {
                VoteVerdict::AlreadyVoted
            } else if !self.candidate_log_up_to_date(&request) {
                VoteVerdict::LogBehind
            } else {
                VoteVerdict::Granted
            }
        };
        let why = RaftWhy::VoteAnswer(self.vote_decision(&request, voter_term, verdict));
        let granted = verdict == VoteVerdict::Granted;
        if granted {
            self.voted_for = Some(from);
            ctx.restart_election_timer();
        }
        ctx.send_because(
            Addr::Server(from),
            Wire::Peer(RaftMsg::RequestVoteReply(VoteReply {
                term: self.current_term,
                granted,
            })),
            ServerWhy::Protocol(why),
        );
    }

    pub(super) fn on_vote_reply(&mut self, ctx: &mut Ctx<'_>, from: NodeId, reply: VoteReply) {
        let VoteReply { term, granted } = reply;
        self.observe_term(ctx, term);
        if self.role != Role::Candidate || term != self.current_term || !granted {
            return;
        }
        self.votes.insert(from);
        if self.vote_count() >= self.majority() {
            self.become_leader(ctx);
        }
    }
}
