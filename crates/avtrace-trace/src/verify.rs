//! How far each requirement is verified (DESIGN.md, "Requirements: decomposition,
//! attributes, evidence").

use std::collections::HashMap;

use avtrace_model::{EvidenceResult, Program, Verification};

/// The verification state of every requirement, indexed like `program.requirements`.
///
/// A requirement that names evidence is `passed` when all of it passed, `failed` when any
/// failed, else `claimed` (results unknown or not run; a name with no evidence record has an
/// unknown result). One that names none takes the worst state of its live children (failed,
/// none, claimed, passed, in that order), or `none` without children. Iterative, so a deep
/// tree is safe; parent cycles are broken by the loader.
pub fn verification(program: &Program) -> Vec<Verification> {
    let n = program.requirements.len();
    let results: HashMap<&str, Option<EvidenceResult>> =
        program.evidence.iter().map(|e| (e.id.as_str(), e.result)).collect();
    let result_of = |id: &String| results.get(id.as_str()).copied().flatten();
    let own: Vec<Option<Verification>> = program
        .requirements
        .iter()
        .map(|r| {
            if r.verified_by.is_empty() {
                return None;
            }
            let (mut failed, mut all_passed) = (false, true);
            for id in &r.verified_by {
                match result_of(id) {
                    Some(EvidenceResult::Failed) => failed = true,
                    Some(EvidenceResult::Passed) => {}
                    _ => all_passed = false,
                }
            }
            Some(if failed {
                Verification::Failed
            } else if all_passed {
                Verification::Passed
            } else {
                Verification::Claimed
            })
        })
        .collect();
    // Children in index order, and a post-order over the forest so that every child is
    // settled before its parent.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, r) in program.requirements.iter().enumerate() {
        match r.parent {
            Some(p) if p.index() < n && p.index() != i => children[p.index()].push(i),
            _ => roots.push(i),
        }
    }
    let mut state: Vec<Verification> = vec![Verification::None; n];
    let mut done = vec![false; n];
    let mut stack: Vec<(usize, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
    while let Some((i, expanded)) = stack.pop() {
        if done[i] {
            continue;
        }
        if !expanded {
            stack.push((i, true));
            stack.extend(children[i].iter().rev().filter(|&&c| !done[c]).map(|&c| (c, false)));
            continue;
        }
        done[i] = true;
        state[i] = own[i].unwrap_or_else(|| {
            children[i]
                .iter()
                .filter(|&&c| program.requirements[c].status.is_live())
                .map(|&c| state[c])
                .min()
                .unwrap_or(Verification::None)
        });
    }
    state
}
