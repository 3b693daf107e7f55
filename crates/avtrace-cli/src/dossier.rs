//! `avtrace dossier`: the hand-over package for one market, in one folder.
//!
//! Everything comes from one trace: the authority report, the XLSX matrix, the ReqIF export
//! (through `avtrace-exchange`), an evidence index, the changes since a baseline program,
//! copies of the inputs, and `SHA256SUMS` over every file, which `sha256sum -c` checks.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use avtrace_graph::ClauseGraph;
use avtrace_report::{Audience, ReportOptions};
use avtrace_trace::{MarketTarget, TraceOptions};
use sha2::{Digest, Sha256};

use crate::args::{Cli, DossierArgs};
use crate::input::Inputs;
use crate::provenance::{hex, relative_path};
use crate::{Failure, output, provenance};

/// Where an input is copied inside the dossier: `inputs/` and its path relative to the
/// working folder, without root or `..` (so that it cannot leave the folder).
fn input_copy(path: &Path) -> PathBuf {
    let shown = relative_path(path);
    let mut out = PathBuf::from("inputs");
    for c in Path::new(&shown).components() {
        if let Component::Normal(part) = c {
            out.push(part);
        }
    }
    out
}

/// What a rendering thread made; a panic in it goes on in the caller, as it would have
/// without the thread.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// A file of the dossier, written and hashed but not yet named (see [`output::Staged`]).
struct Sealed {
    staged: output::Staged,
    /// Its `SHA256SUMS` line.
    line: String,
}

/// Writes what `write` makes as `name` under `dir`, hashing the bytes as they go out, and
/// returns the file staged with its `SHA256SUMS` line. A large part (the ReqIF export) is so
/// never held whole in memory, and is hashed while it is written rather than after.
fn seal(
    dir: &Path,
    name: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), String>,
) -> Result<Sealed, Failure> {
    let shown = name.to_string_lossy().replace('\\', "/");
    if shown.contains(['\n', '\\']) {
        return Err(Failure::input(format!("{shown}: a file name sha256sum cannot list")));
    }
    let target = dir.join(name);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::input(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut staged = output::Staged::new(&target)?;
    let mut out = Hashing { file: staged.file(), hasher: Sha256::new() };
    let written = write(&mut out);
    let digest = out.hasher.finalize();
    written.map_err(|e| staged.failure("write", &e))?;
    staged.start_writeback();
    Ok(Sealed { staged, line: format!("{}  {shown}\n", hex(&digest)) })
}

/// Writes through to a file and hashes what was written.
struct Hashing<'a> {
    file: &'a mut std::fs::File,
    hasher: Sha256,
}

impl std::io::Write for Hashing<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// A `seal` writer for bytes already made.
fn bytes(bytes: &[u8]) -> impl FnOnce(&mut dyn std::io::Write) -> Result<(), String> + '_ {
    move |out| out.write_all(bytes).map_err(|e| e.to_string())
}

