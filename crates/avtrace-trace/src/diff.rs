//! What changed between two programs (and their traces) or two catalogs.

use std::collections::BTreeMap;

use avtrace_model::{Catalog, ClauseIx, Program, natural_cmp};

use crate::{Status, Trace};

/// How one requirement changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequirementChange {
    /// Its id.
    pub id: String,
    /// Fields whose value changed: `title`, `text`, `status`, `source`.
    pub fields: Vec<&'static str>,
    /// Clause references linked now and not before.
    pub linked: Vec<String>,
    /// Clause references linked before and not now.
    pub unlinked: Vec<String>,
    /// Evidence added.
    pub evidence_added: Vec<String>,
    /// Evidence removed.
    pub evidence_removed: Vec<String>,
}

/// How one market's figures changed.
#[derive(Clone, Debug, PartialEq)]
pub struct MarketChange {
    /// Market id.
    pub market: String,
    /// Coverage before (`None`: the old program did not target it).
    pub coverage_before: Option<f64>,
    /// Coverage after (`None`: the new program does not target it).
    pub coverage_after: Option<f64>,
    /// Obligations whose status changed: clause reference, status before, status after
    /// (`None` where it was not, or is no longer, an obligation).
    pub statuses: Vec<(String, Option<Status>, Option<Status>)>,
}

/// What changed between two programs traced against one catalog.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgramDiff {
    /// Program-level fields that changed: `name`, `categories`, `features`, `markets`.
    pub program_fields: Vec<&'static str>,
    /// Requirement ids only in the new program.
    pub added: Vec<String>,
    /// Requirement ids only in the old program.
    pub removed: Vec<String>,
    /// Requirements in both whose content changed.
    pub changed: Vec<RequirementChange>,
    /// Markets of either trace, in market id order.
    pub markets: Vec<MarketChange>,
}

impl ProgramDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.program_fields.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.markets.iter().all(|m| m.statuses.is_empty() && m.coverage_before == m.coverage_after)
    }
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort_by(|a, b| natural_cmp(a, b));
    ids
}

/// The items of `a` not in `b`, in natural order.
fn minus<S: AsRef<str>>(a: &[S], b: &[S]) -> Vec<String> {
    let b: std::collections::HashSet<&str> = b.iter().map(AsRef::as_ref).collect();
    sorted(a.iter().map(AsRef::as_ref).filter(|x| !b.contains(x)).map(str::to_owned).collect())
}

