//! The matrix as CSV (RFC 4180): one row per requirement, clause and market, one row with
//! an empty requirement for each obligation no requirement reaches, and one row with status
//! `unmodelled` and an empty clause for each mandated instrument the catalog has no
//! requirement clauses for (so that nothing a market mandates is missing without a word).

use std::borrow::Cow;

use crate::TraceView;
use crate::error::ReportError;
use crate::matrix::{MatrixDoc, build, fill_attribute_cells};

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

/// Writes every row, as it is made: a million requirements' rows are never held together.
fn write_rows<W: std::io::Write>(doc: &MatrixDoc<'_>, writer: &mut csv::Writer<W>) -> csv::Result<()> {
    let by_id = doc.requirements_by_id();
    let keys = &doc.attribute_keys;
    // A row's attribute cells, in the order of `keys`; reused row after row.
    let mut attrs: Vec<&str> = vec![""; keys.len()];
    let write = |writer: &mut csv::Writer<W>, cells: &[&str], attrs: &[&str]| -> csv::Result<()> {
        for cell in cells.iter().chain(attrs) {
            writer.write_field(defuse(cell).as_bytes())?;
        }
        writer.write_record(None::<&[u8]>)
    };
    for market in &doc.markets {
        for clause in &doc.clauses {
            let Some(obliged) = clause.in_market(market.market) else { continue };
            let because = obliged.because.join("; ");
            let via = clause.chain_text();
            let sources = clause.chain_sources();
            let name = clause.clause.to_string();
            // An obligation no requirement reaches still has its row, with an empty requirement.
            let unreached = clause.requirements.is_empty().then_some(None);
            for id in clause.requirements.iter().map(|id| Some(*id)).chain(unreached) {
                let req = id.and_then(|id| by_id.get(id).copied());
                let verified_by = req.map(|r| r.verified_by.join("; ")).unwrap_or_default();
                fill_attribute_cells(keys, req.map(|r| r.attrs), &mut attrs);
                let cells = [
                    market.market,
                    &name,
                    &clause.instrument,
                    clause.title,
                    clause.status,
                    id.unwrap_or(""),
                    req.map_or("", |r| r.title),
                    &verified_by,
                    req.and_then(|r| r.parent).unwrap_or(""),
                    req.map_or("", |r| r.verification),
                    req.map_or("", |r| r.status),
                    &via,
                    &sources,
                    &because,
                ];
                write(writer, &cells, &attrs)?;
            }
        }
        attrs.fill("");
        for instrument in &market.unmodelled {
            let note = format!("mandate {instrument}: no requirement clauses in the catalog, not counted");
            let mut cells = [""; HEADER.len()];
            cells[0] = market.market;
            cells[2] = instrument;
            cells[4] = "unmodelled";
            cells[HEADER.len() - 1] = &note;
            write(writer, &cells, &attrs)?;
        }
    }
    Ok(())
}

/// The `matrix --format csv` document.
pub fn matrix_csv(view: &TraceView<'_>) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    write_matrix_csv(view, &mut out)?;
    Ok(out)
}

/// [`matrix_csv`], written to `out` as it is made.
pub fn write_matrix_csv(view: &TraceView<'_>, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    let doc = build(view);
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).buffer_capacity(1 << 16).from_writer(out);
    let fail = |e: csv::Error| ReportError::new("csv", e);
    let header: Vec<String> =
        HEADER.iter().map(|h| (*h).to_owned()).chain(doc.attribute_keys.iter().map(|k| format!("attr:{k}"))).collect();
    writer.write_record(header.iter().map(|h| defuse(h).into_owned())).map_err(fail)?;
    write_rows(&doc, &mut writer).map_err(fail)?;
    writer.flush().map_err(|e| ReportError::new("csv", e))
}
