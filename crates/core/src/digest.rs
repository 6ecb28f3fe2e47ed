//! Stable 64-bit digests (FNV-1a) of plain data. Used to compare logs and key-value states across
//! replicas in O(1) and to fingerprint a whole run for the determinism tests. Unlike the standard
//! library's default hasher it is unseeded, so the same value hashes the same in every run, on
//! every platform (the hashed types avoid `usize`).

use std::hash::{Hash, Hasher};

/// An FNV-1a hasher.
#[derive(Clone, Copy, Debug)]
pub struct Fnv64(u64);

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(OFFSET)
    }
}

impl Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        // A final avalanche so nearby inputs give far-apart digests.
        let mut z = self.0;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z ^ (z >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }
}

/// The digest of any hashable value.
pub fn digest_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = Fnv64::default();
    value.hash(&mut h);
    h.finish()
}

/// Chains a digest onto a previous one, so a chain value stands for a whole prefix.
pub fn chain(previous: u64, item: u64) -> u64 {
    digest_of(&(previous, item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_stable_and_discriminating() {
        assert_eq!(digest_of(&("x", 5i64)), digest_of(&("x", 5i64)));
        assert_ne!(digest_of(&("x", 5i64)), digest_of(&("x", 6i64)));
        assert_ne!(chain(1, 2), chain(2, 1));
    }
}
