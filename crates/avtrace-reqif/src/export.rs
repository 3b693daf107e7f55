//! Export: neutral input types and a streaming writer.
//!
//! The writer emits the document top-down in schema order and keeps nothing of what it has
//! written except one 64-bit fingerprint per identifier (to refuse duplicates and dangling
//! references), so memory stays flat however many objects the caller streams through it.

use std::borrow::{Borrow, Cow};
use std::collections::{HashMap, HashSet};
use std::io::{self, Seek, Write};

use crate::date::is_xsd_datetime;
use crate::error::{ExportError, ExportErrorKind};
use crate::ids::{PreHashed, derive_id, fnv1a64, push_hash8};
use crate::text::{push_xhtml_div, replace_forbidden_chars};
use crate::xml::XmlOut;
use crate::{REQIF_NAMESPACE, XHTML_NAMESPACE};

/// `THE-HEADER` of the exported file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `TITLE`; also the seed of the header's `IDENTIFIER`.
    pub title: String,
    /// Optional `COMMENT`.
    pub comment: Option<String>,
    /// `REQ-IF-TOOL-ID`: the tool that wrote the file, e.g. `avtrace 0.1.0`.
    pub req_if_tool_id: String,
    /// `SOURCE-TOOL-ID`: the tool the data comes from.
    pub source_tool_id: String,
    /// Optional `REPOSITORY-ID`.
    pub repository_id: Option<String>,
    /// `CREATION-TIME`, an `xsd:dateTime` given by the caller (the writer never reads the
    /// clock, so the same input gives the same bytes). It is also written as `LAST-CHANGE`
    /// on every identifiable element.
    pub creation_time: String,
}

impl Header {
    /// A header with no comment or repository id; `REQ-IF-TOOL-ID` names this crate.
    pub fn new(title: impl Into<String>, source_tool_id: impl Into<String>, creation_time: impl Into<String>) -> Self {
        Header {
            title: title.into(),
            comment: None,
            req_if_tool_id: concat!("avtrace-reqif ", env!("CARGO_PKG_VERSION")).to_owned(),
            source_tool_id: source_tool_id.into(),
            repository_id: None,
            creation_time: creation_time.into(),
        }
    }
}

/// The declarations an export uses: enumerations and the three kinds of types. Names are the
/// `LONG-NAME`s other tools match on, so use the ProSTEP names (see [`crate::names`]) for the
/// standard attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    /// Enumeration datatypes, e.g. "Status" with its values.
    pub enumerations: Vec<Enumeration>,
    /// `SPEC-OBJECT-TYPE`s, e.g. "Requirement", "Clause", "Heading".
    pub object_types: Vec<TypeDef>,
    /// `SPEC-RELATION-TYPE`s, e.g. "satisfies"; the name is what importers show as the link kind.
    pub relation_types: Vec<TypeDef>,
    /// `SPECIFICATION-TYPE`s.
    pub specification_types: Vec<TypeDef>,
}

/// An enumeration datatype and its values, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enumeration {
    /// The datatype's `LONG-NAME`, referenced by [`AttributeKind::Enumeration`].
    pub name: String,
    /// The values' `LONG-NAME`s.
    pub values: Vec<String>,
}

/// A spec type (object, relation or specification type) and its attribute definitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeDef {
    /// The type's `LONG-NAME`.
    pub name: String,
    /// Its attribute definitions.
    pub attributes: Vec<AttributeDef>,
}

impl TypeDef {
    /// A type with the given attributes.
    pub fn new(name: impl Into<String>, attributes: Vec<AttributeDef>) -> Self {
        TypeDef { name: name.into(), attributes }
    }
}

/// One attribute definition of a type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeDef {
    /// The attribute's `LONG-NAME`, e.g. `ReqIF.Text`.
    pub name: String,
    /// Its datatype.
    pub kind: AttributeKind,
}

impl AttributeDef {
    /// An attribute definition.
    pub fn new(name: impl Into<String>, kind: AttributeKind) -> Self {
        AttributeDef { name: name.into(), kind }
    }
}

/// The datatype of an attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeKind {
    /// Plain string (`DATATYPE-DEFINITION-STRING`); whitespace survives exactly.
    String,
    /// Rich text (`DATATYPE-DEFINITION-XHTML`). The caller gives plain text; the writer turns
    /// it into one `xhtml:div` of paragraphs and line breaks. Importers collapse whitespace,
    /// see [`crate::normalize_text`].
    Xhtml,
    /// A value (or values) of a declared [`Enumeration`].
    Enumeration {
        /// The enumeration's name.
        enumeration: String,
        /// Whether several values may be given (`MULTI-VALUED`).
        multi_valued: bool,
    },
    /// An `xsd:dateTime`.
    Date,
    /// A 64-bit integer.
    Integer,
    /// A boolean.
    Boolean,
}

/// An attribute value of an object, relation or specification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeValue {
    /// The attribute's name, as declared in the element's type.
    pub attribute: String,
    /// The value.
    pub value: Value,
}

impl AttributeValue {
    /// A value for `attribute`.
    pub fn new(attribute: impl Into<String>, value: Value) -> Self {
        AttributeValue { attribute: attribute.into(), value }
    }

    /// A text value (for a [`AttributeKind::String`] or [`AttributeKind::Xhtml`] attribute).
    pub fn text(attribute: impl Into<String>, text: impl Into<String>) -> Self {
        AttributeValue::new(attribute, Value::Text(text.into()))
    }
}

