//! Mapping chains: how a satisfied clause reaches an obligation through mappings, and what
//! that is worth.
//!
//! The rules (DESIGN.md, "Trace semantics"): a mapping is one statement read in both
//! directions; what decides coverage is the relation from the satisfied clause `D` towards
//! the obligation `C` along the chain, composed step by step by the set algebra
//! ([`Relation::compose`]). A chain that composes to `equal` or `superset` is full
//! (`via-mapping`); to `subset` or `intersects`, partial; to nothing (two overlaps in a row,
//! a subset then a superset), it is no chain at all, only a hint for a reviewer. The best
//! quality wins, then the shortest chain, then the satisfied clause with the smallest id;
//! chains never loop.
//!
//! The search runs backwards from the obligation over (clause, relation to the obligation)
//! states, so that a clause reached first by a weak relation does not hide a longer path
//! with a strong one. Once a chain is partial no step can make it full again (`p ∘ subset`
//! and `p ∘ intersects` are never `equal` or `superset`), so full chains are searched alone
//! first, over clauses only.

use avtrace_model::{Adoption, ClauseIx, MappingIx, Relation};

use crate::ClauseGraph;

/// The statement a step rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepBasis {
    /// A clause-level `[[map]]` entry: mapping and entry index.
    Entry {
        /// The mapping.
        mapping: MappingIx,
        /// The entry's index in the mapping.
        entry: u32,
    },
    /// An instrument-level adoption applied to two clauses with the same id.
    Adoption {
        /// The mapping.
        mapping: MappingIx,
        /// Its degree.
        adoption: Adoption,
    },
    /// The clause hierarchy: a clause lies within the heading above it. Appears only in
    /// `related` hints, where it shows how a heading's mapping comes near a clause.
    Hierarchy,
}

impl StepBasis {
    /// The mapping the statement belongs to; `None` for a hierarchy step.
    pub fn mapping(self) -> Option<MappingIx> {
        match self {
            StepBasis::Entry { mapping, .. } | StepBasis::Adoption { mapping, .. } => Some(mapping),
            StepBasis::Hierarchy => None,
        }
    }
}

/// What a mapping step rests on, as outputs show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasisFacts<'a> {
    /// `map` for a clause-level entry, `hierarchy` for a step within the clause tree,
    /// `adoption IDT` / `adoption MOD` for an adoption (the only ones made per call).
    pub basis: std::borrow::Cow<'static, str>,
    /// Where the statement is published.
    pub source: &'a str,
    /// How sure the catalog is of it.
    pub confidence: Option<avtrace_model::Confidence>,
    /// Why the clauses relate, when the catalog says.
    pub rationale: Option<&'a str>,
}

impl StepBasis {
    /// The facts of the statement behind this basis, entry-level values falling back to the
    /// mapping's.
    pub fn facts(self, catalog: &avtrace_model::Catalog) -> BasisFacts<'_> {
        match self {
            StepBasis::Hierarchy => BasisFacts {
                basis: "hierarchy".into(),
                source: "the clause hierarchy: a clause lies within the heading above it",
                confidence: None,
                rationale: None,
            },
            StepBasis::Entry { mapping, entry } => {
                let mapping = &catalog.mappings[mapping.index()];
                let e = &mapping.entries[entry as usize];
                BasisFacts {
                    basis: "map".into(),
                    source: e.source.as_deref().unwrap_or(&mapping.source),
                    confidence: e.confidence.or(mapping.confidence),
                    rationale: e.rationale.as_deref(),
                }
            }
            StepBasis::Adoption { mapping, adoption } => {
                let mapping = &catalog.mappings[mapping.index()];
                BasisFacts {
                    basis: format!("adoption {adoption}").into(),
                    source: &mapping.source,
                    confidence: mapping.confidence,
                    rationale: mapping.rationale.as_deref(),
                }
            }
        }
    }
}

/// A mapping link ending at some clause: it comes `from` a clause, which relates to the
/// end clause by `rel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MapLink {
    pub(crate) from: ClauseIx,
    pub(crate) rel: Relation,
    pub(crate) basis: StepBasis,
}

