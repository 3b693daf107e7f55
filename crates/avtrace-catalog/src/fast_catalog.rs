//! A fast lane for the shape instrument and mapping files take: the file's own keys, then
//! a run of `[[clauses]]` (instruments) or `[[map]]` (mappings) tables, every value a
//! string of any of TOML's four kinds except `refs`, an array of strings over as many lines
//! as the writer likes.
//!
//! A catalog of a million clauses spends most of its load time in the `toml` crate's
//! document tree. This reader takes exactly the subset above and gives up (`None`) on
//! anything else — unknown, dotted or quoted keys, a key given twice, a missing required
//! key, a value that is not a string (`published` written as a TOML date included), other
//! table headers or a header spelt with spaces — so that the `toml` crate parses the file
//! and reports its errors. What it accepts it reads exactly as the `toml` crate would,
//! spans included (the property tests below compare the two).

use toml::Spanned;

use crate::cursor::{Cursor, set};
use crate::raw::{RawClause, RawDate, RawInstrument, RawMapEntry, RawMapping, S};

/// An instrument file as the `toml` crate would read it into [`RawInstrument`]; `None`
/// when the file steps outside the subset.
pub(crate) fn instrument(text: &str) -> Option<RawInstrument> {
    let (root, clauses) = document::<InstrumentRoot, ClauseTable>(text, "[[clauses]]")?;
    Some(RawInstrument {
        id: root.id?,
        title: root.title?,
        kind: root.kind?,
        body: root.body.unwrap_or_default(),
        edition: root.edition?,
        published: root.published,
        supersedes: root.supersedes,
        url: root.url,
        source: root.source?,
        confidence: root.confidence,
        note: root.note,
        clauses,
    })
}

/// A mapping file as the `toml` crate would read it into [`RawMapping`]; `None` when the
/// file steps outside the subset.
pub(crate) fn mapping(text: &str) -> Option<RawMapping> {
    let (root, map) = document::<MappingRoot, MapTable>(text, "[[map]]")?;
    Some(RawMapping {
        from: root.from?,
        to: root.to?,
        adoption: root.adoption,
        source: root.source?,
        confidence: root.confidence,
        rationale: root.rationale,
        note: root.note,
        map,
    })
}

/// The keys of one table, read one `key = value` at a time.
trait Keys: Default {
    /// Reads the value of `key` (the cursor stands at the value); `None` for a key the
    /// subset does not take, a second one or a value of another kind.
    fn value(&mut self, key: &str, c: &mut Cursor<'_>) -> Option<()>;
}

/// A table of an array of tables.
trait Entry: Keys {
    /// What a complete table becomes.
    type Raw;