/// A value; its kind must fit the attribute's [`AttributeKind`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text for a String or XHTML attribute. Characters XML 1.0 forbids are replaced by
    /// U+FFFD and reported as warnings.
    Text(String),
    /// Enumeration value names (exactly one unless the attribute is multi-valued).
    Enumeration(Vec<String>),
    /// An `xsd:dateTime`.
    Date(String),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Boolean(bool),
}

/// A `SPEC-OBJECT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecObject {
    /// The caller's key (e.g. a requirement id or a clause reference); the `IDENTIFIER` is
    /// derived from it and relations and hierarchies refer to objects by it. Unique.
    pub key: String,
    /// The name of a declared object type.
    pub object_type: String,
    /// `LONG-NAME`; the key when `None`.
    pub long_name: Option<String>,
    /// Attribute values.
    pub values: Vec<AttributeValue>,
}

/// A `SPEC-RELATION` between two objects written before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecRelation {
    /// The name of a declared relation type, e.g. "satisfies".
    pub relation_type: String,
    /// The source object's key.
    pub source: String,
    /// The target object's key.
    pub target: String,
    /// Attribute values of the relation (its type must define them). For StrictDoc, keep
    /// them to String, XHTML and Integer: its reader rejects other kinds on relations.
    pub values: Vec<AttributeValue>,
}

impl SpecRelation {
    /// A relation without attribute values.
    pub fn new(relation_type: impl Into<String>, source: impl Into<String>, target: impl Into<String>) -> Self {
        SpecRelation {
            relation_type: relation_type.into(),
            source: source.into(),
            target: target.into(),
            values: Vec::new(),
        }
    }
}

/// A `SPECIFICATION`: a named tree over objects written before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Specification {
    /// The caller's key; the `IDENTIFIER` is derived from it. Unique among specifications.
    pub key: String,
    /// `LONG-NAME`, e.g. the program or instrument name.
    pub name: String,
    /// The name of a declared specification type.
    pub specification_type: String,
    /// Attribute values of the specification.
    pub values: Vec<AttributeValue>,
    /// The tree in document order (pre-order), each entry with its depth: 0 for top-level
    /// entries, and at most one more than the entry before it.
    pub hierarchy: Vec<HierarchyEntry>,
}

/// One node of a specification tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HierarchyEntry {
    /// 0 for a top-level node, parent's depth + 1 otherwise.
    pub depth: usize,
    /// The key of the object shown at this node.
    pub object: String,
}

impl HierarchyEntry {
    /// A node at `depth` showing `object`.
    pub fn new(depth: usize, object: impl Into<String>) -> Self {
        HierarchyEntry { depth, object: object.into() }
    }
}

/// Something the writer changed in the caller's data instead of failing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportWarning {
    /// The element, e.g. "spec object `CS-001`".
    pub element: String,
    /// The attribute, when the warning is about one value.
    pub attribute: Option<String>,
    /// What was changed.
    pub message: String,
}

impl std::fmt::Display for ExportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.attribute {
            Some(a) => write!(f, "{}, attribute `{}`: {}", self.element, a, self.message),
            None => write!(f, "{}: {}", self.element, self.message),
        }
    }
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Number of `SPEC-OBJECT`s written.
    pub spec_objects: usize,
    /// Number of `SPEC-RELATION`s written.
    pub spec_relations: usize,
    /// Number of `SPECIFICATION`s written.
    pub specifications: usize,
    /// Bytes of XML written.
    pub bytes: u64,
    /// Changes made to the input (forbidden characters replaced).
    pub warnings: Vec<ExportWarning>,
}

/// A whole export in one value: header, schema, and iterators over objects and relations so
/// that a caller can stream them without building them all at once. For finer control
/// (e.g. objects produced by callbacks) use [`ReqifWriter`] directly.
#[derive(Clone, Debug)]
pub struct ExportDocument<O, R> {
    /// The header.
    pub header: Header,
    /// The declarations.
    pub schema: Schema,
    /// The spec objects (`SpecObject` or `&SpecObject` items).
    pub objects: O,
    /// The spec relations (`SpecRelation` or `&SpecRelation` items).
    pub relations: R,
    /// The specifications.
    pub specifications: Vec<Specification>,
}

impl<O, R> ExportDocument<O, R>
where
    O: IntoIterator,
    O::Item: Borrow<SpecObject>,
    R: IntoIterator,
    R::Item: Borrow<SpecRelation>,
{
    /// Writes the document as a `.reqif` XML file to `out`; returns `out` and the report.
    /// The writer buffers internally, so `out` may be an unbuffered `File`. Atomicity
    /// (write a temporary file, then rename it) is the caller's job.
    pub fn write_to<W: Write>(self, out: W) -> Result<(W, ExportReport), ExportError> {
        let ExportDocument { header, schema, objects, relations, specifications } = self;
        let mut w = ReqifWriter::new(out, &header, &schema)?;
        for o in objects {
            w.write_object(o.borrow())?;
        }
        for r in relations {
            w.write_relation(r.borrow())?;
        }
        for s in &specifications {
            w.write_specification(s)?;
        }
        w.finish()
    }

    /// Writes the document as a `.reqifz` archive holding one member, `entry_name`
    /// (e.g. `avtrace.reqif`). The archive is deterministic: fixed timestamps and permissions.
    pub fn write_reqifz_to<W: Write + Seek>(self, out: W, entry_name: &str) -> Result<(W, ExportReport), ExportError> {
        write_reqifz(out, entry_name, |member| self.write_to(member).map(|(_, report)| report))
    }
}

