//! Exported files pass the external validators: xmllint against the OMG schema, Python
//! xmlschema (which also resolves internal references), and the independent Python `reqif`
//! parser, which must count the objects, relations and specifications we wrote.

use std::io::{Cursor, Read};
use std::path::Path;
use std::process::Command;

use avtrace_reqif::ExportReport;

use crate::fixture;
use crate::tools::{require_shared, venv_python, xmllint};

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Writes the fixture as `.reqif` and `.reqifz` (plus the member extracted from the latter).
fn write_exports(dir: &Path) -> ExportReport {
    let (bytes, report) = fixture::document().write_to(Vec::new()).expect("export");
    std::fs::write(dir.join("fixture.reqif"), &bytes).expect("write");
    let (zip, _) = fixture::document().write_reqifz_to(Cursor::new(Vec::new()), "avtrace.reqif").expect("reqifz");
    let zip = zip.into_inner();
    std::fs::write(dir.join("fixture.reqifz"), &zip).expect("write");
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("readable archive");
    assert_eq!(archive.len(), 1);
    let mut member = Vec::new();
    archive.by_name("avtrace.reqif").expect("member").read_to_end(&mut member).expect("read");
    assert_eq!(member, bytes, "the archive holds exactly the .reqif bytes");
    std::fs::write(dir.join("member.reqif"), &member).expect("write");
    report
}

#[test]
fn xmllint_validates_exports_against_the_schema() {
    let Some(xmllint) = xmllint() else { return };
    let schema = require_shared().join("schema/reqif.xsd");
    let dir = tempfile::tempdir().expect("tempdir");
    write_exports(dir.path());
    for file in ["fixture.reqif", "member.reqif"] {
        let (ok, out) = run(Command::new(&xmllint)
            .arg("--nonet")
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .arg(dir.path().join(file)));
        assert!(ok, "xmllint rejects {file}:\n{out}");
    }
}

#[test]
fn xmlschema_validates_exports_and_their_references() {
    let Some(python) = venv_python() else { return };
    let script = require_shared().join("scripts/xsd-validate-py.py");
    let dir = tempfile::tempdir().expect("tempdir");
    write_exports(dir.path());
    let (ok, out) = run(Command::new(&python)
        .arg(&script)
        .arg(dir.path().join("fixture.reqif"))
        .arg(dir.path().join("fixture.reqifz")));
    assert!(ok, "xmlschema rejects the export:\n{out}");
    assert_eq!(out.matches("VALID").count(), 2, "{out}");
}

#[test]
fn python_reqif_reads_what_we_wrote() {
    let Some(python) = venv_python() else { return };
    let script = require_shared().join("scripts/reqif_list.py");
    let dir = tempfile::tempdir().expect("tempdir");
    let report = write_exports(dir.path());
    for file in ["fixture.reqif", "fixture.reqifz"] {
        let (ok, out) = run(Command::new(&python).arg(&script).arg(dir.path().join(file)).arg("--summary"));
        if !ok {
            let kept = dir.keep();
            panic!("reqif_list.py fails on {file} (kept in {}):\n{out}", kept.display());
        }
        let count = |key: &str| -> usize {
            let at = out.find(&format!(" {key}=")).unwrap_or_else(|| panic!("no {key} in {out}")) + key.len() + 2;
            out[at..]
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{out}"))
        };
        assert_eq!(count("spec-objects"), report.spec_objects, "{out}");
        assert_eq!(count("spec-relations"), report.spec_relations, "{out}");
        assert_eq!(count("specifications"), report.specifications, "{out}");
        assert_eq!(count("library-exceptions"), 0, "{out}");
    }
}