    /// The table read; `None` when a required key is missing.
    fn finish(self) -> Option<Self::Raw>;
}

/// The fewest bytes a `[[clauses]]` or `[[map]]` table with its required keys takes
/// (`[[map]]`, `from=""`, `to=""`, `rel=""` and three line breaks).
const MIN_TABLE_BYTES: usize = 28;

/// The root table `R`, then the `header` tables `T`, each a line `key = value` (blank
/// lines and comments anywhere a line may stand).
fn document<R: Keys, T: Entry>(text: &str, header: &str) -> Option<(R, Vec<T::Raw>)> {
    let mut c = Cursor::new(text);
    let mut root = R::default();
    // Sized from the headers written: grown by doubling, a large catalog's raw tables were
    // copied and their pages touched twice. No table is shorter than `MIN_TABLE_BYTES`, which
    // bounds the estimate when the header also appears inside strings.
    let headers = memchr::memmem::find_iter(text.as_bytes(), header.as_bytes()).count();
    let mut tables = Vec::with_capacity(headers.min(text.len() / MIN_TABLE_BYTES));
    let mut current: Option<T> = None;
    loop {
        c.blanks_and_comments()?;
        if c.at == text.len() {
            break;
        }
        if c.rest().starts_with('[') {
            if !c.eat(header) {
                return None;
            }
            c.end_of_line()?;
            if let Some(done) = current.replace(T::default()) {
                tables.push(done.finish()?);
            }
            continue;
        }
        let key = c.bare_key()?;
        c.blanks();
        if !c.eat("=") {
            return None;
        }
        c.blanks();
        match &mut current {
            Some(table) => table.value(key, &mut c)?,
            None => root.value(key, &mut c)?,
        }
        c.end_of_line()?;
    }
    if let Some(done) = current {
        tables.push(done.finish()?);
    }
    // The `toml` crate gives an array of tables its exact length (a header inside a string
    // would leave slack here).
    tables.shrink_to_fit();
    Some((root, tables))
}

fn string(c: &mut Cursor<'_>) -> Option<String> {
    c.string().map(Spanned::into_inner)
}

#[derive(Default)]
struct InstrumentRoot {
    id: Option<S>,
    title: Option<String>,
    kind: Option<S>,
    body: Option<String>,
    edition: Option<S>,
    published: Option<Spanned<RawDate>>,
    supersedes: Option<S>,
    url: Option<String>,
    source: Option<S>,
    confidence: Option<S>,
    note: Option<String>,
}

impl Keys for InstrumentRoot {
    fn value(&mut self, key: &str, c: &mut Cursor<'_>) -> Option<()> {
        match key {
            "id" => set(&mut self.id, c.string()?),
            "title" => set(&mut self.title, string(c)?),
            "kind" => set(&mut self.kind, c.string()?),
            "body" => set(&mut self.body, string(c)?),
            "edition" => set(&mut self.edition, c.string()?),
            "published" => {
                let date = c.string()?;
                let span = date.span();
                set(&mut self.published, Spanned::new(span, RawDate(date.into_inner())))
            }
            "supersedes" => set(&mut self.supersedes, c.string()?),
            "url" => set(&mut self.url, string(c)?),
            "source" => set(&mut self.source, c.string()?),
            "confidence" => set(&mut self.confidence, c.string()?),
            "note" => set(&mut self.note, string(c)?),
            _ => None,
        }
    }
}

#[derive(Default)]
struct ClauseTable {
    id: Option<S>,
    title: Option<String>,
    kind: Option<S>,
    granularity: Option<S>,
    parent: Option<S>,
    refs: Option<Vec<S>>,
    source: Option<String>,
    confidence: Option<S>,
    note: Option<String>,
}

impl Keys for ClauseTable {
    fn value(&mut self, key: &str, c: &mut Cursor<'_>) -> Option<()> {
        match key {
            "id" => set(&mut self.id, c.string()?),
            "title" => set(&mut self.title, string(c)?),
            "kind" => set(&mut self.kind, c.string()?),
            "granularity" => set(&mut self.granularity, c.string()?),
            "parent" => set(&mut self.parent, c.string()?),
            "refs" => set(&mut self.refs, c.array(Cursor::string)?),
            "source" => set(&mut self.source, string(c)?),
            "confidence" => set(&mut self.confidence, c.string()?),
            "note" => set(&mut self.note, string(c)?),
            _ => None,
        }
    }
}

impl Entry for ClauseTable {
    type Raw = RawClause;

    fn finish(self) -> Option<RawClause> {
        Some(RawClause {
            id: self.id?,
            title: self.title?,
            kind: self.kind?,
            granularity: self.granularity,
            parent: self.parent,
            refs: self.refs.unwrap_or_default(),
            source: self.source,
            confidence: self.confidence,
            note: self.note,
        })
    }
}

#[derive(Default)]
struct MappingRoot {
    from: Option<S>,
    to: Option<S>,
    adoption: Option<S>,
    source: Option<S>,
    confidence: Option<S>,
    rationale: Option<String>,
    note: Option<String>,
}

impl Keys for MappingRoot {
    fn value(&mut self, key: &str, c: &mut Cursor<'_>) -> Option<()> {
        match key {
            "from" => set(&mut self.from, c.string()?),
            "to" => set(&mut self.to, c.string()?),
            "adoption" => set(&mut self.adoption, c.string()?),
            "source" => set(&mut self.source, c.string()?),
            "confidence" => set(&mut self.confidence, c.string()?),
            "rationale" => set(&mut self.rationale, string(c)?),
            "note" => set(&mut self.note, string(c)?),
            _ => None,
        }
    }
}

#[derive(Default)]
struct MapTable {
    from: Option<S>,
    to: Option<S>,
    rel: Option<S>,
    rationale: Option<String>,
    source: Option<String>,
    confidence: Option<S>,
    note: Option<String>,
}

impl Keys for MapTable {
    fn value(&mut self, key: &str, c: &mut Cursor<'_>) -> Option<()> {
        match key {
            "from" => set(&mut self.from, c.string()?),
            "to" => set(&mut self.to, c.string()?),
            "rel" => set(&mut self.rel, c.string()?),
            "rationale" => set(&mut self.rationale, string(c)?),
            "source" => set(&mut self.source, string(c)?),
            "confidence" => set(&mut self.confidence, c.string()?),
            "note" => set(&mut self.note, string(c)?),
            _ => None,
        }
    }
}

impl Entry for MapTable {
    type Raw = RawMapEntry;

