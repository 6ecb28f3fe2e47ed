//! The messages in flight, keyed by id. Ids grow with time and every message leaves the network
//! within a few latencies, so the live ids form a short window: a deque indexed by `id - base`
//! gives O(1) insert and remove and iterates in id order, where a map would cost a tree walk on
//! every send and delivery.

use std::collections::VecDeque;

use super::message::{Envelope, MsgId};

/// Messages in flight, in id order.
#[derive(Clone, Debug, Default)]
pub struct InFlight {
    base: MsgId,
    slots: VecDeque<Option<Envelope>>,
    count: usize,
}

impl InFlight {
    /// No messages.
    pub fn new() -> Self {
        Self::default()
    }

    fn index(&self, id: MsgId) -> Option<usize> {
        id.checked_sub(self.base)
            .map(|i| i as usize)
            .filter(|&i| i < self.slots.len())
    }

    /// Adds a message (ids must not be reused after removal).
    pub fn insert(&mut self, id: MsgId, envelope: Envelope) {
        if self.slots.is_empty() {
            self.base = id;
        }
        if id < self.base {
            // Ids below the window were all removed already; grow the window downwards.
            for _ in id..self.base {
                self.slots.push_front(None);
            }
            self.base = id;
        }
        let i = (id - self.base) as usize;
        while self.slots.len() <= i {
            self.slots.push_back(None);
        }
        if self.slots[i].replace(envelope).is_none() {
            self.count += 1;
        }
    }

    /// The message with this id.
    pub fn get(&self, id: &MsgId) -> Option<&Envelope> {
        self.index(*id).and_then(|i| self.slots[i].as_ref())
    }

    /// The message with this id, to change its fate.
    pub fn get_mut(&mut self, id: &MsgId) -> Option<&mut Envelope> {
        self.index(*id).and_then(|i| self.slots[i].as_mut())
    }

    /// True when the message is still in flight.
    pub fn contains_key(&self, id: &MsgId) -> bool {
        self.get(id).is_some()
    }

    /// Takes a message out of flight.
    pub fn remove(&mut self, id: &MsgId) -> Option<Envelope> {
        let i = self.index(*id)?;
        let taken = self.slots[i].take();
        if taken.is_some() {
            self.count -= 1;
            while matches!(self.slots.front(), Some(None)) {
                self.slots.pop_front();
                self.base += 1;
            }
        }
        taken
    }

    /// Number of messages in flight.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The messages, in id order.
    pub fn values(&self) -> impl Iterator<Item = &Envelope> {
        self.slots.iter().flatten()
    }

    /// The messages, in id order, mutable.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Envelope> {
        self.slots.iter_mut().flatten()
    }

    /// The ids, in order.
    pub fn keys(&self) -> impl Iterator<Item = &MsgId> {
        self.values().map(|e| &e.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Addr, ClientReply, Payload, ReplyOutcome};

    fn env(id: MsgId) -> Envelope {
        Envelope {
            id,
            from: Addr::Server(1),
            to: Addr::Client(1),
            payload: Payload::Reply(ClientReply {
                session: 1,
                seq: 1,
                outcome: ReplyOutcome::NotLeader { leader_hint: None },
            }),
            sent_at: 0,
            deliver_at: 1,
            doom: None,
            duplicate: false,
            why: crate::why::Cause::Client,
        }
    }

    #[test]
    fn behaves_like_an_ordered_map_of_live_messages() {
        let mut f = InFlight::new();
        for id in [5, 7, 6, 9] {
            f.insert(id, env(id));
        }
        assert_eq!(f.len(), 4);
        assert_eq!(f.keys().copied().collect::<Vec<_>>(), [5, 6, 7, 9]);
        assert!(f.remove(&5).is_some());
        assert!(f.remove(&5).is_none());
        assert!(!f.contains_key(&5));
        assert!(f.remove(&7).is_some());
        assert_eq!(f.keys().copied().collect::<Vec<_>>(), [6, 9]);
        f.insert(4, env(4));
        assert_eq!(f.keys().copied().collect::<Vec<_>>(), [4, 6, 9]);
        assert!(f.get(&100).is_none() && f.get(&0).is_none());
        for id in [4, 6, 9] {
            f.remove(&id);
        }
        assert!(f.is_empty());
        f.insert(20, env(20));
        assert_eq!(f.keys().copied().collect::<Vec<_>>(), [20]);
    }
}
