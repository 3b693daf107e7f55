//! Import: a streaming reader that turns ReqIF into neutral requirement data.

mod archive;
mod parser;
mod source;
mod xhtml;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;
use std::str::FromStr;

use crate::error::{ImportError, ImportErrorKind};
use crate::names;

/// A requirement field that an attribute (matched by its `LONG-NAME`) can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// The requirement's id, e.g. `ReqIF.ForeignID`.
    Id,
    /// Its title, e.g. `ReqIF.Name`.
    Title,
    /// Its text, e.g. `ReqIF.Text`.
    Text,
    /// Its status.
    Status,
    /// Clause references it satisfies, listed in one attribute (split on `,`, `;` and new lines).
    Satisfies,
    /// Evidence that verifies it, listed in one attribute (split like `satisfies`).
    VerifiedBy,
    /// Marks the object as a heading and holds the heading text, e.g. `ReqIF.ChapterName`.
    Heading,
}

impl Field {
    const ALL: [Field; 7] =
        [Field::Id, Field::Title, Field::Text, Field::Status, Field::Satisfies, Field::VerifiedBy, Field::Heading];

    /// The name used in `ATTR=FIELD` overrides.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Title => "title",
            Field::Text => "text",
            Field::Status => "status",
            Field::Satisfies => "satisfies",
            Field::VerifiedBy => "verified_by",
            Field::Heading => "heading",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An `ATTR=FIELD` override or a field name that could not be understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid attribute mapping `{input}`: expected ATTR=FIELD with FIELD one of id, title, text, status, satisfies, verified_by, heading"
)]
pub struct InvalidMapping {
    input: String,
}

impl FromStr for Field {
    type Err = InvalidMapping;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().replace('-', "_").to_ascii_lowercase();
        Field::ALL.into_iter().find(|f| f.name() == wanted).ok_or_else(|| InvalidMapping { input: s.to_owned() })
    }
}

/// The attribute `LONG-NAME`s mapped to each field when the caller gives no override, best
/// first: the ProSTEP Implementation Guide names, then names common tools use without the
/// `ReqIF.` prefix (ProR's `ID`/`Description`, Polarion's `Status`). Matching ignores ASCII
/// case. `satisfies` and `verified_by` have no default: they are avtrace concepts that other
/// tools carry as relations, so they come from attributes only through overrides.
pub const DEFAULT_MAPPING: &[(Field, &[&str])] = &[
    (Field::Id, &[names::FOREIGN_ID, "ID"]),
    (Field::Title, &[names::NAME, "Name", "Title"]),
    (Field::Text, &[names::TEXT, "Object Text", "Description", "Text"]),
    (Field::Status, &[names::FOREIGN_STATE, "Status"]),
    (Field::Heading, &[names::CHAPTER_NAME]),
];

/// Resource limits that hold on any input, however large or hostile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest element nesting accepted (XHTML included).
    pub max_depth: usize,
    /// Largest text accepted for one value, in bytes; one XML token (a tag with its
    /// attributes, a text run) may be at most this plus 64 KiB.
    pub max_text_bytes: usize,
    /// Most attributes accepted on one element.
    pub max_attributes: usize,
    /// Most uncompressed bytes read from a `.reqifz` archive, all members together.
    pub max_archive_bytes: u64,
    /// Most members accepted in a `.reqifz` archive.
    pub max_archive_entries: usize,
    /// Most warnings kept; further ones are only counted (in a final warning), and their
    /// messages are never built, so a file repeating one fault costs a counter per fault.
    pub max_warnings: usize,
    /// Most bytes the imported document may hold, estimated: every value's length plus a
    /// fixed cost per element, value and hierarchy node. Peak memory of an import is a small
    /// multiple of this, however far an archive expands or however many tiny elements a
    /// file repeats.
    pub max_document_bytes: u64,
    /// Most warnings counted past [`Limits::max_warnings`] before the import stops: a file
    /// with millions of faults (a flood of unknown elements, say) is refused after this
    /// many rather than read to its end, which bounds the time hostile input costs.
    pub max_faults: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_text_bytes: 16 << 20,
            max_attributes: 256,
            max_archive_bytes: 1 << 30,
            max_archive_entries: 10_000,
            max_warnings: 1000,
            max_document_bytes: 256 << 20,
            max_faults: 10_000_000,
        }
    }
}

