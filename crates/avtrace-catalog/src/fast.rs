//! A fast lane for the shape program files take: runs of `[[requirements]]` and
//! `[[evidence]]` tables whose values are strings (basic or literal, one-line or
//! multi-line), arrays of strings (over as many lines as the writer likes, with comments),
//! `attrs` as a one-line inline table of strings, integers and booleans with bare keys, and
//! `links` as an array of one-line `{ kind = "...", to = "..." }` tables.
//!
//! The `toml` crate spends most of a large program's load time building its document tree.
//! This reader handles exactly the subset above, with TOML's rules for each kind of string
//! (escapes, forbidden control characters, the trimmed first newline and line-ending
//! backslashes of multi-line strings), and gives up (`None`) on anything else — other keys,
//! dotted or quoted keys, floats, dates, duplicate keys, a missing `id` or `title`, a carriage
//! return inside a multi-line string — so that the `toml` crate parses that piece and reports
//! its errors. What it accepts it reads exactly as the `toml` crate would, spans included (the
//! property tests below compare the two).

use std::borrow::Cow;

use toml::Spanned;

use crate::raw::{C, RawAttrs, RawEvidence, RawLink, RawRequirement};

/// The tables of a piece, in the order written.
#[derive(Debug, Default)]
pub(crate) struct FastPiece<'a> {
    pub(crate) requirements: Vec<RawRequirement<'a>>,
    pub(crate) evidence: Vec<RawEvidence>,
}

/// The requirements and evidence of `piece` (a slice of a program file holding only
/// `[[requirements]]` and `[[evidence]]` tables, comments and blank lines), with spans
/// relative to the piece; `None` when the piece steps outside the subset.
pub(crate) fn parse(piece: &str) -> Option<FastPiece<'_>> {
    let mut out = FastPiece::default();
    let mut cursor = Cursor { s: piece, at: 0, scratch: Vec::new() };
    let mut current: Option<Table> = None;
    loop {
        cursor.blanks_and_comments()?;
        if cursor.at == piece.len() {
            break;
        }
        if cursor.rest().starts_with('[') {
            let table = if cursor.eat("[[requirements]]") {
                Table::Requirement(RequirementTable::default())
            } else if cursor.eat("[[evidence]]") {
                Table::Evidence(EvidenceTable::default())
            } else {
                return None;
            };
            cursor.end_of_line()?;
            if let Some(done) = current.replace(table) {
                done.finish(&mut out)?;
            }
            continue;
        }
        current.as_mut()?.key_value(&mut cursor)?;
    }
    current?.finish(&mut out)?;
    Some(out)
}

/// A table being read.
#[allow(clippy::large_enum_variant)] // one lives at a time, on the stack
enum Table<'a> {
    Requirement(RequirementTable<'a>),
    Evidence(EvidenceTable),
}

#[derive(Default)]
struct RequirementTable<'a> {
    id: Option<C<'a>>,
    title: Option<Cow<'a, str>>,
    text: Option<Cow<'a, str>>,
    status: Option<C<'a>>,
    parent: Option<C<'a>>,
    links: Option<Vec<RawLink>>,
    attrs: Option<avtrace_model::Attrs>,
    satisfies: Option<Vec<C<'a>>>,
    verified_by: Option<Vec<Spanned<String>>>,
    source: Option<String>,
}

#[derive(Default)]
struct EvidenceTable {
    id: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    title: Option<String>,
    uri: Option<String>,
    junit: Option<String>,
    result: Option<Spanned<String>>,
}

