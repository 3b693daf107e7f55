//! A fast lane for the common shape of large program files: runs of `[[requirements]]`
//! tables whose values are one-line basic strings, one-line arrays of them, or (for `attrs`)
//! one-line inline tables of them with bare keys.
//!
//! The `toml` crate spends most of a large program's load time building its document tree.
//! This reader handles exactly the subset above, with TOML's rules for basic strings
//! (escapes, forbidden control characters), and gives up (`None`) on anything else — other
//! keys, literal or multi-line strings, multi-line arrays, duplicate keys, a missing `id` or
//! `title` — so that the `toml` crate parses that piece and reports its errors. What it
//! accepts it reads exactly as the `toml` crate would, spans included (a property test
//! compares the two).

use toml::Spanned;

use crate::raw::RawRequirement;

/// The requirements of `piece` (a slice of a program file holding only `[[requirements]]`
/// tables, comments and blank lines), with spans relative to the piece; `None` when the
/// piece steps outside the subset.
pub(crate) fn requirements(piece: &str) -> Option<Vec<RawRequirement>> {
    let mut out = Vec::new();
    let mut current: Option<Table> = None;
    let mut offset = 0;
    for line in piece.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        // A line ends in LF or CRLF; a CR anywhere else is not TOML's.
        let content = match line.strip_suffix('\n') {
            Some(l) => l.strip_suffix('\r').unwrap_or(l),
            None => line,
        };
        if content.contains('\r') {
            return None;
        }
        let body = content.trim_start_matches([' ', '\t']);
        let indent = content.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            if body.starts_with('#') && has_forbidden_comment_char(body) {
                return None;
            }
            continue;
        }
        if body.starts_with('[') {
            if after_value(body, "[[requirements]]".len())? != body.len() || !body.starts_with("[[requirements]]") {
                return None;
            }
            if let Some(table) = current.take() {
                out.push(table.finish()?);
            }
            current = Some(Table::default());
            continue;
        }
        let table = current.as_mut()?;
        table.line(body, start + indent)?;
    }
    out.push(current?.finish()?);
    Some(out)
}

/// A `[[requirements]]` table being read.
#[derive(Default)]
struct Table {
    id: Option<Spanned<String>>,
    title: Option<String>,
    text: Option<String>,
    status: Option<Spanned<String>>,
    parent: Option<Spanned<String>>,
    attrs: Option<avtrace_model::Attrs>,
    satisfies: Option<Vec<Spanned<String>>>,
    verified_by: Option<Vec<Spanned<String>>>,
    source: Option<String>,
}

impl Table {
    /// Reads `key = value` (with an optional comment) starting at byte `at` of the piece.
    fn line(&mut self, body: &str, at: usize) -> Option<()> {
        let key_end = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
        let key = &body[..key_end];
        let rest = body[key_end..].trim_start_matches([' ', '\t']);
        let rest = rest.strip_prefix('=')?;
        let value_start = body.len() - rest.len() + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
        let value = &body[value_start..];
        let base = at + value_start;
        let end = match key {
            "satisfies" | "verified_by" => {
                let (items, end) = array(value, base)?;
                match key {
                    "satisfies" => set(&mut self.satisfies, items)?,
                    _ => set(&mut self.verified_by, items)?,
                }
                end
            }
            "attrs" => {
                let (table, end) = inline_table(value, base)?;
                set(&mut self.attrs, table)?;
                end
            }
            "id" | "title" | "text" | "status" | "parent" | "source" => {
                let (s, end) = basic_string(value, base)?;
                match key {
                    "id" => set(&mut self.id, s)?,
                    "title" => set(&mut self.title, s.into_inner())?,
                    "text" => set(&mut self.text, s.into_inner())?,
                    "status" => set(&mut self.status, s)?,
                    "parent" => set(&mut self.parent, s)?,
                    _ => set(&mut self.source, s.into_inner())?,
                }
                end
            }
            _ => return None,
        };
        (after_value(value, end - base)? == value.len()).then_some(())
    }