/// How to import: attribute mapping overrides and limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    overrides: Vec<(String, Field)>,
    /// Resource limits.
    pub limits: Limits,
}

impl ImportOptions {
    /// Default mapping ([`DEFAULT_MAPPING`]) and default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps the attribute with `LONG-NAME` `attribute` to `field`, ahead of the defaults.
    /// An attribute without a `LONG-NAME` is matched by its `IDENTIFIER`.
    pub fn map_attribute(mut self, attribute: impl Into<String>, field: Field) -> Self {
        self.overrides.push((attribute.into(), field));
        self
    }

    /// Adds an override written `ATTR=FIELD` (as on the command line), e.g.
    /// `Object Identifier=id`. The last `=` separates the two, so `ATTR` may contain `=`.
    pub fn with_override(self, spec: &str) -> Result<Self, InvalidMapping> {
        let (attribute, field) = parse_override(spec)?;
        Ok(self.map_attribute(attribute, field))
    }

    /// Replaces the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The overrides, in the order given.
    pub fn overrides(&self) -> &[(String, Field)] {
        &self.overrides
    }

    /// Which field (and with what priority, lower is better) an attribute fills.
    pub(crate) fn field_for(&self, long_name: &str) -> Option<(Field, u16)> {
        let name = long_name.trim();
        if let Some(i) = self.overrides.iter().rposition(|(a, _)| a.trim().eq_ignore_ascii_case(name)) {
            return Some((self.overrides[i].1, 0));
        }
        // An override replaces the defaults for that name ("Description=title" must not also
        // make Description the text) and outranks them for its field.
        for &(field, candidates) in DEFAULT_MAPPING {
            if let Some(p) = candidates.iter().position(|c| c.eq_ignore_ascii_case(name)) {
                return Some((field, 1 + p as u16));
            }
        }
        None
    }
}

/// Splits `ATTR=FIELD`.
pub fn parse_override(spec: &str) -> Result<(String, Field), InvalidMapping> {
    let err = || InvalidMapping { input: spec.to_owned() };
    let (attribute, field) = spec.rsplit_once('=').ok_or_else(err)?;
    if attribute.trim().is_empty() {
        return Err(err());
    }
    let field = field.parse::<Field>().map_err(|_| err())?;
    Ok((attribute.trim().to_owned(), field))
}

/// `THE-HEADER` of an imported file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedHeader {
    /// The file (or `archive!member`) it came from.
    pub source: String,
    /// `IDENTIFIER` of the header.
    pub identifier: String,
    /// `TITLE`.
    pub title: Option<String>,
    /// `COMMENT`.
    pub comment: Option<String>,
    /// `CREATION-TIME`, as written.
    pub creation_time: Option<String>,
    /// `REPOSITORY-ID`.
    pub repository_id: Option<String>,
    /// `REQ-IF-TOOL-ID`: the tool that wrote the file.
    pub req_if_tool_id: Option<String>,
    /// `REQ-IF-VERSION` (`1.0` in valid files).
    pub req_if_version: Option<String>,
    /// `SOURCE-TOOL-ID`: the tool the data came from.
    pub source_tool_id: Option<String>,
}

