//! The event-driven ReqIF reader.
//!
//! One pass over quick-xml events per file, with a stack of element tags for context. What
//! the result needs is extracted as elements close; nothing else is kept, and nothing is
//! read ahead. Cross-references (hierarchy → objects, relations → objects) are resolved once
//! every file has been read, which makes forward references and multi-file archives work.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault};
use std::io::BufRead;

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use quick_xml::{Error as XmlError, XmlVersion};

use super::source::Tracked;
use super::xhtml::{XhtmlText, is_reqif_xhtml_element};
use super::{
    Field, ImportOptions, ImportedDocument, ImportedHeader, ImportedHeading, ImportedRelation, ImportedRequirement,
    ImportedSpecification, Warning,
};
use crate::chars::{describe, first_forbidden, is_forbidden};
use crate::date::is_xsd_datetime;
use crate::error::{ImportError, ImportErrorKind, Location};
use crate::ids::{PreHashed, is_ncname};
use crate::{REQIF_NAMESPACE, XHTML_NAMESPACE};

/// Datatype kinds, shared by datatype definitions, attribute definitions and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VKind {
    String,
    Xhtml,
    Enumeration,
    Integer,
    Real,
    Date,
    Boolean,
}

impl VKind {
    fn from_suffix(s: &str) -> Option<VKind> {
        Some(match s {
            "STRING" => VKind::String,
            "XHTML" => VKind::Xhtml,
            "ENUMERATION" => VKind::Enumeration,
            "INTEGER" => VKind::Integer,
            "REAL" => VKind::Real,
            "DATE" => VKind::Date,
            "BOOLEAN" => VKind::Boolean,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TypeCat {
    Object,
    Relation,
    Specification,
    RelationGroup,
}

/// What a `*-REF` element refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefKind {
    Datatype,
    AttributeDefinition,
    EnumValue,
    SpecType,
    SpecObject,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    ReqIf,
    TheHeader,
    ReqIfHeader,
    HeaderField(HeaderField),
    CoreContent,
    ReqIfContent,
    Section,
    DatatypeDef(VKind),
    UnknownDatatype,
    SpecifiedValues,
    EnumValue,
    Properties,
    EmbeddedValue,
    SpecType(TypeCat),
    SpecAttributes,
    AttributeDef(VKind),
    Type,
    DefaultValue,
    SpecObject,
    SpecRelation,
    Specification,
    Values,
    AttributeValue(VKind),
    Definition,
    TheValue,
    Source,
    Target,
    Children,
    SpecHierarchy,
    Object,
    Ref(RefKind),
    /// An element whose subtree is ignored (tool extensions, alternative ids, relation
    /// groups, unknown elements).
    Skipped,
    /// XHTML inside `THE-VALUE`.
    Xhtml,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeaderField {
    Comment,
    CreationTime,
    RepositoryId,
    ReqIfToolId,
    ReqIfVersion,
    SourceToolId,
    Title,
}

fn tag_of(local: &str) -> Option<Tag> {
    use Tag::*;
    Some(match local {
        "REQ-IF" => ReqIf,
        "THE-HEADER" => TheHeader,
        "REQ-IF-HEADER" => ReqIfHeader,
        "COMMENT" => HeaderField(self::HeaderField::Comment),
        "CREATION-TIME" => HeaderField(self::HeaderField::CreationTime),
        "REPOSITORY-ID" => HeaderField(self::HeaderField::RepositoryId),
        "REQ-IF-TOOL-ID" => HeaderField(self::HeaderField::ReqIfToolId),
        "REQ-IF-VERSION" => HeaderField(self::HeaderField::ReqIfVersion),
        "SOURCE-TOOL-ID" => HeaderField(self::HeaderField::SourceToolId),
        "TITLE" => HeaderField(self::HeaderField::Title),
        "CORE-CONTENT" => CoreContent,
        "REQ-IF-CONTENT" => ReqIfContent,
        "DATATYPES" | "SPEC-TYPES" | "SPEC-OBJECTS" | "SPEC-RELATIONS" | "SPECIFICATIONS" => Section,
        "SPECIFIED-VALUES" => SpecifiedValues,
        "ENUM-VALUE" => EnumValue,
        "PROPERTIES" => Properties,
        "EMBEDDED-VALUE" => EmbeddedValue,
        "SPEC-OBJECT-TYPE" => SpecType(TypeCat::Object),
        "SPEC-RELATION-TYPE" => SpecType(TypeCat::Relation),
        "SPECIFICATION-TYPE" => SpecType(TypeCat::Specification),
        "RELATION-GROUP-TYPE" => SpecType(TypeCat::RelationGroup),
        "SPEC-ATTRIBUTES" => SpecAttributes,
        "TYPE" => Type,
        "DEFAULT-VALUE" => DefaultValue,
        "SPEC-OBJECT" => SpecObject,
        "SPEC-RELATION" => SpecRelation,
        "SPECIFICATION" => Specification,
        "VALUES" => Values,
        "DEFINITION" => Definition,
        "THE-VALUE" => TheValue,
        "SOURCE" => Source,
        "TARGET" => Target,
        "CHILDREN" => Children,
        "SPEC-HIERARCHY" => SpecHierarchy,
        "OBJECT" => Object,
        "ENUM-VALUE-REF" => Ref(RefKind::EnumValue),
        "SPEC-OBJECT-REF" => Ref(RefKind::SpecObject),
        "SPEC-OBJECT-TYPE-REF" | "SPEC-RELATION-TYPE-REF" | "SPECIFICATION-TYPE-REF" => Ref(RefKind::SpecType),
        "SPEC-RELATION-REF" | "SPECIFICATION-REF" | "RELATION-GROUP-TYPE-REF" => Ref(RefKind::Other),
        "TOOL-EXTENSIONS" | "ALTERNATIVE-ID" | "EDITABLE-ATTS" | "THE-ORIGINAL-VALUE" | "SPEC-RELATION-GROUPS" => {
            Skipped
        }
        _ => {
            if let Some(rest) = local.strip_prefix("DATATYPE-DEFINITION-") {
                if rest.strip_suffix("-REF").and_then(VKind::from_suffix).is_some() {
                    return Some(Ref(RefKind::Datatype));
                }
                return Some(VKind::from_suffix(rest).map_or(UnknownDatatype, DatatypeDef));
            }
            if let Some(rest) = local.strip_prefix("ATTRIBUTE-DEFINITION-") {
                if rest.strip_suffix("-REF").and_then(VKind::from_suffix).is_some() {
                    return Some(Ref(RefKind::AttributeDefinition));
                }
                return VKind::from_suffix(rest).map(AttributeDef);
            }
            if let Some(rest) = local.strip_prefix("ATTRIBUTE-VALUE-") {
                return VKind::from_suffix(rest).map(AttributeValue);
            }
            return None;
        }
    })
}

/// The attributes of an element that the reader uses.
#[derive(Default)]
struct Attrs {
    identifier: Option<String>,
    long_name: Option<String>,
    /// `LAST-CHANGE`, kept only when it is not an `xsd:dateTime` (to warn about it).
    bad_last_change: Option<String>,
    the_value: Option<String>,
}

struct DatatypeInfo {
    kind: VKind,
}

struct AttrDefInfo {
    /// `LONG-NAME`, or the `IDENTIFIER` when there is none.
    name: String,
    kind: VKind,
    field: Option<(Field, u16)>,
    default: Option<String>,
    /// Defined on a `SPEC-OBJECT-TYPE` (the attributes a user maps with `--map-attr`).
    on_objects: bool,
    /// Spec objects that hold a non-blank value of it.
    filled: usize,
}

struct SpecTypeInfo {
    name: String,
    /// Attribute definitions of this type that have a default value.
    defaults: Vec<usize>,
}

/// Where a value belongs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueOwner {
    Element,
    Default,
}

struct ValueCtx {
    kind: VKind,
    owner: ValueOwner,
    the_value: Option<String>,
    definition: Option<String>,
    enum_refs: Vec<String>,
    xhtml: Option<String>,
    /// The XHTML holds only objects (images, OLE): how many, and the files of the first few.
    only_objects: Option<(u32, Vec<String>)>,
    line: u64,
}

/// An attribute value of the element being read: a definition index, or the unknown
/// definition's identifier.
enum ValueTarget {
    Def(usize),
    Unknown(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ElementCat {
    Object,
    Relation,
    Specification,
}

struct ElementCtx {
    cat: ElementCat,
    identifier: String,
    long_name: Option<String>,
    line: u64,
    type_ref: Option<String>,
    source: Option<String>,
    target: Option<String>,
}

/// XHTML being rendered inside one `THE-VALUE`.
struct XhtmlCtx {
    /// Depth of the `THE-VALUE` element.
    base: usize,
    text: XhtmlText,
    top_level_elements: u32,
    stray_text: bool,
    warned_namespace: bool,
    warned_elements: Vec<String>,
}

/// A node of a specification tree, resolved after all files are read.
struct Node {
    spec: usize,
    parent: Option<usize>,
    object: Option<String>,
    identifier: String,
    line: u64,
    file: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Requirement(usize),
    Heading(usize),
}

/// Per-file reading state.
struct FileCtx {
    name: String,
    file_index: usize,
    stack: Vec<Tag>,
    /// Stack depth at which a skipped subtree started.
    skip_from: Option<usize>,
    root_seen: bool,
    /// Elements are unqualified (a lenient reading of a file without the ReqIF namespace).
    no_namespace: bool,
    namespaces: Namespaces,
    text: String,
    collecting: bool,
    header: Option<ImportedHeader>,
    header_line: u64,
    datatype: Option<(String, VKind)>,
    enum_value: Option<(String, String)>,
    spec_type: Option<(String, TypeCat, String, Vec<usize>)>,
    attr_def: Option<(usize, Option<String>, u64)>,
    element: Option<ElementCtx>,
    values: Vec<(ValueTarget, String)>,
    value: Option<ValueCtx>,
    xhtml: Option<XhtmlCtx>,
    spec: Option<usize>,
    /// Open hierarchy nodes (indices into `State::nodes`).
    nodes: Vec<usize>,
}

pub(crate) struct State<'o> {
    opts: &'o ImportOptions,
    hasher: RandomState,
    /// Fingerprints of identifiers seen (a keyed hash, so hostile input cannot force
    /// collisions): finds duplicates without keeping every identifier.
    ids: HashSet<u64, BuildHasherDefault<PreHashed>>,
    datatypes: HashMap<String, DatatypeInfo>,
    enum_values: HashMap<String, String>,
    attr_defs: Vec<AttrDefInfo>,
    attr_index: HashMap<String, usize>,
    spec_types: HashMap<String, SpecTypeInfo>,
    objects: HashMap<String, Slot>,
    nodes: Vec<Node>,
    files: Vec<String>,
    doc: ImportedDocument,
    relation_files: Vec<usize>,
    suppressed_warnings: usize,
    /// Estimated bytes the document holds so far (values, identifiers and a fixed cost per
    /// element), held to [`crate::Limits::max_document_bytes`].
    kept: u64,
}

/// Estimated fixed cost of one kept element (its structs, map nodes and vector slots).
const ELEMENT_COST: u64 = 192;
/// Estimated fixed cost of one kept value or hierarchy node.
const VALUE_COST: u64 = 48;

type Result<T> = std::result::Result<T, ImportError>;

impl<'o> State<'o> {
    pub(crate) fn new(opts: &'o ImportOptions) -> Self {
        State {
            opts,
            hasher: RandomState::new(),
            ids: HashSet::default(),
            datatypes: HashMap::new(),
            enum_values: HashMap::new(),
            attr_defs: Vec::new(),
            attr_index: HashMap::new(),
            spec_types: HashMap::new(),
            objects: HashMap::new(),
            nodes: Vec::new(),
            files: Vec::new(),
            doc: ImportedDocument::default(),
            relation_files: Vec::new(),
            suppressed_warnings: 0,
            kept: 0,
        }
    }

    pub(crate) fn add_attachment(&mut self, name: String) {
        self.doc.attachments.push(name);
    }

    /// Keeps a warning, or past [`crate::Limits::max_warnings`] only counts it: the message
    /// is built only when kept, so that input repeating one fault a billion times costs a
    /// counter increment per fault, not a formatted string.
    fn warn(
        &mut self,
        file: &str,
        line: Option<u64>,
        element: &str,
        identifier: Option<&str>,
        message: impl FnOnce() -> String,
    ) {
        if self.doc.warnings.len() >= self.opts.limits.max_warnings {
            self.suppressed_warnings += 1;
            return;
        }
        let message = message();
        self.doc.warnings.push(Warning {
            file: file.to_owned(),
            line,
            element: element.to_owned(),
            identifier: identifier.map(str::to_owned),
            message,
        });
    }

    /// Reads one XML file (or archive member) into the state.
    pub(crate) fn parse_file<R: BufRead>(&mut self, reader: R, name: &str) -> Result<()> {
        let limits = &self.opts.limits;
        let budget = limits.max_text_bytes as u64 + (64 << 10);
        let mut src = Tracked::new(reader, budget);
        src.mark();
        check_encoding_signature(&mut src, name)?;
        // A plain Reader: the only namespaces that matter (ReqIF, XHTML) are tracked by
        // `Namespaces` while attributes are scanned anyway, which is cheaper than NsReader.
        let mut reader = Reader::from_reader(src);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);

        let file_index = self.files.len();
        self.files.push(name.to_owned());
        let mut ctx = FileCtx {
            name: name.to_owned(),
            file_index,
            stack: Vec::with_capacity(64),
            skip_from: None,
            root_seen: false,
            no_namespace: false,
            namespaces: Namespaces::default(),
            text: String::new(),
            collecting: false,
            header: None,
            header_line: 0,
            datatype: None,
            enum_value: None,
            spec_type: None,
            attr_def: None,
            element: None,
            values: Vec::new(),
            value: None,
            xhtml: None,
            spec: None,
            nodes: Vec::new(),
        };
        let mut buf = Vec::with_capacity(16 << 10);
        loop {
            buf.clear();
            reader.get_mut().mark();
            let event = match reader.read_event_into(&mut buf) {
                Ok(event) => event,
                Err(e) => return Err(xml_error(e, &reader, name)),
            };
            let loc = reader.get_ref().event_location();
            // Raw bytes of tags and text: a forbidden character anywhere makes the file not
            // well-formed. (The `<` of a tag is not in its bytes: one more column.)
            let (raw, skip): (&str, u64) = match &event {
                Event::Start(e) | Event::Empty(e) => (e.as_ref(), 1),
                Event::Text(t) => (t.as_ref(), 0),
                Event::CData(t) => (t.as_ref(), 9),
                _ => ("", 0),
            };
            if self.suppressed_warnings > self.opts.limits.max_faults {
                let message = format!(
                    "more than {} problems (each would be a warning): this is not a usable ReqIF export, and reading \
                     on would only cost time",
                    self.opts.limits.max_faults
                );
                return Err(ImportError::new(ImportErrorKind::LimitExceeded, name, Some(loc), message));
            }
            if let Some((offset, c)) = first_forbidden(raw.as_bytes()) {
                let src = reader.get_ref();
                let at = src.location_of(src.event_start() + skip + offset as u64);
                return Err(forbidden_char(name, at, c, "written raw"));
            }
            match event {
                Event::Start(e) => {
                    self.start(&mut ctx, &e, loc)?;
                }
                Event::Empty(e) => {
                    self.start(&mut ctx, &e, loc)?;
                    self.end(&mut ctx, local_name(&e), loc)?;
                }
                Event::End(e) => {
                    let name: &str = e.name().0;
                    let local = name.rsplit(':').next().unwrap_or(name);
                    self.end(&mut ctx, local, loc)?;
                }
                Event::Text(t) => {
                    let text = t.xml10_content();
                    self.text(&mut ctx, &text, loc)?;
                }
                Event::CData(t) => {
                    let text = t.xml10_content();
                    self.text(&mut ctx, &text, loc)?;
                }
                Event::GeneralRef(r) => {
                    let mut tmp = [0u8; 4];
                    let resolved: &str = if let Some(entity) = resolve_xml_entity(&r) {
                        entity
                    } else {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) if is_forbidden(c) => {
                                return Err(forbidden_char(name, loc, c, "as a character reference"));
                            }
                            Ok(Some(c)) => c.encode_utf8(&mut tmp),
                            Ok(None) => {
                                let message = format!(
                                    "undefined entity `&{};`: only the five predefined XML entities and character references are allowed (DTDs are not read)",
                                    &*r
                                );
                                return Err(ImportError::new(ImportErrorKind::Refused, name, Some(loc), message));
                            }
                            Err(e) => {
                                let message = format!("invalid character reference `&{};`: {e}", &*r);
                                return Err(ImportError::new(ImportErrorKind::Malformed, name, Some(loc), message));
                            }
                        }
                    };
                    self.text(&mut ctx, resolved, loc)?;
                }
                Event::DocType(_) => {
                    let message = "DOCTYPE declarations are refused: ReqIF never needs a DTD, and DTDs enable entity-expansion (billion laughs) and external-entity attacks";
                    return Err(ImportError::new(ImportErrorKind::Refused, name, Some(loc), message));
                }
                Event::Decl(d) => {
                    if let Some(Ok(encoding)) = d.encoding() {
                        let enc = encoding.trim().to_ascii_lowercase();
                        if enc != "utf-8" && enc != "utf8" && enc != "us-ascii" && enc != "ascii" {
                            let message =
                                format!("unsupported encoding `{}`: only UTF-8 ReqIF files are read", encoding.trim());
                            return Err(ImportError::new(ImportErrorKind::Encoding, name, Some(loc), message));
                        }
                    }
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => break,
            }
        }
        if !ctx.stack.is_empty() {
            let loc = reader.get_ref().current_location();
            let message =
                format!("unexpected end of file: {} element(s) still open (the file is truncated?)", ctx.stack.len());
            return Err(ImportError::new(ImportErrorKind::Malformed, name, Some(loc), message));
        }
        if !ctx.root_seen {
            let loc = reader.get_ref().current_location();
            let message = format!("expected a <REQ-IF> root element in namespace {REQIF_NAMESPACE}, found end of file");
            return Err(ImportError::new(ImportErrorKind::NotReqif, name, Some(loc), message));
        }
        Ok(())
    }

    fn start(&mut self, ctx: &mut FileCtx, e: &BytesStart<'_>, loc: Location) -> Result<()> {
        let limits = &self.opts.limits;
        if ctx.stack.len() >= limits.max_depth {
            let message = format!("elements nested deeper than the limit of {}", limits.max_depth);
            return Err(ImportError::new(ImportErrorKind::LimitExceeded, &ctx.name, Some(loc), message));
        }
        let (prefix, local) = split_name(e);
        // Attributes first: they may declare the element's own namespace.
        let extract = ctx.skip_from.is_none() && ctx.xhtml.is_none();
        let attrs =
            scan_attributes(e, extract, &mut ctx.namespaces, ctx.stack.len(), limits.max_attributes, &ctx.name, loc)?;
        let ns = ctx.namespaces.resolve(prefix);

        // Inside a skipped subtree: only keep the stack balanced (and limits enforced).
        if ctx.skip_from.is_some() {
            // Counted so that the caller can say what was not read.
            if local == "RELATION-GROUP" {
                self.doc.relation_groups += 1;
            }
            ctx.stack.push(Tag::Skipped);
            return Ok(());
        }
        // Inside XHTML: render.
        if let Some(x) = ctx.xhtml.as_mut() {
            let line = Some(loc.line);
            let owner = ctx.element.as_ref().map(|el| el.identifier.as_str());
            if ctx.stack.len() == x.base + 1 {
                x.top_level_elements += 1;
                if x.top_level_elements == 2 || (x.top_level_elements == 1 && !matches!(local, "div" | "p")) {
                    let message = || {
                        "THE-VALUE must hold exactly one xhtml:div or xhtml:p; reading the content anyway".to_owned()
                    };
                    self.warn(&ctx.name, line, "THE-VALUE", owner, message);
                }
            }
            if ns != Ns::Xhtml && !x.warned_namespace {
                x.warned_namespace = true;
                let message = || {
                    format!(
                        "<{}> is not in the XHTML namespace {XHTML_NAMESPACE}; reading it as XHTML",
                        e.name().as_ref()
                    )
                };
                self.warn(&ctx.name, line, "THE-VALUE", owner, message);
            }
            if !is_reqif_xhtml_element(local) && !x.warned_elements.iter().any(|w| w == local) {
                x.warned_elements.push(local.to_owned());
                let message = || format!("<{local}> is not in the ReqIF XHTML subset; keeping its text");
                self.warn(&ctx.name, line, "THE-VALUE", owner, message);
            }
            if local == "object" {
                let data = e.try_get_attribute("data").ok().flatten().map(|a| a.value.into_owned());
                x.text.object(data);
            }
            x.text.start(local);
            if x.text.len() > limits.max_text_bytes {
                return Err(text_limit(&ctx.name, loc, limits.max_text_bytes));
            }
            ctx.stack.push(Tag::Xhtml);
            return Ok(());
        }

        // The root element decides the namespace mode.
        if !ctx.root_seen {
            ctx.root_seen = true;
            if local != "REQ-IF" || !matches!(ns, Ns::ReqIf | Ns::None) {
                let found = match ctx.namespaces.uri(prefix) {
                    Some(uri) => format!("<{}> in namespace {uri}", e.name().as_ref()),
                    None => format!("<{}>", e.name().as_ref()),
                };
                let message = format!("expected a <REQ-IF> root element in namespace {REQIF_NAMESPACE}, found {found}");
                return Err(ImportError::new(ImportErrorKind::NotReqif, &ctx.name, Some(loc), message));
            }
            if ns == Ns::None {
                ctx.no_namespace = true;
                let message = || format!("the root element has no namespace; reading it as ReqIF ({REQIF_NAMESPACE})");
                self.warn(&ctx.name, Some(loc.line), "REQ-IF", None, message);
            }
        } else if ctx.stack.is_empty() {
            let message = "a second root element: a ReqIF file holds exactly one <REQ-IF>";
            return Err(ImportError::new(ImportErrorKind::Malformed, &ctx.name, Some(loc), message));
        }

        let in_reqif = ns == Ns::ReqIf || (ctx.no_namespace && ns == Ns::None);
        let tag = if in_reqif { tag_of(local) } else { None };
        let Some(tag) = tag else {
            let parent = ctx.stack.last().copied();
            let message = || {
                if in_reqif {
                    format!("unknown element <{local}>; skipped")
                } else {
                    format!("element <{}> from another namespace outside TOOL-EXTENSIONS; skipped", e.name().as_ref())
                }
            };
            if parent != Some(Tag::Skipped) {
                self.warn(&ctx.name, Some(loc.line), local, None, message);
            }
            ctx.skip_from = Some(ctx.stack.len());
            ctx.stack.push(Tag::Skipped);
            return Ok(());
        };
        let line = loc.line;
        if let Some(id) = &attrs.identifier {
            self.check_identifier(ctx, local, id, &attrs, line);
        }
        match tag {
            Tag::Skipped => {
                if local == "TOOL-EXTENSIONS" {
                    self.doc.tool_extensions += 1;
                }
                ctx.skip_from = Some(ctx.stack.len());
            }
            Tag::ReqIfHeader => {
                ctx.header = Some(ImportedHeader {
                    source: ctx.name.clone(),
                    identifier: attrs.identifier.unwrap_or_default(),
                    ..ImportedHeader::default()
                });
                ctx.header_line = line;
            }
            Tag::HeaderField(_) | Tag::Ref(_) => {
                ctx.text.clear();
                ctx.collecting = true;
            }
            Tag::DatatypeDef(kind) => {
                ctx.datatype = attrs.identifier.map(|id| (id, kind));
            }
            Tag::UnknownDatatype => {
                self.warn(&ctx.name, Some(line), local, attrs.identifier.as_deref(), || {
                    "unknown datatype; its attributes are read as strings".to_owned()
                });
                ctx.datatype = attrs.identifier.map(|id| (id, VKind::String));
            }
            Tag::EnumValue => {
                if let Some(id) = attrs.identifier {
                    let name = attrs.long_name.unwrap_or_else(|| id.clone());
                    ctx.enum_value = Some((id, name));
                }
            }
            Tag::EmbeddedValue => {}
            Tag::SpecType(cat) => {
                let id = attrs.identifier.unwrap_or_default();
                let name = attrs.long_name.unwrap_or_else(|| id.clone());
                ctx.spec_type = Some((id, cat, name, Vec::new()));
            }
            Tag::AttributeDef(kind) => {
                let id = attrs.identifier.unwrap_or_default();
                let name = attrs.long_name.unwrap_or_else(|| id.clone());
                let field = self.opts.field_for(&name);
                let index = self.attr_defs.len();
                let on_objects = matches!(ctx.spec_type, Some((_, TypeCat::Object, _, _)));
                self.attr_defs.push(AttrDefInfo { name, kind, field, default: None, on_objects, filled: 0 });
                // A duplicate identifier is reported by `check_identifier`; the later one wins.
                self.attr_index.insert(id, index);
                ctx.attr_def = Some((index, None, line));
            }
            Tag::SpecObject | Tag::SpecRelation | Tag::Specification => {
                let cat = match tag {
                    Tag::SpecObject => ElementCat::Object,
                    Tag::SpecRelation => ElementCat::Relation,
                    _ => ElementCat::Specification,
                };
                let identifier = attrs.identifier.unwrap_or_default();
                if identifier.is_empty() {
                    self.warn(&ctx.name, Some(line), local, None, || {
                        "no IDENTIFIER; the element cannot be referenced".to_owned()
                    });
                }
                ctx.values.clear();
                if cat == ElementCat::Specification {
                    let index = self.doc.specifications.len();
                    self.doc.specifications.push(ImportedSpecification {
                        identifier: identifier.clone(),
                        name: attrs.long_name.clone().unwrap_or_default(),
                        ..ImportedSpecification::default()
                    });
                    ctx.spec = Some(index);
                }
                ctx.element = Some(ElementCtx {
                    cat,
                    identifier,
                    long_name: attrs.long_name,
                    line,
                    type_ref: None,
                    source: None,
                    target: None,
                });
            }
            Tag::AttributeValue(kind) => {
                let owner =
                    if ctx.stack.contains(&Tag::DefaultValue) { ValueOwner::Default } else { ValueOwner::Element };
                ctx.value = Some(ValueCtx {
                    kind,
                    owner,
                    the_value: attrs.the_value,
                    definition: None,
                    enum_refs: Vec::new(),
                    xhtml: None,
                    only_objects: None,
                    line,
                });
            }
            Tag::TheValue => {
                if matches!(ctx.value, Some(ValueCtx { kind: VKind::Xhtml, .. })) {
                    ctx.xhtml = Some(XhtmlCtx {
                        base: ctx.stack.len(),
                        text: XhtmlText::default(),
                        top_level_elements: 0,
                        stray_text: false,
                        warned_namespace: false,
                        warned_elements: Vec::new(),
                    });
                } else {
                    ctx.skip_from = Some(ctx.stack.len());
                }
            }
            Tag::SpecHierarchy => {
                if let Some(spec) = ctx.spec {
                    let index = self.nodes.len();
                    self.nodes.push(Node {
                        spec,
                        parent: ctx.nodes.last().copied(),
                        object: None,
                        identifier: attrs.identifier.unwrap_or_default(),
                        line,
                        file: ctx.file_index,
                    });
                    ctx.nodes.push(index);
                    self.doc.specifications[spec].nodes += 1;
                    self.kept += VALUE_COST;
                    self.check_kept(ctx, loc)?;
                }
            }
            _ => {}
        }
        ctx.stack.push(tag);
        Ok(())
    }

    /// Duplicate, malformed identifiers and bad `LAST-CHANGE` dates are warnings.
    fn check_identifier(&mut self, ctx: &FileCtx, element: &str, id: &str, attrs: &Attrs, line: u64) {
        if !self.ids.insert(self.hasher.hash_one(id)) {
            self.warn(&ctx.name, Some(line), element, Some(id), || {
                "duplicate IDENTIFIER (xsd:ID values must be unique); references to it are ambiguous".to_owned()
            });
        }
        if !is_ncname(id) {
            self.warn(&ctx.name, Some(line), element, Some(id), || {
                "IDENTIFIER is not a valid xsd:ID (an XML name must not start with a digit or contain spaces or colons)"
                    .to_owned()
            });
        }
        if let Some(lc) = &attrs.bad_last_change {
            self.warn(&ctx.name, Some(line), element, Some(id), || {
                format!("LAST-CHANGE `{lc}` is not an xsd:dateTime")
            });
        }
    }

    fn text(&mut self, ctx: &mut FileCtx, text: &str, loc: Location) -> Result<()> {
        if ctx.skip_from.is_some() {
            return Ok(());
        }
        let max = self.opts.limits.max_text_bytes;
        if let Some(x) = ctx.xhtml.as_mut() {
            if ctx.stack.len() == x.base + 1
                && !x.stray_text
                && !text.trim_matches(crate::text::is_xml_space).is_empty()
            {
                x.stray_text = true;
                let message = || {
                    "text directly inside THE-VALUE (it must be wrapped in one xhtml:div); reading it anyway".to_owned()
                };
                x.text.text(text);
                let owner = ctx.element.as_ref().map(|el| el.identifier.as_str());
                self.warn(&ctx.name, Some(loc.line), "THE-VALUE", owner, message);
                return Ok(());
            }
            x.text.text(text);
            if x.text.len() > max {
                return Err(text_limit(&ctx.name, loc, max));
            }
            return Ok(());
        }
        if ctx.collecting {
            if ctx.text.len() + text.len() > max {
                return Err(text_limit(&ctx.name, loc, max));
            }
            ctx.text.push_str(text);
        }
        Ok(())
    }

    fn end(&mut self, ctx: &mut FileCtx, local: &str, loc: Location) -> Result<()> {
        let Some(tag) = ctx.stack.pop() else {
            // quick-xml checks end-tag matching; an end without a start cannot reach here.
            return Ok(());
        };
        let depth = ctx.stack.len();
        ctx.namespaces.pop_to(depth);
        if let Some(from) = ctx.skip_from {
            if depth == from {
                ctx.skip_from = None;
            }
            return Ok(());
        }
        if tag == Tag::Xhtml {
            if let Some(x) = ctx.xhtml.as_mut() {
                x.text.end(local);
            }
            return Ok(());
        }
        let line = loc.line;
        match tag {
            Tag::HeaderField(field) => {
                ctx.collecting = false;
                let value = std::mem::take(&mut ctx.text);
                if let Some(h) = ctx.header.as_mut() {
                    let slot = match field {
                        HeaderField::Comment => &mut h.comment,
                        HeaderField::CreationTime => &mut h.creation_time,
                        HeaderField::RepositoryId => &mut h.repository_id,
                        HeaderField::ReqIfToolId => &mut h.req_if_tool_id,
                        HeaderField::ReqIfVersion => &mut h.req_if_version,
                        HeaderField::SourceToolId => &mut h.source_tool_id,
                        HeaderField::Title => &mut h.title,
                    };
                    *slot = Some(value);
                }
            }
            Tag::ReqIfHeader => self.finish_header(ctx),
            Tag::Ref(kind) => {
                ctx.collecting = false;
                let value = ctx.text.trim().to_owned();
                self.reference(ctx, kind, value, line);
            }
            Tag::DatatypeDef(_) | Tag::UnknownDatatype => {
                if let Some((id, kind)) = ctx.datatype.take() {
                    self.datatypes.insert(id, DatatypeInfo { kind });
                }
            }
            Tag::EnumValue => {
                if let Some((id, name)) = ctx.enum_value.take() {
                    self.enum_values.insert(id, name);
                }
            }
            Tag::AttributeDef(_) => {
                if let Some((index, datatype, def_line)) = ctx.attr_def.take() {
                    let kind = self.attr_defs[index].kind;
                    match datatype.as_deref().map(|d| (d, self.datatypes.get(d).map(|info| info.kind))) {
                        None => {
                            let name = self.attr_defs[index].name.clone();
                            self.warn(&ctx.name, Some(def_line), "ATTRIBUTE-DEFINITION", None, || {
                                format!("attribute `{name}` has no TYPE")
                            });
                        }
                        Some((d, None)) => {
                            let message = || format!("refers to datatype `{d}`, which is not defined");
                            let name = self.attr_defs[index].name.clone();
                            self.warn(&ctx.name, Some(def_line), "ATTRIBUTE-DEFINITION", Some(&name), message);
                        }
                        Some((d, Some(dk))) if dk != kind => {
                            let message = || format!("datatype `{d}` is {dk:?}, the definition is {kind:?}");
                            let name = self.attr_defs[index].name.clone();
                            self.warn(&ctx.name, Some(def_line), "ATTRIBUTE-DEFINITION", Some(&name), message);
                        }
                        _ => {}
                    }
                    if self.attr_defs[index].default.is_some()
                        && let Some(t) = ctx.spec_type.as_mut()
                    {
                        t.3.push(index);
                    }
                }
            }
            Tag::SpecType(_) => {
                if let Some((id, _cat, name, defaults)) = ctx.spec_type.take() {
                    self.spec_types.insert(id, SpecTypeInfo { name, defaults });
                }
            }
            Tag::AttributeValue(_) => self.finish_value(ctx),
            Tag::TheValue => {
                if let Some(mut x) = ctx.xhtml.take()
                    && let Some(v) = ctx.value.as_mut()
                {
                    if x.text.only_objects() {
                        v.only_objects = Some((x.text.object_count, std::mem::take(&mut x.text.object_data)));
                    }
                    v.xhtml = Some(x.text.finish());
                }
            }
            Tag::SpecObject | Tag::SpecRelation | Tag::Specification => {
                self.finish_element(ctx);
                self.check_kept(ctx, loc)?;
            }
            Tag::SpecHierarchy if ctx.spec.is_some() => {
                ctx.nodes.pop();
            }
            _ => {}
        }
        Ok(())
    }

    /// A `*-REF` element closed: attach its text to whatever it belongs to.
    fn reference(&mut self, ctx: &mut FileCtx, kind: RefKind, value: String, line: u64) {
        let parent = ctx.stack.last().copied();
        let grandparent = ctx.stack.len().checked_sub(2).map(|i| ctx.stack[i]);
        match (kind, parent, grandparent) {
            (RefKind::Datatype, Some(Tag::Type), Some(Tag::AttributeDef(_))) => {
                if let Some(def) = ctx.attr_def.as_mut() {
                    def.1 = Some(value);
                }
            }
            (RefKind::AttributeDefinition, Some(Tag::Definition), _) => {
                if let Some(v) = ctx.value.as_mut() {
                    v.definition = Some(value);
                }
            }
            (RefKind::EnumValue, Some(Tag::Values), Some(Tag::AttributeValue(_))) => {
                if let Some(v) = ctx.value.as_mut() {
                    v.enum_refs.push(value);
                }
            }
            (RefKind::SpecType, Some(Tag::Type), Some(Tag::SpecObject | Tag::SpecRelation | Tag::Specification)) => {
                if let Some(el) = ctx.element.as_mut() {
                    el.type_ref = Some(value);
                }
            }
            (RefKind::SpecObject, Some(Tag::Source), Some(Tag::SpecRelation)) => {
                if let Some(el) = ctx.element.as_mut() {
                    el.source = Some(value);
                }
            }
            (RefKind::SpecObject, Some(Tag::Target), Some(Tag::SpecRelation)) => {
                if let Some(el) = ctx.element.as_mut() {
                    el.target = Some(value);
                }
            }
            (RefKind::SpecObject, Some(Tag::Object), Some(Tag::SpecHierarchy)) => {
                if let Some(&node) = ctx.nodes.last() {
                    self.nodes[node].object = Some(value);
                }
            }
            (RefKind::Other, _, _) => {}
            _ => {
                let message = || format!("reference `{value}` in an unexpected place; ignored");
                self.warn(&ctx.name, Some(line), "REF", None, message);
            }
        }
    }

    fn finish_header(&mut self, ctx: &mut FileCtx) {
        let Some(header) = ctx.header.take() else { return };
        let line = Some(ctx.header_line);
        let id = Some(header.identifier.as_str()).filter(|s| !s.is_empty());
        let mut problems = Vec::new();
        for (value, name) in [
            (&header.creation_time, "CREATION-TIME"),
            (&header.req_if_tool_id, "REQ-IF-TOOL-ID"),
            (&header.req_if_version, "REQ-IF-VERSION"),
            (&header.source_tool_id, "SOURCE-TOOL-ID"),
            (&header.title, "TITLE"),
        ] {
            if value.is_none() {
                problems.push(format!("required {name} is missing"));
            }
        }
        if let Some(v) = &header.req_if_version
            && v.trim() != "1.0"
        {
            let v = v.trim();
            problems.push(format!(
                "REQ-IF-VERSION is `{v}`; the schema fixes it to `1.0` (for ReqIF 1.0.1, 1.1 and 1.2 alike)"
            ));
        }
        if let Some(t) = &header.creation_time
            && !is_xsd_datetime(t.trim())
        {
            problems.push(format!("CREATION-TIME `{}` is not an xsd:dateTime", t.trim()));
        }
        let name = ctx.name.clone();
        let id = id.map(str::to_owned);
        for p in problems {
            self.warn(&name, line, "REQ-IF-HEADER", id.as_deref(), || p);
        }
        self.doc.headers.push(header);
    }

    /// An `ATTRIBUTE-VALUE-*` closed: resolve it and hand it to its owner.
    fn finish_value(&mut self, ctx: &mut FileCtx) {
        let Some(v) = ctx.value.take() else { return };
        let element_name = value_element_name(v.kind);
        let element_id = ctx.element.as_ref().map(|e| e.identifier.clone());
        let target = match v.definition.as_deref() {
            None => {
                self.warn(&ctx.name, Some(v.line), element_name, element_id.as_deref(), || {
                    "value without DEFINITION; ignored".to_owned()
                });
                return;
            }
            Some(def) => match self.attr_index.get(def) {
                Some(&i) => {
                    let def_kind = self.attr_defs[i].kind;
                    if def_kind != v.kind {
                        let name = self.attr_defs[i].name.clone();
                        let kind = v.kind;
                        let message = move || {
                            format!("value of kind {kind:?} for attribute `{name}` of kind {def_kind:?}; read as text")
                        };
                        self.warn(&ctx.name, Some(v.line), element_name, element_id.as_deref(), message);
                    }
                    ValueTarget::Def(i)
                }
                None => {
                    let message = || {
                        format!("refers to attribute definition `{def}`, which is not defined; kept under that name")
                    };
                    self.warn(&ctx.name, Some(v.line), element_name, element_id.as_deref(), message);
                    ValueTarget::Unknown(def.to_owned())
                }
            },
        };
        if let Some((count, files)) = &v.only_objects {
            let name = match &target {
                ValueTarget::Def(i) => self.attr_defs[*i].name.clone(),
                ValueTarget::Unknown(id) => id.clone(),
            };
            let alt = v.xhtml.as_deref().unwrap_or_default().trim().to_owned();
            let count = *count;
            let files = files.join(", ");
            self.warn(&ctx.name, Some(v.line), element_name, element_id.as_deref(), move || {
                let what = if count == 1 {
                    "an image or OLE object".to_owned()
                } else {
                    format!("{count} images or OLE objects")
                };
                let alt = if alt.is_empty() {
                    "it has no alternative text, so the value is empty".to_owned()
                } else {
                    format!("its alternative text `{alt}` is kept as the value")
                };
                format!("`{name}` holds only {what} ({files}) and no text: {alt}")
            });
        }
        let text = match v.kind {
            VKind::Xhtml => v.xhtml.unwrap_or_default(),
            VKind::Enumeration => {
                let mut names = Vec::with_capacity(v.enum_refs.len());
                for r in &v.enum_refs {
                    match self.enum_values.get(r) {
                        Some(name) => names.push(name.clone()),
                        None => {
                            let message =
                                || format!("refers to enumeration value `{r}`, which is not defined; kept as is");
                            self.warn(&ctx.name, Some(v.line), element_name, element_id.as_deref(), message);
                            names.push(r.clone());
                        }
                    }
                }
                names.join(", ")
            }
            kind => {
                let Some(value) = v.the_value else {
                    self.warn(&ctx.name, Some(v.line), element_name, element_id.as_deref(), || {
                        "THE-VALUE is missing; ignored".to_owned()
                    });
                    return;
                };
                if kind == VKind::Date && !is_xsd_datetime(value.trim()) {
                    let message = || format!("date `{value}` is not an xsd:dateTime; kept as text");
                    self.warn(&ctx.name, Some(v.line), element_name, element_id.as_deref(), message);
                }
                value
            }
        };
        match v.owner {
            ValueOwner::Default => {
                if let (ValueTarget::Def(i), Some((def, _, _))) = (&target, ctx.attr_def.as_ref())
                    && *i == *def
                {
                    self.attr_defs[*i].default = Some(text);
                }
            }
            ValueOwner::Element => {
                if ctx.element.is_some() {
                    ctx.values.push((target, text));
                }
            }
        }
    }

    /// A `SPEC-OBJECT`, `SPEC-RELATION` or `SPECIFICATION` closed.
    fn finish_element(&mut self, ctx: &mut FileCtx) {
        let Some(el) = ctx.element.take() else { return };
        let mut values = std::mem::take(&mut ctx.values);
        let tag_name = match el.cat {
            ElementCat::Object => "SPEC-OBJECT",
            ElementCat::Relation => "SPEC-RELATION",
            ElementCat::Specification => "SPECIFICATION",
        };
        let type_info = match el.type_ref.as_deref() {
            None => {
                self.warn(&ctx.name, Some(el.line), tag_name, Some(&el.identifier), || "no TYPE".to_owned());
                None
            }
            Some(t) => match self.spec_types.get(t) {
                Some(info) => Some(info),
                None => {
                    let message = || format!("refers to type `{t}`, which is not defined");
                    self.warn(&ctx.name, Some(el.line), tag_name, Some(&el.identifier), message);
                    None
                }
            },
        };
        let type_name = type_info.map(|t| t.name.clone()).or(el.type_ref.clone()).unwrap_or_default();
        // Defaults of the type fill the attributes the element leaves out.
        if let Some(info) = el.type_ref.as_deref().and_then(|t| self.spec_types.get(t)) {
            for &d in &info.defaults {
                let present = values.iter().any(|(t, _)| matches!(t, ValueTarget::Def(i) if *i == d));
                if !present && let Some(default) = &self.attr_defs[d].default {
                    values.push((ValueTarget::Def(d), default.clone()));
                }
            }
        }

        self.kept += ELEMENT_COST
            + el.identifier.len() as u64
            + values.iter().map(|(_, v)| VALUE_COST + v.len() as u64).sum::<u64>();
        match el.cat {
            ElementCat::Object => self.finish_object(el, type_name, values),
            ElementCat::Relation => {
                let attributes = self.attributes_of(values);
                let source = el.source.unwrap_or_default();
                let target = el.target.unwrap_or_default();
                if source.is_empty() || target.is_empty() {
                    self.warn(&ctx.name, Some(el.line), tag_name, Some(&el.identifier), || {
                        "SOURCE or TARGET is missing".to_owned()
                    });
                }
                self.doc.relations.push(ImportedRelation {
                    identifier: el.identifier,
                    relation_type: type_name,
                    source,
                    target,
                    attributes,
                    line: el.line,
                });
                self.relation_files.push(ctx.file_index);
            }
            ElementCat::Specification => {
                if let Some(spec) = ctx.spec.take() {
                    let title = values
                        .iter()
                        .filter_map(|(t, v)| match t {
                            ValueTarget::Def(i) => {
                                self.attr_defs[*i].field.filter(|(f, _)| *f == Field::Title).map(|(_, p)| (p, v))
                            }
                            ValueTarget::Unknown(_) => None,
                        })
                        .min_by_key(|(p, _)| *p)
                        .map(|(_, v)| v.clone());
                    let attributes = self.attributes_of(values);
                    let s = &mut self.doc.specifications[spec];
                    s.specification_type = type_name;
                    s.attributes = attributes;
                    if s.name.is_empty() {
                        s.name = title.filter(|t| !t.is_empty()).unwrap_or_else(|| el.identifier.clone());
                    }
                }
                ctx.nodes.clear();
            }
        }
    }

    fn finish_object(&mut self, el: ElementCtx, object_type: String, values: Vec<(ValueTarget, String)>) {
        // Best value per field: lowest priority number wins, first in file order on ties.
        let mut best: [Option<(u16, usize)>; 7] = [None; 7];
        let mut satisfies = Vec::new();
        let mut verified_by = Vec::new();
        let mut taken = vec![false; values.len()];
        for (i, (target, value)) in values.iter().enumerate() {
            let ValueTarget::Def(d) = target else { continue };
            if !value.trim().is_empty() {
                self.attr_defs[*d].filled += 1;
            }
            let Some((field, prio)) = self.attr_defs[*d].field else { continue };
            match field {
                Field::Satisfies => {
                    satisfies.extend(split_list(value));
                    taken[i] = true;
                }
                Field::VerifiedBy => {
                    verified_by.extend(split_list(value));
                    taken[i] = true;
                }
                _ => {
                    let slot = &mut best[field.index()];
                    if slot.is_none_or(|(p, _)| prio < p) {
                        *slot = Some((prio, i));
                    }
                }
            }
        }
        for (_, i) in best.iter().flatten() {
            taken[*i] = true;
        }
        let mut values: Vec<Option<(ValueTarget, String)>> = values.into_iter().map(Some).collect();
        let mut take = |field: Field| -> Option<String> {
            best[field.index()].and_then(|(_, i)| values[i].take()).map(|(_, v)| v)
        };
        let foreign_id = take(Field::Id).map(|s| s.trim().to_owned());
        let title = take(Field::Title);
        let text = take(Field::Text);
        let status = take(Field::Status);
        let chapter = take(Field::Heading);
        let rest: Vec<(ValueTarget, String)> =
            values.into_iter().zip(taken).filter(|(_, t)| !t).filter_map(|(v, _)| v).collect();

        let has = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        // The type's name decides first: ProR's "Headline", Polarion's "Heading", a
        // "Chapter" or "Section" type are structure; a "... Requirement" type never is.
        // Otherwise ReqIF.ChapterName marks a heading, except where a tool uses it for the
        // object's summary (Simulink Requirements) or writes it as the title of real
        // requirements that also carry their own text and a foreign id (Polarion).
        let is_heading = match type_role(&object_type) {
            TypeRole::Heading => true,
            TypeRole::Requirement => false,
            TypeRole::Unknown => has(&chapter) && !(has(&text) && has(&foreign_id)) && !self.chapter_is_summary(),
        };
        let identifier = el.identifier;
        if is_heading {
            let index = self.doc.headings.len();
            self.objects.entry(identifier.clone()).or_insert(Slot::Heading(index));
            // A heading type without ReqIF.ChapterName names itself by its title or text.
            let heading_title = [chapter, title, text].into_iter().flatten().find(|t| !t.trim().is_empty());
            let attributes = self.attributes_of(rest);
            self.doc.headings.push(ImportedHeading {
                identifier,
                foreign_id,
                title: heading_title.or(el.long_name).unwrap_or_default().trim().to_owned(),
                object_type,
                specification: None,
                chapter_path: Vec::new(),
                attributes,
                line: el.line,
            });
        } else {
            let attributes = self.attributes_of(rest);
            // A title attribute that is present wins even when empty (an untitled requirement
            // stays untitled); only without one do the chapter name and LONG-NAME stand in.
            let title = title.or_else(|| chapter.filter(|t| !t.trim().is_empty())).or(el.long_name).unwrap_or_default();
            let index = self.doc.requirements.len();
            self.objects.entry(identifier.clone()).or_insert(Slot::Requirement(index));
            self.doc.requirements.push(ImportedRequirement {
                identifier,
                foreign_id,
                title: title.trim().to_owned(),
                text: text.unwrap_or_default(),
                status: status.map(|s| s.trim().to_owned()),
                satisfies,
                verified_by,
                object_type,
                specification: None,
                chapter_path: Vec::new(),
                parent: None,
                attributes,
                line: el.line,
            });
        }
    }

    /// Refuses to hold more than the document budget: memory stays a small multiple of it
    /// (the caller copies values once or twice more on their way out), whatever the archive's
    /// expansion ratio or the number of elements.
    fn check_kept(&self, ctx: &FileCtx, loc: Location) -> Result<()> {
        let max = self.opts.limits.max_document_bytes;
        if self.kept <= max {
            return Ok(());
        }
        let message = format!(
            "the document holds more than the limit of {} MiB of elements and values (memory bound); \
             split the export, or raise Limits::max_document_bytes",
            max >> 20
        );
        Err(ImportError::new(ImportErrorKind::LimitExceeded, &ctx.name, Some(loc), message))
    }

    /// Whether the file's tool writes `ReqIF.ChapterName` as every object's summary rather
    /// than as a heading mark (Simulink Requirements does).
    fn chapter_is_summary(&self) -> bool {
        self.doc.headers.last().is_some_and(|h| {
            [&h.source_tool_id, &h.req_if_tool_id]
                .into_iter()
                .flatten()
                .any(|t| t.to_ascii_lowercase().contains("simulink"))
        })
    }

    fn attributes_of(&self, values: Vec<(ValueTarget, String)>) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        for (target, value) in values {
            let name = match target {
                ValueTarget::Def(i) => self.attr_defs[i].name.clone(),
                ValueTarget::Unknown(id) => id,
            };
            map.entry(name).or_insert(value);
        }
        map
    }

    /// Resolves cross-references, orders the result and returns it.
    pub(crate) fn finish(mut self) -> ImportedDocument {
        // Specification trees: place every object at its first occurrence.
        let mut placed_req: Vec<Option<(usize, usize)>> = vec![None; self.doc.requirements.len()];
        let mut placed_head: Vec<Option<(usize, usize)>> = vec![None; self.doc.headings.len()];
        let nodes = std::mem::take(&mut self.nodes);
        let mut node_slot: Vec<Option<Slot>> = Vec::with_capacity(nodes.len());
        for (n, node) in nodes.iter().enumerate() {
            let slot = node.object.as_deref().and_then(|o| self.objects.get(o).copied());
            node_slot.push(slot);
            let Some(slot) = slot else {
                let file = self.files.get(node.file).cloned().unwrap_or_default();
                let message = || match &node.object {
                    Some(o) => format!("refers to spec object `{o}`, which is not defined; node skipped"),
                    None => "no OBJECT; node skipped".to_owned(),
                };
                let id = Some(node.identifier.as_str()).filter(|s| !s.is_empty()).map(str::to_owned);
                self.warn(&file, Some(node.line), "SPEC-HIERARCHY", id.as_deref(), message);
                continue;
            };
            // Walk up: heading titles form the chapter path, the nearest requirement is the parent.
            let mut path = Vec::new();
            let mut parent_req = None;
            let mut up = node.parent;
            let mut guard = 0;
            while let Some(p) = up {
                guard += 1;
                if guard > self.opts.limits.max_depth {
                    break;
                }
                match node_slot.get(p).copied().flatten() {
                    Some(Slot::Heading(h)) => path.push(self.doc.headings[h].title.clone()),
                    Some(Slot::Requirement(r)) if parent_req.is_none() => {
                        parent_req = Some(self.doc.requirements[r].identifier.clone())
                    }
                    _ => {}
                }
                up = nodes[p].parent;
            }
            path.reverse();
            let spec_name = self.doc.specifications.get(node.spec).map(|s| s.name.clone());
            match slot {
                Slot::Requirement(r) if placed_req[r].is_none() => {
                    placed_req[r] = Some((node.spec, n));
                    let req = &mut self.doc.requirements[r];
                    req.specification = spec_name;
                    req.chapter_path = path;
                    req.parent = parent_req;
                }
                Slot::Heading(h) if placed_head[h].is_none() => {
                    placed_head[h] = Some((node.spec, n));
                    let head = &mut self.doc.headings[h];
                    head.specification = spec_name;
                    head.chapter_path = path;
                }
                _ => self.doc.repeated_nodes.push((node.identifier.clone(), node.line)),
            }
        }

        // Relations: both ends must be objects of the document.
        let relations = std::mem::take(&mut self.doc.relations);
        for (i, rel) in relations.iter().enumerate() {
            let file = self.relation_files.get(i).and_then(|&f| self.files.get(f)).cloned().unwrap_or_default();
            for (end, value) in [("source", &rel.source), ("target", &rel.target)] {
                if !value.is_empty() && !self.objects.contains_key(value.as_str()) {
                    let message =
                        || format!("{end} `{value}` is not a spec object of this document (dangling reference)");
                    self.warn(&file, Some(rel.line), "SPEC-RELATION", Some(&rel.identifier), message);
                }
            }
        }
        self.doc.relations = relations;

        // Reading order: placed objects by (specification, node), then the rest in file order.
        sort_by_placement(&mut self.doc.requirements, &placed_req);
        sort_by_placement(&mut self.doc.headings, &placed_head);

        let mut fill: BTreeMap<&str, usize> = BTreeMap::new();
        for def in self.attr_defs.iter().filter(|d| d.on_objects) {
            *fill.entry(def.name.as_str()).or_default() += def.filled;
        }
        self.doc.object_attributes = fill.into_iter().map(|(name, n)| (name.to_owned(), n)).collect();

        if self.suppressed_warnings > 0 {
            let message = format!(
                "{} more warning(s) not shown (limit {})",
                self.suppressed_warnings, self.opts.limits.max_warnings
            );
            self.doc.warnings.push(Warning {
                file: self.files.first().cloned().unwrap_or_default(),
                line: None,
                element: "REQ-IF".to_owned(),
                identifier: None,
                message,
            });
        }
        self.doc
    }
}

/// What a spec-object type's name says about its objects.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TypeRole {
    Heading,
    Requirement,
    Unknown,
}

