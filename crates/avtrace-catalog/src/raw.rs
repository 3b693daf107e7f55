//! The files as written: serde structs that mirror the TOML formats of DESIGN.md.
//! Every key a user may mistype is denied when unknown; every value that is checked after
//! parsing keeps its span so that the check can point at it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A string that must be checked after parsing, with where it was written.
pub(crate) type S = Spanned<String>;

/// Like [`S`], for a value that is only read while its table is resolved (a status, a
/// reference): the fast lane borrows it from the file instead of allocating it.
pub(crate) type C<'a> = Spanned<std::borrow::Cow<'a, str>>;

/// Takes the tables of a piece of a program file as they are read, in the order written:
/// a table is resolved while its bytes are still in cache, and read tables never pile up.
pub(crate) trait Tables<'a> {
    /// A `[[requirements]]` table.
    fn requirement(&mut self, raw: RawRequirement<'a>);
    /// An `[[evidence]]` table.
    fn evidence(&mut self, raw: RawEvidence);
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInstrument {
    pub(crate) id: S,
    pub(crate) title: String,
    pub(crate) kind: S,
    #[serde(default)]
    pub(crate) body: String,
    pub(crate) edition: S,
    #[serde(default)]
    pub(crate) published: Option<Spanned<RawDate>>,
    #[serde(default)]
    pub(crate) supersedes: Option<S>,
    #[serde(default)]
    pub(crate) url: Option<String>,
    pub(crate) source: S,
    #[serde(default)]
    pub(crate) confidence: Option<S>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    #[serde(default)]
    pub(crate) clauses: Vec<RawClause>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClause {
    pub(crate) id: S,
    pub(crate) title: String,
    pub(crate) kind: S,
    #[serde(default)]
    pub(crate) granularity: Option<S>,
    #[serde(default)]
    pub(crate) parent: Option<S>,
    #[serde(default)]
    pub(crate) refs: Vec<S>,
    #[serde(default)]
    pub(crate) source: Option<String>,
    #[serde(default)]
    pub(crate) confidence: Option<S>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMapping {
    pub(crate) from: S,
    pub(crate) to: S,
    #[serde(default)]
    pub(crate) adoption: Option<S>,
    pub(crate) source: S,
    #[serde(default)]
    pub(crate) confidence: Option<S>,
    #[serde(default)]
    pub(crate) rationale: Option<String>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    #[serde(default)]
    pub(crate) map: Vec<RawMapEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMapEntry {
    pub(crate) from: S,
    pub(crate) to: S,
    pub(crate) rel: S,
    #[serde(default)]
    pub(crate) rationale: Option<String>,
    #[serde(default)]
    pub(crate) source: Option<String>,
    #[serde(default)]
    pub(crate) confidence: Option<S>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMarket {
    pub(crate) id: S,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) source: Option<String>,
    #[serde(default)]
    pub(crate) confidence: Option<S>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    #[serde(default)]
    pub(crate) mandates: Vec<RawMandate>,
    #[serde(default)]
    pub(crate) recognitions: Vec<RawRecognition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMandate {
    pub(crate) instrument: S,
    pub(crate) level: S,
    pub(crate) from: Spanned<RawDate>,
    #[serde(default)]
    pub(crate) scope: Option<String>,
    #[serde(default)]
    pub(crate) categories: Vec<S>,
    #[serde(default)]
    pub(crate) features: Vec<S>,
    #[serde(default)]
    pub(crate) clauses: Option<Spanned<Vec<S>>>,
    pub(crate) legal_basis: String,
    pub(crate) source: S,
    #[serde(default)]
    pub(crate) confidence: Option<S>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecognition {
    pub(crate) agreement: String,
    pub(crate) instruments: Vec<S>,
    pub(crate) source: S,
    #[serde(default)]
    pub(crate) confidence: Option<S>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// A file under `vocabulary/`: feature and vehicle-category words.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVocabulary {
    #[serde(default)]
    pub(crate) features: Vec<RawTerm>,
    #[serde(default)]
    pub(crate) categories: Vec<RawTerm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTerm {
    pub(crate) id: S,
    pub(crate) meaning: String,
    #[serde(default)]
    pub(crate) implies: Vec<S>,
    pub(crate) source: S,
    #[serde(default)]
    pub(crate) confidence: Option<S>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProgramFile {
    pub(crate) program: RawProgram,
    #[serde(default)]
    pub(crate) requirements: Vec<RawRequirement<'static>>,
    #[serde(default)]
    pub(crate) evidence: Vec<RawEvidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProgram {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) revision: Option<String>,
    /// Read before loading, by `program::include_patterns`; kept here so that the key is
    /// known to the file format.
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) include: Vec<S>,
    #[serde(default)]
    pub(crate) categories: Vec<S>,
    #[serde(default)]
    pub(crate) features: Vec<S>,
    #[serde(default)]
    pub(crate) markets: Vec<Spanned<RawProgramMarket>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProgramMarket {
    pub(crate) id: S,
    pub(crate) sop: Spanned<RawDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRequirement<'a> {
    pub(crate) id: C<'a>,
    pub(crate) title: Cow<'a, str>,
    #[serde(default)]
    pub(crate) text: Cow<'a, str>,
    #[serde(default)]
    pub(crate) status: Option<C<'a>>,
    #[serde(default)]
    pub(crate) parent: Option<C<'a>>,
    #[serde(default)]
    pub(crate) links: Vec<RawLink>,
    #[serde(default)]
    pub(crate) attrs: RawAttrs,
    #[serde(default)]
    pub(crate) satisfies: Vec<C<'a>>,
    #[serde(default)]
    pub(crate) verified_by: Vec<C<'a>>,
    #[serde(default)]
    pub(crate) source: Option<String>,
}

/// A requirement's `attrs`, as the `toml` crate reads them (any value, with its span,
/// checked later) or as the fast lane reads them (strings only, already compact).
#[derive(Debug, Default)]
pub(crate) struct RawAttrs {
    pub(crate) parsed: BTreeMap<String, Spanned<toml::Value>>,
    pub(crate) strings: Option<avtrace_model::Attrs>,
}

impl<'de> Deserialize<'de> for RawAttrs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(RawAttrs { parsed: BTreeMap::deserialize(deserializer)?, strings: None })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLink {
    pub(crate) kind: S,
    pub(crate) to: S,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvidence {
    pub(crate) id: S,
    #[serde(default)]
    pub(crate) kind: Option<S>,
    #[serde(default)]
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) uri: Option<String>,
    #[serde(default)]
    pub(crate) junit: Option<String>,
    #[serde(default)]
    pub(crate) result: Option<S>,
}

/// A file named by `include`: more requirements and evidence, no `[program]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIncludedFile {
    #[serde(default)]
    pub(crate) requirements: Vec<RawRequirement<'static>>,
    #[serde(default)]
    pub(crate) evidence: Vec<RawEvidence>,
}

/// Every key each table of the program format accepts, in the order the JSON Schema lists
/// them; a test holds `docs/program.schema.json` to these lists.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const PROGRAM_KEYS: &[(&str, &[&str])] = &[
    ("file", &["program", "requirements", "evidence"]),
    ("program", &["name", "description", "revision", "include", "categories", "features", "markets"]),
    ("market", &["id", "sop"]),
    (
        "requirement",
        &["id", "title", "text", "status", "parent", "links", "attrs", "satisfies", "verified_by", "source"],
    ),
    ("link", &["kind", "to"]),
    ("evidence", &["id", "kind", "title", "uri", "junit", "result"]),
];

/// A date written either as a string (`"2027-03-01"`, as DESIGN.md shows) or as a TOML
/// local date (`2027-03-01`); validated after parsing so that a bad one is reported with
/// the others instead of stopping the file.
#[derive(Debug, Clone)]
pub(crate) struct RawDate(pub(crate) String);

impl<'de> Deserialize<'de> for RawDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match toml::Value::deserialize(deserializer)? {
            toml::Value::String(s) => Ok(RawDate(s)),
            toml::Value::Datetime(dt) => Ok(RawDate(dt.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "expected a date as \"YYYY-MM-DD\", found a {}",
                other.type_str()
            ))),
        }
    }
}
