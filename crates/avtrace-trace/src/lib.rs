//! The trace engine: for a program and its markets, which clauses are obligations and why,
//! and how each is covered.
//!
//! Everything here is a pure function of the model and the clause graph: no I/O, no clock,
//! no formatting. The one [`Trace`] it computes is what every output reads; no renderer
//! recomputes coverage. The semantics are DESIGN.md's "Trace semantics", restated on
//! [`trace`].

mod diff;
mod engine;
mod impact;
mod reach;
mod verify;

pub use avtrace_graph::{Chain, ChainQuality, Step, StepBasis};
pub use avtrace_model::Exclusion;
pub use diff::{CatalogDiff, MarketChange, ProgramDiff, RequirementChange, diff_catalogs, diff_programs};
pub use engine::{
    Counts, Coverage, MarketTarget, MarketTrace, Obligation, RELATED_HINTS, Reason, Reasons, Related, Status, Trace,
    TraceOptions, obligation_clauses, trace,
};
pub use impact::{Impact, impact};
pub use reach::{ClauseReason, Unreached, unreached_requirements};
pub use verify::verification;

#[cfg(test)]
mod tests;
