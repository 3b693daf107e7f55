//! A program and its trace as a ReqIF document.

use std::collections::BTreeSet;

use avtrace_graph::{ClauseGraph, EdgeKind};
use avtrace_model::{Catalog, ClauseIx, ClauseKind, InstrumentIx, Program};
use avtrace_reqif::{
    AttributeDef, AttributeKind, AttributeValue, Enumeration, ExportDocument, Header, HierarchyEntry, Schema,
    SpecObject, SpecRelation, Specification, TypeDef, Value, names,
};
use avtrace_trace::{Status, Trace};

/// The names avtrace gives its objects in ReqIF; the importer reads them back.
#[derive(Debug, Clone, Copy)]
pub struct ExportNames;

impl ExportNames {
    /// Spec-object type of a program requirement.
    pub const REQUIREMENT_TYPE: &'static str = "avtrace Requirement";
    /// Spec-object type of a catalog clause.
    pub const CLAUSE_TYPE: &'static str = "avtrace Clause";
    /// Relation type: a requirement satisfies a clause.
    pub const SATISFIES: &'static str = "avtrace.Satisfies";
    /// Relation type: a clause normatively cites another.
    pub const CITES: &'static str = "avtrace.Cites";
    /// Relation type: a clause relates to another by a mapping.
    pub const MAPS_TO: &'static str = "avtrace.MapsTo";
    /// Requirement attribute: the evidence that verifies it, one per line.
    pub const VERIFIED_BY: &'static str = "avtrace.VerifiedBy";
    /// Attribute: where a requirement, clause or mapping came from.
    pub const SOURCE: &'static str = "avtrace.Source";
    /// Clause attribute: its kind.
    pub const CLAUSE_KIND: &'static str = "avtrace.ClauseKind";
    /// Clause attribute: the catalog's confidence.
    pub const CONFIDENCE: &'static str = "avtrace.Confidence";
    /// Clause attribute: the markets where it is an obligation.
    pub const OBLIGED_IN: &'static str = "avtrace.ObligedIn";
    /// Mapping attribute: the relation (`equal`, `subset`, ...).
    pub const RELATION: &'static str = "avtrace.Relation";
    /// Mapping attribute: `map`, `adoption IDT`, `adoption MOD`.
    pub const BASIS: &'static str = "avtrace.Basis";
    /// Prefix of the per-market coverage attributes (`avtrace.Coverage.EU`).
    pub const COVERAGE_PREFIX: &'static str = "avtrace.Coverage.";
    /// The verification state of a requirement: passed, failed, claimed or none.
    pub const VERIFICATION: &'static str = "avtrace.Verification";
    /// Prefix of a program attribute whose key would clash with another attribute's name.
    pub const ATTR_PREFIX: &'static str = "avtrace.Attr.";
    /// Prefix of a link kind whose name would clash with a relation type avtrace uses.
    pub const LINK_PREFIX: &'static str = "avtrace.Link.";
    /// Spec-object type of an evidence record.
    pub const EVIDENCE_TYPE: &'static str = "avtrace Evidence";
    /// Evidence attribute: its kind (`test`, `analysis`, ...).
    pub const EVIDENCE_KIND: &'static str = "avtrace.EvidenceKind";
    /// Evidence attribute: where it lives.
    pub const URI: &'static str = "avtrace.Uri";
    /// Evidence attribute: its JUnit name.
    pub const JUNIT: &'static str = "avtrace.JUnit";
    /// Evidence attribute: its result (`passed`, `failed`, `not-run`).
    pub const RESULT: &'static str = "avtrace.Result";
    /// Specification attribute of the requirements: the program's name.
    pub const PROGRAM: &'static str = "avtrace.Program";
    /// Specification attribute: the program's revision.
    pub const REVISION: &'static str = "avtrace.Revision";
    /// Specification attribute: the vehicle categories, one per line.
    pub const CATEGORIES: &'static str = "avtrace.Categories";
    /// Specification attribute: the features, one per line.
    pub const FEATURES: &'static str = "avtrace.Features";
    /// Specification attribute: the target markets, one `MARKET SOP` per line.
    pub const MARKETS: &'static str = "avtrace.Markets";
}

