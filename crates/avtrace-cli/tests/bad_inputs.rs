//! The bad-input corpus, `tests/bad-inputs/`: every file there is refused by the real
//! binary with the exit code, the `file:line:column` and the words `expected.tsv` gives it,
//! within 20 seconds and (where `prlimit` exists) 2 GiB of address space, without a panic,
//! and without leaving anything in the output folder.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use common::{copy_dir, path_str, root};

const LIMIT_SECONDS: u64 = 20;
const LIMIT_BYTES: u64 = 2 << 30;

/// One line of `expected.tsv`.
struct Case {
    file: String,
    exit: i32,
    /// `line:column`, `!entry:line:column` inside a `.reqifz`, or `None` for a problem with
    /// no line (a zip archive's structure).
    at: Option<String>,
    says: String,
}

fn cases() -> Vec<Case> {
    let table = std::fs::read_to_string(root().join("tests/bad-inputs/expected.tsv")).expect("expected.tsv");
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "expected.tsv: `{line}` needs 4 tab-separated fields");
            Case {
                file: fields[0].to_owned(),
                exit: fields[1].parse().expect("exit code"),
                at: (fields[2] != "-").then(|| fields[2].to_owned()),
                says: fields[3].to_owned(),
            }
        })
        .collect()
}

/// The binary, under the memory limit where `prlimit` (util-linux) is there to set one.
fn limited() -> Command {
    let bin = assert_cmd::cargo::cargo_bin!("avtrace");
    let prlimit = std::process::Command::new("prlimit").arg("--version").output().is_ok_and(|o| o.status.success());
    let mut cmd = if prlimit {
        let mut cmd = Command::new("prlimit");
        cmd.arg(format!("--as={LIMIT_BYTES}")).arg("--").arg(bin);
        cmd
    } else {
        Command::new(bin)
    };
    cmd.current_dir(root()).timeout(Duration::from_secs(LIMIT_SECONDS));
    cmd
}

/// Runs one case; `Err` says how it went wrong.
fn check(case: &Case) -> Result<(), String> {
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let corpus = root().join("tests/bad-inputs");
    let mut cmd = limited();
    // The path the message must name, as the binary sees it.
    let named: PathBuf;
    let kind = case.file.split('/').next().unwrap_or_default();
    match kind {
        "program" => {
            named = Path::new("tests/bad-inputs").join(&case.file);
            cmd.args(["--standards", "tests/fixtures/mini-catalog", "trace", "--program", path_str(&named), "-o"])
                .arg(out.join("trace.txt"));
        }
        "catalog" => {
            // One file added to a copy of the small catalog, in the folder that gives its role.
            let catalog = scratch.path().join("catalog");
            std::fs::create_dir(&catalog).expect("mkdir");
            copy_dir(&root().join("tests/fixtures/mini-catalog"), &catalog);
            let relative = case.file.trim_start_matches("catalog/");
            let target = catalog.join(relative);
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::copy(corpus.join(&case.file), &target).expect("copy");
            named = target;
            cmd.args(["--standards", path_str(&catalog), "trace", "--program", "tests/fixtures/programs/mini.toml"])
                .arg("-o")
                .arg(out.join("trace.txt"));
        }
        "reqif" => {
            named = Path::new("tests/bad-inputs").join(&case.file);
            cmd.args(["--standards", "tests/fixtures/mini-catalog", "import", "reqif", path_str(&named), "-o"])
                .arg(out.join("program.toml"));
        }
        other => return Err(format!("unknown kind `{other}`")),
    }
    let output = cmd.output().map_err(|e| format!("did not run: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut wrong = Vec::new();
    match output.status.code() {
        Some(code) if code == case.exit => {}
        Some(code) => wrong.push(format!("exit {code}, expected {}", case.exit)),
        None => wrong.push("killed by a signal (timeout, memory limit or crash)".to_owned()),
    }
    let place = match &case.at {
        Some(at) if at.starts_with('!') => format!("{}{at}", named.display()),
        Some(at) => format!("{}:{at}", named.display()),
        None => named.display().to_string(),
    };
    if !stderr.contains(&place) {
        wrong.push(format!("no `{place}` in the message"));
    }
    if !stderr.to_lowercase().contains(&case.says.to_lowercase()) {
        wrong.push(format!("the message does not say `{}`", case.says));
    }
    if stderr.contains("panicked") {
        wrong.push("panicked".to_owned());
    }
    let left: Vec<String> = std::fs::read_dir(&out)
        .expect("out readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    if !left.is_empty() {
        wrong.push(format!("left {left:?} in the output folder"));
    }
    if wrong.is_empty() { Ok(()) } else { Err(format!("{}\n    stderr: {}", wrong.join("; "), stderr.trim_end())) }
}

#[test]
fn every_bad_input_is_refused_at_its_place_without_leaving_a_file() {
    let cases = cases();
    assert!(cases.len() >= 100, "the corpus holds {} cases", cases.len());
    for kind in ["program/", "catalog/", "reqif/"] {
        assert!(cases.iter().any(|c| c.file.starts_with(kind)), "no {kind} case");
    }
    // Every file of the corpus has its line, and every line its file.
    let mut on_disk: Vec<String> = glob::glob(&format!("{}/tests/bad-inputs/*/**/*.*", path_str(&root())))
        .expect("pattern")
        .map(|p| {
            let p = p.expect("path");
            p.strip_prefix(root().join("tests/bad-inputs")).expect("under").to_string_lossy().into_owned()
        })
        .filter(|p| !p.ends_with(".md"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = cases.iter().map(|c| c.file.clone()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "files in tests/bad-inputs and lines of expected.tsv differ");

    let failures: Vec<String> =
        cases.iter().filter_map(|case| check(case).err().map(|why| format!("{}: {why}", case.file))).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
