//! Reading the catalog and the program, and reporting what is wrong with them.

use std::io::Write as _;
use std::path::Path;

use avtrace_catalog::{CatalogFile, Diagnostic, Severity, Sources};
use avtrace_model::{Catalog, Date, FileIx, Program};
use avtrace_trace::MarketTarget;

use crate::args::CatalogArgs;
use crate::{Failure, output};

/// Diagnostics printed before the rest are summarised: a million-line file full of errors
/// should not flood the terminal.
const MAX_PRINTED: usize = 50;

/// The files read so far and whether to print warnings.
pub(crate) struct Inputs {
    pub(crate) sources: Sources,
    /// The files of the last catalog loaded, for its fingerprint, with their SHA-256 where
    /// it is already known (the built-in files').
    pub(crate) catalog_files: Vec<(FileIx, Option<[u8; 32]>)>,
    quiet: bool,
    /// The program file loaded last, for messages about the program as a whole.
    program_path: Option<std::path::PathBuf>,
}

impl Inputs {
    pub(crate) fn new(quiet: bool) -> Inputs {
        Inputs { sources: Sources::new(), catalog_files: Vec::new(), quiet, program_path: None }
    }

    /// Prints diagnostics to stderr: all errors (up to a limit) and, unless quiet, the
    /// warnings.
    pub(crate) fn report(&self, diagnostics: &[Diagnostic], with_warnings: bool) {
        let shown: Vec<&Diagnostic> =
            diagnostics.iter().filter(|d| d.severity == Severity::Error || (with_warnings && !self.quiet)).collect();
        let mut stderr = std::io::stderr().lock();
        for d in shown.iter().take(MAX_PRINTED) {
            let _ = write!(stderr, "{}", crate::terminal::for_stderr(&avtrace_catalog::render(&self.sources, d)));
        }
        if shown.len() > MAX_PRINTED {
            let _ = writeln!(
                stderr,
                "... and {} more (run `avtrace check --format json` for all)",
                shown.len() - MAX_PRINTED
            );
        }
    }

