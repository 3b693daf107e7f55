//! `avtrace`: the command line. It parses arguments, reads files, calls the library crates
//! and writes their output; it computes nothing itself.
//!
//! Exit codes: 0 success; 1 a check or coverage gate failed; 2 bad usage or unreadable /
//! invalid input. Data goes to stdout (or `-o FILE`, written atomically); errors and
//! warnings go to stderr.

mod args;
mod ci;
mod dossier;
mod exchange;
mod input;
mod output;
mod provenance;
mod terminal;

use std::io::Write as _;
use std::process::ExitCode;

use avtrace_catalog::{Diagnostic, Severity};
use avtrace_graph::ClauseGraph;
use avtrace_report::TraceView;
use avtrace_trace::{MarketTarget, TraceOptions};
use clap::{CommandFactory as _, FromArgMatches as _};

use crate::args::{
    CheckArgs, CheckFormat, Cli, Command, DiffArgs, DocumentArgs, ExportCommand, Format, GraphArgs, GraphFormat,
    ImpactArgs, ImportCommand, InitArgs, MatrixArgs, MatrixFormat, ReportArgs, SelectArgs, ShowArgs, TraceArgs,
};
use crate::input::Inputs;

/// Why a run ends early.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad usage or unreadable / invalid input: exit 2. The message is already printed
    /// when empty.
    Input(String),
    /// A check or gate failed: exit 1, message already printed.
    Gate,
}

impl Failure {
    pub(crate) fn input(message: impl Into<String>) -> Failure {
        Failure::Input(message.into())
    }
}

/// `avtrace --version`: avtrace's version and the built-in catalog's, worked out only when
/// asked (it loads the catalog).
fn version_text() -> String {
    let mut sources = avtrace_catalog::Sources::new();
    let (files, snapshot) = avtrace_builtin::builtin_catalog(&mut sources);
    let digests = avtrace_builtin::builtin_digests();
    let ids: Vec<(avtrace_model::FileIx, Option<[u8; 32]>)> =
        files.iter().enumerate().map(|(k, f)| (f.file, digests.get(k).copied())).collect();
    let fingerprint = provenance::catalog_fingerprint(&sources, &ids);
    match snapshot.or_else(|| avtrace_catalog::load_catalog(&sources, &files).value) {
        Some(catalog) => format!(
            "{}\nbuilt-in catalog {} ({} instruments, {} clauses, {} markets; SHA-256 {fingerprint})",
            env!("CARGO_PKG_VERSION"),
            provenance::catalog_version(&catalog, &fingerprint),
            catalog.instruments.len(),
            catalog.clauses.len(),
            catalog.markets.len()
        ),
        None => format!("{}\nbuilt-in catalog invalid (SHA-256 {fingerprint})", env!("CARGO_PKG_VERSION")),
    }
}

