//! Trace speed on synthetic worlds: a 10,000-clause catalog, 6 markets, and 10,000 to
//! 100,000 requirements. `cargo bench -p avtrace-bench`; `bench/run.sh` adds the whole
//! binary's time and peak memory up to 1,000,000 requirements.

use avtrace_bench::{Shape, load};
use avtrace_graph::ClauseGraph;
use avtrace_trace::{MarketTarget, TraceOptions};

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [10_000, 100_000];

/// The trace alone, on a loaded catalog and program and a built clause graph.
#[divan::bench(args = [10_000, 100_000, 1_000_000], sample_count = 10)]
fn trace(bencher: divan::Bencher, requirements: usize) {
    let world = load(&Shape::standard(requirements));
    let graph = ClauseGraph::new(&world.catalog);
    let targets: Vec<MarketTarget> =
        world.program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
    bencher.bench(|| avtrace_trace::trace(&world.catalog, &graph, &world.program, &targets, TraceOptions::default()));
}

/// Building the clause graph of the 10,000-clause catalog.
#[divan::bench(sample_count = 10)]
fn clause_graph(bencher: divan::Bencher) {
    let world = load(&Shape::standard(0));
    bencher.bench(|| ClauseGraph::new(&world.catalog));
}

/// Loading (parsing and validating) the program TOML against the catalog: the baseline the
/// trace is compared with.
#[divan::bench(args = SIZES, sample_count = 5)]
fn load_program(bencher: divan::Bencher, requirements: usize) {
    bench_load(bencher, Shape::standard(requirements));
}

/// Loading a program of the shape real ones take: two-line `"""` text and 10 attributes per
/// requirement, beside the one-line program above.
#[divan::bench(args = SIZES, sample_count = 5)]
fn load_program_multiline_with_attributes(bencher: divan::Bencher, requirements: usize) {
    bench_load(bencher, Shape { multiline: true, attrs: 10, ..Shape::standard(requirements) });
}

/// Loads the program of `shape` from its text, each sample from a fresh source map.
fn bench_load(bencher: divan::Bencher, shape: Shape) {
    let world = load(&Shape::standard(0));
    let text = avtrace_bench::program_text(&shape);
    bencher.bench(|| {
        let mut sources = avtrace_catalog::Sources::new();
        let file = sources.add("program.toml", text.clone());
        avtrace_catalog::load_program(&sources, file, &world.catalog).value
    });
}

/// Decoding the built-in catalog's snapshot against loading it from its TOML: what every
/// command pays before it starts.
#[divan::bench(args = ["snapshot", "toml"], sample_count = 20)]
fn builtin_catalog(bencher: divan::Bencher, how: &str) {
    bencher.bench(|| {
        let mut sources = avtrace_catalog::Sources::new();
        let (files, catalog) = avtrace_builtin::builtin_catalog(&mut sources);
        if how == "toml" { avtrace_catalog::load_catalog(&sources, &files).value } else { catalog }
    });
}
