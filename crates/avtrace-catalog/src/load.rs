//! Turning parsed files into a validated [`Catalog`] and [`Program`].
//!
//! Every check runs to the end and reports every problem it finds; a value is returned only
//! when no check found an error.

use std::collections::{BTreeMap, HashMap, HashSet};

use avtrace_model::{
    Adoption, Catalog, Clause, ClauseIx, ClauseKind, Confidence, Date, FileIx, Granularity, Instrument, InstrumentIx,
    InstrumentKind, Level, Mandate, MapEntry, Mapping, Market, Program, Recognition, Relation, Span, Term, UnknownWord,
    Vocabulary, edition_matches, natural_cmp,
};
use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::diag::{Diagnostic, Sources};
use crate::ids::{is_clause_id, is_edition, is_upper_id, parent_candidates};
use crate::raw::{RawClause, RawDate, RawInstrument, RawMandate, RawMapping, RawMarket, RawTerm, RawVocabulary, S};

/// What a catalog file holds, decided by the folder it sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An instrument with its clauses.
    Instrument,
    /// A mapping between two instruments (under a `mappings/` folder).
    Mapping,
    /// A market (under a `markets/` folder).
    Market,
    /// Feature and vehicle-category words (under a `vocabulary/` folder).
    Vocabulary,
}

/// The role of a file from its path relative to the catalog folder: under a `mappings/`
/// folder a mapping, under `markets/` a market, under `vocabulary/` feature and category
/// words, otherwise an instrument.
pub fn role_of(relative_path: &str) -> Role {
    let folders = relative_path.split(['/', '\\']).rev().skip(1);
    if folders.clone().any(|f| f == "mappings") {
        Role::Mapping
    } else if folders.clone().any(|f| f == "markets") {
        Role::Market
    } else if folders.clone().any(|f| f == "vocabulary") {
        Role::Vocabulary
    } else {
        Role::Instrument
    }
}

/// A catalog file to load: where its text is and what it holds.
#[derive(Clone, Copy, Debug)]
pub struct CatalogFile {
    /// The file in the source map.
    pub file: FileIx,
    /// What it holds.
    pub role: Role,
}

/// The outcome of loading: the value when there was no error, and every diagnostic.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The loaded value; `None` when any diagnostic is an error.
    pub value: Option<T>,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) struct Ctx<'a> {
    pub(crate) sources: &'a Sources,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(sources: &'a Sources) -> Self {
        Ctx { sources, diagnostics: Vec::new() }
    }

    pub(crate) fn error(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(code, Some(span), message));
    }

    pub(crate) fn warning(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(code, Some(span), message));
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub(crate) fn finish<T>(self, value: T) -> Loaded<T> {
        let ok = !self.has_errors();
        Loaded { value: ok.then_some(value), diagnostics: self.diagnostics }
    }

    pub(crate) fn parse<T: DeserializeOwned>(&mut self, file: FileIx) -> Option<T> {
        self.parse_text(file, self.sources.file(file).text())
    }

    /// Like [`Ctx::parse`], of `text` read for `file` by the caller.
    pub(crate) fn parse_text<T: DeserializeOwned>(&mut self, file: FileIx, text: &str) -> Option<T> {
        match toml::from_str::<T>(text) {
            Ok(value) => Some(value),
            Err(err) => {
                let span = Span::new(file, err.span().unwrap_or(0..0));
                self.error("invalid-toml", span, crate::words::reword(err.message()));
                None
            }
        }
    }

    pub(crate) fn word<T>(
        &mut self,
        file: FileIx,
        value: &S,
        what: &str,
        parse: fn(&str) -> Result<T, UnknownWord>,
    ) -> Option<T> {
        self.word_at(span(file, value), what, value.get_ref(), parse)
    }

    /// `word` parsed by `parse`, or an error at `at` that lists the accepted words and names
    /// the closest one.
    pub(crate) fn word_at<T>(
        &mut self,
        at: Span,
        what: &str,
        word: &str,
        parse: fn(&str) -> Result<T, UnknownWord>,
    ) -> Option<T> {
        match parse(word) {
            Ok(value) => Some(value),
            Err(err) => {
                let message = format!("unknown {what} `{}`, expected one of: {}", err.found, err.expected.join(", "));
                let mut d = Diagnostic::error(code_for(what), Some(at), message);
                if let Some(best) = closest(word, err.expected.iter().copied()) {
                    d = d.with_note(format!("did you mean `{best}`?"));
                }
                self.diagnostics.push(d);
                None
            }
        }
    }

    pub(crate) fn confidence(&mut self, file: FileIx, value: &Option<S>) -> Option<Confidence> {
        value.as_ref().and_then(|v| self.word(file, v, "confidence", Confidence::parse))
    }

    pub(crate) fn date(&mut self, file: FileIx, value: &Spanned<RawDate>) -> Option<Date> {
        match value.get_ref().0.parse::<Date>() {
            Ok(date) => Some(date),
            Err(err) => {
                self.error("invalid-date", Span::new(file, value.span()), err.to_string());
                None
            }
        }
    }

    pub(crate) fn non_empty(&mut self, file: FileIx, value: &S, what: &str) {
        if value.get_ref().trim().is_empty() {
            self.error("empty-value", span(file, value), format!("{what} must not be empty"));
        }
    }
}

fn code_for(what: &str) -> &'static str {
    match what {
        "kind" | "instrument kind" | "clause kind" => "unknown-kind",
        "relation" => "unknown-relation",
        "level" => "unknown-level",
        "adoption" => "unknown-adoption",
        "confidence" => "unknown-confidence",
        "granularity" => "unknown-granularity",
        "requirement status" => "unknown-status",
        _ => "unknown-value",
    }
}

