//! A vehicle program: what it is, where it is sold, and its requirements.

use std::sync::Arc;

use crate::{ClauseIx, Date, EvidenceKind, EvidenceResult, MarketIx, ReqIx, RequirementStatus, Span};

/// One vehicle program.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The program's revision (a baseline name such as `B.2`), shown on every report.
    pub revision: Option<String>,
    /// Vehicle categories, e.g. `M1`.
    pub categories: Vec<String>,
    /// Features, e.g. `alks`, `ota-update`.
    pub features: Vec<String>,
    /// Target markets with their start of production.
    pub markets: Vec<ProgramMarket>,
    /// Requirements, in the order written: the main file's first, then each included
    /// file's in the order the files were read.
    pub requirements: Vec<Requirement>,
    /// Evidence records (tests, analyses, reviews), in the order written. Empty for a
    /// program that names its evidence only by id in `verified_by`.
    pub evidence: Vec<Evidence>,
}

/// A target market and the program's start of production there.
#[derive(Debug, Clone, Copy)]
pub struct ProgramMarket {
    /// The market.
    pub market: MarketIx,
    /// Start of production.
    pub sop: Date,
}

/// One requirement of a program.
#[derive(Debug, Clone, Default)]
pub struct Requirement {
    /// Its id (unique within the program), title and text: [`Requirement::id`],
    /// [`Requirement::title`], [`Requirement::text`].
    pub strings: RequirementStrings,
    /// Where it stands; only a live status satisfies anything.
    pub status: RequirementStatus,
    /// Clauses it satisfies.
    pub satisfies: Box<[ClauseIx]>,
    /// Evidence that verifies it (test cases, reports); empty means unverified.
    pub verified_by: Box<[Box<str>]>,
    /// Where it came from (a module, a document), when known.
    pub source: Option<Box<str>>,
    /// The requirement it refines (decomposition): the requirements form one forest.
    pub parent: Option<ReqIx>,
    /// Other typed links to requirements, in the order written.
    pub links: Box<[Link]>,
    /// Free attributes (ASIL, CAL, owner, supplier, ...), sorted by key; values as written
    /// (numbers and booleans in their TOML spelling).
    pub attrs: Attrs,
    /// Where it was defined.
    pub span: Span,
}

impl Requirement {
    /// Unique id within the program.
    pub fn id(&self) -> &str {
        self.strings.id()
    }

    /// Title.
    pub fn title(&self) -> &str {
        self.strings.title()
    }

    /// Text.
    pub fn text(&self) -> &str {
        self.strings.text()
    }
}

/// A requirement's id, title and text in one allocation: a million requirements are a
/// million allocations and 32 bytes apiece fewer than with three strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequirementStrings {
    all: Box<str>,
    id_end: u32,
    title_end: u32,
}

impl RequirementStrings {
    /// The three strings. Offsets are 32-bit: the loader refuses input files long before
    /// 4 GiB, so no requirement's strings reach that.
    pub fn new(id: &str, title: &str, text: &str) -> RequirementStrings {
        let mut all = String::with_capacity(id.len() + title.len() + text.len());
        all.push_str(id);
        let id_end = u32::try_from(all.len()).unwrap_or(u32::MAX);
        all.push_str(title);
        let title_end = u32::try_from(all.len()).unwrap_or(u32::MAX);
        all.push_str(text);
        RequirementStrings { all: all.into_boxed_str(), id_end, title_end }
    }

    fn part(&self, start: u32, end: Option<u32>) -> &str {
        let end = end.map_or(self.all.len(), |e| e as usize);
        self.all.get(start as usize..end).unwrap_or("")
    }

    /// The id.
    pub fn id(&self) -> &str {
        self.part(0, Some(self.id_end))
    }

    /// The title.
    pub fn title(&self) -> &str {
        self.part(self.id_end, Some(self.title_end))
    }

    /// The text.
    pub fn text(&self) -> &str {
        self.part(self.title_end, None)
    }
}

/// A typed link from one requirement to another (`depends-on`, `conflicts-with`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What the link means, as the program names it.
    pub kind: String,
    /// The requirement linked to.
    pub to: ReqIx,
}

