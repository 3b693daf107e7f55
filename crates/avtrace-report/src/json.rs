//! The JSON documents of `trace` and `gaps`. Field names and meanings of the DESIGN.md
//! contract are kept; fields are only ever added.

use avtrace_model::{Catalog, Granularity, Market};
use avtrace_trace::{Coverage, MarketTrace, Obligation, Step};
use std::io::Write as _;

use serde::Serialize;

use crate::TraceView;

#[derive(Serialize)]
struct TraceDoc<'a> {
    program: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<&'a str>,
    level: &'static str,
    recommendations: bool,
    /// The least mature requirement status that counts.
    min_status: &'static str,
    /// How many requirements the program has.
    requirement_count: usize,
    markets: Lazy<Box<dyn Iterator<Item = MarketDoc<'a>> + 'a>>,
    /// Every requirement with its parent and verification state (`passed`, `failed`,
    /// `claimed`, `none`), in the order written.
    requirements: RequirementStates<'a>,
}

/// The requirements' states, serialised as they are read: a million of them are not first
/// gathered into a list.
struct RequirementStates<'a>(TraceView<'a>);

impl Serialize for RequirementStates<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let view = &self.0;
        let requirements = &view.program.requirements;
        serializer.collect_seq(requirements.iter().enumerate().map(|(i, r)| RequirementState {
            id: r.id(),
            parent: r.parent.map(|p| requirements[p.index()].id()),
            status: r.status.as_str(),
            verification: view.verification(avtrace_model::ReqIx::new(i)).as_str(),
        }))
    }
}

/// A requirement's place in the tree and how far it is verified.
#[derive(Serialize)]
struct RequirementState<'a> {
    id: &'a str,
    parent: Option<&'a str>,
    status: &'static str,
    verification: &'static str,
}

#[derive(Serialize)]
struct MarketDoc<'a> {
    market: &'a str,
    name: &'a str,
    sop: String,
    obligations: usize,
    covered: usize,
    via_mapping: usize,
    partial: usize,
    uncovered: usize,
    coverage: f64,
    verified: usize,
    unverified: usize,
    /// Mandated instruments that have no requirement clauses in the catalog: their
    /// obligations are not counted anywhere above.
    unmodelled: Vec<String>,
    mandates: Vec<MandateDoc<'a>>,
    clauses: Lazy<Box<dyn Iterator<Item = ClauseDoc<'a>> + 'a>>,
}

/// A list serialised as its items are made: a market of a million-clause catalog has
/// hundreds of thousands of clause documents, which are never all in memory at once.
struct Lazy<I>(std::cell::Cell<Option<I>>);

impl<I> Lazy<I> {
    fn new(items: I) -> Lazy<I> {
        Lazy(std::cell::Cell::new(Some(items)))
    }
}

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Lazy<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Serialised once: a second time would find the list taken, and write it empty.
        serializer.collect_seq(self.0.take().into_iter().flatten())
    }
}

#[derive(Serialize)]
struct MandateDoc<'a> {
    instrument: String,
    level: &'static str,
    from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    /// The parts of the instrument it imposes; absent when it imposes all of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    clauses: Vec<&'a str>,
    legal_basis: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
struct ClauseDoc<'a> {
    clause: String,
    title: &'a str,
    kind: &'static str,
    /// `chapter` when the clause stands for a whole chapter whose paragraphs the catalog
    /// does not list, so that "covered" may hide many paragraphs; absent for one paragraph.
    #[serde(skip_serializing_if = "Option::is_none")]
    granularity: Option<&'static str>,
    status: &'static str,
    requirements: Vec<&'a str>,
    /// The verification state of each of `requirements`, in the same order.
    verification: Vec<&'static str>,
    verified: bool,
    /// The clauses the coverage comes through: the satisfied clause, then each clause on
    /// the mapping chain before this one. Empty when covered directly or uncovered.
    via: Vec<String>,
    /// The chain in full: each mapping step with its relation, basis and source, in the
    /// direction of the path (from the satisfied clause towards this one).
    chain: Vec<StepDoc<'a>>,
    /// What the chain's relations compose to (the satisfied clause's relation to this
    /// one): `equal`/`superset` make it via-mapping, `subset`/`intersects` partial.
    #[serde(skip_serializing_if = "Option::is_none")]
    relation: Option<&'static str>,
    /// For an uncovered clause: the nearest chains from satisfied clauses that compose to
    /// nothing, as hints for a reviewer; they count for nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedDoc<'a>>,
    because: Vec<String>,
}

/// A chain that reaches a clause but proves nothing about it.
#[derive(Serialize)]
struct RelatedDoc<'a> {
    requirements: Vec<&'a str>,
    via: Vec<String>,
    chain: Vec<StepDoc<'a>>,
}

/// One mapping step of a chain, as every JSON document (and the matrices) show it.
#[derive(Serialize)]
pub(crate) struct StepDoc<'a> {
    pub(crate) from: String,
    pub(crate) rel: &'static str,
    pub(crate) to: String,
    pub(crate) basis: String,
    pub(crate) source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) confidence: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rationale: Option<&'a str>,
}

