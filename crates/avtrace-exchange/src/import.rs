//! An imported ReqIF document as an avtrace program file.

use std::collections::{BTreeMap, HashSet};

use avtrace_catalog::{ProgramFile, ProgramHeader, RequirementEntry};
use avtrace_model::{Catalog, RequirementStatus};
use avtrace_reqif::{Endpoint, ImportedDocument};

/// What an import produced: the program file and what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOutcome {
    /// The program, ready to be written with [`ProgramFile::to_toml`].
    pub program: ProgramFile,
    /// Problems that were tolerated, each naming the object and line they concern.
    pub warnings: Vec<String>,
    /// Spec objects recognised as catalog clauses (an avtrace export carries them), which
    /// are not requirements.
    pub clauses: usize,
    /// Headings: structure, not requirements.
    pub headings: usize,
}

/// Turns an imported document into a program: every requirement with its id, title, text,
/// status and evidence, and `satisfies` links from the relations whose target is a catalog
/// clause (and from any attribute mapped to `satisfies`). Spec objects that are themselves
/// catalog clauses are set aside. Nothing is dropped silently: ids made unique, links that
/// name no clause of `catalog` and relations ignored all become warnings.
pub fn program_from_reqif(mut doc: ImportedDocument, catalog: &Catalog, fallback_name: &str) -> ImportOutcome {
    let is_clause = |s: &str| catalog.clause_by_ref(s.trim()).is_ok();
    doc.separate_clauses(is_clause);
    let mut warnings: Vec<String> = doc.warnings.iter().map(ToString::to_string).collect();

    // Links from relations, by the requirement's IDENTIFIER.
    let mut links: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for resolved in doc.resolve_relations(is_clause) {
        match (resolved.source, resolved.target) {
            (Endpoint::Requirement(r), Endpoint::Clause(clause)) => {
                links.entry(r.identifier.as_str()).or_default().push(clause.trim().to_owned())
            }
            (Endpoint::Clause(_), Endpoint::Requirement(r)) => warnings.push(format!(
                "relation {} (line {}) runs from a clause to requirement {}; only links from a requirement \
                 to a clause become `satisfies`",
                resolved.relation.identifier,
                resolved.relation.line,
                r.id()
            )),
            _ => {}
        }
    }

    let mut seen: HashSet<String> = HashSet::with_capacity(doc.requirements.len());
    let mut requirements = Vec::with_capacity(doc.requirements.len());
    for r in &doc.requirements {
        let mut id = r.id().trim().to_owned();
        if id.is_empty() {
            id = r.identifier.clone();
        }
        if !seen.insert(id.clone()) {
            let unique = (2..).map(|n| format!("{id}~{n}")).find(|c| !seen.contains(c)).unwrap_or_default();
            warnings.push(format!(
                "requirement id `{id}` (spec object {}, line {}) is used twice; imported as `{unique}`",
                r.identifier, r.line
            ));
            seen.insert(unique.clone());
            id = unique;
        }
        let mut satisfies: Vec<String> = Vec::new();
        let from_attributes = r.satisfies.iter().map(|s| s.trim().to_owned());
        let from_relations = links.get(r.identifier.as_str()).into_iter().flatten().cloned();
        for reference in from_attributes.chain(from_relations) {
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
        let mut source = r.specification.clone().unwrap_or_default();
        if !r.chapter_path.is_empty() {
            if !source.is_empty() {
                source.push_str(" / ");
            }
            source.push_str(&r.chapter_path.join(" / "));
        }
        let id_for_status = id.clone();
        requirements.push(RequirementEntry {
            id,
            title: r.title.trim().to_owned(),
            text: r.text.clone(),
            status: r.status.as_deref().filter(|s| !s.trim().is_empty()).map(|word| match status_of(word) {
                Some(status) => status.as_str().to_owned(),
                None => {
                    warnings.push(format!(
                        "requirement `{id_for_status}` (line {}): status `{word}` has no avtrace equivalent \
                         ({}); written as `draft`, which counts",
                        r.line,
                        RequirementStatus::WORDS.join(", ")
                    ));
                    RequirementStatus::Draft.as_str().to_owned()
                }
            }),
            satisfies,
            verified_by: r.verified_by.clone(),
            source: (!source.is_empty()).then_some(source),
        });
    }
    let name = doc
        .header()
        .and_then(|h| h.title.clone())
        .map(|t| t.trim_end_matches(": requirements and trace").to_owned())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| fallback_name.to_owned());
    ImportOutcome {
        program: ProgramFile { program: ProgramHeader { name, ..ProgramHeader::default() }, requirements },
        warnings,
        clauses: doc.clauses.len(),
        headings: doc.headings.len(),
    }
}

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
