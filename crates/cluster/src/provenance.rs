//! Where a server's state came from: for each field the inspector shows (term, role, vote,
//! leader, commit and applied index), the event that last changed it — a message handled (with
//! the reason its sender gave), a timer, a restart or a person's action. Kept for every server
//! always (a few words each), so "why is this 3?" has an answer however long ago it changed.

use std::sync::Arc;

use serde::Serialize;

use crate::message::{Addr, MessageKind, MsgId};
use crate::server::ServerNode;
use crate::why::Cause;
use quorum_core::time::Time;
use quorum_core::NodeId;
use quorum_service::{Replica, Role, TimerKind};

/// A field whose origin is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackedField {
    /// Term (ballot round).
    Term,
    /// Role.
    Role,
    /// The vote cast in the current term (Raft).
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

impl TrackedField {
    /// Every tracked field.
    pub const ALL: [TrackedField; FIELDS] = [
        TrackedField::Term,
        TrackedField::Role,
        TrackedField::VotedFor,
        TrackedField::Leader,
        TrackedField::CommitIndex,
        TrackedField::AppliedIndex,
        TrackedField::Promised,
    ];
}

/// How many fields are tracked.
const FIELDS: usize = 7;

/// What ran when a field changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Trigger {
    /// A message was handled.
    Message {
        /// Which.
        id: MsgId,
        /// From whom.
        from: Addr,
        /// Its kind.
        kind: MessageKind,
        /// Why its sender sent it.
        why: Cause,
    },
    /// One of the server's timers fired.
    Timer {
        /// Which.
        timer: TimerKind,
    },
    /// The server booted (at the start or after a restart).
    Boot,
    /// A person acted (a forced timeout, a request sent by hand, a membership change).
    Action,
}

/// When and by what a field last changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Origin {
    /// When.
    pub at: Time,
    /// The value it changed from, as [`Origin::describe_value`] words it.
    pub from: u64,
    /// What ran.
    pub trigger: Trigger,
}

impl Origin {
    /// A tracked value in words: roles by name, servers as `S2` (— for none), numbers as they are.
    pub fn describe_value(field: TrackedField, value: u64) -> String {
        match field {
            TrackedField::Role => match value {
                0 => "follower",
                1 => "pre-candidate",
                2 => "candidate",
                _ => "leader",
            }
            .to_string(),
            TrackedField::VotedFor | TrackedField::Leader if value == 0 => "—".to_string(),
            TrackedField::VotedFor | TrackedField::Leader => format!("S{value}"),
            TrackedField::Promised => format!("{}.{}", value >> 8, value & 0xff),
            _ => value.to_string(),
        }
    }
}

/// The tracked fields' values as numbers (cheap to read after every event).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Values([u64; FIELDS]);

impl Values {
    /// Reads them off a server.
    pub(crate) fn of(node: &ServerNode) -> Values {
        let who = |n: Option<NodeId>| n.map_or(0, u64::from);
        let role = match node.role() {
            Role::Follower => 0,
            Role::PreCandidate => 1,
            Role::Candidate => 2,
            Role::Leader => 3,
        };
        Values([
            node.term(),
            role,
            who(node.as_raft().and_then(|r| r.voted_for())),
            who(node.leader()),
            node.commit_index(),
            node.applied_index(),
            node.as_paxos().map_or(0, |p| {
                let b = p.promised();
                (b.round << 8) | u64::from(b.node)
            }),
        ])
    }
}

/// The event that changed some fields: one per event, shared by the fields it changed and
/// by the timeline's checkpoints.
#[derive(Clone, Debug, PartialEq)]
struct Change {
    at: Time,
    trigger: Trigger,
}

/// One server's origins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provenance {
    changes: [Option<Arc<Change>>; FIELDS],
    /// Each field's value before its last change.
    from: [u64; FIELDS],
}

impl Provenance {
    /// The origin of `field`'s current value, if it changed since the server started.
    pub fn origin(&self, field: TrackedField) -> Option<Origin> {
        let i = field as usize;
        self.changes[i].as_ref().map(|c| Origin {
            at: c.at,
            from: self.from[i],
            trigger: c.trigger.clone(),
        })
    }