impl<'a> Table<'a> {
    /// Reads `key = value` and the rest of its line.
    fn key_value(&mut self, c: &mut Cursor<'a>) -> Option<()> {
        let key = c.bare_key()?;
        c.blanks();
        if !c.eat("=") {
            return None;
        }
        c.blanks();
        match self {
            Table::Requirement(t) => match key {
                "id" => set(&mut t.id, c.borrowed_string()?)?,
                "title" => set(&mut t.title, c.borrowed_string()?.into_inner())?,
                "text" => set(&mut t.text, c.borrowed_string()?.into_inner())?,
                "status" => set(&mut t.status, c.borrowed_string()?)?,
                "parent" => set(&mut t.parent, c.borrowed_string()?)?,
                "source" => set(&mut t.source, c.string()?.into_inner())?,
                "satisfies" => set(&mut t.satisfies, c.array(Cursor::borrowed_string)?)?,
                "verified_by" => set(&mut t.verified_by, c.array(Cursor::string)?)?,
                "links" => set(&mut t.links, c.array(Cursor::link)?)?,
                "attrs" => set(&mut t.attrs, c.attrs()?)?,
                _ => return None,
            },
            Table::Evidence(t) => match key {
                "id" => set(&mut t.id, c.string()?)?,
                "kind" => set(&mut t.kind, c.string()?)?,
                "title" => set(&mut t.title, c.string()?.into_inner())?,
                "uri" => set(&mut t.uri, c.string()?.into_inner())?,
                "junit" => set(&mut t.junit, c.string()?.into_inner())?,
                "result" => set(&mut t.result, c.string()?)?,
                _ => return None,
            },
        }
        c.end_of_line()
    }

