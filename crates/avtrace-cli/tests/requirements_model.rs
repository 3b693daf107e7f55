//! Programs as trees in many files, with attributes, evidence and JUnit results, through
//! the real binary: verification states as DESIGN.md defines them, every bad-input class of
//! the format with its message and place, `init` and `schema`.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{EXAMPLE, avtrace, json, root, run, venv_python};
use serde_json::Value;

const TREE: &str = "tests/fixtures/tree/program.toml";
const RESULTS: &str = "tests/fixtures/tree/results.xml";

fn mini() -> Command {
    let mut cmd = avtrace();
    cmd.args(["--standards", "tests/fixtures/mini-catalog"]);
    cmd
}

/// Fails with the whole text when `needle` is not in it.
#[track_caller]
fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
}

fn states(doc: &Value) -> Vec<(String, String)> {
    doc["requirements"]
        .as_array()
        .expect("a top-level requirements list")
        .iter()
        .map(|r| {
            let field = |k: &str| r[k].as_str().expect("a string field").to_owned();
            (field("id"), field("verification"))
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn a_three_file_tree_traces_with_every_verification_state() {
    let r = run(mini().args(["trace", "--program", TREE, "--results", RESULTS, "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    assert_eq!(
        states(&doc),
        pairs(&[
            ("SYS-1", "failed"),
            ("SYS-2", "passed"),
            ("SW-1", "passed"),
            ("SW-2", "failed"),
            ("SW-3", "claimed"),
            ("SW-4", "none"),
        ])
    );
    assert_eq!(doc["revision"], "R1");
    let parents: Vec<Value> = doc["requirements"].as_array().unwrap().iter().map(|r| r["parent"].clone()).collect();
    assert_eq!(parents[2], "SYS-1");
    assert_eq!(parents[0], Value::Null);
    // "Verified" means passed: TEST-REG:5.2 rests on SYS-2 (passed), 5.1 on SYS-1 (failed).
    let clauses = doc["markets"][0]["clauses"].as_array().unwrap();
    let clause = |id: &str| clauses.iter().find(|c| c["clause"] == id).unwrap().clone();
    assert_eq!(clause("TEST-REG:5.1")["verified"], false);
    assert_eq!(clause("TEST-REG:5.1")["verification"], serde_json::json!(["failed"]));
    assert_eq!(clause("TEST-REG:5.2")["verified"], true);
    assert_eq!(doc["markets"][0]["verified"], 1);
    // The unmatched case is named, so a renamed test does not pass in silence.
    assert_has(
        &r.stderr,
        "warning[unmatched-test]: 1 of 4 test cases match no evidence of the program: misc.unrelated_case",
    );
    assert_has(&r.stderr, "--> tests/fixtures/tree/results.xml:9:5");

    // Without results, tests are claimed; the review keeps its written result.
    let doc = json(&run(mini().args(["trace", "--program", TREE, "--format", "json"])).stdout);
    assert_eq!(
        states(&doc),
        pairs(&[
            ("SYS-1", "claimed"),
            ("SYS-2", "passed"),
            ("SW-1", "claimed"),
            ("SW-2", "claimed"),
            ("SW-3", "claimed"),
            ("SW-4", "none"),
        ])
    );

    let r = run(mini().args(["trace", "--program", TREE, "--results", RESULTS]));
    assert_has(&r.stdout, "Tree fixture (revision R1): 6 requirements");
    assert_has(&r.stdout, "Verification: 2 passed, 2 failed, 1 claimed, 1 none (of 6 live requirements).");
}

#[test]
fn the_matrix_shows_the_tree_attributes_and_verification() {
    let r = run(mini().args(["matrix", "--program", TREE, "--results", RESULTS, "--format", "md"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_has(
        &r.stdout,
        "| Id | Title | Status | Verification | Verified by | asil | owner | reviewed | Obligations | Text |",
    );
    assert_has(&r.stdout, "| \u{a0}\u{a0}↳ SW-2 | Log retention | approved | failed | TC-2 | B | software |  |");
    assert_has(&r.stdout, "SYS-1 (failed); beneath: SW-1, SW-2");
    let r = run(mini().args(["matrix", "--program", TREE, "--results", RESULTS, "--format", "csv"]));
    let header = r.stdout.lines().next().unwrap();
    assert!(header.ends_with("requirement_parent,requirement_verification,requirement_status,via,via_sources,because,attr:asil,attr:owner,attr:reviewed"), "{header}");
    assert_has(&r.stdout, "TM,TEST-REG:5.2,TEST-REG,");
    let doc = json(&run(mini().args(["matrix", "--program", TREE, "--format", "json"])).stdout);
    let sys2 = doc["requirements"].as_array().unwrap().iter().find(|r| r["id"] == "SYS-2").unwrap().clone();
    assert_eq!(sys2["attrs"], serde_json::json!({ "asil": "QM", "owner": "systems", "reviewed": "true" }));
    let sw2 = doc["requirements"].as_array().unwrap().iter().find(|r| r["id"] == "SW-2").unwrap().clone();
    assert_eq!(sw2["links"], serde_json::json!([{ "kind": "depends-on", "to": "SW-1" }]));
    assert_eq!(sw2["depth"], 1);
}

/// Writes `files` (relative path, text) into a fresh folder and returns it.
fn program_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("create folder");
        std::fs::write(path, text).expect("write file");
    }
    dir
}

const HEAD: &str = "[program]\nname = \"P\"\ninclude = [\"more/*.toml\"]\ncategories = [\"M1\"]\n\
                    markets = [{ id = \"TM\", sop = \"2025-01-01\" }]\n";

fn check(dir: &Path, extra: &[&str]) -> common::Run {
    run(mini().args(["check", "--program"]).arg(dir.join("p.toml")).args(extra))
}

/// The shown place of a diagnostic, made relative to the temporary folder.
fn place(dir: &Path, file: &str, line: usize, column: usize) -> String {
    format!("--> {}:{line}:{column}", dir.join(file).display())
}

#[test]
fn each_bad_input_class_of_the_format_has_its_message_and_place() {
    // A dangling parent, in an included file.
    let dir = program_dir(&[
        ("p.toml", &format!("{HEAD}[[requirements]]\nid = \"A\"\ntitle = \"a\"\n")),
        ("more/x.toml", "[[requirements]]\nid = \"B\"\ntitle = \"b\"\nparent = \"Z\"\n"),
    ]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(&r.stderr, "error[dangling-parent]: parent `Z` is not a requirement of the program");
    assert_has(&r.stderr, &place(dir.path(), "more/x.toml", 4, 10));

    // A parent cycle across files.
    let dir = program_dir(&[
        ("p.toml", &format!("{HEAD}[[requirements]]\nid = \"A\"\ntitle = \"a\"\nparent = \"C\"\n")),
        (
            "more/x.toml",
            "[[requirements]]\nid = \"B\"\ntitle = \"b\"\nparent = \"A\"\n\n[[requirements]]\nid = \"C\"\ntitle = \"c\"\nparent = \"B\"\n",
        ),
    ]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(&r.stderr, "error[parent-cycle]: requirements refine each other in a cycle: A → C → B → A");
    assert_has(&r.stderr, &place(dir.path(), "more/x.toml", 4, 10));

    // The same id in two files: the second is the error, the first is named.
    let dir = program_dir(&[
        ("p.toml", &format!("{HEAD}[[requirements]]\nid = \"A\"\ntitle = \"a\"\n")),
        ("more/x.toml", "[[requirements]]\nid = \"A\"\ntitle = \"again\"\n"),
    ]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(&r.stderr, "error[duplicate-id]: requirement `A` is defined twice");
    assert_has(&r.stderr, &place(dir.path(), "more/x.toml", 2, 6));
    assert_has(&r.stderr, &format!("first defined at {}:7:6", dir.path().join("p.toml").display()));

    // An include that names a file that does not exist.
    let head = HEAD.replace("more/*.toml", "more/missing.toml");
    let dir = program_dir(&[("p.toml", &format!("{head}[[requirements]]\nid = \"A\"\ntitle = \"a\"\n"))]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(&r.stderr, "error[unreadable-include]: included file");
    assert_has(&r.stderr, &place(dir.path(), "p.toml", 3, 12));

    // An included file that is not UTF-8: found when a worker reads it, and still reported
    // at the pattern that named it, with the bad byte's place in the message.
    let dir = program_dir(&[("p.toml", &format!("{HEAD}[[requirements]]\nid = \"A\"\ntitle = \"a\"\n"))]);
    std::fs::create_dir_all(dir.path().join("more")).expect("create folder");
    std::fs::write(dir.path().join("more/x.toml"), b"[[requirements]]\nid = \"B\"\ntitle = \"b\xff\"\n")
        .expect("write file");
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(&r.stderr, "error[unreadable-include]: ");
    assert_has(&r.stderr, "x.toml:3:11: not UTF-8 text");
    assert_has(&r.stderr, &place(dir.path(), "p.toml", 3, 12));

    // Evidence the program does not define, once it defines some.
    let dir = program_dir(&[
        ("p.toml", &format!("{HEAD}[[requirements]]\nid = \"A\"\ntitle = \"a\"\nverified_by = [\"TC-2\"]\n")),
        ("more/e.toml", "[[evidence]]\nid = \"TC-1\"\n"),
    ]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(&r.stderr, "error[unknown-evidence]: `verified_by` names `TC-2`, which is not an [[evidence]] id");
    assert_has(&r.stderr, "did you mean `TC-1`?");
    assert_has(&r.stderr, &place(dir.path(), "p.toml", 9, 16));

    // JUnit that is not well-formed: an error at its line, and nothing traced.
    let dir = program_dir(&[
        ("p.toml", &format!("{HEAD}[[requirements]]\nid = \"A\"\ntitle = \"a\"\n")),
        ("r.xml", "<testsuites>\n  <testcase name=\"x\">\n</testsuites>\n"),
    ]);
    let junit = dir.path().join("r.xml");
    let r = check(dir.path(), &["--results", junit.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(&r.stderr, "error[invalid-junit]: not well-formed XML");
    assert_has(&r.stderr, &format!("--> {}:3:", junit.display()));
    let r = run(mini().args(["trace", "--program"]).arg(dir.path().join("p.toml")).arg("--results").arg(&junit));
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn no_diagnostic_names_a_rust_type() {
    let cases = [
        "[program]\nname = \"P\"\nmarkets = [\"EU\"]\n",
        "[program]\nname = \"P\"\n\n[[requirements]]\nid = \"A\"\n",
        "[program]\nname = \"P\"\nrequirements = \"x\"\n",
        "requirements = 3\n",
        "[program]\nname = \"P\"\n\n[[requirements]]\nid = \"A\"\ntitle = \"a\"\nlinks = [\"B\"]\n",
        "[program]\nname = \"P\"\n\n[[requirements]]\nid = \"A\"\ntitle = \"a\"\nattrs = { asil = [1] }\n",
        "[program]\nname = \"P\"\n\n[[evidence]]\nkind = \"test\"\n",
    ];
    for text in cases {
        let dir = program_dir(&[("p.toml", text)]);
        let r = check(dir.path(), &[]);
        assert_eq!(r.code, 1, "{text}\n{}", r.stderr);
        for word in ["Raw", "struct ", "sequence", "Spanned", "serde"] {
            assert!(!r.stderr.contains(word), "`{word}` in:\n{}", r.stderr);
        }
    }
    let dir = program_dir(&[("p.toml", cases[0])]);
    assert_has(&check(dir.path(), &[]).stderr, "expected a market table like `{ id = \"EU\", sop = \"2027-03-01\" }`");
}

#[test]
fn init_writes_a_program_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    let r = run(avtrace()
        .args(["init", "--market", "EU:2027-03-01", "--market", "CN:2027-09-01", "--feature", "ota-update", "-o"])
        .arg(&path));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(avtrace().args(["check", "--deny-warnings", "--program"]).arg(&path));
    // The catalog's own unmodelled mandates in CN are warnings; the program has none.
    assert!(!r.stderr.contains(&path.display().to_string()), "{}", r.stderr);
    let r = run(avtrace().args(["trace", "--program"]).arg(&path));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Writing over a file is refused; a word outside the vocabulary is named.
    assert_eq!(run(avtrace().args(["init", "-o"]).arg(&path)).code, 2);
    let r = run(avtrace().args(["init", "--feature", "ota-updtae"]));
    assert_eq!(r.code, 2);
    assert_has(&r.stderr, "did you mean `ota-update`?");
    // With no option at all it checks clean: the only warnings are the catalog's own
    // unmodelled EU mandates (the GSR baseline held by identity only), none about the program.
    let r = run(avtrace().arg("init"));
    std::fs::write(dir.path().join("q.toml"), r.stdout).unwrap();
    let r = run(avtrace().args(["check", "--program"]).arg(dir.path().join("q.toml")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("warning[").count(),
        r.stderr.matches("warning[unmodelled-mandate]").count(),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("q.toml"), "{}", r.stderr);
}

#[test]
fn the_schema_is_the_committed_one_and_an_independent_validator_accepts_the_example() {
    let r = run(avtrace().arg("schema"));
    assert_eq!(r.code, 0);
    let committed = std::fs::read_to_string(root().join("docs/program.schema.json")).unwrap();
    assert_eq!(r.stdout, committed);
    let Some(python) = venv_python(&["jsonschema", "tomllib"], false) else { return };
    let script = root().join("tests/schema/validate_program.py");
    let schema = root().join("docs/program.schema.json");
    for program in [EXAMPLE, TREE] {
        let out =
            std::process::Command::new(&python).arg(&script).arg(&schema).arg(root().join(program)).output().unwrap();
        assert!(
            out.status.success(),
            "{program}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // And it refuses what the loader refuses.
    let dir = program_dir(&[(
        "p.toml",
        "[program]\nname = \"P\"\n\n[[requirements]]\nid = \"A\"\ntitle = \"a\"\nstatus = \"banana\"\n",
    )]);
    let out =
        std::process::Command::new(&python).arg(&script).arg(&schema).arg(dir.path().join("p.toml")).output().unwrap();
    assert!(!out.status.success(), "the schema accepts status banana");
}
