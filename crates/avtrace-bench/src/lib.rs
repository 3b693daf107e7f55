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
    /// Files the requirements are split over (1: all in the main file; more: the main file
    /// includes `parts/*.toml`).
    pub files: usize,
    /// Attributes per requirement (`attrs = { a0 = "...", ... }`).
    pub attrs: usize,
    /// Requirement text as a two-line `"""` string, as real programs write it, rather than
    /// a one-line one.
    pub multiline: bool,
}

impl Shape {
    /// The benchmark shape of the spine issue: a 10,000-clause catalog, 6 markets, one
    /// program file, no attributes.
    pub fn standard(requirements: usize) -> Shape {
        Shape {
            clauses: 10_000,
            clauses_per_instrument: 250,
            markets: 6,
            requirements,
            files: 1,
            attrs: 0,
            multiline: false,
        }
    }

    /// The standard shape split over `files` files with `attrs` attributes per requirement.
    pub fn split(requirements: usize, files: usize, attrs: usize) -> Shape {
        Shape { files, attrs, ..Shape::standard(requirements) }
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

/// The program as `(relative path, TOML text)` pairs: the main file first, then the parts it
/// includes. `shape.requirements` requirements, each satisfying one to three clauses, two
/// thirds of them naming evidence, selling in every market.
pub fn program_files(shape: &Shape) -> Vec<(String, String)> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let n = shape.instruments();
    let files = shape.files.max(1);
    let per_file = shape.requirements.div_ceil(files);
    let mut main = String::with_capacity(if files == 1 { shape.requirements * 200 } else { 512 });
    main.push_str(
        "[program]\nname = \"Synthetic program\"\ncategories = [\"M1\"]\nfeatures = [\"ota-update\"]\nmarkets = [",
    );
    for m in 0..shape.markets {
        let _ = write!(main, "{}{{ id = \"M{m}\", sop = \"2027-06-01\" }}", if m == 0 { "" } else { ", " });
    }
    main.push_str("]\n");
    if files > 1 {
        main.push_str("include = [\"parts/*.toml\"]\n");
    }
    let mut out = vec![("program.toml".to_owned(), main)];
    for f in 0..files {
        let range = f * per_file..((f + 1) * per_file).min(shape.requirements);
        let mut text = String::with_capacity(range.len() * (200 + shape.attrs * 16));
        for r in range {
            let _ = write!(text, "\n[[requirements]]\nid = \"REQ-{r}\"\ntitle = \"Requirement {r}\"\n");
            if shape.multiline {
                let _ = write!(
                    text,
                    "text = \"\"\"\nThe system shall do thing {r}\nand report its state to the driver.\"\"\"\n"
                );
            } else {
                let _ = writeln!(text, "text = \"The system shall do thing {r}.\"");
            }
            text.push_str("status = \"approved\"\nsatisfies = [");
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
            if shape.attrs > 0 {
                text.push_str("attrs = { ");
                for a in 0..shape.attrs {
                    let _ = write!(text, "{}a{a} = \"value {}\"", if a == 0 { "" } else { ", " }, (r + a) % 7);
                }
                text.push_str(" }\n");
            }
            if r % 3 != 0 {
                let _ = writeln!(text, "verified_by = [\"TC-{r}\"]");
            }
        }
        if files == 1 {
            out[0].1.push_str(&text);
        } else {
            out.push((format!("parts/part-{f:04}.toml"), text));
        }
    }
    out
}

/// The program of one file (`shape.files` is taken as 1).
pub fn program_text(shape: &Shape) -> String {
    program_files(&Shape { files: 1, ..*shape }).remove(0).1
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
    for (path, text) in program_files(shape) {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
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
    fn split_programs_load_like_one_file() {
        let one = Shape {
            clauses: 500,
            clauses_per_instrument: 100,
            markets: 2,
            requirements: 300,
            files: 1,
            attrs: 3,
            multiline: true,
        };
        let dir = tempfile::tempdir().expect("temp dir");
        write_world(&Shape { files: 7, ..one }, dir.path()).expect("written");
        let mut sources = avtrace_catalog::Sources::new();
        let catalog_files =
            avtrace_catalog::add_catalog_dir(&mut sources, &dir.path().join("catalog")).expect("catalog");
        let catalog = avtrace_catalog::load_catalog(&sources, &catalog_files).value.expect("valid catalog");
        let input = avtrace_catalog::add_program(&mut sources, &dir.path().join("program.toml")).expect("program");
        assert_eq!(input.includes.len(), 7);
        let split = avtrace_catalog::load_program_files(&sources, input.main, &input.includes, &catalog)
            .value
            .expect("valid split program");
        let whole = load(&one).program;
        assert_eq!(split.requirements.len(), whole.requirements.len());
        for (a, b) in split.requirements.iter().zip(&whole.requirements) {
            assert_eq!((&a.id(), &a.satisfies, &a.attrs), (&b.id(), &b.satisfies, &b.attrs));
        }
    }

    #[test]
    fn generated_worlds_load_and_trace() {
        let shape = Shape {
            clauses: 1_000,
            clauses_per_instrument: 100,
            markets: 3,
            requirements: 500,
            files: 1,
            attrs: 0,
            multiline: false,
        };
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