pub(crate) fn span<T>(file: FileIx, value: &Spanned<T>) -> Span {
    Span::new(file, value.span())
}

/// An instrument parsed and checked on its own, waiting for the whole catalog.
struct Pending {
    file: FileIx,
    /// The instrument's own keys; its clauses are in `clauses`.
    raw: RawInstrument,
    kind: InstrumentKind,
    confidence: Option<Confidence>,
    published: Option<Date>,
    /// The accepted clauses in natural order of their ids, their instrument not yet known.
    clauses: Vec<Clause>,
    /// Where each of `clauses` came from.
    sources: Vec<ClauseSource>,
}

/// Loads and validates a catalog from its files.
///
/// Checks: TOML syntax and unknown keys; id spelling; duplicate instruments (same id and
/// edition), clauses, markets; unknown kinds, relations, levels, adoption degrees and
/// confidences; malformed dates; dangling parents, references, supersessions, mapping
/// endpoints and mandated instruments; reference and parent cycles.
pub fn load_catalog(sources: &Sources, files: &[CatalogFile]) -> Loaded<Catalog> {
    let Read { mut pending, mappings, markets, vocabularies, diagnostics } = read_all(sources, files);
    let mut cx = Ctx::new(sources);
    cx.diagnostics = diagnostics;

    // Canonical order: by id, then edition; a duplicate keeps the first seen in path order.
    pending.sort_by(|a, b| {
        a.raw.id.get_ref().cmp(b.raw.id.get_ref()).then_with(|| a.raw.edition.get_ref().cmp(b.raw.edition.get_ref()))
    });
    let mut unique: Vec<Pending> = Vec::with_capacity(pending.len());
    for p in pending {
        if let Some(first) = unique
            .iter()
            .rev()
            .take_while(|u| u.raw.id.get_ref() == p.raw.id.get_ref())
            .find(|u| u.raw.edition.get_ref() == p.raw.edition.get_ref())
        {
            let other = cx.sources.position(span(first.file, &first.raw.id));
            cx.diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    Some(span(p.file, &p.raw.id)),
                    format!(
                        "instrument `{}` edition `{}` is defined twice",
                        p.raw.id.get_ref(),
                        p.raw.edition.get_ref()
                    ),
                )
                .with_note(format!("first defined at {other}")),
            );
            continue;
        }
        unique.push(p);
    }

    let (catalog, clause_sources) = build_instruments(&mut cx, unique);
    let mut catalog = catalog;
    resolve_clause_links(&mut cx, &mut catalog, &clause_sources);
    check_cycles(&mut cx, &catalog, &clause_sources);
    catalog.mappings = build_mappings(&mut cx, &catalog, mappings);
    catalog.vocabulary = build_vocabulary(&mut cx, vocabularies);
    let markets = build_markets(&mut cx, &catalog, markets);
    catalog.set_markets(markets);
    collapse_ambiguous_references(&mut cx, &catalog);
    cx.finish(catalog)
}

/// What a run of catalog files was read into, in file order: every file parsed, every
/// instrument checked on its own.
#[derive(Default)]
struct Read {
    pending: Vec<Pending>,
    mappings: Vec<(FileIx, RawMapping)>,
    markets: Vec<(FileIx, RawMarket)>,
    vocabularies: Vec<(FileIx, RawVocabulary)>,
    diagnostics: Vec<Diagnostic>,
}

/// Reads `files` on up to one thread per core, each thread a contiguous run of about the same
/// number of bytes, and joins the runs in file order: the result and the order of its
/// diagnostics are those of reading the files one after another.
fn read_all(sources: &Sources, files: &[CatalogFile]) -> Read {
    let sizes: Vec<usize> = files.iter().map(|f| sources.file(f.file).text().len()).collect();
    let total: usize = sizes.iter().sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // The built-in catalog is under the threshold: read on the caller's thread.
    let workers = if total < crate::THREADS_PAY_ABOVE_BYTES { 1 } else { cores.min(files.len()).max(1) };
    if workers == 1 {
        return read_files(sources, files);
    }
    let mut runs = Vec::with_capacity(workers);
    let (mut start, mut bytes) = (0, 0);
    for (i, size) in sizes.iter().enumerate() {
        bytes += size;
        if runs.len() + 1 < workers && bytes * workers >= total * (runs.len() + 1) {
            runs.push(start..i + 1);
            start = i + 1;
        }
    }
    runs.push(start..files.len());
    let reads: Vec<Read> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            runs[1..].iter().map(|run| scope.spawn(|| read_files(sources, &files[run.clone()]))).collect();
        let first = read_files(sources, &files[runs[0].clone()]);
        // A panic in a worker is a bug in the loader: it goes on as it would on one thread.
        std::iter::once(first)
            .chain(handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))))
            .collect()
    });
    let mut all = Read::default();
    for read in reads {
        all.pending.extend(read.pending);
        all.mappings.extend(read.mappings);
        all.markets.extend(read.markets);
        all.vocabularies.extend(read.vocabularies);
        all.diagnostics.extend(read.diagnostics);
    }
    all
}