    fn finish(self, out: &mut FastPiece<'a>) -> Option<()> {
        match self {
            Table::Requirement(t) => out.requirements.push(RawRequirement {
                id: t.id?,
                title: t.title?,
                text: t.text.unwrap_or_default(),
                status: t.status,
                parent: t.parent,
                links: t.links.unwrap_or_default(),
                attrs: RawAttrs { parsed: Default::default(), strings: t.attrs },
                satisfies: t.satisfies.unwrap_or_default(),
                verified_by: t.verified_by.unwrap_or_default(),
                source: t.source,
            }),
            Table::Evidence(t) => out.evidence.push(RawEvidence {
                id: t.id?,
                kind: t.kind,
                title: t.title.unwrap_or_default(),
                uri: t.uri,
                junit: t.junit,
                result: t.result,
            }),
        }
        Some(())
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

/// A position in the piece. Every method either consumes what it reads and returns `Some`,
/// or returns `None` (the whole piece then goes to the `toml` crate, so a half-consumed
/// cursor is never used again).
struct Cursor<'a> {
    s: &'a str,
    at: usize,
    /// The pairs of the `attrs` being read, kept between requirements.
    scratch: Vec<(&'a str, Cow<'a, str>)>,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.at..]
    }

    fn eat(&mut self, token: &str) -> bool {
        let hit = self.rest().starts_with(token);
        if hit {
            self.at += token.len();
        }
        hit
    }

    /// Spaces and tabs.
    fn blanks(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start_matches([' ', '\t']).len();
    }

    /// A line break: LF or CRLF.
    fn newline(&mut self) -> bool {
        self.eat("\n") || self.eat("\r\n")
    }

    /// A comment up to (not including) the line break; TOML forbids control characters
    /// other than tab in it.
    fn comment(&mut self) -> Option<()> {
        if !self.rest().starts_with('#') {
            return Some(());
        }
        let line = self.rest().split('\n').next().unwrap_or_default();
        let body = line.strip_suffix('\r').unwrap_or(line);
        if body.chars().any(|c| (c < ' ' && c != '\t') || c == '\u{7f}') {
            return None;
        }
        self.at += body.len();
        Some(())
    }

    /// Blanks, an optional comment and the line break (or the end of the piece) after a
    /// header or a value.
    fn end_of_line(&mut self) -> Option<()> {
        self.blanks();
        self.comment()?;
        (self.at == self.s.len() || self.newline()).then_some(())
    }

    /// Blank lines and comment lines: between tables and keys, and between the items of an
    /// array.
    fn blanks_and_comments(&mut self) -> Option<()> {
        loop {
            self.blanks();
            self.comment()?;
            if !self.newline() {
                return Some(());
            }
        }
    }

    fn bare_key(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        self.at += end;
        Some(&rest[..end])
    }

    /// A string of any of TOML's four kinds, with the span of its literal (quotes included).
    fn string(&mut self) -> Option<Spanned<String>> {
        let value = self.borrowed_string()?;
        Some(Spanned::new(value.span(), value.into_inner().into_owned()))
    }

    /// Like [`Cursor::string`], borrowed from the piece when it holds no escape.
    fn borrowed_string(&mut self) -> Option<C<'a>> {
        let start = self.at;
        let value = self.string_value()?;
        Some(Spanned::new(start..self.at, value))
    }

    /// A string's value, borrowed from the piece when it holds no escape.
    fn string_value(&mut self) -> Option<Cow<'a, str>> {
        let rest = self.rest();
        let (value, used) = if let Some(body) = rest.strip_prefix("\"\"\"") {
            let (value, used) = multi_line_basic(body)?;
            (value, 3 + used)
        } else if let Some(body) = rest.strip_prefix("'''") {
            let (value, used) = multi_line_literal(body)?;
            (Cow::Borrowed(value), 3 + used)
        } else if let Some(body) = rest.strip_prefix('"') {
            let (value, used) = basic(body)?;
            (value, 1 + used)
        } else if let Some(body) = rest.strip_prefix('\'') {
            let end = body.find(['\'', '\n'])?;
            let value = &body[..end];
            if body.as_bytes()[end] != b'\'' || value.chars().any(|c| (c < ' ' && c != '\t') || c == '\u{7f}') {
                return None;
            }
            (Cow::Borrowed(value), 1 + end + 1)
        } else {
            return None;
        };
        self.at += used;
        Some(value)
    }

    /// An array of `item`s, over any number of lines, with an optional trailing comma.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        if !self.eat("[") {
            return None;
        }
        let mut items = Vec::new();
        loop {
            self.blanks_and_comments()?;
            if self.eat("]") {
                return Some(items);
            }
            items.push(item(self)?);
            self.blanks_and_comments()?;
            if !self.eat(",") {
                self.blanks_and_comments()?;
                return self.eat("]").then_some(items);
            }
        }
    }

    /// The pairs of a one-line inline table with bare keys, in the order written, each
    /// value read by `value`. TOML 1.1's multi-line inline tables and trailing commas are
    /// left to the `toml` crate.
    fn inline_table<T>(
        &mut self,
        pairs: &mut Vec<(&'a str, T)>,
        mut value: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<()> {
        if !self.eat("{") {
            return None;
        }
        self.blanks();
        if self.eat("}") {
            return Some(());
        }
        loop {
            self.blanks();
            let key = self.bare_key()?;
            self.blanks();
            if !self.eat("=") {
                return None;
            }
            self.blanks();
            pairs.push((key, value(self)?));
            self.blanks();
            if self.eat("}") {
                return Some(());
            }
            if !self.eat(",") {
                return None;
            }
        }
    }

    /// `{ kind = "...", to = "..." }`.
    fn link(&mut self) -> Option<RawLink> {
        let mut pairs = Vec::with_capacity(2);
        self.inline_table(&mut pairs, Cursor::one_line_string)?;
        let mut kind = None;
        let mut to = None;
        for (key, value) in pairs {
            match key {
                "kind" => set(&mut kind, value)?,
                "to" => set(&mut to, value)?,
                _ => return None,
            }
        }
        Some(RawLink { kind: kind?, to: to? })
    }

    /// A string that is not multi-line (the only kind the subset takes inside an inline
    /// table).
    fn one_line_string(&mut self) -> Option<Spanned<String>> {
        if self.rest().starts_with("\"\"\"") || self.rest().starts_with("'''") {
            return None;
        }
        self.string()
    }

    /// `attrs`: strings, integers and booleans, as compact attributes in key order (numbers
    /// and booleans in the spelling the `toml` crate gives them back, which the subset only
    /// takes when it is the spelling written).
    fn attrs(&mut self) -> Option<avtrace_model::Attrs> {
        // One buffer for every requirement's pairs: a million requirements should not mean
        // a million short-lived vectors.
        let mut pairs = std::mem::take(&mut self.scratch);
        pairs.clear();
        let read = self.inline_table(&mut pairs, |c| {
            if c.rest().starts_with(['"', '\'']) {
                if c.rest().starts_with("\"\"\"") || c.rest().starts_with("'''") {
                    return None;
                }
                return c.string_value();
            }
            let rest = c.rest();
            let end = rest.find([' ', '\t', ',', '}']).unwrap_or(rest.len());
            let word = &rest[..end];
            let canonical = match word {
                "true" | "false" => true,
                _ => word.parse::<i64>().is_ok_and(|n| n.to_string() == word),
            };
            if !canonical {
                return None;
            }
            c.at += end;
            Some(Cow::Borrowed(word))
        });
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        let attrs = (read.is_some() && !pairs.windows(2).any(|w| w[0].0 == w[1].0))
            .then(|| avtrace_model::Attrs::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_ref()))));
        self.scratch = pairs;
        attrs
    }
}

