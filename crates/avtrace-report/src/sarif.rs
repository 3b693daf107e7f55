//! SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format) for `check` and `gaps`,
//! so that code-review tools annotate the program file's lines in a pull request.

use serde_json::{Value, json};

/// Where a result points: a file relative to the repository root, a line and a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SarifLocation {
    /// The file, relative, with `/` separators (as a URI reference).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct SarifResult {
    /// The rule: a diagnostic code (`dangling-reference`) or a gap kind.
    pub rule: String,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// What is wrong, in one paragraph.
    pub message: String,
    /// Where, when known.
    pub location: Option<SarifLocation>,
}

/// A path as a SARIF `uri` reference: `/` separators, and every byte outside the URI's
/// unreserved and path characters percent-encoded (a space is `%20`); an absolute path
/// becomes a `file://` URI.
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF log of one run of avtrace: its rules (each rule once, in order of first use)
/// and its results in the order given. Pretty-printed, with a final line break.
pub fn sarif_log(results: &[SarifResult]) -> String {
    let mut rules: Vec<&str> = Vec::new();
    for r in results {
        if !rules.contains(&r.rule.as_str()) {
            rules.push(&r.rule);
        }
    }
    let rule_docs: Vec<Value> =
        rules.iter().map(|id| json!({ "id": id, "name": id, "shortDescription": { "text": id } })).collect();
    let result_docs: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut doc = json!({
                "ruleId": r.rule,
                "ruleIndex": rules.iter().position(|id| *id == r.rule).unwrap_or(0),
                "level": r.level,
                "message": { "text": r.message },
            });
            if let Some(at) = &r.location {
                doc["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_reference(&at.path) },
                        "region": { "startLine": at.line.max(1), "startColumn": at.column.max(1) }
                    }
                }]);
            }
            doc
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "avtrace",
                    "version": crate::AVTRACE_VERSION,
                    "rules": rule_docs,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": result_docs,
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("examples/my program.toml"), "examples/my%20program.toml");
        assert_eq!(uri_reference(r"a\b.toml"), "a/b.toml");
        assert_eq!(uri_reference("ü.toml"), "%C3%BC.toml");
        assert_eq!(uri_reference("/tmp/p.toml"), "file:///tmp/p.toml");
    }

    #[test]
    fn rules_are_listed_once_and_results_point_at_them() {
        let at = |line| Some(SarifLocation { path: "p.toml".to_owned(), line, column: 3 });
        let results = vec![
            SarifResult { rule: "a".to_owned(), level: "error", message: "one".to_owned(), location: at(4) },
            SarifResult { rule: "b".to_owned(), level: "note", message: "two".to_owned(), location: None },
            SarifResult { rule: "a".to_owned(), level: "error", message: "three".to_owned(), location: at(9) },
        ];
        let log: Value = serde_json::from_str(&sarif_log(&results)).unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 2);
        assert_eq!(run["results"][2]["ruleIndex"], 0);
        assert_eq!(run["results"][2]["locations"][0]["physicalLocation"]["region"]["startLine"], 9);
        assert!(run["results"][1].get("locations").is_none());
    }
}