/// A record of evidence: a test, an analysis, a review, an inspection or a demonstration.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Unique id within the program; requirements name it in `verified_by`.
    pub id: String,
    /// What sort of evidence it is.
    pub kind: EvidenceKind,
    /// Title.
    pub title: String,
    /// Where it lives (a test file, a report), when given.
    pub uri: Option<String>,
    /// The test case name to match in JUnit results, when it differs from `id`.
    pub junit: Option<String>,
    /// Its result: as written in the program, or from `--results`; `None` when unknown.
    pub result: Option<EvidenceResult>,
    /// Where it was defined.
    pub span: Span,
}

impl Program {
    /// Every attribute key some requirement carries, sorted. Requirements mostly carry the
    /// same keys as the one before, so only a new set is merged: a million requirements'
    /// keys are not each sorted or looked up.
    pub fn attribute_keys(&self) -> std::collections::BTreeSet<&str> {
        let mut keys = std::collections::BTreeSet::new();
        let mut previous: Option<&Attrs> = None;
        for r in &self.requirements {
            let same = previous.is_some_and(|p| p.same_keys(&r.attrs));
            if !same {
                keys.extend(r.attrs.iter().map(|(k, _)| k));
                previous = Some(&r.attrs);
            }
        }
        keys
    }

    /// The evidence record `id`, if the program defines one (a linear search: build a map
    /// to look up many).
    pub fn evidence_by_id(&self, id: &str) -> Option<&Evidence> {
        self.evidence.iter().find(|e| e.id == id)
    }

    /// The program's SOP in `market`, if it targets it.
    pub fn sop_in(&self, market: MarketIx) -> Option<Date> {
        self.markets.iter().find(|m| m.market == market).map(|m| m.sop)
    }
}

/// Strings back to back in one allocation: the width `w` of a number (2 bytes, or 4 when
/// the text is 64 KiB or more), the count in `w` bytes, the end of each string in `w` bytes
/// (little-endian, relative to the text), then the text. Empty: no allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Packed(Box<[u8]>);

impl Packed {
    /// `parts` packed; sized once, written front to back (nothing zeroed first).
    fn new<'a>(parts: impl Iterator<Item = &'a str> + Clone) -> Packed {
        let (count, bytes) = parts.clone().fold((0usize, 0usize), |(n, b), p| (n + 1, b + p.len()));
        if count == 0 {
            return Packed::default();
        }
        let width: usize = if bytes <= usize::from(u16::MAX) && count <= usize::from(u16::MAX) { 2 } else { 4 };
        let mut packed = Vec::with_capacity(1 + width * (count + 1) + bytes);
        // Fixed-size copies (a store each), not a call per number.
        let put = |packed: &mut Vec<u8>, n: usize| {
            let n = u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
            if width == 2 {
                packed.extend_from_slice(&[n[0], n[1]]);
            } else {
                packed.extend_from_slice(&n);
            }
        };
        packed.push(width as u8);
        put(&mut packed, count);
        let mut end = 0;
        for part in parts.clone() {
            end += part.len();
            put(&mut packed, end);
        }
        for part in parts {
            packed.extend_from_slice(part.as_bytes());
        }
        Packed(packed.into_boxed_slice())
    }

    /// The width of a number, the count of strings and where the text starts.
    #[inline]
    fn layout(&self) -> (usize, usize, usize) {
        let Some(&width) = self.0.first() else { return (2, 0, 0) };
        let width = usize::from(width);
        let count = self.number(1, width);
        (width, count, 1 + width * (count + 1))
    }

    #[inline]
    fn number(&self, at: usize, width: usize) -> usize {
        self.0.get(at..at + width).map_or(0, packed_number)
    }

    fn len(&self) -> usize {
        self.layout().1
    }

    /// Where string `i` lies in the text.
    #[inline]
    fn bounds(&self, width: usize, i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { self.number(1 + width * i, width) };
        start..self.number(1 + width * (i + 1), width)
    }

    /// The strings, as text checked once (they were `&str`s, so the text is UTF-8 and
    /// every string begins and ends on a character boundary).
    fn iter(&self) -> PackedIter<'_> {
        let (width, count, text_at) = self.layout();
        let text = std::str::from_utf8(self.0.get(text_at..).unwrap_or_default()).unwrap_or_default();
        // The ends, after the width and the count.
        let ends = self.0.get(1 + width..text_at).unwrap_or_default();
        PackedIter { ends, width, text, start: 0, left: count }
    }

    /// String `i`, as bytes.
    fn bytes(&self, i: usize) -> &[u8] {
        let (width, _, text_at) = self.layout();
        let text = self.0.get(text_at..).unwrap_or_default();
        text.get(self.bounds(width, i)).unwrap_or_default()
    }

    /// Whether these are exactly `parts`: the layout decoded once, each end and text
    /// compared in turn.
    fn holds<'a>(&self, parts: impl Iterator<Item = &'a str>) -> bool {
        let (width, count, text_at) = self.layout();
        let text = self.0.get(text_at..).unwrap_or_default();
        let (mut start, mut seen) = (0, 0);
        for part in parts {
            let end = start + part.len();
            if seen == count
                || self.number(1 + width * (seen + 1), width) != end
                || !text.get(start..end).is_some_and(|held| same_short(held, part.as_bytes()))
            {
                return false;
            }
            (start, seen) = (end, seen + 1);
        }
        seen == count
    }
}

