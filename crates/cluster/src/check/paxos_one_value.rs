//! At most one value is chosen per slot — Paxos's safety property (Paxos.tla `Consistency`;
//! "Paxos Made Simple" §2.1: "only a single value is chosen"). Two different values reaching a
//! majority in one slot, in any two ballots, is a violation.

use super::paxos_chosen::ChosenSlots;
use super::paxos_facts::PaxosFacts;
use super::{Observed, PaxosInvariant};

#[derive(Clone, Debug, Default)]
pub(super) struct OneValuePerSlot;

impl PaxosInvariant for OneValuePerSlot {
    fn name(&self) -> &'static str {
        "At most one value chosen per slot"
    }
    fn source(&self) -> &'static str {
        "Paxos.tla, Consistency; Paxos Made Simple §2.1"
    }
    fn check(
        &mut self,
        node: &Observed<'_>,
        _: &PaxosFacts,
        chosen: &ChosenSlots,
    ) -> Option<String> {
        chosen.fresh.iter().find_map(|c| match c.earlier {
            Some((ballot, digest)) if digest != c.digest => Some(format!(
                "slot {} was chosen twice with different values: in ballot {ballot} and, after {}'s vote, in ballot {}.",
                c.slot,
                node.label(),
                c.ballot
            )),
            _ => None,
        })
    }
}