/// Writes a `.reqifz` archive with one member `entry_name`, whose bytes `write` produces
/// (typically by running a [`ReqifWriter`] over the given writer). The archive is
/// deterministic: the member has a fixed timestamp (1980-01-01) and fixed permissions.
/// `entry_name` must be a relative path ending in `.reqif`, without `..` components.
pub fn write_reqifz<W, F>(out: W, entry_name: &str, write: F) -> Result<(W, ExportReport), ExportError>
where
    W: Write + Seek,
    F: FnOnce(&mut dyn Write) -> Result<ExportReport, ExportError>,
{
    let bad_name = entry_name.is_empty()
        || entry_name.starts_with('/')
        || entry_name.contains('\\')
        || entry_name.split('/').any(|part| part == ".." || part.is_empty())
        || !entry_name.ends_with(".reqif");
    if bad_name {
        return Err(ExportError::archive(
            format!("member name `{entry_name}` must be a relative path ending in .reqif"),
            None,
        ));
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(out);
    zip.start_file(entry_name, options)
        .map_err(|e| ExportError::archive("cannot start the archive member", Some(e.into())))?;
    let report = write(&mut zip)?;
    let out = zip.finish().map_err(|e| ExportError::archive("cannot finish the archive", Some(e.into())))?;
    Ok((out, report))
}

// ---------------------------------------------------------------------------------------------
// The writer.

/// Where the writer is in the fixed section order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Objects,
    Relations,
    Specifications,
}

#[derive(Debug)]
enum Kind {
    String,
    Xhtml,
    Enumeration { enumeration: usize, multi_valued: bool },
    Date,
    Integer,
    Boolean,
}

impl Kind {
    /// The kind's names: its suffix in ReqIF element names (`STRING`), the element of a value
    /// (`ATTRIBUTE-VALUE-STRING`) and how a value names its definition
    /// (`ATTRIBUTE-DEFINITION-STRING-REF`). Static, so that no value formats them.
    fn names(&self) -> (&'static str, &'static str, &'static str) {
        macro_rules! names {
            ($suffix:literal) => {
                ($suffix, concat!("ATTRIBUTE-VALUE-", $suffix), concat!("ATTRIBUTE-DEFINITION-", $suffix, "-REF"))
            };
        }
        match self {
            Kind::String => names!("STRING"),
            Kind::Xhtml => names!("XHTML"),
            Kind::Enumeration { .. } => names!("ENUMERATION"),
            Kind::Date => names!("DATE"),
            Kind::Integer => names!("INTEGER"),
            Kind::Boolean => names!("BOOLEAN"),
        }
    }

    fn suffix(&self) -> &'static str {
        self.names().0
    }

    fn value_element(&self) -> &'static str {
        self.names().1
    }

    fn definition_ref_element(&self) -> &'static str {
        self.names().2
    }
}

#[derive(Debug)]
struct AttrInfo {
    id: String,
    kind: Kind,
}

#[derive(Debug)]
struct TypeInfo {
    id: String,
    attrs: HashMap<String, AttrInfo>,
    /// Attribute names in declaration order, for deterministic output of the type.
    order: Vec<String>,
}

#[derive(Debug)]
struct EnumInfo {
    id: String,
    /// Value name → ENUM-VALUE identifier.
    values: HashMap<String, String>,
    /// (value name, identifier) in declaration order.
    order: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct Declarations {
    enums: Vec<EnumInfo>,
    object_types: HashMap<String, TypeInfo>,
    relation_types: HashMap<String, TypeInfo>,
    specification_types: HashMap<String, TypeInfo>,
}

/// A set of FNV-1a fingerprints. They are hashes already: hashing them again with SipHash
/// was a tenth of the writer's time.
type Fingerprints = HashSet<u64, std::hash::BuildHasherDefault<PreHashed>>;

/// A streaming ReqIF writer. [`ReqifWriter::new`] writes the header, datatypes and spec
/// types; then call [`write_object`](Self::write_object) for every object, then
/// [`write_relation`](Self::write_relation) for every relation, then
/// [`write_specification`](Self::write_specification), and finally
/// [`finish`](Self::finish). Calling them out of this order is an error, since the schema
/// fixes the section order.
///
/// ```
/// use avtrace_reqif::{names, AttributeDef, AttributeKind, AttributeValue, Header, ReqifWriter,
///                     Schema, SpecObject, TypeDef};
/// let schema = Schema {
///     object_types: vec![TypeDef::new("Requirement", vec![
///         AttributeDef::new(names::FOREIGN_ID, AttributeKind::String),
///         AttributeDef::new(names::TEXT, AttributeKind::Xhtml),
///     ])],
///     specification_types: vec![TypeDef::new("Requirements", vec![])],
///     ..Schema::default()
/// };
/// let header = Header::new("Program", "avtrace", "2026-01-01T00:00:00Z");
/// let mut w = ReqifWriter::new(Vec::new(), &header, &schema)?;
/// w.write_object(&SpecObject {
///     key: "CS-001".into(),
///     object_type: "Requirement".into(),
///     long_name: None,
///     values: vec![AttributeValue::text(names::FOREIGN_ID, "CS-001"),
///                  AttributeValue::text(names::TEXT, "The system shall log <all> events.")],
/// })?;
/// let (bytes, report) = w.finish()?;
/// assert_eq!(report.spec_objects, 1);
/// assert!(String::from_utf8(bytes).unwrap().contains("&lt;all&gt;"));
/// # Ok::<(), avtrace_reqif::ExportError>(())
/// ```
pub struct ReqifWriter<W: Write> {
    xml: XmlOut<W>,
    stage: Stage,
    last_change: String,
    decl: Declarations,
    /// Fingerprints of written object keys: refuses duplicates and dangling references.
    objects: Fingerprints,
    /// Fingerprints of relation, hierarchy and specification identifiers, to keep them unique.
    other_ids: Fingerprints,
    specifications: Fingerprints,
    report: ExportReport,
    scratch: String,
}

impl<W: Write> std::fmt::Debug for ReqifWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReqifWriter").field("stage", &self.stage).field("report", &self.report).finish_non_exhaustive()
    }
}

