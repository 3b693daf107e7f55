//! An imported ReqIF document as an avtrace program file.

use std::collections::{BTreeMap, HashMap, HashSet};

use avtrace_catalog::{EvidenceEntry, LinkEntry, MarketEntry, ProgramFile, ProgramHeader, RequirementEntry};
use avtrace_model::{Catalog, RequirementStatus};
use avtrace_reqif::{Endpoint, ImportedDocument, ImportedRequirement, names};

use crate::export::ExportNames;

/// How many examples (element id and line) a loss report names per entry.
pub const LOSS_EXAMPLES: usize = 5;

/// What kind of ReqIF element a loss concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LossKind {
    /// `SPEC-RELATION`s.
    Relations,
    /// Attribute values.
    Attributes,
    /// `SPEC-OBJECT`s that are not requirements.
    Objects,
    /// Members of a `.reqifz` that are not ReqIF.
    Attachments,
}

impl LossKind {
    /// The word used in reports: `relations`, `attributes`, `objects`, `attachments`.
    pub fn as_str(self) -> &'static str {
        match self {
            LossKind::Relations => "relations",
            LossKind::Attributes => "attributes",
            LossKind::Objects => "objects",
            LossKind::Attachments => "attachments",
        }
    }
}

/// One line of a loss report: elements of one kind not kept, for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    /// What kind of element.
    pub kind: LossKind,
    /// Why they were not kept (or where they went instead).
    pub reason: String,
    /// How many.
    pub count: usize,
    /// The first few: the element's `IDENTIFIER` (or name) and its line, when known.
    pub examples: Vec<(String, Option<u64>)>,
}

/// Everything an import did not keep, per kind and reason, in the order first met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LossReport {
    /// The entries.
    pub entries: Vec<Loss>,
}

impl LossReport {
    /// Counts one element under `kind` and `reason`.
    pub fn add(&mut self, kind: LossKind, reason: &str, id: &str, line: Option<u64>) {
        let entry = match self.entries.iter().position(|e| e.kind == kind && e.reason == reason) {
            Some(i) => &mut self.entries[i],
            None => {
                self.entries.push(Loss { kind, reason: reason.to_owned(), count: 0, examples: Vec::new() });
                let last = self.entries.len() - 1;
                &mut self.entries[last]
            }
        };
        entry.count += 1;
        if entry.examples.len() < LOSS_EXAMPLES {
            entry.examples.push((id.to_owned(), line));
        }
    }

    /// The total of one kind.
    pub fn count(&self, kind: LossKind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).map(|e| e.count).sum()
    }

    /// Whether nothing was lost.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries sorted by kind (relations, attributes, objects, attachments), then in
    /// the order first met.
    pub fn sorted(&self) -> Vec<&Loss> {
        let mut out: Vec<&Loss> = self.entries.iter().collect();
        out.sort_by_key(|e| e.kind);
        out
    }
}

/// Where the module prefix of requirement ids comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdPrefix {
    /// Only when the same id occurs in two specifications (modules), as DOORS classic's
    /// per-module numbers do: then every id of a specification gets its module's name.
    #[default]
    Auto,
    /// Always: every id gets the name of the specification (module) that shows it.
    Module,
    /// Never: colliding ids are made unique with `~2`, `~3`, and a warning each.
    None,
}

/// How to turn a ReqIF document into a program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramOptions {
    /// The name to use when the file has no title.
    pub fallback_name: String,
    /// `TYPE=KIND` overrides: relations of type `TYPE` (its long name) become links of kind
    /// `KIND`.
    pub relation_kinds: Vec<(String, String)>,
    /// The attributes the user mapped (`--map-attr`): each must exist in the file.
    pub mapped_attributes: Vec<String>,
    /// Module prefixes of ids.
    pub id_prefix: IdPrefix,
}

/// Why a document cannot become a program: an id the program format cannot hold, or a
/// mapping that names an attribute the file does not have. Names the element's line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ProgramError {
    /// Line of the element in the input, when there is one.
    pub line: Option<u64>,
    /// What is wrong and what to do.
    pub message: String,
}

