//! Stable 64-bit digests of plain data. Used to compare logs and key-value states across
//! replicas in O(1) and to fingerprint a whole run for the determinism tests. Unlike the standard
//! library's default hasher they are unseeded, so the same value hashes the same in every run, on
//! every platform (the hashed types avoid `usize`).
//!
//! Two hashers: [`Digester`], which takes each integer as one word (the engine digests every
//! event, so this is on its hottest path), and [`ByteFnv64`], plain FNV-1a over bytes, for
//! the one place a digest decides where something goes (the balancer's hash ring) and so must
//! never change.

use std::hash::{Hash, Hasher};

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;
/// An odd constant with well-spread bits (2^64 / φ), for mixing whole words.
const WORD_MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// A final avalanche so nearby inputs give far-apart digests.
fn avalanche(mut z: u64) -> u64 {
    z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    z ^ (z >> 33)
}

/// The digest hasher: each integer, and each eight bytes of text, one multiply-rotate step.
#[derive(Clone, Copy, Debug)]
pub struct Digester(u64);

impl Default for Digester {
    fn default() -> Self {
        Digester(OFFSET)
    }
}

impl Digester {
    fn word(&mut self, word: u64) {
        self.0 = (self.0 ^ word)
            .wrapping_mul(WORD_MULTIPLIER)
            .rotate_left(29);
    }
}

impl Hasher for Digester {
    fn finish(&self) -> u64 {
        avalanche(self.0)
    }

    /// Eight bytes at a time (little-endian words), the rest as one short word with its length.
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut le = [0u8; 8];
            le.copy_from_slice(word);
            self.word(u64::from_le_bytes(le));
        }
        let rest = words.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        self.word(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, i: u8) {
        self.word(i as u64);
    }

    fn write_u16(&mut self, i: u16) {
        self.word(i as u64);
    }

    fn write_u32(&mut self, i: u32) {
        self.word(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.word(i);
    }

    fn write_i64(&mut self, i: i64) {
        self.word(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }
}

/// FNV-1a over the bytes of everything written, integers included (their native-endian
/// bytes, as the standard library writes them). Slower than [`Digester`]; its values must not
/// change, since they place keys on the balancer's hash ring.
#[derive(Clone, Copy, Debug)]
pub struct ByteFnv64(u64);

impl Default for ByteFnv64 {
    fn default() -> Self {
        ByteFnv64(OFFSET)
    }
}

impl Hasher for ByteFnv64 {
    fn finish(&self) -> u64 {
        avalanche(self.0)
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
    let mut h = Digester::default();
    value.hash(&mut h);
    h.finish()
}

/// The FNV-1a digest of any hashable value's bytes (see [`ByteFnv64`]).
pub fn byte_digest_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = ByteFnv64::default();
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
        assert_ne!(digest_of(&(1u64, 2u64)), digest_of(&(2u64, 1u64)));
    }

    /// The hash ring's digests are FNV-1a over bytes, fixed: these values place keys on servers,
    /// so a change here would move every key (the values are FNV-1a's, worked out by hand).
    #[test]
    fn byte_digests_are_fnv_1a_over_the_bytes_and_never_change() {
        assert_eq!(byte_digest_of(&(3u32, 7u64)), 0x1c70_30eb_82de_ebee);
        assert_eq!(byte_digest_of("x"), 0x4104_b986_71bb_daec);
    }
}