impl<W: Write> ReqifWriter<W> {
    /// Checks `schema`, then writes the XML declaration, `THE-HEADER`, `DATATYPES` and
    /// `SPEC-TYPES` to `out`, and opens `SPEC-OBJECTS`.
    pub fn new(out: W, header: &Header, schema: &Schema) -> Result<Self, ExportError> {
        if !is_xsd_datetime(&header.creation_time) {
            return Err(ExportErrorKind::BadTimestamp(header.creation_time.clone()).into());
        }
        let decl = declare(schema)?;
        let mut w = ReqifWriter {
            xml: XmlOut::new(out),
            stage: Stage::Objects,
            last_change: header.creation_time.clone(),
            decl,
            objects: Fingerprints::default(),
            other_ids: Fingerprints::default(),
            specifications: Fingerprints::default(),
            report: ExportReport::default(),
            scratch: String::new(),
        };
        w.write_prologue(header, schema)?;
        Ok(w)
    }

    /// Writes one `SPEC-OBJECT`. Its key must be new; its type and values must be declared.
    pub fn write_object(&mut self, object: &SpecObject) -> Result<(), ExportError> {
        if self.stage != Stage::Objects {
            return Err(ExportErrorKind::OutOfOrder(format!(
                "spec object `{}` written after relations or specifications",
                object.key
            ))
            .into());
        }
        let SpecObject { key, object_type, long_name, values } = object;
        let element = || format!("spec object `{key}`");
        let Some(ty) = self.decl.object_types.get(object_type) else {
            return Err(ExportErrorKind::UnknownType { element: element(), type_name: object_type.clone() }.into());
        };
        let id = derive_id("SO-", key);
        if !self.objects.insert(fnv1a64(&[&id])) {
            return Err(ExportErrorKind::DuplicateKey { what: "spec object", key: key.clone() }.into());
        }
        let long_name = clean(&mut self.report, long_name.as_deref().unwrap_or(key), element, "LONG-NAME");
        let attrs =
            [("IDENTIFIER", id.as_str()), ("LAST-CHANGE", self.last_change.as_str()), ("LONG-NAME", &long_name)];
        self.xml.start("SPEC-OBJECT", &attrs)?;
        let type_id = ty.id.clone();
        self.write_values(values, Owner::Object, object_type, element)?;
        self.xml.start("TYPE", &[])?;
        self.xml.leaf("SPEC-OBJECT-TYPE-REF", &type_id)?;
        self.xml.end("TYPE")?;
        self.xml.end("SPEC-OBJECT")?;
        self.report.spec_objects += 1;
        Ok(())
    }

    /// Writes one `SPEC-RELATION` between two objects already written. The first call closes
    /// the objects section.
    pub fn write_relation(&mut self, relation: &SpecRelation) -> Result<(), ExportError> {
        self.advance(Stage::Relations, || format!("relation {} → {}", relation.source, relation.target))?;
        let SpecRelation { relation_type, source, target, values } = relation;
        let element = || format!("relation `{source}` {relation_type} `{target}`");
        let Some(ty) = self.decl.relation_types.get(relation_type) else {
            return Err(ExportErrorKind::UnknownType { element: element(), type_name: relation_type.clone() }.into());
        };
        let type_id = ty.id.clone();
        let source_id = self.object_ref(source, element)?;
        let target_id = self.object_ref(target, element)?;
        let id = self.unique(format!("SR-{:016x}", fnv1a64(&[relation_type, source, target])));
        let long_name = format!("{source} {relation_type} {target}");
        let long_name = clean(&mut self.report, &long_name, element, "LONG-NAME").into_owned();
        self.xml.start(
            "SPEC-RELATION",
            &[("IDENTIFIER", &id), ("LAST-CHANGE", &self.last_change), ("LONG-NAME", &long_name)],
        )?;
        self.write_values(values, Owner::Relation, relation_type, element)?;
        self.xml.start("SOURCE", &[])?;
        self.xml.leaf("SPEC-OBJECT-REF", &source_id)?;
        self.xml.end("SOURCE")?;
        self.xml.start("TARGET", &[])?;
        self.xml.leaf("SPEC-OBJECT-REF", &target_id)?;
        self.xml.end("TARGET")?;
        self.xml.start("TYPE", &[])?;
        self.xml.leaf("SPEC-RELATION-TYPE-REF", &type_id)?;
        self.xml.end("TYPE")?;
        self.xml.end("SPEC-RELATION")?;
        self.report.spec_relations += 1;
        Ok(())
    }