    /// Records what changed between `before` and `after` at `at`, made by `trigger` (called
    /// only when something changed).
    pub(crate) fn record(
        &mut self,
        before: Values,
        after: Values,
        at: Time,
        trigger: impl FnOnce() -> Trigger,
    ) {
        if before == after {
            return;
        }
        let change = Change {
            at,
            trigger: trigger(),
        };
        // The record the changed fields held, rewritten in place when nothing else holds it
        // (no unchanged field, no checkpoint): followers change their commit and applied index
        // together on most appends, and a new record each time cost an allocation per event.
        let mut previous: Option<Arc<Change>> = None;
        for (i, (b, a)) in before.0.iter().zip(after.0).enumerate() {
            if *b != a {
                let held = self.changes[i].take();
                if previous.is_none() {
                    previous = held;
                }
            }
        }
        let shared = match previous {
            Some(mut record) => match Arc::get_mut(&mut record) {
                Some(only) => {
                    *only = change;
                    record
                }
                None => Arc::new(change),
            },
            None => Arc::new(change),
        };
        for (i, (b, a)) in before.0.iter().zip(after.0).enumerate() {
            if *b != a {
                self.changes[i] = Some(shared.clone());
                self.from[i] = *b;
            }
        }
    }
}

/// Where a key's current value on a server came from: the agreed command that wrote it.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyOrigin {
    /// Written by this command, agreed at `index` (a log index or a slot).
    Written {
        /// Where it was agreed.
        index: u64,
        /// The term (Raft) it was written in, if known.
        term: Option<u64>,
        /// The command.
        command: quorum_service::kv::ClientCommand,
    },
    /// Written before the part of the log still kept (a snapshot, or further back than looked).
    Earlier {
        /// The lowest index looked at.
        before: u64,
    },
}

/// How far back a key's writer is looked for.
const KEY_LOOKBACK: u64 = 10_000;

/// The command that wrote `key`'s current value (`current`, `None` when absent) on `node`:
/// the latest applied write that could have produced it. Walking back, a write that does not
/// match the current value is a compare-and-set that failed, so it is passed over.
pub fn key_origin(node: &ServerNode, key: &str, current: Option<i64>) -> KeyOrigin {
    use quorum_service::kv::KvOp;
    let produced = |op: &KvOp| match op {
        KvOp::Put { key: k, value } => k == key && current == Some(*value),
        KvOp::Delete { key: k } => k == key && current.is_none(),
        KvOp::Cas { key: k, to, .. } => k == key && current == Some(*to),
        KvOp::Get { .. } => false,
    };
    let applied = node.applied_index();
    let floor = applied.saturating_sub(KEY_LOOKBACK);
    if let Some(raft) = node.as_raft() {
        let log = raft.log();
        let start = floor.max(log.snapshot_index());
        for index in (start + 1..=applied).rev() {
            if let Some(entry) = log.get(index) {
                if let quorum_raft::Command::Kv(cmd) = &entry.command {
                    if produced(&cmd.op) {
                        return KeyOrigin::Written {
                            index,
                            term: Some(entry.term),
                            command: (**cmd).clone(),
                        };
                    }
                }
            }
        }
        return KeyOrigin::Earlier { before: start + 1 };
    }
    if let Some(paxos) = node.as_paxos() {
        let start = floor.max(paxos.snapshot_slot());
        for slot in (start + 1..=applied).rev() {
            if let Some(quorum_paxos::SlotValue::Kv { command }) = paxos.chosen_at(slot) {
                if produced(&command.op) {
                    return KeyOrigin::Written {
                        index: slot,
                        term: None,
                        command: (**command).clone(),
                    };
                }
            }
        }
        return KeyOrigin::Earlier { before: start + 1 };
    }
    KeyOrigin::Earlier { before: floor + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values with term, commit and applied index as given (the other fields 0).
    fn values(term: u64, commit: u64, applied: u64) -> Values {
        Values([term, 0, 0, 0, commit, applied, 0])
    }

    #[test]
    fn a_record_rewritten_in_place_never_changes_an_origin_still_shown() {
        let mut p = Provenance::default();
        // Term, commit and applied change together at 10: they share one record.
        p.record(values(0, 0, 0), values(1, 1, 1), 10, || Trigger::Boot);
        let checkpoint = p.clone();
        // Commit and applied change at 20; the term still shows the change at 10.
        p.record(values(1, 1, 1), values(1, 2, 2), 20, || Trigger::Action);
        let term = p.origin(TrackedField::Term).expect("changed at 10");
        assert_eq!((term.at, term.trigger), (10, Trigger::Boot));
        // Only commit and applied hold the record from 20: the next change may reuse it.
        p.record(values(1, 2, 2), values(1, 3, 3), 30, || Trigger::Boot);
        let commit = p.origin(TrackedField::CommitIndex).expect("changed at 30");
        assert_eq!((commit.at, commit.from), (30, 2));
        assert_eq!(p.origin(TrackedField::Term).map(|o| o.at), Some(10));
        // A checkpoint taken before keeps what it saw.
        let then = checkpoint
            .origin(TrackedField::AppliedIndex)
            .expect("changed at 10");
        assert_eq!((then.at, then.from, then.trigger), (10, 0, Trigger::Boot));
    }
}
