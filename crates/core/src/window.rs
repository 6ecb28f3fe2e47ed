//! A [`PVec`] whose front can be discarded while indices stay what they were. A compacted log
//! (Multi-Paxos slots below a snapshot) and the checker's per-slot records of it keep only the
//! slots still in play, yet every caller keeps addressing slot `s` at index `s - 1`.

use crate::pvec::PVec;

/// A window onto an ever-growing sequence: elements below [`Window::start`] were discarded.
#[derive(Clone, Debug)]
pub struct Window<T> {
    /// The index of the first element still held.
    start: usize,
    /// Elements `start..start + items.len()`.
    items: PVec<T>,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            start: 0,
            items: PVec::default(),
        }
    }
}

impl<T: Clone> Window<T> {
    /// An empty window starting at index 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// One past the highest index ever held (discarding the front does not change it).
    pub fn len(&self) -> usize {
        self.start + self.items.len()
    }

    /// True when no element was ever held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first index still held: every index below it was discarded.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The element at `i`, or `None` when it was discarded or never held.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.items.get(i.checked_sub(self.start)?)
    }

    /// The element at `i` to change in place (a discarded one cannot be).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.items.get_mut(i.checked_sub(self.start)?)
    }

    /// Replaces the element at `i`; returns false (and changes nothing) when `i` was discarded
    /// or never held.
    pub fn set(&mut self, i: usize, value: T) -> bool {
        match i.checked_sub(self.start) {
            Some(at) if at < self.items.len() => {
                self.items.set(at, value);
                true
            }
            _ => false,
        }
    }

    /// Appends an element at index [`Window::len`].
    pub fn push(&mut self, value: T) {
        self.items.push(value);
    }

    /// The element at the highest index, if it is still held.
    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    /// The elements from index `from` on (from [`Window::start`] if `from` lies below it).
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &T> + '_ {
        self.items.iter_from(from.saturating_sub(self.start))
    }

    /// Discards every element below index `below`. Rebuilds the kept part once, so callers
    /// discard in batches (a snapshot's worth of slots), not one element at a time.
    pub fn discard_below(&mut self, below: usize) {
        let below = below.min(self.len());
        if below <= self.start {
            return;
        }
        self.items = self.items.iter_from(below - self.start).cloned().collect();
        self.start = below;
    }
}

impl<T: Clone + PartialEq> PartialEq for Window<T> {
    fn eq(&self, other: &Self) -> bool {
        self.start == other.start && self.items == other.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_stay_absolute_after_the_front_is_discarded() {
        let mut w: Window<u32> = (0..100).fold(Window::new(), |mut w, x| {
            w.push(x);
            w
        });
        w.discard_below(37);
        assert_eq!((w.start(), w.len()), (37, 100));
        assert_eq!(w.get(36), None, "discarded");
        assert_eq!(w.get(37), Some(&37));
        assert_eq!(w.get(99), Some(&99));
        assert_eq!(w.get(100), None, "never held");
        assert_eq!(w.last(), Some(&99));
        assert!(w.iter_from(0).copied().eq(37..100));
        assert!(w.iter_from(90).copied().eq(90..100));
        w.push(100);
        assert_eq!(w.get(100), Some(&100));
    }

    #[test]
    fn a_discarded_element_cannot_be_written_again() {
        let mut w = Window::new();
        for x in 0..20u8 {
            w.push(x);
        }
        w.discard_below(10);
        assert!(!w.set(9, 0), "below the window");
        assert!(w.get_mut(3).is_none());
        assert!(w.set(15, 0));
        assert_eq!(w.get(15), Some(&0));
        assert!(!w.set(20, 0), "past the end");
    }

    #[test]
    fn discarding_never_moves_backwards_or_past_the_end() {
        let mut w = Window::new();
        for x in 0..10u8 {
            w.push(x);
        }
        w.discard_below(6);
        w.discard_below(3);
        assert_eq!(w.start(), 6);
        w.discard_below(50);
        assert_eq!((w.start(), w.len()), (10, 10));
        assert_eq!(w.iter_from(0).count(), 0);
    }

    #[test]
    fn clones_keep_their_own_window() {
        let mut w = Window::new();
        for x in 0..40u16 {
            w.push(x);
        }
        let before = w.clone();
        w.discard_below(32);
        assert_eq!(before.get(5), Some(&5), "a checkpoint keeps what it held");
        assert_eq!(w.get(5), None);
    }
}
