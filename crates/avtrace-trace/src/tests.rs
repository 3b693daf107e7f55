//! Trace semantics, one rule per test, on small catalogs written out in full.

use avtrace_catalog::{CatalogFile, Role, Sources, load_catalog, load_program};
use avtrace_graph::ClauseGraph;
use avtrace_model::{Catalog, Level, Program};
use proptest::prelude::*;

use crate::{MarketTarget, Status, Trace, TraceOptions, trace};

/// A catalog and program loaded from `(path, text)` pairs, as the CLI would.
struct Fixture {
    catalog: Catalog,
    program: Program,
}

fn role(path: &str) -> Role {
    avtrace_catalog::role_of(path)
}

fn load(files: &[(&str, &str)], program: &str) -> Fixture {
    let mut sources = Sources::new();
    let files: Vec<CatalogFile> =
        files.iter().map(|(p, t)| CatalogFile { file: sources.add(*p, *t), role: role(p) }).collect();
    let program_file = sources.add("program.toml", program);
    let render = |d: &avtrace_catalog::Diagnostic| avtrace_catalog::render(&sources, d);
    let loaded = load_catalog(&sources, &files);
    let catalog = loaded
        .value
        .unwrap_or_else(|| panic!("catalog invalid:\n{}", loaded.diagnostics.iter().map(render).collect::<String>()));
    let loaded = load_program(&sources, program_file, &catalog);
    let program = loaded
        .value
        .unwrap_or_else(|| panic!("program invalid:\n{}", loaded.diagnostics.iter().map(render).collect::<String>()));
    Fixture { catalog, program }
}

impl Fixture {
    fn trace_with(&self, options: TraceOptions) -> Trace {
        let graph = ClauseGraph::new(&self.catalog);
        let targets: Vec<MarketTarget> =
            self.program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
        trace(&self.catalog, &graph, &self.program, &targets, options)
    }

    fn trace(&self) -> Trace {
        self.trace_with(TraceOptions::default())
    }

    /// `(clause, status, chain as "A -rel-> B ...")` of every obligation of the first market.
    fn statuses(&self) -> Vec<(String, Status, String)> {
        let trace = self.trace();
        let market = &trace.markets[0];
        market
            .obligations
            .iter()
            .map(|o| {
                let c = trace.coverage(o.clause).expect("every obligation has a coverage");
                let chain = c.chain.as_ref().map_or(String::new(), |chain| {
                    let mut s = self.catalog.clause_name(chain.start());
                    for step in &chain.steps {
                        s.push_str(&format!(" -{}-> {}", step.rel, self.catalog.clause_name(step.to)));
                    }
                    s
                });
                (self.catalog.clause_name(o.clause), c.status, chain)
            })
            .collect()
    }

    fn status_of(&self, clause: &str) -> (Status, String) {
        self.statuses()
            .into_iter()
            .find(|(c, _, _)| c == clause)
            .map(|(_, s, chain)| (s, chain))
            .unwrap_or_else(|| panic!("{clause} is not an obligation"))
    }
}

fn instrument(id: &str, clauses: &[(&str, &str)]) -> String {
    let mut s = format!("id = \"{id}\"\ntitle = \"{id}\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"test\"\n");
    for (clause, kind) in clauses {
        s.push_str(&format!("[[clauses]]\nid = \"{clause}\"\ntitle = \"t\"\nkind = \"{kind}\"\n"));
    }
    s
}

fn market(id: &str, mandated: &[&str]) -> String {
    let mut s = format!("id = \"{id}\"\nname = \"{id}\"\n");
    for m in mandated {
        s.push_str(&format!(
            "[[mandates]]\ninstrument = \"{m}\"\nlevel = \"mandatory\"\nfrom = \"2020-01-01\"\n\
             categories = [\"M\"]\nlegal_basis = \"law\"\nsource = \"test\"\n"
        ));
    }
    s
}

fn program(reqs: &[(&str, &[&str])]) -> String {
    let mut s = String::from(
        "[program]\nname = \"p\"\ncategories = [\"M1\"]\nmarkets = [{ id = \"XX\", sop = \"2027-01-01\" }]\n",
    );
    for (id, sat) in reqs {
        let sat: Vec<String> = sat.iter().map(|c| format!("\"{c}\"")).collect();
        s.push_str(&format!(
            "[[requirements]]\nid = \"{id}\"\ntitle = \"t\"\nsatisfies = [{}]\nverified_by = [\"T-{id}\"]\n",
            sat.join(", ")
        ));
    }
    s
}

