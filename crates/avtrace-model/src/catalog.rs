//! The catalog: instruments with their clauses, mappings between them, and markets.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;

use crate::{
    Adoption, ClauseIx, ClauseKind, Confidence, Date, Granularity, InstrumentIx, InstrumentKind, Level, MarketIx,
    Relation, Span,
};

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The hash a clause id is found by in its instrument's table.
fn clause_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    BuildHasherDefault::<FxHasher>::default().hash_one(id)
}

/// A regulation, standard, technical report or law in one edition.
#[derive(Debug, Clone)]
pub struct Instrument {
    /// Upper-case id, `[A-Z0-9-]`, e.g. `UN-R155`. Several editions may share an id.
    pub id: String,
    /// Edition as written, e.g. `2018` or `00 series`.
    pub edition: String,
    /// Title.
    pub title: String,
    /// What sort of document it is.
    pub kind: InstrumentKind,
    /// Issuing body.
    pub body: String,
    /// Publication or entry-into-force date, when known.
    pub published: Option<Date>,
    /// The edition this one replaces.
    pub supersedes: Option<InstrumentIx>,
    /// Where to read it.
    pub url: Option<String>,
    /// Where the catalog's facts about it were read.
    pub source: String,
    /// How sure the catalog is of them.
    pub confidence: Option<Confidence>,
    /// Free text.
    pub note: Option<String>,
    /// Its clauses: a contiguous range of [`ClauseIx`].
    pub clauses: std::ops::Range<u32>,
    /// Where it was defined.
    pub span: Span,
}

impl Instrument {
    /// The indices of its clauses, in natural order of their ids.
    pub fn clause_indices(&self) -> impl ExactSizeIterator<Item = ClauseIx> + use<> {
        self.clauses.clone().map(ClauseIx)
    }
}

/// An addressable unit of an instrument.
#[derive(Debug, Clone)]
pub struct Clause {
    /// The instrument it belongs to.
    pub instrument: InstrumentIx,
    /// Its number within the instrument, e.g. `7.2.2.2(a)` or `RQ-05-01`.
    pub id: String,
    /// Short title in the catalog's own words.
    pub title: String,
    /// What it does.
    pub kind: ClauseKind,
    /// Whether it is one paragraph or stands for a whole chapter of uncatalogued ones.
    pub granularity: Granularity,
    /// The clause it sits under.
    pub parent: Option<ClauseIx>,
    /// Clauses it normatively cites; when it is an obligation, they become obligations.
    pub refs: Vec<ClauseIx>,
    /// Where it was read, when it differs from its instrument's source.
    pub source: Option<String>,
    /// How sure the catalog is of it, when it differs from its instrument's confidence.
    pub confidence: Option<Confidence>,
    /// Free text.
    pub note: Option<String>,
    /// Position in its file, so that document order can be shown.
    pub position: u32,
    /// Where it was defined.
    pub span: Span,
}

/// A statement that two instruments, or clauses of them, relate.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The instrument the statement is about.
    pub from: InstrumentIx,
    /// The instrument it is related to.
    pub to: InstrumentIx,
    /// Degree of correspondence, when `from` adopts `to`.
    pub adoption: Option<Adoption>,
    /// Where the statement is published.
    pub source: String,
    /// How sure the catalog is of it.
    pub confidence: Option<Confidence>,
    /// Why the two relate.
    pub rationale: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// Clause-level statements.
    pub entries: Vec<MapEntry>,
    /// Where it was defined.
    pub span: Span,
}

/// One clause-level statement: `from rel to`.
#[derive(Debug, Clone)]
pub struct MapEntry {
    /// A clause of the mapping's `from` instrument.
    pub from: ClauseIx,
    /// A clause of the mapping's `to` instrument.
    pub to: ClauseIx,
    /// How `from` relates to `to`.
    pub rel: Relation,
    /// Why.
    pub rationale: Option<String>,
    /// Where, when it differs from the mapping's source.
    pub source: Option<String>,
    /// How sure, when it differs from the mapping's confidence.
    pub confidence: Option<Confidence>,
    /// Free text.
    pub note: Option<String>,
    /// Where it was defined.
    pub span: Span,
}

