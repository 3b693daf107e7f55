//! Hostile and broken inputs built in the test: each ends with a typed error (or a warning)
//! that says where and what, and nothing panics or runs away with memory.

use std::io::{Cursor, Read, Write};

use avtrace_reqif::{
    ImportError, ImportErrorKind, ImportOptions, Limits, Location, REQIF_NAMESPACE, import_reader, import_reqifz,
};
use proptest::prelude::*;

use crate::fixture;

fn import_str(xml: &str) -> Result<avtrace_reqif::ImportedDocument, ImportError> {
    import_reader(xml.as_bytes(), "hostile.reqif", &ImportOptions::new())
}

fn expect_error(xml: &str, kind: ImportErrorKind, fragment: &str) -> ImportError {
    let err = import_str(xml).expect_err("must be refused");
    assert_eq!(err.kind(), kind, "{err}");
    assert!(err.message().contains(fragment), "{err} should mention {fragment:?}");
    assert!(err.to_string().starts_with("hostile.reqif:"), "{err}");
    err
}

const MINIMAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd">
  <THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><CREATION-TIME>2026-01-01T00:00:00Z</CREATION-TIME><REQ-IF-TOOL-ID>t</REQ-IF-TOOL-ID><REQ-IF-VERSION>1.0</REQ-IF-VERSION><SOURCE-TOOL-ID>t</SOURCE-TOOL-ID><TITLE>t</TITLE></REQ-IF-HEADER></THE-HEADER>
  <CORE-CONTENT><REQ-IF-CONTENT/></CORE-CONTENT>
</REQ-IF>
"#;

#[test]
fn minimal_document_imports() {
    let doc = import_str(MINIMAL).expect("valid");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn billion_laughs_is_refused_at_the_doctype() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd">&lol9;</REQ-IF>"#;
    let err = expect_error(xml, ImportErrorKind::Refused, "DOCTYPE declarations are refused");
    assert_eq!(err.location(), Some(Location { line: 2, column: 1 }));
}

