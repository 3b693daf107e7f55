//! Writes a synthetic catalog and program for benchmarking the `avtrace` binary:
//! `avtrace-synth DIR REQUIREMENTS [CLAUSES] [MARKETS]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| args.get(i).map_or(Ok(default), |s| s.replace('_', "").parse::<usize>());
    let (Some(dir), Ok(requirements), Ok(clauses), Ok(markets)) =
        (args.first(), number(1, 10_000), number(2, 10_000), number(3, 6))
    else {
        eprintln!("usage: avtrace-synth DIR REQUIREMENTS [CLAUSES] [MARKETS]");
        return ExitCode::from(2);
    };
    let shape = avtrace_bench::Shape { clauses, clauses_per_instrument: 250, markets, requirements };
    match avtrace_bench::write_world(&shape, std::path::Path::new(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write {dir}: {e}");
            ExitCode::from(2)
        }
    }
}
