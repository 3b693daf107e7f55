//! Loading a program: its main file and the files it includes, into a validated [`Program`].
//!
//! Each file is parsed on its own (large ones in pieces, on every core) and its
//! requirements are resolved against the catalog where they are parsed; what spans files
//! (unique ids, parents, links, evidence) is checked once everything is read. Every
//! diagnostic names the file it is about.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;

use avtrace_model::{
    Catalog, ClauseIx, ClauseKind, Date, Evidence, EvidenceKind, EvidenceResult, FileIx, Link, Program, ProgramMarket,
    ReqIx, Requirement, RequirementStatus, RequirementStrings, Span,
};
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Sources};
use crate::ids::is_requirement_id;
use crate::load::{Ctx, Loaded, check_word, closest};
use crate::raw::{RawDate, RawEvidence, RawIncludedFile, RawProgram, RawProgramFile, RawRequirement, S};
use crate::words::reword;

/// Loads and validates a program that lives in one file (its `include`s are not read; use
/// [`load_program_files`] with [`crate::add_program`] for those).
pub fn load_program(sources: &Sources, file: FileIx, catalog: &Catalog) -> Loaded<Program> {
    load_program_files(sources, file, &[], catalog)
}

/// Loads and validates a program: its main file and the files its `include` patterns
/// matched, in that order.
///
/// Checks, besides TOML syntax and unknown keys: unknown markets, malformed SOP dates, a
/// market listed twice, requirement ids unique across all files, `satisfies` references
/// that do not resolve, statuses outside the vocabulary, features and categories outside
/// the catalog's vocabulary, dangling and cyclic `parent`s, links to requirements that do
/// not exist, attribute values that are not strings, numbers or booleans, evidence ids
/// unique, and (once the program defines evidence) every `verified_by` naming one. Warns
/// about links to headings (which are never obligations).
pub fn load_program_files(sources: &Sources, main: FileIx, includes: &[FileIx], catalog: &Catalog) -> Loaded<Program> {
    let mut cx = Ctx::new(sources);
    let main_text = sources.file(main).text();
    let sizes = sizes(sources, includes);
    let order = std::iter::once((main, u64::try_from(main_text.len()).ok()))
        .chain(sizes.iter().copied())
        .map(|(file, size)| (file, size.unwrap_or(0)))
        .collect();
    let mut assembly = Assembly::new(Growth::new(order));
    let Some(main_program) =
        parse_file(&mut cx, main, main_text, catalog, false, usize::MAX, &mut Worker::default(), &mut |part| {
            assembly.push(part)
        })
    else {
        return Loaded { value: None, diagnostics: cx.diagnostics };
    };
    let Some((program_offset, header)) = main_program else {
        cx.error(
            "invalid-toml",
            Span::new(main, 0..0),
            "missing table `[program]` (every program file starts with it)",
        );
        return Loaded { value: None, diagnostics: cx.diagnostics };
    };
    let workers = if small_in_total(&sizes) { 1 } else { std::thread::available_parallelism().map_or(1, |n| n.get()) };
    parse_included(sources, includes, catalog, workers, &mut |parts, diagnostics| {
        cx.diagnostics.extend(diagnostics);
        for part in parts {
            assembly.push(part);
        }
    });
    let program = build_program(&mut cx, main, program_offset, header, assembly, catalog);
    // Parts are checked apart (and in parallel); report in the order of the files.
    cx.diagnostics.sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
    cx.finish(program)
}

/// The `include` patterns of a program's main file, with their spans: read from the
/// `[program]` table alone, so a large file is not parsed twice. Empty when the file cannot
/// be read as a program (the loader reports why).
pub(crate) fn include_patterns(sources: &Sources, file: FileIx) -> Vec<Spanned<String>> {
    #[derive(Deserialize)]
    struct Head {
        #[serde(default)]
        program: Option<HeadProgram>,
    }
    #[derive(Deserialize)]
    struct HeadProgram {
        #[serde(default)]
        include: Vec<S>,
    }
    let text = sources.file(file).text();
    let (offset, piece) = match crate::chunks::program_range(text) {
        Some(range) => (range.start, &text[range]),
        None => (0, text),
    };
    let Ok(head) = toml::from_str::<Head>(piece) else { return Vec::new() };
    head.program
        .map(|p| p.include)
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            let span = s.span();
            Spanned::new(offset + span.start..offset + span.end, s.into_inner())
        })
        .collect()
}

/// A file's requirements and evidence, resolved as far as one piece allows. What only the
/// whole program can resolve is kept in flat lists (a million requirements should not mean
/// a million small allocations), each entry naming its requirement by position in the part.
#[derive(Default)]
struct Part {
    /// The file the part was read from, and how far into it the part reaches (bytes):
    /// what the assembly estimates the program's size from.
    file: Option<FileIx>,
    reaches: usize,
    requirements: Vec<Requirement>,
    /// `(requirement, parent id, its span)`.
    parents: Vec<(usize, String, Span)>,
    /// `(requirement, kind, to, span of to)`.
    links: Vec<(usize, String, String, Span)>,
    /// The span of every `verified_by` entry, requirement after requirement.
    verified_by: Vec<Span>,
    /// The [`IdIndex::hash`] of each requirement's id.
    id_hashes: Vec<u64>,
    evidence: Vec<Evidence>,
    diagnostics: Vec<Diagnostic>,
}

/// What the requirements of all parts name that only the whole program can resolve.
#[derive(Default)]
struct Refs {
    parents: Vec<(usize, String, Span)>,
    links: Vec<(usize, String, String, Span)>,
    verified_by: Vec<Span>,
}

/// The program's requirements and evidence, assembled part by part in file order as the
/// parts are parsed, so that a part's list is moved into place and freed while later ones
/// are still being read (never every requirement twice in memory).
#[derive(Default)]
struct Assembly {
    requirements: Vec<Requirement>,
    ids: IdIndex,
    refs: Refs,
    evidence: Vec<Evidence>,
    diagnostics: Vec<Diagnostic>,
    growth: Growth,
}

/// How far the assembly is through the program's files: the size of each, in the order
/// their parts arrive, and the bytes of those already passed.
#[derive(Default)]
struct Growth {
    files: Vec<(FileIx, u64)>,
    total: u64,
    current: usize,
    passed: u64,
}

impl Growth {
    fn new(files: Vec<(FileIx, u64)>) -> Growth {
        let total = files.iter().map(|(_, size)| size).fold(0u64, |a, &b| a.saturating_add(b));
        Growth { files, total, current: 0, passed: 0 }
    }

