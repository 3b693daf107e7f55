//! Synthetic catalogs and programs, for benchmarks: N requirements against M clauses in
//! several markets, written as the same TOML a user would write, so that the loader is
//! measured too.
//!
//! Generation is deterministic (a fixed-seed xorshift), so two runs measure the same input.

use std::fmt::Write as _;

/// The shape of a synthetic world.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Clauses in the catalog, over all instruments.
    pub clauses: usize,
    /// Clauses per instrument.
    pub clauses_per_instrument: usize,
    /// Markets.
    pub markets: usize,
    /// Requirements in the program.
    pub requirements: usize,
}

impl Shape {
    /// The benchmark shape of the spine issue: a 10,000-clause catalog, 6 markets.
    pub fn standard(requirements: usize) -> Shape {
        Shape { clauses: 10_000, clauses_per_instrument: 250, markets: 6, requirements }
    }

    fn instruments(&self) -> usize {
        self.clauses.div_ceil(self.clauses_per_instrument)
    }
}

/// A small deterministic generator (xorshift64*), enough to spread links evenly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn instrument_id(i: usize) -> String {
    format!("SYN-{i:03}")
}

/// Clause ids: `g.k`, ten clauses under each heading `g`.
fn clause_id(c: usize) -> String {
    format!("{}.{}", c / 10 + 1, c % 10 + 1)
}

/// The catalog as `(relative path, TOML text)` pairs, laid out as a catalog folder.
pub fn catalog_files(shape: &Shape) -> Vec<(String, String)> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut files = Vec::new();
    let n = shape.instruments();
    for i in 0..n {
        let mut text = format!(
            "id = \"{}\"\ntitle = \"Synthetic instrument {i}\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"generated\"\n",
            instrument_id(i)
        );
        let count = shape.clauses_per_instrument.min(shape.clauses - i * shape.clauses_per_instrument);
        for c in 0..count {
            if c % 10 == 0 {
                let _ = write!(
                    text,
                    "\n[[clauses]]\nid = \"{}\"\ntitle = \"Heading {}\"\nkind = \"heading\"\n",
                    c / 10 + 1,
                    c / 10 + 1
                );
            }
            let kind = if c % 7 == 0 { "recommendation" } else { "requirement" };
            let _ =
                write!(text, "\n[[clauses]]\nid = \"{}\"\ntitle = \"Clause {c}\"\nkind = \"{kind}\"\n", clause_id(c));
            // Every 50th clause cites a clause of the next instrument (acyclic: i -> i + 1).
            if c % 50 == 3 && i + 1 < n {
                let _ = writeln!(text, "refs = [\"{}:{}\"]", instrument_id(i + 1), clause_id(rng.below(count)));
            }
        }
        files.push((format!("instruments/syn-{i:03}.toml"), text));
    }
    // Mappings: each instrument maps to the next two, a fifth of its clauses each.
    let rels = ["equal", "subset", "superset", "intersects"];
    for i in 0..n {
        for j in [i + 1, i + 2] {
            if j >= n {
                continue;
            }
            let mut text = format!(
                "from = \"{}\"\nto = \"{}\"\nsource = \"generated\"\n{}",
                instrument_id(i),
                instrument_id(j),
                if (i + j) % 5 == 0 { "adoption = \"MOD\"\n" } else { "" }
            );
            let mut seen = std::collections::BTreeSet::new();
            for _ in 0..shape.clauses_per_instrument / 5 {
                let (a, b) = (rng.below(shape.clauses_per_instrument), rng.below(shape.clauses_per_instrument));
                if seen.insert((a, b)) {
                    let _ = write!(
                        text,
                        "\n[[map]]\nfrom = \"{}\"\nto = \"{}\"\nrel = \"{}\"\n",
                        clause_id(a),
                        clause_id(b),
                        rels[rng.below(4)]
                    );
                }
            }
            files.push((format!("mappings/syn-{i:03}--syn-{j:03}.toml"), text));
        }
    }
    // Markets: each mandates a third of the instruments, at mixed levels and dates.
    let levels = ["mandatory", "mandatory", "expected", "voluntary"];
    for m in 0..shape.markets {
        let mut text = format!("id = \"M{m}\"\nname = \"Synthetic market {m}\"\n");
        for i in (0..n).filter(|i| (i + m) % 3 == 0) {
            let _ = write!(
                text,
                "\n[[mandates]]\ninstrument = \"{}\"\nlevel = \"{}\"\nfrom = \"202{}-0{}-01\"\ncategories = [\"M\", \"N\"]\n\
                 features = [{}]\nlegal_basis = \"generated\"\nsource = \"generated\"\n",
                instrument_id(i),
                levels[rng.below(4)],
                rng.below(6),
                rng.below(9) + 1,
                if i % 4 == 0 { "\"ota-update\"" } else { "" }
            );
        }
        files.push((format!("markets/m{m}.toml"), text));
    }
    files
}

