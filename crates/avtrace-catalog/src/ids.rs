//! The spelling rules of ids.

/// Instrument and market ids: upper-case letters, digits and single hyphens, starting with
/// a letter or digit (`UN-R155`, `GB-T-34590-6`, `EU`).
pub(crate) fn is_upper_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

/// Clause ids: letters, digits, spaces and `. ( ) - _ /`, no leading or trailing space, no
/// `:` or `@` (they separate the parts of a clause reference).
pub(crate) fn is_clause_id(id: &str) -> bool {
    !id.is_empty()
        && id.trim() == id
        && !id.contains("  ")
        && id.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '(' | ')' | '-' | '_' | '/'))
}

/// Editions: anything printable without `:` or `@`, not blank.
pub(crate) fn is_edition(edition: &str) -> bool {
    !edition.trim().is_empty() && !edition.chars().any(|c| c == ':' || c == '@' || c.is_control())
}

/// Requirement ids: not blank, no surrounding space, no control characters.
pub(crate) fn is_requirement_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    // Printable ASCII throughout (nearly every id) needs only its ends looked at: the one
    // white space character in that range is the space.
    if bytes.iter().all(|b| (b' '..=b'~').contains(b)) {
        return bytes.first().is_some_and(|&b| b != b' ') && bytes.last().is_some_and(|&b| b != b' ');
    }
    !id.is_empty() && id.trim() == id && !id.chars().any(char::is_control)
}

/// The default parent candidates of a clause id, nearest first: strip the last `(x)` or
/// `.n` segment until nothing is left (`7.2.2.2(a)` → `7.2.2.2` → `7.2.2` → `7.2` → `7`).
pub(crate) fn parent_candidates(id: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(id), |current| {
        let cut = if current.ends_with(')') { current.rfind('(') } else { current.rfind('.') };
        cut.filter(|&i| i > 0).map(|i| &current[..i])
    })
    .skip(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_ids() {
        for ok in ["UN-R155", "GB-T-34590-6", "EU", "ISO-SAE-21434"] {
            assert!(is_upper_id(ok), "{ok}");
        }
        for bad in ["un-r155", "UN R155", "-UN", "UN-", "UN--R", "", "UN_R155", "ÜN"] {
            assert!(!is_upper_id(bad), "{bad}");
        }
    }

    #[test]
    fn clause_ids() {
        for ok in ["7.2.2.2(a)", "RQ-05-01", "Annex 5 Part A", "Art. 30-9", "M1", "A.1/2"] {
            assert!(is_clause_id(ok), "{ok}");
        }
        for bad in ["", " 7", "7 ", "7:1", "7@1", "a  b", "7\t1"] {
            assert!(!is_clause_id(bad), "{bad}");
        }
    }

    /// The ASCII shortcut answers as the rule does, for ids of any characters.
    #[test]
    fn requirement_ids_follow_the_rule() {
        let rule = |id: &str| !id.is_empty() && id.trim() == id && !id.chars().any(char::is_control);
        for id in ["REQ-1", "R 1", " R", "R ", "", " ", "R\t1", "R\u{7f}", "é", "R\u{a0}", "\u{2003}R", "~!"] {
            assert_eq!(is_requirement_id(id), rule(id), "{id:?}");
        }
        proptest::proptest!(|(id in "(\\PC|[ \t\r\n\u{7f}\u{85}\u{a0}\u{2003}]){0,6}")| {
            proptest::prop_assert_eq!(is_requirement_id(&id), rule(&id), "{:?}", id);
        });
    }

    #[test]
    fn parents_strip_one_segment_at_a_time() {
        let got: Vec<&str> = parent_candidates("7.2.2.2(a)").collect();
        assert_eq!(got, ["7.2.2.2", "7.2.2", "7.2", "7"]);
        assert_eq!(parent_candidates("5").count(), 0);
        assert_eq!(parent_candidates("Annex 5").count(), 0);
        let got: Vec<&str> = parent_candidates("A.1.2").collect();
        assert_eq!(got, ["A.1", "A"]);
        assert_eq!(parent_candidates(".5").count(), 0);
    }
}
