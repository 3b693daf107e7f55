//! An avtrace-like export: requirements, clauses, headings, trace links.

use avtrace_reqif::{
    AttributeDef, AttributeKind, AttributeValue, Enumeration, ExportDocument, Header, HierarchyEntry, ImportOptions,
    Schema, SpecObject, SpecRelation, Specification, TypeDef, Value, names,
};

pub const CREATED: &str = "2026-03-01T12:00:00Z";
pub const STATUSES: [&str; 4] = ["draft", "proposed", "approved", "rejected"];

/// A requirement as the avtrace side has it.
#[derive(Clone, Debug)]
pub struct Req {
    pub id: String,
    pub title: String,
    pub text: String,
    pub status: &'static str,
    pub satisfies: Vec<String>,
    pub verified_by: Vec<String>,
}

pub fn schema() -> Schema {
    Schema {
        enumerations: vec![
            Enumeration { name: "Status".into(), values: STATUSES.iter().map(|s| s.to_string()).collect() },
            Enumeration {
                name: "Clause kind".into(),
                values: ["heading", "requirement", "recommendation", "informative", "definition"]
                    .map(String::from)
                    .to_vec(),
            },
            Enumeration {
                name: "Trace status".into(),
                values: ["covered", "via-mapping", "partial", "uncovered"].map(String::from).to_vec(),
            },
            Enumeration {
                name: "Market".into(),
                values: ["EU", "UK", "CN", "KR", "JP", "SG"].map(String::from).to_vec(),
            },
        ],
        object_types: vec![
            TypeDef::new(
                "Requirement",
                vec![
                    AttributeDef::new(names::FOREIGN_ID, AttributeKind::String),
                    AttributeDef::new(names::NAME, AttributeKind::String),
                    AttributeDef::new(names::TEXT, AttributeKind::Xhtml),
                    AttributeDef::new(
                        "Status",
                        AttributeKind::Enumeration { enumeration: "Status".into(), multi_valued: false },
                    ),
                    AttributeDef::new("Verified by", AttributeKind::String),
                    AttributeDef::new(names::CATEGORY, AttributeKind::String),
                ],
            ),
            TypeDef::new(
                "Clause",
                vec![
                    AttributeDef::new(names::FOREIGN_ID, AttributeKind::String),
                    AttributeDef::new(names::NAME, AttributeKind::String),
                    AttributeDef::new(
                        "Clause kind",
                        AttributeKind::Enumeration { enumeration: "Clause kind".into(), multi_valued: false },
                    ),
                    AttributeDef::new(
                        "Trace status",
                        AttributeKind::Enumeration { enumeration: "Trace status".into(), multi_valued: false },
                    ),
                    AttributeDef::new(
                        "Markets",
                        AttributeKind::Enumeration { enumeration: "Market".into(), multi_valued: true },
                    ),
                    AttributeDef::new("Mandated from", AttributeKind::Date),
                    AttributeDef::new("Obligations", AttributeKind::Integer),
                    AttributeDef::new("Mandatory", AttributeKind::Boolean),
                ],
            ),
            TypeDef::new("Heading", vec![AttributeDef::new(names::CHAPTER_NAME, AttributeKind::Xhtml)]),
        ],
        relation_types: vec![
            // A string, not an enumeration: StrictDoc's reader (Python reqif 0.1) accepts only
            // string, XHTML and integer values on relations.
            TypeDef::new("satisfies", vec![AttributeDef::new("Trace status", AttributeKind::String)]),
            TypeDef::new("refs", vec![]),
        ],
        specification_types: vec![TypeDef::new(
            "Document",
            vec![AttributeDef::new(names::NAME, AttributeKind::String)],
        )],
    }
}

pub fn requirement_object(r: &Req) -> SpecObject {
    let mut values = vec![
        AttributeValue::text(names::FOREIGN_ID, &r.id),
        AttributeValue::text(names::NAME, &r.title),
        AttributeValue::text(names::TEXT, &r.text),
        AttributeValue::new("Status", Value::Enumeration(vec![r.status.to_owned()])),
    ];
    if !r.verified_by.is_empty() {
        values.push(AttributeValue::text("Verified by", r.verified_by.join(", ")));
    }
    SpecObject { key: r.id.clone(), object_type: "Requirement".into(), long_name: Some(r.title.clone()), values }
}

pub fn clause_object(reference: &str, title: &str) -> SpecObject {
    SpecObject {
        key: reference.to_owned(),
        object_type: "Clause".into(),
        long_name: None,
        values: vec![
            AttributeValue::text(names::FOREIGN_ID, reference),
            AttributeValue::text(names::NAME, title),
            AttributeValue::new("Clause kind", Value::Enumeration(vec!["requirement".into()])),
            AttributeValue::new("Trace status", Value::Enumeration(vec!["covered".into()])),
            AttributeValue::new("Markets", Value::Enumeration(vec!["EU".into(), "UK".into()])),
            AttributeValue::new("Mandated from", Value::Date("2022-07-07T00:00:00Z".into())),
            AttributeValue::new("Obligations", Value::Integer(-3)),
            AttributeValue::new("Mandatory", Value::Boolean(true)),
        ],
    }
}

