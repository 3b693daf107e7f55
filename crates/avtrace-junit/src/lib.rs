//! Reads JUnit XML, the test-result format that pytest, cargo-nextest, Maven Surefire,
//! ctest, Jest, Go's gotestsum and most CI systems write: `<testsuites>` (or a single
//! `<testsuite>`) holding `<testcase>` elements, each passed unless it holds `<failure>`,
//! `<error>` or `<skipped>`.
//!
//! This crate knows JUnit, not avtrace: it depends on no other avtrace crate. It streams
//! (no DOM), never processes a DTD or fetches anything, and reports every error with the
//! byte offset where it was found, so the caller can name the line and column.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// How one test case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// No `<failure>`, `<error>` or `<skipped>` inside.
    Passed,
    /// A `<failure>` or an `<error>` inside.
    Failed,
    /// A `<skipped>` inside: the test did not run.
    Skipped,
}

/// One `<testcase>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestCase {
    /// Its `name`.
    pub name: String,
    /// Its `classname` (often the module or class), empty when absent.
    pub classname: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Byte offsets of its start tag in the file.
    pub span: std::ops::Range<usize>,
}

impl TestCase {
    /// The names the case answers to: its name, and its name qualified by its classname
    /// with `.`, `::` or `/` (the spellings runners use), the plain name first.
    pub fn names(&self) -> Vec<String> {
        let mut names = vec![self.name.clone()];
        if !self.classname.is_empty() {
            names.extend([".", "::", "/"].iter().map(|sep| format!("{}{sep}{}", self.classname, self.name)));
        }
        names
    }
}

/// Why a file is not JUnit XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JunitError {
    /// What is wrong, and what was expected.
    pub message: String,
    /// Byte offset where it was found.
    pub offset: usize,
}

/// Elements nested deeper than this are refused: JUnit files are shallow.
const MAX_DEPTH: usize = 256;

/// Reads every test case of a JUnit XML document, in document order.
pub fn read(text: &str) -> Result<Vec<TestCase>, JunitError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut cases = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut root_seen = false;
    // The case being read (its index in `cases`) and the depth of its element.
    let mut open_case: Option<(usize, usize)> = None;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| JunitError {
            message: format!("not well-formed XML: {e}"),
            offset: usize::try_from(reader.error_position()).unwrap_or(offset),
        })?;
        let end_offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::DocType(_) => {
                return Err(JunitError { message: "a DOCTYPE is not allowed in JUnit XML".to_owned(), offset });
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name().as_ref().to_owned();
                if !root_seen {
                    root_seen = true;
                    if name != "testsuites" && name != "testsuite" {
                        return Err(JunitError {
                            message: format!(
                                "the root element is <{}>: expected <testsuites> or <testsuite> (JUnit XML)",
                                name
                            ),
                            offset,
                        });
                    }
                }
                match name.as_str() {
                    "testcase" => {
                        if open_case.is_some() {
                            return Err(JunitError { message: "a <testcase> inside a <testcase>".to_owned(), offset });
                        }
                        let (name_attr, classname) = case_attributes(e, offset)?;
                        cases.push(TestCase {
                            name: name_attr,
                            classname,
                            outcome: Outcome::Passed,
                            span: offset..end_offset,
                        });
                        if !empty {
                            open_case = Some((cases.len() - 1, stack.len() + 1));
                        }
                    }
                    "failure" | "error" | "skipped" => {
                        if let Some((i, _)) = open_case {
                            let outcome = if name == "skipped" { Outcome::Skipped } else { Outcome::Failed };
                            // A failure outweighs a skip written beside it.
                            if cases[i].outcome != Outcome::Failed {
                                cases[i].outcome = outcome;
                            }
                        }
                    }
                    _ => {}
                }
                if !empty {
                    stack.push(name);
                    if stack.len() > MAX_DEPTH {
                        return Err(JunitError { message: format!("elements nested deeper than {MAX_DEPTH}"), offset });
                    }
                }
            }
            Event::End(_) => {
                stack.pop();
                if open_case.is_some_and(|(_, depth)| stack.len() < depth) {
                    open_case = None;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(JunitError {
            message: "no element found: expected <testsuites> or <testsuite> (JUnit XML)".to_owned(),
            offset: 0,
        });
    }
    Ok(cases)
}

