//! Obligations and coverage.

use std::sync::atomic::{AtomicU32, Ordering};

use avtrace_graph::{Chain, ChainQuality, ChainSearch, ClauseGraph};
use avtrace_model::{
    Catalog, ClauseIx, Date, InstrumentIx, Level, MarketIx, Program, ReqIx, RequirementStatus, Verification,
    natural_cmp,
};

/// How many `related` hints the views that show them ask for per uncovered obligation.
pub const RELATED_HINTS: usize = 3;

/// What the caller asks of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceOptions {
    /// Count mandates up to this level (levels nest).
    pub level: Level,
    /// Count recommendations as obligations too.
    pub include_recommendations: bool,
    /// Count only requirements at least this mature; `rejected` and `obsolete` never count.
    pub min_status: RequirementStatus,
    /// How many `related` hints to find for each uncovered obligation (0: none). They
    /// cost a bounded search per uncovered obligation, so only views that show them ask.
    pub related_hints: usize,
}

impl Default for TraceOptions {
    fn default() -> Self {
        TraceOptions {
            level: Level::Mandatory,
            include_recommendations: false,
            min_status: RequirementStatus::Draft,
            related_hints: 0,
        }
    }
}

/// A market to trace and the start of production to judge mandate dates against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketTarget {
    /// The market.
    pub market: MarketIx,
    /// Start of production there.
    pub sop: Date,
}

/// How an obligation is covered, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// A requirement satisfies the clause directly.
    Covered,
    /// A requirement satisfies a clause that a chain of `equal`/`superset` mappings (or an
    /// `IDT` adoption) leads from to this one.
    ViaMapping,
    /// Only a chain with a `subset`/`intersects` step or a `MOD` adoption reaches it.
    Partial,
    /// Nothing reaches it.
    Uncovered,
}

impl Status {
    /// Every status, best first.
    pub const ALL: [Status; 4] = [Status::Covered, Status::ViaMapping, Status::Partial, Status::Uncovered];

    /// The name used in output: `covered`, `via-mapping`, `partial`, `uncovered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Covered => "covered",
            Status::ViaMapping => "via-mapping",
            Status::Partial => "partial",
            Status::Uncovered => "uncovered",
        }
    }

    /// Whether the status counts towards coverage (partial never does).
    pub fn counts_as_covered(self) -> bool {
        matches!(self, Status::Covered | Status::ViaMapping)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one clause is covered by the program. It does not depend on the market, so it is
/// computed once per clause and shared by every market that obliges it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    /// The status.
    pub status: Status,
    /// The requirements behind it: those satisfying the clause (covered) or the start of
    /// the chain (via mapping, partial); sorted by id in natural order.
    pub requirements: Vec<ReqIx>,
    /// The chain of mappings behind a `via-mapping` or `partial` status.
    pub chain: Option<Chain>,
    /// For an uncovered clause, the nearest chains from satisfied clauses that compose to
    /// nothing: hints for a reviewer, never counted. Empty otherwise.
    pub related: Vec<Related>,
    /// Whether any of `requirements` is verified: its verification state is `passed`.
    pub verified: bool,
}

/// A chain that reaches an uncovered clause but composes to nothing, and the requirements
/// satisfying the clause it starts from: a hint for a reviewer, never coverage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// The requirements satisfying the chain's start, sorted by id in natural order.
    pub requirements: Vec<ReqIx>,
    /// The chain, whose `relation` is `None`.
    pub chain: Chain,
}

/// Why a clause is an obligation in a market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The market mandates the clause's instrument: index into the market's `mandates`.
    Mandate(usize),
    /// An obligation cites it (or a heading above it).
    CitedBy(ClauseIx),
}

/// One obligation of a market.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Obligation {
    /// The clause.
    pub clause: ClauseIx,
    /// Why it is an obligation: mandates first (in the market's order), then citing
    /// clauses (by id); never empty.
    pub because: Reasons,
}

/// The reasons of an obligation, read as a slice. Most clauses have one, held in place: a
/// market of a million obligations is then not a million allocations.
#[derive(Clone)]
pub struct Reasons(ReasonList);

#[derive(Clone)]
enum ReasonList {
    One(Reason),
    Many(Vec<Reason>),
}

impl Reasons {
    /// The first reason.
    pub fn new(first: Reason) -> Reasons {
        Reasons(ReasonList::One(first))
    }

