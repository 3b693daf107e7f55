//! A vehicle program: what it is, where it is sold, and its requirements.

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

/// A requirement's attributes, compact: one allocation holding where each key and value
/// ends and then every key and value. A million requirements with ten attributes each are
/// one allocation apiece, not twenty-one; a requirement without attributes has none.
///
/// Layout of `packed`: the width `w` of a number (2 bytes, or 4 when the text is 64 KiB or
/// more), the count of end offsets in `w` bytes, the end offsets in `w` bytes each,
/// little-endian and relative to the text (every key's, then every value's), then the text:
/// the keys, then the values. Keys come first so that two requirements' key sets compare as
/// two slices (see [`Attrs::same_keys`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs {
    packed: Box<[u8]>,
}

impl Attrs {
    /// Attributes from `(key, value)` pairs, which the caller gives sorted by key and
    /// without repeats.
    pub fn from_pairs<'a, I>(pairs: I) -> Attrs
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
        I::IntoIter: Clone,
    {
        let pairs = pairs.into_iter();
        // Sized once: a million requirements' attributes should not grow piece by piece.
        let (count, bytes) = pairs.clone().fold((0usize, 0usize), |(n, b), (k, v)| (n + 2, b + k.len() + v.len()));
        if count == 0 {
            return Attrs::default();
        }
        let width: usize = if bytes <= usize::from(u16::MAX) && count <= usize::from(u16::MAX) { 2 } else { 4 };
        let mut packed = Vec::with_capacity(1 + width * (count + 1) + bytes);
        let push = |packed: &mut Vec<u8>, n: usize| {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            packed.extend_from_slice(&n.to_le_bytes()[..width]);
        };
        packed.push(width as u8);
        push(&mut packed, count);
        let mut end = 0;
        for part in pairs.clone().map(|(k, _)| k).chain(pairs.clone().map(|(_, v)| v)) {
            end += part.len();
            push(&mut packed, end);
        }
        for (k, _) in pairs.clone() {
            packed.extend_from_slice(k.as_bytes());
        }
        for (_, v) in pairs {
            packed.extend_from_slice(v.as_bytes());
        }
        Attrs { packed: packed.into_boxed_slice() }
    }

    /// The width of a number, the count of end offsets and where the text starts.
    #[inline]
    fn layout(&self) -> (usize, usize, usize) {
        let Some(&width) = self.packed.first() else { return (2, 0, 0) };
        let width = usize::from(width);
        let count = self.number(1, width);
        (width, count, 1 + width * (count + 1))
    }

    #[inline]
    fn number(&self, at: usize, width: usize) -> usize {
        let mut bytes = [0u8; 4];
        if let Some(src) = self.packed.get(at..at + width) {
            bytes[..width].copy_from_slice(src);
        }
        u32::from_le_bytes(bytes) as usize
    }

    /// The end of part `i` (keys are parts `0..len`, values `len..2 * len`).
    #[inline]
    fn end(&self, width: usize, i: usize) -> usize {
        self.number(1 + width * (i + 1), width)
    }

    /// The keys' end offsets and the keys' text, as bytes.
    fn key_bytes(&self) -> (&[u8], &[u8]) {
        let (width, count, text_at) = self.layout();
        let pairs = count / 2;
        let offsets = self.packed.get(1 + width..1 + width * (pairs + 1)).unwrap_or_default();
        let keys_end = if pairs == 0 { 0 } else { self.end(width, pairs - 1) };
        (offsets, self.packed.get(text_at..text_at + keys_end).unwrap_or_default())
    }

    /// Whether `other` has exactly the same keys: a program's requirements mostly share one
    /// set, and checking that for a million of them should not decode every key.
    pub fn same_keys(&self, other: &Attrs) -> bool {
        if self.packed.first() == other.packed.first() {
            // The same width: the same keys are the same offsets and the same bytes.
            self.key_bytes() == other.key_bytes()
        } else {
            self.iter().map(|(k, _)| k).eq(other.iter().map(|(k, _)| k))
        }
    }

    /// The `(key, value)` pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let (width, count, text_at) = self.layout();
        let pairs = count / 2;
        let packed = self.packed.get(text_at..).unwrap_or_default();
        // Built from `&str` parts at their boundaries, so the text is UTF-8 and every part
        // begins and ends on a character boundary; checked once, not part by part.
        let text = std::str::from_utf8(packed).unwrap_or_default();
        let part = move |i: usize| {
            let start = if i == 0 { 0 } else { self.end(width, i - 1) };
            text.get(start..self.end(width, i)).unwrap_or_default()
        };
        (0..pairs).map(move |i| (part(i), part(pairs + i)))
    }

    /// The value of `key`, if the requirement has it. Keys are compared as bytes and only
    /// the value found is checked as text: a matrix asks every row for every key.
    pub fn get(&self, key: &str) -> Option<&str> {
        let (width, count, text_at) = self.layout();
        let pairs = count / 2;
        let text = self.packed.get(text_at..).unwrap_or_default();
        let part = |i: usize| {
            let start = if i == 0 { 0 } else { self.end(width, i - 1) };
            text.get(start..self.end(width, i)).unwrap_or_default()
        };
        let found = (0..pairs).find(|&i| part(i) == key.as_bytes())?;
        std::str::from_utf8(part(pairs + found)).ok()
    }

    /// How many attributes.
    pub fn len(&self) -> usize {
        self.layout().1 / 2
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::Attrs;

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

    #[test]
    fn attributes_past_64_kib_take_wide_offsets() {
        let long = "x".repeat(70_000);
        let attrs = Attrs::from_pairs([("a", "1"), ("long", long.as_str()), ("z", "é")]);
        assert_eq!(attrs.iter().collect::<Vec<_>>(), [("a", "1"), ("long", long.as_str()), ("z", "é")]);
        assert_eq!(attrs.len(), 3);
    }
}