#[test]
fn external_entities_are_never_resolved() {
    let with_dtd =
        r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><REQ-IF>&xxe;</REQ-IF>"#;
    expect_error(with_dtd, ImportErrorKind::Refused, "DOCTYPE");
    // Without a DTD the entity is simply undefined.
    let bare = MINIMAL.replace("<TITLE>t</TITLE>", "<TITLE>&xxe;</TITLE>");
    let err = expect_error(&bare, ImportErrorKind::Refused, "undefined entity `&xxe;`");
    assert_eq!(err.location().map(|l| l.line), Some(3));
    let in_attribute = MINIMAL.replace(r#"IDENTIFIER="h""#, r#"IDENTIFIER="&xxe;""#);
    expect_error(&in_attribute, ImportErrorKind::Refused, "IDENTIFIER");
    // Predefined entities and character references are fine.
    let ok = MINIMAL.replace("<TITLE>t</TITLE>", "<TITLE>a&amp;b&#x3C;&#233;&quot;</TITLE>");
    assert_eq!(import_str(&ok).expect("valid").headers[0].title.as_deref(), Some("a&b<é\""));
}

#[test]
fn truncated_file_names_what_is_missing() {
    let bytes = fixture::export_bytes();
    let text = String::from_utf8(bytes).expect("utf-8");
    // Cut in the middle of a tag and between elements.
    let mid_tag = &text[..text.find("<SPEC-RELATIONS>").expect("relations") + 7];
    let err = expect_error(mid_tag, ImportErrorKind::Malformed, "not closed");
    assert!(err.location().is_some());
    let between = &text[..text.find("<SPEC-RELATIONS>").expect("relations")];
    let err = expect_error(between, ImportErrorKind::Malformed, "unexpected end of file");
    let lines = between.lines().count() as u64;
    assert_eq!(err.location().map(|l| l.line), Some(lines));
}

#[test]
fn mismatched_end_tag_says_what_was_expected() {
    let xml = MINIMAL.replace("</THE-HEADER>", "</THE-HEADERS>");
    let err = expect_error(&xml, ImportErrorKind::Malformed, "expected </THE-HEADER>, found </THE-HEADERS>");
    assert_eq!(err.location().map(|l| l.line), Some(3));
}

#[test]
fn wrong_namespace_is_not_reqif_but_no_namespace_is_tolerated() {
    let other = MINIMAL.replace(REQIF_NAMESPACE, "http://www.omg.org/ReqIF-draft");
    expect_error(&other, ImportErrorKind::NotReqif, "expected a <REQ-IF> root element");
    let html = "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>";
    expect_error(html, ImportErrorKind::NotReqif, "found <html>");
    let none = MINIMAL.replace(&format!(" xmlns=\"{REQIF_NAMESPACE}\""), "");
    let doc = import_str(&none).expect("lenient");
    assert_eq!(doc.warnings.len(), 1);
    assert!(doc.warnings[0].message.contains("no namespace"), "{}", doc.warnings[0]);
    assert_eq!(doc.headers[0].title.as_deref(), Some("t"));
}

#[test]
fn deep_nesting_stops_at_the_limit() {
    let mut xml = format!("<REQ-IF xmlns=\"{REQIF_NAMESPACE}\"><TOOL-EXTENSIONS>");
    for _ in 0..10_000 {
        xml.push_str("<x>");
    }
    for _ in 0..10_000 {
        xml.push_str("</x>");
    }
    xml.push_str("</TOOL-EXTENSIONS></REQ-IF>");
    let err = expect_error(&xml, ImportErrorKind::LimitExceeded, "nested deeper than the limit of 256");
    assert_eq!(err.location().map(|l| l.line), Some(1));
}

#[test]
fn empty_and_non_xml_inputs() {
    expect_error("", ImportErrorKind::NotReqif, "found end of file");
    expect_error("hello, world", ImportErrorKind::NotReqif, "found end of file");
    expect_error("<REQ-IF", ImportErrorKind::Malformed, "not closed");
    expect_error(&format!("{MINIMAL}<REQ-IF/>"), ImportErrorKind::Malformed, "second root element");
    expect_error(&format!("<REQ-IF xmlns='{REQIF_NAMESPACE}' b='1' b='2'/>"), ImportErrorKind::Malformed, "attribute");
}

#[test]
fn other_encodings_are_refused_clearly() {
    let latin1 = MINIMAL.replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
    expect_error(&latin1, ImportErrorKind::Encoding, "unsupported encoding `ISO-8859-1`");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(MINIMAL.encode_utf16().flat_map(u16::to_le_bytes));
    let err = import_reader(&utf16[..], "u16.reqif", &ImportOptions::new()).expect_err("utf-16");
    assert_eq!(err.kind(), ImportErrorKind::Encoding);
    let mut bad = MINIMAL.as_bytes().to_vec();
    let at = MINIMAL.find("<TITLE>t").expect("title") + 7;
    bad[at] = 0xFF;
    let err = import_reader(&bad[..], "bad.reqif", &ImportOptions::new()).expect_err("invalid utf-8");
    assert_eq!(err.kind(), ImportErrorKind::Encoding, "{err}");
}

fn small_limits() -> ImportOptions {
    ImportOptions::new().with_limits(Limits { max_text_bytes: 1 << 16, max_attributes: 8, ..Limits::default() })
}

/// Produces `prefix` and then `filler` forever (well, up to a terabyte), counting what was read.
struct Endless {
    prefix: Vec<u8>,
    filler: &'static [u8],
    pos: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        for (i, b) in buf.iter_mut().enumerate() {
            let p = self.pos + i as u64;
            *b = match self.prefix.get(p as usize) {
                Some(&b) => b,
                None => self.filler[(p as usize - self.prefix.len()) % self.filler.len()],
            };
        }
        self.pos += buf.len() as u64;
        Ok(buf.len())
    }
}

#[test]
fn endless_values_stop_at_the_limits_without_reading_on() {
    let opts = small_limits();
    let head = format!("<REQ-IF xmlns=\"{REQIF_NAMESPACE}\"><THE-HEADER><REQ-IF-HEADER IDENTIFIER=\"h\"><TITLE>");
    // One endless text run: the token budget stops it.
    let mut endless = Endless { prefix: head.clone().into_bytes(), filler: b"aaaaaaaa", pos: 0 };
    let err = import_reader(std::io::BufReader::new(&mut endless), "big.reqif", &opts).expect_err("too big");
    assert_eq!(err.kind(), ImportErrorKind::LimitExceeded, "{err}");
    assert!(endless.pos < 4 << 20, "read {} bytes", endless.pos);
    // Endless entity references: many small events, one growing value.
    let mut endless = Endless { prefix: head.into_bytes(), filler: b"&amp;", pos: 0 };
    let err = import_reader(std::io::BufReader::new(&mut endless), "refs.reqif", &opts).expect_err("too big");
    assert_eq!(err.kind(), ImportErrorKind::LimitExceeded, "{err}");
    assert!(endless.pos < 4 << 20, "read {} bytes", endless.pos);
    // An endless attribute value.
    let mut endless = Endless { prefix: b"<REQ-IF LONG-NAME=\"".to_vec(), filler: b"x", pos: 0 };
    let err = import_reader(std::io::BufReader::new(&mut endless), "attr.reqif", &opts).expect_err("too big");
    assert_eq!(err.kind(), ImportErrorKind::LimitExceeded, "{err}");
    assert!(endless.pos < 4 << 20, "read {} bytes", endless.pos);
}

