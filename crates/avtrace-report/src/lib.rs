//! Renderers: the terminal tables and JSON documents of a computed trace and of the
//! catalog, and the traceability matrix and coverage report (HTML, XLSX, CSV, Markdown,
//! JSON).
//!
//! Renderers read a [`avtrace_trace::Trace`] and the model; they never compute coverage,
//! statuses or obligations themselves. Output is a pure function of its input: no clock,
//! no hash-map iteration order, so the same input gives the same bytes. Writing the bytes
//! to a file (atomically) is the caller's job.

mod authority;
mod catalog_view;
mod diff_view;
mod error;
mod evidence;
mod graph_view;
mod html;
mod impact_view;
mod json;
mod matrix;
mod matrix_csv;
mod matrix_md;
mod matrix_xlsx;
mod piecewise;
mod sarif;
mod starter;
mod table;
mod text;
mod vocab_view;

#[cfg(test)]
mod tests;

pub use catalog_view::{
    markets_json, markets_table, show_instrument_json, show_instrument_table, show_json, show_table, standards_json,
    standards_table,
};
pub use diff_view::{catalog_diff_json, catalog_diff_table, program_diff_json, program_diff_table};
pub use error::ReportError;
pub use evidence::evidence_index_csv;
pub use graph_view::{graph_dot, graph_json, graph_selection};
pub use html::{matrix_html, report_html, write_matrix_html, write_report_html};
pub use impact_view::{impact_json, impact_table};
pub use json::{gaps_json, trace_json, write_gaps_json, write_trace_json};
pub use matrix::{matrix_json, write_matrix_json};
pub use matrix_csv::{matrix_csv, write_matrix_csv};
pub use matrix_md::{matrix_markdown, write_matrix_markdown};
pub use matrix_xlsx::matrix_xlsx;
pub use sarif::{SarifLocation, SarifResult, sarif_log};
pub use starter::{StarterRequest, starter_program};
pub use table::{gaps_table, trace_table};
pub use vocab_view::{features_json, features_table, unreached_diagnostics};

use avtrace_model::{Catalog, Program};

/// Who a report is written for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Audience {
    /// The team that keeps the trace: mapping chains with their sources and rationale,
    /// the commands that show more, filters.
    #[default]
    Engineer,
    /// A technical service or approval authority: formal wording, each obligation with
    /// its requirements, evidence and verification state, and a sign-off block; no
    /// analyst notes, no commands, no script.
    Authority,
}

/// Where a report comes from, printed on it so that a reader can tell which inputs and
/// which tool made it. The caller supplies what needs I/O or a clock; the renderers add
/// avtrace's own version and the program's revision.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// When the report was made, as the caller fixed it (`2027-01-15 09:00 UTC`): from
    /// `--timestamp` or `SOURCE_DATE_EPOCH` the output stays byte-for-byte reproducible.
    pub generated: String,
    /// The catalog's version: the latest publication date it holds and its fingerprint's
    /// first digits.
    pub catalog_version: String,
    /// SHA-256 over the catalog's files (relative path and contents, in path order).
    pub catalog_fingerprint: String,
}

/// How a report or matrix is rendered: for whom, and with what provenance.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    /// Who reads it.
    pub audience: Audience,
    /// Where it comes from.
    pub provenance: Provenance,
}

/// The version of avtrace that renders, as every report names it.
pub const AVTRACE_VERSION: &str = env!("CARGO_PKG_VERSION");
use avtrace_trace::{Reason, Trace};

/// What a renderer needs besides the trace: the catalog and program it was computed from,
/// and how the user named the program file (for "run this next" hints).
#[derive(Clone, Copy)]
pub struct TraceView<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The program.
    pub program: &'a Program,
    /// The computed trace.
    pub trace: &'a Trace,
    /// The program file as the user typed it.
    pub program_path: &'a str,
}

impl<'a> TraceView<'a> {
    /// The verification state of requirement `r` (`none` if out of range).
    pub fn verification(&self, r: avtrace_model::ReqIx) -> avtrace_model::Verification {
        self.trace.verification.get(r.index()).copied().unwrap_or(avtrace_model::Verification::None)
    }

    /// The ids of `requirements`, in their order.
    pub fn requirement_ids(&self, requirements: &[avtrace_model::ReqIx]) -> Vec<&'a str> {
        requirements.iter().map(|r| self.program.requirements[r.index()].id()).collect()
    }
}

impl TraceView<'_> {
    /// The reasons of an obligation as short phrases, each once: two mandates of one
    /// instrument (new types, all new vehicles) read the same.
    pub fn because(&self, market: &avtrace_model::Market, reasons: &[Reason]) -> Vec<String> {
        let mut phrases: Vec<String> = Vec::with_capacity(reasons.len());
        for &r in reasons {
            let phrase = self.reason(market, r);
            if !phrases.contains(&phrase) {
                phrases.push(phrase);
            }
        }
        phrases
    }

    /// The instruments a market mandates that have no requirement clauses in the catalog,
    /// by name: every output lists them beside the coverage, which cannot count them.
    pub fn unmodelled(&self, mt: &avtrace_trace::MarketTrace) -> Vec<String> {
        let market = self.catalog.market(mt.market);
        let mut names: Vec<String> =
            mt.unmodelled.iter().map(|&m| self.catalog.instrument_name(market.mandates[m].instrument)).collect();
        names.dedup();
        names
    }

    /// A reason as a short phrase: `mandate UN-R155` or `cited by UN-R155:7.3.3`.
    pub fn reason(&self, market: &avtrace_model::Market, reason: Reason) -> String {
        match reason {
            Reason::Mandate(m) => format!("mandate {}", self.catalog.instrument_label(market.mandates[m].instrument)),
            Reason::CitedBy(clause) => {
                let c = self.catalog.clause(clause);
                format!("cited by {}:{}", self.catalog.instrument_label(c.instrument), c.id)
            }
        }
    }
}
