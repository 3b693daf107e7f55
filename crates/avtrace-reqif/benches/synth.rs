//! Synthetic avtrace-like ReqIF documents for benchmarks: `n` requirements with rich text,
//! one heading per 50 requirements, 1,000 clauses, 1.5 satisfies links per requirement.
//! Shared by `benches/reqif.rs` and `examples/reqif_synth.rs` (which writes the file the
//! Python peer benchmark reads), so both measure the same bytes.

use std::io::Write;

use avtrace_reqif::{
    AttributeDef, AttributeKind, AttributeValue, Enumeration, ExportError, ExportReport, Header, HierarchyEntry,
    ReqifWriter, Schema, SpecObject, SpecRelation, Specification, TypeDef, Value, names,
};

/// Creation time of every synthetic document.
pub const CREATED: &str = "2026-03-01T12:00:00Z";
/// Number of clause objects.
pub const CLAUSES: usize = 1000;
const STATUSES: [&str; 4] = ["draft", "proposed", "approved", "rejected"];

/// The declarations of the synthetic document.
pub fn schema() -> Schema {
    Schema {
        enumerations: vec![Enumeration { name: "Status".into(), values: STATUSES.map(String::from).to_vec() }],
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
                ],
            ),
            TypeDef::new(
                "Clause",
                vec![
                    AttributeDef::new(names::FOREIGN_ID, AttributeKind::String),
                    AttributeDef::new(names::NAME, AttributeKind::String),
                ],
            ),
            TypeDef::new("Heading", vec![AttributeDef::new(names::CHAPTER_NAME, AttributeKind::Xhtml)]),
        ],
        relation_types: vec![TypeDef::new("satisfies", vec![])],
        specification_types: vec![TypeDef::new("Document", vec![])],
    }
}

fn requirement_key(i: usize) -> String {
    format!("REQ-{i:06}")
}

fn clause_key(i: usize) -> String {
    format!("UN-R{}:7.{}.{}", 150 + i % 10, i / 10 % 10, i / 100)
}

/// Requirement `i`: about 400 bytes of text with line breaks, markup characters and accents.
pub fn requirement(i: usize) -> SpecObject {
    let key = requirement_key(i);
    let text = format!(
        "The system shall monitor signal {i} & report deviations > {} ms to the <ECU> within one cycle.\n\
         Rationale: clause {} requires \"timely\" detection; the vehicle's safety concept assumes it.\n\n\
         Note: applies to ALKS, lane-change and ota-update features (véhicule, 車両).",
        i % 97,
        clause_key(i % CLAUSES)
    );
    SpecObject {
        key: key.clone(),
        object_type: "Requirement".into(),
        long_name: None,
        values: vec![
            AttributeValue::text(names::FOREIGN_ID, key),
            AttributeValue::text(names::NAME, format!("Monitoring of signal {i}")),
            AttributeValue::text(names::TEXT, text),
            AttributeValue::new("Status", Value::Enumeration(vec![STATUSES[i % 4].to_owned()])),
            AttributeValue::text("Verified by", format!("TC-{i:06}, TC-{:06}", i + 1)),
        ],
    }
}

fn heading_key(h: usize) -> String {
    format!("H-{h:05}")
}

fn heading(h: usize) -> SpecObject {
    SpecObject {
        key: heading_key(h),
        object_type: "Heading".into(),
        long_name: None,
        values: vec![AttributeValue::text(
            names::CHAPTER_NAME,
            format!("Chapter {h}: functions {}–{}", h * 50, h * 50 + 49),
        )],
    }
}

fn clause(c: usize) -> SpecObject {
    let key = clause_key(c);
    SpecObject {
        key: key.clone(),
        object_type: "Clause".into(),
        long_name: None,
        values: vec![
            AttributeValue::text(names::FOREIGN_ID, key),
            AttributeValue::text(names::NAME, format!("Clause {c}")),
        ],
    }
}

/// All objects, generated lazily in writing order.
pub fn objects(n: usize) -> impl Iterator<Item = SpecObject> {
    let headings = n.div_ceil(50);
    (0..headings).map(heading).chain((0..n).map(requirement)).chain((0..CLAUSES).map(clause))
}

/// The satisfies links, generated lazily.
pub fn relations(n: usize) -> impl Iterator<Item = SpecRelation> {
    (0..n).flat_map(|i| {
        let first = SpecRelation::new("satisfies", requirement_key(i), clause_key(i % CLAUSES));
        let second =
            (i % 2 == 0).then(|| SpecRelation::new("satisfies", requirement_key(i), clause_key((i * 7 + 3) % CLAUSES)));
        std::iter::once(first).chain(second.filter(|s| s.target != clause_key(i % CLAUSES)))
    })
}

/// The program specification: one heading per 50 requirements, requirements below it.
pub fn specification(n: usize) -> Specification {
    let mut hierarchy = Vec::with_capacity(n + n / 50 + 1);
    for i in 0..n {
        if i % 50 == 0 {
            hierarchy.push(HierarchyEntry::new(0, heading_key(i / 50)));
        }
        hierarchy.push(HierarchyEntry::new(1, requirement_key(i)));
    }
    Specification {
        key: "program".into(),
        name: "Synthetic program".into(),
        specification_type: "Document".into(),
        values: vec![],
        hierarchy,
    }
}

/// Writes the synthetic document with `n` requirements to `out`, streaming.
pub fn write<W: Write>(n: usize, out: W) -> Result<(W, ExportReport), ExportError> {
    let mut w = ReqifWriter::new(out, &Header::new("Synthetic program", "avtrace bench", CREATED), &schema())?;
    for o in objects(n) {
        w.write_object(&o)?;
    }
    for r in relations(n) {
        w.write_relation(&r)?;
    }
    w.write_specification(&specification(n))?;
    w.finish()
}
