//! A vehicle program: what it is, where it is sold, and its requirements.

use crate::{ClauseIx, Date, EvidenceKind, EvidenceResult, MarketIx, ReqIx, RequirementStatus, Span};

/// One vehicle program.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The program's revision (a baseline name such as `B.2`), shown on every report.
    pub revision: Option<String>,
    /// Vehicle categories, e.g. `M1`.
    pub categories: Vec<String>,
    /// Features, e.g. `alks`, `ota-update`.
    pub features: Vec<String>,
    /// Target markets with their start of production.
    pub markets: Vec<ProgramMarket>,
    /// Requirements, in the order written: the main file's first, then each included
    /// file's in the order the files were read.
    pub requirements: Vec<Requirement>,
    /// Evidence records (tests, analyses, reviews), in the order written. Empty for a
    /// program that names its evidence only by id in `verified_by`.
    pub evidence: Vec<Evidence>,
}

/// A target market and the program's start of production there.
#[derive(Debug, Clone, Copy)]
pub struct ProgramMarket {
    /// The market.
    pub market: MarketIx,
    /// Start of production.
    pub sop: Date,
}

/// One requirement of a program.
#[derive(Debug, Clone, Default)]
pub struct Requirement {
    /// Unique id within the program.
    pub id: String,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Where it stands; only a live status satisfies anything.
    pub status: RequirementStatus,
    /// Clauses it satisfies.
    pub satisfies: Vec<ClauseIx>,
    /// Evidence that verifies it (test cases, reports); empty means unverified.
    pub verified_by: Vec<String>,
    /// Where it came from (a module, a document), when known.
    pub source: Option<String>,
    /// The requirement it refines (decomposition): the requirements form one forest.
    pub parent: Option<ReqIx>,
    /// Other typed links to requirements, in the order written.
    pub links: Vec<Link>,
    /// Free attributes (ASIL, CAL, owner, supplier, ...), sorted by key; values as written
    /// (numbers and booleans in their TOML spelling).
    pub attrs: Vec<(String, String)>,
    /// Where it was defined.
    pub span: Span,
}

/// A typed link from one requirement to another (`depends-on`, `conflicts-with`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What the link means, as the program names it.
    pub kind: String,
    /// The requirement linked to.
    pub to: ReqIx,
}

/// A record of evidence: a test, an analysis, a review, an inspection or a demonstration.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Unique id within the program; requirements name it in `verified_by`.
    pub id: String,
    /// What sort of evidence it is.
    pub kind: EvidenceKind,
    /// Title.
    pub title: String,
    /// Where it lives (a test file, a report), when given.
    pub uri: Option<String>,
    /// The test case name to match in JUnit results, when it differs from `id`.
    pub junit: Option<String>,
    /// Its result: as written in the program, or from `--results`; `None` when unknown.
    pub result: Option<EvidenceResult>,
    /// Where it was defined.
    pub span: Span,
}

impl Program {
    /// The evidence record `id`, if the program defines one (a linear search: build a map
    /// to look up many).
    pub fn evidence_by_id(&self, id: &str) -> Option<&Evidence> {
        self.evidence.iter().find(|e| e.id == id)
    }

    /// The program's SOP in `market`, if it targets it.
    pub fn sop_in(&self, market: MarketIx) -> Option<Date> {
        self.markets.iter().find(|m| m.market == market).map(|m| m.sop)
    }
}