/// Writes the dossier.
pub(crate) fn dossier(cli: &Cli, inputs: &mut Inputs, args: &DossierArgs) -> Result<(), Failure> {
    if args.select.market.len() != 1 || args.select.market[0].contains(',') {
        return Err(Failure::input("a dossier is for one market: pass --market M once"));
    }
    let dir = &args.output;
    std::fs::create_dir_all(dir).map_err(|e| Failure::input(format!("cannot create {}: {e}", dir.display())))?;
    let catalog = inputs.catalog(&cli.catalog)?;
    let provenance =
        provenance::provenance(&inputs.sources, &inputs.catalog_files, &catalog, args.timestamp.as_deref())?;
    let creation_time = crate::exchange::format_epoch(provenance::epoch(args.timestamp.as_deref())?);
    let options = ReportOptions { audience: Audience::Authority, provenance };

    let program = inputs.program_with_results(&args.select.program, &args.select.results, &catalog)?;
    let targets: Vec<MarketTarget> =
        inputs.targets(&catalog, &program, &args.select.market, args.select.sop.as_deref())?;
    let graph = ClauseGraph::new(&catalog);
    let trace_options = TraceOptions {
        level: args.select.level.into(),
        include_recommendations: args.select.recommendations,
        min_status: args.select.min_status.into(),
        ..TraceOptions::default()
    };
    let trace = avtrace_trace::trace(&catalog, &graph, &program, &targets, trace_options);
    let program_path = relative_path(&args.select.program);
    let view =
        avtrace_report::TraceView { catalog: &catalog, program: &program, trace: &trace, program_path: &program_path };
    let market = catalog.market(targets[0].market).id.to_ascii_lowercase();

    // The four renderings read the same trace and nothing else: they run side by side, each
    // writing and hashing its own file, so that the package takes about as long as its
    // largest part, not as their sum. Nothing gets its name before every file is complete.
    let fail = |e: avtrace_report::ReportError| Failure::input(e.to_string());
    let report_name = PathBuf::from(format!("report-{market}.html"));
    let matrix_name = PathBuf::from(format!("matrix-{market}.xlsx"));
    let evidence_name = PathBuf::from("evidence-index.csv");
    let reqif_name = PathBuf::from(format!("export-{market}.reqif"));
    let (report, matrix, evidence, reqif) = std::thread::scope(|scope| {
        let matrix = scope.spawn(|| {
            let xlsx = avtrace_report::matrix_xlsx(&view, &options).map_err(fail)?;
            seal(dir, &matrix_name, bytes(&xlsx))
        });
        let reqif = scope.spawn(|| {
            let mut notes = Vec::new();
            let sealed = seal(dir, &reqif_name, |out| {
                let document = avtrace_exchange::reqif_export(&catalog, &graph, &program, &trace, &creation_time);
                let (_, written) = document.write_to(out).map_err(|e| e.to_string())?;
                notes.extend(written.warnings.iter().map(|w| format!("warning: {w}")));
                Ok(())
            })?;
            Ok::<_, Failure>((sealed, notes))
        });
        let report = avtrace_report::report_html(&view, &options)
            .map_err(fail)
            .and_then(|html| seal(dir, &report_name, bytes(html.as_bytes())));
        let evidence = avtrace_report::evidence_index_csv(&view)
            .map_err(fail)
            .and_then(|csv| seal(dir, &evidence_name, bytes(&csv)));
        (report, joined(matrix), evidence, joined(reqif))
    });
    let (reqif, notes) = reqif?;
    let mut files: Vec<(PathBuf, Sealed)> =
        vec![(report_name, report?), (matrix_name, matrix?), (evidence_name, evidence?), (reqif_name, reqif)];

    let changes = match &args.baseline {
        Some(path) => {
            let old = inputs.program(path, &catalog)?;
            let old_trace = avtrace_trace::trace(&catalog, &graph, &old, &targets, trace_options);
            let found = avtrace_trace::diff_programs(&catalog, (&old, &old_trace), (&program, &trace));
            format!(
                "Changes from {} to {} ({}):\n\n{}",
                relative_path(path),
                program_path,
                catalog.market(targets[0].market).id,
                avtrace_report::program_diff_table(&found)
            )
        }
        None => "No baseline was given (avtrace dossier --baseline FILE): no changes are listed.\n".to_owned(),
    };
    let name = PathBuf::from("changes.txt");
    let sealed = seal(dir, &name, bytes(changes.as_bytes()))?;
    files.push((name, sealed));

    // The inputs: the program's files, the test results and the baseline, as read.
    let mut input_paths: Vec<String> = Vec::new();
    let mut add_input = |p: &str| {
        if !input_paths.iter().any(|q| q == p) {
            input_paths.push(p.to_owned());
        }
    };
    add_input(&args.select.program.to_string_lossy());
    let spans = program.requirements.iter().map(|r| r.span).chain(program.evidence.iter().map(|e| e.span));
    for span in spans {
        add_input(&inputs.sources.file(span.file()).path);
    }
    for p in args.select.results.iter().chain(args.baseline.iter()) {
        add_input(&p.to_string_lossy());
    }
    for p in &input_paths {
        let read = std::fs::read(p).map_err(|e| Failure::input(format!("cannot read {p}: {e}")))?;
        let name = input_copy(Path::new(p));
        let sealed = seal(dir, &name, bytes(&read))?;
        files.push((name, sealed));
    }

    // Every file is complete: name them, then list them in SHA256SUMS, sorted by name.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let count = files.len();
    let mut sums = String::new();
    for (_, sealed) in files {
        sums.push_str(&sealed.line);
        sealed.staged.persist()?;
    }
    output::write_atomically(&dir.join("SHA256SUMS"), sums.as_bytes())?;
    if !cli.quiet {
        for note in &notes {
            let _ = write!(std::io::stderr(), "{}", crate::terminal::for_stderr(&format!("{note}\n")));
        }
        let _ = writeln!(
            std::io::stderr(),
            "wrote {}: {} files and SHA256SUMS (check with: cd {} && sha256sum -c SHA256SUMS)",
            dir.display(),
            count,
            dir.display()
        );
    }
    Ok(())
}
