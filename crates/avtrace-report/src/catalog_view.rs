//! Views of the catalog itself: `standards`, `markets` and `show`.

use std::fmt::Write as _;

use avtrace_graph::{ClauseGraph, EdgeKind};
use avtrace_model::{Catalog, ClauseIx, Confidence, InstrumentIx};
use serde::Serialize;

use crate::text::{left, right};

#[derive(Serialize)]
struct ConfidenceMix {
    verified: usize,
    secondary: usize,
    uncertain: usize,
    unstated: usize,
}

fn confidence_mix(catalog: &Catalog, instrument: InstrumentIx) -> ConfidenceMix {
    let mut mix = ConfidenceMix { verified: 0, secondary: 0, uncertain: 0, unstated: 0 };
    for c in catalog.instrument(instrument).clause_indices() {
        match catalog.clause_confidence(c) {
            Some(Confidence::Verified) => mix.verified += 1,
            Some(Confidence::Secondary) => mix.secondary += 1,
            Some(Confidence::Uncertain) => mix.uncertain += 1,
            None => mix.unstated += 1,
        }
    }
    mix
}

#[derive(Serialize)]
struct InstrumentDoc<'a> {
    id: &'a str,
    name: String,
    edition: &'a str,
    title: &'a str,
    kind: &'static str,
    body: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supersedes: Option<String>,
    clauses: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<&'static str>,
    confidence_mix: ConfidenceMix,
    source: &'a str,
}

fn instrument_doc(catalog: &Catalog, ix: InstrumentIx) -> InstrumentDoc<'_> {
    let i = catalog.instrument(ix);
    InstrumentDoc {
        id: &i.id,
        name: catalog.instrument_name(ix),
        edition: &i.edition,
        title: &i.title,
        kind: i.kind.as_str(),
        body: &i.body,
        published: i.published.map(|d| d.to_string()),
        supersedes: i.supersedes.map(|s| catalog.instrument_name(s)),
        clauses: i.clause_indices().len(),
        confidence: i.confidence.map(Confidence::as_str),
        confidence_mix: confidence_mix(catalog, ix),
        source: &i.source,
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

/// `standards --format json`: every instrument with its edition, clause count and
/// confidence mix.
pub fn standards_json(catalog: &Catalog) -> String {
    let docs: Vec<InstrumentDoc<'_>> =
        (0..catalog.instruments.len()).map(|i| instrument_doc(catalog, InstrumentIx::new(i))).collect();
    to_json(&docs)
}

/// `standards`: one line per instrument.
pub fn standards_table(catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}  {}  {}  title",
        left("instrument", 22),
        left("edition", 10),
        right("clauses", 7),
        left("confidence (V/S/U)", 18),
    );
    for i in 0..catalog.instruments.len() {
        let ix = InstrumentIx::new(i);
        let doc = instrument_doc(catalog, ix);
        let mix = &doc.confidence_mix;
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  {}",
            left(&doc.name, 22),
            left(doc.edition, 10),
            right(&doc.clauses.to_string(), 7),
            left(&format!("{}/{}/{}", mix.verified, mix.secondary, mix.uncertain), 18),
            doc.title
        );
    }
    let clauses: usize = catalog.clauses.len();
    let _ = writeln!(
        out,
        "\n{} instruments, {} clauses, {} mappings, {} markets",
        catalog.instruments.len(),
        clauses,
        catalog.mappings.len(),
        catalog.markets.len()
    );
    out
}

#[derive(Serialize)]
struct MarketDoc<'a> {
    id: &'a str,
    name: &'a str,
    mandates: Vec<MandateDoc<'a>>,
    recognitions: Vec<RecognitionDoc<'a>>,
}

#[derive(Serialize)]
struct MandateDoc<'a> {
    instrument: String,
    level: &'static str,
    from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    categories: &'a [String],
    features: &'a [String],
    /// The parts of the instrument the mandate imposes (each with what lies beneath it);
    /// absent when it imposes the whole instrument.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    clauses: Vec<&'a str>,
    /// Whether the catalog holds requirement clauses among what the mandate imposes; a
    /// mandate on an unmodelled instrument adds no obligation to a trace.
    modelled: bool,
    legal_basis: &'a str,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<&'static str>,
}