/// Compares two programs and their traces (both computed against `catalog`). Requirements
/// are matched by id; markets by id.
pub fn diff_programs(catalog: &Catalog, old: (&Program, &Trace), new: (&Program, &Trace)) -> ProgramDiff {
    let (old_program, old_trace) = old;
    let (new_program, new_trace) = new;
    let mut program_fields = Vec::new();
    if old_program.name != new_program.name {
        program_fields.push("name");
    }
    if old_program.categories != new_program.categories {
        program_fields.push("categories");
    }
    if old_program.features != new_program.features {
        program_fields.push("features");
    }
    let markets_of = |p: &Program| -> Vec<(String, String)> {
        let mut m: Vec<(String, String)> =
            p.markets.iter().map(|m| (catalog.market(m.market).id.clone(), m.sop.to_string())).collect();
        m.sort();
        m
    };
    if markets_of(old_program) != markets_of(new_program) {
        program_fields.push("markets");
    }

    let old_by_id: BTreeMap<&str, &avtrace_model::Requirement> =
        old_program.requirements.iter().map(|r| (r.id(), r)).collect();
    let new_by_id: BTreeMap<&str, &avtrace_model::Requirement> =
        new_program.requirements.iter().map(|r| (r.id(), r)).collect();
    let added = sorted(new_by_id.keys().filter(|id| !old_by_id.contains_key(*id)).map(|s| (*s).to_owned()).collect());
    let removed = sorted(old_by_id.keys().filter(|id| !new_by_id.contains_key(*id)).map(|s| (*s).to_owned()).collect());
    let names = |list: &[ClauseIx]| -> Vec<String> { list.iter().map(|c| catalog.clause_name(*c)).collect() };
    let mut changed = Vec::new();
    for (id, before) in &old_by_id {
        let Some(after) = new_by_id.get(id) else { continue };
        let mut fields = Vec::new();
        if before.title() != after.title() {
            fields.push("title");
        }
        if before.text() != after.text() {
            fields.push("text");
        }
        if before.status != after.status {
            fields.push("status");
        }
        if before.source != after.source {
            fields.push("source");
        }
        let change = RequirementChange {
            id: (*id).to_owned(),
            fields,
            linked: minus(&names(&after.satisfies), &names(&before.satisfies)),
            unlinked: minus(&names(&before.satisfies), &names(&after.satisfies)),
            evidence_added: minus(&after.verified_by, &before.verified_by),
            evidence_removed: minus(&before.verified_by, &after.verified_by),
        };
        if change != (RequirementChange { id: change.id.clone(), ..RequirementChange::default() }) {
            changed.push(change);
        }
    }
    changed.sort_by(|a, b| natural_cmp(&a.id, &b.id));

    let statuses_of = |trace: &Trace, market: &str| -> Option<(f64, BTreeMap<ClauseIx, Status>)> {
        let mt = trace.markets.iter().find(|m| catalog.market(m.market).id == market)?;
        let statuses =
            mt.obligations.iter().filter_map(|o| trace.coverage(o.clause).map(|c| (o.clause, c.status))).collect();
        Some((mt.counts.coverage(), statuses))
    };
    let mut market_ids: Vec<String> =
        old_trace.markets.iter().chain(&new_trace.markets).map(|m| catalog.market(m.market).id.clone()).collect();
    market_ids.sort();
    market_ids.dedup();
    let markets = market_ids
        .into_iter()
        .map(|market| {
            let before = statuses_of(old_trace, &market);
            let after = statuses_of(new_trace, &market);
            let empty = BTreeMap::new();
            let (b, a) = (before.as_ref().map_or(&empty, |x| &x.1), after.as_ref().map_or(&empty, |x| &x.1));
            let mut clauses: Vec<ClauseIx> = b.keys().chain(a.keys()).copied().collect();
            clauses.sort_unstable();
            clauses.dedup();
            let statuses = clauses
                .into_iter()
                .filter(|c| b.get(c) != a.get(c))
                .map(|c| (catalog.clause_name(c), b.get(&c).copied(), a.get(&c).copied()))
                .collect();
            MarketChange { market, coverage_before: before.map(|x| x.0), coverage_after: after.map(|x| x.0), statuses }
        })
        .collect();
    ProgramDiff { program_fields, added, removed, changed, markets }
}

/// What changed between two catalogs, by name: instruments, clauses, mapping statements and
/// mandates added or removed, and clauses whose title, kind or references changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogDiff {
    /// Instruments only in the new catalog.
    pub instruments_added: Vec<String>,
    /// Instruments only in the old catalog.
    pub instruments_removed: Vec<String>,
    /// Clauses only in the new catalog (of instruments in both).
    pub clauses_added: Vec<String>,
    /// Clauses only in the old catalog (of instruments in both).
    pub clauses_removed: Vec<String>,
    /// Clauses in both whose title, kind or references changed, with what changed.
    pub clauses_changed: Vec<(String, Vec<&'static str>)>,
    /// Mapping statements (`FROM rel TO`) only in the new catalog.
    pub mappings_added: Vec<String>,
    /// Mapping statements only in the old catalog.
    pub mappings_removed: Vec<String>,
    /// Mandates (`MARKET: INSTRUMENT level from DATE ...`) only in the new catalog.
    pub mandates_added: Vec<String>,
    /// Mandates only in the old catalog.
    pub mandates_removed: Vec<String>,
}

impl CatalogDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == CatalogDiff::default()
    }
}