/// Parses `files` one after another, checking each instrument on its own.
fn read_files(sources: &Sources, files: &[CatalogFile]) -> Read {
    let mut cx = Ctx::new(sources);
    let mut read = Read::default();
    for f in files {
        match f.role {
            Role::Vocabulary => read.vocabularies.extend(cx.parse::<RawVocabulary>(f.file).map(|raw| (f.file, raw))),
            Role::Instrument => {
                let text = sources.file(f.file).text();
                // The fast lane declines anything it does not read exactly as the `toml`
                // crate would; the `toml` crate then reads the file and reports its errors.
                let raw =
                    crate::fast_catalog::instrument(text).or_else(|| cx.parse_text::<RawInstrument>(f.file, text));
                if let Some(raw) = raw {
                    read.pending.extend(check_instrument(&mut cx, f.file, raw));
                }
            }
            Role::Mapping => {
                let text = sources.file(f.file).text();
                let raw = crate::fast_catalog::mapping(text).or_else(|| cx.parse_text::<RawMapping>(f.file, text));
                read.mappings.extend(raw.map(|raw| (f.file, raw)));
            }
            Role::Market => read.markets.extend(cx.parse::<RawMarket>(f.file).map(|raw| (f.file, raw))),
        }
    }
    read.diagnostics = cx.diagnostics;
    read
}

/// Gathers the errors of references made ambiguous by an id's second current edition into
/// one error at that edition. An extra catalog folder giving a built-in id a new edition
/// would otherwise draw one error at each unpinned reference, all in files its author did
/// not write, and none at the file that caused them.
fn collapse_ambiguous_references(cx: &mut Ctx<'_>, catalog: &Catalog) {
    let mut ids: Vec<&str> = catalog.instruments.iter().map(|i| i.id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let Err(err @ avtrace_model::ClauseRefError::AmbiguousEdition { .. }) = catalog.instrument_by_ref(id) else {
            continue;
        };
        // The wording every reference check uses for this error.
        let wording = err.to_string();
        let (ambiguous, rest): (Vec<Diagnostic>, Vec<Diagnostic>) = std::mem::take(&mut cx.diagnostics)
            .into_iter()
            .partition(|d| d.code == "dangling-reference" && d.message.contains(&wording));
        cx.diagnostics = rest;
        if ambiguous.is_empty() {
            continue;
        }
        let editions: Vec<(InstrumentIx, &Instrument)> = catalog
            .instruments
            .iter()
            .enumerate()
            .map(|(i, instrument)| (InstrumentIx::new(i), instrument))
            .filter(|(ix, instrument)| {
                instrument.id == id && !catalog.instruments.iter().any(|other| other.supersedes == Some(*ix))
            })
            .collect();
        // The edition read last (extra folders come after the built-in catalog) caused it.
        let Some(&(_, last)) = editions.iter().max_by_key(|(_, instrument)| instrument.span.file()) else { continue };
        let mut error = Diagnostic::error(
            "ambiguous-edition",
            Some(last.span),
            format!(
                "instrument `{id}` edition `{}` is a second current edition, so {} reference{} to `{id}` without an \
                 edition {} ambiguous",
                last.edition,
                ambiguous.len(),
                if ambiguous.len() == 1 { "" } else { "s" },
                if ambiguous.len() == 1 { "is" } else { "are" },
            ),
        );
        for (_, other) in editions.iter().filter(|(_, e)| e.span != last.span) {
            error = error.with_note(format!("edition `{}` is at {}", other.edition, cx.sources.position(other.span)));
        }
        let shown: Vec<String> =
            ambiguous.iter().take(3).filter_map(|d| d.span.map(|s| cx.sources.position(s))).collect();
        let more = ambiguous.len().saturating_sub(shown.len());
        error = error.with_note(format!(
            "ambiguous at {}{}",
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
        let others: Vec<&str> =
            editions.iter().filter(|(_, e)| e.span != last.span).map(|(_, e)| e.edition.as_str()).collect();
        error = error.with_note(format!(
            "to replace `{}`, add `supersedes = \"{id}@{}\"`; for another instrument, give it its own id; to keep \
             both, pin each reference as {id}@EDITION",
            others.join("`, `"),
            others.first().copied().unwrap_or_default()
        ));
        cx.diagnostics.push(error);
    }
}

fn check_instrument(cx: &mut Ctx<'_>, file: FileIx, raw: RawInstrument) -> Option<Pending> {
    let mut ok = true;
    if !is_upper_id(raw.id.get_ref()) {
        cx.error(
            "invalid-id",
            span(file, &raw.id),
            format!(
                "instrument id `{}` must be upper case letters, digits and hyphens (e.g. UN-R155)",
                raw.id.get_ref()
            ),
        );
        ok = false;
    }
    if !is_edition(raw.edition.get_ref()) {
        cx.error("invalid-id", span(file, &raw.edition), "edition must not be blank or contain `:` or `@`");
        ok = false;
    }
    cx.non_empty(file, &raw.source, "source");
    let kind = cx.word(file, &raw.kind, "instrument kind", InstrumentKind::parse);
    let confidence = cx.confidence(file, &raw.confidence);
    let published = raw.published.as_ref().and_then(|d| cx.date(file, d));
    if let Some(s) = &raw.supersedes
        && !s.get_ref().contains('@')
        && s.get_ref() != raw.id.get_ref()
        && !is_upper_id(s.get_ref())
    {
        cx.error("invalid-id", span(file, s), "expected `INSTRUMENT@EDITION`");
    }
    let mut seen: HashMap<&str, &S> = HashMap::new();
    let mut clauses = Vec::with_capacity(raw.clauses.len());
    for clause in &raw.clauses {
        let id = clause.id.get_ref().as_str();
        let mut clause_ok = true;
        if !is_clause_id(id) {
            cx.error(
                "invalid-id",
                span(file, &clause.id),
                format!("clause id `{id}` may hold letters, digits, single spaces and . ( ) - _ / only"),
            );
            clause_ok = false;
        } else if let Some(first) = seen.get(id) {
            let other = cx.sources.position(span(file, first));
            cx.diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    Some(span(file, &clause.id)),
                    format!("clause `{id}` is defined twice in {}", raw.id.get_ref()),
                )
                .with_note(format!("first defined at {other}")),
            );
            clause_ok = false;
        } else {
            seen.insert(id, &clause.id);
        }
        let kind = cx.word(file, &clause.kind, "clause kind", ClauseKind::parse);
        let conf = cx.confidence(file, &clause.confidence);
        let granularity = match &clause.granularity {
            Some(word) => cx.word(file, word, "granularity", Granularity::parse),
            // Without the key, an entry is one paragraph.
            None => Some(Granularity::Paragraph),
        };
        clauses.push(match (clause_ok, kind, granularity) {
            (true, Some(kind), Some(granularity)) => Some((kind, granularity, conf)),
            _ => None,
        });
    }
    let kind = kind?;
    if !ok {
        return None;
    }
    let mut raw = raw;
    let (clauses, sources) = clauses_of(file, std::mem::take(&mut raw.clauses), &clauses);
    Some(Pending { file, raw, kind, confidence, published, clauses, sources })
}

