//! A key of the store. Every operation names one, and a key travels far: from the client's
//! request into a message, a log entry, the store, the client's history and the checks. Held
//! as a shared string, each of those copies is a reference count, not an allocation (copying
//! keys was a fifth of a run's allocations). It compares, orders, hashes and serializes exactly
//! as the string it holds.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A key of the store (see the module documentation for why it is shared).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Key(Arc<str>);

impl Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Key {
    fn from(key: &str) -> Self {
        Key(key.into())
    }
}

impl From<String> for Key {
    fn from(key: String) -> Self {
        Key(key.into())
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_core::digest::digest_of;

    #[test]
    fn a_key_hashes_and_orders_as_its_string() {
        // The trace hash and the checks' digests take keys in: sharing them must change neither.
        assert_eq!(digest_of(&Key::from("k1")), digest_of(&"k1".to_string()));
        let mut keys = vec![Key::from("k2"), Key::from("k10")];
        keys.sort();
        assert_eq!(keys, ["k10", "k2"]);
        assert_eq!(Key::from("x"), "x");
        assert_eq!(
            format!("{:?} {}", Key::from("x"), Key::from("x")),
            "\"x\" x"
        );
    }
}
