//! A vehicle program: what it is, where it is sold, and its requirements.

use crate::{ClauseIx, Date, MarketIx, RequirementStatus, Span};

/// One vehicle program.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Vehicle categories, e.g. `M1`.
    pub categories: Vec<String>,
    /// Features, e.g. `alks`, `ota-update`.
    pub features: Vec<String>,
    /// Target markets with their start of production.
    pub markets: Vec<ProgramMarket>,
    /// Requirements, in the order written.
    pub requirements: Vec<Requirement>,
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
    /// Where it was defined.
    pub span: Span,
}

impl Requirement {
    /// Whether any evidence verifies it.
    pub fn is_verified(&self) -> bool {
        !self.verified_by.is_empty()
    }
}

impl Program {
    /// The program's SOP in `market`, if it targets it.
    pub fn sop_in(&self, market: MarketIx) -> Option<Date> {
        self.markets.iter().find(|m| m.market == market).map(|m| m.sop)
    }
}
