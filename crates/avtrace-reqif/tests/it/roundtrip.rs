//! Export → import gives back the same requirements, texts, statuses and links.

use std::collections::BTreeMap;
use std::io::Cursor;

use avtrace_reqif::{
    Endpoint, ExportDocument, ExportErrorKind, Header, HierarchyEntry, ImportedDocument, ReqifWriter, Schema,
    SpecObject, SpecRelation, Specification, import_reader, import_reqifz, normalize_text,
};
use proptest::prelude::*;

use crate::fixture::{self, Req, is_clause};

fn import_bytes(bytes: &[u8]) -> ImportedDocument {
    import_reader(bytes, "export.reqif", &fixture::options()).expect("exported file imports")
}

/// Checks that `doc` holds exactly `reqs` (ids, titles, texts, statuses, verified-by) and
/// their satisfies links, as the avtrace side would read them back.
fn assert_round_trip(reqs: &[Req], mut doc: ImportedDocument) {
    assert!(doc.warnings.is_empty(), "{:#?}", doc.warnings);
    doc.separate_clauses(is_clause);
    let got: BTreeMap<&str, _> = doc.requirements.iter().map(|r| (r.id(), r)).collect();
    assert_eq!(got.len(), reqs.len(), "requirements: {:?}", got.keys().collect::<Vec<_>>());
    for want in reqs {
        let r = got.get(want.id.as_str()).unwrap_or_else(|| panic!("requirement {} missing", want.id));
        assert_eq!(r.title, want.title);
        assert_eq!(r.text, normalize_text(&want.text), "text of {}", want.id);
        assert_eq!(r.status.as_deref(), Some(want.status));
        assert_eq!(r.verified_by, want.verified_by);
        assert_eq!(r.object_type, "Requirement");
    }
    let mut links: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in doc.resolve_relations(is_clause) {
        if rel.relation.relation_type != "satisfies" {
            continue;
        }
        match (rel.source, rel.target) {
            (Endpoint::Requirement(r), Endpoint::Clause(c)) => {
                links.entry(r.id().to_owned()).or_default().push(c.to_owned())
            }
            other => panic!("unexpected satisfies link {other:?}"),
        }
    }
    for want in reqs {
        let mut expected = want.satisfies.clone();
        expected.sort();
        let mut got = links.remove(&want.id).unwrap_or_default();
        got.sort();
        assert_eq!(got, expected, "satisfies of {}", want.id);
        for c in &want.satisfies {
            assert!(doc.clauses.iter().any(|k| k.id() == c), "clause {c} exported as a spec object");
        }
    }
}

#[test]
fn fixture_round_trips() {
    let bytes = fixture::export_bytes();
    let doc = import_bytes(&bytes);
    let header = doc.header().expect("header");
    assert_eq!(header.title.as_deref(), Some("L3 highway pilot"));
    assert_eq!(header.req_if_version.as_deref(), Some("1.0"));
    assert_eq!(header.creation_time.as_deref(), Some(fixture::CREATED));
    assert_eq!(header.source_tool_id.as_deref(), Some("avtrace 0.1.0"));
    assert_eq!(
        doc.specifications.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["L3 highway pilot", "Regulatory clauses"]
    );
    assert_eq!(
        doc.headings.iter().map(|h| h.title.as_str()).collect::<Vec<_>>(),
        ["Cyber security", "Automated driving"]
    );

    // Reading order follows the program's hierarchy; headings become the chapter path.
    let order: Vec<&str> = doc.requirements.iter().map(|r| r.id()).collect();
    assert_eq!(order[..3], ["CS-001", "CS-002", "ALKS 3"]);
    let cs1 = &doc.requirements[0];
    assert_eq!(cs1.chapter_path, ["Cyber security"]);
    assert_eq!(cs1.specification.as_deref(), Some("L3 highway pilot"));
    assert_eq!(
        cs1.text,
        "The vehicle shall detect & respond to cyber attacks within 5 s.\nAttacks include:\n\n\"spoofing\" <CAN> frames, 'replay' and ümlaut/日本語 content."
    );
    assert_eq!(cs1.attributes.get("ReqIF.Category"), None);

    // Clause attributes of every kind come back as text.
    let clause = doc.requirements.iter().find(|r| r.id() == "UN-R155:7.2.2.2").expect("clause object");
    assert_eq!(clause.attributes["Markets"], "EU, UK");
    assert_eq!(clause.attributes["Mandated from"], "2022-07-07T00:00:00Z");
    assert_eq!(clause.attributes["Obligations"], "-3");
    assert_eq!(clause.attributes["Mandatory"], "true");
    assert_eq!(clause.attributes["Trace status"], "covered");

    // Relation attributes and the clause-to-clause reference.
    let refs: Vec<_> =
        doc.resolve_relations(is_clause).into_iter().filter(|r| r.relation.relation_type == "refs").collect();
    assert_eq!(refs.len(), 1);
    assert_eq!(
        (refs[0].source, refs[0].target),
        (Endpoint::Clause("UN-R155:7.2.2.2"), Endpoint::Clause("ISO-SAE-21434:13.3"))
    );
    assert!(
        doc.relations
            .iter()
            .filter(|r| r.relation_type == "satisfies")
            .all(|r| r.attributes["Trace status"] == "covered")
    );

    assert_round_trip(&fixture::requirements(), doc);
}