/// TOML forbids control characters other than tab in strings (and newlines outside the
/// multi-line kinds).
fn forbidden(c: char) -> bool {
    (c < ' ' && c != '\t') || c == '\u{7f}'
}

/// A one-line basic string's body (after the opening quote): its value and the bytes used,
/// closing quote included.
fn basic(body: &str) -> Option<(Cow<'_, str>, usize)> {
    let plain = body.bytes().position(|b| b == b'"' || b == b'\\' || b < b' ' || b == 0x7f)?;
    if body.as_bytes()[plain] == b'"' {
        return Some((Cow::Borrowed(&body[..plain]), plain + 1));
    }
    let mut value = String::with_capacity(body.len().min(256));
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                value.shrink_to_fit();
                return Some((Cow::Owned(value), i + 1));
            }
            '\\' => escape(&mut chars, &mut value)?,
            c if forbidden(c) => return None,
            c => value.push(c),
        }
    }
    None
}

/// Reads the escape after a backslash into `value`.
fn escape(chars: &mut std::str::CharIndices<'_>, value: &mut String) -> Option<()> {
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
    Some(())
}

/// Where a multi-line string's closing delimiter (three `quote`s) is in `body`, allowing
/// up to two more quotes just before it to belong to the value: `(end of value, bytes used)`.
fn closing(body: &str, from: usize, quote: u8) -> Option<(usize, usize)> {
    let bytes = body.as_bytes();
    let at = from + memchr::memmem::find(&bytes[from..], &[quote; 3])?;
    let run = bytes[at..].iter().take_while(|&&b| b == quote).count();
    if run > 5 {
        return None;
    }
    Some((at + run - 3, at + run))
}

/// A multi-line literal string's body (after `'''`): its value and the bytes used.
fn multi_line_literal(body: &str) -> Option<(&str, usize)> {
    let (end, used) = closing(body, 0, b'\'')?;
    let value = &body[..end];
    // A carriage return is left to the `toml` crate, whose newline handling is its own.
    if value.chars().any(|c| forbidden(c) && c != '\n') {
        return None;
    }
    Some((value.strip_prefix('\n').unwrap_or(value), used))
}

/// A multi-line basic string's body (after `"""`): its value and the bytes used.
fn multi_line_basic(body: &str) -> Option<(Cow<'_, str>, usize)> {
    // The closing delimiter is the first `"""` not escaped; an escaped quote can only
    // precede it when a backslash is in the string, which the slow path below handles.
    let bytes = body.as_bytes();
    let first_special =
        bytes.iter().position(|&b| b == b'\\' || b == b'"' || (b < b' ' && b != b'\n' && b != b'\t') || b == 0x7f);
    let skip_newline = usize::from(body.starts_with('\n'));
    match first_special {
        // Nothing before `p` needs reading and only quotes lie between `p` and the value's end:
        // the value is the text as written.
        Some(p) if body[p..].starts_with("\"\"\"") => {
            let (end, used) = closing(body, p, b'"')?;
            Some((Cow::Borrowed(&body[skip_newline.min(end)..end]), used))
        }
        Some(p) if matches!(bytes[p], b'"' | b'\\') => multi_line_basic_escaped(body, skip_newline),
        _ => None,
    }
}

