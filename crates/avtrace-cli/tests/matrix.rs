//! `avtrace matrix` and `avtrace report` end to end: the real binary writes every format of
//! the example program, and independent readers check what it wrote: openpyxl (XLSX),
//! Python's csv module (CSV) and headless Chromium driven by Playwright (HTML), all from
//! the repository's `.venv-test` (made by `.ci/run`, see `tests/requirements.txt`).
//!
//! Without the venv or Chromium the Python-driven tests print a notice and pass, except
//! under CI (env `CI` set), where they fail and say how to install what is missing.

mod common;

use std::path::{Path, PathBuf};

use common::{EXAMPLE as PROGRAM, Run, avtrace_with, path_str, root};
use serde_json::Value;

const HOSTILE_ID: &str = "XSS-1";
const HOSTILE_TEXT: &str = "<script>alert(1)</script><img src=x onerror=alert(2)></script><!-- & | =1";

fn run(args: &[&str]) -> Run {
    avtrace_with(args)
}

/// Runs avtrace with `args` and expects success.
fn ok(args: &[&str]) -> Vec<u8> {
    let r = run(args);
    assert_eq!(r.code, 0, "avtrace {}: {}", args.join(" "), r.stderr);
    r.bytes
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("the output is JSON")
}

/// Where test artefacts go: under `target/`, never committed.
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("avtrace-matrix");
    std::fs::create_dir_all(&dir).expect("artefact folder");
    dir
}

/// The example program plus a requirement whose text is an attack on every format.
fn hostile_program(dir: &Path) -> PathBuf {
    // The example and the files it includes, beside the hostile copy of its main file.
    let folder = root().join(PROGRAM).parent().expect("the example's folder").to_owned();
    common::copy_dir(&folder, dir);
    let example = std::fs::read_to_string(root().join(PROGRAM)).expect("example program");
    let text = HOSTILE_TEXT.replace('\\', "\\\\").replace('"', "\\\"");
    let program = format!(
        "{example}\n[[requirements]]\nid = \"{HOSTILE_ID}\"\ntitle = \"=1+1 <b>not bold</b>\"\ntext = \"{text}\"\n\
         status = \"draft\"\nsatisfies = [\"UN-R155:7.2.2.2\"]\nverified_by = []\n"
    );
    let path = dir.join("hostile.toml");
    std::fs::write(&path, program).expect("write the hostile program");
    path
}

fn python_with(modules: &[&str], chromium: bool) -> Option<PathBuf> {
    common::venv_python(modules, chromium)
}

fn python(python: &Path, args: &[&str]) {
    common::python_ok(python, args);
}

