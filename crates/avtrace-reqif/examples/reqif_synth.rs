//! Writes the synthetic benchmark document, so that other parsers can be timed on the same
//! bytes (see `bench/reqif/peer.py`).
//!
//! `cargo run -p avtrace-reqif --release --example reqif_synth -- OUT.reqif [REQUIREMENTS]`

use std::fs::File;
use std::process::ExitCode;

#[path = "../benches/synth.rs"]
mod synth;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: reqif_synth OUT.reqif [REQUIREMENTS]");
        return ExitCode::from(2);
    };
    let n = match args.next().map(|a| a.parse::<usize>()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("REQUIREMENTS must be a number: {e}");
            return ExitCode::from(2);
        }
    };
    let file = match File::create(&out) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot create {out}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match synth::write(n, file) {
        Ok((_, report)) => {
            println!(
                "{out}: {} bytes, {} spec objects, {} relations, {} specifications",
                report.bytes, report.spec_objects, report.spec_relations, report.specifications
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("export failed: {e}");
            ExitCode::FAILURE
        }
    }
}
