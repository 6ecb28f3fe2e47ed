//! A map kept as one sorted vector, for the small maps every replica and client holds (a
//! handful of keys, a session per client). The timeline clones the whole simulation every couple
//! of simulated seconds, and these maps change within that time, so each checkpoint ends up
//! owning its own copy: a sorted vector is one allocation of exactly its entries, where a B-tree
//! allocates a node with room for eleven. Lookups are binary searches; inserting a new key moves
//! the ones after it, which is cheap at these sizes.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A map from `K` to `V` in key order, stored as a sorted vector of pairs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SmallMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value under `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value under `key`, to change it.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// True when `key` is present.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Puts `value` under `key` and returns what was there.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Puts `value` under a borrowed key, building the owned key only when it is new (a store's
    /// write to a key it holds then allocates nothing).
    pub fn insert_with<Q: Ord + ?Sized>(
        &mut self,
        key: &Q,
        owned: impl FnOnce(&Q) -> K,
        value: V,
    ) -> Option<V>
    where
        K: Borrow<Q>,
    {
        match self.find(key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (owned(key), value));
                None
            }
        }
    }

    /// The value under `key`, put there first by `make` if the key is new.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// The value under `key`, its default put there first if the key is new.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.get_or_insert_with(key, V::default)
    }

    /// Like [`SmallMap::get_or_default`], but first scans for a key `same` accepts: cheaper than
    /// ordering keys when `same` is, say, a pointer comparison of string constants.
    pub fn get_or_default_scanning(&mut self, key: K, same: impl Fn(&K) -> bool) -> &mut V
    where
        V: Default,
    {
        match self.entries.iter().position(|(k, _)| same(k)) {
            Some(i) => &mut self.entries[i].1,
            None => self.get_or_default(key),
        }
    }

    /// Takes `key` out and returns its value.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The pairs in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SmallMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut map = SmallMap::new();
        for (k, v) in pairs {
            map.insert(k, v);
        }
        map
    }
}

/// Written as a map, exactly as a `BTreeMap` of the same pairs is.
impl<K: Serialize, V: Serialize> Serialize for SmallMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.entries.iter().map(|(k, v)| (k, v)))
    }
}

/// Read as a map (a repeated key keeps its last value, as a `BTreeMap` does).
impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for SmallMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<K, V>::deserialize(deserializer)?;
        Ok(SmallMap {
            entries: map.into_iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A scan that misses (a different copy of the same text) still lands on the key's one
    /// entry, through the ordered lookup.
    #[test]
    fn a_scanning_lookup_finds_the_same_entry_as_an_ordered_one() {
        let mut map: SmallMap<String, u32> = SmallMap::new();
        *map.get_or_default_scanning("b".into(), |k| k == "b") += 1;
        *map.get_or_default_scanning("a".into(), |_| false) += 10;
        *map.get_or_default_scanning("b".into(), |_| false) += 1;
        *map.get_or_default_scanning("a".into(), |k| k == "a") += 10;
        let pairs: Vec<(&String, &u32)> = map.iter().collect();
        assert_eq!(pairs, vec![(&"a".to_string(), &20), (&"b".to_string(), &2)]);
    }

    #[test]
    fn behaves_as_a_btree_map_over_a_mixed_sequence_of_operations() {
        let mut small: SmallMap<u64, u64> = SmallMap::new();
        let mut tree: BTreeMap<u64, u64> = BTreeMap::new();
        let mut x = 7u64;
        for step in 0..2_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = (x >> 33) % 37;
            match step % 4 {
                0 | 1 => assert_eq!(small.insert(key, step), tree.insert(key, step)),
                2 => assert_eq!(small.remove(&key), tree.remove(&key)),
                _ => {
                    *small.get_or_default(key) += 1;
                    *tree.entry(key).or_default() += 1;
                }
            }
            assert_eq!(small.get(&key), tree.get(&key));
            assert_eq!(small.len(), tree.len());
        }
        assert!(small.iter().eq(tree.iter()), "same pairs in the same order");
    }

    #[test]
    fn a_borrowed_key_finds_and_updates_without_an_owned_one() {
        let mut map: SmallMap<String, i64> = SmallMap::new();
        assert_eq!(map.insert_with("x", str::to_string, 1), None);
        assert_eq!(
            map.insert_with("x", |_| unreachable!("x is present"), 2),
            Some(1)
        );
        assert_eq!(map.get("x"), Some(&2));
        assert!(map.contains_key("x") && !map.contains_key("y"));
    }

    #[test]
    fn serializes_exactly_as_a_btree_map_and_reads_back() {
        let pairs = [(3u64, "c"), (1, "a"), (2, "b")];
        let small: SmallMap<u64, &str> = pairs.iter().copied().collect();
        let tree: BTreeMap<u64, &str> = pairs.iter().copied().collect();
        let text = serde_json::to_string(&small).unwrap();
        assert_eq!(text, serde_json::to_string(&tree).unwrap());
        let back: SmallMap<u64, String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back.get(&2).map(String::as_str), Some("b"));
    }

    #[test]
    fn hashes_as_a_btree_map_of_the_same_pairs() {
        use crate::digest::digest_of;
        let pairs = [(String::from("k"), 4i64), (String::from("a"), -1)];
        let small: SmallMap<String, i64> = pairs.iter().cloned().collect();
        let tree: BTreeMap<String, i64> = pairs.iter().cloned().collect();
        assert_eq!(digest_of(&small), digest_of(&tree));
    }
}
