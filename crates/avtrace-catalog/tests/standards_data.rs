//! Checks on the built-in catalog's data that the loader does not make: every fact has a
//! source and a confidence, clauses are listed in document order, every UN R155 / R156
//! paragraph number exists in the published text, and UN R155 Annex 5's threat-to-mitigation
//! rows match its tables. The published numbers are read from short lists kept under
//! `tests/fixtures/reference/`, so no check reads outside the repository or skips.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use avtrace_catalog::{Sources, add_builtin, load_catalog};
use avtrace_model::{Catalog, ClauseIx, InstrumentIx, natural_cmp};

fn builtin() -> Catalog {
    let mut sources = Sources::new();
    let files = add_builtin(&mut sources);
    let loaded = load_catalog(&sources, &files);
    let rendered: String = loaded.diagnostics.iter().map(|d| avtrace_catalog::render(&sources, d)).collect();
    assert!(loaded.diagnostics.is_empty(), "the built-in catalog has diagnostics:\n{rendered}");
    loaded.value.expect("no errors")
}

#[test]
fn every_fact_has_a_source_and_a_confidence() {
    let catalog = builtin();
    let mut missing = Vec::new();
    for (i, instrument) in catalog.instruments.iter().enumerate() {
        let name = catalog.instrument_name(InstrumentIx::new(i));
        if instrument.source.trim().is_empty() {
            missing.push(format!("{name}: source"));
        }
        if instrument.confidence.is_none() {
            missing.push(format!("{name}: confidence"));
        }
    }
    for mapping in &catalog.mappings {
        let name = format!("{} -- {}", catalog.instrument_name(mapping.from), catalog.instrument_name(mapping.to));
        if mapping.source.trim().is_empty() {
            missing.push(format!("mapping {name}: source"));
        }
        if mapping.confidence.is_none() && mapping.entries.iter().any(|e| e.confidence.is_none()) {
            missing.push(format!("mapping {name}: confidence"));
        }
    }
    for market in &catalog.markets {
        for mandate in &market.mandates {
            let name = format!("{} mandate of {}", market.id, catalog.instrument_name(mandate.instrument));
            if mandate.source.trim().is_empty() {
                missing.push(format!("{name}: source"));
            }
            if mandate.confidence.is_none() {
                missing.push(format!("{name}: confidence"));
            }
            if mandate.legal_basis.trim().is_empty() {
                missing.push(format!("{name}: legal_basis"));
            }
        }
        for recognition in &market.recognitions {
            if recognition.source.trim().is_empty() || recognition.confidence.is_none() {
                missing.push(format!("{} recognition: source or confidence", market.id));
            }
        }
    }
    for (i, clause) in catalog.clauses.iter().enumerate() {
        if clause.title.trim().is_empty() {
            missing.push(format!("{}: title", catalog.clause_name(ClauseIx::new(i))));
        }
    }
    assert!(missing.is_empty(), "missing facts:\n{}", missing.join("\n"));
}

/// Numbered paragraph ids (`7`, `7.2.2`, `7.2.2.2(a)`): their order is the document's.
fn is_numbered(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_digit())
}

