//! Natural ordering of identifiers: `7.2.10` after `7.2.9`, `M2` before `M10`.

use std::cmp::Ordering;

/// Compares two identifiers so that runs of ASCII digits compare by numeric value and
/// everything else compares byte by byte.
///
/// Clause numbers and requirement ids are written for people, who expect `7.2.2.10` after
/// `7.2.2.9` and `CS-2` before `CS-10`. Ties in value (`07` vs `7`) fall back to the plain
/// byte order so that the ordering stays total and consistent with equality.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a_bytes, b_bytes) = (a.as_bytes(), b.as_bytes());
    // Ids compared in bulk (a million requirements checked for order) mostly share a long
    // prefix. Up to where they first differ the two walk in step and agree, except that the
    // digit run that difference falls in must be compared whole: start at that run.
    let common = a_bytes.iter().zip(b_bytes).take_while(|(x, y)| x == y).count();
    let mut start = common;
    while start > 0 && a_bytes[start - 1].is_ascii_digit() {
        start -= 1;
    }
    walk_from(a, b, start)
}

/// [`natural_cmp`] walking both ids from byte `start` on, which the two share up to.
fn walk_from(a: &str, b: &str, start: usize) -> Ordering {
    let (a_bytes, b_bytes) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (start, start);
    while i < a_bytes.len() && j < b_bytes.len() {
        let (ca, cb) = (a_bytes[i], b_bytes[j]);
        if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let a_end = run_end(a_bytes, i);
            let b_end = run_end(b_bytes, j);
            let a_num = trim_zeros(&a_bytes[i..a_end]);
            let b_num = trim_zeros(&b_bytes[j..b_end]);
            // Compared in line: digit runs are short, and a `memcmp` call costs more.
            let ord = a_num.len().cmp(&b_num.len()).then_with(|| {
                a_num.iter().zip(b_num).map(|(x, y)| x.cmp(y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
            });
            if ord != Ordering::Equal {
                return ord;
            }
            i = a_end;
            j = b_end;
        } else {
            if ca != cb {
                return ca.cmp(&cb);
            }
            i += 1;
            j += 1;
        }
    }
    (a_bytes.len() - i).cmp(&(b_bytes.len() - j)).then_with(|| a.cmp(b))
}

fn run_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..].iter().position(|b| !b.is_ascii_digit()).map_or(bytes.len(), |n| start + n)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let first = digits.iter().position(|&d| d != b'0').unwrap_or(digits.len());
    &digits[first..]
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;
    use proptest::prelude::*;
    use std::cmp::Ordering::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        /// Skipping the shared prefix changes no answer, with runs of digits and zeros
        /// anywhere, shared or not.
        #[test]
        fn the_prefix_skip_agrees_with_the_plain_walk(
            prefix in "[a0-9.-]{0,6}",
            a in "[a0-9.é-]{0,6}",
            b in "[a0-9.é-]{0,6}",
        ) {
            let (a, b) = (format!("{prefix}{a}"), format!("{prefix}{b}"));
            // The plain walk from the first byte, without the shared prefix skipped.
            prop_assert_eq!(natural_cmp(&a, &b), super::walk_from(&a, &b, 0), "{} vs {}", a, b);
            prop_assert_eq!(natural_cmp(&b, &a), super::walk_from(&b, &a, 0), "{} vs {}", b, a);
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(natural_cmp("7.2.2.9", "7.2.2.10"), Less);
        assert_eq!(natural_cmp("M2", "M10"), Less);
        assert_eq!(natural_cmp("RQ-05-01", "RQ-05-02"), Less);
        assert_eq!(natural_cmp("10", "9"), Greater);
    }

    #[test]
    fn prefixes_come_first() {
        assert_eq!(natural_cmp("7.2.2.2", "7.2.2.2(a)"), Less);
        assert_eq!(natural_cmp("7", "7.1"), Less);
        assert_eq!(natural_cmp("12", "Annex 1"), Less);
    }

    #[test]
    fn total_and_consistent_with_equality() {
        assert_eq!(natural_cmp("07", "7"), Less);
        assert_eq!(natural_cmp("7", "07"), Greater);
        assert_eq!(natural_cmp("abc", "abc"), Equal);
        let mut ids = vec!["7.10", "7.9", "07.9", "7.9a", "Annex 2", "7"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, vec!["7", "07.9", "7.9", "7.9a", "7.10", "Annex 2"]);
    }
}
