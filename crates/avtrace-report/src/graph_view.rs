//! `graph`: the clause graph, or a part of it, as Graphviz DOT or JSON.

use std::fmt::Write as _;

use avtrace_graph::{ClauseGraph, EdgeKind};
use avtrace_model::{Catalog, ClauseIx, InstrumentIx, MarketIx};
use serde::Serialize;

/// The clauses to draw: those of the chosen instruments (or of every instrument the chosen
/// markets mandate), with the clauses they cite or map to, so that crosswalks show; the
/// whole catalog when nothing is chosen. Sorted by clause.
pub fn graph_selection(
    catalog: &Catalog,
    graph: &ClauseGraph,
    instruments: &[InstrumentIx],
    markets: &[MarketIx],
) -> Vec<ClauseIx> {
    let mut chosen: Vec<InstrumentIx> = instruments.to_vec();
    for &m in markets {
        chosen.extend(catalog.market(m).mandates.iter().map(|d| d.instrument));
    }
    if chosen.is_empty() {
        return (0..catalog.clauses.len()).map(ClauseIx::new).collect();
    }
    let mut keep = vec![false; catalog.clauses.len()];
    for &i in &chosen {
        for c in catalog.instrument(i).clause_indices() {
            keep[c.index()] = true;
            for (other, kind) in graph.edges_from(c) {
                if !matches!(kind, EdgeKind::Parent) {
                    keep[other.index()] = true;
                }
            }
        }
    }
    keep.iter().enumerate().filter(|(_, k)| **k).map(|(i, _)| ClauseIx::new(i)).collect()
}

#[derive(Serialize)]
struct Node<'a> {
    id: String,
    instrument: String,
    clause: &'a str,
    title: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Edge<'a> {
    from: String,
    to: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rel: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

/// The edges among `clauses`: parent links (child to parent), citations, and each mapping
/// statement once, in the direction it was written.
fn edges<'a>(catalog: &'a Catalog, graph: &ClauseGraph, clauses: &[ClauseIx]) -> Vec<Edge<'a>> {
    let mut inside = vec![false; catalog.clauses.len()];
    for c in clauses {
        inside[c.index()] = true;
    }
    let mut out = Vec::new();
    for &c in clauses {
        for (other, kind) in graph.edges_from(c) {
            if !inside[other.index()] {
                continue;
            }
            let (from, to) = (catalog.clause_name(c), catalog.clause_name(other));
            match kind {
                EdgeKind::Parent => out.push(Edge { from, to, kind: "parent", rel: None, basis: None, source: None }),
                EdgeKind::Ref => out.push(Edge { from, to, kind: "cites", rel: None, basis: None, source: None }),
                EdgeKind::Map { rel, basis } if ClauseGraph::is_written(catalog, basis, c, other) => {
                    let facts = basis.facts(catalog);
                    out.push(Edge {
                        from,
                        to,
                        kind: "maps",
                        rel: Some(rel.as_str()),
                        basis: Some(facts.basis.into_owned()),
                        source: Some(facts.source),
                    });
                }
                EdgeKind::Map { .. } => {}
            }
        }
    }
    out
}

/// `graph --format json`: `{ "nodes": [...], "edges": [...] }`.
pub fn graph_json(catalog: &Catalog, graph: &ClauseGraph, clauses: &[ClauseIx]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        nodes: Vec<Node<'a>>,
        edges: Vec<Edge<'a>>,
    }
    let nodes = clauses
        .iter()
        .map(|&c| {
            let clause = catalog.clause(c);
            Node {
                id: catalog.clause_name(c),
                instrument: catalog.instrument_name(clause.instrument),
                clause: &clause.id,
                title: &clause.title,
                kind: clause.kind.as_str(),
            }
        })
        .collect();
    let doc = Doc { nodes, edges: edges(catalog, graph, clauses) };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

/// A DOT string literal: quotes and backslashes escaped, line breaks as `\n`.
fn dot_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `graph --format dot`: one cluster per instrument, clauses as boxes (headings bold,
/// obligation kinds filled), parent links grey and arrowless, citations solid, mappings
/// dashed and labelled with their relation. Render with `dot -Tsvg`.
pub fn graph_dot(catalog: &Catalog, graph: &ClauseGraph, clauses: &[ClauseIx]) -> String {
    let mut out = String::from(
        "digraph avtrace {\n  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11];\n  \
         node [shape=box, fontname=\"Helvetica\", fontsize=10, style=\"rounded\"];\n  \
         edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    let mut current: Option<InstrumentIx> = None;
    for &c in clauses {
        let clause = catalog.clause(c);
        if current != Some(clause.instrument) {
            if current.is_some() {
                out.push_str("  }\n");
            }
            current = Some(clause.instrument);
            let name = catalog.instrument_name(clause.instrument);
            let title = &catalog.instrument(clause.instrument).title;
            let _ = writeln!(out, "  subgraph {} {{", dot_string(&format!("cluster_{name}")));
            let _ = writeln!(out, "    label={};", dot_string(&format!("{name}: {title}")));
        }
        let style = match clause.kind {
            avtrace_model::ClauseKind::Heading => "rounded,bold",
            avtrace_model::ClauseKind::Requirement | avtrace_model::ClauseKind::Recommendation => "rounded,filled",
            avtrace_model::ClauseKind::Informative | avtrace_model::ClauseKind::Definition => "rounded,dashed",
        };
        let _ = writeln!(
            out,
            "    {} [label={}, style={}, fillcolor=\"#eef3fb\", tooltip={}];",
            dot_string(&catalog.clause_name(c)),
            dot_string(&format!("{}\n{}", clause.id, clause.title)),
            dot_string(style),
            dot_string(clause.kind.as_str())
        );
    }
    if current.is_some() {
        out.push_str("  }\n");
    }
    for e in edges(catalog, graph, clauses) {
        let attributes = match e.kind {
            "parent" => "[color=\"#9aa5b1\", arrowhead=none]".to_owned(),
            "cites" => "[label=\"cites\"]".to_owned(),
            _ => format!(
                "[style=dashed, color=\"#b06000\", label={}, tooltip={}]",
                dot_string(e.rel.unwrap_or_default()),
                dot_string(e.source.unwrap_or_default())
            ),
        };
        let _ = writeln!(out, "  {} -> {} {attributes};", dot_string(&e.from), dot_string(&e.to));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::dot_string;

    #[test]
    fn dot_strings_escape_quotes_backslashes_and_newlines() {
        assert_eq!(dot_string("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }
}