    /// Writes one `SPECIFICATION` and its hierarchy. The first call closes the relations
    /// section.
    pub fn write_specification(&mut self, spec: &Specification) -> Result<(), ExportError> {
        self.advance(Stage::Specifications, || format!("specification `{}`", spec.key))?;
        let Specification { key, name, specification_type, values, hierarchy } = spec;
        let element = || format!("specification `{key}`");
        let Some(ty) = self.decl.specification_types.get(specification_type) else {
            return Err(
                ExportErrorKind::UnknownType { element: element(), type_name: specification_type.clone() }.into()
            );
        };
        let type_id = ty.id.clone();
        let id = derive_id("SP-", key);
        if !self.specifications.insert(fnv1a64(&[&id])) {
            return Err(ExportErrorKind::DuplicateKey { what: "specification", key: key.clone() }.into());
        }
        let spec_hash = fnv1a64(&[key]);
        let long_name = clean(&mut self.report, name, element, "LONG-NAME").into_owned();
        self.xml.start(
            "SPECIFICATION",
            &[("IDENTIFIER", &id), ("LAST-CHANGE", &self.last_change), ("LONG-NAME", &long_name)],
        )?;
        self.write_values(values, Owner::Specification, specification_type, element)?;
        self.xml.start("TYPE", &[])?;
        self.xml.leaf("SPECIFICATION-TYPE-REF", &type_id)?;
        self.xml.end("TYPE")?;

        // Open nodes; `true` once the node's CHILDREN element has been opened.
        let mut open: Vec<bool> = Vec::new();
        let mut root_children_open = false;
        for entry in hierarchy {
            let HierarchyEntry { depth, object } = entry;
            if *depth > open.len() {
                return Err(ExportErrorKind::BadHierarchy {
                    specification: key.clone(),
                    key: object.clone(),
                    depth: *depth,
                }
                .into());
            }
            while open.len() > *depth {
                close_node(&mut self.xml, &mut open)?;
            }
            match open.last_mut() {
                None if !root_children_open => {
                    self.xml.start("CHILDREN", &[])?;
                    root_children_open = true;
                }
                Some(children_open) if !*children_open => {
                    self.xml.start("CHILDREN", &[])?;
                    *children_open = true;
                }
                _ => {}
            }
            let object_id = self.object_ref(object, element)?;
            let mut node_id = String::with_capacity(object_id.len() + 12);
            node_id.push_str("SH-");
            node_id.push_str(&object_id[3..]);
            push_hash8(&mut node_id, spec_hash);
            let node_id = self.unique(node_id);
            self.xml.start(
                "SPEC-HIERARCHY",
                &[("IDENTIFIER", &node_id), ("LAST-CHANGE", &self.last_change), ("LONG-NAME", &object_id[3..])],
            )?;
            self.xml.start("OBJECT", &[])?;
            self.xml.leaf("SPEC-OBJECT-REF", &object_id)?;
            self.xml.end("OBJECT")?;
            open.push(false);
        }
        while !open.is_empty() {
            close_node(&mut self.xml, &mut open)?;
        }
        if root_children_open {
            self.xml.end("CHILDREN")?;
        }
        self.xml.end("SPECIFICATION")?;
        self.report.specifications += 1;
        Ok(())
    }

    /// Closes every open section and flushes. Returns the caller's writer and the report.
    pub fn finish(mut self) -> Result<(W, ExportReport), ExportError> {
        self.advance(Stage::Specifications, String::new)?;
        self.xml.end("SPECIFICATIONS")?;
        self.xml.end("REQ-IF-CONTENT")?;
        self.xml.end("CORE-CONTENT")?;
        self.xml.end("REQ-IF")?;
        self.xml.raw(b"\n")?;
        let (mut inner, bytes) = self.xml.finish()?;
        let mut report = self.report;
        report.bytes = bytes;
        inner.flush()?;
        Ok((inner, report))
    }

    /// Moves forward to `stage`, closing and opening section elements on the way.
    fn advance(&mut self, stage: Stage, what: impl FnOnce() -> String) -> Result<(), ExportError> {
        if stage < self.stage {
            return Err(ExportErrorKind::OutOfOrder(format!("{} written after specifications", what())).into());
        }
        while self.stage < stage {
            match self.stage {
                Stage::Objects => {
                    self.xml.end("SPEC-OBJECTS")?;
                    self.xml.start("SPEC-RELATIONS", &[])?;
                    self.stage = Stage::Relations;
                }
                Stage::Relations => {
                    self.xml.end("SPEC-RELATIONS")?;
                    self.xml.start("SPECIFICATIONS", &[])?;
                    self.stage = Stage::Specifications;
                }
                Stage::Specifications => break,
            }
        }
        Ok(())
    }

    /// The identifier of an already written object, or an error naming the referrer.
    fn object_ref(&self, key: &str, element: impl FnOnce() -> String) -> Result<String, ExportError> {
        let id = derive_id("SO-", key);
        if self.objects.contains(&fnv1a64(&[&id])) {
            Ok(id)
        } else {
            Err(ExportErrorKind::UnknownObject { element: element(), key: key.to_owned() }.into())
        }
    }

    /// Makes a relation or hierarchy identifier unique by appending `-2`, `-3`, … in the
    /// (deterministic) order of writing: only repeated relations or objects repeated in one
    /// specification need it.
    fn unique(&mut self, id: String) -> String {
        if self.other_ids.insert(fnv1a64(&[&id])) {
            return id;
        }
        let mut n = 2u64;
        loop {
            let candidate = format!("{id}-{n}");
            if self.other_ids.insert(fnv1a64(&[&candidate])) {
                return candidate;
            }
            n += 1;
        }
    }