#[test]
fn export_is_deterministic() {
    assert_eq!(fixture::export_bytes(), fixture::export_bytes());
    let zip = || {
        fixture::document().write_reqifz_to(Cursor::new(Vec::new()), "avtrace.reqif").expect("reqifz").0.into_inner()
    };
    assert_eq!(zip(), zip());
}

#[test]
fn reqifz_round_trips() {
    let (cursor, report) =
        fixture::document().write_reqifz_to(Cursor::new(Vec::new()), "trace/avtrace.reqif").expect("reqifz");
    assert_eq!((report.spec_objects, report.spec_relations, report.specifications), (9, 5, 2));
    let bytes = cursor.into_inner();
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    let doc = import_reqifz(Cursor::new(bytes), "export.reqifz", &fixture::options()).expect("import");
    assert_eq!(doc.headers[0].source, "export.reqifz!trace/avtrace.reqif");
    assert_round_trip(&fixture::requirements(), doc);
}

#[test]
fn reqifz_member_name_must_be_safe() {
    for bad in ["../x.reqif", "/abs.reqif", "a/../../b.reqif", "x.txt", ""] {
        let err = fixture::document().write_reqifz_to(Cursor::new(Vec::new()), bad).expect_err(bad);
        assert!(matches!(err.kind(), ExportErrorKind::Archive(_)), "{bad}: {err}");
    }
}

#[test]
fn forbidden_characters_are_replaced_and_reported() {
    let mut doc = fixture::document();
    let req = Req {
        id: "CTRL-1".into(),
        title: "bell\u{7}".into(),
        text: "nul\u{0}here\u{FFFF}".into(),
        status: "draft",
        satisfies: vec![],
        verified_by: vec![],
    };
    doc.objects.push(fixture::requirement_object(&req));
    let (bytes, report) = doc.write_to(Vec::new()).expect("export");
    let warned: Vec<_> = report.warnings.iter().map(|w| (w.element.as_str(), w.attribute.as_deref())).collect();
    assert!(warned.contains(&("spec object `CTRL-1`", Some("ReqIF.Name"))), "{warned:?}");
    assert!(warned.contains(&("spec object `CTRL-1`", Some("ReqIF.Text"))), "{warned:?}");
    assert!(report.warnings[0].to_string().contains("U+FFFD"));
    let doc = import_bytes(&bytes);
    let r = doc.requirements.iter().find(|r| r.id() == "CTRL-1").expect("imported");
    assert_eq!(r.title, "bell\u{FFFD}");
    assert_eq!(r.text, "nul\u{FFFD}here\u{FFFD}");
}

fn small_schema_doc(
    objects: Vec<SpecObject>,
    relations: Vec<SpecRelation>,
    specs: Vec<Specification>,
) -> ExportDocument<Vec<SpecObject>, Vec<SpecRelation>> {
    ExportDocument {
        header: Header::new("t", "test", fixture::CREATED),
        schema: fixture::schema(),
        objects,
        relations,
        specifications: specs,
    }
}

