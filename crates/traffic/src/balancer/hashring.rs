//! Consistent hashing with virtual nodes: each server owns many points on a ring of 64-bit
//! hashes and a key goes to the first point at or after its own hash. Removing a server moves
//! only the keys it owned — about 1/N of them — which is why caches and sharded stores use it.

use std::sync::Arc;

use quorum_core::digest::byte_digest_of;
use quorum_core::NodeId;

/// A hash ring.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HashRing {
    /// (point, owner), sorted by point. Built once and never changed, so shared: the timeline
    /// clones the balancer thousands of times.
    points: Arc<[(u64, NodeId)]>,
}

impl HashRing {
    /// A ring with `vnodes` points per server.
    pub fn new(servers: impl IntoIterator<Item = NodeId>, vnodes: usize) -> Self {
        let mut points: Vec<(u64, NodeId)> = servers
            .into_iter()
            .flat_map(|s| (0..vnodes.max(1) as u64).map(move |v| (byte_digest_of(&(s, v)), s)))
            .collect();
        points.sort_unstable();
        HashRing {
            points: points.into(),
        }
    }

    /// The servers in ring order starting at `key`'s position (each once), for fallbacks.
    pub fn walk(&self, key: &str) -> Vec<NodeId> {
        if self.points.is_empty() {
            return Vec::new();
        }
        let h = byte_digest_of(key);
        let start = self.points.partition_point(|(p, _)| *p < h);
        let mut seen = Vec::new();
        for i in 0..self.points.len() {
            let owner = self.points[(start + i) % self.points.len()].1;
            if !seen.contains(&owner) {
                seen.push(owner);
            }
        }
        seen
    }

    /// The server that owns `key`.
    pub fn owner(&self, key: &str) -> Option<NodeId> {
        self.walk(key).first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_always_maps_to_the_same_server() {
        let ring = HashRing::new(1..=5, 64);
        for k in 0..100 {
            let key = format!("k{k}");
            assert_eq!(ring.owner(&key), ring.owner(&key));
        }
    }

    #[test]
    fn keys_spread_over_servers_and_removing_one_moves_about_a_fifth() {
        let before = HashRing::new(1..=5, 128);
        let after = HashRing::new([1, 2, 3, 5], 128);
        let keys: Vec<String> = (0..5000).map(|k| format!("key-{k}")).collect();
        let mut load = [0usize; 6];
        let mut moved = 0;
        for k in &keys {
            let a = before.owner(k).unwrap();
            load[a as usize] += 1;
            let b = after.owner(k).unwrap();
            if a != b {
                moved += 1;
                assert_eq!(a, 4, "only keys of the removed server move");
            }
        }
        for (s, &count) in load.iter().enumerate().skip(1) {
            assert!(
                (600..=1400).contains(&count),
                "S{s} got {count} of 5000 keys"
            );
        }
        assert!(
            (600..=1400).contains(&moved),
            "{moved} of 5000 keys moved (≈1/5 expected)"
        );
    }
}
