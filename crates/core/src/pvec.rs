//! A growable vector whose clones share storage: a persistent radix tree of 16-element leaves
//! behind `Arc`s, with the newest leaf (the tail) kept apart. Cloning copies two pointers; a push
//! after a clone copies at most the tail and the one path to it (a few hundred bytes), a write
//! copies the path to the element it touches. Logs, histories and feeds grow for the whole run,
//! and the time-travel timeline keeps thousands of clones of the simulation: each must cost what
//! changed since the previous one, not a pointer per chunk of everything recorded so far.

use std::sync::Arc;

/// Sixteen elements a leaf: a clone that diverges copies a 16-element tail and 16-pointer
/// nodes on its path (an hour of the page's heaviest run: 4–9 % less memory than 32, and no
/// slower).
const BITS: u32 = 4;
const WIDTH: usize = 1 << BITS;
const MASK: usize = WIDTH - 1;

/// An inner node (children one level down) or a leaf (up to [`WIDTH`] elements).
#[derive(Clone, Debug)]
enum Node<T> {
    Branch(Vec<Arc<Node<T>>>),
    Leaf(Vec<T>),
}

/// A vector with cheap clones (structural sharing).
#[derive(Clone, Debug)]
pub struct PVec<T> {
    /// Full leaves holding elements `0..tail_start()`, `None` while there are none.
    root: Option<Arc<Node<T>>>,
    /// Bits of index consumed above the leaves: 0 when the root is a leaf.
    shift: u32,
    /// The last, partly filled leaf.
    tail: Arc<Vec<T>>,
    len: usize,
}

impl<T> Default for PVec<T> {
    fn default() -> Self {
        PVec {
            root: None,
            shift: 0,
            tail: Arc::new(Vec::new()),
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

    /// Index of the tail's first element: everything before it lives in the tree.
    fn tail_start(&self) -> usize {
        self.len - self.tail.len()
    }

    /// The leaf node holding index `i` (which lies in the tree).
    fn leaf_node(&self, i: usize) -> &Arc<Node<T>> {
        let mut node = self
            .root
            .as_ref()
            .expect("an index below the tail is in the tree");
        let mut shift = self.shift;
        while let Node::Branch(children) = node.as_ref() {
            node = &children[(i >> shift) & MASK];
            shift -= BITS;
        }
        node
    }

    /// The elements of the leaf holding index `i` (which lies in the tree).
    fn leaf(&self, i: usize) -> &[T] {
        match self.leaf_node(i).as_ref() {
            Node::Leaf(items) => items,
            Node::Branch(_) => unreachable!("the descent ends at a leaf"),
        }
    }

    /// The element at `i`, if any.
    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let tail_start = self.tail_start();
        if i >= tail_start {
            return self.tail.get(i - tail_start);
        }
        self.leaf(i).get(i & MASK)
    }

    /// The last element, if any.
    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// Appends an element, copying the tail (and, when it is full, one path of the tree) only if
    /// a clone still shares them.
    pub fn push(&mut self, value: T) {
        if self.tail.len() == WIDTH {
            let at = self.tail_start();
            let full = std::mem::replace(&mut self.tail, Arc::new(Vec::with_capacity(WIDTH)));
            let leaf = Arc::new(Node::Leaf(Arc::unwrap_or_clone(full)));
            self.push_leaf(at, leaf);
        }
        Arc::make_mut(&mut self.tail).push(value);
        self.len += 1;
    }

    /// Hangs a full leaf (elements `at..at + WIDTH`; the tree holds `at`) at its right edge.
    fn push_leaf(&mut self, at: usize, leaf: Arc<Node<T>>) {
        let Some(root) = self.root.as_mut() else {
            self.root = Some(leaf);
            self.shift = 0;
            return;
        };
        // The tree is full when `at` needs a digit above the root's: grow a level.
        if (at >> self.shift) >= WIDTH {
            let old = root.clone();
            self.shift += BITS;
            let path = Self::path_to(leaf, self.shift - BITS);
            self.root = Some(Arc::new(Node::Branch(vec![old, path])));
            return;
        }
        Self::insert(root, self.shift, at, leaf);
    }

    /// A chain of branches `shift` bits tall ending in `leaf`.
    fn path_to(leaf: Arc<Node<T>>, shift: u32) -> Arc<Node<T>> {
        let mut node = leaf;
        let mut s = 0;
        while s < shift {
            node = Arc::new(Node::Branch(vec![node]));
            s += BITS;
        }
        node
    }

    fn insert(node: &mut Arc<Node<T>>, shift: u32, at: usize, leaf: Arc<Node<T>>) {
        let Node::Branch(children) = Arc::make_mut(node) else {
            unreachable!("a leaf root is full and was lifted before inserting")
        };
        let slot = (at >> shift) & MASK;
        if shift == BITS {
            debug_assert_eq!(slot, children.len());
            children.push(leaf);
        } else if slot < children.len() {
            Self::insert(&mut children[slot], shift - BITS, at, leaf);
        } else {
            children.push(Self::path_to(leaf, shift - BITS));
        }
    }

    /// Replaces the element at `i` (which must exist).
    pub fn set(&mut self, i: usize, value: T) {
        assert!(i < self.len, "PVec::set out of bounds: {i} >= {}", self.len);
        if let Some(slot) = self.get_mut(i) {
            *slot = value;
        }
    }

    /// The element at `i`, mutably (copying the path to it first if a clone still shares it).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        let tail_start = self.tail_start();
        if i >= tail_start {
            return Arc::make_mut(&mut self.tail).get_mut(i - tail_start);
        }
        let mut node = self.root.as_mut()?;
        let mut shift = self.shift;
        loop {
            match Arc::make_mut(node) {
                Node::Branch(children) => {
                    node = &mut children[(i >> shift) & MASK];
                    shift -= BITS;
                }
                Node::Leaf(items) => return items.get_mut(i & MASK),
            }
        }
    }

