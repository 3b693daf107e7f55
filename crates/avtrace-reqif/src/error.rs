//! Error types. Both keep foreign errors (I/O, zip, quick-xml) behind `source()` so that the
//! public surface does not change when a dependency does.

use std::error::Error as StdError;
use std::fmt;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// A 1-based line and column in an XML file. The column counts bytes, not characters,
/// because it is computed from the byte position the parser reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// 1-based line number.
    pub line: u64,
    /// 1-based byte column within the line.
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What went wrong while reading ReqIF, for callers that branch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// The file could not be opened or read.
    Io,
    /// The bytes are not well-formed XML (the message says what was expected).
    Malformed,
    /// Well-formed XML, but not a ReqIF document (wrong root element or namespace).
    NotReqif,
    /// The file is not UTF-8 (ReqIF exchanges are UTF-8; other encodings are not decoded).
    Encoding,
    /// The file uses a construct refused for safety: a DOCTYPE, an entity other than the
    /// five predefined ones, or a `..` path in an archive.
    Refused,
    /// A configured limit was exceeded (nesting depth, text size, attribute count,
    /// archive size or entry count).
    LimitExceeded,
    /// A `.reqifz` archive could not be read or holds no `.reqif` member.
    Archive,
}

/// A file that cannot be imported. Carries the file (and archive member) name, the line and
/// column where it is known, and a message saying what was expected.
#[derive(Debug)]
pub struct ImportError {
    kind: ImportErrorKind,
    file: String,
    location: Option<Location>,
    message: String,
    source: Option<BoxError>,
}

impl ImportError {
    pub(crate) fn new(
        kind: ImportErrorKind,
        file: impl Into<String>,
        location: Option<Location>,
        message: impl Into<String>,
    ) -> Self {
        ImportError { kind, file: file.into(), location, message: message.into(), source: None }
    }

    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ImportErrorKind {
        self.kind
    }

    /// The file name, with `!member` appended for a member of a `.reqifz` archive.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Line and column of the problem, when it is tied to a position in the XML.
    pub fn location(&self) -> Option<Location> {
        self.location
    }

    /// The message alone, without file and position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(loc) => write!(f, "{}:{}: {}", self.file, loc, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl StdError for ImportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

/// Why an export was refused. Every variant except [`ExportErrorKind::Io`] is a mistake in
/// the caller's input that would otherwise produce an invalid or misleading ReqIF file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportErrorKind {
    /// Writing the output failed.
    #[error("cannot write the ReqIF output")]
    Io,
    /// Writing the `.reqifz` archive failed, or its entry name is unusable.
    #[error("cannot write the .reqifz archive: {0}")]
    Archive(String),
    /// The creation time is not an `xsd:dateTime` (`YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]`).
    #[error("creation time `{0}` is not an xsd:dateTime such as 2026-03-01T12:00:00Z")]
    BadTimestamp(String),
    /// Two enumerations, types, attributes of one type, or values of one enumeration share
    /// a name.
    #[error("{what} `{name}` is declared twice")]
    DuplicateName {
        /// What kind of declaration (e.g. "spec object type").
        what: &'static str,
        /// The repeated name.
        name: String,
    },
    /// An attribute definition names an enumeration the schema does not declare.
    #[error("attribute `{attribute}` uses enumeration `{enumeration}`, which is not declared")]
    UnknownEnumeration {
        /// The attribute definition.
        attribute: String,
        /// The missing enumeration.
        enumeration: String,
    },
    /// An element names a type that the schema does not declare.
    #[error("{element} has type `{type_name}`, which is not declared")]
    UnknownType {
        /// The element, e.g. "spec object `CS-001`".
        element: String,
        /// The missing type name.
        type_name: String,
    },
    /// A value names an attribute its type does not define.
    #[error("{element} has a value for `{attribute}`, which its type does not define")]
    UnknownAttribute {
        /// The element, e.g. "spec object `CS-001`".
        element: String,
        /// The attribute name.
        attribute: String,
    },
    /// A value does not fit its attribute (wrong kind, unknown enumeration value, several
    /// values for a single-valued enumeration, a date that is not an `xsd:dateTime`).
    #[error("{element}, attribute `{attribute}`: {problem}")]
    BadValue {
        /// The element, e.g. "spec object `CS-001`".
        element: String,
        /// The attribute name.
        attribute: String,
        /// What is wrong with the value.
        problem: String,
    },
    /// Two spec objects (or two specifications) have the same key.
    #[error("{what} key `{key}` is used twice")]
    DuplicateKey {
        /// "spec object" or "specification".
        what: &'static str,
        /// The repeated key.
        key: String,
    },
    /// A relation or hierarchy entry names an object key that was not written before it.
    #[error("{element} refers to spec object `{key}`, which was not written")]
    UnknownObject {
        /// The referring element.
        element: String,
        /// The missing object key.
        key: String,
    },
    /// A hierarchy entry is deeper than one level below the entry before it.
    #[error("specification `{specification}`: entry `{key}` at depth {depth} has no parent at depth {}", depth - 1)]
    BadHierarchy {
        /// The specification key.
        specification: String,
        /// The object key of the entry.
        key: String,
        /// Its depth.
        depth: usize,
    },
    /// Sections were written out of schema order (e.g. an object after a relation).
    #[error("{0}")]
    OutOfOrder(String),
}

/// An export that could not be completed. See [`ExportError::kind`].
#[derive(Debug)]
pub struct ExportError {
    kind: ExportErrorKind,
    source: Option<BoxError>,
}

impl ExportError {
    pub(crate) fn io(source: std::io::Error) -> Self {
        ExportError { kind: ExportErrorKind::Io, source: Some(source.into()) }
    }

    pub(crate) fn archive(message: impl Into<String>, source: Option<BoxError>) -> Self {
        ExportError { kind: ExportErrorKind::Archive(message.into()), source }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ExportErrorKind {
        &self.kind
    }
}

impl From<ExportErrorKind> for ExportError {
    fn from(kind: ExportErrorKind) -> Self {
        ExportError { kind, source: None }
    }
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::io(e)
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl StdError for ExportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}