    /// The bytes of the program read up to where `part` reaches; `None` for a part of a file
    /// it was not told of.
    fn read_through(&mut self, part: &Part) -> Option<u64> {
        let file = part.file?;
        while self.files.get(self.current)?.0 != file {
            self.passed = self.passed.saturating_add(self.files[self.current].1);
            self.current += 1;
        }
        Some(self.passed.saturating_add(u64::try_from(part.reaches).ok()?))
    }

    /// How many requirements the whole program likely holds, from the `so_far` found in
    /// its first `read` bytes, a twentieth more to spare, and never fewer than `so_far`.
    fn estimate(&self, so_far: usize, read: u64) -> usize {
        if read == 0 {
            return so_far;
        }
        let scaled = u128::from(self.total) * (so_far as u128) * 21 / (u128::from(read) * 20);
        usize::try_from(scaled).unwrap_or(usize::MAX).max(so_far)
    }
}

impl Assembly {
    fn new(growth: Growth) -> Assembly {
        Assembly { growth, ..Assembly::default() }
    }

    fn push(&mut self, part: Part) {
        let base = self.requirements.len();
        let needed = base + part.requirements.len();
        // Grown to the size the program's bytes foretell rather than by doubling: each
        // doubling of a million requirements' list copies it into pages the kernel must
        // zero first. Only address space is reserved; a page is used when written. If the
        // estimate cannot be had, the list grows as usual.
        if needed > self.requirements.capacity()
            && let Some(read) = self.growth.read_through(&part)
        {
            let expected = self.growth.estimate(needed, read);
            let _ = self.requirements.try_reserve_exact(expected - base);
            self.ids.reserve(&self.requirements, expected - base);
        }
        self.requirements.extend(part.requirements);
        // Indexed here, on the thread that waits for the parts, while the workers read on.
        for (k, hash) in part.id_hashes.into_iter().enumerate() {
            self.ids.add(&self.requirements, base + k, hash);
        }
        self.refs.parents.extend(part.parents.into_iter().map(|(i, p, s)| (base + i, p, s)));
        self.refs.links.extend(part.links.into_iter().map(|(i, k, t, s)| (base + i, k, t, s)));
        self.refs.verified_by.extend(part.verified_by);
        self.evidence.extend(part.evidence);
        self.diagnostics.extend(part.diagnostics);
    }
}

/// Parses the included files on up to `workers` threads, a file at a time per thread (many
/// files are the parallelism; a large one is not cut further), and hands each file's parts
/// and diagnostics to `deliver` in file order, as soon as the files before it are delivered.
fn parse_included(
    sources: &Sources,
    includes: &[FileIx],
    catalog: &Catalog,
    workers: usize,
    deliver: &mut dyn FnMut(Vec<Part>, Vec<Diagnostic>),
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = workers.min(includes.len()).max(1);
    // One large included file still deserves every core.
    let inner = if includes.len() == 1 { usize::MAX } else { 1 };
    let parse_one = |file: FileIx, inner: usize, worker: &mut Worker| {
        let mut cx = Ctx::new(sources);
        let mut parts: Vec<Part> = Vec::new();
        let source = sources.file(file);
        // A deferred file is read here and its text dropped once parsed, unless a
        // diagnostic points into it: a program's files are never all in memory at once.
        let owned = match source.origin() {
            Some(path) => match crate::files::read_text(path) {
                Ok(text) => Some(text),
                Err(e) => {
                    cx.diagnostics.push(Diagnostic::error("unreadable-include", source.named_at(), e.to_string()));
                    return (parts, cx.diagnostics);
                }
            },
            None => None,
        };
        let text = owned.as_deref().unwrap_or_else(|| source.text());
        // A file that fails to parse still gives its diagnostics; its parts were never
        // complete and the whole load fails on its error.
        let _ = parse_file(&mut cx, file, text, catalog, true, inner, worker, &mut |part| parts.push(part));
        let pointed_into = !cx.diagnostics.is_empty() || parts.iter().any(|p| !p.diagnostics.is_empty());
        if let (true, Some(text)) = (pointed_into, owned) {
            source.keep(text);
        }
        (parts, cx.diagnostics)
    };
    if workers == 1 {
        let mut worker = Worker::default();
        for &file in includes {
            let (parts, diagnostics) = parse_one(file, inner, &mut worker);
            deliver(parts, diagnostics);
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let mut delivered = 0;
    let mut waiting: std::collections::BTreeMap<usize, (Vec<Part>, Vec<Diagnostic>)> = Default::default();
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::channel();
        // Joined by hand below: a worker that panicked is then a missing file, read again.
        let mut handles = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (next, send, parse_one) = (&next, send.clone(), &parse_one);
            handles.push(scope.spawn(move || {
                let mut worker = Worker::default();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&file) = includes.get(k) else { break };
                    if send.send((k, parse_one(file, inner, &mut worker))).is_err() {
                        break;
                    }
                }
            }));
        }
        drop(send);
        for (k, parsed) in receive {
            waiting.insert(k, parsed);
            while let Some((parts, diagnostics)) = waiting.remove(&delivered) {
                deliver(parts, diagnostics);
                delivered += 1;
            }
        }
        for handle in handles {
            let _ = handle.join();
        }
    });
    // A worker that panicked lost its file: read it again here rather than drop it.
    for (k, &file) in includes.iter().enumerate().skip(delivered) {
        let (parts, diagnostics) = waiting.remove(&k).unwrap_or_else(|| parse_one(file, 1, &mut Worker::default()));
        deliver(parts, diagnostics);
    }
}

/// The size of each included file, in bytes; `None` for one that cannot be sized (its read
/// reports why).
fn sizes(sources: &Sources, includes: &[FileIx]) -> Vec<(FileIx, Option<u64>)> {
    includes
        .iter()
        .map(|&file| {
            let source = sources.file(file);
            let size = match source.origin() {
                Some(path) => std::fs::metadata(path).ok().map(|m| m.len()),
                None => u64::try_from(source.text().len()).ok(),
            };
            (file, size)
        })
        .collect()
}

/// Whether the included files are too small together for threads to pay
/// ([`crate::THREADS_PAY_ABOVE_BYTES`]). A file that cannot be sized counts as large.
fn small_in_total(sizes: &[(FileIx, Option<u64>)]) -> bool {
    let threshold = u64::try_from(crate::THREADS_PAY_ABOVE_BYTES).unwrap_or(u64::MAX);
    sizes.iter().map(|(_, size)| size.unwrap_or(u64::MAX)).fold(0u64, |a, b| a.saturating_add(b)) <= threshold
}