    fn finish(self) -> Option<RawRequirement> {
        Some(RawRequirement {
            id: self.id?,
            title: self.title?,
            text: self.text.unwrap_or_default(),
            status: self.status,
            parent: self.parent,
            links: Vec::new(),
            attrs: crate::raw::RawAttrs { parsed: Default::default(), strings: self.attrs },
            satisfies: self.satisfies.unwrap_or_default(),
            verified_by: self.verified_by.unwrap_or_default(),
            source: self.source,
        })
    }
}

/// Sets a key once; a second time is a duplicate key, which the `toml` crate reports.
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// Where the line ends after a value that ends at `end`: trailing blanks and an optional
/// comment are fine, anything else is not (`None`).
fn after_value(line: &str, end: usize) -> Option<usize> {
    let rest = line.get(end..)?;
    let trimmed = rest.trim_start_matches([' ', '\t']);
    if trimmed.is_empty() {
        return Some(line.len());
    }
    (trimmed.starts_with('#') && !has_forbidden_comment_char(trimmed)).then_some(line.len())
}

/// TOML forbids control characters other than tab in comments.
fn has_forbidden_comment_char(comment: &str) -> bool {
    comment.chars().any(|c| (c < ' ' && c != '\t') || c == '\u{7f}')
}

/// A one-line array of basic strings at the start of `s` (which starts at byte `base` of the
/// piece): the strings with their spans, and the byte after `]`.
fn array(s: &str, base: usize) -> Option<(Vec<Spanned<String>>, usize)> {
    let mut rest = s.strip_prefix('[')?;
    let mut items = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if let Some(after) = rest.strip_prefix(']') {
            return Some((items, base + s.len() - after.len()));
        }
        let at = base + s.len() - rest.len();
        let (item, end) = basic_string(rest, at)?;
        items.push(item);
        rest = s.get(end - base..)?.trim_start_matches([' ', '\t']);
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else if !rest.starts_with(']') {
            return None;
        }
    }
}

/// A one-line inline table of basic strings with bare keys at the start of `s` (which
/// starts at byte `base`): `{ asil = "B", owner = "ADAS" }`, as compact attributes in key
/// order, and the byte after `}`. Dotted or quoted keys, other value types and repeated keys
/// decline (`None`).
fn inline_table(s: &str, base: usize) -> Option<(avtrace_model::Attrs, usize)> {
    let mut rest = s.strip_prefix('{')?;
    let mut pairs: Vec<(&str, std::borrow::Cow<'_, str>)> = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if let Some(after) = rest.strip_prefix('}') {
            // TOML 1.0 has no trailing comma in inline tables: `{ a = "x", }` is the
            // `toml` crate's to judge.
            if !pairs.is_empty() && s[..s.len() - rest.len()].trim_end_matches([' ', '\t']).ends_with(',') {
                return None;
            }
            pairs.sort_by(|a, b| a.0.cmp(b.0));
            if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
                return None;
            }
            let attrs = avtrace_model::Attrs::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_ref())));
            return Some((attrs, base + s.len() - after.len()));
        }
        let key_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
        if key_end == 0 {
            return None;
        }
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start_matches([' ', '\t']).strip_prefix('=')?.trim_start_matches([' ', '\t']);
        let at = base + s.len() - rest.len();
        let (value, end) = basic_cow(rest, at)?;
        pairs.push((key, value));
        rest = s.get(end - base..)?.trim_start_matches([' ', '\t']);
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
            if rest.trim_start_matches([' ', '\t']).starts_with('}') {
                return None;
            }
        } else if !rest.starts_with('}') {
            return None;
        }
    }
}

/// A one-line basic string at the start of `s` (which starts at byte `base`): its value
/// with the span of the literal (quotes included), and the byte after the closing quote.
fn basic_string(s: &str, base: usize) -> Option<(Spanned<String>, usize)> {
    // A value with no escape is copied in one piece, at its exact size, since a million
    // requirements' worth of spare capacity is real memory.
    let (value, end) = basic_cow(s, base)?;
    Some((Spanned::new(base..end, value.into_owned()), end))
}