/// The program: `shape.requirements` requirements, each satisfying one to three clauses,
/// two thirds of them verified, selling in every market.
pub fn program_text(shape: &Shape) -> String {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let n = shape.instruments();
    let mut text = String::with_capacity(shape.requirements * 200);
    text.push_str(
        "[program]\nname = \"Synthetic program\"\ncategories = [\"M1\"]\nfeatures = [\"ota-update\"]\nmarkets = [",
    );
    for m in 0..shape.markets {
        let _ = write!(text, "{}{{ id = \"M{m}\", sop = \"2027-06-01\" }}", if m == 0 { "" } else { ", " });
    }
    text.push_str("]\n");
    for r in 0..shape.requirements {
        let _ = write!(
            text,
            "\n[[requirements]]\nid = \"REQ-{r}\"\ntitle = \"Requirement {r}\"\ntext = \"The system shall do thing {r}.\"\n\
             status = \"approved\"\nsatisfies = ["
        );
        for k in 0..=rng.below(3) {
            let i = rng.below(n);
            let count = shape.clauses_per_instrument.min(shape.clauses - i * shape.clauses_per_instrument);
            let _ = write!(
                text,
                "{}\"{}:{}\"",
                if k == 0 { "" } else { ", " },
                instrument_id(i),
                clause_id(rng.below(count))
            );
        }
        text.push_str("]\n");
        if r % 3 != 0 {
            let _ = writeln!(text, "verified_by = [\"TC-{r}\"]");
        }
    }
    text
}

/// Writes the catalog and program under `dir` (`dir/catalog/...`, `dir/program.toml`).
pub fn write_world(shape: &Shape, dir: &std::path::Path) -> std::io::Result<()> {
    for (path, text) in catalog_files(shape) {
        let path = dir.join("catalog").join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    std::fs::write(dir.join("program.toml"), program_text(shape))
}

/// A loaded world, ready to trace.
pub struct World {
    /// The catalog.
    pub catalog: avtrace_model::Catalog,
    /// The program.
    pub program: avtrace_model::Program,
}

/// Loads a generated world through the real loader.
///
/// # Panics
/// If the generator produced an invalid catalog or program: that is a bug in the generator.
pub fn load(shape: &Shape) -> World {
    let mut sources = avtrace_catalog::Sources::new();
    let files: Vec<avtrace_catalog::CatalogFile> = catalog_files(shape)
        .into_iter()
        .map(|(path, text)| {
            let role = avtrace_catalog::role_of(&path);
            avtrace_catalog::CatalogFile { file: sources.add(path, text), role }
        })
        .collect();
    let program_file = sources.add("program.toml", program_text(shape));
    let catalog = avtrace_catalog::load_catalog(&sources, &files).value.expect("generated catalog is valid");
    let program =
        avtrace_catalog::load_program(&sources, program_file, &catalog).value.expect("generated program is valid");
    World { catalog, program }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_worlds_load_and_trace() {
        let shape = Shape { clauses: 1_000, clauses_per_instrument: 100, markets: 3, requirements: 500 };
        let world = load(&shape);
        assert_eq!(world.catalog.clauses.len(), 1_000 + 100);
        assert_eq!(world.program.requirements.len(), 500);
        let graph = avtrace_graph::ClauseGraph::new(&world.catalog);
        let targets: Vec<_> = world
            .program
            .markets
            .iter()
            .map(|m| avtrace_trace::MarketTarget { market: m.market, sop: m.sop })
            .collect();
        let trace = avtrace_trace::trace(&world.catalog, &graph, &world.program, &targets, Default::default());
        let counts = trace.markets[0].counts;
        assert!(counts.obligations > 0);
        assert!(
            counts.covered > 0 && counts.via_mapping > 0 && counts.partial > 0 && counts.uncovered > 0,
            "{counts:?}"
        );
    }
}
