//! Building the clause graph from a catalog.

use avtrace_model::{Adoption, Catalog, ClauseIx, ClauseKind, MappingIx, Relation};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::chain::{MapLink, StepBasis};

/// What an edge of the clause graph says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// Source sits under target.
    Parent,
    /// Source normatively cites target.
    Ref,
    /// Source relates to target by `rel` (read from source to target), on this basis.
    Map {
        /// The relation of source to target.
        rel: Relation,
        /// The mapping statement behind it.
        basis: StepBasis,
    },
}

/// Compressed adjacency: `items[offsets[i]..offsets[i + 1]]` belong to node `i`.
#[derive(Debug, Clone, Default)]
struct Adjacency<T> {
    offsets: Vec<u32>,
    items: Vec<T>,
}

impl<T> Adjacency<T> {
    /// Groups `(node, item)` pairs, which must be sorted by node, into per-node slices.
    fn from_sorted(node_count: usize, pairs: Vec<(ClauseIx, T)>) -> Self {
        let mut offsets = vec![0u32; node_count + 1];
        for (node, _) in &pairs {
            offsets[node.index() + 1] += 1;
        }
        for i in 0..node_count {
            offsets[i + 1] += offsets[i];
        }
        Adjacency { offsets, items: pairs.into_iter().map(|(_, item)| item).collect() }
    }

    /// Groups `(node, item)` pairs in any order into per-node slices, keeping their order
    /// within a node: the lists a stable sort by node gives, in two linear passes.
    fn from_unsorted(node_count: usize, pairs: &[(ClauseIx, T)]) -> Self
    where
        T: Copy,
    {
        let mut offsets = vec![0u32; node_count + 1];
        for (node, _) in pairs {
            offsets[node.index() + 1] += 1;
        }
        for i in 0..node_count {
            offsets[i + 1] += offsets[i];
        }
        let Some(&(_, filler)) = pairs.first() else { return Adjacency { offsets, items: Vec::new() } };
        let mut items = vec![filler; pairs.len()];
        let mut next = offsets.clone();
        for &(node, item) in pairs {
            let at = &mut next[node.index()];
            items[*at as usize] = item;
            *at += 1;
        }
        Adjacency { offsets, items }
    }

