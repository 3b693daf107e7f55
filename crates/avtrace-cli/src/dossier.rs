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

/// Writes `bytes` as `name` under `dir` and returns its `SHA256SUMS` line.
fn seal(dir: &Path, name: &Path, bytes: &[u8]) -> Result<String, Failure> {
    let shown = name.to_string_lossy().replace('\\', "/");
    if shown.contains(['\n', '\\']) {
        return Err(Failure::input(format!("{shown}: a file name sha256sum cannot list")));
    }
    let target = dir.join(name);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::input(format!("cannot create {}: {e}", parent.display())))?;
    }
    output::write_atomically(&target, bytes)?;
    Ok(format!("{}  {shown}\n", hex(&Sha256::digest(bytes))))
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

    // The four renderings read the same trace and nothing else: they run side by side, so
    // that the package takes about as long as its largest part, not as their sum.
    let fail = |e: avtrace_report::ReportError| Failure::input(e.to_string());
    let (report, matrix, evidence, reqif) = std::thread::scope(|scope| {
        let matrix = scope.spawn(|| avtrace_report::matrix_xlsx(&view, &options));
        let reqif = scope.spawn(|| {
            let document = avtrace_exchange::reqif_export(&catalog, &graph, &program, &trace, &creation_time);
            document.write_to(Vec::new())
        });
        let report = avtrace_report::report_html(&view, &options);
        let evidence = avtrace_report::evidence_index_csv(&view);
        (report, joined(matrix), evidence, joined(reqif))
    });
    let (reqif, written) = reqif.map_err(|e| Failure::input(format!("cannot write the ReqIF export: {e}")))?;
    let notes: Vec<String> = written.warnings.iter().map(|w| format!("warning: {w}")).collect();
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (PathBuf::from(format!("report-{market}.html")), report.map_err(fail)?.into_bytes()),
        (PathBuf::from(format!("matrix-{market}.xlsx")), matrix.map_err(fail)?),
        (PathBuf::from("evidence-index.csv"), evidence.map_err(fail)?),
        (PathBuf::from(format!("export-{market}.reqif")), reqif),
    ];

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
    files.push((PathBuf::from("changes.txt"), changes.into_bytes()));

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
        let bytes = std::fs::read(p).map_err(|e| Failure::input(format!("cannot read {p}: {e}")))?;
        files.push((input_copy(Path::new(p)), bytes));
    }

    files.sort_by(|a, b| a.0.cmp(&b.0));
    // The largest file (the ReqIF export, mostly) is written and hashed on a thread of its
    // own while the others are written and hashed here.
    let largest = (0..files.len()).max_by_key(|&k| files[k].1.len());
    let files = &files;
    let mut lines: Vec<Result<String, Failure>> = std::thread::scope(|scope| {
        let apart = largest.map(|k| scope.spawn(move || seal(dir, &files[k].0, &files[k].1)));
        let mut lines: Vec<Result<String, Failure>> = (0..files.len())
            .map(|k| if Some(k) == largest { Ok(String::new()) } else { seal(dir, &files[k].0, &files[k].1) })
            .collect();
        if let (Some(k), Some(handle)) = (largest, apart) {
            lines[k] = joined(handle);
        }
        lines
    });
    let mut sums = String::new();
    for line in lines.drain(..) {
        sums.push_str(&line?);
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
            files.len(),
            dir.display()
        );
    }
    Ok(())
}
