//! A loaded catalog as bytes, so that the built-in catalog is read and validated once, when
//! avtrace is built, and every run decodes it instead of parsing its TOML again.
//!
//! The encoding is private to one build of avtrace: every string's text is in one block at
//! the front (checked as UTF-8 once, not string by string) and the fields that follow name
//! a string by its offset and length in it; numbers are little-endian `u32`, closed vocabularies their position in the vocabulary, dates
//! their ISO text. Every field of every catalog type is written (the encoder destructures
//! each struct whole, so a field added to the model fails to compile here until it is
//! written too), and decoding rebuilds the lookups through the model's own constructors.

use avtrace_model::{
    Adoption, Catalog, Clause, ClauseIx, ClauseKind, Confidence, Date, Granularity, Instrument, InstrumentIx,
    InstrumentKind, Level, Mandate, MapEntry, Mapping, Market, Recognition, Relation, Span, Term, Vocabulary,
};

/// Bytes that are not a snapshot of this build.
#[derive(Debug, thiserror::Error)]
#[error("the built-in catalog snapshot is damaged at byte {at}: {what}")]
pub struct SnapshotError {
    at: usize,
    what: &'static str,
}

/// Marks the format, so that bytes of another layout are refused rather than misread.
const MAGIC: &[u8; 8] = b"avtcat02";

/// The catalog as bytes.
pub fn encode_catalog(catalog: &Catalog) -> Vec<u8> {
    let mut w = Writer { out: Vec::with_capacity(1 << 20), text: String::with_capacity(1 << 19) };
    w.len(catalog.instruments.len());
    for i in &catalog.instruments {
        let Instrument {
            id,
            edition,
            title,
            kind,
            body,
            published,
            supersedes,
            url,
            source,
            confidence,
            note,
            clauses,
            span,
        } = i;
        w.str(id);
        w.str(edition);
        w.str(title);
        w.word(*kind, InstrumentKind::ALL);
        w.str(body);
        w.opt_date(*published);
        w.opt_u32(supersedes.map(|s| s.0));
        w.opt_str(url.as_deref());
        w.str(source);
        w.opt_word(*confidence, Confidence::ALL);
        w.opt_str(note.as_deref());
        w.u32(clauses.start);
        w.u32(clauses.end);
        w.span(*span);
    }
    w.len(catalog.clauses.len());
    for c in &catalog.clauses {
        let Clause { instrument, id, title, kind, granularity, parent, refs, source, confidence, note, position, span } =
            c;
        w.u32(instrument.0);
        w.str(id);
        w.str(title);
        w.word(*kind, ClauseKind::ALL);
        w.word(*granularity, Granularity::ALL);
        w.opt_u32(parent.map(|p| p.0));
        w.len(refs.len());
        for r in refs {
            w.u32(r.0);
        }
        w.opt_str(source.as_deref());
        w.opt_word(*confidence, Confidence::ALL);
        w.opt_str(note.as_deref());
        w.u32(*position);
        w.span(*span);
    }
    w.len(catalog.mappings.len());
    for m in &catalog.mappings {
        let Mapping { from, to, adoption, source, confidence, rationale, note, entries, span } = m;
        w.u32(from.0);
        w.u32(to.0);
        w.opt_word(*adoption, Adoption::ALL);
        w.str(source);
        w.opt_word(*confidence, Confidence::ALL);
        w.opt_str(rationale.as_deref());
        w.opt_str(note.as_deref());
        w.len(entries.len());
        for e in entries {
            let MapEntry { from, to, rel, rationale, source, confidence, note, span } = e;
            w.u32(from.0);
            w.u32(to.0);
            w.word(*rel, Relation::ALL);
            w.opt_str(rationale.as_deref());
            w.opt_str(source.as_deref());
            w.opt_word(*confidence, Confidence::ALL);
            w.opt_str(note.as_deref());
            w.span(*span);
        }
        w.span(*span);
    }
    w.len(catalog.markets.len());
    for m in &catalog.markets {
        let Market { id, name, source, confidence, mandates, recognitions, note, span } = m;
        w.str(id);
        w.str(name);
        w.opt_str(source.as_deref());
        w.opt_word(*confidence, Confidence::ALL);
        w.len(mandates.len());
        for d in mandates {
            let Mandate {
                instrument,
                level,
                from,
                scope,
                categories,
                features,
                clauses,
                legal_basis,
                source,
                confidence,
                note,
                span,
            } = d;
            w.u32(instrument.0);
            w.word(*level, Level::ALL);
            w.date(*from);
            w.opt_str(scope.as_deref());
            w.strs(categories);
            w.strs(features);
            w.len(clauses.len());
            for c in clauses {
                w.u32(c.0);
            }
            w.str(legal_basis);
            w.str(source);
            w.opt_word(*confidence, Confidence::ALL);
            w.opt_str(note.as_deref());
            w.span(*span);
        }
        w.len(recognitions.len());
        for r in recognitions {
            let Recognition { agreement, instruments, source, confidence, note } = r;
            w.str(agreement);
            w.len(instruments.len());
            for i in instruments {
                w.u32(i.0);
            }
            w.str(source);
            w.opt_word(*confidence, Confidence::ALL);
            w.opt_str(note.as_deref());
        }
        w.opt_str(note.as_deref());
        w.span(*span);
    }
    let Vocabulary { features, categories } = &catalog.vocabulary;
    for terms in [features, categories] {
        w.len(terms.len());
        for t in terms {
            let Term { id, meaning, implies, source, confidence, note, span } = t;
            w.str(id);
            w.str(meaning);
            w.strs(implies);
            w.str(source);
            w.opt_word(*confidence, Confidence::ALL);
            w.opt_str(note.as_deref());
            w.span(*span);
        }
    }
    let mut bytes = Vec::with_capacity(MAGIC.len() + 4 + w.text.len() + w.out.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&u32::try_from(w.text.len()).unwrap_or(u32::MAX).to_le_bytes());
    bytes.extend_from_slice(w.text.as_bytes());
    bytes.extend_from_slice(&w.out);
    bytes
}