    fn of(&self, node: ClauseIx) -> &[T] {
        let i = node.index();
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// `clause` and, when it is a heading, every requirement and recommendation beneath it,
/// through nested headings.
fn clauses_beneath(clause: ClauseIx, kinds: &[ClauseKind], children: &Adjacency<ClauseIx>, out: &mut Vec<ClauseIx>) {
    out.clear();
    out.push(clause);
    if kinds[clause.index()] != ClauseKind::Heading {
        return;
    }
    let mut stack: Vec<ClauseIx> = children.of(clause).iter().rev().copied().collect();
    while let Some(c) = stack.pop() {
        match kinds[c.index()] {
            ClauseKind::Heading => stack.extend(children.of(c).iter().rev()),
            ClauseKind::Requirement | ClauseKind::Recommendation => out.push(c),
            ClauseKind::Informative | ClauseKind::Definition => {}
        }
    }
}

/// The relation between a clause inside `from` (or `from` itself) and a clause inside `to`
/// (or `to` itself), knowing only `from rel to` and that a clause lies inside the heading
/// above it: the heading's relation composed with `superset` towards a clause beneath it
/// (and with `subset` from one). `None` when that composes to nothing, so no link is made.
fn narrowed(rel: Relation, from_is_inner: bool, to_is_inner: bool) -> Option<Relation> {
    let rel = if from_is_inner { Relation::Subset.compose(rel)? } else { rel };
    if to_is_inner { rel.compose(Relation::Superset) } else { Some(rel) }
}

/// Every clause of a catalog with its hierarchy, reference and mapping edges.
#[derive(Debug, Clone)]
pub struct ClauseGraph {
    graph: DiGraph<ClauseIx, EdgeKind, u32>,
    children: Adjacency<ClauseIx>,
    parents: Vec<Option<ClauseIx>>,
    links_into: Adjacency<MapLink>,
    kinds: Vec<ClauseKind>,
}

impl ClauseGraph {
    /// Builds the graph of `catalog`: one node per clause; parent, reference and mapping
    /// edges, mappings read in both directions and adoptions expanded clause by clause.
    pub fn new(catalog: &Catalog) -> ClauseGraph {
        let n = catalog.clauses.len();
        let hierarchy_edges = catalog.clauses.iter().map(|c| usize::from(c.parent.is_some()) + c.refs.len()).sum();
        let mut graph = DiGraph::with_capacity(n, hierarchy_edges);
        for i in 0..n {
            graph.add_node(ClauseIx::new(i));
        }
        let node = |c: ClauseIx| NodeIndex::new(c.index());

        let mut children = Vec::with_capacity(n);
        for (i, clause) in catalog.clauses.iter().enumerate() {
            let me = ClauseIx::new(i);
            if let Some(parent) = clause.parent {
                graph.add_edge(node(me), node(parent), EdgeKind::Parent);
                children.push((parent, me));
            }
            for &cited in &clause.refs {
                graph.add_edge(node(me), node(cited), EdgeKind::Ref);
            }
        }
        // Pushed in clause order, so each parent's children stay in clause order.
        let children_of = Adjacency::from_unsorted(n, &children);
        let kinds: Vec<ClauseKind> = catalog.clauses.iter().map(|c| c.kind).collect();
        let mut links = Vec::new();
        let (mut from_side, mut to_side) = (Vec::new(), Vec::new());
        for (m, mapping) in catalog.mappings.iter().enumerate() {
            let mapping_ix = MappingIx::new(m);
            for (e, entry) in mapping.entries.iter().enumerate() {
                let basis = StepBasis::Entry { mapping: mapping_ix, entry: u32::try_from(e).unwrap_or(u32::MAX) };
                // A heading named by a mapping stands for itself and the clauses beneath it,
                // as it does in a reference; the relation of each pair follows from set
                // inclusion (a clause lies inside the heading above it).
                clauses_beneath(entry.from, &kinds, &children_of, &mut from_side);
                clauses_beneath(entry.to, &kinds, &children_of, &mut to_side);
                for &f in &from_side {
                    for &t in &to_side {
                        let Some(rel) = narrowed(entry.rel, f != entry.from, t != entry.to) else { continue };
                        links.push((t, MapLink { from: f, rel, basis }));
                        links.push((f, MapLink { from: t, rel: rel.converse(), basis }));
                    }
                }
            }
            let rel = match mapping.adoption {
                Some(Adoption::Idt) => Relation::Equal,
                Some(Adoption::Mod) => Relation::Intersects,
                Some(Adoption::Neq) | None => continue,
            };
            let adoption = mapping.adoption.unwrap_or(Adoption::Neq);
            // Sorted for binary search: a linear search per clause made an adopted
            // instrument's cost its clauses times the mapping's entries.
            let mut named: Vec<ClauseIx> = mapping.entries.iter().flat_map(|e| [e.from, e.to]).collect();
            named.sort_unstable();
            let basis = StepBasis::Adoption { mapping: mapping_ix, adoption };
            for from in catalog.instrument(mapping.from).clause_indices() {
                let Some(to) = catalog.clause_in(mapping.to, &catalog.clause(from).id) else { continue };
                // A clause-level statement about either clause replaces the adoption's.
                if named.binary_search(&from).is_ok() || named.binary_search(&to).is_ok() {
                    continue;
                }
                links.push((to, MapLink { from, rel, basis }));
                links.push((from, MapLink { from: to, rel, basis }));
            }
        }
        links.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.sort_key().cmp(&y.sort_key())));
        links.dedup_by(|(a, x), (b, y)| a == b && x == y);
        graph.reserve_exact_edges(links.len());
        for (to, link) in &links {
            graph.add_edge(node(link.from), node(*to), EdgeKind::Map { rel: link.rel, basis: link.basis });
        }

        let parents = catalog.clauses.iter().map(|c| c.parent).collect();
        ClauseGraph { graph, children: children_of, parents, links_into: Adjacency::from_sorted(n, links), kinds }
    }

    /// The underlying petgraph graph; node `i` is `ClauseIx(i)`.
    pub fn petgraph(&self) -> &DiGraph<ClauseIx, EdgeKind, u32> {
        &self.graph
    }

    /// The edges leaving `clause` as (other end, kind), sorted by the other end. Mapping
    /// edges are listed from both ends, each with the relation read from `clause`.
    pub fn edges_from(&self, clause: ClauseIx) -> Vec<(ClauseIx, EdgeKind)> {
        use petgraph::visit::EdgeRef;
        let mut edges: Vec<(ClauseIx, EdgeKind)> =
            self.graph.edges(NodeIndex::new(clause.index())).map(|e| (self.graph[e.target()], *e.weight())).collect();
        edges.sort_by_key(|(c, _)| *c);
        edges
    }

