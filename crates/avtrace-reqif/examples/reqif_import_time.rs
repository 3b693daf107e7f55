//! Times `avtrace_reqif::import_path` on one file, so that `bench/reqif/peer.py` can put it
//! beside the Python `reqif` parser on the same bytes.
//!
//! `cargo run -p avtrace-reqif --release --example reqif_import_time -- FILE [RUNS]`

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use avtrace_reqif::{ImportOptions, import_path};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: reqif_import_time FILE [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64;
    let mut times = Vec::with_capacity(runs);
    for run in 1..=runs {
        let start = Instant::now();
        let doc = match import_path(Path::new(&file), &ImportOptions::new()) {
            Ok(doc) => doc,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        let secs = start.elapsed().as_secs_f64();
        times.push(secs);
        println!(
            "run {run}: {secs:.3} s, {:.1} MB/s ({} requirements, {} headings, {} relations)",
            size / secs / 1e6,
            doc.requirements.len(),
            doc.headings.len(),
            doc.relations.len()
        );
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("median: {median:.3} s, {:.1} MB/s (avtrace-reqif, {runs} runs)", size / median / 1e6);
    ExitCode::SUCCESS
}
