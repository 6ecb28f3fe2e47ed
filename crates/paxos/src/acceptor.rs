//! The acceptor, the memory of Paxos. Its two rules are the whole of safety ("Paxos Made Simple",
//! P1a and the promise of phase 1b): answer a prepare only for a ballot at least as high as every
//! ballot it has promised, and never accept a value in a ballot below its promise. Its state must
//! survive crashes, so the node keeps it across a crash and restart.
//!
//! Slots are dense (1, 2, 3, …), so the accepted values live in a [`Window`] indexed by slot: a
//! checkpoint of the simulation then shares them instead of copying thousands of slots, and the
//! slots every server has learned can be discarded once a snapshot covers them.

use super::ballot::Ballot;
use quorum_core::window::Window;

/// A value an acceptor accepted in a slot, with the ballot it was accepted in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted<V> {
    /// The ballot of the accept request.
    pub ballot: Ballot,
    /// The proposed value.
    pub value: V,
}

/// The answer to a prepare (phase 1a).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrepareReply<V> {
    /// Phase 1b: the acceptor promised `ballot` and reports what it accepted from the prepare's
    /// first slot on, so the new proposer re-proposes those values instead of its own.
    Promise {
        /// The ballot now promised.
        ballot: Ballot,
        /// Every slot at or after the prepare's first slot that holds an accepted value.
        accepted: Vec<(u64, Accepted<V>)>,
    },
    /// The acceptor has promised a higher ballot; the proposer must go above it.
    Reject {
        /// The acceptor's promise.
        promised: Ballot,
    },
}

/// The answer to an accept request (phase 2a).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcceptReply {
    /// Phase 2b: the value was accepted in this ballot.
    Accepted {
        /// The ballot it was accepted in.
        ballot: Ballot,
    },
    /// The acceptor has promised a higher ballot.
    Reject {
        /// The acceptor's promise.
        promised: Ballot,
    },
    /// The slot lies in the compacted prefix: every server has learned its value, so no vote
    /// there can matter again and nothing is accepted (a late or duplicated request).
    Settled,
}

/// An acceptor's durable state: its promise and, per slot, the last value it accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct Acceptor<V: Clone + PartialEq> {
    promised: Ballot,
    /// At `slot - 1`: what was accepted there (slots up to [`Acceptor::compacted`] discarded).
    accepted: Window<Option<Accepted<V>>>,
}

impl<V: Clone + PartialEq> Default for Acceptor<V> {
    fn default() -> Self {
        Acceptor {
            promised: Ballot::ZERO,
            accepted: Window::new(),
        }
    }
}

impl<V: Clone + PartialEq> Acceptor<V> {
    /// The highest ballot promised (or accepted in).
    pub fn promised(&self) -> Ballot {
        self.promised
    }

    /// The highest slot this acceptor has a place for (every slot above is empty).
    pub fn top_slot(&self) -> u64 {
        self.accepted.len() as u64
    }

    /// What was accepted in `slot`, if anything.
    pub fn accepted(&self, slot: u64) -> Option<&Accepted<V>> {
        let i = slot.checked_sub(1)?;
        self.accepted.get(i as usize).and_then(Option::as_ref)
    }

    /// The highest slot that ever held an accepted value (0: none).
    pub fn last_slot(&self) -> u64 {
        self.accepted.len() as u64
    }

    /// The highest slot whose vote was discarded (0: none): slots up to here are settled.
    pub fn compacted(&self) -> u64 {
        self.accepted.start() as u64
    }

    /// Discards the votes in slots up to `slot`, once every server has learned them and a
    /// snapshot covers them (never past the highest slot held).
    pub fn compact_to(&mut self, slot: u64) {
        self.accepted.discard_below(slot as usize);
    }

    /// Every slot from `from` on holding an accepted value, in slot order (settled slots are
    /// not reported: they hold no vote any more).
    pub fn accepted_from(&self, from: u64) -> impl Iterator<Item = (u64, &Accepted<V>)> {
        let start = from.saturating_sub(1).max(self.compacted()) as usize;
        self.accepted
            .iter_from(start)
            .enumerate()
            .filter_map(move |(i, a)| a.as_ref().map(|a| ((start + i) as u64 + 1, a)))
    }

    /// Every slot holding an accepted value, in slot order (for the inspector and the checks).
    pub fn accepted_slots(&self) -> impl Iterator<Item = (u64, &Accepted<V>)> {
        self.accepted_from(1)
    }

    /// Phase 1b. A repeated prepare in the promised ballot is answered again (messages can be
    /// duplicated or re-sent), which is safe: the promise it repeats was already given.
    pub fn on_prepare(&mut self, ballot: Ballot, from_slot: u64) -> PrepareReply<V> {
        if ballot < self.promised {
            return PrepareReply::Reject {
                promised: self.promised,
            };
        }
        self.promised = ballot;
        let accepted = self
            .accepted_from(from_slot)
            .map(|(slot, a)| (slot, a.clone()))
            .collect();
        PrepareReply::Promise { ballot, accepted }
    }

    /// Phase 2b. Accepting in a ballot also promises it, so a later prepare below it is refused.
    /// A request for a settled slot changes nothing.
    pub fn on_accept(&mut self, ballot: Ballot, slot: u64, value: V) -> AcceptReply {
        if slot <= self.compacted() {
            return AcceptReply::Settled;
        }
        if ballot < self.promised {
            return AcceptReply::Reject {
                promised: self.promised,
            };
        }
        self.promised = ballot;
        let i = slot.saturating_sub(1) as usize;
        while self.accepted.len() <= i {
            self.accepted.push(None);
        }
        self.accepted.set(i, Some(Accepted { ballot, value }));
        AcceptReply::Accepted { ballot }
    }