pub fn heading_object(key: &str, title: &str) -> SpecObject {
    SpecObject {
        key: key.into(),
        object_type: "Heading".into(),
        long_name: None,
        values: vec![AttributeValue::text(names::CHAPTER_NAME, title)],
    }
}

/// Is `s` an avtrace clause reference (`INSTRUMENT[@EDITION]:CLAUSE`)?
pub fn is_clause(s: &str) -> bool {
    let Some((instrument, clause)) = s.split_once(':') else { return false };
    let instrument = instrument.split('@').next().unwrap_or("");
    !instrument.is_empty()
        && !clause.is_empty()
        && instrument.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

pub fn requirements() -> Vec<Req> {
    vec![
        Req {
            id: "CS-001".into(),
            title: "Cyber security incident response".into(),
            text: "The vehicle shall detect & respond to cyber attacks within 5 s.\nAttacks include:\n\n\"spoofing\" <CAN> frames, 'replay' and ümlaut/日本語 content."
                .into(),
            status: "approved",
            satisfies: vec!["UN-R155:7.2.2.2".into(), "ISO-SAE-21434:13.3".into()],
            verified_by: vec!["TC-CS-114".into(), "TC-CS-115".into()],
        },
        Req {
            id: "CS-002".into(),
            title: "Secure software update".into(),
            text: "Updates shall be signed.".into(),
            status: "draft",
            satisfies: vec!["UN-R156:7.1.1".into()],
            verified_by: vec![],
        },
        Req {
            id: "ALKS 3".into(),
            title: "Lane keeping <ALKS>".into(),
            text: String::new(),
            status: "proposed",
            satisfies: vec!["UN-R157:5.1.1".into()],
            verified_by: vec!["TC-ALKS-1".into()],
        },
    ]
}

pub fn clauses() -> Vec<(&'static str, &'static str)> {
    vec![
        ("UN-R155:7.2.2.2", "Processes of the CSMS"),
        ("ISO-SAE-21434:13.3", "Incident response"),
        ("UN-R156:7.1.1", "Software update management"),
        ("UN-R157:5.1.1", "ALKS lane keeping"),
    ]
}

/// The whole fixture as an export document.
pub fn document() -> ExportDocument<Vec<SpecObject>, Vec<SpecRelation>> {
    let reqs = requirements();
    let mut objects = vec![heading_object("H-CS", "Cyber security"), heading_object("H-ADS", "Automated driving")];
    objects.extend(reqs.iter().map(requirement_object));
    objects.extend(clauses().iter().map(|(r, t)| clause_object(r, t)));
    let mut relations = Vec::new();
    for r in &reqs {
        for c in &r.satisfies {
            let mut rel = SpecRelation::new("satisfies", &r.id, c);
            rel.values.push(AttributeValue::text("Trace status", "covered"));
            relations.push(rel);
        }
    }
    relations.push(SpecRelation::new("refs", "UN-R155:7.2.2.2", "ISO-SAE-21434:13.3"));
    let program = Specification {
        key: "program".into(),
        name: "L3 highway pilot".into(),
        specification_type: "Document".into(),
        values: vec![AttributeValue::text(names::NAME, "L3 highway pilot")],
        hierarchy: vec![
            HierarchyEntry::new(0, "H-CS"),
            HierarchyEntry::new(1, "CS-001"),
            HierarchyEntry::new(1, "CS-002"),
            HierarchyEntry::new(0, "H-ADS"),
            HierarchyEntry::new(1, "ALKS 3"),
        ],
    };
    let catalog = Specification {
        key: "clauses".into(),
        name: "Regulatory clauses".into(),
        specification_type: "Document".into(),
        values: vec![],
        hierarchy: clauses().iter().map(|(r, _)| HierarchyEntry::new(0, *r)).collect(),
    };
    ExportDocument {
        header: Header {
            comment: Some("trace of program L3 highway pilot".into()),
            ..Header::new("L3 highway pilot", "avtrace 0.1.0", CREATED)
        },
        schema: schema(),
        objects,
        relations,
        specifications: vec![program, catalog],
    }
}

/// Import options an avtrace round trip uses.
pub fn options() -> ImportOptions {
    ImportOptions::new().map_attribute("Verified by", avtrace_reqif::Field::VerifiedBy)
}

/// Exports the fixture to bytes.
pub fn export_bytes() -> Vec<u8> {
    let (bytes, report) = document().write_to(Vec::new()).expect("fixture exports");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    bytes
}
