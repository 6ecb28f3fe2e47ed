//! Every chosen value was proposed: a majority can only vote for what some proposer sent in
//! phase 2a for that slot and ballot (Paxos.tla, `Phase2b` accepts only values of a "2a"
//! message; "Paxos Made Simple" §2.1, nontriviality: "only a value that has been proposed may be
//! chosen").

use super::paxos_chosen::ChosenSlots;
use super::paxos_facts::PaxosFacts;
use super::{Observed, PaxosInvariant};

#[derive(Clone, Debug, Default)]
pub(super) struct ChosenWasProposed;

impl PaxosInvariant for ChosenWasProposed {
    fn name(&self) -> &'static str {
        "Chosen values were proposed"
    }
    fn source(&self) -> &'static str {
        "Paxos.tla, Phase2b; Paxos Made Simple §2.1 (nontriviality)"
    }
    fn check(
        &mut self,
        node: &Observed<'_>,
        _: &PaxosFacts,
        chosen: &ChosenSlots,
    ) -> Option<String> {
        chosen
            .fresh
            .iter()
            .find(|c| !chosen.was_proposed(c.slot, c.ballot, c.digest))
            .map(|c| {
                format!(
                    "slot {} became chosen in ballot {} (with {}'s vote) for a value no proposer sent in that ballot.",
                    c.slot,
                    c.ballot,
                    node.label()
                )
            })
    }
}
