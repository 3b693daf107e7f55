//! Export then import gives the program back: ids, titles, texts, statuses, evidence and
//! links, whatever the text holds.

use avtrace_catalog::{CatalogFile, Sources, load_catalog, role_of};
use avtrace_graph::ClauseGraph;
use avtrace_model::{Catalog, ClauseIx, Date, MarketIx, Program, ProgramMarket, Requirement};
use avtrace_reqif::{Field, ImportOptions, import_reader, normalize_text};
use avtrace_trace::{MarketTarget, TraceOptions, trace};
use proptest::prelude::*;

use crate::{ExportNames, program_from_reqif, reqif_export};

fn catalog() -> Catalog {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mini-catalog");
    let mut sources = Sources::new();
    let files = avtrace_catalog::add_catalog_dir(&mut sources, &root).expect("fixture catalog is readable");
    let _ = (role_of, CatalogFile::clone);
    load_catalog(&sources, &files).value.expect("fixture catalog is valid")
}

fn export_import(catalog: &Catalog, program: &Program) -> crate::ImportOutcome {
    let graph = ClauseGraph::new(catalog);
    let targets: Vec<MarketTarget> =
        program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
    let computed = trace(catalog, &graph, program, &targets, TraceOptions::default());
    let document = reqif_export(catalog, &graph, program, &computed, "2027-01-01T00:00:00Z");
    let (bytes, _) = document.write_to(Vec::new()).expect("export succeeds");
    let options = ImportOptions::new().map_attribute(ExportNames::VERIFIED_BY, Field::VerifiedBy);
    let doc = import_reader(std::io::Cursor::new(bytes), "roundtrip.reqif", &options).expect("import succeeds");
    program_from_reqif(doc, catalog, "fallback")
}

fn requirement(
    id: &str,
    title: &str,
    text: &str,
    status: &str,
    satisfies: Vec<ClauseIx>,
    evidence: &[&str],
) -> Requirement {
    Requirement {
        id: id.to_owned(),
        title: title.to_owned(),
        text: text.to_owned(),
        status: avtrace_model::RequirementStatus::parse(status).unwrap_or_default(),
        satisfies,
        verified_by: evidence.iter().map(|e| (*e).to_owned()).collect(),
        ..Requirement::default()
    }
}

fn program_of(catalog: &Catalog, requirements: Vec<Requirement>) -> Program {
    Program {
        name: "Round trip".into(),
        markets: vec![ProgramMarket { market: MarketIx(0), sop: "2025-01-01".parse::<Date>().expect("date") }],
        requirements,
        categories: vec!["M1".into()],
        features: vec!["ota-update".into()],
        description: None,
        ..Program::default()
    }
    .tap(|p| assert_eq!(catalog.market(p.markets[0].market).id, "TM"))
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&Self)) -> Self {
        f(&self);
        self
    }
}
impl<T> Tap for T {}

#[test]
fn the_example_kinds_of_content_survive() {
    let catalog = catalog();
    let clause = |r: &str| catalog.clause_by_ref(r).expect("fixture clause");
    let program = program_of(
        &catalog,
        vec![
            requirement(
                "R-1",
                "Title <b>&amp;</b> \"quoted\"",
                "Line one\nline <two> & 'three'",
                "approved",
                vec![clause("TEST-REG:5.1"), clause("TEST-STD:8")],
                &["TC-1", "AUDIT-2"],
            ),
            requirement("R-2", "Unlinked", "", "draft", Vec::new(), &[]),
        ],
    );
    let outcome = export_import(&catalog, &program);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert_eq!(outcome.program.program.name, "Round trip");
    let back = &outcome.program.requirements;
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].id, "R-1");
    assert_eq!(back[0].title, "Title <b>&amp;</b> \"quoted\"");
    assert_eq!(back[0].text, "Line one\nline <two> & 'three'");
    assert_eq!(back[0].status.as_deref(), Some("approved"));
    assert_eq!(back[0].satisfies, ["TEST-REG:5.1", "TEST-STD:8"]);
    assert_eq!(back[0].verified_by, ["TC-1", "AUDIT-2"]);
    assert!(back[1].satisfies.is_empty() && back[1].verified_by.is_empty());
    assert!(outcome.clauses > 0, "clauses travel as spec objects and are set aside again");
}

