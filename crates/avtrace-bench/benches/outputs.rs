//! Each output of the shipped example (`examples/l3-highway-pilot`) with the built-in
//! catalog, in process: what a command on the example spends after loading, which is most
//! of its time for the workbook, the report and the ReqIF export. `bench/example.sh` times
//! the same commands as a user runs them, start to finish.

use std::path::Path;

use avtrace_graph::ClauseGraph;
use avtrace_model::{Catalog, Program};
use avtrace_report::{ReportOptions, TraceView};
use avtrace_trace::{MarketTarget, Trace, TraceOptions};

fn main() {
    divan::main();
}

/// The example loaded and traced for every market it targets.
struct Example {
    catalog: Catalog,
    program: Program,
    graph: ClauseGraph,
    trace: Trace,
}

impl Example {
    /// # Panics
    /// If the shipped example or the built-in catalog does not load: the test suite checks both.
    fn load() -> Example {
        let mut sources = avtrace_catalog::Sources::new();
        let (_, catalog) = avtrace_builtin::builtin_catalog(&mut sources);
        let catalog = catalog.expect("the built-in catalog decodes");
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/l3-highway-pilot/program.toml");
        let input = avtrace_catalog::add_program(&mut sources, &path).expect("the example is readable");
        let program = avtrace_catalog::load_program_files(&sources, input.main, &input.includes, &catalog)
            .value
            .expect("the example is valid");
        let graph = ClauseGraph::new(&catalog);
        let targets: Vec<MarketTarget> =
            program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
        let trace = avtrace_trace::trace(&catalog, &graph, &program, &targets, TraceOptions::default());
        Example { catalog, program, graph, trace }
    }

    fn view(&self) -> TraceView<'_> {
        TraceView { catalog: &self.catalog, program: &self.program, trace: &self.trace, program_path: "program.toml" }
    }
}

/// The workbook, the report and the HTML matrix, each rendered into memory.
#[divan::bench(args = ["matrix xlsx", "report html", "matrix html"], sample_count = 50)]
fn render(bencher: divan::Bencher, output: &str) {
    let example = Example::load();
    let options = ReportOptions::default();
    bencher.bench(|| {
        let view = example.view();
        match output {
            "matrix xlsx" => avtrace_report::matrix_xlsx(&view, &options).map(|bytes| bytes.len()),
            "report html" => avtrace_report::report_html(&view, &options).map(|page| page.len()),
            _ => avtrace_report::matrix_html(&view, &options).map(|page| page.len()),
        }
        .expect("rendered")
    });
}

#[divan::bench(sample_count = 50)]
fn reqif_export(bencher: divan::Bencher) {
    let example = Example::load();
    bencher.bench(|| {
        let document = avtrace_exchange::reqif_export(
            &example.catalog,
            &example.graph,
            &example.program,
            &example.trace,
            "2027-01-15T09:00:00Z",
        );
        let mut out = Vec::new();
        document.write_to(&mut out).expect("written to memory");
        out
    });
}

#[divan::bench(sample_count = 50)]
fn load_and_trace(bencher: divan::Bencher) {
    bencher.bench(Example::load);
}