/// A spec object read as a requirement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedRequirement {
    /// The object's `IDENTIFIER` (the `xsd:ID`, what relations refer to).
    pub identifier: String,
    /// The value of the attribute mapped to [`Field::Id`] (`ReqIF.ForeignID` by default).
    pub foreign_id: Option<String>,
    /// Title: the attribute mapped to [`Field::Title`], else the chapter name, else the
    /// object's `LONG-NAME`, else empty.
    pub title: String,
    /// Text: the attribute mapped to [`Field::Text`], XHTML rendered as plain text.
    pub text: String,
    /// Status: the attribute mapped to [`Field::Status`] (enumeration value names joined
    /// with `, `).
    pub status: Option<String>,
    /// References from attributes mapped to [`Field::Satisfies`].
    pub satisfies: Vec<String>,
    /// References from attributes mapped to [`Field::VerifiedBy`].
    pub verified_by: Vec<String>,
    /// `LONG-NAME` of the object's `SPEC-OBJECT-TYPE`.
    pub object_type: String,
    /// `LONG-NAME` of the first specification that shows the object.
    pub specification: Option<String>,
    /// Titles of the headings above the object in that specification, outermost first.
    pub chapter_path: Vec<String>,
    /// `IDENTIFIER` of the nearest requirement above it in the hierarchy (a parent
    /// requirement, e.g. the owner of an internal table).
    pub parent: Option<String>,
    /// Every other attribute, by `LONG-NAME`, as plain text.
    pub attributes: BTreeMap<String, String>,
    /// Line of the `SPEC-OBJECT` element.
    pub line: u64,
}

impl ImportedRequirement {
    /// The id to use: the foreign id, or the `IDENTIFIER` when the object has none.
    pub fn id(&self) -> &str {
        self.foreign_id.as_deref().filter(|s| !s.is_empty()).unwrap_or(&self.identifier)
    }
}

/// A spec object read as a heading (it carries `ReqIF.ChapterName`): structure, not a
/// requirement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedHeading {
    /// The object's `IDENTIFIER`.
    pub identifier: String,
    /// The foreign id, if any.
    pub foreign_id: Option<String>,
    /// The heading text: `ReqIF.ChapterName`, else (for an object whose type names it a
    /// heading) its title or text.
    pub title: String,
    /// `LONG-NAME` of the object's `SPEC-OBJECT-TYPE`.
    pub object_type: String,
    /// `LONG-NAME` of the first specification that shows it.
    pub specification: Option<String>,
    /// Titles of the headings above it, outermost first.
    pub chapter_path: Vec<String>,
    /// Its other attributes, by `LONG-NAME`, as plain text.
    pub attributes: BTreeMap<String, String>,
    /// Line of the `SPEC-OBJECT` element.
    pub line: u64,
}

/// A `SPEC-RELATION`, as written: endpoints are `IDENTIFIER`s.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedRelation {
    /// The relation's `IDENTIFIER`.
    pub identifier: String,
    /// `LONG-NAME` of its `SPEC-RELATION-TYPE` (the link kind, e.g. "satisfies"); the type's
    /// `IDENTIFIER` when it has no name.
    pub relation_type: String,
    /// `IDENTIFIER` of the source object.
    pub source: String,
    /// `IDENTIFIER` of the target object.
    pub target: String,
    /// The relation's attributes by `LONG-NAME`.
    pub attributes: BTreeMap<String, String>,
    /// Line of the `SPEC-RELATION` element.
    pub line: u64,
}

/// A `SPECIFICATION` (a document or module).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedSpecification {
    /// Its `IDENTIFIER`.
    pub identifier: String,
    /// Its name: `LONG-NAME`, else the attribute mapped to the title, else the identifier.
    pub name: String,
    /// `LONG-NAME` of its type.
    pub specification_type: String,
    /// Number of hierarchy nodes.
    pub nodes: usize,
    /// Its attribute values, by `LONG-NAME`, as plain text.
    pub attributes: BTreeMap<String, String>,
}