/// What an import produced: the program file and what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOutcome {
    /// The program, ready to be written with [`ProgramFile::to_toml`].
    pub program: ProgramFile,
    /// Problems that were tolerated, each naming the object and line they concern.
    pub warnings: Vec<String>,
    /// What was not kept, counted.
    pub losses: LossReport,
    /// Spec objects recognised as catalog clauses (an avtrace export carries them), which
    /// are not requirements.
    pub clauses: usize,
    /// Headings: structure, not requirements.
    pub headings: usize,
    /// Requirements whose title was made from the first sentence of their text.
    pub titles_from_text: usize,
}

/// Turns an imported document into a program: requirements with id, title, text, status,
/// `parent` from the specification tree, typed `links` from relations between requirements,
/// `satisfies` from relations to catalog clauses (and attributes mapped to `satisfies`),
/// every other attribute as `attrs`; evidence records, and the program's context when the
/// file is avtrace's own export. Whatever is not kept is counted in
/// [`ImportOutcome::losses`].
pub fn program_from_reqif(
    mut doc: ImportedDocument,
    catalog: &Catalog,
    options: &ProgramOptions,
) -> Result<ImportOutcome, ProgramError> {
    for mapped in &options.mapped_attributes {
        let known = doc.object_attributes.iter().any(|(name, _)| name.trim().eq_ignore_ascii_case(mapped.trim()));
        if !known {
            let names: Vec<String> = doc.object_attributes.iter().map(|(n, count)| format!("{n} ({count})")).collect();
            return Err(ProgramError {
                line: None,
                message: format!(
                    "--map-attr names `{mapped}`, which no spec-object type of the file defines; its attributes \
                     (objects holding a value) are: {}",
                    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
                ),
            });
        }
    }
    let is_clause = |s: &str| catalog.clause_by_ref(s.trim()).is_ok();
    doc.separate_clauses(is_clause);
    let mut warnings: Vec<String> = doc.warnings.iter().map(ToString::to_string).collect();
    let mut losses = LossReport::default();

    // Evidence records of an avtrace export are spec objects of their own type.
    let (evidence_objects, requirements): (Vec<_>, Vec<_>) =
        std::mem::take(&mut doc.requirements).into_iter().partition(|r| r.object_type == ExportNames::EVIDENCE_TYPE);
    doc.requirements = requirements;
    let evidence = evidence_objects.iter().map(evidence_entry).collect::<Result<Vec<_>, _>>()?;

    let ids = requirement_ids(&doc, options.id_prefix, &mut warnings)?;
    let id_of: HashMap<&str, usize> =
        doc.requirements.iter().enumerate().map(|(i, r)| (r.identifier.as_str(), i)).collect();

    // Relations: satisfies (to clauses) and links (between requirements), by requirement.
    let mut satisfies_of: Vec<Vec<String>> = vec![Vec::new(); doc.requirements.len()];
    let mut links_of: Vec<Vec<LinkEntry>> = vec![Vec::new(); doc.requirements.len()];
    let overrides: HashMap<String, &str> =
        options.relation_kinds.iter().map(|(t, k)| (t.trim().to_lowercase(), k.as_str())).collect();
    for resolved in doc.resolve_relations(is_clause) {
        let rel = resolved.relation;
        let line = Some(rel.line);
        match (resolved.source, resolved.target) {
            (Endpoint::Requirement(r), Endpoint::Clause(clause)) => {
                if let Some(&i) = id_of.get(r.identifier.as_str()) {
                    satisfies_of[i].push(clause.trim().to_owned());
                }
            }
            (Endpoint::Requirement(from), Endpoint::Requirement(to)) => {
                let (Some(&i), Some(&j)) = (id_of.get(from.identifier.as_str()), id_of.get(to.identifier.as_str()))
                else {
                    continue;
                };
                let written = rel.relation_type.trim();
                let kind = match overrides.get(&written.to_lowercase()) {
                    Some(kind) => (*kind).to_owned(),
                    None => written.strip_prefix(ExportNames::LINK_PREFIX).unwrap_or(written).to_owned(),
                };
                if i == j {
                    losses.add(
                        LossKind::Relations,
                        "from a requirement to itself (a program's links join two requirements)",
                        &rel.identifier,
                        line,
                    );
                    continue;
                }
                if kind.is_empty() {
                    losses.add(
                        LossKind::Relations,
                        "between requirements, without a type to name the link's kind (give one with --map-relation)",
                        &rel.identifier,
                        line,
                    );
                    continue;
                }
                let link = LinkEntry { kind, to: ids[j].clone() };
                if links_of[i].contains(&link) {
                    losses.add(LossKind::Relations, "the same link written twice (kept once)", &rel.identifier, line);
                    continue;
                }
                links_of[i].push(link);
                for name in rel.attributes.keys() {
                    losses.add(
                        LossKind::Attributes,
                        &format!("`{name}` on a relation: a link carries only its kind"),
                        &rel.identifier,
                        line,
                    );
                }
            }
            (Endpoint::Clause(_), Endpoint::Clause(_)) => losses.add(
                LossKind::Relations,
                "between catalog clauses (references and mappings are the catalog's)",
                &rel.identifier,
                line,
            ),
            (Endpoint::Clause(_), Endpoint::Requirement(_)) => losses.add(
                LossKind::Relations,
                "from a catalog clause to a requirement (only a requirement satisfies a clause)",
                &rel.identifier,
                line,
            ),
            (Endpoint::Heading(_), _) | (_, Endpoint::Heading(_)) => losses.add(
                LossKind::Relations,
                "to or from a heading (headings are not requirements)",
                &rel.identifier,
                line,
            ),
            (Endpoint::Unresolved(_), _) | (_, Endpoint::Unresolved(_)) => losses.add(
                LossKind::Relations,
                "an end is not a requirement of the file (dangling, or an object set aside)",
                &rel.identifier,
                line,
            ),
        }
    }

    // Structure that is not a requirement.
    let mut clause_headings = 0;
    for h in &doc.headings {
        // avtrace exports the catalog's headings as heading objects: they are clauses.
        if let Some(clause) = h.foreign_id.as_deref().filter(|id| is_clause(id)) {
            clause_headings += 1;
            losses.add(LossKind::Objects, "catalog clauses (the catalog holds them)", clause, Some(h.line));
            continue;
        }
        losses.add(
            LossKind::Objects,
            "headings: their titles become the `source` section path of the requirements beneath",
            h.foreign_id.as_deref().unwrap_or(&h.identifier),
            Some(h.line),
        );
        for name in h.attributes.keys().filter(|n| !is_heading_structure(n)) {
            losses.add(
                LossKind::Attributes,
                "attributes of headings (a section path has none)",
                &format!("{} `{name}`", h.identifier),
                Some(h.line),
            );
        }
    }
    for c in &doc.clauses {
        losses.add(LossKind::Objects, "catalog clauses (the catalog holds them)", c.id(), Some(c.line));
    }
    for (node, line) in &doc.repeated_nodes {
        losses.add(
            LossKind::Objects,
            "hierarchy nodes showing an object a second time (it keeps its first place and parent)",
            node,
            Some(*line),
        );
    }
    for _ in 0..doc.relation_groups {
        losses.add(
            LossKind::Relations,
            "relation groups (their relations are read; the grouping is not)",
            "RELATION-GROUP",
            None,
        );
    }
    for _ in 0..doc.tool_extensions {
        losses.add(LossKind::Objects, "TOOL-EXTENSIONS (tool-specific data) are not read", "TOOL-EXTENSIONS", None);
    }
    for a in &doc.attachments {
        losses.add(LossKind::Attachments, "files in the archive (images, OLE objects) are not imported", a, None);
    }

    // Program context: from avtrace's own requirements specification, else only a name.
    let mut header = ProgramHeader::default();
    let mut own_context = false;
    for spec in &doc.specifications {
        if spec.attributes.contains_key(ExportNames::PROGRAM) {
            own_context = true;
            header = context_of(&spec.attributes, catalog, &mut warnings);
            continue;
        }
        for name in spec.attributes.keys() {
            losses.add(
                LossKind::Attributes,
                "attributes of specifications (modules): only their names travel, in `source`",
                &format!("{} `{name}`", spec.identifier),
                None,
            );
        }
    }
    if header.name.trim().is_empty() {
        header.name = doc
            .header()
            .and_then(|h| h.title.clone())
            .map(|t| t.trim_end_matches(": requirements and trace").to_owned())
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| options.fallback_name.clone());
    }

    let mut titles_from_text = 0;
    let no_context = !own_context;
    let empty_hint_fill = std::mem::take(&mut doc.object_attributes);
    let clauses = doc.clauses.len() + clause_headings;
    let headings = doc.headings.len() - clause_headings;
    // Values move from the document into the program: an import holds each once.
    let parents: Vec<Option<usize>> =
        doc.requirements.iter().map(|r| r.parent.as_deref().and_then(|p| id_of.get(p).copied())).collect();
    drop(id_of);
    let imported = std::mem::take(&mut doc.requirements);
    drop(doc);
    let mut requirements = Vec::with_capacity(imported.len());
    for (i, r) in imported.into_iter().enumerate() {
        let id = ids[i].clone();
        let own = r.object_type == ExportNames::REQUIREMENT_TYPE;
        let mut satisfies: Vec<String> = Vec::new();
        let from_attributes = r.satisfies.iter().map(|s| s.trim().to_owned());
        for reference in from_attributes.chain(std::mem::take(&mut satisfies_of[i])) {
            if reference.is_empty() || satisfies.contains(&reference) {
                continue;
            }
            match catalog.clause_by_ref(&reference) {
                Ok(clause) => {
                    let canonical = catalog.clause_name(clause);
                    if !satisfies.contains(&canonical) {
                        satisfies.push(canonical);
                    }
                }
                Err(err) => warnings.push(format!(
                    "requirement `{id}` (line {}): `{reference}` is not a clause of the catalog ({err}); link dropped",
                    r.line
                )),
            }
        }
        let mut attrs = BTreeMap::new();
        let mut source = None;
        for (name, value) in r.attributes {
            match name.as_str() {
                ExportNames::SOURCE => source = Some(value),
                ExportNames::VERIFICATION => losses.add(
                    LossKind::Attributes,
                    "`avtrace.Verification`: computed from evidence, recomputed by every trace",
                    &id,
                    Some(r.line),
                ),
                _ if name.trim().is_empty() => {
                    losses.add(LossKind::Attributes, "an attribute without a name", &id, Some(r.line))
                }
                _ => {
                    let key = match name.strip_prefix(ExportNames::ATTR_PREFIX) {
                        Some(key) => key.to_owned(),
                        None => name,
                    };
                    attrs.insert(key, value);
                }
            }
        }
        if source.is_none() && !own {
            let mut path = r.specification.clone().unwrap_or_default();
            if !r.chapter_path.is_empty() {
                if !path.is_empty() {
                    path.push_str(" / ");
                }
                path.push_str(&r.chapter_path.join(" / "));
            }
            source = (!path.is_empty()).then_some(path);
        }
        let mut title = r.title.trim().to_owned();
        // Tools that export no title (DOORS text objects, Simulink summaries left empty):
        // the first sentence reads as one. avtrace's own untitled requirements stay so.
        if title.is_empty() && !own {
            title = first_sentence(&r.text);
            if !title.is_empty() {
                titles_from_text += 1;
            }
        }
        let status = r.status.as_deref().filter(|s| !s.trim().is_empty()).map(|word| match status_of(word) {
            Some(status) => status.as_str().to_owned(),
            None => {
                warnings.push(format!(
                    "requirement `{id}` (line {}): status `{word}` has no avtrace equivalent ({}); written as \
                     `draft`, which counts",
                    r.line,
                    RequirementStatus::WORDS.join(", ")
                ));
                RequirementStatus::Draft.as_str().to_owned()
            }
        });
        let parent = parents[i].map(|p| ids[p].clone());
        requirements.push(RequirementEntry {
            id,
            title,
            text: r.text,
            status,
            parent,
            links: std::mem::take(&mut links_of[i]),
            attrs,
            satisfies,
            verified_by: r.verified_by,
            source,
        });
    }
    if no_context && let Some(warning) = empty_content(&empty_hint_fill, &requirements) {
        warnings.push(warning);
    }
    Ok(ImportOutcome {
        program: ProgramFile { program: header, requirements, evidence },
        warnings,
        losses,
        clauses,
        headings,
        titles_from_text,
    })
}