impl MapLink {
    /// Sorts links by the clause they come from, full links before partial ones, then by
    /// their basis, so that searches meet them in a canonical order.
    pub(crate) fn sort_key(&self) -> (ClauseIx, bool, StepBasis, Relation) {
        (self.from, !self.rel.carries_coverage(), self.basis, self.rel)
    }
}

/// What a chain is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChainQuality {
    /// The chain composes to `equal` or `superset`: the obligation is covered via mapping.
    Full,
    /// The chain composes to `subset` or `intersects`: someone must review it.
    Partial,
    /// The chain composes to nothing: it proves nothing about the obligation and is shown
    /// only as a hint for a reviewer, never counted.
    Related,
}

impl ChainQuality {
    /// The quality of a chain whose composed relation is `relation` (`None`: nothing).
    pub fn of(relation: Option<Relation>) -> ChainQuality {
        match relation {
            Some(Relation::Equal | Relation::Superset) => ChainQuality::Full,
            Some(Relation::Subset | Relation::Intersects) => ChainQuality::Partial,
            None => ChainQuality::Related,
        }
    }
}

/// One step of a chain: clause `from` relates to clause `to` by `rel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The nearer end to the satisfied clause.
    pub from: ClauseIx,
    /// The nearer end to the obligation.
    pub to: ClauseIx,
    /// How `from` relates to `to`.
    pub rel: Relation,
    /// The statement behind the step.
    pub basis: StepBasis,
}

/// A chain of mapping steps from a satisfied clause to an obligation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// What it is worth.
    pub quality: ChainQuality,
    /// The relation of the satisfied clause to the obligation that the steps compose to;
    /// `None` for a [`ChainQuality::Related`] hint.
    pub relation: Option<Relation>,
    /// The steps, from the satisfied clause to the obligation; never empty, no clause twice.
    pub steps: Vec<Step>,
}

impl Chain {
    /// The satisfied clause the chain starts from.
    pub fn start(&self) -> ClauseIx {
        self.steps[0].from
    }

    /// The relation `steps` compose to, folded from the satisfied clause towards the
    /// obligation; `None` when they compose to nothing.
    pub fn compose(steps: &[Step]) -> Option<Relation> {
        steps.iter().try_fold(Relation::Equal, |acc, step| acc.compose(step.rel))
    }
}

/// How a search treats the relation a path composes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Only `equal`/`superset` steps, which keep a chain full; one state per clause.
    Full,
    /// Every step whose composition is not nothing; one state per clause and relation.
    Partial,
    /// Every step, whatever it composes to, and steps along the clause hierarchy next to
    /// the ends: up from the obligation to the headings above it, and down from a heading
    /// a mapping reaches to the clauses beneath it. One state per clause, holding the phase
    /// (see `Phase`), so no clause appears twice in a hint.
    Related,
}

/// Where a related-mode path is: climbing from the obligation (`UP`), after a mapping step
/// (`MAPPED`), or descending into a heading after one (`DOWN`).
struct Phase;

impl Phase {
    const UP: u32 = 0;
    const MAPPED: u32 = 1;
    const DOWN: u32 = 2;
}

const NO_STATE: u32 = u32::MAX;
/// The longest chain a `related` hint may be.
pub const RELATED_MAX_STEPS: usize = 3;
/// In `parent`, a step along the hierarchy rather than a mapping link.
const UP_STEP: u32 = u32::MAX;
const DOWN_STEP: u32 = u32::MAX - 1;

/// Reusable buffers for chain searches, so that tracing thousands of obligations does not
/// allocate per obligation.
#[derive(Debug, Clone, Default)]
pub struct ChainSearch {
    /// Per state (clause × 4 + relation slot): the search that last reached it.
    stamp: Vec<u32>,
    generation: u32,
    /// Per state: the state one step nearer the obligation, and the index of the link
    /// (in the graph's link list) that leads there.
    parent: Vec<(u32, u32)>,
    frontier: Vec<u32>,
    next: Vec<u32>,
    found: Vec<u32>,
}

/// The slot of a relation in a clause's four partial-mode states.
fn slot(rel: Relation) -> u32 {
    match rel {
        Relation::Equal => 0,
        Relation::Superset => 1,
        Relation::Subset => 2,
        Relation::Intersects => 3,
    }
}