#[test]
fn every_format_comes_from_the_one_trace() {
    let dir = tempfile::tempdir().unwrap();
    let trace = json(&ok(&["trace", "--program", PROGRAM, "--format", "json"]));
    let out = dir.path().join("m.json");
    ok(&["matrix", "--program", PROGRAM, "-o", path_str(&out)]);
    let matrix = json(&std::fs::read(&out).unwrap());
    let markets = matrix["markets"].as_array().unwrap();
    assert_eq!(markets.len(), trace["markets"].as_array().unwrap().len());
    for (m, t) in markets.iter().zip(trace["markets"].as_array().unwrap()) {
        for key in ["market", "obligations", "covered", "via_mapping", "partial", "uncovered", "verified", "coverage"] {
            assert_eq!(m[key], t[key], "{key} of {}", t["market"]);
        }
        let traced: Vec<&Value> = t["clauses"].as_array().unwrap().iter().map(|c| &c["clause"]).collect();
        let in_matrix: Vec<&Value> = matrix["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["markets"].as_array().unwrap().iter().any(|x| x["market"] == m["market"]))
            .map(|c| &c["clause"])
            .collect();
        assert_eq!(in_matrix, traced, "obligations of {}", t["market"]);
    }
    for ext in ["html", "xlsx", "csv", "md"] {
        let out = dir.path().join(format!("m.{ext}"));
        ok(&["matrix", "--program", PROGRAM, "--market", "EU", "--market", "CN", "-o", path_str(&out)]);
        assert!(std::fs::metadata(&out).unwrap().len() > 1000, "{ext} written");
    }
    let out = dir.path().join("report.html");
    ok(&["report", "--program", PROGRAM, "-o", path_str(&out)]);
    assert!(std::fs::read_to_string(&out).unwrap().contains("<h2 id=\"gaps-h\">Gaps per market</h2>"));
}

#[test]
fn text_formats_print_and_xlsx_needs_a_file() {
    let csv = String::from_utf8(ok(&["matrix", "--program", PROGRAM, "--market", "KR", "--format", "csv"])).unwrap();
    assert!(csv.starts_with("market,clause,instrument,"), "{csv}");
    let md =
        String::from_utf8(ok(&["matrix", "--program", PROGRAM, "--market", "KR", "--format", "markdown"])).unwrap();
    assert!(md.starts_with("# Traceability matrix: L3 motorway chauffeur\n"), "{md}");
    let html = String::from_utf8(ok(&["report", "--program", PROGRAM, "--market", "KR"])).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));

    let r = run(&["matrix", "--program", PROGRAM, "--format", "xlsx"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pass -o FILE.xlsx"), "{}", r.stderr);
    let r = run(&["matrix", "--program", PROGRAM]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pass --format"), "{}", r.stderr);
    let r = run(&["matrix", "--program", PROGRAM, "-o", "matrix.txt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot tell the format from matrix.txt"), "{}", r.stderr);
    assert!(!root().join("matrix.txt").exists());
    assert!(r.bytes.is_empty());
}

/// The workbook's sheets go through temporary files: where none can be made, the error
/// says where it tried and what to do, and the old workbook stays.
#[test]
fn a_workbook_without_a_temporary_folder_fails_whole_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.xlsx");
    std::fs::write(&out, b"the previous matrix").unwrap();
    let missing = dir.path().join("no-such-folder");
    let r = common::run(common::avtrace().env("TMPDIR", &missing).args([
        "matrix",
        "--program",
        PROGRAM,
        "-o",
        path_str(&out),
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(path_str(&missing)) && r.stderr.contains("set TMPDIR"), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous matrix");
}

#[test]
fn a_failed_run_leaves_the_old_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.xlsx");
    std::fs::write(&out, b"the previous matrix").unwrap();
    let r = run(&["matrix", "--program", "tests/fixtures/programs/dangling.toml", "-o", path_str(&out)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous matrix");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind: {left:?}");
    let r = run(&["matrix", "--program", PROGRAM, "--market", "XX", "-o", path_str(&out)]);
    assert_eq!(r.code, 2);
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous matrix");
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.xlsx", "b.xlsx", "a.html", "b.html", "a.csv", "b.csv"] {
        // The date on the documents is fixed as reproducible builds fix it.
        let out = dir.path().join(name);
        let r = common::run(common::avtrace().env("SOURCE_DATE_EPOCH", "1800000000").args([
            "matrix",
            "--program",
            PROGRAM,
            "-o",
            path_str(&out),
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    for ext in ["xlsx", "html", "csv"] {
        let a = std::fs::read(dir.path().join(format!("a.{ext}"))).unwrap();
        let b = std::fs::read(dir.path().join(format!("b.{ext}"))).unwrap();
        assert!(a == b, "{ext} differs between two runs");
    }
}

#[test]
fn the_report_is_one_self_contained_file() {
    let html = String::from_utf8(ok(&["report", "--program", PROGRAM])).unwrap();
    for outside in ["<link", " src=", "@import", "url(", "fetch(", "XMLHttpRequest", "<iframe"] {
        assert!(!html.contains(outside), "the report refers outside itself: {outside}");
    }
    assert!(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;"));
    assert_eq!(html.matches("<script").count(), 2, "the data block and the script");
}

#[test]
fn xlsx_reads_back_with_openpyxl_as_the_json_says() {
    let Some(python_bin) = python_with(&["openpyxl"], false) else { return };
    let dir = tempfile::tempdir().unwrap();
    let program = hostile_program(dir.path());
    let (xlsx, json) = (dir.path().join("m.xlsx"), dir.path().join("m.json"));
    for out in [&xlsx, &json] {
        ok(&["matrix", "--program", path_str(&program), "-o", path_str(out)]);
    }
    python(&python_bin, &["tests/browser/readback.py", "xlsx", path_str(&xlsx), path_str(&json)]);
}

#[test]
fn csv_reads_back_with_python_csv_as_the_json_says() {
    let Some(python_bin) = python_with(&[], false) else { return };
    let dir = tempfile::tempdir().unwrap();
    let program = hostile_program(dir.path());
    let (csv, json) = (dir.path().join("m.csv"), dir.path().join("m.json"));
    for out in [&csv, &json] {
        ok(&["matrix", "--program", path_str(&program), "-o", path_str(out)]);
    }
    python(&python_bin, &["tests/browser/readback.py", "csv", path_str(&csv), path_str(&json)]);
}

#[test]
fn the_report_works_in_headless_chromium() {
    let Some(python_bin) = python_with(&["playwright"], true) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (report, data) = (dir.path().join("report.html"), dir.path().join("report.json"));
    ok(&["report", "--program", PROGRAM, "-o", path_str(&report)]);
    ok(&["matrix", "--program", PROGRAM, "-o", path_str(&data)]);
    let hostile = dir.path().join("hostile.html");
    ok(&["report", "--program", path_str(&hostile_program(dir.path())), "-o", path_str(&hostile)]);
    let screenshot = artefacts().join("report-summary.png");
    python(
        &python_bin,
        &[
            "tests/browser/report_check.py",
            "check",
            "--report",
            path_str(&report),
            "--json",
            path_str(&data),
            "--hostile",
            path_str(&hostile),
            "--hostile-id",
            HOSTILE_ID,
            "--hostile-text",
            HOSTILE_TEXT,
            "--screenshot",
            path_str(&screenshot),
        ],
    );
    assert!(std::fs::metadata(&screenshot).is_ok_and(|m| m.len() > 0), "screenshot saved");
}