/// Attributes that make a heading what it is (kept as its title), not lost with it.
fn is_heading_structure(name: &str) -> bool {
    [names::CHAPTER_NAME, names::FOREIGN_ID, names::NAME, names::TEXT].iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// An id the program format can hold: not blank, no surrounding space, no control
/// character (the loader's rule, checked here so that the error names the input).
fn check_id(what: &str, id: &str, identifier: &str, line: u64) -> Result<(), ProgramError> {
    if !id.is_empty() && id.trim() == id && !id.chars().any(char::is_control) {
        return Ok(());
    }
    Err(ProgramError {
        line: Some(line),
        message: format!(
            "{what} id {id:?} (spec object {identifier}) is blank or holds a control character such as a line \
             break, which a program id cannot; map another attribute to the id with --map-attr ATTR=id"
        ),
    })
}

fn evidence_entry(r: &ImportedRequirement) -> Result<EvidenceEntry, ProgramError> {
    let id = r.id().trim().to_owned();
    check_id("evidence", &id, &r.identifier, r.line)?;
    let get = |name: &str| r.attributes.get(name).filter(|v| !v.is_empty()).cloned();
    Ok(EvidenceEntry {
        id,
        kind: get(ExportNames::EVIDENCE_KIND),
        title: r.title.clone(),
        uri: get(ExportNames::URI),
        junit: get(ExportNames::JUNIT),
        result: get(ExportNames::RESULT),
    })
}

/// The final id of every requirement, in order: its foreign id (else `IDENTIFIER`), with the
/// module prefix `options` ask for, made unique.
fn requirement_ids(
    doc: &ImportedDocument,
    prefix: IdPrefix,
    warnings: &mut Vec<String>,
) -> Result<Vec<String>, ProgramError> {
    let base: Vec<String> = doc
        .requirements
        .iter()
        .map(|r| {
            let id = r.id().trim();
            if id.is_empty() { r.identifier.clone() } else { id.to_owned() }
        })
        .collect();
    fn module(r: &ImportedRequirement) -> Option<&str> {
        r.specification.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let use_prefix = match prefix {
        IdPrefix::Module => true,
        IdPrefix::None => false,
        IdPrefix::Auto => {
            // Ids that two modules both use: per-module numbering (DOORS classic).
            let mut first_module: HashMap<&str, Option<&str>> = HashMap::new();
            let mut across = 0usize;
            for (r, id) in doc.requirements.iter().zip(&base) {
                match first_module.get(id.as_str()) {
                    Some(m) if *m != module(r) => across += 1,
                    Some(_) => {}
                    None => {
                        first_module.insert(id, module(r));
                    }
                }
            }
            if across > 0 {
                warnings.push(format!(
                    "{across} requirement id(s) occur in more than one specification (module): every id is \
                     prefixed with its module's name (`--id-prefix-from none` keeps them and renames repeats)"
                ));
            }
            across > 0
        }
    };
    let mut seen: HashSet<String> = HashSet::with_capacity(base.len());
    let mut out = Vec::with_capacity(base.len());
    for (r, id) in doc.requirements.iter().zip(base) {
        let mut id = match module(r) {
            Some(m) if use_prefix => format!("{}-{id}", m.split_whitespace().collect::<Vec<_>>().join("-")),
            _ => id,
        };
        check_id("requirement", &id, &r.identifier, r.line)?;
        if !seen.insert(id.clone()) {
            let unique = (2..).map(|n| format!("{id}~{n}")).find(|c| !seen.contains(c)).unwrap_or_default();
            warnings.push(format!(
                "requirement id `{id}` (spec object {}, line {}) is used twice; imported as `{unique}`",
                r.identifier, r.line
            ));
            seen.insert(unique.clone());
            id = unique;
        }
        out.push(id);
    }
    Ok(out)
}

/// The program context avtrace's export writes on its requirements specification.
fn context_of(attributes: &BTreeMap<String, String>, catalog: &Catalog, warnings: &mut Vec<String>) -> ProgramHeader {
    let lines = |name: &str| -> Vec<String> {
        attributes
            .get(name)
            .map(|v| v.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let mut markets = Vec::new();
    for line in lines(ExportNames::MARKETS) {
        let mut parts = line.split_whitespace();
        let (Some(id), Some(sop)) = (parts.next(), parts.next()) else {
            warnings.push(format!("program market `{line}` is not `MARKET SOP`; dropped"));
            continue;
        };
        if catalog.market_by_id(id).is_none() {
            warnings.push(format!("program market `{id}` is not a market of the catalog; dropped"));
            continue;
        }
        markets.push(MarketEntry { id: id.to_owned(), sop: sop.to_owned() });
    }
    let text = |name: &str| attributes.get(name).filter(|v| !v.is_empty()).cloned();
    ProgramHeader {
        name: text(ExportNames::PROGRAM).unwrap_or_default(),
        description: text(names::DESCRIPTION),
        revision: text(ExportNames::REVISION),
        categories: lines(ExportNames::CATEGORIES),
        features: lines(ExportNames::FEATURES),
        markets,
    }
}

/// The first sentence of `text`, on one line, at most 120 characters (cut at a word).
pub fn first_sentence(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    let end = line
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?' | '。')
                && line[i + c.len_utf8()..].chars().next().is_none_or(char::is_whitespace)
        })
        .map_or(line.len(), |(i, c)| i + c.len_utf8());
    let sentence = line[..end].trim_end_matches(['.', '。']).trim();
    const MAX: usize = 120;
    if sentence.chars().count() <= MAX {
        return sentence.to_owned();
    }
    let cut: String = sentence.chars().take(MAX).collect();
    let at_word = cut.rfind(char::is_whitespace).filter(|&i| i > MAX / 2).map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end())
}

/// When most requirements came out without text or title, the attributes of the file with
/// how many objects hold each, so that the user can map the right ones.
fn empty_content(object_attributes: &[(String, usize)], requirements: &[RequirementEntry]) -> Option<String> {
    let n = requirements.len();
    if n == 0 {
        return None;
    }
    let no_text = requirements.iter().filter(|r| r.text.trim().is_empty()).count();
    let no_title = requirements.iter().filter(|r| r.title.trim().is_empty()).count();
    if no_text * 2 <= n && no_title * 2 <= n {
        return None;
    }
    let mut fill: Vec<&(String, usize)> = object_attributes.iter().filter(|(_, count)| *count > 0).collect();
    fill.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let listed: Vec<String> = fill.iter().map(|(name, count)| format!("{name} ({count})")).collect();
    let example = fill
        .iter()
        .find(|(name, _)| !name.starts_with("ReqIF.") && !DEFAULT_NAMES.iter().any(|d| d.eq_ignore_ascii_case(name)))
        .map(|(name, _)| name.as_str())
        .unwrap_or("ATTR");
    Some(format!(
        "{no_text} of {n} requirements have no text and {no_title} no title: the file keeps them in attributes \
         with other names. Attributes of the file (objects holding a value): {}. Map them, e.g. \
         --map-attr \"{example}=text\"",
        if listed.is_empty() { "none holds a value".to_owned() } else { listed.join(", ") }
    ))
}

/// Attribute names the default mapping already reads.
const DEFAULT_NAMES: &[&str] = &[
    names::FOREIGN_ID,
    names::NAME,
    names::TEXT,
    names::CHAPTER_NAME,
    names::FOREIGN_STATE,
    "ID",
    "Name",
    "Title",
    "Object Text",
    "Description",
    "Text",
    "Status",
];

/// The avtrace status a tool's status word stands for: avtrace's own words, and the
/// common words of DOORS, Polarion, Codebeamer and ReqIF Studio workflows. `None` for a
/// word with no clear equivalent, which the caller reports.
pub fn status_of(word: &str) -> Option<RequirementStatus> {
    let normal: String =
        word.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '_' { '-' } else { c }).collect();
    if let Ok(status) = RequirementStatus::parse(&normal) {
        return Some(status);
    }
    Some(match normal.as_str() {
        "new" | "open" | "in-work" | "in-progress" | "work-in-progress" | "wip" | "initial" => RequirementStatus::Draft,
        "in-review" | "review" | "under-review" | "for-review" | "submitted" | "pending" => RequirementStatus::Proposed,
        "accepted" | "agreed" | "released" | "baselined" | "valid" | "reviewed" => RequirementStatus::Approved,
        "done" | "verified" | "realized" | "realised" => RequirementStatus::Implemented,
        "declined" | "refused" | "invalid" => RequirementStatus::Rejected,
        "deprecated" | "withdrawn" | "retired" | "superseded" | "deleted" | "removed" => RequirementStatus::Obsolete,
        _ => return None,
    })
}