fn ids() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set("[A-Za-z0-9][A-Za-z0-9._-]{0,10}", 1..8).prop_map(|s| s.into_iter().collect())
}

/// Text with markup characters, quotes, unicode and line breaks (no characters XML forbids).
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("<".to_owned()),
            Just("&".to_owned()),
            Just("\"".to_owned()),
            Just("'".to_owned()),
            Just("]]>".to_owned()),
            Just("\n".to_owned()),
            Just(" ".to_owned()),
            "[a-zA-Z0-9]{1,6}",
            "[\u{00e0}-\u{00ff}\u{4e00}-\u{4e20}\u{1f600}-\u{1f610}]{1,3}",
        ],
        0..20,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tool_status_words_map_to_live_or_dead_statuses(word in "[A-Za-z _-]{0,12}") {
        // Whatever a tool writes maps to a word of the vocabulary or to nothing (reported).
        if let Some(status) = crate::status_of(&word) {
            prop_assert!(avtrace_model::RequirementStatus::WORDS.contains(&status.as_str()));
        }
    }

    #[test]
    fn random_programs_survive_export_and_import(
        ids in ids(),
        texts in prop::collection::vec((text(), text()), 8),
        links in prop::collection::vec(prop::collection::vec(0usize..10, 0..4), 8),
        statuses in prop::collection::vec(prop_oneof![Just("draft"), Just("approved"), Just("rejected"), Just("obsolete")], 8),
        evidence in prop::collection::vec(prop::collection::vec("[A-Z]{2}-[0-9]{1,4}", 0..3), 8),
    ) {
        let catalog = catalog();
        let requirements: Vec<Requirement> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let mut sat: Vec<ClauseIx> = links[i].iter().map(|&c| ClauseIx::new(c % catalog.clauses.len())).collect();
                sat.dedup();
                let sat = sat.into_iter().fold(Vec::new(), |mut v, c| { if !v.contains(&c) { v.push(c) } v });
                let ev: Vec<&str> = evidence[i].iter().map(String::as_str).collect();
                // Titles are ReqIF strings: whitespace survives; keep them on one line as tools show them.
                let title = texts[i].0.replace('\n', " ");
                requirement(id, &title, &texts[i].1, statuses[i], sat, &ev)
            })
            .collect();
        let program = program_of(&catalog, requirements);
        let outcome = export_import(&catalog, &program);
        prop_assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
        prop_assert_eq!(outcome.program.requirements.len(), program.requirements.len());
        for (before, after) in program.requirements.iter().zip(&outcome.program.requirements) {
            prop_assert_eq!(&after.id, &before.id);
            prop_assert_eq!(&after.title, before.title.trim());
            prop_assert_eq!(&after.text, &normalize_text(&before.text));
            prop_assert_eq!(after.status.as_deref(), Some(before.status.as_str()));
            let names: Vec<String> = before.satisfies.iter().map(|&c| catalog.clause_name(c)).collect();
            prop_assert_eq!(&after.satisfies, &names);
            prop_assert_eq!(&after.verified_by, &before.verified_by);
        }
    }
}

#[test]
fn tool_status_words_keep_their_meaning() {
    use avtrace_model::RequirementStatus as S;
    for (word, want) in [
        ("Draft", Some(S::Draft)),
        ("In Review", Some(S::Proposed)),
        ("Accepted", Some(S::Approved)),
        ("released", Some(S::Approved)),
        ("Implemented", Some(S::Implemented)),
        ("Rejected", Some(S::Rejected)),
        ("Deprecated", Some(S::Obsolete)),
        ("banana", None),
    ] {
        assert_eq!(crate::status_of(word), want, "{word}");
    }
}
