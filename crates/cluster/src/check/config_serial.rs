//! Configuration changes never overlap: a server's log holds at most one configuration entry
//! beyond what the cluster has committed (dissertation §4.1: a leader starts a change only once
//! the previous one is committed, which keeps old and new majorities overlapping).

use super::{CommittedPrefix, Invariant, Observed};

#[derive(Clone, Debug, Default)]
pub(super) struct ConfigSerial;

impl Invariant for ConfigSerial {
    fn name(&self) -> &'static str {
        "One configuration change at a time"
    }
    fn source(&self) -> &'static str {
        "Ongaro's dissertation, §4.1 (single-server changes)"
    }
    fn check(&mut self, node: &Observed<'_>, committed: &CommittedPrefix) -> Option<String> {
        let pending = node
            .reconfigurable
            .map_or(0, |r| r.config_entries_after(committed.len()));
        (pending > 1).then(|| {
            format!(
                "{} holds {pending} uncommitted configuration entries; a new change must wait until the previous one commits.",
                node.label()
            )
        })
    }
}
