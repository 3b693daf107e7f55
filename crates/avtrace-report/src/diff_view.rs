//! `diff`: what changed between two programs or two catalogs, as a table or JSON.

use std::fmt::Write as _;

use avtrace_trace::{CatalogDiff, ProgramDiff, Status};
use serde::Serialize;

use crate::text::{left, percent};

#[derive(Serialize)]
struct RequirementDoc<'a> {
    id: &'a str,
    fields: &'a [&'static str],
    linked: &'a [String],
    unlinked: &'a [String],
    evidence_added: &'a [String],
    evidence_removed: &'a [String],
}

#[derive(Serialize)]
struct MarketDoc<'a> {
    market: &'a str,
    coverage_before: Option<f64>,
    coverage_after: Option<f64>,
    statuses: Vec<StatusDoc<'a>>,
}

#[derive(Serialize)]
struct StatusDoc<'a> {
    clause: &'a str,
    before: Option<&'static str>,
    after: Option<&'static str>,
}

#[derive(Serialize)]
struct ProgramDiffDoc<'a> {
    program_fields: &'a [&'static str],
    added: &'a [String],
    removed: &'a [String],
    changed: Vec<RequirementDoc<'a>>,
    markets: Vec<MarketDoc<'a>>,
}

fn rounded(x: Option<f64>) -> Option<f64> {
    x.map(|x| (x * 10_000.0).round() / 10_000.0)
}

fn to_json<T: Serialize>(value: &T) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

/// `diff OLD.toml NEW.toml --format json`.
pub fn program_diff_json(diff: &ProgramDiff) -> String {
    to_json(&ProgramDiffDoc {
        program_fields: &diff.program_fields,
        added: &diff.added,
        removed: &diff.removed,
        changed: diff
            .changed
            .iter()
            .map(|c| RequirementDoc {
                id: &c.id,
                fields: &c.fields,
                linked: &c.linked,
                unlinked: &c.unlinked,
                evidence_added: &c.evidence_added,
                evidence_removed: &c.evidence_removed,
            })
            .collect(),
        markets: diff
            .markets
            .iter()
            .map(|m| MarketDoc {
                market: &m.market,
                coverage_before: rounded(m.coverage_before),
                coverage_after: rounded(m.coverage_after),
                statuses: m
                    .statuses
                    .iter()
                    .map(|(c, b, a)| StatusDoc {
                        clause: c,
                        before: b.map(Status::as_str),
                        after: a.map(Status::as_str),
                    })
                    .collect(),
            })
            .collect(),
    })
}

fn coverage_text(x: Option<f64>) -> String {
    x.map_or_else(|| "not traced".to_owned(), percent)
}

/// `diff OLD.toml NEW.toml`: requirements added, removed and changed, then per market the
/// coverage before and after and every obligation whose status moved.
pub fn program_diff_table(diff: &ProgramDiff) -> String {
    if diff.is_empty() {
        return "No change.\n".to_owned();
    }
    let mut out = String::new();
    if !diff.program_fields.is_empty() {
        let _ = writeln!(out, "program: {} changed", diff.program_fields.join(", "));
    }
    for id in &diff.added {
        let _ = writeln!(out, "+ {id}");
    }
    for id in &diff.removed {
        let _ = writeln!(out, "- {id}");
    }
    for c in &diff.changed {
        let mut what: Vec<String> = c.fields.iter().map(|f| (*f).to_owned()).collect();
        what.extend(c.linked.iter().map(|l| format!("+{l}")));
        what.extend(c.unlinked.iter().map(|l| format!("-{l}")));
        what.extend(c.evidence_added.iter().map(|e| format!("+evidence {e}")));
        what.extend(c.evidence_removed.iter().map(|e| format!("-evidence {e}")));
        let _ = writeln!(out, "~ {}: {}", c.id, what.join(", "));
    }
    // Markets where nothing moved are left out: the diff is for what changed.
    for m in diff.markets.iter().filter(|m| !m.statuses.is_empty() || m.coverage_before != m.coverage_after) {
        let _ = writeln!(
            out,
            "\n{}: coverage {} -> {}",
            m.market,
            coverage_text(m.coverage_before),
            coverage_text(m.coverage_after)
        );
        for (clause, before, after) in &m.statuses {
            let name = |s: &Option<Status>| s.map_or("not obliged", Status::as_str);
            let _ = writeln!(out, "  {}  {} -> {}", left(clause, 30), name(before), name(after));
        }
    }
    out
}

/// `diff OLD-DIR NEW-DIR --format json`.
pub fn catalog_diff_json(diff: &CatalogDiff) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        instruments_added: &'a [String],
        instruments_removed: &'a [String],
        clauses_added: &'a [String],
        clauses_removed: &'a [String],
        clauses_changed: Vec<Changed<'a>>,
        mappings_added: &'a [String],
        mappings_removed: &'a [String],
        mandates_added: &'a [String],
        mandates_removed: &'a [String],
    }
    #[derive(Serialize)]
    struct Changed<'a> {
        clause: &'a str,
        what: &'a [&'static str],
    }
    to_json(&Doc {
        instruments_added: &diff.instruments_added,
        instruments_removed: &diff.instruments_removed,
        clauses_added: &diff.clauses_added,
        clauses_removed: &diff.clauses_removed,
        clauses_changed: diff.clauses_changed.iter().map(|(c, w)| Changed { clause: c, what: w }).collect(),
        mappings_added: &diff.mappings_added,
        mappings_removed: &diff.mappings_removed,
        mandates_added: &diff.mandates_added,
        mandates_removed: &diff.mandates_removed,
    })
}

/// `diff OLD-DIR NEW-DIR`: one line per change, `+` added, `-` removed, `~` changed.
pub fn catalog_diff_table(diff: &CatalogDiff) -> String {
    if diff.is_empty() {
        return "No change.\n".to_owned();
    }
    let mut out = String::new();
    let mut section = |title: &str, sign: char, items: &[String]| {
        if !items.is_empty() {
            let _ = writeln!(out, "{title}:");
            for item in items {
                let _ = writeln!(out, "  {sign} {item}");
            }
        }
    };
    section("instruments added", '+', &diff.instruments_added);
    section("instruments removed", '-', &diff.instruments_removed);
    section("clauses added", '+', &diff.clauses_added);
    section("clauses removed", '-', &diff.clauses_removed);
    let changed: Vec<String> = diff.clauses_changed.iter().map(|(c, w)| format!("{c} ({})", w.join(", "))).collect();
    section("clauses changed", '~', &changed);
    section("mapping statements added", '+', &diff.mappings_added);
    section("mapping statements removed", '-', &diff.mappings_removed);
    section("mandates added", '+', &diff.mandates_added);
    section("mandates removed", '-', &diff.mandates_removed);
    out
}
