//! Staying leader ("Paxos Made Simple" §3, the distinguished proposer): heartbeats keep the
//! others from starting phase 1, carry the chosen prefix so replicas learn, and count rounds that
//! prove leadership for reads; Accepts that got no answer are re-sent. A higher ballot anywhere —
//! in a prepare the server promised, a refusal, a heartbeat — ends a server's leadership, and so
//! does losing touch with a majority (CheckQuorum).

use super::ballot::Ballot;
use super::messages::PaxosMsg;
use super::node::PaxosNode;
use super::proposer::send;
use crate::why::{PaxosWhy, PrepareTrigger, ProposeTrigger, RefusedIn};
use crate::Ctx;
use quorum_core::actor::FeedEvent;
use quorum_core::NodeId;
use quorum_service::redirect_all;
use quorum_service::ReadMode;
use quorum_service::{Role, ServerContext, TimerKind};

/// The most unanswered proposals re-sent per heartbeat.
const RESEND_LIMIT: usize = 32;

impl PaxosNode {
    /// Leader: heartbeats (with the chosen prefix), Accepts re-sent where no answer came, and
    /// CheckQuorum.
    pub(super) fn heartbeat(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.local_now();
        if ctx.config.options.check_quorum {
            let window = ctx.config.timing.election_min();
            let heard = self
                .acks
                .values()
                .filter(|&&t| now.saturating_sub(t) < window)
                .count();
            if heard + 1 < Self::majority(ctx) {
                ctx.note(format!(
                    "S{} lost touch with a majority and stopped leading ballot {}",
                    self.id, self.ballot
                ));
                self.step_down(ctx, None);
                return;
            }
        }
        let stable = self.stable_prefix(ctx);
        self.compact(stable);
        self.send_round(ctx);
        let peers: Vec<NodeId> = ctx.peers().collect();
        let quiet = ctx.config.timing.heartbeat();
        let stale: Vec<u64> = self
            .proposals
            .iter()
            .filter(|(_, p)| now.saturating_sub(p.sent_at) >= quiet)
            .map(|(slot, _)| *slot)
            .take(RESEND_LIMIT)
            .collect();
        for slot in stale {
            let Some(p) = self.proposals.get_mut(&slot) else {
                continue;
            };
            p.sent_at = now;
            let missing: Vec<NodeId> = peers
                .iter()
                .copied()
                .filter(|n| !p.tally.accepted_by().any(|a| a == *n))
                .collect();
            let value = p.value.clone();
            self.send_accepts(ctx, missing, slot, &value, ProposeTrigger::Resend);
        }
        ctx.set_timer(TimerKind::Heartbeat, ctx.config.timing.heartbeat());
    }

    /// Starts a heartbeat round: every peer is told the chosen prefix and the stable one, and
    /// asked to acknowledge the round. Returns the round.
    pub(super) fn send_round(&mut self, ctx: &mut Ctx<'_>) -> u64 {
        let round = self.reads.next_round(ctx.local_now());
        let (ballot, chosen) = (self.ballot, self.chosen_prefix());
        let stable = self.stable_prefix(ctx);
        let peers: Vec<NodeId> = ctx.peers().collect();
        for peer in peers {
            let msg = PaxosMsg::Heartbeat {
                ballot,
                chosen,
                stable,
                round,
            };
            send(ctx, peer, msg, PaxosWhy::Heartbeat);
        }
        round
    }

    /// A heartbeat from a leader: follow it if its ballot is not below the promise; compact
    /// up to the stable prefix it announces and learn up to the chosen one.
    pub(super) fn on_heartbeat(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        ballot: Ballot,
        (chosen, stable): (u64, u64),
        round: u64,
    ) {
        let promised = self.acceptor.promised();
        if ballot < promised {
            let why = PaxosWhy::Refuse {
                phase: RefusedIn::Heartbeat,
            };
            send(ctx, from, PaxosMsg::Nack { ballot, promised }, why);
            return;
        }
        self.observe_ballot(ctx, ballot);
        self.follow(ctx, from);
        self.compact(stable);
        self.learn_prefix(ctx, ballot, chosen);
        let learned = self.chosen_prefix();
        let ack = PaxosMsg::HeartbeatAck {
            ballot,
            learned,
            announced: chosen,
            round,
        };
        send(ctx, from, ack, PaxosWhy::HeartbeatAck);
    }

    pub(super) fn on_heartbeat_ack(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        ballot: Ballot,
        learned: u64,
        announced: u64,
        round: u64,
    ) {
        if self.role != Role::Leader || ballot != self.ballot {
            return;
        }
        self.acks.insert(from, ctx.local_now());
        self.note_peer_learned(from, learned);
        let acked = self.acked_round.entry(from).or_insert(0);
        *acked = (*acked).max(round);
        if learned < announced {
            self.send_catch_up(ctx, from, learned);
        }
        self.serve_reads(ctx);
    }

    /// Takes note of a ballot: a higher one than its own ends its phase 1 or leadership.
    pub(super) fn observe_ballot(&mut self, ctx: &mut Ctx<'_>, seen: Ballot) {
        self.highest_seen = self.highest_seen.max(seen);
        if self.role != Role::Follower && seen > self.ballot {
            // A leader deposed, or a proposer losing the duel of ballots.
            let event = if self.role == Role::Leader {
                FeedEvent::LeaderDeposed
            } else {
                FeedEvent::ElectionLost
            };
            ctx.announce(
                event,
                format!(
                    "S{}'s ballot {} was preempted by {seen}",
                    self.id, self.ballot
                ),
            );
            self.note_duel(ctx, seen);
            self.step_down(ctx, Some(seen.node));
        }
    }

