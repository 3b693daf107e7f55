//! Terminal tables for `trace` and `gaps`, readable at 100 columns.

use std::fmt::Write as _;

use avtrace_model::Granularity;
use avtrace_trace::{Counts, MarketTrace, Status};

use crate::TraceView;
use crate::text::{left, percent, plural, right, shell_quote};

const COUNT_HEADERS: [&str; 6] = ["obligations", "covered", "via map", "partial", "uncovered", "coverage"];

fn count_cells(counts: &Counts) -> String {
    let cells = [
        counts.obligations.to_string(),
        counts.covered.to_string(),
        counts.via_mapping.to_string(),
        counts.partial.to_string(),
        counts.uncovered.to_string(),
        // Nothing obliged is not "100% covered": say so rather than print a number.
        if counts.obligations == 0 { "n/a".to_owned() } else { percent(counts.coverage()) },
    ];
    cells.iter().zip(COUNT_HEADERS).map(|(c, h)| right(c, h.len().max(8))).collect::<Vec<_>>().join("  ")
}

fn count_headers() -> String {
    COUNT_HEADERS.iter().map(|h| right(h, h.len().max(8))).collect::<Vec<_>>().join("  ")
}

fn market_heading(view: &TraceView<'_>, mt: &MarketTrace) -> String {
    let market = view.catalog.market(mt.market);
    format!(
        "{} ({}), SOP {}: {} {}",
        market.id,
        market.name,
        mt.sop,
        plural(mt.mandates.len(), "mandate"),
        if mt.mandates.len() == 1 { "applies" } else { "apply" },
    )
}

/// The `trace` table: a summary line per market, then per market the tallies per
/// instrument, then what to run next.
pub fn trace_table(view: &TraceView<'_>) -> String {
    let trace = view.trace;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{}: {}, {}, {} mandates{}\n{}{}",
        view.program.name,
        view.program.revision.as_deref().map(|r| format!(" (revision {r})")).unwrap_or_default(),
        plural(view.program.requirements.len(), "requirement"),
        plural(trace.markets.len(), "market"),
        trace.options.level,
        if trace.options.include_recommendations { ", recommendations included" } else { "" },
        verification_line(view),
        status_note(view),
    );
    let _ = writeln!(out, "{}  {}  {}  {}", left("market", 6), left("SOP", 10), count_headers(), right("verified", 8));
    for mt in &trace.markets {
        let market = view.catalog.market(mt.market);
        let _ = writeln!(
            out,
            "{}  {}  {}  {}",
            left(&market.id, 6),
            mt.sop,
            count_cells(&mt.counts),
            right(&mt.counts.verified.to_string(), 8)
        );
    }
    for mt in &trace.markets {
        let _ = writeln!(out, "\n{}", market_heading(view, mt));
        out.push_str(&unmodelled_line(view, mt));
        if mt.mandates.is_empty() {
            let _ = writeln!(
                out,
                "  no mandate applies at this level: check the SOP, vehicle categories and features,\n  \
                 or widen with --level expected"
            );
            continue;
        }
        let _ = writeln!(out, "  {}  {}", left("instrument", 16), count_headers());
        for (instrument, counts) in mt.counts_by_instrument(view.catalog, trace) {
            let _ =
                writeln!(out, "  {}  {}", left(view.catalog.instrument_label(instrument), 16), count_cells(&counts));
        }
        out.push_str(&chapter_line(view, mt));
    }
    out.push('\n');
    out.push_str(&next_steps(view));
    out
}

/// The obligations that stand for a whole chapter, which a reader must not take for one
/// paragraph each; empty when there are none.
fn chapter_line(view: &TraceView<'_>, mt: &MarketTrace) -> String {
    let names: Vec<String> = mt
        .obligations
        .iter()
        .filter(|o| view.catalog.clause(o.clause).granularity == Granularity::Chapter)
        .map(|o| view.catalog.clause_name(o.clause))
        .collect();
    if names.is_empty() {
        return String::new();
    }
    let text = format!(
        "chapter-level: {} of {} {} for a whole chapter, so one \"covered\" may hide many paragraphs: {}",
        names.len(),
        plural(mt.obligations.len(), "obligation"),
        if names.len() == 1 { "stands" } else { "stand" },
        names.join(", ")
    );
    indented_lines(&text)
}

