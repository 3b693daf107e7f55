//! A reader of the part of TOML avtrace's files are written in: bare keys, the four kinds
//! of string with TOML's rules for each (escapes, forbidden control characters, the trimmed
//! first newline and line-ending backslashes of multi-line strings), arrays over lines with
//! comments, one-line inline tables, comments and blank lines.
//!
//! The fast lanes (`fast.rs` for program files, `fast_catalog.rs` for instruments and
//! mappings) build on it. Every method either reads exactly what the `toml` crate would, or
//! returns `None`, and the caller hands the whole text to the `toml` crate, which then
//! reports its errors.

use std::borrow::Cow;

use toml::Spanned;

use crate::raw::C;

/// Sets a key once; a second time is a duplicate key, which the `toml` crate reports.
pub(crate) fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// A position in a text. Every method either consumes what it reads and returns `Some`,
/// or returns `None` (the whole text then goes to the `toml` crate, so a half-consumed
/// cursor is never used again).
pub(crate) struct Cursor<'a> {
    /// The text being read.
    pub(crate) s: &'a str,
    /// The byte offset of the next character to read.
    pub(crate) at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        Cursor { s, at: 0 }
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.s[self.at..]
    }

    /// The rest as bytes. The scanning below works on bytes: everything it stops at is
    /// ASCII, so `at` stays on a character boundary, and it skips the boundary check that
    /// slicing a `str` makes at every step.
    fn rest_bytes(&self) -> &'a [u8] {
        self.s.as_bytes().get(self.at..).unwrap_or_default()
    }

    pub(crate) fn eat(&mut self, token: &str) -> bool {
        let hit = self.rest_bytes().starts_with(token.as_bytes());
        if hit {
            self.at += token.len();
        }
        hit
    }

    /// Spaces and tabs.
    pub(crate) fn blanks(&mut self) {
        // Mostly none or one: a plain loop, not an iterator set up for a run.
        let bytes = self.s.as_bytes();
        while let Some(b' ' | b'\t') = bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The `=` between a key and its value, with the blanks around it. `key = value`, as
    /// nearly every file spells it, is taken in one test; other spacing the long way.
    pub(crate) fn equals_sign(&mut self) -> Option<()> {
        if !self.eat(" = ") {
            self.blanks();
            if !self.eat("=") {
                return None;
            }
        }
        self.blanks();
        Some(())
    }

    /// A line break: LF or CRLF.
    pub(crate) fn newline(&mut self) -> bool {
        let used = match self.rest_bytes() {
            [b'\n', ..] => 1,
            [b'\r', b'\n', ..] => 2,
            _ => return false,
        };
        self.at += used;
        true
    }

    /// A comment up to (not including) the line break; TOML forbids control characters
    /// other than tab in it.
    pub(crate) fn comment(&mut self) -> Option<()> {
        let rest = self.rest_bytes();
        if rest.first() != Some(&b'#') {
            return Some(());
        }
        let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        let body = line.strip_suffix(b"\r").unwrap_or(line);
        if has_forbidden(body, false) {
            return None;
        }
        self.at += body.len();
        Some(())
    }

    /// Blanks, an optional comment and the line break (or the end of the piece) after a
    /// header or a value.
    pub(crate) fn end_of_line(&mut self) -> Option<()> {
        // Most values end their line at once.
        if self.s.as_bytes().get(self.at) == Some(&b'\n') {
            self.at += 1;
            return Some(());
        }
        self.blanks();
        self.comment()?;
        (self.at == self.s.len() || self.newline()).then_some(())
    }

    /// Blank lines and comment lines: between tables and keys, and between the items of an
    /// array.
    pub(crate) fn blanks_and_comments(&mut self) -> Option<()> {
        // A byte at a time, each telling what comes: mostly the next key at once.
        let bytes = self.s.as_bytes();
        loop {
            match bytes.get(self.at) {
                Some(b' ' | b'\t' | b'\n') => self.at += 1,
                Some(b'\r') if bytes.get(self.at + 1) == Some(&b'\n') => self.at += 2,
                // Up to its line break, which the next turn reads.
                Some(b'#') => self.comment()?,
                _ => return Some(()),
            }
        }
    }

    pub(crate) fn bare_key(&mut self) -> Option<&'a str> {
        let rest = self.rest_bytes();
        let end = rest.iter().position(|&b| !BARE_KEY[usize::from(b)]).unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        let key = self.s.get(self.at..self.at + end)?;
        self.at += end;
        Some(key)
    }

    /// A string of any of TOML's four kinds, with the span of its literal (quotes included).
    pub(crate) fn string(&mut self) -> Option<Spanned<String>> {
        let value = self.borrowed_string()?;
        Some(Spanned::new(value.span(), value.into_inner().into_owned()))
    }

    /// Like [`Cursor::string`], borrowed from the piece when it holds no escape.
    pub(crate) fn borrowed_string(&mut self) -> Option<C<'a>> {
        let start = self.at;
        let value = self.string_value()?;
        Some(Spanned::new(start..self.at, value))
    }

    /// A string's value, borrowed from the piece when it holds no escape.
    pub(crate) fn string_value(&mut self) -> Option<Cow<'a, str>> {
        self.string_of_kind(true)
    }

    /// Like [`Cursor::string_value`], declining the multi-line kinds (the only strings the
    /// subset takes inside an inline table).
    pub(crate) fn one_line_string_value(&mut self) -> Option<Cow<'a, str>> {
        self.string_of_kind(false)
    }

    /// A string, told by its first bytes: one test per kind, not a prefix match each.
    #[inline]
    fn string_of_kind(&mut self, multi_line: bool) -> Option<Cow<'a, str>> {
        // Most strings (ids, statuses, references, attribute values) are one-line basic
        // strings without an escape: read in line, the rest through the call below.
        let bytes = self.s.as_bytes();
        if bytes.get(self.at) == Some(&b'"')
            && let Some(body) = bytes.get(self.at + 1..)
            && body.first() != Some(&b'"')
            && let Some(stop) = basic_run(body)
            && body[stop] == b'"'
            && let Some(value) = self.s.get(self.at + 1..self.at + 1 + stop)
        {
            self.at += stop + 2;
            return Some(Cow::Borrowed(value));
        }
        self.any_string(multi_line)
    }

    /// A string of any kind (multi-line ones only with `multi_line`), with its escapes.
    fn any_string(&mut self, multi_line: bool) -> Option<Cow<'a, str>> {
        let rest = self.rest();
        let (value, used) = match rest.as_bytes() {
            [b'"', b'"', b'"', ..] if multi_line => {
                let (value, used) = multi_line_basic(&rest[3..])?;
                (value, 3 + used)
            }
            [b'\'', b'\'', b'\'', ..] if multi_line => {
                let (value, used) = multi_line_literal(&rest[3..])?;
                (Cow::Borrowed(value), 3 + used)
            }
            [b'"', b'"', b'"', ..] | [b'\'', b'\'', b'\'', ..] => return None,
            [b'"', ..] => {
                let (value, used) = basic(&rest[1..])?;
                (value, 1 + used)
            }
            [b'\'', ..] => {
                let body = &rest[1..];
                let end = memchr::memchr2(b'\'', b'\n', body.as_bytes())?;
                let value = &body[..end];
                if body.as_bytes()[end] != b'\'' || has_forbidden(value.as_bytes(), false) {
                    return None;
                }
                (Cow::Borrowed(value), 1 + end + 1)
            }
            _ => return None,
        };
        self.at += used;
        Some(value)
    }

    /// An array of `item`s, over any number of lines, with an optional trailing comma.
    pub(crate) fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
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
    pub(crate) fn inline_table<T>(
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
            self.equals_sign()?;
            pairs.push((key, value(self)?));
            // `, ` as nearly every file spells it, in one test; other spacing the long way.
            match self.rest_bytes() {
                [b',', b' ', ..] => self.at += 2,
                [b',', ..] => self.at += 1,
                _ => {
                    self.blanks();
                    if self.eat("}") {
                        return Some(());
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
        }
    }

    /// A string that is not multi-line (the only kind the subset takes inside an inline
    /// table).
    pub(crate) fn one_line_string(&mut self) -> Option<Spanned<String>> {
        let start = self.at;
        let value = self.one_line_string_value()?;
        Some(Spanned::new(start..self.at, value.into_owned()))
    }
}

/// TOML forbids control characters other than tab in strings (and newlines outside the
/// multi-line kinds).
pub(crate) fn forbidden(c: char) -> bool {
    (c < ' ' && c != '\t') || c == '\u{7f}'
}

/// Whether `bytes` hold a character [`forbidden`] in a string (a line feed is allowed with
/// `line_feeds`, for the multi-line kinds). The characters are ASCII, and no byte of a
/// multi-byte UTF-8 character is below 0x80, so bytes tell. Written without an early exit
/// so that it compiles to vector code: the strings it scans are mostly clean.
fn has_forbidden(bytes: &[u8], line_feeds: bool) -> bool {
    bytes
        .iter()
        .fold(false, |found, &b| found | ((b < b' ') & (b != b'\t') & !(line_feeds & (b == b'\n'))) | (b == 0x7f))
}

/// The bytes of a bare key: ASCII letters and digits, `_` and `-`.
static BARE_KEY: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    table
};