/// Parses one file, handing its parts to `sink` in order. `None` when it cannot be read
/// (the reason is in `cx`); else the `[program]` table, if the file has one. `worker` is
/// the state this thread carries from file to file.
#[allow(clippy::too_many_arguments)]
fn parse_file(
    cx: &mut Ctx<'_>,
    file: FileIx,
    text: &str,
    catalog: &Catalog,
    included: bool,
    workers: usize,
    worker: &mut Worker,
    sink: &mut dyn FnMut(Part),
) -> Option<Option<(usize, RawProgram)>> {
    let assembler = Assembler { sources: cx.sources, catalog, file };
    let whole = |worker: &mut Worker, requirements, evidence| {
        crate::chunks::assemble_raw(&assembler, 0..text.len(), worker, requirements, evidence)
    };
    let program = match crate::chunks::parse_in_pieces(text, &assembler, workers, worker, sink) {
        None if included => {
            let raw = cx.parse_text::<RawIncludedFile>(file, text)?;
            sink(whole(worker, raw.requirements, raw.evidence));
            None
        }
        None => {
            let raw = cx.parse_text::<RawProgramFile>(file, text)?;
            sink(whole(worker, raw.requirements, raw.evidence));
            Some((0, raw.program))
        }
        Some(Err(e)) => {
            cx.error("invalid-toml", Span::new(file, e.span), reword(&e.message));
            return None;
        }
        Some(Ok(program)) => program,
    };
    if included && let Some((offset, _)) = &program {
        cx.error(
            "invalid-toml",
            Span::new(file, *offset..*offset + 1),
            "an included file holds only [[requirements]] and [[evidence]] tables; [program] belongs to the main file",
        );
        return None;
    }
    Some(program)
}

/// The span of `value`, written in a part of a file that starts at `offset`.
fn span_in<T>(file: FileIx, offset: usize, value: &Spanned<T>) -> Span {
    let r = value.span();
    Span::new(file, offset + r.start..offset + r.end)
}

/// What a parsing thread carries from piece to piece and file to file.
#[derive(Default)]
struct Worker {
    refs: ResolvedRefs,
    /// The attribute keys made last, for the `toml` crate's lane (the fast lane keeps its own).
    attr_keys: avtrace_model::AttrKeys,
    /// Bytes per requirement in the pieces read so far (`None` before any): what a
    /// piece's list is sized from, instead of growing it by doubling.
    bytes_per_requirement: Option<usize>,
}

/// Clause references a worker has resolved, keyed by their text: a program cites the same
/// clauses over and over, and one probe of this small table is cheaper than the catalog's
/// two, each compared through strings elsewhere in memory; the clause's kind comes with it.
#[derive(Default)]
struct ResolvedRefs {
    /// The text of references too long to be held in their entry, back to back.
    keys: Vec<u8>,
    table: hashbrown::HashTable<Resolved>,
}

/// A reference this short (most are: `UN-R157:5.1.1`) is held in its entry, so that a hit
/// reads the entry alone; the text of a longer one is a cache miss away, in `keys`.
const INLINE_REFERENCE: usize = 22;

/// One resolved reference: 32 bytes, two to a cache line.
#[derive(Clone, Copy)]
struct Resolved {
    /// The reference zero-padded when it fits; else, in the first four bytes, where its
    /// text starts in `keys`.
    text: [u8; INLINE_REFERENCE],
    len: u16,
    heading: bool,
    clause: ClauseIx,
}

impl Resolved {
    /// The reference's text.
    fn text<'k>(&'k self, keys: &'k [u8]) -> &'k [u8] {
        let len = usize::from(self.len);
        if len <= INLINE_REFERENCE {
            return &self.text[..len];
        }
        let start = u32::from_le_bytes([self.text[0], self.text[1], self.text[2], self.text[3]]) as usize;
        keys.get(start..start + len).unwrap_or_default()
    }

    /// Whether this is `reference`, given zero-padded in `padded` when it fits.
    fn is(&self, keys: &[u8], reference: &[u8], padded: &[u8; INLINE_REFERENCE]) -> bool {
        if usize::from(self.len) != reference.len() {
            return false;
        }
        if reference.len() <= INLINE_REFERENCE {
            // Whole arrays: two vector compares, no call.
            return self.text == *padded;
        }
        self.text(keys) == reference
    }
}

impl ResolvedRefs {
    /// Past this many references, or this many bytes of long ones (a program citing a huge
    /// catalog at random), the cache stops growing: lookups still go through the catalog,
    /// memory stays bounded (about 3 MiB).
    const ENTRIES: usize = 1 << 16;
    const KEY_BYTES: usize = 1 << 20;

    fn hash(text: &[u8]) -> u64 {
        use std::hash::BuildHasher as _;
        BuildHasherDefault::<FxHasher>::default().hash_one(text)
    }

    /// The clause `reference` names, and whether it is a heading.
    fn resolve(
        &mut self,
        catalog: &Catalog,
        reference: &str,
    ) -> Result<(ClauseIx, bool), avtrace_model::ClauseRefError> {
        let bytes = reference.as_bytes();
        let hash = Self::hash(bytes);
        let mut padded = [0u8; INLINE_REFERENCE];
        if let Some(head) = padded.get_mut(..bytes.len()) {
            head.copy_from_slice(bytes);
        }
        let ResolvedRefs { keys, table } = self;
        if let Some(found) = table.find(hash, |entry| entry.is(keys, bytes, &padded)) {
            return Ok((found.clause, found.heading));
        }
        let clause = catalog.clause_by_ref(reference)?;
        let heading = catalog.clause(clause).kind == ClauseKind::Heading;
        let Ok(len) = u16::try_from(bytes.len()) else { return Ok((clause, heading)) };
        if table.len() >= Self::ENTRIES {
            return Ok((clause, heading));
        }
        let mut text = padded;
        if bytes.len() > INLINE_REFERENCE {
            let Ok(start) = u32::try_from(keys.len()) else { return Ok((clause, heading)) };
            if keys.len() + bytes.len() > Self::KEY_BYTES {
                return Ok((clause, heading));
            }
            text[..4].copy_from_slice(&start.to_le_bytes());
            keys.extend_from_slice(bytes);
        }
        let keys = &*keys;
        table.insert_unique(hash, Resolved { text, len, heading, clause }, |entry| Self::hash(entry.text(keys)));
        Ok((clause, heading))
    }
}

/// Resolves the tables of each piece of one file into a [`Part`].
struct Assembler<'s> {
    sources: &'s Sources,
    catalog: &'s Catalog,
    file: FileIx,
}

impl<'s> crate::chunks::Assemble for Assembler<'s> {
    type Worker = Worker;
    type Builder = PartBuilder<'s>;
    type Part = Part;

