//! Log replication (Raft paper §5.3), commitment (§5.4.2), applying committed entries, and log
//! compaction with InstallSnapshot (§7).

use super::why::{AppendVerdict, RaftWhy, ReplicateTrigger};
use super::*;

/// A follower's answer to a leader's AppendEntries or InstallSnapshot.
enum LeaderAnswer {
    /// The log now matches the leader's up to this index.
    Stored { up_to: u64 },
    /// The entry before the new ones did not match: try again from `next`; `term` is the
    /// conflicting entry's term, if there is one (the fast backup of §5.3), at prevLogIndex `at`
    /// where the leader has `leaders_term`.
    Conflict {
        next: u64,
        term: Option<u64>,
        at: u64,
        leaders_term: u64,
    },
    /// The message came from a leader of an older term.
    StaleTerm,
    /// A snapshot up to `up_to` arrived: installed, or already covered by what was committed.
    Snapshot { up_to: u64, installed: bool },
}

impl RaftNode {
    /// A message from a leader of the current term: candidates give up, followers restart their
    /// election timer, and everyone remembers who leads and when it was last heard.
    fn accept_leader(&mut self, ctx: &mut Ctx<'_>, leader: NodeId) {
        if self.role != Role::Follower {
            self.become_follower(ctx);
        } else {
            ctx.restart_election_timer();
        }
        self.leader = Some(leader);
        self.heard_from_leader_at = Some(ctx.local_now());
    }

    /// Sends a heartbeat round to every follower (with entries where they lag).
    pub(super) fn broadcast_append(&mut self, ctx: &mut Ctx<'_>, trigger: ReplicateTrigger) {
        self.reads.next_round(ctx.local_now());
        self.tell_departing();
        for peer in self.replication_targets() {
            self.send_append(ctx, peer, trigger);
        }
        ctx.set_timer(TimerKind::Heartbeat, ctx.config.timing.heartbeat());
    }

    pub(super) fn send_append(
        &mut self,
        ctx: &mut Ctx<'_>,
        peer: NodeId,
        trigger: ReplicateTrigger,
    ) {
        let Some(progress) = self.peers.get_mut(&peer) else {
            return;
        };
        let next = progress.next.max(1);
        if next <= self.log.snapshot_index() {
            // The entries it needs are compacted away: send the snapshot (§7).
            if let Some(snap) = self.snapshot.clone() {
                progress.outstanding = snap.index;
                ctx.send_because(
                    Addr::Server(peer),
                    Wire::Peer(RaftMsg::InstallSnapshot(InstallSnapshot {
                        term: self.current_term,
                        snapshot: snap,
                        round: self.reads.round,
                    })),
                    ServerWhy::Protocol(RaftWhy::SendSnapshot { next_index: next }),
                );
                return;
            }
        }
        let prev_log_index = next - 1;
        let prev_log_term = self.log.term_at(prev_log_index).unwrap_or(0);
        let entries = self.log.slice(next, ctx.config.options.max_batch);
        if !entries.is_empty() {
            progress.outstanding = prev_log_index + entries.len() as u64;
        }
        ctx.send_because(
            Addr::Server(peer),
            Wire::Peer(RaftMsg::AppendEntries(AppendEntries {
                term: self.current_term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit: self.commit_index,
                round: self.reads.round,
            })),
            ServerWhy::Protocol(RaftWhy::Replicate {
                trigger,
                next_index: next,
            }),
        );
    }

