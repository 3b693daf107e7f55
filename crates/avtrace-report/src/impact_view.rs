//! `impact`: what a change to one clause touches, as a table or JSON.

use std::fmt::Write as _;

use avtrace_trace::Impact;
use serde::Serialize;

use crate::TraceView;
use crate::text::left;

#[derive(Serialize)]
struct ImpactDoc<'a> {
    clause: String,
    title: &'a str,
    kind: &'static str,
    satisfied_by: Vec<&'a str>,
    obliged_in: Vec<Obliged<'a>>,
    carried: Vec<Carried<'a>>,
    brings_in: Vec<Brought<'a>>,
    requirements: Vec<&'a str>,
}

#[derive(Serialize)]
struct Obliged<'a> {
    market: &'a str,
    because: Vec<String>,
}

#[derive(Serialize)]
struct Carried<'a> {
    market: &'a str,
    clause: String,
    status: &'static str,
}

#[derive(Serialize)]
struct Brought<'a> {
    market: &'a str,
    clause: String,
}

fn doc<'a>(view: &TraceView<'a>, impact: &Impact) -> ImpactDoc<'a> {
    let catalog = view.catalog;
    let market = |m: usize| catalog.market(view.trace.markets[m].market);
    let ids = |list: &[avtrace_model::ReqIx]| -> Vec<&'a str> {
        list.iter().map(|r| view.program.requirements[r.index()].id()).collect()
    };
    let clause = catalog.clause(impact.clause);
    ImpactDoc {
        clause: catalog.clause_name(impact.clause),
        title: &clause.title,
        kind: clause.kind.as_str(),
        satisfied_by: ids(&impact.satisfied_by),
        obliged_in: impact
            .obliged_in
            .iter()
            .map(|(m, reasons)| Obliged { market: &market(*m).id, because: view.because(market(*m), reasons) })
            .collect(),
        carried: impact
            .carried
            .iter()
            .map(|(m, c, status)| Carried {
                market: &market(*m).id,
                clause: catalog.clause_name(*c),
                status: status.as_str(),
            })
            .collect(),
        brings_in: impact
            .brings_in
            .iter()
            .map(|(m, c)| Brought { market: &market(*m).id, clause: catalog.clause_name(*c) })
            .collect(),
        requirements: ids(&impact.requirements),
    }
}

/// `impact --format json`.
pub fn impact_json(view: &TraceView<'_>, impact: &Impact) -> String {
    let mut out =
        serde_json::to_string_pretty(&doc(view, impact)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

/// `impact`: the clause, where it is an obligation, what is linked to it and what is
/// covered or obliged through it.
pub fn impact_table(view: &TraceView<'_>, impact: &Impact) -> String {
    let d = doc(view, impact);
    let mut out = String::new();
    let _ = writeln!(out, "{}  {} ({})", d.clause, d.title, d.kind);
    let none = |list_empty: bool| if list_empty { "  none" } else { "" };
    let _ = writeln!(out, "\nobligation in:{}", none(d.obliged_in.is_empty()));
    for o in &d.obliged_in {
        let _ = writeln!(out, "  {}  because {}", left(o.market, 4), &o.because.join("; "));
    }
    let _ = writeln!(out, "\nsatisfied directly by:{}", none(d.satisfied_by.is_empty()));
    if !d.satisfied_by.is_empty() {
        let _ = writeln!(out, "  {}", d.satisfied_by.join(", "));
    }
    let _ = writeln!(out, "\nobligations covered through it by mappings:{}", none(d.carried.is_empty()));
    for c in &d.carried {
        let _ = writeln!(out, "  {}  {}  {}", left(c.market, 4), left(&c.clause, 30), c.status);
    }
    let _ = writeln!(out, "\nobligations it brings in by citing them:{}", none(d.brings_in.is_empty()));
    for b in &d.brings_in {
        let _ = writeln!(out, "  {}  {}", left(b.market, 4), b.clause);
    }
    let _ = writeln!(out, "\nrequirements to review if it changes:{}", none(d.requirements.is_empty()));
    if !d.requirements.is_empty() {
        let _ = writeln!(out, "  {}", d.requirements.join(", "));
    }
    out
}