/// See `Cargo.toml` for why.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    output::catch_file_size_limit();
    let mut command = Cli::command();
    if std::env::args_os().skip(1).any(|a| a == "--version" || a == "-V") {
        // Printed once, then the process exits: leaking it is what clap's `&'static str` wants.
        command = command.version(&*Box::leak(version_text().into_boxed_str()));
    }
    let parsed = command.try_get_matches().and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Gate) => ExitCode::from(1),
        Err(Failure::Input(message)) => {
            if !message.is_empty() {
                eprint!("{}", terminal::for_stderr(&format!("error: {message}\n")));
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    terminal::init(cli.color, cli.wide);
    let mut inputs = Inputs::new(cli.quiet);
    match &cli.command {
        Command::Check(args) => check(cli, &mut inputs, args),
        Command::Trace(args) => trace(cli, &mut inputs, args, false),
        Command::Gaps(args) => trace(cli, &mut inputs, args, true),
        Command::Standards(args) => {
            let catalog = inputs.catalog(&cli.catalog)?;
            match args.format {
                Format::Table => output::print_table(&avtrace_report::standards_table(&catalog)),
                Format::Json => output::print(&avtrace_report::standards_json(&catalog)),
            }
        }
        Command::Markets(args) => {
            let catalog = inputs.catalog(&cli.catalog)?;
            match args.format {
                Format::Table => output::print_table(&avtrace_report::markets_table(&catalog)),
                Format::Json => output::print(&avtrace_report::markets_json(&catalog)),
            }
        }
        Command::Features(args) => {
            let catalog = inputs.catalog(&cli.catalog)?;
            match args.format {
                Format::Table => output::print_table(&avtrace_report::features_table(&catalog)),
                Format::Json => output::print(&avtrace_report::features_json(&catalog)),
            }
        }
        Command::Show(args) => show(cli, &mut inputs, args),
        Command::Matrix(args) => matrix(cli, &mut inputs, args),
        Command::Report(args) => report(cli, &mut inputs, args),
        Command::Graph(args) => graph(cli, &mut inputs, args),
        Command::Impact(args) => impact(cli, &mut inputs, args),
        Command::Diff(args) => diff(cli, &mut inputs, args),
        Command::Export(ExportCommand::Reqif(args)) => exchange::export_reqif(cli, &mut inputs, args),
        Command::Import(ImportCommand::Reqif(args)) => exchange::import_reqif(cli, &mut inputs, args),
        Command::Init(args) => init(cli, &mut inputs, args),
        Command::Schema => output::print(avtrace_catalog::PROGRAM_SCHEMA),
        Command::Dossier(args) => dossier::dossier(cli, &mut inputs, args),
        Command::Completions(args) => {
            let mut text = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "avtrace", &mut text);
            output::print(&String::from_utf8_lossy(&text))
        }
        Command::Man => {
            let mut text = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut text)
                .map_err(|e| Failure::input(format!("cannot render the manual page: {e}")))?;
            output::print(&String::from_utf8_lossy(&text))
        }
    }
}

/// `1 error`, `2 errors`, `0 errors`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn check(cli: &Cli, inputs: &mut Inputs, args: &CheckArgs) -> Result<(), Failure> {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let catalog = inputs.load_catalog(&cli.catalog, &mut diagnostics)?;
    let mut program = match (&catalog, &args.program) {
        (Some(catalog), Some(path)) => inputs.load_program(path, catalog, &mut diagnostics)?,
        _ => None,
    };
    if let Some(program) = program.as_mut() {
        inputs.apply_results(program, &args.results, &mut diagnostics)?;
    }
    // A program that failed to load has its own errors to fix first; the catalog's notes
    // about it would only bury them.
    let program_failed = args.program.is_some() && program.is_none();
    if let Some(catalog) = catalog.as_ref().filter(|_| !program_failed) {
        diagnostics.extend(avtrace_catalog::unmodelled_mandates(catalog, program.as_ref()));
        if let Some(program) = &program {
            // At the widest level, so that only requirements that count nowhere are named.
            let targets: Vec<MarketTarget> =
                program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
            let options = TraceOptions {
                level: avtrace_model::Level::Voluntary,
                include_recommendations: true,
                ..TraceOptions::default()
            };
            let graph = ClauseGraph::new(catalog);
            let unreached = avtrace_trace::unreached_requirements(catalog, &graph, program, &targets, options);
            diagnostics.extend(avtrace_report::unreached_diagnostics(catalog, program, &unreached));
        }
    }
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    match args.format {
        CheckFormat::Json => output::print(&input::diagnostics_json(&inputs.sources, &diagnostics, !failed))?,
        CheckFormat::Sarif => output::print(&ci::check_sarif(&inputs.sources, &diagnostics))?,
        CheckFormat::Table => {
            inputs.report(&diagnostics, true);
            let mut summary = String::new();
            if let Some(catalog) = &catalog {
                summary.push_str(&format!(
                    "catalog: {}, {}, {}, {}\n",
                    count(catalog.instruments.len(), "instrument"),
                    count(catalog.clauses.len(), "clause"),
                    count(catalog.mappings.len(), "mapping"),
                    count(catalog.markets.len(), "market")
                ));
            }
            if let Some(program) = &program {
                summary.push_str(&format!(
                    "program: {}: {}, {}\n",
                    program.name,
                    count(program.requirements.len(), "requirement"),
                    count(program.markets.len(), "market")
                ));
            }
            summary.push_str(&format!(
                "{}: {}, {}\n",
                if failed { "check failed" } else { "ok" },
                count(errors, "error"),
                count(warnings, "warning")
            ));
            output::print_table(&summary)?;
        }
    }
    output::free_at_exit((program, catalog));
    if failed { Err(Failure::Gate) } else { Ok(()) }
}