    fn write_prologue(&mut self, header: &Header, schema: &Schema) -> Result<(), ExportError> {
        let Header { title, comment, req_if_tool_id, source_tool_id, repository_id, creation_time } = header;
        let x = &mut self.xml;
        x.declaration()?;
        x.start("REQ-IF", &[("xmlns", REQIF_NAMESPACE), ("xmlns:xhtml", XHTML_NAMESPACE)])?;
        x.start("THE-HEADER", &[])?;
        let header_id = derive_id("HDR-", title);
        x.start("REQ-IF-HEADER", &[("IDENTIFIER", &header_id)])?;
        let element = || "header".to_owned();
        if let Some(comment) = comment {
            x.leaf("COMMENT", &clean(&mut self.report, comment, element, "COMMENT"))?;
        }
        x.leaf("CREATION-TIME", creation_time)?;
        if let Some(repository_id) = repository_id {
            x.leaf("REPOSITORY-ID", &clean(&mut self.report, repository_id, element, "REPOSITORY-ID"))?;
        }
        x.leaf("REQ-IF-TOOL-ID", &clean(&mut self.report, req_if_tool_id, element, "REQ-IF-TOOL-ID"))?;
        // The schema fixes this element to "1.0" for ReqIF 1.0.1, 1.1 and 1.2 alike.
        x.leaf("REQ-IF-VERSION", "1.0")?;
        x.leaf("SOURCE-TOOL-ID", &clean(&mut self.report, source_tool_id, element, "SOURCE-TOOL-ID"))?;
        x.leaf("TITLE", &clean(&mut self.report, title, element, "TITLE"))?;
        x.end("REQ-IF-HEADER")?;
        x.end("THE-HEADER")?;
        x.start("CORE-CONTENT", &[])?;
        x.start("REQ-IF-CONTENT", &[])?;

        // DATATYPES: one per simple kind actually used, one per enumeration.
        let lc = self.last_change.clone();
        x.start("DATATYPES", &[])?;
        let used = used_simple_kinds(schema);
        for (kind, long_name) in
            [("STRING", "String"), ("XHTML", "Text"), ("DATE", "Date"), ("INTEGER", "Integer"), ("BOOLEAN", "Boolean")]
        {
            if !used.contains(&kind) {
                continue;
            }
            let name = format!("DATATYPE-DEFINITION-{kind}");
            let id = format!("DT-{kind}");
            let mut attrs = vec![("IDENTIFIER", id.as_str()), ("LAST-CHANGE", lc.as_str()), ("LONG-NAME", long_name)];
            match kind {
                "STRING" => attrs.push(("MAX-LENGTH", "2147483647")),
                "INTEGER" => attrs.extend([("MAX", "9223372036854775807"), ("MIN", "-9223372036854775808")]),
                _ => {}
            }
            x.empty(&name, &attrs)?;
        }
        for (e, decl) in schema.enumerations.iter().zip(&self.decl.enums) {
            let long_name =
                clean(&mut self.report, &e.name, || format!("enumeration `{}`", e.name), "LONG-NAME").into_owned();
            x.start(
                "DATATYPE-DEFINITION-ENUMERATION",
                &[("IDENTIFIER", &decl.id), ("LAST-CHANGE", &lc), ("LONG-NAME", &long_name)],
            )?;
            x.start("SPECIFIED-VALUES", &[])?;
            for (key, (value, value_id)) in decl.order.iter().enumerate() {
                let value =
                    clean(&mut self.report, value, || format!("enumeration `{}`", e.name), "value").into_owned();
                x.start("ENUM-VALUE", &[("IDENTIFIER", value_id), ("LAST-CHANGE", &lc), ("LONG-NAME", &value)])?;
                x.start("PROPERTIES", &[])?;
                x.empty("EMBEDDED-VALUE", &[("KEY", &key.to_string()), ("OTHER-CONTENT", &value)])?;
                x.end("PROPERTIES")?;
                x.end("ENUM-VALUE")?;
            }
            x.end("SPECIFIED-VALUES")?;
            x.end("DATATYPE-DEFINITION-ENUMERATION")?;
        }
        x.end("DATATYPES")?;

        x.start("SPEC-TYPES", &[])?;
        let groups = [
            ("SPEC-OBJECT-TYPE", &schema.object_types, &self.decl.object_types),
            ("SPEC-RELATION-TYPE", &schema.relation_types, &self.decl.relation_types),
            ("SPECIFICATION-TYPE", &schema.specification_types, &self.decl.specification_types),
        ];
        for (element_name, defs, infos) in groups {
            for def in defs {
                let Some(info) = infos.get(&def.name) else { continue };
                let long_name =
                    clean(&mut self.report, &def.name, || format!("type `{}`", def.name), "LONG-NAME").into_owned();
                x.start(element_name, &[("IDENTIFIER", &info.id), ("LAST-CHANGE", &lc), ("LONG-NAME", &long_name)])?;
                if !info.order.is_empty() {
                    x.start("SPEC-ATTRIBUTES", &[])?;
                    for attr_name in &info.order {
                        let Some(attr) = info.attrs.get(attr_name) else { continue };
                        let suffix = attr.kind.suffix();
                        let def_element = format!("ATTRIBUTE-DEFINITION-{suffix}");
                        let long_name =
                            clean(&mut self.report, attr_name, || format!("type `{}`", def.name), "attribute name")
                                .into_owned();
                        let mut attrs = vec![
                            ("IDENTIFIER", attr.id.as_str()),
                            ("LAST-CHANGE", lc.as_str()),
                            ("LONG-NAME", long_name.as_str()),
                        ];
                        if let Kind::Enumeration { multi_valued, .. } = attr.kind {
                            attrs.push(("MULTI-VALUED", if multi_valued { "true" } else { "false" }));
                        }
                        x.start(&def_element, &attrs)?;
                        x.start("TYPE", &[])?;
                        let datatype_id = match attr.kind {
                            Kind::Enumeration { enumeration, .. } => self.decl.enums[enumeration].id.clone(),
                            ref k => format!("DT-{}", k.suffix()),
                        };
                        x.leaf(&format!("DATATYPE-DEFINITION-{suffix}-REF"), &datatype_id)?;
                        x.end("TYPE")?;
                        x.end(&def_element)?;
                    }
                    x.end("SPEC-ATTRIBUTES")?;
                }
                x.end(element_name)?;
            }
        }
        x.end("SPEC-TYPES")?;
        x.start("SPEC-OBJECTS", &[])?;
        Ok(())
    }