fn type_role(name: &str) -> TypeRole {
    let lower = name.to_lowercase();
    let word = |w: &str| lower.split(|c: char| !c.is_alphanumeric()).any(|part| part == w);
    if word("heading") || word("headline") || word("chapter") || word("section") || word("headings") {
        TypeRole::Heading
    } else if word("requirement") || word("requirements") {
        TypeRole::Requirement
    } else {
        TypeRole::Unknown
    }
}

fn sort_by_placement<T>(items: &mut Vec<T>, placement: &[Option<(usize, usize)>]) {
    let mut keyed: Vec<((bool, usize, usize, usize), T)> = std::mem::take(items)
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let key = match placement.get(i).copied().flatten() {
                Some((spec, node)) => (false, spec, node, i),
                None => (true, 0, 0, i),
            };
            (key, item)
        })
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    items.extend(keyed.into_iter().map(|(_, item)| item));
}

/// Splits a list attribute (satisfies, verified by) on commas, semicolons and new lines.
fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn value_element_name(kind: VKind) -> &'static str {
    match kind {
        VKind::String => "ATTRIBUTE-VALUE-STRING",
        VKind::Xhtml => "ATTRIBUTE-VALUE-XHTML",
        VKind::Enumeration => "ATTRIBUTE-VALUE-ENUMERATION",
        VKind::Integer => "ATTRIBUTE-VALUE-INTEGER",
        VKind::Real => "ATTRIBUTE-VALUE-REAL",
        VKind::Date => "ATTRIBUTE-VALUE-DATE",
        VKind::Boolean => "ATTRIBUTE-VALUE-BOOLEAN",
    }
}