    /// Preempted by `seen`: when its owner preempted this server before and this server has
    /// since raised a ballot above that one, the two are duelling — each new ballot preempts the
    /// other's and nothing is chosen. Said on the second round, then every fifth.
    fn note_duel(&mut self, ctx: &mut Ctx<'_>, seen: Ballot) {
        let rounds = match self.duel {
            Some(d) if d.rival == seen.node && self.ballot > d.rival_ballot => d.rounds + 1,
            _ => 1,
        };
        let previous = self.duel.map(|d| d.rival_ballot);
        self.duel = Some(super::node::Duel {
            rival: seen.node,
            rival_ballot: seen,
            rounds,
        });
        if rounds == 2 || (rounds > 2 && rounds % 5 == 0) {
            ctx.announce(
                FeedEvent::DuellingBallots,
                format!(
                    "S{} and S{} are duelling: each new ballot preempts the other's ({} → {} → {seen}, {rounds} rounds); nothing is chosen while it lasts — a stable leader ends it",
                    self.id,
                    seen.node,
                    previous.map_or_else(String::new, |b| b.to_string()),
                    self.ballot
                ),
            );
        }
    }

    /// Stops preparing or leading; clients waiting here are sent elsewhere.
    pub(super) fn step_down(&mut self, ctx: &mut Ctx<'_>, hint: Option<NodeId>) {
        self.role = Role::Follower;
        self.leader = None;
        self.promises.clear();
        self.proposals.clear();
        ctx.cancel_timer(TimerKind::Heartbeat);
        ctx.restart_election_timer();
        // Without a stable leader there is no one to point to: any server will propose.
        let hint = hint.filter(|_| ctx.config.options.stable_leader);
        let waiting = self
            .pending
            .take_all()
            .map(|p| (p.reply_to, p.session, p.seq))
            .chain(
                std::mem::take(&mut self.queued)
                    .into_iter()
                    .map(|r| (r.reply_to, r.command.session, r.command.seq)),
            )
            .chain(
                std::mem::take(&mut self.reads.pending)
                    .into_iter()
                    .map(|r| (r.reply_to, r.session, r.seq)),
            );
        redirect_all(ctx, waiting, hint);
    }

    /// Hearing from a leader (whose ballot is not below the promise): remember it and hold off
    /// phase 1.
    pub(super) fn follow(&mut self, ctx: &mut Ctx<'_>, leader: NodeId) {
        if self.role == Role::PreCandidate {
            // Probing asked nothing of anyone: a live leader simply ends it.
            self.role = Role::Follower;
        }
        if self.role != Role::Follower {
            return;
        }
        self.leader = Some(leader);
        self.heard_from_leader_at = Some(ctx.local_now());
        ctx.restart_election_timer();
    }

    /// Whether a prepare from `from` must be ignored because this server heard from another
    /// leader less than an election timeout ago: with leases always (the leader's lease relies
    /// on it), otherwise when leader stickiness is on.
    pub(super) fn sticks_to_leader(&self, ctx: &Ctx<'_>, from: NodeId) -> bool {
        let sticky =
            ctx.config.options.read_mode == ReadMode::Lease || ctx.config.options.sticky_leader;
        sticky
            && self.role == Role::Follower
            && self.hears_leader(ctx)
            && self.leader() != Some(from)
    }

    /// True when this server heard from a leader less than an election timeout ago (a leader
    /// hears itself).
    pub(super) fn hears_leader(&self, ctx: &Ctx<'_>) -> bool {
        if self.role == Role::Leader {
            return true;
        }
        let window = ctx.config.timing.election_min();
        self.leader.is_some()
            && self
                .heard_from_leader_at
                .is_some_and(|t| ctx.local_now().saturating_sub(t) < window)
    }

    /// The leader went quiet: probe whether a majority has lost it too before raising the
    /// ballot (Raft's PreVote, dissertation §9.6, carried over to Paxos).
    pub(super) fn start_probe(&mut self, ctx: &mut Ctx<'_>) {
        self.role = Role::PreCandidate;
        self.leader = None;
        self.probes.clear();
        self.probes.insert(self.id);
        let ballot = self.highest_seen.max(self.acceptor.promised());
        ctx.note(format!(
            "S{} hears no leader and asks whether a ballot above {ballot} could win",
            self.id
        ));
        ctx.restart_election_timer();
        if self.probes.len() >= Self::majority(ctx) {
            self.start_prepare(ctx, PrepareTrigger::ProbeMajority);
            return;
        }
        let peers: Vec<NodeId> = ctx.peers().collect();
        for peer in peers {
            send(ctx, peer, PaxosMsg::Probe { ballot }, PaxosWhy::Probe);
        }
    }

    /// A probe: grant it unless a live leader is heard here.
    pub(super) fn on_probe(&mut self, ctx: &mut Ctx<'_>, from: NodeId, ballot: Ballot) {
        let granted = !self.hears_leader(ctx);
        let leader = if granted { None } else { self.leader() };
        let why = PaxosWhy::ProbeAnswer { leader };
        send(ctx, from, PaxosMsg::ProbeReply { ballot, granted }, why);
    }

    /// An answer to our probe: with a majority granting, run phase 1.
    pub(super) fn on_probe_reply(&mut self, ctx: &mut Ctx<'_>, from: NodeId, granted: bool) {
        if self.role != Role::PreCandidate || !granted {
            return;
        }
        self.probes.insert(from);
        if self.probes.len() >= Self::majority(ctx) {
            self.start_prepare(ctx, PrepareTrigger::ProbeMajority);
        }
    }
}