/// A jurisdiction where vehicles are sold, and what it asks of them.
#[derive(Debug, Clone)]
pub struct Market {
    /// Upper-case id, e.g. `EU`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Where the catalog's facts about it were read.
    pub source: Option<String>,
    /// How sure the catalog is of them.
    pub confidence: Option<Confidence>,
    /// Its mandates.
    pub mandates: Vec<Mandate>,
    /// Approvals granted elsewhere that it recognises.
    pub recognitions: Vec<Recognition>,
    /// Free text.
    pub note: Option<String>,
    /// Where it was defined.
    pub span: Span,
}

/// A market's statement that an instrument applies.
#[derive(Debug, Clone)]
pub struct Mandate {
    /// The instrument.
    pub instrument: InstrumentIx,
    /// How strongly.
    pub level: Level,
    /// First date it applies; it applies to a program whose SOP is on or after it.
    pub from: Date,
    /// To what it applies, e.g. `new types` or `all new vehicles`.
    pub scope: Option<String>,
    /// Vehicle categories; a program category equal to or beginning with one matches.
    /// Empty means every category.
    pub categories: Vec<String>,
    /// Features the program must all have; empty means always.
    pub features: Vec<String>,
    /// The parts of the instrument it imposes, each with every clause beneath it, sorted;
    /// empty means the whole instrument. A law that imposes only some sections of a code
    /// (the passenger-car standards of 49 CFR 571, say) names them here.
    pub clauses: Vec<ClauseIx>,
    /// The law that makes it apply.
    pub legal_basis: String,
    /// Where the mandate was read.
    pub source: String,
    /// How sure.
    pub confidence: Option<Confidence>,
    /// Free text.
    pub note: Option<String>,
    /// Where it was defined.
    pub span: Span,
}

impl Mandate {
    /// Whether the mandate applies to a program with these categories and features whose
    /// SOP in the market is `sop`, when mandates up to `level` are asked for.
    pub fn applies(&self, categories: &[String], features: &[String], sop: Date, level: Level) -> bool {
        self.exclusion(categories, features, sop, level).is_none()
    }

    /// Why the mandate does not apply (the first condition it fails, in the order level,
    /// date, categories, features), or `None` when it does. `features` are the program's
    /// with what they imply.
    pub fn exclusion(&self, categories: &[String], features: &[String], sop: Date, level: Level) -> Option<Exclusion> {
        if !self.level.within(level) {
            return Some(Exclusion::Level(self.level));
        }
        if self.from > sop {
            return Some(Exclusion::NotYet { from: self.from, sop });
        }
        if !self.categories.is_empty()
            && !categories.iter().any(|c| self.categories.iter().any(|m| c.starts_with(m.as_str())))
        {
            return Some(Exclusion::Categories(self.categories.clone()));
        }
        let missing: Vec<String> = self.features.iter().filter(|f| !features.contains(f)).cloned().collect();
        (!missing.is_empty()).then_some(Exclusion::Features(missing))
    }
}

/// Why a mandate does not apply to a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// It is at a level above the one asked for.
    Level(Level),
    /// It applies from a date after the program's SOP in that market.
    NotYet {
        /// When it starts to apply.
        from: Date,
        /// The program's SOP there.
        sop: Date,
    },
    /// It applies to vehicle categories the program has none of.
    Categories(Vec<String>),
    /// It needs features the program does not have (implied ones included).
    Features(Vec<String>),
}

/// A market's recognition of approvals granted under an agreement.
#[derive(Debug, Clone)]
pub struct Recognition {
    /// The agreement, e.g. `UNECE 1958 Agreement`.
    pub agreement: String,
    /// The instruments whose approvals it recognises.
    pub instruments: Vec<InstrumentIx>,
    /// Where it was read.
    pub source: String,
    /// How sure.
    pub confidence: Option<Confidence>,
    /// Free text.
    pub note: Option<String>,
}

