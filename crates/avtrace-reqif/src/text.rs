//! Plain text: characters XML forbids replaced, the canonical form that survives an XHTML
//! round trip, and the plain-text → XHTML conversion the writer uses.

use std::borrow::Cow;

use crate::chars::{first_forbidden, is_forbidden};

/// Replaces every character XML 1.0 forbids with U+FFFD and returns how many it replaced.
/// Borrows when there is nothing to replace, which is the common case.
pub(crate) fn replace_forbidden_chars(s: &str) -> (Cow<'_, str>, usize) {
    if first_forbidden(s.as_bytes()).is_none() {
        return (Cow::Borrowed(s), 0);
    }
    let mut count = 0;
    let out = s
        .chars()
        .map(|c| {
            if is_forbidden(c) {
                count += 1;
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect();
    (Cow::Owned(out), count)
}

/// XML whitespace (production `S`): the only characters XHTML rendering collapses.
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The canonical form of a plain text, as it comes back from an XHTML attribute.
///
/// XHTML collapses whitespace, so a text exported as `ReqIF.Text` (XHTML) and imported again
/// is this function's result, not the original: line endings become `\n`; inside each line,
/// runs of spaces and tabs become one space and the line is trimmed; lines that are then
/// empty separate paragraphs, and paragraphs are joined by exactly one blank line; leading
/// and trailing blank lines are dropped. Other Unicode spaces (no-break space, em space…)
/// are content and are kept. The function is idempotent.
///
/// ```
/// use avtrace_reqif::normalize_text;
/// assert_eq!(normalize_text("  a  b \r\n c\n\n\n\nd "), "a b\nc\n\nd");
/// ```
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_pending = false;
    for line in split_lines(text) {
        let mut words = line.split([' ', '\t']).filter(|w| !w.is_empty()).peekable();
        if words.peek().is_none() {
            blank_pending = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_pending { "\n\n" } else { "\n" });
        }
        blank_pending = false;
        for (i, word) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Splits on `\r\n`, `\r` and `\n`, the three line ends XML parsers turn into `\n`.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let s = rest?;
        match s.find(['\r', '\n']) {
            Some(i) => {
                let skip = if s[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&s[i + skip..]);
                Some(&s[..i])
            }
            None => {
                rest = None;
                Some(s)
            }
        }
    })
}

/// Appends `s` to `out` escaped for XML character data (`&`, `<`, `>`).
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Writes `text` (already free of forbidden characters) as exactly one escaped `xhtml:div`:
/// each paragraph (lines separated by blank lines) becomes an `xhtml:p`, and line breaks
/// inside a paragraph become `xhtml:br`. The `xhtml` prefix is declared on the root element.
/// Only `div`, `p` and `br` are produced, so the result is always valid ReqIF XHTML.
pub(crate) fn push_xhtml_div(out: &mut String, text: &str) {
    let mut in_p = false;
    let mut line_in_p = 0usize;
    let mut any = false;
    for line in split_lines(text) {
        if line.chars().all(|c| c == ' ' || c == '\t') {
            if in_p {
                out.push_str("</xhtml:p>");
                in_p = false;
            }
            continue;
        }
        if !any {
            out.push_str("<xhtml:div>");
            any = true;
        }
        if !in_p {
            out.push_str("<xhtml:p>");
            in_p = true;
            line_in_p = 0;
        }
        if line_in_p > 0 {
            out.push_str("<xhtml:br/>");
        }
        push_escaped(out, line);
        line_in_p += 1;
    }
    if in_p {
        out.push_str("</xhtml:p>");
    }
    if any {
        out.push_str("</xhtml:div>");
    } else {
        out.push_str("<xhtml:div/>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xhtml(text: &str) -> String {
        let mut s = String::new();
        push_xhtml_div(&mut s, text);
        s
    }

    #[test]
    fn forbidden_chars_are_replaced_and_counted() {
        let (s, n) = replace_forbidden_chars("a\u{1}b\u{FFFF}c\td");
        assert_eq!(s, "a\u{FFFD}b\u{FFFD}c\td");
        assert_eq!(n, 2);
        assert!(matches!(replace_forbidden_chars("ok\n").0, Cow::Borrowed(_)));
    }

    #[test]
    fn xhtml_structure() {
        assert_eq!(xhtml(""), "<xhtml:div/>");
        assert_eq!(xhtml("  \n "), "<xhtml:div/>");
        assert_eq!(xhtml("a<b & c>"), "<xhtml:div><xhtml:p>a&lt;b &amp; c&gt;</xhtml:p></xhtml:div>");
        assert_eq!(
            xhtml("l1\r\nl2\n\n\np2"),
            "<xhtml:div><xhtml:p>l1<xhtml:br/>l2</xhtml:p><xhtml:p>p2</xhtml:p></xhtml:div>"
        );
    }

    #[test]
    fn normalize_is_idempotent() {
        for s in ["", " a ", "a\n\n\n b\r c", "x\u{a0} y", "\n\na\t\tb\n"] {
            let once = normalize_text(s);
            assert_eq!(normalize_text(&once), once);
        }
        assert_eq!(normalize_text("x\u{a0} y"), "x\u{a0} y");
    }
}