    /// Writes the `VALUES` of an element of type `type_name` (looked up per owner kind).
    fn write_values(
        &mut self,
        values: &[AttributeValue],
        owner: Owner,
        type_name: &str,
        element: impl Fn() -> String,
    ) -> Result<(), ExportError> {
        if values.is_empty() {
            return Ok(());
        }
        let types = match owner {
            Owner::Object => &self.decl.object_types,
            Owner::Relation => &self.decl.relation_types,
            Owner::Specification => &self.decl.specification_types,
        };
        let Some(ty) = types.get(type_name) else {
            return Err(ExportErrorKind::UnknownType { element: element(), type_name: type_name.to_owned() }.into());
        };
        self.xml.start("VALUES", &[])?;
        for (i, AttributeValue { attribute, value }) in values.iter().enumerate() {
            if values[..i].iter().any(|v| v.attribute == *attribute) {
                return Err(bad_value(
                    &element,
                    attribute,
                    "the attribute has two values; give one (a list for a multi-valued enumeration)",
                ));
            }
            let Some(attr) = ty.attrs.get(attribute) else {
                return Err(
                    ExportErrorKind::UnknownAttribute { element: element(), attribute: attribute.clone() }.into()
                );
            };
            match (&attr.kind, value) {
                (Kind::String, Value::Text(text)) => {
                    let text = clean(&mut self.report, text, &element, attribute);
                    self.xml.start("ATTRIBUTE-VALUE-STRING", &[("THE-VALUE", &text)])?;
                }
                (Kind::Xhtml, Value::Text(text)) => {
                    let text = clean(&mut self.report, text, &element, attribute);
                    self.xml.start("ATTRIBUTE-VALUE-XHTML", &[])?;
                    self.xml.start("THE-VALUE", &[])?;
                    self.scratch.clear();
                    push_xhtml_div(&mut self.scratch, &text);
                    self.xml.escaped_text(&self.scratch)?;
                    self.xml.end("THE-VALUE")?;
                }
                (Kind::Enumeration { enumeration, multi_valued }, Value::Enumeration(names)) => {
                    if names.len() > 1 && !multi_valued {
                        return Err(bad_value(&element, attribute, "several values for a single-valued enumeration"));
                    }
                    let decl = &self.decl.enums[*enumeration];
                    let mut ids = Vec::with_capacity(names.len());
                    for name in names {
                        match decl.values.get(name) {
                            Some(id) => ids.push(id.as_str()),
                            None => {
                                return Err(bad_value(
                                    &element,
                                    attribute,
                                    &format!("`{name}` is not a value of its enumeration"),
                                ));
                            }
                        }
                    }
                    self.xml.start("ATTRIBUTE-VALUE-ENUMERATION", &[])?;
                    self.xml.start("VALUES", &[])?;
                    for id in ids {
                        self.xml.leaf("ENUM-VALUE-REF", id)?;
                    }
                    self.xml.end("VALUES")?;
                }
                (Kind::Date, Value::Date(date)) => {
                    if !is_xsd_datetime(date) {
                        return Err(bad_value(&element, attribute, &format!("`{date}` is not an xsd:dateTime")));
                    }
                    self.xml.start("ATTRIBUTE-VALUE-DATE", &[("THE-VALUE", date)])?;
                }
                (Kind::Integer, Value::Integer(n)) => {
                    self.xml.start("ATTRIBUTE-VALUE-INTEGER", &[("THE-VALUE", &n.to_string())])?;
                }
                (Kind::Boolean, Value::Boolean(b)) => {
                    self.xml.start("ATTRIBUTE-VALUE-BOOLEAN", &[("THE-VALUE", if *b { "true" } else { "false" })])?;
                }
                (kind, _) => {
                    return Err(bad_value(
                        &element,
                        attribute,
                        &format!("the attribute is {}, the value is not", kind.suffix().to_ascii_lowercase()),
                    ));
                }
            }
            self.xml.start("DEFINITION", &[])?;
            self.xml.leaf(attr.kind.definition_ref_element(), &attr.id)?;
            self.xml.end("DEFINITION")?;
            self.xml.end(attr.kind.value_element())?;
        }
        self.xml.end("VALUES")?;
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Owner {
    Object,
    Relation,
    Specification,
}

fn bad_value(element: &impl Fn() -> String, attribute: &str, problem: &str) -> ExportError {
    ExportErrorKind::BadValue { element: element(), attribute: attribute.to_owned(), problem: problem.to_owned() }
        .into()
}

/// Replaces characters XML forbids, recording a warning that names the element.
fn clean<'a>(
    report: &mut ExportReport,
    text: &'a str,
    element: impl FnOnce() -> String,
    attribute: &str,
) -> Cow<'a, str> {
    let (text, replaced) = replace_forbidden_chars(text);
    if replaced > 0 {
        report.warnings.push(ExportWarning {
            element: element(),
            attribute: Some(attribute.to_owned()),
            message: format!("{replaced} character(s) not allowed in XML 1.0 replaced with U+FFFD"),
        });
    }
    text
}