/// A multi-line basic string with escapes or lone quotes, read character by character.
fn multi_line_basic_escaped(body: &str, skip_newline: usize) -> Option<(Cow<'_, str>, usize)> {
    let mut value = String::with_capacity(body.len().min(1024));
    let mut chars = body[skip_newline..].char_indices();
    while let Some((i, c)) = chars.next() {
        let at = skip_newline + i;
        match c {
            '"' if body[at..].starts_with("\"\"\"") => {
                let run = body.as_bytes()[at..].iter().take_while(|&&b| b == b'"').count();
                if run > 5 {
                    return None;
                }
                value.extend(std::iter::repeat_n('"', run - 3));
                value.shrink_to_fit();
                return Some((Cow::Owned(value), at + run));
            }
            '\\' => {
                let after = &body[at + 1..];
                let blank = after.len() - after.trim_start_matches([' ', '\t']).len();
                if after[blank..].starts_with('\n') {
                    // A line-ending backslash: the break and all whitespace after it go.
                    let skipped = after.len() - after.trim_start_matches([' ', '\t', '\n']).len();
                    if after[..skipped].contains('\r') {
                        return None;
                    }
                    for _ in 0..after[..skipped].chars().count() {
                        chars.next();
                    }
                } else {
                    escape(&mut chars, &mut value)?;
                }
            }
            c if forbidden(c) && c != '\n' => return None,
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
        #[serde(default)]
        requirements: Vec<RawRequirement<'static>>,
        #[serde(default)]
        evidence: Vec<RawEvidence>,
    }

    /// The fast lane's compact attributes (`a`) hold exactly the values the `toml` crate
    /// read (`b`), in key order, numbers and booleans as the loader spells them.
    fn same_attrs(a: &RawAttrs, b: &RawAttrs) -> bool {
        let fast: Vec<(String, String)> = match &a.strings {
            Some(attrs) => attrs.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            None => return a.parsed.is_empty() && b.parsed.is_empty(),
        };
        let slow: Vec<(String, String)> = b
            .parsed
            .iter()
            .filter_map(|(k, v)| match v.get_ref() {
                toml::Value::String(s) => Some((k.clone(), s.clone())),
                n @ (toml::Value::Integer(_) | toml::Value::Boolean(_)) => Some((k.clone(), n.to_string())),
                _ => None,
            })
            .collect();
        slow.len() == b.parsed.len() && fast == slow
    }

    fn same_s<T: AsRef<str>>(a: &Spanned<T>, b: &Spanned<T>) -> bool {
        a.get_ref().as_ref() == b.get_ref().as_ref() && a.span() == b.span()
    }

    fn same_list<T: AsRef<str>>(a: &[Spanned<T>], b: &[Spanned<T>]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_s(x, y))
    }

    fn same_opt<T: AsRef<str>>(a: &Option<Spanned<T>>, b: &Option<Spanned<T>>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) => same_s(x, y),
            _ => false,
        }
    }

    fn same(a: &RawRequirement, b: &RawRequirement) -> bool {
        same_s(&a.id, &b.id)
            && a.title == b.title
            && a.text == b.text
            && same_opt(&a.status, &b.status)
            && same_list(&a.satisfies, &b.satisfies)
            && same_list(&a.verified_by, &b.verified_by)
            && same_opt(&a.parent, &b.parent)
            && same_attrs(&a.attrs, &b.attrs)
            && a.links.len() == b.links.len()
            && a.links.iter().zip(&b.links).all(|(x, y)| same_s(&x.kind, &y.kind) && same_s(&x.to, &y.to))
            && a.source == b.source
    }

    fn same_evidence(a: &RawEvidence, b: &RawEvidence) -> bool {
        same_s(&a.id, &b.id)
            && same_opt(&a.kind, &b.kind)
            && a.title == b.title
            && a.uri == b.uri
            && a.junit == b.junit
            && same_opt(&a.result, &b.result)
    }

    /// The fast lane either declines or agrees with the `toml` crate, spans included.
    fn agrees(piece: &str) -> Result<(), TestCaseError> {
        let fast = parse(piece);
        let slow = toml::from_str::<Piece>(piece);
        match (fast, slow) {
            (None, _) => Ok(()),
            (Some(_), Err(e)) => Err(TestCaseError::fail(format!("accepted what toml refuses ({e}):\n{piece}"))),
            (Some(f), Ok(s)) => {
                prop_assert_eq!(f.requirements.len(), s.requirements.len());
                prop_assert_eq!(f.evidence.len(), s.evidence.len());
                for (a, b) in f.requirements.iter().zip(&s.requirements) {
                    prop_assert!(same(a, b), "differs from toml:\n{piece}\nfast: {a:?}\ntoml: {b:?}");
                }
                for (a, b) in f.evidence.iter().zip(&s.evidence) {
                    prop_assert!(same_evidence(a, b), "differs from toml:\n{piece}\nfast: {a:?}\ntoml: {b:?}");
                }
                Ok(())
            }
        }
    }

    /// `piece` is read by the fast lane, as the `toml` crate reads it.
    fn accepted(piece: &str) {
        assert!(parse(piece).is_some(), "declined:\n{piece}");
        agrees(piece).unwrap();
    }

    #[test]
    fn reads_the_common_shape() {
        let piece = "[[requirements]]\nid = \"R-1\"  # first\ntitle = \"T \\\"q\\\" \\u00e9\"\n\
                     satisfies = [\"A:1\", \"B:2\",]\nverified_by = []\n\n[[requirements]] # two\nid = \"R-2\"\ntitle = \"\"\n";
        let got = parse(piece).expect("in the subset").requirements;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].title, "T \"q\" é");
        assert_eq!(got[0].satisfies[1].get_ref(), "B:2");
        agrees(piece).unwrap();
        agrees("[[requirements]]\r\nid = \"a\\e\"\r\ntitle = \"\\U0001F600\"\r\n").unwrap();
        assert!(parse("[[requirements]]\r\nid = \"a\"\r\ntitle = \"t\"\r\n").is_some(), "CRLF is TOML");
    }

    #[test]
    fn reads_real_text_links_attributes_and_evidence() {
        accepted("[[requirements]]\nid = 'R-1'\ntitle = \"t\"\ntext = \"\"\"\nThe system shall\nwarn.\"\"\"\n");
        accepted("[[requirements]]\nid = \"R-1\"\ntitle = \"t\"\ntext = '''\n  raw \\ text\n'''\n");
        accepted("[[requirements]]\nid = \"R\"\ntitle = \"t\"\ntext = \"\"\"a \\\n   b \\t \"q\" \"\"\"\"\n");
        accepted(
            "[[requirements]]\nid = \"R\"\ntitle = \"t\"\nsatisfies = [\n  \"A:1\", # why\n  \"B:2\",\n]\n\
             links = [{ kind = \"refines\", to = \"S-1\" }, {to='S-2',kind=\"verifies\"}]\n\
             attrs = { asil = \"B\", level = 3, safety = true, owner = 'x' }\n",
        );
        accepted("[[evidence]]\nid = \"TC-1\"\nkind = \"test\"\njunit = \"a.b::c\"\n\n[[evidence]]\nid = \"A-1\"\n");
    }

    #[test]
    fn declines_what_it_does_not_read() {
        for piece in [
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nid = \"b\"\n",
            "[[requirements]]\nid = \"a\"\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nowner = \"me\"\n",
            "[[requirements]]\nid = \"a\\q\"\ntitle = \"t\"\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\" junk\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\r",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nattrs = { x = 1.5 }\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nattrs = { x = 01 }\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nattrs = { x = \"1\", }\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\ntext = \"\"\"a\r\nb\"\"\"\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nlinks = [{ kind = \"k\" }]\n",
            "[[requirements]]\ntitle = \"t\"\na.b = \"x\"\n",
            "[program]\n",
            "name = \"x\"\n[[requirements]]\nid = \"a\"\ntitle = \"t\"\n",
        ] {
            assert!(parse(piece).is_none(), "{piece}");
        }
    }

    fn value() -> impl Strategy<Value = String> {
        "(\\PC|[\"'\\\\\t\u{7f}\u{1}\n\r ]){0,12}"
    }

    /// A basic string's body holding `v`: quotes, backslashes and control characters
    /// escaped, except line breaks in a multi-line string.
    fn escaped(v: &str, multi_line: bool) -> String {
        let mut out = String::new();
        for c in v.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' if multi_line => out.push('\n'),
                '\t' => out.push('\t'),
                c if c < ' ' || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out
    }

    /// A string literal of one of TOML's four kinds holding `v` (a basic one when the kind
    /// asked for cannot hold it).
    fn literal(v: &str, kind: u8) -> String {
        match kind {
            0 if !v.contains(['\'', '\n', '\r']) && !v.chars().any(forbidden) => format!("'{v}'"),
            1 if !v.contains("'") && !v.contains('\r') && !v.chars().any(|c| forbidden(c) && c != '\n') => {
                format!("'''\n{v}'''")
            }
            2 => format!("\"\"\"\n{}\"\"\"", escaped(v, true)),
            _ => format!("\"{}\"", escaped(v, false)),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_toml_on_written_tables(
            rows in prop::collection::vec(
                (value(), 0u8..4, value(), 0u8..4, value(), 0u8..4, prop::collection::vec(value(), 0..3), any::<bool>()),
                1..4,
            ),
            comment in prop::option::of("#[ a-z]{0,5}"),
        ) {
            let mut piece = String::new();
            for (id, ik, title, tk, text, xk, links, multi) in &rows {
                let list: Vec<String> = links.iter().map(|l| literal(l, 3)).collect();
                let sep = if *multi { ",\n  " } else { ", " };
                piece.push_str("[[requirements]]\n");
                piece.push_str(&format!("id = {}{}\n", literal(id, if *ik == 0 { 0 } else { 3 }), comment.as_deref().map(|c| format!(" {c}")).unwrap_or_default()));
                piece.push_str(&format!("title = {}\ntext = {}\nsatisfies = [{}]\n", literal(title, *tk), literal(text, *xk), list.join(sep)));
            }
            agrees(&piece)?;
        }

        #[test]
        fn agrees_with_toml_on_parents_attributes_and_links(
            rows in prop::collection::vec(
                (value(), value(), prop::collection::vec(("[a-z][a-z0-9_-]{0,5}", value(), 0u8..3), 0..4), prop::collection::vec((value(), value()), 0..3)),
                1..3,
            ),
            pad in "[ ]{0,2}",
        ) {
            let mut piece = String::new();
            for (id, parent, attrs, links) in &rows {
                let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
                let pairs: Vec<String> = attrs.iter().map(|(k, v, kind)| {
                    let v = match kind {
                        0 => quote(v),
                        1 => v.len().to_string(),
                        _ => (v.len() % 2 == 0).to_string(),
                    };
                    format!("{k}{pad}={pad}{v}")
                }).collect();
                let links: Vec<String> = links.iter().map(|(k, t)| format!("{{ kind = {}, to = {} }}", quote(k), quote(t))).collect();
                piece.push_str(&format!(
                    "[[requirements]]\nid = {}\ntitle = \"t\"\nparent = {}\nattrs = {{{pad}{}{pad}}}\nlinks = [{}]\n",
                    quote(id),
                    quote(parent),
                    pairs.join(","),
                    links.join(",\n"),
                ));
            }
            agrees(&piece)?;
        }

        #[test]
        fn agrees_with_toml_on_evidence(rows in prop::collection::vec((value(), value(), 0u8..4), 1..3)) {
            let mut piece = String::new();
            for (id, title, kind) in &rows {
                piece.push_str(&format!("[[evidence]]\nid = {}\ntitle = {}\nresult = \"passed\"\n", literal(id, 3), literal(title, *kind)));
            }
            agrees(&piece)?;
        }

        #[test]
        fn agrees_with_toml_on_arbitrary_strings(body in "(\\PC|[\"'\\\\\t\n\r ]){0,16}", kind in 0u8..4) {
            let open = ["'", "'''", "\"\"\"", "\""][kind as usize];
            agrees(&format!("[[requirements]]\nid = \"a\"\ntitle = {open}{body}{open}\n"))?;
        }

        #[test]
        fn agrees_with_toml_on_arbitrary_attribute_lines(line in "attrs ?= ?\\{[^\n]{0,24}\\}[^\n]{0,3}") {
            agrees(&format!("[[requirements]]\nid = \"a\"\ntitle = \"b\"\n{line}\n"))?;
        }

        #[test]
        fn agrees_with_toml_on_arbitrary_lines(lines in prop::collection::vec("[a-z_]{1,8} ?= ?(\"[^\n]{0,10}\"|\\[[^\n]{0,12}\\]|'[^\n]{0,6}')[^\n]{0,4}", 0..6)) {
            let piece = format!("[[requirements]]\n{}\n", lines.join("\n"));
            agrees(&piece)?;
        }
    }
}