    /// Answers a leader's AppendEntries or InstallSnapshot: both get an AppendEntriesReply in
    /// our current term, echoing the leader's heartbeat round.
    fn answer_leader(&self, ctx: &mut Ctx<'_>, leader: NodeId, round: u64, answer: LeaderAnswer) {
        let (success, match_index, conflict_index, conflict_term) = match answer {
            LeaderAnswer::Stored { up_to } | LeaderAnswer::Snapshot { up_to, .. } => {
                (true, up_to, 0, None)
            }
            LeaderAnswer::Conflict { next, term, .. } => (false, 0, next, term),
            LeaderAnswer::StaleTerm => (false, 0, 0, None),
        };
        let verdict = match answer {
            LeaderAnswer::Stored { .. } => AppendVerdict::Stored,
            LeaderAnswer::Snapshot { up_to, installed } => AppendVerdict::Snapshot {
                index: up_to,
                installed,
            },
            LeaderAnswer::StaleTerm => AppendVerdict::StaleLeader,
            LeaderAnswer::Conflict {
                term: Some(mine),
                at,
                leaders_term,
                ..
            } => AppendVerdict::TermMismatch {
                index: at,
                mine,
                leaders: leaders_term,
            },
            LeaderAnswer::Conflict { term: None, .. } => AppendVerdict::MissingPrevious {
                last_index: self.log.last_index(),
            },
        };
        ctx.send_because(
            Addr::Server(leader),
            Wire::Peer(RaftMsg::AppendEntriesReply(AppendEntriesReply {
                term: self.current_term,
                success,
                match_index,
                conflict_index,
                conflict_term,
                round,
            })),
            ServerWhy::Protocol(RaftWhy::AppendAnswer(verdict)),
        );
    }

    /// Figure 2, AppendEntries receiver implementation.
    pub(super) fn on_append_entries(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        append: AppendEntries,
    ) {
        let AppendEntries {
            term,
            prev_log_index,
            prev_log_term,
            entries,
            leader_commit,
            round,
        } = append;
        self.observe_term(ctx, term);
        if term < self.current_term {
            self.answer_leader(ctx, from, round, LeaderAnswer::StaleTerm);
            return;
        }
        self.accept_leader(ctx, from);
        let (prev_log_index, prev_log_term, entries) = if prev_log_index < self.log.snapshot_index()
        {
            // Entries up to our snapshot are committed, so they match the leader's: skip them.
            let skip = (self.log.snapshot_index() - prev_log_index) as usize;
            let rest: Vec<Entry> = entries.into_iter().skip(skip).collect();
            (self.log.snapshot_index(), self.log.snapshot_term(), rest)
        } else {
            (prev_log_index, prev_log_term, entries)
        };
        match self.log.term_at(prev_log_index) {
            None => {
                let next = self.log.last_index() + 1;
                self.answer_leader(
                    ctx,
                    from,
                    round,
                    LeaderAnswer::Conflict {
                        next,
                        term: None,
                        at: prev_log_index,
                        leaders_term: prev_log_term,
                    },
                );
                return;
            }
            Some(t) if t != prev_log_term => {
                let first = self.log.first_index_of_term(t, prev_log_index);
                let answer = LeaderAnswer::Conflict {
                    next: first,
                    term: Some(t),
                    at: prev_log_index,
                    leaders_term: prev_log_term,
                };
                self.answer_leader(ctx, from, round, answer);
                return;
            }
            Some(_) => {}
        }
        let mut index = prev_log_index;
        for entry in entries {
            index += 1;
            match self.log.term_at(index) {
                Some(t) if t == entry.term => continue,
                Some(_) => {
                    // A conflicting entry and everything after it go (§5.3 step 3); committed
                    // entries never conflict, which the safety checks verify.
                    self.log.truncate_from(index);
                    self.log.append(entry);
                }
                None => self.log.append(entry),
            }
        }
        let last_new = index;
        self.refresh_membership();
        if leader_commit > self.commit_index {
            self.commit_index = leader_commit.min(last_new).max(self.commit_index);
            self.apply_committed(ctx);
        }
        self.answer_leader(ctx, from, round, LeaderAnswer::Stored { up_to: last_new });
    }