/// A number of a [`Packed`]: its two or four little-endian bytes (0 for any other length,
/// which `Packed::new` never writes).
#[inline]
fn packed_number(bytes: &[u8]) -> usize {
    match *bytes {
        [a, b] => usize::from(u16::from_le_bytes([a, b])),
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => 0,
    }
}

/// The strings of a [`Packed`], in order: each starts where the one before it ended, so one
/// number is read per string.
#[derive(Clone, Default)]
struct PackedIter<'a> {
    /// The end of each string still to come, `width` bytes apiece.
    ends: &'a [u8],
    width: usize,
    text: &'a str,
    start: usize,
    left: usize,
}

impl<'a> Iterator for PackedIter<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        if self.left == 0 {
            return None;
        }
        let (end, rest) = self.ends.split_at_checked(self.width)?;
        let end = packed_number(end);
        let item = self.text.get(self.start..end).unwrap_or_default();
        (self.ends, self.start, self.left) = (rest, end, self.left - 1);
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// `a == b` for the few bytes of a key, compared in line: a call to `memcmp` per key of a
/// million requirements costs more than the comparing.
#[inline]
fn same_short(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A requirement's attributes, compact: the values in one allocation, the keys in another
/// shared by every requirement made with the same keys (see [`AttrKeys`]). A million
/// requirements with ten attributes each are one allocation apiece, not twenty-one, and
/// hold their keys once; a requirement without attributes has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs {
    /// The keys, sorted; `None` when there are no attributes.
    keys: Option<Arc<Packed>>,
    /// The values, in the keys' order.
    values: Packed,
}

/// The keys of the attributes made last, so that the next requirement with the same keys
/// shares them: a program's requirements mostly carry one set of keys.
#[derive(Debug, Default)]
pub struct AttrKeys {
    last: Option<Arc<Packed>>,
}

impl Attrs {
    /// Attributes from `(key, value)` pairs, which the caller gives sorted by key and
    /// without repeats.
    pub fn from_pairs<'a, I>(pairs: I) -> Attrs
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
        I::IntoIter: Clone,
    {
        Attrs::from_pairs_sharing(pairs, &mut AttrKeys::default())
    }

    /// [`Attrs::from_pairs`], sharing the keys with the attributes `shared` made last
    /// when they are the same.
    pub fn from_pairs_sharing<'a, I>(pairs: I, shared: &mut AttrKeys) -> Attrs
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
        I::IntoIter: Clone,
    {
        let pairs = pairs.into_iter();
        let keys = pairs.clone().map(|(k, _)| k);
        if keys.clone().next().is_none() {
            return Attrs::default();
        }
        let keys = match &shared.last {
            Some(last) if last.holds(keys.clone()) => Arc::clone(last),
            _ => {
                let made = Arc::new(Packed::new(keys));
                shared.last = Some(Arc::clone(&made));
                made
            }
        };
        Attrs { keys: Some(keys), values: Packed::new(pairs.map(|(_, v)| v)) }
    }

    /// Whether `other` has exactly the same keys: a program's requirements mostly share one
    /// set, and checking that for a million of them should not decode every key.
    pub fn same_keys(&self, other: &Attrs) -> bool {
        // Shared keys are one allocation; `Arc`'s equality tries the pointer first.
        self.keys == other.keys
    }

