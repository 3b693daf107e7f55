//! Writes a synthetic catalog and program for benchmarking the `avtrace` binary.

use std::process::ExitCode;

const USAGE: &str = "usage: avtrace-synth DIR REQUIREMENTS [CLAUSES] [MARKETS] [--files N] [--attrs K] [--multiline]

Writes DIR/catalog/ (CLAUSES clauses, default 10000, in MARKETS markets, default 6) and
DIR/program.toml with REQUIREMENTS requirements; with --files N the requirements are split
over N files under DIR/parts/ that program.toml includes, and --attrs K gives each
requirement K attributes; --multiline writes each requirement's text as a two-line
\"\"\"-string, as real programs do.";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let multiline = match args.iter().position(|a| a == "--multiline") {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    };
    let mut option = |name: &str| -> Result<usize, String> {
        match args.iter().position(|a| a == name) {
            None => Ok(0),
            Some(i) if i + 1 < args.len() => {
                let value = args.remove(i + 1);
                args.remove(i);
                value.replace('_', "").parse::<usize>().map_err(|_| format!("{name} takes a number"))
            }
            Some(_) => Err(format!("{name} takes a number")),
        }
    };
    let (files, attrs) = match (option("--files"), option("--attrs")) {
        (Ok(f), Ok(a)) => (f.max(1), a),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let number = |i: usize, default: usize| args.get(i).map_or(Ok(default), |s| s.replace('_', "").parse::<usize>());
    let (Some(dir), Ok(requirements), Ok(clauses), Ok(markets)) =
        (args.first(), number(1, 10_000), number(2, 10_000), number(3, 6))
    else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if dir.starts_with('-') {
        eprintln!("error: unknown option {dir}\n{USAGE}");
        return ExitCode::from(2);
    }
    let shape =
        avtrace_bench::Shape { clauses, clauses_per_instrument: 250, markets, requirements, files, attrs, multiline };
    match avtrace_bench::write_world(&shape, std::path::Path::new(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write {dir}: {e}");
            ExitCode::from(2)
        }
    }
}
