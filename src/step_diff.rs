//! What changed: after a step, a skip, or over the stretch the run just played, the fields,
//! log cells and key-value entries that differ from before, so the page can mark them (Raft
//! Explorer's highlight, for every panel at once). Pure: a [`Snapshot`] of what the panels
//! show, and the [`StepDiff`] between two of them.

use std::collections::{BTreeMap, BTreeSet};

use quorum_cluster::view::View;
use quorum_core::NodeId;

/// A server field the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// Up or crashed.
    Up,
    /// Role.
    Role,
    /// Term (ballot round).
    Term,
    /// Whom it voted for.
    VotedFor,
    /// The leader it follows.
    Leader,
    /// Commit index (chosen prefix).
    CommitIndex,
    /// Applied index.
    AppliedIndex,
    /// The ballot promised (Multi-Paxos).
    Promised,
}

impl Field {
    /// How the page names it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Up => "up",
            Field::Role => "role",
            Field::Term => "term",
            Field::VotedFor => "voted for",
            Field::Leader => "leader",
            Field::CommitIndex => "commit index",
            Field::AppliedIndex => "applied index",
            Field::Promised => "promised",
        }
    }
}

/// One server as the panels show it.
#[derive(Clone, Debug, PartialEq)]
struct ServerShown {
    fields: BTreeMap<Field, String>,
    /// Log cells by index: term, label, committed.
    log: BTreeMap<u64, (u64, String, bool)>,
    kv: BTreeMap<String, i64>,
}

/// What the panels show at an instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    servers: BTreeMap<NodeId, ServerShown>,
}

impl Snapshot {
    /// The snapshot of `view`.
    pub fn of(view: &View) -> Snapshot {
        let servers = view
            .nodes
            .iter()
            .map(|n| {
                let mut fields = BTreeMap::new();
                fields.insert(Field::Up, n.up.to_string());
                fields.insert(Field::Role, n.role_label.clone());
                fields.insert(Field::Term, n.term.to_string());
                fields.insert(Field::VotedFor, format!("{:?}", n.voted_for));
                fields.insert(Field::Leader, format!("{:?}", n.leader));
                fields.insert(Field::CommitIndex, n.commit_index.to_string());
                fields.insert(Field::AppliedIndex, n.applied_index.to_string());
                if let Some(p) = &n.paxos {
                    fields.insert(Field::Promised, p.promised.clone());
                }
                let log = n
                    .log
                    .iter()
                    .map(|e| (e.index, (e.term, e.label.clone(), e.committed)))
                    .collect();
                let kv = n.kv.iter().cloned().collect();
                (n.id, ServerShown { fields, log, kv })
            })
            .collect();
        Snapshot { servers }
    }
}

/// What differs between two snapshots.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepDiff {
    /// Changed fields, per server.
    pub fields: BTreeSet<(NodeId, Field)>,
    /// Log cells (server, index) new or changed (term, command, or committed).
    pub cells: BTreeSet<(NodeId, u64)>,
    /// Key-value entries (server, key) new, changed or gone.
    pub kv: BTreeSet<(NodeId, String)>,
}