    /// A deliberately broken acceptor (tests only): accepts whatever its promise, which lowers
    /// the promise to the ballot accepted.
    #[cfg(feature = "mutations")]
    pub fn accept_regardless(&mut self, ballot: Ballot, slot: u64, value: V) -> AcceptReply {
        self.promised = Ballot::ZERO;
        self.on_accept(ballot, slot, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(round: u64, node: u32) -> Ballot {
        Ballot::new(round, node)
    }

    #[test]
    fn a_prepare_below_the_promise_is_rejected_with_the_promise() {
        let mut a = Acceptor::<&str>::default();
        assert!(matches!(
            a.on_prepare(b(2, 1), 1),
            PrepareReply::Promise { .. }
        ));
        assert_eq!(
            a.on_prepare(b(1, 3), 1),
            PrepareReply::Reject { promised: b(2, 1) }
        );
        assert_eq!(a.promised(), b(2, 1));
    }

    #[test]
    fn an_accept_below_the_promise_is_rejected_and_changes_nothing() {
        let mut a = Acceptor::default();
        a.on_prepare(b(3, 2), 1);
        assert_eq!(
            a.on_accept(b(2, 1), 1, "x"),
            AcceptReply::Reject { promised: b(3, 2) }
        );
        assert_eq!(a.accepted(1), None);
    }

    #[test]
    fn a_promise_reports_values_accepted_from_the_first_slot_on() {
        let mut a = Acceptor::default();
        for (slot, v) in [(1, "a"), (2, "b"), (4, "d")] {
            a.on_accept(b(1, 1), slot, v);
        }
        let PrepareReply::Promise { ballot, accepted } = a.on_prepare(b(2, 2), 2) else {
            panic!("a higher ballot must be promised");
        };
        assert_eq!(ballot, b(2, 2));
        let slots: Vec<(u64, &str)> = accepted.iter().map(|(s, x)| (*s, x.value)).collect();
        assert_eq!(slots, vec![(2, "b"), (4, "d")]);
        assert!(accepted.iter().all(|(_, x)| x.ballot == b(1, 1)));
    }

    #[test]
    fn accepting_in_a_higher_ballot_raises_the_promise() {
        let mut a = Acceptor::default();
        a.on_prepare(b(1, 1), 1);
        assert_eq!(
            a.on_accept(b(2, 3), 1, "y"),
            AcceptReply::Accepted { ballot: b(2, 3) }
        );
        assert_eq!(a.promised(), b(2, 3));
        assert!(matches!(
            a.on_prepare(b(1, 5), 1),
            PrepareReply::Reject { .. }
        ));
    }

    #[test]
    fn a_later_ballot_replaces_the_value_accepted_in_a_slot() {
        let mut a = Acceptor::default();
        a.on_accept(b(1, 1), 7, "old");
        a.on_accept(b(2, 2), 7, "new");
        assert_eq!(
            a.accepted(7),
            Some(&Accepted {
                ballot: b(2, 2),
                value: "new"
            })
        );
    }

    #[test]
    fn a_repeated_prepare_in_the_promised_ballot_is_answered_again() {
        let mut a = Acceptor::<u8>::default();
        let first = a.on_prepare(b(4, 1), 1);
        assert_eq!(a.on_prepare(b(4, 1), 1), first);
    }

    /// Compaction (the Multi-Paxos counterpart of Raft paper §7): a settled slot keeps no vote,
    /// refuses to take one again and is left out of promises.
    #[test]
    fn a_compacted_slot_holds_no_vote_and_takes_none() {
        let mut a = Acceptor::default();
        for slot in 1..=5 {
            a.on_accept(b(1, 1), slot, slot * 10);
        }
        a.compact_to(3);
        assert_eq!(a.compacted(), 3);
        assert_eq!(a.accepted(3), None);
        assert_eq!(a.accepted(4).map(|x| x.value), Some(40));
        assert_eq!(a.on_accept(b(2, 2), 2, 99), AcceptReply::Settled);
        assert_eq!(a.promised(), b(1, 1), "a settled slot promises nothing");
        let PrepareReply::Promise { accepted, .. } = a.on_prepare(b(3, 1), 1) else {
            panic!("a higher ballot must be promised");
        };
        let slots: Vec<u64> = accepted.iter().map(|(s, _)| *s).collect();
        assert_eq!(slots, vec![4, 5]);
        assert_eq!(a.last_slot(), 5, "the top does not move");
    }

    /// Whatever order prepares and accepts arrive in, the promise never goes down and every
    /// accepted value carries a ballot at or below the promise in force when it was accepted.
    #[test]
    fn the_promise_never_decreases_under_any_message_order() {
        let mut rng = quorum_core::rng::Rng::new(11);
        let mut a = Acceptor::default();
        let mut last = Ballot::ZERO;
        for step in 0..5000u64 {
            let ballot = b(rng.below(6) as u64, 1 + rng.below(3) as u32);
            let before = a.promised();
            if rng.below(2) == 0 {
                a.on_prepare(ballot, 1 + rng.below(4) as u64);
            } else {
                let slot = 1 + rng.below(4) as u64;
                if let AcceptReply::Accepted { .. } = a.on_accept(ballot, slot, step) {
                    assert!(ballot >= before, "accepted {ballot} below promise {before}");
                }
            }
            assert!(a.promised() >= last, "promise went down at step {step}");
            last = a.promised();
            assert!(a.accepted_slots().all(|(_, x)| x.ballot <= a.promised()));
        }
    }
}