    fn begin(&self, range: std::ops::Range<usize>, worker: Worker) -> PartBuilder<'s> {
        let expected = worker.bytes_per_requirement.map_or(0, |per| range.len() / per.max(1) + 1);
        PartBuilder {
            cx: Ctx::new(self.sources),
            catalog: self.catalog,
            file: self.file,
            offset: range.start,
            bytes: range.len(),
            part: Part {
                file: Some(self.file),
                reaches: range.start,
                requirements: Vec::with_capacity(expected),
                id_hashes: Vec::with_capacity(expected),
                ..Part::default()
            },
            worker,
        }
    }

    fn finish(&self, builder: PartBuilder<'s>) -> (Part, Worker) {
        let PartBuilder { cx, mut part, mut worker, bytes, .. } = builder;
        if !part.requirements.is_empty() {
            worker.bytes_per_requirement = Some(bytes / part.requirements.len());
        }
        part.diagnostics = cx.diagnostics;
        (part, worker)
    }
}

/// Resolves the requirements and evidence of a part of a file that starts at `offset`, each
/// as it is read: ids, statuses, `satisfies` links, attributes. Duplicates and references
/// between requirements are found later, across parts and files.
struct PartBuilder<'s> {
    cx: Ctx<'s>,
    catalog: &'s Catalog,
    file: FileIx,
    offset: usize,
    bytes: usize,
    part: Part,
    worker: Worker,
}

impl crate::raw::Tables<'_> for PartBuilder<'_> {
    fn requirement(&mut self, r: RawRequirement<'_>) {
        let PartBuilder { cx, catalog, file, offset, part, worker, .. } = self;
        let (file, offset) = (*file, *offset);
        let id_span = span_in(file, offset, &r.id);
        part.reaches = offset + r.id.span().end;
        let id = r.id.into_inner();
        if !is_requirement_id(&id) {
            cx.error(
                "invalid-id",
                id_span,
                "requirement id must not be blank, padded with spaces or hold control characters",
            );
        }
        let mut satisfies = Vec::with_capacity(r.satisfies.len());
        for reference in &r.satisfies {
            match worker.refs.resolve(catalog, reference.get_ref()) {
                Ok((clause, heading)) => {
                    if heading {
                        cx.warning(
                            "links-heading",
                            span_in(file, offset, reference),
                            format!(
                                "{} is a heading, which is never an obligation; link the clauses under it",
                                reference.get_ref()
                            ),
                        );
                    }
                    if !satisfies.contains(&clause) {
                        satisfies.push(clause);
                    }
                }
                Err(err) => {
                    cx.error("dangling-reference", span_in(file, offset, reference), format!("in `satisfies`: {err}"))
                }
            }
        }
        let status = match &r.status {
            None => RequirementStatus::default(),
            Some(word) => status_of(cx, span_in(file, offset, word), word.get_ref()),
        };
        let mut pairs: Vec<(String, String)> = Vec::with_capacity(r.attrs.parsed.len());
        for (key, value) in r.attrs.parsed {
            let text = match value.get_ref() {
                toml::Value::String(s) => s.clone(),
                // Numbers and booleans keep their TOML spelling (`1.0` stays `1.0`).
                number @ (toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_)) => {
                    number.to_string()
                }
                other => {
                    cx.error(
                        "invalid-value",
                        span_in(file, offset, &value),
                        format!(
                            "attribute `{key}` is {}: attribute values are strings, numbers or booleans \
                             (write `{key} = \"...\"`)",
                            a_type(other)
                        ),
                    );
                    continue;
                }
            };
            if key.trim().is_empty() {
                cx.error("invalid-value", span_in(file, offset, &value), "an attribute name must not be blank");
                continue;
            }
            pairs.push((key, text));
        }
        // The fast lane hands over string attributes already compact; the rest are built here.
        let attrs = match r.attrs.strings {
            Some(attrs) => attrs,
            None => avtrace_model::Attrs::from_pairs_sharing(
                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                &mut worker.attr_keys,
            ),
        };
        let index = part.requirements.len();
        if let Some(p) = &r.parent {
            part.parents.push((index, p.get_ref().clone().into_owned(), span_in(file, offset, p)));
        }
        for l in &r.links {
            if l.kind.get_ref().trim().is_empty() {
                cx.error("empty-value", span_in(file, offset, &l.kind), "a link's `kind` must not be empty");
            }
            part.links.push((index, l.kind.get_ref().clone(), l.to.get_ref().clone(), span_in(file, offset, &l.to)));
        }
        part.verified_by.extend(r.verified_by.iter().map(|v| span_in(file, offset, v)));
        part.id_hashes.push(IdIndex::hash(&id));
        part.requirements.push(Requirement {
            strings: RequirementStrings::new(&id, &r.title, &r.text),
            status,
            satisfies: satisfies.into_boxed_slice(),
            // Each name copied once into a list of exactly its size.
            verified_by: r.verified_by.iter().map(|v| Box::from(v.get_ref().as_ref())).collect(),
            source: r.source.map(String::into_boxed_str),
            parent: None,
            links: Box::default(),
            attrs,
            span: id_span,
        });
    }

    fn evidence(&mut self, e: RawEvidence) {
        let PartBuilder { cx, file, offset, part, .. } = self;
        let (file, offset) = (*file, *offset);
        let span = span_in(file, offset, &e.id);
        if !is_requirement_id(e.id.get_ref()) {
            cx.error(
                "invalid-id",
                span,
                "evidence id must not be blank, padded with spaces or hold control characters",
            );
        }
        let kind = match &e.kind {
            None => EvidenceKind::Test,
            Some(word) => cx
                .word_at(span_in(file, offset, word), "evidence kind", word.get_ref(), EvidenceKind::parse)
                .unwrap_or(EvidenceKind::Test),
        };
        let result = e.result.as_ref().and_then(|word| {
            cx.word_at(span_in(file, offset, word), "evidence result", word.get_ref(), EvidenceResult::parse)
        });
        part.evidence.push(Evidence {
            id: e.id.into_inner(),
            kind,
            title: e.title,
            uri: e.uri,
            junit: e.junit,
            result,
            span,
        });
    }
}

/// `a table`, `an array`, ... for messages.
fn a_type(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
        toml::Value::Datetime(_) => "a date",
        _ => "a value",
    }
}

fn status_of(cx: &mut Ctx<'_>, at: Span, word: &str) -> RequirementStatus {
    cx.word_at(at, "requirement status", word, RequirementStatus::parse).unwrap_or_else(|| {
        if let Some(d) = cx.diagnostics.last_mut() {
            d.notes
                .push("draft, proposed, approved and implemented count; rejected and obsolete satisfy nothing".into());
        }
        RequirementStatus::default()
    })
}