    /// Keeps the first `len` elements and drops the rest.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let tail_start = self.tail_start();
        if len >= tail_start {
            Arc::make_mut(&mut self.tail).truncate(len - tail_start);
            self.len = len;
            return;
        }
        // Rebuild from the leaves that stay whole plus the kept part of the cut one; the leaves
        // themselves are shared, not copied.
        let whole = len / WIDTH;
        let leaves: Vec<Arc<Node<T>>> = (0..whole)
            .map(|k| self.leaf_node(k * WIDTH).clone())
            .collect();
        let cut: Vec<T> = self.leaf(whole * WIDTH)[..len - whole * WIDTH].to_vec();
        let mut rebuilt = PVec::new();
        for leaf in leaves {
            rebuilt.push_leaf(rebuilt.len, leaf);
            rebuilt.len += WIDTH;
        }
        rebuilt.tail = Arc::new(cut);
        rebuilt.len += rebuilt.tail.len();
        *self = rebuilt;
    }

    /// Iterates over the elements from `start`.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + '_ {
        let tail_start = self.tail_start();
        let from = start.min(tail_start);
        let in_tree = (from / WIDTH..tail_start / WIDTH)
            .flat_map(move |k| self.leaf(k * WIDTH))
            .skip(from % WIDTH);
        in_tree.chain(self.tail.iter().skip(start.saturating_sub(tail_start)))
    }

    /// Iterates over all elements.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.iter_from(0)
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

    /// Random pushes, writes, truncations and clones across several tree heights behave exactly
    /// like `Vec`, and no clone ever sees another's writes.
    #[test]
    fn matches_a_vec_under_random_operations_and_clones() {
        let mut rng = crate::rng::Rng::new(7);
        let mut p: PVec<u64> = PVec::new();
        let mut v: Vec<u64> = Vec::new();
        let mut kept: Vec<(PVec<u64>, Vec<u64>)> = Vec::new();
        for step in 0..60_000u64 {
            match rng.below(100) {
                0..=79 => {
                    p.push(step);
                    v.push(step);
                }
                80..=91 if !v.is_empty() => {
                    let i = rng.below(v.len());
                    p.set(i, step);
                    v[i] = step;
                }
                92..=93 if !v.is_empty() => {
                    // Mostly short cuts (a log's conflicting suffix), rarely half of everything.
                    let most = if rng.below(20) == 0 {
                        v.len() / 2
                    } else {
                        v.len().min(100) / 4
                    };
                    let keep = v.len() - rng.below(most + 1);
                    p.truncate(keep);
                    v.truncate(keep);
                }
                94..=95 => kept.push((p.clone(), v.clone())),
                _ => {
                    let start = rng.below(v.len() + 2);
                    assert!(
                        p.iter_from(start).eq(v.iter().skip(start)),
                        "iter_from({start})"
                    );
                }
            }
            assert_eq!(p.len(), v.len());
            assert_eq!(p.last(), v.last());
        }
        assert!(v.len() > 2 * WIDTH * WIDTH, "three levels were exercised");
        assert!(p.iter().eq(v.iter()));
        for (i, x) in v.iter().enumerate() {
            assert_eq!(p.get(i), Some(x));
        }
        for (clone, model) in kept {
            assert!(
                clone.iter().eq(model.iter()),
                "a clone changed after it was taken"
            );
        }
    }
}