/// The clauses `checked` accepted, in natural order of their ids (written order among equals),
/// with where each came from. They are made here, on the thread that read the file, so that
/// the file's raw clauses are dropped as soon as it is read.
fn clauses_of(
    file: FileIx,
    mut raw: Vec<RawClause>,
    checked: &[Option<(ClauseKind, Granularity, Option<Confidence>)>],
) -> (Vec<Clause>, Vec<ClauseSource>) {
    let mut order: Vec<usize> = (0..raw.len()).filter(|&i| checked[i].is_some()).collect();
    order.sort_by(|&a, &b| natural_cmp(raw[a].id.get_ref(), raw[b].id.get_ref()));
    let mut clauses = Vec::with_capacity(order.len());
    let mut sources = Vec::with_capacity(order.len());
    for position in order {
        let Some((kind, granularity, confidence)) = checked[position] else { continue };
        // Taken field by field: moving whole raw clauses while sorting was a tenth of a large
        // catalog's load time.
        let c = &mut raw[position];
        clauses.push(Clause {
            // Set once the catalog's order of instruments is known.
            instrument: InstrumentIx::new(0),
            span: span(file, &c.id),
            id: std::mem::take(c.id.get_mut()),
            title: std::mem::take(&mut c.title),
            kind,
            granularity,
            parent: None,
            refs: Vec::new(),
            source: c.source.take(),
            confidence,
            note: c.note.take(),
            position: u32::try_from(position).unwrap_or(u32::MAX),
        });
        sources.push(ClauseSource { file, parent: c.parent.take(), refs: std::mem::take(&mut c.refs) });
    }
    (clauses, sources)
}

/// Where each clause came from, to point at its parent and references later.
struct ClauseSource {
    file: FileIx,
    parent: Option<S>,
    refs: Vec<S>,
}

fn build_instruments(cx: &mut Ctx<'_>, pending: Vec<Pending>) -> (Catalog, Vec<ClauseSource>) {
    let mut instruments = Vec::with_capacity(pending.len());
    // Sized once: grown by doubling, a million clauses were copied and their pages zeroed
    // several times over.
    let total = pending.iter().map(|p| p.clauses.len()).sum();
    let mut clauses = Vec::with_capacity(total);
    let mut clause_sources = Vec::with_capacity(total);
    let mut supersedes = Vec::with_capacity(pending.len());
    for (i, p) in pending.into_iter().enumerate() {
        let Pending { file, raw, kind, confidence, published, clauses: own, sources } = p;
        let start = clauses.len();
        clauses.extend(own.into_iter().map(|mut c| {
            c.instrument = InstrumentIx::new(i);
            c
        }));
        clause_sources.extend(sources);
        let end = clauses.len();
        supersedes.push((file, raw.supersedes));
        instruments.push(Instrument {
            span: span(file, &raw.id),
            id: raw.id.into_inner(),
            edition: raw.edition.into_inner(),
            title: raw.title,
            kind,
            body: raw.body,
            published,
            supersedes: None,
            url: raw.url,
            source: raw.source.into_inner(),
            confidence,
            note: raw.note,
            clauses: u32::try_from(start).unwrap_or(u32::MAX)..u32::try_from(end).unwrap_or(u32::MAX),
        });
    }
    // Supersession is resolved before the catalog indexes current editions.
    for i in 0..instruments.len() {
        let (file, Some(reference)) = &supersedes[i] else { continue };
        let (id, pin) = match reference.get_ref().split_once('@') {
            Some((id, pin)) => (id, Some(pin)),
            None => (reference.get_ref().as_str(), None),
        };
        let candidates: Vec<usize> = (0..instruments.len()).filter(|&j| j != i && instruments[j].id == id).collect();
        let found = match pin {
            Some(pin) => candidates.iter().copied().find(|&j| edition_matches(&instruments[j].edition, pin)),
            None if candidates.len() == 1 => Some(candidates[0]),
            None => None,
        };
        match found {
            Some(j) => instruments[i].supersedes = Some(InstrumentIx::new(j)),
            None => cx.error(
                "dangling-reference",
                span(*file, reference),
                format!("`supersedes` names `{}`, which is not an edition in the catalog", reference.get_ref()),
            ),
        }
    }
    (Catalog::new(instruments, clauses), clause_sources)
}

