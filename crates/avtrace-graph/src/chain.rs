//! Mapping chains: how a satisfied clause reaches an obligation through mappings, and what
//! that is worth.
//!
//! The rules (DESIGN.md, "Trace semantics"): a mapping is one statement read in both
//! directions; what decides coverage is the relation from the satisfied clause `D` towards
//! the obligation `C` along the chain. Every step `equal` or `superset` gives a full chain
//! (`via-mapping`); any `subset` or `intersects` step (a `MOD` adoption acts as
//! `intersects`) makes it partial. The best quality wins, then the shortest chain, then the
//! satisfied clause with the smallest id; chains never loop.

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
}

impl StepBasis {
    /// The mapping the statement belongs to.
    pub fn mapping(self) -> MappingIx {
        match self {
            StepBasis::Entry { mapping, .. } | StepBasis::Adoption { mapping, .. } => mapping,
        }
    }
}

/// What a mapping step rests on, as outputs show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasisFacts<'a> {
    /// `map` for a clause-level entry, `adoption IDT` / `adoption MOD` for an adoption.
    pub basis: String,
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
        let mapping = &catalog.mappings[self.mapping().index()];
        match self {
            StepBasis::Entry { entry, .. } => {
                let e = &mapping.entries[entry as usize];
                BasisFacts {
                    basis: "map".to_owned(),
                    source: e.source.as_deref().unwrap_or(&mapping.source),
                    confidence: e.confidence.or(mapping.confidence),
                    rationale: e.rationale.as_deref(),
                }
            }
            StepBasis::Adoption { adoption, .. } => BasisFacts {
                basis: format!("adoption {adoption}"),
                source: &mapping.source,
                confidence: mapping.confidence,
                rationale: mapping.rationale.as_deref(),
            },
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
    /// Every step is `equal` or `superset`: the obligation is covered via mapping.
    Full,
    /// Some step is `subset` or `intersects`: someone must review it.
    Partial,
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
    /// The steps, from the satisfied clause to the obligation; never empty.
    pub steps: Vec<Step>,
}

impl Chain {
    /// The satisfied clause the chain starts from.
    pub fn start(&self) -> ClauseIx {
        self.steps[0].from
    }
}

/// Reusable buffers for chain searches, so that tracing thousands of obligations does not
/// allocate per obligation.
#[derive(Debug, Clone, Default)]
pub struct ChainSearch {
    stamp: Vec<u32>,
    generation: u32,
    /// For each reached clause: the clause one step nearer the obligation, and the link.
    parent: Vec<(ClauseIx, Option<MapLink>)>,
    frontier: Vec<ClauseIx>,
    next: Vec<ClauseIx>,
}

impl ChainSearch {
    /// Buffers for searches in `graph`.
    pub fn new(graph: &ClauseGraph) -> ChainSearch {
        ChainSearch {
            stamp: vec![0; graph.len()],
            generation: 0,
            parent: vec![(ClauseIx(0), None); graph.len()],
            frontier: Vec::new(),
            next: Vec::new(),
        }
    }

    /// The best chain from any clause for which `is_satisfied` holds to `target`, other
    /// than `target` itself: a full chain if one exists, else a partial one; the shortest
    /// of those; among equally short ones, the one starting from the smallest clause.
    pub fn best_chain(
        &mut self,
        graph: &ClauseGraph,
        target: ClauseIx,
        is_satisfied: impl Fn(ClauseIx) -> bool,
    ) -> Option<Chain> {
        if graph.mapping_degree(target) == 0 {
            return None;
        }
        self.search(graph, target, &is_satisfied, true).or_else(|| self.search(graph, target, &is_satisfied, false))
    }

    fn search(
        &mut self,
        graph: &ClauseGraph,
        target: ClauseIx,
        is_satisfied: &impl Fn(ClauseIx) -> bool,
        full_only: bool,
    ) -> Option<Chain> {
        if self.stamp.len() < graph.len() {
            *self = ChainSearch::new(graph);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        let generation = self.generation;
        self.stamp[target.index()] = generation;
        self.frontier.clear();
        self.frontier.push(target);
        while !self.frontier.is_empty() {
            self.next.clear();
            let mut found: Option<ClauseIx> = None;
            for &near in &self.frontier {
                for link in graph.links_into(near) {
                    if full_only && !link.rel.carries_coverage() {
                        continue;
                    }
                    let far = link.from;
                    if self.stamp[far.index()] == generation {
                        continue;
                    }
                    self.stamp[far.index()] = generation;
                    self.parent[far.index()] = (near, Some(*link));
                    self.next.push(far);
                    if is_satisfied(far) && found.is_none_or(|f| far < f) {
                        found = Some(far);
                    }
                }
            }
            if let Some(start) = found {
                return Some(self.chain_from(start, target));
            }
            self.next.sort_unstable();
            std::mem::swap(&mut self.frontier, &mut self.next);
        }
        None
    }

    fn chain_from(&self, start: ClauseIx, target: ClauseIx) -> Chain {
        let mut steps = Vec::new();
        let mut at = start;
        while at != target {
            let (near, link) = self.parent[at.index()];
            let Some(link) = link else { break };
            steps.push(Step { from: at, to: near, rel: link.rel, basis: link.basis });
            at = near;
        }
        let quality =
            if steps.iter().all(|s| s.rel.carries_coverage()) { ChainQuality::Full } else { ChainQuality::Partial };
        Chain { quality, steps }
    }
}