#[derive(Serialize)]
struct RecognitionDoc<'a> {
    agreement: &'a str,
    instruments: Vec<String>,
    source: &'a str,
}

fn market_docs(catalog: &Catalog) -> Vec<MarketDoc<'_>> {
    catalog
        .markets
        .iter()
        .map(|m| MarketDoc {
            id: &m.id,
            name: &m.name,
            mandates: m
                .mandates
                .iter()
                .map(|d| MandateDoc {
                    instrument: catalog.instrument_name(d.instrument),
                    level: d.level.as_str(),
                    from: d.from.to_string(),
                    scope: d.scope.as_deref(),
                    categories: &d.categories,
                    features: &d.features,
                    clauses: d.clauses.iter().map(|&c| catalog.clause(c).id.as_str()).collect(),
                    modelled: catalog.is_mandate_modelled(d),
                    legal_basis: &d.legal_basis,
                    source: &d.source,
                    confidence: d.confidence.map(Confidence::as_str),
                })
                .collect(),
            recognitions: m
                .recognitions
                .iter()
                .map(|r| RecognitionDoc {
                    agreement: &r.agreement,
                    instruments: r.instruments.iter().map(|&i| catalog.instrument_name(i)).collect(),
                    source: &r.source,
                })
                .collect(),
        })
        .collect()
}

/// `markets --format json`: every market with its mandates and recognitions.
pub fn markets_json(catalog: &Catalog) -> String {
    to_json(&market_docs(catalog))
}

/// `markets`: every market and its mandates.
pub fn markets_table(catalog: &Catalog) -> String {
    let mut out = String::new();
    let docs = market_docs(catalog);
    let conditions_of = |d: &MandateDoc<'_>| {
        let mut conditions = Vec::new();
        if !d.categories.is_empty() {
            conditions.push(d.categories.join(","));
        }
        if !d.features.is_empty() {
            conditions.push(format!("with {}", d.features.join("+")));
        }
        if !d.clauses.is_empty() {
            conditions.push(crate::text::plural(d.clauses.len(), "part"));
        }
        conditions.join(" ")
    };
    // One column width for every market, as wide as the longest conditions.
    let all: Vec<String> = docs.iter().flat_map(|m| m.mandates.iter().map(conditions_of)).collect();
    let width = crate::text::column_width(all.iter().map(String::as_str), 22);
    for m in docs {
        let _ = writeln!(out, "{} ({})", m.id, m.name);
        for d in &m.mandates {
            let _ = writeln!(
                out,
                "  {}  {}  from {}  {}  {}",
                left(&d.instrument, 16),
                left(d.level, 9),
                d.from,
                left(&conditions_of(d), width),
                d.scope.unwrap_or("")
            );
        }
        let mut unmodelled: Vec<&str> = Vec::new();
        for d in m.mandates.iter().filter(|d| !d.modelled) {
            if !unmodelled.contains(&d.instrument.as_str()) {
                unmodelled.push(&d.instrument);
            }
        }
        if !unmodelled.is_empty() {
            let _ = writeln!(out, "  unmodelled (no requirement clauses in the catalog): {}", unmodelled.join(", "));
        }
        for r in &m.recognitions {
            let _ = writeln!(out, "  recognises {} approvals: {}", r.agreement, r.instruments.join(", "));
        }
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct ClauseShow<'a> {
    clause: String,
    title: &'a str,
    kind: &'static str,
    /// `chapter` when the clause stands for a whole chapter; absent for one paragraph.
    #[serde(skip_serializing_if = "Option::is_none")]
    granularity: Option<&'static str>,
    instrument: String,
    instrument_title: &'a str,
    edition: &'a str,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    children: Vec<String>,
    refs: Vec<String>,
    cited_by: Vec<String>,
    mappings: Vec<MappingShow<'a>>,
    defined_at: String,
}

