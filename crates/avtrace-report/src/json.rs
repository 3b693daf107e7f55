//! The JSON documents of `trace` and `gaps`. Field names and meanings of the DESIGN.md
//! contract are kept; fields are only ever added.

use avtrace_model::{Catalog, Granularity, Market};
use avtrace_trace::{Coverage, MarketTrace, Obligation, Step};
use std::io::Write;

use serde::Serialize;

use crate::TraceView;
use crate::piecewise::{self, Depth, Member, Object};

/// A requirement's place in the tree and how far it is verified.
#[cfg_attr(test, derive(Serialize))]
struct RequirementState<'a> {
    id: &'a str,
    parent: Option<&'a str>,
    status: &'static str,
    verification: &'static str,
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

/// Written field by field ([`Member`]), in the order of the fields here; tests hold that to
/// the bytes the derived `Serialize` writes.
#[cfg_attr(test, derive(Serialize))]
struct ClauseDoc<'a> {
    clause: String,
    title: &'a str,
    kind: &'static str,
    /// `chapter` when the clause stands for a whole chapter whose paragraphs the catalog
    /// does not list, so that "covered" may hide many paragraphs; absent for one paragraph.
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
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
    /// one): `equal`/`superset` make it via-mapping, `subset`/`intersects` partial; absent
    /// without a chain.
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    relation: Option<&'static str>,
    /// For an uncovered clause: the nearest chains from satisfied clauses that compose to
    /// nothing, as hints for a reviewer; they count for nothing. Absent when there are none.
    #[cfg_attr(test, serde(skip_serializing_if = "Vec::is_empty"))]
    related: Vec<RelatedDoc<'a>>,
    because: Vec<String>,
}

// A million requirements make these two the bulk of a trace's JSON: written field by field,
// strings copied without serde's byte-by-byte escaping when there is nothing to escape.
impl Member for RequirementState<'_> {
    fn write<W: Write + ?Sized>(&self, out: &mut W, depth: Depth) -> std::io::Result<()> {
        let mut object = Object::open(out, depth)?;
        object.string("id", self.id)?;
        object.optional_string("parent", self.parent)?;
        object.string("status", self.status)?;
        object.string("verification", self.verification)?;
        object.close()
    }
}

impl Member for ClauseDoc<'_> {
    fn write<W: Write + ?Sized>(&self, out: &mut W, depth: Depth) -> std::io::Result<()> {
        let mut object = Object::open(out, depth)?;
        object.string("clause", &self.clause)?;
        object.string("title", self.title)?;
        object.string("kind", self.kind)?;
        object.string_if_some("granularity", self.granularity)?;
        object.string("status", self.status)?;
        object.strings("requirements", &self.requirements)?;
        object.strings("verification", &self.verification)?;
        object.field("verified", &self.verified)?;
        object.strings("via", &self.via)?;
        object.members("chain", &self.chain)?;
        object.string_if_some("relation", self.relation)?;
        if !self.related.is_empty() {
            object.members("related", &self.related)?;
        }
        object.strings("because", &self.because)?;
        object.close()
    }
}

/// A chain that reaches a clause but proves nothing about it.
#[cfg_attr(test, derive(Serialize))]
struct RelatedDoc<'a> {
    requirements: Vec<&'a str>,
    via: Vec<String>,
    chain: Vec<StepDoc<'a>>,
}

impl Member for RelatedDoc<'_> {
    fn write<W: Write + ?Sized>(&self, out: &mut W, depth: Depth) -> std::io::Result<()> {
        let mut object = Object::open(out, depth)?;
        object.strings("requirements", &self.requirements)?;
        object.strings("via", &self.via)?;
        object.members("chain", &self.chain)?;
        object.close()
    }
}

// A large catalog's trace lists millions of steps.
impl Member for StepDoc<'_> {
    fn write<W: Write + ?Sized>(&self, out: &mut W, depth: Depth) -> std::io::Result<()> {
        let mut object = Object::open(out, depth)?;
        object.string("from", &self.from)?;
        object.string("rel", self.rel)?;
        object.string("to", &self.to)?;
        object.string("basis", &self.basis)?;
        object.string("source", self.source)?;
        object.string_if_some("confidence", self.confidence)?;
        object.string_if_some("rationale", self.rationale)?;
        object.close()
    }
}

/// One mapping step of a chain, as every JSON document (and the matrices) show it.
#[derive(Serialize)]
pub(crate) struct StepDoc<'a> {
    pub(crate) from: String,
    pub(crate) rel: &'static str,
    pub(crate) to: String,
    pub(crate) basis: std::borrow::Cow<'static, str>,
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

/// A market's document at `depth`: its figures, then its clauses (only the gaps when
/// `gaps_only`), rendered on `threads` threads.
fn write_market<W: Write + ?Sized>(
    out: &mut W,
    depth: Depth,
    view: &TraceView<'_>,
    mt: &MarketTrace,
    gaps_only: bool,
    threads: usize,
) -> std::io::Result<()> {
    let market = view.catalog.market(mt.market);
    let listed: Vec<(&Obligation, &Coverage)> = if gaps_only {
        mt.gaps(view.trace).collect()
    } else {
        mt.obligations.iter().filter_map(|o| view.trace.coverage(o.clause).map(|c| (o, c))).collect()
    };
    let catalog = view.catalog;
    let counts = &mt.counts;
    let mandates: Vec<MandateDoc<'_>> = mt
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
        .collect();
    let mut object = Object::open(out, depth)?;
    object.field("market", &market.id)?;
    object.field("name", &market.name)?;
    object.field("sop", &mt.sop.to_string())?;
    object.field("obligations", &counts.obligations)?;
    object.field("covered", &counts.covered)?;
    object.field("via_mapping", &counts.via_mapping)?;
    object.field("partial", &counts.partial)?;
    object.field("uncovered", &counts.uncovered)?;
    object.field("coverage", &ratio(counts.coverage()))?;
    object.field("verified", &counts.verified)?;
    object.field("unverified", &counts.unverified())?;
    // Mandated instruments that have no requirement clauses in the catalog: their
    // obligations are not counted anywhere above.
    object.field("unmodelled", &view.unmodelled(mt))?;
    object.field("mandates", &mandates)?;
    let clauses = object.key("clauses")?;
    // Each clause lists the requirements that cover it: hundreds in a large program.
    let listed_ids: usize = listed.iter().map(|(_, c)| c.requirements.len()).sum();
    let weight = 1 + listed_ids / listed.len().max(1);
    piecewise::array_of_weight(clauses, depth.inner(), listed.len(), weight, threads, |k| {
        clause_doc(view, market, listed[k].0, listed[k].1)
    })?;
    object.close()
}

