//! ReqIF 1.2 reader and writer, streaming on quick-xml.
//!
//! This crate owns the ReqIF exchange format and nothing else: the OMG schema's element
//! structure, identifiers, the XHTML subset, `.reqifz` packaging, and the conventions of the
//! ProSTEP Implementation Guide (`ReqIF.ForeignID`, `ReqIF.Name`, `ReqIF.Text`,
//! `ReqIF.ChapterName`, `ReqIF.Category`). It speaks in neutral types and **must not depend
//! on other avtrace crates**: the avtrace side converts its computed trace into an
//! [`ExportDocument`] (or drives a [`ReqifWriter`]) and converts an [`ImportedDocument`]
//! into its program file. quick-xml and zip stay confined here.
//!
//! # Export
//!
//! [`ReqifWriter`] writes straight to any [`std::io::Write`], section by section in schema
//! order (`DATATYPES`, `SPEC-TYPES`, `SPEC-OBJECTS`, `SPEC-RELATIONS`, `SPECIFICATIONS`),
//! so memory stays flat in the number of objects. Output is deterministic: identifiers are
//! derived from the caller's keys, timestamps come from the caller, and `.reqifz` archives
//! have fixed member timestamps. Text is escaped, characters XML forbids are replaced and
//! reported, and XHTML is always exactly one `xhtml:div` of `xhtml:p` and `xhtml:br`.
//!
//! # Import
//!
//! [`import_path`], [`import_reader`] and [`import_reqifz`] stream quick-xml events from a
//! [`std::io::BufRead`] and never hold a whole file. They are lenient where they can be
//! (dangling references, duplicate identifiers, bad dates, unknown datatypes, XHTML outside
//! the subset become [`Warning`]s naming the element and line) and precise where they cannot
//! ([`ImportError`] with line, column and what was expected). They refuse DTDs, expand no
//! entity beyond the five predefined ones and character references, fetch nothing, and
//! bound nesting depth, value size, attribute count and archive expansion ([`Limits`]).
//!
//! Attributes are matched by `LONG-NAME` ([`DEFAULT_MAPPING`], overridable with
//! [`ImportOptions::with_override`]). Objects carrying `ReqIF.ChapterName` are headings
//! (structure), not requirements. Relations are returned as written; the caller decides which
//! ends are clause references by passing its own test to
//! [`ImportedDocument::resolve_relations`] (and [`ImportedDocument::separate_clauses`] sets
//! aside clauses that were exported as spec objects).

mod chars;
mod date;
mod error;
mod export;
mod ids;
mod import;
mod text;
mod xml;

pub use error::{ExportError, ExportErrorKind, ImportError, ImportErrorKind, Location};
pub use export::{
    AttributeDef, AttributeKind, AttributeValue, Enumeration, ExportDocument, ExportReport, ExportWarning, Header,
    HierarchyEntry, ReqifWriter, Schema, SpecObject, SpecRelation, Specification, TypeDef, Value, write_reqifz,
};
pub use import::{
    DEFAULT_MAPPING, Endpoint, Field, ImportOptions, ImportedDocument, ImportedHeader, ImportedHeading,
    ImportedRelation, ImportedRequirement, ImportedSpecification, InvalidMapping, Limits, ResolvedRelation, Warning,
    import_path, import_reader, import_reqifz, parse_override,
};
pub use text::normalize_text;

/// The ReqIF namespace, shared by ReqIF 1.0.1, 1.1 and 1.2.
pub const REQIF_NAMESPACE: &str = "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd";

/// The XHTML namespace of rich-text values.
pub const XHTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";

/// Standard attribute `LONG-NAME`s from the ProSTEP iViP ReqIF Implementation Guide.
pub mod names {
    /// Human-readable id of the object in the source tool (not the `IDENTIFIER`).
    pub const FOREIGN_ID: &str = "ReqIF.ForeignID";
    /// Short title of an object or specification.
    pub const NAME: &str = "ReqIF.Name";
    /// Main (rich) text of a requirement.
    pub const TEXT: &str = "ReqIF.Text";
    /// Heading text; an object carrying it is a section heading.
    pub const CHAPTER_NAME: &str = "ReqIF.ChapterName";
    /// Category / classification of an object.
    pub const CATEGORY: &str = "ReqIF.Category";
    /// Description, typically of a specification.
    pub const DESCRIPTION: &str = "ReqIF.Description";
    /// Status in the source tool.
    pub const FOREIGN_STATE: &str = "ReqIF.ForeignState";
}