#[test]
fn too_many_attributes() {
    let attrs: String = (0..20).map(|i| format!(" a{i}=\"v\"")).collect();
    let xml = MINIMAL.replace("<REQ-IF-HEADER IDENTIFIER=\"h\"", &format!("<REQ-IF-HEADER IDENTIFIER=\"h\"{attrs}"));
    let err = import_reader(xml.as_bytes(), "attrs.reqif", &small_limits()).expect_err("too many");
    assert_eq!(err.kind(), ImportErrorKind::LimitExceeded);
    assert!(err.message().contains("more than the limit of 8 attributes"), "{err}");
}

fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        zip.start_file(*name, options).expect("start");
        zip.write_all(data).expect("write");
    }
    zip.finish().expect("finish").into_inner()
}

#[test]
fn zip_bomb_stops_at_the_archive_limit() {
    let filler = vec![b' '; 64 << 20];
    let mut member = MINIMAL.split("<TITLE>").next().expect("head").as_bytes().to_vec();
    member.extend_from_slice(b"<TITLE>");
    member.extend_from_slice(&filler);
    let archive = zip_of(&[("bomb.reqif", &member)]);
    assert!(archive.len() < 1 << 20, "compressed to {}", archive.len());
    let opts = ImportOptions::new().with_limits(Limits { max_archive_bytes: 8 << 20, ..Limits::default() });
    let err = import_reqifz(Cursor::new(archive), "bomb.reqifz", &opts).expect_err("bomb");
    assert_eq!(err.kind(), ImportErrorKind::LimitExceeded, "{err}");
    assert!(err.message().contains("zip bomb"), "{err}");
}

#[test]
fn zip_members_escaping_the_folder_are_refused() {
    let archive = zip_of(&[("../evil.reqif", MINIMAL.as_bytes())]);
    let err = import_reqifz(Cursor::new(archive), "evil.reqifz", &ImportOptions::new()).expect_err("refused");
    assert_eq!(err.kind(), ImportErrorKind::Refused);
    assert!(err.message().contains("`..`"), "{err}");
    let archive = zip_of(&[("files/picture.png", b"png")]);
    let err = import_reqifz(Cursor::new(archive), "empty.reqifz", &ImportOptions::new()).expect_err("no member");
    assert_eq!(err.kind(), ImportErrorKind::Archive);
    let err = import_reqifz(Cursor::new(b"PK\x03\x04 not a zip".to_vec()), "junk.reqifz", &ImportOptions::new())
        .expect_err("junk");
    assert_eq!(err.kind(), ImportErrorKind::Archive);
    let archive = zip_of(&[("doc.reqif", MINIMAL.as_bytes()), ("files/picture.png", b"png")]);
    let doc = import_reqifz(Cursor::new(archive), "ok.reqifz", &ImportOptions::new()).expect("valid");
    assert_eq!(doc.attachments, ["files/picture.png"]);
}

#[test]
fn warnings_are_capped() {
    let opts = ImportOptions::new().with_limits(Limits { max_warnings: 3, ..Limits::default() });
    let dup: String = (0..10).map(|_| "<SPEC-OBJECT IDENTIFIER=\"same\" LAST-CHANGE=\"x\"/>".to_owned()).collect();
    let xml = MINIMAL
        .replace("<REQ-IF-CONTENT/>", &format!("<REQ-IF-CONTENT><SPEC-OBJECTS>{dup}</SPEC-OBJECTS></REQ-IF-CONTENT>"));
    let doc = import_reader(xml.as_bytes(), "w.reqif", &opts).expect("lenient");
    assert_eq!(doc.warnings.len(), 4);
    assert!(doc.warnings[3].message.contains("more warning(s) not shown"), "{}", doc.warnings[3]);
}