/// `text` as lines of at most 100 columns, broken between words, the first indented by two
/// spaces and the rest by four, so that a long list of names reads whole in a terminal.
fn indented_lines(text: &str) -> String {
    let mut out = String::from("  ");
    let mut column = 2;
    let mut line_empty = true;
    for word in text.split(' ') {
        let width = word.chars().count();
        if !line_empty && column + 1 + width > 100 {
            out.push_str("\n    ");
            column = 4;
            line_empty = true;
        }
        if !line_empty {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += width;
        line_empty = false;
    }
    out.push('\n');
    out
}

/// `Verification: 12 passed, 1 failed, 20 claimed, 18 none (of 51 live requirements).`
pub(crate) fn verification_line(view: &TraceView<'_>) -> String {
    use avtrace_model::Verification;
    let order = [Verification::Passed, Verification::Failed, Verification::Claimed, Verification::None];
    let mut counts = [0usize; 4];
    let live: Vec<usize> =
        (0..view.program.requirements.len()).filter(|&i| view.program.requirements[i].status.is_live()).collect();
    if live.is_empty() {
        return String::new();
    }
    for &i in &live {
        let v = view.verification(avtrace_model::ReqIx::new(i));
        if let Some(k) = order.iter().position(|x| *x == v) {
            counts[k] += 1;
        }
    }
    let parts: Vec<String> = order.iter().zip(counts).map(|(v, n)| format!("{n} {v}")).collect();
    format!("Verification: {} (of {} live requirements).\n", parts.join(", "), live.len())
}

/// A chain line under a gap, `label` first, broken before a step where it would pass 100
/// columns, so that a long chain is read whole in a terminal and in a pipe alike.
fn wrapped_chain(label: &str, chain: &str) -> String {
    const INDENT: usize = 13;
    const WIDTH: usize = 100;
    let mut out = format!("{}{label}", " ".repeat(INDENT));
    let mut column = out.chars().count();
    for (i, piece) in chain.split_inclusive(' ').enumerate() {
        // Break only before an arrow, so each line holds whole steps.
        let len = piece.chars().count();
        if i > 0 && piece.starts_with('-') && column + len > WIDTH {
            out.truncate(out.trim_end().len());
            out.push('\n');
            out.push_str(&" ".repeat(INDENT + 4));
            column = INDENT + 4;
        }
        out.push_str(piece);
        column += len;
    }
    out.push('\n');
    out
}

/// `Requirements not counted: 6 below approved, 1 rejected or obsolete.`: the requirements the
/// counts leave out because of their status.
fn status_note(view: &TraceView<'_>) -> String {
    let min = view.trace.options.min_status;
    let dead = view.program.requirements.iter().filter(|r| !r.status.is_live()).count();
    let immature = view.program.requirements.iter().filter(|r| r.status.is_live() && !r.status.counts_at(min)).count();
    let mut parts = Vec::new();
    if immature > 0 {
        parts.push(format!("{immature} below {min}"));
    }
    if dead > 0 {
        parts.push(format!("{dead} rejected or obsolete"));
    }
    if parts.is_empty() { String::new() } else { format!("Requirements not counted: {}.\n", parts.join(", ")) }
}

/// The line under a market that names its mandated instruments without requirement
/// clauses, whose obligations no count above includes; empty when there are none.
fn unmodelled_line(view: &TraceView<'_>, mt: &MarketTrace) -> String {
    let names = view.unmodelled(mt);
    if names.is_empty() {
        return String::new();
    }
    indented_lines(&format!(
        "unmodelled: {} (mandated, but no requirement clauses in the catalog: not counted)",
        names.join(", ")
    ))
}

fn next_steps(view: &TraceView<'_>) -> String {
    let mut out = String::new();
    let with_gaps: Vec<&MarketTrace> =
        view.trace.markets.iter().filter(|mt| mt.counts.uncovered + mt.counts.partial > 0).collect();
    if with_gaps.is_empty() {
        let unverified: usize = view.trace.markets.iter().map(|mt| mt.counts.unverified()).sum();
        let _ = writeln!(out, "Every obligation is covered.");
        if unverified > 0 {
            let _ = writeln!(
                out,
                "{} covered through requirements that have no `verified_by` evidence yet.",
                if unverified == 1 { "1 obligation is".to_owned() } else { format!("{unverified} obligations are") }
            );
        }
        return out;
    }
    let _ = writeln!(out, "Gaps:");
    for mt in &with_gaps {
        let market = view.catalog.market(mt.market);
        let _ = writeln!(
            out,
            "  {}: {} uncovered, {} partial (to review)",
            market.id, mt.counts.uncovered, mt.counts.partial
        );
    }
    let worst = with_gaps
        .iter()
        .max_by_key(|mt| (mt.counts.uncovered, mt.counts.partial, std::cmp::Reverse(mt.market)))
        .map(|mt| view.catalog.market(mt.market).id.as_str())
        .unwrap_or_default();
    let _ = writeln!(out, "Next: avtrace gaps --program {} --market {worst}", shell_quote(view.program_path));
    out
}

/// A clause's title, marked when the clause stands for a whole chapter.
fn chapter_title(clause: &avtrace_model::Clause) -> String {
    match clause.granularity {
        Granularity::Chapter => format!("[chapter] {}", clause.title),
        Granularity::Paragraph => clause.title.clone(),
    }
}

/// The `gaps` table: per market, every uncovered then partial obligation, with why it
/// applies and, for partial ones, the chain to review.
pub fn gaps_table(view: &TraceView<'_>) -> String {
    let catalog = view.catalog;
    let mut out = verification_line(view);
    if !out.is_empty() {
        out.push('\n');
    }
    let mut first_gap: Option<String> = None;
    for mt in &view.trace.markets {
        let market = catalog.market(mt.market);
        let c = &mt.counts;
        let _ = writeln!(
            out,
            "{}\n  {} uncovered and {} partial of {} obligations; coverage {}\n",
            market_heading(view, mt),
            c.uncovered,
            c.partial,
            c.obligations,
            percent(c.coverage())
        );
        let unmodelled = unmodelled_line(view, mt);
        if !unmodelled.is_empty() {
            let _ = writeln!(out, "{unmodelled}");
        }
        for (o, coverage) in mt.gaps(view.trace) {
            let clause = catalog.clause(o.clause);
            let name = catalog.clause_name(o.clause);
            first_gap.get_or_insert_with(|| name.clone());
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                left(coverage.status.as_str(), 9),
                left(&name, 26),
                chapter_title(clause)
            );
            if coverage.status == Status::Partial
                && let Some(chain) = &coverage.chain
            {
                let reqs: Vec<&str> =
                    coverage.requirements.iter().map(|r| view.program.requirements[r.index()].id()).collect();
                let mut line = format!("{} satisfies {}", reqs.join(", "), catalog.clause_name(chain.start()));
                for step in &chain.steps {
                    let _ = write!(line, " -{}-> {}", step.rel, catalog.clause_name(step.to));
                }
                out.push_str(&wrapped_chain("review: ", &line));
            }
            for hint in &coverage.related {
                let mut line = format!(
                    "{} satisfies {}",
                    view.requirement_ids(&hint.requirements).join(", "),
                    catalog.clause_name(hint.chain.start())
                );
                for step in &hint.chain.steps {
                    let _ = write!(line, " -{}-> {}", step.rel, catalog.clause_name(step.to));
                }
                out.push_str(&wrapped_chain("related, proves nothing: ", &line));
            }
            let because = view.because(market, &o.because);
            let _ = writeln!(out, "  {}  because {}", " ".repeat(9), &because.join("; "));
        }
        if c.uncovered + c.partial == 0 {
            let _ = writeln!(out, "  no gaps");
        }
        // Covered on paper, refuted by a test: the evidence gap an assessor finds first.
        for o in &mt.obligations {
            let Some(coverage) = view.trace.coverage(o.clause) else { continue };
            if !coverage.status.counts_as_covered() {
                continue;
            }
            let failed: Vec<&str> = coverage
                .requirements
                .iter()
                .filter(|r| view.verification(**r) == avtrace_model::Verification::Failed)
                .map(|r| view.program.requirements[r.index()].id())
                .collect();
            if failed.is_empty() {
                continue;
            }
            let clause = catalog.clause(o.clause);
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                left("failed", 9),
                left(&catalog.clause_name(o.clause), 26),
                &clause.title
            );
            let _ = writeln!(
                out,
                "  {}  {} but the verification of {} failed",
                " ".repeat(9),
                coverage.status,
                failed.join(", ")
            );
        }
        out.push('\n');
    }
    if let Some(name) = first_gap {
        let _ = writeln!(out, "Next: avtrace show {} (a clause, its source and its mappings)", shell_quote(&name));
    }
    out
}