    /// Figure 2, rules for leaders: a follower's answer moves its nextIndex and matchIndex.
    pub(super) fn on_append_reply(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        reply: AppendEntriesReply,
    ) {
        let AppendEntriesReply {
            term,
            success,
            match_index,
            conflict_index,
            conflict_term,
            round,
        } = reply;
        #[cfg(feature = "mutations")]
        if ctx.config.options.mutation == Some(crate::Mutation::LeaderIgnoresAcks) {
            return;
        }
        if term > self.current_term && self.role == Role::Leader && self.is_outsider(from) {
            // A removed server that campaigned past our term refuses us; its term does not
            // concern the configuration we lead (§4.2.3).
            return;
        }
        self.observe_term(ctx, term);
        if self.role != Role::Leader || term != self.current_term {
            return;
        }
        let last_index = self.log.last_index();
        let local_now = ctx.local_now();
        let Some(p) = self.peers.get_mut(&from) else {
            return;
        };
        // Any answer in our term shows the follower still accepts us as leader.
        p.acked_round = p.acked_round.max(round);
        p.last_ack = local_now;
        if success {
            p.matched = p.matched.max(match_index);
            p.next = p.next.max(p.matched + 1);
            // Only the answer to the newest batch sends the next one; answers to older batches
            // (or to heartbeats) just record progress.
            let acknowledged = p.matched >= p.outstanding;
            if acknowledged {
                p.outstanding = 0;
            }
            let more = acknowledged && p.next <= last_index;
            let caught_up = p.matched >= self.commit_index;
            self.advance_commit(ctx);
            self.serve_reads(ctx);
            if caught_up
                && self.role == Role::Leader
                && self.membership.learners.contains(&from)
                && self.membership_index() <= self.commit_index
                && self.term_committed()
            {
                // The learner has caught up: make it a voter (§4.2.1).
                let next = self.membership.promote(from);
                ctx.announce(
                    FeedEvent::LearnerPromoted,
                    format!("S{from} has caught up; S{} promotes it to voter", self.id),
                );
                self.append_config(ctx, next);
            }
            if more {
                self.send_append(ctx, from, ReplicateTrigger::MoreToSend);
            } else {
                self.release_departed(ctx, from, round);
            }
        } else {
            // Fast backup (§5.3): skip the follower's whole conflicting term, or jump to its end.
            let next = match conflict_term.and_then(|t| self.log.last_index_of_term(t)) {
                Some(last_of_term) => last_of_term + 1,
                None => conflict_index,
            };
            p.next = next.max(p.matched + 1).max(1);
            p.outstanding = 0;
            self.send_append(ctx, from, ReplicateTrigger::Backup);
            self.serve_reads(ctx);
        }
    }

    /// Commits the highest index replicated on a majority whose entry is of the current term
    /// (§5.4.2: never by counting replicas of older-term entries). Terms never decrease along a
    /// log, so if the majority's highest index is of an older term, no lower index qualifies.
    pub(super) fn advance_commit(&mut self, ctx: &mut Ctx<'_>) {
        let n = self.quorum_value(self.log.last_index(), |p| p.matched);
        if n > self.commit_index && self.log.term_at(n) != Some(self.current_term) {
            self.announce_older_term_waits(ctx, n);
            return;
        }
        if n > self.commit_index {
            if self.log.configs_after(self.commit_index) > self.log.configs_after(n) {
                ctx.milestone(Milestone::ConfigurationCommitted);
            }
            self.commit_index = n;
            self.apply_committed(ctx);
            self.leave_if_removed(ctx);
            self.propose_deferred_change(ctx);
        }
    }

    /// Figure 8 (§5.4.2): entries up to `n` are on a majority but `n` is of an earlier term, so
    /// counting replicas may not commit it — a later leader could still overwrite it. The feed
    /// says so once per index, naming the rule.
    fn announce_older_term_waits(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        if n <= self.older_term_announced {
            return;
        }
        self.older_term_announced = n;
        let from = self.commit_index + 1;
        let entries = if from == n {
            format!("entry {n} is")
        } else {
            format!("entries {from}–{n} are")
        };
        let term = self.log.term_at(n).unwrap_or(0);
        ctx.announce(
            FeedEvent::OlderTermWaits,
            format!(
                "S{} leads term {}: {entries} stored on a majority yet not committed — entry {n} is of term {term}, and a leader commits by counting copies only entries of its own term (Figure 8, §5.4.2)",
                self.id, self.current_term
            ),
        );
    }

