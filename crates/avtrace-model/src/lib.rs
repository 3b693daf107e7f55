//! The avtrace domain model: instruments, clauses, mappings, markets and programs.
//!
//! This crate owns the types every other crate speaks in and the invariants they keep.
//! It does no I/O and knows nothing of TOML, XML or the terminal: the catalog crate builds
//! these values from files, the trace crate computes over them, renderers read them.
//!
//! Invariants a [`Catalog`] keeps (the catalog loader establishes them, nothing mutates a
//! catalog after it is built):
//! - instruments are sorted by id then edition; the clauses of one instrument occupy one
//!   contiguous range of [`ClauseIx`], sorted in natural order of their ids
//!   ([`natural_cmp`]), so indices are canonical whatever order the files were read in;
//! - every index stored in the model points at an existing element;
//! - reference edges (`refs`) and parent links form no cycle.

mod catalog;
mod date;
mod ids;
mod natural;
mod program;
mod vocab;

pub use catalog::{
    Catalog, Clause, ClauseRefError, Exclusion, Instrument, Mandate, MapEntry, Mapping, Market, Recognition, Term,
    Vocabulary, edition_matches,
};
pub use date::{Date, DateError};
pub use ids::{ClauseIx, FileIx, InstrumentIx, MappingIx, MarketIx, ReqIx, Span};
pub use natural::natural_cmp;
pub use program::{AttrKeys, Attrs, Evidence, Link, Program, ProgramMarket, Requirement, RequirementStrings};
pub use vocab::{
    Adoption, ClauseKind, Confidence, EvidenceKind, EvidenceResult, Granularity, InstrumentKind, Level, Relation,
    RequirementStatus, UnknownWord, Verification,
};