/// Something a lenient import tolerated: it names the element and its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The file (or `archive!member`).
    pub file: String,
    /// Line of the element, when known.
    pub line: Option<u64>,
    /// The element's tag, e.g. `SPEC-RELATION`.
    pub element: String,
    /// The element's `IDENTIFIER`, when it has one.
    pub identifier: Option<String>,
    /// What is wrong and what the importer did about it.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": <{}>", self.element)?;
        if let Some(id) = &self.identifier {
            write!(f, " {id}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One end of a relation, as [`ImportedDocument::resolve_relations`] classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint<'a> {
    /// A requirement of this document.
    Requirement(&'a ImportedRequirement),
    /// A clause reference: the string the caller's `is_clause` accepted.
    Clause(&'a str),
    /// A heading of this document.
    Heading(&'a ImportedHeading),
    /// An identifier that no object of the document has (a dangling or cross-file reference).
    Unresolved(&'a str),
}

/// A relation with both ends classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResolvedRelation<'a> {
    /// The relation as written.
    pub relation: &'a ImportedRelation,
    /// Its source.
    pub source: Endpoint<'a>,
    /// Its target.
    pub target: Endpoint<'a>,
}

/// Everything read from one ReqIF file or `.reqifz` archive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedDocument {
    /// One header per file read (several for a multi-file `.reqifz`), in reading order.
    pub headers: Vec<ImportedHeader>,
    /// The specifications, in file order.
    pub specifications: Vec<ImportedSpecification>,
    /// Requirements in reading order: specification by specification in hierarchy order,
    /// then objects that no specification shows, in file order.
    pub requirements: Vec<ImportedRequirement>,
    /// Headings, in the same order.
    pub headings: Vec<ImportedHeading>,
    /// Spec objects that [`ImportedDocument::separate_clauses`] moved out of `requirements`
    /// (empty until it is called).
    pub clauses: Vec<ImportedRequirement>,
    /// All spec relations, in file order.
    pub relations: Vec<ImportedRelation>,
    /// Members of a `.reqifz` that are not ReqIF (attachments such as `files/x.png`).
    pub attachments: Vec<String>,
    /// What was tolerated.
    pub warnings: Vec<Warning>,
    /// Every attribute that spec-object types define, by `LONG-NAME` (the `IDENTIFIER`
    /// without one), with how many spec objects hold a non-blank value of it: what a user
    /// needs to choose `ATTR=FIELD` overrides when the defaults find nothing.
    pub object_attributes: Vec<(String, usize)>,
    /// Hierarchy nodes (`IDENTIFIER`, line) that show an object already placed by an earlier
    /// node: an object takes its place (and parent) from its first node only.
    pub repeated_nodes: Vec<(String, u64)>,
    /// `RELATION-GROUP`s, which are not read (their relations are).
    pub relation_groups: usize,
    /// `TOOL-EXTENSIONS` elements, which are not read.
    pub tool_extensions: usize,
}

impl ImportedDocument {
    /// The first file's header.
    pub fn header(&self) -> Option<&ImportedHeader> {
        self.headers.first()
    }

    /// The requirement with this `IDENTIFIER`.
    pub fn requirement(&self, identifier: &str) -> Option<&ImportedRequirement> {
        self.requirements.iter().find(|r| r.identifier == identifier)
    }

    /// Classifies both ends of every relation.
    ///
    /// Contract: an end whose `IDENTIFIER` is one of [`ImportedDocument::clauses`] is
    /// [`Endpoint::Clause`] with that object's id. An end that is a requirement becomes
    /// [`Endpoint::Clause`] if `is_clause` accepts its id ([`ImportedRequirement::id`]) or,
    /// failing that, its title (both trimmed) — that is how a clause exported as a spec
    /// object (e.g. foreign id `UN-R155:7.2.2.2`) is recognised — and
    /// [`Endpoint::Requirement`] otherwise. A heading end becomes a clause the same way
    /// (tested on its foreign id, then title) or stays a [`Endpoint::Heading`]. An end that
    /// names no object is tested as is, and is [`Endpoint::Unresolved`] unless `is_clause`
    /// accepts it. `is_clause` is called at most twice per end and must not panic. The
    /// relation's direction and type are the caller's to interpret (e.g. "satisfies" from a
    /// requirement to a clause); this crate attaches no meaning to type names.
    pub fn resolve_relations<F: Fn(&str) -> bool>(&self, is_clause: F) -> Vec<ResolvedRelation<'_>> {
        let mut index: HashMap<&str, Slot> =
            HashMap::with_capacity(self.requirements.len() + self.headings.len() + self.clauses.len());
        for (i, r) in self.requirements.iter().enumerate() {
            index.insert(&r.identifier, Slot::Requirement(i));
        }
        for (i, c) in self.clauses.iter().enumerate() {
            index.entry(&c.identifier).or_insert(Slot::Clause(i));
        }
        for (i, h) in self.headings.iter().enumerate() {
            index.entry(&h.identifier).or_insert(Slot::Heading(i));
        }
        self.relations
            .iter()
            .map(|relation| ResolvedRelation {
                relation,
                source: self.endpoint(&index, &relation.source, &is_clause),
                target: self.endpoint(&index, &relation.target, &is_clause),
            })
            .collect()
    }

    fn endpoint<'a>(
        &'a self,
        index: &HashMap<&str, Slot>,
        identifier: &'a str,
        is_clause: &impl Fn(&str) -> bool,
    ) -> Endpoint<'a> {
        let candidate = |s: Option<&'a str>| s.map(str::trim).filter(|s| !s.is_empty() && is_clause(s));
        match index.get(identifier) {
            Some(&Slot::Clause(i)) => Endpoint::Clause(self.clauses[i].id().trim()),
            Some(&Slot::Requirement(i)) => {
                let r = &self.requirements[i];
                match candidate(Some(r.id())).or_else(|| candidate(Some(&r.title))) {
                    Some(clause) => Endpoint::Clause(clause),
                    None => Endpoint::Requirement(r),
                }
            }
            Some(&Slot::Heading(i)) => {
                let h = &self.headings[i];
                match candidate(h.foreign_id.as_deref()).or_else(|| candidate(Some(&h.title))) {
                    Some(clause) => Endpoint::Clause(clause),
                    None => Endpoint::Heading(h),
                }
            }
            None => match candidate(Some(identifier)) {
                Some(clause) => Endpoint::Clause(clause),
                None => Endpoint::Unresolved(identifier),
            },
        }
    }

    /// Moves the requirements whose id `is_clause` accepts into [`ImportedDocument::clauses`]:
    /// clauses that a tool (avtrace itself, for one) exported as spec objects next to the
    /// requirements. [`ImportedDocument::resolve_relations`] still finds them.
    pub fn separate_clauses<F: Fn(&str) -> bool>(&mut self, is_clause: F) {
        let (clauses, requirements): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.requirements).into_iter().partition(|r| is_clause(r.id().trim()));
        self.requirements = requirements;
        self.clauses.extend(clauses);
    }
}

