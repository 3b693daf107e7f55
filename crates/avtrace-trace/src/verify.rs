//! How far each requirement is verified (DESIGN.md, "Requirements: decomposition,
//! attributes, evidence").

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use avtrace_model::{EvidenceResult, Program, Verification};
use rustc_hash::FxHasher;

/// The verification state of every requirement, indexed like `program.requirements`.
///
/// A requirement that names evidence is `passed` when all of it passed, `failed` when any
/// failed, else `claimed` (results unknown or not run; a name with no evidence record has an
/// unknown result). One that names none takes the worst state of its live children (failed,
/// none, claimed, passed, in that order), or `none` without children. Iterative, so a deep
/// tree is safe; parent cycles are broken by the loader.
pub fn verification(program: &Program) -> Vec<Verification> {
    let results = EvidenceResults::of(program);
    let mut in_a_tree = false;
    let mut state: Vec<Verification> = program
        .requirements
        .iter()
        .map(|r| {
            in_a_tree |= r.parent.is_some();
            results.own_state(r)
        })
        .collect();
    if in_a_tree {
        settle_tree(program, &mut state);
    }
    state
}

/// The results of a program's evidence records, by id.
pub(crate) struct EvidenceResults<'p>(HashMap<&'p str, Option<EvidenceResult>, BuildHasherDefault<FxHasher>>);

impl<'p> EvidenceResults<'p> {
    pub(crate) fn of(program: &'p Program) -> EvidenceResults<'p> {
        EvidenceResults(program.evidence.iter().map(|e| (e.id.as_str(), e.result)).collect())
    }

    /// The state of `r` from its own evidence; `none` when it names none (its children
    /// decide, in [`settle_tree`]).
    pub(crate) fn own_state(&self, r: &avtrace_model::Requirement) -> Verification {
        if r.verified_by.is_empty() {
            return Verification::None;
        }
        // Without evidence records every result is unknown: no need to look one up.
        if self.0.is_empty() {
            return Verification::Claimed;
        }
        let (mut failed, mut all_passed) = (false, true);
        for id in &r.verified_by {
            match self.0.get(id.as_ref()).copied().flatten() {
                Some(EvidenceResult::Failed) => failed = true,
                Some(EvidenceResult::Passed) => {}
                _ => all_passed = false,
            }
        }
        if failed {
            Verification::Failed
        } else if all_passed {
            Verification::Passed
        } else {
            Verification::Claimed
        }
    }
}

/// Gives every requirement that names no evidence the worst state of its live children,
/// children first.
pub(crate) fn settle_tree(program: &Program, state: &mut [Verification]) {
    let n = program.requirements.len();
    // Children as one flat list per parent (offsets into `kids`), and a post-order over the
    // forest so that every child is settled before its parent.
    let mut offsets = vec![0u32; n + 1];
    for (i, r) in program.requirements.iter().enumerate() {
        if let Some(p) = r.parent.map(|p| p.index()).filter(|&p| p < n && p != i) {
            offsets[p + 1] += 1;
        }
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut kids = vec![0u32; offsets[n] as usize];
    let mut roots = Vec::new();
    for (i, r) in program.requirements.iter().enumerate() {
        match r.parent.map(|p| p.index()).filter(|&p| p < n && p != i) {
            Some(p) => {
                kids[fill[p] as usize] = u32::try_from(i).unwrap_or(u32::MAX);
                fill[p] += 1;
            }
            None => roots.push(i),
        }
    }
    let children = |i: usize| kids[offsets[i] as usize..offsets[i + 1] as usize].iter().map(|&c| c as usize);
    let names_evidence: Vec<bool> = program.requirements.iter().map(|r| !r.verified_by.is_empty()).collect();
    let mut done = vec![false; n];
    let mut stack: Vec<(usize, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
    while let Some((i, expanded)) = stack.pop() {
        if done[i] {
            continue;
        }
        if !expanded {
            stack.push((i, true));
            stack.extend(children(i).filter(|&c| !done[c]).map(|c| (c, false)).collect::<Vec<_>>().into_iter().rev());
            continue;
        }
        done[i] = true;
        if !names_evidence[i] {
            state[i] = children(i)
                .filter(|&c| program.requirements[c].status.is_live())
                .map(|c| state[c])
                .min()
                .unwrap_or(Verification::None);
        }
    }
}