/// The value of a one-line basic string at the start of `s` (which starts at byte `base`),
/// borrowed from `s` when it holds no escape, and the byte after the closing quote.
fn basic_cow(s: &str, base: usize) -> Option<(std::borrow::Cow<'_, str>, usize)> {
    let body = s.strip_prefix('"')?;
    if body.starts_with("\"\"") {
        return None;
    }
    let plain = body.bytes().position(|b| b == b'"' || b == b'\\' || b < b' ' || b == 0x7f)?;
    if body.as_bytes()[plain] == b'"' {
        return Some((std::borrow::Cow::Borrowed(&body[..plain]), base + 1 + plain + 1));
    }
    let mut value = String::with_capacity(body.len().min(256));
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let end = base + 1 + i + 1;
                value.shrink_to_fit();
                return Some((std::borrow::Cow::Owned(value), end));
            }
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'b' => value.push('\u{8}'),
                    't' => value.push('\t'),
                    'n' => value.push('\n'),
                    'f' => value.push('\u{c}'),
                    'r' => value.push('\r'),
                    'e' => value.push('\u{1b}'),
                    '"' => value.push('"'),
                    '\\' => value.push('\\'),
                    'u' | 'U' => {
                        let digits = if e == 'u' { 4 } else { 8 };
                        let mut code = 0u32;
                        for _ in 0..digits {
                            let (_, d) = chars.next()?;
                            code = code * 16 + d.to_digit(16)?;
                        }
                        value.push(char::from_u32(code)?);
                    }
                    _ => return None,
                }
            }
            c if (c < ' ' && c != '\t') || c == '\u{7f}' => return None,
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Piece {
        requirements: Vec<RawRequirement>,
    }

    /// The fast lane's compact attributes (`a`) hold exactly the string values the `toml`
    /// crate read (`b`), in key order.
    fn same_attrs(a: &crate::raw::RawAttrs, b: &crate::raw::RawAttrs) -> bool {
        let fast: Vec<(String, String)> = match &a.strings {
            Some(attrs) => attrs.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            None => return a.parsed.is_empty() && b.parsed.is_empty(),
        };
        let slow: Vec<(String, String)> =
            b.parsed.iter().filter_map(|(k, v)| v.get_ref().as_str().map(|v| (k.clone(), v.to_owned()))).collect();
        slow.len() == b.parsed.len() && fast == slow
    }

    fn same(a: &RawRequirement, b: &RawRequirement) -> bool {
        a.id.get_ref() == b.id.get_ref()
            && a.id.span() == b.id.span()
            && a.title == b.title
            && a.text == b.text
            && a.status.as_ref().map(|s| (s.get_ref(), s.span())) == b.status.as_ref().map(|s| (s.get_ref(), s.span()))
            && a.satisfies.len() == b.satisfies.len()
            && a.satisfies.iter().zip(&b.satisfies).all(|(x, y)| x.get_ref() == y.get_ref() && x.span() == y.span())
            && a.verified_by.len() == b.verified_by.len()
            && a.verified_by.iter().zip(&b.verified_by).all(|(x, y)| x.get_ref() == y.get_ref() && x.span() == y.span())
            && a.parent.as_ref().map(|p| (p.get_ref(), p.span())) == b.parent.as_ref().map(|p| (p.get_ref(), p.span()))
            && same_attrs(&a.attrs, &b.attrs)
            && a.links.is_empty()
            && b.links.is_empty()
            && a.source == b.source
    }

    /// The fast lane either declines or agrees with the `toml` crate, spans included.
    fn agrees(piece: &str) -> Result<(), TestCaseError> {
        let fast = requirements(piece);
        let slow = toml::from_str::<Piece>(piece);
        match (fast, slow) {
            (None, _) => Ok(()),
            (Some(_), Err(e)) => Err(TestCaseError::fail(format!("accepted what toml refuses ({e}):\n{piece}"))),
            (Some(f), Ok(s)) => {
                prop_assert_eq!(f.len(), s.requirements.len());
                for (a, b) in f.iter().zip(&s.requirements) {
                    prop_assert!(same(a, b), "differs from toml:\n{piece}\nfast: {a:?}\ntoml: {b:?}");
                }
                Ok(())
            }
        }
    }

    #[test]
    fn reads_the_common_shape() {
        let piece = "[[requirements]]\nid = \"R-1\"  # first\ntitle = \"T \\\"q\\\" \\u00e9\"\n\
                     satisfies = [\"A:1\", \"B:2\",]\nverified_by = []\n\n[[requirements]] # two\nid = \"R-2\"\ntitle = \"\"\n";
        let got = requirements(piece).expect("in the subset");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].title, "T \"q\" é");
        assert_eq!(got[0].satisfies[1].get_ref(), "B:2");
        agrees(piece).unwrap();
        agrees("[[requirements]]\r\nid = \"a\\e\"\r\ntitle = \"\\U0001F600\"\r\n").unwrap();
        assert!(requirements("[[requirements]]\r\nid = \"a\"\r\ntitle = \"t\"\r\n").is_some(), "CRLF is TOML");
    }

    #[test]
    fn declines_what_it_does_not_read() {
        for piece in [
            "[[requirements]]\nid = 'literal'\ntitle = \"t\"\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"\"\"multi\"\"\"\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nsatisfies = [\n\"x\"]\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nid = \"b\"\n",
            "[[requirements]]\nid = \"a\"\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nowner = \"me\"\n",
            "[[requirements]]\nid = \"a\\q\"\ntitle = \"t\"\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\" junk\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\r",
            "[program]\n",
        ] {
            assert!(requirements(piece).is_none(), "{piece}");
        }
    }

    fn value() -> impl Strategy<Value = String> {
        "(\\PC|[\"\\\\\t\u{7f}\u{1}\n]){0,12}"
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_toml_on_written_tables(
            rows in prop::collection::vec((value(), value(), value(), prop::collection::vec(value(), 0..3)), 1..4),
            comment in prop::option::of("#[ a-z]{0,5}"),
        ) {
            let mut piece = String::new();
            for (id, title, text, links) in &rows {
                let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
                let list: Vec<String> = links.iter().map(|l| quote(l)).collect();
                piece.push_str("[[requirements]]\n");
                piece.push_str(&format!("id = {}{}\n", quote(id), comment.as_deref().map(|c| format!(" {c}")).unwrap_or_default()));
                piece.push_str(&format!("title = {}\ntext = {}\nsatisfies = [{}]\n", quote(title), quote(text), list.join(", ")));
            }
            agrees(&piece)?;
        }

        #[test]
        fn agrees_with_toml_on_parents_and_attributes(
            rows in prop::collection::vec(
                (value(), value(), prop::collection::vec(("[a-z][a-z0-9_-]{0,5}", value()), 0..4)),
                1..3,
            ),
            pad in "[ ]{0,2}",
        ) {
            let mut piece = String::new();
            for (id, parent, attrs) in &rows {
                let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
                let pairs: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}{pad}={pad}{}", quote(v))).collect();
                piece.push_str(&format!(
                    "[[requirements]]\nid = {}\ntitle = \"t\"\nparent = {}\nattrs = {{{pad}{}{pad}}}\n",
                    quote(id),
                    quote(parent),
                    pairs.join(",")
                ));
            }
            agrees(&piece)?;
        }

        #[test]
        fn agrees_with_toml_on_arbitrary_attribute_lines(line in "attrs ?= ?\\{[^\n]{0,24}\\}[^\n]{0,3}") {
            agrees(&format!("[[requirements]]\nid = \"a\"\ntitle = \"b\"\n{line}\n"))?;
        }

        #[test]
        fn agrees_with_toml_on_arbitrary_lines(lines in prop::collection::vec("[a-z_]{1,8} ?= ?(\"[^\n]{0,10}\"|\\[[^\n]{0,12}\\])[^\n]{0,4}", 0..6)) {
            let piece = format!("[[requirements]]\n{}\n", lines.join("\n"));
            agrees(&piece)?;
        }
    }
}
