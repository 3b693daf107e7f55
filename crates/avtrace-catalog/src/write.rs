//! Writing a program file: the inverse of [`crate::load_program`], for tools that produce
//! programs (the ReqIF importer).
//!
//! The text is written by hand rather than through serde so that short tables stay inline
//! (`attrs = { asil = "B" }`, `links = [{ kind = "refines", to = "SYS-1" }]`) the way the
//! format's documentation shows them, and so that empty optional keys are left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A program as its TOML file holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgramFile {
    /// The `[program]` table.
    pub program: ProgramHeader,
    /// The `[[requirements]]` tables, in order.
    pub requirements: Vec<RequirementEntry>,
    /// The `[[evidence]]` tables, in order.
    pub evidence: Vec<EvidenceEntry>,
}

/// The `[program]` table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgramHeader {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The baseline, e.g. `B.2`.
    pub revision: Option<String>,
    /// Vehicle categories.
    pub categories: Vec<String>,
    /// Features.
    pub features: Vec<String>,
    /// Target markets and SOPs.
    pub markets: Vec<MarketEntry>,
}

/// One target market of a program.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarketEntry {
    /// Market id.
    pub id: String,
    /// Start of production, `YYYY-MM-DD`.
    pub sop: String,
}

/// One `[[requirements]]` table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequirementEntry {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Text; left out when empty.
    pub text: String,
    /// Status; left out when `None`.
    pub status: Option<String>,
    /// The id of the requirement this one refines.
    pub parent: Option<String>,
    /// Typed links to other requirements, in order.
    pub links: Vec<LinkEntry>,
    /// Free attributes, written as strings.
    pub attrs: BTreeMap<String, String>,
    /// Clause references it satisfies.
    pub satisfies: Vec<String>,
    /// Evidence.
    pub verified_by: Vec<String>,
    /// Where it came from.
    pub source: Option<String>,
}

/// One entry of a requirement's `links`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkEntry {
    /// What the link means.
    pub kind: String,
    /// The id of the requirement linked to.
    pub to: String,
}

/// One `[[evidence]]` table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceEntry {
    /// Id.
    pub id: String,
    /// Kind word (`test`, `analysis`, ...); left out when `None`.
    pub kind: Option<String>,
    /// Title.
    pub title: String,
    /// Where it lives.
    pub uri: Option<String>,
    /// Its JUnit name, when it differs from the id.
    pub junit: Option<String>,
    /// Result word (`passed`, `failed`, `not-run`).
    pub result: Option<String>,
}

/// A TOML basic string, escaped.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A key: bare when TOML allows it, else quoted.
fn key(out: &mut String, k: &str) {
    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        out.push_str(k);
    } else {
        string(out, k);
    }
}

fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(" = ");
    string(out, value);
    out.push('\n');
}

fn list(out: &mut String, name: &str, values: &[String]) {
    out.push_str(name);
    out.push_str(" = [");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        string(out, v);
    }
    out.push_str("]\n");
}

/// An array of two-key inline tables: `name = [{ a = "..", b = ".." }, ...]`.
fn pairs<'a>(out: &mut String, name: &str, (a, b): (&str, &str), items: impl Iterator<Item = (&'a str, &'a str)>) {
    out.push_str(name);
    out.push_str(" = [");
    for (i, (x, y)) in items.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{{ {a} = ");
        string(out, x);
        let _ = write!(out, ", {b} = ");
        string(out, y);
        out.push_str(" }");
    }
    out.push_str("]\n");
}

