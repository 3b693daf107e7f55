//! Test results from JUnit XML files (`--results`), matched to a program's evidence.

use std::collections::HashMap;

use avtrace_junit::{Outcome, TestCase};
use avtrace_model::{Evidence, EvidenceKind, EvidenceResult, FileIx, Program, Span};

use crate::diag::{Diagnostic, Sources};

/// How many names a summary warning lists before it says "and N more".
const NAMES_SHOWN: usize = 10;

/// Reads each JUnit file and sets the result of every evidence record whose id (or `junit`
/// name) a test case answers to: failed when any matching case failed, passed when all
/// passed, else not-run. A program that names evidence only in `verified_by` gets an
/// evidence record (a test) for each name, so that results reach it too.
///
/// Returns the problems: a file that is not JUnit XML (an error, at the place), test cases
/// that match no evidence, and test evidence that no case answers to (warnings, so that a
/// renamed test does not pass silently).
pub fn apply_results(sources: &Sources, program: &mut Program, files: &[FileIx]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if files.is_empty() {
        return diagnostics;
    }
    if program.evidence.is_empty() {
        program.evidence = implied_evidence(program);
    }
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::with_capacity(program.evidence.len());
    for (i, e) in program.evidence.iter().enumerate() {
        by_name.entry(e.junit.as_deref().unwrap_or(&e.id)).or_default().push(i);
    }
    let mut outcomes: Vec<Vec<Outcome>> = vec![Vec::new(); program.evidence.len()];
    for &file in files {
        let text = sources.file(file).text();
        let cases = match avtrace_junit::read(text) {
            Ok(cases) => cases,
            Err(e) => {
                let at = e.offset.min(text.len());
                diagnostics.push(
                    Diagnostic::error("invalid-junit", Some(Span::new(file, at..at)), e.message)
                        .with_note("--results reads JUnit XML: <testsuites>/<testsuite> with <testcase> elements"),
                );
                continue;
            }
        };
        let mut unmatched: Vec<&TestCase> = Vec::new();
        for case in &cases {
            let matched = case
                .names()
                .iter()
                .filter_map(|n| by_name.get(n.as_str()))
                .flatten()
                .copied()
                .collect::<std::collections::BTreeSet<usize>>();
            if matched.is_empty() {
                unmatched.push(case);
            }
            for i in matched {
                outcomes[i].push(case.outcome);
            }
        }
        if let Some(first) = unmatched.first() {
            let names: Vec<String> = unmatched.iter().map(|c| qualified(c)).collect();
            diagnostics.push(
                Diagnostic::warning(
                    "unmatched-test",
                    Some(Span::new(file, first.span.clone())),
                    format!(
                        "{} of {} test cases match no evidence of the program: {}",
                        unmatched.len(),
                        cases.len(),
                        shown(&names)
                    ),
                )
                .with_note(
                    "name the case in an [[evidence]] `id` or `junit` key, or ignore this if it is not evidence",
                ),
            );
        }
    }
    let mut silent: Vec<&Evidence> = Vec::new();
    for (e, found) in program.evidence.iter_mut().zip(&outcomes) {
        if found.is_empty() {
            continue;
        }
        e.result = Some(if found.contains(&Outcome::Failed) {
            EvidenceResult::Failed
        } else if found.iter().all(|o| *o == Outcome::Passed) {
            EvidenceResult::Passed
        } else {
            EvidenceResult::NotRun
        });
    }
    for (e, found) in program.evidence.iter().zip(&outcomes) {
        if found.is_empty() && e.kind == EvidenceKind::Test {
            silent.push(e);
        }
    }
    if let Some(first) = silent.first() {
        let names: Vec<String> = silent.iter().map(|e| e.id.clone()).collect();
        diagnostics.push(
            Diagnostic::warning(
                "no-test-result",
                Some(first.span),
                format!("{} test evidence records have no test case in the results: {}", silent.len(), shown(&names)),
            )
            .with_note("their result stays as the program writes it (or unknown): a renamed test does not pass"),
        );
    }
    diagnostics
}

/// One test record per distinct `verified_by` name, at the first requirement naming it.
fn implied_evidence(program: &Program) -> Vec<Evidence> {
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let mut out = Vec::new();
    for r in &program.requirements {
        for id in &r.verified_by {
            if seen.insert(id, ()).is_none() {
                out.push(Evidence {
                    id: id.to_string(),
                    kind: EvidenceKind::Test,
                    title: String::new(),
                    uri: None,
                    junit: None,
                    result: None,
                    span: r.span,
                });
            }
        }
    }
    out
}

fn qualified(case: &TestCase) -> String {
    if case.classname.is_empty() { case.name.clone() } else { format!("{}.{}", case.classname, case.name) }
}

fn shown(names: &[String]) -> String {
    let mut out = names.iter().take(NAMES_SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    if names.len() > NAMES_SHOWN {
        out.push_str(&format!(" and {} more", names.len() - NAMES_SHOWN));
    }
    out
}
