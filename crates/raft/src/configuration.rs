//! The configuration in force and single-server membership changes (dissertation §4.1).

use super::why::ReplicateTrigger;
use super::*;

impl RaftNode {
    /// Votes needed to win, or replicas to commit: a majority of the voters in force.
    pub(super) fn majority(&self) -> usize {
        self.membership.majority()
    }

    /// Everyone else who should receive the log (voters and learners).
    pub(super) fn others(&self) -> Vec<NodeId> {
        self.membership
            .members()
            .filter(|&n| n != self.id)
            .collect()
    }

    /// The other voters (whom to ask for votes).
    pub(super) fn other_voters(&self) -> Vec<NodeId> {
        self.membership
            .voters
            .iter()
            .copied()
            .filter(|&n| n != self.id)
            .collect()
    }

    /// Votes received from voters (a vote from a server that is not a voter does not count).
    pub(super) fn vote_count(&self) -> usize {
        self.votes
            .iter()
            .filter(|v| self.membership.voters.contains(v))
            .count()
    }

    /// The configuration in force and the index of the entry that set it (0: initial/snapshot).
    pub(super) fn membership_index(&self) -> u64 {
        self.log
            .config_at(u64::MAX)
            .map(|(i, _)| i)
            .unwrap_or_else(|| self.log.snapshot_index())
    }

    /// The configuration in force at log position `index`: the last configuration entry at or
    /// before it, else the snapshot's, else the initial one.
    pub(super) fn config_as_of(&self, index: u64) -> &Membership {
        match self.log.config_at(index) {
            Some((_, m)) => m,
            None => self.snapshot.as_ref().map_or(&self.initial, |s| &s.config),
        }
    }

    /// Re-derives the configuration in force from the log, the snapshot and the initial one;
    /// a leader starts or stops replicating to servers that joined or left. Called on every
    /// append, so it copies the configuration only when it changed.
    pub(super) fn refresh_membership(&mut self) {
        let next = self.config_as_of(u64::MAX);
        if *next == self.membership {
            return;
        }
        self.membership = next.clone();
        if self.role == Role::Leader {
            let next_index = self.log.last_index() + 1;
            let since = self.leader_since;
            let members: Vec<NodeId> = self.others();
            // Servers the new configuration removes keep receiving heartbeats until they know
            // their removal is committed: otherwise a removed server, never told, would keep
            // starting elections (§4.2.2 lets it) and disrupt the cluster (§4.2.3).
            let removed_at = self.membership_index();
            for p in self.peers.keys() {
                if !members.contains(p) {
                    self.departing.entry(*p).or_insert(Departing {
                        removed_at,
                        told_in_round: None,
                    });
                }
            }
            self.departing.retain(|p, _| !members.contains(p));
            let departing = &self.departing;
            self.peers
                .retain(|p, _| members.contains(p) || departing.contains_key(p));
            for m in members {
                self.peers.entry(m).or_insert(Progress {
                    next: next_index,
                    last_ack: since,
                    ..Progress::default()
                });
            }
        }
    }

    /// New leader: servers an earlier configuration held and the one in force does not may not
    /// know they were removed (their leader may have failed before telling them): tell them.
    pub(super) fn track_former_members(&mut self) {
        let mut former: BTreeSet<NodeId> = self.initial.members().collect();
        if let Some(s) = &self.snapshot {
            former.extend(s.config.members());
        }
        for m in self.log.configs() {
            former.extend(m.members());
        }
        let removed_at = self.membership_index();
        let (next, since) = (self.log.last_index() + 1, self.leader_since);
        for f in former {
            if f == self.id || self.membership.contains(f) {
                continue;
            }
            self.departing.insert(
                f,
                Departing {
                    removed_at,
                    told_in_round: None,
                },
            );
            self.peers.insert(
                f,
                Progress {
                    next,
                    last_ack: since,
                    ..Progress::default()
                },
            );
        }
    }

    /// A server outside the configuration in force: its vote does not count here, so its terms
    /// must not disrupt a cluster that hears its leader (§4.2.3).
    pub(super) fn is_outsider(&self, id: NodeId) -> bool {
        !self.membership.contains(id)
    }

    /// Leader: the peers to send AppendEntries to — the members, and removed servers not yet
    /// told that their removal is committed.
    pub(super) fn replication_targets(&self) -> Vec<NodeId> {
        let mut targets = self.others();
        targets.extend(self.departing.keys().copied());
        targets
    }

    /// Leader: a removed server answered. Once it holds its removal and has answered a
    /// heartbeat that carried a commit index covering it, it knows it is out: stop sending.
    pub(super) fn release_departed(&mut self, ctx: &mut Ctx<'_>, peer: NodeId, round: u64) {
        let Some(d) = self.departing.get(&peer).copied() else {
            return;
        };
        let matched = self.peers.get(&peer).map_or(0, |p| p.matched);
        if d.told_in_round.is_some_and(|r| round >= r) && matched >= d.removed_at {
            self.departing.remove(&peer);
            self.peers.remove(&peer);
            ctx.note(format!(
                "S{peer} knows its removal is committed; S{} stops sending to it",
                self.id
            ));
        }
    }