/// Rounds a ratio to four decimals, as the contract shows (`0.7667`).
pub(crate) fn ratio(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

pub(crate) fn step_doc<'a>(catalog: &'a Catalog, step: &Step) -> StepDoc<'a> {
    let facts = step.basis.facts(catalog);
    StepDoc {
        from: catalog.clause_name(step.from),
        rel: step.rel.as_str(),
        to: catalog.clause_name(step.to),
        basis: facts.basis,
        source: facts.source,
        confidence: facts.confidence.map(|c| c.as_str()),
        rationale: facts.rationale,
    }
}

fn clause_doc<'a>(view: &TraceView<'a>, market: &'a Market, o: &Obligation, coverage: &'a Coverage) -> ClauseDoc<'a> {
    let catalog = view.catalog;
    let clause = catalog.clause(o.clause);
    ClauseDoc {
        clause: catalog.clause_name(o.clause),
        title: &clause.title,
        kind: clause.kind.as_str(),
        granularity: (clause.granularity != Granularity::Paragraph).then(|| clause.granularity.as_str()),
        status: coverage.status.as_str(),
        requirements: coverage.requirements.iter().map(|r| view.program.requirements[r.index()].id()).collect(),
        verification: coverage.requirements.iter().map(|r| view.verification(*r).as_str()).collect(),
        verified: coverage.verified,
        via: coverage.chain.iter().flat_map(|c| &c.steps).map(|s| catalog.clause_name(s.from)).collect(),
        chain: coverage.chain.iter().flat_map(|c| &c.steps).map(|s| step_doc(catalog, s)).collect(),
        relation: coverage.chain.as_ref().and_then(|c| c.relation).map(|r| r.as_str()),
        related: coverage
            .related
            .iter()
            .map(|hint| RelatedDoc {
                requirements: view.requirement_ids(&hint.requirements),
                via: hint.chain.steps.iter().map(|s| catalog.clause_name(s.from)).collect(),
                chain: hint.chain.steps.iter().map(|s| step_doc(catalog, s)).collect(),
            })
            .collect(),
        because: view.because(market, &o.because),
    }
}

fn market_doc<'a>(view: &TraceView<'a>, mt: &'a MarketTrace, gaps_only: bool) -> MarketDoc<'a> {
    let catalog = view.catalog;
    let market = catalog.market(mt.market);
    let counts = &mt.counts;
    let listed: Box<dyn Iterator<Item = (&Obligation, &Coverage)>> = if gaps_only {
        Box::new(mt.gaps(view.trace))
    } else {
        Box::new(mt.obligations.iter().filter_map(|o| view.trace.coverage(o.clause).map(|c| (o, c))))
    };
    let view = *view;
    let clauses =
        Lazy::new(Box::new(listed.map(move |(o, c)| clause_doc(&view, market, o, c))) as Box<dyn Iterator<Item = _>>);
    MarketDoc {
        market: &market.id,
        name: &market.name,
        sop: mt.sop.to_string(),
        obligations: counts.obligations,
        covered: counts.covered,
        via_mapping: counts.via_mapping,
        partial: counts.partial,
        uncovered: counts.uncovered,
        coverage: ratio(counts.coverage()),
        verified: counts.verified,
        unverified: counts.unverified(),
        unmodelled: view.unmodelled(mt),
        mandates: mt
            .mandates
            .iter()
            .map(|&m| {
                let mandate = &market.mandates[m];
                MandateDoc {
                    instrument: catalog.instrument_name(mandate.instrument),
                    level: mandate.level.as_str(),
                    from: mandate.from.to_string(),
                    scope: mandate.scope.as_deref(),
                    clauses: mandate.clauses.iter().map(|&c| catalog.clause(c).id.as_str()).collect(),
                    legal_basis: &mandate.legal_basis,
                    source: &mandate.source,
                }
            })
            .collect(),
        clauses,
    }
}

/// Writes the document to `out` as it is serialised, so that the text of a large program's
/// trace is never held whole.
fn write_document(view: &TraceView<'_>, gaps_only: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let view = *view;
    let doc = TraceDoc {
        program: &view.program.name,
        revision: view.program.revision.as_deref(),
        level: view.trace.options.level.as_str(),
        recommendations: view.trace.options.include_recommendations,
        min_status: view.trace.options.min_status.as_str(),
        requirement_count: view.program.requirements.len(),
        markets: Lazy::new(Box::new(view.trace.markets.iter().map(move |mt| market_doc(&view, mt, gaps_only)))),
        requirements: RequirementStates(view),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn document(view: &TraceView<'_>, gaps_only: bool) -> String {
    let mut out = Vec::new();
    // Writing to memory fails only if serialising does, which these types never do.
    let _ = write_document(view, gaps_only, &mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`trace_json`], written to `out` as it is made.
pub fn write_trace_json(view: &TraceView<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_document(view, false, out)
}

/// [`gaps_json`], written to `out` as it is made.
pub fn write_gaps_json(view: &TraceView<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_document(view, true, out)
}

/// The `trace --format json` document: every obligation of every traced market.
pub fn trace_json(view: &TraceView<'_>) -> String {
    document(view, false)
}

/// The `gaps --format json` document: the same shape, with only uncovered and partial
/// clauses listed, uncovered first (the counts still describe the whole market).
pub fn gaps_json(view: &TraceView<'_>) -> String {
    document(view, true)
}
