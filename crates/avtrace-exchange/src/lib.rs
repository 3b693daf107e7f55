//! The bridge between avtrace's model and the ReqIF exchange format.
//!
//! [`reqif_export`] turns a program and its computed trace into the neutral export
//! structures of `avtrace-reqif`; [`program_from_reqif`] turns an imported ReqIF document
//! into a program file. This crate decides what avtrace's objects are called in ReqIF
//! (types, attribute names, relation kinds) so that `avtrace-reqif` can stay ignorant of
//! avtrace and `avtrace-cli` can stay a wiring layer. It reads the trace; it never
//! recomputes coverage. No I/O: callers open and write files.

mod export;
mod import;

pub use export::{ExportNames, attribute_name, link_type_name, reqif_export};
pub use import::{
    IdPrefix, ImportOutcome, LOSS_EXAMPLES, Loss, LossKind, LossReport, ProgramError, ProgramOptions, first_sentence,
    program_from_reqif, status_of,
};

#[cfg(test)]
mod tests;
