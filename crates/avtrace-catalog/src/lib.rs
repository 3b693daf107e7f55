//! Reading and validating avtrace's TOML files: catalogs (instruments, mappings, markets)
//! and programs, with diagnostics that name the file, line and column; and the built-in
//! catalog compiled from `standards/`.
//!
//! This crate owns the file formats of DESIGN.md. It turns text into the model and reports
//! every problem it finds rather than the first. It does I/O only to read files and folders
//! the caller names; it never prints and never exits: diagnostics are data for the caller.
//! It does not compute traces or render output.

mod chunks;
mod confusables;
mod cursor;
mod diag;
mod fast;
mod fast_catalog;
mod files;
mod ids;
mod load;
mod program;
mod raw;
mod results;
mod snapshot;
mod words;
mod write;

pub use confusables::{confusable_catalog_ids, confusable_program_ids};
pub use diag::{Diagnostic, Location, Severity, SourceFile, Sources, render};
pub use files::ProgramInput;
pub use files::{
    MAX_FILE_BYTES, ReadError, add_builtin, add_catalog_dir, add_file, add_program, builtin_file_count, file_kind,
    is_stdin, open_input, read_input,
};
pub use load::{CatalogFile, Loaded, Role, load_catalog, role_of, unmodelled_mandates};
pub use program::{load_program, load_program_files};
pub use results::apply_results;
pub use snapshot::{SnapshotError, decode_catalog, encode_catalog};

/// The JSON Schema of the program format (`avtrace schema`), kept beside the docs in
/// `docs/program.schema.json`; a test holds it to the keys the loader accepts.
pub const PROGRAM_SCHEMA: &str = include_str!("../../../docs/program.schema.json");
pub use write::{EvidenceEntry, LinkEntry, MarketEntry, ProgramFile, ProgramHeader, RequirementEntry};

/// Below this many bytes of input, text is parsed on the caller's thread: starting threads
/// (each with an allocator arena of its own, so fresh pages) costs more than they save. Used
/// for one large program file, a program's included files together, and a catalog.
const THREADS_PAY_ABOVE_BYTES: usize = 1 << 20;

#[cfg(test)]
mod tests;
