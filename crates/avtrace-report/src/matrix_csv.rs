//! The matrix as CSV (RFC 4180): one row per requirement, clause and market, one row with
//! an empty requirement for each obligation no requirement reaches, and one row with status
//! `unmodelled` and an empty clause for each mandated instrument the catalog has no
//! requirement clauses for (so that nothing a market mandates is missing without a word).

use std::borrow::Cow;

use crate::TraceView;
use crate::error::ReportError;
use crate::matrix::{MatrixDoc, RequirementDoc, build};

/// The header row; `matrix --format csv` consumers key on these names. One column per
/// attribute key follows them, named `attr:KEY`.
const HEADER: [&str; 14] = [
    "market",
    "clause",
    "instrument",
    "clause_title",
    "status",
    "requirement",
    "requirement_title",
    "requirement_verified_by",
    "requirement_parent",
    "requirement_verification",
    "requirement_status",
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

fn rows(doc: &MatrixDoc<'_>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let by_id = doc.requirements_by_id();
    for market in &doc.markets {
        for clause in &doc.clauses {
            let Some(obliged) = clause.in_market(market.market) else { continue };
            let because = obliged.because.join("; ");
            let via = clause.chain_text();
            let sources = clause.chain_sources();
            let row = |req: Option<&RequirementDoc<'_>>, id: &str| {
                let mut cells = vec![
                    market.market.to_owned(),
                    clause.clause.to_string(),
                    clause.instrument.clone(),
                    clause.title.to_owned(),
                    clause.status.to_owned(),
                    id.to_owned(),
                    req.map(|r| r.title.to_owned()).unwrap_or_default(),
                    req.map(|r| r.verified_by.join("; ")).unwrap_or_default(),
                    req.and_then(|r| r.parent).unwrap_or_default().to_owned(),
                    req.map(|r| r.verification.to_owned()).unwrap_or_default(),
                    req.map(|r| r.status.to_owned()).unwrap_or_default(),
                    via.clone(),
                    sources.clone(),
                    because.clone(),
                ];
                cells.extend(
                    doc.attribute_keys.iter().map(|k| req.and_then(|r| r.attrs.get(k)).unwrap_or("").to_owned()),
                );
                cells
            };
            if clause.requirements.is_empty() {
                out.push(row(None, ""));
            }
            for id in &clause.requirements {
                out.push(row(by_id.get(id).copied(), id));
            }
        }
        for instrument in &market.unmodelled {
            let mut cells = vec![String::new(); HEADER.len() + doc.attribute_keys.len()];
            cells[0] = market.market.to_owned();
            cells[2] = instrument.clone();
            cells[4] = "unmodelled".to_owned();
            cells[HEADER.len() - 1] =
                format!("mandate {instrument}: no requirement clauses in the catalog, not counted");
            out.push(cells);
        }
    }
    out
}

/// The `matrix --format csv` document.
pub fn matrix_csv(view: &TraceView<'_>) -> Result<Vec<u8>, ReportError> {
    let doc = build(view);
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| ReportError::new("csv", e);
    let header: Vec<String> =
        HEADER.iter().map(|h| (*h).to_owned()).chain(doc.attribute_keys.iter().map(|k| format!("attr:{k}"))).collect();
    writer.write_record(header.iter().map(|h| defuse(h).into_owned())).map_err(fail)?;
    for row in rows(&doc) {
        writer.write_record(row.iter().map(|c| defuse(c).into_owned())).map_err(fail)?;
    }
    writer.into_inner().map_err(|e| ReportError::new("csv", e.into_error()))
}