    fn finish(self) -> Option<RawMapEntry> {
        Some(RawMapEntry {
            from: self.from?,
            to: self.to?,
            rel: self.rel?,
            rationale: self.rationale,
            source: self.source,
            confidence: self.confidence,
            note: self.note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::testing::{literal, same_list, same_opt, same_s, value};
    use proptest::prelude::*;

    fn same_clause(a: &RawClause, b: &RawClause) -> bool {
        same_s(&a.id, &b.id)
            && a.title == b.title
            && same_s(&a.kind, &b.kind)
            && same_opt(&a.granularity, &b.granularity)
            && same_opt(&a.parent, &b.parent)
            && same_list(&a.refs, &b.refs)
            && a.source == b.source
            && same_opt(&a.confidence, &b.confidence)
            && a.note == b.note
    }

    fn same_instrument(a: &RawInstrument, b: &RawInstrument) -> bool {
        let published = |p: &Option<Spanned<RawDate>>| p.as_ref().map(|d| (d.get_ref().0.clone(), d.span()));
        same_s(&a.id, &b.id)
            && a.title == b.title
            && same_s(&a.kind, &b.kind)
            && a.body == b.body
            && same_s(&a.edition, &b.edition)
            && published(&a.published) == published(&b.published)
            && same_opt(&a.supersedes, &b.supersedes)
            && a.url == b.url
            && same_s(&a.source, &b.source)
            && same_opt(&a.confidence, &b.confidence)
            && a.note == b.note
            && a.clauses.len() == b.clauses.len()
            && a.clauses.iter().zip(&b.clauses).all(|(x, y)| same_clause(x, y))
    }

    fn same_entry(a: &RawMapEntry, b: &RawMapEntry) -> bool {
        same_s(&a.from, &b.from)
            && same_s(&a.to, &b.to)
            && same_s(&a.rel, &b.rel)
            && a.rationale == b.rationale
            && a.source == b.source
            && same_opt(&a.confidence, &b.confidence)
            && a.note == b.note
    }

    fn same_mapping(a: &RawMapping, b: &RawMapping) -> bool {
        same_s(&a.from, &b.from)
            && same_s(&a.to, &b.to)
            && same_opt(&a.adoption, &b.adoption)
            && same_s(&a.source, &b.source)
            && same_opt(&a.confidence, &b.confidence)
            && a.rationale == b.rationale
            && a.note == b.note
            && a.map.len() == b.map.len()
            && a.map.iter().zip(&b.map).all(|(x, y)| same_entry(x, y))
    }

    /// The fast lane either declines `text` as an instrument or reads what the `toml` crate
    /// reads, spans included.
    fn agrees_instrument(text: &str) -> Result<(), TestCaseError> {
        match (instrument(text), toml::from_str::<RawInstrument>(text)) {
            (None, _) => Ok(()),
            (Some(_), Err(e)) => Err(TestCaseError::fail(format!("accepted what toml refuses ({e}):\n{text}"))),
            (Some(f), Ok(s)) => {
                prop_assert!(same_instrument(&f, &s), "differs from toml:\n{text}\nfast: {f:?}\ntoml: {s:?}");
                Ok(())
            }
        }
    }

    /// Like [`agrees_instrument`], for a mapping.
    fn agrees_mapping(text: &str) -> Result<(), TestCaseError> {
        match (mapping(text), toml::from_str::<RawMapping>(text)) {
            (None, _) => Ok(()),
            (Some(_), Err(e)) => Err(TestCaseError::fail(format!("accepted what toml refuses ({e}):\n{text}"))),
            (Some(f), Ok(s)) => {
                prop_assert!(same_mapping(&f, &s), "differs from toml:\n{text}\nfast: {f:?}\ntoml: {s:?}");
                Ok(())
            }
        }
    }

    const INSTRUMENT: &str = "# UN R155: identity and paragraphs.\nid = \"UN-R155\"\ntitle = 'Cyber security'\n\
        kind = \"regulation\"\nedition = \"00 series\"  # original\npublished = \"2021-01-22\"\n\
        source = \"\"\"\\\n  OJ L 82, \\\n  p. 30\"\"\"\nnote = '''\nraw \\ note'''\n\n\
        [[clauses]]\nid = \"1\"\ntitle = \"Scope\"\nkind = \"heading\"\n\n\
        [[clauses]] # first paragraph\n  id = \"1.1\"\n  title = \"T \\\"q\\\" \\u00e9\"\n  kind = \"requirement\"\n\
        refs = [\n  \"UN-R156:7.1\", # why\n  'ISO-26262-6@2018:9.4',\n]\ngranularity = \"chapter\"\nconfidence = \"verified\"\n";

    #[test]
    fn reads_an_instrument_as_toml_does() {
        let raw = instrument(INSTRUMENT).expect("in the subset");
        assert_eq!(raw.id.get_ref(), "UN-R155");
        assert_eq!(raw.source.get_ref(), "OJ L 82, p. 30");
        assert_eq!(raw.note.as_deref(), Some("raw \\ note"));
        assert_eq!(raw.published.as_ref().map(|d| d.get_ref().0.as_str()), Some("2021-01-22"));
        assert_eq!(raw.clauses.len(), 2);
        assert_eq!(raw.clauses[1].title, "T \"q\" é");
        assert_eq!(raw.clauses[1].refs[1].get_ref(), "ISO-26262-6@2018:9.4");
        agrees_instrument(INSTRUMENT).unwrap();
        agrees_instrument(&INSTRUMENT.replace('\n', "\r\n")).unwrap();
        let bare = "id = \"X\"\ntitle = \"t\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"";
        assert!(instrument(bare).is_some_and(|raw| raw.clauses.is_empty() && raw.body.is_empty()));
        // A carriage return inside a multi-line string is left to the `toml` crate.
        let crlf =
            format!("{bare}\n[[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n").replace('\n', "\r\n");
        assert!(instrument(&crlf).is_some(), "CRLF is TOML");
        agrees_instrument(&crlf).unwrap();
    }

    #[test]
    fn reads_a_mapping_as_toml_does() {
        let text = "# A to B.\nfrom = \"A\"\nto = \"B@2\"\nsource = \"s\"\nadoption = \"MOD\"\n\
                    rationale = \"\"\"\\\n  why \\\n  so\"\"\"\n\n[[map]]\nfrom = \"1\"\nto = \"2\"\nrel = \"equal\"\n\n\
                    [[map]]\nfrom = '3'\nrel = \"subset\" # narrower\nto = \"4\"\nnote = \"n\"\nconfidence = \"secondary\"\n";
        let raw = mapping(text).expect("in the subset");
        assert_eq!(raw.rationale.as_deref(), Some("why so"));
        assert_eq!(raw.map.len(), 2);
        assert_eq!(raw.map[1].rel.get_ref(), "subset");
        agrees_mapping(text).unwrap();
    }

    /// Every instrument and mapping of the built-in catalog is read by the fast lane, as
    /// the `toml` crate reads it.
    #[test]
    fn reads_the_built_in_catalog() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../standards");
        let mut folders = vec![root.clone()];
        let (mut instruments, mut mappings) = (0, 0);
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "toml") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let relative = path.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
                match crate::role_of(&relative) {
                    crate::Role::Instrument => {
                        assert!(instrument(&text).is_some(), "declined {relative}");
                        agrees_instrument(&text).unwrap();
                        instruments += 1;
                    }
                    crate::Role::Mapping => {
                        assert!(mapping(&text).is_some(), "declined {relative}");
                        agrees_mapping(&text).unwrap();
                        mappings += 1;
                    }
                    _ => {}
                }
            }
        }
        assert!(instruments > 10 && mappings > 10, "{instruments} instruments, {mappings} mappings");
    }

