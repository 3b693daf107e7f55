//! Helpers shared by the end-to-end tests: running the real binary from the workspace
//! root, and finding the external tools the tests check output with.
//!
//! A missing tool makes a test print a skip notice and pass, except under CI (env `CI`
//! set), where it fails and says how to install the tool; `.ci/run` installs them all.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

/// The example program the README runs.
pub const EXAMPLE: &str = "examples/l3-highway-pilot/program.toml";

/// The workspace root, where the tests run the binary so that paths in messages are short.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root exists")
}

/// `avtrace`, run from the workspace root, without the reproducible-build clock override.
pub fn avtrace() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("avtrace"));
    cmd.current_dir(root()).env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// What a run printed and how it ended.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output, as text.
    pub stdout: String,
    /// Standard output, as bytes.
    pub bytes: Vec<u8>,
    /// Standard error.
    pub stderr: String,
}

/// Runs `cmd` to the end.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("avtrace runs");
    Run {
        code: out.status.code().expect("avtrace exits with a code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        bytes: out.stdout,
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `avtrace ARGS…` from the workspace root.
pub fn avtrace_with<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(avtrace().args(args))
}

/// Parses JSON output, saying what it was when it is not JSON.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// A temporary path as `&str`.
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Skips (or, under CI, fails) for want of `what`. The notice goes straight to the
/// process's standard error, past the test harness's capture (which takes only `eprintln!`),
/// so that `cargo test` shows it beside the test's `ok` and a skip never reads as a pass.
pub fn missing(what: &str, how: &str) -> Option<PathBuf> {
    use std::io::Write as _;
    assert!(std::env::var_os("CI").is_none(), "{what} is missing; install it with: {how}");
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {what} is missing (install it with: {how})");
    None
}

/// `xmllint`, from PATH.
pub fn xmllint() -> Option<PathBuf> {
    let ok = Process::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success());
    if ok { Some(PathBuf::from("xmllint")) } else { missing("xmllint", "apt-get install -y libxml2-utils") }
}

/// Graphviz's `dot`, from PATH.
pub fn dot() -> Option<PathBuf> {
    let ok = Process::new("dot").arg("-V").output().is_ok_and(|o| o.status.success());
    if ok { Some(PathBuf::from("dot")) } else { missing("Graphviz (dot)", "apt-get install -y graphviz") }
}

/// LibreOffice's `soffice`, from PATH, which renders a workbook to PDF as a reader prints it.
pub fn soffice() -> Option<PathBuf> {
    let ok = Process::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success());
    if ok {
        Some(PathBuf::from("soffice"))
    } else {
        missing("LibreOffice (soffice)", "apt-get install -y libreoffice-calc-nogui")
    }
}

/// Debian's Chromium, which Playwright drives (never `playwright install`).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The Python of the repository's `.venv-test` when it can import every one of `modules`
/// (and Chromium is installed, if asked).
pub fn venv_python(modules: &[&str], chromium: bool) -> Option<PathBuf> {
    let python = root().join(".venv-test/bin/python");
    let mut absent: Vec<String> = Vec::new();
    if python.exists() {
        for module in modules {
            let imported = Process::new(&python)
                .args(["-c", &format!("import {module}")])
                .output()
                .is_ok_and(|o| o.status.success());
            if !imported {
                absent.push(format!("the Python module {module} in .venv-test"));
            }
        }
    } else {
        absent.push(".venv-test/bin/python".to_owned());
    }
    if chromium && !Path::new(CHROMIUM).exists() {
        absent.push(CHROMIUM.to_owned());
    }
    if absent.is_empty() {
        return Some(python);
    }
    missing(
        &absent.join(", "),
        "apt-get install -y chromium, then python3 -m venv .venv-test && .venv-test/bin/pip install -r \
         tests/requirements.txt (or run .ci/run)",
    )
}

/// Runs a Python script of the repository with `python` from the workspace root.
pub fn python_output(python: &Path, args: &[&str]) -> std::process::Output {
    Process::new(python).current_dir(root()).args(args).output().expect("python runs")
}

/// Runs a Python checker and fails the test with its output unless it passes.
pub fn python_ok(python: &Path, args: &[&str]) {
    let out = python_output(python, args);
    assert!(
        out.status.success(),
        "{} failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies the files of folder `from` (recursively) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("folder readable") {
        let entry = entry.expect("entry readable");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("create folder");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The text of a program's main file followed by the files its `include` patterns match, in
/// the order avtrace reads them.
pub fn program_files(main: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(main).expect("program readable");
    let doc: toml::Table = text.parse().expect("a TOML program");
    let mut out = vec![text];
    let patterns = doc["program"].get("include").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    for pattern in patterns {
        let full = main.parent().expect("a folder").join(pattern.as_str().expect("a pattern"));
        let mut paths: Vec<PathBuf> = glob::glob(&full.to_string_lossy()).expect("pattern").flatten().collect();
        paths.sort();
        out.extend(paths.iter().map(|p| std::fs::read_to_string(p).expect("included file readable")));
    }
    out
}