#[test]
fn caller_mistakes_are_typed_errors() {
    let req = fixture::requirement_object(&fixture::requirements()[0]);
    let kind = |doc: ExportDocument<Vec<SpecObject>, Vec<SpecRelation>>| {
        doc.write_to(Vec::new()).expect_err("must fail").kind().clone()
    };

    let mut unknown_attr = req.clone();
    unknown_attr.values.push(avtrace_reqif::AttributeValue::text("Nope", "x"));
    assert!(matches!(
        kind(small_schema_doc(vec![unknown_attr], vec![], vec![])),
        ExportErrorKind::UnknownAttribute { .. }
    ));

    let mut bad_enum = req.clone();
    bad_enum.values[3] =
        avtrace_reqif::AttributeValue::new("Status", avtrace_reqif::Value::Enumeration(vec!["done".into()]));
    assert!(matches!(kind(small_schema_doc(vec![bad_enum], vec![], vec![])), ExportErrorKind::BadValue { .. }));

    let mut wrong_kind = req.clone();
    wrong_kind.values[0] =
        avtrace_reqif::AttributeValue::new(avtrace_reqif::names::FOREIGN_ID, avtrace_reqif::Value::Integer(1));
    assert!(matches!(kind(small_schema_doc(vec![wrong_kind], vec![], vec![])), ExportErrorKind::BadValue { .. }));

    let mut unknown_type = req.clone();
    unknown_type.object_type = "Nope".into();
    assert!(matches!(kind(small_schema_doc(vec![unknown_type], vec![], vec![])), ExportErrorKind::UnknownType { .. }));

    assert!(matches!(
        kind(small_schema_doc(vec![req.clone(), req.clone()], vec![], vec![])),
        ExportErrorKind::DuplicateKey { .. }
    ));

    let dangling = SpecRelation::new("satisfies", "CS-001", "UN-R155:1");
    assert!(matches!(
        kind(small_schema_doc(vec![req.clone()], vec![dangling], vec![])),
        ExportErrorKind::UnknownObject { .. }
    ));

    let jump = Specification {
        key: "s".into(),
        name: "s".into(),
        specification_type: "Document".into(),
        values: vec![],
        hierarchy: vec![HierarchyEntry::new(0, "CS-001"), HierarchyEntry::new(2, "CS-001")],
    };
    assert!(matches!(
        kind(small_schema_doc(vec![req.clone()], vec![], vec![jump])),
        ExportErrorKind::BadHierarchy { .. }
    ));

    let mut bad_time = small_schema_doc(vec![], vec![], vec![]);
    bad_time.header.creation_time = "2026-03-01 12:00:00".into();
    assert!(matches!(kind(bad_time), ExportErrorKind::BadTimestamp(_)));

    let mut schema = fixture::schema();
    schema.object_types.push(schema.object_types[0].clone());
    let err =
        ReqifWriter::new(Vec::new(), &Header::new("t", "t", fixture::CREATED), &schema).expect_err("duplicate type");
    assert!(matches!(err.kind(), ExportErrorKind::DuplicateName { .. }));

    // Sections are written in schema order only.
    let mut w =
        ReqifWriter::new(Vec::new(), &Header::new("t", "t", fixture::CREATED), &fixture::schema()).expect("writer");
    w.write_object(&req).expect("object");
    w.write_relation(&SpecRelation::new("refs", "CS-001", "CS-001")).expect("relation");
    let err = w.write_object(&fixture::heading_object("late", "Late")).expect_err("object after relation");
    assert!(matches!(err.kind(), ExportErrorKind::OutOfOrder(_)));
}