const STATUS_ENUM: &str = "avtrace Requirement status";
const KIND_ENUM: &str = "avtrace Clause kind";
const TRACE_ENUM: &str = "avtrace Trace status";
const MARKET_ENUM: &str = "avtrace Market";
const CONFIDENCE_ENUM: &str = "avtrace Confidence";
const NOT_OBLIGED: &str = "not obliged";
const SPEC_TYPE: &str = "avtrace Specification";
const PROGRAM_SPEC_TYPE: &str = "avtrace Program";

fn evidence_key(id: &str) -> String {
    format!("evidence/{id}")
}

/// The relation type a link kind is exported as: the kind itself, so that another tool
/// shows "refines" or "depends-on", unless that is a name avtrace uses for its own
/// relations.
pub fn link_type_name(kind: &str) -> String {
    let reserved = kind.starts_with("avtrace.") || kind.starts_with("ReqIF.");
    if reserved { format!("{}{kind}", ExportNames::LINK_PREFIX) } else { kind.to_owned() }
}

/// The requirements in pre-order of their tree (roots and siblings in program order), each
/// with its depth. Iterative: a chain of a million parents does not overflow the stack.
fn requirement_tree(program: &Program) -> Vec<(usize, usize)> {
    let n = program.requirements.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, r) in program.requirements.iter().enumerate() {
        match r.parent {
            Some(p) if p.index() < n => children[p.index()].push(i),
            _ => roots.push(i),
        }
    }
    let mut out = Vec::with_capacity(n);
    let mut stack: Vec<(usize, usize)> = roots.into_iter().rev().map(|r| (r, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        out.push((i, depth));
        stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
    }
    out
}

fn requirement_key(id: &str) -> String {
    format!("requirement/{id}")
}

fn clause_key(catalog: &Catalog, clause: ClauseIx) -> String {
    format!("clause/{}", catalog.clause_name(clause))
}

/// The clauses a trace touches: every obligation of a traced market, every clause a
/// requirement satisfies, every clause on a chain, and the clauses above them (so that each
/// instrument's specification keeps its hierarchy). Sorted by index.
fn touched_clauses(catalog: &Catalog, program: &Program, trace: &Trace) -> Vec<ClauseIx> {
    let mut touched = vec![false; catalog.clauses.len()];
    let mut mark = |c: ClauseIx| touched[c.index()] = true;
    for (clause, coverage) in trace.covered_clauses() {
        mark(clause);
        for step in coverage.chain.iter().flat_map(|c| &c.steps) {
            mark(step.from);
            mark(step.to);
        }
    }
    for r in &program.requirements {
        r.satisfies.iter().copied().for_each(&mut mark);
    }
    for i in 0..touched.len() {
        if touched[i] {
            let mut at = catalog.clauses[i].parent;
            while let Some(p) = at {
                if touched[p.index()] {
                    break;
                }
                touched[p.index()] = true;
                at = catalog.clause(p).parent;
            }
        }
    }
    touched.iter().enumerate().filter(|(_, t)| **t).map(|(i, _)| ClauseIx::new(i)).collect()
}