/// The catalog `bytes` hold; every span's file is moved by `file_offset` (the index the
/// first built-in file has in the caller's sources).
pub fn decode_catalog(bytes: &[u8], file_offset: u32) -> Result<Catalog, SnapshotError> {
    let mut r = Reader { bytes, at: 0, file_offset, text: "" };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(r.fail("not a catalog snapshot of this build"));
    }
    let text_len = r.u32()? as usize;
    let text = r.take(text_len)?;
    r.text = std::str::from_utf8(text).map_err(|_| r.fail("its text is not UTF-8"))?;
    let instruments = r.list(|r| {
        Ok(Instrument {
            id: r.string()?,
            edition: r.string()?,
            title: r.string()?,
            kind: r.word(InstrumentKind::ALL)?,
            body: r.string()?,
            published: r.opt_date()?,
            supersedes: r.opt_u32()?.map(InstrumentIx),
            url: r.opt_string()?,
            source: r.string()?,
            confidence: r.opt_word(Confidence::ALL)?,
            note: r.opt_string()?,
            clauses: r.u32()?..r.u32()?,
            span: r.span()?,
        })
    })?;
    let clauses = r.list(|r| {
        Ok(Clause {
            instrument: InstrumentIx(r.u32()?),
            id: r.string()?,
            title: r.string()?,
            kind: r.word(ClauseKind::ALL)?,
            granularity: r.word(Granularity::ALL)?,
            parent: r.opt_u32()?.map(ClauseIx),
            refs: r.list(|r| Ok(ClauseIx(r.u32()?)))?,
            source: r.opt_string()?,
            confidence: r.opt_word(Confidence::ALL)?,
            note: r.opt_string()?,
            position: r.u32()?,
            span: r.span()?,
        })
    })?;
    let mappings = r.list(|r| {
        Ok(Mapping {
            from: InstrumentIx(r.u32()?),
            to: InstrumentIx(r.u32()?),
            adoption: r.opt_word(Adoption::ALL)?,
            source: r.string()?,
            confidence: r.opt_word(Confidence::ALL)?,
            rationale: r.opt_string()?,
            note: r.opt_string()?,
            entries: r.list(|r| {
                Ok(MapEntry {
                    from: ClauseIx(r.u32()?),
                    to: ClauseIx(r.u32()?),
                    rel: r.word(Relation::ALL)?,
                    rationale: r.opt_string()?,
                    source: r.opt_string()?,
                    confidence: r.opt_word(Confidence::ALL)?,
                    note: r.opt_string()?,
                    span: r.span()?,
                })
            })?,
            span: r.span()?,
        })
    })?;
    let markets = r.list(|r| {
        Ok(Market {
            id: r.string()?,
            name: r.string()?,
            source: r.opt_string()?,
            confidence: r.opt_word(Confidence::ALL)?,
            mandates: r.list(|r| {
                Ok(Mandate {
                    instrument: InstrumentIx(r.u32()?),
                    level: r.word(Level::ALL)?,
                    from: r.date()?,
                    scope: r.opt_string()?,
                    categories: r.strings()?,
                    features: r.strings()?,
                    clauses: r.list(|r| Ok(ClauseIx(r.u32()?)))?,
                    legal_basis: r.string()?,
                    source: r.string()?,
                    confidence: r.opt_word(Confidence::ALL)?,
                    note: r.opt_string()?,
                    span: r.span()?,
                })
            })?,
            recognitions: r.list(|r| {
                Ok(Recognition {
                    agreement: r.string()?,
                    instruments: r.list(|r| Ok(InstrumentIx(r.u32()?)))?,
                    source: r.string()?,
                    confidence: r.opt_word(Confidence::ALL)?,
                    note: r.opt_string()?,
                })
            })?,
            note: r.opt_string()?,
            span: r.span()?,
        })
    })?;
    let mut terms = || {
        r.list(|r| {
            Ok(Term {
                id: r.string()?,
                meaning: r.string()?,
                implies: r.strings()?,
                source: r.string()?,
                confidence: r.opt_word(Confidence::ALL)?,
                note: r.opt_string()?,
                span: r.span()?,
            })
        })
    };
    let vocabulary = Vocabulary { features: terms()?, categories: terms()? };
    if r.at != bytes.len() {
        return Err(r.fail("bytes after the end"));
    }
    check_indices(&instruments, &clauses, &mappings, &markets).map_err(|what| SnapshotError { at: r.at, what })?;
    let mut catalog = Catalog::new(instruments, clauses);
    catalog.mappings = mappings;
    catalog.set_markets(markets);
    catalog.vocabulary = vocabulary;
    Ok(catalog)
}