    /// The `(key, value)` pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let keys = self.keys.as_deref().map(Packed::iter).unwrap_or_default();
        keys.zip(self.values.iter())
    }

    /// The value of `key`, if the requirement has it. Keys are compared as bytes and only
    /// the value found is checked as text: a matrix asks every row for every key.
    pub fn get(&self, key: &str) -> Option<&str> {
        let keys = self.keys.as_deref()?;
        let found = (0..keys.len()).find(|&i| keys.bytes(i) == key.as_bytes())?;
        std::str::from_utf8(self.values.bytes(found)).ok()
    }

    /// How many attributes.
    pub fn len(&self) -> usize {
        self.keys.as_deref().map_or(0, Packed::len)
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::{AttrKeys, Attrs};

    #[test]
    fn attributes_keep_their_pairs() {
        let attrs = Attrs::from_pairs([("asil", "B"), ("empty", ""), ("owner", "ADAS é")]);
        assert_eq!(attrs.iter().collect::<Vec<_>>(), [("asil", "B"), ("empty", ""), ("owner", "ADAS é")]);
        assert_eq!(attrs.get("owner"), Some("ADAS é"));
        assert_eq!(attrs.get("x"), None);
        assert_eq!(attrs.len(), 3);
        assert!(Attrs::default().is_empty());
        assert_eq!(Attrs::default().iter().count(), 0);
    }

    #[test]
    fn same_keys_compares_keys_alone() {
        let a = Attrs::from_pairs([("asil", "B"), ("owner", "x")]);
        assert!(a.same_keys(&Attrs::from_pairs([("asil", "D"), ("owner", "a longer value")])));
        assert!(!a.same_keys(&Attrs::from_pairs([("asil", "B")])));
        assert!(!a.same_keys(&Attrs::from_pairs([("asil", "B"), ("owners", "x")])));
        assert!(
            !a.same_keys(&Attrs::from_pairs([("asi", "lB"), ("owner", "x")])),
            "the split between key and value counts"
        );
        assert!(Attrs::default().same_keys(&Attrs::default()));
        assert!(!Attrs::default().same_keys(&a));
        let long = "x".repeat(70_000);
        assert!(a.same_keys(&Attrs::from_pairs([("asil", long.as_str()), ("owner", "x")])), "wide offsets too");
    }

    /// Requirements made one after another with the same keys hold them once; other keys
    /// (fewer, more, or split differently) get their own, and every one reads back whole.
    #[test]
    fn attributes_with_the_same_keys_share_them() {
        let mut shared = AttrKeys::default();
        let a = Attrs::from_pairs_sharing([("asil", "B"), ("owner", "x")], &mut shared);
        let b = Attrs::from_pairs_sharing([("asil", "D"), ("owner", "a longer value")], &mut shared);
        let same = |x: &Attrs, y: &Attrs| match (&x.keys, &y.keys) {
            (Some(p), Some(q)) => std::sync::Arc::ptr_eq(p, q),
            _ => false,
        };
        assert!(same(&a, &b), "one copy of the keys");
        assert_eq!(b.iter().collect::<Vec<_>>(), [("asil", "D"), ("owner", "a longer value")]);
        for other in [
            vec![("asil", "B")],
            vec![("asil", "B"), ("owner", "x"), ("z", "1")],
            vec![("asi", "lB"), ("owner", "x")],
            vec![("asil", "B"), ("owners", "x")],
        ] {
            let c = Attrs::from_pairs_sharing(other.iter().copied(), &mut shared);
            assert!(!same(&b, &c) && !b.same_keys(&c), "{other:?}");
            assert_eq!(c.iter().collect::<Vec<_>>(), other);
            assert_eq!(c, Attrs::from_pairs(other.iter().copied()), "equal to the same attributes made alone");
        }
        // Made apart, the same keys are still the same keys.
        assert!(a.same_keys(&Attrs::from_pairs([("asil", "C"), ("owner", "y")])));
        assert_eq!(Attrs::from_pairs_sharing(std::iter::empty(), &mut shared), Attrs::default());
    }

    #[test]
    fn attributes_past_64_kib_take_wide_offsets() {
        let long = "x".repeat(70_000);
        let attrs = Attrs::from_pairs([("a", "1"), ("long", long.as_str()), ("z", "é")]);
        assert_eq!(attrs.iter().collect::<Vec<_>>(), [("a", "1"), ("long", long.as_str()), ("z", "é")]);
        assert_eq!(attrs.len(), 3);
        assert_eq!(attrs.get("long"), Some(long.as_str()));
        assert_eq!(attrs.get("z"), Some("é"));
        // A key that long takes wide offsets for the keys alone.
        let wide_key = Attrs::from_pairs([("a", "1"), (long.as_str(), "v")]);
        assert_eq!(wide_key.get(&long), Some("v"));
        assert_eq!(wide_key.iter().collect::<Vec<_>>(), [("a", "1"), (long.as_str(), "v")]);
    }
}
