//! Cluster membership (dissertation §4.1, single-server changes). The configuration is itself a
//! log entry and takes effect as soon as a server appends it, committed or not. Changing one
//! server at a time keeps every majority of the old configuration overlapping every majority of
//! the new one, so no two leaders can be elected in one term. A new server first joins as a
//! learner — it receives the log but neither votes nor counts — and is promoted once it has
//! caught up; a change is refused while another is still uncommitted.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use quorum_core::NodeId;

/// Who is in the cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Membership {
    /// Servers that vote and count towards majorities.
    pub voters: BTreeSet<NodeId>,
    /// Servers that receive the log but do not vote (catching up before promotion).
    pub learners: BTreeSet<NodeId>,
}

/// A change an administrator asks the leader for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MembershipChange {
    /// Add a new server as a learner (promoted to voter once caught up).
    Add(NodeId),
    /// Remove a server (voter or learner).
    Remove(NodeId),
}

impl MembershipChange {
    /// "add S4" / "remove S3", for notes.
    pub fn describe(self) -> String {
        match self {
            MembershipChange::Add(id) => format!("add S{id}"),
            MembershipChange::Remove(id) => format!("remove S{id}"),
        }
    }
}

impl Membership {
    /// The configuration of a freshly started cluster: these voters, no learners.
    pub fn of_voters(voters: impl IntoIterator<Item = NodeId>) -> Self {
        Membership {
            voters: voters.into_iter().collect(),
            learners: BTreeSet::new(),
        }
    }

    /// Votes needed for a majority of the voters.
    pub fn majority(&self) -> usize {
        quorum_service::majority(self.voters.len())
    }

    /// True for voters and learners.
    pub fn contains(&self, id: NodeId) -> bool {
        self.voters.contains(&id) || self.learners.contains(&id)
    }

    /// Everyone who receives the log.
    pub fn members(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.voters.iter().chain(self.learners.iter()).copied()
    }

    /// The configuration after `change`, or why it cannot be made.
    pub fn apply(&self, change: MembershipChange) -> Result<Membership, String> {
        let mut next = self.clone();
        match change {
            MembershipChange::Add(id) => {
                if self.contains(id) {
                    return Err(format!("S{id} is already a member"));
                }
                next.learners.insert(id);
            }
            MembershipChange::Remove(id) => {
                if !self.contains(id) {
                    return Err(format!("S{id} is not a member"));
                }
                if self.voters.contains(&id) && self.voters.len() == 1 {
                    return Err("the last voter cannot be removed".into());
                }
                next.voters.remove(&id);
                next.learners.remove(&id);
            }
        }
        Ok(next)
    }

    /// The configuration with `id` promoted from learner to voter.
    pub fn promote(&self, id: NodeId) -> Membership {
        let mut next = self.clone();
        if next.learners.remove(&id) {
            next.voters.insert(id);
        }
        next
    }

    /// A short description, e.g. `voters S1, S2, S3; learners S4`.
    pub fn describe(&self) -> String {
        let list = |s: &BTreeSet<NodeId>| {
            s.iter()
                .map(|n| format!("S{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.learners.is_empty() {
            format!("voters {}", list(&self.voters))
        } else {
            format!(
                "voters {}; learners {}",
                list(&self.voters),
                list(&self.learners)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_add_learners_remove_members_and_refuse_nonsense() {
        let m = Membership::of_voters([1, 2, 3]);
        assert_eq!(m.majority(), 2);
        let grown = m.apply(MembershipChange::Add(4)).unwrap();
        assert!(grown.learners.contains(&4) && !grown.voters.contains(&4));
        assert_eq!(grown.majority(), 2, "learners do not count");
        let promoted = grown.promote(4);
        assert_eq!(promoted.majority(), 3);
        assert!(m.apply(MembershipChange::Add(2)).is_err());
        assert!(m.apply(MembershipChange::Remove(9)).is_err());
        let one = Membership::of_voters([1]);
        assert!(one.apply(MembershipChange::Remove(1)).is_err());
        assert_eq!(promoted.describe(), "voters S1, S2, S3, S4");
        assert_eq!(grown.describe(), "voters S1, S2, S3; learners S4");
    }
}
