//! End-to-end tests: the real `avtrace` binary on real files, checking exit codes, stdout,
//! stderr and written files as a user would.

mod common;

use assert_cmd::Command;
use common::{avtrace, json, root, run};

/// `avtrace --standards tests/fixtures/mini-catalog ...`
fn mini() -> Command {
    let mut cmd = avtrace();
    cmd.args(["--standards", "tests/fixtures/mini-catalog"]);
    cmd
}

const MINI: &str = "tests/fixtures/programs/mini.toml";

#[test]
fn mini_trace_matches_the_hand_worked_result() {
    let r = run(mini().args(["trace", "--program", MINI, "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    let doc = json(&r.stdout);
    assert_eq!(doc["program"], "Mini program");
    let m = &doc["markets"][0];
    assert_eq!(m["market"], "TM");
    let counts: Vec<i64> = ["obligations", "covered", "via_mapping", "partial", "uncovered", "verified"]
        .iter()
        .map(|k| m[k].as_i64().expect("count"))
        .collect();
    assert_eq!(counts, [5, 2, 1, 1, 1, 2]);
    assert_eq!(m["coverage"], 0.6);
    let clauses: Vec<(String, String)> = m["clauses"]
        .as_array()
        .expect("clauses")
        .iter()
        .map(|c| (c["clause"].as_str().unwrap().to_owned(), c["status"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("TEST-REG:5.1", "covered"),
        ("TEST-REG:5.2", "via-mapping"),
        ("TEST-REG:5.3", "partial"),
        ("TEST-REG:5.4", "uncovered"),
        ("TEST-STD:9.1", "covered"),
    ];
    assert_eq!(clauses, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    let via = &m["clauses"][1];
    assert_eq!(via["requirements"], serde_json::json!(["R-2"]));
    assert_eq!(via["via"], serde_json::json!(["TEST-STD:8"]));
    assert_eq!(via["chain"][0]["from"], "TEST-STD:8");
    assert_eq!(via["chain"][0]["rel"], "equal");
    assert_eq!(via["chain"][0]["to"], "TEST-REG:5.2");
    assert_eq!(via["chain"][0]["rationale"], "both ask for a risk assessment");
    assert_eq!(via["because"], serde_json::json!(["mandate TEST-REG"]));
    let cited = &m["clauses"][4];
    assert_eq!(cited["because"], serde_json::json!(["cited by TEST-REG:5.1"]));
    assert_eq!(cited["verified"], false);
}

#[test]
fn levels_nest() {
    let obligations = |level: &str| {
        let r = run(mini().args(["trace", "-p", MINI, "--format", "json", "--level", level]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r.stdout)["markets"][0]["obligations"].as_i64().expect("count")
    };
    // Expected adds TEST-STD (its requirements 8 and 9.1; 9.1 is already cited).
    assert_eq!(obligations("mandatory"), 5);
    assert_eq!(obligations("expected"), 6);
    assert_eq!(obligations("voluntary"), 6);
    let r = run(mini().args(["trace", "-p", MINI, "--format", "json", "--level", "expected", "--recommendations"]));
    assert_eq!(json(&r.stdout)["markets"][0]["obligations"], 7);
}

#[test]
fn table_says_what_to_run_next() {
    let r = run(mini().args(["trace", "--program", MINI]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("TM: 1 uncovered, 1 partial"), "{}", r.stdout);
    assert!(r.stdout.contains("Next: avtrace gaps --program tests/fixtures/programs/mini.toml --market TM"));
    for line in r.stdout.lines() {
        assert!(line.chars().count() <= 100, "line wider than 100 columns: {line}");
    }
}

#[test]
fn gaps_lists_only_gaps_worst_first() {
    let r = run(mini().args(["gaps", "--program", MINI, "--market", "TM"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let uncovered = r.stdout.find("uncovered  TEST-REG:5.4").expect("uncovered gap listed");
    let partial = r.stdout.find("partial    TEST-REG:5.3").expect("partial gap listed");
    assert!(uncovered < partial);
    assert!(r.stdout.contains("review: R-3 satisfies TEST-STD:9.1 -subset-> TEST-REG:5.3"));
    assert!(!r.stdout.contains("TEST-REG:5.1 "), "covered clauses are not gaps");
    let r = run(mini().args(["gaps", "--program", MINI, "--format", "json"]));
    let doc = json(&r.stdout);
    let listed: Vec<&str> =
        doc["markets"][0]["clauses"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(listed, ["uncovered", "partial"]);
}

#[test]
fn fail_under_gates_coverage() {
    assert_eq!(run(mini().args(["trace", "-p", MINI, "--fail-under", "60"])).code, 0);
    let r = run(mini().args(["trace", "-p", MINI, "--fail-under", "61", "--format", "json"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("coverage below 61% in TM 60.0%"), "{}", r.stderr);
    json(&r.stdout);
    assert_eq!(run(mini().args(["trace", "-p", MINI, "--fail-under", "150"])).code, 2);
}

#[test]
fn a_dangling_link_names_file_line_and_column() {
    let r = run(mini().args(["trace", "--program", "tests/fixtures/programs/dangling.toml", "--format", "json"]));
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "", "nothing on stdout when the input is bad");
    assert!(r.stderr.contains("--> tests/fixtures/programs/dangling.toml:10:30"), "{}", r.stderr);
    assert!(r.stderr.contains("TEST-REG has no clause `5.9`"));
}

#[test]
fn an_unknown_key_is_an_error_with_its_place() {
    let r = run(mini().args(["check", "--program", "tests/fixtures/programs/unknown-key.toml"]));
    assert_eq!(r.code, 1, "check exits 1 on problems");
    assert!(r.stderr.contains("unknown key `satisfy`"), "{}", r.stderr);
    assert!(r.stderr.contains("--> tests/fixtures/programs/unknown-key.toml:9:1"), "{}", r.stderr);
    let r = run(mini().args(["trace", "--program", "tests/fixtures/programs/unknown-key.toml"]));
    assert_eq!(r.code, 2, "other commands exit 2 on bad input");
}

#[test]
fn a_broken_catalog_reports_every_problem() {
    let r = run(avtrace().args(["--standards", "tests/fixtures/broken-catalog", "check", "--format", "json"]));
    assert_eq!(r.code, 1);
    let doc = json(&r.stdout);
    assert_eq!(doc["ok"], false);
    let found: Vec<(String, i64, i64)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["line"].as_i64().unwrap(), d["column"].as_i64().unwrap()))
        .collect();
    assert_eq!(found, [("unknown-level".to_owned(), 7, 9), ("invalid-date".to_owned(), 8, 8)]);
    let r = run(avtrace().args(["--standards", "tests/fixtures/broken-catalog", "trace", "-p", MINI]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("tests/fixtures/broken-catalog/markets/bad.toml:7:9"), "{}", r.stderr);
}

#[test]
fn bad_usage_and_missing_files_exit_2() {
    assert_eq!(run(avtrace().args(["trace"])).code, 2, "missing --program");
    assert_eq!(run(avtrace().args(["frobnicate"])).code, 2);
    let r = run(mini().args(["trace", "-p", "tests/fixtures/programs/absent.toml"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read tests/fixtures/programs/absent.toml"), "{}", r.stderr);
    let r = run(mini().args(["trace", "-p", MINI, "--market", "XX"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown market `XX`, expected one of: TM, TN"), "{}", r.stderr);
    let r = run(avtrace().args(["--standards", "tests/fixtures/no-such-dir", "standards"]));
    assert_eq!(r.code, 2);
    assert_eq!(run(avtrace().args(["--help"])).code, 0);
}

#[test]
fn output_files_are_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("trace.json");
    let r = run(mini().args(["trace", "-p", MINI, "--format", "json", "-o"]).arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let first = std::fs::read(&out).unwrap();
    json(std::str::from_utf8(&first).unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "a new output file is readable by others, like any created file");
    }
    // A failing run leaves the previous file untouched and no temporary file behind.
    let r =
        run(mini().args(["trace", "-p", "tests/fixtures/programs/dangling.toml", "--format", "json", "-o"]).arg(&out));
    assert_eq!(r.code, 2);
    assert_eq!(std::fs::read(&out).unwrap(), first);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [std::ffi::OsString::from("trace.json")]);
    // An unwritable destination is an error, not a panic.
    let r = run(mini().args(["trace", "-p", MINI, "-o"]).arg(dir.path().join("missing/dir/x.txt")));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot create a temporary file"), "{}", r.stderr);
}

#[test]
fn output_is_deterministic() {
    let a = run(mini().args(["trace", "-p", MINI, "--format", "json"]));
    let b = run(mini().args(["trace", "-p", MINI, "--format", "json"]));
    assert_eq!(a.stdout, b.stdout);
    let a = run(avtrace().args(["standards", "--format", "json"]));
    let b = run(avtrace().args(["standards", "--format", "json"]));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn standards_extra_adds_a_company_catalog() {
    let program = "tests/fixtures/programs/mini-acme.toml";
    let r = run(mini().args(["trace", "-p", program, "--format", "json"]));
    assert_eq!(r.code, 2, "ACME-CS is unknown without the extra catalog");
    let r = run(mini().args([
        "--standards-extra",
        "tests/fixtures/company-catalog",
        "trace",
        "-p",
        program,
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    let report = doc["markets"][0]["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clause"] == "TEST-REG:5.4")
        .expect("5.4 is an obligation")
        .clone();
    assert_eq!(report["status"], "via-mapping");
    assert_eq!(report["requirements"], serde_json::json!(["R-4"]));
    assert_eq!(report["via"], serde_json::json!(["ACME-CS:R-10"]));
}

#[test]
fn a_market_the_program_does_not_list_uses_its_latest_sop_or_the_given_one() {
    let r = run(mini().args(["trace", "-p", MINI, "--market", "tn", "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("the program does not list tn; assuming SOP 2025-01-01"), "{}", r.stderr);
    let doc = json(&r.stdout);
    assert_eq!(doc["markets"][0]["market"], "TN");
    assert_eq!(doc["markets"][0]["obligations"], 0, "TN's mandate starts in 2026");
    let r = run(mini().args(["trace", "-p", MINI, "--market", "TN", "--sop", "2026-06-01", "--format", "json"]));
    let doc = json(&r.stdout);
    assert_eq!(doc["markets"][0]["obligations"], 2);
    assert_eq!(doc["markets"][0]["sop"], "2026-06-01");
    let r = run(mini().args(["trace", "-p", MINI, "--market", "TN"]));
    assert!(r.stdout.contains("no mandate applies at this level"), "{}", r.stdout);
    let r = run(mini().args(["trace", "-p", MINI, "--market", "TN", "--sop", "June"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--sop: expected a date as YYYY-MM-DD"), "{}", r.stderr);
}

#[test]
fn show_prints_a_clause_with_its_source_and_mappings() {
    let r = run(mini().args(["show", "TEST-STD:9.1", "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    assert_eq!(doc["source"], "invented for avtrace's tests");
    assert_eq!(doc["confidence"], "secondary");
    assert_eq!(doc["parent"], "TEST-STD:9");
    assert_eq!(doc["cited_by"], serde_json::json!(["TEST-REG:5.1"]));
    assert_eq!(doc["mappings"][0]["clause"], "TEST-REG:5.3");
    assert_eq!(doc["mappings"][0]["rel"], "subset", "read from this clause: 9.1 is a subset of 5.3");
    assert_eq!(doc["defined_at"], "tests/fixtures/mini-catalog/instruments/test-std.toml:21:6");
    let r = run(mini().args(["show", "TEST-REG"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("mandated in TM"), "{}", r.stdout);
    let r = run(mini().args(["show", "TEST-REG:9"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("TEST-REG has no clause `9`"));
}

#[test]
fn graph_draws_each_statement_once_and_graphviz_reads_it() {
    let r = run(mini().args(["graph", "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 10);
    let edges: Vec<String> = doc["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] != "parent")
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or("-").to_owned();
            format!("{} {} {} {}", text("from"), text("kind"), text("rel"), text("to"))
        })
        .collect();
    assert_eq!(
        edges,
        [
            "TEST-REG:5.1 cites - TEST-STD:9.1",
            "TEST-REG:5.2 maps equal TEST-STD:8",
            "TEST-REG:5.3 maps superset TEST-STD:9.1",
        ]
    );
    let r = run(mini().args(["graph", "--instrument", "TEST-STD", "--format", "dot"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("digraph avtrace {"));
    let Some(dot) = common::dot() else { return };
    let mut child = std::process::Command::new(dot)
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("dot starts");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), r.stdout.as_bytes()).expect("dot reads");
    let out = child.wait_with_output().expect("dot finishes");
    assert!(out.status.success(), "dot rejects the graph: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}

#[test]
fn impact_shows_what_rests_on_a_clause() {
    let r = run(mini().args(["impact", "--clause", "TEST-STD:9.1", "-p", MINI, "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    assert_eq!(doc["satisfied_by"], serde_json::json!(["R-3"]));
    assert_eq!(doc["obliged_in"][0]["because"], serde_json::json!(["cited by TEST-REG:5.1"]));
    assert_eq!(doc["carried"], serde_json::json!([{ "market": "TM", "clause": "TEST-REG:5.3", "status": "partial" }]));
    assert_eq!(doc["requirements"], serde_json::json!(["R-3"]));
    let r = run(mini().args(["impact", "--clause", "TEST-STD:99", "-p", MINI]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("TEST-STD has no clause `99`"), "{}", r.stderr);
}

#[test]
fn diff_compares_programs_and_catalogs() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.toml");
    let text = std::fs::read_to_string(root().join(MINI))
        .unwrap()
        .replace("satisfies = [\"TEST-STD:9.1\"]", "satisfies = [\"TEST-STD:9.1\", \"TEST-REG:5.4\"]");
    std::fs::write(&new, text).unwrap();
    let r = run(mini().args(["diff", MINI]).arg(&new).args(["--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    assert_eq!(doc["changed"][0]["id"], "R-3");
    assert_eq!(doc["changed"][0]["linked"], serde_json::json!(["TEST-REG:5.4"]));
    assert_eq!(doc["markets"][0]["coverage_before"], 0.6);
    assert_eq!(doc["markets"][0]["coverage_after"], 0.8);
    assert_eq!(doc["markets"][0]["statuses"][0]["after"], "covered");
    let r = run(mini().args(["diff", MINI, MINI]));
    assert_eq!(r.stdout, "No change.\n");

    let catalog = dir.path().join("catalog");
    std::fs::create_dir_all(catalog.join("markets")).unwrap();
    for file in ["instruments/test-reg.toml", "instruments/test-std.toml", "markets/tm.toml"] {
        let from = root().join("tests/fixtures/mini-catalog").join(file);
        // Instruments at the top, the market under markets/; the mapping and TN are left out.
        let to =
            if file.starts_with("markets/") { catalog.join(file) } else { catalog.join(&file["instruments/".len()..]) };
        std::fs::write(to, std::fs::read_to_string(from).unwrap().replace("Monitor the fleet", "Monitor vehicles"))
            .unwrap();
    }
    let r = run(avtrace().args(["diff", "tests/fixtures/mini-catalog"]).arg(&catalog).args(["--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    assert_eq!(doc["clauses_changed"], serde_json::json!([{ "clause": "TEST-REG:5.3", "what": ["title"] }]));
    assert_eq!(doc["mappings_removed"].as_array().unwrap().len(), 2);
    assert!(doc["mandates_removed"].as_array().unwrap()[0].as_str().unwrap().starts_with("TN: TEST-STD"));
    let r = run(mini().args(["diff", MINI, "tests/fixtures/mini-catalog"]));
    assert_eq!(r.code, 2, "one file and one folder cannot be compared");
}

/// `markets = []`: `check` warns at the `[program]` table and `trace` refuses, naming the
/// program file, rather than a message with no place.
#[test]
fn a_program_without_markets_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("no-market.toml");
    std::fs::write(
        &program,
        "[program]\nname = \"x\"\nmarkets = []\n\n[[requirements]]\nid = \"R-1\"\ntitle = \"t\"\n",
    )
    .unwrap();
    let path = program.to_str().unwrap();
    let r = run(mini().args(["trace", "--program", path]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{path}:1:1")), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("error: {path}: the program targets no market")), "{}", r.stderr);
    let r = run(mini().args(["check", "--program", path]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning[no-market]"), "{}", r.stderr);
}