#[derive(Serialize)]
struct MappingShow<'a> {
    rel: &'static str,
    clause: String,
    basis: String,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rationale: Option<&'a str>,
}

fn clause_show<'a>(catalog: &'a Catalog, graph: &ClauseGraph, ix: ClauseIx, defined_at: String) -> ClauseShow<'a> {
    let clause = catalog.clause(ix);
    let instrument = catalog.instrument(clause.instrument);
    let names = |list: &mut dyn Iterator<Item = ClauseIx>| list.map(|c| catalog.clause_name(c)).collect::<Vec<_>>();
    let cited_by: Vec<String> = names(
        &mut catalog.clauses.iter().enumerate().filter(|(_, c)| c.refs.contains(&ix)).map(|(i, _)| ClauseIx::new(i)),
    );
    let mappings = graph
        .edges_from(ix)
        .into_iter()
        .filter_map(|(to, kind)| match kind {
            EdgeKind::Map { rel, basis } => Some((to, rel, basis)),
            EdgeKind::Parent | EdgeKind::Ref => None,
        })
        .map(|(to, rel, basis)| {
            let facts = basis.facts(catalog);
            MappingShow {
                rel: rel.as_str(),
                clause: catalog.clause_name(to),
                basis: facts.basis.into_owned(),
                source: facts.source,
                confidence: facts.confidence.map(Confidence::as_str),
                rationale: facts.rationale,
            }
        })
        .collect();
    ClauseShow {
        clause: catalog.clause_name(ix),
        title: &clause.title,
        kind: clause.kind.as_str(),
        granularity: (clause.granularity == avtrace_model::Granularity::Chapter).then_some("chapter"),
        instrument: catalog.instrument_name(clause.instrument),
        instrument_title: &instrument.title,
        edition: &instrument.edition,
        source: catalog.clause_source(ix),
        confidence: catalog.clause_confidence(ix).map(Confidence::as_str),
        note: clause.note.as_deref(),
        parent: clause.parent.map(|p| catalog.clause_name(p)),
        children: names(&mut graph.children(ix).iter().copied()),
        refs: names(&mut clause.refs.iter().copied()),
        cited_by,
        mappings,
        defined_at,
    }
}

/// `show REF --format json`: a clause with its source, hierarchy, references both ways and
/// mappings both ways (each relation read from this clause).
pub fn show_json(catalog: &Catalog, graph: &ClauseGraph, clause: ClauseIx, defined_at: String) -> String {
    to_json(&clause_show(catalog, graph, clause, defined_at))
}

/// `show REF`: the same as [`show_json`], for people.
pub fn show_table(catalog: &Catalog, graph: &ClauseGraph, clause: ClauseIx, defined_at: String) -> String {
    let s = clause_show(catalog, graph, clause, defined_at);
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", s.clause, s.title);
    match s.granularity {
        Some(g) => {
            let _ = writeln!(out, "  kind        {} ({g}-level: stands for paragraphs not listed)", s.kind);
        }
        None => {
            let _ = writeln!(out, "  kind        {}", s.kind);
        }
    }
    let _ = writeln!(out, "  instrument  {} ({}), edition {}", s.instrument, s.instrument_title, s.edition);
    let _ = writeln!(out, "  source      {}", s.source);
    let _ = writeln!(out, "  confidence  {}", s.confidence.unwrap_or("not stated"));
    if let Some(note) = s.note {
        let _ = writeln!(out, "  note        {note}");
    }
    let _ = writeln!(out, "  defined at  {}", s.defined_at);
    if let Some(parent) = &s.parent {
        let _ = writeln!(out, "  parent      {parent}");
    }
    let list = |out: &mut String, label: &str, items: &[String]| {
        if !items.is_empty() {
            let _ = writeln!(out, "  {}  {}", left(label, 10), items.join(", "));
        }
    };
    list(&mut out, "children", &s.children);
    list(&mut out, "refs", &s.refs);
    list(&mut out, "cited by", &s.cited_by);
    if !s.mappings.is_empty() {
        let _ = writeln!(out, "  mappings (this clause is ... the other):");
        for m in &s.mappings {
            let _ = writeln!(
                out,
                "    {} {}  [{}, {}]  {}",
                left(m.rel, 10),
                left(&m.clause, 26),
                m.basis,
                m.confidence.unwrap_or("confidence not stated"),
                m.source
            );
            if let Some(r) = m.rationale {
                let _ = writeln!(out, "      {}", r);
            }
        }
    }
    out
}

