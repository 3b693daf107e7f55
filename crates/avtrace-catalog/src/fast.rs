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
//! property tests below compare the two). The reading of strings, arrays and inline tables
//! is `cursor.rs`'s, shared with the catalog's fast lane.

use std::borrow::Cow;

use toml::Spanned;

use crate::cursor::{Cursor, set};
use crate::raw::{C, RawAttrs, RawEvidence, RawLink, RawRequirement, Tables};

/// Hands the requirements and evidence of `piece` (a slice of a program file holding only
/// `[[requirements]]` and `[[evidence]]` tables, comments and blank lines) to `out`, each
/// table as soon as it ends, with spans relative to the piece. `None` when the piece steps
/// outside the subset: the tables already handed over are then to be dropped, and the
/// piece read by the `toml` crate.
pub(crate) fn read<'a>(piece: &'a str, out: &mut impl Tables<'a>) -> Option<()> {
    let mut cursor = Cursor::new(piece);
    let mut scratch = Scratch::default();
    let mut current: Option<Table> = None;
    loop {
        cursor.blanks_and_comments()?;
        if cursor.at == piece.len() {
            break;
        }
        if cursor.rest().starts_with('[') {
            // The table before is handed over first, so that the next is made in its place
            // rather than beside it and moved there. (If this header is not one the lane
            // reads, the whole piece is declined anyway.)
            if let Some(done) = current.take() {
                done.finish(out)?;
            }
            current = Some(if cursor.eat("[[requirements]]") {
                Table::Requirement(RequirementTable::default())
            } else if cursor.eat("[[evidence]]") {
                Table::Evidence(EvidenceTable::default())
            } else {
                return None;
            });
            cursor.end_of_line()?;
            continue;
        }
        current.as_mut()?.key_value(&mut cursor, &mut scratch)?;
    }
    current?.finish(out)
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
    verified_by: Option<Vec<C<'a>>>,
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
    fn key_value(&mut self, c: &mut Cursor<'a>, scratch: &mut Scratch<'a>) -> Option<()> {
        let key = c.bare_key()?;
        c.equals_sign()?;
        match self {
            Table::Requirement(t) => match key {
                "id" => set(&mut t.id, c.borrowed_string()?)?,
                "title" => set(&mut t.title, c.borrowed_string()?.into_inner())?,
                "text" => set(&mut t.text, c.borrowed_string()?.into_inner())?,
                "status" => set(&mut t.status, c.borrowed_string()?)?,
                "parent" => set(&mut t.parent, c.borrowed_string()?)?,
                "source" => set(&mut t.source, c.string()?.into_inner())?,
                "satisfies" => set(&mut t.satisfies, c.array(Cursor::borrowed_string)?)?,
                "verified_by" => set(&mut t.verified_by, c.array(Cursor::borrowed_string)?)?,
                "links" => set(&mut t.links, c.array(Cursor::link)?)?,
                "attrs" => set(&mut t.attrs, attrs(c, scratch)?)?,
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

    fn finish(self, out: &mut impl Tables<'a>) -> Option<()> {
        match self {
            Table::Requirement(t) => out.requirement(RawRequirement {
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
            Table::Evidence(t) => out.evidence(RawEvidence {
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

impl Cursor<'_> {
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
}

/// What reading `attrs` keeps from one requirement to the next: one buffer for every
/// requirement's pairs (a million requirements should not mean a million short-lived
/// vectors), and the keys made last, which the next requirement mostly shares.
#[derive(Default)]
struct Scratch<'a> {
    pairs: Vec<(&'a str, Cow<'a, str>)>,
    keys: avtrace_model::AttrKeys,
}

/// `attrs`: strings, integers and booleans, as compact attributes in key order (numbers and
/// booleans in the spelling the `toml` crate gives them back, which the subset only takes
/// when it is the spelling written).
fn attrs<'a>(c: &mut Cursor<'a>, scratch: &mut Scratch<'a>) -> Option<avtrace_model::Attrs> {
    let Scratch { pairs, keys } = scratch;
    pairs.clear();
    c.inline_table(pairs, |c| {
        if let Some(b'"' | b'\'') = c.s.as_bytes().get(c.at) {
            return c.one_line_string_value();
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
    })?;
    // Written in key order, as tools and people mostly write them, the pairs need neither
    // sorting nor a search for repeats: one pass of in-line compares says so.
    if !pairs.windows(2).all(|w| key_before(w[0].0.as_bytes(), w[1].0.as_bytes())) {
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
    }
    Some(avtrace_model::Attrs::from_pairs_sharing(pairs.iter().map(|(k, v)| (*k, v.as_ref())), keys))
}

/// Whether key `a` sorts strictly before key `b`, compared byte by byte in line: a key is a
/// few bytes, and a call to `memcmp` for each of a million requirements' ten keys costs
/// more than the comparing.
fn key_before(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x < y;
        }
    }
    a.len() < b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::testing::{literal, same_list, same_opt, same_s, value};
    use proptest::prelude::*;

    /// The tables of a piece, in the order written.
    #[derive(Debug, Default)]
    struct FastPiece<'a> {
        requirements: Vec<RawRequirement<'a>>,
        evidence: Vec<RawEvidence>,
    }

    impl<'a> Tables<'a> for FastPiece<'a> {
        fn requirement(&mut self, raw: RawRequirement<'a>) {
            self.requirements.push(raw);
        }
        fn evidence(&mut self, raw: RawEvidence) {
            self.evidence.push(raw);
        }
    }

    fn parse(piece: &str) -> Option<FastPiece<'_>> {
        let mut out = FastPiece::default();
        read(piece, &mut out)?;
        Some(out)
    }

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

    /// Blank lines, comments and line breaks of either kind between and after keys: read as
    /// the `toml` crate reads them, or declined.
    #[test]
    fn blank_lines_and_comments_of_every_shape() {
        accepted("[[requirements]]\r\n\r\n# c\r\nid = \"a\"\r\n  \t\r\ntitle = \"t\" # x\r\n\r\n");
        accepted("\n\n# lead\n[[requirements]]\n\t# in\nid = \"a\"\n\n  \ntitle = \"t\"\n#end");
        accepted(
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\nsatisfies = [ # why\r\n  \"A:1\", # one\n\n  # gap\n]\n",
        );
        for piece in [
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\n# c\r",
            "[[requirements]]\nid = \"a\"\r\rtitle = \"t\"\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\n# c\u{7f}\n",
            "[[requirements]]\nid = \"a\"\ntitle = \"t\"\n\u{b}\n",
            "[[requirements]]\nid = \"a\" \r\ntitle = \"t\"\t\n",
        ] {
            agrees(piece).unwrap();
        }
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
            pad in "[ \t]{0,2}",
            sep in "[ \t]{0,2},[ \t]{0,2}",
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
                    "[[requirements]]\nid{pad}={pad}{}\ntitle = \"t\"\nparent = {}\nattrs = {{{pad}{}{pad}}}\nlinks = [{}]\n",
                    quote(id),
                    quote(parent),
                    pairs.join(&sep),
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

        /// A one-line string is scanned eight bytes at a time, the last few one at a time: every
        /// special byte at every place in a word and in the tail.
        #[test]
        fn agrees_with_toml_on_long_arbitrary_strings(head in "[a-zé ]{28,36}", body in "(\\PC|[\"'\\\\\t\n\r ]){0,24}", kind in 0u8..4) {
            let open = ["'", "'''", "\"\"\"", "\""][kind as usize];
            agrees(&format!("[[requirements]]\nid = \"a\"\ntitle = {open}{head}{body}{open}\n"))?;
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