fn resolve_clause_links(cx: &mut Ctx<'_>, catalog: &mut Catalog, sources: &[ClauseSource]) {
    for (i, source) in sources.iter().enumerate() {
        let ix = ClauseIx::new(i);
        let instrument = catalog.clause(ix).instrument;
        let parent = match &source.parent {
            Some(parent) => {
                let found = catalog.clause_in(instrument, parent.get_ref());
                if found.is_none() || found == Some(ix) {
                    cx.error(
                        "dangling-reference",
                        span(source.file, parent),
                        format!(
                            "parent `{}` is not another clause of {}",
                            parent.get_ref(),
                            catalog.instrument_name(instrument)
                        ),
                    );
                }
                found.filter(|&p| p != ix)
            }
            None => parent_candidates(&catalog.clause(ix).id).find_map(|c| catalog.clause_in(instrument, c)),
        };
        let mut refs = Vec::with_capacity(source.refs.len());
        for reference in &source.refs {
            match catalog.clause_by_ref(reference.get_ref()) {
                Ok(cited) => {
                    if !refs.contains(&cited) {
                        refs.push(cited);
                    }
                }
                Err(err) => cx.error("dangling-reference", span(source.file, reference), format!("in `refs`: {err}")),
            }
        }
        let clause = &mut catalog.clauses[i];
        clause.parent = parent;
        clause.refs = refs;
    }
}

fn check_cycles(cx: &mut Ctx<'_>, catalog: &Catalog, sources: &[ClauseSource]) {
    let describe = |cycle: &[u32]| {
        cycle.iter().chain(cycle.first()).map(|&c| catalog.clause_name(ClauseIx(c))).collect::<Vec<_>>().join(" -> ")
    };
    let ref_edges: Vec<(u32, u32)> =
        catalog.clauses.iter().enumerate().flat_map(|(i, c)| c.refs.iter().map(move |r| (i as u32, r.0))).collect();
    for cycle in avtrace_graph::find_cycles(catalog.clauses.len(), &ref_edges) {
        let first = cycle[0] as usize;
        let next = cycle.get(1).copied().unwrap_or(cycle[0]);
        let target = catalog.clause_name(ClauseIx(next));
        let at = sources[first]
            .refs
            .iter()
            .find(|r| catalog.clause_by_ref(r.get_ref()).is_ok_and(|c| c.0 == next))
            .map(|r| span(sources[first].file, r))
            .unwrap_or(catalog.clauses[first].span);
        cx.diagnostics.push(
            Diagnostic::error("reference-cycle", Some(at), format!("reference cycle: {}", describe(&cycle)))
                .with_note(format!("remove one reference of the cycle, e.g. this one to {target}")),
        );
    }
    let parent_edges: Vec<(u32, u32)> =
        catalog.clauses.iter().enumerate().filter_map(|(i, c)| c.parent.map(|p| (i as u32, p.0))).collect();
    for cycle in avtrace_graph::find_cycles(catalog.clauses.len(), &parent_edges) {
        let first = cycle[0] as usize;
        let at = sources[first].parent.as_ref().map_or(catalog.clauses[first].span, |p| span(sources[first].file, p));
        cx.error("parent-cycle", at, format!("parent cycle: {}", describe(&cycle)));
    }
}

fn build_mappings(cx: &mut Ctx<'_>, catalog: &Catalog, raws: Vec<(FileIx, RawMapping)>) -> Vec<Mapping> {
    let mut mappings = Vec::new();
    // Every clause pair mapped so far, in either direction, with its relation read from the
    // smaller clause index and where it was mapped: the same pair mapped twice with
    // different relations is a contradiction whichever files the two entries are in. Sized
    // for every entry at once and hashed with Fx (the keys are our own indices): a large
    // catalog's mappings have hundreds of thousands of entries.
    let entry_count = raws.iter().map(|(_, raw)| raw.map.len()).sum();
    let mut pairs: Pairs = HashMap::with_capacity_and_hasher(entry_count, Default::default());
    for (file, raw) in raws {
        cx.non_empty(file, &raw.source, "source");
        let adoption = raw.adoption.as_ref().and_then(|a| cx.word(file, a, "adoption", Adoption::parse));
        let confidence = cx.confidence(file, &raw.confidence);
        let endpoint = |cx: &mut Ctx<'_>, value: &S, end: &str| match catalog.instrument_by_ref(value.get_ref()) {
            Ok(ix) => Some(ix),
            Err(err) => {
                cx.error("dangling-reference", span(file, value), format!("mapping `{end}`: {err}"));
                None
            }
        };
        let from = endpoint(cx, &raw.from, "from");
        let to = endpoint(cx, &raw.to, "to");
        let (Some(from), Some(to)) = (from, to) else { continue };
        if from == to {
            cx.error("invalid-mapping", span(file, &raw.to), "a mapping must join two different instruments");
            continue;
        }
        let mut entries = Vec::with_capacity(raw.map.len());
        let mut seen_entries: HashSet<(ClauseIx, ClauseIx), rustc_hash::FxBuildHasher> =
            HashSet::with_capacity_and_hasher(raw.map.len(), Default::default());
        for entry in raw.map {
            let clause = |cx: &mut Ctx<'_>, value: &S, instrument: InstrumentIx| {
                let found = catalog.clause_in(instrument, value.get_ref());
                if found.is_none() {
                    cx.error(
                        "dangling-reference",
                        span(file, value),
                        format!("{} has no clause `{}`", catalog.instrument_label(instrument), value.get_ref()),
                    );
                }
                found
            };
            let entry_from = clause(cx, &entry.from, from);
            let entry_to = clause(cx, &entry.to, to);
            let rel = cx.word(file, &entry.rel, "relation", Relation::parse);
            let entry_confidence = cx.confidence(file, &entry.confidence);
            let (Some(entry_from), Some(entry_to), Some(rel)) = (entry_from, entry_to, rel) else { continue };
            if !seen_entries.insert((entry_from, entry_to)) {
                cx.error(
                    "duplicate-id",
                    span(file, &entry.from),
                    format!(
                        "{} and {} are mapped twice in this file",
                        catalog.clause_name(entry_from),
                        catalog.clause_name(entry_to)
                    ),
                );
                continue;
            }
            let at = span(file, &entry.from);
            if !check_pair(cx, catalog, &mut pairs, (entry_from, entry_to, rel), at) {
                continue;
            }
            entries.push(MapEntry {
                from: entry_from,
                to: entry_to,
                rel,
                rationale: entry.rationale,
                source: entry.source,
                confidence: entry_confidence,
                note: entry.note,
                span: span(file, &entry.from),
            });
        }
        mappings.push(Mapping {
            from,
            to,
            adoption,
            span: span(file, &raw.from),
            source: raw.source.into_inner(),
            confidence,
            rationale: raw.rationale,
            note: raw.note,
            entries,
        });
    }
    mappings.sort_by_key(|m| (m.from, m.to, m.span.file));
    mappings
}

