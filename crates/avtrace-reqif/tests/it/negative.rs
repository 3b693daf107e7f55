//! The hand-made files in tests/reqif/negative: each `neg_*` breaks one schema rule. All of
//! them are still readable, so each imports with exactly one warning (two for the dangling
//! reference, which breaks both a relation and a hierarchy node) that names the element and
//! its line; the `pos_*` files are valid and import silently.

use avtrace_reqif::{ImportOptions, ImportedDocument, import_path};

use crate::tools::require_shared;

fn import(name: &str) -> ImportedDocument {
    let path = require_shared().join("negative").join(name);
    import_path(&path, &ImportOptions::new()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (element, identifier, line, message fragment)
type Expected<'a> = (&'a str, Option<&'a str>, u64, &'a str);

fn check(name: &str, expected: &[Expected<'_>]) -> ImportedDocument {
    let doc = import(name);
    let got: Vec<String> = doc.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(doc.warnings.len(), expected.len(), "{name}: {got:#?}");
    for ((element, id, line, fragment), w) in expected.iter().zip(&doc.warnings) {
        assert_eq!((w.element.as_str(), w.identifier.as_deref(), w.line), (*element, *id, Some(*line)), "{name}: {w}");
        assert!(w.message.contains(fragment), "{name}: {w} should mention {fragment:?}");
    }
    doc
}

#[test]
fn dangling_idref_is_a_warning_naming_the_relation_and_the_node() {
    // Why a warning and not an error: the rest of the file is fine, and the caller can still
    // see the relation (with its unresolved end) and decide.
    let doc = check(
        "neg_dangling_idref.reqif",
        &[
            ("SPEC-HIERARCHY", Some("ID_TC1300_SpecHierarchy2"), 100, "`DOES_NOT_EXIST`, which is not defined"),
            ("SPEC-RELATION", Some("ID_TC1300_SpecRelation"), 67, "target `DOES_NOT_EXIST`"),
        ],
    );
    assert_eq!(doc.relations[0].target, "DOES_NOT_EXIST");
    assert_eq!(doc.requirements.len(), 2);
}

#[test]
fn date_with_a_space_is_a_warning() {
    // Tools read "2024-01-01 10:00:00" fine; strict validators do not. LAST-CHANGE is not
    // imported, so a warning is all it deserves.
    check(
        "neg_date_space.reqif",
        &[(
            "DATATYPE-DEFINITION-STRING",
            Some("ID_TC1100_DatatypeDefinitionString"),
            15,
            "`2024-01-01 10:00:00` is not an xsd:dateTime",
        )],
    );
}

#[test]
fn xhtml_outside_the_subset_keeps_its_text_with_a_warning() {
    let doc = check(
        "neg_font.reqif",
        &[("THE-VALUE", Some("ID_TC1100_SpecObject1"), 87, "<font> is not in the ReqIF XHTML subset")],
    );
    assert_eq!(doc.requirements[0].title, "x");
    let doc = check(
        "neg_img.reqif",
        &[("THE-VALUE", Some("ID_TC1100_SpecObject1"), 87, "<img> is not in the ReqIF XHTML subset")],
    );
    assert_eq!(doc.requirements[0].title, "");
}

#[test]
fn xhtml_without_namespace_is_read_with_a_warning() {
    let doc =
        check("neg_nons.reqif", &[("THE-VALUE", Some("ID_TC1100_SpecObject1"), 87, "not in the XHTML namespace")]);
    assert_eq!(doc.requirements[0].title, "no namespace");
}

#[test]
fn two_top_level_paragraphs_are_read_with_a_warning() {
    let doc = check(
        "neg_two_p.reqif",
        &[("THE-VALUE", Some("ID_TC1100_SpecObject1"), 87, "exactly one xhtml:div or xhtml:p")],
    );
    assert_eq!(doc.requirements[0].title, "a\n\nb");
}

#[test]
fn version_1_2_is_a_warning() {
    // ReqIF 1.2 files must still say 1.0; a tool that writes 1.2 is wrong but readable.
    let doc =
        check("neg_version12.reqif", &[("REQ-IF-HEADER", Some("ID_TC1100_ReqIfHeader"), 4, "REQ-IF-VERSION is `1.2`")]);
    assert_eq!(doc.requirements.len(), 5);
}

#[test]
fn valid_rich_xhtml_imports_silently() {
    // Valid, but the value is only an image: said, with the file and the alternative text.
    let doc = check(
        "pos_object.reqif",
        &[(
            "ATTRIBUTE-VALUE-XHTML",
            Some("ID_TC1100_SpecObject1"),
            82,
            "holds only an image or OLE object (files/x.png) and no text: its alternative text `alt text` is kept",
        )],
    );
    assert_eq!(doc.requirements[0].title, "alt text");
    let doc = check("pos_rich.reqif", &[]);
    assert_eq!(doc.requirements[0].title, "text bold x\n- i\nc");
}