/// Writes the document to `out` as it is made, so that the text of a large program's trace
/// is never held whole; its long lists are rendered on every core.
fn write_document(view: &TraceView<'_>, gaps_only: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let view = *view;
    let threads = piecewise::threads();
    let requirements = &view.program.requirements;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut doc = Object::open(&mut out, Depth::PRETTY)?;
    doc.field("program", &view.program.name)?;
    if let Some(revision) = &view.program.revision {
        doc.field("revision", revision)?;
    }
    doc.field("level", view.trace.options.level.as_str())?;
    doc.field("recommendations", &view.trace.options.include_recommendations)?;
    // The least mature requirement status that counts.
    doc.field("min_status", view.trace.options.min_status.as_str())?;
    doc.field("requirement_count", &requirements.len())?;
    let markets = &view.trace.markets;
    let markets_at = Depth::PRETTY.inner();
    piecewise::array_with(doc.key("markets")?, markets_at, markets.len(), |out, k| {
        write_market(out, markets_at.inner(), &view, &markets[k], gaps_only, threads)
    })?;
    // Every requirement with its parent and verification state (`passed`, `failed`,
    // `claimed`, `none`), in the order written.
    piecewise::array(doc.key("requirements")?, Depth::PRETTY.inner(), requirements.len(), threads, |i| {
        RequirementState {
            id: requirements[i].id(),
            parent: requirements[i].parent.map(|p| requirements[p.index()].id()),
            status: requirements[i].status.as_str(),
            verification: view.verification(avtrace_model::ReqIx::new(i)).as_str(),
        }
    })?;
    doc.close()?;
    out.write_all(b"\n")?;
    out.flush()
}

fn document(view: &TraceView<'_>, gaps_only: bool) -> String {
    piecewise::written(|out| write_document(view, gaps_only, out))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn step(from: &str) -> StepDoc<'static> {
        StepDoc {
            from: from.to_owned(),
            rel: "equal",
            to: "B:1".to_owned(),
            basis: "crosswalk".into(),
            source: "https://example.org/a?b=\"c\"",
            confidence: Some("medium"),
            rationale: None,
        }
    }

    /// `member` written at every depth and in both layouts, against serde_json's text for
    /// the same value at the same place.
    fn same_as_serde<T: Member + Serialize>(member: &T) {
        for compact in [false, true] {
            let whole = if compact { serde_json::to_string(member) } else { serde_json::to_string_pretty(member) };
            let whole = whole.unwrap_or_else(|e| panic!("{e}"));
            let top = if compact { Depth::COMPACT } else { Depth::PRETTY };
            let mut out = Vec::new();
            member.write(&mut out, top).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(String::from_utf8_lossy(&out), whole);
            // One level in, as an item of a list: the same text, every line after the first
            // indented two more spaces.
            let mut out = Vec::new();
            member.write(&mut out, top.inner()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(String::from_utf8_lossy(&out), whole.replace('\n', "\n  "));
        }
    }

    /// The two documents written field by field are the bytes their derived `Serialize`
    /// writes: every optional field present and absent, empty and full lists, and strings
    /// that need escaping.
    #[test]
    fn field_by_field_documents_are_what_serde_writes() {
        for (parent, id) in [(None, "REQ-1"), (Some("REQ-\"0\""), "REQ\t1\\é")] {
            same_as_serde(&RequirementState { id, parent, status: "approved", verification: "none" });
        }
        let full = ClauseDoc {
            clause: "UN-R155:7.2.2.2".to_owned(),
            title: "Processes \"used\"\nwithin the CSMS\u{1}",
            kind: "requirement",
            granularity: Some("chapter"),
            status: "via-mapping",
            requirements: vec!["REQ-1", "REQ-<2>"],
            verification: vec!["passed", "none"],
            verified: false,
            via: vec!["A:1".to_owned()],
            chain: vec![step("A:1"), StepDoc { confidence: None, rationale: Some("same \"text\""), ..step("A:2") }],
            relation: Some("equal"),
            related: vec![
                RelatedDoc { requirements: vec!["REQ-3"], via: vec!["C:2".to_owned()], chain: vec![step("C:2")] },
                RelatedDoc { requirements: Vec::new(), via: Vec::new(), chain: Vec::new() },
            ],
            because: vec!["mandatory from 2024-07-07".to_owned()],
        };
        same_as_serde(&full);
        let bare = ClauseDoc {
            granularity: None,
            requirements: Vec::new(),
            verification: Vec::new(),
            via: Vec::new(),
            chain: Vec::new(),
            relation: None,
            related: Vec::new(),
            because: Vec::new(),
            ..full
        };
        same_as_serde(&bare);
    }
}
