//! The traceability matrix as one data set: every obligation clause of the traced markets
//! with its coverage, which markets oblige it and why, the program's requirements, and the
//! tallies per market and instrument.
//!
//! Every matrix format (JSON, CSV, Markdown, XLSX, HTML) renders this one document, so they
//! cannot disagree; it is built from the [`avtrace_trace::Trace`] alone (statuses, chains and
//! counts are read, never recomputed).

use avtrace_model::{ClauseIx, InstrumentIx};
use avtrace_trace::Counts;
use serde::Serialize;

use crate::TraceView;
use crate::json::{StepDoc, ratio, step_doc};
use crate::piecewise::{self, Depth, JsonDocument, Member, Object};
use std::io::Write;

/// The matrix document, serialised as `matrix --format json` and embedded in the HTML.
#[derive(Serialize)]
pub(crate) struct MatrixDoc<'a> {
    /// The program's name.
    pub(crate) program: &'a str,
    /// The program's revision, when it names one.
    pub(crate) revision: Option<&'a str>,
    /// The program file as the user named it, for the commands the report suggests.
    pub(crate) program_path: &'a str,
    /// The mandate level traced.
    pub(crate) level: &'static str,
    /// Whether recommendations count as obligations.
    pub(crate) recommendations: bool,
    /// The least mature requirement status that counts.
    pub(crate) min_status: &'static str,
    /// One entry per traced market, in the order traced.
    pub(crate) markets: Vec<MarketSummary<'a>>,
    /// The instruments that have obligations in some market, in catalog order.
    pub(crate) instruments: Vec<InstrumentDoc<'a>>,
    /// Every clause that is an obligation of some traced market, in clause order (so
    /// grouped by instrument).
    pub(crate) clauses: Vec<MatrixClause<'a>>,
    /// The program's requirements as a tree: each root in the order written, followed by
    /// the requirements beneath it (depth first, children in the order written).
    pub(crate) requirements: Vec<RequirementDoc<'a>>,
    /// Every attribute key any requirement has, sorted: the attribute columns.
    pub(crate) attribute_keys: Vec<&'a str>,
}

/// Field by field, in the order of the struct (and so of its derived `Serialize`, which a
/// test holds it to), with the clauses and requirements rendered on every core.
impl JsonDocument for MatrixDoc<'_> {
    fn write_json(&self, out: &mut dyn std::io::Write, top: Depth) -> std::io::Result<()> {
        let threads = piecewise::threads();
        let mut doc = Object::open(out, top)?;
        doc.field("program", self.program)?;
        doc.field("revision", &self.revision)?;
        doc.field("program_path", self.program_path)?;
        doc.field("level", self.level)?;
        doc.field("recommendations", &self.recommendations)?;
        doc.field("min_status", self.min_status)?;
        doc.field("markets", &self.markets)?;
        doc.field("instruments", &self.instruments)?;
        let clauses = &self.clauses;
        piecewise::array(doc.key("clauses")?, top.inner(), clauses.len(), threads, |k| &clauses[k])?;
        let requirements = &self.requirements;
        piecewise::array(doc.key("requirements")?, top.inner(), requirements.len(), threads, |k| &requirements[k])?;
        doc.field("attribute_keys", &self.attribute_keys)?;
        doc.close()
    }
}

// The clauses and requirements are the bulk of a large program's matrix: written field by
// field (the order of the fields above, as their derived `Serialize` writes them; a test holds
// the two to the same bytes), strings copied whole where there is nothing to escape.
impl Member for &MatrixClause<'_> {
    fn write<W: Write + ?Sized>(&self, out: &mut W, depth: Depth) -> std::io::Result<()> {
        let mut object = Object::open(out, depth)?;
        object.string("clause", &self.clause)?;
        object.string("instrument", &self.instrument)?;
        object.string("title", self.title)?;
        object.string("kind", self.kind)?;
        object.string("status", self.status)?;
        object.strings("requirements", &self.requirements)?;
        object.strings("subtree", &self.subtree)?;
        object.field("verified", &self.verified)?;
        object.members("via", &self.via)?;
        object.field("markets", &self.markets)?;
        object.close()
    }
}