fn build_program(
    cx: &mut Ctx<'_>,
    file: FileIx,
    program_offset: usize,
    raw: RawProgram,
    assembly: Assembly,
    catalog: &Catalog,
) -> Program {
    let span = |value: &S| span_in(file, program_offset, value);
    let date_in = |cx: &mut Ctx<'_>, value: &Spanned<RawDate>| match value.get_ref().0.parse::<Date>() {
        Ok(date) => Some(date),
        Err(err) => {
            cx.error("invalid-date", span_in(file, program_offset, value), err.to_string());
            None
        }
    };
    check_words(cx, &raw, program_offset, file, catalog);
    let mut markets: Vec<ProgramMarket> = Vec::new();
    for entry in &raw.markets {
        let m = entry.get_ref();
        let sop = date_in(cx, &m.sop);
        let Some(market) = catalog.market_by_id(m.id.get_ref()) else {
            let known = catalog.markets.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ");
            cx.error(
                "unknown-market",
                span(&m.id),
                format!("unknown market `{}`, expected one of: {known}", m.id.get_ref()),
            );
            continue;
        };
        if markets.iter().any(|pm| pm.market == market) {
            cx.error("duplicate-id", span(&m.id), format!("market `{}` is listed twice", m.id.get_ref()));
            continue;
        }
        if let Some(sop) = sop {
            markets.push(ProgramMarket { market, sop });
        }
    }

    if raw.markets.is_empty() {
        // Said here, with a place, because `trace` and every report refuse such a program.
        let header = crate::chunks::program_range(cx.sources.file(file).text()).map_or(0, |r| r.start);
        cx.diagnostics.push(
            Diagnostic::warning(
                "no-market",
                Some(Span::new(file, header..header + 1)),
                "the program targets no market: trace, gaps and reports need one",
            )
            .with_note("write `markets = [{ id = \"EU\", sop = \"2027-06-01\" }]` in [program], or pass --market"),
        );
    }
    let Assembly { mut requirements, ids, refs, evidence, diagnostics, growth: _ } = assembly;
    cx.diagnostics.extend(diagnostics);
    report_duplicates(cx, &requirements, &ids);
    let (parents, mut links) = resolve_tree(cx, &requirements, &refs, &ids);
    drop(ids);
    for (r, parent) in requirements.iter_mut().zip(parents) {
        r.parent = parent;
    }
    // Grouped by requirement; the sort is stable, so each keeps its links in written order
    // (and costs nothing when, as the assembly makes them, they already come in order).
    links.sort_by_key(|(i, _)| *i);
    for group in links.chunk_by(|a, b| a.0 == b.0) {
        if let Some(r) = group.first().and_then(|(i, _)| requirements.get_mut(*i)) {
            r.links = group.iter().map(|(_, l)| l.clone()).collect();
        }
    }
    check_evidence(cx, &requirements, &refs, &evidence);
    Program {
        name: raw.name,
        description: raw.description,
        revision: raw.revision,
        categories: raw.categories.into_iter().map(Spanned::into_inner).collect(),
        features: raw.features.into_iter().map(Spanned::into_inner).collect(),
        markets,
        requirements,
        evidence,
    }
}

/// Categories and features against the catalog's vocabulary (or, for a catalog that
/// declares none, against the words its mandates use, as warnings).
fn check_words(cx: &mut Ctx<'_>, raw: &RawProgram, program_offset: usize, file: FileIx, catalog: &Catalog) {
    let span = |value: &S| span_in(file, program_offset, value);
    let mandates = || catalog.markets.iter().flat_map(|m| &m.mandates);
    let vocabulary = &catalog.vocabulary;
    for category in &raw.categories {
        let c = category.get_ref();
        if c.trim().is_empty() {
            cx.error("empty-value", span(category), "a category must not be empty");
        } else if !vocabulary.categories.is_empty() {
            check_word(cx, span(category), "category", c, &vocabulary.categories, "the program");
        } else if !mandates().any(|m| m.categories.iter().any(|mc| c.starts_with(mc.as_str()))) {
            cx.warning(
                "unused-category",
                span(category),
                format!("no mandate in the catalog applies to vehicle category `{c}` (a typo?)"),
            );
        }
    }
    for feature in &raw.features {
        let f = feature.get_ref();
        if f.trim().is_empty() {
            cx.error("empty-value", span(feature), "a feature must not be empty");
        } else if !vocabulary.features.is_empty() {
            check_word(cx, span(feature), "feature", f, &vocabulary.features, "the program");
        } else if !mandates().any(|m| m.features.iter().any(|mf| mf == f)) {
            // A catalog that declares no feature words cannot tell a typo from a word no
            // mandate needs; it says what it can.
            let known: std::collections::BTreeSet<&str> =
                mandates().flat_map(|m| m.features.iter().map(String::as_str)).collect();
            cx.diagnostics.push(
                Diagnostic::warning(
                    "unused-feature",
                    Some(span(feature)),
                    format!("no mandate in the catalog depends on feature `{f}` (a typo?)"),
                )
                .with_note(format!("features that mandates use: {}", known.into_iter().collect::<Vec<_>>().join(", "))),
            );
        }
    }
}

/// Requirement ids to positions, filled as the parts arrive, each id hashed on the thread
/// that read it. Open addressing with linear probing over one array of 8-byte slots: a slot
/// is `0` (empty) or the upper half of an id's hash above the requirement's position + 1,
/// so a probe is one cache line, and an id's text (a cache miss away, in its requirement's
/// allocation) is read only when 32 bits of hash agree. A million requirements take 16 MB.
#[derive(Default)]
struct IdIndex {
    slots: Vec<u64>,
    len: usize,
    /// `(requirement, the first one with its id)`, in the order found.
    duplicates: Vec<(usize, usize)>,
}

impl IdIndex {
    fn hash(id: &str) -> u64 {
        use std::hash::BuildHasher as _;
        BuildHasherDefault::<FxHasher>::default().hash_one(id)
    }

    /// Whether `len` ids fit `slots` slots: at most three quarters full, where a linear
    /// probe still mostly ends in the cache line it starts in.
    fn fits(len: usize, slots: usize) -> bool {
        len.saturating_mul(4) <= slots.saturating_mul(3)
    }

    /// Room for `additional` more requirements without growing.
    fn reserve(&mut self, requirements: &[Requirement], additional: usize) {
        let len = self.len.saturating_add(additional);
        if !Self::fits(len, self.slots.len()) {
            let size = (len.saturating_mul(4) / 3 + 1).checked_next_power_of_two().unwrap_or(usize::MAX);
            self.rebuild(requirements, size);
        }
    }