/// A word of the catalog's feature or vehicle-category vocabulary.
#[derive(Debug, Clone)]
pub struct Term {
    /// The word as programs and mandates write it, e.g. `ota-update`, `M1`.
    pub id: String,
    /// What it means, in a sentence.
    pub meaning: String,
    /// Words a program with this one has too (`ota-update` implies `software-update`).
    pub implies: Vec<String>,
    /// Where the meaning was read.
    pub source: String,
    /// How sure.
    pub confidence: Option<Confidence>,
    /// Free text.
    pub note: Option<String>,
    /// Where it was defined.
    pub span: Span,
}

/// The words programs and mandates may use for features and vehicle categories.
///
/// A catalog that declares no word of a kind has an open vocabulary for that kind: any word
/// is accepted (and the loader only warns about words no mandate uses).
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Features, sorted by id.
    pub features: Vec<Term>,
    /// Vehicle categories, sorted by id.
    pub categories: Vec<Term>,
}

impl Vocabulary {
    /// The feature `id`, if declared.
    pub fn feature(&self, id: &str) -> Option<&Term> {
        self.features.binary_search_by(|t| t.id.as_str().cmp(id)).ok().map(|i| &self.features[i])
    }

    /// The category `id`, if declared.
    pub fn category(&self, id: &str) -> Option<&Term> {
        self.categories.binary_search_by(|t| t.id.as_str().cmp(id)).ok().map(|i| &self.categories[i])
    }