    /// Adds a reason at the end.
    pub fn push(&mut self, reason: Reason) {
        match &mut self.0 {
            ReasonList::One(first) => self.0 = ReasonList::Many(vec![*first, reason]),
            ReasonList::Many(list) => list.push(reason),
        }
    }

    fn sort(&mut self) {
        if let ReasonList::Many(list) = &mut self.0 {
            list.sort_unstable();
        }
    }
}

impl std::ops::Deref for Reasons {
    type Target = [Reason];

    fn deref(&self) -> &[Reason] {
        match &self.0 {
            ReasonList::One(first) => std::slice::from_ref(first),
            ReasonList::Many(list) => list,
        }
    }
}

impl PartialEq for Reasons {
    fn eq(&self, other: &Reasons) -> bool {
        **self == **other
    }
}

impl Eq for Reasons {}

impl std::fmt::Debug for Reasons {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Tallies of a set of obligations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Obligations.
    pub obligations: usize,
    /// Covered directly.
    pub covered: usize,
    /// Covered through a full mapping chain.
    pub via_mapping: usize,
    /// Reached only through a partial chain.
    pub partial: usize,
    /// Not reached.
    pub uncovered: usize,
    /// Covered or via mapping, with at least one requirement whose verification passed.
    pub verified: usize,
}

impl Counts {
    fn add(&mut self, coverage: &Coverage) {
        self.obligations += 1;
        match coverage.status {
            Status::Covered => self.covered += 1,
            Status::ViaMapping => self.via_mapping += 1,
            Status::Partial => self.partial += 1,
            Status::Uncovered => self.uncovered += 1,
        }
        if coverage.status.counts_as_covered() && coverage.verified {
            self.verified += 1;
        }
    }

    /// Obligations covered directly or via mapping: linked to a requirement.
    pub fn linked(&self) -> usize {
        self.covered + self.via_mapping
    }

    /// Covered and linked but with no verified requirement.
    pub fn unverified(&self) -> usize {
        self.linked() - self.verified
    }

    /// (covered + via mapping) / obligations; 1 when there are no obligations, since
    /// nothing is missing.
    pub fn coverage(&self) -> f64 {
        if self.obligations == 0 { 1.0 } else { self.linked() as f64 / self.obligations as f64 }
    }

    /// How many have this status.
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Covered => self.covered,
            Status::ViaMapping => self.via_mapping,
            Status::Partial => self.partial,
            Status::Uncovered => self.uncovered,
        }
    }
}

/// The trace of one market.
#[derive(Clone, Debug, PartialEq)]
pub struct MarketTrace {
    /// The market.
    pub market: MarketIx,
    /// The SOP judged against.
    pub sop: Date,
    /// The mandates that apply, as indices into the market's `mandates`.
    pub mandates: Vec<usize>,
    /// The applying mandates whose instrument has no clause that could be an obligation
    /// (no requirement or recommendation) in the catalog: they add no obligation, and
    /// every output says so beside the coverage. Indices into the market's `mandates`.
    pub unmodelled: Vec<usize>,
    /// Obligations, sorted by clause (instrument id, edition, clause id in natural order).
    pub obligations: Vec<Obligation>,
    /// Tallies over `obligations`.
    pub counts: Counts,
}

/// The computed trace of a program over its markets.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// What was asked.
    pub options: TraceOptions,
    /// One entry per market target, in the order asked.
    pub markets: Vec<MarketTrace>,
    /// The verification state of every requirement, indexed like the program's.
    pub verification: Vec<Verification>,
    coverage: Vec<Option<Coverage>>,
}

impl Trace {
    /// How `clause` is covered, if it is an obligation of some traced market.
    pub fn coverage(&self, clause: ClauseIx) -> Option<&Coverage> {
        self.coverage.get(clause.index()).and_then(Option::as_ref)
    }

    /// Every clause that is an obligation of at least one market, with its coverage, in
    /// clause order.
    pub fn covered_clauses(&self) -> impl Iterator<Item = (ClauseIx, &Coverage)> {
        self.coverage.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (ClauseIx::new(i), c)))
    }

    /// The per-requirement view of the trace: for each of a program's `requirements`
    /// requirements (indexed like `Program::requirements`), the obligation clauses whose
    /// coverage rests on it — directly, or as the start of a mapping chain — in clause
    /// order. A requirement that no obligation of a traced market needs gets an empty list.
    pub fn clauses_by_requirement(&self, requirements: usize) -> Vec<Vec<ClauseIx>> {
        let mut out: Vec<Vec<ClauseIx>> = vec![Vec::new(); requirements];
        // `covered_clauses` runs in clause order, so every list comes out sorted.
        for (clause, coverage) in self.covered_clauses() {
            for r in &coverage.requirements {
                if let Some(list) = out.get_mut(r.index()) {
                    list.push(clause);
                }
            }
        }
        out
    }
}