/// Every index points at an element, as the model's invariant asks.
fn check_indices(
    instruments: &[Instrument],
    clauses: &[Clause],
    mappings: &[Mapping],
    markets: &[Market],
) -> Result<(), &'static str> {
    let instrument = |i: InstrumentIx| i.index() < instruments.len();
    let clause = |c: ClauseIx| c.index() < clauses.len();
    let ok = instruments.iter().all(|i| {
        i.supersedes.is_none_or(instrument)
            && i.clauses.start <= i.clauses.end
            && i.clauses.end as usize <= clauses.len()
    }) && clauses
        .iter()
        .all(|c| instrument(c.instrument) && c.parent.is_none_or(clause) && c.refs.iter().copied().all(clause))
        && mappings.iter().all(|m| {
            instrument(m.from) && instrument(m.to) && m.entries.iter().all(|e| clause(e.from) && clause(e.to))
        })
        && markets.iter().all(|m| {
            m.mandates.iter().all(|d| {
                instrument(d.instrument)
                    && d.clauses.iter().all(|c| instruments[d.instrument.index()].clauses.contains(&c.0))
            }) && m.recognitions.iter().all(|r| r.instruments.iter().copied().all(instrument))
        });
    if ok { Ok(()) } else { Err("an index points past its list") }
}

/// The fields, and the text of every string they name.
struct Writer {
    out: Vec<u8>,
    text: String,
}

impl Writer {
    fn u32(&mut self, n: u32) {
        self.out.extend_from_slice(&n.to_le_bytes());
    }

    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn str(&mut self, s: &str) {
        self.len(self.text.len());
        self.len(s.len());
        self.text.push_str(s);
    }

    fn strs(&mut self, list: &[String]) {
        self.len(list.len());
        for s in list {
            self.str(s);
        }
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.out.push(0),
            Some(s) => {
                self.out.push(1);
                self.str(s);
            }
        }
    }

    fn opt_u32(&mut self, n: Option<u32>) {
        match n {
            None => self.out.push(0),
            Some(n) => {
                self.out.push(1);
                self.u32(n);
            }
        }
    }

    fn word<T: PartialEq + Copy>(&mut self, word: T, all: &[T]) {
        self.out.push(all.iter().position(|w| *w == word).and_then(|p| u8::try_from(p).ok()).unwrap_or(u8::MAX));
    }

    fn opt_word<T: PartialEq + Copy>(&mut self, word: Option<T>, all: &[T]) {
        match word {
            None => self.out.push(0),
            Some(w) => {
                self.out.push(1);
                self.word(w, all);
            }
        }
    }

    fn date(&mut self, d: Date) {
        self.str(&d.to_string());
    }

    fn opt_date(&mut self, d: Option<Date>) {
        self.opt_str(d.map(|d| d.to_string()).as_deref());
    }

    fn span(&mut self, s: Span) {
        self.u32(s.file);
        self.u32(s.start);
        self.u32(s.end);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    file_offset: u32,
    /// The text of every string, checked as UTF-8 once.
    text: &'a str,
}

