//! Requirements that count for nothing: live requirements whose clauses reach no obligation
//! of any traced market, and why, so that `check` can name them instead of letting them
//! pass in silence.

use avtrace_graph::{ChainSearch, ClauseGraph};
use avtrace_model::{Catalog, ClauseIx, ClauseKind, Exclusion, Level, MarketIx, Program, ReqIx};

use crate::{MarketTarget, TraceOptions};

/// Why one clause a requirement satisfies brings it to no obligation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClauseReason {
    /// The clause is of a kind that is never an obligation (or a recommendation, which is
    /// one only when asked for).
    NeverObliged(ClauseKind),
    /// Its instrument is mandated in no traced market, and no chain of mappings leads from
    /// it to an obligation.
    NotMandated,
    /// Its instrument is mandated in traced markets, but no such mandate applies to the
    /// program: each with why.
    Excluded(Vec<(MarketIx, usize, Exclusion)>),
}

/// A live requirement that reaches no obligation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreached {
    /// The requirement.
    pub requirement: ReqIx,
    /// Per clause it satisfies, why that clause counts for nothing; empty when it
    /// satisfies no clause at all.
    pub clauses: Vec<(ClauseIx, ClauseReason)>,
}

/// The requirements of `program` that count (by `options`) and whose satisfied clauses
/// reach no obligation of the markets of `targets`: neither are obligations nor lead to one
/// by a chain that composes to something. Sorted by requirement index.
pub fn unreached_requirements(
    catalog: &Catalog,
    graph: &ClauseGraph,
    program: &Program,
    targets: &[MarketTarget],
    options: TraceOptions,
) -> Vec<Unreached> {
    let obligations = crate::obligation_clauses(catalog, graph, program, targets, options);
    let reaches = ChainSearch::reaching(graph, &obligations);
    let features = catalog.vocabulary.feature_closure(&program.features);
    let mut out = Vec::new();
    let mut has_children = vec![false; program.requirements.len()];
    for r in &program.requirements {
        if let Some(p) = r.parent {
            has_children[p.index()] = true;
        }
    }
    for (i, r) in program.requirements.iter().enumerate() {
        if !r.status.counts_at(options.min_status) || r.satisfies.iter().any(|c| reaches[c.index()]) {
            continue;
        }
        // Inside a tree, a requirement that satisfies nothing itself is decomposition: its
        // parent (or what refines it) answers the clauses.
        if r.satisfies.is_empty() && (r.parent.is_some() || has_children[i]) {
            continue;
        }
        let clauses = r
            .satisfies
            .iter()
            .map(|&clause| {
                let kind = catalog.clause(clause).kind;
                let reason = if !kind.is_obligation(options.include_recommendations) {
                    ClauseReason::NeverObliged(kind)
                } else {
                    let excluded = exclusions(catalog, program, &features, targets, options.level, clause);
                    if excluded.is_empty() { ClauseReason::NotMandated } else { ClauseReason::Excluded(excluded) }
                };
                (clause, reason)
            })
            .collect();
        out.push(Unreached { requirement: ReqIx::new(i), clauses });
    }
    out
}

/// The mandates of the traced markets that impose `clause` but do not apply to the
/// program, each with its first failed condition.
fn exclusions(
    catalog: &Catalog,
    program: &Program,
    features: &[String],
    targets: &[MarketTarget],
    level: Level,
    clause: ClauseIx,
) -> Vec<(MarketIx, usize, Exclusion)> {
    let mut out = Vec::new();
    for target in targets {
        for (m, mandate) in catalog.market(target.market).mandates.iter().enumerate() {
            if !catalog.mandate_covers(mandate, clause) {
                continue;
            }
            let Some(exclusion) = mandate.exclusion(&program.categories, features, target.sop, level) else {
                continue;
            };
            out.push((target.market, m, exclusion));
        }
    }
    out
}