    /// Re-slots every requirement indexed so far into `size` slots (a power of two).
    fn rebuild(&mut self, requirements: &[Requirement], size: usize) {
        let old = std::mem::replace(&mut self.slots, written_zeros(size));
        let mask = size - 1;
        for slot in old.into_iter().filter(|&s| s != 0) {
            let position = (slot as u32 as usize).wrapping_sub(1);
            let hash = requirements.get(position).map_or(0, |r| Self::hash(r.id()));
            let mut at = hash as usize & mask;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }

    /// The slot where `hash`'s probe finds the requirement `is` accepts (by position), or
    /// else the empty slot that ends the probe.
    fn probe(&self, hash: u64, is: impl Fn(usize) -> bool) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let tag = hash >> 32;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return Err(at);
            }
            let position = (slot as u32 as usize).wrapping_sub(1);
            if slot >> 32 == tag && is(position) {
                return Ok(position);
            }
            at = (at + 1) & mask;
        }
    }

    fn get(&self, requirements: &[Requirement], id: &str) -> Option<ReqIx> {
        if self.len == 0 {
            return None;
        }
        let found = self.probe(Self::hash(id), |j| requirements.get(j).is_some_and(|r| r.id() == id)).ok()?;
        Some(ReqIx::new(found))
    }

    /// Adds requirement `i` of `requirements`, whose id hashes to `hash`; a duplicate id is
    /// noted with the position of its first definition.
    fn add(&mut self, requirements: &[Requirement], i: usize, hash: u64) {
        let Some(new) = requirements.get(i) else { return };
        // A position takes 32 bits: four billion requirements of at least 136 bytes each
        // would run out of memory long before they ran out of positions.
        let position = u64::from(u32::try_from(i + 1).unwrap_or(u32::MAX));
        if !Self::fits(self.len + 1, self.slots.len()) {
            self.rebuild(requirements, (self.slots.len() * 2).max(1024));
        }
        // Not `id()` up front: that reads the id's text, and only a true match needs it.
        match self.probe(hash, |j| requirements.get(j).is_some_and(|r| r.id() == new.id())) {
            Ok(first) => self.duplicates.push((i, first)),
            Err(empty) => {
                self.slots[empty] = (hash >> 32) << 32 | position;
                self.len += 1;
            }
        }
    }
}

/// `size` zeros, written rather than taken zeroed from the allocator: fresh zeroed memory
/// maps the kernel's shared zero page, and a probe that reads a slot before writing it then
/// faults twice per page, the second time copying the page and flushing every core's
/// address cache while the parsing threads run.
#[allow(clippy::slow_vector_initialization)] // the point: `vec![0; size]` is the slow one here
fn written_zeros(size: usize) -> Vec<u64> {
    let mut slots = Vec::with_capacity(size);
    slots.resize(size, 0);
    slots
}

/// Requirement ids are unique across every file of the program: each duplicate the
/// assembly's index found, at its place, naming the first definition.
fn report_duplicates(cx: &mut Ctx<'_>, requirements: &[Requirement], index: &IdIndex) {
    for &(i, first) in &index.duplicates {
        let r = &requirements[i];
        if !is_requirement_id(r.id()) {
            continue;
        }
        let other = cx.sources.position(requirements[first].span);
        cx.diagnostics.push(
            Diagnostic::error("duplicate-id", Some(r.span), format!("requirement `{}` is defined twice", r.id()))
                .with_note(format!("first defined at {other}")),
        );
    }
}

/// Resolves `parent` and `links`; a dangling one is an error at its place, and so is a
/// cycle of parents (reported once, at the parent that closes it, and broken there).
fn resolve_tree(
    cx: &mut Ctx<'_>,
    requirements: &[Requirement],
    refs: &Refs,
    index: &IdIndex,
) -> (Vec<Option<ReqIx>>, Vec<(usize, Link)>) {
    let ids = || requirements.iter().map(|r| r.id());
    let mut parents: Vec<Option<ReqIx>> = vec![None; requirements.len()];
    let mut parent_at: Vec<(usize, Span)> = Vec::with_capacity(refs.parents.len());
    // Only the requirements that link anywhere: a list per requirement cost the load
    // 24 MB at its peak for a million requirements without one.
    let mut links: Vec<(usize, Link)> = Vec::new();
    for (i, parent, at) in &refs.parents {
        match index.get(requirements, parent.as_str()) {
            Some(p) => {
                parents[*i] = Some(p);
                parent_at.push((*i, *at));
            }
            None => {
                let d = Diagnostic::error(
                    "dangling-parent",
                    Some(*at),
                    format!("parent `{parent}` is not a requirement of the program"),
                );
                cx.diagnostics.push(with_closest(d, parent, ids()));
            }
        }
    }
    for (i, kind, to, at) in &refs.links {
        match index.get(requirements, to.as_str()) {
            Some(target) if target.index() == *i => {
                cx.error("invalid-value", *at, format!("requirement `{to}` links to itself"));
            }
            Some(target) => links.push((*i, Link { kind: kind.clone(), to: target })),
            None => {
                let d = Diagnostic::error(
                    "dangling-reference",
                    Some(*at),
                    format!("link `{kind}` to `{to}`, which is not a requirement of the program"),
                );
                cx.diagnostics.push(with_closest(d, to, ids()));
            }
        }
    }
    let span_of_parent = |i: usize| parent_at.binary_search_by_key(&i, |(k, _)| *k).ok().map(|k| parent_at[k].1);
    // Walk up from each requirement; meeting a requirement of the current walk is a cycle.
    // 0 = unseen, 1 = on the current walk, 2 = known to reach a root.
    let mut state = vec![0u8; requirements.len()];
    let mut walk = Vec::new();
    for start in 0..requirements.len() {
        walk.clear();
        let mut at = start;
        while state[at] == 0 {
            state[at] = 1;
            walk.push(at);
            match parents[at] {
                Some(p) => at = p.index(),
                None => break,
            }
        }
        if state[at] == 1 && parents[at].is_some() && walk.contains(&at) {
            let from = walk.iter().position(|&w| w == at).unwrap_or(0);
            let mut cycle: Vec<&str> = walk[from..].iter().map(|&w| requirements[w].id()).collect();
            cycle.push(requirements[at].id());
            let closing = walk.last().copied().unwrap_or(at);
            let place = span_of_parent(closing).unwrap_or(requirements[closing].span);
            cx.diagnostics.push(Diagnostic::error(
                "parent-cycle",
                Some(place),
                format!("requirements refine each other in a cycle: {}", cycle.join(" → ")),
            ));
            // Break the cycle so that nothing downstream walks it forever.
            parents[closing] = None;
        }
        for &w in &walk {
            state[w] = 2;
        }
    }
    (parents, links)
}