    #[test]
    fn declines_what_it_does_not_read() {
        let root = "id = \"X\"\ntitle = \"t\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n";
        for tail in [
            "id = \"Y\"\n",
            "owner = \"me\"\n",
            "a.b = \"x\"\n",
            "\"note\" = \"x\"\n",
            "published = 2021-01-22\n",
            "published = 2021\n",
            "url = [\"u\"]\n",
            "note = \"a\\q\"\n",
            "note = \"a\" junk\n",
            "note = \"a\"\r",
            "note = \"\"\"a\r\nb\"\"\"\n",
            "clauses = []\n",
            "[[clauses]]\nid = \"1\"\ntitle = \"t\"\n",
            "[[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\nid = \"2\"\n",
            "[[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\nrefs = \"A:1\"\n",
            "[[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\nrefs = [\"A:1\", 2]\n",
            "[[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\nsource = 1\n",
            "[[ clauses ]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n",
            "[[clauses]] x\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n",
            "[clauses]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n",
            "[[map]]\nfrom = \"1\"\nto = \"2\"\nrel = \"equal\"\n",
            "[[clauses.sub]]\nid = \"1\"\n",
        ] {
            let text = format!("{root}{tail}");
            assert!(instrument(&text).is_none(), "{text}");
        }
        assert!(instrument(&root.replace("edition = \"1\"\n", "")).is_none(), "a missing edition");
        assert!(instrument(&format!("\u{feff}{root}")).is_none(), "a byte order mark");
        assert!(instrument("").is_none());
        let root = "from = \"A\"\nto = \"B\"\nsource = \"s\"\n";
        for tail in [
            "to = \"C\"\n",
            "[[map]]\nfrom = \"1\"\nto = \"2\"\n",
            "[[map]]\nfrom = \"1\"\nto = \"2\"\nrel = \"equal\"\nweight = 1\n",
            "[[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n",
            "map = []\n",
        ] {
            let text = format!("{root}{tail}");
            assert!(mapping(&text).is_none(), "{text}");
        }
        assert!(mapping("from = \"A\"\nsource = \"s\"\n").is_none(), "a missing `to`");
    }