fn mapping(from: &str, to: &str, adoption: Option<&str>, entries: &[(&str, &str, &str)]) -> String {
    let mut s = format!("from = \"{from}\"\nto = \"{to}\"\nsource = \"test\"\n");
    if let Some(a) = adoption {
        s.push_str(&format!("adoption = \"{a}\"\n"));
    }
    for (f, t, rel) in entries {
        s.push_str(&format!("[[map]]\nfrom = \"{f}\"\nto = \"{t}\"\nrel = \"{rel}\"\n"));
    }
    s
}

/// Market XX mandates A; the program satisfies clauses of B; one mapping file relates them.
fn two_instruments(map: &str, reqs: &[(&str, &[&str])]) -> Fixture {
    let a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let b = instrument("B", &[("1", "requirement"), ("2", "requirement")]);
    load(
        &[("a.toml", &a), ("b.toml", &b), ("mappings/m.toml", map), ("markets/xx.toml", &market("XX", &["A"]))],
        &program(reqs),
    )
}

#[test]
fn direct_link_covers() {
    let f = two_instruments(&mapping("A", "B", None, &[]), &[("R1", &["A:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Covered, String::new()));
    assert_eq!(f.status_of("A:2").0, Status::Uncovered);
    let t = f.trace();
    let c = t.markets[0].counts;
    assert_eq!((c.obligations, c.covered, c.uncovered, c.verified), (2, 1, 1, 1));
    assert!((c.coverage() - 0.5).abs() < 1e-9);
}

#[test]
fn clauses_by_requirement_lists_what_each_requirement_carries() {
    let map = mapping("A", "B", None, &[("2", "2", "equal")]);
    let f = two_instruments(&map, &[("R1", &["A:1"]), ("R2", &["B:2"]), ("R3", &["B:1"])]);
    let t = f.trace();
    let names = |list: &Vec<avtrace_model::ClauseIx>| -> Vec<String> {
        list.iter().map(|&c| f.catalog.clause_name(c)).collect()
    };
    let by_req: Vec<Vec<String>> = t.clauses_by_requirement(f.program.requirements.len()).iter().map(names).collect();
    // R1 covers A:1 directly, R2 reaches A:2 through the mapping, R3 satisfies a clause
    // that no market obliges.
    assert_eq!(by_req, vec![vec!["A:1".to_owned()], vec!["A:2".to_owned()], vec![]]);
    // A shorter program than the trace was computed for is not an error.
    assert_eq!(t.clauses_by_requirement(1).len(), 1);
}

#[test]
fn equal_carries_coverage_in_both_directions() {
    let f = two_instruments(&mapping("A", "B", None, &[("1", "1", "equal")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
    let f = two_instruments(&mapping("B", "A", None, &[("1", "1", "equal")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
}

#[test]
fn superset_of_the_obligation_carries_coverage() {
    // B:1 superset A:1: satisfying B:1 satisfies A:1.
    let f = two_instruments(&mapping("B", "A", None, &[("1", "1", "superset")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -superset-> A:1".into()));
    // Written from the other end: A:1 subset B:1 is the same statement.
    let f = two_instruments(&mapping("A", "B", None, &[("1", "1", "subset")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -superset-> A:1".into()));
}

#[test]
fn subset_and_intersects_are_partial() {
    // B:1 subset A:1: satisfying B:1 covers only part of A:1.
    let f = two_instruments(&mapping("B", "A", None, &[("1", "1", "subset")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:1 -subset-> A:1".into()));
    let f = two_instruments(&mapping("A", "B", None, &[("1", "1", "intersects")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:1 -intersects-> A:1".into()));
    let t = f.trace();
    assert_eq!(t.markets[0].counts.partial, 1);
    assert_eq!(t.markets[0].counts.coverage(), 0.0, "partial never counts as covered");
}

#[test]
fn adoptions_apply_clause_by_clause() {
    let f = two_instruments(&mapping("A", "B", Some("IDT"), &[]), &[("R1", &["B:1", "B:2"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
    assert_eq!(f.status_of("A:2"), (Status::ViaMapping, "B:2 -equal-> A:2".into()));
    let f = two_instruments(&mapping("A", "B", Some("MOD"), &[]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:1 -intersects-> A:1".into()));
    let f = two_instruments(&mapping("A", "B", Some("NEQ"), &[]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1").0, Status::Uncovered);
}

#[test]
fn clause_level_entries_override_the_adoption() {
    // MOD would make A:1 partial; the entry says the two first clauses are equal.
    let f = two_instruments(&mapping("A", "B", Some("MOD"), &[("1", "1", "equal")]), &[("R1", &["B:1", "B:2"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
    assert_eq!(f.status_of("A:2").0, Status::Partial);
    // An entry naming A:1 with another clause removes the adoption pair A:1 / B:1.
    let f = two_instruments(&mapping("A", "B", Some("IDT"), &[("1", "2", "subset")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1").0, Status::Uncovered);
}

fn chain_fixture(rels: &[&str], reqs: &[(&str, &[&str])]) -> Fixture {
    // A:1 - B:1 - C:1 - D:1, each link with the given relation read from left to right.
    let ids = ["A", "B", "C", "D"];
    let mut files: Vec<(String, String)> =
        ids.iter().map(|id| (format!("{id}.toml"), instrument(id, &[("1", "requirement")]))).collect();
    for (i, rel) in rels.iter().enumerate() {
        files.push((format!("mappings/{i}.toml"), mapping(ids[i], ids[i + 1], None, &[("1", "1", rel)])));
    }
    files.push(("markets/xx.toml".into(), market("XX", &["A"])));
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    load(&borrowed, &program(reqs))
}

#[test]
fn chains_compose() {
    // D ⊇ C = B ⊇ A: satisfying D satisfies A.
    let f = chain_fixture(&["subset", "equal", "subset"], &[("R1", &["D:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "D:1 -superset-> C:1 -equal-> B:1 -superset-> A:1".into()));
    // One subset step towards the obligation spoils the chain.
    let f = chain_fixture(&["subset", "superset", "equal"], &[("R1", &["D:1"])]);
    assert_eq!(f.status_of("A:1").0, Status::Partial);
    let f = chain_fixture(&["equal", "intersects", "equal"], &[("R1", &["D:1"])]);
    assert_eq!(f.status_of("A:1").0, Status::Partial);
}

#[test]
fn the_best_status_wins_then_the_shortest_chain() {
    // A:1 intersects B:1 (short, partial) and A:1 = C:1 = D:1 ... via a longer full chain.
    let a = instrument("A", &[("1", "requirement")]);
    let b = instrument("B", &[("1", "requirement")]);
    let c = instrument("C", &[("1", "requirement")]);
    let d = instrument("D", &[("1", "requirement")]);
    let files = [
        ("a.toml", a.as_str()),
        ("b.toml", b.as_str()),
        ("c.toml", c.as_str()),
        ("d.toml", d.as_str()),
        ("mappings/ab.toml", &mapping("A", "B", None, &[("1", "1", "intersects")])),
        ("mappings/ac.toml", &mapping("A", "C", None, &[("1", "1", "equal")])),
        ("mappings/cd.toml", &mapping("C", "D", None, &[("1", "1", "equal")])),
        ("mappings/db.toml", &mapping("D", "B", None, &[("1", "1", "equal")])),
        ("markets/xx.toml", &market("XX", &["A"])),
    ];
    let f = load(&files, &program(&[("R1", &["B:1"])]));
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> D:1 -equal-> C:1 -equal-> A:1".into()));
    // With D satisfied too, the shorter full chain through D wins.
    let f = load(&files, &program(&[("R1", &["B:1"]), ("R2", &["D:1"])]));
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "D:1 -equal-> C:1 -equal-> A:1".into()));
    // Equally short full chains: the satisfied clause with the smallest id wins.
    let f = load(&files, &program(&[("R1", &["D:1"]), ("R2", &["C:1"])]));
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "C:1 -equal-> A:1".into()));
}

#[test]
fn mapping_cycles_terminate() {
    // A = B = C = A with nothing satisfied: the search ends and finds nothing.
    let a = instrument("A", &[("1", "requirement")]);
    let b = instrument("B", &[("1", "requirement")]);
    let c = instrument("C", &[("1", "requirement")]);
    let files = [
        ("a.toml", a.as_str()),
        ("b.toml", b.as_str()),
        ("c.toml", c.as_str()),
        ("mappings/ab.toml", &mapping("A", "B", None, &[("1", "1", "equal")])),
        ("mappings/bc.toml", &mapping("B", "C", None, &[("1", "1", "equal")])),
        ("mappings/ca.toml", &mapping("C", "A", None, &[("1", "1", "equal")])),
        ("markets/xx.toml", &market("XX", &["A"])),
    ];
    let f = load(&files, &program(&[]));
    assert_eq!(f.status_of("A:1").0, Status::Uncovered);
    let f = load(&files, &program(&[("R", &["C:1"])]));
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "C:1 -equal-> A:1".into()));
}

#[test]
fn only_obligation_kinds_oblige_and_references_close() {
    let a = "id = \"A\"\ntitle = \"A\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n\
        [[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n\
        [[clauses]]\nid = \"1.1\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"B:2\"]\n\
        [[clauses]]\nid = \"1.2\"\ntitle = \"t\"\nkind = \"recommendation\"\n\
        [[clauses]]\nid = \"1.3\"\ntitle = \"t\"\nkind = \"informative\"\nrefs = [\"B:1\"]\n\
        [[clauses]]\nid = \"1.4\"\ntitle = \"t\"\nkind = \"definition\"\n";
    let b = "id = \"B\"\ntitle = \"B\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n\
        [[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"requirement\"\n\
        [[clauses]]\nid = \"2\"\ntitle = \"t\"\nkind = \"heading\"\n\
        [[clauses]]\nid = \"2.1\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"B:3\"]\n\
        [[clauses]]\nid = \"2.2\"\ntitle = \"t\"\nkind = \"informative\"\n\
        [[clauses]]\nid = \"3\"\ntitle = \"t\"\nkind = \"requirement\"\n";
    let files = [("a.toml", a), ("b.toml", b), ("markets/xx.toml", &market("XX", &["A"]))];
    let f = load(&files, &program(&[]));
    let names: Vec<String> = f.statuses().into_iter().map(|(c, _, _)| c).collect();
    // 1.1 by mandate; B:2.1 through the cited heading B:2, B:3 transitively; informative
    // A:1.3 obliges nothing, so B:1 stays out.
    assert_eq!(names, ["A:1.1", "B:2.1", "B:3"]);
    let t = f.trace();
    let why: Vec<String> = t.markets[0].obligations.iter().map(|o| format!("{:?}", o.because)).collect();
    assert_eq!(why[0], "[Mandate(0)]");
    assert!(why[1].starts_with("[CitedBy("), "{}", why[1]);
    let with_recs = f.trace_with(TraceOptions { level: Level::Mandatory, include_recommendations: true });
    assert_eq!(with_recs.markets[0].counts.obligations, 4);
}

fn dated_fixture(mandate: &str, program_header: &str) -> Fixture {
    let a = instrument("A", &[("1", "requirement")]);
    let m = format!(
        "id = \"XX\"\nname = \"X\"\n[[mandates]]\ninstrument = \"A\"\nlegal_basis = \"l\"\nsource = \"s\"\n{mandate}"
    );
    let p = format!("[program]\nname = \"p\"\n{program_header}\n");
    load(&[("a.toml", &a), ("markets/xx.toml", &m)], &p)
}

#[test]
fn mandates_apply_by_date_category_feature_and_level() {
    let applies = |mandate: &str, header: &str, level: Level| {
        let f = dated_fixture(mandate, header);
        f.trace_with(TraceOptions { level, include_recommendations: false }).markets[0].counts.obligations == 1
    };
    let sop = "markets = [{ id = \"XX\", sop = \"2026-06-01\" }]";
    let m1 = format!("categories = [\"M1\"]\n{sop}");
    let base = "level = \"mandatory\"\ncategories = [\"M\"]\n";
    assert!(applies(&format!("{base}from = \"2026-06-01\""), &m1, Level::Mandatory), "on the SOP day");
    assert!(!applies(&format!("{base}from = \"2026-06-02\""), &m1, Level::Mandatory), "after SOP");
    assert!(
        !applies(
            "level = \"mandatory\"\ncategories = [\"M1\"]\nfrom = \"2020-01-01\"",
            &format!("categories = [\"M\"]\n{sop}"),
            Level::Mandatory
        ),
        "M1 does not match M"
    );
    assert!(!applies(
        &format!("{base}from = \"2020-01-01\""),
        &format!("categories = [\"N1\"]\n{sop}"),
        Level::Mandatory
    ));
    let featured = format!("{base}from = \"2020-01-01\"\nfeatures = [\"alks\", \"ota-update\"]");
    assert!(!applies(&featured, &format!("categories = [\"M1\"]\nfeatures = [\"alks\"]\n{sop}"), Level::Mandatory));
    assert!(applies(
        &featured,
        &format!("categories = [\"M1\"]\nfeatures = [\"ota-update\", \"alks\", \"x\"]\n{sop}"),
        Level::Mandatory
    ));
    let expected = "level = \"expected\"\nfrom = \"2020-01-01\"";
    assert!(!applies(expected, &m1, Level::Mandatory));
    assert!(applies(expected, &m1, Level::Expected));
    assert!(applies(expected, &m1, Level::Voluntary));
}

// ---- properties ----

/// A random world: instruments of a few clauses, mappings between them, one market per
/// seed mandating some, and requirements linking clauses.
#[derive(Debug, Clone)]
struct World {
    clauses_per_instrument: usize,
    instruments: usize,
    maps: Vec<(usize, usize, usize, usize, usize)>,
    adoptions: Vec<(usize, usize, usize)>,
    mandated: Vec<Vec<usize>>,
    links: Vec<(usize, usize)>,
}

/// What one mapping file says: an adoption degree and clause-level entries.
type PairStatements<'a> = (Option<&'a str>, Vec<(String, String, &'a str)>);

const RELS: [&str; 4] = ["equal", "subset", "superset", "intersects"];
const DEGREES: [&str; 3] = ["IDT", "MOD", "NEQ"];

fn world() -> impl Strategy<Value = World> {
    (2usize..5, 2usize..6).prop_flat_map(|(cpi, n)| {
        (
            Just(cpi),
            Just(n),
            prop::collection::vec((0..n, 0..cpi, 0..n, 0..cpi, 0..4usize), 0..12),
            prop::collection::vec((0..n, 0..n, 0..3usize), 0..3),
            prop::collection::vec(prop::collection::vec(0..n, 0..3), 1..4),
            prop::collection::vec((0..n, 0..cpi), 0..10),
        )
            .prop_map(|(clauses_per_instrument, instruments, maps, adoptions, mandated, links)| World {
                clauses_per_instrument,
                instruments,
                maps,
                adoptions,
                mandated,
                links,
            })
    })
}

impl World {
    fn files(&self) -> Vec<(String, String)> {
        let name = |i: usize| format!("I{i}");
        let mut files = Vec::new();
        for i in 0..self.instruments {
            let clauses: Vec<(String, &str)> = (0..self.clauses_per_instrument)
                .map(|c| (format!("{}", c + 1), if c == 0 { "heading" } else { "requirement" }))
                .collect();
            let borrowed: Vec<(&str, &str)> = clauses.iter().map(|(a, b)| (a.as_str(), *b)).collect();
            files.push((format!("i{i}.toml"), instrument(&name(i), &borrowed)));
        }
        // One mapping file per unordered pair, holding every statement about the pair.
        let mut pairs: std::collections::BTreeMap<(usize, usize), PairStatements<'_>> = Default::default();
        for &(a, ca, b, cb, rel) in &self.maps {
            if a == b {
                continue;
            }
            let (key, from, to, rel) = if a < b {
                ((a, b), ca, cb, RELS[rel])
            } else {
                (
                    (b, a),
                    cb,
                    ca,
                    avtrace_model::Relation::parse(RELS[rel]).map(|r| r.converse().as_str()).unwrap_or("equal"),
                )
            };
            let entry = pairs.entry(key).or_default();
            if !entry.1.iter().any(|(f, t, _)| *f == (from + 1).to_string() && *t == (to + 1).to_string()) {
                entry.1.push(((from + 1).to_string(), (to + 1).to_string(), rel));
            }
        }
        for &(a, b, degree) in &self.adoptions {
            if a != b {
                pairs.entry((a.min(b), a.max(b))).or_default().0 = Some(DEGREES[degree]);
            }
        }
        for ((a, b), (adoption, entries)) in pairs {
            let borrowed: Vec<(&str, &str, &str)> =
                entries.iter().map(|(f, t, r)| (f.as_str(), t.as_str(), *r)).collect();
            files.push((format!("mappings/{a}-{b}.toml"), mapping(&name(a), &name(b), adoption, &borrowed)));
        }
        let mut market_file = String::from("id = \"XX\"\nname = \"X\"\n");
        for (k, mandated) in self.mandated.iter().enumerate() {
            for &i in mandated {
                market_file.push_str(&format!(
                    "[[mandates]]\ninstrument = \"{}\"\nlevel = \"{}\"\nfrom = \"2020-01-0{}\"\nlegal_basis = \"l\"\nsource = \"s\"\n",
                    name(i),
                    ["mandatory", "expected", "voluntary"][k % 3],
                    k + 1
                ));
            }
        }
        files.push(("markets/xx.toml".into(), market_file));
        files
    }

    fn program(&self, links: &[(usize, usize)]) -> String {
        let reqs: Vec<(String, Vec<String>)> =
            links.iter().enumerate().map(|(n, &(i, c))| (format!("R{n}"), vec![format!("I{i}:{}", c + 1)])).collect();
        let mut s = String::from("[program]\nname = \"p\"\nmarkets = [{ id = \"XX\", sop = \"2027-01-01\" }]\n");
        for (id, sat) in reqs {
            let sat: Vec<String> = sat.iter().map(|c| format!("\"{c}\"")).collect();
            s.push_str(&format!("[[requirements]]\nid = \"{id}\"\ntitle = \"t\"\nsatisfies = [{}]\n", sat.join(", ")));
        }
        s
    }

    fn fixture(&self, files: &[(String, String)], links: &[(usize, usize)]) -> Fixture {
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        load(&borrowed, &self.program(links))
    }
}

fn all_levels(f: &Fixture) -> Vec<Trace> {
    [Level::Mandatory, Level::Expected, Level::Voluntary]
        .into_iter()
        .map(|level| f.trace_with(TraceOptions { level, include_recommendations: false }))
        .collect()
}

/// The trace as names, so that traces of differently ordered inputs can be compared.
fn canonical(f: &Fixture, t: &Trace) -> Vec<String> {
    t.markets
        .iter()
        .flat_map(|m| &m.obligations)
        .map(|o| {
            let c = t.coverage(o.clause).expect("coverage");
            let reqs: Vec<&str> =
                c.requirements.iter().map(|r| f.program.requirements[r.index()].id.as_str()).collect();
            let chain: Vec<String> = c
                .chain
                .iter()
                .flat_map(|ch| &ch.steps)
                .map(|s| format!("{}-{}->{}", f.catalog.clause_name(s.from), s.rel, f.catalog.clause_name(s.to)))
                .collect();
            format!("{} {} {:?} {:?} {}", f.catalog.clause_name(o.clause), c.status, reqs, chain, o.because.len())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_link_never_lowers_coverage(w in world(), extra in (0usize..5, 0usize..4)) {
        let files = w.files();
        let before = w.fixture(&files, &w.links);
        let mut links = w.links.clone();
        links.push((extra.0 % w.instruments, extra.1 % w.clauses_per_instrument));
        let after = w.fixture(&files, &links);
        for (b, a) in all_levels(&before).iter().zip(all_levels(&after).iter()) {
            for (mb, ma) in b.markets.iter().zip(&a.markets) {
                prop_assert_eq!(mb.counts.obligations, ma.counts.obligations);
                prop_assert!(ma.counts.linked() >= mb.counts.linked());
                prop_assert!(ma.counts.linked() + ma.counts.partial >= mb.counts.linked() + mb.counts.partial);
                prop_assert!(ma.counts.coverage() >= mb.counts.coverage());
            }
        }
    }

    #[test]
    fn removing_a_mandate_never_adds_obligations(w in world(), which in 0usize..8) {
        let before = w.fixture(&w.files(), &w.links);
        let mut fewer = w.clone();
        let total: usize = fewer.mandated.iter().map(Vec::len).sum();
        if total > 0 {
            let mut k = which % total;
            for group in &mut fewer.mandated {
                if k < group.len() {
                    group.remove(k);
                    break;
                }
                k -= group.len();
            }
        }
        let after = fewer.fixture(&fewer.files(), &fewer.links);
        for (b, a) in all_levels(&before).iter().zip(all_levels(&after).iter()) {
            let set = |f: &Fixture, t: &Trace| -> std::collections::BTreeSet<String> {
                t.markets[0].obligations.iter().map(|o| f.catalog.clause_name(o.clause)).collect()
            };
            prop_assert!(set(&after, a).is_subset(&set(&before, b)));
        }
    }

    #[test]
    fn order_of_files_and_entries_does_not_matter(w in world(), seed in any::<u64>()) {
        let files = w.files();
        let straight = w.fixture(&files, &w.links);
        // Reverse the file order, the clause entries inside each file, and the requirements.
        let mut shuffled: Vec<(String, String)> = files.iter().rev().cloned().map(|(p, t)| (p, reverse_entries(&t))).collect();
        let len = shuffled.len().max(1) as u64;
        shuffled.rotate_left((seed % len) as usize);
        let reversed_links: Vec<(usize, usize)> = w.links.iter().rev().copied().collect();
        let mut other = w.fixture(&shuffled, &reversed_links);
        // Requirement ids follow position; rename so that the same link keeps the same id.
        let n = other.program.requirements.len();
        for (k, r) in other.program.requirements.iter_mut().enumerate() {
            r.id = format!("R{}", n - 1 - k);
        }
        for (a, b) in all_levels(&straight).iter().zip(all_levels(&other).iter()) {
            prop_assert_eq!(canonical(&straight, a), canonical(&other, b));
        }
    }
}

/// Reverses the order of the `[[...]]` tables of a TOML file, keeping its header first.
fn reverse_entries(text: &str) -> String {
    let mut parts: Vec<&str> = text.split("[[").collect();
    let head = parts.remove(0);
    parts.reverse();
    let mut out = head.to_owned();
    for p in parts {
        out.push_str("[[");
        out.push_str(p);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[test]
fn a_heading_in_a_mapping_stands_for_the_clauses_beneath_it() {
    // B:2 is a heading over B:2.1 and B:2.2. "A:1 equal B:2" makes A:1 a superset of each
    // clause under B:2 (and each of them a subset of A:1); nothing more can be derived.
    let a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let b = instrument("B", &[("2", "heading"), ("2.1", "requirement"), ("2.2", "requirement")]);
    let files = |map: &str, mandated: &str| {
        vec![
            ("a.toml".to_owned(), a.clone()),
            ("b.toml".to_owned(), b.clone()),
            ("mappings/ab.toml".to_owned(), map.to_owned()),
            ("markets/xx.toml".to_owned(), market("XX", &[mandated])),
        ]
    };
    let fixture = |files: Vec<(String, String)>, reqs: &[(&str, &[&str])]| {
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        load(&borrowed, &program(reqs))
    };
    let equal = mapping("A", "B", None, &[("1", "2", "equal")]);
    let f = fixture(files(&equal, "B"), &[("R1", &["A:1"])]);
    assert_eq!(f.status_of("B:2.1"), (Status::ViaMapping, "A:1 -superset-> B:2.1".into()));
    assert_eq!(f.status_of("B:2.2"), (Status::ViaMapping, "A:1 -superset-> B:2.2".into()));
    // Satisfying one clause under the heading only partly satisfies A:1.
    let f = fixture(files(&equal, "A"), &[("R1", &["B:2.1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:2.1 -subset-> A:1".into()));
    // An intersection stays an intersection for every clause beneath.
    let intersects = mapping("A", "B", None, &[("2", "2", "intersects")]);
    let f = fixture(files(&intersects, "A"), &[("R1", &["B:2.2"])]);
    assert_eq!(f.status_of("A:2"), (Status::Partial, "B:2.2 -intersects-> A:2".into()));
    // "A:1 subset B:2": a clause under B:2 relates to A:1 in a way that cannot be derived.
    let subset = mapping("A", "B", None, &[("1", "2", "subset")]);
    let f = fixture(files(&subset, "A"), &[("R1", &["B:2.1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:2.1 -intersects-> A:1".into()));
}

#[test]
fn impact_finds_links_chains_and_citations() {
    // A:1 equal B:1, A:2 cites B:2; R1 satisfies B:1; XX mandates A.
    let a = "id = \"A\"\ntitle = \"A\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n\
        [[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"requirement\"\n\
        [[clauses]]\nid = \"2\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"B:2\"]\n";
    let b = instrument("B", &[("1", "requirement"), ("2", "requirement")]);
    let files = [
        ("a.toml", a),
        ("b.toml", b.as_str()),
        ("mappings/ab.toml", &mapping("A", "B", None, &[("1", "1", "equal")])),
        ("markets/xx.toml", &market("XX", &["A"])),
    ];
    let f = load(&files, &program(&[("R1", &["B:1"]), ("R2", &["A:2"])]));
    let t = f.trace();
    let b1 = f.catalog.clause_by_ref("B:1").unwrap();
    let found = crate::impact(&t, &f.program, b1);
    let reqs = |list: &[avtrace_model::ReqIx]| {
        list.iter().map(|r| f.program.requirements[r.index()].id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(reqs(&found.satisfied_by), ["R1"]);
    assert!(found.obliged_in.is_empty(), "B is not mandated");
    assert_eq!(found.carried.len(), 1);
    assert_eq!(f.catalog.clause_name(found.carried[0].1), "A:1");
    assert_eq!(found.carried[0].2, Status::ViaMapping);
    let a2 = f.catalog.clause_by_ref("A:2").unwrap();
    let found = crate::impact(&t, &f.program, a2);
    assert_eq!(reqs(&found.satisfied_by), ["R2"]);
    assert_eq!(found.obliged_in.len(), 1);
    assert_eq!(found.brings_in.iter().map(|(_, c)| f.catalog.clause_name(*c)).collect::<Vec<_>>(), ["B:2"]);
    assert_eq!(reqs(&found.requirements), ["R2"]);
}

#[test]
fn program_diffs_name_what_changed() {
    let a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let files = [("a.toml", a.as_str()), ("markets/xx.toml", &market("XX", &["A"]))];
    let before = load(&files, &program(&[("R1", &["A:1"]), ("R2", &["A:2"]), ("R3", &[])]));
    let after = load(&files, &program(&[("R1", &["A:2"]), ("R3", &[]), ("R4", &["A:1"])]));
    let (tb, ta) = (before.trace(), after.trace());
    let diff = crate::diff_programs(&before.catalog, (&before.program, &tb), (&after.program, &ta));
    assert_eq!(diff.added, ["R4"]);
    assert_eq!(diff.removed, ["R2"]);
    assert_eq!(diff.changed.len(), 1);
    assert_eq!(diff.changed[0].id, "R1");
    assert_eq!(diff.changed[0].linked, ["A:2"]);
    assert_eq!(diff.changed[0].unlinked, ["A:1"]);
    assert!(diff.markets[0].statuses.is_empty(), "both clauses stay covered, by other requirements");
    let same = crate::diff_programs(&before.catalog, (&before.program, &tb), (&before.program, &tb));
    assert!(same.is_empty());
    let fewer = load(&files, &program(&[("R1", &["A:1"])]));
    let tf = fewer.trace();
    let diff = crate::diff_programs(&before.catalog, (&before.program, &tb), (&fewer.program, &tf));
    assert_eq!(diff.markets[0].statuses, [("A:2".to_owned(), Some(Status::Covered), Some(Status::Uncovered))]);
    assert_eq!((diff.markets[0].coverage_before, diff.markets[0].coverage_after), (Some(1.0), Some(0.5)));
}

#[test]
fn catalog_diffs_name_what_changed() {
    let old_a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let new_a = instrument("A", &[("1", "recommendation"), ("3", "requirement")]);
    let b = instrument("B", &[("1", "requirement")]);
    let old = load(
        &[("a.toml", old_a.as_str()), ("b.toml", b.as_str()), ("markets/xx.toml", &market("XX", &["A"]))],
        &program(&[]),
    );
    let c = instrument("C", &[("1", "requirement")]);
    let new = load(
        &[
            ("a.toml", new_a.as_str()),
            ("c.toml", c.as_str()),
            ("mappings/ac.toml", &mapping("A", "C", None, &[("1", "1", "equal")])),
            ("markets/xx.toml", &market("XX", &["A", "C"])),
        ],
        &program(&[]),
    );
    let diff = crate::diff_catalogs(&old.catalog, &new.catalog);
    assert_eq!(diff.instruments_removed, ["B"]);
    assert_eq!(diff.instruments_added, ["C"]);
    assert_eq!(diff.clauses_added, ["A:3"], "clauses of added instruments are counted with them");
    assert_eq!(diff.clauses_removed, ["A:2"]);
    assert_eq!(diff.clauses_changed, [("A:1".to_owned(), vec!["kind"])]);
    assert_eq!(diff.mappings_added, ["A:1 equal C:1"]);
    assert_eq!(diff.mandates_added, ["XX: C mandatory from 2020-01-01 for M"]);
    assert!(diff.mandates_removed.is_empty());
    assert!(crate::diff_catalogs(&old.catalog, &old.catalog).is_empty());
}
