//! The closed vocabularies of the data formats. Each word has one spelling in the files
//! (`as_str`) and parsing anything else is an error that lists the accepted words.

use std::fmt;

/// A word that is not in a vocabulary, with the words that are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    /// What was written.
    pub found: String,
    /// The accepted spellings.
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown value `{}`, expected one of: {}", self.found, self.expected.join(", "))
    }
}

impl std::error::Error for UnknownWord {}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every word of the vocabulary, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The accepted spellings, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The spelling used in files and output.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Parses the file spelling.
            pub fn parse(word: &str) -> Result<Self, UnknownWord> {
                match word {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UnknownWord { found: word.to_owned(), expected: Self::WORDS }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What sort of document an instrument is.
    InstrumentKind {
        /// A regulation (UN Regulation, EU Regulation).
        Regulation = "regulation",
        /// A standard (ISO, SAE, GB, UL).
        Standard = "standard",
        /// A technical report or technical reference (TR 68).
        TechnicalReport = "technical-report",
        /// An act of a legislature.
        Law = "law",
        /// Guidance, a code of practice, a publicly available specification.
        Guidance = "guidance",
    }
);

vocabulary!(
    /// What a clause does. Only requirements (and recommendations when asked) are
    /// obligations; headings, informative text and definitions never are.
    ClauseKind {
        /// Structure only: a title over other clauses.
        Heading = "heading",
        /// A duty ("shall").
        Requirement = "requirement",
        /// Advice ("should").
        Recommendation = "recommendation",
        /// Explanation, scope, administration: imposes nothing.
        Informative = "informative",
        /// A term and its definition.
        Definition = "definition",
    }
);

impl ClauseKind {
    /// Whether a clause of this kind is an obligation; recommendations count only when
    /// the caller asks for them.
    pub fn is_obligation(self, include_recommendations: bool) -> bool {
        match self {
            ClauseKind::Requirement => true,
            ClauseKind::Recommendation => include_recommendations,
            ClauseKind::Heading | ClauseKind::Informative | ClauseKind::Definition => false,
        }
    }
}

vocabulary!(
    /// How much of its instrument a clause stands for. A catalog entry is normally one
    /// paragraph; where the sources give only a chapter, one entry stands for all the
    /// paragraphs of it that are not catalogued, and a single "covered" may hide many.
    Granularity {
        /// One paragraph (or numbered provision) of the text: the default.
        Paragraph = "paragraph",
        /// A whole chapter, section or annex whose paragraphs are not catalogued.
        Chapter = "chapter",
    }
);

vocabulary!(
    /// How sure the catalog is of a fact.
    Confidence {
        /// Read in the instrument's own text.
        Verified = "verified",
        /// From a credible secondary source, not checked against the text.
        Secondary = "secondary",
        /// A weak source or a researcher's judgement; review before relying on it.
        Uncertain = "uncertain",
    }
);

vocabulary!(
    /// Degree of correspondence of an adoption (ISO/IEC Guide 21-1).
    Adoption {
        /// Identical: acts as `equal` between clauses with the same id.
        Idt = "IDT",
        /// Modified: acts as `intersects` (partial, to be reviewed).
        Mod = "MOD",
        /// Not equivalent: relates no clauses.
        Neq = "NEQ",
    }
);

vocabulary!(
    /// Set-theory relationship of clause `from` to clause `to` (NIST IR 8477).
    Relation {
        /// Same scope.
        Equal = "equal",
        /// `from`'s scope lies inside `to`'s.
        Subset = "subset",
        /// `from`'s scope contains `to`'s.
        Superset = "superset",
        /// The scopes overlap; neither contains the other.
        Intersects = "intersects",
    }
);

impl Relation {
    /// The same statement read from the other end: `A subset B` ⇔ `B superset A`.
    pub fn converse(self) -> Relation {
        match self {
            Relation::Subset => Relation::Superset,
            Relation::Superset => Relation::Subset,
            same => same,
        }
    }

    /// Whether satisfying the clause at the near end of this relation fully satisfies the
    /// far end: satisfying `D` covers `C` when `D equal C` or `D superset C`.
    pub fn carries_coverage(self) -> bool {
        matches!(self, Relation::Equal | Relation::Superset)
    }

    /// The relation of `D` to `C` that follows from `D self X` and `X next C` by the set
    /// algebra (RCC-5), or `None` when the two say nothing about `D` and `C`: two overlaps,
    /// or a subset followed by a superset, do not make `D` and `C` overlap. This is the
    /// composition table of DESIGN.md, cell for cell.
    pub fn compose(self, next: Relation) -> Option<Relation> {
        use Relation::{Equal, Intersects, Subset, Superset};
        match (self, next) {
            (Equal, r) | (r, Equal) => Some(r),
            (Superset, Superset) => Some(Superset),
            (Superset, Subset | Intersects) => Some(Intersects),
            (Subset, Subset) => Some(Subset),
            (Intersects, Subset) => Some(Intersects),
            (Subset, Superset | Intersects) | (Intersects, Superset | Intersects) => None,
        }
    }
}

vocabulary!(
    /// Where a requirement stands in the program's process. The live statuses, in the
    /// order a requirement matures, come first; `rejected` and `obsolete` are dead.
    RequirementStatus {
        /// Written, not yet proposed for review.
        Draft = "draft",
        /// Proposed for review.
        Proposed = "proposed",
        /// Reviewed and accepted.
        Approved = "approved",
        /// Realised in the product.
        Implemented = "implemented",
        /// Turned down: satisfies nothing.
        Rejected = "rejected",
        /// No longer part of the program: satisfies nothing.
        Obsolete = "obsolete",
    }
);

impl RequirementStatus {
    /// The statuses `--min-status` accepts: the live ones, least mature first.
    pub const LIVE: &'static [RequirementStatus] = &[
        RequirementStatus::Draft,
        RequirementStatus::Proposed,
        RequirementStatus::Approved,
        RequirementStatus::Implemented,
    ];

    /// Whether a requirement in this status may satisfy anything at all.
    pub fn is_live(self) -> bool {
        !matches!(self, RequirementStatus::Rejected | RequirementStatus::Obsolete)
    }

    /// Whether a requirement in this status counts when the caller asks for at least
    /// `min_status`: it is live and at least as mature.
    pub fn counts_at(self, min_status: RequirementStatus) -> bool {
        self.is_live() && self >= min_status
    }
}

