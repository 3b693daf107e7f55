//! The report for a technical service or approval authority: formal wording, every
//! obligation of every traced market with the requirements that meet it, their evidence
//! and verification state, and a sign-off block. No analyst notes (mapping rationale and
//! sources), no commands, no script: the page is static HTML that prints as it shows.

use askama::Template;

use crate::error::ReportError;
use crate::html::{coverage_text, provenance_lines};
use crate::matrix::{CountsDoc, MatrixClause, MatrixDoc, build};
use crate::text::plural;
use crate::{ReportOptions, TraceView};

/// The page's Content-Security-Policy: nothing loads and no script runs at all.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/// The stylesheet, shared with the engineer's report (statuses, print rules).
const STYLE: &str = include_str!("../../../templates/report.css");

/// A status in the words an approval file uses.
fn formal_status(status: &str) -> &'static str {
    match status {
        "covered" => "Met",
        "via-mapping" => "Met by equivalence",
        "partial" => "Partly met, under assessment",
        _ => "Not met",
    }
}

/// A verification state in the words an approval file uses.
fn formal_verification(state: &str) -> &'static str {
    match state {
        "passed" => "Verified (passed)",
        "failed" => "Verification failed",
        "claimed" => "Evidence named, result not recorded",
        _ => "No evidence",
    }
}

/// A requirement behind an obligation.
struct RequirementLine<'a> {
    id: &'a str,
    title: &'a str,
    verification: &'static str,
    state: &'a str,
}

/// An evidence record behind an obligation.
struct EvidenceLine {
    id: String,
    what: String,
    result: String,
}

/// One obligation of a market.
struct ObligationRow<'a> {
    clause: &'a str,
    title: &'a str,
    status: &'a str,
    status_text: &'static str,
    /// For an obligation met by equivalence or partly: the clauses the equivalence runs
    /// through, without the analyst's sources and rationale.
    equivalence: String,
    requirements: Vec<RequirementLine<'a>>,
    evidence: Vec<EvidenceLine>,
    verified: &'static str,
}

/// One market's section.
struct MarketSection<'a> {
    market: &'a str,
    name: &'a str,
    sop: &'a str,
    obligations: usize,
    met: usize,
    coverage: String,
    unmodelled: String,
    rows: Vec<ObligationRow<'a>>,
}

/// One market in the summary.
struct SummaryLine<'a> {
    market: &'a str,
    name: &'a str,
    sop: &'a str,
    counts: &'a CountsDoc,
    coverage: String,
    unmodelled: String,
}

#[derive(Template)]
#[template(path = "authority.html")]
struct AuthorityPage<'a> {
    title: String,
    csp: &'static str,
    style: AssetText,
    generator: String,
    generated: String,
    provenance: Vec<(&'static str, String)>,
    scope: String,
    summary: Vec<SummaryLine<'a>>,
    markets: Vec<MarketSection<'a>>,
    not_counted: Vec<String>,
}

impl askama::filters::HtmlSafe for AssetText {}

/// Our own stylesheet, inserted unescaped; it never holds data.
struct AssetText(&'static str);

impl std::fmt::Display for AssetText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

fn obligation_row<'a>(view: &TraceView<'a>, doc: &'a MatrixDoc<'a>, c: &'a MatrixClause<'a>) -> ObligationRow<'a> {
    let by_id = doc.requirements_by_id();
    let requirements: Vec<RequirementLine<'a>> = c
        .requirements
        .iter()
        .map(|id| {
            let r = by_id.get(id);
            let state = r.map_or("none", |r| r.verification);
            RequirementLine { id, title: r.map_or("", |r| r.title), verification: formal_verification(state), state }
        })
        .collect();
    let mut evidence: Vec<EvidenceLine> = Vec::new();
    for id in c.requirements.iter().filter_map(|id| by_id.get(id)).flat_map(|r| r.verified_by.iter()) {
        if evidence.iter().any(|e| *e.id == **id) {
            continue;
        }
        let line = match view.program.evidence_by_id(id) {
            Some(e) => EvidenceLine {
                id: e.id.clone(),
                what: if e.title.is_empty() { e.kind.to_string() } else { format!("{}: {}", e.kind, e.title) },
                result: e.result.map_or_else(|| "result not recorded".to_owned(), |r| r.to_string()),
            },
            None => EvidenceLine {
                id: id.to_string(),
                what: "named by the requirement, no record in the program".to_owned(),
                result: "result not recorded".to_owned(),
            },
        };
        evidence.push(line);
    }
    let equivalence = match c.via.first() {
        Some(first) => {
            let mut path = vec![first.from.as_str()];
            path.extend(c.via.iter().map(|s| s.to.as_str()));
            path.join(" \u{2192} ")
        }
        None => String::new(),
    };
    ObligationRow {
        clause: &c.clause,
        title: c.title,
        status: c.status,
        status_text: formal_status(c.status),
        equivalence,
        requirements,
        evidence,
        verified: if c.requirements.is_empty() {
            "\u{2014}"
        } else if c.verified {
            "Verified"
        } else {
            "Not verified"
        },
    }
}

/// The authority report of `view`.
pub(crate) fn authority_html(view: &TraceView<'_>, options: &ReportOptions) -> Result<String, ReportError> {
    let doc = build(view);
    let summary = doc
        .markets
        .iter()
        .map(|m| SummaryLine {
            market: m.market,
            name: m.name,
            sop: &m.sop,
            counts: &m.counts,
            coverage: coverage_text(&m.counts),
            unmodelled: m.unmodelled.join(", "),
        })
        .collect();
    let markets = doc
        .markets
        .iter()
        .map(|m| MarketSection {
            market: m.market,
            name: m.name,
            sop: &m.sop,
            obligations: m.counts.obligations,
            met: m.counts.covered + m.counts.via_mapping,
            coverage: coverage_text(&m.counts),
            unmodelled: m.unmodelled.join(", "),
            rows: doc
                .clauses
                .iter()
                .filter(|c| c.in_market(m.market).is_some())
                .map(|c| obligation_row(view, &doc, c))
                .collect(),
        })
        .collect();
    let page = AuthorityPage {
        title: format!("Regulatory traceability report: {}", doc.program),
        csp: CSP,
        style: AssetText(STYLE),
        generator: format!("avtrace {}", crate::AVTRACE_VERSION),
        generated: if options.provenance.generated.is_empty() {
            "(date not recorded)".to_owned()
        } else {
            options.provenance.generated.clone()
        },
        provenance: provenance_lines(&doc, options),
        scope: format!(
            "This report covers {} and {} at the {} level{}. Requirements count from status {} onwards; \
             rejected and obsolete requirements are not counted.",
            plural(doc.requirements.len(), "program requirement"),
            plural(doc.markets.len(), "target market"),
            doc.level,
            if doc.recommendations { ", recommendations included" } else { "" },
            doc.min_status
        ),
        summary,
        markets,
        not_counted: doc.unmodelled_notes(),
    };
    page.render().map_err(|e| ReportError::new("html", e))
}
