//! The evidence index of a hand-over dossier: every evidence record of the program with its
//! result, the requirements that name it and the obligations those requirements meet.

use crate::TraceView;
use crate::error::ReportError;
use crate::matrix::build;
use crate::matrix_csv::defuse;

/// `evidence-index.csv` (RFC 4180): one row per evidence id a requirement names or the
/// program records, in the order first met (records first, as written).
pub fn evidence_index_csv(view: &TraceView<'_>) -> Result<Vec<u8>, ReportError> {
    let doc = build(view);
    let mut ids: Vec<&str> = view.program.evidence.iter().map(|e| e.id.as_str()).collect();
    for r in &view.program.requirements {
        for id in &r.verified_by {
            if !ids.contains(&id.as_ref()) {
                ids.push(id);
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| ReportError::new("csv", e);
    w.write_record(["evidence", "kind", "title", "uri", "result", "requirements", "obligations"]).map_err(err)?;
    for id in ids {
        let record = view.program.evidence_by_id(id);
        let naming: Vec<&crate::matrix::RequirementDoc<'_>> =
            doc.requirements.iter().filter(|r| r.verified_by.iter().any(|v| &**v == id)).collect();
        let mut obligations: Vec<&str> = Vec::new();
        for r in &naming {
            for c in &r.clauses {
                if !obligations.contains(&&**c) {
                    obligations.push(c);
                }
            }
        }
        let kind = record.map(|e| e.kind.to_string()).unwrap_or_default();
        let result = match record {
            Some(e) => e.result.map_or_else(|| "not recorded".to_owned(), |r| r.to_string()),
            None => "no record in the program".to_owned(),
        };
        let cells = [
            id.to_owned(),
            kind,
            record.map(|e| e.title.clone()).unwrap_or_default(),
            record.and_then(|e| e.uri.clone()).unwrap_or_default(),
            result,
            naming.iter().map(|r| r.id).collect::<Vec<_>>().join(", "),
            obligations.join(", "),
        ];
        w.write_record(cells.iter().map(|c| defuse(c).into_owned())).map_err(err)?;
    }
    w.into_inner().map_err(|e| ReportError::new("csv", e.into_error()))
}
