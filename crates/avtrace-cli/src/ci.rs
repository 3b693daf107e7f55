//! What CI reads: SARIF annotations for `check` and `gaps`, and the regression gate of
//! `diff`.

use std::path::Path;

use avtrace_catalog::{Diagnostic, Severity, Sources};
use avtrace_report::{SarifLocation, SarifResult, TraceView};
use avtrace_trace::{ProgramDiff, Status};

use crate::provenance::relative_path;

/// `check --format sarif`: one result per diagnostic, on its file's line.
pub(crate) fn check_sarif(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let results: Vec<SarifResult> = diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            for note in &d.notes {
                message.push_str("\nnote: ");
                message.push_str(note);
            }
            SarifResult {
                rule: d.code.to_string(),
                level: if d.severity == Severity::Error { "error" } else { "warning" },
                message,
                location: d.span.map(|span| {
                    let at = sources.locate(span);
                    SarifLocation { path: relative_path(Path::new(at.path)), line: at.line, column: at.column }
                }),
            }
        })
        .collect();
    avtrace_report::sarif_log(&results)
}

/// A gap before its place in the program is resolved: a requirement's span, or the
/// program's `markets` line.
pub(crate) struct Gap {
    result: SarifResult,
    requirement: Option<avtrace_model::Span>,
}

/// The gaps of every traced market: uncovered ones (a warning on the program's `markets`
/// line, where the market is named) and partial ones (a note on the requirement whose
/// mapping chain must be reviewed).
pub(crate) fn gaps(view: &TraceView<'_>) -> Vec<Gap> {
    let mut out = Vec::new();
    for mt in &view.trace.markets {
        let market = view.catalog.market(mt.market);
        for (o, coverage) in mt.gaps(view.trace) {
            let clause = view.catalog.clause(o.clause);
            let name = view.catalog.clause_name(o.clause);
            let because = view.because(market, &o.because).join("; ");
            let (rule, level, message) = if coverage.status == Status::Partial {
                let ids = view.requirement_ids(&coverage.requirements).join(", ");
                (
                    "partial-obligation",
                    "note",
                    format!(
                        "{}: {name} ({}) is only partly covered: {ids} reach it through a mapping chain that \
                         composes to subset or intersects; review it (because {because})",
                        market.id, clause.title
                    ),
                )
            } else {
                (
                    "uncovered-obligation",
                    "warning",
                    format!("{}: no requirement covers {name} ({}) (because {because})", market.id, clause.title),
                )
            };
            let requirement = coverage.requirements.first().map(|r| view.program.requirements[r.index()].span);
            out.push(Gap {
                result: SarifResult { rule: rule.to_owned(), level, message, location: None },
                requirement: if coverage.status == Status::Partial { requirement } else { None },
            });
        }
    }
    out
}

/// The line of `markets` in the program's main file (1 when it cannot be found), where
/// uncovered obligations are annotated.
fn markets_line(program: &Path) -> usize {
    let text = std::fs::read_to_string(program).unwrap_or_default();
    text.lines().position(|l| l.trim_start().starts_with("markets")).map_or(1, |i| i + 1)
}

/// `gaps --format sarif`.
pub(crate) fn gaps_sarif(sources: &Sources, program: &Path, gaps: Vec<Gap>) -> String {
    let main = SarifLocation { path: relative_path(program), line: markets_line(program), column: 1 };
    let results: Vec<SarifResult> = gaps
        .into_iter()
        .map(|g| {
            let location = match g.requirement {
                Some(span) => {
                    let at = sources.locate(span);
                    SarifLocation { path: relative_path(Path::new(at.path)), line: at.line, column: at.column }
                }
                None => main.clone(),
            };
            SarifResult { location: Some(location), ..g.result }
        })
        .collect();
    avtrace_report::sarif_log(&results)
}

/// How good a status is, best first, for the regression gate.
fn rank(status: Status) -> u8 {
    match status {
        Status::Covered => 0,
        Status::ViaMapping => 1,
        Status::Partial => 2,
        Status::Uncovered => 3,
    }
}

/// The regressions of a program diff, one line each: a market whose coverage dropped, an
/// obligation whose status got worse or that became one uncovered.
pub(crate) fn regressions(diff: &ProgramDiff) -> Vec<String> {
    let mut out = Vec::new();
    for m in &diff.markets {
        if let (Some(before), Some(after)) = (m.coverage_before, m.coverage_after)
            && after < before
        {
            out.push(format!("{}: coverage {:.1}% -> {:.1}%", m.market, before * 100.0, after * 100.0));
        }
        for (clause, before, after) in &m.statuses {
            let worse = match (before, after) {
                (Some(b), Some(a)) => rank(*a) > rank(*b),
                // A new obligation nothing covers is a new gap.
                (None, Some(a)) => *a == Status::Uncovered,
                _ => false,
            };
            if worse {
                let name = |s: &Option<Status>| s.map_or("not an obligation", |s| s.as_str());
                out.push(format!("{}: {clause} {} -> {}", m.market, name(before), name(after)));
            }
        }
    }
    out
}
