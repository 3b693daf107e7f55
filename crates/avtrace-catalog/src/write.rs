//! Writing a program file: the inverse of [`crate::load_program`], for tools that produce
//! programs (the ReqIF importer).

use serde::Serialize;

/// A program as its TOML file holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProgramFile {
    /// The `[program]` table.
    pub program: ProgramHeader,
    /// The `[[requirements]]` tables, in order.
    pub requirements: Vec<RequirementEntry>,
}

/// The `[program]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProgramHeader {
    /// Name.
    pub name: String,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Vehicle categories.
    pub categories: Vec<String>,
    /// Features.
    pub features: Vec<String>,
    /// Target markets and SOPs.
    pub markets: Vec<MarketEntry>,
}

/// One target market of a program.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MarketEntry {
    /// Market id.
    pub id: String,
    /// Start of production, `YYYY-MM-DD`.
    pub sop: String,
}

/// One `[[requirements]]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RequirementEntry {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Clause references it satisfies.
    pub satisfies: Vec<String>,
    /// Evidence.
    pub verified_by: Vec<String>,
    /// Where it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Why a program could not be written as TOML.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the program as TOML: {0}")]
pub struct WriteError(#[from] toml::ser::Error);

impl ProgramFile {
    /// The file's text, after a comment block (`comment` lines, each prefixed with `# `).
    pub fn to_toml(&self, comment: &[&str]) -> Result<String, WriteError> {
        let mut out = String::new();
        for line in comment {
            out.push_str(if line.is_empty() { "#" } else { "# " });
            out.push_str(line);
            out.push('\n');
        }
        if !comment.is_empty() {
            out.push('\n');
        }
        out.push_str(&toml::to_string(self)?);
        Ok(out)
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
                markets: vec![MarketEntry { id: "XX".into(), sop: "2027-01-01".into() }],
                ..ProgramHeader::default()
            },
            requirements: vec![RequirementEntry {
                id: "R-1".into(),
                title: "Title with # and \\".into(),
                text: "line one\nline \"two\"\ttab".into(),
                status: Some("approved".into()),
                satisfies: vec!["A:1.1".into()],
                verified_by: vec!["TC-1".into()],
                source: None,
            }],
        };
        let text = file.to_toml(&["made by a test"]).unwrap();
        assert!(text.starts_with("# made by a test\n\n[program]\n"), "{text}");
        let parsed: crate::raw::RawProgramFile = toml::from_str(&text).unwrap();
        assert_eq!(parsed.program.name, "P \"quoted\"");
        let r = &parsed.requirements[0];
        assert_eq!(r.text, "line one\nline \"two\"\ttab");
        assert_eq!(r.title, "Title with # and \\");
        assert_eq!(r.satisfies[0].get_ref(), "A:1.1");
        assert_eq!(parsed.program.markets[0].get_ref().sop.get_ref().0, "2027-01-01");
    }
}