fn trace(cli: &Cli, inputs: &mut Inputs, args: &TraceArgs, gaps: bool) -> Result<(), Failure> {
    if args.format == CheckFormat::Sarif && !gaps {
        return Err(Failure::input("--format sarif is for `gaps` and `check`: the gaps are what a review annotates"));
    }
    // Hints for reviewers cost a search per uncovered obligation: only the views that show
    // them (gaps, and the JSON a tool may read them from) ask for them.
    let hints = gaps || args.format == CheckFormat::Json;
    let (text, coverage, found) = traced_with(cli, inputs, &args.select, hints, |view, _| {
        let mut found = Vec::new();
        let text = match (args.format, gaps) {
            (CheckFormat::Table, false) => Ok(avtrace_report::trace_table(view)),
            (CheckFormat::Table, true) => Ok(avtrace_report::gaps_table(view)),
            // Written as it is made: a large program's JSON is never held whole.
            (CheckFormat::Json, false) => {
                output::stream(args.output.as_deref(), |out| avtrace_report::write_trace_json(view, out))
                    .map(|()| String::new())
            }
            (CheckFormat::Json, true) => {
                output::stream(args.output.as_deref(), |out| avtrace_report::write_gaps_json(view, out))
                    .map(|()| String::new())
            }
            (CheckFormat::Sarif, _) => {
                found = ci::gaps(view);
                Ok(String::new())
            }
        };
        let coverage: Vec<(String, f64)> = view
            .trace
            .markets
            .iter()
            .map(|mt| (view.catalog.market(mt.market).id.clone(), mt.counts.coverage()))
            .collect();
        (text, coverage, found)
    })?;
    let text = text?;
    let text = if args.format == CheckFormat::Sarif {
        ci::gaps_sarif(&inputs.sources, &args.select.program, found)
    } else {
        text
    };
    match &args.output {
        _ if args.format == CheckFormat::Json => {}
        Some(path) => output::write_atomically(path, text.as_bytes())?,
        None if args.format == CheckFormat::Table => output::print_table(&text)?,
        None => output::print(&text)?,
    }
    if let Some(threshold) = args.fail_under {
        let below: Vec<String> = coverage
            .iter()
            .filter(|(_, ratio)| ratio * 100.0 < threshold)
            .map(|(market, ratio)| format!("{market} {:.1}%", ratio * 100.0))
            .collect();
        if !below.is_empty() {
            let message = format!("error: coverage below {threshold}% in {}\n", below.join(", "));
            let _ = write!(std::io::stderr(), "{}", terminal::for_stderr(&message));
            return Err(Failure::Gate);
        }
    }
    Ok(())
}

fn show(cli: &Cli, inputs: &mut Inputs, args: &ShowArgs) -> Result<(), Failure> {
    let catalog = inputs.catalog(&cli.catalog)?;
    let reference = args.reference.trim();
    let text = if reference.contains(':') {
        let clause = catalog.clause_by_ref(reference).map_err(|e| Failure::input(e.to_string()))?;
        let graph = ClauseGraph::new(&catalog);
        let at = inputs.sources.position(catalog.clause(clause).span);
        match args.format {
            Format::Table => avtrace_report::show_table(&catalog, &graph, clause, at),
            Format::Json => avtrace_report::show_json(&catalog, &graph, clause, at),
        }
    } else {
        let instrument = catalog.instrument_by_ref(reference).map_err(|e| Failure::input(e.to_string()))?;
        let at = inputs.sources.position(catalog.instrument(instrument).span);
        match args.format {
            Format::Table => avtrace_report::show_instrument_table(&catalog, instrument, at),
            Format::Json => avtrace_report::show_instrument_json(&catalog, instrument, at),
        }
    };
    match args.format {
        Format::Table => output::print_table(&text),
        Format::Json => output::print(&text),
    }
}