    /// `features` with every feature they imply, transitively: sorted, without repeats.
    /// Undeclared words stay as they are.
    pub fn feature_closure(&self, features: &[String]) -> Vec<String> {
        let mut out: Vec<String> = features.to_vec();
        let mut i = 0;
        while i < out.len() {
            if let Some(term) = self.feature(&out[i]) {
                for implied in &term.implies {
                    if !out.contains(implied) {
                        out.push(implied.clone());
                    }
                }
            }
            i += 1;
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Why a clause reference did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClauseRefError {
    /// Not of the form `INSTRUMENT[@EDITION]:CLAUSE`.
    #[error("expected a clause reference as INSTRUMENT:CLAUSE (e.g. UN-R155:7.2.2.2), found `{0}`")]
    Shape(String),
    /// No instrument has this id.
    #[error("unknown instrument `{0}`")]
    UnknownInstrument(String),
    /// The instrument exists but not in this edition.
    #[error("instrument `{id}` has no edition `{edition}` (editions: {known})")]
    UnknownEdition {
        /// The instrument id.
        id: String,
        /// The edition asked for.
        edition: String,
        /// The editions that exist.
        known: String,
    },
    /// Several editions exist and none supersedes the others.
    #[error("instrument `{id}` has several current editions ({known}); pin one as {id}@EDITION")]
    AmbiguousEdition {
        /// The instrument id.
        id: String,
        /// The editions that exist.
        known: String,
    },
    /// The instrument has no such clause.
    #[error("{instrument} has no clause `{clause}`")]
    UnknownClause {
        /// The instrument, as written in the reference.
        instrument: String,
        /// The clause asked for.
        clause: String,
    },
}

/// Lookup tables from ids to indices, built once with the catalog.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Every edition of an id, and the current one when it is unambiguous.
    instruments: FxMap<String, Editions>,
    /// Per instrument, its clauses' indices hashed by id (`clause_hash`): a map keyed by a
    /// copy of every id cost a million clauses some 70 MB.
    clauses: Vec<hashbrown::HashTable<u32>>,
    markets: FxMap<String, MarketIx>,
    /// Per instrument, its name in references and output ([`Catalog::instrument_label`]):
    /// a large catalog's output names clauses millions of times.
    labels: Vec<Box<str>>,
}

#[derive(Debug, Clone, Default)]
struct Editions {
    all: Vec<InstrumentIx>,
    current: Option<InstrumentIx>,
}

/// All instruments, clauses, mappings and markets, with lookups by id.
///
/// See the crate documentation for the invariants it keeps.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Instruments, sorted by id then edition.
    pub instruments: Vec<Instrument>,
    /// Clauses, grouped by instrument and sorted in natural order of their ids.
    pub clauses: Vec<Clause>,
    /// Mappings.
    pub mappings: Vec<Mapping>,
    /// Markets, sorted by id.
    pub markets: Vec<Market>,
    /// The feature and vehicle-category words programs and mandates may use.
    pub vocabulary: Vocabulary,
    index: Index,
}

impl Catalog {
    /// A catalog of these instruments and clauses, with no mappings or markets yet.
    ///
    /// The caller guarantees the ordering invariants of the crate documentation: instruments
    /// sorted by (id, edition), each instrument's `clauses` range pointing at its own
    /// clauses, in natural order. Supersession must already be resolved so that the current
    /// edition of every id can be found.
    pub fn new(instruments: Vec<Instrument>, clauses: Vec<Clause>) -> Catalog {
        let mut index = Index::default();
        for (i, instrument) in instruments.iter().enumerate() {
            index.instruments.entry(instrument.id.clone()).or_default().all.push(InstrumentIx::new(i));
            let mut table = hashbrown::HashTable::with_capacity(instrument.clause_indices().len());
            for c in instrument.clause_indices() {
                let id = clauses[c.index()].id.as_str();
                let rehash = |&other: &u32| clause_hash(&clauses[other as usize].id);
                // As a map would: an id given twice names the later clause.
                match table.entry(clause_hash(id), |&other| clauses[other as usize].id == id, rehash) {
                    hashbrown::hash_table::Entry::Occupied(mut slot) => *slot.get_mut() = c.0,
                    hashbrown::hash_table::Entry::Vacant(slot) => {
                        slot.insert(c.0);
                    }
                }
            }
            index.clauses.push(table);
        }
        for editions in index.instruments.values_mut() {
            let superseded: Vec<InstrumentIx> =
                editions.all.iter().filter_map(|&i| instruments[i.index()].supersedes).collect();
            let current: Vec<InstrumentIx> = editions.all.iter().copied().filter(|i| !superseded.contains(i)).collect();
            editions.current = (current.len() == 1).then(|| current[0]);
        }
        index.labels = instruments
            .iter()
            .enumerate()
            .map(|(i, instrument)| match index.instruments.get(&instrument.id) {
                Some(editions) if editions.current == Some(InstrumentIx::new(i)) || editions.all.len() == 1 => {
                    instrument.id.as_str().into()
                }
                _ => format!("{}@{}", instrument.id, instrument.edition).into(),
            })
            .collect();
        Catalog {
            instruments,
            clauses,
            mappings: Vec::new(),
            markets: Vec::new(),
            vocabulary: Vocabulary::default(),
            index,
        }
    }

    /// Sets the markets (sorted by id) and indexes them.
    pub fn set_markets(&mut self, markets: Vec<Market>) {
        self.index.markets = markets.iter().enumerate().map(|(i, m)| (m.id.clone(), MarketIx::new(i))).collect();
        self.markets = markets;
    }

    /// Whether `mandate` brings any clause that can be an obligation: its instrument is
    /// modelled and, when the mandate names parts of it, one of those parts holds one.
    pub fn is_mandate_modelled(&self, mandate: &Mandate) -> bool {
        self.mandated_clauses(mandate).any(|c| self.clause(c).kind.is_obligation(true))
    }

    /// The clauses of `mandate`'s instrument that it imposes, in clause order: all of them,
    /// or those it names with every clause beneath them.
    pub fn mandated_clauses<'a>(&'a self, mandate: &'a Mandate) -> impl Iterator<Item = ClauseIx> + 'a {
        self.instrument(mandate.instrument).clause_indices().filter(move |&c| self.mandate_covers(mandate, c))
    }