impl MarketTrace {
    /// The obligations that are not covered: uncovered first, then partial, each in clause
    /// order.
    pub fn gaps<'t>(&'t self, trace: &'t Trace) -> impl Iterator<Item = (&'t Obligation, &'t Coverage)> {
        let with = move |status: Status| {
            self.obligations.iter().filter_map(move |o| {
                let coverage = trace.coverage(o.clause)?;
                (coverage.status == status).then_some((o, coverage))
            })
        };
        with(Status::Uncovered).chain(with(Status::Partial))
    }

    /// Tallies per instrument, in instrument order.
    pub fn counts_by_instrument(&self, catalog: &Catalog, trace: &Trace) -> Vec<(InstrumentIx, Counts)> {
        let mut out: Vec<(InstrumentIx, Counts)> = Vec::new();
        for o in &self.obligations {
            let instrument = catalog.clause(o.clause).instrument;
            if out.last().is_none_or(|(i, _)| *i != instrument) {
                out.push((instrument, Counts::default()));
            }
            if let (Some((_, counts)), Some(coverage)) = (out.last_mut(), trace.coverage(o.clause)) {
                counts.add(coverage);
            }
        }
        out
    }
}

/// Programs with fewer requirements are read on one thread: below this, threads cost more
/// than they spare.
const PARALLEL_ABOVE: usize = 1 << 16;

/// Past a few threads the pass is bound by memory, not by cores.
const MAX_THREADS: usize = 4;

/// What one stretch of the requirement records says: each one's own verification state,
/// whether any has a parent, the links of the counting ones per clause, the counting ones
/// (their status counts) in the order written, and whether those are in id order.
struct Stretch {
    verification: Vec<Verification>,
    in_a_tree: bool,
    /// Per clause, how many of the counting requirements satisfy it; once the stretches are
    /// joined, where this stretch's slots for the clause start ([`fill_in_stretches`]).
    links_per_clause: Vec<u32>,
    counting: Vec<ReqIx>,
    in_id_order: bool,
}

impl Stretch {
    fn scan(
        program: &Program,
        range: std::ops::Range<usize>,
        clauses: usize,
        min_status: RequirementStatus,
        results: &crate::verify::EvidenceResults<'_>,
    ) -> Stretch {
        let requirements = &program.requirements;
        let mut s = Stretch {
            verification: Vec::with_capacity(range.len()),
            in_a_tree: false,
            links_per_clause: vec![0; clauses],
            counting: Vec::with_capacity(range.len()),
            in_id_order: true,
        };
        let mut previous: Option<&str> = None;
        for (i, r) in requirements.get(range.clone()).unwrap_or_default().iter().enumerate() {
            s.verification.push(results.own_state(r));
            s.in_a_tree |= r.parent.is_some();
            if !r.status.counts_at(min_status) {
                continue;
            }
            for c in &r.satisfies {
                s.links_per_clause[c.index()] += 1;
            }
            // Checked while the record is at hand: the id is read once, here.
            let id = r.id();
            if let Some(before) = previous {
                s.in_id_order &= natural_cmp(before, id) != std::cmp::Ordering::Greater;
            }
            previous = Some(id);
            s.counting.push(ReqIx::new(range.start + i));
        }
        s
    }
}

/// Files each of `listed` (in order) under every clause it satisfies: `fill` holds, per
/// clause, the next slot to take, and `put(slot, requirement)` stores it.
fn file(
    requirements: &[avtrace_model::Requirement],
    listed: &[ReqIx],
    fill: &mut [u32],
    mut put: impl FnMut(usize, ReqIx),
) {
    for &r in listed {
        for c in &requirements[r.index()].satisfies {
            let slot = &mut fill[c.index()];
            put(*slot as usize, r);
            *slot += 1;
        }
    }
}