#[derive(Serialize)]
struct InstrumentShow<'a> {
    #[serde(flatten)]
    instrument: InstrumentDoc<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    mandated_by: Vec<String>,
    mapped_to: Vec<String>,
    clause_list: Vec<ClauseLine<'a>>,
    defined_at: String,
}

#[derive(Serialize)]
struct ClauseLine<'a> {
    id: &'a str,
    kind: &'static str,
    title: &'a str,
}

fn instrument_show(catalog: &Catalog, ix: InstrumentIx, defined_at: String) -> InstrumentShow<'_> {
    let i = catalog.instrument(ix);
    let mut mandated_by: Vec<String> = catalog
        .markets
        .iter()
        .filter(|m| m.mandates.iter().any(|d| d.instrument == ix))
        .map(|m| m.id.clone())
        .collect();
    mandated_by.dedup();
    let mapped_to = catalog
        .mappings
        .iter()
        .filter_map(|m| {
            let other = if m.from == ix {
                m.to
            } else if m.to == ix {
                m.from
            } else {
                return None;
            };
            let degree = m.adoption.map(|a| format!(" ({a})")).unwrap_or_default();
            Some(format!("{}{degree}", catalog.instrument_label(other)))
        })
        .collect();
    let mut clause_list: Vec<(u32, ClauseLine<'_>)> = i
        .clause_indices()
        .map(|c| {
            let clause = catalog.clause(c);
            (clause.position, ClauseLine { id: &clause.id, kind: clause.kind.as_str(), title: &clause.title })
        })
        .collect();
    clause_list.sort_by_key(|(position, _)| *position);
    InstrumentShow {
        instrument: instrument_doc(catalog, ix),
        note: i.note.as_deref(),
        url: i.url.as_deref(),
        mandated_by,
        mapped_to,
        clause_list: clause_list.into_iter().map(|(_, line)| line).collect(),
        defined_at,
    }
}

/// `show INSTRUMENT --format json`: an instrument, where it applies and maps, and its
/// clauses in document order.
pub fn show_instrument_json(catalog: &Catalog, instrument: InstrumentIx, defined_at: String) -> String {
    to_json(&instrument_show(catalog, instrument, defined_at))
}

/// `show INSTRUMENT`: the same as [`show_instrument_json`], for people.
pub fn show_instrument_table(catalog: &Catalog, instrument: InstrumentIx, defined_at: String) -> String {
    let s = instrument_show(catalog, instrument, defined_at);
    let d = &s.instrument;
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", d.name, d.title);
    let _ = writeln!(out, "  kind        {} ({}), edition {}", d.kind, d.body, d.edition);
    if let Some(p) = &d.published {
        let _ = writeln!(out, "  published   {p}");
    }
    if let Some(s) = &d.supersedes {
        let _ = writeln!(out, "  supersedes  {s}");
    }
    let _ = writeln!(out, "  source      {}", d.source);
    let _ = writeln!(out, "  confidence  {}", d.confidence.unwrap_or("not stated"));
    if let Some(note) = s.note {
        let _ = writeln!(out, "  note        {note}");
    }
    let _ = writeln!(out, "  defined at  {}", s.defined_at);
    if !s.mandated_by.is_empty() {
        let _ = writeln!(out, "  mandated in {}", s.mandated_by.join(", "));
    }
    if !s.mapped_to.is_empty() {
        let _ = writeln!(out, "  mapped to   {}", s.mapped_to.join(", "));
    }
    let _ = writeln!(out, "  {} clauses:", s.clause_list.len());
    for c in &s.clause_list {
        let _ = writeln!(out, "    {}  {}  {}", left(c.id, 14), left(c.kind, 14), c.title);
    }
    out
}
