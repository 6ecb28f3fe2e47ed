//! A small set of slot numbers for the just-in-time sweep: the operations a configuration has
//! placed. Two words live inline — 128 operations in flight on one key, more than clients keep
//! — so copying a configuration, hashing it and comparing it touch no heap; a set that needs
//! more words spills them to a vector.

use std::hash::{Hash, Hasher};

/// A set of slot numbers (see the module's documentation). Equal sets are equal values: the
/// spilled words never end in a zero word.
#[derive(Clone, Debug, Default)]
pub(super) struct Bits {
    low: [u64; 2],
    high: Vec<u64>,
}

const INLINE: usize = 2;

/// Word by word, without a call to compare memory: the sweep compares sets millions of times,
/// nearly all of them within the inline words.
impl PartialEq for Bits {
    fn eq(&self, other: &Bits) -> bool {
        self.low[0] == other.low[0]
            && self.low[1] == other.low[1]
            && (self.high.is_empty() && other.high.is_empty() || self.high == other.high)
    }
}

impl Eq for Bits {}

impl Hash for Bits {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for &word in self.low.iter().chain(&self.high) {
            state.write_u64(word);
        }
    }
}

impl Bits {
    /// `slot` is in the set.
    pub fn has(&self, slot: usize) -> bool {
        self.word(slot / 64) & (1 << (slot % 64)) != 0
    }

    /// Puts `slot` in the set.
    pub fn insert(&mut self, slot: usize) {
        let w = slot / 64;
        if w < INLINE {
            self.low[w] |= 1 << (slot % 64);
        } else {
            if self.high.len() <= w - INLINE {
                self.high.resize(w - INLINE + 1, 0);
            }
            self.high[w - INLINE] |= 1 << (slot % 64);
        }
    }

    /// Takes `slot` out of the set.
    pub fn remove(&mut self, slot: usize) {
        let w = slot / 64;
        if w < INLINE {
            self.low[w] &= !(1 << (slot % 64));
        } else if let Some(word) = self.high.get_mut(w - INLINE) {
            *word &= !(1 << (slot % 64));
            self.trim();
        }
    }

    /// The slots in both sets.
    pub fn and(&self, other: &Bits) -> Bits {
        self.zip_with(other, |a, b| a & b)
    }

    /// The slots in this set and not in `other`.
    pub fn and_not(&self, other: &Bits) -> Bits {
        self.zip_with(other, |a, b| a & !b)
    }

    /// How many slots are in the set.
    pub fn len(&self) -> usize {
        self.words().map(|w| w.count_ones() as usize).sum()
    }

    /// No slot is in the set.
    pub fn is_empty(&self) -> bool {
        self.words().all(|w| w == 0)
    }

    /// The slots in the set, in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words().enumerate().flat_map(|(w, mut word)| {
            std::iter::from_fn(move || {
                let bit = (word != 0).then(|| word.trailing_zeros() as usize)?;
                word &= word - 1;
                Some(w * 64 + bit)
            })
        })
    }

    /// Every slot of this set is in `other`.
    pub fn is_subset(&self, other: &Bits) -> bool {
        self.and_not(other).is_empty()
    }

    fn word(&self, w: usize) -> u64 {
        if w < INLINE {
            self.low[w]
        } else {
            self.high.get(w - INLINE).copied().unwrap_or(0)
        }
    }

    fn words(&self) -> impl Iterator<Item = u64> + '_ {
        self.low.iter().chain(&self.high).copied()
    }

    fn zip_with(&self, other: &Bits, f: impl Fn(u64, u64) -> u64) -> Bits {
        let mut out = Bits {
            low: [f(self.low[0], other.low[0]), f(self.low[1], other.low[1])],
            high: (0..self.high.len().max(other.high.len()))
                .map(|i| f(self.word(i + INLINE), other.word(i + INLINE)))
                .collect(),
        };
        out.trim();
        out
    }

    fn trim(&mut self) {
        while self.high.last() == Some(&0) {
            self.high.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets that hold the same slots are equal (and hash alike) whether or not they once held a
    /// slot beyond the inline words: the sweep's memo of configurations relies on it.
    #[test]
    fn equal_sets_are_equal_values_past_the_inline_words() {
        let mut a = Bits::default();
        a.insert(3);
        a.insert(200);
        a.remove(200);
        let mut b = Bits::default();
        b.insert(3);
        assert_eq!(a, b);
        assert!(a.has(3) && !a.has(200) && a.len() == 1);
        a.insert(130);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![3, 130]);
        let mut wide = Bits::default();
        wide.insert(300);
        wide.insert(5);
        assert!(b.and_not(&wide).has(3) && !wide.is_subset(&b) && a.and(&wide).is_empty());
        assert!(b.is_subset(&{
            let mut c = b.clone();
            c.insert(300);
            c
        }));
    }
}