#[derive(Clone, Copy)]
enum Slot {
    Requirement(usize),
    Clause(usize),
    Heading(usize),
}

/// Imports a `.reqif` or `.reqifz` file; the format is recognised from its first bytes
/// (a zip signature), not from its extension.
pub fn import_path(path: &Path, options: &ImportOptions) -> Result<ImportedDocument, ImportError> {
    let name = path.display().to_string();
    let open_err = |e: std::io::Error| {
        ImportError::new(ImportErrorKind::Io, &name, None, format!("cannot read the file: {e}")).with_source(e)
    };
    let mut file = File::open(path).map_err(open_err)?;
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < magic.len() {
        match file.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(open_err(e)),
        }
    }
    file.rewind().map_err(open_err)?;
    if got == 4 && magic == *b"PK\x03\x04" {
        import_reqifz(file, &name, options)
    } else {
        import_reader(BufReader::with_capacity(1 << 18, file), &name, options)
    }
}

/// Imports one `.reqif` document from `reader`, streaming. `name` is used in errors and
/// warnings.
pub fn import_reader<R: BufRead>(
    reader: R,
    name: &str,
    options: &ImportOptions,
) -> Result<ImportedDocument, ImportError> {
    let mut state = parser::State::new(options);
    state.parse_file(reader, name)?;
    Ok(state.finish())
}

/// Imports a `.reqifz` archive: every member ending in `.reqif` or `.xml` (in name order)
/// is parsed into one document; other members are listed as attachments. Members with
/// absolute paths or `..` components are refused, and the total uncompressed size read is
/// bounded by [`Limits::max_archive_bytes`].
pub fn import_reqifz<R: Read + Seek>(
    reader: R,
    name: &str,
    options: &ImportOptions,
) -> Result<ImportedDocument, ImportError> {
    archive::import(reader, name, options)
}