    /// Loads the catalog, adding its diagnostics to `diagnostics`. `Ok(None)` when it has
    /// errors; `Err` when a file cannot be read at all.
    pub(crate) fn load_catalog(
        &mut self,
        args: &CatalogArgs,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Option<Catalog>, Failure> {
        let (mut files, mut fingerprinted) = match &args.standards {
            Some(dir) => {
                let files = self.catalog_dir(dir)?;
                let unknown = files.iter().map(|f| (f.file, None)).collect();
                (files, unknown)
            }
            None => {
                // The built-in catalog alone was validated when avtrace was built: decode it.
                let (files, catalog) = avtrace_builtin::builtin_catalog(&mut self.sources);
                // The fingerprint covers the files the snapshot was made from, hashed then.
                let digests = avtrace_builtin::builtin_digests();
                let known: Vec<(FileIx, Option<[u8; 32]>)> = if digests.len() == files.len() {
                    files.iter().zip(digests).map(|(f, d)| (f.file, Some(d))).collect()
                } else {
                    files.iter().map(|f| (f.file, None)).collect()
                };
                if let Some(catalog) = catalog.filter(|_| args.standards_extra.is_empty()) {
                    self.catalog_files = known;
                    return Ok(Some(catalog));
                }
                (files, known)
            }
        };
        for dir in &args.standards_extra {
            let extra = self.catalog_dir(dir)?;
            fingerprinted.extend(extra.iter().map(|f| (f.file, None)));
            files.extend(extra);
        }
        self.catalog_files = fingerprinted;
        let loaded = avtrace_catalog::load_catalog(&self.sources, &files);
        diagnostics.extend(loaded.diagnostics);
        if let Some(catalog) = &loaded.value {
            diagnostics.extend(avtrace_catalog::confusable_catalog_ids(&self.sources, catalog));
        }
        Ok(loaded.value)
    }

    /// Reads the catalog files in `dir`; none of them may then be written over.
    fn catalog_dir(&mut self, dir: &Path) -> Result<Vec<CatalogFile>, Failure> {
        let files =
            avtrace_catalog::add_catalog_dir(&mut self.sources, dir).map_err(|e| Failure::input(e.to_string()))?;
        self.protect(files.iter().map(|f| f.file));
        Ok(files)
    }

    /// Records files read from disk as inputs that no output of this run may replace.
    fn protect(&self, files: impl IntoIterator<Item = FileIx>) {
        for file in files {
            output::protect(Path::new(&self.sources.file(file).path));
        }
    }

    /// Loads a program against `catalog`, adding its diagnostics to `diagnostics`.
    pub(crate) fn load_program(
        &mut self,
        path: &Path,
        catalog: &Catalog,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Option<Program>, Failure> {
        let input = avtrace_catalog::add_program(&mut self.sources, path).map_err(|e| Failure::input(e.to_string()))?;
        self.program_path = Some(path.to_owned());
        output::protect(path);
        self.protect(input.includes.iter().copied());
        let loaded = avtrace_catalog::load_program_files(&self.sources, input.main, &input.includes, catalog);
        let failed_includes = input.diagnostics.iter().any(|d| d.severity == Severity::Error);
        diagnostics.extend(input.diagnostics);
        diagnostics.extend(loaded.diagnostics);
        if let Some(program) = &loaded.value {
            diagnostics.extend(avtrace_catalog::confusable_program_ids(&self.sources, program));
        }
        Ok(loaded.value.filter(|_| !failed_includes))
    }

    /// The catalog, or exit 2 after printing why not.
    pub(crate) fn catalog(&mut self, args: &CatalogArgs) -> Result<Catalog, Failure> {
        let mut diagnostics = Vec::new();
        let catalog = self.load_catalog(args, &mut diagnostics)?;
        self.report(&diagnostics, true);
        catalog.ok_or_else(|| invalid("the catalog", &diagnostics))
    }

    /// The catalog in `dir` alone (for comparing catalogs), or exit 2 after printing why not.
    pub(crate) fn catalog_from(&mut self, dir: &Path) -> Result<Catalog, Failure> {
        let files = self.catalog_dir(dir)?;
        let loaded = avtrace_catalog::load_catalog(&self.sources, &files);
        self.report(&loaded.diagnostics, true);
        loaded.value.ok_or_else(|| invalid(&dir.display().to_string(), &loaded.diagnostics))
    }

    /// The program, or exit 2 after printing why not.
    pub(crate) fn program(&mut self, path: &Path, catalog: &Catalog) -> Result<Program, Failure> {
        self.program_with_results(path, &[], catalog)
    }

    /// The program with the results of `results` (JUnit XML) applied to its evidence, or
    /// exit 2 after printing why not.
    pub(crate) fn program_with_results(
        &mut self,
        path: &Path,
        results: &[std::path::PathBuf],
        catalog: &Catalog,
    ) -> Result<Program, Failure> {
        let mut diagnostics = Vec::new();
        let program = self.load_program(path, catalog, &mut diagnostics)?;
        let program = match program {
            Some(mut program) => {
                self.apply_results(&mut program, results, &mut diagnostics)?;
                let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
                (!failed).then_some(program)
            }
            None => None,
        };
        self.report(&diagnostics, true);
        program.ok_or_else(|| invalid(&path.display().to_string(), &diagnostics))
    }

    /// Reads each JUnit file and applies its results to `program`'s evidence.
    pub(crate) fn apply_results(
        &mut self,
        program: &mut Program,
        results: &[std::path::PathBuf],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<(), Failure> {
        let files = results
            .iter()
            .map(|p| avtrace_catalog::add_file(&mut self.sources, p).map_err(|e| Failure::input(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        results.iter().for_each(|p| output::protect(p));
        diagnostics.extend(avtrace_catalog::apply_results(&self.sources, program, &files));
        Ok(())
    }

    /// The markets to trace with their SOPs: the ones asked for, else every market of the
    /// program. A market the program does not list is traced against `--sop`, else the
    /// program's latest SOP (and says so).
    pub(crate) fn targets(
        &self,
        catalog: &Catalog,
        program: &Program,
        asked: &[String],
        sop: Option<&str>,
    ) -> Result<Vec<MarketTarget>, Failure> {
        let sop: Option<Date> =
            sop.map(|s| s.parse::<Date>().map_err(|e| Failure::input(format!("--sop: {e}")))).transpose()?;
        if asked.is_empty() {
            if program.markets.is_empty() {
                return Err(Failure::input(format!(
                    "{}: the program targets no market: add `markets` to [program] or pass --market",
                    self.program_path.as_deref().map_or_else(|| "the program".to_owned(), |p| p.display().to_string())
                )));
            }
            return Ok(program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect());
        }
        let mut targets: Vec<MarketTarget> = Vec::new();
        for id in asked.iter().flat_map(|a| a.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
            let Some(market) = catalog.market_by_id(&id.to_ascii_uppercase()) else {
                let known = catalog.markets.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ");
                return Err(Failure::input(format!("unknown market `{id}`, expected one of: {known}")));
            };
            if targets.iter().any(|t| t.market == market) {
                continue;
            }
            let sop = match (program.sop_in(market), sop) {
                (Some(own), _) => own,
                (None, Some(given)) => given,
                (None, None) => {
                    let latest = program.markets.iter().map(|m| m.sop).max().ok_or_else(|| {
                        Failure::input(format!("the program does not target {id}: pass --sop YYYY-MM-DD"))
                    })?;
                    if !self.quiet {
                        eprintln!(
                            "note: the program does not list {id}; assuming SOP {latest} (its latest); \
                             pass --sop to choose"
                        );
                    }
                    latest
                }
            };
            targets.push(MarketTarget { market, sop });
        }
        Ok(targets)
    }
}

fn invalid(what: &str, diagnostics: &[Diagnostic]) -> Failure {
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    Failure::input(format!("{what} has {errors} error{}", if errors == 1 { "" } else { "s" }))
}

/// `check --format json`: every diagnostic with its place.
pub(crate) fn diagnostics_json(sources: &Sources, diagnostics: &[Diagnostic], ok: bool) -> String {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let mut item = serde_json::json!({
                "severity": d.severity.to_string(),
                "code": d.code,
                "message": d.message,
                "notes": d.notes,
            });
            if let Some(span) = d.span {
                let loc = sources.locate(span);
                item["file"] = loc.path.into();
                item["line"] = loc.line.into();
                item["column"] = loc.column.into();
            }
            item
        })
        .collect();
    let mut out =
        serde_json::to_string_pretty(&serde_json::json!({ "ok": ok, "diagnostics": items })).unwrap_or_default();
    out.push('\n');
    out
}
