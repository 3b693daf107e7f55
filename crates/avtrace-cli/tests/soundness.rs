//! The trace semantics of DESIGN.md taken literally, through the real binary: a catalog
//! with one obligation per composition case, adoption, heading and requirement status, its
//! expected statuses written down beside it, and the JSON's chains recomputed here with a
//! composition table of the test's own.

mod common;

use assert_cmd::Command;
use common::{EXAMPLE, avtrace, json, root, run};
use serde_json::Value;

const CATALOG: &str = "tests/fixtures/soundness-catalog";
const PROGRAM: &str = "tests/fixtures/programs/soundness.toml";

/// Fails with the whole text when `needle` is not in it.
#[track_caller]
fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
}

fn sound() -> Command {
    let mut cmd = avtrace();
    cmd.args(["--standards", CATALOG]);
    cmd
}

/// DESIGN.md's table, r(D,X) ∘ r(X,C); `None` is "—".
fn compose(a: &str, b: &str) -> Option<&'static str> {
    let r = |s: &str| -> &'static str {
        match s {
            "equal" => "equal",
            "superset" => "superset",
            "subset" => "subset",
            _ => "intersects",
        }
    };
    match (r(a), r(b)) {
        ("equal", x) | (x, "equal") => Some(x),
        ("superset", "superset") => Some("superset"),
        ("superset", _) => Some("intersects"),
        ("subset", "subset") => Some("subset"),
        ("intersects", "subset") => Some("intersects"),
        _ => None,
    }
}

/// Folds a JSON chain from the satisfied clause towards the obligation, checking that the
/// steps join up.
fn fold(chain: &[Value]) -> Option<&'static str> {
    let mut acc = Some("equal");
    for (i, step) in chain.iter().enumerate() {
        if i > 0 {
            assert_eq!(chain[i - 1]["to"], step["from"], "steps run in path direction");
        }
        acc = acc.and_then(|a| compose(a, step["rel"].as_str().expect("rel")));
    }
    acc
}

fn statuses(extra: &[&str]) -> Vec<Value> {
    let r = run(sound().args(["trace", "--program", PROGRAM, "--format", "json"]).args(extra));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    doc["markets"][0]["clauses"].as_array().expect("clauses").clone()
}

#[test]
fn every_composition_case_adoption_heading_and_status_gives_the_designed_status() {
    let expected = std::fs::read_to_string(root().join("tests/fixtures/programs/soundness.expected.tsv"))
        .expect("expected statuses");
    let rows: Vec<Vec<&str>> =
        expected.lines().filter(|l| !l.starts_with('#')).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 29);
    for (column, extra) in [(1, &[][..]), (2, &["--min-status", "approved"][..])] {
        let clauses = statuses(extra);
        assert_eq!(clauses.len(), 29, "29 obligations");
        for row in &rows {
            let c = clauses.iter().find(|c| c["clause"] == row[0]).unwrap_or_else(|| panic!("{} listed", row[0]));
            assert_eq!(c["status"], row[column], "{} {extra:?}", row[0]);
            let chain = c["chain"].as_array().expect("chain");
            match c["status"].as_str() {
                Some("via-mapping") => assert!(matches!(fold(chain), Some("equal" | "superset")), "{}", row[0]),
                Some("partial") => assert!(matches!(fold(chain), Some("subset" | "intersects")), "{}", row[0]),
                _ => assert!(chain.is_empty(), "{}", row[0]),
            }
            if column == 1 && !chain.is_empty() {
                assert_eq!(fold(chain), Some(row[3]), "{}", row[0]);
                assert_eq!(c["relation"], row[3], "{}", row[0]);
            }
            // Hints compose to nothing and never count.
            for hint in c["related"].as_array().into_iter().flatten() {
                assert_eq!(c["status"], "uncovered");
                assert_eq!(fold(hint["chain"].as_array().expect("hint chain")), None, "{}", row[0]);
            }
        }
    }
}