fn relation_of_slot(slot: u32) -> Relation {
    match slot {
        0 => Relation::Equal,
        1 => Relation::Superset,
        2 => Relation::Subset,
        _ => Relation::Intersects,
    }
}

fn state(clause: ClauseIx, slot: u32) -> u32 {
    clause.0 * 4 + slot
}

fn clause_of(state: u32) -> ClauseIx {
    ClauseIx(state / 4)
}

impl ChainSearch {
    /// Buffers for searches in `graph`.
    pub fn new(graph: &ClauseGraph) -> ChainSearch {
        let states = graph.len() * 4;
        ChainSearch {
            stamp: vec![0; states],
            generation: 0,
            parent: vec![(NO_STATE, 0); states],
            frontier: Vec::new(),
            next: Vec::new(),
            found: Vec::new(),
        }
    }

    /// The best chain from any clause for which `is_satisfied` holds to `target`, other
    /// than `target` itself: a full chain if one exists, else a partial one; the shortest
    /// of those; among equally short ones, the one starting from the smallest clause.
    /// Chains that compose to nothing are never returned here (see [`Self::related`]).
    pub fn best_chain(
        &mut self,
        graph: &ClauseGraph,
        target: ClauseIx,
        is_satisfied: impl Fn(ClauseIx) -> bool,
    ) -> Option<Chain> {
        if graph.mapping_degree(target) == 0 {
            return None;
        }
        for mode in [Mode::Full, Mode::Partial] {
            if let Some(&start) = self.search(graph, target, &is_satisfied, mode, 1).first() {
                return Some(self.chain_from(graph, start, target));
            }
        }
        None
    }

    /// Up to `limit` of the nearest chains, whatever they compose to, from satisfied
    /// clauses to `target`, at most [`RELATED_MAX_STEPS`] steps long: hints for a reviewer
    /// of an uncovered obligation, one per satisfied clause, the smallest clauses first
    /// among equally near ones.
    pub fn related(
        &mut self,
        graph: &ClauseGraph,
        target: ClauseIx,
        is_satisfied: impl Fn(ClauseIx) -> bool,
        limit: usize,
    ) -> Vec<Chain> {
        if (graph.mapping_degree(target) == 0 && graph.parent_of(target).is_none()) || limit == 0 {
            return Vec::new();
        }
        let starts = self.search(graph, target, &is_satisfied, Mode::Related, limit).to_vec();
        starts.into_iter().map(|start| self.chain_from(graph, start, target)).collect()
    }

    /// Every clause from which some clause of `targets` can be reached by a chain that
    /// composes to something (full or partial), `targets` included: the clauses whose
    /// satisfaction can count towards one of them. Indexed by clause.
    pub fn reaching(graph: &ClauseGraph, targets: &[ClauseIx]) -> Vec<bool> {
        let mut reaches = vec![false; graph.len()];
        // One state per clause and relation to *some* target: what can follow a state
        // depends only on the state, so one search from all targets at once is exact.
        let mut seen = vec![false; graph.len() * 4];
        let mut stack: Vec<u32> = Vec::with_capacity(targets.len());
        for &t in targets {
            reaches[t.index()] = true;
            if !seen[state(t, 0) as usize] {
                seen[state(t, 0) as usize] = true;
                stack.push(state(t, 0));
            }
        }
        while let Some(near_state) = stack.pop() {
            let near_rel = relation_of_slot(near_state % 4);
            for link in graph.links_into_indexed(clause_of(near_state)).1 {
                let Some(rel) = link.rel.compose(near_rel) else { continue };
                let far_state = state(link.from, slot(rel));
                if !seen[far_state as usize] {
                    seen[far_state as usize] = true;
                    reaches[link.from.index()] = true;
                    stack.push(far_state);
                }
            }
        }
        reaches
    }