impl ProgramFile {
    /// The file's text, after a comment block (`comment` lines, each prefixed with `# `).
    pub fn to_toml(&self, comment: &[&str]) -> String {
        let mut out = String::with_capacity(256 + self.requirements.len() * 256);
        for line in comment {
            out.push_str(if line.is_empty() { "#" } else { "# " });
            out.push_str(line);
            out.push('\n');
        }
        if !comment.is_empty() {
            out.push('\n');
        }
        let p = &self.program;
        out.push_str("[program]\n");
        field(&mut out, "name", &p.name);
        if let Some(d) = &p.description {
            field(&mut out, "description", d);
        }
        if let Some(r) = &p.revision {
            field(&mut out, "revision", r);
        }
        list(&mut out, "categories", &p.categories);
        list(&mut out, "features", &p.features);
        // A SOP that is not a date is written as a string, which the loader reports at its
        // line, rather than as an invalid TOML date that would hide every other error.
        pairs(&mut out, "markets", ("id", "sop"), p.markets.iter().map(|m| (m.id.as_str(), m.sop.as_str())));
        for r in &self.requirements {
            out.push_str("\n[[requirements]]\n");
            field(&mut out, "id", &r.id);
            field(&mut out, "title", &r.title);
            if !r.text.is_empty() {
                field(&mut out, "text", &r.text);
            }
            if let Some(s) = &r.status {
                field(&mut out, "status", s);
            }
            if let Some(parent) = &r.parent {
                field(&mut out, "parent", parent);
            }
            if !r.links.is_empty() {
                pairs(&mut out, "links", ("kind", "to"), r.links.iter().map(|l| (l.kind.as_str(), l.to.as_str())));
            }
            if !r.attrs.is_empty() {
                out.push_str("attrs = { ");
                for (i, (k, v)) in r.attrs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    key(&mut out, k);
                    out.push_str(" = ");
                    string(&mut out, v);
                }
                out.push_str(" }\n");
            }
            list(&mut out, "satisfies", &r.satisfies);
            list(&mut out, "verified_by", &r.verified_by);
            if let Some(s) = &r.source {
                field(&mut out, "source", s);
            }
        }
        for e in &self.evidence {
            out.push_str("\n[[evidence]]\n");
            field(&mut out, "id", &e.id);
            if let Some(k) = &e.kind {
                field(&mut out, "kind", k);
            }
            if !e.title.is_empty() {
                field(&mut out, "title", &e.title);
            }
            for (name, value) in [("uri", &e.uri), ("junit", &e.junit), ("result", &e.result)] {
                if let Some(v) = value {
                    field(&mut out, name, v);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_the_loader_reads_back() {
        let file = ProgramFile {
            program: ProgramHeader {
                name: "P \"quoted\"".into(),
                revision: Some("B.2".into()),
                categories: vec!["M1".into()],
                markets: vec![MarketEntry { id: "XX".into(), sop: "2027-01-01".into() }],
                ..ProgramHeader::default()
            },
            requirements: vec![RequirementEntry {
                id: "R-1".into(),
                title: "Title with # and \\ and \u{1b}".into(),
                text: "line one\nline \"two\"\ttab".into(),
                status: Some("approved".into()),
                parent: Some("R 0".into()),
                links: vec![LinkEntry { kind: "depends on".into(), to: "R-2".into() }],
                attrs: [("asil".to_owned(), "B".to_owned()), ("Object Type".to_owned(), "x = \"y\"".to_owned())]
                    .into_iter()
                    .collect(),
                satisfies: vec!["A:1.1".into()],
                verified_by: vec!["TC-1".into()],
                source: None,
            }],
            evidence: vec![EvidenceEntry {
                id: "TC-1".into(),
                kind: Some("analysis".into()),
                title: "T".into(),
                result: Some("passed".into()),
                ..EvidenceEntry::default()
            }],
        };
        let text = file.to_toml(&["made by a test"]);
        assert!(text.starts_with("# made by a test\n\n[program]\n"), "{text}");
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(parsed["program"]["name"].as_str(), Some("P \"quoted\""));
        assert_eq!(parsed["program"]["revision"].as_str(), Some("B.2"));
        let r = &parsed["requirements"][0];
        assert_eq!(r["text"].as_str(), Some("line one\nline \"two\"\ttab"));
        assert_eq!(r["title"].as_str(), Some("Title with # and \\ and \u{1b}"));
        assert_eq!(r["parent"].as_str(), Some("R 0"));
        assert_eq!(r["links"][0]["kind"].as_str(), Some("depends on"));
        assert_eq!(r["attrs"]["Object Type"].as_str(), Some("x = \"y\""));
        assert_eq!(r["satisfies"][0].as_str(), Some("A:1.1"));
        assert_eq!(parsed["evidence"][0]["kind"].as_str(), Some("analysis"));
        let raw: crate::raw::RawProgramFile = toml::from_str(&text).unwrap();
        assert_eq!(raw.requirements.len(), 1);
    }
}
