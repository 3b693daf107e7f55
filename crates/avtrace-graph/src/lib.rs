//! The clause graph: every clause of a catalog as a node, with hierarchy, reference and
//! mapping edges, built once on petgraph.
//!
//! This crate answers graph questions and nothing else: which clauses a set of clauses
//! cites (reference closure), which chain of mappings leads from a satisfied clause to an
//! obligation and what that chain is worth, and where the references loop. It reads the
//! model and never does I/O; it does not know about programs' files, markets' dates or
//! output formats.
//!
//! Invariants:
//! - node `i` of the petgraph graph is clause `ClauseIx(i)`; callers never see `NodeIndex`;
//! - every traversal is iterative, so a chain of a million clauses does not overflow the
//!   stack;
//! - neighbour lists are sorted by clause index, which the model makes canonical, so every
//!   answer is the same whatever order the catalog files were read in.

mod chain;
mod cycles;
mod graph;

pub use chain::{BasisFacts, Chain, ChainQuality, ChainSearch, RELATED_MAX_STEPS, Step, StepBasis};
pub use cycles::find_cycles;
pub use graph::{ClauseGraph, EdgeKind};