    /// Leader: marks the heartbeat round in which removed servers are told a commit index
    /// covering their removal.
    pub(super) fn tell_departing(&mut self) {
        let (commit, round) = (self.commit_index, self.reads.round);
        for d in self.departing.values_mut() {
            if d.told_in_round.is_none() && commit >= d.removed_at {
                d.told_in_round = Some(round);
            }
        }
    }

    /// Whether this server may start elections: voters may; learners never; a server removed
    /// by a configuration entry it does not know to be committed may too (dissertation §4.2.2:
    /// "a server that is not part of its own latest configuration should still start new
    /// elections, as it might still be needed until the Cnew entry is committed"). If the leader
    /// that appended the entry failed, the server with the longest log may be one that entry
    /// removes, and only it can then win and finish the change (it leads without counting
    /// itself); kept silent, the cluster could wait for it forever. A server that really is gone
    /// is kept from disrupting the cluster by PreVote and by CheckQuorum's refusal to vote while a
    /// leader is heard (§4.2.3).
    pub(super) fn may_campaign(&self) -> bool {
        let me = self.id;
        self.membership.voters.contains(&me)
            || (!self.membership.learners.contains(&me)
                && self.membership_index() > self.commit_index)
    }

    /// The configuration in force.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// Asks this server, as leader, to change the configuration by one server. Refused (with
    /// the reason) when it is not the leader or another change is not committed yet.
    ///
    /// Ongaro's correction to §4.1 (raft-dev, 2015): a leader appends a configuration entry only
    /// once an entry of its own term is committed, so the change waits until then (with no-op on
    /// election off the leader appends a no-op so there is such an entry). Otherwise a
    /// configuration appended by a failed earlier leader — uncommitted, yet in force on the
    /// servers that have it — can still win an election with a majority of *its* voters that
    /// does not overlap the new configuration's, and overwrite what the new one committed.
    pub fn propose_membership(
        &mut self,
        ctx: &mut Ctx<'_>,
        change: MembershipChange,
    ) -> Result<(), String> {
        if self.role != Role::Leader {
            return Err(format!("S{} is not the leader", self.id));
        }
        let pending = self.membership_index();
        if pending > self.commit_index {
            return Err(format!(
                "a configuration change (entry {pending}) is not committed yet; one change at a time"
            ));
        }
        if let Some(waiting) = self.deferred_change {
            return Err(format!(
                "the change {} is still waiting for an entry of term {} to commit; one change at a time",
                waiting.describe(),
                self.current_term
            ));
        }
        let next = self.membership.apply(change)?;
        if !self.term_committed() {
            self.deferred_change = Some(change);
            ctx.note(format!(
                "S{} will propose the configuration {} once an entry of its term {} is committed",
                self.id,
                next.describe(),
                self.current_term
            ));
            self.ensure_entry_of_term(ctx);
            self.send_to_idle_peers(ctx);
            return Ok(());
        }
        ctx.note(format!(
            "S{} proposes the configuration {}",
            self.id,
            next.describe()
        ));
        self.append_config(ctx, next);
        Ok(())
    }

    /// Proposes the change that waited for an entry of this term to commit, once one has.
    pub(super) fn propose_deferred_change(&mut self, ctx: &mut Ctx<'_>) {
        if self.role != Role::Leader || !self.term_committed() {
            return;
        }
        let Some(change) = self.deferred_change.take() else {
            return;
        };
        if let Err(why) = self.propose_membership(ctx, change) {
            ctx.note(format!(
                "S{} dropped the change {}: {why}",
                self.id,
                change.describe()
            ));
        }
    }

    pub(super) fn append_config(&mut self, ctx: &mut Ctx<'_>, next: Membership) {
        self.log.append(Entry {
            term: self.current_term,
            command: Command::Config(Arc::new(next)),
        });
        self.refresh_membership();
        self.advance_commit(ctx);
        self.send_to_idle_peers(ctx);
    }

    /// Sends the new end of the log to every peer not already waiting on a batch.
    fn send_to_idle_peers(&mut self, ctx: &mut Ctx<'_>) {
        for peer in self.others() {
            if self.peers.get(&peer).is_some_and(|p| p.outstanding == 0) {
                self.send_append(ctx, peer, ReplicateTrigger::NewEntry);
            }
        }
    }

    /// A leader that removed itself leads until that configuration commits, then steps down
    /// (dissertation §4.2.2).
    pub(super) fn leave_if_removed(&mut self, ctx: &mut Ctx<'_>) {
        if self.role == Role::Leader
            && !self.membership.voters.contains(&self.id)
            && self.membership_index() <= self.commit_index
        {
            ctx.note(format!(
                "S{} committed a configuration without itself and steps down",
                self.id
            ));
            self.leader = None;
            self.become_follower(ctx);
        }
    }
}