    /// `key = literal` lines for the keys given a value, in `order`.
    fn lines(keys: &[&str], values: &[Option<(String, u8)>], order: &[usize]) -> String {
        let mut out = String::new();
        for &i in order {
            if let Some((v, kind)) = &values[i] {
                out.push_str(&format!("{} = {}\n", keys[i], literal(v, *kind)));
            }
        }
        out
    }

    /// Values for `n` keys in one of the four kinds: the first `required` always present,
    /// the others most of the time.
    fn values(required: usize, n: usize) -> impl Strategy<Value = Vec<Option<(String, u8)>>> {
        (
            prop::collection::vec((value(), 0u8..4).prop_map(Some), required),
            prop::collection::vec(prop::option::weighted(0.8, (value(), 0u8..4)), n - required),
        )
            .prop_map(|(mut given, optional)| {
                given.extend(optional);
                given
            })
    }

    fn order(n: usize) -> impl Strategy<Value = Vec<usize>> {
        Just((0..n).collect::<Vec<usize>>()).prop_shuffle()
    }

    // Required keys first.
    const INSTRUMENT_KEYS: &[&str] =
        &["id", "title", "kind", "edition", "source", "body", "published", "supersedes", "url", "confidence", "note"];
    const CLAUSE_KEYS: &[&str] = &["id", "title", "kind", "granularity", "parent", "source", "confidence", "note"];
    const MAPPING_KEYS: &[&str] = &["from", "to", "source", "adoption", "confidence", "rationale", "note"];
    const ENTRY_KEYS: &[&str] = &["from", "to", "rel", "rationale", "source", "confidence", "note"];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_toml_on_written_instruments(
            root in values(5, INSTRUMENT_KEYS.len()),
            root_order in order(INSTRUMENT_KEYS.len()),
            clauses in prop::collection::vec(
                (values(3, CLAUSE_KEYS.len()), order(CLAUSE_KEYS.len()), prop::option::of(prop::collection::vec((value(), 0u8..4), 0..3)), any::<bool>()),
                0..4,
            ),
            comment in prop::option::of("#[ a-z]{0,5}"),
        ) {
            let mut text = lines(INSTRUMENT_KEYS, &root, &root_order);
            for (values, order, refs, multi) in &clauses {
                text.push_str(&format!("\n[[clauses]]{}\n", comment.as_deref().map(|c| format!(" {c}")).unwrap_or_default()));
                text.push_str(&lines(CLAUSE_KEYS, values, order));
                if let Some(refs) = refs {
                    let list: Vec<String> = refs.iter().map(|(v, kind)| literal(v, *kind)).collect();
                    let sep = if *multi { ",\n  " } else { ", " };
                    text.push_str(&format!("refs = [{}{}]\n", list.join(sep), if *multi { ",\n" } else { "" }));
                }
            }
            agrees_instrument(&text)?;
        }