    /// Breadth-first from `target` over the states `mode` allows; returns the states of
    /// satisfied clauses at the first level that has any, at most `limit` of them, by
    /// clause.
    fn search(
        &mut self,
        graph: &ClauseGraph,
        target: ClauseIx,
        is_satisfied: &impl Fn(ClauseIx) -> bool,
        mode: Mode,
        limit: usize,
    ) -> &[u32] {
        if self.stamp.len() < graph.len() * 4 {
            *self = ChainSearch::new(graph);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        // Every state of the obligation is taken, so no chain passes through it.
        for slot in 0..4 {
            self.stamp[state(target, slot) as usize] = self.generation;
        }
        self.frontier.clear();
        self.frontier.push(state(target, 0));
        self.found.clear();
        let mut depth = 0;
        while !self.frontier.is_empty() && self.found.is_empty() {
            // A hint longer than a few steps wanders through unrelated clauses: it would
            // point a reviewer nowhere useful.
            if mode == Mode::Related && depth == RELATED_MAX_STEPS {
                break;
            }
            depth += 1;
            self.next.clear();
            for i in 0..self.frontier.len() {
                let near_state = self.frontier[i];
                let near = clause_of(near_state);
                // Partial mode: the relation of `near` to the obligation so far. Related
                // mode: the phase.
                let near_slot = near_state % 4;
                let (first, links) = graph.links_into_indexed(near);
                for (k, link) in links.iter().enumerate() {
                    let far_slot = match mode {
                        Mode::Full if !link.rel.carries_coverage() => continue,
                        Mode::Full => 0,
                        Mode::Related if near_slot == Phase::DOWN => continue,
                        Mode::Related => Phase::MAPPED,
                        Mode::Partial => match link.rel.compose(relation_of_slot(near_slot)) {
                            Some(rel) => slot(rel),
                            None => continue,
                        },
                    };
                    self.visit(mode, near_state, link.from, far_slot, first + k as u32, is_satisfied);
                }
                if mode != Mode::Related {
                    continue;
                }
                if near_slot == Phase::UP
                    && let Some(above) = graph.parent_of(near)
                {
                    self.visit(mode, near_state, above, Phase::UP, UP_STEP, is_satisfied);
                }
                if near_slot != Phase::UP {
                    for &below in graph.children(near) {
                        self.visit(mode, near_state, below, Phase::DOWN, DOWN_STEP, is_satisfied);
                    }
                }
            }
            self.next.sort_unstable();
            std::mem::swap(&mut self.frontier, &mut self.next);
        }
        // One state per clause (the first in state order), smallest clauses first.
        self.found.sort_unstable();
        self.found.dedup_by_key(|s| clause_of(*s));
        self.found.truncate(limit);
        &self.found
    }

    /// Reaches `far` in `far_slot` from `near_state` over `link` (a link index, or a
    /// hierarchy step), unless it was reached before in this search.
    fn visit(
        &mut self,
        mode: Mode,
        near_state: u32,
        far: ClauseIx,
        far_slot: u32,
        link: u32,
        is_satisfied: &impl Fn(ClauseIx) -> bool,
    ) {
        // Related mode keeps one state per clause, whatever its phase.
        let seen_at = if mode == Mode::Related { state(far, 0) } else { state(far, far_slot) };
        if self.stamp[seen_at as usize] == self.generation {
            return;
        }
        self.stamp[seen_at as usize] = self.generation;
        let far_state = state(far, far_slot);
        self.parent[far_state as usize] = (near_state, link);
        self.next.push(far_state);
        if is_satisfied(far) {
            self.found.push(far_state);
        }
    }

    fn chain_from(&self, graph: &ClauseGraph, start: u32, target: ClauseIx) -> Chain {
        let mut steps = Vec::new();
        let mut at = start;
        while clause_of(at) != target {
            let (near, link_index) = self.parent[at as usize];
            if near == NO_STATE {
                break;
            }
            let (rel, basis) = match link_index {
                // `at` is the heading above `near`, or lies beneath `near`.
                UP_STEP => (Relation::Superset, StepBasis::Hierarchy),
                DOWN_STEP => (Relation::Subset, StepBasis::Hierarchy),
                _ => {
                    let link = graph.link(link_index);
                    (link.rel, link.basis)
                }
            };
            steps.push(Step { from: clause_of(at), to: clause_of(near), rel, basis });
            at = near;
        }
        debug_assert!(
            {
                let mut seen: Vec<ClauseIx> = steps.iter().map(|s| s.from).collect();
                seen.sort_unstable();
                seen.windows(2).all(|w| w[0] != w[1])
            },
            "a chain never loops"
        );
        let relation = Chain::compose(&steps);
        Chain { quality: ChainQuality::of(relation), relation, steps }
    }
}