/// The namespace of an element, reduced to what the reader distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ns {
    ReqIf,
    Xhtml,
    None,
    Other,
}

struct Binding {
    depth: usize,
    prefix: String,
    uri: String,
    ns: Ns,
}

/// In-scope namespace declarations (`xmlns`, `xmlns:p`), innermost last.
#[derive(Default)]
struct Namespaces {
    bindings: Vec<Binding>,
}

impl Namespaces {
    fn bind(&mut self, depth: usize, prefix: &str, uri: &str) {
        let ns = match uri {
            REQIF_NAMESPACE => Ns::ReqIf,
            XHTML_NAMESPACE => Ns::Xhtml,
            // `xmlns=""` undeclares the default namespace.
            "" => Ns::None,
            _ => Ns::Other,
        };
        self.bindings.push(Binding { depth, prefix: prefix.to_owned(), uri: uri.to_owned(), ns });
    }

    fn binding(&self, prefix: &str) -> Option<&Binding> {
        // Unprefixed names are most of a file: compare lengths first, so that the empty
        // prefix never reaches a `memcmp` call (which costs more than the rest of the
        // element when a file is a flood of tiny elements).
        self.bindings.iter().rev().find(|b| b.prefix.len() == prefix.len() && (prefix.is_empty() || b.prefix == prefix))
    }

