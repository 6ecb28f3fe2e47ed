//! An acceptor's promise never decreases, and it never accepts in a ballot below its promise
//! (Paxos.tla, `Phase1b` and `Phase2b` guards `maxBal[a] < b` / `maxBal[a] \leq b`; "Paxos Made
//! Simple" P1a). The promise is persistent, so this holds across crashes too.

use super::paxos_chosen::ChosenSlots;
use super::paxos_facts::PaxosFacts;
use super::{Observed, PaxosInvariant, PerNode};
use quorum_paxos::Ballot;

#[derive(Clone, Debug, Default)]
pub(super) struct PromiseMonotonic {
    last: PerNode<Ballot>,
}

impl PaxosInvariant for PromiseMonotonic {
    fn name(&self) -> &'static str {
        "Promises never decrease; no accept below the promise"
    }
    fn source(&self) -> &'static str {
        "Paxos.tla, Phase1b/Phase2b (maxBal); Paxos Made Simple P1a"
    }
    fn check(
        &mut self,
        node: &Observed<'_>,
        facts: &PaxosFacts,
        _: &ChosenSlots,
    ) -> Option<String> {
        let before = std::mem::replace(self.last.entry(node.id), facts.promised);
        if facts.promised < before {
            return Some(format!(
                "{}'s promise went back from {before} to {}.",
                node.label(),
                facts.promised
            ));
        }
        facts
            .accepted
            .iter()
            .find(|(_, ballot, _)| *ballot < before || *ballot > facts.promised)
            .map(|(slot, ballot, _)| {
                format!(
                    "{} accepted slot {slot} in ballot {ballot} although it had promised {before}.",
                    node.label()
                )
            })
    }
}