impl Default for RequirementStatus {
    /// A requirement that names no status is a draft: it counts unless the caller asks for
    /// a more mature status.
    fn default() -> Self {
        RequirementStatus::Draft
    }
}

vocabulary!(
    /// What sort of evidence a record is.
    EvidenceKind {
        /// A test, whose result may come from a test runner's JUnit XML.
        Test = "test",
        /// An analysis (FMEA, FTA, TARA, ...).
        Analysis = "analysis",
        /// A review of a document or design.
        Review = "review",
        /// An inspection of the product.
        Inspection = "inspection",
        /// A demonstration on the vehicle or a rig.
        Demonstration = "demonstration",
    }
);

vocabulary!(
    /// The result of one piece of evidence.
    EvidenceResult {
        /// It passed.
        Passed = "passed",
        /// It failed.
        Failed = "failed",
        /// It has not been run (a skipped test counts here).
        NotRun = "not-run",
    }
);

vocabulary!(
    /// How far a requirement is verified (DESIGN.md, "Requirements: decomposition,
    /// attributes, evidence"). Ordered worst first, as a parent takes its children's worst.
    Verification {
        /// Some evidence failed.
        Failed = "failed",
        /// No evidence is named, by it or by any requirement beneath it.
        None = "none",
        /// Evidence is named but its results are unknown or it has not been run.
        Claimed = "claimed",
        /// All of its evidence passed.
        Passed = "passed",
    }
);

vocabulary!(
    /// How strongly a market asks for an instrument. Levels nest: `Expected` includes
    /// mandatory mandates, `Voluntary` includes everything.
    Level {
        /// Required by law for approval or sale.
        Mandatory = "mandatory",
        /// State of the art that an approval authority expects as evidence.
        Expected = "expected",
        /// Followed by choice.
        Voluntary = "voluntary",
    }
);