    /// The largest value a majority of voters has reached: the leader counts with `own` if it
    /// is a voter, each voting follower with `of(progress)`.
    pub(super) fn quorum_value(&self, own: u64, of: impl Fn(&Progress) -> u64) -> u64 {
        let own = self.membership.voters.contains(&self.id).then_some(own);
        let voting = self
            .peers
            .iter()
            .filter(|(id, _)| self.membership.voters.contains(id))
            .map(|(_, p)| of(p));
        quorum_service::reached_by(self.majority(), own.into_iter().chain(voting))
    }

    pub(super) fn apply_committed(&mut self, ctx: &mut Ctx<'_>) {
        self.apply_entries(ctx);
        self.maybe_snapshot(ctx);
        self.serve_reads(ctx);
    }

    pub(super) fn apply_entries(&mut self, ctx: &mut Ctx<'_>) {
        while self.last_applied < self.commit_index {
            self.last_applied += 1;
            let index = self.last_applied;
            let Some(entry) = self.log.get(index) else {
                break;
            };
            let Command::Kv(cmd) = &entry.command else {
                self.pending.remove(index);
                continue;
            };
            let cmd = cmd.clone();
            let result = self.kv.apply(&cmd);
            if let Some(p) = self.pending.remove(index) {
                if let (Some(result), true) = (result, p.session == cmd.session && p.seq == cmd.seq)
                {
                    ctx.reply_to_client(
                        p.reply_to,
                        p.session,
                        p.seq,
                        ReplyOutcome::Done { result },
                        ServiceWhy::Applied { index },
                    );
                }
            }
        }
    }

    /// Takes a snapshot and compacts the log once `snapshot_every` entries were applied since
    /// the last one (§7).
    pub(super) fn maybe_snapshot(&mut self, ctx: &Ctx<'_>) {
        let every = ctx.config.options.snapshot_every;
        if every == 0 || self.last_applied < self.log.snapshot_index() + every {
            return;
        }
        self.take_snapshot();
    }

    /// Snapshots the state machine at the applied index and discards the log up to it.
    pub fn take_snapshot(&mut self) {
        let index = self.last_applied;
        if index <= self.log.snapshot_index() {
            return;
        }
        let (Some(term), Some(digest)) = (self.log.term_at(index), self.log.prefix_digest(index))
        else {
            return;
        };
        let config = self.config_as_of(index).clone();
        self.snapshot = Some(Arc::new(Snapshot {
            index,
            term,
            digest,
            kv: self.kv.clone(),
            config,
        }));
        self.log.compact_to(index);
    }

    /// §7: a follower too far behind installs the leader's snapshot.
    pub(super) fn on_install_snapshot(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        install: InstallSnapshot,
    ) {
        let InstallSnapshot {
            term,
            snapshot: snap,
            round,
        } = install;
        self.observe_term(ctx, term);
        if term < self.current_term {
            self.answer_leader(ctx, from, round, LeaderAnswer::StaleTerm);
            return;
        }
        self.accept_leader(ctx, from);
        let installed = snap.index > self.commit_index;
        if installed {
            ctx.announce(
                FeedEvent::SnapshotInstalled,
                format!(
                    "S{} installed S{from}'s snapshot up to index {} (term {})",
                    self.id, snap.index, snap.term
                ),
            );
            self.log
                .install_snapshot(snap.index, snap.term, snap.digest);
            self.kv = snap.kv.clone();
            self.last_applied = snap.index;
            self.commit_index = snap.index;
            self.snapshot = Some(snap.clone());
            self.refresh_membership();
        }
        let up_to = snap.index;
        self.answer_leader(
            ctx,
            from,
            round,
            LeaderAnswer::Snapshot { up_to, installed },
        );
    }
}
