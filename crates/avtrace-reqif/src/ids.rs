//! Identifiers: NCName checks, sanitising and a stable hash.
//!
//! ReqIF `IDENTIFIER`s are `xsd:ID`s, so every one must be an XML NCName and all of them
//! share one ID space per document. The writer derives them from the caller's keys with a
//! pure function, so the same key always gives the same identifier, in every export and on
//! every platform (which is what lets DOORS or Polarion update objects on re-import).

/// 64-bit FNV-1a. Chosen over `std`'s hashers because its output is fixed by definition:
/// identifiers built from it must not change between Rust versions or machines.
pub(crate) fn fnv1a64(parts: &[&str]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            // A separator byte that cannot occur in UTF-8 keeps ("ab","c") apart from ("a","bc").
            hash ^= 0xff;
            hash = hash.wrapping_mul(PRIME);
        }
        for &b in part.as_bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// A hasher for keys that already are hashes (FNV-1a fingerprints, keyed SipHash outputs):
/// passes them through rather than hashing them again.
#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64`s are hashed; anything else still hashes, by FNV-1a.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Is `b` allowed, unchanged, in the identifiers we write? A strict ASCII subset of NCName
/// characters, so identifiers stay readable and portable to tools with naive ID handling.
fn is_plain_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Builds `prefix` + a sanitised `key`. The prefix must start with an ASCII letter, so the
/// result is always an NCName. When sanitising changed the key, an 8-digit hash of the
/// original key is appended: `"CS 1"` and `"CS_1"` then stay distinct.
pub(crate) fn derive_id(prefix: &str, key: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + key.len() + 9);
    out.push_str(prefix);
    let mut changed = key.is_empty();
    for &b in key.as_bytes() {
        if is_plain_id_byte(b) {
            out.push(char::from(b));
        } else {
            // Multi-byte UTF-8 sequences become one '_' per byte; the hash keeps them unique.
            out.push('_');
            changed = true;
        }
    }
    if changed {
        push_hash8(&mut out, fnv1a64(&[key]));
    }
    out
}

/// Appends `-` and the low 32 bits of `hash` as 8 lowercase hex digits.
pub(crate) fn push_hash8(out: &mut String, hash: u64) {
    use std::fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(out, "-{:08x}", hash & 0xffff_ffff);
}

/// Is `s` an XML NCName (the lexical space of `xsd:ID`)? Non-ASCII characters are accepted
/// wholesale: checking the full Unicode tables is not worth it for a warning.
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start_ok = first.is_ascii_alphabetic() || first == '_' || !first.is_ascii();
    start_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') || !c.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_keep_their_text() {
        assert_eq!(derive_id("SO-", "CS-001"), "SO-CS-001");
        assert_eq!(derive_id("SO-", "a.b_c"), "SO-a.b_c");
    }

    #[test]
    fn sanitised_keys_get_a_stable_hash() {
        let a = derive_id("SO-", "UN-R155:7.2.2.2");
        assert!(a.starts_with("SO-UN-R155_7.2.2.2-"), "{a}");
        assert_eq!(a, derive_id("SO-", "UN-R155:7.2.2.2"));
        assert_ne!(derive_id("SO-", "CS 1"), derive_id("SO-", "CS_1"));
        assert_ne!(derive_id("SO-", "é"), derive_id("SO-", "è"));
        assert!(is_ncname(&derive_id("SO-", "")));
    }

    #[test]
    fn fnv_is_the_published_function() {
        // Reference values of 64-bit FNV-1a.
        assert_eq!(fnv1a64(&[""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(&["a"]), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a64(&["ab", "c"]), fnv1a64(&["a", "bc"]));
    }

    #[test]
    fn ncname_rules() {
        assert!(is_ncname("_1abc"));
        assert!(is_ncname("rmf-22e3"));
        assert!(!is_ncname("381c871b"));
        assert!(!is_ncname("a:b"));
        assert!(!is_ncname(""));
        assert!(!is_ncname("a b"));
    }
}
