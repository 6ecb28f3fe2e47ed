//! A growable vector whose clones share storage: elements live in fixed-size chunks behind `Arc`,
//! so cloning copies one pointer per chunk and a write copies at most the one chunk it touches.
//! Logs, histories and feeds grow for the whole run; this keeps a snapshot of the simulation cheap,
//! which is what time travel (restore a snapshot, replay) relies on.

use std::sync::Arc;

const CHUNK: usize = 64;

/// A vector with cheap clones (structural sharing of full chunks).
#[derive(Clone, Debug)]
pub struct PVec<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for PVec<T> {
    fn default() -> Self {
        PVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone> PVec<T> {
    /// An empty vector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The element at `i`, if any.
    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        self.chunks[i / CHUNK].get(i % CHUNK)
    }

    /// The last element, if any.
    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// Appends an element, copying the last chunk only if a clone still shares it.
    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk was just ensured");
        Arc::make_mut(last).push(value);
        self.len += 1;
    }

    /// Replaces the element at `i` (which must exist).
    pub fn set(&mut self, i: usize, value: T) {
        assert!(i < self.len, "PVec::set out of bounds: {i} >= {}", self.len);
        Arc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK] = value;
    }

    /// The element at `i`, mutably (copying its chunk first if a clone still shares it).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        Arc::make_mut(&mut self.chunks[i / CHUNK]).get_mut(i % CHUNK)
    }

    /// Keeps the first `len` elements and drops the rest.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let keep_chunks = len.div_ceil(CHUNK);
        self.chunks.truncate(keep_chunks);
        if let Some(last) = self.chunks.last_mut() {
            let in_last = len - (keep_chunks - 1) * CHUNK;
            if last.len() != in_last {
                Arc::make_mut(last).truncate(in_last);
            }
        }
        self.len = len;
    }

    /// Iterates over the elements from `start`.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + '_ {
        (start..self.len).filter_map(move |i| self.get(i))
    }

    /// Iterates over all elements.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }
}

impl<T: Clone + PartialEq> PartialEq for PVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<T: Clone> FromIterator<T> for PVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v = PVec::new();
        for x in iter {
            v.push(x);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_across_chunk_boundaries() {
        let mut p = PVec::new();
        let mut v = Vec::new();
        for i in 0..300u32 {
            p.push(i);
            v.push(i);
        }
        assert_eq!(p.len(), 300);
        assert_eq!(p.iter().copied().collect::<Vec<_>>(), v);
        for cut in [299, 256, 128, 127, 64, 63, 1, 0] {
            p.truncate(cut);
            v.truncate(cut);
            assert_eq!(
                p.iter().copied().collect::<Vec<_>>(),
                v,
                "after truncate({cut})"
            );
            p.push(7);
            v.push(7);
            assert_eq!(p.last(), v.last());
        }
    }

    #[test]
    fn clones_do_not_see_each_others_writes() {
        let mut a: PVec<u32> = (0..200).collect();
        let b = a.clone();
        a.set(5, 1000);
        a.truncate(100);
        a.push(42);
        assert_eq!(b.get(5), Some(&5));
        assert_eq!(b.len(), 200);
        assert_eq!(a.get(5), Some(&1000));
        assert_eq!(a.get(100), Some(&42));
        assert_eq!(b.get(100), Some(&100));
    }
}