#[test]
fn clauses_are_listed_in_document_order() {
    let catalog = builtin();
    let mut problems = Vec::new();
    for (i, instrument) in catalog.instruments.iter().enumerate() {
        let mut by_position: Vec<ClauseIx> = instrument.clause_indices().collect();
        by_position.sort_by_key(|c| catalog.clause(*c).position);
        let position: HashMap<ClauseIx, u32> = by_position.iter().map(|c| (*c, catalog.clause(*c).position)).collect();
        // A clause comes after the clause it sits under.
        for &c in &by_position {
            if let Some(parent) = catalog.clause(c).parent
                && position[&parent] > position[&c]
            {
                problems.push(format!("{} is listed before its parent", catalog.clause_name(c)));
            }
        }
        // Numbered siblings follow their numbers.
        let mut last_child: HashMap<Option<ClauseIx>, &str> = HashMap::new();
        for &c in &by_position {
            let clause = catalog.clause(c);
            if !is_numbered(&clause.id) {
                continue;
            }
            if let Some(previous) = last_child.insert(clause.parent, &clause.id)
                && natural_cmp(previous, &clause.id).is_gt()
            {
                problems.push(format!(
                    "{}: `{}` is listed after `{previous}`",
                    catalog.instrument_name(InstrumentIx::new(i)),
                    clause.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A fixture under `tests/fixtures/reference/`: the short lists of numbers read from a
/// published text (each file names its source), kept in the repository so that the checks
/// below never depend on files outside it.
fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference").join(name);
    std::fs::read_to_string(&path).expect("fixture is readable")
}

/// The lines of a fixture section (`[name]` up to the next section or the end), comments
/// and blank lines left out; the lines before any section are the section `""`.
fn section<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let mut current = "";
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = header;
        } else if current == name {
            out.push(line);
        }
    }
    out
}

#[test]
fn un_r155_and_r156_paragraphs_exist_in_the_published_text() {
    let catalog = builtin();
    for (id, file) in [("UN-R155", "un-r155-paragraphs.txt"), ("UN-R156", "un-r156-paragraphs.txt")] {
        let text = fixture(file);
        let published = section(&text, "");
        assert!(published.len() > 100, "{file}: only {} paragraphs", published.len());
        let annexes: BTreeSet<&str> = section(&text, "annexes").into_iter().collect();
        let published_set: BTreeSet<&str> = published.iter().copied().collect();
        let instrument = catalog.instrument_by_ref(id).expect("instrument is in the catalog");
        let mut ours: Vec<(u32, &str)> = catalog
            .instrument(instrument)
            .clause_indices()
            .map(|c| (catalog.clause(c).position, catalog.clause(c).id.as_str()))
            .filter(|(_, id)| is_numbered(id))
            .collect();
        ours.sort_unstable();
        let unknown: Vec<&str> = ours.iter().map(|(_, id)| *id).filter(|id| !published_set.contains(id)).collect();
        assert!(unknown.is_empty(), "{id}: paragraph numbers not in {file}: {unknown:?}");
        // And in the same order as the text.
        let rank: HashMap<&str, usize> = published.iter().enumerate().map(|(i, p)| (*p, i)).rev().collect();
        let ranks: Vec<usize> = ours.iter().map(|(_, id)| rank[id]).collect();
        let out_of_order: Vec<&str> =
            ours.windows(2).zip(ranks.windows(2)).filter(|(_, r)| r[0] > r[1]).map(|(w, _)| w[1].1).collect();
        assert!(out_of_order.is_empty(), "{id}: listed out of the text's order: {out_of_order:?}");
        // Annex clauses belong to annexes of the text.
        for c in catalog.instrument(instrument).clause_indices() {
            let clause_id = catalog.clause(c).id.as_str();
            if let Some(rest) = clause_id.strip_prefix("Annex ") {
                let number = rest.split_whitespace().next().unwrap_or_default();
                assert!(annexes.contains(number), "{id}: {clause_id} is not in an annex of {file}");
            }
        }
    }
}

#[test]
fn un_r155_annex_5_rows_match_the_published_tables() {
    let catalog = builtin();
    let text = fixture("un-r155-annex5.txt");
    let threats: BTreeSet<&str> = section(&text, "threats").into_iter().collect();
    let instrument = catalog.instrument_by_ref("UN-R155").expect("UN R155 is in the catalog");
    let clauses: Vec<ClauseIx> = catalog.instrument(instrument).clause_indices().collect();
    // Every Part A threat the catalog lists (its group headings aside) is a threat of Table A1.
    for &c in &clauses {
        if let Some(number) = catalog.clause(c).id.strip_prefix("Annex 5 Part A ")
            && catalog.clause(c).kind.as_str() == "informative"
        {
            assert!(threats.contains(number), "Annex 5 Part A {number} is not a threat of Table A1");
        }
    }
    let mut expected = BTreeSet::new();
    for row in section(&text, "rows") {
        let fields: Vec<&str> = row.split_whitespace().collect();
        let [table, refs, mitigations, cell] = fields[..] else { panic!("malformed fixture row `{row}`") };
        for threat in refs.split('/') {
            assert!(threats.contains(threat) || table == "C3", "row `{row}`: {threat} is not in Table A1");
        }
        let id = format!("Annex 5 Table {table} {refs}");
        let clause = catalog.clause_in(instrument, &id).unwrap_or_else(|| panic!("{id} is missing"));
        let clause = catalog.clause(clause);
        assert_eq!(clause.kind.as_str(), "requirement", "{id}");
        let cited: Vec<String> = clause.refs.iter().map(|r| catalog.clause(*r).id.clone()).collect();
        let wanted: Vec<String> = mitigations.split('+').map(str::to_owned).collect();
        assert_eq!(cited, wanted, "{id}: the mitigations it cites");
        // A mitigation read from a shared cell is a reading of the layout, not of the row.
        let uncertain = clause.confidence.map(|c| c.as_str()) == Some("uncertain");
        assert_eq!(uncertain, cell == "shared", "{id}: confidence must be uncertain exactly for a shared cell");
        expected.insert(id);
    }
    let ours: BTreeSet<String> = clauses
        .iter()
        .map(|c| catalog.clause(*c).id.clone())
        .filter(|id| id.starts_with("Annex 5 Table ") && id.split_whitespace().count() > 4)
        .collect();
    assert_eq!(ours, expected, "the rows of Annex 5 Tables B1-C3");
    assert!(expected.len() >= 42, "at least 42 threat-to-mitigation rows, found {}", expected.len());
}

/// The rows of the table in `standards/README.md` under "What the catalog holds": instrument
/// name, then its cells.
fn readme_rows() -> Vec<Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../standards/README.md");
    let text = std::fs::read_to_string(path).expect("standards/README.md is readable");
    let table = text.split("## What the catalog holds").nth(1).expect("the section exists");
    table
        .lines()
        .take_while(|l| !l.starts_with("### "))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| instrument") && !l.starts_with("| ---"))
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_owned()).collect())
        .collect()
}

