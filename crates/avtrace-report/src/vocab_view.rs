//! The catalog's feature and vehicle-category words (`avtrace features`), and the
//! diagnostics `check` gives for requirements that count for nothing.

use std::fmt::Write as _;

use avtrace_catalog::Diagnostic;
use avtrace_model::{Catalog, Program, Term};
use avtrace_trace::{ClauseReason, Exclusion, Unreached};
use serde::Serialize;

#[derive(Serialize)]
struct TermDoc<'a> {
    id: &'a str,
    meaning: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    implies: &'a [String],
    /// Every word a program with this one has, implied ones included (features only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    with_implied: Vec<String>,
    /// `MARKET INSTRUMENT` of every mandate that names the word.
    mandates: Vec<String>,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<&'static str>,
}

#[derive(Serialize)]
struct VocabularyDoc<'a> {
    features: Vec<TermDoc<'a>>,
    categories: Vec<TermDoc<'a>>,
}

fn term_doc<'a>(catalog: &'a Catalog, term: &'a Term, feature: bool) -> TermDoc<'a> {
    {
        let mut mandates = Vec::new();
        for market in &catalog.markets {
            for m in &market.mandates {
                let words = if feature { &m.features } else { &m.categories };
                if words.contains(&term.id) {
                    mandates.push(format!("{} {}", market.id, catalog.instrument_label(m.instrument)));
                }
            }
        }
        let with_implied = if feature && !term.implies.is_empty() {
            catalog.vocabulary.feature_closure(std::slice::from_ref(&term.id))
        } else {
            Vec::new()
        };
        TermDoc {
            id: &term.id,
            meaning: &term.meaning,
            implies: &term.implies,
            with_implied,
            mandates,
            source: &term.source,
            confidence: term.confidence.map(|c| c.as_str()),
        }
    }
}

fn vocabulary_doc(catalog: &Catalog) -> VocabularyDoc<'_> {
    VocabularyDoc {
        features: catalog.vocabulary.features.iter().map(|t| term_doc(catalog, t, true)).collect(),
        categories: catalog.vocabulary.categories.iter().map(|t| term_doc(catalog, t, false)).collect(),
    }
}

/// `features --format json`: the declared feature and category words, what each implies
/// and which mandates name it.
pub fn features_json(catalog: &Catalog) -> String {
    let mut out = serde_json::to_string_pretty(&vocabulary_doc(catalog)).unwrap_or_default();
    out.push('\n');
    out
}

/// `features`: the declared feature and category words for people.
pub fn features_table(catalog: &Catalog) -> String {
    let doc = vocabulary_doc(catalog);
    let mut out = String::new();
    let section = |out: &mut String, title: &str, terms: &[TermDoc<'_>]| {
        let _ = writeln!(out, "{title}");
        if terms.is_empty() {
            let _ = writeln!(out, "  (none declared: any word is accepted)");
        }
        for t in terms {
            let _ = writeln!(out, "  {}  {}", t.id, t.meaning);
            if !t.implies.is_empty() {
                let _ = writeln!(out, "      implies {}", t.implies.join(", "));
            }
            if t.mandates.is_empty() {
                let _ = writeln!(out, "      named by no mandate");
            } else {
                let _ = writeln!(out, "      named by {}", t.mandates.join(", "));
            }
        }
        out.push('\n');
    };
    section(&mut out, "Features (a program has every feature its features imply)", &doc.features);
    section(&mut out, "Vehicle categories (a mandate's `M` matches a program's `M1`)", &doc.categories);
    out
}

/// One warning per requirement that counts (by status) but reaches no obligation of any
/// market the program targets, at its definition, with why for each clause it satisfies.
pub fn unreached_diagnostics(catalog: &Catalog, program: &Program, unreached: &[Unreached]) -> Vec<Diagnostic> {
    let markets: Vec<&str> = program.markets.iter().map(|m| catalog.market(m.market).id.as_str()).collect();
    let markets = if markets.is_empty() { "none".to_owned() } else { markets.join(", ") };
    unreached
        .iter()
        .map(|u| {
            let r = &program.requirements[u.requirement.index()];
            let mut d = Diagnostic::warning(
                "unreached-requirement",
                Some(r.span),
                format!("requirement `{}` reaches no obligation in any target market ({markets})", r.id()),
            );
            if u.clauses.is_empty() {
                d = d.with_note("it satisfies no clause");
            }
            for (clause, reason) in &u.clauses {
                let name = catalog.clause_name(*clause);
                let note = match reason {
                    ClauseReason::NeverObliged(kind) => format!("{name} is a {kind}, never an obligation"),
                    ClauseReason::NotMandated => format!(
                        "{name}: {} is mandated in none of these markets, and no mapping chain from it proves anything about an obligation",
                        catalog.instrument_name(catalog.clause(*clause).instrument)
                    ),
                    ClauseReason::Excluded(list) => {
                        let why: Vec<String> = list
                            .iter()
                            .map(|(market, m, exclusion)| {
                                let market = catalog.market(*market);
                                let mandate = &market.mandates[*m];
                                let what = format!("{} {}", market.id, catalog.instrument_label(mandate.instrument));
                                match exclusion {
                                    Exclusion::Level(level) => format!("{what} is {level} only"),
                                    Exclusion::NotYet { from, sop } => {
                                        format!("{what} applies from {from}, after the SOP {sop}")
                                    }
                                    Exclusion::Categories(c) => {
                                        format!("{what} applies to categories {} only", c.join(", "))
                                    }
                                    Exclusion::Features(f) => {
                                        format!("{what} applies only with feature {}", f.join(" and "))
                                    }
                                }
                            })
                            .collect();
                        format!("{name}: the program's features, categories or dates exclude it: {}", why.join("; "))
                    }
                };
                d = d.with_note(note);
            }
            d
        })
        .collect()
}