impl Level {
    /// Whether a mandate at `self` counts when the caller asks for `asked`.
    pub fn within(self, asked: Level) -> bool {
        self <= asked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for kind in ClauseKind::ALL {
            assert_eq!(ClauseKind::parse(kind.as_str()), Ok(*kind));
        }
        for granularity in Granularity::ALL {
            assert_eq!(Granularity::parse(granularity.as_str()), Ok(*granularity));
        }
        for rel in Relation::ALL {
            assert_eq!(rel.converse().converse(), *rel);
        }
    }

    /// DESIGN.md's composition table, row by row: r(D,X) down, r(X,C) across, in the
    /// order equal, superset, subset, intersects.
    #[test]
    fn composition_is_the_table_of_the_design() {
        use Relation::{Equal as E, Intersects as I, Subset as Sb, Superset as Sp};
        let columns = [E, Sp, Sb, I];
        let table: [(Relation, [Option<Relation>; 4]); 4] = [
            (E, [Some(E), Some(Sp), Some(Sb), Some(I)]),
            (Sp, [Some(Sp), Some(Sp), Some(I), Some(I)]),
            (Sb, [Some(Sb), None, Some(Sb), None]),
            (I, [Some(I), None, Some(I), None]),
        ];
        for (row, cells) in table {
            for (column, cell) in columns.iter().zip(cells) {
                assert_eq!(row.compose(*column), cell, "{row} ∘ {column}");
            }
        }
    }

    /// Chains fold left to right and right to left alike, which the chain search relies on
    /// when it extends a chain backwards from the obligation.
    #[test]
    fn composition_is_associative_and_equal_is_its_identity() {
        let then = |a: Option<Relation>, b: Relation| a.and_then(|a| a.compose(b));
        for &a in Relation::ALL {
            assert_eq!(Relation::Equal.compose(a), Some(a));
            assert_eq!(a.compose(Relation::Equal), Some(a));
            for &b in Relation::ALL {
                for &c in Relation::ALL {
                    let left = then(a.compose(b), c);
                    let right = b.compose(c).and_then(|bc| a.compose(bc));
                    assert_eq!(left, right, "({a} ∘ {b}) ∘ {c}");
                }
            }
        }
    }

    /// Reading the whole chain backwards gives the converse of the composition, so a chain
    /// is worth the same from either end's point of view.
    #[test]
    fn composition_commutes_with_the_converse() {
        for &a in Relation::ALL {
            for &b in Relation::ALL {
                assert_eq!(a.compose(b).map(Relation::converse), b.converse().compose(a.converse()), "{a} ∘ {b}");
            }
        }
    }

    #[test]
    fn unknown_word_lists_the_vocabulary() {
        let err = Relation::parse("equals").unwrap_err();
        assert_eq!(err.to_string(), "unknown value `equals`, expected one of: equal, subset, superset, intersects");
    }

    #[test]
    fn only_live_statuses_count_and_min_status_orders_them() {
        use RequirementStatus::*;
        for dead in [Rejected, Obsolete] {
            assert!(!dead.is_live());
            assert!(!dead.counts_at(Draft));
        }
        assert!(Draft.counts_at(Draft));
        assert!(!Draft.counts_at(Approved));
        assert!(!Proposed.counts_at(Approved));
        assert!(Approved.counts_at(Approved));
        assert!(Implemented.counts_at(Approved));
        assert_eq!(RequirementStatus::default(), Draft);
        assert_eq!(RequirementStatus::parse("banana").unwrap_err().expected, RequirementStatus::WORDS);
    }

    #[test]
    fn levels_nest() {
        assert!(Level::Mandatory.within(Level::Mandatory));
        assert!(Level::Mandatory.within(Level::Voluntary));
        assert!(!Level::Expected.within(Level::Mandatory));
        assert!(Level::Expected.within(Level::Expected));
        assert!(!Level::Voluntary.within(Level::Expected));
    }

    #[test]
    fn only_requirements_and_asked_recommendations_oblige() {
        assert!(ClauseKind::Requirement.is_obligation(false));
        assert!(!ClauseKind::Recommendation.is_obligation(false));
        assert!(ClauseKind::Recommendation.is_obligation(true));
        assert!(!ClauseKind::Heading.is_obligation(true));
        assert!(!ClauseKind::Informative.is_obligation(true));
        assert!(!ClauseKind::Definition.is_obligation(true));
    }
}
