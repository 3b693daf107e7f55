//! `avtrace`: the command line. It parses arguments, reads files, calls the library crates
//! and writes their output; it computes nothing itself.
//!
//! Exit codes: 0 success; 1 a check or coverage gate failed; 2 bad usage or unreadable /
//! invalid input. Data goes to stdout (or `-o FILE`, written atomically); errors and
//! warnings go to stderr.

mod args;
mod input;
mod output;

use std::io::Write as _;
use std::process::ExitCode;

use avtrace_catalog::{Diagnostic, Severity};
use avtrace_graph::ClauseGraph;
use avtrace_report::TraceView;
use avtrace_trace::{MarketTarget, TraceOptions};
use clap::Parser;

use crate::args::{
    CheckArgs, Cli, Command, Format, MatrixArgs, MatrixFormat, ReportArgs, SelectArgs, ShowArgs, TraceArgs,
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

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
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
                eprintln!("error: {message}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let mut inputs = Inputs::new(cli.quiet);
    match &cli.command {
        Command::Check(args) => check(cli, &mut inputs, args),
        Command::Trace(args) => trace(cli, &mut inputs, args, false),
        Command::Gaps(args) => trace(cli, &mut inputs, args, true),
        Command::Standards(args) => {
            let catalog = inputs.catalog(&cli.catalog)?;
            output::print(&match args.format {
                Format::Table => avtrace_report::standards_table(&catalog),
                Format::Json => avtrace_report::standards_json(&catalog),
            })
        }
        Command::Markets(args) => {
            let catalog = inputs.catalog(&cli.catalog)?;
            output::print(&match args.format {
                Format::Table => avtrace_report::markets_table(&catalog),
                Format::Json => avtrace_report::markets_json(&catalog),
            })
        }
        Command::Show(args) => show(cli, &mut inputs, args),
        Command::Matrix(args) => matrix(cli, &mut inputs, args),
        Command::Report(args) => report(cli, &mut inputs, args),
    }
}

fn check(cli: &Cli, inputs: &mut Inputs, args: &CheckArgs) -> Result<(), Failure> {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let catalog = inputs.load_catalog(&cli.catalog, &mut diagnostics)?;
    let program = match (&catalog, &args.program) {
        (Some(catalog), Some(path)) => inputs.load_program(path, catalog, &mut diagnostics)?,
        _ => None,
    };
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    match args.format {
        Format::Json => output::print(&input::diagnostics_json(&inputs.sources, &diagnostics, !failed))?,
        Format::Table => {
            inputs.report(&diagnostics, true);
            let mut summary = String::new();
            if let Some(catalog) = &catalog {
                summary.push_str(&format!(
                    "catalog: {} instruments, {} clauses, {} mappings, {} markets\n",
                    catalog.instruments.len(),
                    catalog.clauses.len(),
                    catalog.mappings.len(),
                    catalog.markets.len()
                ));
            }
            if let Some(program) = &program {
                summary.push_str(&format!(
                    "program: {}: {} requirements, {} markets\n",
                    program.name,
                    program.requirements.len(),
                    program.markets.len()
                ));
            }
            summary.push_str(&format!(
                "{}: {errors} errors, {warnings} warnings\n",
                if failed { "check failed" } else { "ok" }
            ));
            output::print(&summary)?;
        }
    }
    if failed { Err(Failure::Gate) } else { Ok(()) }
}

fn trace(cli: &Cli, inputs: &mut Inputs, args: &TraceArgs, gaps: bool) -> Result<(), Failure> {
    let catalog = inputs.catalog(&cli.catalog)?;
    let program = inputs.program(&args.program, &catalog)?;
    let targets: Vec<MarketTarget> = inputs.targets(&catalog, &program, &args.market, args.sop.as_deref())?;
    let graph = ClauseGraph::new(&catalog);
    let options = TraceOptions { level: args.level.into(), include_recommendations: args.recommendations };
    let trace = avtrace_trace::trace(&catalog, &graph, &program, &targets, options);
    let program_path = args.program.display().to_string();
    let view = TraceView { catalog: &catalog, program: &program, trace: &trace, program_path: &program_path };
    let text = match (args.format, gaps) {
        (Format::Table, false) => avtrace_report::trace_table(&view),
        (Format::Table, true) => avtrace_report::gaps_table(&view),
        (Format::Json, false) => avtrace_report::trace_json(&view),
        (Format::Json, true) => avtrace_report::gaps_json(&view),
    };
    match &args.output {
        Some(path) => output::write_atomically(path, text.as_bytes())?,
        None => output::print(&text)?,
    }
    if let Some(threshold) = args.fail_under {
        let below: Vec<String> = trace
            .markets
            .iter()
            .filter(|mt| mt.counts.coverage() * 100.0 < threshold)
            .map(|mt| format!("{} {:.1}%", catalog.market(mt.market).id, mt.counts.coverage() * 100.0))
            .collect();
        if !below.is_empty() {
            let _ = writeln!(std::io::stderr(), "error: coverage below {threshold}% in {}", below.join(", "));
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
    output::print(&text)
}

/// Traces what `select` asks for and hands the view to `render`: the one computed trace
/// every matrix format and the report read.
fn with_trace<T>(
    cli: &Cli,
    inputs: &mut Inputs,
    select: &SelectArgs,
    render: impl FnOnce(&TraceView<'_>) -> T,
) -> Result<T, Failure> {
    let catalog = inputs.catalog(&cli.catalog)?;
    let program = inputs.program(&select.program, &catalog)?;
    let targets: Vec<MarketTarget> = inputs.targets(&catalog, &program, &select.market, select.sop.as_deref())?;
    let graph = ClauseGraph::new(&catalog);
    let options = TraceOptions { level: select.level.into(), include_recommendations: select.recommendations };
    let trace = avtrace_trace::trace(&catalog, &graph, &program, &targets, options);
    let program_path = select.program.display().to_string();
    let view = TraceView { catalog: &catalog, program: &program, trace: &trace, program_path: &program_path };
    Ok(render(&view))
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
    let rendered = with_trace(cli, inputs, &args.select, |view| match format {
        MatrixFormat::Html => avtrace_report::matrix_html(view).map(String::into_bytes),
        MatrixFormat::Xlsx => avtrace_report::matrix_xlsx(view),
        MatrixFormat::Csv => avtrace_report::matrix_csv(view),
        MatrixFormat::Md => Ok(avtrace_report::matrix_markdown(view).into_bytes()),
        MatrixFormat::Json => Ok(avtrace_report::matrix_json(view).into_bytes()),
    })?;
    emit(args.output.as_deref(), rendered.map_err(|e| Failure::input(e.to_string()))?)
}

fn report(cli: &Cli, inputs: &mut Inputs, args: &ReportArgs) -> Result<(), Failure> {
    let rendered = with_trace(cli, inputs, &args.select, avtrace_report::report_html)?;
    emit(args.output.as_deref(), rendered.map_err(|e| Failure::input(e.to_string()))?.into_bytes())
}