/// The export of `program` and its `trace`: requirements, touched clauses and their
/// relations, a specification for the requirements and one per instrument.
///
/// Objects are built lazily as the writer asks for them, so memory stays flat in the number
/// of requirements. `creation_time` is an `xsd:dateTime` chosen by the caller.
pub fn reqif_export<'a>(
    catalog: &'a Catalog,
    graph: &'a ClauseGraph,
    program: &'a Program,
    trace: &'a Trace,
    creation_time: &str,
) -> ExportDocument<impl Iterator<Item = SpecObject> + 'a, impl Iterator<Item = SpecRelation> + 'a> {
    let markets: Vec<&str> = trace.markets.iter().map(|m| catalog.market(m.market).id.as_str()).collect();
    let statuses: BTreeSet<&str> = program.requirements.iter().map(|r| r.status.as_str()).collect();
    let attr_keys = program.attribute_keys();
    let link_kinds: BTreeSet<&str> =
        program.requirements.iter().flat_map(|r| r.links.iter().map(|l| l.kind.as_str())).collect();
    let schema = schema(&markets, &statuses, &attr_keys, &link_kinds);
    let mut header = Header::new(
        format!("{}: requirements and trace", program.name),
        concat!("avtrace ", env!("CARGO_PKG_VERSION")),
        creation_time,
    );
    header.req_if_tool_id = concat!("avtrace ", env!("CARGO_PKG_VERSION")).to_owned();
    // Mandated instruments without requirement clauses have no objects here: say so where
    // a reader of the file looks first.
    let unmodelled: Vec<String> = trace
        .markets
        .iter()
        .flat_map(|mt| {
            let market = catalog.market(mt.market);
            mt.unmodelled
                .iter()
                .map(move |&m| format!("{} {}", market.id, catalog.instrument_label(market.mandates[m].instrument)))
        })
        .collect();
    header.comment = Some(format!(
        "Exported by avtrace: {} requirements traced to the clauses of {} ({} mandates).{}",
        program.requirements.len(),
        if markets.is_empty() { "no market".to_owned() } else { markets.join(", ") },
        trace.options.level,
        if unmodelled.is_empty() {
            String::new()
        } else {
            format!(" Not counted (no requirement clauses in the catalog): {}.", unmodelled.join(", "))
        }
    ));

    let touched = touched_clauses(catalog, program, trace);
    let obliged_in: Vec<Vec<usize>> = {
        let mut by_clause = vec![Vec::new(); catalog.clauses.len()];
        for (m, mt) in trace.markets.iter().enumerate() {
            for o in &mt.obligations {
                by_clause[o.clause.index()].push(m);
            }
        }
        by_clause
    };

    let requirement_objects = program.requirements.iter().enumerate().map(move |(index, r)| {
        let mut values = vec![
            AttributeValue::text(names::FOREIGN_ID, r.id()),
            AttributeValue::text(names::NAME, r.title()),
            AttributeValue::text(names::TEXT, r.text()),
            AttributeValue::new(names::FOREIGN_STATE, Value::Enumeration(vec![r.status.as_str().to_owned()])),
        ];
        if !r.verified_by.is_empty() {
            values.push(AttributeValue::text(ExportNames::VERIFIED_BY, r.verified_by.join("\n")));
        }
        if let Some(source) = &r.source {
            values.push(AttributeValue::text(ExportNames::SOURCE, source.clone()));
        }
        if let Some(v) = trace.verification.get(index) {
            values.push(AttributeValue::text(ExportNames::VERIFICATION, v.as_str().to_owned()));
        }
        for (key, value) in r.attrs.iter() {
            values.push(AttributeValue::text(attribute_name(key), value.to_owned()));
        }
        SpecObject {
            key: requirement_key(r.id()),
            object_type: ExportNames::REQUIREMENT_TYPE.to_owned(),
            // Readers take LONG-NAME for the title when ReqIF.Name is empty; an untitled
            // requirement must stay untitled.
            long_name: (!r.title().trim().is_empty()).then(|| r.id().to_string()),
            values,
        }
    });
    let touched_for_objects = touched.clone();
    let clause_objects = touched_for_objects.into_iter().map(move |c| {
        let clause = catalog.clause(c);
        let name = catalog.clause_name(c);
        let mut values = vec![
            AttributeValue::text(names::FOREIGN_ID, name.clone()),
            AttributeValue::text(names::CATEGORY, catalog.instrument_name(clause.instrument)),
            AttributeValue::new(ExportNames::CLAUSE_KIND, Value::Enumeration(vec![clause.kind.as_str().to_owned()])),
            AttributeValue::text(ExportNames::SOURCE, catalog.clause_source(c).to_owned()),
        ];
        // ProSTEP: an object with ReqIF.ChapterName is a heading of the document structure.
        if clause.kind == ClauseKind::Heading {
            values.push(AttributeValue::text(names::CHAPTER_NAME, format!("{} {}", clause.id, clause.title)));
        } else {
            values.push(AttributeValue::text(names::NAME, clause.title.clone()));
        }
        if let Some(confidence) = catalog.clause_confidence(c) {
            values.push(AttributeValue::new(
                ExportNames::CONFIDENCE,
                Value::Enumeration(vec![confidence.as_str().to_owned()]),
            ));
        }
        let obliged = &obliged_in[c.index()];
        if !obliged.is_empty() {
            values.push(AttributeValue::new(
                ExportNames::OBLIGED_IN,
                Value::Enumeration(obliged.iter().map(|&m| markets_of(catalog, trace, m)).collect()),
            ));
        }
        for (m, mt) in trace.markets.iter().enumerate() {
            let status = if obliged.contains(&m) {
                trace.coverage(c).map_or(NOT_OBLIGED, |cov| cov.status.as_str())
            } else {
                NOT_OBLIGED
            };
            let market = &catalog.market(mt.market).id;
            values.push(AttributeValue::new(
                format!("{}{market}", ExportNames::COVERAGE_PREFIX),
                Value::Enumeration(vec![status.to_owned()]),
            ));
        }
        SpecObject {
            key: clause_key(catalog, c),
            object_type: ExportNames::CLAUSE_TYPE.to_owned(),
            long_name: Some(name),
            values,
        }
    });
    let evidence_objects = program.evidence.iter().map(|e| {
        let mut values = vec![
            AttributeValue::text(names::FOREIGN_ID, e.id.clone()),
            AttributeValue::text(names::NAME, e.title.clone()),
            AttributeValue::text(ExportNames::EVIDENCE_KIND, e.kind.as_str()),
        ];
        for (name, value) in [(ExportNames::URI, &e.uri), (ExportNames::JUNIT, &e.junit)] {
            if let Some(v) = value {
                values.push(AttributeValue::text(name, v.clone()));
            }
        }
        if let Some(result) = e.result {
            values.push(AttributeValue::text(ExportNames::RESULT, result.as_str()));
        }
        SpecObject {
            key: evidence_key(&e.id),
            object_type: ExportNames::EVIDENCE_TYPE.to_owned(),
            long_name: (!e.title.trim().is_empty()).then(|| e.id.clone()),
            values,
        }
    });
    let objects = requirement_objects.chain(evidence_objects).chain(clause_objects);

    let relations = relations(catalog, graph, program, touched.clone());
    let lines = |items: &[String]| items.join("\n");
    let mut context = vec![
        AttributeValue::text(ExportNames::PROGRAM, program.name.clone()),
        AttributeValue::text(ExportNames::CATEGORIES, lines(&program.categories)),
        AttributeValue::text(ExportNames::FEATURES, lines(&program.features)),
        AttributeValue::text(
            ExportNames::MARKETS,
            program
                .markets
                .iter()
                .map(|m| format!("{} {}", catalog.market(m.market).id, m.sop))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ];
    if let Some(revision) = &program.revision {
        context.push(AttributeValue::text(ExportNames::REVISION, revision.clone()));
    }
    if let Some(description) = &program.description {
        context.push(AttributeValue::text(names::DESCRIPTION, description.clone()));
    }
    let mut specifications = vec![Specification {
        key: "spec/requirements".to_owned(),
        name: format!("{}: requirements", program.name),
        specification_type: PROGRAM_SPEC_TYPE.to_owned(),
        values: context,
        hierarchy: requirement_tree(program)
            .into_iter()
            .map(|(i, depth)| HierarchyEntry::new(depth, requirement_key(program.requirements[i].id())))
            .collect(),
    }];
    if !program.evidence.is_empty() {
        specifications.push(Specification {
            key: "spec/evidence".to_owned(),
            name: format!("{}: evidence", program.name),
            specification_type: SPEC_TYPE.to_owned(),
            values: Vec::new(),
            hierarchy: program.evidence.iter().map(|e| HierarchyEntry::new(0, evidence_key(&e.id))).collect(),
        });
    }
    specifications.extend(instrument_specifications(catalog, &touched));

    ExportDocument { header, schema, objects, relations, specifications }
}

fn markets_of(catalog: &Catalog, trace: &Trace, m: usize) -> String {
    catalog.market(trace.markets[m].market).id.clone()
}

/// The ReqIF attribute a program attribute is exported as: its own key (what a DOORS or
/// Polarion user expects to see), unless that is a name ReqIF or avtrace already uses.
pub fn attribute_name(key: &str) -> String {
    let reserved = key.starts_with("ReqIF.") || key.starts_with("avtrace.");
    if reserved { format!("{}{key}", ExportNames::ATTR_PREFIX) } else { key.to_owned() }
}

fn schema(
    markets: &[&str],
    statuses: &BTreeSet<&str>,
    attr_keys: &BTreeSet<&str>,
    link_kinds: &BTreeSet<&str>,
) -> Schema {
    let string = |name: &str| AttributeDef::new(name, AttributeKind::String);
    let strings = |names: &[&str]| names.iter().map(|n| string(n)).collect::<Vec<_>>();
    let one_of = |name: &str, enumeration: &str| {
        AttributeDef::new(name, AttributeKind::Enumeration { enumeration: enumeration.to_owned(), multi_valued: false })
    };
    let mut clause_attributes = vec![
        string(names::FOREIGN_ID),
        string(names::NAME),
        string(names::CHAPTER_NAME),
        string(names::CATEGORY),
        one_of(ExportNames::CLAUSE_KIND, KIND_ENUM),
        string(ExportNames::SOURCE),
        one_of(ExportNames::CONFIDENCE, CONFIDENCE_ENUM),
        AttributeDef::new(
            ExportNames::OBLIGED_IN,
            AttributeKind::Enumeration { enumeration: MARKET_ENUM.to_owned(), multi_valued: true },
        ),
    ];
    clause_attributes
        .extend(markets.iter().map(|m| one_of(&format!("{}{m}", ExportNames::COVERAGE_PREFIX), TRACE_ENUM)));
    let mut trace_values: Vec<String> = Status::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    trace_values.push(NOT_OBLIGED.to_owned());
    // Relation attributes stay String: StrictDoc's reader refuses enumerations on relations.
    let mapping_attributes = vec![
        string(ExportNames::RELATION),
        string(ExportNames::BASIS),
        string(ExportNames::SOURCE),
        string(ExportNames::CONFIDENCE),
    ];
    Schema {
        enumerations: vec![
            Enumeration { name: STATUS_ENUM.to_owned(), values: statuses.iter().map(|s| (*s).to_owned()).collect() },
            Enumeration {
                name: KIND_ENUM.to_owned(),
                values: ClauseKind::WORDS.iter().map(|w| (*w).to_owned()).collect(),
            },
            Enumeration { name: TRACE_ENUM.to_owned(), values: trace_values },
            Enumeration { name: MARKET_ENUM.to_owned(), values: markets.iter().map(|m| (*m).to_owned()).collect() },
            Enumeration {
                name: CONFIDENCE_ENUM.to_owned(),
                values: avtrace_model::Confidence::WORDS.iter().map(|w| (*w).to_owned()).collect(),
            },
        ],
        object_types: vec![
            TypeDef::new(
                ExportNames::REQUIREMENT_TYPE,
                vec![
                    string(names::FOREIGN_ID),
                    string(names::NAME),
                    AttributeDef::new(names::TEXT, AttributeKind::Xhtml),
                    one_of(names::FOREIGN_STATE, STATUS_ENUM),
                    string(ExportNames::VERIFIED_BY),
                    string(ExportNames::SOURCE),
                    string(ExportNames::VERIFICATION),
                ]
                .into_iter()
                .chain(attr_keys.iter().map(|k| string(&attribute_name(k))))
                .collect(),
            ),
            TypeDef::new(ExportNames::CLAUSE_TYPE, clause_attributes),
            TypeDef::new(
                ExportNames::EVIDENCE_TYPE,
                strings(&[
                    names::FOREIGN_ID,
                    names::NAME,
                    ExportNames::EVIDENCE_KIND,
                    ExportNames::URI,
                    ExportNames::JUNIT,
                    ExportNames::RESULT,
                ]),
            ),
        ],
        relation_types: [
            TypeDef::new(ExportNames::SATISFIES, Vec::new()),
            TypeDef::new(ExportNames::CITES, Vec::new()),
            TypeDef::new(ExportNames::MAPS_TO, mapping_attributes),
        ]
        .into_iter()
        .chain(link_kinds.iter().map(|k| TypeDef::new(link_type_name(k), Vec::new())))
        .collect(),
        specification_types: vec![
            TypeDef::new(SPEC_TYPE, Vec::new()),
            TypeDef::new(
                PROGRAM_SPEC_TYPE,
                strings(&[
                    ExportNames::PROGRAM,
                    names::DESCRIPTION,
                    ExportNames::REVISION,
                    ExportNames::CATEGORIES,
                    ExportNames::FEATURES,
                    ExportNames::MARKETS,
                ]),
            ),
        ],
    }
}

/// Satisfies links, then references and mapping statements among the touched clauses,
/// each mapping statement once in its written direction.
fn relations<'a>(
    catalog: &'a Catalog,
    graph: &'a ClauseGraph,
    program: &'a Program,
    touched: Vec<ClauseIx>,
) -> impl Iterator<Item = SpecRelation> + 'a {
    let satisfies = program.requirements.iter().flat_map(move |r| {
        r.satisfies
            .iter()
            .map(move |&c| SpecRelation::new(ExportNames::SATISFIES, requirement_key(r.id()), clause_key(catalog, c)))
    });
    let links = program.requirements.iter().flat_map(move |r| {
        r.links.iter().map(move |l| {
            SpecRelation::new(
                link_type_name(&l.kind),
                requirement_key(r.id()),
                requirement_key(program.requirements[l.to.index()].id()),
            )
        })
    });
    let mut is_touched = vec![false; catalog.clauses.len()];
    for c in &touched {
        is_touched[c.index()] = true;
    }
    let between = touched.into_iter().flat_map(move |c| {
        let mut out = Vec::new();
        for &cited in &catalog.clause(c).refs {
            if is_touched[cited.index()] {
                out.push(SpecRelation::new(ExportNames::CITES, clause_key(catalog, c), clause_key(catalog, cited)));
            }
        }
        for (other, kind) in graph.edges_from(c) {
            let EdgeKind::Map { rel, basis } = kind else { continue };
            if !is_touched[other.index()] || !ClauseGraph::is_written(catalog, basis, c, other) {
                continue;
            }
            let facts = basis.facts(catalog);
            let mut relation =
                SpecRelation::new(ExportNames::MAPS_TO, clause_key(catalog, c), clause_key(catalog, other));
            relation.values = vec![
                AttributeValue::text(ExportNames::RELATION, rel.as_str()),
                AttributeValue::text(ExportNames::BASIS, facts.basis),
                AttributeValue::text(ExportNames::SOURCE, facts.source),
            ];
            if let Some(confidence) = facts.confidence {
                relation.values.push(AttributeValue::text(ExportNames::CONFIDENCE, confidence.as_str()));
            }
            out.push(relation);
        }
        out
    });
    satisfies.chain(links).chain(between)
}