/// The bytes that end the plain run of a one-line basic string: the closing quote, a
/// backslash, and every character [`forbidden`] there (a line feed included).
static ENDS_BASIC_RUN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b == b'"' as usize || b == b'\\' as usize || (b < 0x20 && b != b'\t' as usize) || b == 0x7f;
        b += 1;
    }
    table
};

/// A one-line basic string's body (after the opening quote): its value and the bytes used,
/// closing quote included.
fn basic(body: &str) -> Option<(Cow<'_, str>, usize)> {
    let bytes = body.as_bytes();
    // The first byte that ends the plain run; a tab is stopped at and passed over, as rare
    // in strings as it is allowed.
    let mut from = 0;
    let stop = loop {
        let stop = from + basic_run(bytes.get(from..)?)?;
        if bytes[stop] != b'\t' {
            break stop;
        }
        from = stop + 1;
    };
    match bytes[stop] {
        b'"' => return Some((Cow::Borrowed(&body[..stop]), stop + 1)),
        b'\\' => {}
        // A control character TOML forbids in a string.
        _ => return None,
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

/// Where the plain run of a one-line basic string's `bytes` ends: the first closing quote,
/// backslash or control character (a tab included, which the caller passes over), or
/// `None` if there is none. Eight bytes per test: most strings are a few words, and a byte at
/// a time through a table costs a load and a branch for each.
#[inline]
fn basic_run(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Bytes equal to zero, or below `n` (at most 0x80), have their high bit set here. A
    // borrow can only set a higher byte's bit above a true hit, so the lowest is exact.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & HIGHS;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else { break };
        let word = u64::from_le_bytes(word);
        let hits = zero(word ^ (ONES * u64::from(b'"')))
            | zero(word ^ (ONES * u64::from(b'\\')))
            | zero(word ^ (ONES * 0x7f))
            | below(word, b' ');
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = bytes.get(at..)?;
    tail.iter().position(|&b| ENDS_BASIC_RUN[usize::from(b)] || b == b'\t').map(|p| at + p)
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
    // memchr and a look at the next two bytes: building a memmem searcher for every string
    // costs more than the search.
    let mut at = from;
    let at = loop {
        at += memchr::memchr(quote, bytes.get(at..)?)?;
        if bytes.get(at..at + 3) == Some(&[quote; 3][..]) {
            break at;
        }
        at += 1;
    };
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
    if has_forbidden(value.as_bytes(), true) {
        return None;
    }
    Some((value.strip_prefix('\n').unwrap_or(value), used))
}

/// A multi-line basic string's body (after `"""`): its value and the bytes used.
fn multi_line_basic(body: &str) -> Option<(Cow<'_, str>, usize)> {
    // The closing delimiter is the first `"""` not escaped; an escaped quote can only
    // precede it when a backslash is in the string, which the slow path below handles.
    let bytes = body.as_bytes();
    let first_special = memchr::memchr2(b'\\', b'"', bytes);
    if has_forbidden(&bytes[..first_special.unwrap_or(bytes.len())], true) {
        return None;
    }
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

/// Strings as the fast lanes' property tests write them.
#[cfg(test)]
pub(crate) mod testing {
    use super::forbidden;
    use proptest::prelude::*;
    use toml::Spanned;

    /// The same text at the same place: how a fast lane's value must match the `toml` crate's.
    pub(crate) fn same_s<T: AsRef<str>>(a: &Spanned<T>, b: &Spanned<T>) -> bool {
        a.get_ref().as_ref() == b.get_ref().as_ref() && a.span() == b.span()
    }

    /// [`same_s`] item by item.
    pub(crate) fn same_list<T: AsRef<str>>(a: &[Spanned<T>], b: &[Spanned<T>]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_s(x, y))
    }

    /// [`same_s`], or both absent.
    pub(crate) fn same_opt<T: AsRef<str>>(a: &Option<Spanned<T>>, b: &Option<Spanned<T>>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) => same_s(x, y),
            _ => false,
        }
    }

    /// The body of a string: any printable character, quotes, backslashes, tabs, line
    /// breaks and the control characters TOML forbids.
    pub(crate) fn value() -> impl Strategy<Value = String> {
        "(\\PC|[\"'\\\\\t\u{7f}\u{1}\n\r ]){0,12}"
    }

    /// A basic string's body holding `v`: quotes, backslashes and control characters
    /// escaped, except line breaks in a multi-line string.
    pub(crate) fn escaped(v: &str, multi_line: bool) -> String {
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
    pub(crate) fn literal(v: &str, kind: u8) -> String {
        match kind {
            0 if !v.contains(['\'', '\n', '\r']) && !v.chars().any(forbidden) => format!("'{v}'"),
            1 if !v.contains("'") && !v.contains('\r') && !v.chars().any(|c| forbidden(c) && c != '\n') => {
                format!("'''\n{v}'''")
            }
            2 => format!("\"\"\"\n{}\"\"\"", escaped(v, true)),
            _ => format!("\"{}\"", escaped(v, false)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ENDS_BASIC_RUN, basic_run};
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time scan stops where a byte-at-a-time one does, for any bytes at
        /// any offset: the special ones, their neighbours, and bytes with the high bit set.
        #[test]
        fn the_word_scan_stops_where_the_byte_scan_does(
            bytes in prop::collection::vec(prop_oneof![
                Just(b'"'), Just(b'\\'), Just(b'\t'), Just(b'\n'), Just(0x7f), Just(0x1f), Just(0x20),
                Just(0x21), Just(0x5b), Just(0x5d), Just(0x7e), Just(0x80), Just(0xff), Just(0), any::<u8>(),
                Just(b'a'), Just(b'a'), Just(b'a'), Just(b'a'), Just(b'a'), Just(b'a'), Just(b'a'),
            ], 0..40),
        ) {
            let byte_at_a_time = bytes.iter().position(|&b| ENDS_BASIC_RUN[usize::from(b)] || b == b'\t');
            prop_assert_eq!(basic_run(&bytes), byte_at_a_time);
        }
    }
}