    /// Whether `clause` is one `mandate` imposes: a clause of its instrument that is, or sits
    /// beneath, a part the mandate names (any clause when it names none).
    pub fn mandate_covers(&self, mandate: &Mandate, clause: ClauseIx) -> bool {
        let instrument = self.instrument(mandate.instrument);
        if !instrument.clauses.contains(&clause.0) {
            return false;
        }
        // Parents form a tree within one instrument, so no chain is longer than its clauses;
        // the bound keeps a malformed catalog from looping.
        mandate.clauses.is_empty()
            || std::iter::successors(Some(clause), |&x| self.clause(x).parent)
                .take(instrument.clause_indices().len())
                .any(|x| mandate.clauses.binary_search(&x).is_ok())
    }

    /// The instrument at `ix`.
    pub fn instrument(&self, ix: InstrumentIx) -> &Instrument {
        &self.instruments[ix.index()]
    }

    /// The clause at `ix`.
    pub fn clause(&self, ix: ClauseIx) -> &Clause {
        &self.clauses[ix.index()]
    }

    /// The market at `ix`.
    pub fn market(&self, ix: MarketIx) -> &Market {
        &self.markets[ix.index()]
    }

    /// The market with this id.
    pub fn market_by_id(&self, id: &str) -> Option<MarketIx> {
        self.index.markets.get(id).copied()
    }

    /// The instrument named by `INSTRUMENT` or `INSTRUMENT@EDITION`. Without an edition,
    /// the current one: the only edition, or the one no other edition supersedes.
    ///
    /// An edition pin matches an edition equal to it, or one that begins with it followed
    /// by a character that is not a letter or digit (`@01` matches `01 series`).
    pub fn instrument_by_ref(&self, reference: &str) -> Result<InstrumentIx, ClauseRefError> {
        let (id, edition) = match reference.split_once('@') {
            Some((id, edition)) => (id, Some(edition)),
            None => (reference, None),
        };
        let editions =
            self.index.instruments.get(id).ok_or_else(|| ClauseRefError::UnknownInstrument(id.to_owned()))?;
        let known = || editions.all.iter().map(|&i| self.instrument(i).edition.as_str()).collect::<Vec<_>>().join(", ");
        match edition {
            None => {
                editions.current.ok_or_else(|| ClauseRefError::AmbiguousEdition { id: id.to_owned(), known: known() })
            }
            Some(pin) => {
                editions.all.iter().copied().find(|&i| edition_matches(&self.instrument(i).edition, pin)).ok_or_else(
                    || ClauseRefError::UnknownEdition { id: id.to_owned(), edition: pin.to_owned(), known: known() },
                )
            }
        }
    }

    /// The clause with this id in this instrument.
    pub fn clause_in(&self, instrument: InstrumentIx, clause_id: &str) -> Option<ClauseIx> {
        let found = self.index.clauses[instrument.index()]
            .find(clause_hash(clause_id), |&c| self.clauses[c as usize].id == clause_id)?;
        Some(ClauseIx(*found))
    }

    /// The clause named by `INSTRUMENT[@EDITION]:CLAUSE`.
    pub fn clause_by_ref(&self, reference: &str) -> Result<ClauseIx, ClauseRefError> {
        let (instrument_ref, clause_id) =
            reference.split_once(':').ok_or_else(|| ClauseRefError::Shape(reference.to_owned()))?;
        if instrument_ref.is_empty() || clause_id.is_empty() {
            return Err(ClauseRefError::Shape(reference.to_owned()));
        }
        let instrument = self.instrument_by_ref(instrument_ref)?;
        self.clause_in(instrument, clause_id).ok_or_else(|| ClauseRefError::UnknownClause {
            instrument: instrument_ref.to_owned(),
            clause: clause_id.to_owned(),
        })
    }

    /// How an instrument is named in references and output: its id, pinned to its
    /// edition when it is not the current edition of that id.
    pub fn instrument_name(&self, ix: InstrumentIx) -> String {
        self.instrument_label(ix).to_owned()
    }