/// The case of a hostile `.reqifz`: millions of tiny faulty elements. Past the cap each
/// costs a counter, not a message, and the count is still said.
#[test]
fn tiny_faulty_elements_are_counted_past_the_warning_cap() {
    let n = 2_000_000;
    let body = "<x/>".repeat(n);
    let xml = MINIMAL.replace("<REQ-IF-CONTENT/>", &format!("<REQ-IF-CONTENT>{body}</REQ-IF-CONTENT>"));
    let archive = zip_of(&[("tiny.reqif", xml.as_bytes())]);
    assert!(archive.len() < 200 << 10, "compressed to {}", archive.len());
    let doc = import_reqifz(Cursor::new(archive), "tiny.reqifz", &ImportOptions::new()).expect("lenient");
    let cap = Limits::default().max_warnings;
    assert_eq!(doc.warnings.len(), cap + 1);
    let last = &doc.warnings[cap];
    assert!(last.message.contains(&format!("{} more warning(s) not shown", n - cap)), "{last}");
    // Past the fault limit the import stops: the rest of a flood is not worth reading.
    let limits = Limits { max_faults: 100_000, ..Limits::default() };
    let archive = zip_of(&[("tiny.reqif", xml.as_bytes())]);
    let err = import_reqifz(Cursor::new(archive), "tiny.reqifz", &ImportOptions::new().with_limits(limits))
        .expect_err("a flood of faults");
    assert_eq!(err.kind(), ImportErrorKind::LimitExceeded, "{err}");
    assert!(err.message().contains("more than 100000 problems"), "{err}");
    assert!(err.file().ends_with("tiny.reqifz!tiny.reqif"), "{err}");
}

/// The case of a `.reqifz` within the archive limit whose values would fill memory: the
/// document budget stops it, however far the archive expands.
#[test]
fn an_archive_of_large_values_is_held_to_the_document_budget() {
    let value = "v".repeat(1 << 20);
    let objects: String = (0..24)
        .map(|i| {
            format!(
                "<SPEC-OBJECT IDENTIFIER=\"o{i}\" LAST-CHANGE=\"2020-01-01T00:00:00Z\"><VALUES><ATTRIBUTE-VALUE-STRING THE-VALUE=\"{value}\"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>a</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING></VALUES></SPEC-OBJECT>"
            )
        })
        .collect();
    let xml = MINIMAL.replace(
        "<REQ-IF-CONTENT/>",
        &format!("<REQ-IF-CONTENT><SPEC-OBJECTS>{objects}</SPEC-OBJECTS></REQ-IF-CONTENT>"),
    );
    let archive = zip_of(&[("big.reqif", xml.as_bytes())]);
    let limits = Limits { max_document_bytes: 16 << 20, ..Limits::default() };
    let opts = ImportOptions::new().with_limits(limits);
    let err = import_reqifz(Cursor::new(archive.clone()), "big.reqifz", &opts).expect_err("over budget");
    assert_eq!(err.kind(), ImportErrorKind::LimitExceeded, "{err}");
    assert!(err.message().contains("16 MiB"), "{err}");
    assert!(err.file().ends_with("big.reqifz!big.reqif"), "{err}");
    // Within the budget the same archive reads.
    let limits = Limits { max_document_bytes: 32 << 20, ..Limits::default() };
    let doc = import_reqifz(Cursor::new(archive), "big.reqifz", &ImportOptions::new().with_limits(limits))
        .expect("within budget");
    assert_eq!(doc.requirements.len(), 24);
}

/// XML 1.0 forbids C0 controls and U+FFFE/U+FFFF, raw or as references.
#[test]
fn forbidden_characters_are_refused_with_their_place() {
    for (text, fragment, column) in
        [("a&#x1;b", "U+0001", 8), ("a&#xFFFE;b", "U+FFFE", 8), ("a\u{1}b", "U+0001 (written raw)", 8)]
    {
        let xml = MINIMAL.replace("<REQ-IF-CONTENT/>", &format!("<REQ-IF-CONTENT>\n<x>{text}</x></REQ-IF-CONTENT>"));
        let err = import_reader(xml.as_bytes(), "c.reqif", &ImportOptions::new()).expect_err("refused");
        assert_eq!(err.kind(), ImportErrorKind::Malformed, "{err}");
        assert!(err.message().contains(fragment), "{err}");
        let line = xml.lines().position(|l| l.starts_with("<x>")).expect("line") as u64 + 1;
        assert_eq!(err.location().map(|l| l.line), Some(line), "{err}");
        if fragment.contains("raw") {
            assert_eq!(err.location().map(|l| l.column), Some(column - 3), "{err}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Corrupting an exported file anywhere gives `Ok` or a typed error, never a panic.
    #[test]
    fn corrupted_files_never_panic(cut in 0usize..100_000, flips in proptest::collection::vec((0usize..100_000, any::<u8>()), 0..6)) {
        let mut bytes = fixture::export_bytes();
        for (at, b) in flips {
            let len = bytes.len();
            bytes[at % len] = b;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = import_reader(&bytes[..], "fuzz.reqif", &ImportOptions::new());
    }
}