fn case_attributes(e: &BytesStart<'_>, offset: usize) -> Result<(String, String), JunitError> {
    let mut name = None;
    let mut classname = String::new();
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|err| JunitError { message: format!("bad attribute: {err}"), offset })?;
        let value = attribute
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity)
            .map_err(|err| JunitError {
                message: format!(
                    "bad attribute value: {err} (only the five predefined XML entities and character references \
                     are allowed)"
                ),
                offset,
            })?
            .into_owned();
        match attribute.key.local_name().as_ref() {
            "name" => name = Some(value),
            "classname" => classname = value,
            _ => {}
        }
    }
    let name = name.ok_or_else(|| JunitError { message: "a <testcase> without a `name`".to_owned(), offset })?;
    Ok((name, classname))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="hil" tests="4" failures="1" skipped="1">
  <testsuite name="lane_change" tests="4">
    <testcase name="TC-114" classname="hil.lane_change" time="1.2"/>
    <testcase name="abort_on_closing_vehicle" classname="hil.lane_change">
      <failure message="gap &lt; 1 s">trace</failure>
    </testcase>
    <testcase name="rain" classname="hil.lane_change"><skipped/></testcase>
    <testcase name="crash" classname="hil"><error type="Panic"/><system-out>x</system-out></testcase>
  </testsuite>
</testsuites>
"#;

    #[test]
    fn reads_cases_and_outcomes() {
        let cases = read(SAMPLE).unwrap();
        let got: Vec<(&str, Outcome)> = cases.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
        assert_eq!(
            got,
            [
                ("TC-114", Outcome::Passed),
                ("abort_on_closing_vehicle", Outcome::Failed),
                ("rain", Outcome::Skipped),
                ("crash", Outcome::Failed),
            ]
        );
        assert_eq!(
            &SAMPLE[cases[0].span.clone()],
            r#"<testcase name="TC-114" classname="hil.lane_change" time="1.2"/>"#
        );
        let names = cases[1].names();
        assert!(names.iter().any(|n| n == "hil.lane_change.abort_on_closing_vehicle"));
        assert!(names.iter().any(|n| n == "hil.lane_change::abort_on_closing_vehicle"));
        assert!(!names.iter().any(|n| n == "lane_change.abort_on_closing_vehicle"));
        assert_eq!(cases[3].names()[0], "crash");
    }

    #[test]
    fn a_single_testsuite_root_is_fine() {
        let cases = read(r#"<testsuite name="s"><testcase name="a"/></testsuite>"#).unwrap();
        assert_eq!(cases.len(), 1);
    }

    #[test]
    fn errors_say_where_and_what_was_expected() {
        let err = read("<html><body/></html>").unwrap_err();
        assert!(err.message.contains("expected <testsuites> or <testsuite>"), "{err}");
        let err = read("<testsuite><testcase name=\"a\"></testsuite>").unwrap_err();
        assert!(err.message.starts_with("not well-formed XML"), "{err}");
        let err = read("<!DOCTYPE x [<!ENTITY a \"b\">]><testsuite/>").unwrap_err();
        assert!(err.message.contains("DOCTYPE"), "{err}");
        let err = read("<testsuite><testcase classname=\"x\"/></testsuite>").unwrap_err();
        assert_eq!(err.offset, 11);
        assert!(read("").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = read(&text);
        }

        #[test]
        fn never_panics_on_mangled_junit(cut in 0usize..600, insert in "[<>/\"&a-z ]{0,6}") {
            let cut = cut.min(SAMPLE.len());
            let cut = (0..=cut).rev().find(|&i| SAMPLE.is_char_boundary(i)).unwrap_or(0);
            let text = format!("{}{insert}{}", &SAMPLE[..cut], &SAMPLE[cut..]);
            let _ = read(&text);
        }
    }
}