    /// Whether the mapping edge `from -> to` on `basis` runs in the direction its statement
    /// was written, so that listing only those edges shows each statement once: a `[[map]]`
    /// entry's own pair (not the pairs a heading in it expands to), or for an adoption the
    /// pair from the mapping's `from` instrument.
    pub fn is_written(catalog: &Catalog, basis: StepBasis, from: ClauseIx, to: ClauseIx) -> bool {
        let Some(mapping) = basis.mapping() else { return false };
        let mapping = &catalog.mappings[mapping.index()];
        match basis {
            StepBasis::Hierarchy => false,
            StepBasis::Entry { entry, .. } => {
                mapping.entries.get(entry as usize).is_some_and(|e| e.from == from && e.to == to)
            }
            StepBasis::Adoption { .. } => {
                catalog.clause(from).instrument == mapping.from && catalog.clause(to).instrument == mapping.to
            }
        }
    }

    /// Number of clauses.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether the graph has no clause.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The heading directly above `clause`, if any.
    pub fn parent_of(&self, clause: ClauseIx) -> Option<ClauseIx> {
        self.parents[clause.index()]
    }

    /// The clauses directly under `clause`, by index.
    pub fn children(&self, clause: ClauseIx) -> &[ClauseIx] {
        self.children.of(clause)
    }

    /// The mapping links that end at `clause`, with the index of the first in the list of
    /// all links (see [`Self::link`]).
    pub(crate) fn links_into_indexed(&self, clause: ClauseIx) -> (u32, &[MapLink]) {
        (self.links_into.offsets[clause.index()], self.links_into.of(clause))
    }

    /// The link at `index` in the list of all links.
    pub(crate) fn link(&self, index: u32) -> &MapLink {
        &self.links_into.items[index as usize]
    }

    /// Number of mapping links ending at `clause`.
    pub fn mapping_degree(&self, clause: ClauseIx) -> usize {
        self.links_into.of(clause).len()
    }

    /// The clauses a citation of `cited` obliges: `cited` itself when it is an obligation,
    /// or, when it is a heading, every obligation beneath it. Informative text and
    /// definitions oblige nothing. Iterative, so deep trees are safe.
    pub fn obligations_under(&self, cited: ClauseIx, include_recommendations: bool, out: &mut Vec<ClauseIx>) {
        let mut stack = vec![cited];
        while let Some(clause) = stack.pop() {
            let kind = self.kinds[clause.index()];
            if kind.is_obligation(include_recommendations) {
                out.push(clause);
            } else if kind == ClauseKind::Heading {
                stack.extend(self.children(clause).iter().rev());
            }
        }
    }

    /// The reference closure of `seeds`: every obligation reached by following `refs` from
    /// them, transitively, as `(clause, cited by)` pairs in breadth-first order. A clause
    /// cited by several obligations appears once per citing obligation; seeds are not
    /// repeated. `refs` is the catalog's reference list of each clause.
    pub fn reference_closure(
        &self,
        catalog: &Catalog,
        seeds: &[ClauseIx],
        include_recommendations: bool,
    ) -> Vec<(ClauseIx, ClauseIx)> {
        let mut reached = vec![false; self.len()];
        for &seed in seeds {
            reached[seed.index()] = true;
        }
        let mut queue: std::collections::VecDeque<ClauseIx> = seeds.iter().copied().collect();
        let mut found = Vec::new();
        let mut obliged = Vec::new();
        while let Some(citing) = queue.pop_front() {
            for &cited in &catalog.clause(citing).refs {
                obliged.clear();
                self.obligations_under(cited, include_recommendations, &mut obliged);
                for &clause in &obliged {
                    if clause == citing {
                        continue;
                    }
                    found.push((clause, citing));
                    if !reached[clause.index()] {
                        reached[clause.index()] = true;
                        queue.push_back(clause);
                    }
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Grouping by counting gives each node the items a stable sort by node gives it, in
        /// the order they came.
        #[test]
        fn grouping_pairs_is_a_stable_sort_by_node(
            nodes in 1usize..20,
            pairs in prop::collection::vec((0usize..20, any::<u32>()), 0..60),
        ) {
            let pairs: Vec<(ClauseIx, u32)> =
                pairs.into_iter().filter(|&(n, _)| n < nodes).map(|(n, x)| (ClauseIx::new(n), x)).collect();
            let grouped = Adjacency::from_unsorted(nodes, &pairs);
            let mut sorted = pairs.clone();
            sorted.sort_by_key(|&(node, _)| node);
            let expected = Adjacency::from_sorted(nodes, sorted);
            prop_assert_eq!(&grouped.offsets, &expected.offsets);
            prop_assert_eq!(&grouped.items, &expected.items);
        }
    }
}