    /// [`Catalog::instrument_name`], borrowed: the names are made once, with the catalog.
    pub fn instrument_label(&self, ix: InstrumentIx) -> &str {
        match self.index.labels.get(ix.index()) {
            Some(label) => label,
            // Only a catalog made by hand around `new` can lack one.
            None => &self.instrument(ix).id,
        }
    }

    /// How a clause is named in references and output: `INSTRUMENT:CLAUSE`, with the
    /// edition pinned when it is not the current one.
    pub fn clause_name(&self, ix: ClauseIx) -> String {
        let clause = self.clause(ix);
        let instrument = self.instrument_label(clause.instrument);
        let mut name = String::with_capacity(instrument.len() + 1 + clause.id.len());
        name.push_str(instrument);
        name.push(':');
        name.push_str(&clause.id);
        name
    }

    /// The source a clause was read in: its own, else its instrument's.
    pub fn clause_source(&self, ix: ClauseIx) -> &str {
        let clause = self.clause(ix);
        clause.source.as_deref().unwrap_or(&self.instrument(clause.instrument).source)
    }

    /// A clause's confidence: its own, else its instrument's.
    pub fn clause_confidence(&self, ix: ClauseIx) -> Option<Confidence> {
        let clause = self.clause(ix);
        clause.confidence.or(self.instrument(clause.instrument).confidence)
    }
}

/// Whether `edition` is the edition a reference pins with `pin`: equal to it, or
/// beginning with it followed by a character that is not a letter or digit.
pub fn edition_matches(edition: &str, pin: &str) -> bool {
    edition == pin
        || (edition.starts_with(pin) && edition[pin.len()..].chars().next().is_some_and(|c| !c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instrument(id: &str, edition: &str, supersedes: Option<usize>, clauses: std::ops::Range<u32>) -> Instrument {
        Instrument {
            id: id.to_owned(),
            edition: edition.to_owned(),
            title: String::new(),
            kind: InstrumentKind::ALL[0],
            body: String::new(),
            published: None,
            supersedes: supersedes.map(InstrumentIx::new),
            url: None,
            source: String::new(),
            confidence: None,
            note: None,
            clauses,
            span: Span::default(),
        }
    }

    /// Names are made once, with the catalog: the current edition of an id, or the only
    /// one, goes by the id; every other edition, and every edition of an id whose current
    /// one cannot be told, is pinned.
    #[test]
    fn instruments_and_clauses_are_named_by_their_editions() {
        let instruments = vec![
            instrument("A", "2018", None, 0..1),
            instrument("A", "2021", Some(0), 1..1),
            instrument("B", "00 series", None, 1..1),
            instrument("C", "1", None, 1..1),
            instrument("C", "2", None, 1..1),
        ];
        let clause = Clause {
            instrument: InstrumentIx::new(0),
            id: "7.2(a)".to_owned(),
            title: String::new(),
            kind: ClauseKind::Requirement,
            granularity: Granularity::Paragraph,
            parent: None,
            refs: Vec::new(),
            source: None,
            confidence: None,
            note: None,
            position: 0,
            span: Span::default(),
        };
        let catalog = Catalog::new(instruments, vec![clause]);
        let names: Vec<String> = (0..5).map(|i| catalog.instrument_name(InstrumentIx::new(i))).collect();
        assert_eq!(names, ["A@2018", "A", "B", "C@1", "C@2"]);
        assert_eq!(catalog.instrument_label(InstrumentIx::new(2)), "B");
        assert_eq!(catalog.clause_name(ClauseIx(0)), "A@2018:7.2(a)");
    }

    #[test]
    fn edition_pins() {
        assert!(edition_matches("2018", "2018"));
        assert!(edition_matches("01 series", "01"));
        assert!(edition_matches("01 series", "01 series"));
        assert!(!edition_matches("01 series", "0"));
        assert!(!edition_matches("2018", "201"));
        assert!(!edition_matches("00 series", "01"));
    }
}
