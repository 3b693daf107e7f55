//! Every real-world sample in tests/reqif/samples imports, with the counts and texts the
//! files hold and the warnings their schema problems deserve.

use std::path::PathBuf;

use avtrace_reqif::{Endpoint, ImportOptions, ImportedDocument, import_path};

use crate::tools::require_shared;

fn sample(name: &str) -> PathBuf {
    require_shared().join("samples").join(name)
}

fn import(name: &str, options: &ImportOptions) -> ImportedDocument {
    import_path(&sample(name), options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn counts(doc: &ImportedDocument) -> (usize, usize, usize, usize) {
    (doc.requirements.len(), doc.headings.len(), doc.relations.len(), doc.specifications.len())
}

/// Warnings as (element, line, message fragment) for compact assertions.
fn assert_warnings(doc: &ImportedDocument, expected: &[(&str, u64, &str)]) {
    let got: Vec<String> = doc.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(doc.warnings.len(), expected.len(), "{got:#?}");
    for ((element, line, fragment), w) in expected.iter().zip(&doc.warnings) {
        assert_eq!((w.element.as_str(), w.line), (*element, Some(*line)), "{w}");
        assert!(w.message.contains(fragment), "{w} should mention {fragment:?}");
    }
}

#[test]
fn doors_user_export_is_all_headings() {
    let doc = import("01_doors-classic_user-export.reqif", &ImportOptions::new());
    assert_eq!(counts(&doc), (0, 3, 0, 1));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let titles: Vec<_> = doc.headings.iter().map(|h| (h.foreign_id.as_deref(), h.title.as_str())).collect();
    assert_eq!(
        titles,
        [(Some("1"), "Carbon Trust Standard"), (Some("2"), "CRC and CCA"), (Some("3"), "Picture or Whitepaper")]
    );
    assert_eq!(doc.specifications[0].name, "AMR Standards Documents");
    let h = doc.header().expect("header");
    assert_eq!(h.req_if_tool_id.as_deref(), Some("IBM Rational DOORS"));
    assert_eq!(h.creation_time.as_deref(), Some("2018-10-12T16:43:58"));
}

#[test]
fn doors_capella_sample_has_a_relation_between_requirements() {
    let doc = import("02_doors-classic_capella-vp-Sample1.reqif", &ImportOptions::new());
    assert_eq!(counts(&doc), (2, 0, 1, 1));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let r = &doc.requirements[0];
    assert_eq!((r.title.as_str(), r.text.as_str()), ("Requirement-1", "Requirement-1"));
    assert_eq!(r.attributes["IE PUID"], "PUID-1");
    assert_eq!(r.attributes["IE Object Type"], "Requirement");
    let rel = &doc.resolve_relations(|_| false)[0];
    assert_eq!(rel.relation.relation_type, "Relation Type");
    match (rel.source, rel.target) {
        (Endpoint::Requirement(s), Endpoint::Requirement(t)) => {
            assert_eq!((s.title.as_str(), t.title.as_str()), ("Requirement-1", "Requirement-2"))
        }
        other => panic!("{other:?}"),
    }
}

fn check_polarion(doc: &ImportedDocument) {
    assert_eq!(counts(doc), (1, 1, 0, 1));
    let r = &doc.requirements[0];
    assert_eq!(r.id(), "LOREM-818");
    assert_eq!(r.title, "SW: Lorem Ipsum");
    assert_eq!(r.text, "The Lorem Ipsum shall do something.");
    assert_eq!(r.status.as_deref(), Some("Draft"));
    assert_eq!(r.chapter_path, ["Section 1"]);
    assert_eq!(r.specification.as_deref(), Some("Test Export"));
    assert_eq!(r.attributes["ReqIF.ForeignCreatedBy"], "redacted@mail.com");
    assert_eq!(doc.headings[0].title, "Section 1");
}

#[test]
fn polarion_sample_reads_with_two_warnings() {
    let doc = import("04_polarion_sample1.reqif", &ImportOptions::new());
    check_polarion(&doc);
    // The heading's ReqIF.Text is a STRING value for an XHTML definition, and a
    // SPEC-HIERARCHY identifier is repeated (the file is schema-invalid for that).
    assert_warnings(
        &doc,
        &[("ATTRIBUTE-VALUE-STRING", 119, "of kind Xhtml"), ("SPEC-HIERARCHY", 184, "duplicate IDENTIFIER")],
    );
    assert_eq!(doc.warnings[1].identifier.as_deref(), Some("rmf-0c4d996f-31e9-41d5-bbf0-73c13fc68f3c"));
}

#[test]
fn polarion_reqifz_reads_like_its_reqif() {
    let doc = import("05_polarion_sample.reqifz", &ImportOptions::new());
    check_polarion(&doc);
    // Same file with XML comments added: the lines move, the warnings do not.
    assert_warnings(
        &doc,
        &[("ATTRIBUTE-VALUE-STRING", 124, "of kind Xhtml"), ("SPEC-HIERARCHY", 189, "duplicate IDENTIFIER")],
    );
    assert!(doc.warnings[0].file.ends_with("05_polarion_sample.reqifz!sample1_polarion.reqif"));
}

#[test]
fn polarion_srs_separates_headings_and_reports_bad_dates() {
    let doc = import("06_polarion_anonymized-SRS.reqif", &ImportOptions::new());
    assert_eq!(counts(&doc), (58, 43, 0, 1));
    // The anonymizer replaced every ReqIF.ForeignCreatedOn date with "aaa".
    assert_eq!(doc.warnings.len(), 101);
    assert!(
        doc.warnings
            .iter()
            .all(|w| w.element == "ATTRIBUTE-VALUE-DATE" && w.message.contains("`aaa` is not an xsd:dateTime"))
    );
    assert_eq!(doc.requirements[1].text, "Anonymized");
    assert_eq!(doc.requirements[0].object_type, "Software Requirement");
    assert!(doc.requirements.iter().any(|r| r.chapter_path.len() == 4));
    assert!(
        doc.requirements.iter().all(|r| r.specification.as_deref() == Some("Software Requirements Specifications"))
    );
}

#[test]
fn enterprise_architect_sample_with_overrides() {
    // EA gives its attribute definitions no LONG-NAME: they are matched by IDENTIFIER.
    let options = ImportOptions::new()
        .with_override("FUNC-REQ-TXT=text")
        .and_then(|o| o.with_override("PERF-REQ-TXT=text"))
        .and_then(|o| o.with_override("FUNC-REQ-STATUS=status"))
        .expect("valid overrides");
    let doc = import("08_enterprise-architect-8_example.reqif", &options);
    assert_eq!(counts(&doc), (3, 0, 1, 1));
    let r = &doc.requirements[0];
    assert_eq!((r.id(), r.title.as_str()), ("R001", "Observe earths surface."));
    assert_eq!(r.text, "The system shall observe the earths surface.");
    assert_eq!(r.status.as_deref(), Some("Proposed"));
    assert_eq!(
        doc.requirements[2].text,
        "The time span between detection of a fire and alerting of control center shall be less than 3 sec."
    );
    assert_eq!(doc.requirements[2].attributes["PERF-REQ-STATUS"], "Proposed");
    // The relation and the hierarchy point at FUNC-REQ-1/2, which are types' names, not objects.
    assert_warnings(
        &doc,
        &[
            ("SPEC-HIERARCHY", 210, "`FUNC-REQ-1`, which is not defined"),
            ("SPEC-HIERARCHY", 215, "`FUNC-REQ-2`, which is not defined"),
            ("SPEC-RELATION", 195, "source `FUNC-REQ-1`"),
            ("SPEC-RELATION", 195, "target `FUNC-REQ-2`"),
        ],
    );
    let rel = &doc.resolve_relations(|_| false)[0];
    assert_eq!((rel.source, rel.target), (Endpoint::Unresolved("FUNC-REQ-1"), Endpoint::Unresolved("FUNC-REQ-2")));
}

#[test]
fn rmf_system_attributes_keep_hierarchy() {
    let doc = import("09_rmf_TC1100_system-attributes.reqif", &ImportOptions::new());
    assert_eq!(counts(&doc), (5, 0, 0, 1));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let ids: Vec<_> = doc.requirements.iter().map(|r| (r.id(), r.title.as_str())).collect();
    assert_eq!(ids, [("1", "Obj1"), ("1.1", "Obj1.1"), ("1.1.1", "Obj1.1.1"), ("1.2", "Obj1.2"), ("2", "Obj2")]);
    assert_eq!(doc.requirements[2].parent.as_deref(), Some("ID_TC1100_SpecObject11"));
    assert_eq!(doc.requirements[0].attributes["ReqIF.ForeignCreatedBy"], "Max Mustermann");
    assert_eq!(doc.requirements[0].attributes["ReqIF.ForeignCreatedOn"], "2002-01-01T00:00:00.000Z");
    // No LONG-NAME: the specification is named by its ReqIF.Name (an XHTML value).
    assert_eq!(doc.specifications[0].name, "Specification1");
    assert_eq!(doc.specifications[0].nodes, 5);
}

#[test]
fn rmf_xhtml_renders_as_plain_text() {
    let options = ImportOptions::new()
        .with_override("TC1200 AttributeDefinitionXHTML=text")
        .and_then(|o| o.with_override("TC1200 AttributeDefinitionString=id"))
        .expect("valid overrides");
    let doc = import("10_rmf_TC1200_xhtml.reqif", &options);
    assert_eq!(counts(&doc), (44, 0, 0, 1));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let text = |id: &str| {
        doc.requirements.iter().find(|r| r.id() == id).map(|r| r.text.as_str()).unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(text("xhtml.br.type"), "XhtmlPType");
    assert_eq!(text("xhtml.ul.type"), "XhtmlDivType\n- XhtmlLiType");
    assert_eq!(text("xhtml.ol.type"), "XhtmlDivType\n1. XhtmlLiType");
    assert_eq!(text("xhtml.dl.type"), "XhtmlDivType\nXhtmlDtType\n  XhtmlDdType");
    assert_eq!(text("xhtml.tr.type"), "XhtmlDivType\nXhtmlThType | XhtmlTdType");
    assert_eq!(text("xhtml.table.type"), "XhtmlDivType\nXhtmlCaptionType");
    assert!(
        text("xhtml.p.type").starts_with("text before br\ntext after br text before spanXhtmlSpanTypetext after span")
    );
    assert!(text("xhtml.div.type").starts_with("text before h1\n\nXhtmlH1Type\n\ntext after h1"));
}

#[test]
fn rmf_relation_and_group() {
    let doc = import("11_rmf_TC1300_spec-relations.reqif", &ImportOptions::new());
    assert_eq!(counts(&doc), (2, 0, 1, 1));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let rel = &doc.relations[0];
    assert_eq!(
        (rel.relation_type.as_str(), rel.source.as_str(), rel.target.as_str()),
        ("TC 1300 SpecRelationType", "ID_TC1300_SpecObject1", "ID_TC1300_SpecObject2")
    );
    assert_eq!(rel.attributes["ReqIF.Name"], "TC 1300 SpecRelation");
}

#[test]
fn rmf_internal_table_rows_keep_their_parent() {
    let doc = import("12_rmf_TC1400_internal-table.reqif", &ImportOptions::new());
    assert_eq!(counts(&doc), (5, 0, 0, 1));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let rows: Vec<_> =
        doc.requirements.iter().filter(|r| r.object_type == "TC1400 SpecObjectType Internal Table").collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.parent.as_deref() == Some("ID_TC1400_SpecObject11")));
    assert_eq!(rows[0].title, "TableObj1.1.1");
    assert_eq!(
        rows[1].attributes["ReqIF.ChangeDescription"],
        "Changed name in order to comply to company naming conventions"
    );
    assert_eq!(rows[1].attributes["ReqIF.Revision"], "20");
}

#[test]
fn rmf_multi_file_reqifz_resolves_across_members() {
    let doc = import("13_rmf_TC1700_multi-file.reqifz", &ImportOptions::new());
    assert_eq!(counts(&doc), (2, 0, 1, 1));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(doc.headers.len(), 2);
    assert!(doc.headers[1].source.ends_with("TC1700_E0000_S10_Reference_20210122_1256_jenkins_1.reqif"));
    let rel = &doc.resolve_relations(|_| false)[0];
    assert!(matches!((rel.source, rel.target), (Endpoint::Requirement(_), Endpoint::Requirement(_))));
}

#[test]
fn pror_sample_reads_despite_schema_errors() {
    let doc = import("14_pror_ProREssentialsDocumentation.reqif", &ImportOptions::new());
    // Objects of ProR's "Headline" type are headings, named by their Description.
    assert_eq!(counts(&doc), (23, 2, 1, 2));
    assert_eq!(doc.headings[0].object_type, "Headline");
    // ProR maps to the fallback names: "ID" is the id, "Description" the text.
    let r = doc.requirements.iter().find(|r| r.id() == "REQ-1").expect("REQ-1");
    assert_eq!(r.text, "The documentation shall be hosted online");
    assert_eq!(r.parent, None);
    assert_eq!(r.chapter_path, [doc.headings[0].title.clone()]);
    assert_eq!(
        doc.requirements.iter().find(|r| r.title == "Wiki Approach").map(|r| r.object_type.as_str()),
        Some("Approach")
    );
    assert_warnings(
        &doc,
        &[
            ("REQ-IF-HEADER", 4, "required TITLE is missing"),
            ("REQ-IF-HEADER", 4, "`1.0.1`"),
            ("SPEC-RELATION", 535, "no TYPE"),
        ],
    );
}