/// Every clause pair mapped so far: see [`build_mappings`].
type Pairs = HashMap<(ClauseIx, ClauseIx), (Relation, Span), rustc_hash::FxBuildHasher>;

/// Records the mapping `from rel to` at `at`. The same clause pair mapped again in another
/// file (in either direction):
/// - with `equal`, `subset` or `superset` where the first said another of these three, is a
///   contradiction: an error at the second, naming the first (false: the entry is dropped);
/// - with the same relation, is a warning (the second says nothing new);
/// - where one of the two is `intersects`, the other sharpens it: a company's crosswalk
///   (`--standards-extra`) recording that a pair the built-in catalog relates only at topic
///   level is in fact `equal`. Both stay; the chain search takes the stronger, as it does
///   for any two routes.
fn check_pair(
    cx: &mut Ctx<'_>,
    catalog: &Catalog,
    pairs: &mut Pairs,
    (from, to, rel): (ClauseIx, ClauseIx, Relation),
    at: Span,
) -> bool {
    let (key, normal) = if from <= to { ((from, to), rel) } else { ((to, from), rel.converse()) };
    let Some(&(first_rel, first_at)) = pairs.get(&key) else {
        pairs.insert(key, (normal, at));
        return true;
    };
    let first = cx.sources.position(first_at);
    // Both read from the clause this entry starts at.
    let first_rel = if from <= to { first_rel } else { first_rel.converse() };
    let (a, b) = (catalog.clause_name(from), catalog.clause_name(to));
    if first_rel == rel {
        if first_at.file() != at.file() {
            cx.warning("duplicate-mapping", at, format!("{a} is already mapped `{rel}` to {b} at {first}"));
        }
        return true;
    }
    if first_rel == Relation::Intersects || rel == Relation::Intersects {
        if first_rel == Relation::Intersects {
            pairs.insert(key, (normal, at));
        }
        return true;
    }
    cx.diagnostics.push(
        Diagnostic::error(
            "conflicting-mapping",
            Some(at),
            format!("{a} is mapped `{rel}` to {b} here, but `{first_rel}` at {first}"),
        )
        .with_note("one clause pair has one relation: keep the right one, remove the other"),
    );
    false
}

/// The feature and category words of every `vocabulary/` file: ids unique per kind, every
/// `implies` naming a declared feature (categories imply nothing: the prefix rule relates
/// them).
fn build_vocabulary(cx: &mut Ctx<'_>, raws: Vec<(FileIx, RawVocabulary)>) -> Vocabulary {
    let mut features: BTreeMap<String, Term> = BTreeMap::new();
    let mut categories: BTreeMap<String, Term> = BTreeMap::new();
    let mut implied: Vec<(FileIx, S)> = Vec::new();
    for (file, raw) in raws {
        for (kind, terms, into) in
            [("feature", raw.features, &mut features), ("category", raw.categories, &mut categories)]
        {
            for t in terms {
                if let Some(term) = vocabulary_term(cx, file, kind, t, into, &mut implied) {
                    into.insert(term.id.clone(), term);
                }
            }
        }
    }
    for (file, word) in implied {
        if !features.contains_key(word.get_ref()) {
            let message = format!("`implies` names feature `{}`, which is not declared", word.get_ref());
            cx.diagnostics.push(
                Diagnostic::error("unknown-feature", Some(span(file, &word)), message)
                    .with_note(closest_note(word.get_ref(), features.keys().map(String::as_str))),
            );
        }
    }
    Vocabulary { features: features.into_values().collect(), categories: categories.into_values().collect() }
}

fn vocabulary_term(
    cx: &mut Ctx<'_>,
    file: FileIx,
    kind: &str,
    t: RawTerm,
    declared: &BTreeMap<String, Term>,
    implied: &mut Vec<(FileIx, S)>,
) -> Option<Term> {
    let id = t.id.get_ref();
    if id.trim().is_empty() || id.trim() != id || id.chars().any(char::is_control) {
        cx.error("invalid-id", span(file, &t.id), format!("a {kind} must not be blank or padded with spaces"));
        return None;
    }
    cx.non_empty(file, &t.source, "source");
    let confidence = cx.confidence(file, &t.confidence);
    if let Some(first) = declared.get(id) {
        let other = cx.sources.position(first.span);
        cx.diagnostics.push(
            Diagnostic::error("duplicate-id", Some(span(file, &t.id)), format!("{kind} `{id}` is declared twice"))
                .with_note(format!("first declared at {other}")),
        );
        return None;
    }
    if kind == "category" && !t.implies.is_empty() {
        cx.error(
            "invalid-value",
            span(file, &t.id),
            "a category implies nothing: `M` already matches `M1` by its prefix",
        );
    }
    let implies = t.implies.iter().map(|w| w.get_ref().clone()).collect();
    implied.extend(t.implies.into_iter().map(|w| (file, w)));
    Some(Term {
        id: t.id.get_ref().clone(),
        meaning: t.meaning,
        implies,
        source: t.source.into_inner(),
        confidence,
        note: t.note,
        span: span(file, &t.id),
    })
}

