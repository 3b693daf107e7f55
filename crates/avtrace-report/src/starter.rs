//! `avtrace init`: a commented starter program that passes `avtrace check`.

use std::fmt::Write as _;

use avtrace_model::{Catalog, Date, Level};

/// What `init` was asked for.
#[derive(Debug, Clone)]
pub struct StarterRequest {
    /// The program's name.
    pub name: String,
    /// Markets with their SOP.
    pub markets: Vec<(String, Date)>,
    /// Vehicle categories.
    pub categories: Vec<String>,
    /// Features.
    pub features: Vec<String>,
}

/// Quotes a string as a TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// `line` and its comment, the comments of a block lined up.
fn commented(line: &str, comment: &str) -> String {
    format!("{line:<38}# {comment}")
}

fn list(words: &[String]) -> String {
    words.iter().map(|w| quoted(w)).collect::<Vec<_>>().join(", ")
}

/// The starter program's text: every key of the format with a comment saying what it is,
/// two requirements (one refining the other) linked to a real obligation of the first
/// market, and one evidence record. The caller checks it with the loader before writing.
pub fn starter_program(catalog: &Catalog, request: &StarterRequest) -> String {
    let features = catalog.vocabulary.feature_closure(&request.features);
    // A clause the program must answer in its first market: the first requirement clause
    // of the first modelled instrument mandated there, so that the link counts at once.
    let clause = request.markets.first().and_then(|(id, sop)| {
        let market = catalog.market(catalog.market_by_id(id)?);
        market
            .mandates
            .iter()
            .filter(|m| m.applies(&request.categories, &features, *sop, Level::Mandatory))
            .flat_map(|m| catalog.mandated_clauses(m))
            .find(|&c| catalog.clause(c).kind.is_obligation(false))
    });
    let mut out = String::new();
    let _ = writeln!(out, "# An avtrace program. Check it with `avtrace check --program FILE`, trace it with");
    let _ = writeln!(out, "# `avtrace trace --program FILE`. The format: docs/program-format.md in the avtrace");
    let _ = writeln!(out, "# repository, or `avtrace schema` (a JSON Schema) for an editor.");
    let _ = writeln!(out);
    let _ = writeln!(out, "[program]");
    let _ = writeln!(out, "name = {}", quoted(&request.name));
    let _ = writeln!(out, "{}", commented("revision = \"A\"", "optional: the baseline, shown on every report"));
    let _ = writeln!(out, "# Vehicle categories and features decide which mandates apply; `avtrace features` lists");
    let _ = writeln!(out, "# the words (a feature brings what it implies: ota-update implies software-update).");
    let _ = writeln!(out, "categories = [{}]", list(&request.categories));
    let _ = writeln!(out, "features = [{}]", list(&request.features));
    let _ = writeln!(out, "# Target markets (`avtrace markets`) with the start of production in each.");
    let _ = writeln!(out, "markets = [");
    for (id, sop) in &request.markets {
        let _ = writeln!(out, "    {{ id = {}, sop = \"{sop}\" }},", quoted(id));
    }
    let _ = writeln!(out, "]");
    let _ = writeln!(out, "# More [[requirements]] and [[evidence]] may live in other files, by glob:");
    let _ = writeln!(out, "# include = [\"requirements/*.toml\"]");
    let _ = writeln!(out);
    let _ = writeln!(out, "[[requirements]]");
    let _ = writeln!(out, "{}", commented("id = \"SYS-001\"", "unique across every file of the program"));
    let _ = writeln!(out, "title = \"First system requirement\"");
    let _ = writeln!(out, "text = \"What the system shall do, in a sentence or two.\"");
    let _ = writeln!(
        out,
        "{}",
        commented("status = \"draft\"", "draft | proposed | approved | implemented | rejected | obsolete")
    );
    match clause {
        Some(c) => {
            let name = catalog.clause_name(c);
            let _ = writeln!(out, "# Clauses it answers: INSTRUMENT:CLAUSE (`avtrace show {name}` shows this one).");
            let _ = writeln!(out, "satisfies = [{}]", quoted(&name));
        }
        None => {
            let _ = writeln!(out, "# Clauses it answers: INSTRUMENT:CLAUSE (`avtrace gaps --program FILE` lists");
            let _ = writeln!(out, "# what the markets oblige).");
            let _ = writeln!(out, "satisfies = []");
        }
    }
    let _ = writeln!(out, "{}", commented("verified_by = [\"TC-001\"]", "evidence ids (see [[evidence]] below)"));
    let _ = writeln!(
        out,
        "{}",
        commented("attrs = { owner = \"systems team\" }", "free attributes: matrix columns, ReqIF")
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "[[requirements]]");
    let _ = writeln!(out, "id = \"SW-001\"");
    let _ = writeln!(out, "{}", commented("parent = \"SYS-001\"", "the requirement this one refines"));
    let _ = writeln!(out, "title = \"First software requirement\"");
    let _ = writeln!(out, "status = \"draft\"");
    let _ = writeln!(out, "# links = [{{ kind = \"depends-on\", to = \"SW-002\" }}]   # other typed links");
    let _ = writeln!(out);
    let _ = writeln!(out, "[[evidence]]");
    let _ = writeln!(out, "id = \"TC-001\"");
    let _ = writeln!(out, "{}", commented("kind = \"test\"", "test | analysis | review | inspection | demonstration"));
    let _ = writeln!(out, "title = \"First test\"");
    let _ = writeln!(
        out,
        "{}",
        commented("result = \"not-run\"", "passed | failed | not-run; `--results junit.xml` sets it")
    );
    out
}
