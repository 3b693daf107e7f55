//! Checks on the built-in catalog's data that the loader does not make: every fact has a
//! source and a confidence, clauses are listed in document order, and every UN R155 / R156
//! paragraph number exists in the published text.

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

/// The paragraph numbers of a plain-text copy of a UN Regulation, in document order: main
/// text headers (`===== 7 [...]`), numbered paragraphs (`7.2.2.2.`) and lettered items
/// (`(a)` on its own line, under the last paragraph), up to the first annex.
fn paragraphs_of(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut last = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("===== Annex") {
            break;
        }
        if let Some(rest) = line.strip_prefix("===== ") {
            last = rest.split_whitespace().next().unwrap_or_default().to_owned();
            found.push(last.clone());
        } else if let Some(number) = line.strip_suffix('.')
            && !number.is_empty()
            && number.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            last = number.to_owned();
            found.push(last.clone());
        } else if line.len() <= 6 && line.starts_with('(') && line.ends_with(')') && !last.is_empty() {
            let base = last.split('(').next().unwrap_or_default().to_owned();
            found.push(format!("{base}{line}"));
        }
    }
    found
}

fn sources_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/sources");
    dir.is_dir().then_some(dir)
}

#[test]
fn un_r155_and_r156_paragraphs_exist_in_the_published_text() {
    let Some(dir) = sources_dir() else {
        eprintln!("skipped: ../shared/reference/sources/ is absent, so paragraph numbers cannot be checked");
        return;
    };
    let catalog = builtin();
    for (id, file) in
        [("UN-R155", "UN_R155_original_EURLex_42021X0387.txt"), ("UN-R156", "UN_R156_original_EURLex_42021X0388.txt")]
    {
        let text = std::fs::read_to_string(dir.join(file)).expect("source copy is readable");
        let published = paragraphs_of(&text);
        assert!(published.len() > 100, "{file}: parsed only {} paragraphs", published.len());
        let published_set: BTreeSet<&str> = published.iter().map(String::as_str).collect();
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
        let rank: HashMap<&str, usize> = published.iter().enumerate().map(|(i, p)| (p.as_str(), i)).rev().collect();
        let ranks: Vec<usize> = ours.iter().map(|(_, id)| rank[id]).collect();
        let out_of_order: Vec<&str> =
            ours.windows(2).zip(ranks.windows(2)).filter(|(_, r)| r[0] > r[1]).map(|(w, _)| w[1].1).collect();
        assert!(out_of_order.is_empty(), "{id}: listed out of the text's order: {out_of_order:?}");
        // Annex headings exist as annexes of the text.
        for (_, annex) in catalog
            .instrument(instrument)
            .clause_indices()
            .map(|c| (c, catalog.clause(c).id.as_str()))
            .filter(|(_, id)| id.starts_with("Annex "))
        {
            let number = annex.split_whitespace().nth(1).unwrap_or_default();
            assert!(text.contains(&format!("===== Annex {number} [")), "{id}: {annex} is not an annex of {file}");
        }
    }
}

#[test]
fn the_paragraph_parser_reads_numbers_and_items() {
    let text =
        "===== 7 [Specifications]\n7.1.\nText\n7.2.2.2.\nIntro:\n(a)\nFirst;\n(b)\nSecond.\n===== Annex 1 [x]\n1.1.\n";
    assert_eq!(paragraphs_of(text), ["7", "7.1", "7.2.2.2", "7.2.2.2(a)", "7.2.2.2(b)"]);
}