fn close_node<W: Write>(x: &mut XmlOut<W>, open: &mut Vec<bool>) -> io::Result<()> {
    if let Some(children_open) = open.pop() {
        if children_open {
            x.end("CHILDREN")?;
        }
        x.end("SPEC-HIERARCHY")?;
    }
    Ok(())
}

fn used_simple_kinds(schema: &Schema) -> Vec<&'static str> {
    let mut used = Vec::new();
    let all = schema.object_types.iter().chain(&schema.relation_types).chain(&schema.specification_types);
    for attr in all.flat_map(|t| &t.attributes) {
        let kind = match attr.kind {
            AttributeKind::String => "STRING",
            AttributeKind::Xhtml => "XHTML",
            AttributeKind::Date => "DATE",
            AttributeKind::Integer => "INTEGER",
            AttributeKind::Boolean => "BOOLEAN",
            AttributeKind::Enumeration { .. } => continue,
        };
        if !used.contains(&kind) {
            used.push(kind);
        }
    }
    used
}

/// Identifiers of declarations, kept unique even when two names sanitise to the same text.
#[derive(Default)]
struct DeclIds(HashSet<String>);

impl DeclIds {
    fn unique(&mut self, id: String, seed: &[&str]) -> String {
        if self.0.insert(id.clone()) {
            return id;
        }
        let mut n = 0u64;
        loop {
            let mut candidate = id.clone();
            push_hash8(&mut candidate, fnv1a64(seed) ^ n);
            if self.0.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// Checks the schema and assigns identifiers to every declaration.
fn declare(schema: &Schema) -> Result<Declarations, ExportError> {
    let mut ids = DeclIds::default();
    let mut decl = Declarations::default();
    let mut enum_index = HashMap::new();
    for e in &schema.enumerations {
        if enum_index.insert(e.name.clone(), decl.enums.len()).is_some() {
            return Err(ExportErrorKind::DuplicateName { what: "enumeration", name: e.name.clone() }.into());
        }
        let id = ids.unique(derive_id("DT-ENUM-", &e.name), &[&e.name]);
        let mut values = HashMap::new();
        let mut order = Vec::new();
        for v in &e.values {
            let value_id = ids.unique(derive_id(&format!("EV-{}-", &id["DT-ENUM-".len()..]), v), &[&e.name, v]);
            if values.insert(v.clone(), value_id.clone()).is_some() {
                return Err(ExportErrorKind::DuplicateName {
                    what: "enumeration value",
                    name: format!("{}: {v}", e.name),
                }
                .into());
            }
            order.push((v.clone(), value_id));
        }
        decl.enums.push(EnumInfo { id, values, order });
    }
    decl.object_types = declare_types("spec object type", "SOT-", &schema.object_types, &enum_index, &mut ids)?;
    decl.relation_types = declare_types("spec relation type", "SRT-", &schema.relation_types, &enum_index, &mut ids)?;
    decl.specification_types =
        declare_types("specification type", "SPT-", &schema.specification_types, &enum_index, &mut ids)?;
    Ok(decl)
}

fn declare_types(
    what: &'static str,
    prefix: &str,
    defs: &[TypeDef],
    enum_index: &HashMap<String, usize>,
    ids: &mut DeclIds,
) -> Result<HashMap<String, TypeInfo>, ExportError> {
    let mut map = HashMap::new();
    for def in defs {
        let type_id = ids.unique(derive_id(prefix, &def.name), &[prefix, &def.name]);
        let mut attrs = HashMap::new();
        let mut order = Vec::new();
        for a in &def.attributes {
            let kind = match &a.kind {
                AttributeKind::String => Kind::String,
                AttributeKind::Xhtml => Kind::Xhtml,
                AttributeKind::Date => Kind::Date,
                AttributeKind::Integer => Kind::Integer,
                AttributeKind::Boolean => Kind::Boolean,
                AttributeKind::Enumeration { enumeration, multi_valued } => match enum_index.get(enumeration) {
                    Some(&i) => Kind::Enumeration { enumeration: i, multi_valued: *multi_valued },
                    None => {
                        let attribute = format!("{}.{}", def.name, a.name);
                        return Err(ExportErrorKind::UnknownEnumeration {
                            attribute,
                            enumeration: enumeration.clone(),
                        }
                        .into());
                    }
                },
            };
            let attr_id = ids.unique(derive_id(&format!("AD-{type_id}-"), &a.name), &[prefix, &def.name, &a.name]);
            if attrs.insert(a.name.clone(), AttrInfo { id: attr_id, kind }).is_some() {
                return Err(ExportErrorKind::DuplicateName {
                    what: "attribute",
                    name: format!("{}.{}", def.name, a.name),
                }
                .into());
            }
            order.push(a.name.clone());
        }
        if map.insert(def.name.clone(), TypeInfo { id: type_id, attrs, order }).is_some() {
            return Err(ExportErrorKind::DuplicateName { what, name: def.name.clone() }.into());
        }
    }
    Ok(map)
}
