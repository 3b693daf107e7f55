//! The load floor of a benchmark world: what any loader of its files must do at the least.
//! Every `.toml` file under the given folders is read into memory and kept there until the
//! end (a loader holds the text it parses), checked to be UTF-8 (TOML must be) and its lines
//! counted, the files shared among all cores. Prints the number of files, bytes and lines.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

const USAGE: &str = "usage: avtrace-readfloor DIR [DIR ...]

Reads every .toml file under each DIR into memory (kept until the end), checks it is UTF-8
and counts its lines, on every core; prints `files bytes lines`. `bench/run.sh` times it as
the load floor beside `wc -l`.";

fn main() -> ExitCode {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() || dirs.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return if dirs.is_empty() { ExitCode::from(2) } else { ExitCode::SUCCESS };
    }
    let mut files = Vec::new();
    for dir in &dirs {
        if let Err(e) = collect(Path::new(dir), &mut files) {
            eprintln!("error: {dir}: {e}");
            return ExitCode::from(2);
        }
    }
    files.sort();
    let next = AtomicUsize::new(0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let read: Vec<Result<(Vec<String>, usize), String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| {
                    let (mut kept, mut lines) = (Vec::new(), 0);
                    while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
                        let text =
                            String::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8: {e}", path.display()))?;
                        lines += text.as_bytes().iter().filter(|&&b| b == b'\n').count();
                        kept.push(text);
                    }
                    Ok((kept, lines))
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err("a reader panicked".to_owned()))).collect()
    });
    let (mut bytes, mut lines) = (0, 0);
    for result in &read {
        match result {
            Ok((kept, counted)) => {
                bytes += kept.iter().map(String::len).sum::<usize>();
                lines += counted;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{} {bytes} {lines}", files.len());
    ExitCode::SUCCESS
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}