    /// An unprefixed name without a default namespace is `None`; an undeclared prefix is
    /// `Other` (its element is not ReqIF, whatever its local name).
    fn resolve(&self, prefix: &str) -> Ns {
        match self.binding(prefix) {
            Some(b) => b.ns,
            None if prefix.is_empty() => Ns::None,
            None => Ns::Other,
        }
    }

    fn uri(&self, prefix: &str) -> Option<&str> {
        self.binding(prefix).map(|b| b.uri.as_str()).filter(|u| !u.is_empty())
    }

    /// Drops the declarations of elements at `depth` and deeper (they just closed).
    fn pop_to(&mut self, depth: usize) {
        while self.bindings.last().is_some_and(|b| b.depth >= depth) {
            self.bindings.pop();
        }
    }
}

/// Splits `prefix:local` (prefix empty when there is none).
fn split_name<'a>(e: &'a BytesStart<'_>) -> (&'a str, &'a str) {
    let name: &str = e.name().0;
    match name.find(':') {
        Some(i) => (&name[..i], &name[i + 1..]),
        None => ("", name),
    }
}

fn local_name<'a>(e: &'a BytesStart<'_>) -> &'a str {
    split_name(e).1
}

fn forbidden_char(file: &str, at: Location, c: char, how: &str) -> ImportError {
    let message = format!(
        "character {} ({how}) is not allowed in XML 1.0: the file is not well-formed (remove it, or write it as text)",
        describe(c)
    );
    ImportError::new(ImportErrorKind::Malformed, file, Some(at), message)
}