        #[test]
        fn agrees_with_toml_on_written_mappings(
            root in values(3, MAPPING_KEYS.len()),
            root_order in order(MAPPING_KEYS.len()),
            entries in prop::collection::vec((values(3, ENTRY_KEYS.len()), order(ENTRY_KEYS.len())), 0..4),
        ) {
            let mut text = lines(MAPPING_KEYS, &root, &root_order);
            for (values, order) in &entries {
                text.push_str("\n[[map]]\n");
                text.push_str(&lines(ENTRY_KEYS, values, order));
            }
            agrees_mapping(&text)?;
        }

        #[test]
        fn agrees_with_toml_on_arbitrary_instrument_lines(
            lines in prop::collection::vec(
                "(id|title|kind|body|edition|published|url|note|refs|parent|x)[ .]?= ?(\"[^\n]{0,10}\"|\\[[^\n]{0,12}\\]|'[^\n]{0,6}'|[0-9:T-]{1,12})[^\n]{0,4}",
                0..4,
            ),
            header in "\\[{1,2} ?(clauses|map|x)(\\.y)? ?\\]{1,2}[^\n]{0,3}",
            clause in prop::collection::vec("(id|title|kind|refs|note|x) ?= ?(\"[^\n]{0,8}\"|\\[[^\n]{0,12}\\]|[0-9]{1,3})[^\n]{0,3}", 0..4),
        ) {
            let root = "id = \"X\"\ntitle = \"t\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n";
            agrees_instrument(&format!("{root}{}\n", lines.join("\n")))?;
            agrees_instrument(&format!("{root}{header}\nid = \"1\"\n{}\n", clause.join("\n")))?;
            agrees_instrument(&format!("{root}\n[[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n{}\n", clause.join("\n")))?;
        }

        #[test]
        fn agrees_with_toml_on_arbitrary_strings(body in "(\\PC|[\"'\\\\\t\n\r ]){0,16}", kind in 0u8..4, key in 0usize..4) {
            let open = ["'", "'''", "\"\"\"", "\""][kind as usize];
            let key = ["rel", "note", "from", "source"][key];
            agrees_mapping(&format!("from = \"A\"\nto = \"B\"\nsource = \"s\"\n[[map]]\nfrom = \"1\"\nto = \"2\"\nrel = \"equal\"\n{key} = {open}{body}{open}\n"))?;
            agrees_instrument(&format!("id = \"X\"\ntitle = \"t\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\npublished = {open}{body}{open}\n"))?;
        }
    }
}
