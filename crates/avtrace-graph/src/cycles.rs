//! Cycle detection that survives very long chains.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::DiGraph;
use petgraph::visit::EdgeRef;

/// Every cycle of the directed graph with `node_count` nodes and these edges, one cycle per
/// strongly connected component that has one: a closed walk listed from its smallest node,
/// without repeating it at the end. Cycles come sorted by their first node.
///
/// Uses petgraph's `kosaraju_scc`, which is iterative (`tarjan_scc` recurses and overflows a
/// test thread's 2 MiB stack at a few thousand nodes), and a breadth-first search inside
/// each component to name the shortest cycle through its smallest node.
pub fn find_cycles(node_count: usize, edges: &[(u32, u32)]) -> Vec<Vec<u32>> {
    if is_acyclic(node_count, edges) {
        return Vec::new();
    }
    cycles_by_components(node_count, edges)
}

/// Whether the graph has no cycle, by Kahn's algorithm over flat arrays. Catalogs rarely
/// have one, and this answers a million clauses without the petgraph graph and the vector per
/// component that `kosaraju_scc` returns (a million of them for an acyclic graph).
fn is_acyclic(node_count: usize, edges: &[(u32, u32)]) -> bool {
    let mut offsets = vec![0usize; node_count + 1];
    let mut indegree = vec![0u32; node_count];
    for &(a, b) in edges {
        offsets[a as usize + 1] += 1;
        indegree[b as usize] += 1;
    }
    for i in 0..node_count {
        offsets[i + 1] += offsets[i];
    }
    let mut targets = vec![0u32; edges.len()];
    let mut next = offsets.clone();
    for &(a, b) in edges {
        targets[next[a as usize]] = b;
        next[a as usize] += 1;
    }
    let mut ready: Vec<u32> = (0..node_count).filter(|&n| indegree[n] == 0).map(|n| n as u32).collect();
    let mut removed = 0;
    while let Some(node) = ready.pop() {
        removed += 1;
        for &target in &targets[offsets[node as usize]..offsets[node as usize + 1]] {
            indegree[target as usize] -= 1;
            if indegree[target as usize] == 0 {
                ready.push(target);
            }
        }
    }
    removed == node_count
}

/// [`find_cycles`] by strongly connected components.
fn cycles_by_components(node_count: usize, edges: &[(u32, u32)]) -> Vec<Vec<u32>> {
    let mut graph = DiGraph::<(), (), u32>::with_capacity(node_count, edges.len());
    for _ in 0..node_count {
        graph.add_node(());
    }
    for &(a, b) in edges {
        graph.add_edge(a.into(), b.into(), ());
    }
    let mut cycles = Vec::new();
    let mut in_component = vec![u32::MAX; node_count];
    for (n, component) in kosaraju_scc(&graph).into_iter().enumerate() {
        let self_loop = component.len() == 1 && graph.contains_edge(component[0], component[0]);
        if component.len() < 2 && !self_loop {
            continue;
        }
        let id = u32::try_from(n).unwrap_or(u32::MAX);
        for node in &component {
            in_component[node.index()] = id;
        }
        let start = component.iter().map(|n| n.index()).min().unwrap_or(0);
        cycles.push(shortest_cycle_through(&graph, start, id, &in_component));
    }
    cycles.sort();
    cycles
}

fn shortest_cycle_through(
    graph: &DiGraph<(), (), u32>,
    start: usize,
    component: u32,
    in_component: &[u32],
) -> Vec<u32> {
    use std::collections::{HashMap, VecDeque};
    let mut parent: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        let mut successors: Vec<usize> =
            graph.edges(petgraph::graph::NodeIndex::new(node)).map(|e| e.target().index()).collect();
        successors.sort_unstable();
        for next in successors {
            if in_component[next] != component {
                continue;
            }
            if next == start {
                let mut path = vec![node];
                let mut at = node;
                while at != start {
                    at = parent[&at];
                    path.push(at);
                }
                path.reverse();
                return path.into_iter().map(|n| u32::try_from(n).unwrap_or(u32::MAX)).collect();
            }
            if next != start && !parent.contains_key(&next) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    // A strongly connected component always has a cycle through each of its nodes.
    vec![u32::try_from(start).unwrap_or(u32::MAX)]
}

#[cfg(test)]
mod tests {
    use super::{cycles_by_components, find_cycles, is_acyclic};
    use proptest::prelude::*;

    proptest! {
        /// Kahn's answer is the components' answer.
        #[test]
        fn acyclic_exactly_when_no_component_has_a_cycle(
            n in 1usize..12,
            edges in prop::collection::vec((0u32..12, 0u32..12), 0..24),
        ) {
            let edges: Vec<(u32, u32)> = edges.into_iter().filter(|&(a, b)| (a as usize) < n && (b as usize) < n).collect();
            prop_assert_eq!(is_acyclic(n, &edges), cycles_by_components(n, &edges).is_empty());
        }
    }

    #[test]
    fn no_cycle_in_a_tree() {
        assert!(find_cycles(4, &[(0, 1), (0, 2), (2, 3)]).is_empty());
    }

    #[test]
    fn names_each_cycle_from_its_smallest_node() {
        let cycles = find_cycles(6, &[(0, 1), (3, 1), (1, 2), (2, 3), (4, 4), (5, 0)]);
        assert_eq!(cycles, vec![vec![1, 2, 3], vec![4]]);
    }

    #[test]
    fn a_million_node_chain_does_not_overflow_the_stack() {
        const N: u32 = 1_000_000;
        let mut edges: Vec<(u32, u32)> = (0..N - 1).map(|i| (i, i + 1)).collect();
        assert!(find_cycles(N as usize, &edges).is_empty());
        edges.push((N - 1, 0));
        let cycles = find_cycles(N as usize, &edges);
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), N as usize);
        assert_eq!(cycles[0][..3], [0, 1, 2]);
    }
}