impl Member for &RequirementDoc<'_> {
    fn write<W: Write + ?Sized>(&self, out: &mut W, depth: Depth) -> std::io::Result<()> {
        let mut object = Object::open(out, depth)?;
        object.string("id", self.id)?;
        object.string("title", self.title)?;
        object.string("text", self.text)?;
        object.string("status", self.status)?;
        object.optional_string("parent", self.parent)?;
        object.field("depth", &self.depth)?;
        object.string("verification", self.verification)?;
        object.strings("verified_by", self.verified_by)?;
        let attrs_at = depth.inner();
        let mut attrs = Object::open(object.key("attrs")?, attrs_at)?;
        for (key, value) in self.attrs.iter() {
            attrs.string(key, value)?;
        }
        attrs.close()?;
        object.field("links", &self.links)?;
        object.strings("clauses", &self.clauses)?;
        object.close()
    }
}

/// Fills `cells` (one per attribute key, `keys` sorted as [`MatrixDoc::attribute_keys`] is)
/// with a requirement's values, `""` where it has none: one pass over its attributes rather
/// than a search per key, as every matrix row needs it.
pub(crate) fn fill_attribute_cells<'r>(keys: &[&str], attrs: Option<&'r avtrace_model::Attrs>, cells: &mut [&'r str]) {
    cells.fill("");
    for (key, value) in attrs.map(|a| a.iter()).into_iter().flatten() {
        if let Ok(k) = keys.binary_search(&key)
            && let Some(cell) = cells.get_mut(k)
        {
            *cell = value;
        }
    }
}

/// A matrix's requirements by id.
/// Hashed, not ordered: every matrix row looks one up, and nothing iterates it.
pub(crate) type RequirementsById<'a, 'd> = rustc_hash::FxHashMap<&'a str, &'d RequirementDoc<'a>>;

impl<'a> MatrixDoc<'a> {
    /// The requirements by id, for the formats that print a requirement's title next to a
    /// clause (ids are unique within a program).
    pub(crate) fn requirements_by_id(&self) -> RequirementsById<'a, '_> {
        self.requirements.iter().map(|r| (r.id, r)).collect()
    }
}

/// One traced market: its tallies, per instrument too, and its gaps.
#[derive(Serialize)]
pub(crate) struct MarketSummary<'a> {
    pub(crate) market: &'a str,
    pub(crate) name: &'a str,
    pub(crate) sop: String,
    #[serde(flatten)]
    pub(crate) counts: CountsDoc,
    /// Mandated instruments without requirement clauses in the catalog: not in any count.
    pub(crate) unmodelled: Vec<String>,
    /// Tallies per instrument, in catalog order.
    pub(crate) instruments: Vec<InstrumentCounts>,
    /// The gaps, worst first: uncovered, then partial, each in clause order.
    pub(crate) gaps: Vec<String>,
    /// The same gaps as positions in [`MatrixDoc::clauses`].
    #[serde(skip)]
    pub(crate) gap_rows: Vec<usize>,
}

/// The tallies of a set of obligations, as every format shows them.
#[derive(Serialize, Clone, Copy)]
pub(crate) struct CountsDoc {
    pub(crate) obligations: usize,
    pub(crate) covered: usize,
    pub(crate) via_mapping: usize,
    pub(crate) partial: usize,
    pub(crate) uncovered: usize,
    pub(crate) verified: usize,
    pub(crate) unverified: usize,
    /// (covered + via mapping) / obligations, rounded to four decimals.
    pub(crate) coverage: f64,
}

impl CountsDoc {
    fn of(counts: &Counts) -> CountsDoc {
        CountsDoc {
            obligations: counts.obligations,
            covered: counts.covered,
            via_mapping: counts.via_mapping,
            partial: counts.partial,
            uncovered: counts.uncovered,
            verified: counts.verified,
            unverified: counts.unverified(),
            coverage: ratio(counts.coverage()),
        }
    }
}

/// The tallies of one instrument in one market.
#[derive(Serialize)]
pub(crate) struct InstrumentCounts {
    pub(crate) instrument: String,
    #[serde(flatten)]
    pub(crate) counts: CountsDoc,
}