/// One specification per instrument with touched clauses: the clauses in document order,
/// each at the depth of its touched ancestors.
fn instrument_specifications(catalog: &Catalog, touched: &[ClauseIx]) -> Vec<Specification> {
    let mut by_instrument: Vec<(InstrumentIx, Vec<ClauseIx>)> = Vec::new();
    for &c in touched {
        let instrument = catalog.clause(c).instrument;
        match by_instrument.last_mut() {
            Some((i, list)) if *i == instrument => list.push(c),
            _ => by_instrument.push((instrument, vec![c])),
        }
    }
    by_instrument
        .into_iter()
        .map(|(instrument, mut clauses)| {
            clauses.sort_by_key(|c| document_path(catalog, *c));
            let name = catalog.instrument_name(instrument);
            Specification {
                key: format!("spec/{name}"),
                name: format!("{name}: {}", catalog.instrument(instrument).title),
                specification_type: SPEC_TYPE.to_owned(),
                values: Vec::new(),
                hierarchy: clauses
                    .iter()
                    .map(|&c| HierarchyEntry::new(depth(catalog, c), clause_key(catalog, c)))
                    .collect(),
            }
        })
        .collect()
}

/// Positions from the root down to the clause: sorting by it gives a pre-order walk in
/// document order.
fn document_path(catalog: &Catalog, clause: ClauseIx) -> Vec<u32> {
    let mut path = vec![catalog.clause(clause).position];
    let mut at = catalog.clause(clause).parent;
    while let Some(p) = at {
        path.push(catalog.clause(p).position);
        at = catalog.clause(p).parent;
    }
    path.reverse();
    path
}

fn depth(catalog: &Catalog, clause: ClauseIx) -> usize {
    std::iter::successors(catalog.clause(clause).parent, |p| catalog.clause(*p).parent).count()
}