impl<'a> Reader<'a> {
    fn fail(&self, what: &'static str) -> SnapshotError {
        SnapshotError { at: self.at, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end =
            self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| self.fail("it ends early"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, SnapshotError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn flag(&mut self) -> Result<bool, SnapshotError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.fail("an option flag is neither 0 nor 1")),
        }
    }

    fn string(&mut self) -> Result<String, SnapshotError> {
        let start = self.u32()? as usize;
        let len = self.u32()? as usize;
        let found = start.checked_add(len).and_then(|end| self.text.get(start..end));
        found.map(str::to_owned).ok_or_else(|| self.fail("a string lies outside the text or splits a character"))
    }

    fn strings(&mut self) -> Result<Vec<String>, SnapshotError> {
        self.list(Reader::string)
    }

    fn opt_string(&mut self) -> Result<Option<String>, SnapshotError> {
        if self.flag()? { self.string().map(Some) } else { Ok(None) }
    }

    fn opt_u32(&mut self) -> Result<Option<u32>, SnapshotError> {
        if self.flag()? { self.u32().map(Some) } else { Ok(None) }
    }

    fn word<T: Copy>(&mut self, all: &[T]) -> Result<T, SnapshotError> {
        let i = self.u8()? as usize;
        all.get(i).copied().ok_or_else(|| self.fail("a word is outside its vocabulary"))
    }

    fn opt_word<T: Copy>(&mut self, all: &[T]) -> Result<Option<T>, SnapshotError> {
        if self.flag()? { self.word(all).map(Some) } else { Ok(None) }
    }

    fn date(&mut self) -> Result<Date, SnapshotError> {
        self.string()?.parse::<Date>().map_err(|_| self.fail("a date is not YYYY-MM-DD"))
    }

    fn opt_date(&mut self) -> Result<Option<Date>, SnapshotError> {
        if self.flag()? { self.date().map(Some) } else { Ok(None) }
    }

    fn span(&mut self) -> Result<Span, SnapshotError> {
        let file = self.u32()?.checked_add(self.file_offset).ok_or_else(|| self.fail("a file index overflows"))?;
        Ok(Span { file, start: self.u32()?, end: self.u32()? })
    }

    /// A length-prefixed list; the length is checked against the bytes left before
    /// anything is reserved, so damaged bytes cannot ask for gigabytes.
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, SnapshotError>,
    ) -> Result<Vec<T>, SnapshotError> {
        let n = self.u32()? as usize;
        if n > self.bytes.len() - self.at {
            return Err(self.fail("a list is longer than the bytes left"));
        }
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Sources, add_builtin, load_catalog};

    /// Every public part of a catalog, as text, to compare two catalogs whole.
    fn shown(c: &Catalog) -> String {
        format!("{:#?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}", c.instruments, c.clauses, c.mappings, c.markets, c.vocabulary)
    }

    #[test]
    fn the_builtin_catalog_decodes_to_what_the_loader_reads() {
        let mut sources = Sources::new();
        let files = add_builtin(&mut sources);
        let loaded = load_catalog(&sources, &files).value.expect("the built-in catalog loads");
        let bytes = encode_catalog(&loaded);
        let decoded = decode_catalog(&bytes, 0).expect("decodes");
        assert_eq!(shown(&decoded), shown(&loaded));
        for (k, clause) in loaded.clauses.iter().enumerate() {
            let instrument = loaded.instrument(clause.instrument);
            let reference = format!("{}@{}:{}", instrument.id, instrument.edition, clause.id);
            assert_eq!(decoded.clause_by_ref(&reference), Ok(ClauseIx::new(k)), "{reference}");
        }
        for market in &loaded.markets {
            assert_eq!(decoded.market_by_id(&market.id), loaded.market_by_id(&market.id));
        }
    }

    #[test]
    fn damaged_bytes_are_an_error_never_a_panic() {
        let mut sources = Sources::new();
        let files = add_builtin(&mut sources);
        let loaded = load_catalog(&sources, &files).value.expect("the built-in catalog loads");
        let bytes = encode_catalog(&loaded);
        for cut in [0, 7, 8, 100, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode_catalog(&bytes[..cut], 0).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        for at in (8..flipped.len()).step_by(997) {
            flipped[at] ^= 0xff;
            let _ = decode_catalog(&flipped, 0);
        }
        let mut longer = bytes;
        longer.push(0);
        assert!(decode_catalog(&longer, 0).is_err());
    }
}