/// An instrument of the matrix.
#[derive(Serialize)]
pub(crate) struct InstrumentDoc<'a> {
    pub(crate) instrument: String,
    pub(crate) title: &'a str,
}

/// One obligation clause (of one market or more) and how it is covered.
#[derive(Serialize)]
pub(crate) struct MatrixClause<'a> {
    pub(crate) clause: ClauseName,
    pub(crate) instrument: String,
    pub(crate) title: &'a str,
    pub(crate) kind: &'static str,
    /// The status; coverage does not depend on the market, so it is the same in every
    /// market that obliges the clause.
    pub(crate) status: &'static str,
    pub(crate) requirements: Vec<&'a str>,
    /// The requirements beneath `requirements` in the tree, depth first: what a clause
    /// satisfied by a parent rests on.
    pub(crate) subtree: Vec<&'a str>,
    pub(crate) verified: bool,
    /// The mapping chain behind `via-mapping` and `partial`, first step first.
    pub(crate) via: Vec<StepDoc<'a>>,
    /// The markets that oblige it, in the order traced, with the reasons.
    pub(crate) markets: Vec<ClauseMarket<'a>>,
}

impl MatrixClause<'_> {
    /// Why `market` obliges the clause, or `None` when it does not.
    pub(crate) fn in_market(&self, market: &str) -> Option<&ClauseMarket<'_>> {
        self.markets.iter().find(|m| m.market == market)
    }

    /// The chain as one line: `A:1 -equal-> B:1 -superset-> C:1`; empty without a chain.
    pub(crate) fn chain_text(&self) -> String {
        let Some(first) = self.via.first() else { return String::new() };
        let mut out = first.from.clone();
        for step in &self.via {
            out.push_str(&format!(" -{}-> {}", step.rel, step.to));
        }
        out
    }

    /// Where the chain's statements are published, in step order, each source once: the
    /// steps of one crosswalk share a source, which would otherwise repeat per step.
    pub(crate) fn chain_sources(&self) -> String {
        let mut seen: Vec<&str> = Vec::with_capacity(self.via.len());
        for step in &self.via {
            if !seen.contains(&step.source) {
                seen.push(step.source);
            }
        }
        seen.join("; ")
    }
}

/// A market that obliges a clause, and why.
#[derive(Serialize)]
pub(crate) struct ClauseMarket<'a> {
    pub(crate) market: &'a str,
    pub(crate) because: Vec<String>,
}

/// One requirement of the program.
#[derive(Serialize)]
pub(crate) struct RequirementDoc<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) text: &'a str,
    pub(crate) status: &'a str,
    /// The requirement it refines, if any.
    pub(crate) parent: Option<&'a str>,
    /// How deep it sits in the tree: 0 for a root.
    pub(crate) depth: usize,
    /// `passed`, `failed`, `claimed` or `none`.
    pub(crate) verification: &'static str,
    pub(crate) verified_by: &'a [Box<str>],
    /// Free attributes, by key (the program keeps them sorted).
    #[serde(serialize_with = "attrs_as_map")]
    pub(crate) attrs: &'a avtrace_model::Attrs,
    /// Other typed links to requirements.
    pub(crate) links: Vec<LinkDoc<'a>>,
    /// The obligation clauses whose coverage rests on it, in clause order.
    pub(crate) clauses: Vec<ClauseName>,
}

fn attrs_as_map<S: serde::Serializer>(attrs: &&avtrace_model::Attrs, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(attrs.iter())
}

/// A clause's name as output shows it, formatted once per clause and shared by every
/// requirement that names it: a million requirements do not each format their own.
#[derive(Clone, Debug)]
pub(crate) struct ClauseName(std::sync::Arc<str>);

impl ClauseName {
    fn new(name: String) -> ClauseName {
        ClauseName(name.into())
    }
}

impl std::ops::Deref for ClauseName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ClauseName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for ClauseName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Serialize for ClauseName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A typed link between requirements.
#[derive(Serialize)]
pub(crate) struct LinkDoc<'a> {
    pub(crate) kind: &'a str,
    pub(crate) to: &'a str,
}

