//! The shipped example program on the built-in catalog, as the README runs it.

mod common;

use std::collections::BTreeSet;

use common::{EXAMPLE as PROGRAM, avtrace_with};
use serde_json::Value;

const CROSSWALK: &str = "examples/l3-highway-pilot/oem-crosswalk";

fn avtrace(args: &[&str]) -> (i32, String, String) {
    let r = avtrace_with(args);
    (r.code, r.stdout, r.stderr)
}

fn trace_json(extra: &[&str]) -> Value {
    let mut args = vec!["trace", "--program", PROGRAM, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = avtrace(&args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "the example loads without warnings");
    serde_json::from_str(&stdout).expect("stdout is only JSON")
}

#[test]
fn the_example_and_the_catalog_check_with_only_the_unmodelled_mandates_to_say() {
    let (code, stdout, stderr) = avtrace(&["check", "--program", PROGRAM]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Only the mandates on instruments the catalog has no clauses for yet (each one named in
    // `standards/README.md` as a known gap), and nothing else.
    let unmodelled = stderr.matches("warning[unmodelled-mandate]").count();
    assert!(unmodelled > 0, "{stderr}");
    assert_eq!(stderr.matches("warning[").count(), unmodelled, "{stderr}");
    assert!(stdout.contains(&format!("ok: 0 errors, {unmodelled} warnings")), "{stdout}{stderr}");
}

#[test]
fn the_json_contract_holds_for_every_market() {
    let doc = trace_json(&[]);
    assert_eq!(doc["program"], "L3 motorway chauffeur");
    let markets = doc["markets"].as_array().unwrap();
    let ids: Vec<&str> = markets.iter().map(|m| m["market"].as_str().unwrap()).collect();
    assert_eq!(ids, ["EU", "UK", "JP", "CN", "KR", "SG", "US"], "program order");
    for m in markets {
        let count = |k: &str| m[k].as_u64().unwrap_or_else(|| panic!("{k} is a count"));
        let clauses = m["clauses"].as_array().unwrap();
        assert_eq!(count("obligations") as usize, clauses.len());
        assert_eq!(
            count("obligations"),
            count("covered") + count("via_mapping") + count("partial") + count("uncovered")
        );
        let by_status = |s: &str| clauses.iter().filter(|c| c["status"] == s).count() as u64;
        assert_eq!(count("covered"), by_status("covered"));
        assert_eq!(count("via_mapping"), by_status("via-mapping"));
        assert_eq!(count("partial"), by_status("partial"));
        assert_eq!(count("uncovered"), by_status("uncovered"));
        let expected = if count("obligations") == 0 {
            1.0
        } else {
            (count("covered") + count("via_mapping")) as f64 / count("obligations") as f64
        };
        assert!((m["coverage"].as_f64().unwrap() - expected).abs() < 0.00005, "coverage of {}", m["market"]);
        for c in clauses {
            for key in ["clause", "status", "requirements", "via", "because"] {
                assert!(!c[key].is_null(), "{key} missing in {c}");
            }
            let status = c["status"].as_str().unwrap();
            let reqs = c["requirements"].as_array().unwrap();
            let via = c["via"].as_array().unwrap();
            let chain = c["chain"].as_array().unwrap();
            assert_eq!(via.len(), chain.len(), "one clause of `via` per step of `chain`");
            for (clause, step) in via.iter().zip(chain) {
                assert_eq!(clause, &step["from"]);
            }
            if let Some(last) = chain.last() {
                assert_eq!(last["to"], c["clause"], "the chain ends at the obligation");
            }
            match status {
                "covered" => assert!(!reqs.is_empty() && via.is_empty()),
                "via-mapping" | "partial" => assert!(!reqs.is_empty() && !via.is_empty()),
                "uncovered" => assert!(reqs.is_empty() && via.is_empty()),
                other => panic!("unknown status {other}"),
            }
            assert!(!c["because"].as_array().unwrap().is_empty());
        }
    }
}

#[test]
fn the_example_shows_every_status() {
    let statuses = |doc: &Value| -> BTreeSet<String> {
        doc["markets"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["clauses"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap().to_owned()))
            .collect()
    };
    let plain = statuses(&trace_json(&[]));
    assert!(["covered", "partial", "uncovered"].iter().all(|s| plain.contains(*s)), "{plain:?}");
    let with_crosswalk = statuses(&trace_json(&["--standards-extra", CROSSWALK]));
    assert_eq!(with_crosswalk.len(), 4, "{with_crosswalk:?}");
}

#[test]
fn the_crosswalk_turns_partial_reuse_into_coverage() {
    let cn = |doc: &Value| doc["markets"].as_array().unwrap().iter().find(|m| m["market"] == "CN").unwrap().clone();
    let before = cn(&trace_json(&[]));
    let after = cn(&trace_json(&["--standards-extra", CROSSWALK]));
    assert!(after["coverage"].as_f64() > before["coverage"].as_f64());
    let clause = after["clauses"].as_array().unwrap().iter().find(|c| c["clause"] == "GB-44495:5").unwrap().clone();
    assert_eq!(clause["status"], "via-mapping");
    assert_eq!(clause["via"], serde_json::json!(["UN-R155:7.2.2.2"]));
    // The OEM found GB 44495 chapter 5 a subset of R155 7.2.2.2: read from the satisfied R155
    // clause, a superset, which is enough for coverage.
    assert_eq!(clause["chain"][0]["rel"], "superset");
    assert!(clause["chain"][0]["source"].as_str().unwrap().contains("Example OEM"));
}

#[test]
fn the_table_fits_100_columns_and_points_at_the_gaps() {
    let (code, stdout, _) = avtrace(&["trace", "--program", PROGRAM]);
    assert_eq!(code, 0);
    assert!(stdout.lines().all(|l| l.chars().count() <= 100), "{stdout}");
    assert!(stdout.contains("Next: avtrace gaps --program examples/l3-highway-pilot/program.toml --market"));
    let (code, stdout, _) = avtrace(&["gaps", "--program", PROGRAM, "--market", "CN"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("GB-44497"), "{stdout}");
}

#[test]
fn a_chapter_level_obligation_says_so_in_json_and_gaps() {
    let doc = trace_json(&["--market", "EU"]);
    let clauses = doc["markets"][0]["clauses"].as_array().unwrap();
    let find = |id: &str| clauses.iter().find(|c| c["clause"] == id).unwrap_or_else(|| panic!("{id}")).clone();
    assert_eq!(find("UN-R157:7")["granularity"], "chapter");
    assert!(find("UN-R157:7.1.3").get("granularity").is_none(), "one paragraph carries no field");
    let (code, stdout, _) = avtrace(&["gaps", "--program", PROGRAM, "--market", "KR"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("KR-KMVSS:Annex 27           [chapter] "), "{stdout}");
    let (code, stdout, _) = avtrace(&["show", "UN-R157:8"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("requirement (chapter-level: stands for paragraphs not listed)"), "{stdout}");
}

#[test]
fn the_us_mandates_impose_the_passenger_car_fmvss_by_name() {
    // Of the 75 standards in 49 CFR 571, the example's M1 car in the US answers to the 32 its
    // mandates name for passenger cars (FMVSS 127 starts after its SOP), plus the SGO.
    let doc = trace_json(&["--market", "US"]);
    let us = &doc["markets"][0];
    assert_eq!(us["obligations"], 33);
    let parts: Vec<usize> = us["mandates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["instrument"] == "US-49-CFR-571")
        .map(|m| m["clauses"].as_array().expect("the parts are listed").len())
        .collect();
    assert_eq!(parts, [21, 11]);
    let obliged: BTreeSet<&str> =
        us["clauses"].as_array().unwrap().iter().filter_map(|c| c["clause"].as_str()).collect();
    assert!(obliged.contains("US-49-CFR-571:571.208"));
    for not_for_cars in ["US-49-CFR-571:571.121", "US-49-CFR-571:571.222", "US-49-CFR-571:571.127"] {
        assert!(!obliged.contains(not_for_cars), "{not_for_cars} is not an obligation of this car");
    }
    let (code, table, _) = avtrace(&["markets"]);
    assert_eq!(code, 0);
    assert!(table.contains(" M1 21 parts ") && table.contains(" M1 1 part "), "{table}");
}