/// The satisfier lists of requirements already in id order, each stretch's requirements
/// filed on a thread of its own: a clause's slots for stretch `k` start where the stretches
/// before it end, so the threads write disjoint slots (through atomics, the only safe way to
/// share the one list) and the lists come out as one thread would make them. Each stretch's
/// counts per clause become, in place, where its slots start: a catalog of a million clauses
/// costs no further list of a million per stretch.
fn fill_in_stretches(
    requirements: &[avtrace_model::Requirement],
    stretches: &mut [Stretch],
    offsets: &[u32],
) -> Vec<ReqIx> {
    let total = offsets.last().copied().unwrap_or(0) as usize;
    for (c, &start) in offsets.iter().enumerate().take(offsets.len().saturating_sub(1)) {
        let mut next = start;
        for s in stretches.iter_mut() {
            if let Some(slot) = s.links_per_clause.get_mut(c) {
                next += std::mem::replace(slot, next);
            }
        }
    }
    if let [only] = stretches {
        let mut satisfying = vec![ReqIx(0); total];
        file(requirements, &only.counting, &mut only.links_per_clause, |slot, r| satisfying[slot] = r);
        return satisfying;
    }
    let slots: Vec<AtomicU32> = (0..total).map(|_| AtomicU32::new(0)).collect();
    let file_stretch = |s: &mut Stretch| {
        let Stretch { counting, links_per_clause, .. } = s;
        file(requirements, counting, links_per_clause, |slot, r| slots[slot].store(r.0, Ordering::Relaxed));
    };
    std::thread::scope(|scope| {
        let mut each = stretches.iter_mut();
        let first = each.next();
        let handles: Vec<_> = each.map(|s| scope.spawn(|| file_stretch(s))).collect();
        if let Some(s) = first {
            file_stretch(s);
        }
        for handle in handles {
            handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
    });
    slots.into_iter().map(|slot| ReqIx(slot.into_inner())).collect()
}

/// Which requirements satisfy each clause, sorted by requirement id.
#[derive(Debug, PartialEq)]
pub(crate) struct Satisfiers {
    offsets: Vec<u32>,
    requirements: Vec<ReqIx>,
}

impl Satisfiers {
    /// Only requirements whose status counts at `min_status` satisfy anything. The same pass
    /// over the requirement records (large, and a million of them) works out each one's own
    /// verification state into `verification`; a large program's records are read in
    /// stretches on every core.
    fn new(
        catalog: &Catalog,
        program: &Program,
        min_status: RequirementStatus,
        verification: &mut Vec<Verification>,
    ) -> Satisfiers {
        let threads = if program.requirements.len() < PARALLEL_ABOVE {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |t| t.get()).min(MAX_THREADS)
        };
        Satisfiers::on_threads(catalog, program, min_status, verification, threads)
    }

    /// [`Satisfiers::new`] on `threads` threads.
    pub(crate) fn on_threads(
        catalog: &Catalog,
        program: &Program,
        min_status: RequirementStatus,
        verification: &mut Vec<Verification>,
        threads: usize,
    ) -> Satisfiers {
        let results = crate::verify::EvidenceResults::of(program);
        let requirements = &program.requirements;
        let n = catalog.clauses.len();
        let threads = threads.max(1);
        let stretch = requirements.len().div_ceil(threads).max(1);
        let scan = |start: usize| {
            Stretch::scan(program, start..(start + stretch).min(requirements.len()), n, min_status, &results)
        };
        let mut stretches: Vec<Stretch> = if threads == 1 {
            vec![scan(0)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..requirements.len())
                    .step_by(stretch)
                    .map(|start| (start, scope.spawn(move || scan(start))))
                    .collect();
                // A stretch whose thread died is read again here.
                handles.into_iter().map(|(start, handle)| handle.join().unwrap_or_else(|_| scan(start))).collect()
            })
        };
        verification.clear();
        verification.reserve(requirements.len());
        let mut offsets = vec![0u32; n + 1];
        let mut in_a_tree = false;
        let mut in_id_order = true;
        let id = |r: &ReqIx| requirements[r.index()].id();
        let mut last: Option<ReqIx> = None;
        for s in &mut stretches {
            verification.append(&mut s.verification);
            in_a_tree |= s.in_a_tree;
            for (total, count) in offsets[1..].iter_mut().zip(&s.links_per_clause) {
                *total += count;
            }
            // Each stretch checked its own order; here, where two stretches meet.
            let meets_in_order = match (last, s.counting.first()) {
                (Some(a), Some(b)) => natural_cmp(id(&a), id(b)) != std::cmp::Ordering::Greater,
                _ => true,
            };
            in_id_order &= s.in_id_order && meets_in_order;
            last = s.counting.last().copied().or(last);
        }
        if in_a_tree {
            crate::verify::settle_tree(program, verification);
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        // Requirements in id order, so that every list comes out sorted without a sort each.
        // Programs are usually written in id order: the stretches' check spares the sort then,
        // and each stretch files its own requirements, on a thread of its own, from where the
        // stretches before it end.
        let satisfying = if in_id_order {
            fill_in_stretches(requirements, &mut stretches, &offsets)
        } else {
            let mut by_id: Vec<ReqIx> = stretches.iter().flat_map(|s| s.counting.iter().copied()).collect();
            by_id.sort_unstable_by(|a, b| natural_cmp(id(a), id(b)));
            let mut fill = offsets.clone();
            let mut satisfying = vec![ReqIx(0); offsets[n] as usize];
            file(requirements, &by_id, &mut fill, |slot, r| satisfying[slot] = r);
            satisfying
        };
        Satisfiers { offsets, requirements: satisfying }
    }

    fn of(&self, clause: ClauseIx) -> &[ReqIx] {
        let i = clause.index();
        &self.requirements[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Traces `program` over `targets`.
///
/// 1. The obligations of a market are the obligation clauses (requirements, and
///    recommendations when asked) of every instrument it mandates for the program — the
///    mandate's level within the asked level, its date on or before the SOP, one of its
///    categories a prefix of a program category (or none given), all its features present
///    — plus the closure of those clauses over references (a cited heading stands for the
///    obligations beneath it). Each remembers why.
/// 2. A clause is `covered` when a requirement satisfies it; else `via-mapping` when a chain
///    of `equal`/`superset` mapping steps leads to it from a satisfied clause; else
///    `partial` when any chain does; else `uncovered`. The shortest chain of the best
///    quality is kept, ties going to the satisfied clause with the smallest id.
/// 3. Coverage of a market is (covered + via mapping) / obligations.
pub fn trace(
    catalog: &Catalog,
    graph: &ClauseGraph,
    program: &Program,
    targets: &[MarketTarget],
    options: TraceOptions,
) -> Trace {
    let mut verification = Vec::new();
    let satisfiers = Satisfiers::new(catalog, program, options.min_status, &mut verification);
    let features = catalog.vocabulary.feature_closure(&program.features);
    let mut coverage: Vec<Option<Coverage>> = vec![None; catalog.clauses.len()];
    let mut search = ChainSearch::new(graph);
    let mut markets = Vec::with_capacity(targets.len());
    let mut scratch = ObligationScratch::new(catalog);

    for target in targets {
        let market = catalog.market(target.market);
        let (applied, obligations) =
            market_obligations(catalog, graph, program, &features, target, options, &mut scratch);
        let unmodelled: Vec<usize> =
            applied.iter().copied().filter(|&m| !catalog.is_mandate_modelled(&market.mandates[m])).collect();

        let mut counts = Counts::default();
        for o in &obligations {
            let entry = &mut coverage[o.clause.index()];
            let computed = entry.get_or_insert_with(|| {
                coverage_of(o.clause, graph, &verification, &satisfiers, &mut search, options.related_hints)
            });
            counts.add(computed);
        }
        markets.push(MarketTrace {
            market: target.market,
            sop: target.sop,
            mandates: applied,
            unmodelled,
            obligations,
            counts,
        });
    }
    Trace { options, markets, verification, coverage }
}

/// Per clause: the market pass that last reached it, and the position of its obligation,
/// reused from market to market so that a trace allocates them once.
struct ObligationScratch {
    pass: u32,
    seen_in: Vec<u32>,
    slot: Vec<u32>,
}

impl ObligationScratch {
    fn new(catalog: &Catalog) -> ObligationScratch {
        ObligationScratch {
            pass: 0,
            seen_in: vec![u32::MAX; catalog.clauses.len()],
            slot: vec![0; catalog.clauses.len()],
        }
    }
}

/// The mandates of `target`'s market that apply to the program (indices into the market's
/// `mandates`) and the obligations they bring, in clause order, each with its reasons
/// sorted: the obligation clauses of every applying mandate's instrument, then the closure
/// of those over references. `features` are the program's with what they imply.
fn market_obligations(
    catalog: &Catalog,
    graph: &ClauseGraph,
    program: &Program,
    features: &[String],
    target: &MarketTarget,
    options: TraceOptions,
    scratch: &mut ObligationScratch,
) -> (Vec<usize>, Vec<Obligation>) {
    let pass = scratch.pass;
    scratch.pass = scratch.pass.wrapping_add(1);
    let market = catalog.market(target.market);
    let applied: Vec<usize> = market
        .mandates
        .iter()
        .enumerate()
        .filter(|(_, m)| m.applies(&program.categories, features, target.sop, options.level))
        .map(|(i, _)| i)
        .collect();
    let (seen_in, slot) = (&mut scratch.seen_in, &mut scratch.slot);
    let mut obligations: Vec<Obligation> = Vec::new();
    let mut add = |clause: ClauseIx, reason: Reason, obligations: &mut Vec<Obligation>| -> bool {
        if seen_in[clause.index()] == pass {
            let because = &mut obligations[slot[clause.index()] as usize].because;
            if !because.contains(&reason) {
                because.push(reason);
            }
            false
        } else {
            seen_in[clause.index()] = pass;
            slot[clause.index()] = u32::try_from(obligations.len()).unwrap_or(u32::MAX);
            obligations.push(Obligation { clause, because: Reasons::new(reason) });
            true
        }
    };
    let mut seeds = Vec::new();
    for &m in &applied {
        for clause in catalog.mandated_clauses(&market.mandates[m]) {
            if catalog.clause(clause).kind.is_obligation(options.include_recommendations)
                && add(clause, Reason::Mandate(m), &mut obligations)
            {
                seeds.push(clause);
            }
        }
    }
    for (clause, cited_by) in graph.reference_closure(catalog, &seeds, options.include_recommendations) {
        add(clause, Reason::CitedBy(cited_by), &mut obligations);
    }
    obligations.sort_by_key(|o| o.clause);
    for o in &mut obligations {
        o.because.sort();
    }
    (applied, obligations)
}

/// Every clause that is an obligation of some market of `targets` under `options`, in
/// clause order: what [`trace`] lists, without computing any coverage (for checks that only
/// need to know what is obliged).
pub fn obligation_clauses(
    catalog: &Catalog,
    graph: &ClauseGraph,
    program: &Program,
    targets: &[MarketTarget],
    options: TraceOptions,
) -> Vec<ClauseIx> {
    let features = catalog.vocabulary.feature_closure(&program.features);
    let mut scratch = ObligationScratch::new(catalog);
    let mut obliged = vec![false; catalog.clauses.len()];
    for target in targets {
        for o in market_obligations(catalog, graph, program, &features, target, options, &mut scratch).1 {
            obliged[o.clause.index()] = true;
        }
    }
    obliged.iter().enumerate().filter(|(_, o)| **o).map(|(i, _)| ClauseIx::new(i)).collect()
}

fn coverage_of(
    clause: ClauseIx,
    graph: &ClauseGraph,
    verification: &[Verification],
    satisfiers: &Satisfiers,
    search: &mut ChainSearch,
    related_hints: usize,
) -> Coverage {
    let verified = |reqs: &[ReqIx]| reqs.iter().any(|r| verification[r.index()] == Verification::Passed);
    let direct = satisfiers.of(clause);
    if !direct.is_empty() {
        return Coverage {
            status: Status::Covered,
            requirements: direct.to_vec(),
            chain: None,
            related: Vec::new(),
            verified: verified(direct),
        };
    }
    let is_satisfied = |c: ClauseIx| !satisfiers.of(c).is_empty();
    match search.best_chain(graph, clause, is_satisfied) {
        Some(chain) => {
            let requirements = satisfiers.of(chain.start()).to_vec();
            let status = match chain.quality {
                ChainQuality::Full => Status::ViaMapping,
                ChainQuality::Partial | ChainQuality::Related => Status::Partial,
            };
            Coverage {
                status,
                verified: verified(&requirements),
                requirements,
                chain: Some(chain),
                related: Vec::new(),
            }
        }
        None => Coverage {
            status: Status::Uncovered,
            requirements: Vec::new(),
            chain: None,
            related: search
                .related(graph, clause, is_satisfied, related_hints)
                .into_iter()
                .map(|chain| Related { requirements: satisfiers.of(chain.start()).to_vec(), chain })
                .collect(),
            verified: false,
        },
    }
}