/// The requirements in tree order (each root in the order written, then its subtree depth
/// first) with their depths, and the children of each requirement.
pub(crate) fn tree_order(program: &avtrace_model::Program) -> (Vec<(usize, usize)>, Vec<Vec<usize>>) {
    let n = program.requirements.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, r) in program.requirements.iter().enumerate() {
        match r.parent.map(|p| p.index()) {
            Some(p) if p < n && p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    let mut seen = vec![false; n];
    while let Some((i, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        order.push((i, depth));
        stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
    }
    (order, children)
}

/// Builds the matrix document of `view`.
pub(crate) fn build<'a>(view: &TraceView<'a>) -> MatrixDoc<'a> {
    let catalog = view.catalog;
    let trace = view.trace;
    let program = view.program;
    let (order, children) = tree_order(program);

    // Position of each obligation clause in `clauses`, indexed by clause.
    let mut row_of: Vec<Option<usize>> = vec![None; catalog.clauses.len()];
    let mut clauses: Vec<MatrixClause<'a>> = Vec::new();
    let mut instruments: Vec<InstrumentDoc<'a>> = Vec::new();
    let mut last_instrument: Option<InstrumentIx> = None;
    for (ix, coverage) in trace.covered_clauses() {
        let clause = catalog.clause(ix);
        if last_instrument != Some(clause.instrument) {
            last_instrument = Some(clause.instrument);
            instruments.push(InstrumentDoc {
                instrument: catalog.instrument_name(clause.instrument),
                title: &catalog.instrument(clause.instrument).title,
            });
        }
        if let Some(slot) = row_of.get_mut(ix.index()) {
            *slot = Some(clauses.len());
        }
        clauses.push(MatrixClause {
            clause: ClauseName::new(catalog.clause_name(ix)),
            instrument: catalog.instrument_name(clause.instrument),
            title: &clause.title,
            kind: clause.kind.as_str(),
            status: coverage.status.as_str(),
            requirements: coverage.requirements.iter().map(|r| program.requirements[r.index()].id()).collect(),
            subtree: subtree_of(&coverage.requirements, &children)
                .into_iter()
                .map(|r| program.requirements[r].id())
                .collect(),
            verified: coverage.verified,
            via: coverage.chain.iter().flat_map(|c| &c.steps).map(|s| step_doc(catalog, s)).collect(),
            markets: Vec::new(),
        });
    }
    let row = |clause: ClauseIx| row_of.get(clause.index()).copied().flatten();

    let mut markets = Vec::with_capacity(trace.markets.len());
    for mt in &trace.markets {
        let market = catalog.market(mt.market);
        for o in &mt.obligations {
            if let Some(r) = row(o.clause) {
                clauses[r].markets.push(ClauseMarket { market: &market.id, because: view.because(market, &o.because) });
            }
        }
        let gap_rows: Vec<usize> = mt.gaps(trace).filter_map(|(o, _)| row(o.clause)).collect();
        markets.push(MarketSummary {
            market: &market.id,
            name: &market.name,
            sop: mt.sop.to_string(),
            counts: CountsDoc::of(&mt.counts),
            unmodelled: view.unmodelled(mt),
            instruments: mt
                .counts_by_instrument(catalog, trace)
                .iter()
                .map(|(i, c)| InstrumentCounts { instrument: catalog.instrument_name(*i), counts: CountsDoc::of(c) })
                .collect(),
            gaps: gap_rows.iter().map(|&r| clauses[r].clause.to_string()).collect(),
            gap_rows,
        });
    }

    let mut by_requirement = trace.clauses_by_requirement(program.requirements.len());
    let requirements = order
        .iter()
        .map(|&(i, depth)| {
            let r = &program.requirements[i];
            RequirementDoc {
                id: r.id(),
                title: r.title(),
                text: r.text(),
                status: r.status.as_str(),
                parent: r.parent.map(|p| program.requirements[p.index()].id()),
                depth,
                verification: view.verification(avtrace_model::ReqIx::new(i)).as_str(),
                verified_by: &r.verified_by,
                attrs: &r.attrs,
                links: r
                    .links
                    .iter()
                    .map(|l| LinkDoc { kind: &l.kind, to: program.requirements[l.to.index()].id() })
                    .collect(),
                clauses: std::mem::take(&mut by_requirement[i])
                    .into_iter()
                    .map(|c| match row(c) {
                        Some(r) => clauses[r].clause.clone(),
                        None => ClauseName::new(catalog.clause_name(c)),
                    })
                    .collect(),
            }
        })
        .collect();
    let attribute_keys: Vec<&str> = program.attribute_keys().into_iter().collect();

    MatrixDoc {
        program: &program.name,
        revision: program.revision.as_deref(),
        program_path: view.program_path,
        level: trace.options.level.as_str(),
        recommendations: trace.options.include_recommendations,
        min_status: trace.options.min_status.as_str(),
        markets,
        instruments,
        clauses,
        requirements,
        attribute_keys,
    }
}