#[test]
fn gaps_shows_related_hints_in_text_and_json() {
    let r = run(sound().args(["gaps", "--program", PROGRAM]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("related, proves nothing: R-r2 satisfies OBL:r2 -intersects-> FOREIGN:f -intersects-> OBL:r1"),
        "{}",
        r.stdout
    );
    let r = run(sound().args(["gaps", "--program", PROGRAM, "--format", "json"]));
    let doc = json(&r.stdout);
    let r1 = doc["markets"][0]["clauses"].as_array().unwrap().iter().find(|c| c["clause"] == "OBL:r1").unwrap().clone();
    assert_eq!(r1["related"][0]["requirements"], serde_json::json!(["R-r2"]));
    assert_eq!(r1["related"][0]["via"], serde_json::json!(["OBL:r2", "FOREIGN:f"]));
    assert_eq!(doc["markets"][0]["partial"], 9);
}

#[test]
fn check_names_requirements_that_reach_no_obligation() {
    let r = run(sound().args(["check", "--program", PROGRAM]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_has(&r.stderr, "warning[unreached-requirement]: requirement `R-c16` reaches no obligation");
    assert_has(&r.stderr, "--> tests/fixtures/programs/soundness.toml:");
    assert!(!r.stderr.contains("`R-c01`"), "a requirement whose chain counts is not named");
    assert_eq!(run(sound().args(["check", "--program", PROGRAM, "--deny-warnings"])).code, 1);
}

#[test]
fn an_unknown_status_is_an_error_with_its_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.toml");
    let text =
        std::fs::read_to_string(root().join(PROGRAM)).expect("program").replacen("\"approved\"", "\"banana\"", 1);
    std::fs::write(&path, text).expect("write");
    let r = run(sound().args(["check", "--program"]).arg(&path));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(
        &r.stderr,
        "error[unknown-status]: unknown requirement status `banana`, expected one of: draft, proposed, approved, implemented, rejected, obsolete",
    );
    assert_has(&r.stderr, "p.toml:8:10");
    let r = run(sound().args(["trace", "--program"]).arg(&path));
    assert_eq!(r.code, 2, "a bad status stops the trace: {}", r.stderr);
}

#[test]
fn an_unknown_feature_names_the_closest_declared_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.toml");
    let text = std::fs::read_to_string(root().join(EXAMPLE)).expect("example").replacen(
        "\"ota-update\"",
        "\"ota-updates\"",
        1,
    );
    std::fs::write(&path, text).expect("write");
    let r = run(avtrace().args(["check", "--program"]).arg(&path));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_has(
        &r.stderr,
        "error[unknown-feature]: the program names feature `ota-updates`, which the catalog does not declare",
    );
    assert_has(&r.stderr, "did you mean `ota-update`?");
}

#[test]
fn ota_update_implies_software_update() {
    // The example names only `ota-update`: UN R156 applies in the EU through what it implies.
    let text = std::fs::read_to_string(root().join(EXAMPLE)).expect("example");
    assert!(!text.contains("\"software-update\""), "the example names only ota-update");
    let r = run(avtrace().args(["trace", "--market", "EU", "--format", "json", "--program", EXAMPLE]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    let mandates: Vec<&str> =
        doc["markets"][0]["mandates"].as_array().unwrap().iter().map(|m| m["instrument"].as_str().unwrap()).collect();
    assert!(mandates.contains(&"UN-R156"), "{mandates:?}");
}

#[test]
fn unmodelled_mandates_are_listed_in_json_table_and_check() {
    // The EU's general-safety baseline includes instruments the catalog holds by identity only
    // (UN R10, UN R160, the DDAW act): they are named next to the coverage and never counted.
    let r = run(avtrace().args(["trace", "--program", EXAMPLE, "--market", "EU", "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let unmodelled = json(&r.stdout)["markets"][0]["unmodelled"].clone();
    assert!(unmodelled.as_array().unwrap().iter().any(|i| i == "UN-R10"), "{unmodelled}");
    let r = run(avtrace().args(["trace", "--program", EXAMPLE, "--market", "EU"]));
    assert_has(&r.stdout, "  unmodelled: UN-R10, UN-R160, EU-2021-1341 (mandated, but no");
    assert_has(&r.stdout, "requirement clauses in the catalog:");
    let r = run(avtrace().args(["check", "--program", EXAMPLE]));
    assert_eq!(r.code, 0);
    assert_has(
        &r.stderr,
        "warning[unmodelled-mandate]: EU mandates UN-R10, which has no requirement clauses in the catalog",
    );
    assert_has(&r.stderr, "--> standards/markets/eu.toml:");
}

#[test]
fn features_lists_the_vocabulary() {
    let r = run(avtrace().args(["features"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_has(&r.stdout, "  ota-update  ");
    assert_has(&r.stdout, "      implies software-update");
    let doc = json(&run(avtrace().args(["features", "--format", "json"])).stdout);
    let ota = doc["features"].as_array().unwrap().iter().find(|f| f["id"] == "ota-update").unwrap().clone();
    assert_eq!(ota["with_implied"], serde_json::json!(["ota-update", "software-update"]));
    assert!(doc["categories"].as_array().unwrap().iter().any(|c| c["id"] == "M1"));
}

#[test]
fn no_status_on_the_example_rests_on_a_chain_that_composes_to_nothing() {
    for level in ["mandatory", "expected", "voluntary"] {
        for recs in [false, true] {
            let mut args = vec!["trace", "--program", EXAMPLE, "--format", "json", "--level", level];
            if recs {
                args.push("--recommendations");
            }
            let r = run(avtrace().args(&args));
            assert_eq!(r.code, 0, "{}", r.stderr);
            for m in json(&r.stdout)["markets"].as_array().unwrap() {
                for c in m["clauses"].as_array().unwrap() {
                    let chain = c["chain"].as_array().unwrap();
                    match c["status"].as_str().unwrap() {
                        "via-mapping" => assert!(matches!(fold(chain), Some("equal" | "superset")), "{c}"),
                        "partial" => assert!(matches!(fold(chain), Some("subset" | "intersects")), "{c}"),
                        _ => {}
                    }
                }
            }
        }
    }
}