#[test]
fn the_readme_counts_are_the_catalogs() {
    let catalog = builtin();
    let rows = readme_rows();
    let mut listed = BTreeSet::new();
    for row in &rows {
        let [name, _edition, _title, clauses, chapters, mix, _file] = &row[..] else {
            panic!("malformed README row {row:?}")
        };
        let ix = catalog.instrument_by_ref(name).unwrap_or_else(|_| panic!("README lists unknown {name}"));
        let instrument = catalog.instrument(ix);
        let own: Vec<ClauseIx> = instrument.clause_indices().collect();
        let (mut verified, mut secondary, mut uncertain) = (0, 0, 0);
        for &c in &own {
            match catalog.clause(c).confidence.or(instrument.confidence).map(|c| c.as_str()) {
                Some("verified") => verified += 1,
                Some("secondary") => secondary += 1,
                _ => uncertain += 1,
            }
        }
        let chapter_level =
            own.iter().filter(|c| catalog.clause(**c).granularity == avtrace_model::Granularity::Chapter).count();
        assert_eq!(clauses, &own.len().to_string(), "{name}: clauses");
        assert_eq!(chapters, &chapter_level.to_string(), "{name}: chapter-level clauses");
        assert_eq!(mix, &format!("{verified} / {secondary} / {uncertain}"), "{name}: confidence mix");
        listed.insert(catalog.instrument_name(ix));
    }
    let all: BTreeSet<String> =
        (0..catalog.instruments.len()).map(|i| catalog.instrument_name(InstrumentIx::new(i))).collect();
    assert_eq!(listed, all, "the README lists every instrument once");
}