/// Every requirement beneath `roots` in the tree, depth first, without `roots` themselves
/// and without repeats.
fn subtree_of(roots: &[avtrace_model::ReqIx], children: &[Vec<usize>]) -> Vec<usize> {
    let mut out = Vec::new();
    // A requirement can be met twice only when one root lies beneath another.
    let mut seen: std::collections::HashSet<usize> = roots.iter().map(|r| r.index()).collect();
    let mut stack: Vec<usize> = roots.iter().rev().flat_map(|r| children[r.index()].iter().rev().copied()).collect();
    while let Some(i) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        out.push(i);
        stack.extend(children[i].iter().rev());
    }
    out
}

/// The `matrix --format json` document: the data the HTML report embeds, pretty-printed.
pub fn matrix_json(view: &TraceView<'_>) -> String {
    piecewise::written(|out| write_matrix_json(view, out))
}

/// [`matrix_json`], written to `out` as it is made: a large program's matrix is never held
/// as one text.
pub fn write_matrix_json(view: &TraceView<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = build(view);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    doc.write_json(&mut out, Depth::PRETTY)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}

/// How a status looks in every format that colours it (HTML, XLSX): name, words for the
/// legend, and text and background colours (`0xRRGGBB`). The HTML stylesheet repeats these
/// colours in `templates/report.css`.
pub(crate) struct StatusStyle {
    /// The status as output names it: `covered`, `via-mapping`, `partial`, `uncovered`.
    pub(crate) key: &'static str,
    /// The status as a person reads it.
    pub(crate) label: &'static str,
    /// The mark that carries it without colour (the page's script uses the same).
    pub(crate) mark: &'static str,
    /// What it means, for the legend.
    pub(crate) meaning: &'static str,
    /// Text colour.
    pub(crate) fg: u32,
    /// Background colour.
    pub(crate) bg: u32,
}

/// The legend, best status first.
pub(crate) const LEGEND: [StatusStyle; 4] = [
    StatusStyle {
        key: "covered",
        mark: "\u{2714}",
        label: "covered",
        meaning: "a requirement satisfies the clause directly",
        fg: 0x11_63_29,
        bg: 0xDA_FB_E1,
    },
    StatusStyle {
        key: "via-mapping",
        mark: "\u{21c4}",
        label: "via mapping",
        meaning: "a requirement satisfies a clause whose mapping chain composes to equal or superset",
        fg: 0x0A_30_69,
        bg: 0xDD_F4_FF,
    },
    StatusStyle {
        key: "partial",
        mark: "\u{25d0}",
        label: "partial",
        meaning: "the best mapping chain composes to subset or intersects (a MOD adoption acts as intersects): review it",
        fg: 0x7D_4E_00,
        bg: 0xFF_F8_C5,
    },
    StatusStyle {
        key: "uncovered",
        mark: "\u{2718}",
        label: "uncovered",
        meaning: "no requirement reaches the clause by a chain that proves anything",
        fg: 0x82_07_1E,
        bg: 0xFF_EB_E9,
    },
];

impl MatrixDoc<'_> {
    /// One sentence per market with unmodelled instruments, for the notes beside the
    /// coverage in every format; empty when every mandated instrument has clauses.
    pub(crate) fn unmodelled_notes(&self) -> Vec<String> {
        self.markets
            .iter()
            .filter(|m| !m.unmodelled.is_empty())
            .map(|m| {
                format!(
                    "{} also mandates {}, which the catalog has no requirement clauses for: not counted in its coverage.",
                    m.market,
                    m.unmodelled.join(", ")
                )
            })
            .collect()
    }
}