fn with_closest<'a>(d: Diagnostic, word: &str, known: impl Iterator<Item = &'a str>) -> Diagnostic {
    match closest(word, known) {
        Some(best) => d.with_note(format!("did you mean `{best}`?")),
        None => d,
    }
}

/// Evidence ids are unique; once a program defines evidence, every `verified_by` names an
/// evidence record.
fn check_evidence(cx: &mut Ctx<'_>, requirements: &[Requirement], refs: &Refs, evidence: &[Evidence]) {
    let mut seen: HashMap<&str, Span> = HashMap::with_capacity(evidence.len());
    for e in evidence {
        if let Some(first) = seen.get(e.id.as_str()) {
            let other = cx.sources.position(*first);
            cx.diagnostics.push(
                Diagnostic::error("duplicate-id", Some(e.span), format!("evidence `{}` is defined twice", e.id))
                    .with_note(format!("first defined at {other}")),
            );
        } else {
            seen.insert(&e.id, e.span);
        }
    }
    if evidence.is_empty() {
        return;
    }
    let names = requirements.iter().flat_map(|r| &r.verified_by);
    for (id, at) in names.zip(&refs.verified_by) {
        if !seen.contains_key(id.as_ref()) {
            let d = Diagnostic::error(
                "unknown-evidence",
                Some(*at),
                format!("`verified_by` names `{id}`, which is not an [[evidence]] id of the program"),
            );
            let d = with_closest(d, id, seen.keys().copied());
            cx.diagnostics.push(
                d.with_note("once a program defines [[evidence]], every `verified_by` entry names one of its ids"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list is sized from the share of the program's bytes read so far: a part two
    /// files in counts the whole of the files before it.
    #[test]
    fn the_assembly_foretells_the_program_from_its_bytes() {
        let mut sources = Sources::new();
        let files: Vec<FileIx> = (0..3).map(|k| sources.add(format!("f{k}.toml"), String::new())).collect();
        let mut growth = Growth::new(vec![(files[0], 1_000), (files[1], 2_000), (files[2], 1_000)]);
        let part = |file: FileIx, reaches: usize| Part { file: Some(file), reaches, ..Part::default() };
        assert_eq!(growth.read_through(&part(files[0], 500)), Some(500));
        // The second file's first part: the first file was read whole.
        assert_eq!(growth.read_through(&part(files[1], 1_000)), Some(2_000));
        // 100 requirements in half the bytes: about 200 in all, a twentieth more to spare.
        assert_eq!(growth.estimate(100, 2_000), 210);
        assert_eq!(growth.estimate(100, 0), 100, "nothing read yet foretells nothing");
        assert_eq!(growth.estimate(100, 10_000), 100, "never fewer than already found");
        // A file skipped (no parts) still counts as read.
        assert_eq!(growth.read_through(&part(files[2], 10)), Some(3_010));
        let mut stranger = Sources::new();
        let unknown = (0..5).map(|k| stranger.add(format!("x{k}"), String::new())).last();
        assert_eq!(unknown.and_then(|file| growth.read_through(&part(file, 1))), None);
    }

    /// The id index finds every id and every duplicate, through its growth from empty and
    /// after a reservation, and says nothing of an id it does not hold.
    #[test]
    fn the_id_index_finds_every_id_and_every_duplicate() {
        let ids: Vec<String> =
            (0..5_000).map(|k| if k % 97 == 13 { format!("R-{}", k / 2) } else { format!("R-{k}") }).collect();
        let requirements: Vec<Requirement> = ids
            .iter()
            .map(|id| Requirement { strings: RequirementStrings::new(id, "t", ""), ..Requirement::default() })
            .collect();
        let first_of = |id: &str| ids.iter().position(|x| x == id);
        let expected: Vec<(usize, usize)> =
            ids.iter().enumerate().filter_map(|(i, id)| first_of(id).filter(|&f| f != i).map(|f| (i, f))).collect();
        assert!(!expected.is_empty());
        for reserved in [0, 10, 5_000] {
            let mut index = IdIndex::default();
            index.reserve(&requirements, reserved);
            for (i, id) in ids.iter().enumerate() {
                index.add(&requirements, i, IdIndex::hash(id));
            }
            assert_eq!(index.duplicates, expected, "reserved {reserved}");
            for id in &ids {
                assert_eq!(index.get(&requirements, id).map(ReqIx::index), first_of(id));
            }
            assert_eq!(index.get(&requirements, "R-5000"), None);
            assert!(IdIndex::fits(index.len, index.slots.len()) && index.slots.len().is_power_of_two());
        }
    }

    /// A catalog of one instrument `A` with clauses `1` (a duty), `2` (a heading) and `3`.
    const SMALL_INSTRUMENT: &str = "id = \"A\"\ntitle = \"A\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"t\"\n\n\
                                    [[clauses]]\nid = \"1\"\ntitle = \"Duty\"\nkind = \"requirement\"\n\n\
                                    [[clauses]]\nid = \"2\"\ntitle = \"Part\"\nkind = \"heading\"\n\n\
                                    [[clauses]]\nid = \"3\"\ntitle = \"Other\"\nkind = \"requirement\"\n";

    fn small_catalog(sources: &mut Sources) -> Catalog {
        let file = crate::CatalogFile { file: sources.add("a.toml", SMALL_INSTRUMENT), role: crate::role_of("a.toml") };
        crate::load_catalog(sources, &[file]).value.expect("the catalog loads")
    }

    /// The worker's cache answers as the catalog does, hit or miss, headings included, for
    /// references held in their entries and longer ones alike; an unknown reference is
    /// never cached; and past its budget it stops growing.
    #[test]
    fn resolved_references_answer_as_the_catalog_does() {
        let mut sources = Sources::new();
        let long = "id = \"EU-2023-2590-ANNEX\"\ntitle = \"L\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"t\"\n\n\
                    [[clauses]]\nid = \"Annex I 3.3.2\"\ntitle = \"Duty\"\nkind = \"requirement\"\n\n\
                    [[clauses]]\nid = \"Annex I 3.3\"\ntitle = \"Part\"\nkind = \"heading\"\n";
        let files = [
            crate::CatalogFile { file: sources.add("a.toml", SMALL_INSTRUMENT), role: crate::role_of("a.toml") },
            crate::CatalogFile { file: sources.add("l.toml", long), role: crate::role_of("l.toml") },
        ];
        let catalog = crate::load_catalog(&sources, &files).value.expect("the catalog loads");
        let mut refs = ResolvedRefs::default();
        let known = [
            ("A:1", false),
            ("A:2", true),
            ("A:3", false),
            ("A@1:3", false),
            ("EU-2023-2590-ANNEX:Annex I 3.3.2", false),
            ("EU-2023-2590-ANNEX:Annex I 3.3", true),
        ];
        for _ in 0..2 {
            for (reference, is_heading) in known {
                assert_eq!(
                    refs.resolve(&catalog, reference).expect("known"),
                    (catalog.clause_by_ref(reference).expect("known"), is_heading),
                    "{reference}"
                );
            }
            for unknown in ["A:9", "B:1", "EU-2023-2590-ANNEX:Annex I 3.3.9", "A:1\0", ""] {
                assert!(refs.resolve(&catalog, unknown).is_err(), "{unknown:?}");
            }
        }
        assert_eq!(refs.table.len(), known.len(), "each known reference once, no unknown one");
        assert_eq!(
            refs.keys, b"EU-2023-2590-ANNEX:Annex I 3.3.2EU-2023-2590-ANNEX:Annex I 3.3",
            "only references too long for their entries take key bytes"
        );
        // Prefixes and extensions of a cached reference are other references.
        assert!(refs.resolve(&catalog, "EU-2023-2590-ANNEX:Annex I 3.3.").is_err());
        assert!(refs.resolve(&catalog, "A:").is_err());
        // A cache whose long keys are full still resolves, from the catalog, and keeps
        // short references.
        let mut refs = ResolvedRefs { keys: vec![b'x'; ResolvedRefs::KEY_BYTES], ..ResolvedRefs::default() };
        for (reference, is_heading) in known {
            let resolved = refs.resolve(&catalog, reference).expect("known");
            assert_eq!(resolved, (catalog.clause_by_ref(reference).expect("known"), is_heading));
        }
        assert_eq!((refs.table.len(), refs.keys.len()), (4, ResolvedRefs::KEY_BYTES));
        // A cache full of entries takes no more key bytes for references it cannot file.
        let mut refs = ResolvedRefs::default();
        let clause = catalog.clause_by_ref("A:1").expect("known");
        for k in 0..ResolvedRefs::ENTRIES as u64 {
            let mut text = [0; INLINE_REFERENCE];
            text[..8].copy_from_slice(&k.to_le_bytes());
            let entry = Resolved { text, len: 8, heading: false, clause };
            refs.table.insert_unique(ResolvedRefs::hash(entry.text(&[])), entry, |e| ResolvedRefs::hash(e.text(&[])));
        }
        let long = "EU-2023-2590-ANNEX:Annex I 3.3.2";
        assert_eq!(refs.resolve(&catalog, long).expect("known"), (catalog.clause_by_ref(long).expect("known"), false));
        assert_eq!((refs.table.len(), refs.keys.len()), (ResolvedRefs::ENTRIES, 0));
    }

    /// A piece the fast lane declines part-way (a float attribute) is read again by the
    /// `toml` crate: every requirement once, in order, the float as written.
    #[test]
    fn a_piece_declined_part_way_is_read_once() {
        let mut sources = Sources::new();
        let catalog = small_catalog(&mut sources);
        let mut text = String::from("[program]\nname = \"p\"\nmarkets = []\n\n");
        for r in 0..5 {
            let attrs = if r == 3 { "{ x = 1.5 }" } else { "{ x = \"s\" }" };
            text.push_str(&format!(
                "[[requirements]]\nid = \"R-{r}\"\ntitle = \"t\"\nsatisfies = [\"A:1\", \"A:2\"]\nattrs = {attrs}\n\n"
            ));
        }
        let main = sources.add("p.toml", text);
        let loaded = load_program(&sources, main, &catalog);
        let program = loaded.value.expect("loads");
        let ids: Vec<&str> = program.requirements.iter().map(|r| r.id()).collect();
        assert_eq!(ids, ["R-0", "R-1", "R-2", "R-3", "R-4"]);
        assert_eq!(program.requirements[3].attrs.get("x"), Some("1.5"));
        let headings = loaded.diagnostics.iter().filter(|d| d.code == "links-heading").count();
        assert_eq!(headings, 5, "one warning per requirement, none twice: {:?}", loaded.diagnostics);
    }

    /// Files parsed on threads are delivered as on one: same parts, same diagnostics, in
    /// file order. (Small programs take the one-thread path, so the threaded one is forced.)
    #[test]
    fn threads_deliver_what_one_thread_delivers() {
        let mut sources = Sources::new();
        let instrument = "id = \"A\"\ntitle = \"A\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"t\"\n\n\
                          [[clauses]]\nid = \"1\"\ntitle = \"Duty\"\nkind = \"requirement\"\n";
        let catalog_file =
            crate::CatalogFile { file: sources.add("a.toml", instrument), role: crate::role_of("a.toml") };
        let includes: Vec<FileIx> = (0..7)
            .map(|k| {
                let mut text = String::new();
                for r in 0..40 {
                    let satisfies = if r % 9 == 4 { "A:2" } else { "A:1" };
                    text.push_str(&format!(
                        "[[requirements]]\nid = \"R-{k}-{r}\"\ntitle = \"t\"\nsatisfies = [\"{satisfies}\"]\n"
                    ));
                }
                if k == 3 {
                    text.push_str("[[requirements]]\nid = 5\n");
                }
                sources.add(format!("part-{k}.toml"), text)
            })
            .collect();
        let catalog = crate::load_catalog(&sources, &[catalog_file]).value.expect("the catalog loads");
        let run = |workers: usize| {
            let mut got: Vec<(usize, Vec<String>, Vec<String>)> = Vec::new();
            parse_included(&sources, &includes, &catalog, workers, &mut |parts, diagnostics| {
                let ids = parts.iter().flat_map(|p| p.requirements.iter().map(|r| r.id().to_owned())).collect();
                let said =
                    diagnostics.iter().chain(parts.iter().flat_map(|p| &p.diagnostics)).map(|d| d.message.clone());
                got.push((parts.len(), ids, said.collect()));
            });
            got
        };
        let alone = run(1);
        assert_eq!(alone.len(), 7, "one delivery per file");
        assert_eq!(alone[0].1.len(), 40);
        assert!(
            alone.iter().any(|(_, _, said)| !said.is_empty()),
            "the broken file and the dangling references are reported"
        );
        assert_eq!(run(2), alone);
        assert_eq!(run(4), alone);
    }
}