fn statements(catalog: &Catalog) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in &catalog.mappings {
        let (from, to) = (catalog.instrument_name(m.from), catalog.instrument_name(m.to));
        if let Some(adoption) = m.adoption {
            out.push(format!("{from} {adoption} {to}"));
        }
        for e in &m.entries {
            out.push(format!("{} {} {}", catalog.clause_name(e.from), e.rel, catalog.clause_name(e.to)));
        }
    }
    sorted(out)
}

fn mandates(catalog: &Catalog) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for market in &catalog.markets {
        for d in &market.mandates {
            let mut s =
                format!("{}: {} {} from {}", market.id, catalog.instrument_label(d.instrument), d.level, d.from);
            if !d.categories.is_empty() {
                s.push_str(&format!(" for {}", d.categories.join(",")));
            }
            if !d.features.is_empty() {
                s.push_str(&format!(" with {}", d.features.join("+")));
            }
            if !d.clauses.is_empty() {
                let parts: Vec<&str> = d.clauses.iter().map(|&c| catalog.clause(c).id.as_str()).collect();
                s.push_str(&format!(" only {}", parts.join(", ")));
            }
            if let Some(scope) = &d.scope {
                s.push_str(&format!(" ({scope})"));
            }
            out.push(s);
        }
    }
    sorted(out)
}

/// Compares two catalogs by instrument and clause names.
pub fn diff_catalogs(old: &Catalog, new: &Catalog) -> CatalogDiff {
    let instruments = |c: &Catalog| -> Vec<String> {
        sorted((0..c.instruments.len()).map(|i| c.instrument_name(avtrace_model::InstrumentIx::new(i))).collect())
    };
    let (old_instruments, new_instruments) = (instruments(old), instruments(new));
    let clauses = |c: &Catalog| -> BTreeMap<String, (String, &'static str, Vec<String>)> {
        (0..c.clauses.len())
            .map(ClauseIx::new)
            .map(|ix| {
                let clause = c.clause(ix);
                let refs = clause.refs.iter().map(|r| c.clause_name(*r)).collect();
                (c.clause_name(ix), (clause.title.clone(), clause.kind.as_str(), refs))
            })
            .collect()
    };
    let (old_clauses, new_clauses) = (clauses(old), clauses(new));
    let instrument_of = |name: &str| name.split_once(':').map_or("", |(i, _)| i).to_owned();
    let in_both = |name: &String| {
        let i = instrument_of(name);
        old_instruments.contains(&i) && new_instruments.contains(&i)
    };
    let mut clauses_changed = Vec::new();
    for (name, before) in &old_clauses {
        if let Some(after) = new_clauses.get(name) {
            let mut what = Vec::new();
            if before.0 != after.0 {
                what.push("title");
            }
            if before.1 != after.1 {
                what.push("kind");
            }
            if before.2 != after.2 {
                what.push("refs");
            }
            if !what.is_empty() {
                clauses_changed.push((name.clone(), what));
            }
        }
    }
    clauses_changed.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    let keys = |m: &BTreeMap<String, (String, &'static str, Vec<String>)>| m.keys().cloned().collect::<Vec<_>>();
    let (old_statements, new_statements) = (statements(old), statements(new));
    let (old_mandates, new_mandates) = (mandates(old), mandates(new));
    CatalogDiff {
        instruments_added: minus(&new_instruments, &old_instruments),
        instruments_removed: minus(&old_instruments, &new_instruments),
        clauses_added: minus(&keys(&new_clauses), &keys(&old_clauses)).into_iter().filter(in_both).collect(),
        clauses_removed: minus(&keys(&old_clauses), &keys(&new_clauses)).into_iter().filter(in_both).collect(),
        clauses_changed,
        mappings_added: minus(&new_statements, &old_statements),
        mappings_removed: minus(&old_statements, &new_statements),
        mandates_added: minus(&new_mandates, &old_mandates),
        mandates_removed: minus(&old_mandates, &new_mandates),
    }
}