fn attribute_limit(file: &str, loc: Location, max: usize) -> ImportError {
    ImportError::new(
        ImportErrorKind::LimitExceeded,
        file,
        Some(loc),
        format!("an element has more than the limit of {max} attributes"),
    )
}

fn text_limit(file: &str, loc: Location, max: usize) -> ImportError {
    ImportError::new(
        ImportErrorKind::LimitExceeded,
        file,
        Some(loc),
        format!("a text value is larger than the limit of {max} bytes"),
    )
}

/// One pass over an element's attributes: enforces the count limit, records namespace
/// declarations, and (when `extract`) returns the attributes the reader uses.
fn scan_attributes(
    e: &BytesStart<'_>,
    extract: bool,
    namespaces: &mut Namespaces,
    depth: usize,
    max: usize,
    file: &str,
    loc: Location,
) -> Result<Attrs> {
    let mut attrs = Attrs::default();
    let mut n = 0;
    for a in e.attributes() {
        let a = a.map_err(|err| {
            ImportError::new(ImportErrorKind::Malformed, file, Some(loc), format!("invalid attribute: {err}"))
        })?;
        n += 1;
        if n > max {
            return Err(attribute_limit(file, loc, max));
        }
        let key = a.key.0;
        let namespace_prefix = if key == "xmlns" { Some("") } else { key.strip_prefix("xmlns:") };
        let slot = match key {
            _ if namespace_prefix.is_some() => None,
            "IDENTIFIER" if extract => Some(&mut attrs.identifier),
            "LONG-NAME" if extract => Some(&mut attrs.long_name),
            "LAST-CHANGE" if extract => Some(&mut attrs.bad_last_change),
            "THE-VALUE" if extract => Some(&mut attrs.the_value),
            _ => continue,
        };
        let value = a.normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity).map_err(|err| {
            let kind = if matches!(err, XmlError::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(..))) {
                ImportErrorKind::Refused
            } else {
                ImportErrorKind::Malformed
            };
            let message = format!(
                "attribute {key}: {err} (only the five predefined XML entities and character references are allowed)"
            );
            ImportError::new(kind, file, Some(loc), message)
        })?;
        // Raw forbidden bytes were refused with the whole tag; a character reference can
        // still bring one in.
        if let Some(c) = value.chars().find(|&c| is_forbidden(c)) {
            return Err(forbidden_char(file, loc, c, &format!("in attribute {key}, as a character reference")));
        }
        if let Some(prefix) = namespace_prefix {
            namespaces.bind(depth, prefix, value.trim());
            continue;
        }
        // Every identifiable element has a LAST-CHANGE: check it here instead of copying it.
        if key == "LAST-CHANGE" && is_xsd_datetime(&value) {
            continue;
        }
        if let Some(slot) = slot {
            *slot = Some(value.into_owned());
        }
    }
    Ok(attrs)
}