/// Warnings about mandates on instruments that have no clause that can be an obligation:
/// such a mandate adds nothing to a trace, so `check` says so, with the mandate's place.
/// With a program, only the mandates that apply to it (at any level) in its markets.
pub fn unmodelled_mandates(catalog: &Catalog, program: Option<&Program>) -> Vec<Diagnostic> {
    let features = program.map(|p| catalog.vocabulary.feature_closure(&p.features)).unwrap_or_default();
    let mut out = Vec::new();
    for (m, market) in catalog.markets.iter().enumerate() {
        let sop = program.map(|p| p.sop_in(avtrace_model::MarketIx::new(m)));
        for mandate in &market.mandates {
            if catalog.is_mandate_modelled(mandate) {
                continue;
            }
            if let (Some(program), Some(sop)) = (program, sop) {
                let applies =
                    sop.is_some_and(|sop| mandate.applies(&program.categories, &features, sop, Level::Voluntary));
                if !applies {
                    continue;
                }
            }
            let name = catalog.instrument_name(mandate.instrument);
            let message = if mandate.clauses.is_empty() {
                format!("{} mandates {name}, which has no requirement clauses in the catalog", market.id)
            } else {
                format!("{} mandates parts of {name} that hold no requirement clauses in the catalog", market.id)
            };
            out.push(Diagnostic::warning("unmodelled-mandate", Some(mandate.span), message).with_note(format!(
                "traces of {} list it as unmodelled: its obligations cannot be counted until its clauses are added",
                market.id
            )));
        }
    }
    out
}

/// `did you mean `x`?` for the declared word closest to `word`, or the list of words when
/// none is close.
pub(crate) fn closest_note<'a>(word: &str, known: impl Iterator<Item = &'a str> + Clone) -> String {
    match closest(word, known.clone()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("declared: {}", known.collect::<Vec<_>>().join(", ")),
    }
}

