//! The characters XML 1.0 forbids (section 2.2, production `Char`): C0 controls other than
//! tab, line feed and carriage return, and U+FFFE and U+FFFF. Surrogates cannot occur in
//! UTF-8 that Rust accepts. quick-xml does not check them, and a file holding one is not
//! well-formed: a ReqIF tool that receives our re-export would refuse it. The importer
//! refuses them where they stand; the exporter replaces them (`text::replace_forbidden_chars`).

/// Whether XML 1.0 forbids `c` in a document, written raw or as a character reference.
pub(crate) fn is_forbidden(c: char) -> bool {
    (c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether some byte of `word` is below 0x20 or equal to 0xEF (the lead byte of U+FFFE and
/// U+FFFF): a cheap filter, eight bytes at a time, before the exact check.
#[inline]
fn has_candidate(word: u64) -> bool {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let x = word ^ (ONES * 0xEF);
    let is_ef = x.wrapping_sub(ONES) & !x & HIGHS;
    below_space | is_ef != 0
}

/// Byte offset and value of the first forbidden character in `bytes`, which are UTF-8.
pub(crate) fn first_forbidden(bytes: &[u8]) -> Option<(usize, char)> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let word = u64::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
        if has_candidate(word)
            && let Some(found) = exact(bytes, at, at + 8)
        {
            return Some(found);
        }
        at += 8;
    }
    exact(bytes, at, bytes.len())
}

/// The exact check of the bytes starting in `from..to` (a character may run past `to`).
fn exact(bytes: &[u8], from: usize, to: usize) -> Option<(usize, char)> {
    for i in from..to {
        let b = bytes[i];
        if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
            return Some((i, char::from(b)));
        }
        if b == 0xEF && bytes.get(i + 1) == Some(&0xBF) {
            match bytes.get(i + 2) {
                Some(0xBE) => return Some((i, '\u{FFFE}')),
                Some(0xBF) => return Some((i, '\u{FFFF}')),
                _ => {}
            }
        }
    }
    None
}

/// How a forbidden character is named in messages: `U+0001`.
pub(crate) fn describe(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_forbidden_character_and_nothing_else() {
        for c in (0u32..0x20).filter_map(char::from_u32).chain(['\u{FFFE}', '\u{FFFF}']) {
            for pad in 0..17 {
                let s = format!("{}{c}tail ok", "a".repeat(pad));
                assert_eq!(first_forbidden(s.as_bytes()), (is_forbidden(c)).then_some((pad, c)), "{c:?} at {pad}");
            }
        }
        let fine = "tab\tnewline\ncr\r é ü \u{FFFD} \u{EFFF} \u{FEFF} 日本 \u{10FFFF}";
        assert_eq!(first_forbidden(fine.as_bytes()), None);
    }
}