/// Refuses UTF-16/32 input up front with a clear message (the parser would only see
/// invalid UTF-8).
fn check_encoding_signature<R: BufRead>(src: &mut Tracked<R>, name: &str) -> Result<()> {
    let head = match src.fill_buf() {
        Ok(head) => head,
        Err(e) => {
            return Err(
                ImportError::new(ImportErrorKind::Io, name, None, format!("cannot read the file: {e}")).with_source(e)
            );
        }
    };
    let utf16 = head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || head.starts_with(&[0, b'<'])
        || head.starts_with(&[b'<', 0]);
    if utf16 {
        let message = "the file is UTF-16 (or UTF-32): only UTF-8 ReqIF files are read; re-export it as UTF-8";
        return Err(ImportError::new(ImportErrorKind::Encoding, name, Some(Location { line: 1, column: 1 }), message));
    }
    Ok(())
}

/// Maps a quick-xml error to a typed error with line and column.
fn xml_error<R: BufRead>(e: XmlError, reader: &Reader<Tracked<R>>, name: &str) -> ImportError {
    let src = reader.get_ref();
    if src.budget_exceeded {
        let loc = src.event_location();
        let message = "one XML token (a tag with its attributes, or a run of text) is larger than the size limit";
        return ImportError::new(ImportErrorKind::LimitExceeded, name, Some(loc), message);
    }
    let loc = src.location_of(reader.error_position());
    let (kind, message) = match &e {
        XmlError::Io(io) => (ImportErrorKind::Io, format!("read error: {io}")),
        XmlError::Syntax(s) => (ImportErrorKind::Malformed, format!("malformed XML: {s}")),
        XmlError::IllFormed(quick_xml::errors::IllFormedError::MismatchedEndTag { expected, found }) => {
            (ImportErrorKind::Malformed, format!("malformed XML: expected </{expected}>, found </{found}>"))
        }
        XmlError::IllFormed(quick_xml::errors::IllFormedError::UnmatchedEndTag(tag)) => {
            (ImportErrorKind::Malformed, format!("malformed XML: </{tag}> closes no open element"))
        }
        XmlError::IllFormed(i) => (ImportErrorKind::Malformed, format!("malformed XML: {i}")),
        XmlError::Encoding(enc) => {
            (ImportErrorKind::Encoding, format!("the file is not valid UTF-8 ({enc}); only UTF-8 ReqIF files are read"))
        }
        XmlError::InvalidAttr(a) => (ImportErrorKind::Malformed, format!("malformed XML attribute: {a}")),
        XmlError::Escape(esc) => (ImportErrorKind::Malformed, format!("malformed reference: {esc}")),
        XmlError::Namespace(ns) => (ImportErrorKind::Malformed, format!("namespace error: {ns}")),
    };
    ImportError::new(kind, name, Some(loc), message).with_source(e)
}