/// The known word at the smallest edit distance from `word` (case ignored), if it is close
/// enough to be a likely typo: at most a third of the word's length, and at least 1.
pub(crate) fn closest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = (lower.chars().count() / 3).max(1);
    known
        .map(|k| (edit_distance(&lower, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters, with adjacent transpositions counting one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// Checks a feature or category word against the catalog's vocabulary: an error naming the
/// closest declared word when the vocabulary of that kind is declared and lacks it. A
/// program's category matches a declared category equal to it; a mandate's must be declared.
pub(crate) fn check_word(cx: &mut Ctx<'_>, at: Span, kind: &str, word: &str, declared: &[Term], who: &str) {
    if declared.is_empty() || declared.iter().any(|t| t.id == word) {
        return;
    }
    let code = if kind == "feature" { "unknown-feature" } else { "unknown-category" };
    let message = format!("{who} names {kind} `{word}`, which the catalog does not declare");
    let note = closest_note(word, declared.iter().map(|t| t.id.as_str()));
    let see = format!("`avtrace features` lists the declared {kind} words and what they mean");
    cx.diagnostics.push(Diagnostic::error(code, Some(at), message).with_note(note).with_note(see));
}

fn build_markets(cx: &mut Ctx<'_>, catalog: &Catalog, raws: Vec<(FileIx, RawMarket)>) -> Vec<Market> {
    let mut markets: BTreeMap<String, Market> = BTreeMap::new();
    for (file, raw) in raws {
        let id_span = span(file, &raw.id);
        if !is_upper_id(raw.id.get_ref()) {
            cx.error(
                "invalid-id",
                id_span,
                format!("market id `{}` must be upper case letters, digits and hyphens (e.g. EU)", raw.id.get_ref()),
            );
            continue;
        }
        let confidence = cx.confidence(file, &raw.confidence);
        let mut mandates = Vec::with_capacity(raw.mandates.len());
        for m in raw.mandates {
            mandates.extend(build_mandate(cx, catalog, file, m));
        }
        let mut recognitions = Vec::new();
        for r in raw.recognitions {
            cx.non_empty(file, &r.source, "source");
            let confidence = cx.confidence(file, &r.confidence);
            let mut instruments = Vec::new();
            for i in &r.instruments {
                match catalog.instrument_by_ref(i.get_ref()) {
                    Ok(ix) => instruments.push(ix),
                    Err(err) => cx.error("dangling-reference", span(file, i), format!("recognition: {err}")),
                }
            }
            recognitions.push(Recognition {
                agreement: r.agreement,
                instruments,
                source: r.source.into_inner(),
                confidence,
                note: r.note,
            });
        }
        let market = Market {
            id: raw.id.get_ref().clone(),
            name: raw.name,
            source: raw.source,
            confidence,
            mandates,
            recognitions,
            note: raw.note,
            span: id_span,
        };
        if let Some(first) = markets.get(raw.id.get_ref()) {
            let other = cx.sources.position(first.span);
            cx.diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    Some(id_span),
                    format!("market `{}` is defined twice", raw.id.get_ref()),
                )
                .with_note(format!("first defined at {other}")),
            );
            continue;
        }
        markets.insert(market.id.clone(), market);
    }
    markets.into_values().collect()
}

/// The clauses a mandate's `clauses` list names in its instrument, sorted; empty when it
/// has no list (the whole instrument). `None` after an error: a list that is empty, names a
/// clause twice or names one the instrument lacks.
fn mandated_parts(
    cx: &mut Ctx<'_>,
    catalog: &Catalog,
    file: FileIx,
    instrument: Option<InstrumentIx>,
    list: Option<&Spanned<Vec<S>>>,
) -> Option<Vec<ClauseIx>> {
    let Some(list) = list else { return Some(Vec::new()) };
    if list.get_ref().is_empty() {
        cx.error(
            "empty-value",
            span(file, list),
            "`clauses` is empty: name the parts of the instrument the mandate imposes, or leave `clauses` out for all of it",
        );
        return None;
    }
    // Without its instrument the names cannot be checked; that error is already reported.
    let instrument = instrument?;
    let mut parts = Vec::with_capacity(list.get_ref().len());
    let mut ok = true;
    for id in list.get_ref() {
        match catalog.clause_in(instrument, id.get_ref()) {
            Some(clause) if parts.contains(&clause) => {
                cx.error("duplicate-id", span(file, id), format!("`clauses` names {} twice", id.get_ref()));
                ok = false;
            }
            Some(clause) => parts.push(clause),
            None => {
                let name = catalog.instrument_name(instrument);
                cx.error(
                    "dangling-reference",
                    span(file, id),
                    format!("mandate: {name} has no clause {}", id.get_ref()),
                );
                ok = false;
            }
        }
    }
    parts.sort_unstable();
    ok.then_some(parts)
}

fn build_mandate(cx: &mut Ctx<'_>, catalog: &Catalog, file: FileIx, m: RawMandate) -> Option<Mandate> {
    cx.non_empty(file, &m.source, "source");
    let instrument = match catalog.instrument_by_ref(m.instrument.get_ref()) {
        Ok(ix) => Some(ix),
        Err(err) => {
            cx.error("dangling-reference", span(file, &m.instrument), format!("mandate: {err}"));
            None
        }
    };
    let level = cx.word(file, &m.level, "level", Level::parse);
    let from = cx.date(file, &m.from);
    let confidence = cx.confidence(file, &m.confidence);
    for word in m.categories.iter().chain(&m.features) {
        cx.non_empty(file, word, "a category or feature");
    }
    for word in &m.categories {
        check_word(cx, span(file, word), "category", word.get_ref(), &catalog.vocabulary.categories, "the mandate");
    }
    for word in &m.features {
        check_word(cx, span(file, word), "feature", word.get_ref(), &catalog.vocabulary.features, "the mandate");
    }
    let clauses = mandated_parts(cx, catalog, file, instrument, m.clauses.as_ref());
    Some(Mandate {
        instrument: instrument?,
        level: level?,
        from: from?,
        scope: m.scope,
        categories: m.categories.into_iter().map(Spanned::into_inner).collect(),
        features: m.features.into_iter().map(Spanned::into_inner).collect(),
        clauses: clauses?,
        legal_basis: m.legal_basis,
        span: span(file, &m.instrument),
        source: m.source.into_inner(),
        confidence,
        note: m.note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog large enough to be read on several threads gives the diagnostics, and the
    /// instruments and mappings in the order, of reading its files one after another.
    #[test]
    fn reading_on_several_threads_changes_nothing() {
        let mut sources = Sources::new();
        let mut files = Vec::new();
        for i in 0..400 {
            let kind = if i % 37 == 5 { "law" } else { "standard" };
            let mut text =
                format!("id = \"I{i:03}\"\ntitle = \"t\"\nkind = \"{kind}\"\nedition = \"1\"\nsource = \"s\"\n");
            for c in 0..60 {
                // Now and then a clause id given twice, which only the check finds.
                let id = if i % 41 == 7 && c == 9 { 1 } else { c + 1 };
                text.push_str(&format!(
                    "\n[[clauses]]\nid = \"{id}\"\ntitle = \"Clause {c}, long enough to spread the files\"\nkind = \"requirement\"\n"
                ));
            }
            if i % 53 == 11 {
                text.push_str("oops =\n");
            }
            files.push(CatalogFile { file: sources.add(format!("i/{i:03}.toml"), text), role: Role::Instrument });
            let map = format!(
                "from = \"I{i:03}\"\nto = \"I{:03}\"\nsource = \"s\"\n{}\n[[map]]\nfrom = \"1\"\nto = \"2\"\nrel = \"equal\"\n",
                i + 1,
                if i % 29 == 3 { "weight = 1" } else { "" }
            );
            files.push(CatalogFile { file: sources.add(format!("mappings/{i:03}.toml"), map), role: Role::Mapping });
        }
        let total: usize = files.iter().map(|f| sources.file(f.file).text().len()).sum();
        assert!(total > crate::THREADS_PAY_ABOVE_BYTES, "{total} bytes are read on one thread");
        let (spread, serial) = (read_all(&sources, &files), read_files(&sources, &files));
        assert!(serial.diagnostics.iter().filter(|d| d.is_error()).count() > 20);
        assert_eq!(spread.diagnostics, serial.diagnostics);
        let instruments = |r: &Read| r.pending.iter().map(|p| (p.file, p.raw.id.get_ref().clone())).collect::<Vec<_>>();
        assert_eq!(instruments(&spread), instruments(&serial));
        let mappings =
            |r: &Read| r.mappings.iter().map(|(file, m)| (*file, m.from.get_ref().clone())).collect::<Vec<_>>();
        assert_eq!(mappings(&spread), mappings(&serial));
    }
}