#[test]
fn identifiers_are_valid_and_stable() {
    let text = String::from_utf8(fixture::export_bytes()).expect("utf-8");
    // Keys with spaces and colons are sanitised, with a hash that keeps them apart.
    assert!(text.contains(r#"IDENTIFIER="SO-CS-001""#));
    assert!(text.contains(r#"IDENTIFIER="SO-ALKS_3-"#));
    assert!(text.contains(r#"IDENTIFIER="SO-UN-R155_7.2.2.2-"#));
    assert!(text.contains("<REQ-IF-VERSION>1.0</REQ-IF-VERSION>"));
    assert!(text.contains(r#"xmlns:xhtml="http://www.w3.org/1999/xhtml""#));
    for part in text.split("IDENTIFIER=\"").skip(1) {
        let id = &part[..part.find('"').expect("closing quote")];
        assert!(id.starts_with(|c: char| c.is_ascii_alphabetic()), "{id}");
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{id}");
    }
}

#[test]
fn empty_schema_and_document_export() {
    let doc = ExportDocument::<Vec<SpecObject>, Vec<SpecRelation>> {
        header: Header::new("empty", "test", fixture::CREATED),
        schema: Schema::default(),
        objects: vec![],
        relations: vec![],
        specifications: vec![],
    };
    let (bytes, report) = doc.write_to(Vec::new()).expect("export");
    assert_eq!(report.bytes, bytes.len() as u64);
    let doc = import_bytes(&bytes);
    assert!(doc.requirements.is_empty() && doc.warnings.is_empty());
}

// --- Property: random documents round-trip. ---------------------------------------------------

/// Text with markup characters, quotes, unicode, tabs and line breaks (no control characters:
/// those are replaced by design, see `forbidden_characters_are_replaced_and_reported`).
fn text_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("<".to_owned()),
            Just("&".to_owned()),
            Just(">".to_owned()),
            Just("\"".to_owned()),
            Just("'".to_owned()),
            Just("&amp;".to_owned()),
            Just("]]>".to_owned()),
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("\n\n".to_owned()),
            Just("  ".to_owned()),
            Just("\t".to_owned()),
            Just("<xhtml:b>".to_owned()),
            "[a-zA-Z0-9 ]{1,8}",
            "\\PC{1,4}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn id_strategy() -> impl Strategy<Value = String> {
    // Ids are trimmed on import (other tools pad them), so they start and end with a letter.
    ("[A-Z]", "[A-Za-z0-9 :_.\\-<&é日]{0,10}", "[a-z0-9]")
        .prop_map(|(a, b, c)| format!("{a}{b}{c}"))
        // A requirement id never looks like a clause reference (the caller tells them apart so).
        .prop_filter("requirement ids are not clause references", |id| !is_clause(id))
}

fn title_strategy() -> impl Strategy<Value = String> {
    // A title that reads as a clause reference marks a clause exported as a spec object
    // (`resolve_relations`' contract), so a requirement's title never looks like one here.
    text_strategy()
        .prop_map(|t| t.trim().to_owned())
        .prop_filter("requirement titles are not clause references", |t| !is_clause(t.trim()))
}

prop_compose! {
    fn req_strategy()(id in id_strategy(), title in title_strategy(), text in text_strategy(), status in 0..4usize,
                      verified in proptest::collection::vec("[A-Z]{2}-[0-9]{1,3}", 0..3)) -> Req {
        Req { id, title, text, status: fixture::STATUSES[status], satisfies: vec![], verified_by: verified }
    }
}

fn doc_strategy() -> impl Strategy<Value = (Vec<Req>, Vec<(usize, usize)>)> {
    proptest::collection::vec(req_strategy(), 1..8)
        .prop_map(|mut reqs| {
            let mut seen = std::collections::HashSet::new();
            reqs.retain(|r| seen.insert(r.id.clone()));
            reqs
        })
        .prop_flat_map(|reqs| {
            let n = reqs.len();
            (Just(reqs), proptest::collection::vec((0..n, 0..4usize), 0..10))
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_documents_round_trip((mut reqs, links) in doc_strategy()) {
        let clause_refs = ["UN-R155:7.2.2.2", "ISO-26262-6@2018:7.4.3", "GB-44495:5.1", "UN-R157:5.1.1(a)"];
        for (r, c) in links {
            let c = clause_refs[c].to_owned();
            if !reqs[r].satisfies.contains(&c) {
                reqs[r].satisfies.push(c);
            }
        }
        let mut objects: Vec<SpecObject> = reqs.iter().map(fixture::requirement_object).collect();
        objects.extend(clause_refs.iter().map(|c| fixture::clause_object(c, "clause")));
        let relations: Vec<SpecRelation> = reqs.iter().flat_map(|r| r.satisfies.iter().map(|c| SpecRelation::new("satisfies", &r.id, c))).collect();
        let spec = Specification {
            key: "p".into(),
            name: "p".into(),
            specification_type: "Document".into(),
            values: vec![],
            hierarchy: reqs.iter().map(|r| HierarchyEntry::new(0, &r.id)).collect(),
        };
        let doc = small_schema_doc(objects, relations, vec![spec]);
        let (bytes, report) = doc.write_to(Vec::new()).expect("export");
        prop_assert!(report.warnings.is_empty());
        let imported = import_bytes(&bytes);
        assert_round_trip(&reqs, imported);
    }
}
