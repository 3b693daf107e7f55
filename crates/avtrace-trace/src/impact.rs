//! What a change to one clause touches.

use avtrace_model::{ClauseIx, Program, ReqIx, natural_cmp};

use crate::{Reason, Status, Trace};

/// Everything in a trace that rests on one clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impact {
    /// The clause.
    pub clause: ClauseIx,
    /// Requirements that satisfy it directly, by id.
    pub satisfied_by: Vec<ReqIx>,
    /// Markets (indices into `Trace::markets`) where it is an obligation, with why.
    pub obliged_in: Vec<(usize, Vec<Reason>)>,
    /// Obligations of other clauses whose coverage runs through it on a mapping chain:
    /// market, obligation, its status.
    pub carried: Vec<(usize, ClauseIx, Status)>,
    /// Obligations it brings in by citing them: market, obligation.
    pub brings_in: Vec<(usize, ClauseIx)>,
    /// Every requirement whose links would need a review: those satisfying it and those
    /// at the start of a chain through it, by id.
    pub requirements: Vec<ReqIx>,
}

/// What in `trace` rests on `clause`: the requirements linked to it, the markets where it
/// is an obligation, the obligations covered (fully or partly) through it, and those it
/// makes obligations by citing them.
pub fn impact(trace: &Trace, program: &Program, clause: ClauseIx) -> Impact {
    let by_id =
        |a: &ReqIx, b: &ReqIx| natural_cmp(program.requirements[a.index()].id(), program.requirements[b.index()].id());
    let mut satisfied_by: Vec<ReqIx> = program
        .requirements
        .iter()
        .enumerate()
        .filter(|(_, r)| r.satisfies.contains(&clause))
        .map(|(i, _)| ReqIx::new(i))
        .collect();
    satisfied_by.sort_by(by_id);
    let mut requirements = satisfied_by.clone();
    let (mut obliged_in, mut carried, mut brings_in) = (Vec::new(), Vec::new(), Vec::new());
    for (m, market) in trace.markets.iter().enumerate() {
        for o in &market.obligations {
            if o.clause == clause {
                obliged_in.push((m, o.because.to_vec()));
            }
            if o.because.contains(&Reason::CitedBy(clause)) {
                brings_in.push((m, o.clause));
            }
            let Some(coverage) = trace.coverage(o.clause) else { continue };
            let through = coverage.chain.iter().flat_map(|c| &c.steps).any(|s| s.from == clause || s.to == clause);
            if through && o.clause != clause {
                carried.push((m, o.clause, coverage.status));
                requirements.extend(coverage.requirements.iter().copied());
            }
        }
    }
    requirements.sort_by(by_id);
    requirements.dedup();
    Impact { clause, satisfied_by, obliged_in, carried, brings_in, requirements }
}