impl StepDiff {
    /// What changed from `before` to `after`.
    pub fn between(before: &Snapshot, after: &Snapshot) -> StepDiff {
        let mut diff = StepDiff::default();
        for (id, now) in &after.servers {
            let Some(was) = before.servers.get(id) else {
                // A server that joined: everything about it is new.
                diff.fields.extend(now.fields.keys().map(|f| (*id, *f)));
                continue;
            };
            for (field, value) in &now.fields {
                if was.fields.get(field) != Some(value) {
                    diff.fields.insert((*id, *field));
                }
            }
            for (index, cell) in &now.log {
                if was.log.get(index) != Some(cell) {
                    diff.cells.insert((*id, *index));
                }
            }
            let keys: BTreeSet<&String> = was.kv.keys().chain(now.kv.keys()).collect();
            for key in keys {
                if was.kv.get(key) != now.kv.get(key) {
                    diff.kv.insert((*id, key.clone()));
                }
            }
        }
        diff
    }

    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.cells.is_empty() && self.kv.is_empty()
    }

    /// Whether `field` of server `id` changed.
    pub fn field(&self, id: NodeId, field: Field) -> bool {
        self.fields.contains(&(id, field))
    }

    /// In a few words, for a status line: how many fields, cells and entries changed.
    pub fn counts(&self) -> String {
        if self.is_empty() {
            return "Δ nothing changed".into();
        }
        let mut parts = Vec::new();
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !self.fields.is_empty() {
            parts.push(plural(self.fields.len(), "field", "fields"));
        }
        if !self.cells.is_empty() {
            parts.push(plural(self.cells.len(), "log cell", "log cells"));
        }
        if !self.kv.is_empty() {
            parts.push(plural(self.kv.len(), "entry", "entries"));
        }
        format!("Δ {} changed", parts.join(" · "))
    }

    /// In a sentence, for the page and screen readers.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "Nothing changed.".into();
        }
        let fields: Vec<String> = self
            .fields
            .iter()
            .take(6)
            .map(|(id, f)| format!("S{id} {}", f.label()))
            .collect();
        let more = self.fields.len().saturating_sub(fields.len());
        let mut parts = Vec::new();
        if !fields.is_empty() {
            parts.push(format!(
                "{}{}",
                fields.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !self.cells.is_empty() {
            parts.push(plural(self.cells.len(), "log cell", "log cells"));
        }
        if !self.kv.is_empty() {
            parts.push(plural(
                self.kv.len(),
                "key-value entry",
                "key-value entries",
            ));
        }
        format!("Changed: {}.", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_cluster::{Action, ClusterConfig, Sim};
    use quorum_core::time::{MS, SECOND};
    use quorum_traffic::client::WorkloadConfig;

    fn sim() -> Sim {
        let workload = WorkloadConfig {
            clients: 2,
            rate: 20.0,
            balancer: Some(Default::default()),
            ..Default::default()
        };
        Sim::new(ClusterConfig::default(), workload).expect("valid")
    }

    /// Stepping event by event, the diff names exactly the commit indexes that moved, the log
    /// cells that appeared or committed, and the key-value entries applied (§5.3).
    #[test]
    fn a_step_that_commits_marks_the_commit_index_and_the_cells_it_committed_section_5_3() {
        let mut s = sim();
        s.advance_to(2 * SECOND);
        let mut commits = 0;
        for _ in 0..3_000 {
            let before = s.view();
            s.step();
            let after = s.view();
            let diff = StepDiff::between(&Snapshot::of(&before), &Snapshot::of(&after));
            for (b, a) in before.nodes.iter().zip(&after.nodes) {
                assert_eq!(
                    diff.field(a.id, Field::CommitIndex),
                    b.commit_index != a.commit_index
                );
                assert_eq!(diff.field(a.id, Field::Term), b.term != a.term);
                if a.commit_index > b.commit_index {
                    commits += 1;
                    let newly: Vec<u64> = a
                        .log
                        .iter()
                        .filter(|e| e.committed && e.index > b.commit_index)
                        .map(|e| e.index)
                        .collect();
                    assert!(newly.iter().all(|i| diff.cells.contains(&(a.id, *i))));
                }
            }
        }
        assert!(commits > 10, "{commits} commits seen");
    }

    /// A crash changes the crashed server's state; an unchanged stretch says nothing changed.
    #[test]
    fn a_crash_marks_the_server_and_nothing_else_is_nothing_changed() {
        let mut s = Sim::new(ClusterConfig::default(), WorkloadConfig::default()).expect("valid");
        s.advance_to(3 * SECOND);
        let before = Snapshot::of(&s.view());
        assert!(StepDiff::between(&before, &before).is_empty());
        assert_eq!(
            StepDiff::between(&before, &before).summary(),
            "Nothing changed."
        );
        s.apply(Action::Crash {
            node: quorum_cluster::action::NodeRef::Id(2),
        })
        .expect("valid");
        s.advance_to(3 * SECOND + MS);
        let diff = StepDiff::between(&before, &Snapshot::of(&s.view()));
        assert!(diff.field(2, Field::Up));
        assert!(diff.summary().contains("S2 up"), "{}", diff.summary());
        assert!(
            diff.counts().starts_with("Δ ") && diff.counts().contains("field"),
            "{}",
            diff.counts()
        );
    }
}