/// Traces what `select` asks for and hands the view to `render`: the one computed trace
/// every matrix format and the report read.
fn with_trace<T>(
    cli: &Cli,
    inputs: &mut Inputs,
    select: &SelectArgs,
    render: impl FnOnce(&TraceView<'_>) -> T,
) -> Result<T, Failure> {
    traced_with(cli, inputs, select, false, |view, _| render(view))
}

/// Loads the catalog and program, traces the selected markets and hands the result (and
/// the clause graph it was computed on) to `use_trace`.
pub(crate) fn traced<T>(
    cli: &Cli,
    inputs: &mut Inputs,
    select: &SelectArgs,
    use_trace: impl FnOnce(&TraceView<'_>, &ClauseGraph) -> T,
) -> Result<T, Failure> {
    traced_with(cli, inputs, select, false, use_trace)
}

/// Catalogs of this many clauses and more have their clause graph built on a thread of its
/// own while the program loads. The built-in catalog (2,784 clauses) builds its graph in
/// about a millisecond, less than a thread costs; a synthetic one of 10,000, in 13 ms.
const GRAPH_THREAD_PAYS_FROM_CLAUSES: usize = 8_000;

/// [`traced`], finding `related` hints for uncovered obligations when `hints` is set.
fn traced_with<T>(
    cli: &Cli,
    inputs: &mut Inputs,
    select: &SelectArgs,
    hints: bool,
    use_trace: impl FnOnce(&TraceView<'_>, &ClauseGraph) -> T,
) -> Result<T, Failure> {
    let catalog = inputs.catalog(&cli.catalog)?;
    // The clause graph needs only the catalog: a large one's is built while the program
    // loads.
    let (program, graph) = if catalog.clauses.len() >= GRAPH_THREAD_PAYS_FROM_CLAUSES {
        std::thread::scope(|scope| {
            let graph = scope.spawn(|| ClauseGraph::new(&catalog));
            let program = inputs.program_with_results(&select.program, &select.results, &catalog);
            (program, graph.join().unwrap_or_else(|_| ClauseGraph::new(&catalog)))
        })
    } else {
        (inputs.program_with_results(&select.program, &select.results, &catalog), ClauseGraph::new(&catalog))
    };
    let program = program?;
    let targets: Vec<MarketTarget> = inputs.targets(&catalog, &program, &select.market, select.sop.as_deref())?;
    let options = TraceOptions {
        level: select.level.into(),
        include_recommendations: select.recommendations,
        min_status: select.min_status.into(),
        related_hints: if hints { avtrace_trace::RELATED_HINTS } else { 0 },
    };
    let trace = avtrace_trace::trace(&catalog, &graph, &program, &targets, options);
    let program_path = provenance::relative_path(&select.program);
    let view = TraceView { catalog: &catalog, program: &program, trace: &trace, program_path: &program_path };
    let result = use_trace(&view, &graph);
    output::free_at_exit((trace, graph, program, catalog));
    Ok(result)
}

/// Writes rendered output to `-o FILE` (atomically) or to stdout.
fn emit(output: Option<&std::path::Path>, bytes: Vec<u8>) -> Result<(), Failure> {
    match output {
        Some(path) => output::write_atomically(path, &bytes),
        None => {
            let text = String::from_utf8(bytes).map_err(|_| Failure::input("the output is binary: pass -o FILE"))?;
            output::print(&text)
        }
    }
}

fn matrix(cli: &Cli, inputs: &mut Inputs, args: &MatrixArgs) -> Result<(), Failure> {
    let format = match (args.format, args.output.as_deref()) {
        (Some(format), _) => format,
        (None, Some(path)) => MatrixFormat::from_path(path).ok_or_else(|| {
            Failure::input(format!(
                "cannot tell the format from {}: pass --format html|xlsx|csv|md|json",
                path.display()
            ))
        })?,
        (None, None) => {
            return Err(Failure::input("pass --format html|xlsx|csv|md|json, or -o FILE with one of those extensions"));
        }
    };
    if format == MatrixFormat::Xlsx && args.output.is_none() {
        return Err(Failure::input("an xlsx workbook is binary: pass -o FILE.xlsx"));
    }
    let options = report_options(inputs, cli, &args.document)?;
    let destination = args.output.as_deref();
    let emit_rendered = |rendered: Result<Vec<u8>, avtrace_report::ReportError>| {
        emit(destination, rendered.map_err(|e| Failure::input(e.to_string()))?)
    };
    with_trace(cli, inputs, &args.select, |view| match format {
        // Written as they are made: a large program's page or JSON is never held whole.
        MatrixFormat::Html => output::stream(destination, |out| {
            avtrace_report::write_matrix_html(view, &options, out).map_err(std::io::Error::other)
        }),
        MatrixFormat::Xlsx => emit_rendered(avtrace_report::matrix_xlsx(view, &options)),
        MatrixFormat::Csv => output::stream(destination, |out| {
            avtrace_report::write_matrix_csv(view, out).map_err(std::io::Error::other)
        }),
        MatrixFormat::Md => output::stream(destination, |out| avtrace_report::write_matrix_markdown(view, out)),
        MatrixFormat::Json => output::stream(destination, |out| avtrace_report::write_matrix_json(view, out)),
    })?
}

/// How a document is rendered: for whom, dated when, from which catalog (loaded here, so
/// that its fingerprint covers the files read).
fn report_options(
    inputs: &mut Inputs,
    cli: &Cli,
    document: &DocumentArgs,
) -> Result<avtrace_report::ReportOptions, Failure> {
    let catalog = inputs.catalog(&cli.catalog)?;
    Ok(avtrace_report::ReportOptions {
        audience: document.audience.into(),
        provenance: provenance::provenance(
            &inputs.sources,
            &inputs.catalog_files,
            &catalog,
            document.timestamp.as_deref(),
        )?,
    })
}

fn report(cli: &Cli, inputs: &mut Inputs, args: &ReportArgs) -> Result<(), Failure> {
    let options = report_options(inputs, cli, &args.document)?;
    // Written as it is made: a large program's page is never held whole.
    with_trace(cli, inputs, &args.select, |view| {
        output::stream(args.output.as_deref(), |out| {
            avtrace_report::write_report_html(view, &options, out).map_err(std::io::Error::other)
        })
    })?
}

fn graph(cli: &Cli, inputs: &mut Inputs, args: &GraphArgs) -> Result<(), Failure> {
    let catalog = inputs.catalog(&cli.catalog)?;
    let instruments = args
        .instrument
        .iter()
        .map(|i| catalog.instrument_by_ref(i).map_err(|e| Failure::input(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let markets = args
        .market
        .iter()
        .map(|m| {
            catalog.market_by_id(&m.to_ascii_uppercase()).ok_or_else(|| Failure::input(format!("unknown market `{m}`")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let graph = ClauseGraph::new(&catalog);
    let clauses = avtrace_report::graph_selection(&catalog, &graph, &instruments, &markets);
    let text = match args.format {
        GraphFormat::Dot => avtrace_report::graph_dot(&catalog, &graph, &clauses),
        GraphFormat::Json => avtrace_report::graph_json(&catalog, &graph, &clauses),
    };
    emit(args.output.as_deref(), text.into_bytes())
}

fn impact(cli: &Cli, inputs: &mut Inputs, args: &ImpactArgs) -> Result<(), Failure> {
    let text = traced(cli, inputs, &args.select, |view, _| {
        let clause = view.catalog.clause_by_ref(args.clause.trim()).map_err(|e| Failure::input(e.to_string()))?;
        let found = avtrace_trace::impact(view.trace, view.program, clause);
        Ok::<_, Failure>(match args.format {
            Format::Table => avtrace_report::impact_table(view, &found),
            Format::Json => avtrace_report::impact_json(view, &found),
        })
    })??;
    match args.format {
        Format::Table => output::print_table(&text),
        Format::Json => output::print(&text),
    }
}

fn diff(cli: &Cli, inputs: &mut Inputs, args: &DiffArgs) -> Result<(), Failure> {
    let mut regressions: Vec<String> = Vec::new();
    if args.fail_on_regression && args.old.is_dir() {
        return Err(Failure::input("--fail-on-regression compares programs: coverage is a program's"));
    }
    let text = match (args.old.is_dir(), args.new.is_dir()) {
        (true, true) => {
            let old = inputs.catalog_from(&args.old)?;
            let new = inputs.catalog_from(&args.new)?;
            let found = avtrace_trace::diff_catalogs(&old, &new);
            match args.format {
                Format::Table => avtrace_report::catalog_diff_table(&found),
                Format::Json => avtrace_report::catalog_diff_json(&found),
            }
        }
        (false, false) => {
            let catalog = inputs.catalog(&cli.catalog)?;
            let old = inputs.program(&args.old, &catalog)?;
            let new = inputs.program(&args.new, &catalog)?;
            let graph = ClauseGraph::new(&catalog);
            let options = TraceOptions {
                level: args.level.into(),
                include_recommendations: args.recommendations,
                min_status: args.min_status.into(),
                ..TraceOptions::default()
            };
            let trace_of = |program: &avtrace_model::Program| {
                let targets: Vec<MarketTarget> =
                    program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
                avtrace_trace::trace(&catalog, &graph, program, &targets, options)
            };
            let (old_trace, new_trace) = (trace_of(&old), trace_of(&new));
            let found = avtrace_trace::diff_programs(&catalog, (&old, &old_trace), (&new, &new_trace));
            regressions = ci::regressions(&found);
            match args.format {
                Format::Table => avtrace_report::program_diff_table(&found),
                Format::Json => avtrace_report::program_diff_json(&found),
            }
        }
        _ => return Err(Failure::input("diff compares two program files or two catalog folders, not one of each")),
    };
    match args.format {
        Format::Table => output::print_table(&text)?,
        Format::Json => output::print(&text)?,
    }
    if args.fail_on_regression && !regressions.is_empty() {
        let message = format!("error: {} regression(s):\n  {}\n", regressions.len(), regressions.join("\n  "));
        let _ = write!(std::io::stderr(), "{}", terminal::for_stderr(&message));
        return Err(Failure::Gate);
    }
    Ok(())
}

fn init(cli: &Cli, inputs: &mut Inputs, args: &InitArgs) -> Result<(), Failure> {
    let catalog = inputs.catalog(&cli.catalog)?;
    let markets = if args.market.is_empty() { vec!["EU:2028-01-01".to_owned()] } else { args.market.clone() };
    let markets = markets
        .iter()
        .map(|m| {
            let (id, sop) = m
                .split_once(':')
                .ok_or_else(|| Failure::input(format!("--market {m}: write MARKET:YYYY-MM-DD, e.g. EU:2027-03-01")))?;
            let sop = sop.parse::<avtrace_model::Date>().map_err(|e| Failure::input(format!("--market {m}: {e}")))?;
            Ok((id.trim().to_ascii_uppercase(), sop))
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let request = avtrace_report::StarterRequest {
        name: args.name.clone(),
        markets,
        categories: if args.category.is_empty() { vec!["M1".to_owned()] } else { args.category.clone() },
        features: args.feature.clone(),
    };
    let text = avtrace_report::starter_program(&catalog, &request);
    // What `init` writes must load: the words given are checked as any program's are.
    let file = inputs.sources.add("(avtrace init)", text.clone());
    let loaded = avtrace_catalog::load_program(&inputs.sources, file, &catalog);
    if loaded.value.is_none() {
        inputs.report(&loaded.diagnostics, false);
        return Err(Failure::input("the options given do not make a valid program (see above)"));
    }
    match &args.output {
        Some(path) if path.exists() => {
            Err(Failure::input(format!("{} exists; init does not overwrite a program", path.display())))
        }
        Some(path) => output::write_atomically(path, text.as_bytes()),
        None => output::print(&text),
    }
}
