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
}

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
        for rel in Relation::ALL {
            assert_eq!(rel.converse().converse(), *rel);
        }
    }

    #[test]
    fn unknown_word_lists_the_vocabulary() {
        let err = Relation::parse("equals").unwrap_err();
        assert_eq!(err.to_string(), "unknown value `equals`, expected one of: equal, subset, superset, intersects");
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
