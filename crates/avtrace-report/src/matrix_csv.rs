//! The matrix as CSV (RFC 4180): one row per requirement, clause and market, one row with
//! an empty requirement for each obligation no requirement reaches, and one row with status
//! `unmodelled` and an empty clause for each mandated instrument the catalog has no
//! requirement clauses for (so that nothing a market mandates is missing without a word).

use std::borrow::Cow;

use crate::TraceView;
use crate::error::ReportError;
use crate::matrix::{MatrixDoc, build};

/// The header row; `matrix --format csv` consumers key on these names.
const HEADER: [&str; 11] = [
    "market",
    "clause",
    "instrument",
    "clause_title",
    "status",
    "requirement",
    "requirement_title",
    "requirement_verified_by",
    "via",
    "via_sources",
    "because",
];

/// A cell as a spreadsheet may safely open it: text that a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`,
/// which spreadsheets read as "this is text" (OWASP's CSV injection advice).
pub(crate) fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn rows(doc: &MatrixDoc<'_>) -> Vec<[String; 11]> {
    let mut out = Vec::new();
    let by_id = doc.requirements_by_id();
    for market in &doc.markets {
        for clause in &doc.clauses {
            let Some(obliged) = clause.in_market(market.market) else { continue };
            let because = obliged.because.join("; ");
            let via = clause.chain_text();
            let sources = clause.chain_sources();
            let row = |req: &str, title: &str, verified_by: String| {
                [
                    market.market.to_owned(),
                    clause.clause.clone(),
                    clause.instrument.clone(),
                    clause.title.to_owned(),
                    clause.status.to_owned(),
                    req.to_owned(),
                    title.to_owned(),
                    verified_by,
                    via.clone(),
                    sources.clone(),
                    because.clone(),
                ]
            };
            if clause.requirements.is_empty() {
                out.push(row("", "", String::new()));
            }
            for id in &clause.requirements {
                let (title, verified_by) = by_id
                    .get(id)
                    .map_or((String::new(), String::new()), |r| (r.title.to_owned(), r.verified_by.join("; ")));
                out.push(row(id, &title, verified_by));
            }
        }
        for instrument in &market.unmodelled {
            out.push([
                market.market.to_owned(),
                String::new(),
                instrument.clone(),
                String::new(),
                "unmodelled".to_owned(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("mandate {instrument}: no requirement clauses in the catalog, not counted"),
            ]);
        }
    }
    out
}

/// The `matrix --format csv` document.
pub fn matrix_csv(view: &TraceView<'_>) -> Result<Vec<u8>, ReportError> {
    let doc = build(view);
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| ReportError::new("csv", e);
    writer.write_record(HEADER).map_err(fail)?;
    for row in rows(&doc) {
        writer.write_record(row.iter().map(|c| defuse(c).into_owned())).map_err(fail)?;
    }
    writer.into_inner().map_err(|e| ReportError::new("csv", e.into_error()))
}