#[test]
fn chapter_level_clauses_are_obligations_with_a_reason() {
    // A chapter-level entry stands for paragraphs a reader cannot see, so it must be an
    // obligation (a heading already stands for what is under it) and say why it is coarse.
    let catalog = builtin();
    let mut problems = Vec::new();
    for (i, clause) in catalog.clauses.iter().enumerate() {
        if clause.granularity != avtrace_model::Granularity::Chapter {
            continue;
        }
        let name = catalog.clause_name(ClauseIx::new(i));
        if !clause.kind.is_obligation(true) {
            problems.push(format!("{name}: a {} cannot be chapter-level", clause.kind));
        }
        if clause.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            problems.push(format!("{name}: no note saying what the chapter holds or why it is coarse"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_r157_01_series_carries_the_lane_change_duties_the_sources_number() {
    // What the example's lane-change requirements rely on, and the numbers no source gives.
    let catalog = builtin();
    let r157 = catalog.instrument_by_ref("UN-R157").expect("UN R157 01 series");
    assert_eq!(catalog.instrument(r157).edition, "01 series");
    for id in ["2.30", "7.1", "7.1.1", "7.1.2", "7.1.3", "8.2", "8.3.1", "Annex 4 3.5.2", "Annex 5 7.4"] {
        assert!(catalog.clause_in(r157, id).is_some(), "UN-R157:{id} is missing");
    }
    // "5.2.6" is the lane-change number often quoted, but no source shows it.
    assert!(catalog.clause_in(r157, "5.2.6").is_none(), "UN-R157:5.2.6 has no source");
    for id in ["7", "8", "9", "Annex 4", "Annex 5"] {
        let c = catalog.clause(catalog.clause_in(r157, id).expect("chapter entry"));
        assert_eq!(c.granularity, avtrace_model::Granularity::Chapter, "UN-R157:{id} stands for a chapter");
    }
}

#[test]
fn the_eu_safety_baseline_carries_only_the_numbers_its_texts_show() {
    // Issue 9: UN R79, R152 and the ISA act gained clauses from partial sources. Only the
    // numbers read in the instrument's own text may be `verified`; the rest stay secondary,
    // and R10, R160's requirements and DDAW stay out until a text is read.
    let catalog = builtin();
    let verified: [(&str, &[&str]); 3] = [
        ("UN-R79", &["1", "2"]),
        ("UN-R152", &["5.1.2", "5.4.1.1"]),
        ("EU-2021-1958", &["Annex I", "Annex I 1", "Annex II", "Art. 1", "Art. 2", "Art. 3", "Art. 4"]),
    ];
    for (id, expected) in verified {
        let ix = catalog.instrument_by_ref(id).expect("instrument is in the catalog");
        let instrument = catalog.instrument(ix);
        let mut ours: Vec<&str> = instrument
            .clause_indices()
            .filter(|c| catalog.clause(*c).confidence.or(instrument.confidence).map(|c| c.as_str()) == Some("verified"))
            .map(|c| catalog.clause(c).id.as_str())
            .collect();
        ours.sort_unstable();
        assert_eq!(ours, expected, "{id}: the clauses read in the instrument's own text");
        let obligations = instrument.clause_indices().filter(|c| catalog.clause(*c).kind.is_obligation(false)).count();
        assert!(obligations > 0, "{id}: no requirement clause, so the EU trace would list it as unmodelled");
    }
    // The risk mitigation function came with the 04 series; the 03-series entry must not hold it.
    let r79 = catalog.instrument_by_ref("UN-R79").expect("UN R79");
    assert_eq!(catalog.instrument(r79).edition, "03 series");
    assert!(catalog.clause_in(r79, "5.1.6.3").is_none(), "UN-R79:5.1.6.3 (RMF) is 04-series text");
    for id in ["UN-R10", "EU-2021-1341"] {
        let ix = catalog.instrument_by_ref(id).expect("instrument is in the catalog");
        assert_eq!(catalog.instrument(ix).clause_indices().count(), 0, "{id}: no text was read, so no clause");
    }
    let r160 = catalog.instrument_by_ref("UN-R160").expect("UN R160");
    let r160_obligations =
        catalog.instrument(r160).clause_indices().filter(|c| catalog.clause(*c).kind.is_obligation(false)).count();
    assert_eq!(r160_obligations, 0, "UN-R160: its requirement paragraphs were never read in a text");
    // A machine-made summary of a document is not the document: no clause of the baseline
    // rests on one alone. (UN R157's 01-series entries that cite one keep their 00-series
    // numbers or a reference's cross-reference beside it; the README says so.)
    let baseline = ["UN-R79", "UN-R152", "UN-R160", "EU-2021-1958"].map(|id| catalog.instrument_by_ref(id).ok());
    for clause in catalog.clauses.iter().filter(|c| baseline.contains(&Some(c.instrument))) {
        let source = clause.source.as_deref().unwrap_or_default();
        assert!(
            !source.starts_with("LLM-made"),
            "{}:{} is numbered from a summary only",
            catalog.instrument(clause.instrument).id,
            clause.id
        );
    }
}

/// A mandate that names parts of an instrument rests each part on what was read of it: a part
/// holds an obligation (else naming it adds nothing), and where the mandate is more than
/// `uncertain`, the clause records the application it read. The US passenger-car mandates
/// keep the FMVSS whose Application paragraph was not read under a mandate of their own,
/// marked uncertain.
#[test]
fn mandates_on_parts_name_parts_whose_application_was_read() {
    use avtrace_model::Confidence;
    let catalog = builtin();
    let mut wrong = Vec::new();
    let mut parts_seen = 0;
    for market in &catalog.markets {
        for mandate in market.mandates.iter().filter(|m| !m.clauses.is_empty()) {
            for &part in &mandate.clauses {
                parts_seen += 1;
                let name = format!("{} mandate of {}", market.id, catalog.clause_name(part));
                let holds_obligation = catalog.mandated_clauses(mandate).any(|c| {
                    (c == part || catalog.clause(c).parent == Some(part)) && catalog.clause(c).kind.is_obligation(true)
                });
                if !holds_obligation {
                    wrong.push(format!("{name}: the part holds no obligation"));
                }
                let clause = catalog.clause(part);
                let read = clause.note.as_deref().is_some_and(|n| n.contains("Application as read"));
                if mandate.confidence != Some(Confidence::Uncertain) && !read {
                    wrong.push(format!(
                        "{name}: the mandate is not uncertain, but the clause records no application read"
                    ));
                }
            }
        }
    }
    assert!(parts_seen >= 33, "the US passenger-car mandates name their FMVSS ({parts_seen} parts seen)");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
